"""Rules files (library, terms, bounds) and the offer of a parcel's indicators and terms."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from importlib import resources

import pytest

from jiyue.errors import ProfileError, UsageError
from jiyue.standard_land.library import offer
from jiyue.standard_land.rules import load_rules, parse_rules

BH_AREA = 102.76 * 10_000 / 15


def _raw() -> dict:
    text = (resources.files("jiyue.standard_land.rulesets") / "default.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_default_rules_load_with_sources_and_tags() -> None:
    r = load_rules()
    assert (r.name, r.version) == ("default", "2024.1")
    assert r.national["building_coefficient_min"].value == 0.30
    assert r.national["admin_share_max"].value == 0.07
    assert r.national["green_ratio_max"].value == 0.20
    for key, term in r.terms.items():
        assert term.tag in ("CONFIRMED", "LOCAL", "UNCONFIRMED"), key
        assert term.source, key
    for row in r.library:
        assert row.tag and row.source


def test_every_problem_of_a_rules_file_is_reported_at_once() -> None:
    raw = _raw()
    raw["library"][0]["fai_per_mu"] = "many"
    raw["library"][1]["tier"] = "county"
    raw["library"][2]["green_ratio_max"] = 0.35  # looser than the national 20 %
    raw["terms"]["far"]["penalty"] = "double"
    del raw["terms"]["tax_per_mu"]
    raw["national"]["admin_share_max"]["value"] = 7  # a percentage instead of a fraction
    with pytest.raises(ProfileError) as e:
        parse_rules(raw, "test.toml")
    msg = e.value.message
    assert "6 处错误" in msg
    for part in ("[[library]] #1（*）.fai_per_mu", "county", "green_ratio_max = 0.35", "[terms.far].penalty",
                 "[terms] 缺少 tax_per_mu", "[national.admin_share_max].value = 7.0"):
        assert part in msg, part


def test_unknown_rules_name_and_missing_file(tmp_path) -> None:
    with pytest.raises(ProfileError, match="没有名为「nope」"):
        load_rules("nope")
    with pytest.raises(ProfileError, match="找不到"):
        load_rules(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[ruleset\nname=", encoding="utf-8")
    with pytest.raises(ProfileError, match="不是有效的 TOML"):
        load_rules(bad)


def test_library_picks_the_most_specific_row() -> None:
    r = load_rules()
    assert r.library_row("C2614", "national").industry == "C26"  # prefix beats "*"
    row = r.library_row("C3670", "national")
    assert (row.industry, row.tier, row.values["fai_per_mu"]) == ("*", "national", 240.0)
    assert r.library_row("C3670", "provincial").values["fai_per_mu"] == 160.0
    raw = _raw()
    raw["library"].append({"industry": "C36", "tier": "national", "fai_per_mu": 300.0, "far_min": 1.2,
                           "tax_per_mu": 18.0})
    raw["library"].append({"industry": "C36", "tier": "*", "fai_per_mu": 280.0, "far_min": 1.1,
                           "tax_per_mu": 16.0})
    r2 = parse_rules(raw)
    assert r2.library_row("C3670", "national").values["fai_per_mu"] == 300.0  # exact tier beats "*"
    assert r2.library_row("C3670", "provincial").values["fai_per_mu"] == 280.0


def test_offer_for_the_beihai_parcel() -> None:
    parcel = {"parcel_id": "P-BH", "zone_code": "SL1", "area_m2": BH_AREA, "build_class": "B21"}
    zone = {"zone_code": "SL1", "level": "national"}
    doc = offer(parcel, zone, "C2614", load_rules(), delivery=dt.date(2023, 4, 1))
    ind = {i["indicator"]: i for i in doc["indicators"]}
    assert doc["area_mu"] == pytest.approx(102.76)
    assert ind["fai_per_mu"]["value"] == 250.0
    assert ind["fai_per_mu"]["total_wan"] == pytest.approx(25_690.0)  # 250 × 102.76 (spec C9)
    assert ind["far"]["value"] == 0.7 and ind["far"]["max"] == 1.8
    assert ind["tax_per_mu"]["total_wan"] == pytest.approx(20 * 102.76)
    assert ind["fai_per_mu"]["stage"] == "acceptance" and ind["tax_per_mu"]["stage"] == "production_review"
    ctrl = {c["indicator"]: c for c in doc["controls"]}
    assert ctrl["building_coefficient"]["value"] == 0.30 and ctrl["green_ratio"]["value"] == 0.20
    # deadlines: start 6 months after delivery, completion 3 years (C26 row), review 3 years later
    assert doc["deadlines"]["dates"] == {"delivery": "2023-04-01", "start": "2023-10-01",
                                         "completion": "2026-10-01", "production_review": "2029-10-01"}
    f = doc["contract_fields"]
    assert f["commit_fai_per_mu"] == 250.0 and f["commit_far"] == 0.7 and f["start_agreed"] == "2023-10-01"
    assert f["total_investment_wan"] == pytest.approx(25_690.0)
    assert doc["warnings"] == []


def test_offer_tiers_and_refusals() -> None:
    parcel = {"parcel_id": "P", "zone_code": "Z", "area_m2": 10_000.0, "build_class": "A4"}
    r = load_rules()
    doc = offer(parcel, {"zone_code": "Z", "level": "provincial"}, "c3670", r)
    assert doc["tier"] == "provincial" and doc["indicators"][0]["value"] == 160.0 and doc["industry"] == "C3670"
    assert "不是工业用地" in doc["warnings"][0]
    assert offer(parcel, {"level": "provincial"}, "C3670", r, tier="national")["indicators"][0]["value"] == 240.0
    with pytest.raises(UsageError, match="行业代码「36」"):
        offer(parcel, {"level": "national"}, "36", r)
    with pytest.raises(UsageError, match="园区层级「county」"):
        offer(parcel, {"level": "national"}, "C3670", r, tier="county")
    with pytest.raises(UsageError, match="--tier"):
        offer(parcel, {"zone_code": "Z", "level": None}, "C3670", r)
    raw = copy.deepcopy(_raw())
    raw["library"] = [row for row in raw["library"] if row["industry"] != "*"]
    with pytest.raises(UsageError, match="没有适用于行业「C3670」"):
        offer(parcel, {"level": "national"}, "C3670", parse_rules(raw))


def test_offer_names_its_library_row_and_warns_about_the_industry_code() -> None:
    """C9999: section C (制造业) has the divisions 13–43, so 99 is no industry; the default library has
    rows *×national (#1), *×provincial (#2), C26×* (#3), so C9999 falls to the catch-all row #1."""
    parcel = {"parcel_id": "P", "zone_code": "Z", "area_m2": 10_000.0, "build_class": "B21"}
    zone = {"zone_code": "Z", "level": "national"}
    r = load_rules()
    doc = offer(parcel, zone, "C9999", r)
    assert doc["library_row"]["row"] == 1 and doc["library_row"]["industry"] == "*"
    assert doc["library_row"]["specific"] is False and doc["industry_known"] is False
    assert doc["warnings"] == [
        "行业代码「C9999」不是 GB/T 4754-2017 中的行业：门类 C（制造业）的大类为 13–43，没有 99 大类；请核对行业代码",
        "指标库「default」中没有行业「C9999」的专门控制值，用的是通用行（第 1 行：行业不限，国家级开发区）；"
        "如该行业另有标准，请补充指标库"]
    # a real code without a row of its own: only the catch-all warning
    doc = offer(parcel, zone, "C3670", r)
    assert doc["industry_known"] is True and len(doc["warnings"]) == 1 and "通用行（第 1 行" in doc["warnings"][0]
    # a code with its own row (C26, row 3): no warning at all
    doc = offer(parcel, zone, "C2614", r)
    assert (doc["library_row"]["row"], doc["library_row"]["specific"], doc["warnings"]) == (3, True, [])
    from jiyue.standard_land.render import offer_table

    text = offer_table(doc)
    assert "指标库：default 第 3 行，行业 C26，园区层级 各级开发区（本地示例取值，请按当地标准替换）" in text


@pytest.mark.parametrize(("code", "known"), [("A0511", True), ("B0610", True), ("C1310", True), ("C4390", True),
                                              ("C4400", False), ("D4411", True), ("K7010", True), ("K7110", False),
                                              ("T9700", True), ("S9800", False), ("A00", False)])
def test_industry_division_check(code: str, known: bool) -> None:
    from jiyue.standard_land.library import industry_problem

    assert (industry_problem(code) is None) is known
