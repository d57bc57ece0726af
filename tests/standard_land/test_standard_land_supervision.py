"""Supervision (due, overdue, zone summary), output figures, controls, terms and contract selection."""

from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from factories import write_gpkg
from jiyue.standard_land.lifecycle import Event, timeline
from jiyue.standard_land.rules import load_rules, parse_rules
from jiyue.standard_land.service import check, due, is_standard_land
from jiyue.standard_land.supervision import due_and_overdue, milestones
from sl_factories import KZ_AREA, by_indicator, contract, worked_layers

D = dt.date
MU = 10_000.0 / 15.0


def _rules_with(**terms) -> object:
    raw = tomllib.loads((resources.files("jiyue.standard_land.rulesets") / "default.toml").read_text("utf-8"))
    raw = copy.deepcopy(raw)
    for key, changes in terms.items():
        raw["terms"][key].update(changes)
    return parse_rules(raw, "test")


def test_milestones_due_and_overdue_by_hand() -> None:
    c = {"start_agreed": D(2024, 3, 1), "completion_agreed": D(2025, 3, 1), "production_review_date": None,
         "commit_tax_per_mu": 10.0}
    evs = [Event("C", D(2024, 2, 1), "commenced"), Event("C", D(2025, 1, 10), "completed")]
    r = load_rules()
    tl = timeline("C", evs, D(2025, 4, 1))
    ms = {m["milestone"]: m for m in milestones(c, tl, r)}
    assert ms["acceptance"]["due"] == D(2025, 4, 10)  # completion + 90 days
    assert ms["production_review"]["due"] == D(2028, 3, 1)  # no production yet: agreed completion + 3 years
    due_, overdue = due_and_overdue(milestones(c, tl, r), D(2025, 4, 1), 30)
    assert due_ == [{"milestone": "acceptance", "due": "2025-04-10", "days": 9}] and overdue == []
    due_, overdue = due_and_overdue(milestones(c, tl, r), D(2025, 4, 10), 0)  # the due day itself is "due"
    assert due_ == [{"milestone": "acceptance", "due": "2025-04-10", "days": 0}]
    due_, overdue = due_and_overdue(milestones(c, tl, r), D(2025, 4, 11), 30)
    assert overdue == [{"milestone": "acceptance", "due": "2025-04-10", "days": 1}] and due_ == []
    # production started: the review is due 3 years after it
    tl = timeline("C", [*evs, Event("C", D(2025, 2, 1), "accepted"), Event("C", D(2025, 6, 1), "in_production")],
                  D(2025, 7, 1))
    assert {m["milestone"]: m for m in milestones(c, tl, r)}["production_review"]["due"] == D(2028, 6, 1)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_gpkg(worked_layers(), tmp_path_factory.mktemp("sls") / "w.gpkg")


def test_check_document_due_list_and_zone_summary(pkg: Path) -> None:
    doc = check(pkg, as_of=D(2025, 3, 15), within=20)
    assert doc["as_of"] == "2025-03-15" and doc["within_days"] == 20
    bh = contract(doc, "BH-07007")
    assert bh["stage"] == "under_construction"
    assert bh["due"] == [{"milestone": "completion", "due": "2025-04-01", "days": 17}] and bh["overdue"] == []
    idle = contract(doc, "ID-001")  # start 2022-03-01 and completion 2024-03-01 both open
    assert idle["overdue"] == [{"milestone": "start", "due": "2022-03-01", "days": 1110},
                               {"milestone": "completion", "due": "2024-03-01", "days": 379}]
    [z] = doc["summary"]
    assert z["zone_code"] == "SL1" and z["contracts"] == 3 and z["due"] == 1 and z["overdue"] == 2
    assert z["idle_referrals"] == 1 and z["failed_contracts"] == 1  # only ID-001 has failed (start, completion)
    # start: 1110 × 1‰ × 2 570; completion: 379 × 1‰ × 2 570 (both still accruing)
    assert math.isclose(z["penalty_total_wan"], (1110 + 379) * 0.001 * 2570, rel_tol=1e-9)
    flat = due(pkg, as_of=D(2025, 3, 15), within=20)
    assert [m["contract_no"] for m in flat["overdue"]] == ["ID-001", "ID-001"] and flat["overdue"][0]["days"] == 1110
    assert flat["due"][0] | {} == {"contract_no": "BH-07007", "parcel_id": "P-BH", "zone_code": "SL1",
                                   "milestone": "completion", "due": "2025-04-01", "days": 17}


def test_selection_of_contracts(pkg: Path, tmp_path: Path) -> None:
    assert is_standard_land({"commit_far": 1.0}) and is_standard_land({"production_review_date": D(2028, 1, 1)})
    assert not is_standard_land({"commit_far": float("nan"), "production_review_date": None})
    layers = worked_layers()
    c = layers["contracts"]
    c.loc[c.contract_no == "ID-001", "commit_fai_per_mu"] = None  # now an ordinary grant contract
    p = write_gpkg(layers, tmp_path / "s.gpkg")
    assert [x["contract_no"] for x in check(p, as_of=D(2025, 1, 1))["contracts"]] == ["BH-07007", "KZ-31-76"]
    assert len(check(p, as_of=D(2025, 1, 1), include_all=True)["contracts"]) == 3
    assert [x["contract_no"] for x in check(p, as_of=D(2025, 1, 1), contracts=["ID-001"])["contracts"]] == ["ID-001"]


def test_output_land_basis_lease_and_fallback_year(tmp_path: Path) -> None:
    layers = worked_layers()
    # E-KZ also holds P-FREE (10 000 m² = 15 亩) and leases 2 000 m² in 2026
    p = layers["parcels"]
    p.loc[p.parcel_id == "P-FREE", "user_id"] = "E-KZ"
    ey = layers["enterprise_years"]
    ey["land_m2_extra"] = [None, 2000.0]
    pkg = write_gpkg(layers, tmp_path / "l.gpkg")
    # the default basis is the contract parcel: 80 ÷ 20 亩, whatever else the firm holds
    tax = by_indicator(contract(check(pkg, as_of=D(2027, 7, 31)), "KZ-31-76"))["tax_per_mu"]
    assert tax["actual"] == pytest.approx(4.0)
    raw = tomllib.loads((resources.files("jiyue.standard_land.rulesets") / "default.toml").read_text("utf-8"))
    raw["output"]["land_basis"] = "enterprise_land"
    tax = by_indicator(contract(check(pkg, as_of=D(2027, 7, 31), rules=parse_rules(raw)), "KZ-31-76"))["tax_per_mu"]
    land_mu = (KZ_AREA + 10_000.0 + 2_000.0) / MU  # 20 + 15 + 3 = 38 亩
    assert tax["actual"] == pytest.approx(80.0 / land_mu)
    assert tax["penalty_wan"] == pytest.approx((5.87 - 80.0 / land_mu) * 20.0)  # × the contract parcel's 20 亩


def test_output_missing_year_zero_energy_and_reviewed_event(tmp_path: Path) -> None:
    layers = worked_layers()
    layers["enterprise_years"] = layers["enterprise_years"][layers["enterprise_years"].year == 2025]
    pkg = write_gpkg(layers, tmp_path / "m.gpkg")
    k = by_indicator(contract(check(pkg, as_of=D(2027, 7, 31)), "KZ-31-76"))
    assert k["tax_per_mu"]["verdict"] == "pending" and "2026年度" in k["tax_per_mu"]["basis"]
    # a review recorded on 2026-03-31 looks at 2025; the 2025 energy is 0 → no ratio, pending
    layers["enterprise_years"] = layers["enterprise_years"].assign(energy_tce=[0.0])
    layers["progress"] = pd.concat([layers["progress"], pd.DataFrame(
        [{"contract_no": "KZ-31-76", "date": D(2026, 3, 31), "event": "reviewed"}])], ignore_index=True)
    pkg = write_gpkg(layers, tmp_path / "r.gpkg")
    c = contract(check(pkg, as_of=D(2026, 4, 30)), "KZ-31-76")
    k = by_indicator(c)
    assert c["stage"] == "reviewed"
    assert k["tax_per_mu"]["verdict"] == "fail" and k["tax_per_mu"]["actual"] == pytest.approx(3.0)  # 60 ÷ 20
    assert k["tax_per_mu"]["penalty_wan"] == pytest.approx((5.87 - 3.0) * 20)
    assert k["va_per_energy"]["verdict"] == "pending" and "为0" in k["va_per_energy"]["basis"]
    assert k["va_per_emission"]["verdict"] == "pass"  # 900 ÷ 2 = 450 ≥ 400
    assert not any(m["milestone"] == "production_review" for m in c["overdue"] + c["due"])


def test_controls_with_measured_green_and_admin_areas() -> None:
    layers = worked_layers()
    area = 102.76 * MU
    # measurements are recorded through the ledger on the acceptance event (see the CLI test); here
    # the pure assessment: green 16 000 m² (23.36 % > 20 %), admin 4 000 m² (5.84 % ≤ 7 %)
    from jiyue.standard_land.assess import assess_contract
    from jiyue.standard_land.measures import Site

    c = layers["contracts"].iloc[0].to_dict()
    evs = [Event("BH-07007", D(2025, 5, 31), "completed"),
           Event("BH-07007", D(2025, 7, 15), "accepted", invested_wan=17_982.0, green_area_m2=16_000.0,
                 admin_area_m2=4_000.0)]
    doc = assess_contract(c, evs, D(2025, 12, 31), site=Site("P-BH", True, area, True, 2, 41_104.0, 21_276.0),
                          enterprise_id="E-BH", enterprise_years=layers["enterprise_years"],
                          parcels=layers["parcels"], control_row=None, rules=load_rules(), within=90)
    k = by_indicator(doc)
    assert k["green_ratio"]["verdict"] == "fail"
    assert k["green_ratio"]["shortfall_ratio"] == pytest.approx((16_000 / area - 0.2) / 0.2)
    assert k["green_ratio"]["penalty_wan"] == pytest.approx(0.001 * 2570)  # 1‰ × land price
    assert k["admin_share"]["verdict"] == "pass" and k["admin_share"]["actual"] == pytest.approx(4_000 / area)


def test_tolerance_and_graduated_terms(pkg: Path) -> None:
    r = _rules_with(far={"tolerance": 0.15})  # 14.29 % short is within 15 %
    far = by_indicator(contract(check(pkg, as_of=D(2025, 12, 31), rules=r), "BH-07007"))["far"]
    assert far["verdict"] == "pass" and far["penalty_wan"] == 0 and far["shortfall_ratio"] == pytest.approx(0.1 / 0.7)
    r = _rules_with(far={"tolerance": 0.1, "penalty_on": "beyond_tolerance"})
    far = by_indicator(contract(check(pkg, as_of=D(2025, 12, 31), rules=r), "BH-07007"))["far"]
    assert far["penalty_wan"] == pytest.approx((0.1 / 0.7 - 0.1) * 2570)
    r = _rules_with(fai_per_mu={"penalty": "graduated", "steps": [[0.9, 0.0], [0.7, 0.05], [0.0, 0.1]]})
    fai = by_indicator(contract(check(pkg, as_of=D(2025, 12, 31), rules=r), "BH-07007"))["fai_per_mu"]
    assert fai["penalty_wan"] == pytest.approx(0.05 * 2570)  # achievement 200/250 = 80 % → 5 % band
