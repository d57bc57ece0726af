"""The one way jiyue opens an Excel workbook for writing: user text is stored as text.

Names, ids, notes and problem descriptions in the exported workbooks come from uploaded data.
By default xlsxwriter turns a string that starts with ``=`` into a live formula and one that
looks like a URL into a hyperlink, so a parcel named ``=HYPERLINK("http://…","点击")`` would
run in the clerk's Excel (spreadsheet formula injection). Every workbook is therefore opened
here with those conversions off: such a string is a plain text cell (``+1+1``, ``-2+3``,
``@SUM(A1)`` too), and a code such as ``0601`` stays text. A test checks that no other module
opens a workbook for writing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import xlsxwriter

#: xlsxwriter options of every workbook written: no string becomes a formula, a hyperlink or a number
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def excel_writer(out: Path) -> pd.ExcelWriter:
    """A pandas ExcelWriter (xlsxwriter) on ``out`` that stores every string as text; the folder
    is created. Use it as a context manager: ``with excel_writer(out) as xw: df.to_excel(xw, …)``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return pd.ExcelWriter(out, engine="xlsxwriter", engine_kwargs={"options": dict(SAFE_OPTIONS)})


def open_workbook(out: Path) -> "xlsxwriter.Workbook":
    """A plain xlsxwriter Workbook on ``out`` with the same options (for hand-laid sheets); the folder
    is created. The caller closes it."""
    import xlsxwriter

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return xlsxwriter.Workbook(str(out), dict(SAFE_OPTIONS))


def write_frames(out: Path, sheets: dict[str, pd.DataFrame], *, freeze: tuple[int, int] | None = (1, 0)) -> Path:
    """Write one sheet per frame (no index), header row frozen: the simple workbook."""
    with excel_writer(out) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
            if freeze:
                xw.sheets[name].freeze_panes(*freeze)
    return Path(out)
