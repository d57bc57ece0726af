"""xlsx round trip with Chinese headers, bad rows reported all at once, CLI exit codes and messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from safety_support import dump, make_store
from jiyue.safety import commands, labels


def _sheet(path: Path, rows: list[dict], title: str | None = "聊城经开区安全生产隐患排查治理台账") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(list(labels.HEADERS))
    for r in rows:
        ws.append([r.get(h) for h in labels.HEADERS])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"  # text that looks like a formula, as a clerk typed it
    wb.save(path)
    return path


GOOD = [
    {"序号": 1, "专项行动": "春节前安全检查", "检查日期": dt.date(2021, 1, 12), "检查组": "第一检查组", "检查人员": "张三、李四",
     "企业名称": "聊城甲化工有限公司", "隐患描述": "配电箱未接地", "隐患类别": "电气安全", "隐患等级": "一般",
     "整改措施": "重新接地", "整改期限": "2021-01-20", "整改责任人": "王五", "整改情况": "已销号",
     "整改完成日期": "2021/1/15", "复查日期": "2021年1月16日", "复查人": "李四", "销号日期": "2021-01-16",
     "整改证明材料": "整改后照片2张", "罚款（万元）": 0.3},
    {"序号": 2, "检查日期": dt.date(2021, 1, 12), "检查组": "第一检查组", "检查人员": "张三、李四",
     "企业名称": "聊城甲化工有限公司", "隐患描述": "除尘器未设泄爆装置", "隐患等级": "重大", "判定标准条款": "11.1",
     "整改措施": "加装泄爆片", "整改期限": "2021-03-01", "整改责任人": "厂长", "整改资金（万元）": 5, "应急预案": "粉尘爆炸预案",
     "整改情况": "整改中", "责令停产整顿": "是", "立案": "是", "拟处罚（万元）": 3},
    {"序号": 3, "检查日期": "2021-01-13", "检查组": "第二检查组", "检查人员": "赵六", "企业名称": "91371500MA3C000002",
     "隐患描述": "疏散通道堆放杂物", "隐患等级": "一般", "整改情况": "未整改"},
    {"序号": 4, "检查日期": "2021-01-14", "检查组": "第二检查组", "检查人员": "赵六 孙七", "企业名称": "聊城丙物流有限公司"},
]


def test_import_then_export_round_trip(tmp_path, run):
    db = make_store(tmp_path / "a.duckdb")
    src = _sheet(tmp_path / "台账.xlsx", GOOD)
    r = run("safety", "import", src, "--db", db, "--user", "张三")
    assert r.code == 0, r.output
    assert "检查 3 次，隐患 3 项，执法措施 3 起" in r.stdout
    t = commands.stats(db, campaign_id=None, as_of=dt.date(2021, 2, 2), start=None, end=None)
    assert t["campaign"]["name"] == "春节前安全检查"
    tot = t["total"]
    assert (tot["groups"], tot["person_times"], tot["enterprises"], tot["found"], tot["found_major"]) == (3, 5, 3, 3, 1)
    assert (tot["rectified"], tot["rate"], tot["fines_wan"], tot["stops"], tot["cases"],
            tot["case_penalty_wan"]) == (1, "33.3%", 0.3, 1, 1, 3.0)
    assert tot["overdue"] == 1   # 疏散通道: general, found 01-13, default deadline 01-28 < 02-02
    out = tmp_path / "out.xlsx"
    assert run("safety", "export", "--db", db, "--out", out).code == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    assert tuple(header) == labels.HEADERS
    first = dict(zip(header, [c.value for c in ws[2]]))
    assert first["隐患描述"] == "配电箱未接地" and first["整改情况"] == "已销号" and first["罚款（万元）"] == 0.3
    assert first["判定标准条款"] is None
    second = dict(zip(header, [c.value for c in ws[3]]))
    assert second["判定标准条款"] == "第11条第（1）项" and second["整改情况"] == "整改中"
    # the exported workbook imports into a fresh store with the same statistics
    db2 = make_store(tmp_path / "b.duckdb")
    assert run("safety", "import", out, "--db", db2, "--user", "张三").code == 0
    t2 = commands.stats(db2, campaign_id=None, as_of=dt.date(2021, 2, 2), start=None, end=None)
    assert t2["total"] == tot


def test_user_text_is_never_a_formula(tmp_path, run):
    db = make_store(tmp_path / "a.duckdb")
    rows = [dict(GOOD[2], 隐患描述="=HYPERLINK(\"http://x\",\"点我\")")]
    assert run("safety", "import", _sheet(tmp_path / "f.xlsx", rows), "--db", db, "--user", "张三").code == 0
    out = tmp_path / "out.xlsx"
    run("safety", "export", "--db", db, "--out", out)
    cell = openpyxl.load_workbook(out).worksheets[0]["J2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_every_bad_row_reported_and_nothing_imported(tmp_path, run):
    db = make_store(tmp_path / "a.duckdb")
    bad = [dict(GOOD[0], 企业名称="不存在的公司"),                                   # row 3
           dict(GOOD[0], 复查日期="2021-01-14"),                                     # row 4: 复查 before 完成
           dict(GOOD[0], 隐患等级="特大"),                                           # row 5
           dict(GOOD[0], 检查日期="2021-13-45"),                                     # row 6
           dict(GOOD[0], 整改证明材料=None),                                          # row 7: closed without evidence
           dict(GOOD[0], 整改情况="已销号", 复查日期=None, 复查人=None),              # row 8: no re-inspection
           GOOD[2]]                                                                   # row 9: good
    src = _sheet(tmp_path / "bad.xlsx", bad)
    before = dump(db)
    r = run("safety", "import", src, "--db", db, "--user", "张三")
    assert r.code == 1 and "Traceback" not in r.output
    err = r.stderr
    assert "未导入任何记录" in err
    assert "第 3 行「企业名称」：不存在的公司" in err
    assert "第 4 行「复查日期」：2021-01-14；应为：不早于整改完成日期（2021-01-15）" in err
    assert "第 5 行「隐患等级」：特大；应为：一般、重大、较大" in err
    assert "第 6 行「检查日期」：2021-13-45" in err
    assert "第 7 行「整改证明材料」" in err
    assert "第 8 行「复查日期」" in err and "第 8 行「复查人」" in err
    assert "第 9 行" not in err
    assert dump(db) == before


def test_unreadable_file_exits_2(tmp_path, run):
    db = make_store(tmp_path / "a.duckdb")
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    r = run("safety", "import", junk, "--db", db)
    assert r.code == 2 and "无法读取台账" in r.stderr and "Traceback" not in r.output
    r = run("safety", "import", tmp_path / "missing.xlsx", "--db", db)
    assert r.code == 2 and "台账文件不存在" in r.stderr


def test_cli_lifecycle_and_refusals(tmp_path, run):
    db = make_store(tmp_path / "a.duckdb")
    ev = tmp_path / "整改后.jpg"
    ev.write_bytes(b"\xff\xd8jpeg")
    assert run("safety", "campaign", "--db", db, "--name", "春节前检查", "--start", "2021-01-10", "--end",
               "2021-02-02", "--user", "张三").code == 0
    r = run("safety", "inspect", "--db", db, "--date", "2021-01-12", "--group", "第一检查组", "--inspectors", "张三、李四",
            "--enterprise", "聊城甲化工有限公司", "--hazard", "疏散通道堆放杂物", "--hazard", "灭火器过期", "--level", "一般",
            "--user", "张三")
    assert r.code == 0 and "隐患编号：1、2" in r.stdout
    before = dump(db)
    r = run("safety", "close", "1", "--db", db, "--date", "2021-01-13", "--evidence", ev, "--user", "分局")
    assert r.code == 1 and "尚未经复查合格" in r.stderr and "Traceback" not in r.output
    assert dump(db) == before
    assert run("safety", "rectify", "1", "--db", db, "--date", "2021-01-12", "--measures", "清理",
               "--responsible", "王五", "--user", "张三").code == 0
    r = run("safety", "submit", "1", "--db", db, "--date", "2021-01-11", "--evidence", ev, "--user", "企业")
    assert r.code == 1 and "日期顺序不对" in r.stderr
    assert run("safety", "submit", "1", "--db", db, "--date", "2021-01-14", "--evidence", ev, "--user", "企业").code == 0
    assert run("safety", "reinspect", "1", "--db", db, "--date", "2021-01-15", "--reviewer", "李四",
               "--user", "李四").code == 0
    r = run("safety", "close", "1", "--db", db, "--date", "2021-01-15", "--user", "分局")
    assert r.code == 0 and "已销号" in r.stdout
    r = run("safety", "enforce", "--db", db, "--date", "2021-01-12", "--measure", "fine", "--hazard", "2",
            "--amount", "0.5", "--user", "张三")
    assert r.code == 0 and "第一百零二条" in r.stdout
    r = run("safety", "stats", "--db", db, "--as-of", "2021-02-02", "--by", "enterprise")
    assert r.code == 0
    assert "共出动检查组1组，出动人员2人次，检查企业1家（1家次），检查问题2项，目前已整改1项（整改率50.0%），总计罚款0.5万元" in r.stdout
    assert "聊城甲化工有限公司" in r.stdout
    r = run("safety", "rectify", "9", "--db", db, "--measures", "x", "--responsible", "y")
    assert r.code == 1 and "隐患编号 9 不存在" in r.stderr
    r = run("safety", "stats", "--db", tmp_path / "none.duckdb")
    assert r.code == 2 and "数据库文件不存在" in r.stderr


def test_cli_changes_are_audited_like_the_web(tmp_path, run):
    """The safety commands write the audit event the web app writes (stream ``audit`` of the one
    event store), with the --user as who and no role or address; every safety event is in the
    event store too."""
    from jiyue import events
    from jiyue.store import open_store
    from jiyue.web import audit

    db = make_store(tmp_path / "a.duckdb")
    assert run("safety", "campaign", "--db", db, "--name", "春节前检查", "--start", "2021-01-10", "--end",
               "2021-02-02", "--user", "张三").code == 0
    assert run("safety", "inspect", "--db", db, "--date", "2021-01-12", "--group", "第一检查组", "--inspectors", "张三",
               "--enterprise", "聊城甲化工有限公司", "--hazard", "灭火器过期", "--level", "一般", "--user", "张三").code == 0
    assert run("safety", "rectify", "1", "--db", db, "--date", "2021-01-12", "--measures", "更换",
               "--responsible", "王五", "--user", "李四").code == 0
    with open_store(db, read_only=True) as con:
        trail, total = audit.events(con)
        stream = events.read(con, "safety")
        projection = con.execute("SELECT event_id, kind FROM safety_events ORDER BY event_id").fetchall()
    assert total == 4  # campaign, inspection, the hazard found, its rectification
    assert [(e["action"], e["username"], e["role"], e["ip"]) for e in reversed(trail)] == [
        ("safety.campaign", "张三", None, None), ("safety.inspect", "张三", None, None),
        ("safety.found", "张三", None, None), ("safety.rectify", "李四", None, None)]
    assert [(e["stream_id"], e["kind"]) for e in stream] == projection
    assert stream[-1]["subject"] == "hazard:1" and stream[-1]["actor"] == "李四"
