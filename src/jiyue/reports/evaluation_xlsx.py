"""The evaluation workbook (Chinese headers): the statistical tables and the indicators.

Sheets: 土地利用状况 (E.3), 土地供应状况 (E.4), 建筑工程状况 (E.7), 评价指标, 集约度分值, 潜力测算,
尚可供地年数, 说明 (profile and provenance). One row per zone (and year).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jiyue.codes import BUILD_CLASSES, SUPPLY_CLASSES
from jiyue.evaluation.indicators import INDICATORS
from jiyue.codes import EVAL_TYPE_LABELS
from jiyue.workbook import excel_writer

USE_KEYS = ["A", "A1", "A2", "A3", "A31", "A32", "A4", "A5", "A51", "A52", "A6", "B", "B1", "B11", "B12",
            "B2", "B21", "B22", "C", "C1", "C2", "C3"]
SUPPLY_KEYS = ["D", "D1", "D21", "D22", "E", "E1", "E21", "E22", "F", "G"]
GROUP_LABELS = {"A": "已建成城镇建设用地", "B": "未建成城镇建设用地", "B1": "已建成农村建设用地",
                "B2": "其他土地", "C": "不可建设土地", "D": "已供应国有建设用地", "E": "尚可供应土地",
                "G": "闲置土地", **BUILD_CLASSES, **SUPPLY_CLASSES}
POTENTIAL_LABELS = {"expansion": "扩展潜力(公顷)", "expansion_industrial": "其中：尚可供应工矿仓储用地(公顷)",
                    "structure": "结构潜力(公顷)", "management": "管理潜力(公顷)"}


def _base(z: dict[str, Any]) -> dict[str, Any]:
    return {"开发区代码": z["zone_code"], "开发区名称": z["name"], "年度": z["year"],
            "评价类型": EVAL_TYPE_LABELS.get(z["eval_type"], z["eval_type"])}


def _label(k: str) -> str:
    return f"{k} {GROUP_LABELS.get(k, '')}".strip()


def frames(doc: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The workbook's sheets as DataFrames."""
    use, sup, bld, ind, score, pot, yos = [], [], [], [], [], [], []
    for z in doc["zones"]:
        a = z["areas_ha"]
        total = a["total"] or 0.0
        row = _base(z) | {"评价范围总面积(公顷)": a["total"]}
        for k in USE_KEYS:
            row[f"{_label(k)}(公顷)"] = a[k]
        for k in ("A", "B", "C"):
            row[f"{k}占比(%)"] = a[k] / total * 100 if total else None
        use.append(row)
        row = _base(z)
        for k in SUPPLY_KEYS:
            row[f"{_label(k)}(公顷)"] = a[k]
        y = z["years_of_supply"]
        row["前三年年均供应土地面积(公顷)"] = y["avg_supply_3yr_ha"]
        row["前五年年供应土地面积最大值(公顷)"] = y["max_supply_5yr_ha"]
        for yr, v in y["annual_supply_ha"].items():
            row[f"{yr}年供应面积(公顷)"] = v
        sup.append(row)
        b = z["buildings_m2"]
        bld.append(_base(z) | {
            "A上总建筑面积(万平方米)": b["floor_area_on_A"] / 1e4,
            "A上建筑基底面积(万平方米)": b["footprint_on_A"] / 1e4,
            "A2上总建筑面积(万平方米)": b["floor_area_on_A2"] / 1e4,
            "A2上建筑物、构筑物及露天堆场、操作场地基底面积(万平方米)": b["footprint_all_kinds_on_A2"] / 1e4,
            "宗地数": z["counts"]["parcels"], "建筑数": z["counts"]["buildings"]})
        for k, v in z["indicators"].items():
            i = INDICATORS[k]
            ind.append(_base(z) | {"指标代码": k, "指标": i.name, "单位": i.unit or "—", "现状值": v,
                                   "理想值": z["ideals"].get(k), "实现度": z["realisation"].get(k),
                                   "计算公式": i.formula, "缺失原因": z["missing"].get(k, "")})
        score.append(_base(z) | {"土地利用集约度分值": z["score"]} |
                     {(z.get("subscore_labels") or {}).get(k, k): v for k, v in z["subscores"].items()})
        p = z["potential_ha"]
        prow = _base(z) | {POTENTIAL_LABELS[k]: p[k] for k in POTENTIAL_LABELS}
        for k, v in p["intensity"].items():
            prow[f"强度潜力：{INDICATORS[k].name}(公顷)"] = v
        pot.append(prow)
        yos.append(_base(z) | {
            "尚可供应土地(公顷)": a["E"], "尚可供地年数I(按前三年年均)": y["years_by_3yr_avg"],
            "尚可供地年数II(按前五年最大)": y["years_by_5yr_max"],
            "尚可供应工矿仓储用地(公顷)": a["E21"],
            "工矿仓储尚可供地年数I": y["industrial_years_by_3yr_avg"],
            "工矿仓储尚可供地年数II": y["industrial_years_by_5yr_max"]})
    prof = doc["profile"]
    about = pd.DataFrame([
        {"项目": "评价方案", "内容": f"{prof['name']}（{prof.get('version_label', prof['version'])}）"},
        {"项目": "方案说明", "内容": prof.get("title", "")},
        {"项目": "程序版本", "内容": f"jiyue {doc.get('jiyue_version', '')}"},
        {"项目": "数据来源", "内容": _provenance_text(doc.get("provenance") or {})},
        {"项目": "面积单位", "内容": "公顷（1公顷=1万平方米=15亩）；建筑面积为万平方米；金额为万元"},
    ])
    return {"土地利用状况": pd.DataFrame(use), "土地供应状况": pd.DataFrame(sup), "建筑工程状况": pd.DataFrame(bld),
            "评价指标": pd.DataFrame(ind), "集约度分值": pd.DataFrame(score), "潜力测算": pd.DataFrame(pot),
            "尚可供地年数": pd.DataFrame(yos), "说明": about}


def _provenance_text(prov: dict[str, Any]) -> str:
    """Where the figures came from, in words: the package file (and its hash) or the store."""
    if prov.get("package"):
        return f"数据包 {prov['package']}（SHA-256 {str(prov.get('sha256') or '')[:12]}…）"
    if prov.get("db"):
        imports = "、".join(str(i) for i in prov.get("imports") or [])
        return f"数据库 {prov['db']}，导入批次 {imports or '—'}"
    return "；".join(f"{k}：{v}" for k, v in prov.items())


def write(doc: dict[str, Any], out: Path) -> Path:
    """Write the evaluation workbook."""
    with excel_writer(out) as xw:
        for name, df in frames(doc).items():
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes(1, 2 if name != "说明" else 0)
            for i, col in enumerate(df.columns):
                ws.set_column(i, i, min(40, max(10, len(str(col)) * 2)))
    return out
