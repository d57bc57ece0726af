"""Potentials (潜力测算), in hectares: expansion, years of supply, structure, intensity, management.

* expansion = E (尚可供应土地), with E21 (尚可供应工矿仓储用地) beside it;
* years of supply I = E ÷ mean annual supply of the last three years (Y−2 … Y),
  II = E ÷ largest annual supply of the last five years (Y−4 … Y); the same for E21 against
  industrial supply; annual supply comes from ``parcels.supply_date`` of D parcels;
* structure = A × (ideal − current 工业用地率) (工业主导型 only);
* intensity, per intensity/benefit indicator k of the zone's tree:
  land_k × (T_k − X_k) ÷ T_k where land_k is the indicator's own land (A2 or A), clamped at 0;
* management = D22 + G.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from jiyue.evaluation.indicators import INDICATORS
from jiyue.evaluation.profile import Profile
from jiyue.landrules import M2_PER_HA


def _ha(v: Any) -> float:
    return float(v) / M2_PER_HA


def years_of_supply(acc: dict[str, Any], supply: pd.DataFrame | dict[int, tuple[float, float]], year: int
                    ) -> tuple[dict[str, Any], dict[str, str]]:
    """Years of supply left, by the 3-year mean and by the 5-year maximum annual supply.

    ``supply``: the zone's rows of :func:`accounting.annual_supply`, or the same as a dict
    ``{year: (supplied m², industrial supplied m²)}``.
    """
    if isinstance(supply, dict):
        by_year = supply
    else:
        by_year = {int(r.supply_year): (float(r.supplied), float(r.supplied_industrial))
                   for r in supply.itertuples()} if len(supply) else {}
    last3 = [by_year.get(y, (0.0, 0.0)) for y in range(year - 2, year + 1)]
    last5 = [by_year.get(y, (0.0, 0.0)) for y in range(year - 4, year + 1)]
    avg3 = sum(a for a, _ in last3) / 3.0
    max5 = max(a for a, _ in last5)
    avg3_i = sum(i for _, i in last3) / 3.0
    max5_i = max(i for _, i in last5)
    e, e21 = float(acc["E"]), float(acc["E21"])
    out: dict[str, Any] = {
        "window_3yr": [year - 2, year], "window_5yr": [year - 4, year],
        "annual_supply_ha": {str(y): round(_ha(by_year.get(y, (0.0, 0.0))[0]), 6)
                             for y in range(year - 4, year + 1)},
        "avg_supply_3yr_ha": _ha(avg3), "max_supply_5yr_ha": _ha(max5),
        "avg_industrial_supply_3yr_ha": _ha(avg3_i), "max_industrial_supply_5yr_ha": _ha(max5_i),
    }
    missing: dict[str, str] = {}
    for key, num, den, what in (("years_by_3yr_avg", e, avg3, "前三年年均供应土地面积"),
                                ("years_by_5yr_max", e, max5, "前五年年供应土地面积最大值"),
                                ("industrial_years_by_3yr_avg", e21, avg3_i, "前三年年均供应工矿仓储用地面积"),
                                ("industrial_years_by_5yr_max", e21, max5_i, "前五年年供应工矿仓储用地面积最大值")):
        if den > 0:
            out[key] = num / den
        else:
            out[key] = None
            missing[key] = f"{what}为0（供地日期 supply_date 为空或该时段未供地），无法计算尚可供地年数"
    return out, missing


def potentials(zone_type: str, acc: dict[str, Any], values: dict[str, float | None], profile: Profile
               ) -> tuple[dict[str, Any], dict[str, str]]:
    """The four potentials of one zone (ha) and reasons for the ones that cannot be computed."""
    ideals = profile.ideals[zone_type]
    missing: dict[str, str] = {}
    out: dict[str, Any] = {"expansion": _ha(acc["E"]), "expansion_industrial": _ha(acc["E21"])}
    # structure
    x = values.get("industrial_land_ratio")
    if zone_type != "industrial":
        out["structure"] = None
        missing["structure"] = "结构潜力只对工业主导型开发区测算"
    elif x is None or "industrial_land_ratio" not in ideals:
        out["structure"] = None
        missing["structure"] = "工业用地率无法计算或方案未设理想值"
    else:
        t = ideals["industrial_land_ratio"].value
        out["structure"] = max(0.0, _ha(acc["A"]) * (t - x) / 100.0)
    # intensity
    intensity: dict[str, float | None] = {}
    for key in profile.indicator_keys(zone_type):
        ind = INDICATORS[key]
        if ind.category not in ("intensity", "benefit"):
            continue
        xv = values.get(key)
        land = _ha(sum(float(acc[t]) for t in ind.denominator))
        if xv is None:
            intensity[key] = None
            missing[f"intensity.{key}"] = f"{ind.name}无法计算"
            continue
        tv = ideals[key].value
        intensity[key] = max(0.0, land * (tv - xv) / tv)
    out["intensity"] = intensity
    out["management"] = _ha(acc["D22"]) + _ha(acc["G"])
    for k, v in list(out.items()):
        if isinstance(v, float) and math.isnan(v):
            out[k] = None
    return out, missing
