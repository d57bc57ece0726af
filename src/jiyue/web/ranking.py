"""The ranking page's document: every zone of the store in one year, ranked within its evaluation
type, nationally and within provinces, filtered as the page asks (pure over evaluation results)."""

from __future__ import annotations

from typing import Any

import duckdb

from jiyue.ranking.rank import rankings
from jiyue.ranking.regions import short_province
from jiyue.web import labels, queries
from jiyue.web.evaluations import EvaluationCache

SCOPES = {"national": "全国", "province": "省内"}
TYPES = ("industrial", "integrated")


def ranking_page(cur: duckdb.DuckDBPyConnection, cache: EvaluationCache, *, year: int | None = None,
                 eval_type: str | None = None, scope: str = "national", province: str | None = None,
                 zone: str | None = None) -> dict[str, Any]:
    """Rows of one type (and province) in one year, the zone's row marked; ranks as ``jiyue rank``.

    ``scope="province"`` lists the zones of ``province`` (default: the highlighted zone's) by
    their provincial rank; ``scope="national"`` lists every zone of the type (optionally only
    those of ``province``) by the national rank. Ranks never change with the filter.
    """
    snaps = queries.snapshots(cur)
    years = sorted({s[2] for s in snaps})
    if not years:
        return {"years": [], "rows": []}
    y = int(year) if year is not None and int(year) in years else years[-1]
    sel = [s for s in snaps if s[2] == y]
    results = cache.get(cur, sel)
    zones = [results[s] for s in sel]
    me = next((z for z in zones if z["zone_code"] == zone), None) if zone else None
    t = eval_type if eval_type in TYPES else (me["eval_type"] if me else None)
    if t is None:
        t = max(TYPES, key=lambda k: sum(1 for z in zones if z["eval_type"] == k))
    rows = [r for r in rankings(zones) if r["eval_type"] == t]
    provinces = sorted({short_province(r["province"]) for r in rows if r["province"]})
    scope = scope if scope in SCOPES else "national"
    prov = short_province(province) if province else (short_province(me["province"]) if me and scope == "province"
                                                        and me.get("province") else None)
    if prov:
        rows = [r for r in rows if short_province(r["province"]) == prov]
    key = "rank_province" if scope == "province" else "rank_national"
    rows.sort(key=lambda r: (r[key] is None, r[key] or 0, r["zone_code"]))
    for r in rows:
        r["rank"], r["of"] = r[key], r["of_province" if scope == "province" else "of_national"]
        r["me"] = r["zone_code"] == zone
        r["category_label"] = labels.CATEGORIES.get(r["category"] or "", r["category"])
    return {"year": y, "years": years, "eval_type": t, "eval_type_label": labels.EVAL_TYPES.get(t, t),
            "scope": scope, "scope_label": SCOPES[scope], "province": prov, "provinces": provinces,
            "zone": zone, "me": next((r for r in rows if r["me"]), None), "rows": rows,
            "zones": zones}
