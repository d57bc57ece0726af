"""Calendar arithmetic of the idle-land rules: anniversaries, full years, months, days.

"满一年" (a full year) is counted by calendar anniversaries: a period that starts on
2020-03-01 is a full year old on 2021-03-01 (the anniversary day itself counts). A start on
29 February has no anniversary in a common year; the rules file chooses 28 February
(``feb28``, the default) or 1 March (``mar1``). The sources do not settle it (docs/sources/mlr-order-53.md §A.4, own
convention), so it is configuration.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

LEAP_RULES = ("feb28", "mar1")


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


def add_years(start: dt.date, years: int, leap_rule: str = "feb28") -> dt.date:
    """The ``years``-th anniversary of ``start`` (29 Feb → 28 Feb or 1 Mar in a common year)."""
    year = start.year + years
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28) if leap_rule == "feb28" else dt.date(year, 3, 1)


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` moved by whole calendar months; a missing day becomes the month's last day."""
    m = start.month - 1 + months
    year, month = start.year + m // 12, m % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(start.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def full_years(start: dt.date, as_of: dt.date, leap_rule: str = "feb28") -> int:
    """How many anniversaries of ``start`` have been reached on ``as_of`` (0 before the first)."""
    if as_of < start:
        return 0
    n = as_of.year - start.year
    while n > 0 and add_years(start, n, leap_rule) > as_of:
        n -= 1
    return n


def months_begun(start: dt.date, as_of: dt.date) -> int:
    """Calendar months elapsed from ``start`` to ``as_of``, a part month counting as a whole one.

    0 on ``start`` itself; 12 exactly one year later; 15 at 14 months and a few days.
    """
    if as_of <= start:
        return 0
    n = (as_of.year - start.year) * 12 + as_of.month - start.month
    while n > 0 and add_months(start, n) > as_of:
        n -= 1
    return n + (1 if add_months(start, n) < as_of else 0)


def days_between(start: dt.date, end: dt.date) -> int:
    """Whole days from ``start`` to ``end`` (``end`` − ``start``; 0 when the same day)."""
    return (end - start).days


def add_days(start: dt.date, days: int) -> dt.date:
    """``start`` + ``days``."""
    return start + dt.timedelta(days=days)


def iso(d: dt.date | None) -> str | None:
    """ISO text of a date, or None."""
    return d.isoformat() if d is not None else None
