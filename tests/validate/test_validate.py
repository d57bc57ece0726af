"""Package-level rules: ids, references, geometry, overlaps, buildings, credit codes.

Geometry figures are hand arithmetic on axis-aligned rectangles (factories.rect): a strip of
width w metres along a 100 m edge has w × 100 m².
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon

from factories import (X0, Y0, bow_tie, clean_package, edit, fix_credit_code, rect, report_of,
                       small_package)
from jiyue import messages
from jiyue.errors import ReasonCode, Severity
from jiyue.findings import ProblemSink
from jiyue.validate import (OVERLAP_TOLERANCE_M2, OVERLAP_TOLERANCE_SHARE, STRADDLE_TOLERANCE_M2,
                            STRADDLE_TOLERANCE_SHARE, _check_required_values, invalid_reason_zh,
                            uscc_valid)
from support import keyed, problems_of

ROW_LEVEL = {c.value for c in ReasonCode} - {
    "package_unreadable", "layer_unreadable", "missing_layer", "duplicate_layer", "missing_field",
    "duplicate_field", "reference_unchecked", "missing_crs", "crs_not_metric", "crs_mismatch",
    "already_imported", "unknown_field", "ignored_source", "no_buildings", "no_zone_years"}


def codes(report) -> set[tuple]:
    return keyed(problems_of(report))


# --------------------------------------------------------------------------- the clean package
def test_clean_package_has_no_problem():
    report = report_of(clean_package())
    assert report.ok and report.problems == [] and report.errors == [] and report.warnings == []
    assert report.counts()["rows"]["parcels"] == 6
    assert report.to_dict() == {"ok": True, "counts": report.counts(), "problems": []}


def test_small_package_only_has_its_made_up_credit_code():
    report = report_of(small_package())
    assert report.ok
    assert codes(report) == {("warning", "bad_credit_code", "enterprises", "E1", "credit_code")}


# --------------------------------------------------------------------------- layers and fields
def test_missing_parcels_layer():
    layers = {k: v for k, v in clean_package().items() if k != "parcels"}
    report = report_of(layers)
    assert not report.ok
    assert ("error", "missing_layer", "parcels", None, None) in codes(report)
    # what refers to parcels cannot be checked: said once per field, as a warning
    assert ("warning", "reference_unchecked", "buildings", None, "parcel_id") in codes(report)


def test_empty_parcels_layer_is_missing():
    layers = clean_package()
    layers["parcels"] = layers["parcels"].iloc[0:0]
    layers.pop("buildings")
    layers.pop("contracts")
    report = report_of(layers)
    p = problems_of(report, "missing_layer")
    assert [(x["layer"], x["found"]) for x in p] == [("parcels", "没有任何记录")]
    assert "没有任何记录" in p[0]["message"]


def test_blank_required_values_are_named_by_id_or_line():
    layers = edit(clean_package(), "parcels", 2, parcel_id=None)
    layers = edit(layers, "parcels", 3, supply_class="  ")
    layers["buildings"]["parcel_id"] = None  # P3 has no id now: buildings placed by position
    report = report_of(layers)
    assert {k for k in codes(report) if k[1] == "missing_value"} == {
        ("error", "missing_value", "parcels", "第3行", "parcel_id"),
        ("error", "missing_value", "parcels", "P4", "supply_class")}
    msg = {p["row_id"]: p["message"] for p in problems_of(report, "missing_value")}
    assert msg["第3行"].startswith("图层「宗地(parcels)」第3行的「宗地编号(parcel_id)」为空")
    assert "记录「P4」" in msg["P4"]


def test_a_bad_value_is_not_reported_again_as_blank():
    layers = edit(clean_package(), "parcels", 0, build_class="Z9")
    assert codes(report_of(layers)) == {("error", "unknown_code", "parcels", "P1", "build_class")}


def test_required_value_check_is_linear():
    """20 000 blank names after 20 000 earlier problems: must not be quadratic."""
    n = 20_000
    df = pd.DataFrame({"enterprise_id": [f"E{i}" for i in range(n)], "name": [None] * n,
                       "_row": np.arange(1, n + 1)})
    df["_rid"] = df["enterprise_id"]
    sink = ProblemSink()
    for i in range(n):
        sink.add(Severity.ERROR, ReasonCode.BAD_DATE, "enterprises", f"E{i}", "founded", "x", "日期", i + 1)
    t = time.perf_counter()
    _check_required_values("enterprises", df, sink, {"enterprise_id", "name"})
    took = time.perf_counter() - t
    assert len(sink.problems) == 2 * n
    assert took < 5.0


# --------------------------------------------------------------------------- ids and references
def test_duplicate_id_names_both_lines():
    layers = edit(clean_package(), "parcels", 1, parcel_id="P1")
    layers["buildings"]["parcel_id"] = ["P1", "P1", "P1", None, "P3"]
    report = report_of(layers)
    dup = problems_of(report, "duplicate_id")
    assert len(dup) == 1
    d = dup[0]
    assert (d["layer"], d["row_id"], d["field"], d["found"], d["row"]) == ("parcels", "P1", "parcel_id", "P1", 2)
    assert d["message"] == "图层「宗地(parcels)」第2行的编号「P1」重复，应为唯一编号（第1行已使用此编号）"


def test_duplicate_composite_key():
    layers = clean_package()
    layers["enterprise_years"] = pd.concat([layers["enterprise_years"]] * 2, ignore_index=True)
    assert codes(report_of(layers)) == {
        ("error", "duplicate_id", "enterprise_years", "E1/2020", "enterprise_id/year")}


def test_broken_references_name_the_row():
    layers = edit(clean_package(), "parcels", 0, user_id="E404", contract_no="C404")
    layers = edit(layers, "parcels", 1, zone_code="Z9")
    layers = edit(layers, "buildings", 4, parcel_id="P404")
    layers = edit(layers, "contracts", 0, enterprise_id="E404")
    report = report_of(layers)
    assert codes(report) == {
        ("error", "broken_reference", "parcels", "P1", "user_id"),
        ("error", "broken_reference", "parcels", "P1", "contract_no"),
        ("error", "broken_reference", "parcels", "P2", "zone_code"),
        ("error", "broken_reference", "buildings", "B5", "parcel_id"),
        ("error", "broken_reference", "contracts", "C1", "enterprise_id"),
    }
    p = [x for x in problems_of(report) if x["row_id"] == "P2"][0]
    assert p["message"] == ("图层「宗地(parcels)」记录「P2」的「开发区代码(zone_code)」为「Z9」，"
                            "但「开发区(zones)」图层中没有这条记录")


def test_reference_to_an_absent_optional_layer_is_a_warning():
    layers = clean_package()
    layers.pop("enterprises")
    layers.pop("enterprise_years")
    report = report_of(layers)
    assert report.ok
    assert codes(report) == {("warning", "reference_unchecked", "parcels", None, "user_id"),
                             ("warning", "reference_unchecked", "contracts", None, "enterprise_id")}


# --------------------------------------------------------------------------- values per row
@pytest.mark.parametrize("layer,row,field,value,code", [
    ("parcels", 2, "build_class", "Z9", "unknown_code"),
    ("parcels", 2, "supply_class", "D3", "unknown_code"),
    ("parcels", 2, "area_m2", -1.0, "negative_value"),
    ("enterprise_years", 0, "tax_wan", -150.0, "negative_value"),
    ("contracts", 0, "land_price_wan", "三百", "bad_number"),
    ("contracts", 0, "signed_date", "2016-04-31", "bad_date"),
    ("buildings", 3, "floors", -2, "negative_value"),
    ("zone_years", 0, "year", "二〇二〇", "bad_integer"),
])
def test_bad_values_are_errors_named_by_layer_and_id(layer, row, field, value, code):
    report = report_of(edit(clean_package(), layer, row, **{field: value}))
    rid = {"parcels": "P3", "enterprise_years": "E1/2020", "contracts": "C1", "buildings": "B4",
           "zone_years": "Z1/二〇二〇" if field == "year" else "Z1/2020"}[layer]
    assert codes(report) == {("error", code, layer, rid, field)}  # reported once, not again as blank
    assert not report.ok


# --------------------------------------------------------------------------- geometry
def test_bow_tie_is_invalid_in_chinese():
    report = report_of(edit(clean_package(), "parcels", 5, geometry=bow_tie(500, 0, 100)))
    assert codes(report) == {("error", "invalid_geometry", "parcels", "P6", None)}
    p = problems_of(report)[0]
    assert p["found"] == "边界自相交，位置约 (39410550.00, 4036050.00)"  # the crossing: centre of the tie
    assert p["message"].startswith("图层「宗地(parcels)」记录「P6」的图形无效（边界自相交")


def test_invalid_reason_translation():
    assert invalid_reason_zh("Self-intersection[1 2]") == "边界自相交，位置约 (1.00, 2.00)"
    assert invalid_reason_zh("Too few points[3 4]") == "顶点太少，位置约 (3.00, 4.00)"
    assert invalid_reason_zh("Something new") == "Something new"


def test_empty_missing_and_wrong_geometries():
    layers = edit(clean_package(), "parcels", 0, geometry=Polygon())
    layers = edit(layers, "parcels", 1, geometry=None)
    layers = edit(layers, "parcels", 2, geometry=Point(X0 + 250, Y0 + 50))
    layers = edit(layers, "zones", 0, geometry=None)
    layers["buildings"]["parcel_id"] = ["P1", "P1", "P1", "P2", "P3"]
    report = report_of(layers)
    assert codes(report) == {
        ("error", "empty_geometry", "parcels", "P1", None),
        ("error", "missing_geometry", "parcels", "P2", None),
        ("error", "wrong_geometry_type", "parcels", "P3", None),
        ("warning", "missing_geometry", "zones", "Z1", None),  # zone outlines are optional
        # the buildings on P1..P3 now lie in no usable parcel
        ("warning", "building_outside_parcels", "buildings", "B1", "parcel_id"),
        ("warning", "building_outside_parcels", "buildings", "B2", "parcel_id"),
        ("warning", "building_outside_parcels", "buildings", "B3", "parcel_id"),
        ("warning", "building_outside_parcels", "buildings", "B4", "parcel_id"),
        ("warning", "building_outside_parcels", "buildings", "B5", "parcel_id"),
    }
    wrong = problems_of(report, "wrong_geometry_type")[0]
    assert wrong["found"] == "点（Point）" and wrong["expected"] == "面（Polygon）"


def test_multipolygon_parcels_are_fine():
    mp = MultiPolygon([rect(500, 0, 40, 100), rect(560, 0, 40, 100)])  # two strips, 20 m apart
    assert mp.area == 8_000
    report = report_of(edit(clean_package(), "parcels", 5, geometry=mp, area_m2=None))
    assert report.problems == []
    assert report.package.layers["parcels"]["area_eff_m2"].iloc[5] == 8_000


# --------------------------------------------------------------------------- overlaps
def _overlap(width: float, height: float = 100.0, size: float = 100.0):
    """P2 pushed ``width`` m into P1 (P2 = ``size`` × ``height`` m), overlap width × height m²."""
    layers = clean_package()
    layers.pop("buildings")  # B4 would no longer stand on a shrunken P2
    layers = edit(layers, "parcels", 1, geometry=rect(100 - width, 0, size, height))
    layers["parcels"]["area_m2"] = None
    return report_of(layers)


def test_tolerances_are_the_documented_ones():
    assert (OVERLAP_TOLERANCE_M2, OVERLAP_TOLERANCE_SHARE) == (0.5, 0.001)
    assert (STRADDLE_TOLERANCE_M2, STRADDLE_TOLERANCE_SHARE) == (0.5, 0.01)


@pytest.mark.parametrize("width,height,size,error", [
    (0.0, 100, 100, False),    # sharing an edge is not overlapping
    (0.004, 100, 100, False),  # 0.4 m² < 0.5 m²
    (0.05, 100, 100, False),   # 5 m² < 0.1 % of 10 000 m² = 10 m²
    (0.09, 100, 100, False),   # 9 m² < 10 m²
    (0.11, 100, 100, True),    # 11 m² > 10 m²
    (50, 100, 100, True),      # half of it
    (0.04, 10, 10, False),     # small P2 (10 × 10 = 100 m²): 0.4 m² < max(0.5, 0.1) m²
    (0.06, 10, 10, True),      # 0.6 m² > 0.5 m²
])
def test_overlap_tolerance(width, height, size, error):
    report = _overlap(width, height, size)
    got = codes(report)
    no_buildings = ("warning", "no_buildings", "buildings", None, None)  # _overlap drops them
    if error:
        assert got == {("error", "parcel_overlap", "parcels", "P1", None), no_buildings}
        p = problems_of(report, "parcel_overlap")[0]
        assert p["found"] == "P2"
        assert f"重叠面积 {width * height:.2f} 平方米" in p["message"]
        assert "宗地「P1」与宗地「P2」相互重叠" in p["message"]
    else:
        assert not {k for k in got if k[1] == "parcel_overlap"}


def test_a_parcel_inside_another_overlaps():
    layers = clean_package()
    layers = edit(layers, "parcels", 5, geometry=rect(20, 20, 10, 10), area_m2=100.0)
    layers["buildings"]["parcel_id"] = ["P1", "P1", "P1", "P2", "P3"]
    report = report_of(layers)
    assert ("error", "parcel_overlap", "parcels", "P1", None) in codes(report)


# --------------------------------------------------------------------------- buildings
def _buildings_without_parcel_ids():
    layers = clean_package()
    layers["buildings"]["parcel_id"] = None
    return layers


def test_buildings_are_placed_by_representative_point():
    report = report_of(_buildings_without_parcel_ids())
    assert report.problems == []
    assert report.building_parcel.tolist() == ["P1", "P1", "P1", "P2", "P3"]


def test_building_outside_every_parcel_is_named():
    layers = edit(_buildings_without_parcel_ids(), "buildings", 4, geometry=rect(50, 150, 10, 10))
    report = report_of(layers)
    assert report.ok
    assert codes(report) == {("warning", "building_outside_parcels", "buildings", "B5", "parcel_id")}
    p = problems_of(report)[0]
    assert p["found"].startswith("代表点坐标 (39410055.00, 4036155.00)")
    assert p["message"].startswith("建筑「B5」的基底不在任何宗地内")
    bp = report.building_parcel
    assert bp.tolist() == ["P1", "P1", "P1", "P2", None]
    assert bp.dtype == object and bp.iloc[4] is None  # not NaN


@pytest.mark.parametrize("x,w,h,warn", [
    (90.0, 20, 20, True),    # 10 × 20 = 200 m² of 400 m² outside P1 (50 %)
    (90.15, 10, 10, True),   # 0.15 × 10 = 1.5 m² of 100 m² (1.5 %): > 0.5 m² and > 1 %
    (90.08, 10, 10, False),  # 0.8 m² (0.8 %): > 0.5 m² but not > 1 %
    (98.2, 2, 2, False),     # 0.2 × 2 = 0.4 m² (10 %): not > 0.5 m²
])
def test_straddling_footprint_tolerance(x, w, h, warn):
    layers = edit(_buildings_without_parcel_ids(), "buildings", 3, geometry=rect(x, 10, w, h))
    report = report_of(layers)
    got = codes(report)
    assert got == ({("warning", "building_straddles_parcels", "buildings", "B4", "parcel_id")} if warn else set())
    assert report.building_parcel.tolist()[3] == "P1"
    if warn:
        p = problems_of(report)[0]
        assert "在宗地「P1」之外" in p["found"]
        assert p["message"].startswith("建筑「B4」跨越宗地边界")


def test_given_parcel_different_from_position_is_a_warning():
    layers = edit(clean_package(), "buildings", 4, parcel_id="P4")  # B5 stands on P3
    report = report_of(layers)
    assert codes(report) == {("warning", "building_parcel_mismatch", "buildings", "B5", "parcel_id")}
    p = problems_of(report)[0]
    assert (p["found"], p["expected"]) == ("P4", "P3")
    assert report.building_parcel.tolist()[4] == "P4"  # the clerk's own entry is kept


def test_given_parcel_kept_for_a_footprint_outside_all_parcels():
    layers = edit(clean_package(), "buildings", 4, geometry=rect(250, 150, 10, 10))
    report = report_of(layers)
    assert codes(report) == {("warning", "building_outside_parcels", "buildings", "B5", "parcel_id")}
    assert "按填写的宗地「P3」计入" in problems_of(report)[0]["found"]
    assert report.building_parcel.tolist()[4] == "P3"


# --------------------------------------------------------------------------- credit codes
def test_credit_code_checksum_hand_example():
    # 9137150 0MA3C8KXX3 → weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 give the check char J
    assert fix_credit_code("91371500MA3C8KXX3") == "91371500MA3C8KXX3J"
    assert uscc_valid("91371500MA3C8KXX3J")
    assert uscc_valid("91371500ma3c8kxx3j")  # case does not matter
    assert not uscc_valid("91371500MA3C8KXX3X")  # wrong check character
    assert not uscc_valid("91371500MA3C8KXX3")  # 17 characters
    assert not uscc_valid("91371500MA3C8KXI3J")  # I is not used


def test_wrong_credit_code_is_a_warning_naming_the_row():
    layers = clean_package()
    layers["enterprises"] = pd.concat([layers["enterprises"]] * 3, ignore_index=True)
    layers["enterprises"]["enterprise_id"] = ["E1", "E2", "E3"]
    layers["enterprises"]["credit_code"] = [fix_credit_code("91371500MA3C8KXX3"), "91371500MA3C8KXX3X", None]
    report = report_of(layers)
    assert report.ok
    assert codes(report) == {("warning", "bad_credit_code", "enterprises", "E2", "credit_code")}
    assert "统一社会信用代码「91371500MA3C8KXX3X」校验不通过" in problems_of(report)[0]["message"]


# --------------------------------------------------------------------------- class consistency
def test_idle_land_must_be_supplied():
    layers = edit(clean_package(), "parcels", 4, idle=True)  # P5 is E21
    report = report_of(layers)
    assert codes(report) == {("warning", "inconsistent_class", "parcels", "P5", "idle")}
    assert problems_of(report)[0]["found"] == "标为闲置，但供应状况为E21"


def test_blank_supply_class_is_not_a_contradiction():
    layers = edit(clean_package(), "parcels", 3, supply_class=None)  # P4 is idle
    report = report_of(layers)
    assert codes(report) == {("error", "missing_value", "parcels", "P4", "supply_class")}


def test_built_land_offered_for_supply_is_a_warning():
    report = report_of(edit(clean_package(), "parcels", 1, supply_class="E22"))
    assert codes(report) == {("warning", "inconsistent_class", "parcels", "P2", "supply_class")}


# --------------------------------------------------------------------------- the report
def test_every_problem_is_collected_errors_first_in_plain_chinese():
    layers = edit(clean_package(), "parcels", 1, parcel_id="P1", build_class="Z9")
    layers = edit(layers, "parcels", 5, geometry=bow_tie(500, 0, 100))
    layers = edit(layers, "enterprises", 0, credit_code="91371500MA3C8KXX3X")
    layers = edit(layers, "contracts", 0, signed_date="昨天", land_price_wan=-1)
    layers = edit(layers, "buildings", 4, geometry=rect(50, 150, 10, 10), parcel_id=None)
    layers["buildings"]["parcel_id"] = ["P1", "P1", "P1", None, None]
    report = report_of(layers)
    sev = [p.severity.value for p in report.problems]
    assert sev == sorted(sev)  # "error" < "warning"
    assert {p.code.value for p in report.errors} == {"duplicate_id", "unknown_code", "invalid_geometry",
                                                     "bad_date", "negative_value"}
    assert {p.code.value for p in report.warnings} == {"bad_credit_code", "building_outside_parcels"}
    for p in report.problems:
        assert p.layer and p.message
        if p.code.value in ROW_LEVEL:
            assert p.row_id, p
            assert p.row is not None
        for junk in ("nan", "None", "<NA>", "NaT", "{", "}"):
            assert junk not in p.message, p.message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in p.message)


def test_messages_exist_for_every_code():
    assert set(messages.TEMPLATES) == set(ReasonCode)


def test_record_labels():
    assert messages.record_label("P1") == "记录「P1」"
    assert messages.record_label("第3行") == "第3行"
    assert messages.record_label(None, 7) == "第7行"
