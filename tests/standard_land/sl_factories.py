"""A tiny standard-land zone whose every figure is the spec's worked examples (C9–C13).

Zone SL1 (national-level ETDZ), three contracts:

* ``BH-07007`` — the 北海 parcel P-BH: 102.76 亩 (= 102.76 × 10000/15 m²), land price 2 570 万元,
  commitments 250 万元/亩 investment (C9) and FAR 0.7 (C10); completed 60 days late at 1‰ (C11).
  Plant: footprint 10 276 m², 2 storeys of 9 m (> 8 m, so counted twice) → 41 104 m² = FAR 0.6;
  a yard of 11 000 m² (building coefficient (10 276 + 11 000) / 68 506.67 = 31.06 %).
  Investment at acceptance 17 982 万元 excluding land → (17 982 + 2 570) / 102.76 = 200 万元/亩.
* ``KZ-31-76`` — the 开州 parcel P-KZ: 20 亩, land price 300 万元, tax commitment 5.87 万元/亩 (C13),
  value added per energy 2.5 and per emission 400; 2026 figures: tax 80, VA 1 000, energy 500,
  emission 2 → 4.0 万元/亩, 2.0 万元/tce, 500 万元/t. Review date 2027-06-30 → year 2026.
* ``ID-001`` — parcel P-ID, land price 2 570 万元, agreed start 2022-03-01, never started (C12).
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from factories import CRS, rect

MU = 10_000.0 / 15.0
BH_AREA = 102.76 * MU
KZ_AREA = 20.0 * MU
D = dt.date


def worked_layers() -> dict:
    zones = gpd.GeoDataFrame({
        "zone_code": ["SL1"], "name": ["标准地测试区"], "province": ["山东省"], "level": ["national"],
        "category": ["etdz"], "eval_type": ["industrial"]}, geometry=[rect(0, 0, 1000, 400)], crs=CRS)
    parcels = gpd.GeoDataFrame({
        "parcel_id": ["P-BH", "P-KZ", "P-ID", "P-FREE"],
        "zone_code": "SL1",
        "build_class": ["A2", "A2", "B21", "B21"],
        "supply_class": ["D21", "D21", "D21", "E21"],
        "area_m2": [BH_AREA, KZ_AREA, 10_000.0, 10_000.0],
        "user_id": ["E-BH", "E-KZ", "E-ID", None],
        "contract_no": ["BH-07007", "KZ-31-76", "ID-001", None],
    }, geometry=[rect(0, 0, 200, BH_AREA / 200), rect(300, 0, 100, KZ_AREA / 100), rect(500, 0, 100, 100),
                 rect(700, 0, 100, 100)], crs=CRS)
    buildings = gpd.GeoDataFrame({
        "building_id": ["BH-plant", "BH-yard"],
        "parcel_id": ["P-BH", "P-BH"],
        "kind": ["building", "yard"],
        "floors": [2, None],
        "floor_area_m2": [None, None],
        "footprint_m2": [10_276.0, 11_000.0],
        "storey_height_m": [9.0, None],
    }, geometry=[rect(10, 10, 100, 102.76), rect(10, 150, 100, 110)], crs=CRS)
    enterprises = pd.DataFrame({
        "enterprise_id": ["E-BH", "E-KZ", "E-ID"],
        "name": ["北海化工有限公司", "开州塑料制品有限公司", "闲置测试有限公司"],
        "industry_code": ["C2614", "C2927", "C3670"],
        "zone_code": "SL1",
    })
    enterprise_years = pd.DataFrame({
        "enterprise_id": ["E-KZ", "E-KZ"], "year": [2025, 2026],
        "tax_wan": [60.0, 80.0], "value_added_wan": [900.0, 1000.0], "energy_tce": [450.0, 500.0],
        "emission_t": [2.0, 2.0],
    })
    contracts = pd.DataFrame({
        "contract_no": ["BH-07007", "KZ-31-76", "ID-001"],
        "parcel_id": ["P-BH", "P-KZ", "P-ID"],
        "enterprise_id": ["E-BH", "E-KZ", "E-ID"],
        "signed_date": [D(2023, 3, 1), D(2022, 12, 1), D(2021, 11, 1)],
        "land_price_wan": [2570.0, 300.0, 2570.0],
        "delivery_date": [D(2023, 4, 1), D(2023, 1, 10), D(2021, 12, 1)],
        "start_agreed": [D(2023, 10, 1), D(2023, 6, 1), D(2022, 3, 1)],
        "completion_agreed": [D(2025, 4, 1), D(2025, 6, 1), D(2024, 3, 1)],
        "production_review_date": [D(2028, 4, 1), D(2027, 6, 30), None],
        "total_investment_wan": [25_690.0, 3_000.0, 20_000.0],
        "commit_fai_per_mu": [250.0, None, 200.0],
        "commit_far": [0.7, None, None],
        "commit_tax_per_mu": [None, 5.87, None],
        "commit_va_per_energy": [None, 2.5, None],
        "commit_va_per_emission": [None, 400.0, None],
        "late_start_permille": [1.0, 1.0, 1.0],
        "late_completion_permille": [1.0, 1.0, 1.0],
    })
    progress = pd.DataFrame([
        ("BH-07007", D(2023, 4, 1), "delivered", 0.0, 0.0),
        ("BH-07007", D(2023, 8, 1), "permit", 0.0, 500.0),
        ("BH-07007", D(2023, 9, 15), "commenced", 10_000.0, 3_000.0),
        ("BH-07007", D(2025, 5, 31), "completed", BH_AREA, 17_500.0),
        ("BH-07007", D(2025, 7, 15), "accepted", BH_AREA, 17_982.0),
        ("BH-07007", D(2025, 9, 1), "in_production", BH_AREA, 17_982.0),
        ("KZ-31-76", D(2023, 1, 10), "delivered", 0.0, 0.0),
        ("KZ-31-76", D(2023, 3, 1), "permit", 0.0, 100.0),
        ("KZ-31-76", D(2023, 4, 1), "commenced", 2_000.0, 500.0),
        ("KZ-31-76", D(2024, 3, 1), "completed", KZ_AREA, 2_600.0),
        ("KZ-31-76", D(2024, 5, 1), "accepted", KZ_AREA, 2_700.0),
        ("KZ-31-76", D(2024, 6, 1), "in_production", KZ_AREA, 2_700.0),
        ("ID-001", D(2021, 12, 1), "delivered", 0.0, 0.0),
    ], columns=["contract_no", "date", "event", "developed_area_m2", "invested_wan"])
    return {"zones": zones, "parcels": parcels, "buildings": buildings, "enterprises": enterprises,
            "enterprise_years": enterprise_years, "contracts": contracts, "progress": progress}


def by_indicator(contract: dict) -> dict:
    """The checks and controls of a contract entry keyed by indicator."""
    return {c["indicator"]: c for c in [*contract["checks"], *contract["controls"]]}


def contract(doc: dict, no: str) -> dict:
    return next(c for c in doc["contracts"] if c["contract_no"] == no)
