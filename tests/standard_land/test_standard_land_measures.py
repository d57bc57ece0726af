"""What stands on a parcel (floor area with the 8 m rule) and which enterprise year is reviewed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from jiyue.standard_land.measures import enterprise_figures, floor_area, review_year, site


def test_floor_area_rule() -> None:
    b = pd.DataFrame({
        "parcel_eff": ["P"] * 6,
        "kind": ["building", "building", "building", None, "structure", "yard"],
        "floors": [2, 3, None, 2, None, None],
        "floor_area_m2": [None, 999.0, None, None, None, None],
        "footprint_eff_m2": [100.0, 100.0, 50.0, 10.0, 40.0, 60.0],
        "storey_height_m": [9.0, 12.0, None, 8.0, None, None],
    })
    # 100 × 2 × 2 (9 m > 8 m) = 400; recorded 999 wins over the rule; 50 × 1 floor; 10 × 2 (8 m is not > 8)
    assert floor_area(b).tolist() == [400.0, 999.0, 50.0, 20.0, 0.0, 0.0]
    s = site("P", {"parcel_id": "P", "area_eff_m2": 1000.0}, b)
    assert (s.n_buildings, s.floor_area_m2, s.footprint_all_m2) == (6, 1469.0, 360.0)
    assert s.mu == pytest.approx(1.5)
    assert not site("Q", None, b).found
    assert site("P", {"area_m2": 1000.0}, None).has_buildings_layer is False


@pytest.mark.parametrize(("d", "year"), [(dt.date(2027, 6, 30), 2026), (dt.date(2026, 12, 31), 2026),
                                         (dt.date(2027, 1, 1), 2026)])
def test_review_year(d: dt.date, year: int) -> None:
    assert review_year(d) == year


def test_enterprise_figures_year_fallback() -> None:
    ey = pd.DataFrame({"enterprise_id": ["E", "E"], "year": [2024, 2025], "tax_wan": [1.0, 2.0]})
    contract_site = site("P", {"area_eff_m2": 2000.0}, None)
    parcels = pd.DataFrame({"parcel_id": ["P"], "user_id": ["E"], "area_eff_m2": [2000.0]})
    f = enterprise_figures("E", dt.date(2025, 6, 30), ey, parcels, contract_site, "contract_parcel")
    assert (f.year, f.wanted_year, f.value("tax_wan"), f.land_m2) == (2024, 2024, 1.0, 2000.0)
    f = enterprise_figures("E", dt.date(2026, 6, 30), ey, parcels, contract_site, "contract_parcel")
    assert (f.year, f.wanted_year) == (2025, 2025)
    f = enterprise_figures("E", dt.date(2025, 6, 30), ey[ey.year == 2025], parcels, contract_site, "contract_parcel")
    assert (f.year, f.wanted_year) == (2025, 2024)  # the review date's own year as a fallback
    assert enterprise_figures("E", dt.date(2030, 6, 30), ey, parcels, contract_site, "contract_parcel") is None
