"""The ranking workbook (Chinese headers): rankings per type, averages, year on year."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jiyue.evaluation.indicators import INDICATORS
from jiyue.codes import EVAL_TYPE_LABELS
from jiyue.ranking.regions import CATEGORY_LABELS
from jiyue.workbook import write_frames


def frames(doc: dict[str, Any]) -> dict[str, pd.DataFrame]:
    sheets: dict[str, pd.DataFrame] = {}
    for t, label in EVAL_TYPE_LABELS.items():
        rows = [r for r in doc["rankings"] if r["eval_type"] == t]
        if not rows:
            continue
        sheets[f"{label}排名"] = pd.DataFrame([{
            "全国排名": r["rank_national"], "全国参评数": r["of_national"], "省内排名": r["rank_province"],
            "省内参评数": r["of_province"], "开发区代码": r["zone_code"], "开发区名称": r["name"], "省份": r["province"],
            "区域": r["region"], "类别": CATEGORY_LABELS.get(r["category"], r["category"]),
            "土地利用集约度分值": r["score"], "缺失指标": "、".join(INDICATORS[k].name for k in r["missing"]),
        } for r in rows])
    avg_rows = []
    for scope, groups in (("全国", {"全国": doc["averages"]["national"]}), ("区域", doc["averages"]["region"]),
                          ("省份", doc["averages"]["province"]), ("类别", doc["averages"]["category"])):
        for g, by_type in groups.items():
            for t, block in by_type.items():
                row = {"范围": scope, "分组": CATEGORY_LABELS.get(g, g), "评价类型": EVAL_TYPE_LABELS.get(t, "全部"),
                       "开发区数": block["count"], "平均分值": block["score_mean"]}
                for k, v in block["ratio"].items():
                    row[f"{INDICATORS[k].name}（总量比）"] = v
                for k, v in block["mean"].items():
                    row[f"{INDICATORS[k].name}（算术平均）"] = v
                avg_rows.append(row)
    sheets["平均水平"] = pd.DataFrame(avg_rows)
    if "year_on_year" in doc:
        yoy = []
        for z in doc["year_on_year"]["zones"]:
            row = {"开发区代码": z["zone_code"], "开发区名称": z["name"], "基期分值": z["score"]["base"],
                   "本期分值": z["score"]["current"], "分值变化": z["score"]["change"],
                   "基期全国排名": z["rank_national"]["base"], "本期全国排名": z["rank_national"]["current"],
                   "排名变化(正为上升)": z["rank_national"]["change"]}
            for k, c in z["indicators"].items():
                row[f"{INDICATORS[k].name}变化"] = c["change"]
            yoy.append(row)
        sheets["同比变化"] = pd.DataFrame(yoy)
    return sheets


def write(doc: dict[str, Any], out: Path) -> Path:
    return write_frames(out, {name[:31]: df for name, df in frames(doc).items()})
