"""Tabular outputs shared by commands: the problem table as CSV or XLSX (Chinese headers)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jiyue.errors import Problem

PROBLEM_HEADERS = {
    "severity": "严重程度", "code": "问题代码", "layer": "图层", "row_id": "记录编号", "row": "行号",
    "field": "字段", "found": "实际值", "expected": "应为", "message": "说明",
}


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problem table with Chinese headers."""
    df = pd.DataFrame([p.to_dict() for p in problems], columns=list(PROBLEM_HEADERS))
    df["severity"] = df["severity"].map({"error": "错误", "warning": "警告"})
    return df.rename(columns=PROBLEM_HEADERS)


def write_problems(problems: list[Problem], out: Path) -> Path:
    """Write the problem table to ``out`` (.xlsx or .csv, chosen by suffix)."""
    df = problems_frame(problems)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        df.to_excel(out, index=False, sheet_name="问题清单", engine="xlsxwriter")
    else:
        df.to_csv(out, index=False, encoding="utf-8-sig")
    return out
