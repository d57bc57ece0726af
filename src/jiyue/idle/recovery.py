"""Recovery and re-grant economics (收储 → 再出让, docs/sources/land-reserve-recovery.md), pure.

``REVENUE = Σ revenues`` (re-grant price, idle fee collected …), ``COST = Σ cost items``
(holder compensation, buildings, taxes and fees, agency, pre-development, finance, admin …),
``NET_GAIN = REVENUE − COST`` — a loss is reported as a negative number, never clamped —
``ROI = NET_GAIN / COST``, and a **dated cash flow** per calendar year (the idle fee, the
recovery and the re-grant fall in different fiscal years). Optional parts: statutory
allocations (reported, subtracted only when asked), the free-recovery proceeds waterfall
(B.3) and the negotiated-compensation floor (Hainan rule, B.1).

The case comes from :mod:`jiyue.idle.recovery_file`; amounts are 万元 inside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from jiyue.landrules import M2_PER_HA, M2_PER_MU

PATHWAYS = {
    "free_recovery": "企业原因闲置土地无偿收回",
    "paid_recovery": "政府原因闲置土地协议有偿收回",
    "protocol_purchase": "政府协议收购闲置土地",
    "public_interest": "公共利益需要提前收回",
    "allocated_unused": "划拨土地不再使用收回",
    "low_efficiency_buyback": "低效用地收回（收购）再开发",
}
COST_ITEMS = {
    "holder_compensation": "收回或收购土地使用权补偿",
    "building_compensation": "建筑物、构筑物补偿及搬迁",
    "farmer_compensation": "征地补偿（土地、安置、青苗、地上附着物）",
    "resettlement": "安置房费用",
    "expropriation_work": "征收工作经费",
    "social_security": "被征地农民社会保障",
    "taxes_fees": "税费",
    "approval_charges": "报批规费",
    "agency": "评估、测绘、规划等中介费用",
    "pre_development": "前期开发（土地整理、场地平整）",
    "finance": "融资成本",
    "admin": "管理费用",
    "other": "其他成本",
}
REVENUE_ITEMS = {
    "regrant": "再出让价款",
    "idle_fee": "土地闲置费",
    "value_increment": "增值地价",
    "other": "其他收入",
}
ALLOCATION_BASES = ("revenue", "net_gain")


@dataclass(frozen=True)
class Flow:
    """One dated amount (万元): a cost (outflow) or a revenue (inflow)."""

    item: str
    amount_wan: float
    date: dt.date
    label: str = ""
    holder: str | None = None
    basis: str = ""


@dataclass(frozen=True)
class Allocation:
    item: str
    rate: float
    base: str = "revenue"
    subtract: bool = False
    label: str = ""


@dataclass
class Case:
    """A recovery and re-grant case (see :mod:`jiyue.idle.recovery_file` for the file format)."""

    name: str
    pathway: str | None = None
    area_m2: float | None = None
    holders: list[dict[str, Any]] = field(default_factory=list)
    costs: list[Flow] = field(default_factory=list)
    revenues: list[Flow] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    waterfall: dict[str, float] | None = None
    compensation_floor: dict[str, float] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x) + 0.0, 4)


# --------------------------------------------------------------------------- small rules (B.1, A.7)
def floor_revenue_wan(area_m2: float, far: float, floor_price_yuan_per_m2: float) -> float:
    """Re-grant price from a floor price: site area × FAR × 楼面价 (元/m²) → 万元 (B1)."""
    return area_m2 * far * floor_price_yuan_per_m2 / 1e4


def compensation_floor_wan(acquisition_cost_wan: float, deed_tax_wan: float = 0.0, direct_losses_wan: float = 0.0
                           ) -> float:
    """Hainan floor of negotiated compensation: acquisition cost + taxes paid + direct losses (B2) [L]."""
    return acquisition_cost_wan + deed_tax_wan + direct_losses_wan


def waterfall(proceeds_wan: float, disposal_costs_wan: float = 0.0, unpaid_compensation_wan: float = 0.0,
              unpaid_grant_price_wan: float = 0.0) -> dict[str, float]:
    """Free-recovery proceeds paid in order; the remainder goes to the treasury (B3) [L]."""
    steps = [("disposal_costs", disposal_costs_wan), ("unpaid_compensation", unpaid_compensation_wan),
             ("unpaid_grant_price", unpaid_grant_price_wan)]
    left = proceeds_wan
    out: dict[str, float] = {"proceeds_wan": proceeds_wan}
    for key, due in steps:
        paid = min(max(left, 0.0), due)
        out[f"{key}_paid_wan"] = paid
        left -= paid
    out["to_treasury_wan"] = max(left, 0.0)
    out["shortfall_wan"] = max(sum(d for _, d in steps) - proceeds_wan, 0.0)
    return out


def protocol_purchase_refund_wan(land_price_paid_wan: float) -> float:
    """Zhengzhou-style protocol purchase: the land price paid is refunded in full (B6) [L]."""
    return land_price_paid_wan


def value_increment_wan(appraised_wan: float, original_price_wan: float) -> float:
    """增值地价 on the develop-within-deadline route: appraisal − original price (B7) [L]; may be negative."""
    return appraised_wan - original_price_wan


# --------------------------------------------------------------------------- the economics
def cash_flow(costs: list[Flow], revenues: list[Flow]) -> list[dict[str, Any]]:
    """Inflow, outflow, net and cumulative net per calendar year (years without flows between are kept)."""
    years = sorted({f.date.year for f in costs + revenues})
    if not years:
        return []
    rows, cum = [], 0.0
    for y in range(years[0], years[-1] + 1):
        inflow = sum(f.amount_wan for f in revenues if f.date.year == y)
        outflow = sum(f.amount_wan for f in costs if f.date.year == y)
        cum += inflow - outflow
        rows.append({"year": y, "inflow_wan": _r(inflow), "outflow_wan": _r(outflow),
                     "net_wan": _r(inflow - outflow), "cumulative_wan": _r(cum)})
    return rows


def economics(case: Case) -> dict[str, Any]:
    """The document of ``jiyue recovery``."""
    cost = sum(f.amount_wan for f in case.costs)
    revenue = sum(f.amount_wan for f in case.revenues)
    net = revenue - cost
    by_cost: dict[str, float] = {}
    for f in case.costs:
        by_cost[f.item] = by_cost.get(f.item, 0.0) + f.amount_wan
    by_rev: dict[str, float] = {}
    for f in case.revenues:
        by_rev[f.item] = by_rev.get(f.item, 0.0) + f.amount_wan
    allocs, subtracted = [], 0.0
    for a in case.allocations:
        base = revenue if a.base == "revenue" else max(net, 0.0)
        amount = a.rate * base
        if a.subtract:
            subtracted += amount
        allocs.append({"item": a.item, "label": a.label, "rate": a.rate, "base": a.base,
                       "amount_wan": _r(amount), "subtracted": a.subtract})
    area = case.area_m2
    per: dict[str, Any] = {}
    if area:
        mu, ha = area / M2_PER_MU, area / M2_PER_HA
        per = {"cost_wan_per_mu": _r(cost / mu), "revenue_wan_per_mu": _r(revenue / mu),
               "net_gain_wan_per_mu": _r(net / mu), "net_gain_wan_per_ha": _r(net / ha)}
    wf = None
    if case.waterfall is not None:
        w = dict(case.waterfall)
        proceeds = w.pop("proceeds_wan", None)
        wf = {k: _r(v) for k, v in waterfall(by_rev.get("regrant", 0.0) if proceeds is None else proceeds,
                                             **w).items()}
    cf = None
    if case.compensation_floor is not None:
        floor = compensation_floor_wan(**case.compensation_floor)
        paid = by_cost.get("holder_compensation", 0.0)
        cf = {"floor_wan": _r(floor), "compensation_wan": _r(paid), "meets_floor": paid >= floor - 1e-9}
    warnings = []
    if case.pathway == "free_recovery" and by_cost.get("holder_compensation"):
        warnings.append("free_recovery_with_compensation")
    if cf is not None and not cf["meets_floor"]:
        warnings.append("compensation_below_floor")
    if case.holders and area and all(h.get("area_m2") for h in case.holders):
        s = sum(h["area_m2"] for h in case.holders)
        if abs(s - area) > max(1.0, area * 0.001):
            warnings.append("holder_areas_do_not_sum")
    return {
        "name": case.name,
        "pathway": case.pathway,
        "pathway_label": PATHWAYS.get(case.pathway or "", None),
        "area_m2": area,
        "area_ha": None if area is None else area / M2_PER_HA,
        "area_mu": None if area is None else area / M2_PER_MU,
        **case.meta,
        "holders": case.holders,
        "costs": [{"item": f.item, "label": f.label or COST_ITEMS.get(f.item, f.item), "holder": f.holder,
                   "date": f.date.isoformat(), "amount_wan": _r(f.amount_wan), "basis": f.basis} for f in case.costs],
        "revenues": [{"item": f.item, "label": f.label or REVENUE_ITEMS.get(f.item, f.item),
                      "date": f.date.isoformat(), "amount_wan": _r(f.amount_wan), "basis": f.basis}
                     for f in case.revenues],
        "by_cost_item": {k: _r(v) for k, v in by_cost.items()},
        "by_revenue_item": {k: _r(v) for k, v in by_rev.items()},
        "totals": {"cost_wan": _r(cost), "revenue_wan": _r(revenue), "net_gain_wan": _r(net),
                   "roi": None if cost == 0 else round(net / cost, 6), "loss": net < 0,
                   "net_after_allocations_wan": _r(net - subtracted)},
        "per_area": per,
        "cash_flow": cash_flow(case.costs, case.revenues),
        "allocations": allocs,
        "waterfall": wf,
        "compensation_floor": cf,
        "warnings": warnings,
    }
