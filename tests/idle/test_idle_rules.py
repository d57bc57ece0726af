"""Calendar conventions (29 February), the rule files and their validation, supplementary agreements."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

from jiyue.errors import ProfileError
from jiyue.landrules import add_years, full_years, months_begun
from jiyue.idle.facts import facts
from jiyue.idle.idleness import assess_idle
from jiyue.idle.rules import Rules, builtin_rules, load_rules, parse_rules

D = dt.date
RULES = load_rules()


# --------------------------------------------------------------------------- calendar
def test_anniversaries_of_29_february():
    assert add_years(D(2020, 2, 29), 1) == D(2021, 2, 28)
    assert add_years(D(2020, 2, 29), 1, "mar1") == D(2021, 3, 1)
    assert add_years(D(2020, 2, 29), 4) == D(2024, 2, 29)
    assert full_years(D(2020, 2, 29), D(2021, 2, 27)) == 0
    assert full_years(D(2020, 2, 29), D(2021, 2, 28)) == 1
    assert full_years(D(2020, 2, 29), D(2021, 2, 28), "mar1") == 0
    assert full_years(D(2019, 3, 1), D(2021, 2, 28)) == 1
    assert full_years(D(2019, 3, 1), D(2021, 3, 1)) == 2


def test_months_begun_counts_part_months():
    assert months_begun(D(2021, 1, 1), D(2021, 1, 1)) == 0
    assert months_begun(D(2021, 1, 1), D(2021, 1, 2)) == 1
    assert months_begun(D(2021, 1, 1), D(2022, 1, 1)) == 12
    assert months_begun(D(2021, 1, 31), D(2021, 2, 28)) == 1  # 31 Jan + 1 month = 28 Feb
    assert months_begun(D(2021, 1, 31), D(2021, 3, 1)) == 2


def test_idle_on_leap_day_start():
    f = facts("L", land_price_wan=100.0, start_agreed="2020-02-29")
    assert assess_idle(f, RULES, D(2021, 2, 27)).status == "not_idle"
    r = assess_idle(f, RULES, D(2021, 2, 28))
    assert r.status == "idle_unstarted" and r.idle_since == D(2021, 2, 28)
    mar1 = dataclasses.replace(RULES, start_date=dataclasses.replace(RULES.start_date, leap_day="mar1"))
    assert assess_idle(f, mar1, D(2021, 2, 28)).status == "not_idle"
    assert assess_idle(f, mar1, D(2021, 3, 1)).idle_since == D(2021, 3, 1)


# --------------------------------------------------------------------------- rule files
def test_builtin_file_equals_the_code_defaults():
    """Every default in the dataclasses is the value written (with its source) in order53-2012.toml."""
    assert "order53-2012" in builtin_rules()
    text = (resources.files("jiyue.idle.rulesets") / "order53-2012.toml").read_text(encoding="utf-8")
    from_file = parse_rules(tomllib.loads(text))
    defaults = Rules()
    for section in ("start_date", "commencement", "idle", "investment", "penalties", "stock", "inventory", "plans"):
        assert getattr(from_file, section) == getattr(defaults, section), section
    le, dle = from_file.low_efficiency, defaults.low_efficiency
    assert le.active == dle.active
    for name in ("L1", "L2", "benchmark"):
        a, b = getattr(le, name), getattr(dle, name)
        assert dataclasses.replace(a, title="", source="") == dataclasses.replace(b, title="", source=""), name
    assert from_file.idle.area_share == Fraction(1, 3) and from_file.idle.investment_share == Fraction(1, 4)
    assert (from_file.name, from_file.version) == ("order53-2012", "1.0")


def test_a_partial_user_file_keeps_the_defaults(tmp_path: Path):
    p = tmp_path / "local.toml"
    p.write_text('[rules]\nname = "local"\nversion = "2"\n[idle]\npartial_dev_test = "both_short"\n'
                 'fee_mode = "monthly"\n[low_efficiency]\nactive = ["L2"]\n', encoding="utf-8")
    r = load_rules(p)
    assert (r.name, r.version, r.source) == ("local", "2", str(p))
    assert r.idle.partial_dev_test == "both_short" and r.idle.fee_mode == "monthly"
    assert r.idle.fee_rate == 0.20 and r.low_efficiency.active == ("L2",)


def test_every_problem_of_a_rule_file_is_reported_at_once(tmp_path: Path):
    p = tmp_path / "bad.toml"
    p.write_text('[rules]\nname = "x"\n[idle]\npartial_dev_test = "neither"\nfee_rate = -1\narea_share = "4/3"\n'
                 'typo = 1\n[low_efficiency]\nactive = ["L9"]\n[nonsense]\na = 1\n', encoding="utf-8")
    with pytest.raises(ProfileError) as e:
        load_rules(p)
    msg = e.value.message
    for fragment in ("version", "partial_dev_test", "fee_rate", "area_share", "typo", "L9", "[nonsense]"):
        assert fragment in msg, fragment
    assert "7 处问题" in msg


def test_unknown_rule_name_and_bad_toml(tmp_path: Path):
    with pytest.raises(ProfileError, match="没有名为"):
        load_rules("no-such-rules")
    bad = tmp_path / "broken.toml"
    bad.write_text("[rules\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="不是有效的 TOML"):
        load_rules(bad)
    with pytest.raises(ProfileError, match="找不到规则文件"):
        load_rules(tmp_path / "missing.toml")


def test_floor_area_basis(tmp_path: Path):
    """area_basis = floor: developed floor area against land × agreed FAR."""
    floor = dataclasses.replace(RULES, idle=dataclasses.replace(RULES.idle, area_basis="floor"))
    f = facts("F", land_price_wan=100.0, area_m2=10000.0, commit_far=1.5, total_investment_wan=1100.0,
              start_agreed="2019-01-01",
              events=[("2018-12-01", "permit"), ("2019-01-01", "commenced"),
                      ("2019-06-01", "halted", 4000.0, 500.0, False, "enterprise")])
    # land basis: 4 000 / 10 000 = 40 % (not short); floor basis: 4 000 / 15 000 = 26.7 % (short)
    assert assess_idle(f, RULES, D(2020, 6, 1)).status == "not_idle"
    assert assess_idle(f, floor, D(2020, 6, 1)).status == "idle_halted"


# --------------------------------------------------------------------------- supplementary agreements
def test_supplementary_agreement_resets_the_start_date():
    f = facts("S", land_price_wan=100.0, start_agreed="2019-01-01",
              supplements=[("2019-12-01", "2020-06-01"), ("2019-06-01", "2019-10-01")])
    r = assess_idle(f, RULES, D(2021, 5, 31))
    assert r.start_date_effective == D(2020, 6, 1) and r.start_date_basis == "supplementary"
    assert r.status == "not_idle"
    assert assess_idle(f, RULES, D(2021, 6, 1)).status == "idle_unstarted"
    # an agreement signed after the assessment date does not count yet
    assert assess_idle(f, RULES, D(2019, 11, 30)).start_date_effective == D(2019, 10, 1)
    off = dataclasses.replace(RULES, start_date=dataclasses.replace(RULES.start_date, use_supplementary=False))
    assert assess_idle(f, off, D(2021, 5, 31)).start_date_effective == D(2019, 1, 1)
