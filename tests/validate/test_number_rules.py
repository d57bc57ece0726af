"""Numbers, integers, dates and their allowed ranges, in every field of every layer (issue 17).

A value that is not a number where the contract wants one is an error naming the layer, the
record, the field and the text found — never read as 0 or blank. Impossible values (a year
outside 1949–2100, a negative area, amount or tax, 500 floors, a date in 2999) are errors too.
The fields are listed here by hand from the data contract (not taken from jiyue.schema), so a
field that loses its check is caught.
"""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import pytest

from factories import clean_package, edit, report_of
from support import keyed

# layer -> number fields of the contract (real and integer), written from the contract
NUMBER_FIELDS = {
    "zones": ["approved_area_ha"],
    "parcels": ["area_m2"],
    "buildings": ["floors", "floor_area_m2", "footprint_m2", "storey_height_m"],
    "enterprise_years": ["tax_wan", "revenue_wan", "value_added_wan", "output_wan", "energy_tce",
                         "emission_t", "electricity_mwh", "employees", "rd_wan", "fixed_assets_wan",
                         "land_m2_extra"],
    "zone_years": ["tax_total_wan", "industrial_tax_wan", "industrial_fai_wan", "population"],
    "contracts": ["land_price_wan", "total_investment_wan", "commit_fai_per_mu", "commit_far",
                  "commit_tax_per_mu", "commit_va_per_energy", "commit_va_per_emission",
                  "late_start_permille", "late_completion_permille"],
    "progress": ["developed_area_m2", "invested_wan"],
    "facilities": ["capacity"],
}
INTEGER_FIELDS = {("buildings", "floors"), ("enterprise_years", "employees"), ("zone_years", "population"),
                  ("enterprise_years", "year"), ("zone_years", "year")}
DATE_FIELDS = {
    "parcels": ["supply_date"],
    "enterprises": ["founded"],
    "contracts": ["signed_date", "delivery_date", "start_agreed", "completion_agreed",
                  "production_review_date"],
    "progress": ["date"],
}
ROW_ID = {"zones": "Z1", "parcels": "P1", "buildings": "B1", "enterprises": "E1", "enterprise_years": "E1/2020",
          "zone_years": "Z1/2020", "contracts": "C1", "progress": "C1/2018-01-10/commenced", "facilities": "F1"}


def package() -> dict:
    """The clean package with one progress record (clean_package has none)."""
    layers = clean_package()
    layers["progress"] = pd.DataFrame({"contract_no": ["C1"], "date": [dt.date(2018, 1, 10)],
                                       "event": ["commenced"], "developed_area_m2": [5000.0],
                                       "invested_wan": [1200.0]})
    return layers


def test_the_package_used_here_is_clean():
    assert report_of(package()).problems == []


def problems(layers) -> list[dict]:
    return [p.to_dict() for p in report_of(layers).problems]


def only(layers, layer: str, fld: str) -> dict:
    """The single problem the package has, which must be an error on ``layer``.``fld``."""
    ps = problems(layers)
    assert len(ps) == 1, ps
    p = ps[0]
    assert (p["severity"], p["layer"], p["field"]) == ("error", layer, fld), p
    return p


CASES = [(layer, f) for layer, fields in NUMBER_FIELDS.items() for f in fields]


@pytest.mark.parametrize("layer,fld", CASES)
@pytest.mark.parametrize("text", ["abc", "twelve", "not-a-number", "12万", "inf", "nan"])
def test_text_in_a_number_field_is_an_error_naming_row_field_and_text(layer, fld, text):
    p = only(edit(package(), layer, 0, **{fld: text}), layer, fld)
    integer = (layer, fld) in INTEGER_FIELDS
    assert p["code"] == ("bad_integer" if integer else "bad_number")
    assert p["row_id"] == ROW_ID[layer] and p["found"] == text and p["row"] == 1
    assert f"「{text}」" in p["message"] and ROW_ID[layer] in p["message"] and f"({fld}" in p["message"]
    assert p["expected"]


@pytest.mark.parametrize("layer,fld", CASES)
def test_a_negative_value_is_an_error_in_every_number_field(layer, fld):
    p = only(edit(package(), layer, 0, **{fld: -3}), layer, fld)
    assert (p["code"], p["row_id"], p["found"]) == ("negative_value", ROW_ID[layer], "-3")


@pytest.mark.parametrize("layer,fld", CASES)
def test_zero_and_plain_numbers_pass_in_every_number_field(layer, fld):
    for value in ("0", " 12 ", 1.5 if (layer, fld) not in INTEGER_FIELDS else 7):
        errors = [p for p in problems(edit(package(), layer, 0, **{fld: value})) if p["severity"] == "error"]
        assert errors == [], (value, errors)


@pytest.mark.parametrize("layer", ["enterprise_years", "zone_years"])
@pytest.mark.parametrize("year,code", [("abc", "bad_integer"), (0, "out_of_range"), (-1, "out_of_range"),
                                       (1948, "out_of_range"), (2101, "out_of_range"), (20, "out_of_range"),
                                       (20200, "out_of_range"), ("2020.5", "bad_integer")])
def test_impossible_years_are_errors(layer, year, code):
    ps = [p for p in problems(edit(package(), layer, 0, year=year)) if p["severity"] == "error"]
    assert [(p["code"], p["layer"], p["field"], p["found"]) for p in ps] == [(code, layer, "year", str(year))]
    if code == "out_of_range":
        assert "1949 至 2100 之间的年份" in ps[0]["message"]


@pytest.mark.parametrize("layer", ["enterprise_years", "zone_years"])
@pytest.mark.parametrize("year", [1949, 2100])
def test_the_bounds_of_the_year_are_allowed(layer, year):
    ps = [p for p in problems(edit(package(), layer, 0, year=year)) if p["severity"] == "error"]
    assert ps == []


@pytest.mark.parametrize("fld,value,code", [
    ("floors", 201, "out_of_range"), ("floors", 200, None), ("floors", 2.5, "bad_integer"),
    ("floors", "两层", "bad_integer"), ("storey_height_m", "3米", "bad_number"),
])
def test_buildings_floors_and_heights(fld, value, code):
    ps = problems(edit(package(), "buildings", 0, **{fld: value}))
    if code is None:
        assert ps == []
    else:
        assert keyed(ps) == {("error", code, "buildings", "B1", fld)}


@pytest.mark.parametrize("fld", ["late_start_permille", "late_completion_permille"])
def test_a_daily_penalty_above_1000_permille_is_impossible(fld):
    assert problems(edit(package(), "contracts", 0, **{fld: 1000})) == []
    p = only(edit(package(), "contracts", 0, **{fld: 1000.5}), "contracts", fld)
    assert (p["code"], p["found"]) == ("out_of_range", "1000.5")


DATE_CASES = [(layer, f) for layer, fields in DATE_FIELDS.items() for f in fields]


@pytest.mark.parametrize("layer,fld", DATE_CASES)
def test_dates_outside_1949_to_2100_are_errors(layer, fld):
    for value in ("2999-01-01", "2101-01-01"):
        p = only(edit(package(), layer, 0, **{fld: value}), layer, fld)
        assert (p["code"], p["found"]) == ("out_of_range", value)
        assert "2100-12-31" in p["message"]
    assert problems(edit(package(), layer, 0, **{fld: "2100-12-31"})) == []


@pytest.mark.parametrize("layer,fld", [c for c in DATE_CASES if c != ("enterprises", "founded")])
def test_dates_before_1949_are_errors(layer, fld):
    p = only(edit(package(), layer, 0, **{fld: "1948-12-31"}), layer, fld)
    assert (p["code"], p["found"]) == ("out_of_range", "1948-12-31")
    if fld != "date":  # the key of progress: its id changes with it
        assert problems(edit(package(), layer, 0, **{fld: "1949-01-01"})) == []


def test_an_enterprise_may_be_older_than_1949_but_not_older_than_1800():
    assert problems(edit(package(), "enterprises", 0, founded="1903-08-15")) == []
    p = only(edit(package(), "enterprises", 0, founded="1799-12-31"), "enterprises", "founded")
    assert p["code"] == "out_of_range"


@pytest.mark.parametrize("layer,fld", DATE_CASES)
def test_text_in_a_date_field_is_an_error(layer, fld):
    ps = [p for p in problems(edit(package(), layer, 0, **{fld: "abc"}))
          if (p["layer"], p["field"]) == (layer, fld)]
    assert [(p["severity"], p["code"], p["found"]) for p in ps] == [("error", "bad_date", "abc")]


def test_every_bad_value_is_reported_not_only_the_first():
    layers = package()
    layers = edit(layers, "enterprise_years", 0, year="abc", tax_wan="twelve", employees="-5")
    layers = edit(layers, "parcels", 0, area_m2="not-a-number")
    layers = edit(layers, "parcels", 1, area_m2=-10)
    layers = edit(layers, "buildings", 3, floors=999)
    layers = edit(layers, "contracts", 0, land_price_wan="三百")
    got = {(p["code"], p["layer"], p["row_id"], p["field"], p["found"]) for p in problems(layers)
           if p["severity"] == "error"}
    assert got == {
        ("bad_integer", "enterprise_years", "E1/abc", "year", "abc"),
        ("bad_number", "enterprise_years", "E1/abc", "tax_wan", "twelve"),
        ("negative_value", "enterprise_years", "E1/abc", "employees", "-5"),
        ("bad_number", "parcels", "P1", "area_m2", "not-a-number"),
        ("negative_value", "parcels", "P2", "area_m2", "-10"),
        ("out_of_range", "buildings", "B4", "floors", "999"),
        ("bad_number", "contracts", "C1", "land_price_wan", "三百"),
    }


def test_a_bad_area_is_not_read_as_zero_nor_warned_about_as_a_mismatch():
    report = report_of(edit(package(), "parcels", 0, area_m2="not-a-number"))
    assert [p.code.value for p in report.problems] == ["bad_number"]
    assert "0.00 平方米" not in report.problems[0].message
    assert pd.isna(report.package.layers["parcels"]["area_m2"].iloc[0])


def test_full_width_digits_are_read():
    report = report_of(edit(package(), "parcels", 0, area_m2="１００００．０"))
    assert report.problems == []
    assert report.package.layers["parcels"]["area_m2"].iloc[0] == 10000.0


# =========================================================================== the shared rule
@pytest.mark.parametrize("value,want", [
    ("12.5", ("number", 12.5)), (" 1,234 ", ("number", 1234.0)), (7, ("number", 7.0)), ("-0", ("number", 0.0)),
    ("1e3", ("number", 1000.0)), ("１２３", ("number", 123.0)),
    (None, ("blank", None)), ("", ("blank", None)), ("  ", ("blank", None)), (float("nan"), ("blank", None)),
    ("abc", ("not_a_number", None)), ("twelve", ("not_a_number", None)), ("inf", ("not_a_number", None)),
    ("-Infinity", ("not_a_number", None)), ("nan", ("not_a_number", None)), ("1e400", ("not_a_number", None)),
    ("12,5", ("not_a_number", None)), ("—", ("not_a_number", None)), (True, ("not_a_number", None)),
    ("0x10", ("not_a_number", None)), ("1_000", ("not_a_number", None)), ("12%", ("not_a_number", None)),
])
def test_classify_number(value, want):
    from jiyue.normalize import classify_number

    assert classify_number(value) == want


def test_infinite_floats_in_a_numeric_column_are_not_numbers():
    from jiyue.normalize import parse_numbers

    num, bad = parse_numbers(pd.Series([1.0, float("inf"), float("-inf"), float("nan")]))
    assert bad.tolist() == [False, True, True, False]
    assert num.iloc[0] == 1.0 and num.iloc[1:].isna().all()


def test_the_ranges_are_declared_as_data():
    from jiyue.schema import LAYERS, RANGES

    assert RANGES[("enterprise_years", "year")] == (1949, 2100)
    assert RANGES[("zone_years", "year")] == (1949, 2100)
    assert RANGES[("buildings", "floors")] == (0, 200)
    assert RANGES[("contracts", "signed_date")] == (dt.date(1949, 1, 1), dt.date(2100, 12, 31))
    assert RANGES[("enterprises", "founded")][0] == dt.date(1800, 1, 1)
    for layer, fields in NUMBER_FIELDS.items():
        for f in fields:
            assert RANGES[(layer, f)][0] == 0, (layer, f)  # none may be negative
            assert LAYERS[layer].field(f).nonnegative
    for layer, fields in DATE_FIELDS.items():
        for f in fields:
            assert (layer, f) in RANGES


def test_a_failed_package_is_never_changed_by_validation():
    layers = edit(package(), "enterprise_years", 0, year="abc")
    before = copy.deepcopy(layers)
    report_of(layers)
    for name, df in before.items():
        pd.testing.assert_frame_equal(pd.DataFrame(layers[name]), pd.DataFrame(df))


# =========================================================================== optional number fields
@pytest.mark.parametrize("column", ["water_t", "用水量", "gas_m3", "用气量", "tech_invest_wan", "技改投资",
                                    "技术改造投资", "land_use_tax_wan", "城镇土地使用税",
                                    "other_surcharge_yuan_kwh", "其他电价加价"])
def test_optional_number_fields_read_by_the_per_mu_engine_are_checked_too(column):
    """用水量, 用气量 … are outside the contract but read by the per-mu evaluation: a word there
    was silently a blank figure."""
    p = only(edit(package(), "enterprise_years", 0, **{column: "twelve"}), "enterprise_years", column)
    assert (p["code"], p["row_id"], p["found"]) == ("bad_number", "E1/2020", "twelve")
    ok = report_of(edit(package(), "enterprise_years", 0, **{column: "1,200"}))
    assert ok.problems == []
    assert ok.package.layers["enterprise_years"][f"x_{column}"].tolist() == [1200.0]


def test_a_negative_optional_figure_is_an_error_except_the_surcharge():
    p = only(edit(package(), "enterprise_years", 0, 用水量=-5), "enterprise_years", "用水量")
    assert p["code"] == "negative_value"
    assert problems(edit(package(), "enterprise_years", 0, 其他电价加价=-0.1)) == []
