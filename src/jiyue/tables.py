"""Tabular outputs shared by commands: the problem table as CSV or XLSX (Chinese headers), and
text columns padded to their display width in a terminal."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

from jiyue.errors import Problem
from jiyue.workbook import write_frames

PROBLEM_HEADERS = {
    "severity": "严重程度", "code": "问题代码", "layer": "图层", "row_id": "记录编号", "row": "行号",
    "field": "字段", "found": "实际值", "expected": "应为", "message": "说明",
}


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problem table with Chinese headers."""
    df = pd.DataFrame([p.to_dict() for p in problems], columns=list(PROBLEM_HEADERS))
    df["severity"] = df["severity"].map({"error": "错误", "warning": "警告"})
    return df.rename(columns=PROBLEM_HEADERS)


# a CSV cell Excel would run as a formula starts so (OWASP "CSV injection")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(v: object) -> object:
    """A cell for a CSV a clerk opens in Excel: text that Excel would run as a formula gets a
    leading ``'`` (shown as text, not run); plain numbers such as ``-150`` stay as they are."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        try:
            float(v)
        except ValueError:
            return "'" + v
    return v


def write_problems(problems: list[Problem], out: Path) -> Path:
    """Write the problem table to ``out`` (.xlsx or .csv, chosen by suffix). Text from the
    package is never a formula: stored as text in the workbook, quoted with ``'`` in the CSV."""
    df = problems_frame(problems)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        write_frames(out, {"问题清单": df})
    else:
        df.map(csv_text).to_csv(out, index=False, encoding="utf-8-sig")
    return out


def text_width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese (East Asian wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def pad(text: str, width: int, right: bool = False, *, clip: bool = False) -> str:
    """``text`` padded to a display width (right-aligned with ``right``); ``clip`` cuts a text
    that is wider than the column."""
    while clip and text_width(text) > width and len(text) > 1:
        text = text[:-1]
    fill = " " * max(0, width - text_width(text))
    return fill + text if right else text + fill
