"""The liveability document as a text table, an Excel workbook and a gap map layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jiyue.liveability import labels as L
from jiyue.tables import pad
from jiyue.workbook import excel_writer

__all__ = ["table", "write_xlsx", "gap_frame", "write_gaps", "pct", "num"]

POP_METHOD = {"floor_area": "按住宅建筑面积分摊常住人口", "given": "建筑人口字段",
              "given+floor_area": "建筑人口字段，其余按住宅建筑面积分摊", "parcel_area": "按住宅用地面积分摊常住人口",
              None: "无人口数据"}
JOBS = {"low": "偏低（居住为主，就业岗位不足）", "high": "偏高（就业为主，居住配套不足）", "balanced": "基本平衡"}


def pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%"


def num(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def _grid(head: list[str], rows: list[list[str]], right_from: int = 1) -> list[str]:
    from jiyue.tables import text_width

    widths = [max(text_width(str(x)) for x in col) for col in zip(head, *rows)]
    out = ["  ".join(pad(str(h), w, i >= right_from) for i, (h, w) in enumerate(zip(head, widths)))]
    out += ["  ".join(pad(str(c), w, i >= right_from) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return out


def service_rows(z: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    H = L.HEAD
    circles = {c["key"]: c["label"] for c in z["circles"]}
    head = [H["service"], H["circle"], H["radius"], H["count"], H["pop_net"], H["area_net"], H["pop_euc"],
            H["area_euc"], H["uncovered_pop"], H["uncovered_parcels"]]
    rows = [[s["label"], circles.get(s["circle"], s["circle"]), num(s["radius_m"]), str(s["facilities"]),
             pct(s["network"]["pop_share"]), pct(s["network"]["area_share"]), pct(s["euclid"]["pop_share"]),
             pct(s["euclid"]["area_share"]), num(s["network"]["uncovered_pop"]), str(s["network"]["uncovered_parcels"])]
            for s in z["services"]]
    return head, rows


def circle_rows(z: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    H = L.HEAD
    head = [H["circle"], H["radius"], H["complete_pop"], H["complete_area"], H["complete_pop_euc"],
            H["complete_area_euc"]]
    rows = [[c["label"], num(c["radius_m"]), pct(c["network"]["pop_share"]), pct(c["network"]["area_share"]),
             pct(c["euclid"]["pop_share"]), pct(c["euclid"]["area_share"])] for c in z["circles"]]
    return head, rows


def indicator_rows(z: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    H, ind = L.HEAD, z["indicators"]
    band = ind.get("jobs_per_resident_band")
    gmin = ind.get("green_per_person_min")
    rows = [
        [L.INDICATOR["residential_land_share"][0], f"{ind['residential_land_share']:.2f}"
         if ind.get("residential_land_share") is not None else "—", "%", "A1 ÷ A", ""],
        [L.INDICATOR["public_service_land_share"][0], f"{ind['public_service_land_share']:.2f}"
         if ind.get("public_service_land_share") is not None else "—", "%", "A5 ÷ A", ""],
        [L.INDICATOR["green_per_person"][0], num(ind.get("green_per_person"), 2), "平方米/人",
         f"≥ {gmin:g}" if gmin is not None else "", "—" if ind.get("green_ok") is None else
         ("达标" if ind["green_ok"] else "不足")],
        [L.INDICATOR["jobs_per_resident"][0], num(ind.get("jobs_per_resident"), 2), "—",
         f"{band[0]:g}–{band[1]:g}" if band else "", JOBS.get(ind.get("jobs_judgement"), "—")],
        [L.INDICATOR["population"][0], num(ind.get("population")), "人", "zone_years.population", ""],
        [L.INDICATOR["employees"][0], num(ind.get("employees")), "人", "enterprise_years.employees", ""],
    ]
    return [H["indicator"], H["value"], H["unit"], H["reference"], H["judgement"]], rows


def gap_rows(z: dict[str, Any], limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    H = L.HEAD
    gaps = sorted(z["gaps"], key=lambda g: (-(g["population"] or 0), g["parcel_id"], g["service"]))
    if limit:
        gaps = gaps[:limit]
    head = [H["parcel_id"], H["service"], H["radius"], H["distance"], H["euclid"], H["nearest"], H["population"],
            H["area"], H["reason"]]
    rows = [[g["parcel_id"], g["label"], num(g["radius_m"]), num(g["distance_m"]), num(g["euclid_m"]),
             g.get("nearest_name") or g.get("nearest") or "—", num(g["population"]), num(g["area_m2"]),
             g["reason_label"]] for g in gaps]
    return head, rows


def headline(z: dict[str, Any]) -> list[str]:
    rs, net, pop = z["ruleset"], z["network"], z["population"]
    et = (z["indicators"].get("eval_type_rule") or {}).get("label") or z.get("eval_type") or ""
    return [
        f"{L.HEAD['title']} — {z.get('name') or ''}（{z['zone_code']}）{z.get('year') or ''} 年度 {et}",
        f"规则：{rs['title']}（{rs['name']} 版本 {rs['version']}）",
        f"路网：{net['nodes']} 个节点、{net['edges']} 段、{net['length_km']:.1f} 公里，{net['components']} 个连通部分；"
        f"住宅用地 {z['origins']['residential_parcels']} 宗（无道路可达 {z['origins']['no_road_access']} 宗），"
        f"人口 {num(pop.get('total'))}（{POP_METHOD.get(pop.get('method'), pop.get('method'))}，"
        f"{pop.get('buildings', 0)} 栋住宅建筑）",
    ]


def table(doc: dict[str, Any], gap_limit: int = 20) -> str:
    out: list[str] = []
    for z in doc["zones"]:
        out += headline(z) + [""]
        out += ["配套设施覆盖（路网步行距离；直线距离并列作对照）", *_grid(*service_rows(z), right_from=2), ""]
        out += ["生活圈完整率（该圈全部配套设施均在服务半径内）", *_grid(*circle_rows(z)), ""]
        out += ["产城融合指标", *_grid(*indicator_rows(z)), ""]
        rule = (z["indicators"].get("eval_type_rule") or {}).get("rule")
        if rule:
            out += [f"评价类型规则：{rule}", ""]
        for s in z.get("siting") or []:
            out.append(f"新设施选址：{s['label']}（服务半径 {s['radius_m']:g} 米，按{'人口' if s['objective'] == 'population' else '面积'}"
                       f"最大覆盖，候选地块 {s.get('candidates', 0)} 宗）：覆盖率 {pct(s['before'])} → {pct(s['after'])}")
            for k, p in enumerate(s["picks"], 1):
                out.append(f"  {k}. 宗地 {p['parcel_id']}（{p['build_class']}，{p['area_m2']:,.0f} 平方米）"
                           f"新增覆盖 {p['gain']:,.0f}")
            out.append("")
        n = len(z["gaps"])
        out += [f"覆盖缺口：{n} 条（住宅用地 × 配套设施）" + (f"，按人口列前 {gap_limit} 条" if n > gap_limit else "")]
        if n:
            out += _grid(*gap_rows(z, gap_limit))
        warns = [p for p in z["problems"] if p["severity"] == "warning"]
        if warns:
            out += ["", f"提示（{len(warns)} 条）："] + [f"  - {p['message']}" for p in warns[:10]]
            if len(warns) > 10:
                out.append(f"  ……共 {len(warns)} 条，完整列表见 JSON 或 Excel 输出")
        out.append("")
    return "\n".join(out).rstrip()


def write_xlsx(doc: dict[str, Any], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with excel_writer(out) as xw:
        for z in doc["zones"]:
            sfx = f"_{z['zone_code']}" if len(doc["zones"]) > 1 else ""
            for name, (head, rows) in (("配套设施覆盖", service_rows(z)), ("生活圈完整率", circle_rows(z)),
                                       ("产城融合指标", indicator_rows(z)), ("覆盖缺口", gap_rows(z))):
                pd.DataFrame(rows, columns=head).to_excel(xw, sheet_name=(name + sfx)[:31], index=False)
            keys = [s["key"] for s in z["services"]]
            labels = {s["key"]: s["label"] for s in z["services"]}
            prow = [{L.HEAD["parcel_id"]: p["parcel_id"], L.HEAD["area"]: p["area_m2"], L.HEAD["population"]: p["population"],
                     **{f"{labels[k]}(米)": p["distance_m"][k] for k in keys},
                     **{f"{labels[k]}直线(米)": p["euclid_m"][k] for k in keys},
                     "缺项数": p["n_missing"]} for p in z["parcels"]]
            pd.DataFrame(prow).to_excel(xw, sheet_name=("住宅用地明细" + sfx)[:31], index=False)
            if z.get("siting"):
                srow = [{"配套设施": s["label"], "序号": k, "宗地编号": p["parcel_id"], "建设状况": p["build_class"],
                         "面积(平方米)": p["area_m2"], "新增覆盖": p["gain"], "选址前覆盖率(%)": s["before"],
                         "选址后覆盖率(%)": s["after"]} for s in z["siting"] for k, p in enumerate(s["picks"], 1)]
                pd.DataFrame(srow).to_excel(xw, sheet_name=("新设施选址" + sfx)[:31], index=False)
            pd.DataFrame(z["problems"], columns=["severity", "code", "layer", "row_id", "field", "found", "expected",
                                                 "message"]).to_excel(xw, sheet_name=("问题" + sfx)[:31], index=False)
        src = [{"规则": doc["ruleset"]["title"], "生活圈": c["label"], "半径(米)": c["radius_m"], "依据": c["source"]}
               for c in doc["circles"]]
        pd.DataFrame(src).to_excel(xw, sheet_name="规则依据", index=False)
    return out


def gap_frame(z: dict[str, Any]) -> Any:
    """The gap map layer: residential parcels with at least one service out of reach (polygons)."""
    import geopandas as gpd

    arr = z["_arrays"]
    geoms = dict(zip(arr["parcel_ids"], arr["parcel_geoms"]))
    by: dict[str, list[str]] = {}
    for g in z["gaps"]:
        by.setdefault(g["parcel_id"], []).append(g["label"])
    pops = {p["parcel_id"]: p["population"] for p in z["parcels"]}
    rows = [{"parcel_id": pid, "missing": "、".join(v), "n_missing": len(v), "population": pops.get(pid),
             "geometry": geoms[pid]} for pid, v in by.items()]
    return gpd.GeoDataFrame(rows, columns=["parcel_id", "missing", "n_missing", "population", "geometry"],
                            geometry="geometry", crs=z.get("crs"))


def write_gaps(doc: dict[str, Any], out: Path) -> Path:
    import pandas as pd_

    frames = [gap_frame(z) for z in doc["zones"]]
    g = frames[0] if len(frames) == 1 else pd_.concat(frames)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    g.to_file(out, driver="GPKG" if out.suffix.lower() == ".gpkg" else "GeoJSON", layer=L.GAP_LAYER
              if out.suffix.lower() == ".gpkg" else None)
    return out
