"""What a package holds that jiyue does not read is said, never dropped in silence.

Columns under names the contract does not know (unknown_field), more Chinese names of the
contract's fields, files / sheets / layers not read (ignored_source), spatial sheets of a
workbook, and numbers and dates as clerks type them. Expected figures are hand arithmetic on
the factories' 100 m × 100 m parcels (10 000 m² each).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from factories import clean_package, edit, raw_package, renamed, report_of, write_folder, write_gpkg
from jiyue.errors import PackageUnreadable, Severity
from jiyue.normalize import _BAD, parse_date, _to_number, normalize
from jiyue.reader import read_package
from jiyue.schema import name_similarity
from jiyue.validate import validate_path
from support import keyed, problems_of


def probs(pkg) -> list[dict]:
    return [p.to_dict() for p in pkg.problems]


# =========================================================================== field names
@pytest.mark.parametrize("area_name", ["宗地面积", "土地面积", "地块面积", "ZDMJ"])
def test_cadastral_names_of_the_area_are_the_contract_field(area_name):
    # P1's official area 9 950 m² (drawn: 10 000 m², 0.5 % apart: no warning); before, the column
    # was dropped and the drawn 10 000 m² used instead
    layers = edit(clean_package(), "parcels", 0, area_m2=9950.0)
    layers["parcels"] = layers["parcels"].rename(columns={"area_m2": area_name})
    report = report_of(layers)
    assert report.problems == []
    p = report.package.layers["parcels"]
    assert p["area_eff_m2"].tolist() == [9950.0] + [10000.0] * 5
    assert p["user_id"].tolist()[0] == "E1"


def test_holder_name_columns_are_not_taken_for_the_user_id():
    """土地使用者 / 权利人 hold names in cadastral data: reported as unknown, never read as ids."""
    layers = clean_package()
    layers["parcels"] = layers["parcels"].rename(columns={"user_id": "权利人"})
    pkg = normalize(raw_package(layers))
    assert ("warning", "unknown_field", "parcels", None, "权利人") in keyed(probs(pkg))
    assert pkg.layers["parcels"]["user_id"].isna().all()


def test_cadastral_names_in_a_gbk_shapefile(tmp_path):
    layers = renamed(edit(clean_package(), "parcels", 0, area_m2=9950.0), "zh")
    layers["parcels"] = layers["parcels"].rename(columns={"面积": "宗地面积"})
    folder = write_folder(layers, tmp_path / "pkg", names="en", encoding="GBK")  # already Chinese
    report = validate_path(folder)
    assert report.problems == []
    assert report.package.layers["parcels"]["area_eff_m2"].tolist()[0] == 9950.0
    assert report.package.layers["parcels"]["user_id"].tolist()[0] == "E1"


@pytest.mark.parametrize("layer,field,alias", [
    ("parcels", "land_use_code", "地类代码"),
    ("parcels", "supply_date", "供应日期"),
    ("parcels", "supply_method", "供应方式"),
    ("buildings", "building_id", "建筑物编号"),
    ("buildings", "floors", "建筑层数"),
    ("buildings", "floor_area_m2", "总建筑面积"),
    ("enterprise_years", "year", "年份"),
    ("zone_years", "year", "年份"),
    ("zone_years", "tax_total_wan", "二、三产业税收总额"),
])
def test_more_chinese_names_of_contract_fields(layer, field, alias):
    layers = clean_package()
    ref = normalize(raw_package(layers)).layers[layer][field]
    layers[layer] = layers[layer].rename(columns={field: alias})
    pkg = normalize(raw_package(layers))
    assert pkg.problems == []
    assert field in pkg.present[layer]
    pd.testing.assert_series_equal(pkg.layers[layer][field], ref)


def test_spatial_aliases_added_fit_a_shapefile():
    for alias in ("宗地面积", "土地面积", "地块面积", "地类代码", "供应日期",
                  "供应方式", "建筑物编号", "建筑层数", "总建筑面积"):
        assert len(alias.encode("gbk")) <= 10, alias


# --------------------------------------------------------------------------- unknown columns
def test_an_unknown_column_is_a_warning_naming_it_and_the_field_it_may_be():
    layers = clean_package()
    layers["parcels"] = layers["parcels"].rename(columns={"user_id": "土地使用人"})
    pkg = normalize(raw_package(layers))
    assert keyed(probs(pkg)) == {("warning", "unknown_field", "parcels", None, "土地使用人")}
    p = probs(pkg)[0]
    assert p["found"] == "土地使用人"
    assert "「使用权人(user_id)」" in p["expected"]
    assert p["message"].startswith("图层「宗地(parcels)」中的字段「土地使用人」不是数据规范中的字段，"
                                   "已原样保留但不参与计算；可能是指「使用权人(user_id)」")
    # kept, not used
    assert pkg.layers["parcels"]["x_土地使用人"].tolist()[0] == "E1"
    assert pkg.layers["parcels"]["user_id"].isna().all()


def test_unknown_columns_once_per_layer_and_column_without_a_guess_when_none_fits():
    layers = clean_package()
    layers["parcels"]["备注"] = "甲"
    layers["buildings"]["备注"] = "乙"
    layers["buildings"]["结构"] = "钢混"
    pkg = normalize(raw_package(layers))
    assert keyed(probs(pkg)) == {("warning", "unknown_field", "parcels", None, "备注"),
                                 ("warning", "unknown_field", "buildings", None, "备注"),
                                 ("warning", "unknown_field", "buildings", None, "结构")}
    assert len(pkg.problems) == 3
    assert {p["expected"] for p in probs(pkg)} == {"如需参与计算，请对照数据规范改用规定的字段名"}


def test_a_field_the_layer_already_has_is_not_offered():
    layers = clean_package()
    layers["parcels"]["宗地号"] = layers["parcels"]["parcel_id"]  # like 宗地编号, but parcel_id is given
    (p,) = probs(normalize(raw_package(layers)))
    assert (p["code"], p["field"]) == ("unknown_field", "宗地号")
    assert "parcel_id" not in p["expected"]


def test_optional_fields_the_engines_read_and_gis_columns_are_not_reported():
    layers = clean_package()
    layers["enterprises"] = layers["enterprises"].assign(园区="东区", street="甲街道")
    layers["enterprise_years"] = layers["enterprise_years"].assign(用水量=12.0, 技改投资=3.0, 出租方=None)
    layers["parcels"] = layers["parcels"].assign(OBJECTID=range(1, 7), Shape_Area=10000.0, Shape_Leng=400.0)
    pkg = normalize(raw_package(layers))
    assert pkg.problems == []
    assert pkg.layers["enterprises"]["x_园区"].tolist() == ["东区"]


def test_an_engine_field_near_an_unknown_column_is_offered():
    layers = clean_package()
    layers["enterprises"] = layers["enterprises"].assign(所属园区="东区")  # 所属园区 / 园区: 2×2÷6
    (p,) = probs(normalize(raw_package(layers)))
    assert (p["code"], p["field"]) == ("unknown_field", "所属园区")
    assert "可能是指亩均评价读取的「园区」（可用列名：park、园区）" in p["expected"]


def test_a_header_given_twice_in_a_workbook_is_a_duplicate_not_an_unknown(tmp_path):
    df = pd.DataFrame([["Z1", 2020, 900.0, 120, 1.0]],
                      columns=["开发区代码", "年度", "二三产业税收总额", "常住人口", "二三产业税收总额"])
    df.to_excel(tmp_path / "zone_years.xlsx", index=False, engine="xlsxwriter")
    pkg = normalize(read_package(tmp_path))
    assert keyed(probs(pkg)) == {("warning", "duplicate_field", "zone_years", None, "tax_total_wan")}
    assert pkg.layers["zone_years"]["tax_total_wan"].tolist() == [900.0]  # the first one


def test_columns_without_a_header(tmp_path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp_path / "enterprises.xlsx"))
    ws = wb.add_worksheet()
    # 3rd column: a value under no header; 4th: nothing at all (between filled columns)
    for c, v in {0: "企业编号", 1: "企业名称", 4: "行业代码"}.items():
        ws.write(0, c, v)
    for c, v in {0: "E1", 1: "测试机械有限公司", 2: "备用", 4: "C3311"}.items():
        ws.write(1, c, v)
    wb.close()
    pkg = normalize(read_package(tmp_path))
    assert [(p["code"], p["found"]) for p in probs(pkg)] == [("unknown_field", "第3列（无列名）")]


# --------------------------------------------------------------------------- name similarity
@pytest.mark.parametrize("a,b,score", [
    ("土地使用人", "土地使用者", 0.8),   # 2 × 4 ÷ 10
    ("宗地面积", "面积", 2 * 2 / 6),
    ("宗地用途", "宗地编号", 0.5),       # 2 × 2 ÷ 8: just offered
    ("备注", "面积", 0.0),
    ("area", "area_m2", 8 / 11),        # difflib: 2 × 4 ÷ 11
    ("notes", "zones", 0.0),            # 2 × 3 ÷ 10 = 0.6, below 0.7
    ("面积", "area_m2", 0.0),           # Latin and Chinese never
])
def test_name_similarity(a, b, score):
    assert name_similarity(a, b) == pytest.approx(score)


# =========================================================================== numbers
@pytest.mark.parametrize("text,value", [
    ("1,234.5", 1234.5), ("12,345,678", 12345678.0), ("1，234", 1234.0), ("10 000", 10000.0),
    (" 12.5 ", 12.5), ("-1,000", -1000.0), ("999", 999.0),
])
def test_numbers_with_thousands_separators(text, value):
    num, bad = _to_number(pd.Series([text], dtype=object))
    assert num.tolist() == [value] and bad.tolist() == [False]


@pytest.mark.parametrize("text", ["12,5", "1,23", "1,2345", "1234,567", "1.234,5", ",5", "12,", "—", "无", "1万"])
def test_numbers_that_are_not(text):
    num, bad = _to_number(pd.Series([text], dtype=object))
    assert bad.tolist() == [True] and num.isna().all()


def test_a_decimal_comma_is_an_error_not_a_hundredfold_value():
    report = report_of(edit(clean_package(), "contracts", 0, land_price_wan="12,5"))
    assert keyed(problems_of(report)) == {("error", "bad_number", "contracts", "C1", "land_price_wan")}
    (p,) = problems_of(report)
    assert p["found"] == "12,5"
    assert "逗号只能用作千位分隔符" in p["expected"] and "12.5" in p["expected"]
    assert p["message"] == ("图层「合同(contracts)」记录「C1」的「出让价款(land_price_wan，单位：万元)」不是数字："
                            "「12,5」，应为" + p["expected"])
    assert report.package.layers["contracts"]["land_price_wan"].isna().all()  # not 125


@pytest.mark.parametrize("mark", ["—", "-", "/", "无", "N/A"])
def test_a_placeholder_in_a_number_cell_asks_for_a_blank_cell(mark):
    report = report_of(edit(edit(clean_package(), "contracts", 0, land_price_wan=mark),
                            "buildings", 0, floors=mark))
    by = {p["code"]: p for p in problems_of(report)}
    assert set(by) == {"bad_number", "bad_integer"}
    assert by["bad_number"]["expected"] == f"数字，没有数据时请把单元格留空（不要填「{mark}」）"
    assert by["bad_integer"]["expected"] == f"整数，没有数据时请把单元格留空（不要填「{mark}」）"
    assert "请把单元格留空" in by["bad_number"]["message"] and "请把单元格留空" in by["bad_integer"]["message"]
    assert (by["bad_integer"]["layer"], by["bad_integer"]["row_id"]) == ("buildings", "B1")


def test_an_ordinary_bad_number_says_what_a_number_looks_like():
    (p,) = problems_of(report_of(edit(clean_package(), "contracts", 0, land_price_wan="三百")))
    assert p["expected"] == "不带单位的数字，如 1234.5"


# =========================================================================== dates
@pytest.mark.parametrize("value,expected", [
    ("43952", dt.date(2020, 5, 1)),     # Excel: 43831 is 2020-01-01, + 31+29+31+30 days
    ("44197", dt.date(2021, 1, 1)),     # 43831 + 366 (2020 is a leap year)
    (" 43952 ", dt.date(2020, 5, 1)),
    ("43952.0", dt.date(2020, 5, 1)),
    ("20201231", dt.date(2020, 12, 31)),
    (43952, dt.date(2020, 5, 1)),       # the numeric path agrees
])
def test_excel_serial_numbers_as_text_are_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["9999", "80000", "2019", "201912", "2019121", "43952.5", "20201301"])
def test_other_runs_of_digits_are_not_guessed(value):
    # 201912 was read as 2019-01-02 (yyyymmdd with one-digit month and day): never again
    assert parse_date(value) is _BAD


def test_serial_date_in_a_text_column_of_a_geopackage(tmp_path):
    layers = clean_package()
    layers["contracts"] = layers["contracts"].assign(signed_date=["42480"])  # text: 2016-04-20
    report = validate_path(write_gpkg(layers, tmp_path / "p.gpkg"))
    assert report.problems == []
    # 42480 = 43831 (2020-01-01) - 1351: 2016-04-20 → 2017-01-01 is 366 - 110 = 256 days, + 3 × 365
    assert report.package.layers["contracts"]["signed_date"].tolist() == [dt.date(2016, 4, 20)]


# =========================================================================== files and sheets
def _ignored(pkg) -> dict[str, dict]:
    return {p["found"]: p for p in probs(pkg) if p["code"] == "ignored_source"}


@pytest.mark.parametrize("sheet", ["parcels", "宗地", "地块"])
def test_a_parcels_sheet_is_the_parcels_layer_without_shapes_not_a_missing_layer(tmp_path, sheet):
    layers = clean_package()
    with pd.ExcelWriter(tmp_path / "book.xlsx", engine="xlsxwriter") as xw:
        pd.DataFrame(layers["zones"].drop(columns="geometry")).to_excel(xw, sheet_name="zones", index=False)
        pd.DataFrame(layers["parcels"].drop(columns="geometry")).to_excel(xw, sheet_name=sheet, index=False)
    report = validate_path(tmp_path / "book.xlsx")
    got = keyed(problems_of(report))
    assert ("error", "missing_layer", "parcels", None, None) not in got
    assert ("error", "missing_geometry", "parcels", None, None) in got
    assert ("warning", "missing_geometry", "zones", None, None) in got  # outlines only draw maps
    (p,) = [p for p in problems_of(report, "missing_geometry") if p["layer"] == "parcels"]
    assert p["found"] == f"book.xlsx:{sheet}"
    assert p["message"].startswith(f"图层「宗地(parcels)」（book.xlsx:{sheet}）没有图形，空间图层应为带图形的空间图层")
    assert not report.ok


def test_a_sheet_beside_the_layer_with_shapes_is_reported_not_used(tmp_path):
    layers = clean_package()
    folder = write_folder(layers, tmp_path / "pkg", spatial="geojson", tables="csv")
    with pd.ExcelWriter(folder / "属性表.xlsx", engine="xlsxwriter") as xw:
        pd.DataFrame(layers["parcels"].drop(columns="geometry")).to_excel(xw, sheet_name="宗地", index=False)
    report = validate_path(folder)
    assert keyed(problems_of(report)) == {("warning", "ignored_source", "parcels", None, None)}
    p = problems_of(report)[0]
    assert p["found"] == "属性表.xlsx:宗地" and "parcels.geojson" in p["message"]
    assert report.package.sources["parcels"] == "parcels.geojson"


def test_every_file_not_read_is_reported(tmp_path):
    folder = write_folder(clean_package(), tmp_path / "pkg", spatial="geojson", tables="csv")
    (folder / "说明.txt").write_text("readme", encoding="utf-8")
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "宗地图.csv").write_text("a\n1\n", encoding="utf-8")
    (folder / "old.dbf").write_bytes(b"\x03")  # a Shapefile part without its .shp
    (folder / "附件").mkdir()
    (folder / "附件" / "x.txt").write_text("x", encoding="utf-8")
    (folder / "Thumbs.db").write_bytes(b"\0")  # left by Windows: not worth a word
    (folder / ".hidden").write_text("x", encoding="utf-8")
    raw = read_package(folder)
    ignored = _ignored(raw)
    assert set(ignored) == {"说明.txt", "notes.csv", "宗地图.csv", "old.dbf", "附件/"}
    assert all(p["severity"] == "warning" for p in ignored.values())
    assert "可能是指「宗地(parcels)」" in ignored["宗地图.csv"]["expected"]  # 宗地图 / 宗地: 2×2÷5
    assert "可能是指" not in ignored["notes.csv"]["expected"]
    assert ".shp" in ignored["old.dbf"]["expected"]
    assert ignored["说明.txt"]["message"].startswith("数据包中的「说明.txt」没有读入：")
    report = validate_path(folder)
    assert report.ok and len(report.warnings) == 5


def test_shapefile_parts_with_their_shp_are_not_reported(tmp_path):
    folder = write_folder({"zones": clean_package()["zones"], "parcels": clean_package()["parcels"]},
                          tmp_path / "pkg", spatial="shp")
    (folder / "parcels.shp.xml").write_text("<metadata/>", encoding="utf-8")  # ArcGIS metadata
    assert read_package(folder).problems == []


def test_sheets_and_layers_not_read_are_reported(tmp_path):
    layers = clean_package()
    write_gpkg({"zones": layers["zones"], "parcels": layers["parcels"], "宗地备份": layers["parcels"],
                "layer_styles": pd.DataFrame({"f_table_name": ["parcels"]})}, tmp_path / "a.gpkg")
    with pd.ExcelWriter(tmp_path / "enterprises.xlsx", engine="xlsxwriter") as xw:
        layers["enterprises"].to_excel(xw, sheet_name="Sheet1", index=False)
        layers["enterprises"].to_excel(xw, sheet_name="Sheet2", index=False)  # not read: said
        pd.DataFrame().to_excel(xw, sheet_name="Sheet3", index=False)          # empty: nothing to say
    with pd.ExcelWriter(tmp_path / "tables.xlsx", engine="xlsxwriter") as xw:
        layers["contracts"].to_excel(xw, sheet_name="合同", index=False)
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="汇总", index=False)
        pd.DataFrame().to_excel(xw, sheet_name="Sheet2", index=False)
    raw = read_package(tmp_path)
    ignored = _ignored(raw)
    assert set(ignored) == {"a.gpkg:宗地备份", "enterprises.xlsx:Sheet2", "tables.xlsx:汇总"}
    assert "可能是指「宗地(parcels)」" in ignored["a.gpkg:宗地备份"]["expected"]
    assert ignored["enterprises.xlsx:Sheet2"]["layer"] == "enterprises"
    assert "Sheet1" in ignored["enterprises.xlsx:Sheet2"]["message"]
    assert set(raw.layers) == {"zones", "parcels", "enterprises", "contracts"}


def test_a_folder_of_only_unread_files_says_what_it_holds(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "宗地图.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(PackageUnreadable) as ei:
        read_package(tmp_path / "pkg")
    assert "未读入：宗地图.csv" in ei.value.message


def test_new_codes_are_warnings():
    layers = clean_package()
    layers["parcels"]["备注"] = "x"
    layers.pop("buildings")
    report = report_of(layers)
    assert report.ok
    assert {p.code.value for p in report.problems} == {"unknown_field", "no_buildings"}
    assert {p.severity for p in report.problems} == {Severity.WARNING}


def test_a_layer_in_a_format_not_read_is_named_by_its_layer(tmp_path):
    folder = write_folder({"zones": clean_package()["zones"]}, tmp_path / "pkg", spatial="geojson")
    (folder / "parcels.dwg").write_bytes(b"AC1027")
    (folder / "宗地说明.xml").write_text("<x/>", encoding="utf-8")  # not beside a .shp: a file not read
    report = validate_path(folder)
    got = keyed(problems_of(report))
    assert ("error", "missing_layer", "parcels", None, None) in got
    assert ("warning", "ignored_source", "parcels", None, None) in got  # parcels.dwg, said for parcels
    assert ("warning", "ignored_source", "宗地说明.xml", None, None) in got


def test_the_engine_fields_not_reported_are_those_the_per_mu_engine_reads():
    """schema's Layer.extra against jiyue.mujun.inputs (which layer reads what: its docstring)."""
    from jiyue.mujun.inputs import EXTRA_TEXT, EXTRA_VARIABLES
    from jiyue.schema import LAYERS

    ent, ey = LAYERS["enterprises"].extra, LAYERS["enterprise_years"].extra
    for key in ("park", "street", "flags"):
        assert set(EXTRA_TEXT[key]) <= set(ent), key
    for names in [EXTRA_TEXT[k] for k in ("flags", "scale", "past_class", "lessor_id")] + \
            list(EXTRA_VARIABLES.values()):
        assert set(names) <= set(ey), names
