"""What a contract's parcel and enterprise actually achieved: the figures the checks compare.

* **Site** (at acceptance): land area, floor area and footprints of the buildings on the parcel.
  Floor area is :func:`jiyue.landrules.floor_area` (the evaluation's rule):
  ``floor_area_m2`` when recorded, else footprint × floors (1 when empty), doubled when
  ``storey_height_m`` exceeds :data:`jiyue.landrules.TALL_STOREY_M` (8 m); only
  ``kind = building`` has floor area; buildings, structures and yards all count in the
  building coefficient (建筑系数). A building belongs to the parcel in ``parcel_eff`` (assigned at
  validation from its footprint) or, without it, to its own ``parcel_id``.
* **Enterprise figures** (at the production review): the enterprise's ``enterprise_years`` row of
  the review year and the land its per-mu figures are divided by.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jiyue.values import to_num
from jiyue import landrules
from jiyue.landrules import M2_PER_MU


def floor_area(buildings: pd.DataFrame) -> pd.Series:
    """Floor area (m²) of each building row under the accounting rule; 0 for structures and yards."""
    if buildings.empty:
        return pd.Series(dtype=float)
    return landrules.floor_area(buildings).where(landrules.is_building(buildings), 0.0)


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype=float)
    return pd.to_numeric(df[name], errors="coerce").astype(float)


@dataclass(frozen=True)
class Site:
    """The parcel of a contract as built."""

    parcel_id: str
    found: bool  # the parcel is in the parcels layer
    area_m2: float | None
    has_buildings_layer: bool
    n_buildings: int = 0
    floor_area_m2: float = 0.0
    footprint_all_m2: float = 0.0  # buildings + structures + yards

    @property
    def mu(self) -> float | None:
        return self.area_m2 / M2_PER_MU if self.area_m2 else None


def site(parcel_id: str, parcel: dict[str, Any] | None, buildings: pd.DataFrame | None) -> Site:
    """Measure the parcel ``parcel_id`` (its row, None when absent): area and what stands on it.

    ``buildings`` is the buildings layer (or just the rows on this parcel); None = no layer.
    """
    if parcel is None:
        return Site(str(parcel_id), False, None, buildings is not None)
    area = _first_number(parcel, ("area_eff_m2", "area_m2", "geom_area_m2"))
    if buildings is None:
        return Site(str(parcel_id), True, area, False)
    key = "parcel_eff" if "parcel_eff" in buildings.columns else "parcel_id"
    on = buildings[buildings[key].astype("string") == str(parcel_id)]
    fp = _col(on, "footprint_eff_m2").fillna(_col(on, "footprint_m2"))
    return Site(str(parcel_id), True, area, True, int(len(on)), float(floor_area(on).sum()), float(fp.sum()))


def _first_number(row: dict[str, Any], names: tuple[str, ...]) -> float | None:
    for n in names:
        f = to_num(row.get(n))
        if f is not None:
            return f
    return None


def review_year(review_date: dt.date) -> int:
    """The last calendar year that ended on or before ``review_date`` (31 Dec counts as ended)."""
    return (review_date + dt.timedelta(days=1)).year - 1


@dataclass(frozen=True)
class Figures:
    """An enterprise's figures of one year, and the land (m²) its per-mu figures use."""

    enterprise_id: str
    year: int
    wanted_year: int
    row: dict[str, Any]
    own_m2: float
    lease_m2: float

    @property
    def land_m2(self) -> float:
        return self.own_m2 + self.lease_m2

    def value(self, name: str) -> float | None:
        return to_num(self.row.get(name))


def enterprise_figures(enterprise_id: str, review_date: dt.date, enterprise_years: pd.DataFrame,
                       parcels: pd.DataFrame, contract_parcel: Site, land_basis: str) -> Figures | None:
    """The enterprise's row for the review year (or the review date's own year as a fallback)."""
    ey = enterprise_years[enterprise_years["enterprise_id"].astype(str) == str(enterprise_id)]
    want = review_year(review_date)
    years = pd.to_numeric(ey["year"], errors="coerce")
    pick = ey[years == want]
    used = want
    if pick.empty:
        pick = ey[years == review_date.year]
        used = review_date.year
    if pick.empty:
        return None
    row = pick.iloc[0].to_dict()
    if land_basis == "contract_parcel":
        own, lease = contract_parcel.area_m2 or 0.0, 0.0
    else:
        mine = parcels[(parcels["user_id"].astype("string") == str(enterprise_id))
                       & (parcels["parcel_id"].astype(str) != contract_parcel.parcel_id)] \
            if "user_id" in parcels.columns else parcels.iloc[0:0]
        own = float(_col(mine, "area_eff_m2").fillna(_col(mine, "area_m2")).sum()) + (contract_parcel.area_m2 or 0.0)
        lease_v = row.get("land_m2_extra")
        try:
            lease = float(lease_v)
            lease = 0.0 if math.isnan(lease) else lease
        except (TypeError, ValueError):
            lease = 0.0
    return Figures(str(enterprise_id), used, want, row, own, lease)
