"""A tiny hand-made zone for the idle-land tests: six parcels whose every finding is hand arithmetic.

Parcels (100 m wide strips, EPSG:4527), as of 2020-12-31:

====  ======  =====  ==========  ========  ===============================================
id    class   use    granted     contract  story
====  ======  =====  ==========  ========  ===============================================
I1    B21/D21 0601   2017-03-01  K1        start agreed 2018-01-01, never commenced → idle
                                           (enterprise), 2 full years on 2020-01-01 → recovery;
                                           price 500 万元 → fee 100 万元; late start 1‰/day
I2    B21/D21 0601   2018-05-01  K2        start agreed 2019-01-01 but land delivered
                                           2019-06-01 → government cause 1 → negotiate
I3    A2/D21  0601   2016-06-01  K3        completed and producing; agreed total 3 000 万元
                                           incl. price 300; invested 2 700 → no shortfall
I4    A2/D21  0601   2015-05-01  K4        granted before 2016: not in the 2016 inventory; no
                                           in_production event (建而未投); FAR 0.45 < 0.8 (textiles)
I5    B21/D21 0701   2017-01-01  K5        residential, no progress at all: idle since 2018-06-01,
                                           3 full years → recovery, fee 600 万元; not industrial
I6    B21/E21 —      —           —         unsupplied (批而未供)
====  ======  =====  ==========  ========  ===============================================
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd

from factories import CRS, rect, write_gpkg

D = dt.date


def idle_package() -> dict[str, object]:
    zones = gpd.GeoDataFrame({"zone_code": ["Z1"], "name": ["测试开发区"], "province": ["山东省"],
                              "level": ["national"], "category": ["etdz"], "eval_type": ["industrial"]},
                             geometry=[rect(0, 0, 600, 200)], crs=CRS)
    ids = ["I1", "I2", "I3", "I4", "I5", "I6"]
    parcels = gpd.GeoDataFrame({
        "parcel_id": ids, "zone_code": ["Z1"] * 6,
        "build_class": ["B21", "B21", "A2", "A2", "B21", "B21"],
        "supply_class": ["D21", "D21", "D21", "D21", "D21", "E21"],
        "area_m2": [20000.0] * 6,
        "land_use_code": ["0601", "0601", "0601", "0601", "0701", None],
        "user_id": ["E1", "E2", "E3", "E4", "E5", None],
        "supply_date": [D(2017, 3, 1), D(2018, 5, 1), D(2016, 6, 1), D(2015, 5, 1), D(2017, 1, 1), None],
        "supply_method": ["listing", "listing", "listing", "agreement", "auction", None],
        "contract_no": ["K1", "K2", "K3", "K4", "K5", None],
    }, geometry=[rect(100 * i, 0, 100, 200) for i in range(6)], crs=CRS)
    buildings = gpd.GeoDataFrame({
        "building_id": ["B3", "B4"], "parcel_id": ["I3", "I4"], "kind": ["building", "building"],
        "floors": [2, 1], "floor_area_m2": [None, None], "footprint_m2": [8000.0, 9000.0],
        "storey_height_m": [6.0, 6.0]}, geometry=[rect(210, 10, 80, 100), rect(310, 10, 90, 100)], crs=CRS)
    enterprises = pd.DataFrame({"enterprise_id": ["E1", "E2", "E3", "E4", "E5"],
                                "name": ["甲机械有限公司", "乙电气有限公司", "丙食品有限公司", "丁纺织有限公司", "戊置业有限公司"],
                                "industry_code": ["C3489", "C3823", "C3311", "C1713", "K7010"]})
    contracts = pd.DataFrame({
        "contract_no": ["K1", "K2", "K3", "K4", "K5"], "parcel_id": ["I1", "I2", "I3", "I4", "I5"],
        "enterprise_id": ["E1", "E2", "E3", "E4", "E5"],
        "signed_date": [D(2017, 3, 1), D(2018, 5, 1), D(2016, 6, 1), D(2015, 5, 1), D(2017, 1, 1)],
        "land_price_wan": [500.0, 400.0, 300.0, 200.0, 3000.0],
        "delivery_date": [D(2017, 4, 1), D(2019, 6, 1), D(2016, 7, 1), D(2015, 6, 1), D(2017, 2, 1)],
        "start_agreed": [D(2018, 1, 1), D(2019, 1, 1), D(2017, 1, 1), D(2016, 1, 1), D(2017, 6, 1)],
        "completion_agreed": [D(2020, 1, 1), D(2021, 1, 1), D(2019, 1, 1), D(2018, 1, 1), D(2020, 6, 1)],
        "total_investment_wan": [5000.0, 4000.0, 3000.0, 2000.0, 20000.0],
        "late_start_permille": [1.0, 1.0, 1.0, 1.0, None],
        "late_completion_permille": [None, None, 1.0, 1.0, None],
    })
    progress = pd.DataFrame({
        "contract_no": ["K1", "K2", "K2", "K3", "K3", "K3", "K3", "K4", "K4", "K4"],
        "date": [D(2017, 4, 1), D(2019, 6, 1), D(2019, 8, 1), D(2016, 7, 1), D(2016, 11, 1), D(2016, 12, 20),
                 D(2018, 12, 1), D(2015, 6, 1), D(2015, 12, 1), D(2015, 12, 20)],
        "event": ["delivered", "delivered", "permit", "delivered", "permit", "commenced", "completed",
                  "delivered", "permit", "commenced"],
        "developed_area_m2": [None, None, None, None, None, 5000.0, 20000.0, None, None, 6000.0],
        "invested_wan": [None, None, None, None, None, 500.0, 2700.0, None, None, 300.0],
    })
    progress = pd.concat([progress, pd.DataFrame({
        "contract_no": ["K3", "K4"], "date": [D(2019, 2, 1), D(2017, 12, 1)], "event": ["in_production", "completed"],
        "developed_area_m2": [20000.0, 20000.0], "invested_wan": [2700.0, 1800.0]})], ignore_index=True)
    return {"zones": zones, "parcels": parcels, "buildings": buildings, "enterprises": enterprises,
            "contracts": contracts, "progress": progress}


def write_idle_package(path: Path) -> Path:
    return write_gpkg(idle_package(), path)


_TEMPLATE: dict[str, Path] = {}


def imported_store(tmp: Path) -> Path:
    """A fresh copy of the idle package imported into a store (built once per session); also
    writes the package to ``tmp / "idle.gpkg"``. Returns the store path."""
    import shutil
    import tempfile

    from jiyue.store import import_package
    from jiyue.validate import validate_path

    if "db" not in _TEMPLATE:
        base = Path(tempfile.mkdtemp(prefix="jiyue-idle-"))
        pkg = write_idle_package(base / "idle.gpkg")
        report = validate_path(pkg)
        assert report.ok, [p.message for p in report.errors]
        import_package(base / "idle.duckdb", report, year=2020)
        _TEMPLATE.update(db=base / "idle.duckdb", pkg=pkg)
    shutil.copy(_TEMPLATE["pkg"], tmp / "idle.gpkg")
    shutil.copy(_TEMPLATE["db"], tmp / "idle.duckdb")
    return tmp / "idle.duckdb"
