"""Plain Python values from table cells: None for every kind of empty (None, NaN, NA, NaT).

Tables come from packages and from the store with pandas' many missing-value markers; the
engines that walk rows one by one read cells through these helpers.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd


def is_empty(v: Any) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def to_num(v: Any) -> float | None:
    """A float, or None when empty or not a number."""
    if is_empty(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def to_text(v: Any) -> str | None:
    """Trimmed text, or None when empty."""
    if is_empty(v):
        return None
    s = str(v).strip()
    return s or None


def to_bool(v: Any) -> bool | None:
    """A bool, or None when empty."""
    if is_empty(v):
        return None
    return bool(v)


def to_date(v: Any) -> dt.date | None:
    """A date from a date, datetime, Timestamp or ISO string; None for empty or unreadable values."""
    if is_empty(v):
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        ts = pd.to_datetime(v)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts.date()
