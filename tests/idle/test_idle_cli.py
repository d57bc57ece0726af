"""The commands end to end: ``jiyue idle``, ``jiyue ledger …``, ``jiyue recovery`` (real CLI via subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from idle_factories import imported_store, write_idle_package

JIYUE = str(Path(sys.executable).with_name("jiyue"))
EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "jiyue" / "idle" / "examples" / "liaocheng-5.43ha.toml"


def run(*args: object) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it."""
    p = subprocess.run([JIYUE, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def invoke(*args: object) -> subprocess.CompletedProcess:
    """The same command in-process (click's runner; much faster than a new interpreter)."""
    from click.testing import CliRunner

    import jiyue.cli.idle  # noqa: F401  (register the commands)
    import jiyue.cli.ledger  # noqa: F401
    import jiyue.cli.recovery  # noqa: F401
    from jiyue.cli import cli

    r = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    assert "Traceback" not in r.stderr, r.stderr
    return subprocess.CompletedProcess(args, r.exit_code, r.stdout, r.stderr)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_idle_package(tmp_path_factory.mktemp("pkg") / "idle.gpkg")


def test_idle_json_shape(pkg: Path, tmp_path: Path):
    p = run("idle", pkg, "--as-of", "2020-12-31")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["as_of"] == "2020-12-31" and doc["rules"]["name"] == "order53-2012" and doc["rules"]["version"]
    keys = {"parcel_id", "contract_no", "status", "cause", "start_date_effective", "idle_since", "years_idle",
            "route", "fee_wan", "stock_category", "low_efficiency", "penalties"}
    for e in doc["parcels"]:
        assert keys <= set(e)
        assert e["status"] in ("not_idle", "idle_unstarted", "idle_halted")
        assert e["route"] in ("none", "fee", "recovery", "negotiate")
        for pen in e["penalties"]:
            assert set(pen) == {"kind", "amount_wan", "basis"}
    i1 = next(e for e in doc["parcels"] if e["parcel_id"] == "I1")
    assert (i1["status"], i1["route"], i1["fee_wan"], i1["idle_since"]) == ("idle_unstarted", "recovery", 100.0,
                                                                          "2019-01-01")
    assert isinstance(doc["summary"], dict) and doc["summary"]["parcels"] == 6
    # other rules: both_short, and a rule file; table and xlsx outputs
    rules = tmp_path / "r.toml"
    rules.write_text('[rules]\nname = "local"\nversion = "9"\n[idle]\nfee_rate = 0.1\n', encoding="utf-8")
    p = invoke("idle", pkg, "--as-of", "2020-12-31", "--rules", rules, "--low-efficiency", "L2")
    doc2 = json.loads(p.stdout)
    assert doc2["rules"]["version"] == "9" and doc2["low_efficiency_rule_sets"] == ["L2"]
    assert next(e for e in doc2["parcels"] if e["parcel_id"] == "I1")["fee_wan"] == 50.0
    t = invoke("idle", pkg, "--as-of", "2020-12-31", "--format", "table")
    assert t.returncode == 0 and "闲置（未动工满一年）" in t.stdout and "无偿收回" in t.stdout
    out = tmp_path / "idle.xlsx"
    assert invoke("idle", pkg, "--format", "xlsx", "--out", out).returncode == 0
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["宗地判定", "违约金", "低效用地", "汇总", "说明"]


def add_users(db: Path, *people: tuple[str, str, str, bool]) -> None:
    """Web accounts (user name, display name, role, active) in the store, as 用户管理 makes them."""
    from jiyue import store
    from jiyue.web import users

    con = store.connect(db, spatial=False)
    try:
        users.ensure_schema(con)
        for username, display, role, active in people:
            u = users.insert_user(con, username=username, display_name=display, role=role, enterprise_id=None,
                                  password_hash="-")
            if not active:
                users.update_user(con, u.user_id, active=False)
    finally:
        con.close()


def test_close_reviewer_must_be_an_eligible_user_of_the_store(tmp_path: Path):
    db = imported_store(tmp_path)
    assert invoke("ledger", "inventory", "--db", db, "--since", "2016", "--as-of", "2020-12-31",
                  "--user", "zhangsan").returncode == 0
    invoke("ledger", "plan", "I1", "--db", db, "--option", "free_recovery", "--user", "zhangsan")
    a = tmp_path / "a.pdf"
    a.write_bytes(b"pdf")
    close = ("ledger", "close", "I1", "--db", db, "--evidence", a, "--user", "zhangsan", "--reviewer")
    r = invoke(*close, "lisi")
    assert r.returncode == 1 and "还没有用户" in r.stderr and "jiyue serve" in r.stderr  # no users table yet
    add_users(db, ("zhangsan", "张三", "inspector", True), ("lisi", "李四", "inspector", True),
              ("wangwu", "王五", "viewer", True), ("zhaoliu", "赵六", "bureau", False))
    for who, why in (("李四", "不是系统中的用户"), ("nobody", "不是系统中的用户"), ("wangwu", "无权核查"),
                     ("zhaoliu", "已停用"), ("ZhangSan", "不能是操作人本人")):
        r = invoke(*close, who)
        assert r.returncode == 1 and why in r.stderr, (who, r.stderr)
    r = invoke("ledger", "close", "I1", "--db", db, "--evidence", a, "--user", "张三", "--reviewer", "zhangsan")
    assert r.returncode == 1 and "不能是操作人本人" in r.stderr  # --user by display name
    r = invoke(*close, "lisi")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["outcome"]["reviewer"] == "李四（lisi）"


def test_ledger_flow_through_the_cli(tmp_path: Path):
    db = imported_store(tmp_path)
    add_users(db, ("lisi", "李四", "inspector", True))
    p = invoke("ledger", "inventory", "--db", db, "--since", "2016", "--as-of", "2020-12-31", "--user", "张三")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["items"] == 3
    bad = invoke("ledger", "plan", "I1", "--db", db, "--option", "extend", "--start", "2021-01-01",
              "--until", "2022-06-01", "--user", "张三")
    assert bad.returncode == 1 and "政府原因" in bad.stderr
    ok = invoke("ledger", "plan", "I1", "--db", db, "--option", "free_recovery", "--user", "张三")
    assert ok.returncode == 0 and json.loads(ok.stdout)["state"] == "planned"
    assert invoke("ledger", "progress", "--parcel", "I1", "--db", db, "--date", "2021-03-01", "--note", "已送达",
               "--recovered-area", "20000", "--user", "张三").returncode == 0
    no_ev = invoke("ledger", "close", "I1", "--db", db, "--reviewer", "lisi", "--user", "张三")
    assert no_ev.returncode == 1 and "证明材料" in no_ev.stderr
    a, b = tmp_path / "a.pdf", tmp_path / "b.jpg"
    a.write_bytes(b"pdf")
    b.write_bytes(b"jpg")
    done = run("ledger", "close", "I1", "--db", db, "--evidence", a, b, "--reviewer", "lisi", "--user", "张三",
               "--outcome", "recovered")
    assert done.returncode == 0, done.stderr
    assert [e["file_name"] for e in json.loads(done.stdout)["outcome"]["evidence"]] == ["a.pdf", "b.jpg"]
    h = json.loads(invoke("ledger", "history", "I1", "--db", db).stdout)
    assert [e["kind"] for e in h["events"]] == ["item_added", "plan_recorded", "progress_recorded", "item_closed"]
    assert h["consistent"]
    s = invoke("ledger", "stats", "--db", db, "--format", "table")
    assert s.returncode == 0 and "发现问题 2 宗" in s.stdout and "已整改销号 1 宗" in s.stdout
    r = invoke("recovery", EXAMPLE, "--db", db, "--user", "王五")
    assert r.returncode == 0 and json.loads(r.stdout)["recorded"]["campaign_id"] == 1
    again = json.loads(invoke("recovery", EXAMPLE, "--db", db, "--user", "王五").stdout)["recorded"]
    assert again["created"] is False  # the same file again: nothing new
    stats = json.loads(invoke("ledger", "stats", "--db", db).stdout)
    assert stats["recoveries"]["cases_net_gain_wan"] == 23700.0 and stats["recoveries"]["cases"] == 1
    x = tmp_path / "ledger.xlsx"
    assert invoke("ledger", "show", "--db", db, "--format", "xlsx", "--out", x).returncode == 0 and x.exists()


def test_recovery_command(tmp_path: Path):
    p = run("recovery", EXAMPLE)
    assert p.returncode == 0
    doc = json.loads(p.stdout)
    assert doc["totals"] == {**doc["totals"], "cost_wan": 10000.0, "revenue_wan": 33700.0, "net_gain_wan": 23700.0}
    assert [c["year"] for c in doc["cash_flow"]] == [2019, 2020]
    t = invoke("recovery", EXAMPLE, "--format", "table")
    assert "净收益：23,700.00 万元" in t.stdout
    assert invoke("recovery", EXAMPLE, "--format", "xlsx", "--out", tmp_path / "r.xlsx").returncode == 0


@pytest.mark.parametrize("args, code, words", [
    (("idle", "nope.gpkg"), 2, ""),
    (("idle", "{pkg}", "--as-of", "2021-02-30"), 2, "不是有效日期"),
    (("idle", "{pkg}", "--rules", "nope"), 1, "没有名为"),
    (("idle", "{pkg}", "--low-efficiency", "L7"), 1, "L7"),
    (("idle", "{pkg}", "--format", "xlsx"), 2, "--out"),
    (("recovery", "missing.toml"), 2, "找不到"),
    (("ledger", "show", "--db", "missing.duckdb"), 2, "不存在"),
    (("ledger", "stats", "--db", "{db}"), 1, "没有台账"),
])
def test_bad_input_never_shows_a_traceback(pkg: Path, tmp_path: Path, args, code, words):
    db = tmp_path / "empty.duckdb"
    args = [str(a).format(pkg=pkg, db=db) for a in args]
    if "{db}" in " ".join(map(str, args)) or str(db) in args:
        from jiyue import store

        with store.open_store(db):
            pass
    if args[0] == "idle" and len(args) == 2:  # one of them through the real script
        p = subprocess.run([JIYUE, *args], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    else:
        import os

        old = os.getcwd()
        os.chdir(tmp_path)
        try:
            p = invoke(*args)
        finally:
            os.chdir(old)
    assert "Traceback" not in p.stderr
    assert p.returncode == code, (p.returncode, p.stderr)
    assert words in p.stderr


def test_table_and_workbook_show_chinese_names_not_codes(pkg: Path, tmp_path: Path):
    """I3 is in production with every target met (正常); I4 is completed, not producing (建而未投)
    and its FAR is below the industry minimum (BM.far) — shown by name, not by code."""
    t = invoke("idle", pkg, "--as-of", "2020-12-31", "--format", "table")
    assert t.returncode == 0, t.stderr
    rows = {line.split()[0]: line for line in t.stdout.splitlines() if line[:1] == "I"}
    assert rows["I3"].split()[-1] == "正常"
    assert rows["I4"].split()[-2:] == ["建而未投", "容积率低于《工业项目建设用地控制指标》行业下限"]
    assert "工业项目建设用地控制指标（2008试行）" in t.stdout.splitlines()[0]  # the rule set by its title
    for word in ("normal", "BM.far", "benchmark"):
        assert word not in t.stdout
    assert "容积率低于《工业项目建设用地控制指标》行业下限 1 宗" in t.stdout  # the summary line
    out = tmp_path / "idle.xlsx"
    assert invoke("idle", pkg, "--as-of", "2020-12-31", "--format", "xlsx", "--out", out).returncode == 0
    import openpyxl

    wb = openpyxl.load_workbook(out)
    ws = wb["宗地判定"]
    head = [c.value for c in ws[1]]
    by = {r[0]: dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert by["I3"]["存量类别"] == "正常"
    assert by["I4"]["低效用地"] == "容积率低于《工业项目建设用地控制指标》行业下限"
    low = list(wb["低效用地"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in low] == [("I4", "工业项目建设用地控制指标（2008试行）")]
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert "存量：正常（宗/公顷）" in summary and "存量：normal（宗/公顷）" not in summary
    # the JSON keeps the codes next to the labels
    doc = json.loads(invoke("idle", pkg, "--as-of", "2020-12-31").stdout)
    i3 = next(e for e in doc["parcels"] if e["parcel_id"] == "I3")
    assert (i3["stock_category"], i3["stock_category_code"]) == ("正常", "normal")
    assert doc["summary"]["low_efficiency"]["by_code"] == {"BM.far": 1}
    assert doc["low_efficiency_titles"]["benchmark"] == "工业项目建设用地控制指标（2008试行）"


@pytest.mark.parametrize("as_of", ["2020年12月31日", "2020/12/31", "2020.12.31", "20201231"])
def test_dates_on_the_command_line_take_the_data_file_forms(pkg: Path, as_of: str):
    p = invoke("idle", pkg, "--as-of", as_of)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["as_of"] == "2020-12-31"


def test_ledger_dates_in_chinese_form(tmp_path: Path):
    db = imported_store(tmp_path)
    p = invoke("ledger", "inventory", "--db", db, "--since", "2016", "--as-of", "2020年12月31日", "--user", "张三")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["as_of"] == "2020-12-31"
    assert invoke("ledger", "plan", "I1", "--db", db, "--option", "free_recovery", "--user", "张三").returncode == 0
    p = invoke("ledger", "progress", "I1", "--db", db, "--date", "2021年3月1日", "--note", "已送达", "--user", "张三")
    assert p.returncode == 0, p.stderr
    h = json.loads(invoke("ledger", "history", "I1", "--db", db).stdout)
    assert h["events"][-1]["payload"]["date"] == "2021-03-01"
    bad = invoke("ledger", "progress", "I1", "--db", db, "--date", "2021年2月30日", "--user", "张三")
    assert bad.returncode == 2 and "--date" in bad.stderr and "2021年2月30日" in bad.stderr
    assert "用 jiyue ledger progress --help 查看用法" in bad.stderr
