"""Scheme and policy files: the built-ins, and errors that name the file, node and field."""

from __future__ import annotations

import math
from importlib import resources

import pytest

from jiyue.mujun.policy import builtin_policies, load_policy, policy_from_text
from jiyue.mujun.scheme import SchemeError, SchemeNotFound, builtin_schemes, load_scheme, parse_formula
from mujun_factories import scheme

TEXT = (resources.files("jiyue.mujun.rulesets") / "huangyan-2022.toml").read_text(encoding="utf-8")


def test_builtin_schemes_and_policies() -> None:
    names = builtin_schemes()
    for n in ("huangyan-2022", "linhai-2016", "jingde-2022", "shandong-2019"):
        assert n in names
    for n in names:
        s = load_scheme(n)
        assert s.name == n and s.version and s.source and s.notes and len(s.sha256) == 64
        for g in s.groups:
            assert math.isclose(sum(i.weight for i in g.items), 100.0)
        assert s.policy in builtin_policies()
    hy = load_scheme("huangyan-2022")
    assert [(i.indicator, i.weight) for i in hy.group("above").items] == [
        ("tax_per_mu", 30), ("va_per_mu", 20), ("va_per_energy", 20), ("va_per_emission", 10),
        ("labour_productivity", 10), ("rd_ratio", 10)]
    assert [i.benchmark.value for i in hy.group("above").items] == [24.097, 136.16, 2.694, 4929.81, 18.14, 0.0302]
    assert [(i.indicator, i.weight, i.benchmark.value) for i in hy.group("below").items] == [
        ("tax_per_mu", 50, 11.5932), ("tax_per_kwh", 50, 0.2352)]
    assert all(i.cap_multiple is None for g in hy.groups for i in g.items)
    assert hy.group("above").item("va_per_emission").missing == "group_mean"
    sd = load_scheme("shandong-2019")
    assert [float(v) for v in sd.classes.quota.values()] == [0.20, 0.55, 0.20, 0.05]
    assert sd.classes.labels["A"] == "优先发展类" and sd.classes.labels["D"] == "限制发展类"
    assert len(sd.group("above").items) == 5
    assert sd.classes.veto.cannot_be == ("A", "B") and sd.classes.protection.cannot_be == ("D",)
    jd = load_scheme("jingde-2022")
    assert all(i.method == "minmax" and i.band == (20.0, 100.0) for g in jd.groups for i in g.items)
    lh = load_scheme("linhai-2016")
    assert all(i.benchmark.method == "fixed" for g in lh.groups for i in g.items)
    sh = load_policy("shandong-2022")
    el = next(m for m in sh.measures if m.key == "electricity_surcharge")
    assert el.rates_by_consecutive_years == (0.05, 0.10, 0.15) and el.no_stacking_with


@pytest.mark.parametrize("old,new,words", [
    ("tax_per_mu = { weight = 30, benchmark = 24.097 }", "tax_per_mu = { weight = 31, benchmark = 24.097 }",
     ["above", "101", "100"]),
    ('formula = "tax_wan / land_mu"', 'formula = "tax / land_mu"', ["indicators.tax_per_mu", "tax"]),
    ('formula = "tax_wan / land_mu"', 'formula = "tax_wan"', ["分子 / 分母"]),
    ("tax_per_mu = { weight = 30, benchmark = 24.097 }", "tax_per_mu = { weight = 30 }", ["benchmark", "缺失"]),
    ("tax_per_mu = { weight = 30, benchmark = 24.097 }", "tax_per_mu = { weight = 30, benchmark = -1 }",
     ["benchmark", "大于0"]),
    ("tax_per_mu = { weight = 30, benchmark = 24.097 }", "nope = { weight = 30, benchmark = 24.097 }",
     ["groups.above.items.nope"]),
    ('quota = { A = 0.20, B = 0.40,', 'quota = { A = 0.30, B = 0.40,', ["比例之和", "1.1"]),
    ('rounding = "floor"', 'rounding = "nearest"', ["rounding", "floor/ceil/round"]),
    ('missing = "zero"          # [U]', 'missing = "average"', ["missing", "group_mean"]),
    ('unit = "万元/亩"\ntag = "S"\n\n[indicators.va_per_mu]', 'unit = "万元/亩"\ntag = "S"\ndirection = "lower"\n\n[indicators.va_per_mu]',
     ["lower_ratio"]),
])
def test_bad_scheme_names_the_node(old: str, new: str, words: list[str]) -> None:
    with pytest.raises(SchemeError) as e:
        scheme(TEXT, (old, new))
    for w in words:
        assert w in e.value.message, (w, e.value.message)
    assert "test" in e.value.message  # the file


def test_bad_toml_and_unknown_names() -> None:
    with pytest.raises(SchemeError, match="TOML"):
        scheme("[scheme\nname=1")
    with pytest.raises(SchemeNotFound) as e:
        load_scheme("huangyan-2099")
    assert "huangyan-2022" in e.value.message and e.value.exit_code == 2
    with pytest.raises(SchemeNotFound):
        load_scheme("/nonexistent/x.toml")
    with pytest.raises(SchemeNotFound, match="shandong-2022"):
        load_policy("nope")


def test_thresholds_must_descend_and_classes_must_exist() -> None:
    with pytest.raises(SchemeError, match="逐级降低"):
        scheme(TEXT, ('method = "quota"\norder', 'method = "thresholds"\nthresholds = { A = 80, B = 90, C = 60 }\norder'))
    with pytest.raises(SchemeError, match="E"):
        scheme(TEXT, ('deferred = "T"', 'deferred = "T"\n[classes.veto]\nevents = ["safety_accident"]\nbecomes = "E"'))


def test_formula_parser() -> None:
    f = parse_formula("tax_wan * 10000 / electricity_kwh")
    assert f.num_const == 10000.0 and f.num_vars == ("tax_wan",) and f.den_vars == ("electricity_kwh",)
    with pytest.raises(SchemeError):
        parse_formula("tax_wan / 0")


def test_bad_policies() -> None:
    with pytest.raises(SchemeError, match="base"):
        policy_from_text('[policy]\nname="p"\nversion="1"\n[[measure]]\nkey="x"\nkind="surcharge"\nclasses=["D"]\nrate=0.1\n')
    with pytest.raises(SchemeError, match="text"):
        policy_from_text('[policy]\nname="p"\nversion="1"\n[[measure]]\nkey="x"\nkind="eligibility"\nclasses=["D"]\n')
    with pytest.raises(SchemeError, match="measure\\[1\\]"):
        policy_from_text('[policy]\nname="p"\nversion="1"\n[[measure]]\nkey="x"\nkind="surcharge"\nclasses=["D"]\n'
                         'base="coal"\n')
