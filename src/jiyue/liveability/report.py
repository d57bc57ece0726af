"""The 产城融合·生活圈 section of the zone report: the figures, tables, one map and the sentences.

:func:`report_document` runs the engine on a zone of an open source (store or in-memory package)
and never raises for data reasons: a zone without roads, facilities or housing gets no section;
bad data (a broken network, a facility far from every road) gets a section that says why it is
left out. :func:`section_context` is pure (document → text).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jiyue.errors import JiyueError
from jiyue.liveability import render as R

__all__ = ["report_document", "section_context", "coverage_map"]

MISSING_COLOURS = ("#1a9850", "#a6d96a", "#fee08b", "#fdae61", "#f46d43", "#d73027")
KIND_COLOURS = {"hospital": "#c62828", "clinic": "#ef5350", "school": "#1565c0", "kindergarten": "#42a5f5",
                "elderly": "#8e24aa", "park": "#2e7d32", "market": "#ef6c00", "sports": "#00897b"}


#: input errors that mean the zone has nothing to analyse rather than bad data
ABSENT = {"no_roads", "no_facilities", "no_residential"}


def report_document(con: Any, snap: tuple[int, str, int], profile: str | None = None) -> dict[str, Any] | None:
    """{"ok": True, "doc", "map"}; {"ok": False, "reason"} when the data is there but wrong (a
    broken road network, a facility far from the roads …); None when the zone has no roads, no
    facilities or no housing (the report then has no 产城融合 section)."""
    from jiyue.liveability.rules import load_rules
    from jiyue.liveability.service import analyse_snapshot

    try:
        rules = load_rules(profile)
        doc = analyse_snapshot(con, snap, rules)
        worst = _worst_service(doc)
        if worst:
            doc = analyse_snapshot(con, snap, rules, site=[worst])
    except JiyueError as e:
        codes = {p["code"] for p in getattr(e, "problems", []) if p["severity"] == "error"}
        if codes and codes <= ABSENT:
            return None  # nothing to analyse (no roads, no facilities or no housing): no section at all
        return {"ok": False, "reason": e.message}
    arr = doc.pop("_arrays")
    try:
        png = coverage_map(doc, arr)
    except Exception:  # noqa: BLE001 - a map that cannot be drawn leaves the tables
        png = None
    return {"ok": True, "doc": doc, "map": png}


def _worst_service(doc: dict[str, Any]) -> str | None:
    """The service with facilities whose coverage (population, else area) is lowest."""
    best = None
    for s in doc["services"]:
        v = s["network"]["pop_share"] if s["network"]["pop_share"] is not None else s["network"]["area_share"]
        if s["facilities"] and v is not None and v < 100 and (best is None or v < best[0]):
            best = (v, s["key"])
    return best[1] if best else None


def coverage_map(doc: dict[str, Any], arr: dict[str, Any]) -> bytes | None:
    """Residential parcels by the number of services out of walking reach, streets, facilities."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from jiyue.reports import maps
    from jiyue.reports.charts import style

    geoms = [g for g in arr["parcel_geoms"] if g is not None and not g.is_empty]
    if not geoms:
        return None
    miss = {p["parcel_id"]: p["n_missing"] for p in doc["parcels"]}
    net = arr["network"]
    with style():
        import shapely

        # the frame: the whole street network (the zone), not only its residential part
        frame = geoms + ([shapely.box(*net.xy.min(axis=0), *net.xy.max(axis=0))] if net.n_nodes else [])
        fig, ax, ext = maps.map_frame(frame)
        segs = np.stack([net.xy[net.u], net.xy[net.v]], axis=1)
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(list(segs), colors="#9e9e9e", linewidths=0.5, zorder=1))
        handles: list[Any] = []
        for k, colour in enumerate(MISSING_COLOURS):
            sel = [g for pid, g in zip(arr["parcel_ids"], arr["parcel_geoms"])
                   if (miss[pid] >= k if k == len(MISSING_COLOURS) - 1 else miss[pid] == k)]
            label = "全部可达" if k == 0 else (f"缺 {k} 项及以上" if k == len(MISSING_COLOURS) - 1 else f"缺 {k} 项")
            if sel:
                maps.fill_shapes(ax, sel, colour, edge="#555555", lw=0.1)
            handles.append(Patch(facecolor=colour, edgecolor="#555555", lw=0.4, label=label))
        from jiyue import codes

        for kind, colour in KIND_COLOURS.items():
            pts = [(f["x"], f["y"]) for f in doc["facilities"] if f["kind"] == kind]
            if pts:
                xy = np.array(pts)
                ax.scatter(xy[:, 0], xy[:, 1], s=7, c=colour, edgecolors="white", linewidths=0.3, zorder=5)
                handles.append(Line2D([], [], marker="o", ls="", color=colour, markersize=4,
                                      label=codes.FACILITY_KINDS[kind][0]))
        return maps.finish_map(fig, ax, ext, handles, boundary=None, crs=doc.get("crs"), ncol=5)


def section_context(lv: dict[str, Any] | None) -> dict[str, Any] | None:
    """The section's text and tables; None when the report has no liveability input at all."""
    if lv is None:
        return None
    if not lv.get("ok"):
        return {"ok": False, "reason": f"本节从略：{lv.get('reason')}"}
    d = lv["doc"]
    sv = {s["key"]: s for s in d["services"]}
    c15 = next((c for c in d["circles"] if c["key"] in ("c15", "r1000")), d["circles"][-1] if d["circles"] else None)
    ind = d["indicators"]
    pop = d["population"]
    lead = []
    if c15:
        share = c15["network"]["pop_share"] if c15["network"]["pop_share"] is not None else c15["network"]["area_share"]
        share_e = c15["euclid"]["pop_share"] if c15["euclid"]["pop_share"] is not None else c15["euclid"]["area_share"]
        what = "常住人口" if c15["network"]["pop_share"] is not None else "住宅用地面积"
        lead.append(f"按沿道路的步行距离，{R.pct(share)}的{what}处在配套完整的{c15['label']}内"
                    f"（按直线距离为 {R.pct(share_e)}）。")
    low = sorted((s for s in d["services"] if s["network"]["area_share"] is not None),
                 key=lambda s: s["network"]["pop_share"] if s["network"]["pop_share"] is not None
                 else s["network"]["area_share"])[:2]
    if low:
        lead.append("覆盖最低的配套设施是" + "、".join(
            f"{s['label']}（{R.pct(s['network']['pop_share'] if s['network']['pop_share'] is not None else s['network']['area_share'])}）"
            for s in low) + "。")
    j = ind.get("jobs_per_resident")
    if j is not None:
        lead.append(f"职住比 {j:.2f}，{R.JOBS.get(ind.get('jobs_judgement'), '')}；"
                    f"人均公园绿地 {R.num(ind.get('green_per_person'), 1)} 平方米。")
    siting = []
    for s in d.get("siting") or []:
        if s["picks"]:
            siting.append(f"若新增{s['label']}，按最大覆盖依次选址于宗地 "
                          + "、".join(p["parcel_id"] for p in s["picks"])
                          + f"，{s['label']}的覆盖率可由 {R.pct(s['before'])} 提高到 {R.pct(s['after'])}。")
    gh, gr = R.gap_rows(d, 10)
    return {
        "ok": True, "lead": "".join(lead), "headline": R.headline(d)[1:],
        "services": R.service_rows(d), "circles": R.circle_rows(d), "indicators": R.indicator_rows(d),
        "gaps_head": gh, "gaps": gr, "n_gaps": len(d["gaps"]), "siting": siting,
        "rule": (ind.get("eval_type_rule") or {}).get("rule"),
        "note": ("路网距离 = 住宅（宗地代表点或住宅建筑）到最近道路的距离 + 沿道路中心线的最短距离 + 设施到道路的距离；"
                 f"直线距离为同一服务半径的圆形缓冲区，仅作对照。人口：{R.POP_METHOD.get(pop.get('method'), '')}。"
                 f"规则：{d['ruleset']['title']}（{d['ruleset']['name']} {d['ruleset']['version']}）。"),
        "map_caption": "住宅用地按步行可达范围外的配套设施项数着色（灰线为道路，圆点为公共服务设施）",
        "has_map": lv.get("map") is not None,
        "sv": sv,
    }
