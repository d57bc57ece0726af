"""The campaign ledger on the hand-made zone: inventory, plans, progress, closing with evidence, history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from idle_factories import imported_store
from jiyue import store
from jiyue.errors import UsageError
from jiyue.idle import campaign
from jiyue.idle.service import assess
from jiyue.ledger import service as ledger
from jiyue.ledger.service import LedgerRefused


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return imported_store(tmp_path)


@pytest.fixture
def camp(db: Path) -> int:
    res = campaign.inventory(db, since=2016, as_of="2020-12-31", user="张三")
    return res["campaign_id"]


@pytest.fixture
def evidence(tmp_path: Path) -> list[Path]:
    a, b = tmp_path / "验收报告.pdf", tmp_path / "现场照片.jpg"
    a.write_bytes(b"%PDF-1.4 acceptance")
    b.write_bytes(b"\xff\xd8\xff photo")
    return [a, b]


def test_the_store_assessment_equals_the_package_assessment(tmp_path: Path, db: Path):
    from_db = assess(db=db, as_of="2020-12-31")
    from_pkg = assess(tmp_path / "idle.gpkg", as_of="2020-12-31")
    assert from_db["parcels"] == from_pkg["parcels"]
    by = {p["parcel_id"]: p for p in from_db["parcels"]}
    assert set(by) == {"I1", "I2", "I3", "I4", "I5", "I6"}
    i1 = by["I1"]
    assert (i1["status"], i1["cause"], i1["route"], i1["years_idle"]) == ("idle_unstarted", "enterprise", "recovery", 2)
    assert i1["fee_wan"] == pytest.approx(100.0)  # 0.2 × 500
    assert [(p["kind"], p["amount_wan"]) for p in i1["penalties"]] == [("late_start", pytest.approx(547.5))]  # 1095 d
    i2 = by["I2"]
    assert (i2["status"], i2["cause"], i2["route"], i2["fee_wan"], i2["penalties"]) == \
        ("idle_unstarted", "gov_1", "negotiate", 0.0, [])
    assert (by["I3"]["status"], by["I3"]["stock_category"], by["I3"]["penalties"]) == ("not_idle", "正常", [])
    assert by["I4"]["stock_category"] == "建而未投" and [h["code"] for h in by["I4"]["low_efficiency"]] == ["BM.far"]
    assert (by["I5"]["years_idle"], by["I5"]["fee_wan"]) == (3, pytest.approx(600.0))
    assert by["I6"]["stock_category"] == "批而未供"
    s = from_db["summary"]
    assert s["by_status"] == {"not_idle": 3, "idle_unstarted": 3, "idle_halted": 0}
    assert s["fee_wan"] == pytest.approx(700.0) and s["in_breach"] == 3


def test_inventory_selects_industrial_parcels_granted_since_the_year(db: Path, camp: int):
    doc = campaign.show(db, campaign=camp)
    assert [i["parcel_id"] for i in doc["items"]] == ["I1", "I2", "I3"]  # I4 2015, I5 residential, I6 unsupplied
    assert {i["parcel_id"]: i["state"] for i in doc["items"]} == {"I1": "open", "I2": "open", "I3": "no_issue"}
    again = campaign.inventory(db, since=2016, as_of="2020-12-31", user="张三", exist_ok=True)
    assert again == {**again, "campaign_id": camp, "created": False}
    with pytest.raises(LedgerRefused, match="同名"):
        campaign.inventory(db, since=2016, as_of="2020-12-31", user="张三")


def test_invalid_plan_refused_with_every_reason(db: Path, camp: int):
    with pytest.raises(LedgerRefused) as e:  # enterprise-caused idle land: no negotiated extension
        campaign.plan(db, parcel="I1", option="extend", fields={"start": "2021-01-01", "until": "2022-06-01"},
                      user="张三")
    assert "政府原因" in e.value.message and "2022-01-01" in e.value.message
    with pytest.raises(LedgerRefused, match="置换"):
        campaign.plan(db, parcel="I2", option="swap", fields={"price_paid": True, "funds_in_place": True}, user="张三")
    with pytest.raises(LedgerRefused, match="企业原因"):
        campaign.plan(db, parcel="I2", option="free_recovery", user="张三")
    assert campaign.show(db, parcel="I1")["items"][0]["plan"] is None  # nothing was recorded
    assert [e["kind"] for e in campaign.history(db, parcel="I1")["events"]] == ["item_added"]


def test_extension_plan_resets_the_start_date_of_later_assessments(db: Path, camp: int):
    res = campaign.plan(db, parcel="I2", option="extend", user="张三",
                        fields={"agreement_date": "2021-02-01", "start": "2021-06-01", "until": "2022-06-01"})
    assert res["state"] == "planned" and res["plan"]["new_start"] == "2021-06-01"
    after = {p["parcel_id"]: p for p in assess(db=db, as_of="2021-12-31")["parcels"]}
    assert after["I2"]["start_date_effective"] == "2021-06-01"
    assert after["I2"]["start_date_basis"] == "supplementary" and after["I2"]["status"] == "not_idle"


def test_close_requires_evidence_and_a_reviewer(db: Path, camp: int, evidence: list[Path], tmp_path: Path):
    campaign.plan(db, parcel="I1", option="free_recovery", user="张三")
    campaign.progress(db, parcel="I1", date="2021-03-01", note="收回决定书已送达", user="张三",
                      figures={"recovered_area_m2": 20000})
    with pytest.raises(LedgerRefused, match="证明材料"):
        campaign.close(db, parcel="I1", evidence=[], reviewer="李四", user="张三")
    with pytest.raises(LedgerRefused, match="复核人"):
        campaign.close(db, parcel="I1", evidence=evidence, reviewer=None, user="张三")
    with pytest.raises(LedgerRefused, match="操作人本人"):
        campaign.close(db, parcel="I1", evidence=evidence, reviewer="张三", user="张三")
    with pytest.raises(LedgerRefused, match="不存在"):
        campaign.close(db, parcel="I1", evidence=[tmp_path / "nope.pdf"], reviewer="李四", user="张三")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(LedgerRefused, match="为空"):
        campaign.close(db, parcel="I1", evidence=[empty], reviewer="李四", user="张三")
    assert campaign.show(db, parcel="I1")["items"][0]["state"] == "in_progress"
    res = campaign.close(db, parcel="I1", evidence=evidence, reviewer="李四", user="张三", outcome="recovered")
    assert res["state"] == "closed" and res["outcome"]["reviewer"] == "李四"
    assert [e["file_name"] for e in res["outcome"]["evidence"]] == ["验收报告.pdf", "现场照片.jpg"]
    with pytest.raises(LedgerRefused, match="已销号"):
        campaign.progress(db, parcel="I1", date="2021-04-01", note="x", user="张三")
    with pytest.raises(LedgerRefused, match="无需销号"):  # nothing found and no plan
        campaign.close(db, parcel="I3", evidence=evidence, reviewer="李四", user="张三")


def test_history_survives_every_change(db: Path, camp: int, evidence: list[Path], tmp_path: Path):
    campaign.plan(db, parcel="I1", option="idle_fee", user="张三")
    campaign.plan(db, parcel="I1", option="free_recovery", user="王五")  # replaces the first plan
    campaign.progress(db, parcel="I1", date="2021-03-01", note="已收回", user="张三",
                      figures={"area_revitalised_m2": 1500, "fee_collected_wan": 100})
    campaign.close(db, parcel="I1", evidence=evidence, reviewer="李四", user="张三", outcome="recovered")
    with pytest.raises(LedgerRefused, match="理由"):
        campaign.reopen(db, parcel="I1", reason="", user="赵六")
    campaign.reopen(db, parcel="I1", reason="复核发现材料不全", user="赵六")
    h = campaign.history(db, parcel="I1")
    assert [e["kind"] for e in h["events"]] == ["item_added", "plan_recorded", "plan_recorded", "progress_recorded",
                                                "item_closed", "item_reopened"]
    assert [e["user"] for e in h["events"]] == ["张三", "张三", "王五", "张三", "张三", "赵六"]
    assert [(e["before"] or {}).get("state") for e in h["events"]] == [None, "open", "planned", "planned",
                                                                        "in_progress", "closed"]
    assert h["events"][2]["payload"]["replaces"]["option"] == "idle_fee"
    closed = h["events"][4]
    assert len(closed["evidence"]) == 2 and all(len(x["sha256"]) == 64 for x in closed["evidence"])
    assert h["events"][5]["payload"]["previous_outcome"]["reviewer"] == "李四"
    assert h["consistent"] and h["events"][-1]["after"]["state"] == "in_progress"
    for e in h["events"]:
        dt.datetime.fromisoformat(e["at"])
    # the evidence bytes are kept in the store
    with store.open_store(db, read_only=True) as con:
        name, data, _ = ledger.evidence_file(con, closed["evidence"][0]["evidence_id"])
        assert (name, data) == ("验收报告.pdf", b"%PDF-1.4 acceptance")
        assert ledger.verify(con, camp) == []
        assert con.execute("SELECT count(*) FROM ledger_events WHERE item_id IS NOT NULL").fetchone()[0] == 3 + 5


def test_campaign_statistics(db: Path, camp: int, evidence: list[Path]):
    campaign.plan(db, parcel="I1", option="free_recovery", user="张三")
    campaign.progress(db, parcel="I1", date="2021-03-01", user="张三", figures={"fee_collected_wan": 100})
    campaign.close(db, parcel="I1", evidence=evidence, reviewer="李四", user="张三", outcome="recovered")
    campaign.plan(db, parcel="I2", option="extend", user="张三", fields={"start": "2021-06-01", "until": "2022-06-01"})
    campaign.progress(db, parcel="I2", date="2021-07-01", user="张三", figures={"area_revitalised_m2": 96000})
    s = campaign.stats(db)
    assert (s["parcels_checked"], s["found_in_breach"], s["rectified"], s["open"]) == (3, 2, 1, 1)
    assert s["area_revitalised_wan_m2"] == pytest.approx(9.6)
    assert s["fees"] == {"assessed_wan": pytest.approx(100.0), "collected_wan": pytest.approx(100.0)}
    assert s["penalties"]["assessed_wan"] == pytest.approx(547.5)
    assert s["recoveries"]["parcels"] == 1 and s["recoveries"]["area_m2"] == pytest.approx(20000.0)
    assert s["by_plan_option"] == {"free_recovery": 1, "extend": 1}


def test_bad_inputs(db: Path, camp: int):
    with pytest.raises(LedgerRefused, match="没有宗地"):
        campaign.plan(db, parcel="NOPE", option="rectify", fields={"until": "2021-06-01"}, user="张三")
    with pytest.raises(LedgerRefused, match="台账编号 99 不存在"):
        campaign.show(db, campaign=99)
    with pytest.raises(UsageError, match="不是有效日期"):
        campaign.progress(db, parcel="I1", date="2021-02-30", user="张三")
    with pytest.raises(UsageError, match="操作人"):
        campaign.progress(db, parcel="I1", date="2021-02-01", user=" ")
