"""The spec's worked examples A1–A25 (docs/sources/mlr-order-53.md part A), figures by hand.

Money is 万元 in jiyue: 50,000,000 CNY = 5 000 万元. Every expected figure is written out
from the spec's arithmetic, never taken from the code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction

import pytest

from jiyue.idle.facts import facts
from jiyue.idle.idleness import assess_idle, commencement_test, fee_payment_due, idle_fee
from jiyue.idle.low_efficiency import low_efficiency
from jiyue.idle.penalties import contract_penalties, late_payment_surcharge, shortfall_penalty
from jiyue.idle.plans import check_plan
from jiyue.idle.rules import load_rules
from jiyue.idle.service import assess_parcel
from jiyue.idle.stock import stock_category, unsupplied_area

D = dt.date
RULES = load_rules()


def rules_with(section: str, **kw):
    return dataclasses.replace(RULES, **{section: dataclasses.replace(getattr(RULES, section), **kw)})


def a1(**kw):
    """A1's parcel: grant price 5 000 万元, D0 = 2020-03-01, not commenced, enterprise-caused."""
    base = dict(land_price_wan=5000.0, start_agreed="2020-03-01", area_m2=30000.0)
    base.update(kw)
    return facts("A1", **base)


# --------------------------------------------------------------------------- A1–A4: time test and route
def test_a1_one_day_before_the_anniversary_is_not_idle():
    r = assess_idle(a1(), RULES, D(2021, 2, 28))
    assert r.status == "not_idle" and r.route == "none" and r.fee_wan == 0


def test_a2_idle_on_the_anniversary_fee_20_percent():
    r = assess_idle(a1(), RULES, D(2021, 3, 1))
    assert r.status == "idle_unstarted"
    assert r.cause == "enterprise" and r.years_idle == 1 and r.route == "fee"
    assert r.idle_since == D(2021, 3, 1)
    assert r.fee_wan == pytest.approx(1000.0)  # 0.20 × 50,000,000 = 10,000,000 CNY


def test_a3_two_full_years_free_recovery_fee_stands():
    r = assess_idle(a1(), RULES, D(2022, 3, 1))
    assert r.years_idle == 2 and r.route == "recovery"
    assert r.recovery_eligible_from == D(2022, 3, 1)
    assert r.fee_wan == pytest.approx(1000.0)  # not refunded (configurable)
    no_fee = rules_with("idle", fee_also_when_recovery=False)
    assert assess_idle(a1(), no_fee, D(2022, 3, 1)).fee_wan == 0
    assert assess_idle(a1(), RULES, D(2022, 2, 28)).route == "fee"


def test_a4_no_start_date_delivery_plus_one_year():
    f = facts("A4", land_price_wan=100.0, delivery_date="2019-06-15")
    r = assess_idle(f, RULES, D(2021, 6, 14))
    assert r.start_date_effective == D(2020, 6, 15) and r.start_date_basis == "delivery_plus_1y"
    assert r.status == "not_idle"
    r = assess_idle(f, RULES, D(2021, 6, 15))
    assert r.status == "idle_unstarted" and r.route == "fee"
    r = assess_idle(f, RULES, D(2022, 6, 15))
    assert r.route == "recovery" and r.recovery_eligible_from == D(2022, 6, 15)
    # the delivery date may also come from a `delivered` progress event
    g = facts("A4b", land_price_wan=100.0, events=[("2019-06-15", "delivered")])
    assert assess_idle(g, RULES, D(2021, 6, 15)).status == "idle_unstarted"
    # the older practice: contract date + 1 year (configurable)
    h = facts("A4c", land_price_wan=100.0, signed_date="2019-01-10")
    old = rules_with("start_date", no_start_date="signed_plus_1y")
    assert assess_idle(h, old, D(2021, 1, 10)).start_date_effective == D(2020, 1, 10)


# --------------------------------------------------------------------------- A5, A25: commencement
def test_a5_permit_and_80_percent_of_piles_is_not_commenced():
    assert not commencement_test(permit=True, foundation_type="piles", all_piles_driven=False)
    assert commencement_test(permit=True, foundation_type="piles", all_piles_driven=True)
    assert not commencement_test(permit=False, foundation_type="piles", all_piles_driven=True)
    assert commencement_test(permit=True, foundation_type="deep_pit", pit_complete=True)
    # in the tables: a permit without the `commenced` milestone → the A1 timing applies
    f = a1(events=[("2020-02-01", "permit")])
    assert assess_idle(f, RULES, D(2021, 3, 1)).status == "idle_unstarted"


def test_a25_permit_and_20_percent_of_foundations_is_not_commenced():
    assert not commencement_test(permit=True, foundation_type="other", foundation_fraction=0.2)
    assert commencement_test(permit=True, foundation_type="other", foundation_fraction=Fraction(1, 3))
    assert not commencement_test(permit=True, foundation_type="other", foundation_fraction=0.33)


def test_milestone_without_permit_is_not_commenced():
    f = a1(events=[("2020-02-01", "commenced")])
    r = assess_idle(f, RULES, D(2021, 3, 1))
    assert r.status == "idle_unstarted" and r.commenced_date is None
    assert "milestone_without_permit" in r.notes
    lax = rules_with("commencement", require_permit=False)
    assert assess_idle(f, lax, D(2021, 3, 1)).status == "not_idle"


# --------------------------------------------------------------------------- A6–A9: halted projects
def halted(dev: float, inv: float, halt: str = "2022-01-10", year: int = 2021, **kw):
    """Commenced 1 May ``year``, 30 000 m² parcel, agreed total 12 000 incl. a 2 000 land price (net 10 000)."""
    base = dict(land_price_wan=2000.0, start_agreed=f"{year}-03-01", area_m2=30000.0, total_investment_wan=12000.0,
                events=[(f"{year}-04-01", "permit"), (f"{year}-05-01", "commenced"),
                        (halt, "halted", dev, inv, False, "enterprise")])
    base.update(kw)
    return facts("H", **base)


def test_a6_either_short_is_idle_both_short_is_not():
    f = halted(8000.0, 3000.0)  # 26.67 % of the area, 30 % of the investment
    r = assess_idle(f, RULES, D(2023, 1, 10))
    assert r.status == "idle_halted" and r.idle_since == D(2023, 1, 10) and r.years_idle == 1
    assert r.area_ratio == pytest.approx(8000 / 30000) and r.investment_ratio == pytest.approx(0.30)
    assert r.route == "fee" and r.fee_wan == pytest.approx(400.0)  # 0.2 × 2 000
    assert assess_idle(f, RULES, D(2023, 1, 9)).status == "not_idle"
    both = rules_with("idle", partial_dev_test="both_short")
    assert assess_idle(f, both, D(2023, 1, 10)).status == "not_idle"


def test_a7_investment_ratio_net_of_land_price():
    # reported total 15 000 incl. land 5 000; invested 4 000 incl. land 3 000 → 1 000 excl. land (contract field)
    f = halted(12000.0, 1000.0, land_price_wan=5000.0, total_investment_wan=15000.0)
    r = assess_idle(f, RULES, D(2023, 1, 10))
    assert r.investment_ratio == pytest.approx(0.10)  # 1 000 / 10 000
    assert r.area_ratio == pytest.approx(0.40)
    assert r.status == "idle_halted"


def test_a8_both_thresholds_met_not_idle_but_l2_unfinished():
    f = halted(12000.0, 3000.0, halt="2020-01-10", year=2019)  # 40 %, 30 %, halted 3 years
    r = assess_idle(f, RULES, D(2023, 1, 10))
    assert r.status == "not_idle"
    hits = low_efficiency(f, RULES.with_low_efficiency(["L2"]), D(2023, 1, 10))
    assert [h["code"] for h in hits] == ["L2.1"]


def test_a9_exactly_one_third_and_25_percent_is_not_short():
    f = halted(10000.0, 2500.0, halt="2021-01-10", year=2019)  # exactly 1/3 of 30 000 and 25 % of 10 000
    assert assess_idle(f, RULES, D(2023, 1, 10)).status == "not_idle"
    assert assess_idle(halted(9999.99, 2500.0, halt="2021-01-10", year=2019), RULES, D(2023, 1, 10)).status == "idle_halted"
    assert assess_idle(halted(10000.0, 2499.99, halt="2021-01-10", year=2019), RULES, D(2023, 1, 10)).status == "idle_halted"
    both = rules_with("idle", partial_dev_test="both_short")
    assert assess_idle(halted(9999.99, 2500.0, halt="2021-01-10", year=2019), both, D(2023, 1, 10)).status == "not_idle"
    assert assess_idle(halted(9999.99, 2499.99, halt="2021-01-10", year=2019), both, D(2023, 1, 10)).status == "idle_halted"


def test_approved_halt_does_not_count():
    f = facts("AH", land_price_wan=1000.0, start_agreed="2019-01-01", area_m2=30000.0, total_investment_wan=11000.0,
              events=[("2018-12-01", "permit"), ("2019-01-01", "commenced"),
                      ("2019-06-01", "halted", 3000.0, 500.0, True, "gov_3")])
    r = assess_idle(f, RULES, D(2022, 1, 1))
    assert r.status == "not_idle" and "approved_halt" in r.notes


def test_resumed_then_halted_again_restarts_the_clock():
    f = facts("RH", land_price_wan=1000.0, start_agreed="2019-01-01", area_m2=30000.0, total_investment_wan=11000.0,
              events=[("2018-12-01", "permit"), ("2019-01-01", "commenced"),
                      ("2019-06-01", "halted", 3000.0, 500.0, False, "enterprise"), ("2019-09-01", "resumed"),
                      ("2020-03-01", "halted", 4000.0, 600.0, False, "enterprise")])
    assert assess_idle(f, RULES, D(2021, 2, 28)).status == "not_idle"
    r = assess_idle(f, RULES, D(2021, 3, 1))
    assert r.status == "idle_halted" and r.halt_start == D(2020, 3, 1)


def test_government_caused_halt_negotiates():
    f = halted(3000.0, 500.0)
    f = dataclasses.replace(f, events=tuple(dataclasses.replace(e, cause="gov_3") if e.event == "halted" else e
                                            for e in f.events))
    r = assess_idle(f, RULES, D(2024, 1, 10))
    assert r.status == "idle_halted" and r.cause == "gov_3" and r.route == "negotiate" and r.fee_wan == 0


# --------------------------------------------------------------------------- A10: government cause
def test_a10_late_delivery_is_government_cause_1():
    f = facts("A10", land_price_wan=800.0, start_agreed="2020-06-01", delivery_date="2021-06-01")
    r = assess_idle(f, RULES, D(2022, 1, 1))
    assert r.status == "idle_unstarted"  # the time test is met …
    assert r.cause == "gov_1" and r.route == "negotiate" and r.fee_wan == 0  # … but no fee, no recovery
    # an explicit verified delay says the same
    g = facts("A10b", land_price_wan=800.0, start_agreed="2020-06-01",
              events=[("2020-05-01", "delayed", None, None, None, "gov_1")])
    assert assess_idle(g, RULES, D(2022, 1, 1)).route == "negotiate"
    # force majeure and preliminary work are handled the same way
    for cause in ("force_majeure", "prelim_work", "gov_6"):
        h = facts("A10c", land_price_wan=800.0, start_agreed="2020-06-01",
                  events=[("2020-07-01", "delayed", None, None, None, cause)])
        r = assess_idle(h, RULES, D(2022, 1, 1))
        assert (r.cause, r.route, r.fee_wan) == (cause, "negotiate", 0.0)
    # no penalty either for the late start
    assert contract_penalties(dataclasses.replace(f, late_start_permille=1.0), RULES, D(2022, 1, 1)) == []


# --------------------------------------------------------------------------- A11–A13: disposal options
GOV1 = {"status": "idle_unstarted", "cause": "gov_1", "route": "negotiate", "years_idle": 1, "penalties": []}


def test_a11_extension_capped_at_one_year_from_the_agreed_start():
    bad = check_plan({"option": "extend", "start": "2022-06-01", "until": "2023-09-01",
                      "agreement_date": "2022-02-01"}, GOV1, RULES)
    assert len(bad) == 1 and "2023-06-01" in bad[0]
    assert check_plan({"option": "extend", "start": "2022-06-01", "until": "2023-06-01",
                       "agreement_date": "2022-02-01"}, GOV1, RULES) == []
    assert check_plan({"option": "extend", "start": "2022-06-01", "until": "2023-06-02"}, GOV1, RULES)


def test_a12_temporary_use_at_most_two_years():
    bad = check_plan({"option": "temporary_use", "start": "2022-03-01", "until": "2024-06-30"}, GOV1, RULES)
    assert len(bad) == 1 and "2024-03-01" in bad[0]
    assert check_plan({"option": "temporary_use", "start": "2022-03-01", "until": "2024-03-01"}, GOV1, RULES) == []


def test_a13_swap_only_for_a_plan_change():
    gov4 = dict(GOV1, cause="gov_4")
    swap = {"option": "swap", "price_paid": True, "funds_in_place": True}
    bad = check_plan(swap, gov4, RULES)
    assert len(bad) == 1 and "延长动工开发期限" in bad[0]  # offers options 1–4
    assert check_plan(swap, dict(GOV1, cause="gov_2"), RULES) == []
    assert len(check_plan({"option": "swap"}, dict(GOV1, cause="gov_2"), RULES)) == 2  # price and funds


# --------------------------------------------------------------------------- A14–A16: the fee
def test_a14_allocated_land_fee_on_the_allocation_price():
    f = facts("A14", land_price_wan=800.0, start_agreed="2021-01-01", supply_method="allocation")
    r = assess_idle(f, RULES, D(2022, 4, 1))  # 1 year 3 months after D0
    assert r.years_idle == 1 and r.route == "fee" and r.fee_wan == pytest.approx(160.0)


def test_a15_monthly_accrual_capped():
    monthly = rules_with("idle", fee_mode="monthly")
    # 14 months and 6 days past the idle date → 15 billable months → min(15/12 × 20 %, 20 %) × 1 200
    fee, _ = idle_fee(1200.0, monthly, D(2021, 1, 1), D(2022, 3, 7))
    assert fee == pytest.approx(240.0)
    fee, _ = idle_fee(1200.0, monthly, D(2021, 1, 1), D(2021, 7, 1))  # exactly 6 months
    assert fee == pytest.approx(120.0)


def test_a16_fee_due_thirty_days_after_service():
    assert fee_payment_due(D(2023, 4, 10)) == D(2023, 5, 10)


# --------------------------------------------------------------------------- A17–A20: contract penalties
def test_a17_late_start_per_day():
    f = a1(start_agreed="2020-01-01", late_start_permille=1.0,
           events=[("2019-12-01", "permit"), ("2020-04-30", "commenced")])  # 120 days late
    pens = contract_penalties(f, RULES, D(2020, 6, 1))
    assert [(p["kind"], p["amount_wan"]) for p in pens] == [("late_start", pytest.approx(600.0))]
    assert assess_idle(f, RULES, D(2020, 6, 1)).status == "not_idle"


def test_a18_investment_shortfall():
    assert shortfall_penalty(20000.0, 15000.0, 2000.0) == (pytest.approx(0.25), pytest.approx(500.0))
    done = [("2019-01-01", "permit"), ("2019-02-01", "commenced"), ("2020-06-01", "completed", 10000.0, 13000.0)]
    # contract total incl. land price (GF-2008-2601 art. 13): invested 13 000 + land 2 000 = 15 000 of 20 000
    f = facts("A18", land_price_wan=2000.0, total_investment_wan=20000.0, start_agreed="2019-02-01",
              area_m2=10000.0, events=done)
    pens = contract_penalties(f, RULES, D(2020, 12, 31))
    assert [(p["kind"], p["amount_wan"]) for p in pens] == [("investment_shortfall", pytest.approx(500.0))]
    as_given = rules_with("penalties", investment_shortfall_basis="as_given")
    g = dataclasses.replace(f, events=f.events[:2] + (dataclasses.replace(f.events[2], invested_wan=15000.0),))
    assert contract_penalties(g, as_given, D(2020, 12, 31))[0]["amount_wan"] == pytest.approx(500.0)


def test_a19_far_shortfall():
    f = facts("A19", land_price_wan=2000.0, commit_far=1.0, area_m2=10000.0, floor_area_m2=8000.0,
              start_agreed="2019-02-01", events=[("2019-01-01", "permit"), ("2019-02-01", "commenced"),
                                                 ("2020-06-01", "completed")])
    pens = contract_penalties(f, RULES, D(2020, 12, 31))
    assert [(p["kind"], p["amount_wan"]) for p in pens] == [("far_shortfall", pytest.approx(400.0))]


def test_a20_late_payment_surcharge():
    r = late_payment_surcharge(1000.0, 61)
    assert r["surcharge_wan"] == pytest.approx(61.0) and r["may_rescind"]
    assert not late_payment_surcharge(1000.0, 60)["may_rescind"]


# --------------------------------------------------------------------------- A21–A24: low efficiency, stock
def test_a21_completed_two_years_intensity_45_percent_is_l1():
    # 1 ha = 15 亩; agreed 400 万元/ha, actual 180 万元/ha (invested 120 + land 60)
    f = facts("A21", land_price_wan=60.0, area_m2=10000.0, commit_fai_per_mu=400.0 / 15,
              events=[("2019-01-01", "permit"), ("2019-02-01", "commenced"), ("2021-01-15", "completed", 10000.0, 120.0),
                      ("2021-03-01", "in_production")])
    hits = low_efficiency(f, RULES, D(2023, 6, 30))
    assert [h["code"] for h in hits] == ["L1.2"]
    assert low_efficiency(f, RULES, D(2023, 1, 14)) == []  # not yet 2 years after completion


def test_a22_stopped_one_year_l1_yes_l2_not_yet():
    f = facts("A22", land_price_wan=100.0, area_m2=10000.0,
              events=[("2019-01-01", "permit"), ("2019-02-01", "commenced"), ("2020-01-01", "completed"),
                      ("2020-03-01", "in_production"), ("2022-09-01", "halted")])
    assert [h["code"] for h in low_efficiency(f, RULES, D(2023, 9, 1))] == ["L1.3"]
    assert low_efficiency(f, RULES, D(2023, 8, 31)) == []
    l2 = RULES.with_low_efficiency(["L2"])
    assert low_efficiency(f, l2, D(2023, 9, 1)) == []
    assert [h["code"] for h in low_efficiency(f, l2, D(2024, 9, 1))] == ["L2.2"]


def test_a23_far_benchmark_by_industry():
    def built(code: str, far: float):
        return facts(code, area_m2=10000.0, floor_area_m2=far * 10000.0, footprint_all_m2=4000.0, industry_code=code,
                     events=[("2019-01-01", "permit"), ("2019-02-01", "commenced"), ("2020-01-01", "completed")])

    bm = RULES.with_low_efficiency(["benchmark"])
    plastics = low_efficiency(built("C2929", 0.7), bm, D(2021, 1, 1))
    assert [h["code"] for h in plastics] == ["BM.far"]
    assert low_efficiency(built("C2614", 0.7), bm, D(2021, 1, 1)) == []  # chemicals: 0.7 ≥ 0.6
    # only industrial land is held to the industrial benchmarks
    housing = dataclasses.replace(built("C2929", 0.7), land_use_code="0701")
    assert low_efficiency(housing, bm, D(2021, 1, 1)) == []
    shop = dataclasses.replace(built("C2929", 0.7), build_class="A4")
    assert low_efficiency(shop, bm, D(2021, 1, 1)) == []


def test_a24_approved_not_supplied():
    assert unsupplied_area(400000.0, [150000.0]) == pytest.approx(250000.0)  # 40 ha − 15 ha = 25 ha
    unsupplied = facts("U", contract_no=None, supply_class="E21", build_class="B21")
    assert stock_category(unsupplied, RULES, D(2024, 12, 31)) == "unsupplied"
    supplied = facts("S", start_agreed="2021-01-01", signed_date="2020-06-01", supply_class="D21")
    assert stock_category(supplied, RULES, D(2024, 12, 31)) == "unused"
    assert assess_parcel(supplied, RULES, D(2024, 12, 31))["stock_category"] == "供而未用"
    assert stock_category(supplied, RULES, D(2020, 5, 31)) == "unsupplied"  # not yet signed
