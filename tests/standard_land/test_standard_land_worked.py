"""The spec's worked examples C9–C13 (docs/sources/standard-land.md part C), by hand arithmetic.

Each expected figure is written out from the spec's numbers, never taken from the code.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from factories import write_gpkg
from jiyue.standard_land import idle_route, late_completion_days, late_start_days, time_penalty_wan
from jiyue.standard_land.checks import indicator_check, penalty, shortfall_ratio
from jiyue.standard_land.rules import IdleRoute, Term, load_rules
from jiyue.standard_land.service import check
from sl_factories import by_indicator, contract, worked_layers

D = dt.date


def close(a: float | None, b: float, tol: float = 1e-6) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=tol, abs_tol=1e-6)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_gpkg(worked_layers(), tmp_path_factory.mktemp("slw") / "worked.gpkg")


@pytest.fixture(scope="module")
def at_2025(pkg: Path) -> dict:
    return check(pkg, as_of=D(2025, 12, 31))


# --------------------------------------------------------------------------- pure arithmetic
def test_c9_investment_shortfall_pure() -> None:
    # committed 250 万元/亩, actual 200 → (250 − 200) / 250 = 20 %; 0.20 × 2 570 = 514 万元
    assert shortfall_ratio(250.0, 200.0) == pytest.approx(0.20)
    term = Term("fai_per_mu", "acceptance", penalty="proportional")
    amount, text = penalty(term, 0.20, committed=250.0, actual=200.0, land_price_wan=2570.0, mu=102.76)
    assert amount == pytest.approx(514.0)
    assert "514.00" in text


def test_c10_far_shortfall_pure() -> None:
    # (0.7 − 0.6) / 0.7 = 14.2857 %; × 2 570 = 367.142857… 万元
    c = indicator_check("far", Term("far", "acceptance"), 0.7, 0.6, "实测", land_price_wan=2570.0, mu=102.76)
    assert c.verdict == "fail"
    assert close(c.shortfall_ratio, 0.1 / 0.7)
    assert close(c.penalty_wan, 0.1 / 0.7 * 2570.0)
    assert round(c.penalty_wan, 2) == 367.14


def test_c11_late_completion_pure() -> None:
    agreed = D(2025, 4, 1)
    assert late_completion_days(agreed, D(2025, 5, 31), D(2025, 12, 31)) == 60
    assert time_penalty_wan(60, 1.0, 2570.0) == pytest.approx(154.2)  # 60 × 0.001 × 2 570


def test_c12_idle_route_pure() -> None:
    agreed = D(2022, 3, 1)
    idle = IdleRoute(fee_after_years=1, fee_share=0.2, recovery_after_years=2)
    assert idle_route(agreed, None, D(2023, 2, 28), 2570.0, idle)["status"] == "none"
    year1 = idle_route(agreed, None, D(2023, 3, 1), 2570.0, idle)  # the anniversary itself
    assert year1["status"] == "idle_fee" and year1["fee_wan"] == pytest.approx(514.0)  # 20 % × 2 570
    assert idle_route(agreed, None, D(2024, 3, 1), 2570.0, idle)["status"] == "recovery"
    assert idle_route(agreed, D(2022, 9, 1), D(2024, 3, 1), 2570.0, idle)["status"] == "none"


def test_c13_tax_difference_pure() -> None:
    # 20 亩 × 5.87 = 117.4 万元/year committed; actual 80 → shortfall 37.4 万元 (option a, 1 year)
    term = load_rules().terms["tax_per_mu"]
    assert term.penalty == "tax_difference"
    amount, _ = penalty(term, 0.0, committed=5.87, actual=80.0 / 20.0, land_price_wan=300.0, mu=20.0)
    assert amount == pytest.approx(117.4 - 80.0)


def test_late_start_days_edge_cases() -> None:
    assert late_start_days(None, None, D(2024, 1, 1)) is None
    assert late_start_days(D(2024, 1, 1), None, D(2023, 12, 31)) == 0  # not yet due
    assert late_start_days(D(2024, 1, 1), D(2023, 12, 1), D(2024, 6, 1)) == 0  # on time
    assert late_start_days(D(2024, 1, 1), None, D(2024, 1, 31)) == 30  # open, accruing
    assert late_start_days(D(2024, 1, 1), D(2024, 3, 1), D(2024, 6, 1)) == 60  # 31 + 29 (leap year)
    assert late_start_days(D(2024, 1, 1), D(2024, 3, 1), D(2024, 2, 1)) == 31  # start after as_of: still open


# --------------------------------------------------------------------------- through the package
def test_c9_c10_c11_on_the_beihai_parcel(at_2025: dict) -> None:
    c = contract(at_2025, "BH-07007")
    k = by_indicator(c)
    assert c["stage"] == "in_production"
    assert c["land_mu"] == pytest.approx(102.76)
    fai = k["fai_per_mu"]  # (17 982 + 2 570) / 102.76 = 200
    assert fai["verdict"] == "fail" and close(fai["actual"], 200.0) and close(fai["shortfall_ratio"], 0.2)
    assert close(fai["penalty_wan"], 514.0)
    far = k["far"]  # 10 276 × 2 storeys × 2 (9 m > 8 m) = 41 104 m² ÷ 68 506.67 m² = 0.6
    assert far["verdict"] == "fail" and close(far["actual"], 0.6)
    assert close(far["penalty_wan"], 0.1 / 0.7 * 2570.0)
    comp = k["completion"]  # 2025-04-01 → 2025-05-31 = 60 days
    assert comp["verdict"] == "fail" and comp["days_late"] == 60 and close(comp["penalty_wan"], 154.2)
    assert comp["committed"] == "2025-04-01" and comp["actual"] == "2025-05-31"
    assert k["start"]["verdict"] == "pass" and k["start"]["penalty_wan"] == 0
    assert close(c["penalty_total_wan"], 514.0 + 0.1 / 0.7 * 2570.0 + 154.2, 1e-6)
    # the national controls: (10 276 + 11 000) / 68 506.67 = 31.06 % ≥ 30 %
    assert k["building_coefficient"]["verdict"] == "pass"
    assert close(k["building_coefficient"]["actual"], 21276.0 / (102.76 * 10000 / 15))
    assert k["green_ratio"]["verdict"] == "pending" and k["admin_share"]["verdict"] == "pending"
    assert [q["kind"] for q in c["consequences"]] == ["credit_record"]
    assert set(c["consequences"][0]["indicators"]) == {"fai_per_mu", "far", "completion"}
    assert "514.00" in fai["basis"] and "2,570.00" in fai["basis"]


def test_checks_use_only_the_public_keys(at_2025: dict) -> None:
    allowed = {"fai_per_mu", "far", "tax_per_mu", "va_per_energy", "va_per_emission", "start", "completion"}
    for c in at_2025["contracts"]:
        assert {k["indicator"] for k in c["checks"]} <= allowed
        for k in c["checks"]:
            assert {"indicator", "committed", "actual", "verdict", "shortfall_ratio", "penalty_wan", "basis"} <= set(k)
            assert k["verdict"] in ("pass", "fail", "pending")


def test_c12_idle_contract(pkg: Path) -> None:
    before = contract(check(pkg, as_of=D(2023, 2, 28)), "ID-001")
    assert not any(q["kind"] == "idle_land_referral" for q in before["consequences"])
    # 2022-03-01 → 2023-02-28 = 364 days late × 1‰ × 2 570 = 935.48 万元 so far
    assert close(by_indicator(before)["start"]["penalty_wan"], 364 * 0.001 * 2570.0)
    c = contract(check(pkg, as_of=D(2023, 3, 1)), "ID-001")
    idle = [q for q in c["consequences"] if q["kind"] == "idle_land_referral"]
    assert len(idle) == 1 and close(idle[0]["amount_wan"], 514.0)
    assert not any(q["kind"] == "land_recovery" for q in c["consequences"])
    assert c["overdue"] == [{"milestone": "start", "due": "2022-03-01", "days": 365}]
    later = contract(check(pkg, as_of=D(2024, 3, 1)), "ID-001")
    assert any(q["kind"] == "land_recovery" for q in later["consequences"])


def test_c13_tax_at_production_review(pkg: Path) -> None:
    doc = check(pkg, as_of=D(2027, 7, 31))
    c = contract(doc, "KZ-31-76")
    k = by_indicator(c)
    tax = k["tax_per_mu"]  # 80 万元 ÷ 20 亩 = 4.0 万元/亩 (year 2026: the last full year before 2027-06-30)
    assert tax["verdict"] == "fail" and close(tax["actual"], 4.0) and tax["year"] == 2026
    assert close(tax["penalty_wan"], 37.4)
    assert close(tax["shortfall_ratio"], (5.87 - 4.0) / 5.87)
    energy = k["va_per_energy"]  # 1 000 ÷ 500 = 2.0 < 2.5 → 20 % × 300 = 60
    assert energy["verdict"] == "fail" and close(energy["actual"], 2.0) and close(energy["penalty_wan"], 60.0)
    emission = k["va_per_emission"]  # 1 000 ÷ 2 = 500 ≥ 400
    assert emission["verdict"] == "pass" and close(emission["actual"], 500.0) and emission["penalty_wan"] == 0
    assert c["overdue"] == [{"milestone": "production_review", "due": "2027-06-30", "days": 31}]
    early = check(pkg, as_of=D(2027, 6, 29))
    assert early["within_days"] == 30  # the rules' default window
    before = contract(early, "KZ-31-76")
    assert by_indicator(before)["tax_per_mu"]["verdict"] == "pending"
    assert before["due"] == [{"milestone": "production_review", "due": "2027-06-30", "days": 1}]
