"""``jiyue standard-land`` end to end: package and store, the ledger (record, refuse out of order,
void, history), formats, and bad input without tracebacks. Most runs are in-process (click's
CliRunner on the real command group); a few go through the installed script (subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from factories import write_gpkg
from sl_factories import by_indicator, contract, worked_layers

JIYUE = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "jiyue")


def script(*args: str | Path) -> subprocess.CompletedProcess:
    """The installed ``jiyue`` script, as a user runs it."""
    return subprocess.run([JIYUE, *map(str, args)], capture_output=True, text=True, timeout=120)


def run(*args: str | Path) -> subprocess.CompletedProcess:
    """The same command in-process (the real click group, the real error handling)."""
    from click.testing import CliRunner

    import jiyue.cli.data  # noqa: F401  (registers import)
    import jiyue.cli.standard_land  # noqa: F401
    from jiyue.cli import cli

    res = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return subprocess.CompletedProcess(list(map(str, args)), res.exit_code, res.stdout, res.stderr)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_gpkg(worked_layers(), tmp_path_factory.mktemp("slc") / "worked.gpkg")


@pytest.fixture(scope="module")
def store(pkg: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sldb") / "jiyue.duckdb"
    r = run("import", pkg, "--db", db)
    assert r.returncode == 0, r.stderr
    return db


def test_check_json_from_package_and_store_agree(pkg: Path, store: Path) -> None:
    a = script("standard-land", "check", pkg, "--as-of", "2025-12-31")
    assert a.returncode == 0, a.stderr
    doc = json.loads(a.stdout)
    assert doc["as_of"] == "2025-12-31"
    bh = contract(doc, "BH-07007")
    assert {"contract_no", "parcel_id", "stage", "checks", "due", "overdue"} <= set(bh)
    assert by_indicator(bh)["fai_per_mu"]["penalty_wan"] == pytest.approx(514.0)
    b = json.loads(run("standard-land", "check", "--db", store, "--as-of", "2025-12-31").stdout)
    assert b["contracts"] == doc["contracts"]


def test_table_and_xlsx(pkg: Path, tmp_path: Path) -> None:
    t = run("standard-land", "check", pkg, "--as-of", "2025-12-31", "--format", "table")
    assert t.returncode == 0 and "BH-07007" in t.stdout and "514.00" in t.stdout and "未达标" in t.stdout
    out = tmp_path / "sl.xlsx"
    x = run("standard-land", "check", pkg, "--as-of", "2025-12-31", "--format", "xlsx", "--out", out)
    assert x.returncode == 0, x.stderr
    sheets = pd.read_excel(out, sheet_name=None, engine="openpyxl")
    assert {"指标核查", "控制指标", "到期与逾期", "处理后果", "开发区汇总", "说明"} <= set(sheets)
    checks = sheets["指标核查"]
    row = checks[(checks["合同编号"] == "BH-07007") & (checks["指标"] == "固定资产投资强度")].iloc[0]
    assert row["结论"] == "未达标" and row["违约金(万元)"] == pytest.approx(514.0)


@pytest.mark.parametrize("args", [
    ("standard-land", "check", "--as-of", "2025-12-31"),  # neither package nor store
    ("standard-land", "check", "PKG", "--format", "xlsx"),  # xlsx without --out
    ("standard-land", "check", "PKG", "--as-of", "31.12.2025"),  # bad date
    ("standard-land", "check", "PKG", "--rules", "nope"),  # unknown rules
    ("standard-land", "check", "PKG", "--contract", "NO-SUCH"),
    ("standard-land", "offer", "P-BH", "PKG", "--industry", "3670"),
    ("standard-land", "offer", "P-NONE", "PKG", "--industry", "C3670"),
    ("standard-land", "check", "/no/such/package.gpkg"),
])
def test_bad_input_gives_one_sentence_and_exit_2(pkg: Path, args: tuple[str, ...]) -> None:
    r = (script if args[-1] == "nope" else run)(*[pkg if a == "PKG" else a for a in args])
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and r.stderr.strip()


def test_offer_from_package_and_store(pkg: Path, store: Path) -> None:
    r = run("standard-land", "offer", "P-BH", pkg, "--industry", "C2614", "--delivery", "2023-04-01")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["contract_fields"]["commit_fai_per_mu"] == 250.0
    assert doc["contract_fields"]["total_investment_wan"] == pytest.approx(25_690.0)
    t = run("standard-land", "offer", "P-FREE", "--db", store, "--industry", "C3670", "--format", "table")
    assert t.returncode == 0 and "固定资产投资强度" in t.stdout and "240" in t.stdout


def test_ledger_record_refuse_void_history(store: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.duckdb"
    shutil.copy(store, db)
    base = ("standard-land", "events", "ID-001", "--db", db, "--user", "王科长")
    ok = run(*base, "--event", "动工", "--date", "2023-05-10", "--invested-wan", "800")
    assert ok.returncode == 0, ok.stderr
    assert "台账编号 1" in ok.stdout
    # completion before commencement: refused, naming the contract, the event and both dates
    bad = script(*base, "--event", "completed", "--date", "2023-05-01")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "ID-001" in bad.stderr and "竣工" in bad.stderr and "2023-05-01" in bad.stderr and "2023-05-10" in bad.stderr
    # acceptance without completion: refused too
    bad = run(*base, "--event", "accepted", "--date", "2023-06-01")
    assert bad.returncode == 1 and "还没有「竣工」事件" in bad.stderr
    assert run(*base, "--event", "completed", "--date", "2024-01-15").returncode == 0
    acc = run(*base, "--event", "acceptance", "--date", "2024-02-01", "--invested-wan", "18000",
              "--green-area-m2", "1500", "--format", "json")
    assert acc.returncode == 0, acc.stderr
    assert json.loads(acc.stdout)["stage_after"] == "accepted"
    doc = json.loads(run("standard-land", "check", "--db", db, "--as-of", "2024-03-01").stdout)
    k = by_indicator(contract(doc, "ID-001"))
    # start 2022-03-01 → 2023-05-10 = 435 days × 1‰ × 2 570; investment (18 000 + 2 570) / 15 亩 ≥ 200
    assert k["start"]["verdict"] == "fail" and k["start"]["penalty_wan"] == pytest.approx(435 * 2.57)
    assert k["fai_per_mu"]["verdict"] == "pass" and k["fai_per_mu"]["actual"] == pytest.approx(20_570 / 15)
    assert k["green_ratio"]["verdict"] == "pass" and k["green_ratio"]["actual"] == pytest.approx(0.15)
    assert contract(doc, "ID-001")["stage"] == "accepted"
    # voiding the completion would leave the acceptance without it: refused; void the acceptance first
    assert run("standard-land", "void", "2", "--db", db, "--user", "李", "--reason", "x").returncode == 1
    v = run("standard-land", "void", "3", "--db", db, "--user", "李", "--reason", "验收日期录错")
    assert v.returncode == 0, v.stderr
    h = run("standard-land", "history", "ID-001", "--db", db, "--format", "json")
    hist = json.loads(h.stdout)
    assert [e["event"] for e in hist["events"]] == ["delivered", "commenced", "completed"]
    assert hist["events"][1]["user"] == "王科长" and hist["events"][1]["source"] == "ledger"
    assert [(r["event_id"], r["action"]) for r in hist["ledger"]] == [(1, "record"), (2, "record"), (3, "record"),
                                                                     (4, "void")]
    assert hist["ledger"][3]["target_id"] == 3 and hist["ledger"][3]["note"] == "验收日期录错"
    text = run("standard-land", "history", "ID-001", "--db", db).stdout
    assert "王科长" in text and "作废" in text


def test_events_need_a_store_and_valid_names(pkg: Path) -> None:
    r = run("standard-land", "events", "ID-001", "--event", "commenced", "--date", "2023-01-01", "--user", "x")
    assert r.returncode == 2 and "--db" in r.stderr
    r = run("standard-land", "events", "ID-001", "--db", "/no/such.duckdb", "--event", "dug", "--date", "2023-01-01",
            "--user", "x")
    assert r.returncode == 2 and "dug" in r.stderr and "Traceback" not in r.stderr


def test_package_events_out_of_order_are_refused(tmp_path: Path) -> None:
    layers = worked_layers()
    pr = layers["progress"]
    pr.loc[(pr.contract_no == "KZ-31-76") & (pr.event == "accepted"), "date"] = pd.Timestamp("2024-02-01").date()
    p = write_gpkg(layers, tmp_path / "bad.gpkg")
    r = run("standard-land", "check", p, "--as-of", "2025-12-31")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "KZ-31-76" in r.stderr and "2024-02-01" in r.stderr and "2024-03-01" in r.stderr
    s = run("standard-land", "check", p, "--as-of", "2025-12-31", "--skip-invalid")
    doc = json.loads(s.stdout)
    assert [c["contract_no"] for c in doc["invalid"]] == ["KZ-31-76"]
    assert "KZ-31-76" not in [c["contract_no"] for c in doc["contracts"]]
    d = run("standard-land", "due", p, "--as-of", "2025-12-31", "--skip-invalid")
    assert d.returncode == 0 and "ID-001" in d.stdout


def test_repeated_event_names_the_recorded_date_and_dates_take_chinese_forms(store: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.duckdb"
    shutil.copy(store, db)
    base = ("standard-land", "events", "ID-001", "--db", db, "--user", "王五")
    ok = run(*base, "--event", "动工", "--date", "2023年5月10日")
    assert ok.returncode == 0, ok.stderr
    assert "动工 2023-05-10" in ok.stdout
    for other in ("2023/05/01", "2023.6.1"):  # earlier and later than the recorded one
        day = other.replace("/", "-").replace(".6.1", "-06-01")
        bad = run(*base, "--event", "动工", "--date", other)
        assert bad.returncode == 1
        assert f"已有「动工」事件（2023-05-10），不能再登记一次（{day}）" in bad.stderr, bad.stderr
    t = run("standard-land", "offer", "P-FREE", "--db", db, "--industry", "C9999", "--delivery", "2023年4月1日",
            "--format", "table")
    assert t.returncode == 0, t.stderr
    assert "指标库：default 第 1 行，行业 不限（通用行），园区层级 国家级开发区" in t.stdout
    assert "行业代码「C9999」不是 GB/T 4754-2017 中的行业" in t.stdout and "（2023-10-01）" in t.stdout
