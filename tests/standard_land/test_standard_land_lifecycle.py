"""Life-cycle events: order, duplicates, halts, the stage at a date, excused delays."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from jiyue.standard_land.assess import assess_contract
from jiyue.standard_land.lifecycle import (Event, merge_events, new_event_problems, sequence_problems, timeline)
from jiyue.standard_land.measures import Site
from jiyue.standard_land.rules import load_rules

D = dt.date


def ev(date: dt.date, event: str, **kw) -> Event:
    return Event("C-1", date, event, **kw)


FULL = [ev(D(2020, 1, 1), "delivered"), ev(D(2020, 2, 1), "permit"), ev(D(2020, 3, 1), "commenced"),
        ev(D(2020, 6, 1), "halted"), ev(D(2020, 8, 1), "resumed"), ev(D(2021, 5, 1), "completed"),
        ev(D(2021, 6, 1), "accepted"), ev(D(2021, 7, 1), "in_production"), ev(D(2024, 7, 1), "reviewed")]


def test_full_sequence_is_in_order() -> None:
    assert sequence_problems("C-1", FULL, D(2019, 12, 1)) == []


@pytest.mark.parametrize(("t", "stage"), [
    (D(2019, 12, 31), "signed"), (D(2020, 1, 1), "delivered"), (D(2020, 2, 15), "permitted"),
    (D(2020, 3, 1), "under_construction"), (D(2020, 7, 1), "halted"), (D(2020, 8, 1), "under_construction"),
    (D(2021, 5, 2), "completed"), (D(2021, 6, 30), "accepted"), (D(2022, 1, 1), "in_production"),
    (D(2025, 1, 1), "reviewed")])
def test_stage_at_a_date(t: dt.date, stage: str) -> None:
    assert timeline("C-1", FULL, t).stage == stage


def test_acceptance_before_completion_is_refused_with_names_and_dates() -> None:
    evs = [ev(D(2020, 3, 1), "commenced"), ev(D(2021, 5, 1), "completed"), ev(D(2021, 4, 1), "accepted")]
    problems = sequence_problems("C-1", evs)
    assert len(problems) == 1
    p = problems[0]
    assert "C-1" in p and "竣工验收" in p and "2021-04-01" in p and "竣工" in p and "2021-05-01" in p


def test_duplicates_halts_and_signing() -> None:
    evs = [ev(D(2020, 3, 1), "commenced"), ev(D(2020, 4, 1), "commenced")]
    assert any("已有「动工」" in p for p in sequence_problems("C-1", evs))
    evs = [ev(D(2020, 3, 1), "commenced"), ev(D(2020, 4, 1), "halted"), ev(D(2020, 5, 1), "halted")]
    assert any("不能再次停工" in p for p in sequence_problems("C-1", evs))
    evs = [ev(D(2020, 3, 1), "commenced"), ev(D(2020, 4, 1), "resumed")]
    assert any("没有未结束的停工" in p for p in sequence_problems("C-1", evs))
    evs = [ev(D(2020, 3, 1), "commenced"), ev(D(2020, 4, 1), "halted"), ev(D(2020, 9, 1), "completed")]
    assert any("不能竣工" in p for p in sequence_problems("C-1", evs))
    evs = [ev(D(2020, 4, 1), "halted")]
    assert any("没有动工记录" in p for p in sequence_problems("C-1", evs))
    assert any("早于合同签订日期" in p for p in sequence_problems("C-1", [ev(D(2019, 1, 1), "delivered")],
                                                                  D(2019, 6, 1)))
    # a delay may fall anywhere; halt and resumption on the same day are in order
    evs = [ev(D(2020, 3, 1), "commenced"), ev(D(2020, 4, 1), "resumed"), ev(D(2020, 4, 1), "halted"),
           ev(D(2019, 12, 1), "delayed", cause="gov_1")]
    assert sequence_problems("C-1", evs) == []


def test_recording_needs_the_predecessor_and_no_future_date() -> None:
    existing = [ev(D(2020, 1, 1), "delivered")]
    p = new_event_problems("C-1", existing, ev(D(2020, 5, 1), "accepted"), today=D(2024, 1, 1))
    assert any("还没有「竣工」事件" in x for x in p)
    p = new_event_problems("C-1", existing, ev(D(2030, 5, 1), "permit"), today=D(2024, 1, 1))
    assert any("晚于今天" in x for x in p)
    assert new_event_problems("C-1", existing, ev(D(2020, 2, 1), "permit"), today=D(2024, 1, 1)) == []


def test_contract_delivery_date_stands_in_for_a_delivered_event() -> None:
    evs = merge_events("C-1", pd.Timestamp("2020-01-05"), [ev(D(2020, 3, 1), "commenced")])
    assert [(e.event, e.source) for e in evs] == [("delivered", "contract"), ("commenced", "package")]
    evs = merge_events("C-1", D(2020, 1, 5), [ev(D(2020, 1, 1), "delivered")])
    assert [(e.date, e.source) for e in evs] == [(D(2020, 1, 1), "package")]


def _assess(events: list[Event], as_of: dt.date, **contract) -> dict:
    c = {"contract_no": "C-1", "parcel_id": "P", "land_price_wan": 1000.0, "start_agreed": D(2020, 6, 1),
         "completion_agreed": D(2022, 6, 1), **contract}
    site = Site("P", True, 10_000.0, True)
    return assess_contract(c, events, as_of, site=site, enterprise_id=None, enterprise_years=pd.DataFrame(
        columns=["enterprise_id", "year"]), parcels=pd.DataFrame(columns=["parcel_id"]), control_row=None,
        rules=load_rules(), within=90)


def _check(doc: dict, key: str) -> dict:
    return next(k for k in doc["checks"] if k["indicator"] == key)


def test_government_delay_waives_the_late_start_penalty() -> None:
    evs = [ev(D(2020, 5, 1), "delayed", cause="gov_1"), ev(D(2020, 9, 1), "commenced")]
    doc = _assess(evs, D(2021, 1, 1))
    start = _check(doc, "start")
    assert start["verdict"] == "pass" and start["penalty_wan"] == 0 and start["excused"] is True
    assert start["days_late"] == 92  # 2020-06-01 → 2020-09-01
    # the same delay caused by the enterprise costs 92 × 1‰ × 1 000 = 92 万元
    evs = [ev(D(2020, 5, 1), "delayed", cause="enterprise"), ev(D(2020, 9, 1), "commenced")]
    start = _check(_assess(evs, D(2021, 1, 1)), "start")
    assert start["verdict"] == "fail" and start["penalty_wan"] == pytest.approx(92.0)


def test_approved_government_halt_excuses_late_completion_only() -> None:
    evs = [ev(D(2020, 5, 1), "commenced"), ev(D(2021, 1, 1), "halted", approved=True, cause="gov_3"),
           ev(D(2021, 9, 1), "resumed"), ev(D(2022, 8, 1), "completed")]
    doc = _assess(evs, D(2022, 12, 31))
    comp = _check(doc, "completion")
    assert comp["verdict"] == "pass" and comp.get("excused") is True and comp["days_late"] == 61
    evs[1] = ev(D(2021, 1, 1), "halted", approved=False, cause="enterprise")
    comp = _check(_assess(evs, D(2022, 12, 31)), "completion")
    assert comp["verdict"] == "fail" and comp["penalty_wan"] == pytest.approx(61 * 0.001 * 1000.0)


def test_contract_permille_overrides_the_default() -> None:
    doc = _assess([ev(D(2020, 7, 1), "commenced")], D(2021, 1, 1), late_start_permille=0.5)
    start = _check(doc, "start")  # 30 days × 0.5‰ × 1 000 = 15
    assert start["penalty_wan"] == pytest.approx(15.0) and start["permille"] == 0.5


def test_unapproved_halt_for_a_year_is_referred_to_the_idle_land_route() -> None:
    evs = [ev(D(2020, 5, 1), "commenced"), ev(D(2020, 10, 1), "halted", approved=False, cause="enterprise")]
    assert not any(q["kind"] == "idle_land_referral" for q in _assess(evs, D(2021, 9, 30))["consequences"])
    doc = _assess(evs, D(2021, 10, 1))
    ref = [q for q in doc["consequences"] if q["kind"] == "idle_land_referral"]
    assert len(ref) == 1 and ref[0]["since"] == "2020-10-01" and doc["stage"] == "halted"


@pytest.mark.parametrize("new_date", [D(2015, 1, 10), D(2017, 1, 10)])
def test_a_repeated_event_names_the_recorded_date_as_existing(new_date: dt.date) -> None:
    """Recording 动工 again: the sentence says the *recorded* one (2016-09-16) exists and the new
    one is refused — also when the new one is dated earlier (it used to swap the two dates)."""
    existing = [ev(D(2016, 3, 1), "delivered"), ev(D(2016, 8, 16), "permit"), ev(D(2016, 9, 16), "commenced")]
    p = new_event_problems("C-1", existing, ev(new_date, "commenced"), today=D(2024, 1, 1))
    dup = [x for x in p if "已有「动工」" in x]
    assert dup == [f"合同「C-1」已有「动工」事件（2016-09-16），不能再登记一次（{new_date.isoformat()}）；"
                   "如原记录有误，请先用 jiyue standard-land void 作废"]
