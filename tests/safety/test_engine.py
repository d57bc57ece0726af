"""The pure core: rule file, state machine, deadlines, overdue/escalation, statistics (hand arithmetic)."""

from __future__ import annotations

import datetime as dt

import pytest

from jiyue.errors import ProfileError
from jiyue.safety import engine
from jiyue.safety.engine import Refused
from jiyue.safety.rules import load_rules, parse_rules

D = dt.date
R = load_rules()
PLAN = {"measures": "加装防护罩", "responsible_person": "王五"}
FIVE = {"measures": "停用并更换除尘系统", "responsible_person": "厂长张三", "funds_wan": 12.5,
        "emergency_plan": "粉尘爆炸专项预案", "deadline": "2024-05-30"}


def test_rule_file_loads_with_sources_and_tags():
    assert R.name == "work-safety-2021" and R.reinspection_days == 10
    assert R.grade_of("重大事故隐患") == "major" and R.grade_of("较大") == "major" and R.grade_of("一般") == "general"
    assert R.grade_of("特别重大") is None
    for sec, src in R.sources.items():
        assert src["source"].startswith(("《", "地方", "隐患")), sec
        assert "/work/" not in src["source"]
    assert R.sources["reinspection"]["tag"] == "R" and R.sources["deadlines.major"]["tag"] == "L"
    assert "第一百零二条" in R.enforcement["fine"]["article"]


def test_rule_file_problems_are_all_collected():
    import tomllib

    from jiyue.safety.rules import _builtin

    data = tomllib.loads(_builtin("work-safety-2021").read_text(encoding="utf-8"))
    data["deadlines"]["major"]["default_days"] = 120           # > max 90
    data["reinspection"]["source"] = "/work/shared/spec/x.md"  # a path, not a document
    data["statistics"]["basis"] = "both"
    del data["enforcement"]["case"]["tag"]
    with pytest.raises(ProfileError) as e:
        parse_rules(data)
    msg = e.value.message
    assert "4 处问题" in msg
    assert "default_days 120 大于 max_days 90" in msg and "不能是本机路径" in msg and "basis" in msg
    assert "[enforcement.case] tag" in msg
    assert {p["path"] for p in e.value.problems} == {"deadlines.major.default_days", "reinspection.source",
                                                     "statistics.basis", "enforcement.case.tag"}


def test_deadlines_by_level():
    h, info = engine.found(1, level="一般", found_date=D(2024, 3, 1), rules=R)
    assert h.deadline == D(2024, 3, 16) and info["deadline_default"]          # 15 days
    m, info = engine.found(2, level="重大", found_date=D(2024, 4, 1), rules=R, item="第十一条第（一）项")
    assert m.deadline == D(2024, 5, 31)                                        # 60 days
    assert m.listed and m.reported and info["item"] == "第11条第（1）项"
    with pytest.raises(Refused, match="最长 90 天"):
        engine.found(3, level="重大", found_date=D(2024, 4, 1), rules=R, deadline=D(2024, 7, 1))  # 91 days
    engine.found(3, level="重大", found_date=D(2024, 4, 1), rules=R, deadline=D(2024, 6, 30))     # 90: ok
    with pytest.raises(Refused, match="早于发现日期"):
        engine.found(4, level="一般", found_date=D(2024, 4, 1), rules=R, deadline=D(2024, 3, 31))
    with pytest.raises(Refused, match="隐患等级应为重大"):
        engine.found(5, level="一般", found_date=D(2024, 4, 1), rules=R, item="11.1")
    with pytest.raises(Refused, match="无法识别"):
        engine.found(6, level="重大", found_date=D(2024, 4, 1), rules=R, item="第二十条")
    with pytest.raises(Refused, match="隐患等级「特大」不在规则中"):
        engine.found(7, level="特大", found_date=D(2024, 4, 1), rules=R)


def test_happy_path_c1_and_refusals():
    # C1: general hazard found 2024-03-01, fixed and re-checked the same day → closed
    h, _ = engine.found(1, level="一般", found_date=D(2024, 3, 1), rules=R)
    with pytest.raises(Refused, match="须先制定整改措施"):
        engine.submit(h, D(2024, 3, 1), 1)
    with pytest.raises(Refused, match="尚未经复查合格"):
        engine.close(h, D(2024, 3, 1), 1, R)
    h = engine.rectify(h, D(2024, 3, 1), PLAN, R)
    assert h.state == "rectifying"
    with pytest.raises(Refused, match="至少一份整改证明材料"):
        engine.submit(h, D(2024, 3, 1), 0)
    h = engine.submit(h, D(2024, 3, 1), 2)
    with pytest.raises(Refused, match="早于上一次记录的日期"):
        engine.reinspect(h, D(2024, 2, 28), True, "李四", R)
    with pytest.raises(Refused, match="复查人"):
        engine.reinspect(h, D(2024, 3, 1), True, " ", R)
    h = engine.reinspect(h, D(2024, 3, 1), True, "李四", R)
    assert h.state == "reinspected" and not h.reinspection_late
    h = engine.close(h, D(2024, 3, 1), 0, R)
    assert h.state == "closed" and h.closed_on == D(2024, 3, 1) and h.evidence == 2
    with pytest.raises(Refused, match="已于 2024-03-01 销号"):
        engine.rectify(h, D(2024, 3, 2), PLAN, R)


def test_failed_reinspection_goes_back_and_late_reinspection_is_flagged():
    h, _ = engine.found(1, level="一般", found_date=D(2024, 3, 1), rules=R)
    h = engine.submit(engine.rectify(h, D(2024, 3, 2), PLAN, R), D(2024, 3, 5), 1)
    h = engine.reinspect(h, D(2024, 3, 16), False, "李四", R)      # 11 days > 10
    assert h.state == "rectifying" and h.reinspection_late
    h = engine.submit(h, D(2024, 3, 18), 1)
    h = engine.reinspect(h, D(2024, 3, 28), True, "李四", R)       # 10 days: on time
    assert h.state == "reinspected" and not h.reinspection_late and h.evidence == 2


def test_c3_major_hazard_needs_five_in_place():
    h, _ = engine.found(1, level="重大", found_date=D(2024, 4, 1), rules=R)
    with pytest.raises(Refused) as e:
        engine.rectify(h, D(2024, 4, 2), {k: v for k, v in FIVE.items() if k != "funds_wan"}, R)
    assert "缺少：整改资金（万元）" in e.value.message and "五落实" in e.value.message
    h2 = engine.rectify(h, D(2024, 4, 2), FIVE, R)
    assert h2.state == "rectifying" and h2.deadline == D(2024, 5, 30) and h2.funds_wan == 12.5


def test_c2_overdue_and_escalation_at_as_of():
    h, _ = engine.found(1, level="一般", found_date=D(2024, 3, 1), rules=R, deadline=D(2024, 3, 15))
    h = engine.rectify(h, D(2024, 3, 2), PLAN, R)
    assert engine.status(h, D(2024, 3, 15)) == "rectifying"        # on the deadline: not overdue
    assert engine.status(h, D(2024, 3, 16)) == "overdue"           # C2
    with pytest.raises(Refused, match="尚未逾期"):
        engine.escalate(h, D(2024, 3, 15), R)
    e = engine.escalate(h, D(2024, 3, 16), R)
    assert e.state == "escalated" and engine.is_overdue(e, D(2024, 3, 16))
    e = engine.submit(e, D(2024, 3, 20), 1)                         # rectification continues
    assert e.state == "submitted" and not engine.is_overdue(e, D(2024, 3, 20))


def test_fold_as_of_replays_events():
    ev = [{"hazard_id": 9, "kind": "found", "on": "2024-03-01", "payload": {"level": "一般"}},
          {"kind": "rectify", "on": "2024-03-02", "payload": PLAN},
          {"kind": "submit", "on": "2024-03-05", "payload": {}, "evidence": 1},
          {"kind": "reinspect", "on": "2024-03-06", "payload": {"passed": True, "reviewer": "李四"}},
          {"kind": "close", "on": "2024-03-07", "payload": {}}]
    assert engine.fold(ev, R, D(2024, 2, 28)) is None
    assert engine.fold(ev, R, D(2024, 3, 4)).state == "rectifying"
    assert engine.fold(ev, R, D(2024, 3, 6)).state == "reinspected"
    assert engine.fold(ev, R).state == "closed"


def test_enforcement_checks():
    assert engine.check_enforcement("fine", "0.5", R) == (0.5, R.enforcement["fine"]["article"])
    with pytest.raises(Refused, match="超过"):
        engine.check_enforcement("fine", 6, R)                      # art. 102: ≤ 5 万元
    with pytest.raises(Refused, match="大于 0"):
        engine.check_enforcement("fine", None, R)
    with pytest.raises(Refused, match="不在规定范围"):
        engine.check_enforcement("warn", None, R)
    assert engine.check_enforcement("stop", None, R)[0] is None


def _hz(i, ent, found, grade, state, level=None, status=None):
    return {"hazard_id": i, "enterprise_id": ent, "found_date": found, "grade": grade,
            "level": level or ("重大" if grade == "major" else "一般"), "state": state, "status": status or state,
            "listed": grade == "major"}


def test_statistics_on_a_small_hand_made_ledger():
    ins = [{"on": "2024-01-10", "enterprise_id": "A", "inspectors": ["甲", "乙", "丙"]},
           {"on": "2024-01-12", "enterprise_id": "B", "inspectors": ["甲", "乙"]},
           {"on": "2024-01-20", "enterprise_id": "A", "inspectors": ["丁", "戊"]},
           {"on": "2024-03-01", "enterprise_id": "C", "inspectors": ["甲"]}]        # outside the period
    hz = [_hz(1, "A", "2024-01-10", "general", "closed"), _hz(2, "A", "2024-01-10", "general", "reinspected"),
          _hz(3, "A", "2024-01-20", "major", "rectifying", status="overdue"),
          _hz(4, "B", "2024-01-12", "general", "submitted"), _hz(5, "B", "2024-01-12", "major", "closed"),
          _hz(6, "C", "2024-03-01", "general", "found")]
    enf = [{"on": "2024-01-12", "enterprise_id": "B", "measure": "fine", "amount_wan": 0.3},
           {"on": "2024-01-20", "enterprise_id": "A", "measure": "fine", "amount_wan": 0.15},
           {"on": "2024-01-20", "enterprise_id": "A", "measure": "stop"},
           {"on": "2024-01-21", "enterprise_id": "A", "measure": "case", "amount_wan": 2.1},
           {"on": "2024-01-12", "enterprise_id": "B", "measure": "order"}]
    doc = engine.statistics(ins, hz, enf, R, as_of=D(2024, 1, 31), start=D(2024, 1, 1), end=D(2024, 1, 31),
                            industry_of={"A": "C1321", "B": "C3670"})
    t = doc["total"]
    assert (t["groups"], t["person_times"], t["enterprises"], t["enterprise_visits"]) == (3, 7, 2, 3)
    assert (t["found"], t["found_major"], t["rectified"], t["rectified_major"]) == (5, 2, 3, 1)
    assert t["rate"] == "60.0%" and t["rate_general"] == "66.7%" and t["rate_major"] == "50.0%"
    assert (t["fines"], t["fines_wan"], t["stops"], t["cases"], t["case_penalty_wan"]) == (2, 0.45, 1, 1, 2.1)
    assert t["overdue"] == 1 and t["ordered"] == 1 and t["listed"] == 2
    a = next(r for r in doc["by_enterprise"] if r["key"] == "A")
    assert (a["groups"], a["person_times"], a["found"], a["rectified"], a["stops"]) == (2, 5, 3, 2, 1)
    assert a["industry"] == "C1321"
    assert [r["key"] for r in doc["by_industry"]] == ["C1321", "C3670"]
    lv = {r["key"]: (r["found"], r["rectified"], r["rate"]) for r in doc["by_level"]}
    assert lv == {"一般": (3, 2, "66.7%"), "重大": (2, 1, "50.0%")}


def test_c8_rates_half_up_and_c16_no_hazards():
    hz = ([_hz(i, "A", "2024-01-01", "general", "closed") for i in range(945)]
          + [_hz(1000 + i, "A", "2024-01-01", "general", "found") for i in range(45)]
          + [_hz(2000 + i, "A", "2024-01-01", "major", "closed") for i in range(5)]
          + [_hz(3000 + i, "A", "2024-01-01", "major", "found") for i in range(5)])
    t = engine.statistics([], hz, [], R, as_of=D(2024, 12, 31))["total"]
    assert (t["rate"], t["rate_general"], t["rate_major"]) == ("95.0%", "95.5%", "50.0%")
    assert engine.statistics([], [], [], R, as_of=D(2024, 12, 31))["total"]["rate"] == "—"


def test_c13_c14_closure_after_repeated_penalties():
    # C13: 2024-01-10, 03-05, 06-20 → 162 days ≤ 180 → closure
    assert "162 天内受处罚 3 次" in engine.closure_due(["2024-01-10", "2024-03-05", "2024-06-20"], R)
    # C14: no three within 180 days (235, 233), but four within 345 days ≤ 365
    why = engine.closure_due(["2024-01-10", "2024-05-01", "2024-09-01", "2024-12-20"], R)
    assert why is not None and "345 天内受处罚 4 次" in why and "第一百一十三条" in why
    assert engine.closure_due(["2024-01-10", "2024-05-01", "2024-09-01"], R) is None
    ins = [{"on": "2024-01-10", "enterprise_id": "A", "inspectors": ["甲"]}]
    hz = [_hz(1, "A", "2024-01-10", "major", "rectifying")]
    enf = [{"on": d, "enterprise_id": "A", "measure": "fine", "amount_wan": 1} for d in
           ("2024-01-10", "2024-03-05", "2024-06-20")]
    doc = engine.statistics(ins, hz, enf, R, as_of=D(2024, 12, 31))
    assert [c["enterprise_id"] for c in doc["closure_candidates"]] == ["A"]


def test_close_without_evidence_is_refused():
    from dataclasses import replace

    h, _ = engine.found(1, level="一般", found_date=D(2024, 3, 1), rules=R)
    h = replace(h, state="reinspected", reinspected_on=D(2024, 3, 5), last_date=D(2024, 3, 5), evidence=0)
    with pytest.raises(Refused, match="没有任何整改证明材料"):
        engine.close(h, D(2024, 3, 5), 0, R)
    with pytest.raises(Refused, match="早于上一次记录的日期"):
        engine.close(h, D(2024, 3, 4), 1, R)
    assert engine.close(h, D(2024, 3, 5), 1, R).state == "closed"
