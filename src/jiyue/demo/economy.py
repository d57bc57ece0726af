"""The enterprises' yearly figures (tax, revenue, fixed assets, energy, water …) and their flags."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from jiyue.demo.contracts import Contract
from jiyue.demo.enterprises import DEFER_FOUNDED_FROM, MAJOR_PROJECT_WAN, SCALE_ABOVE_WAN, Firm
from jiyue.demo.identity import EVALUATION_YEARS
from jiyue.landrules import M2_PER_HA, M2_PER_MU

# --------------------------------------------------------------------------- enterprise years
GUAIBAO_FIGURES = {  # (tax, revenue) in 万元: > 40 万元/亩 on the old plant and on all its land
    2018: (17_300.0, 190_000.0),
    2019: (18_900.0, 215_000.0),
    2020: (21_600.0, 245_000.0),
}
TCE_PER_MWH = 0.1229  # electricity at its equivalent value: 1 MWh = 0.1229 tce
LAND_USE_TAX_YUAN_M2 = (4.0, 6.0)  # 城镇土地使用税 in Liaocheng, 元 per m² and year


GAS_M3_PER_TCE = 823.5  # natural gas at the usual 1.2143 kgce per m³ (GB/T 2589-2020: 1.100–1.330)
GAS_INDUSTRIES = ("C13", "C14", "C17", "C22", "C26", "C27", "C30", "C31", "C33")  # firms burning gas


@dataclass(frozen=True)
class _Profile:
    """Per-firm ratios, drawn once so a firm's three years hang together."""

    growth: tuple[float, float]  # 2018→2019, 2019→2020
    tax_rate: float  # taxes / revenue
    va_share: float  # value added / output (or revenue outside manufacturing)
    energy_per_va: float  # tce per 万元 of value added
    emission_per_va: float  # t per 万元 of value added
    electricity_share: float  # share of energy bought as electricity
    fai_per_mu: float  # cumulative fixed-asset investment per mu (万元)
    revenue_per_head: float  # 万元 per employee
    rd_share: float  # R&D / revenue
    records_emission: bool
    records_rd: bool
    water_per_va: float  # t of water per 万元 of value added (NaN: not recorded)
    gas_share: float  # share of energy burnt as natural gas (0: no gas)


def _profile(firm: Firm, rng: np.random.Generator) -> _Profile:
    manufacturing = firm.industry_code.startswith("C")
    industrial = manufacturing or firm.industry_code.startswith("G")
    water = float(np.clip(rng.lognormal(math.log(12.0), 0.7), 2.0, 80.0))
    gas = rng.uniform(0.1, 0.4)
    return _Profile(
        growth=tuple(rng.normal(1.06, 0.07, size=2).clip(0.85, 1.3)),
        tax_rate=rng.uniform(0.025, 0.08),
        va_share=rng.uniform(0.2, 0.33),
        energy_per_va=rng.lognormal(math.log(0.35), 0.7),
        emission_per_va=rng.uniform(0.0005, 0.008),
        electricity_share=rng.uniform(0.35, 0.8),
        fai_per_mu=rng.uniform(180, 450),
        revenue_per_head=rng.uniform(60, 200),
        rd_share=rng.uniform(0.01, 0.045) if manufacturing else rng.uniform(0.0, 0.01),
        records_emission=manufacturing and (firm.tag is not None or rng.random() > 0.15),
        records_rd=rng.random() > 0.12,
        water_per_va=water if industrial and rng.random() > 0.08 else float("nan"),
        gas_share=gas if firm.industry_code.startswith(GAS_INDUSTRIES) else 0.0,
    )


def _review_outcome(c: Contract, prof: _Profile, rng: np.random.Generator) -> tuple[float, _Profile]:
    """Tax per mu and ratios of a firm whose standard-land contract was reviewed in DEMO_YEAR.

    ``sl_reviewed`` beats every output commitment by 15 % or more (tax per mu by 35 %, so even
    the weakest growth path stays above it); ``sl_review_failed`` reaches about half the
    committed tax per mu and 55–75 % of the committed value added per tce, and meets the
    emission commitment.
    """
    k = c.commit
    passed = c.story == "sl_reviewed"
    tax = k["commit_tax_per_mu"] * (rng.uniform(1.35, 1.8) if passed else rng.uniform(0.4, 0.55))
    energy = 1.0 / (k["commit_va_per_energy"] * (rng.uniform(1.15, 1.6) if passed else rng.uniform(0.55, 0.75)))
    emission = 1.0 / (k["commit_va_per_emission"] * rng.uniform(1.15, 1.6))
    return tax, replace(prof, energy_per_va=energy, emission_per_va=emission, records_emission=True)


def enterprise_years(firms: list[Firm], contracts: list[Contract], rng: np.random.Generator) -> pd.DataFrame:
    """Up to three years of figures per firm (from its founding year); taxes follow a heavy-tailed
    亩均税收 on the land in use."""
    by_firm: dict[str, list[Contract]] = {}
    for c in contracts:
        by_firm.setdefault(c.firm.enterprise_id, []).append(c)
    veto = _veto_plan(firms, rng)
    rows = []
    for firm in firms:
        _draw_tax_per_mu(firm, rng)
        prof = _profile(firm, rng)
        for c in by_firm.get(firm.enterprise_id, []):
            if c.story in ("sl_reviewed", "sl_review_failed"):
                firm.tax_per_mu, prof = _review_outcome(c, prof, rng)
        for year in EVALUATION_YEARS:
            if year < firm.founded.year:
                continue
            row = _firm_year(firm, prof, year, by_firm.get(firm.enterprise_id, []), rng)
            row["veto"] = veto.get((firm.enterprise_id, year))
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["employees"] = frame["employees"].astype("Int64")
    frame["year"] = frame["year"].astype("int32")
    frame["scale"] = np.where(frame["revenue_wan"] >= SCALE_ABOVE_WAN, "above", "below")
    frame["flags"] = _year_flags(frame, firms, contracts)
    return frame


def _year_flags(frame: pd.DataFrame, firms: list[Firm], contracts: list[Contract]) -> list[str | None]:
    """Flags of each firm-year: ``new_above`` (小升规: below the threshold the year before, above
    now), ``major_project`` (a contract of 1 亿元 or more under construction, not halted, at year
    end) and ``deferred`` (暂不评价: founded in the second half of the year)."""
    founded = {f.enterprise_id: f.founded for f in firms}
    revenue = frame.set_index(["enterprise_id", "year"])["revenue_wan"]
    building: set[tuple[str, int]] = set()
    for c in contracts:
        if c.total_investment < MAJOR_PROJECT_WAN:
            continue
        for year in EVALUATION_YEARS:
            end = dt.date(year, 12, 31)
            done = [e["event"] for e in c.events if e["date"] <= end]
            halted = [x for x in done if x in ("halted", "resumed")][-1:] == ["halted"]
            if "commenced" in done and "completed" not in done and not halted:
                building.add((c.firm.enterprise_id, year))
    out: list[str | None] = []
    for eid, year, rev in zip(frame["enterprise_id"], frame["year"], frame["revenue_wan"]):
        flags = []
        before = revenue.get((eid, int(year) - 1))
        if before is not None and before < SCALE_ABOVE_WAN <= rev:
            flags.append("new_above")
        if (eid, int(year)) in building:
            flags.append("major_project")
        if founded[eid].year == year and founded[eid] >= DEFER_FOUNDED_FROM:
            flags.append("deferred")
        out.append(",".join(flags) or None)
    return out


def _firm_year(firm: Firm, prof: _Profile, year: int, contracts: list[Contract],
               rng: np.random.Generator) -> dict[str, Any]:
    own_m2 = sum(round(x.area, 2) for x in firm.lots)
    lease = firm.lease_m2 if year <= firm.lease_until else 0.0
    producing_mu = (own_m2 * (year >= firm.producing_from) + lease) / M2_PER_MU
    level = {2020: 1.0, 2019: 1.0 / prof.growth[1], 2018: 1.0 / (prof.growth[1] * prof.growth[0])}[year]
    if firm.founded.year == year:  # a new firm produces part of the year, and ramps up
        level *= (dt.date(year, 12, 31) - firm.founded).days / 365 * 0.6
    land_tax = own_m2 * rng.uniform(*LAND_USE_TAX_YUAN_M2) / M2_PER_HA  # 元 → 万元
    tax = firm.tax_per_mu * producing_mu * level + land_tax
    revenue = tax / prof.tax_rate if producing_mu > 0 else tax * 2.0
    if firm.tag == "guaibao":
        tax, revenue = GUAIBAO_FIGURES[year]
    manufacturing = firm.industry_code.startswith("C")
    output = revenue * rng.uniform(0.97, 1.05) if manufacturing else np.nan
    va = (output if manufacturing else revenue) * prof.va_share
    energy = va * prof.energy_per_va if producing_mu > 0 else own_m2 * 0.002  # site works only
    growth_to_2020 = {2018: 0.9, 2019: 0.95, 2020: 1.0}[year]
    fai = (own_m2 + lease) / M2_PER_MU * prof.fai_per_mu * growth_to_2020
    for c in contracts:  # contract parcels: land price plus what has been invested so far
        fai += _contract_fai(c, year) - round(c.lot.area, 2) / M2_PER_MU * prof.fai_per_mu * growth_to_2020
    employees = max(6, int(revenue / prof.revenue_per_head * rng.uniform(0.97, 1.03))) if producing_mu > 0 \
        else int(rng.integers(3, 12))
    return {
        "enterprise_id": firm.enterprise_id, "year": year,
        "tax_wan": round(tax, 2), "revenue_wan": round(revenue, 2),
        "value_added_wan": round(va, 2), "output_wan": round(output, 2),
        "energy_tce": round(energy, 1),
        "emission_t": round(va * prof.emission_per_va, 3) if prof.records_emission else np.nan,
        "electricity_mwh": round(energy * prof.electricity_share / TCE_PER_MWH, 1),
        "employees": employees,
        "rd_wan": round(revenue * prof.rd_share, 2) if (revenue >= 2_000 or prof.records_rd) else np.nan,
        "fixed_assets_wan": round(max(fai, 0.0), 2),
        "land_m2_extra": lease if lease > 0 else np.nan,
        "water_t": round(va * prof.water_per_va, 1) if not math.isnan(prof.water_per_va) else np.nan,
        "gas_m3": round(energy * prof.gas_share * GAS_M3_PER_TCE, 0) if prof.gas_share > 0 else np.nan,
        "lessor_id": firm.lessor_id if lease > 0 else None,
    }


def _draw_tax_per_mu(firm: Firm, rng: np.random.Generator) -> None:
    """Heavy-tailed 亩均税收 (万元/亩) for 2020; classes need both ends populated."""
    if firm.tag and firm.tag.startswith("recovered_"):
        firm.tax_per_mu = rng.uniform(0.4, 1.8)  # the low-efficiency holders
    elif firm.tag == "new_firm_slow":
        firm.tax_per_mu = rng.uniform(0.25, 0.5)  # trial production, input VAT credits: ranked D, protected
    elif firm.industry_code.startswith("C") or firm.industry_code.startswith("G"):
        firm.tax_per_mu = float(np.clip(rng.lognormal(math.log(9.0), 0.85), 0.8, 58.0))
    else:  # services pay more per mu of land
        firm.tax_per_mu = float(np.clip(rng.lognormal(math.log(25.0), 0.8), 2.0, 150.0))


def _contract_fai(c: Contract, year: int) -> float:
    """Fixed-asset investment on a contract parcel by the end of ``year`` (land price included)."""
    if c.signed.year > year:
        return 0.0
    done = [e["invested_wan"] for e in c.events if e["date"].year <= year]
    return c.land_price + (max(done) if done else 0.0)


def _veto_plan(firms: list[Firm], rng: np.random.Generator) -> dict[tuple[str, int], str]:
    candidates = [f for f in firms if f.tag is None and f.industry_code.startswith("C")]
    picks = rng.choice(len(candidates), size=5, replace=False)
    events = ("safety_accident", "safety_accident", "env_accident", "safety_accident,env_accident", "env_accident")
    return {(candidates[j].enterprise_id, int(rng.choice(EVALUATION_YEARS))): ev for j, ev in zip(picks, events)}
