"""Date cells of the idle-land engine's tables: a date from whatever a cell holds, and back to text.

The anniversary arithmetic (满一年, 29 February, months, days) is a land rule shared by every
engine: it lives in :mod:`jiyue.landrules`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd


def to_date(value: Any) -> dt.date | None:
    """A ``datetime.date`` from a date, a Timestamp, a string or nothing (None / NaT / NaN)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    ts = pd.Timestamp(value)
    return None if pd.isna(ts) else ts.date()


def parse_date(value: Any) -> dt.date | None:
    """Like :func:`to_date`, but None instead of an exception for text that is not a date."""
    try:
        return to_date(value)
    except (ValueError, TypeError, OverflowError):
        return None


def iso(d: dt.date | None) -> str | None:
    """ISO text of a date, or None."""
    return d.isoformat() if d is not None else None
