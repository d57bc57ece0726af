"""How figures are written and numbered in the reports: two decimals, no thousands separator, "—"
for missing; 表1, 图1 … in order of appearance.

Chinese official statistics write 8984.30 rather than 8,984.30; the same two helpers are used
by the templates (as Jinja filters), the circular sentences and the chart labels.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "—"


def fmt(v: Any, digits: int = 2) -> str:
    """A figure with ``digits`` decimals; integers as they are; None/NaN as "—"."""
    if v is None:
        return MISSING
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(f) or math.isinf(f):
        return MISSING
    if round(f, digits) == 0:
        f = 0.0  # never print "-0.00"
    return f"{f:.{digits}f}"


def signed(v: Any, digits: int = 2) -> str:
    """A change with its sign: +1.20 / −0.35 / 0.00."""
    if v is None:
        return MISSING
    f = float(v)
    if math.isnan(f):
        return MISSING
    s = fmt(abs(f), digits)
    if float(s) == 0:
        return s
    return ("+" if f > 0 else "−") + s


class Numbering:
    """Running numbers of tables (``t()``) and figures (``f()``) in one report."""

    def __init__(self) -> None:
        self.table = 0
        self.figure = 0

    def t(self) -> int:
        self.table += 1
        return self.table

    def f(self) -> int:
        self.figure += 1
        return self.figure
