"""The store edge: events and projection, refusals change nothing, audit hook in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from safety_support import dump
from jiyue.safety import service
from jiyue.safety.engine import Refused
from jiyue.store import open_store

D = dt.date
PLAN = {"measures": "清理疏散通道", "responsible_person": "王五"}


def _setup(con):
    service.create_campaign(con, name="春节前检查", start=D(2021, 1, 10), end=D(2021, 2, 2), user="张三")
    return service.record_inspection(
        con, campaign_id=None, on=D(2021, 1, 12), group="第一检查组", inspectors=["张三", "李四", "王五"],
        enterprise="聊城甲化工有限公司", mode="四不两直", user="张三",
        hazards=[{"description": "疏散通道堆放杂物", "level": "一般", "category": "消防安全"},
                 {"description": "除尘器未设置泄爆装置", "level": "重大", "item": "第十一条第（一）项"}])


def test_lifecycle_events_reproduce_projection(db):
    audit_rows = []

    def audit(con, action, target, before, after):
        audit_rows.append((action, target))
        con.execute("CREATE TABLE IF NOT EXISTS t_audit (a VARCHAR)")
        con.execute("INSERT INTO t_audit VALUES (?)", [action])

    with open_store(db, spatial=False) as con:
        ins = _setup(con)
        g, m = ins["hazards"]
        assert service.get_hazard(con, g)["enterprise_id"] == "E1"
        assert service.get_hazard(con, m)["current"]["deadline"] == "2021-03-13"     # major: 60 days
        assert service.get_hazard(con, g)["current"]["deadline"] == "2021-01-27"     # general: 15 days
        service.rectify(con, g, on=D(2021, 1, 12), plan=PLAN, user="张三", audit=audit)
        service.submit(con, g, on=D(2021, 1, 14), evidence=[("after.jpg", b"jpeg", None)], user="企业",
                       enterprise_id="E1", audit=audit)
        service.reinspect(con, g, on=D(2021, 1, 15), passed=True, reviewer="李四", user="李四", audit=audit)
        out = service.close(con, g, on=D(2021, 1, 16), user="分局", audit=audit)
        assert out["state"] == "closed"
        assert [a for a, _ in audit_rows] == ["safety.rectify", "safety.submit", "safety.reinspect", "safety.close"]
        assert con.execute("SELECT count(*) FROM t_audit").fetchone()[0] == 4
        assert service.verify(con) == []
        ev = service.hazard_events(con, g)
        assert [e["kind"] for e in ev] == ["found", "rectify", "submit", "reinspect", "close"]
        assert ev[2]["files"][0]["file_name"] == "after.jpg" and len(ev[2]["files"][0]["sha256"]) == 64
        # as-of views fold the events
        states = {h["hazard_id"]: h["state"] for h in service.hazards(con, as_of=D(2021, 1, 14))}
        assert states == {g: "submitted", m: "found"}
        doc = service.stats(con, as_of=D(2021, 2, 2))
        t = doc["total"]
        assert (t["groups"], t["person_times"], t["found"], t["rectified"], t["rate"]) == (1, 3, 2, 1, "50.0%")
        hist = service.enterprise_history(con, "E1")
        assert len(hist["hazards"]) == 2 and hist["open"] == 1


@pytest.mark.parametrize("action", ["other_enterprise", "close_without_reinspection", "dates_wrong_order",
                                    "submit_without_evidence", "major_without_funds", "unknown_enterprise"])
def test_refused_changes_leave_the_store_unchanged(db, action):
    with open_store(db, spatial=False) as con:
        ins = _setup(con)
        g, m = ins["hazards"]
        service.rectify(con, g, on=D(2021, 1, 12), plan=PLAN, user="张三")
    before = dump(db)
    with open_store(db, spatial=False) as con, pytest.raises(Refused) as e:
        if action == "other_enterprise":
            service.submit(con, g, on=D(2021, 1, 14), evidence=[("a.jpg", b"x", None)], user="乙企业",
                           enterprise_id="E2")
        elif action == "close_without_reinspection":
            service.close(con, g, on=D(2021, 1, 14), evidence=[("a.jpg", b"x", None)], user="分局")
        elif action == "dates_wrong_order":
            service.submit(con, g, on=D(2021, 1, 11), evidence=[("a.jpg", b"x", None)], user="企业")
        elif action == "submit_without_evidence":
            service.submit(con, g, on=D(2021, 1, 14), evidence=[], user="企业")
        elif action == "major_without_funds":
            service.rectify(con, m, on=D(2021, 1, 13), plan={**PLAN, "emergency_plan": "预案", "deadline": "2021-03-01"},
                            user="张三")
        else:
            service.record_inspection(con, campaign_id=None, on=D(2021, 1, 13), group="第二组", inspectors=["甲"],
                                      enterprise="不存在的公司", user="张三",
                                      hazards=[{"description": "x", "level": "一般"}])
    msg = e.value.message
    assert {"other_enterprise": "属于其他企业", "close_without_reinspection": "尚未经复查合格",
            "dates_wrong_order": "日期顺序不对", "submit_without_evidence": "证明材料",
            "major_without_funds": "整改资金", "unknown_enterprise": "不在数据库的企业名录中"}[action] in msg
    assert dump(db) == before


def test_audit_failure_rolls_back_the_change(db):
    with open_store(db, spatial=False) as con:
        ins = _setup(con)
    before = dump(db)

    def broken(con, *a):
        raise RuntimeError("audit table gone")

    with open_store(db, spatial=False) as con, pytest.raises(RuntimeError):
        service.rectify(con, ins["hazards"][0], on=D(2021, 1, 12), plan=PLAN, user="张三", audit=broken)
    assert dump(db) == before


def test_enforcement_with_article_and_escalation(db):
    with open_store(db, spatial=False) as con:
        ins = _setup(con)
        g = ins["hazards"][0]
        out = service.enforce(con, measure="fine", on=D(2021, 1, 12), hazard_id=g, amount_wan=0.3, user="张三")
        assert out["article"] == "《中华人民共和国安全生产法》（2021年修正）第一百零二条"
        with pytest.raises(Refused, match="早于检查日期"):
            service.enforce(con, measure="stop", on=D(2021, 1, 11), inspection_id=ins["inspection_id"], user="张三")
        with pytest.raises(Refused, match="尚未逾期"):
            service.escalate(con, g, on=D(2021, 1, 27), user="张三")
        assert service.escalate(con, g, on=D(2021, 1, 28), user="张三")["state"] == "escalated"
        t = service.stats(con, as_of=D(2021, 2, 2))["total"]
        assert (t["fines"], t["fines_wan"], t["escalated"], t["overdue"]) == (1, 0.3, 1, 0)


def test_demo_reproduces_the_seed_figures(tmp_path):
    from safety_support import make_store
    from jiyue.safety import commands, demo

    db = make_store(tmp_path / "d.duckdb", n_extra=200)
    res = commands.load_demo(db, user="演示")
    assert res["created"] and res["inspections"] == 494 and res["hazards"] == 1090
    t = commands.stats(db, campaign_id=None, as_of=None, start=None, end=None)["total"]
    got = {k: t[k] for k in demo.SEED}
    assert got == {"groups": 494, "person_times": 1611, "found": 1090, "rectified": 699, "fines_wan": 1.45,
                   "stops": 9, "cases": 2, "case_penalty_wan": 5.1}
    assert t["rate"] == "64.1%"                        # 699 / 1090 = 64.128 %
    assert commands.load_demo(db, user="演示")["created"] is False
    with open_store(db, spatial=False) as con:
        assert service.verify(con) == []
