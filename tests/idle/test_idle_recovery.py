"""Recovery and re-grant economics: the spec's B1–B8 and the recovery file format.

Amounts: the spec writes CNY; jiyue writes 万元 (÷ 10 000).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiyue.idle.recovery import (
    economics,
    protocol_purchase_refund_wan,
    value_increment_wan,
    waterfall,
)
from jiyue.idle.recovery_file import RecoveryFileError, load_case, parse_case
from jiyue.landrules import mu_to_m2

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "jiyue" / "idle" / "examples" / "liaocheng-5.43ha.toml"


def doc(data: dict) -> dict:
    return economics(parse_case(data))


def test_b1_free_recovery_rezoned_residential():
    d = doc({"recovery": {"name": "B1", "pathway": "free_recovery", "area_m2": 66667},
             "costs": [{"item": "pre_development", "date": "2023-05-01", "amount_yuan": 8_000_000},
                       {"item": "agency", "date": "2023-06-01", "amount_yuan": 500_000}],
             "revenues": [{"item": "regrant", "date": "2023-09-01", "area_m2": 66667, "far": 2.0,
                           "floor_price_yuan_per_m2": 3000}]})
    t = d["totals"]
    assert t["revenue_wan"] == pytest.approx(40000.2)  # 66 667 × 2.0 × 3 000 = 400,002,000
    assert t["cost_wan"] == pytest.approx(850.0)
    assert t["net_gain_wan"] == pytest.approx(39150.2)  # 391,502,000
    # with the exact conversion (B8), 100 亩 gives 400,000,000
    d2 = doc({"recovery": {"name": "B1'"}, "revenues": [{"item": "regrant", "date": "2023-09-01", "area_mu": 100,
                                                          "far": 2.0, "floor_price_yuan_per_m2": 3000}]})
    assert d2["totals"]["revenue_wan"] == pytest.approx(40000.0)


def test_b2_negotiated_recovery_with_the_hainan_floor():
    d = doc({"recovery": {"name": "B2", "pathway": "paid_recovery", "area_mu": 100},
             "costs": [{"item": "holder_compensation", "date": "2022-01-10", "amount_wan": 1645.0},
                       {"item": "pre_development", "date": "2022-06-01", "amount_wan": 300.0}],
             "revenues": [{"item": "regrant", "date": "2023-03-01", "area_mu": 100, "unit_price_wan_per_mu": 30}],
             "compensation_floor": {"acquisition_cost_wan": 1500, "deed_tax_wan": 45, "direct_losses_wan": 100}})
    assert d["compensation_floor"] == {"floor_wan": pytest.approx(1645.0), "compensation_wan": pytest.approx(1645.0),
                                       "meets_floor": True}
    assert d["totals"]["revenue_wan"] == pytest.approx(3000.0)
    assert d["totals"]["net_gain_wan"] == pytest.approx(1055.0)  # 10,550,000
    low = doc({"recovery": {"name": "B2-low"},
               "costs": [{"item": "holder_compensation", "date": "2022-01-10", "amount_wan": 1600.0}],
               "compensation_floor": {"acquisition_cost_wan": 1500, "deed_tax_wan": 45, "direct_losses_wan": 100}})
    assert not low["compensation_floor"]["meets_floor"] and "compensation_below_floor" in low["warnings"]


def test_b3_free_recovery_waterfall():
    w = waterfall(3000.0, 30.0, 200.0)
    assert w["to_treasury_wan"] == pytest.approx(2770.0)  # 27,700,000
    assert w["disposal_costs_paid_wan"] == 30.0 and w["unpaid_compensation_paid_wan"] == 200.0
    d = doc({"recovery": {"name": "B3", "pathway": "free_recovery"},
             "revenues": [{"item": "regrant", "date": "2024-01-01", "amount_wan": 3000}],
             "waterfall": {"disposal_costs_wan": 30, "unpaid_compensation_wan": 200}})
    assert d["waterfall"]["to_treasury_wan"] == pytest.approx(2770.0)
    short = waterfall(100.0, 30.0, 200.0)
    assert short["to_treasury_wan"] == 0 and short["shortfall_wan"] == pytest.approx(130.0)


def test_b4_a_loss_is_reported_not_clamped():
    d = doc({"recovery": {"name": "B4", "pathway": "low_efficiency_buyback"},
             "costs": [{"item": "holder_compensation", "date": "2021-01-01", "amount_wan": 8000},
                       {"item": "pre_development", "date": "2021-06-01", "amount_wan": 1000},
                       {"item": "finance", "date": "2022-01-01", "amount_wan": 500}],
             "revenues": [{"item": "regrant", "date": "2022-06-01", "amount_wan": 6000}]})
    assert d["totals"]["net_gain_wan"] == pytest.approx(-3500.0)  # −35,000,000
    assert d["totals"]["loss"] is True and d["totals"]["roi"] == pytest.approx(-3500 / 9500, abs=1e-6)


def test_b5_dated_cash_flow_over_years():
    d = doc({"recovery": {"name": "B5", "pathway": "free_recovery"},
             "revenues": [{"item": "idle_fee", "date": "2022-05-01", "amount_wan": 300},
                          {"item": "regrant", "date": "2024-04-01", "amount_wan": 5000}],
             "costs": [{"item": "pre_development", "date": "2024-02-01", "amount_wan": 600}]})
    cf = {c["year"]: (c["inflow_wan"], c["outflow_wan"], c["net_wan"], c["cumulative_wan"]) for c in d["cash_flow"]}
    assert cf == {2022: (300.0, 0.0, 300.0, 300.0), 2023: (0.0, 0.0, 0.0, 300.0), 2024: (5000.0, 600.0, 4400.0, 4700.0)}
    assert d["totals"]["net_gain_wan"] == pytest.approx(4700.0)  # 47,000,000


def test_b6_b7_local_protocol_purchase_and_value_increment():
    assert protocol_purchase_refund_wan(2000.0) == 2000.0  # B6: land price refunded in full
    assert value_increment_wan(3200.0, 2000.0) == 1200.0  # B7: 增值地价
    assert 0.20 * 2000.0 == pytest.approx(400.0)  # … plus the 20 % idle fee (computed by the idle rules)


def test_b8_mu_conversion():
    assert mu_to_m2(15) == pytest.approx(10000.0)


def test_allocations_reported_and_optionally_subtracted():
    d = doc({"recovery": {"name": "alloc"},
             "costs": [{"item": "agency", "date": "2021-01-01", "amount_wan": 100}],
             "revenues": [{"item": "regrant", "date": "2021-06-01", "amount_wan": 1100}],
             "allocations": [{"item": "education_fund", "rate": 0.1, "base": "net_gain"},
                             {"item": "farmland_water", "rate": 0.1, "base": "net_gain", "subtract": True}]})
    assert [a["amount_wan"] for a in d["allocations"]] == [pytest.approx(100.0), pytest.approx(100.0)]
    assert d["totals"]["net_gain_wan"] == pytest.approx(1000.0)
    assert d["totals"]["net_after_allocations_wan"] == pytest.approx(900.0)


def test_the_seed_example_file():
    case, sha = load_case(EXAMPLE)
    d = economics(case)
    assert len(d["holders"]) == 5 and d["area_m2"] == pytest.approx(54300.0)
    assert d["totals"]["cost_wan"] == pytest.approx(10000.0)  # "约1亿元"
    assert d["totals"]["revenue_wan"] == pytest.approx(33700.0)  # "3.37亿元"
    assert d["totals"]["net_gain_wan"] == pytest.approx(23700.0)  # "收益两亿多元"
    assert d["warnings"] == [] and len(sha) == 64


def test_every_problem_of_a_recovery_file(tmp_path: Path):
    bad = {"recovery": {"pathway": "steal"},
           "costs": [{"item": "bribes", "date": "2021-13-01", "amount_wan": -5}, {"item": "agency"}],
           "revenues": [{"item": "regrant", "date": "2021-01-01", "area_m2": 100}]}
    with pytest.raises(RecoveryFileError) as e:
        parse_case(bad, "bad.toml")
    msg = e.value.message
    for fragment in ("name", "steal", "bribes", "date", "amount_wan", "第2条", "没有价格"):
        assert fragment in msg, fragment
    p = tmp_path / "case.json"
    p.write_text(json.dumps({"recovery": {"name": "J", "area_ha": 1},
                             "revenues": [{"item": "regrant", "date": "2021-01-01", "amount_wan": 10}]}),
                 encoding="utf-8")
    case, _ = load_case(p)
    assert economics(case)["totals"]["net_gain_wan"] == 10.0
    (tmp_path / "broken.toml").write_text("[recovery\n", encoding="utf-8")
    with pytest.raises(RecoveryFileError, match="TOML"):
        load_case(tmp_path / "broken.toml")
