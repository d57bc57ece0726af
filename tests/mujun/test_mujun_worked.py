"""The worked examples of docs/sources/per-mu-schemes.md part C (C1–C8), figures by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiyue.mujun import measures, service
from jiyue.mujun.policy import load_policy
from mujun_factories import frame, results, row, run, scheme

C1 = dict(tax_wan=900.0, value_added_wan=4500.0, energy_tce=1500.0, emission_t=1.2, employees=220.0,
          rd_wan=380.0, revenue_wan=12000.0)


def c1_items() -> dict[str, float]:
    return {"tax_per_mu": 30.0 / 24.097 * 30, "va_per_mu": 150.0 / 136.16 * 20, "va_per_energy": 3.0 / 2.694 * 20,
            "va_per_emission": 3750.0 / 4929.81 * 10, "labour_productivity": (4500.0 / 220.0) / 18.14 * 10,
            "rd_ratio": (380.0 / 12000.0) / 0.0302 * 10}


def test_c1_huangyan_2022_above_no_cap() -> None:
    # land 20 000 m² = 30 亩 (row() takes 亩; land accounting is tested elsewhere)
    ev = run([row("E1", 30.0, **C1)], "huangyan-2022")
    r = results(ev)["E1"]
    want = c1_items()
    for k, v in want.items():
        assert r["items"][k] == pytest.approx(v, abs=1e-9), k
    # the spec's rounded figures
    assert round(r["items"]["tax_per_mu"], 3) == 37.349
    assert round(r["items"]["va_per_mu"], 3) == 22.033
    assert round(r["items"]["va_per_energy"], 3) == 22.272
    assert round(r["items"]["va_per_emission"], 3) == 7.607
    assert round(r["items"]["labour_productivity"], 3) == 11.276
    assert round(r["items"]["rd_ratio"], 3) == 10.486
    assert r["score"] == pytest.approx(sum(want.values()), abs=1e-9)
    assert round(r["score"], 3) == 111.022
    assert ev.result.benchmarks["above"]["tax_per_mu"]["value"] == 24.097


def test_c1_with_a_2x_cap_is_unchanged_and_caps_a_dominant_item() -> None:
    capped = scheme("huangyan-2022", ("cap_multiple = 0          # 0 = no cap [S: none stated]", "cap_multiple = 2.0"))
    r = results(run([row("E1", 30.0, **C1)], capped))["E1"]
    assert r["score"] == pytest.approx(sum(c1_items().values()), abs=1e-9)
    # tax 100 万元/亩: 124.5 uncapped, 60 with the 2× cap
    big = dict(C1, tax_wan=3000.0)
    assert round(results(run([row("E1", 30.0, **big)], "huangyan-2022"))["E1"]["items"]["tax_per_mu"], 1) == 124.5
    assert results(run([row("E1", 30.0, **big)], capped))["E1"]["items"]["tax_per_mu"] == 60.0


def test_c2_huangyan_2022_below() -> None:
    # land 4 000 m² = 6 亩; tax 45 万元; electricity 150 万 kWh = 1 500 MWh
    r = results(run([row("E2", 6.0, scale="below", tax_wan=45.0, electricity_mwh=1500.0)], "huangyan-2022"))["E2"]
    assert r["group"] == "below"
    assert r["items"]["tax_per_mu"] == pytest.approx(7.5 / 11.5932 * 50, abs=1e-9)
    assert r["items"]["tax_per_kwh"] == pytest.approx(0.30 / 0.2352 * 50, abs=1e-9)
    assert round(r["items"]["tax_per_mu"], 2) == 32.35 and round(r["items"]["tax_per_kwh"], 2) == 63.78
    assert round(r["score"], 2) == 96.12


def test_c3_linhai_3mu_and_more() -> None:
    # 10 亩: tax 18/亩, sales 420/亩, VA 1200 → 2.4 per tce, 650 per t COD, 0.08 per t water, 12 per person
    r = results(run([row("E3", 10.0, tax_wan=180.0, revenue_wan=4200.0, value_added_wan=1200.0, energy_tce=500.0,
                         emission_t=1200.0 / 650.0, water_t=15000.0, employees=100.0)], "linhai-2016"))["E3"]
    assert r["group"] == "ge3mu"
    assert r["items"] == pytest.approx({"tax_per_mu": 48.0, "sales_per_mu": 14.0, "va_per_energy": 16.0,
                                        "va_per_cod": 19.5, "va_per_water": 4.0, "labour_productivity": 8.0}, abs=1e-9)
    assert r["score"] == pytest.approx(109.5, abs=1e-9)


def test_c4_jingde_minmax_band() -> None:
    # weight 30; population min 2, max 62 万元/亩; the firm at 20 → 30·(20 + 80·18/60)/100 = 13.2
    rows = [row(e, 10.0, tax_wan=t * 10.0) for e, t in (("W", 2.0), ("M", 20.0), ("B", 62.0))]
    r = results(run(rows, "jingde-2022"))
    assert r["M"]["items"]["tax_per_mu"] == pytest.approx(13.2, abs=1e-9)
    assert r["W"]["items"]["tax_per_mu"] == pytest.approx(6.0, abs=1e-9)
    assert r["B"]["items"]["tax_per_mu"] == pytest.approx(30.0, abs=1e-9)


LOWER = """
[scheme]
name = "v3"
version = "1"
weight_total = 4
[indicators.cod_intensity]
label = "单位增加值COD排放"
formula = "emission_t / value_added_wan"
unit = "吨/万元"
direction = "lower"
[groups.all]
[groups.all.items]
cod_intensity = { weight = 4, method = "lower_ratio", benchmark = { method = "mean" } }
[classes]
quota = { A = 0.2, B = 0.4, C = 0.35, D = 0.05 }
"""


def test_c5_lower_is_better_against_the_population_mean() -> None:
    rows = [row(e, 10.0, value_added_wan=100.0, emission_t=x * 100.0) for e, x in (("a", 0.8), ("b", 1.6), ("c", 2.4))]
    ev = run(rows, scheme(LOWER))
    r = results(ev)
    assert ev.result.benchmarks["all"]["cod_intensity"]["value"] == pytest.approx(1.6)
    assert [r[e]["items"]["cod_intensity"] for e in "abc"] == pytest.approx([3.0, 2.0, 1.0], abs=1e-9)
    fixed = scheme(LOWER, ('benchmark = { method = "mean" }', "benchmark = 1.6"))
    r = results(run([row("d", 10.0, value_added_wan=100.0, emission_t=320.0),
                     row("e", 10.0, value_added_wan=100.0, emission_t=400.0)], fixed))
    assert r["d"]["items"]["cod_intensity"] == 0.0 and r["e"]["items"]["cod_intensity"] == 0.0


def _forty(**special: dict) -> list[dict]:
    # 40 规下 firms of 10 亩; firm i (1..40) pays (41 − i) 万元/亩 → rank i
    rows = []
    for i in range(1, 41):
        kw = dict(scale="below", tax_wan=(41 - i) * 10.0)
        kw.update(special.get(f"F{i:02d}", {}))
        rows.append(row(f"F{i:02d}", 10.0, **kw))
    return rows


def test_c6_changle_quota_boundaries() -> None:
    r = results(run(_forty(), "shandong-2019"))
    got = {e: r[e]["class"] for e in r}
    assert [r[f"F{i:02d}"]["rank"] for i in range(1, 41)] == list(range(1, 41))
    assert all(got[f"F{i:02d}"] == "A" for i in range(1, 9))
    assert all(got[f"F{i:02d}"] == "B" for i in range(9, 31))
    assert all(got[f"F{i:02d}"] == "C" for i in range(31, 39))
    assert got["F39"] == "D" and got["F40"] == "D"


def test_c6_veto_and_protection() -> None:
    rows = _forty(F03={"veto": "env_accident"}, F40={"founded": pd.Timestamp("2022-03-01")})
    r = results(run(rows, "shandong-2019", year=2022))
    assert r["F03"]["class_by_rank"] == "A" and r["F03"]["class"] == "C" and r["F03"]["vetoed"]
    assert r["F09"]["class"] == "B"  # the freed A slot is not refilled (documented default)
    assert r["F40"]["class_by_rank"] == "D" and r["F40"]["class"] == "C" and r["F40"]["protected"]
    assert r["F39"]["class"] == "D"  # nobody is pushed into D (documented default)


def test_c7_region_aggregate_is_sum_over_sum() -> None:
    rows = [row("R1", 10000.0, tax_wan=200000.0, value_added_wan=800000.0),
            row("R2", 15000.0, tax_wan=300000.0, value_added_wan=1000000.0),
            row("R3", 5341.0, tax_wan=73564.0, value_added_wan=436605.0)]
    ev = run(rows, "huangyan-2022")
    z = next(a for a in ev.aggregates if a["level"] == "zone" and a["group"] == "all")
    assert z["land_mu"] == pytest.approx(30341.0)
    assert z["indicators"]["tax_per_mu"] == pytest.approx(573564.0 / 30341.0)
    assert round(z["indicators"]["tax_per_mu"], 2) == 18.90
    assert round(z["indicators"]["va_per_mu"], 2) == 73.72
    # not the mean of the firms' ratios
    assert z["indicators"]["tax_per_mu"] != pytest.approx((20.0 + 20.0 + 73564.0 / 5341.0) / 3)


def test_c8_shandong_d_surcharge_second_year_highest_only() -> None:
    pol = load_policy("shandong-2022")
    n = 3
    frame_rows = [row("a", 10.0, electricity_mwh=5000.0), row("b", 10.0, electricity_mwh=5000.0,
                                                                other_surcharge_yuan_kwh=0.10),
                  row("c", 10.0, electricity_mwh=5000.0, other_surcharge_yuan_kwh=0.12)]
    f = frame(frame_rows)
    classes = np.array(["D"] * n, dtype=object)
    past = np.array([["D", None]] * n, dtype=object)  # D last year too → 2nd consecutive year
    t = measures.measure_table(f, classes, past, pol)["electricity_surcharge"]
    assert list(t["streak"]) == [2, 2, 2]
    assert list(t["rate"]) == pytest.approx([0.10, 0.10, 0.12])
    assert t["amount_wan"].iat[0] == pytest.approx(0.10 * 5_000_000 / 10_000)  # 50 万元
    assert t["amount_wan"].iat[0] == pytest.approx(50.0)
    assert t["amount_wan"].iat[1] == pytest.approx(50.0)  # +0.10 punitive tariff: still 0.10, not 0.20
    # first year 0.05, third year and later 0.15
    one = measures.measure_table(f, classes, np.array([[None, None]] * n, dtype=object), pol)["electricity_surcharge"]
    three = measures.measure_table(f, classes, np.array([["D", "D"]] * n, dtype=object), pol)["electricity_surcharge"]
    assert one["amount_wan"].iat[0] == pytest.approx(25.0) and three["amount_wan"].iat[0] == pytest.approx(75.0)


def test_c8_haining_draft_three_years() -> None:
    pol = load_policy("haining-2025-draft")
    f = frame([row("a", 10.0, electricity_mwh=5000.0)])
    t = measures.measure_table(f, np.array(["D"], dtype=object), np.array([["D", "D"]], dtype=object), pol)
    assert t["electricity_surcharge"]["amount_wan"].iat[0] == pytest.approx(200.0)
    t1 = measures.measure_table(f, np.array(["D"], dtype=object), np.array([[None, None]], dtype=object), pol)
    assert t1["electricity_surcharge"]["amount_wan"].iat[0] == pytest.approx(150.0)


def test_c8_end_to_end_measures_in_the_result() -> None:
    # one rated 规上 firm is D (N = 1: rank 1/1 > 95 %); last year's official class D comes with the context
    ev = run([row("a", 10.0, tax_wan=100.0, electricity_mwh=5000.0)], "shandong-2019", load_policy("shandong-2022"),
             context={"past_classes": {"a": ["D", None]}})
    rec = service.enterprise_records(ev, scheme("shandong-2019"), load_policy("shandong-2022"))[0]
    assert rec["class"] == "D"
    m = {x["key"]: x for x in rec["measures"]}
    assert m["electricity_surcharge"]["rate"] == pytest.approx(0.10)
    assert m["electricity_surcharge"]["amount_wan"] == pytest.approx(50.0)
    assert m["electricity_surcharge"]["consecutive_years"] == 2
    assert m["land_supply"]["text"] == "不安排新增用地"
    assert m["water_surcharge"]["amount_wan"] is None  # rate left to the local price authority
