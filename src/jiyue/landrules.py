"""The land rules every engine shares: floor area, the 8 m storey rule, 亩 conversion, anniversaries.

One place for each rule, so that the evaluation (SQL over the store), the idle-land and
standard-land engines (pandas), the per-mu engine and the demo cannot drift apart. The numbers
live in the shared national controls (``jiyue/rulefiles/national-controls.toml``: ``tall_storey_m``,
``tall_storey_factor``, ``m2_per_ha``, ``mu_per_ha``), each with its public source, and are read
here once through :mod:`jiyue.rulefiles`.

**Floor area** (计容建筑面积; data contract ``buildings.floor_area_m2``; 《工业项目建设用地控制指标》
容积率): a building's recorded ``floor_area_m2`` when given (0 included), else
footprint × floors (1 floor when ``floors`` is empty), a storey higher than ``tall_storey_m``
(8 m; exactly 8 m counts once) counting ``tall_storey_factor`` (2) times. Only ``kind =
building`` (or an empty kind) has floor area; structures and yards have none. The same rule in
two forms built from the same constants: :func:`floor_area_sql` (a DuckDB / PostgreSQL
expression) and :func:`floor_area` (pandas / numpy arrays). ``tall_storeys=False`` gives the
real floor space (建筑面积, no doubling), which the per-mu engine divides floor-space leases by.

**Area units**: inside jiyue areas are m²; zone indicators are per hectare, per-mu ones per 亩.
1 ha = 10 000 m² = 15 亩, so 1 亩 = 10 000 / 15 m² exactly; conversions multiply before they
divide (``m2 × 15 / 10 000``) so that 2 000 m² is exactly 3 亩. :data:`M2_PER_MU` is the same
number for code that divides by it.

**Anniversaries** (满一年 of Order 53 and the contracts): a period that starts on 2020-03-01 is a
full year old on 2021-03-01 (the anniversary itself counts). A start on 29 February has no
anniversary in a common year: ``leap_rule`` ``feb28`` (the default) takes 28 February, ``mar1``
1 March. The sources do not settle it (docs/sources/mlr-order-53.md §A.4), so the idle-land rule
file chooses (``[idle] leap_day``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from jiyue.rulefiles import lookup

__all__ = [
    "LEAP_RULES", "M2_PER_HA", "M2_PER_MU", "MU_PER_HA", "TALL_STOREY_FACTOR", "TALL_STOREY_M",
    "add_days", "add_months", "add_years", "days_between", "floor_area", "floor_area_sql", "full_years",
    "ha_to_m2", "ha_to_mu", "is_building", "is_tall_storey", "m2_to_ha", "m2_to_mu", "months_begun",
    "mu_to_ha", "mu_to_m2", "storey_factor",
]

# --------------------------------------------------------------------------- constants
#: a storey higher than this (m) counts ``TALL_STOREY_FACTOR`` times in the floor area
TALL_STOREY_M: float = float(lookup("national-controls.tall_storey_m.value"))
TALL_STOREY_FACTOR: int = int(lookup("national-controls.tall_storey_factor.value"))
#: 1 ha = 10 000 m² = 15 亩
M2_PER_HA: float = float(lookup("national-controls.m2_per_ha.value"))
MU_PER_HA: float = float(lookup("national-controls.mu_per_ha.value"))
M2_PER_MU: float = M2_PER_HA / MU_PER_HA  # 10000/15, never a rounded figure

LEAP_RULES = ("feb28", "mar1")


# --------------------------------------------------------------------------- floor area
def floor_area_sql(alias: str = "", *, tall_storeys: bool = True) -> str:
    """SQL expression of a building's floor area (m²); NULL for structures and yards.

    Columns read (prefixed with ``alias.``): ``kind``, ``floor_area_m2``, ``footprint_eff_m2``,
    ``floors``, ``storey_height_m``.
    """
    a = f"{alias}." if alias else ""
    factor = (f" * CASE WHEN {a}storey_height_m > {TALL_STOREY_M!r} THEN {TALL_STOREY_FACTOR} ELSE 1 END"
              if tall_storeys else "")
    return (f"CASE WHEN COALESCE({a}kind, 'building') = 'building' THEN COALESCE({a}floor_area_m2, "
            f"{a}footprint_eff_m2 * COALESCE({a}floors, 1){factor}) END")


def is_tall_storey(height_m: Any) -> Any:
    """Whether a storey counts more than once: higher than 8 m (a scalar, or an array of booleans;
    an empty height is not tall)."""
    if np.ndim(height_m) == 0:
        try:
            return bool(float(height_m) > TALL_STOREY_M)  # NaN > 8 is False
        except (TypeError, ValueError):  # None, NA, text
            return False
    h = pd.to_numeric(pd.Series(np.asarray(height_m, dtype=object)), errors="coerce").to_numpy(dtype=float)
    return np.nan_to_num(h, nan=0.0) > TALL_STOREY_M


def storey_factor(height_m: Any) -> Any:
    """How many times a storey of this height counts: 2 above 8 m, else 1 (scalar or array)."""
    tall = is_tall_storey(height_m)
    if np.ndim(tall) == 0:
        return TALL_STOREY_FACTOR if tall else 1
    return np.where(tall, float(TALL_STOREY_FACTOR), 1.0)


def _num(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").astype(float)


def is_building(frame: pd.DataFrame) -> pd.Series:
    """Rows that have floor area: ``kind`` is ``building`` or empty (no column: every row)."""
    if "kind" not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame["kind"].astype(object).where(frame["kind"].notna(), "building").eq("building")


def floor_area(buildings: pd.DataFrame, *, footprint: pd.Series | None = None,
               tall_storeys: bool = True) -> pd.Series:
    """Floor area (m²) of each building row — the array form of :func:`floor_area_sql`.

    The footprint is ``footprint`` when given, else ``footprint_eff_m2``, else ``footprint_m2``;
    structures and yards get NaN (like the SQL NULL), so ``.sum()`` leaves them out.
    """
    if footprint is None:
        footprint = _num(buildings, "footprint_eff_m2").fillna(_num(buildings, "footprint_m2"))
    else:
        footprint = pd.to_numeric(pd.Series(footprint, index=buildings.index), errors="coerce").astype(float)
    floors = _num(buildings, "floors").fillna(1.0)
    derived = footprint * floors
    if tall_storeys:
        derived = derived * storey_factor(_num(buildings, "storey_height_m").to_numpy())
    fa = _num(buildings, "floor_area_m2").fillna(derived)
    return fa.where(is_building(buildings))


# --------------------------------------------------------------------------- area units
def m2_to_mu(m2: Any) -> Any:
    """m² → 亩 (× 15 ÷ 10 000: 2 000 m² is exactly 3 亩); scalars and arrays."""
    return m2 * MU_PER_HA / M2_PER_HA


def mu_to_m2(mu: Any) -> Any:
    """亩 → m² (× 10 000 ÷ 15: 15 亩 is exactly 10 000 m²)."""
    return mu * M2_PER_HA / MU_PER_HA


def m2_to_ha(m2: Any) -> Any:
    """m² → hectares."""
    return m2 / M2_PER_HA


def ha_to_m2(ha: Any) -> Any:
    """Hectares → m²."""
    return ha * M2_PER_HA


def ha_to_mu(ha: Any) -> Any:
    """Hectares → 亩."""
    return ha * MU_PER_HA


def mu_to_ha(mu: Any) -> Any:
    """亩 → hectares."""
    return mu / MU_PER_HA


# --------------------------------------------------------------------------- anniversaries
def add_years(start: dt.date, years: int, leap_rule: str = "feb28") -> dt.date:
    """The ``years``-th anniversary of ``start`` (29 Feb → 28 Feb, or 1 Mar with ``mar1``, in a
    common year)."""
    year = start.year + years
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28) if leap_rule == "feb28" else dt.date(year, 3, 1)


def full_years(start: dt.date, as_of: dt.date, leap_rule: str = "feb28") -> int:
    """How many anniversaries of ``start`` have been reached on ``as_of`` (0 before the first)."""
    if as_of < start:
        return 0
    n = as_of.year - start.year
    while n > 0 and add_years(start, n, leap_rule) > as_of:
        n -= 1
    return n


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
