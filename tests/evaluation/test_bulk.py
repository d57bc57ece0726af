"""The national path (GeoParquet → DuckDB, buildings assigned in SQL) gives the package's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval_worked import EXPECTED, worked_package
from factories import write_gpkg
from jiyue import store
from jiyue.evaluation.bulk import evaluate_parquet, load_parquet
from jiyue.evaluation.service import evaluate


def _parquet(tmp: Path, with_parcel_id: bool) -> dict[str, Path]:
    layers = worked_package()
    out = {}
    for name in ("zones", "parcels", "buildings"):
        df = layers[name]
        if name == "buildings":
            df = df.assign(parcel_id=["A2-1", "A2-1", "A1-1", "A4-1"]) if with_parcel_id else df.drop(columns="parcel_id")
        df.to_parquet(tmp / f"{name}.parquet")
        out[name] = tmp / f"{name}.parquet"
    layers["zone_years"].to_parquet(tmp / "zy.parquet")
    out["zone_years"] = tmp / "zy.parquet"
    return out


@pytest.mark.parametrize("with_parcel_id", [False, True])
def test_bulk_matches_hand_arithmetic_and_the_package(tmp_path: Path, with_parcel_id: bool) -> None:
    files = _parquet(tmp_path, with_parcel_id)
    z = evaluate_parquet(**files, year=2020)[0]
    for key, want in EXPECTED.items():
        assert z["indicators"][key] == pytest.approx(want, rel=1e-9), key
    pkg = evaluate(write_gpkg(worked_package(), tmp_path / "w.gpkg"))["zones"][0]
    assert z["score"] == pytest.approx(pkg["score"], rel=1e-12)
    assert z["counts"]["buildings"] == 4


def test_bulk_keeps_buildings_with_their_parcel(tmp_path: Path) -> None:
    files = _parquet(tmp_path, False)
    con = store.connect(None)
    load_parquet(con, **files, year=2020)
    got = dict(con.execute("SELECT building_id, parcel_eff FROM buildings").fetchall())
    assert got == {"b-plant": "A2-1", "b-yard": "A2-1", "b-res": "A1-1", "b-shop": "A4-1"}


def _edge_case_files(tmp: Path, given: list[str | None] | None) -> dict[str, Path]:
    """Two square parcels sharing the edge x = 100 (P2 west, P1 east) and four buildings.

    b-west lies inside P2; b-edge straddles the shared edge symmetrically, so its representative
    point lies on the edge, in both parcels; b-out lies in no parcel; b-east inside P1.
    """
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    crs = "EPSG:4527"
    gpd.GeoDataFrame({"zone_code": ["Z"], "eval_type": ["industrial"]},
                     geometry=[box(0, 0, 200, 100)], crs=crs).to_parquet(tmp / "zones.parquet")
    gpd.GeoDataFrame({"parcel_id": ["P2", "P1"], "zone_code": ["Z", "Z"], "build_class": ["A2", "A2"],
                      "supply_class": ["D1", "D1"]},
                     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=crs).to_parquet(tmp / "parcels.parquet")
    b = gpd.GeoDataFrame({"building_id": ["b-west", "b-edge", "b-out", "b-east"], "floors": [1, 2, 3, 4]},
                         geometry=[box(10, 10, 30, 30), box(90, 40, 110, 60), box(300, 0, 310, 10),
                                   box(150, 10, 170, 30)], crs=crs)
    if given is not None:
        b["parcel_id"] = pd.Series(given, dtype="object")
    b.to_parquet(tmp / "buildings.parquet")
    return {"zones": tmp / "zones.parquet", "parcels": tmp / "parcels.parquet",
            "buildings": tmp / "buildings.parquet"}


def test_bulk_tie_on_a_shared_edge_takes_the_smallest_parcel_id(tmp_path: Path) -> None:
    files = _edge_case_files(tmp_path, None)
    con = store.connect(None)
    load_parquet(con, **files, year=2020)
    got = dict(con.execute("SELECT building_id, parcel_eff FROM buildings").fetchall())
    assert got == {"b-west": "P2", "b-edge": "P1", "b-out": None, "b-east": "P1"}
    # the per-parcel totals of the national path: P1 holds b-edge (400 m² × 2) and b-east (400 m² × 4)
    z = evaluate_parquet(**files, year=2020)[0]
    assert z["counts"]["buildings"] == 3
    assert z["buildings_m2"]["floor_area_on_A2"] == pytest.approx(400 * 1 + 400 * 2 + 400 * 4)
    assert z["buildings_m2"]["footprint_all_kinds_on_A2"] == pytest.approx(1200)


def test_bulk_given_parcel_id_wins_and_an_unknown_one_falls_back_to_the_point(tmp_path: Path) -> None:
    # b-west names P1 (wins over its location in P2); b-edge names a parcel not in the import
    files = _edge_case_files(tmp_path, ["P1", "NOPE", None, None])
    con = store.connect(None)
    load_parquet(con, **files, year=2020)
    got = dict(con.execute("SELECT building_id, parcel_eff FROM buildings").fetchall())
    assert got == {"b-west": "P1", "b-edge": "P1", "b-out": None, "b-east": "P1"}
    z = evaluate_parquet(**files, year=2020)[0]
    assert z["counts"]["buildings"] == 3
