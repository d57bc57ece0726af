"""A store connection's snapshots → one evaluation result per zone and year (the evaluation's core).

Every path to an evaluation ends here: a package loaded into an in-memory store and the store
itself (:mod:`jiyue.evaluation.service`), a national GeoParquet set (:mod:`jiyue.evaluation.bulk`),
the web's cache. It imports neither of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

from jiyue.errors import UsageError
from jiyue.evaluation import accounting
from jiyue.evaluation.indicators import INDICATORS, TYPE_INDICATORS, compute
from jiyue.evaluation.potential import potentials, years_of_supply
from jiyue.evaluation.profile import Node, Profile
from jiyue.evaluation.scoring import score_zone
from jiyue.landrules import M2_PER_HA

AREA_REPORT_KEYS = ["total", *accounting.AREA_KEYS]
TERM_KEYS = sorted({t for i in INDICATORS.values() for t in (*i.numerator, *i.denominator)})


def clean(v: Any) -> Any:
    """A value fit for JSON: NaN and infinity become None, numpy scalars plain Python."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if hasattr(v, "item"):
        try:
            return clean(v.item())
        except (ValueError, AttributeError):
            return v
    return v


def selection(con: duckdb.DuckDBPyConnection, zone: str | None, year: int | None) -> list[tuple[int, str, int]]:
    """The snapshots (import id, zone, year) to evaluate: one zone or all, one year or each zone's latest."""
    rows = con.execute("SELECT import_id, zone_code, year FROM snapshots ORDER BY zone_code, year").fetchall()
    if zone is not None:
        rows = [r for r in rows if r[1] == zone]
        if not rows:
            known = con.execute("SELECT DISTINCT zone_code FROM snapshots ORDER BY 1").fetchall()
            raise UsageError(f"没有开发区「{zone}」的数据；已有：{'、'.join(r[0] for r in known) or '无'}")
    if year is not None:
        rows = [r for r in rows if r[2] == year]
        if not rows:
            raise UsageError(f"没有 {year} 年度的数据")
    else:  # the latest year of each zone
        latest: dict[str, tuple[int, str, int]] = {}
        for r in rows:
            latest[r[1]] = r
        rows = list(latest.values())
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def evaluate_selection(con: duckdb.DuckDBPyConnection, selection: Sequence[tuple[int, str, int]],
                       profile: Profile, *, parcel_buildings: str | None = None) -> list[dict[str, Any]]:
    """Evaluate every selected snapshot; one result dict per zone and year.

    ``parcel_buildings`` names a table of per-parcel building totals to use instead of the
    ``buildings`` table (the national bulk path, :mod:`jiyue.evaluation.bulk`).
    """
    accounting.select_snapshots(con, selection, parcel_buildings=parcel_buildings)
    acc = accounting.zone_accounting(con)
    supply = accounting.annual_supply(con)
    meta = con.execute("""
        SELECT s.snap, z.name, z.province, z.city, z.level, z.category, z.eval_type, z.approved_area_ha
        FROM ev_sel s LEFT JOIN zones z ON z.import_id = s.import_id AND z.zone_code = s.zone_code
        ORDER BY s.snap""").fetchdf().set_index("snap")
    supply_by: dict[int, dict[int, tuple[float, float]]] = {}
    for snap, yr, sup, sup_i in zip(supply["snap"].tolist(), supply["supply_year"].tolist(),
                                    supply["supplied"].tolist(), supply["supplied_industrial"].tolist()):
        supply_by.setdefault(int(snap), {})[int(yr)] = (float(sup), float(sup_i))
    metas = meta.to_dict(orient="index")
    results = []
    for row in acc.to_dict(orient="records"):
        snap = int(row["snap"])
        results.append(evaluate_zone(row, metas[snap], supply_by.get(snap, {}), profile))
    return results


def evaluate_zone(acc: dict[str, Any], meta: dict[str, Any], supply: pd.DataFrame | dict[int, tuple[float, float]],
                  profile: Profile) -> dict[str, Any]:
    """The whole evaluation of one zone from its accounting row (pure)."""
    acc = {k: clean(v) for k, v in acc.items()}
    zone_type = str(meta.get("eval_type") or "")
    if zone_type not in profile.trees:
        raise UsageError(f"开发区「{acc['zone_code']}」的评价类型「{zone_type}」未知，应为 industrial 或 integrated")
    values, missing = compute(acc, TYPE_INDICATORS[zone_type])
    scored = score_zone(zone_type, values, profile)
    pot, pot_missing = potentials(zone_type, acc, values, profile)
    yos, yos_missing = years_of_supply(acc, supply, int(acc["year"]))
    areas_ha = {k: acc[k] / M2_PER_HA for k in AREA_REPORT_KEYS}
    return {
        "zone_code": acc["zone_code"],
        "name": clean(meta.get("name")),
        "province": clean(meta.get("province")),
        "city": clean(meta.get("city")),
        "level": clean(meta.get("level")),
        "category": clean(meta.get("category")),
        "eval_type": zone_type,
        "year": int(acc["year"]),
        "import_id": int(acc["import_id"]),
        "areas_ha": areas_ha,
        "buildings_m2": {"floor_area_on_A": acc["FA_A"], "footprint_on_A": acc["FP_A"],
                         "floor_area_on_A2": acc["FA_A2"], "footprint_all_kinds_on_A2": acc["FPALL_A2"]},
        "counts": {"parcels": int(acc["n_parcels"]), "buildings": int(acc["n_buildings"])},
        # the raw terms (m², 万元, persons) behind every indicator, for Σ-numerator / Σ-denominator averages
        "terms": {k: acc.get(k) for k in TERM_KEYS},
        "economic": {
            "tax_total_wan": acc.get("tax_total_wan"), "population": acc.get("population"),
            "industrial_tax_wan": acc.get("industrial_tax_wan"),
            "industrial_fai_wan": acc.get("industrial_fai_wan"),
            "industrial_tax_source": acc.get("industrial_tax_source"),
            "industrial_fai_source": acc.get("industrial_fai_source"),
        },
        "indicators": values,
        "missing": missing,
        "ideals": {k: profile.ideals[zone_type][k].value for k in profile.indicator_keys(zone_type)},
        "realisation": scored["realisation"],
        "score": scored["score"],
        # the scored indicators without a value: the score then rests on the others (profile
        # rule missing_indicator) and is not comparable with a zone scored on all of them
        "score_complete": not [k for k, v in scored["realisation"].items() if v is None],
        "score_missing": sorted(k for k, v in scored["realisation"].items() if v is None),
        "subscores": scored["subscores"],
        "subscore_labels": node_labels(profile.trees[zone_type]),
        "potential_ha": pot,
        "years_of_supply": yos,
        "potential_missing": {**pot_missing, **yos_missing},
    }


def node_labels(nodes: tuple[Node, ...], depth: int = 0) -> dict[str, str]:
    """Chinese label of every node of a score tree: its name and level (目标 / 子目标)."""
    level = "目标" if depth == 0 else ("子目标" if depth == 1 else f"第{depth + 1}层")
    out: dict[str, str] = {}
    for n in nodes:
        out[n.key] = f"{n.name}（{level}）"
        out.update(node_labels(n.children, depth + 1))
    return out
