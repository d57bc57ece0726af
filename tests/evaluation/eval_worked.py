"""The synthetic zone of docs/sources/tdt1029-2017.md §9.5, built as a real package.

A = 500 ha (A2 300, A1 40, A4 160), B21 = 60, B22 = 100, B11 = 40, C1 = 50 (ha);
D = 520 (all of A + 20 ha of B21), G = 10; floor area on A 450 万m², on A2 270 万m²;
building footprint on A 160 万m²; footprint of buildings + structures + yards on A2 150 万m²;
FAI 3 000 000 万元; industrial tax 180 000 万元.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from factories import CRS, rect

HA = 10_000.0


def worked_package(*, with_area: bool = True, eval_type: str = "industrial") -> dict:
    # parcels laid side by side along x, each 1 000 m tall: width = area_ha × 10
    spec = [  # id, build, supply, ha, idle, supply_date
        ("A2-1", "A2", "D21", 300, False, dt.date(2015, 3, 1)),
        ("A1-1", "A1", "D21", 40, False, dt.date(2012, 1, 1)),
        ("A4-1", "A4", "D21", 160, False, dt.date(2018, 6, 1)),
        ("B21-idle", "B21", "D21", 10, True, dt.date(2019, 5, 1)),
        ("B21-sup", "B21", "D21", 10, False, dt.date(2020, 5, 1)),
        ("B21-free", "B21", "E21", 40, False, None),
        ("B22-1", "B22", "F", 100, False, None),
        ("B11-1", "B11", "F", 40, False, None),
        ("C1-1", "C1", "F", 50, False, None),
    ]
    geoms, x = [], 0.0
    for _, _, _, ha, _, _ in spec:
        w = ha * 10.0
        geoms.append(rect(x, 0, w, 1000))
        x += w
    parcels = gpd.GeoDataFrame({
        "parcel_id": [s[0] for s in spec], "zone_code": "W1",
        "build_class": [s[1] for s in spec], "supply_class": [s[2] for s in spec],
        "area_m2": [s[3] * HA if with_area else None for s in spec],
        "idle": [s[4] for s in spec], "supply_date": [s[5] for s in spec],
    }, geometry=geoms, crs=CRS)
    # A2 parcel spans x 0..3000: a 1500×800 plant (1.2 M m²) and a 375×800 yard (0.3 M m²)
    # A1 parcel x 3000..3400: 200×500 building (0.1 M m²); A4 x 3400..5000: 600×500 (0.3 M m²)
    buildings = gpd.GeoDataFrame({
        "building_id": ["b-plant", "b-yard", "b-res", "b-shop"],
        "parcel_id": [None, None, None, None],
        "kind": ["building", "yard", "building", "building"],
        "floor_area_m2": [2_700_000.0, None, 600_000.0, 1_200_000.0],
        "floors": [None, None, None, None],
    }, geometry=[rect(100, 100, 1500, 800), rect(1700, 100, 375, 800), rect(3100, 100, 200, 500),
                 rect(3500, 100, 600, 500)], crs=CRS)
    zones = gpd.GeoDataFrame({
        "zone_code": ["W1"], "name": ["示例开发区"], "province": ["山东省"], "level": ["provincial"],
        "category": ["etdz"], "eval_type": [eval_type]}, geometry=[rect(0, 0, x, 1000)], crs=CRS)
    zone_years = pd.DataFrame({"zone_code": ["W1"], "year": [2020], "industrial_fai_wan": [3_000_000.0],
                               "industrial_tax_wan": [180_000.0], "tax_total_wan": [250_000.0],
                               "population": [30_000]})
    return {"zones": zones, "parcels": parcels, "buildings": buildings, "zone_years": zone_years}


# hand arithmetic of §9.5 (plus tax_per_ha and population_density from the zone_years above)
EXPECTED = {
    "supply_rate": 520 / 560 * 100,          # 92.857 %
    "built_rate": 500 / 520 * 100,           # 96.154 %
    "development_rate": 560 / 700 * 100,     # 80 %
    "industrial_land_ratio": 60.0,
    "far": 0.90,
    "building_density": 32.0,
    "industrial_far": 0.90,
    "industrial_building_coefficient": 50.0,
    "industrial_fai_intensity": 10_000.0,
    "industrial_tax_per_ha": 600.0,
    "tax_per_ha": 500.0,                     # 250 000 / 500
    "population_density": 60.0,              # 30 000 / 500
    "idle_rate": 10 / 520 * 100,             # 1.923 %
}
