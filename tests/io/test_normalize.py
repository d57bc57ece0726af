"""Mapping raw layers onto the contract: names, values, coordinates, areas.

Every expected figure is hand arithmetic on the factories' rectangles (100 m × 100 m = 10 000 m²).
"""

from __future__ import annotations

import copy
import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from factories import (ALIASES_PINYIN, ALIASES_ZH, CRS, X0, Y0, bow_tie, clean_package, edit, raw_package,
                       rect, renamed, report_of, to_crs, write_folder, write_gpkg)
from jiyue.normalize import _BAD, parse_date, _to_text, gk_zone_epsg, normalize
from jiyue.reader import read_package
from jiyue.schema import LAYERS, fold_name, layer_for_name
from jiyue.validate import validate_path
from support import keyed, problems_of

FOOTPRINTS = [40 * 50, 10 * 10, 20 * 10, 20 * 20, 30 * 30]  # B1..B5, m²


def norm(path):
    return normalize(read_package(path))


def attrs(df: pd.DataFrame) -> pd.DataFrame:
    """The contract columns of a normalised layer, geometry and bookkeeping left out."""
    keep = [c for c in df.columns if not c.startswith(("_", "x_")) and c != "geometry"]
    return pd.DataFrame(df[keep]).reset_index(drop=True)


# --------------------------------------------------------------------------- field names
def test_contract_aliases_are_known_to_the_schema():
    """The hand-copied aliases of the contract (factories) all map to their field."""
    for table in (ALIASES_ZH, ALIASES_PINYIN):
        for layer, names in table.items():
            spec = LAYERS[layer]
            for field, alias in names.items():
                assert fold_name(alias) in {fold_name(a) for a in spec.field(field).aliases}, (layer, alias)


def test_spatial_aliases_fit_a_shapefile():
    for layer in ("zones", "parcels", "buildings"):
        for alias in ALIASES_ZH[layer].values():
            assert len(alias.encode("gbk")) <= 10, alias


@pytest.mark.parametrize("names", ["en", "zh", "pinyin"])
def test_field_names_english_chinese_or_pinyin_read_the_same(names):
    ref = normalize(raw_package(clean_package()))
    pkg = normalize(raw_package(renamed(clean_package(), names)))
    assert pkg.problems == []
    for layer in ref.layers:
        a, b = attrs(ref.layers[layer]), attrs(pkg.layers[layer])
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_shapefile_cut_english_names_are_recognised(tmp_path):
    """GDAL writes building_id as building_i (10 bytes); the cut name is still understood."""
    folder = write_folder(clean_package(), tmp_path / "shp", names="en")
    assert "building_i" in gpd.read_file(folder / "buildings.shp").columns
    report = validate_path(folder)
    assert report.problems == []
    b = report.package.layers["buildings"]
    assert b["building_id"].tolist() == ["B1", "B2", "B3", "B4", "B5"]
    assert b["storey_height_m"].tolist()[3:] == [3.0, 4.0]
    p = report.package.layers["parcels"]
    assert p["supply_date"].tolist()[0] == dt.date(2016, 5, 1)
    assert p["supply_method"].tolist()[:3] == ["listing", "listing", "auction"]


@pytest.mark.parametrize("header,field", [
    ("工业（物流）企业税收总额", "industrial_tax_wan"),
    ("工业(物流)企业税收总额", "industrial_tax_wan"),
    (" 二三产业税收总额 ", "tax_total_wan"),
    ("常住　人口", "population"),  # full-width space inside
    ("YEAR", "year"),
])
def test_header_spellings(tmp_path, header, field):
    value = 2020 if field == "year" else 42
    cols = {"开发区代码": ["Z1"]} if field == "year" else {"开发区代码": ["Z1"], "年度": [2020]}
    pd.DataFrame({**cols, header: [value]}).to_excel(tmp_path / "zone_years.xlsx", index=False)
    pkg = norm(tmp_path)
    assert pkg.problems == []
    assert pkg.layers["zone_years"][field].tolist() == [value]


def test_fold_name_and_layer_names():
    assert fold_name(" ＺＤＢＨ ") == "zdbh"
    assert fold_name("工业（物流）企业税收总额") == fold_name("工业(物流)企业税收总额")
    assert layer_for_name("宗地") == layer_for_name("地块") == layer_for_name("Parcels") == "parcels"
    assert layer_for_name("企业年度数据") == "enterprise_years"
    assert layer_for_name("不认识") is None


def test_unknown_fields_are_kept_aside_and_reported_once():
    layers = clean_package()
    layers["parcels"]["备注"] = ["甲", "乙", None, None, None, None]
    pkg = normalize(raw_package(layers))
    assert pkg.layers["parcels"]["x_备注"].tolist()[:2] == ["甲", "乙"]
    assert keyed(problems_of({"problems": [p.to_dict() for p in pkg.problems]})) == {
        ("warning", "unknown_field", "parcels", None, "备注")}


def test_a_field_given_twice_is_a_warning():
    layers = clean_package()
    layers["parcels"]["宗地编号"] = layers["parcels"]["parcel_id"]
    assert keyed(problems_of(report_of(layers))) == {("warning", "duplicate_field", "parcels", None, "parcel_id")}


def test_missing_required_field_is_reported_once_per_layer(tmp_path):
    layers = to_crs(clean_package(), "EPSG:4490")  # re-projection must not lose the bookkeeping
    layers["parcels"] = layers["parcels"].drop(columns=["supply_class"])
    layers["enterprises"] = layers["enterprises"].drop(columns=["name"])
    report = validate_path(write_gpkg(layers, tmp_path / "p.gpkg"))
    assert keyed(problems_of(report)) == {("error", "missing_field", "parcels", None, "supply_class"),
                                          ("error", "missing_field", "enterprises", None, "name")}


def test_spatial_layer_without_geometry_is_reported_once(tmp_path):
    layers = clean_package()
    layers["buildings"] = pd.DataFrame(layers["buildings"].drop(columns="geometry"))
    folder = write_folder(layers, tmp_path / "pkg", spatial="geojson", tables="csv")
    report = validate_path(folder)
    missing = problems_of(report, "missing_geometry")
    assert [(p["layer"], p["row_id"], p["found"]) for p in missing] == [("buildings", None, "buildings.csv")]
    assert "buildings.csv" in missing[0]["message"] and "没有图形" in missing[0]["message"]


# --------------------------------------------------------------------------- values
def test_excel_ids_and_years_come_as_floats_and_read_as_text(tmp_path):
    layers = clean_package()
    layers["enterprises"]["enterprise_id"] = [1001]
    layers["enterprise_years"]["enterprise_id"] = [1001]
    layers["enterprise_years"]["tax_wan"] = ["十五"]  # not a number: the row id must read well
    layers["contracts"]["enterprise_id"] = [1001]
    layers["parcels"]["user_id"] = ["1001", None, None, None, None, None]
    folder = write_folder(layers, tmp_path / "pkg", spatial="geojson", tables="xlsx")
    report = validate_path(folder)
    ent = report.package.layers["enterprises"]
    assert ent["enterprise_id"].tolist() == ["1001"]
    assert ent["_rid"].tolist() == ["1001"]
    ey = report.package.layers["enterprise_years"]
    assert ey["year"].tolist() == [2020]
    assert keyed(problems_of(report)) == {("error", "bad_number", "enterprise_years", "1001/2020", "tax_wan")}


def test_to_text_never_leaks_nan():
    s = pd.Series([1001.0, np.nan, 12.5, None], dtype=object)
    assert _to_text(s).tolist() == ["1001", None, "12.5", None]
    s = pd.Series(["A", np.nan, " ", "B "], dtype="str")  # pandas 3: NaN-backed strings
    assert _to_text(s).tolist() == ["A", None, None, "B"]
    s = pd.Series([1, None], dtype="Int64")
    assert _to_text(s).tolist() == ["1", None]
    s = pd.Series([pd.Timestamp("2020-01-02"), dt.date(2021, 3, 4)], dtype=object)
    assert _to_text(s).tolist() == ["2020-01-02", "2021-03-04"]


def test_csv_blanks_stay_blank_everywhere(tmp_path):
    folder = write_folder(clean_package(), tmp_path / "pkg", spatial="geojson", tables="csv")
    pkg = norm(folder)
    for name, df in pkg.layers.items():
        for col in df.columns:
            if col == "geometry":
                continue
            vals = {str(v) for v in df[col].tolist() if isinstance(v, str)}
            assert not vals & {"nan", "NaN", "None", "<NA>", "NaT"}, (name, col)
    c = pkg.layers["contracts"]
    assert c["delivery_date"].tolist() == [None]
    assert c["land_price_wan"].tolist() == [300.0]


@pytest.mark.parametrize("value,expected", [
    ("2020-12-31", dt.date(2020, 12, 31)), ("2020/1/5", dt.date(2020, 1, 5)),
    ("2020.01.05", dt.date(2020, 1, 5)), ("20200105", dt.date(2020, 1, 5)),
    ("2020年1月5日", dt.date(2020, 1, 5)), ("2020-01-05 00:00:00", dt.date(2020, 1, 5)),
    (20200105, dt.date(2020, 1, 5)), (44196, dt.date(2020, 12, 31)),  # Excel serial: 1899-12-30 + 44196 d
    (44196.0, dt.date(2020, 12, 31)), (dt.date(2019, 6, 1), dt.date(2019, 6, 1)),
    (dt.datetime(2019, 6, 1, 8, 30), dt.date(2019, 6, 1)), (pd.Timestamp("2019-06-01"), dt.date(2019, 6, 1)),
    (None, None), ("", None), (np.nan, None), (pd.NaT, None),
])
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2016-13-45", "明年", "2019-02-29", 2019, 12.5, "2019年5月"])
def test_unparseable_dates(value):
    assert parse_date(value) is _BAD  # reported as bad_date, never guessed


def test_values_that_cannot_be_understood_are_reported_by_row_id(tmp_path):
    layers = clean_package()
    layers = edit(layers, "parcels", 1, area_m2="一万")
    layers = edit(layers, "parcels", 2, idle="也许")
    layers = edit(layers, "parcels", 3, build_class="Z9")
    layers = edit(layers, "parcels", 4, supply_date="2019-02-30")
    layers = edit(layers, "buildings", 0, floors="2.5")
    layers = edit(layers, "enterprise_years", 0, tax_wan=-5.0)
    folder = write_folder(layers, tmp_path / "pkg", spatial="geojson", tables="csv")
    got = keyed(problems_of(validate_path(folder)))
    assert got == {
        ("error", "bad_number", "parcels", "P2", "area_m2"),
        ("error", "bad_bool", "parcels", "P3", "idle"),
        ("error", "unknown_code", "parcels", "P4", "build_class"),
        ("error", "bad_date", "parcels", "P5", "supply_date"),
        ("error", "bad_integer", "buildings", "B1", "floors"),
        ("error", "negative_value", "enterprise_years", "E1/2020", "tax_wan"),
    }


def test_chinese_values_and_codes():
    layers = clean_package()
    layers["parcels"]["build_class"] = ["工矿仓储用地", "a1", " A4 ", "B21", "B21", "河湖及蓄滞洪区"]
    layers["parcels"]["supply_method"] = ["挂牌", "挂牌出让", "拍卖", "listing", None, None]
    layers["parcels"]["idle"] = ["否", "0", "false", "是", "", None]
    layers["zones"]["eval_type"] = ["产城融合型"]
    layers["zones"]["level"] = ["国家级"]
    layers["zones"]["category"] = ["经济技术开发区"]
    layers["buildings"]["kind"] = ["建筑物", "构筑物", "露天堆场", None, "building"]
    layers["enterprise_years"]["veto"] = ["安全事故，环境事故"]
    report = report_of(layers)
    assert report.problems == []
    p = report.package.layers["parcels"]
    assert p["build_class"].tolist() == ["A2", "A1", "A4", "B21", "B21", "C1"]
    assert p["supply_method"].tolist() == ["listing", "listing", "auction", "listing", None, None]
    assert p["idle"].tolist() == [False, False, False, True, None, None]
    z = report.package.layers["zones"].iloc[0]
    assert (z["eval_type"], z["level"], z["category"]) == ("integrated", "national", "etdz")
    assert report.package.layers["buildings"]["kind"].tolist() == ["building", "structure", "yard", None,
                                                                   "building"]
    assert report.package.layers["enterprise_years"]["veto"].tolist() == ["safety_accident,env_accident"]


def test_unknown_veto_event_is_a_warning_and_kept():
    layers = edit(clean_package(), "enterprise_years", 0, veto="火灾")
    report = report_of(layers)
    assert report.ok
    assert keyed(problems_of(report)) == {("warning", "unknown_code", "enterprise_years", "E1/2020", "veto")}
    assert report.package.layers["enterprise_years"]["veto"].tolist() == ["火灾"]


def test_numbers_with_thousands_separators(tmp_path):
    layers = clean_package()
    layers["contracts"]["land_price_wan"] = ["1,234.5"]
    layers["zone_years"]["tax_total_wan"] = [" 900 "]
    pkg = norm(write_folder(layers, tmp_path / "pkg", spatial="geojson", tables="csv"))
    assert pkg.layers["contracts"]["land_price_wan"].tolist() == [1234.5]
    assert pkg.layers["zone_years"]["tax_total_wan"].tolist() == [900.0]


# --------------------------------------------------------------------------- coordinates
@pytest.mark.parametrize("lon,epsg", [(116.0, 4527), (117.0, 4527), (118.4, 4527), (118.6, 4528),
                                      (75.0, 4513), (135.0, 4533), (114.0, 4526), (115.5, 4527),
                                      (112.49, 4525)])
def test_gauss_kruger_zone_of_a_longitude(lon, epsg):
    # zone = round(lon / 3), half up; EPSG = 4488 + zone (4513 = zone 25 … 4533 = zone 45)
    assert gk_zone_epsg(lon) == epsg


def _area_package(crs: str = CRS) -> dict:
    layers = clean_package()
    layers["parcels"]["area_m2"] = None
    return to_crs(layers, crs) if crs != CRS else layers


@pytest.mark.parametrize("crs", ["EPSG:4490", "EPSG:4326"])
def test_geographic_package_is_projected_to_its_gk_zone(tmp_path, crs):
    layers = _area_package(crs)
    report = validate_path(write_gpkg(layers, tmp_path / "geo.gpkg")) if crs == "EPSG:4490" \
        else report_of(layers)
    assert report.problems == []
    assert report.package.crs.to_epsg() == 4527  # lon ≈ 116.0 → zone 39
    areas = report.package.layers["parcels"]["area_eff_m2"].tolist()
    assert areas == pytest.approx([10_000.0] * 6, rel=1e-4)  # 0.01 %
    fp = report.package.layers["buildings"]["footprint_eff_m2"].tolist()
    assert fp == pytest.approx(FOOTPRINTS, rel=1e-4)


def test_geographic_package_in_another_zone():
    """Rectangles built in zone 38 (EPSG:4526, central meridian 114°E) come back in zone 38."""
    layers = clean_package()
    layers["parcels"]["area_m2"] = None
    shift = 38_500_000.0 - X0  # to the central meridian of zone 38
    for name, df in layers.items():
        if isinstance(df, gpd.GeoDataFrame):
            layers[name] = df.set_geometry(df.geometry.translate(xoff=shift)).set_crs("EPSG:4526",
                                                                                   allow_override=True)
    geo = to_crs(layers, "EPSG:4490")
    lon = (geo["parcels"].total_bounds[0] + geo["parcels"].total_bounds[2]) / 2
    assert 113.9 < lon < 114.1
    report = report_of(geo)
    assert report.problems == []
    assert report.package.crs.to_epsg() == 4526
    assert report.package.layers["parcels"]["area_eff_m2"].sum() == pytest.approx(60_000.0, rel=1e-4)


def test_layers_in_different_crs_are_reconciled():
    layers = clean_package()
    layers["zones"] = layers["zones"].to_crs("EPSG:4490")
    layers["buildings"] = layers["buildings"].to_crs("EPSG:4326")
    report = report_of(layers)
    assert report.problems == []
    assert report.package.crs.to_epsg() == 4527
    assert report.package.layers["zones"].geometry.area.iloc[0] == pytest.approx(60_000.0, rel=1e-4)


def test_layer_without_crs_is_an_error_never_a_guess(tmp_path):
    folder = write_folder(clean_package(), tmp_path / "shp", names="zh", encoding="GBK", prj=False)
    report = validate_path(folder)
    missing = problems_of(report, "missing_crs")
    assert {(p["layer"], p["found"]) for p in missing} == {
        ("zones", "zones.shp"), ("parcels", "parcels.shp"), ("buildings", "buildings.shp"),
        ("facilities", "facilities.shp")}
    assert not report.ok
    assert report.package.crs is None


def test_feet_are_not_metres():
    layers = to_crs(clean_package(), "EPSG:2263")  # NAD83 / New York Long Island (ftUS)
    report = report_of(layers)
    # one error; no area compared in feet (no area_mismatch warnings on top)
    assert keyed(problems_of(report)) == {("error", "crs_not_metric", "parcels", None, None)}
    assert report.package.layers["parcels"]["area_eff_m2"].tolist() == [10_000.0] * 6  # as given


# --------------------------------------------------------------------------- areas
def test_empty_areas_come_from_the_geometry():
    report = report_of(_area_package())
    p = report.package.layers["parcels"]
    assert p["area_eff_m2"].tolist() == pytest.approx([10_000.0] * 6, abs=1e-6)
    assert p["geom_area_m2"].tolist() == pytest.approx([10_000.0] * 6, abs=1e-6)
    assert report.package.layers["buildings"]["footprint_eff_m2"].tolist() == pytest.approx(FOOTPRINTS)


def test_official_area_and_footprint_win_when_given():
    layers = clean_package()
    layers["parcels"]["area_m2"] = [10_050.0, 10_000.0, 10_000.0, 10_000.0, 10_000.0, 10_000.0]
    layers["buildings"]["footprint_m2"] = [1_990.0, None, None, None, None]
    report = report_of(layers)
    assert report.problems == []  # 50 m² is 0.5 %: within 1 %
    assert report.package.layers["parcels"]["area_eff_m2"].iloc[0] == 10_050.0
    assert report.package.layers["buildings"]["footprint_eff_m2"].tolist() == [1990.0, 100, 200, 400, 900]


@pytest.mark.parametrize("given,warn", [(10_099.0, False), (9_901.0, False), (10_102.0, True),
                                        (9_898.0, True), (20_000.0, True)])
def test_area_mismatch_beyond_one_percent_names_the_parcel(given, warn):
    layers = edit(clean_package(), "parcels", 2, area_m2=given)
    report = report_of(layers)
    got = keyed(problems_of(report))
    assert got == ({("warning", "area_mismatch", "parcels", "P3", "area_m2")} if warn else set())
    if warn:
        p = problems_of(report)[0]
        assert p["found"] == f"{given:.2f}" and p["expected"] == "10000.00"
        assert "宗地「P3」" in p["message"]


def test_invalid_geometry_has_no_area_to_compare():
    layers = edit(clean_package(), "parcels", 5, geometry=bow_tie(500, 0, 100))
    got = keyed(problems_of(report_of(layers)))
    assert got == {("error", "invalid_geometry", "parcels", "P6", None)}


def test_points_and_unknown_layers_survive():
    layers = clean_package()
    layers["facilities"] = gpd.GeoDataFrame({"facility_id": ["F1", "F2"], "kind": ["医院", "school"]},
                                            geometry=[Point(X0 + 250, Y0 + 50), Point(X0 + 10, Y0 + 10)],
                                            crs=CRS)
    pkg = normalize(raw_package(layers))
    assert pkg.layers["facilities"]["kind"].tolist() == ["hospital", "school"]


def test_copy_of_layers_is_independent():
    a = clean_package()
    b = edit(a, "parcels", 0, parcel_id="X")
    assert a["parcels"]["parcel_id"].iloc[0] == "P1" and b["parcels"]["parcel_id"].iloc[0] == "X"
    assert rect(0, 0, 1, 1).equals(box(X0, Y0, X0 + 1, Y0 + 1))
    assert not math.isnan(copy.deepcopy(a)["parcels"]["area_m2"].iloc[0])


def test_a_key_with_a_blank_part_names_the_line():
    layers = edit(clean_package(), "enterprise_years", 0, year=None)
    report = report_of(layers)
    assert keyed(problems_of(report)) == {("error", "missing_value", "enterprise_years", "第1行", "year")}
    assert report.package.layers["enterprise_years"]["_rid"].tolist() == ["第1行"]


def test_package_knows_which_fields_were_given():
    layers = clean_package()
    layers["buildings"] = layers["buildings"].drop(columns=["storey_height_m", "footprint_m2"])
    pkg = normalize(raw_package(layers))
    assert "storey_height_m" not in pkg.present["buildings"]
    assert {"building_id", "parcel_id", "kind", "floors", "floor_area_m2"} <= pkg.present["buildings"]
    assert pkg.layers["buildings"]["storey_height_m"].isna().all()  # added, empty
    assert pkg.no_geometry == set()
    assert pkg.layers["parcels"]["_row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert pkg.layers["parcels"]["_rid"].tolist() == ["P1", "P2", "P3", "P4", "P5", "P6"]


def test_degrees_declared_over_metre_coordinates():
    """A .prj saying EPSG:4490 over Gauss-Krüger metres is an error, not a projection."""
    layers = clean_package()
    for name, df in layers.items():
        if isinstance(df, gpd.GeoDataFrame):
            layers[name] = df.set_crs("EPSG:4490", allow_override=True)
    report = report_of(layers)
    p = problems_of(report, "crs_not_metric")
    assert [(x["layer"], x["row_id"]) for x in p] == [("parcels", None)]
    assert "不是经纬度" in p[0]["found"] and "39410000" in p[0]["found"]
    assert report.package.crs is None


def test_conversion_runs_once_per_distinct_value_and_keeps_types_apart() -> None:
    from jiyue.normalize import _convert

    calls: list[object] = []

    def kind(v: object) -> str:
        calls.append(v)
        return type(v).__name__

    s = pd.Series([True, 1, 1.0, "1", 1, True, "1"], dtype=object)
    out, bad = _convert(s, kind)
    # 1, 1.0 and True are equal in Python and hash alike; the memo must not merge them
    assert out.tolist() == ["bool", "int", "float", "str", "int", "bool", "str"]
    assert not bad.any()
    assert len(calls) == 4


def test_validity_is_computed_once_per_geometry_array() -> None:
    import numpy as np
    import shapely
    from shapely.geometry import Polygon, box

    from jiyue.normalize import valid_mask

    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # self-intersecting
    g = np.array([box(0, 0, 1, 1), bowtie], dtype=object)
    first = valid_mask(g)
    assert first.tolist() == [True, False]
    assert valid_mask(g) is first  # cached for this array
    with pytest.raises(ValueError):
        first[0] = False  # shared by every caller, so read-only
    g2 = np.array([bowtie, box(0, 0, 1, 1)], dtype=object)
    assert valid_mask(g2).tolist() == [False, True]  # another array: computed afresh
    assert shapely.is_valid(g2).tolist() == [False, True]


@pytest.mark.parametrize("text,want", [("12 5", None), ("1 234", 1234.0), ("1 234 567.5", 1234567.5),
                                       (" 125 ", 125.0), ("12  34", None)])
def test_a_space_inside_a_number_only_groups_thousands(text: str, want: float | None) -> None:
    from jiyue.normalize import _to_number

    num, bad = _to_number(pd.Series([text], dtype=object))
    if want is None:
        assert bad.tolist() == [True] and num.isna().all()
    else:
        assert bad.tolist() == [False] and num.tolist() == [want]
