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
