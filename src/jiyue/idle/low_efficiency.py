"""Low-efficiency land (低效用地) rule sets (docs/sources/mlr-order-53.md §A.11): L1, L2 (Minhou 2018) and the 2008 benchmarks.

Each rule set is selected in the rules file (``[low_efficiency] active``) and parameterised
there. A parcel already determined idle is not assessed (the rule sets apply to land that is
*not* idle). Every hit is ``{"rule_set", "code", "criterion", "label", "basis"}``.

What the data contract lets us test, per criterion:

* L1 (1) completion > 2 years overdue for the holder's own reasons; (2) completed ≥ 2 years
  and investment intensity < 50 % of the contract's, or land output < 50 % of a configured
  standard; (3) production stopped ≥ 1 year (a ``halted`` event after ``in_production``);
  (4) an industry on the configured prohibited list; (5) a safety or environmental veto event
  in the latest enterprise year. Criteria (6) planning need and (7) the district's own finding
  are decisions, not data: not tested.
* L2 (1) unfinished: commenced, not idle (area ≥ 1/3 and investment ≥ 25 %), not completed,
  an unapproved halt ≥ 1 year; (2) poor output: completed but not producing, or stopped, for
  ≥ 2 years, or no tax in the last 2 enterprise years, or tax per mu below the agreed figure;
  (3) low intensity: producing but FAR below the industry minimum. (4) good faith (leasing
  out) is not in the data: not tested.
* benchmark: FAR below the industry minimum (GB/T 4754 prefix table); building coverage
  below 30 %. Office share (≤ 7 %) and green ratio are not in the data: not tested.

Only industrial parcels are assessed (:func:`industrial`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiyue.idle import labels
from jiyue.idle.facts import Event, ParcelFacts
from jiyue.idle.idleness import (
    ENTERPRISE,
    agreed_completion,
    commenced_on,
    completed_on,
    in_production_on,
    latest_value,
    open_halt,
    shortfalls,
    verified_cause,
)
from jiyue.idle.rules import Rules
from jiyue.landrules import M2_PER_MU, add_years


def _hit(rule_set: str, code: str, criterion: str, basis: str) -> dict[str, Any]:
    return {"rule_set": rule_set, "code": code, "criterion": criterion,
            "label": labels.LOW_EFFICIENCY[code], "basis": basis}


def production_stop(f: ParcelFacts, as_of: dt.date) -> Event | None:
    """An open ``halted`` event dated on or after production started (a stop of production)."""
    began = in_production_on(f, as_of) or completed_on(f, as_of)
    if began is None:
        return None
    return open_halt(f, as_of, after=began)


def intensity(f: ParcelFacts, as_of: dt.date, include_land: bool = True) -> tuple[float, float] | None:
    """(actual, agreed) investment intensity in 万元/亩 (land price included, docs/sources/mlr-order-53.md §A.11)."""
    invested = latest_value(f, as_of, "invested_wan")
    if invested is None or not f.area_m2:
        return None
    mu = f.area_m2 / M2_PER_MU
    actual = (invested + (f.land_price_wan or 0.0) if include_land else invested) / mu
    if f.commit_fai_per_mu:
        return actual, f.commit_fai_per_mu
    if f.total_investment_wan:
        return actual, f.total_investment_wan / mu
    return None


def _latest_year(f: ParcelFacts, as_of: dt.date) -> tuple[int, Any] | None:
    years = [y for y in f.enterprise_years if y <= as_of.year]
    if not years:
        return None
    y = max(years)
    return y, f.enterprise_years[y]


def l1(f: ParcelFacts, rules: Rules, as_of: dt.date) -> list[dict[str, Any]]:
    """Rule set L1 (see module docstring)."""
    r, leap, t = rules.low_efficiency.L1, rules.start_date.leap_day, labels.TEXT
    hits: list[dict[str, Any]] = []
    done = completed_on(f, as_of)
    due = agreed_completion(f, as_of)
    if done is None and due is not None and as_of >= add_years(due, r.completion_overdue_years, leap):
        cause, _ = verified_cause(f, rules, as_of)
        if cause == ENTERPRISE:
            hits.append(_hit("L1", "L1.1", "completion_overdue",
                             t["le_overdue"].format(due=due.isoformat(), years=r.completion_overdue_years)))
    if done is not None and as_of >= add_years(done, r.completed_years, leap):
        it = intensity(f, as_of)
        if it is not None and it[0] < it[1] * r.intensity_share:
            hits.append(_hit("L1", "L1.2", "low_intensity", t["le_intensity"].format(
                done=done.isoformat(), actual=it[0], agreed=it[1], share=r.intensity_share * 100)))
        ly = _latest_year(f, as_of)
        if r.output_per_mu_standard_wan and ly and ly[1].get("output_wan") is not None and f.enterprise_land_m2:
            per_mu = ly[1]["output_wan"] / (f.enterprise_land_m2 / M2_PER_MU)
            if per_mu < r.output_per_mu_standard_wan * r.output_share:
                hits.append(_hit("L1", "L1.2", "low_output", t["le_output"].format(
                    year=ly[0], actual=per_mu, standard=r.output_per_mu_standard_wan, share=r.output_share * 100)))
    stop = production_stop(f, as_of)
    if stop is not None and as_of >= add_years(stop.date, r.stopped_years, leap):
        hits.append(_hit("L1", "L1.3", "production_stopped",
                         t["le_stopped"].format(since=stop.date.isoformat(), years=r.stopped_years)))
    code = (f.industry_code or "").upper()
    bad = [p for p in r.prohibited_industry_prefixes if code and code.startswith(p.upper())]
    if bad:
        hits.append(_hit("L1", "L1.4", "prohibited_industry", t["le_prohibited"].format(code=code, prefix=bad[0])))
    ly = _latest_year(f, as_of)
    if ly and ly[1].get("veto"):
        events = [v.strip() for v in str(ly[1]["veto"]).split(",")]
        found = [v for v in events if v in r.veto_events]
        if found:
            hits.append(_hit("L1", "L1.5", "safety_environment",
                             t["le_veto"].format(year=ly[0], events="、".join(found))))
    return hits


def l2(f: ParcelFacts, rules: Rules, as_of: dt.date) -> list[dict[str, Any]]:
    """Rule set L2, Minhou County 2018 (see module docstring)."""
    r, leap, t = rules.low_efficiency.L2, rules.start_date.leap_day, labels.TEXT
    hits: list[dict[str, Any]] = []
    began = commenced_on(f, rules, as_of)
    done = completed_on(f, as_of)
    if began is not None and done is None:
        halt = open_halt(f, as_of, after=began)
        if halt is not None and not halt.approved and as_of >= add_years(halt.date, r.unfinished_halt_years, leap):
            sf = shortfalls(f, rules, as_of)
            if sf["area_short"] is False and sf["investment_short"] is False:
                hits.append(_hit("L2", "L2.1", "unfinished", t["le_unfinished"].format(
                    since=halt.date.isoformat(), area=sf["area_ratio"] * 100, inv=sf["investment_ratio"] * 100)))
    producing = in_production_on(f, as_of)
    if done is not None and producing is None and as_of >= add_years(done, r.no_output_years, leap):
        hits.append(_hit("L2", "L2.2", "not_producing", t["le_not_producing"].format(
            done=done.isoformat(), years=r.no_output_years)))
    stop = production_stop(f, as_of)
    if stop is not None and as_of >= add_years(stop.date, r.no_output_years, leap):
        hits.append(_hit("L2", "L2.2", "production_stopped", t["le_stopped"].format(
            since=stop.date.isoformat(), years=r.no_output_years)))
    if producing is not None:
        years = sorted(y for y in f.enterprise_years if y <= as_of.year)[-r.no_output_years:]
        if len(years) == r.no_output_years and all((f.enterprise_years[y].get("tax_wan") or 0.0) <= 0 for y in years):
            hits.append(_hit("L2", "L2.2", "no_tax", t["le_no_tax"].format(years="、".join(map(str, years)))))
        elif f.commit_tax_per_mu and f.enterprise_land_m2 and years:
            y = years[-1]
            tax = f.enterprise_years[y].get("tax_wan")
            if tax is not None:
                per_mu = tax / (f.enterprise_land_m2 / M2_PER_MU)
                if per_mu < f.commit_tax_per_mu * r.tax_share:
                    hits.append(_hit("L2", "L2.2", "low_tax", t["le_low_tax"].format(
                        year=y, actual=per_mu, agreed=f.commit_tax_per_mu)))
        if r.low_intensity_uses_benchmark and stop is None:
            far = _far_check(f, rules)
            if far is not None:
                hits.append(_hit("L2", "L2.3", "low_intensity", far))
    return hits


def _far_check(f: ParcelFacts, rules: Rules) -> str | None:
    """The benchmark FAR test: a sentence when the parcel's FAR is below its industry minimum."""
    bm = rules.low_efficiency.benchmark.far_min_for(f.industry_code)
    if bm is None or not f.area_m2 or f.floor_area_m2 is None:
        return None
    far = f.floor_area_m2 / f.area_m2
    if far < bm[1]:
        return labels.TEXT["le_far"].format(far=far, code=f.industry_code, prefix=bm[0], min=bm[1])
    return None


def benchmark(f: ParcelFacts, rules: Rules, as_of: dt.date) -> list[dict[str, Any]]:
    """The 2008 control-indicator benchmarks for built parcels (FAR by industry, coverage ≥ 30 %)."""
    hits: list[dict[str, Any]] = []
    built = completed_on(f, as_of) is not None or (not f.events and (f.build_class or "").startswith("A"))
    if not built:
        return hits
    far = _far_check(f, rules)
    if far is not None:
        hits.append(_hit("benchmark", "BM.far", "far_below_industry_min", far))
    cov_min = rules.low_efficiency.benchmark.building_coverage_min
    if cov_min and f.area_m2 and f.footprint_all_m2 is not None:
        cov = f.footprint_all_m2 / f.area_m2
        if cov < cov_min:
            hits.append(_hit("benchmark", "BM.coverage", "building_coverage_low",
                             labels.TEXT["le_coverage"].format(cov=cov * 100, min=cov_min * 100)))
    return hits


RULE_SETS = {"L1": l1, "L2": l2, "benchmark": benchmark}


NON_INDUSTRIAL_BUILD = ("A1", "A3", "A4", "A5", "A6", "B12", "C")


def industrial(f: ParcelFacts, rules: Rules) -> bool:
    """Industrial land for these rule sets: the land-use code says so (``[inventory]
    industrial_land_use_prefixes``); without a code, any build class that is not clearly another
    use (housing, transport, commerce, public, rural non-industrial, unbuildable)."""
    if f.land_use_code:
        return any(f.land_use_code.startswith(p) for p in rules.inventory.industrial_land_use_prefixes)
    return not (f.build_class or "").startswith(NON_INDUSTRIAL_BUILD)


def low_efficiency(f: ParcelFacts, rules: Rules, as_of: dt.date, *, idle: bool = False) -> list[dict[str, Any]]:
    """Every hit of the active rule sets, for supplied industrial land that is not idle."""
    if idle or f.contract_no is None and not (f.supply_class or "").startswith("D"):
        return []
    if not industrial(f, rules):
        return []
    out: list[dict[str, Any]] = []
    for name in rules.low_efficiency.active:
        out.extend(RULE_SETS[name](f, rules, as_of))
    return out
