"""The vectorised validation of plain GeoParquet folders (jiyue.validate_parquet) gives exactly the
problems of the general path (jiyue.validate) — same reason codes, layers, row ids, fields, found,
expected, messages, rows and order — on clean and malformed packages; a value the general path
has to read (a Chinese code, blanks around an id, a number as text …) sends the folder to the
general path. The evaluation and the import of both paths agree too."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from factories import X0, Y0, bow_tie, edit, rect, small_package
from jiyue.validate import validate_path
from jiyue.validate_parquet import plain_layers, validate_package, validate_parquet

PLAIN = ("zones", "parcels", "buildings", "zone_years")


def plain_package() -> dict[str, Any]:
    """small_package() with only the layers of a plain GeoParquet folder, integers as integers."""
    L = {k: v for k, v in small_package().items() if k in PLAIN}
    L["buildings"]["floors"] = L["buildings"]["floors"].astype("Int64")
    return L


def write_parquet(layers: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in layers.items():
        df = df.copy()
        for c in df.columns:  # edit() leaves object columns: give each its Arrow type back
            if c != "geometry" and df[c].dtype == object and df[c].map(lambda v: isinstance(v, float)).any() \
                    and not df[c].map(lambda v: isinstance(v, str)).any():
                df[c] = pd.to_numeric(df[c])
        df.to_parquet(folder / f"{name}.parquet")
    return folder


def both(layers: dict[str, Any], folder: Path, *, fast: bool = True) -> list[dict[str, Any]]:
    """Problems of both paths (asserted equal); ``fast``: the vectorised path must take the folder."""
    write_parquet(layers, folder)
    plain = plain_layers(folder)
    report = validate_parquet(plain) if plain is not None else None
    assert (report is not None) == fast, "vectorised path taken" if report is not None else "general path taken"
    general = [p.to_dict() for p in validate_path(folder).problems]
    via = validate_package(folder)
    assert [p.to_dict() for p in via.problems] == general
    assert via.counts() == validate_path(folder).counts()
    if report is not None:
        assert [p.to_dict() for p in report.problems] == general
    return general


def codes(problems: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(p["code"], p["row_id"]) for p in problems]


def moved(layers: dict[str, Any], layer: str, row: int, geom: Any) -> dict[str, Any]:
    return edit(layers, layer, row, geometry=geom)


CASES = {
    "clean": lambda L: L,
    "duplicate_parcel": lambda L: edit(L, "parcels", 2, parcel_id="P2"),
    "duplicate_zone_year": lambda L: {**L, "zone_years": pd.concat([L["zone_years"]] * 2, ignore_index=True)},
    "broken_references": lambda L: edit(edit(L, "parcels", 1, zone_code="Z9"), "buildings", 0, parcel_id="P9"),
    "missing_values": lambda L: edit(edit(L, "parcels", 3, build_class=None), "zones", 0, name=None),
    "missing_key": lambda L: edit(L, "buildings", 2, building_id=None),
    "classes": lambda L: edit(edit(L, "parcels", 4, idle=True), "parcels", 4, build_class="A1"),
    "area_mismatch": lambda L: edit(L, "parcels", 0, area_m2=12000.0),
    "bow_tie": lambda L: moved(L, "parcels", 5, bow_tie(500, 0)),
    "empty_and_missing_geometry": lambda L: moved(moved(L, "buildings", 1, None), "buildings", 2,
                                                  Polygon()),
    "point_building": lambda L: moved(L, "buildings", 4, Point(X0 + 250, Y0 + 50)),
    "overlap": lambda L: moved(L, "parcels", 1, rect(50, 0, 100, 100)),
    "outside_and_straddling": lambda L: moved(moved(L, "buildings", 4, rect(250, 150, 20, 20)), "buildings", 3,
                                              rect(180, 40, 40, 20)),
    "mismatch": lambda L: edit(L, "buildings", 3, parcel_id="P3"),
    "no_zone_years": lambda L: {k: v for k, v in L.items() if k != "zone_years"},
    "zone_years_other_year": lambda L: edit(L, "zone_years", 0, year=2019),
    "no_buildings_layer": lambda L: {k: v for k, v in L.items() if k != "buildings"},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_problems_as_the_general_path(case, tmp_path):
    problems = both(CASES[case](copy.deepcopy(plain_package())), tmp_path / case)
    if case == "clean":
        assert {p["code"] for p in problems} == {"reference_unchecked"}  # user_id, contract_no: no such layers


def test_the_findings_are_there(tmp_path):
    got = codes(both(CASES["overlap"](plain_package()), tmp_path / "o"))
    assert ("parcel_overlap", "P1") in got
    got = codes(both(CASES["outside_and_straddling"](plain_package()), tmp_path / "s"))
    assert ("building_outside_parcels", "B5") in got and ("building_straddles_parcels", "B4") in got
    got = codes(both(CASES["bow_tie"](plain_package()), tmp_path / "b"))
    assert ("invalid_geometry", "P6") in got
    got = codes(both(CASES["duplicate_parcel"](plain_package()), tmp_path / "d"))
    assert ("duplicate_id", "P2") in got


FALLBACK = {
    "chinese_code": lambda L: edit(L, "zones", 0, eval_type="产城融合型"),
    "blank_around_id": lambda L: edit(L, "parcels", 0, parcel_id=" P1"),
    "negative_area": lambda L: edit(L, "parcels", 0, area_m2=-5.0),
    "number_as_text": lambda L: {**L, "zone_years": L["zone_years"].assign(tax_total_wan=["900"])},
    "unknown_column": lambda L: {**L, "parcels": L["parcels"].assign(备注="x")},
    "floors_as_float": lambda L: {**L, "buildings": L["buildings"].assign(floors=[2.0, None, None, 10.0, 2.0])},
    # impossible values (the range rules): reported by the general path's one number rule
    "year_out_of_range": lambda L: {**L, "zone_years": L["zone_years"].assign(year=[1800])},
    "too_many_floors": lambda L: {**L, "buildings": L["buildings"].assign(
        floors=pd.array([2, None, None, 500, 2], dtype="Int64"))},
    "date_out_of_range": lambda L: edit(L, "parcels", 0, supply_date=__import__("datetime").date(1900, 1, 1)),
    "infinite_area": lambda L: edit(L, "parcels", 0, area_m2=float("inf")),
}


@pytest.mark.parametrize("case", sorted(FALLBACK))
def test_values_to_read_take_the_general_path(case, tmp_path):
    both(FALLBACK[case](copy.deepcopy(plain_package())), tmp_path / case, fast=False)


def test_a_geometry_column_of_another_name(tmp_path):
    L = plain_package()
    L["parcels"] = L["parcels"].rename_geometry("shape")
    L = edit(L, "parcels", 0, area_m2=12000.0)
    assert ("area_mismatch", "P1") in codes(both(L, tmp_path / "g"))


def test_other_files_or_a_geopackage_are_not_plain(tmp_path):
    folder = write_parquet(plain_package(), tmp_path / "p")
    assert plain_layers(folder) is not None
    (folder / "readme.txt").write_text("x")
    assert plain_layers(folder) is None
    assert plain_layers(tmp_path / "nothing.gpkg") is None


def test_evaluation_and_import_agree_with_the_general_path(tmp_path):
    from jiyue.evaluation.profile import load_profile
    from jiyue.evaluation.service import evaluate, evaluate_selection, open_source
    from jiyue.store import import_package
    from jiyue.store_parquet import import_validated_parquet

    folder = write_parquet(CASES["outside_and_straddling"](plain_package()), tmp_path / "pkg")
    fast = evaluate(folder)["zones"]
    with open_source(folder, None) as src:
        general = evaluate_selection(src.con, src.selection, load_profile(None))
    assert len(fast) == len(general) == 1
    assert fast[0]["indicators"] == pytest.approx(general[0]["indicators"], rel=1e-12)
    assert fast[0]["score"] == pytest.approx(general[0]["score"], rel=1e-12)
    assert fast[0]["counts"] == general[0]["counts"]
    report = validate_package(folder, keep=True)
    try:
        import_validated_parquet(tmp_path / "fast.duckdb", report)
    finally:
        report.close()
    import_package(tmp_path / "general.duckdb", validate_path(folder))
    for t in ("zones", "parcels", "buildings", "zone_years", "snapshots", "problems"):
        rows = []
        for db in ("fast", "general"):
            con = duckdb.connect(str(tmp_path / f"{db}.duckdb"), read_only=True)
            cols = [c[0] for c in con.execute(f"DESCRIBE {t}").fetchall()]
            rows.append(con.execute(f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}::VARCHAR' for c in cols)} "
                                    f"FROM {t} ORDER BY ALL").fetchall())
            con.close()
        assert rows[0] == rows[1], t


def test_evaluate_refuses_a_folder_with_errors(tmp_path):
    from jiyue.errors import ValidationFailed
    from jiyue.evaluation.service import evaluate

    folder = write_parquet(CASES["duplicate_parcel"](plain_package()), tmp_path / "bad")
    with pytest.raises(ValidationFailed):
        evaluate(folder)
    # a trusted source: no validation asked for
    assert evaluate(folder, validate=False)["provenance"]["validated"] is False
