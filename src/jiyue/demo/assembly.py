"""Assembly of the layers: the frames of every layer and :func:`build_demo`."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jiyue.demo.breaches import idle_parcels
from jiyue.demo.buildings import (
    Footprint,
    calibrate_far,
    leave_some_unrecorded,
    lot_footprints,
    record,
    settle_far_commitments,
)
from jiyue.demo.contracts import Contract, make_contracts
from jiyue.demo.economy import enterprise_years
from jiyue.demo.enterprises import Firm, assign_lessors, assign_users, mark_hightech, settle_founding
from jiyue.demo.facilities import make_facilities, make_roads
from jiyue.demo.identity import CRS, DEMO_YEAR, DEMO_ZONE_CODE, EVALUATION_YEARS, ORIGIN_E, ORIGIN_N, ZONE_NAME, Rect
from jiyue.demo.layout import N_COLS, N_ROWS, Lot, assign_supply, block_lots, deal_public_uses, make_grid, road_lots
from jiyue.demo.stories import calibrate_supply, land_totals, pick_contract_lots
from jiyue.landrules import M2_PER_HA


# --------------------------------------------------------------------------- assembly
def _to_geo(rects: Sequence[Rect]) -> np.ndarray:
    arr = np.asarray(rects, dtype=float).reshape(-1, 4)
    return shapely.box(arr[:, 0] + ORIGIN_E, arr[:, 1] + ORIGIN_N, arr[:, 2] + ORIGIN_E, arr[:, 3] + ORIGIN_N)


def _parcels_frame(lots: list[Lot]) -> gpd.GeoDataFrame:
    geom = _to_geo([x.rect for x in lots])
    frame = gpd.GeoDataFrame({
        "parcel_id": [x.parcel_id for x in lots],
        "zone_code": DEMO_ZONE_CODE,
        "build_class": [x.build_class for x in lots],
        "supply_class": [x.supply_class for x in lots],
        "area_m2": np.round(shapely.area(geom), 2),
        "land_use_code": [x.land_use for x in lots],
        "hightech": [x.hightech for x in lots],
        "user_id": [x.user_id for x in lots],
        "supply_date": pd.Series([x.supply_date for x in lots], dtype=object),
        "supply_method": [x.supply_method for x in lots],
        "contract_no": [x.contract_no for x in lots],
    }, geometry=geom, crs=CRS)
    return frame


def _buildings_frame(footprints: list[Footprint], rng: np.random.Generator) -> gpd.GeoDataFrame:
    geom = _to_geo([fp.rect for fp in footprints])
    area = np.round(shapely.area(geom), 2)
    keep_fp = rng.random(len(footprints)) > 0.1  # ~10 % without a recorded footprint
    return gpd.GeoDataFrame({
        "building_id": [f"B-{k + 1:07d}" for k in range(len(footprints))],
        "parcel_id": [fp.lot.parcel_id for fp in footprints],
        "kind": [fp.kind for fp in footprints],
        "floors": pd.array([fp.floors for fp in footprints], dtype="Int64"),
        "floor_area_m2": np.array([np.nan if fp.floor_area is None else fp.floor_area for fp in footprints]),
        "footprint_m2": np.where(keep_fp, area, np.nan),
        "storey_height_m": np.array([np.nan if fp.storey_h is None else fp.storey_h for fp in footprints]),
    }, geometry=geom, crs=CRS)


def _enterprises_frame(firms: list[Firm], years: pd.DataFrame) -> pd.DataFrame:
    rev2020 = years[years["year"] == DEMO_YEAR].set_index("enterprise_id")["revenue_wan"]
    return pd.DataFrame({
        "enterprise_id": [f.enterprise_id for f in firms],
        "credit_code": [f.credit_code for f in firms],
        "name": [f.name for f in firms],
        "industry_code": [f.industry_code for f in firms],
        "scale": ["above" if rev2020.get(f.enterprise_id, 0.0) >= 2_000 else "below" for f in firms],
        "founded": pd.Series([f.founded for f in firms], dtype=object),
        "zone_code": DEMO_ZONE_CODE,
        # optional fields outside the data contract (kept by the package reader as extras)
        "park": [f.park for f in firms],
        "street": [f.street for f in firms],
        "flags": ["high_tech" if any(x.hightech for x in f.lots) else None for f in firms],
    })


def _contracts_frame(contracts: list[Contract]) -> pd.DataFrame:
    rows = []
    for c in contracts:
        rows.append({
            "contract_no": c.contract_no, "parcel_id": c.lot.parcel_id, "enterprise_id": c.firm.enterprise_id,
            "signed_date": c.signed, "land_price_wan": c.land_price, "delivery_date": c.delivery,
            "start_agreed": c.start_agreed, "completion_agreed": c.completion_agreed,
            "production_review_date": c.review,
            "total_investment_wan": c.total_investment,
            **{k: c.commit.get(k, np.nan) for k in ("commit_fai_per_mu", "commit_far", "commit_tax_per_mu",
                                                     "commit_va_per_energy", "commit_va_per_emission")},
            "late_start_permille": 1.0, "late_completion_permille": 1.0,
        })
    frame = pd.DataFrame(rows)
    for col in ("signed_date", "delivery_date", "start_agreed", "completion_agreed", "production_review_date"):
        frame[col] = frame[col].astype(object)
    return frame


def _progress_frame(contracts: list[Contract]) -> pd.DataFrame:
    rows = [{"contract_no": c.contract_no, **e} for c in contracts for e in c.events]
    frame = pd.DataFrame(rows)
    frame["date"] = frame["date"].astype(object)
    frame["approved"] = pd.array(frame["approved"].tolist(), dtype="boolean")
    return frame


def _zone_years(lots: list[Lot], years: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    a_ha = sum(round(x.area, 2) for x in lots if x.build_class.startswith("A")) / M2_PER_HA
    industrial_users = {x.user_id for x in lots if x.build_class == "A2" and x.user_id}
    ind = years[years["enterprise_id"].isin(industrial_users)].groupby("year")
    per_ha = {2018: rng.uniform(430, 450), 2019: rng.uniform(460, 480), 2020: rng.uniform(490, 510)}
    density = rng.uniform(58, 66)  # residents per ha of built-up land in 2020
    return pd.DataFrame({
        "zone_code": DEMO_ZONE_CODE,
        "year": np.array(EVALUATION_YEARS, dtype="int32"),
        "tax_total_wan": [round(a_ha * per_ha[y], 2) for y in EVALUATION_YEARS],
        "industrial_tax_wan": [round(float(ind["tax_wan"].sum()[y]), 2) for y in EVALUATION_YEARS],
        "industrial_fai_wan": [round(float(ind["fixed_assets_wan"].sum()[y]), 2) for y in EVALUATION_YEARS],
        "population": [int(a_ha * density * f) for f in (0.94, 0.97, 1.0)],
    })


def _number_parcels(lots: list[Lot]) -> None:
    """Parcel ids in reading order: north to south, west to east."""
    order = sorted(lots, key=lambda x: (-round((x.rect[1] + x.rect[3]) / 2 // 100), (x.rect[0] + x.rect[2]) / 2))
    for k, lot in enumerate(order):
        lot.parcel_id = f"LC-{k + 1:06d}"


def build_demo(seed: int = 2020) -> dict[str, pd.DataFrame | gpd.GeoDataFrame]:
    """Return the layers of the demo package keyed by contract layer name."""
    rng = np.random.default_rng(seed)
    grid = make_grid(rng)
    lots = road_lots(grid, rng)
    q_seen: list[int] = []
    for s in range(N_ROWS - 1, -1, -1):  # north first, so the first Q block is the old plant
        for i in range(N_COLS):
            lots += block_lots(grid, s, i, rng, q_seen)
    deal_public_uses(lots, rng)
    assign_supply(lots, rng)
    d_total = land_totals(lots)["D"]
    pick_contract_lots(lots, d_total, rng)
    calibrate_supply(lots)
    _number_parcels(lots)
    firms = assign_users(lots, rng)
    mark_hightech(firms, rng)
    contracts = make_contracts(lots, firms, rng)
    settle_founding(firms, rng)
    assign_lessors(firms, rng)

    footprints = [fp for lot in sorted(lots, key=lambda x: x.parcel_id) for fp in lot_footprints(lot, rng)]
    leave_some_unrecorded(footprints, rng)
    for fp in footprints:
        record(fp)
    settle_far_commitments(contracts, footprints)
    calibrate_far(footprints, land_totals(lots)["A"], rng)

    years = enterprise_years(firms, contracts, rng)
    parcels = _parcels_frame(sorted(lots, key=lambda x: x.parcel_id))
    facilities = make_facilities(lots, grid, rng)
    roads = make_roads(grid, lots)
    zone_geom = shapely.box(ORIGIN_E, ORIGIN_N, ORIGIN_E + grid.width, ORIGIN_N + grid.height)
    zones = gpd.GeoDataFrame({
        "zone_code": [DEMO_ZONE_CODE], "name": [ZONE_NAME], "province": ["山东省"], "city": ["聊城市"],
        "level": ["national"], "category": ["etdz"], "eval_type": ["integrated"],
        "approved_area_ha": [round(grid.width * grid.height / M2_PER_HA, 2)],
    }, geometry=[zone_geom], crs=CRS)
    layers = {
        "zones": zones,
        "parcels": parcels,
        "buildings": _buildings_frame(footprints, rng),
        "enterprises": _enterprises_frame(firms, years),
        "enterprise_years": years,
        "zone_years": _zone_years(lots, years, rng),
        "contracts": _contracts_frame(contracts),
        "progress": _progress_frame(contracts),
        "facilities": gpd.GeoDataFrame(
            {k: [r[k] for r in facilities] for k in ("facility_id", "kind", "name", "level")}
            | {"capacity": pd.array([r["capacity"] for r in facilities], dtype="Int64")},
            geometry=shapely.points(np.array([r["xy"] for r in facilities]) + [ORIGIN_E, ORIGIN_N]), crs=CRS),
        "roads": gpd.GeoDataFrame(
            {"road_id": [r["road_id"] for r in roads], "name": [r["name"] for r in roads]},
            geometry=[shapely.LineString(np.array(r["coords"]) + [ORIGIN_E, ORIGIN_N]) for r in roads], crs=CRS),
    }
    # the idle flag (G, 闲置土地) is the idle-land engine's finding on 2020-12-31, not a copy of its rule
    idle = idle_parcels(layers)
    parcels.insert(parcels.columns.get_loc("contract_no") + 1, "idle", parcels["parcel_id"].isin(idle).to_numpy())
    return layers
