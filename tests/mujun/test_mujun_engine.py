"""Scoring rules: missing data, zero denominators, negatives, benchmark methods, min–max edges,
bonuses and deductions; and the vectorised engine against the plain-Python reference."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from jiyue.mujun import engine, inputs, reference, service
from jiyue.mujun.policy import load_policy
from jiyue.mujun.scheme import builtin_schemes, load_scheme
from mujun_factories import results, row, run, scheme

ABOVE = dict(tax_wan=300.0, value_added_wan=1500.0, energy_tce=500.0, employees=100.0, rd_wan=30.0,
             revenue_wan=3000.0)


def test_missing_emission_gets_the_groups_average_item_score() -> None:
    # 黄岩: a 规上 firm without emission data gets the average 单位排放增加值 score of the 规上 firms
    rows = [row("a", 10.0, emission_t=0.3, **ABOVE), row("b", 10.0, emission_t=0.6, **ABOVE),
            row("c", 10.0, emission_t=None, **ABOVE), row("d", 10.0, emission_t=0.0, **ABOVE)]
    ev = run(rows, "huangyan-2022")
    r = results(ev)
    sa = 1500.0 / 0.3 / 4929.81 * 10
    sb = 1500.0 / 0.6 / 4929.81 * 10
    assert r["a"]["items"]["va_per_emission"] == pytest.approx(sa, abs=1e-9)
    assert r["c"]["items"]["va_per_emission"] == pytest.approx((sa + sb) / 2, abs=1e-9)
    # a declared zero is a zero denominator: treated as missing, so also the average (never infinity)
    assert r["d"]["items"]["va_per_emission"] == pytest.approx((sa + sb) / 2, abs=1e-9)
    recs = {e["enterprise_id"]: e for e in service.enterprise_records(ev, load_scheme("huangyan-2022"),
                                                                      load_policy("none"))}
    assert recs["d"]["indicators"]["va_per_emission"] is None
    assert recs["d"]["missing"]["va_per_emission"] == "zero_denominator"
    assert recs["c"]["missing"]["va_per_emission"] == "missing"
    assert any(x["code"] == "missing" and "emission_t" in x["text"] for x in recs["c"]["reasons"])
    assert any(x["code"] == "zero_denominator" and "emission_t" in x["text"] for x in recs["d"]["reasons"])
    json.dumps(recs, allow_nan=False)  # no NaN / infinity anywhere in the document


def test_zero_energy_and_zero_staff_score_zero_by_default() -> None:
    rows = [row("a", 10.0, emission_t=0.3, **dict(ABOVE, energy_tce=0.0, employees=0.0)),
            row("b", 10.0, emission_t=0.3, **ABOVE)]
    r = results(run(rows, "huangyan-2022"))
    assert r["a"]["items"]["va_per_energy"] == 0.0
    assert r["a"]["items"]["labour_productivity"] == 0.0
    assert r["a"]["score"] == pytest.approx(r["b"]["score"] - r["b"]["items"]["va_per_energy"]
                                            - r["b"]["items"]["labour_productivity"], abs=1e-9)
    assert all(math.isfinite(v["score"]) for v in r.values())


def test_missing_rd_scores_zero_and_zero_denominator_policy_zero() -> None:
    rows = [row("a", 10.0, emission_t=0.3, **dict(ABOVE, rd_wan=None)), row("b", 10.0, emission_t=0.0, **ABOVE),
            row("c", 10.0, emission_t=0.3, **ABOVE)]
    assert results(run(rows, "huangyan-2022"))["a"]["items"]["rd_ratio"] == 0.0
    s = scheme("huangyan-2022", ('benchmark = 4929.81, missing = "group_mean" }',
                                 'benchmark = 4929.81, missing = "group_mean", zero_denominator = "zero" }'))
    r = results(run(rows, s))
    assert r["b"]["items"]["va_per_emission"] == 0.0  # zero denominator scored 0, not the average


def test_negative_value_scored_as_zero_and_flagged() -> None:
    rows = [row("a", 10.0, scale="below", tax_wan=-20.0, electricity_mwh=100.0),
            row("b", 10.0, scale="below", tax_wan=20.0, electricity_mwh=100.0)]
    ev = run(rows, "huangyan-2022")
    r = results(ev)
    assert r["a"]["items"] == {"tax_per_mu": 0.0, "tax_per_kwh": 0.0}
    rec = next(e for e in service.enterprise_records(ev, load_scheme("huangyan-2022"), load_policy("none"))
               if e["enterprise_id"] == "a")
    assert any(x["code"] == "negative" for x in rec["reasons"])


BASE = """
[scheme]
name = "t"
version = "1"
[defaults]
missing = "zero"
[indicators.tax_per_mu]
label = "亩均税收"
formula = "tax_wan / land_mu"
[indicators.va_per_energy]
label = "单位能耗增加值"
formula = "value_added_wan / energy_tce"
[groups.all]
[groups.all.items]
tax_per_mu = { weight = 60, benchmark = { method = "mean" } }
va_per_energy = { weight = 40, benchmark = 2.0 }
[classes]
quota = { A = 0.2, B = 0.4, C = 0.35, D = 0.05 }
"""
POP = [("a", 10.0, 100.0), ("b", 20.0, 100.0), ("c", 10.0, 400.0)]  # id, 亩, tax → 10, 5, 40 万元/亩


def _pop(**kw: float) -> list[dict]:
    return [row(e, mu, tax_wan=t, value_added_wan=100.0, energy_tce=50.0, **kw) for e, mu, t in POP]


@pytest.mark.parametrize("method,bench", [
    ('{ method = "mean" }', (10.0 + 5.0 + 40.0) / 3),
    ('{ method = "pooled" }', 600.0 / 40.0),
    ('{ method = "max" }', 40.0),
    ('{ method = "pooled", k = 2.0 }', 2 * 600.0 / 40.0),
])
def test_benchmark_methods(method: str, bench: float) -> None:
    s = scheme(BASE, ('tax_per_mu = { weight = 60, benchmark = { method = "mean" } }',
                      f"tax_per_mu = {{ weight = 60, benchmark = {method} }}"))
    ev = run(_pop(), s)
    assert ev.result.benchmarks["all"]["tax_per_mu"]["value"] == pytest.approx(bench)
    r = results(ev)
    assert r["b"]["items"]["tax_per_mu"] == pytest.approx(60 * 5.0 / bench)
    assert r["b"]["items"]["va_per_energy"] == pytest.approx(40 * 2.0 / 2.0)


def test_previous_year_benchmark_k_times_last_years_mean() -> None:
    # 淮安: benchmark ≈ 2 × the previous-year average
    s = scheme(BASE, ('benchmark = { method = "mean" } }', 'benchmark = { method = "prev_mean", k = 2.0 } }'))
    assert s.needs_previous_year
    prev = {"all": {"tax_per_mu": {"n": 2, "mean": 12.5, "pooled": 12.0, "min": 5.0, "max": 20.0}}}
    ev = run(_pop(), s, context={"prev_stats": prev})
    assert ev.result.benchmarks["all"]["tax_per_mu"]["value"] == pytest.approx(25.0)
    assert results(ev)["c"]["items"]["tax_per_mu"] == pytest.approx(60 * 40.0 / 25.0)
    with pytest.raises(engine.PreviousYearNeeded, match="2021"):
        run(_pop(), s)


def test_minmax_all_equal_gets_the_top_of_the_band_and_band_floor_for_missing() -> None:
    mm = """
[scheme]
name = "mm"
version = "1"
[defaults]
method = "minmax"
band = [20.0, 100.0]
missing = "band_floor"
[indicators.tax_per_mu]
formula = "tax_wan / land_mu"
[groups.all.items]
tax_per_mu = 100
[classes]
quota = { A = 0.2, B = 0.4, C = 0.35, D = 0.05 }
"""
    r = results(run([row("a", 10.0, tax_wan=50.0), row("b", 10.0, tax_wan=50.0), row("c", 10.0)], scheme(mm)))
    assert r["a"]["items"]["tax_per_mu"] == 100.0 and r["b"]["items"]["tax_per_mu"] == 100.0
    assert r["c"]["items"]["tax_per_mu"] == 20.0  # missing → the band's floor


def test_bonus_and_deduction_items() -> None:
    s = scheme(BASE + """
[[adjustments]]
key = "hightech"
label = "高新技术企业"
points = 2.5
flags = ["high_tech"]
[[adjustments]]
key = "accident"
label = "安全生产事故扣分"
points = -3
events = ["safety_accident"]
""")
    rows = _pop()
    rows[0]["flags"] = "high_tech"
    rows[1]["flags"] = "high_tech"
    rows[1]["veto"] = "safety_accident"
    ev = run(rows, s)
    t = ev.result.table
    assert list(t["bonus"]) == [2.5, 2.5, 0.0]
    assert list(t["deduction"]) == [0.0, 3.0, 0.0]
    assert list(t["score"]) == pytest.approx(list(t["base_score"] + t["bonus"] - t["deduction"]))


def test_flags_accept_chinese_words() -> None:
    assert inputs.parse_codes("高新技术企业、小升规，x", inputs._FLAG_LOOKUP) == ("high_tech", "new_above", "x")


@pytest.mark.parametrize("name", builtin_schemes())
def test_engine_matches_the_reference_on_random_data(name: str) -> None:
    s = load_scheme(name)
    pol = load_policy(s.policy)
    f = inputs.synthetic_frame(700, 2022, seed=11, missing_share=0.05, zero_share=0.03)
    f.loc[f.index[::47], "tax_wan"] = f.loc[f.index[::47], "tax_wan"].iloc[0]  # some ties
    f.loc[f.index[::43], "industry_code"] = "D4411"  # utilities: excluded
    f.loc[f.index[::41], "scale"] = None
    past = {e: ["D", "D"] for e in f["enterprise_id"].iloc[::5]}
    ev = service.evaluate_frame(f, s, pol, 2022, {"past_classes": past})
    ref = reference.evaluate(f.to_dict("records"), s, pol, 2022, past=past)["enterprises"]
    t, c = ev.result.table, ev.classes
    for i, eid in enumerate(ev.frame["enterprise_id"]):
        r = ref[eid]
        assert ev.scope["status"].iat[i] == r["status"], eid
        if r["status"] == "rated":
            assert t["score"].iat[i] == pytest.approx(r["score"], abs=1e-9), eid
            assert int(c["rank"].iat[i]) == r["rank"], eid
        assert service.clean(c["class"].iat[i]) == r["class"], eid
        for k, m in ev.measures.items():
            a = service.clean(m["amount_wan"].iat[i])
            b = r["measures"].get(k, {}).get("amount_wan")
            assert (a is None) == (b is None) and (a is None or a == pytest.approx(b, abs=1e-9)), (eid, k)
    assert (ev.scope["status"] == "excluded").sum() >= 10


def test_engine_matches_the_reference_with_thresholds_and_tie_break() -> None:
    s = scheme("shandong-2019", ('method = "quota"\norder', 'method = "thresholds"\nthresholds = { A = 130, B = 95, C = 70 }\norder'),
               ('ties = "shared"', 'ties = "break"\ntie_break = ["tax_per_mu"]'))
    pol = load_policy("shandong-2022")
    f = inputs.synthetic_frame(800, 2022, seed=3)
    f.loc[f.index[:40], ["tax_wan", "revenue_wan", "value_added_wan", "energy_tce", "emission_t", "rd_wan",
                         "employees", "land_mu"]] = [100.0, 1000.0, 300.0, 50.0, 1.0, 20.0, 30.0, 10.0]
    # 100 and 120 万元/亩 both hit the 2× cap: equal scores, broken by 亩均税收 (higher first)
    f.loc[f.index[:40], "tax_wan"] = np.repeat([1000.0, 1200.0], 20)
    f.loc[f.index[:40], "scale"] = "above"
    ev = service.evaluate_frame(f, s, pol, 2022)
    ref = reference.evaluate(f.to_dict("records"), s, pol, 2022)["enterprises"]
    for i, eid in enumerate(ev.frame["enterprise_id"]):
        r = ref[eid]
        if r["status"] == "rated":
            assert int(ev.classes["rank"].iat[i]) == r["rank"], eid
        assert service.clean(ev.classes["class"].iat[i]) == r["class"], eid
    t = ev.result.table
    assert t["score"].iloc[:20].nunique() == 1 and t["score"].iat[0] == t["score"].iat[39]
    ranks = ev.classes["rank"].to_numpy()
    assert ranks[20:40].max() < ranks[:20].min()
    for g in ("above", "below"):  # ordinal ranks: 1..N within each group
        m = ((ev.scope["group"] == g) & (ev.scope["status"] == "rated")).to_numpy()
        assert sorted(ranks[m]) == list(range(1, int(m.sum()) + 1))
