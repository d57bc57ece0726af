"""Assess one standard-land contract at a date: its stage, every check, due and overdue
milestones, penalties and consequences — the contract entry of ``jiyue standard-land check``.

Stages gate the checks: the physical commitments (investment intensity, FAR) and the national
controls (building coefficient, admin share, green ratio) are checked once an ``accepted``
event is on record; the output commitments (tax per mu, value added per energy and per emission)
once the production review has happened (``reviewed`` event) or its date has come. Before that
they are ``pending``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from jiyue.standard_land import labels
from jiyue.standard_land.checks import (Check, fmt_fixed as _m, fmt_general as _g, fmt_pct as _pct, consequences, indicator_check, pending,
                                        time_check)
from jiyue.standard_land.indicators import COMMITMENTS, CONTROLS
from jiyue.standard_land.lifecycle import Event, Timeline, timeline
from jiyue.values import to_date
from jiyue.standard_land.measures import Figures, Site, enterprise_figures, review_year
from jiyue.standard_land.rules import LibraryRow, Rules
from jiyue.standard_land.supervision import (completion_date, due_and_overdue, milestones, review_due,
                                             to_number)
from jiyue.landrules import M2_PER_MU, TALL_STOREY_M


def assess_contract(contract: dict[str, Any], events: Sequence[Event], as_of: dt.date, *, site: Site,
                    enterprise_id: str | None, enterprise_years: pd.DataFrame, parcels: pd.DataFrame,
                    control_row: LibraryRow | None, rules: Rules, within: int,
                    zone_code: str | None = None) -> dict[str, Any]:
    """The contract entry of the check document (pure: frames and values in, a dict out)."""
    no = str(contract["contract_no"])
    tl = timeline(no, events, as_of)
    price = to_number(contract.get("land_price_wan"))
    checks: list[Check] = []
    for key, ind in COMMITMENTS.items():
        committed = to_number(contract.get(ind.commit_field)) if ind.commit_field is not None else None
        if committed is None:
            continue
        term = rules.terms[key]
        if term.stage == "acceptance":
            checks.append(_physical(key, committed, tl, site, price, rules))
        else:
            checks.append(_output(key, committed, contract, tl, site, enterprise_id, enterprise_years, parcels,
                                  price, rules))
    start_excusing = _excusing(tl, rules, after=None, until=tl.date("commenced") or as_of)
    start = time_check("start", to_date(contract.get("start_agreed")), tl.date("commenced"), as_of,
                       _permille(contract, "late_start_permille", rules.timing.late_start_permille), price,
                       start_excusing)
    done = completion_date(tl, rules)
    completion = time_check("completion", to_date(contract.get("completion_agreed")), done, as_of,
                            _permille(contract, "late_completion_permille", rules.timing.late_completion_permille),
                            price, _excusing(tl, rules, after=tl.date("commenced"), until=done or as_of))
    checks += [start, completion]
    controls = [_control(key, tl, site, price, rules, control_row) for key in CONTROLS]
    due, overdue = due_and_overdue(milestones(contract, tl, rules), as_of, within)
    open_halt = next(((h.start, h.approved) for h in tl.halts if h.end is None), None)
    cons = consequences([*checks, *controls], start_agreed=to_date(contract.get("start_agreed")),
                        commenced=tl.date("commenced"), start_excused=bool(start.extra.get("excused")),
                        open_halt=open_halt, as_of=as_of, land_price_wan=price, idle=rules.idle)
    amounts = [c.penalty_wan for c in [*checks, *controls] if c.verdict == "fail"]
    total = round(sum(a for a in amounts if a is not None), 10)
    return {
        "contract_no": no,
        "parcel_id": _s(contract.get("parcel_id")),
        "enterprise_id": enterprise_id,
        "zone_code": zone_code,
        "stage": tl.stage,
        "land_price_wan": price,
        "land_area_m2": site.area_m2,
        "land_mu": round(site.mu, 10) if site.mu is not None else None,
        "checks": [c.to_dict() for c in checks],
        "controls": [c.to_dict() for c in controls],
        "due": due,
        "overdue": overdue,
        "penalty_total_wan": total,
        "penalty_incomplete": any(a is None for a in amounts),
        "consequences": cons,
        "events": len(tl.events),
    }


def _s(v: Any) -> str | None:
    return None if v is None or (isinstance(v, float) and v != v) else str(v)


def _permille(contract: dict[str, Any], field: str, default: float) -> float:
    v = to_number(contract.get(field))
    return default if v is None else v


def _excusing(tl: Timeline, rules: Rules, *, after: dt.date | None, until: dt.date) -> list[Event]:
    """Verified delays (and approved halts) with an excused cause in (after, until]."""
    causes = set(rules.timing.excused_causes)
    out = []
    for e in tl.events:
        if e.cause not in causes or e.date > until or (after is not None and e.date <= after):
            continue
        if e.event == "delayed" or (e.event == "halted" and e.approved):
            out.append(e)
    return out


def _physical(key: str, committed: float, tl: Timeline, site: Site, price: float | None, rules: Rules) -> Check:
    term = rules.terms[key]
    accepted = tl.date("accepted")
    if accepted is None:
        return pending(key, term.stage, committed, labels.BASIS["pending_stage"].format(
            stage=labels.CHECK_STAGE["acceptance"], as_of=tl.as_of))
    problem = _site_problem(site, needs_buildings=key == "far")
    if problem:
        return pending(key, term.stage, committed, problem)
    mu = site.mu
    if key == "fai_per_mu":
        found = tl.latest("invested_wan", until=accepted)
        if found is None:
            return pending(key, term.stage, committed, labels.BASIS["no_investment"].format(date=accepted))
        invested, when = found
        if price is None:
            return pending(key, term.stage, committed, labels.BASIS["no_land_price"])
        actual = (invested + price) / mu  # type: ignore[operator]
        basis = labels.BASIS["fai_actual"].format(invested=_m(invested), price=_m(price), mu=_g(mu),
                                                  actual=_g(actual), date=when)
    else:  # far
        actual = site.floor_area_m2 / site.area_m2  # type: ignore[operator]
        basis = labels.BASIS["far_actual"].format(floor=_m(site.floor_area_m2), area=_m(site.area_m2),
                                                  actual=_g(actual), tall=_g(TALL_STOREY_M))
    return indicator_check(key, term, committed, actual, basis, land_price_wan=price, mu=mu)


def _site_problem(site: Site, *, needs_buildings: bool) -> str | None:
    if not site.found:
        return labels.BASIS["no_parcel"].format(parcel=site.parcel_id)
    if not site.area_m2:
        return labels.BASIS["no_area"].format(parcel=site.parcel_id)
    if needs_buildings and not site.has_buildings_layer:
        return labels.BASIS["no_buildings_layer"]
    if needs_buildings and site.n_buildings == 0:
        return labels.BASIS["no_buildings"].format(parcel=site.parcel_id)
    return None


def _control(key: str, tl: Timeline, site: Site, price: float | None, rules: Rules,
             row: LibraryRow | None) -> Check:
    term = rules.terms[key]
    bound_key = {"building_coefficient": "building_coefficient_min", "admin_share": "admin_share_max",
                 "green_ratio": "green_ratio_max"}[key]
    limit = rules.bound(bound_key, row)
    if tl.date("accepted") is None:
        return pending(key, term.stage, limit, labels.BASIS["pending_stage"].format(
            stage=labels.CHECK_STAGE["acceptance"], as_of=tl.as_of))
    problem = _site_problem(site, needs_buildings=key == "building_coefficient")
    if problem:
        return pending(key, term.stage, limit, problem)
    if key == "building_coefficient":
        actual = site.footprint_all_m2 / site.area_m2  # type: ignore[operator]
        basis = labels.BASIS["bc_actual"].format(fp=_m(site.footprint_all_m2), area=_m(site.area_m2),
                                                 actual=f"{_pct(actual)}%")
    else:
        part = tl.measure("green_area_m2" if key == "green_ratio" else "admin_area_m2")
        if part is None:
            return pending(key, term.stage, limit, labels.BASIS["no_measure"].format(what=labels.INDICATOR[key]))
        actual = part / site.area_m2  # type: ignore[operator]
        basis = labels.BASIS["share_actual"].format(what=labels.INDICATOR[key], part=_m(part), area=_m(site.area_m2),
                                                    actual=f"{_pct(actual)}%")
    return indicator_check(key, term, limit, actual, basis, land_price_wan=price, mu=site.mu)


def _output(key: str, committed: float, contract: dict[str, Any], tl: Timeline, site: Site,
            enterprise_id: str | None, enterprise_years: pd.DataFrame, parcels: pd.DataFrame,
            price: float | None, rules: Rules) -> Check:
    term = rules.terms[key]
    reviewed = tl.date("reviewed")
    review_date = reviewed or review_due(contract, tl, rules)
    if review_date is None or review_date > tl.as_of:
        return pending(key, term.stage, committed, labels.BASIS["pending_stage"].format(
            stage=labels.CHECK_STAGE["production_review"], as_of=tl.as_of))
    note = "" if reviewed else labels.BASIS["review_by_date"].format(date=review_date) + "；"
    if enterprise_id is None:
        return pending(key, term.stage, committed, note + labels.BASIS["no_enterprise"])
    if key == "tax_per_mu":
        problem = _site_problem(site, needs_buildings=False)
        if problem:
            return pending(key, term.stage, committed, note + problem)
    fig = enterprise_figures(enterprise_id, review_date, enterprise_years, parcels, site, rules.output.land_basis)
    if fig is None:
        return pending(key, term.stage, committed, note + labels.BASIS["no_year"].format(
            enterprise=enterprise_id, year=review_year(review_date), date=review_date))
    if fig.year != fig.wanted_year:
        note += labels.BASIS["review_year_fallback"].format(want=fig.wanted_year, year=fig.year) + "；"
    extra = {"year": fig.year}
    if key == "tax_per_mu":
        tax = fig.value("tax_wan")
        if tax is None:
            return pending(key, term.stage, committed, note + _no_value(fig, "tax_wan"), **extra)
        land_mu = fig.land_m2 / M2_PER_MU
        actual = tax / land_mu
        land = (labels.BASIS["land_contract"] if rules.output.land_basis == "contract_parcel"
                else labels.BASIS["land_enterprise"].format(own=_m(fig.own_m2), lease=_m(fig.lease_m2)))
        basis = labels.BASIS["tax_actual"].format(year=fig.year, tax=_m(tax), mu=_g(land_mu), actual=_g(actual),
                                                  land=land)
    else:
        va = fig.value("value_added_wan")
        den_field = "energy_tce" if key == "va_per_energy" else "emission_t"
        den = fig.value(den_field)
        if va is None:
            return pending(key, term.stage, committed, note + _no_value(fig, "value_added_wan"), **extra)
        if den is None:
            return pending(key, term.stage, committed, note + _no_value(fig, den_field), **extra)
        if den == 0:
            return pending(key, term.stage, committed, note + labels.BASIS["zero_denominator"].format(
                enterprise=fig.enterprise_id, year=fig.year, field=_FIELD[den_field]), **extra)
        actual = va / den
        basis = labels.BASIS["ratio_actual"].format(what=labels.INDICATOR[key], year=fig.year, va=_m(va),
                                                    field=_FIELD[den_field], den=_g(den), actual=_g(actual))
    check = indicator_check(key, term, committed, actual, note + basis, land_price_wan=price, mu=site.mu)
    check.extra.update(extra)
    return check


_FIELD = labels.FIELD


def _no_value(fig: Figures, name: str) -> str:
    return labels.BASIS["no_value"].format(enterprise=fig.enterprise_id, year=fig.year, field=_FIELD[name])
