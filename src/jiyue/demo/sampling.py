"""Random draws of the demo (dates, weighted choices)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np


# --------------------------------------------------------------------------- small helpers
def rand_date(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """Uniform random date in [start, end]."""
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def shift_days(d: dt.date, n: float) -> dt.date:
    return d + dt.timedelta(days=int(round(n)))


def weighted(rng: np.random.Generator, items: Sequence[Any], weights: Sequence[float]) -> Any:
    w = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=w / w.sum()))]
