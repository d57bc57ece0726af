"""Rankings and averages of a set of evaluated zones (pure functions over evaluation documents).

Rules (docs/monitoring.md):
* zones are ranked **within their evaluation type** (工业主导型 / 产城融合型), nationally, within
  their province, region and category, by the score, highest first;
* equal scores (difference ≤ 1e-9) share a rank and the next rank is skipped ("1, 2, 2, 4");
  tied zones are listed by zone code;
* a zone with some indicators missing is ranked by the score over what exists (the profile's
  missing-indicator rule) and flagged ``incomplete``; a zone without a score is not ranked
  (rank null) and is listed last; ``of_*`` counts the ranked zones of the group;
* averages as the circulars give them — Σ numerator ÷ Σ denominator over the zones that have
  both — and as the mean of the zones' values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from jiyue.evaluation.indicators import INDICATORS
from jiyue.ranking.regions import region_of, short_province

TIE_TOLERANCE = 1e-9


def competition_ranks(scores: list[tuple[str, float]]) -> dict[str, int]:
    """Ranks of (id, score) pairs, highest first, ties sharing the lower number (1224)."""
    ordered = sorted(scores, key=lambda t: (-t[1], t[0]))
    ranks: dict[str, int] = {}
    prev: float | None = None
    rank = 0
    for i, (zid, s) in enumerate(ordered, start=1):
        if prev is None or abs(prev - s) > TIE_TOLERANCE:
            rank = i
            prev = s
        ranks[zid] = rank
    return ranks


def _group_ranks(zones: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict[str, tuple[int, int]]:
    groups: dict[Any, list[tuple[str, float]]] = defaultdict(list)
    for z in zones:
        if z.get("score") is None:
            continue
        groups[(z["eval_type"], key(z))].append((z["zone_code"], float(z["score"])))
    out: dict[str, tuple[int, int]] = {}
    for members in groups.values():
        ranks = competition_ranks(members)
        for zid, r in ranks.items():
            out[zid] = (r, len(members))
    return out


def rankings(zones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One ranking row per zone (national, provincial, regional, by category; within its type)."""
    nat = _group_ranks(zones, lambda z: None)
    prov = _group_ranks(zones, lambda z: short_province(z.get("province")))
    reg = _group_ranks(zones, lambda z: region_of(z.get("province")))
    cat = _group_ranks(zones, lambda z: z.get("category"))
    rows = []
    for z in zones:
        zid = z["zone_code"]
        rn, on = nat.get(zid, (None, None))
        rp, op = prov.get(zid, (None, None))
        rr, orr = reg.get(zid, (None, None))
        rc, oc = cat.get(zid, (None, None))
        rows.append({
            "zone_code": zid, "name": z.get("name"), "province": z.get("province"),
            "region": region_of(z.get("province")), "category": z.get("category"), "eval_type": z["eval_type"],
            "year": z.get("year"), "score": z.get("score"),
            "rank_national": rn, "of_national": on, "rank_province": rp, "of_province": op,
            "rank_region": rr, "of_region": orr, "rank_category": rc, "of_category": oc,
            "incomplete": bool(z.get("missing")), "missing": sorted(z.get("missing") or {}),
        })
    rows.sort(key=lambda r: (r["eval_type"], r["rank_national"] is None, r["rank_national"] or 0, r["zone_code"]))
    return rows


def average_block(zones: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Σnum/Σden and mean of every indicator, the mean score and basic totals over zones."""
    zs = list(zones)
    ratio: dict[str, float | None] = {}
    mean: dict[str, float | None] = {}
    for key, ind in INDICATORS.items():
        num = den = 0.0
        n = 0
        vals = []
        for z in zs:
            t = z.get("terms") or {}
            parts = [t.get(x) for x in (*ind.numerator, *ind.denominator)]
            if all(p is not None for p in parts):
                d = sum(float(t[x]) for x in ind.denominator)
                if d > 0:
                    num += sum(float(t[x]) for x in ind.numerator)
                    den += d
                    n += 1
            v = (z.get("indicators") or {}).get(key)
            if v is not None:
                vals.append(float(v))
        ratio[key] = num / den * ind.factor if den > 0 else None
        mean[key] = sum(vals) / len(vals) if vals else None
    scores = [float(z["score"]) for z in zs if z.get("score") is not None]
    totals: dict[str, float] = defaultdict(float)
    for z in zs:
        for k in ("total", "A", "A2", "D", "E", "G", "C", "B21"):
            totals[f"{k}_ha"] += float((z.get("areas_ha") or {}).get(k) or 0.0)
        e = z.get("economic") or {}
        for k in ("industrial_fai_wan", "industrial_tax_wan", "tax_total_wan"):
            totals[k] += float(e.get(k) or 0.0)
    return {"count": len(zs), "scored": len(scores), "score_mean": sum(scores) / len(scores) if scores else None,
            "ratio": ratio, "mean": mean, "totals": dict(totals)}


def averages(zones: list[dict[str, Any]]) -> dict[str, Any]:
    """Averages nationally, by province, region and category; each for 'all' and per evaluation type."""

    def by_type(zs: list[dict[str, Any]]) -> dict[str, Any]:
        out = {"all": average_block(zs)}
        for t in sorted({z["eval_type"] for z in zs}):
            out[t] = average_block([z for z in zs if z["eval_type"] == t])
        return out

    def grouped(key: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for z in zones:
            groups[str(key(z) or "未知")].append(z)
        return {g: by_type(zs) for g, zs in sorted(groups.items())}

    return {
        "national": by_type(zones),
        "province": grouped(lambda z: short_province(z.get("province"))),
        "region": grouped(lambda z: region_of(z.get("province"))),
        "category": grouped(lambda z: z.get("category")),
    }


def score_distribution(zones: list[dict[str, Any]], width: float = 10.0) -> dict[str, list[dict[str, Any]]]:
    """Counts of zones per score band (0–10, 10–20 …) for each evaluation type."""
    out: dict[str, list[dict[str, Any]]] = {}
    for t in sorted({z["eval_type"] for z in zones}):
        bands = [{"from": i * width, "to": (i + 1) * width, "count": 0} for i in range(int(100 / width))]
        for z in zones:
            if z["eval_type"] != t or z.get("score") is None:
                continue
            i = min(int(float(z["score"]) // width), len(bands) - 1)
            bands[max(i, 0)]["count"] += 1
        out[t] = bands
    return out


def year_on_year(current: list[dict[str, Any]], base: list[dict[str, Any]]) -> dict[str, Any]:
    """Change of every indicator, the score and the ranks between two time points.

    Rates (unit %) change in percentage points; other indicators in their unit, and relative (%).
    Rank change = base rank − current rank (positive = moved up).
    """
    cur_r = {r["zone_code"]: r for r in rankings(current)}
    base_r = {r["zone_code"]: r for r in rankings(base)}
    base_z = {z["zone_code"]: z for z in base}
    zones_out = []
    for z in current:
        zid = z["zone_code"]
        b = base_z.get(zid)
        if b is None:
            continue
        ind = {}
        for k, v in (z.get("indicators") or {}).items():
            bv = (b.get("indicators") or {}).get(k)
            ind[k] = {"base": bv, "current": v,
                      "change": None if v is None or bv is None else v - bv,
                      "relative_pct": None if v is None or not bv else (v - bv) / abs(bv) * 100}
        cr, br = cur_r[zid], base_r.get(zid, {})

        def diff(a: Any, c: Any) -> Any:
            return None if a is None or c is None else a - c

        zones_out.append({
            "zone_code": zid, "name": z.get("name"), "eval_type": z["eval_type"],
            "base_year": b.get("year"), "year": z.get("year"),
            "score": {"base": b.get("score"), "current": z.get("score"), "change": diff(z.get("score"), b.get("score"))},
            "rank_national": {"base": br.get("rank_national"), "current": cr["rank_national"],
                              "change": diff(br.get("rank_national"), cr["rank_national"])},
            "rank_province": {"base": br.get("rank_province"), "current": cr["rank_province"],
                              "change": diff(br.get("rank_province"), cr["rank_province"])},
            "indicators": ind,
        })
    cur_avg, base_avg = averages(current)["national"], averages(base)["national"]
    avg_change: dict[str, Any] = {}
    for t, block in cur_avg.items():
        bb = base_avg.get(t)
        if bb is None:
            continue
        avg_change[t] = {k: {"base": bb["ratio"].get(k), "current": v,
                             "change": None if v is None or bb["ratio"].get(k) is None else v - bb["ratio"][k],
                             "relative_pct": None if v is None or not bb["ratio"].get(k)
                             else (v - bb["ratio"][k]) / abs(bb["ratio"][k]) * 100}
                         for k, v in block["ratio"].items()}
        avg_change[t]["score_mean"] = {"base": bb["score_mean"], "current": block["score_mean"]}
    return {"zones": zones_out, "averages": avg_change}
