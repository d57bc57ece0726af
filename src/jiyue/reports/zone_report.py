"""The zone report: one zone's evaluation against the reference set, as plain data for the template.

:func:`zone_context` is pure — it takes the zone's evaluation document, a ranking document of
the reference set (``rankings`` and ``averages`` as :mod:`jiyue.ranking.rank` makes them, the
zone included), the profile, the what-if documents and the zone's parcels, and returns the
figures, sentences, tables and chart/map inputs. :func:`zone_documents` is the edge that
collects those documents from a package and/or the store.

The rank card, the averages and the what-if ranks all come from the same reference set: the
zones of the package (or the store), plus ``--against`` packages and ``--db`` when a package is
given. What-if scores are re-ranked here among that set (every other zone as it is), so the
what-if table and the rank card agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from jiyue.errors import UsageError
from jiyue.evaluation.indicators import INDICATORS, TYPE_INDICATORS
from jiyue.evaluation.profile import Node, Profile, load_profile
from jiyue.evaluation.scoring import effective_weights
from jiyue.ranking.rank import competition_ranks
from jiyue.ranking.regions import region_of, short_province
from jiyue.reports import labels as L
from jiyue.reports.maps import FLAG_ORDER, flag_parcels
from jiyue.reports.numbers import Numbering, fmt, signed

__all__ = ["far_threshold", "rank_among", "zone_context", "zone_documents"]

AREA_ROWS = ("total", "A", "A1", "A2", "A3", "A4", "A5", "A6", "B", "B1", "B21", "B22", "C", "D", "D22", "E",
             "E21", "F", "G")
FLAG_LIST_ROWS = 15
LEVEL_TOLERANCE_PCT = 0.5  # within ±0.5 % of the average counts as "持平" in the lead sentence
def far_threshold(profile: Profile, eval_type: str) -> float:
    """The FAR under which an A2 parcel counts as low-FAR industrial land (the what-if rule)."""
    from jiyue.ranking.whatif import low_industrial_far

    return low_industrial_far(profile)


def rank_among(score: float | None, zone_code: str, eval_type: str, province: str | None,
               rows: Sequence[dict[str, Any]]) -> dict[str, int | None]:
    """National and provincial rank of a (possibly hypothetical) score among ranking rows of its type.

    The zone's own row is left out and replaced by ``score``; every other zone keeps its score.
    """
    out: dict[str, int | None] = {"rank_national": None, "of_national": None, "rank_province": None,
                                  "of_province": None}
    if score is None:
        return out
    same = [r for r in rows if r["eval_type"] == eval_type and r["zone_code"] != zone_code and r.get("score") is not None]
    me = (zone_code, float(score))
    nat = competition_ranks([*((r["zone_code"], float(r["score"])) for r in same), me])
    prov_rows = [r for r in same if short_province(r.get("province")) == short_province(province)]
    prov = competition_ranks([*((r["zone_code"], float(r["score"])) for r in prov_rows), me])
    return {"rank_national": nat[zone_code], "of_national": len(same) + 1,
            "rank_province": prov[zone_code], "of_province": len(prov_rows) + 1}


# --------------------------------------------------------------------------- sections
def _card(zone: dict[str, Any], row: dict[str, Any] | None, scope: str) -> dict[str, Any]:
    Z = L.ZONE
    et = L.EVAL_TYPE_LABELS.get(zone["eval_type"], zone["eval_type"])
    card: dict[str, Any] = {"title": Z["card_title"], "score": fmt(zone.get("score")), "unit": Z["card_unit"]}
    if row is None or row.get("rank_national") is None:
        card["lines"] = [Z["card_unranked"]]
        card["scope"] = ""
        return card
    card["national"] = Z["card_national"].format(rank=row["rank_national"], of=row["of_national"])
    card["province"] = Z["card_province"].format(rank=row["rank_province"], of=row["of_province"])
    lines = [card["national"], card["province"]]
    if row.get("rank_region") is not None and row.get("region"):
        lines.append(Z["card_region"].format(region=row["region"], rank=row["rank_region"], of=row["of_region"]))
    card["lines"] = lines
    card["sentence"] = "，".join(lines[:2])
    card["scope"] = Z["card_scope"].format(of=row["of_national"], eval_type=et, scope=scope)
    return card


def _basic(zone: dict[str, Any], n: Numbering) -> dict[str, Any]:
    Z = L.ZONE
    R = L.ZONE_BASIC_ROWS
    counts = zone.get("counts") or {}
    rows = [[R["code"], zone["zone_code"]], [R["name"], zone.get("name") or ""],
            [R["province"], zone.get("province") or "—"], [R["city"], zone.get("city") or "—"],
            [R["level"], L.label(L.LEVEL_LABELS, zone.get("level"))],
            [R["category"], L.label(L.CATEGORY_LABELS, zone.get("category"))],
            [R["eval_type"], L.EVAL_TYPE_LABELS.get(zone["eval_type"], zone["eval_type"])],
            [R["year"], str(zone.get("year"))],
            [R["counts"], f"{counts.get('parcels', '—')} / {counts.get('buildings', '—')}"]]
    a = zone.get("areas_ha") or {}
    total = a.get("total") or 0.0
    areas = [[L.AREA_LABELS[k], fmt(a.get(k)), fmt(a[k] / total * 100) + "%" if total and a.get(k) is not None else "—"]
             for k in AREA_ROWS if k in a]
    return {"rows": rows, "head": L.ZONE_LISTS["basic_head"], "areas_title": Z["areas_title"].format(n=n.t()),
            "areas_head": L.ZONE_LISTS["areas_head"],
            "areas": areas}


def _indicators(zone: dict[str, Any], ranking: dict[str, Any], profile: Profile, n: Numbering) -> dict[str, Any]:
    Z = L.ZONE
    et = zone["eval_type"]
    nat = ((ranking.get("averages") or {}).get("national") or {}).get(et) or {}
    prov_key = short_province(zone.get("province"))
    prov = (((ranking.get("averages") or {}).get("province") or {}).get(prov_key) or {}).get(et) or {}
    weights = effective_weights(et, profile)
    rows, versus = [], []
    better: list[str] = []
    level: list[str] = []
    worse: list[str] = []
    for key in TYPE_INDICATORS.get(et, tuple(zone["indicators"])):
        if key not in zone["indicators"]:
            continue
        ind = INDICATORS[key]
        v = zone["indicators"][key]
        avg = (nat.get("ratio") or {}).get(key)
        pavg = (prov.get("ratio") or {}).get(key)
        scored = key in weights
        rel = ""
        if v is not None and avg:
            pct = v / avg * 100
            rel = f"{signed(pct - 100, 1)}%"
            versus.append((ind.name, pct, f"{fmt(v)}{ind.unit}", ind.direction == "negative"))
            if scored:
                if abs(pct - 100) < LEVEL_TOLERANCE_PCT:
                    level.append(ind.name)
                elif (pct > 100) == (ind.direction == "positive"):
                    better.append(ind.name)
                else:
                    worse.append(ind.name)
        rows.append({
            "cells": [ind.name, ind.unit or "—", fmt(v), fmt(avg), fmt(pavg),
                      fmt(zone["ideals"].get(key)) if scored else "—",
                      fmt(zone["realisation"].get(key)) if scored else "—",
                      f"{weights[key]:.3f}" if scored else Z["ind_monitor"], rel or "—"],
            "scored": scored, "missing": Z["ind_missing"].format(reason=zone["missing"][key])
            if key in (zone.get("missing") or {}) else None})
    lead = Z["ind_lead"].format(name=zone.get("name") or zone["zone_code"], year=zone.get("year"),
                                score=fmt(zone.get("score")))
    parts = [Z[key].format(items="、".join(items), eval_type=L.EVAL_TYPE_LABELS.get(et, et))
             for key, items in (("ind_better", better), ("ind_level", level), ("ind_worse", worse)) if items]
    if parts:
        lead += "计分指标中，" + "；".join(parts) + "。"
    realisation = [(INDICATORS[k].name, zone["realisation"].get(k), w) for k, w in
                   sorted(weights.items(), key=lambda kv: -kv[1])]
    return {"title": Z["ind_title"].format(n=n.t()), "head": L.ZONE_LISTS["ind_head"], "rows": rows, "lead": lead,
            "note": Z["ind_note"],
            "versus": versus, "realisation": realisation,
            "figure_versus": Z["figure_versus"].format(n=n.f()) if versus else None,
            "figure_realisation": Z["figure_realisation"].format(n=n.f())}


def _score(zone: dict[str, Any], profile: Profile, n: Numbering) -> dict[str, Any]:
    Z = L.ZONE
    et = zone["eval_type"]
    cap = profile.realisation_cap or 100.0
    rows: list[dict[str, Any]] = []
    lost: list[tuple[float, str]] = []

    def walk(nodes: tuple[Node, ...], parent_w: float, level: int) -> None:
        for nd in nodes:
            w = parent_w * nd.weight
            s = zone["subscores"].get(nd.key)
            rows.append({"level": level, "cells": [nd.name, f"{nd.weight:.3f}", f"{w:.3f}", fmt(s),
                                                   fmt(None if s is None else w * s),
                                                   fmt(None if s is None else w * (cap - s))]})
            if nd.children:
                walk(nd.children, w, level + 1)
            for k, kw in nd.indicators:
                ew = w * kw
                r = zone["realisation"].get(k)
                rows.append({"level": level + 1, "indicator": True,
                             "cells": [INDICATORS[k].name, f"{kw:.3f}", f"{ew:.3f}", fmt(r),
                                       fmt(None if r is None else ew * r), fmt(None if r is None else ew * (cap - r))]})
                if r is not None:
                    lost.append((ew * (cap - r), INDICATORS[k].name))

    walk(profile.trees[et], 1.0, 0)
    lost.sort(key=lambda t: -t[0])
    top = [f"{name}（{fmt(v)}分）" for v, name in lost[:3] if v > 0.005]
    total_lost = None if zone.get("score") is None else cap - zone["score"]
    return {"title": Z["score_title"].format(n=n.t()), "head": L.ZONE_LISTS["score_head"], "rows": rows,
            "total": [Z["score_total"], "", "1.000", fmt(zone.get("score")), fmt(zone.get("score")), fmt(total_lost)],
            "note": Z["score_note"],
            "lead": Z["score_lead"].format(items="、".join(top)) if top else "",
            "missing_note": Z["score_missing_note"].format(
                rule=L.ZONE_MISSING_RULES.get(profile.missing_indicator, profile.missing_indicator))
            if zone.get("missing") and any(k in zone["missing"] for k in effective_weights(et, profile)) else ""}


def _potential(zone: dict[str, Any], n: Numbering) -> dict[str, Any]:
    Z = L.ZONE
    P = L.POTENTIAL_LABELS
    pot = zone.get("potential_ha") or {}
    miss = zone.get("potential_missing") or {}
    rows = []
    for k in ("expansion", "expansion_industrial", "structure", "management"):
        v = pot.get(k)
        rows.append([P[k], fmt(v) if v is not None else Z["pot_not"].format(reason=miss.get(k, "—")),
                     "公顷" if v is not None else ""])
    for k, v in (pot.get("intensity") or {}).items():
        rows.append([P["intensity"].format(name=INDICATORS[k].name),
                     fmt(v) if v is not None else Z["pot_not"].format(reason=miss.get(f"intensity.{k}", "—")),
                     "公顷" if v is not None else ""])
    y = zone.get("years_of_supply") or {}
    for k in ("years_by_3yr_avg", "years_by_5yr_max", "industrial_years_by_3yr_avg", "industrial_years_by_5yr_max"):
        v = y.get(k)
        rows.append([P[k], fmt(v, 1) if v is not None else Z["pot_not"].format(reason=miss.get(k, "—")),
                     "年" if v is not None else ""])
    return {"title": Z["pot_title"].format(n=n.t()), "head": L.ZONE_LISTS["pot_head"], "rows": rows}


def _parcels(parcels: pd.DataFrame | None, threshold: float, n: Numbering) -> dict[str, Any] | None:
    if parcels is None or len(parcels) == 0:
        return None
    Z = L.ZONE
    flagged = flag_parcels(parcels, threshold)
    area_ha = pd.to_numeric(flagged["area_m2"], errors="coerce").fillna(0.0) / 1e4
    table = []
    for k in FLAG_ORDER:
        sel = flagged[k].astype(bool)
        table.append([L.FLAGS[k], L.FLAG_NOTES[k].format(threshold=threshold), str(int(sel.sum())),
                      fmt(float(area_ha[sel].sum()))])
    order = {k: i for i, k in enumerate(FLAG_ORDER)}
    listed = (flagged[flagged["flag"].notna()].assign(area_ha=area_ha, _order=flagged["flag"].map(order))
              .sort_values(["_order", "area_ha", "parcel_id"], ascending=[True, False, True]))
    rows = []
    for r in listed.head(FLAG_LIST_ROWS).itertuples():
        kinds = "、".join(L.FLAGS[k] for k in FLAG_ORDER if bool(getattr(r, k)))
        rows.append([str(r.parcel_id), kinds, str(r.build_class), str(r.supply_class), fmt(r.area_ha),
                     fmt(r.far, 3) if r.build_class and str(r.build_class).startswith("A") else "—"])
    return {"flagged": flagged, "threshold": threshold,
            "map_classes": Z["map_classes"].format(n=n.f()), "map_flags": Z["map_flags"].format(n=n.f()),
            "flags_title": Z["flags_title"].format(n=n.t()), "flags_head": L.ZONE_LISTS["flags_head"], "flags": table,
            "flags_note": Z["flags_note"],
            "list_title": Z["flags_list_title"].format(n=n.t(), k=min(FLAG_LIST_ROWS, len(listed))) if rows else None,
            "list_head": L.ZONE_LISTS["flags_list_head"], "list": rows}


def _rank_cell(before: dict[str, Any], after: dict[str, Any], key: str) -> str:
    b, a = before.get(f"rank_{key}"), after.get(f"rank_{key}")
    of = after.get(f"of_{key}")
    if a is None:
        return "—"
    text = L.ZONE["rank_move"].format(before=b if b is not None else "—", after=a)
    return f"{text}/{of}"


def _whatif(zone: dict[str, Any], ranking: dict[str, Any], docs: Sequence[dict[str, Any]], row: dict[str, Any] | None,
            n: Numbering, reason: str | None) -> dict[str, Any]:
    Z = L.ZONE
    out: dict[str, Any] = {"title": Z["whatif_title"].format(n=n.t()), "head": L.ZONE_LISTS["whatif_head"],
                           "lead": Z["whatif_lead"],
                           "rows": [], "none": None}
    if not docs:
        out["none"] = Z["whatif_none"].format(reason=reason or "—")
        return out
    rows_ref = ranking.get("rankings") or []
    before = row or {}
    out["rows"].append([Z["whatif_before"], "—", "—", fmt(zone.get("score")), "—",
                        f"{before.get('rank_national') or '—'}/{before.get('of_national') or '—'}",
                        f"{before.get('rank_province') or '—'}/{before.get('of_province') or '—'}", "—"])
    seen = 0
    for d in docs:
        for s in d.get("scenarios") or []:
            after = s["after"]
            ranks = rank_among(after.get("score"), zone["zone_code"], zone["eval_type"], zone.get("province"), rows_ref)
            changes = []
            for k, v in (after.get("indicators") or {}).items():
                old = zone["indicators"].get(k)
                if v is not None and old is not None and fmt(v) != fmt(old):
                    changes.append((abs(v - old) / max(abs(old), 1e-9), f"{INDICATORS[k].name} {fmt(old)}→{fmt(v)}"))
            changes.sort(key=lambda t: -t[0])
            title = s.get("title") or s.get("key")
            if s.get("key") == "scenario":
                title = f"{title}{Z['whatif_given']}"
            area = s.get("area_ha")
            out["rows"].append([title, str(len(s.get("parcels") or [])), fmt(area) if area is not None else "—",
                                fmt(after.get("score")), signed(s.get("score_change")),
                                _rank_cell(before, ranks, "national"), _rank_cell(before, ranks, "province"),
                                "；".join(c for _, c in changes[:3]) or "—"])
            seen += 1
    if not seen:
        out["none"] = Z["whatif_none"].format(reason="没有可生成的情景（无待供、已供未建、闲置或低容积率工业地块）")
    return out


def zone_context(zone: dict[str, Any], ranking: dict[str, Any], *, profile: Profile,
                 whatif: Sequence[dict[str, Any]] = (), whatif_reason: str | None = None,
                 parcels: pd.DataFrame | None = None, boundary: Any = None, crs: str | None = None,
                 generated: str = "", liveability: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the zone report says (see the module docstring for the inputs)."""
    import jiyue

    Z = L.ZONE
    n = Numbering()
    row = next((r for r in ranking.get("rankings") or [] if r["zone_code"] == zone["zone_code"]), None)
    scope = ranking.get("scope") or Z["card_scope_count"].format(n=len(ranking.get("rankings") or []))
    et = zone["eval_type"]
    sections = [Z[k] for k in ("s_basic", "s_indicators", "s_score", "s_potential", "s_maps", "s_whatif", "s_notes")]
    ctx: dict[str, Any] = {
        "title": Z["title"].format(name=zone.get("name") or zone["zone_code"], year=zone.get("year")),
        "title_lines": [t.format(name=zone.get("name") or zone["zone_code"], year=zone.get("year"))
                        for t in L.ZONE_LISTS["title_lines"]],
        "subtitle": Z["subtitle"].format(code=zone["zone_code"], eval_type=L.EVAL_TYPE_LABELS.get(et, et),
                                         profile=profile.name, version=profile.version_label,
                                         jiyue_version=jiyue.__version__, date=generated),
        "headings": sections,
        "card": _card(zone, row, scope),
        "region": region_of(zone.get("province")),
        "basic": _basic(zone, n),
        "indicators": _indicators(zone, ranking, profile, n),
        "score": _score(zone, profile, n),
        "potential": _potential(zone, n),
    }
    ctx["parcels"] = _parcels(parcels, far_threshold(profile, et), n)
    ctx["boundary"], ctx["crs"] = boundary, crs
    ctx["whatif"] = _whatif(zone, ranking, whatif, row, n, whatif_reason)
    ctx["no_geometry"] = Z["no_geometry"]
    ctx["liveability"] = None
    if liveability is not None:  # 产城融合·生活圈 (jiyue.liveability.report)
        from jiyue.liveability.report import section_context

        ctx["liveability"] = section_context(liveability)
    ctx["notes"] = list(L.ZONE_LISTS["notes"])
    prov = zone.get("provenance") or ranking.get("provenance_text")
    if prov:
        ctx["notes"].append(Z["provenance"].format(source=prov))
    return ctx


# --------------------------------------------------------------------------- the edge: collect documents
def _parcel_frame(con: Any, snap: tuple[int, str, int]) -> tuple[pd.DataFrame, Any, str | None]:
    import shapely

    from jiyue.landrules import floor_area_sql

    imp, code, _ = snap
    df = con.execute(f"""
        SELECT p.parcel_id, p.build_class, p.supply_class, p.area_eff_m2 AS area_m2, p.idle,
               COALESCE(pb.fa, 0) AS fa, ST_AsWKB(p.geom) AS wkb
        FROM parcels p LEFT JOIN (SELECT parcel_eff, SUM({floor_area_sql()}) AS fa FROM buildings
                                  WHERE import_id = ? GROUP BY 1) pb ON pb.parcel_eff = p.parcel_id
        WHERE p.import_id = ? AND p.zone_code = ?
        ORDER BY p.parcel_id""", [imp, imp, code]).fetchdf()
    df["geometry"] = shapely.from_wkb([bytes(b) if b is not None else None for b in df.pop("wkb")])
    zr = con.execute("SELECT ST_AsWKB(geom) FROM zones WHERE import_id = ? AND zone_code = ?", [imp, code]).fetchone()
    boundary = shapely.from_wkb(bytes(zr[0])) if zr and zr[0] is not None else None
    cr = con.execute("SELECT crs FROM imports WHERE import_id = ?", [imp]).fetchone()
    return df, boundary, (cr[0] if cr else None)


def zone_documents(pkg: Path | None, db: Path | None, *, zone: str, year: int | None = None,
                   against: Sequence[Path] = (), scenario: Path | None = None,
                   profile: str | Path | Profile | None = None) -> dict[str, Any]:
    """Collect what :func:`zone_context` needs, from a package (``db`` = reference store) or the store.

    Returns ``zone``, ``ranking`` (rankings, averages and scope of the reference set), ``profile``,
    ``whatif`` (documents; empty without a package), ``whatif_reason``, ``parcels``, ``boundary``, ``crs``.
    """
    from jiyue.evaluation.results import evaluate_selection
    from jiyue.evaluation.service import open_source
    from jiyue.ranking.rank import averages, rankings
    from jiyue.ranking.service import evaluate_many

    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    source_db = db if pkg is None else None
    with open_source(pkg, source_db, year=year) as src:
        snaps = [s for s in src.selection if s[1] == zone]
        if not snaps:
            known = sorted({s[1] for s in src.selection})
            where = f"数据包 {pkg}" if pkg is not None else f"数据库 {db}"
            raise UsageError(f"{where} 中没有开发区「{zone}」{'（' + str(year) + '年度）' if year else ''}的数据；"
                             f"已有：{'、'.join(known) or '无'}")
        own = evaluate_selection(src.con, src.selection, prof)
        parcels, boundary, crs = _parcel_frame(src.con, snaps[0])
        liveability = _liveability(src.con, snaps[0])
        provenance = src.provenance
    zdoc = next(z for z in own if z["zone_code"] == zone)
    reference = list(own)
    scope = [str(Path(pkg).name) if pkg is not None else str(db)]
    if pkg is not None and (against or db is not None):
        others, _ = evaluate_many(list(against) or None, db, year=year, profile=prof)
        mine = {z["zone_code"] for z in own}
        reference += [z for z in others if z["zone_code"] not in mine]
        scope += [Path(a).name for a in against] + ([str(db)] if db is not None else [])
    ranking = {"year": zdoc["year"], "profile": prof.describe(),
               "rankings": rankings(reference), "averages": averages(reference),
               "scope": L.ZONE["card_scope_sources"].format(n=len(reference), sources="、".join(scope))}
    docs: list[dict[str, Any]] = []
    reason = None
    if pkg is not None:
        from jiyue.ranking.whatif import whatif

        docs.append(whatif(pkg, zone=zone, year=year, profile=prof))
        if scenario is not None:
            docs.append(whatif(pkg, zone=zone, scenario=scenario, year=year, profile=prof))
    else:
        reason = L.ZONE["whatif_no_pkg"]
    if "package" in provenance:
        source = L.ZONE["source_package"].format(name=Path(provenance["package"]).name,
                                                 sha=str(provenance.get("sha256") or "")[:12])
    else:
        source = L.ZONE["source_db"].format(name=Path(str(provenance.get("db"))).name,
                                            imports="、".join(map(str, provenance.get("imports") or [])))
    zdoc = {**zdoc, "provenance": source}
    return {"zone": zdoc, "ranking": ranking, "profile": prof, "whatif": docs, "whatif_reason": reason,
            "parcels": parcels, "boundary": boundary, "crs": crs, "liveability": liveability}


def _liveability(con: Any, snap: tuple[int, str, int]) -> dict[str, Any] | None:
    """The 产城融合·生活圈 section's document (jiyue.liveability); None when that engine is absent."""
    try:
        from jiyue.liveability.report import report_document
    except ImportError:
        return None
    return report_document(con, snap)
