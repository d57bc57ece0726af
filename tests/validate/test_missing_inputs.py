"""Data the indicators need: no buildings (no_buildings), no zone statistics (no_zone_years).

Both are warnings: the package imports and evaluates, but the indicators that need the data are
reported as missing; the warning says so before anyone reads a score. Expected years and texts
are worked out from the factories by hand (enterprise_years and zone_years are of 2020; the
latest supply_date is P4's 2019-06-01).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from factories import clean_package, merge, report_of, zone_copy
from jiyue import messages
from jiyue.errors import ReasonCode
from jiyue.validate import package_year
from support import keyed, problems_of

DOC = Path(__file__).resolve().parents[2] / "docs" / "reason-codes.md"
FLOOR = ("综合容积率", "建筑密度", "工业用地综合容积率", "工业用地建筑系数")


def codes(report) -> set[tuple]:
    return keyed(problems_of(report))


def two_zones(**drop: str) -> dict:
    """Zones Z1 and Z2 (small_package each, Z2 1 km east); ``drop``: layer → zone whose rows go."""
    layers = merge(zone_copy("Z1", name="甲区"), zone_copy("Z2", name="乙区", dx=1000.0))
    for layer, zone in drop.items():
        df = layers[layer]
        key = "zone_code" if "zone_code" in df.columns else df.columns[0]
        keep = ~df[key].astype(str).str.startswith(zone)
        layers[layer] = df[keep.to_numpy()].reset_index(drop=True)
    return layers


# --------------------------------------------------------------------------- buildings
def test_no_buildings_layer_is_a_warning_naming_the_four_indicators():
    layers = clean_package()
    layers.pop("buildings")
    report = report_of(layers)
    assert report.ok
    assert codes(report) == {("warning", "no_buildings", "buildings", None, None)}
    (p,) = problems_of(report)
    assert p["found"] == "不存在"
    assert p["message"] == ("图层「建筑(buildings)」不存在：没有建筑就无法计算综合容积率、建筑密度、工业用地综合容积率、"
                            "工业用地建筑系数，评价时这些指标将列为缺失。应提供：" + p["expected"])


def test_an_empty_buildings_layer_is_the_same_warning():
    layers = clean_package()
    layers["buildings"] = layers["buildings"].iloc[0:0]
    report = report_of(layers)
    assert codes(report) == {("warning", "no_buildings", "buildings", None, None)}
    assert problems_of(report)[0]["found"] == "没有任何记录"


def test_a_zone_without_any_building_is_named():
    report = report_of(two_zones(buildings="Z2"))
    assert codes(report) == {("warning", "no_buildings", "zones", "Z2", None)}
    (p,) = problems_of(report)
    assert p["row"] == 2  # the second zone
    assert "建筑图层的 5 条记录都不在本区的宗地上" in p["message"]  # Z1's five buildings
    assert all(name in p["message"] for name in FLOOR)


def test_buildings_in_every_zone_no_warning():
    assert codes(report_of(two_zones())) == set()


def test_floor_area_indicator_names_are_the_evaluations():
    from jiyue.evaluation.indicators import INDICATORS

    keys = ("far", "building_density", "industrial_far", "industrial_building_coefficient")
    assert messages.FLOOR_AREA_INDICATORS == FLOOR == tuple(INDICATORS[k].name for k in keys)
    assert messages.ZONE_YEAR_INDICATORS == ("综合地均税收", "人口密度") == \
        (INDICATORS["tax_per_ha"].name, INDICATORS["population_density"].name)
    assert messages.INDUSTRIAL_INDICATORS == {
        "industrial_tax_wan": INDICATORS["industrial_tax_per_ha"].name,
        "industrial_fai_wan": INDICATORS["industrial_fai_intensity"].name}


# --------------------------------------------------------------------------- zone_years
def test_no_zone_years_layer_warns_per_zone_with_the_package_year():
    layers = clean_package()
    layers.pop("zone_years")
    report = report_of(layers)
    assert report.ok
    # the year: no zone_years, so the latest enterprise_years.year, 2020
    assert codes(report) == {("warning", "no_zone_years", "zone_years", "Z1/2020", None)}
    (p,) = problems_of(report)
    assert p["message"].startswith("图层「开发区年度数据(zone_years)」中没有记录「Z1/2020」：数据包中没有此图层，"
                                   "综合地均税收、人口密度无法计算，评价时将列为缺失；")
    # P1 is A2, used by E1, whose 2020 row has tax 150 and fixed assets 6 000: both can be summed
    assert "工业用地地均税收、工业用地固定资产投入强度改由 A2 宗地上企业的年度数据（enterprise_years）汇总" \
        in p["message"]
    assert "也将列为缺失" not in p["message"]
    assert "这样算出的分值与具备这些数据的开发区不可比" in p["message"]
    assert p["expected"].startswith("开发区「Z1」2020年度的一行数据")


def test_without_enterprise_data_the_industrial_figures_go_missing_too():
    layers = clean_package()
    layers.pop("zone_years")
    layers.pop("enterprise_years")
    report = report_of(layers)
    # neither zone_years nor enterprise_years: the year of the latest supply_date (P4, 2019-06-01)
    assert codes(report) == {("warning", "no_zone_years", "zone_years", "Z1/2019", None)}
    msg = problems_of(report)[0]["message"]
    assert "工业用地地均税收、工业用地固定资产投入强度也将列为缺失（无法由 A2 宗地上企业的年度数据汇总）" in msg
    assert "改由" not in msg


def test_only_the_tax_can_be_summed_when_fixed_assets_are_blank():
    layers = clean_package()
    layers.pop("zone_years")
    layers["enterprise_years"]["fixed_assets_wan"] = None
    msg = problems_of(report_of(layers))[0]["message"]
    assert "工业用地地均税收改由 A2 宗地上企业的年度数据（enterprise_years）汇总，" \
           "工业用地固定资产投入强度也将列为缺失" in msg


def test_a_zone_missing_from_zone_years_is_named_alone():
    report = report_of(two_zones(zone_years="Z2"))
    assert codes(report) == {("warning", "no_zone_years", "zone_years", "Z2/2020", None)}


def test_a_row_of_another_year_does_not_count():
    layers = two_zones()
    layers["zone_years"].loc[1, "year"] = 2019  # Z2's row; Z1's 2020 row makes the year 2020
    report = report_of(layers)
    assert codes(report) == {("warning", "no_zone_years", "zone_years", "Z2/2020", None)}


def test_package_year_is_the_stores():
    from jiyue.store import package_year as store_year

    for drop in ((), ("zone_years",), ("zone_years", "enterprise_years")):
        layers = clean_package()
        for d in drop:
            layers.pop(d)
        report = report_of(layers)
        assert package_year(report.package) == store_year(report) == {0: 2020, 1: 2020, 2: 2019}[len(drop)]


# --------------------------------------------------------------------------- the doc
@pytest.mark.parametrize("code", ["unknown_field", "ignored_source", "no_buildings", "no_zone_years"])
def test_new_codes_are_documented_as_warnings(code):
    assert ReasonCode(code)
    text = DOC.read_text(encoding="utf-8")
    assert re.search(rf"^### `{code}` — warning$", text, re.M), code
