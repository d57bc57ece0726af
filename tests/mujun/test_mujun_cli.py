"""End to end through the real CLI: a package and its imported store, JSON / table / xlsx,
publication, objections with evidence, corrections with a diff, and no traceback on bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from jiyue.mujun import ledger
from mujun_factories import package, write

JIYUE = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "jiyue")
C1 = dict(tax_wan=900.0, value_added_wan=4500.0, energy_tce=1500.0, emission_t=1.2, employees=220,
          rd_wan=380.0, revenue_wan=12000.0, electricity_mwh=8000.0)


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def jiyue(*args: str, real: bool = False) -> Ran:
    """Run a jiyue command: in-process through click (fast), or as the real script (``real``)."""
    if real:
        r = subprocess.run([JIYUE, *map(str, args)], capture_output=True, text=True)
        out = Ran(r.returncode, r.stdout, r.stderr)
    else:
        from click.testing import CliRunner

        import jiyue.cli.data  # noqa: F401 - registers `import`
        import jiyue.cli.mujun  # noqa: F401
        from jiyue.cli import cli

        res = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
        out = Ran(res.exit_code, res.stdout, res.stderr)
    assert "Traceback" not in out.stderr, out.stderr
    return out


def year_rows(k: float) -> list[dict]:
    return [
        dict(enterprise_id="E1", **{c: v * k if c == "tax_wan" else v for c, v in C1.items()}),
        dict(enterprise_id="E2", tax_wan=150.0 * k, value_added_wan=1200.0, energy_tce=600.0, emission_t=0.5,
             employees=80, rd_wan=40.0, revenue_wan=4000.0, electricity_mwh=3000.0),
        dict(enterprise_id="E3", tax_wan=20.0 * k, value_added_wan=300.0, energy_tce=400.0, emission_t=None,
             employees=60, rd_wan=2.0, revenue_wan=1500.0, electricity_mwh=5000.0),
        dict(enterprise_id="E4", tax_wan=45.0 * k, electricity_mwh=1500.0),
        dict(enterprise_id="E5", tax_wan=20.0 * k, electricity_mwh=1000.0),
        dict(enterprise_id="E6", tax_wan=500.0, electricity_mwh=1000.0),
    ]


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    firms = [dict(enterprise_id="E1", name="甲公司", industry_code="C3311", scale="above", land_m2=20000.0, 园区="东区"),
             dict(enterprise_id="E2", name="乙公司", industry_code="C3399", scale="above", land_m2=10000.0, 园区="东区"),
             dict(enterprise_id="E3", name="丙公司", industry_code="C3311", scale="above", land_m2=6000.0, 园区="西区"),
             dict(enterprise_id="E4", name="丁公司", industry_code="C1321", scale="below", land_m2=4000.0, 园区="西区"),
             dict(enterprise_id="E5", name="戊公司", industry_code="C1321", scale="below", land_m2=3000.0, 园区="西区"),
             dict(enterprise_id="E6", name="热电公司", industry_code="D4411", scale="above", land_m2=9000.0, 园区="西区")]
    layers = package(firms, {2021: year_rows(0.9), 2022: year_rows(1.0)})
    layers["enterprise_years"]["评价类别"] = None
    layers["enterprise_years"].loc[(layers["enterprise_years"]["year"] == 2021)
                                   & (layers["enterprise_years"]["enterprise_id"] == "E3"), "评价类别"] = "D"
    d = tmp_path_factory.mktemp("mujun")
    p = write(layers, d / "pkg.gpkg")
    r = jiyue("import", p, "--db", d / "store.duckdb")
    assert r.returncode == 0, r.stderr
    return p


def test_json_shape_and_figures(pkg: Path, tmp_path: Path) -> None:
    r = jiyue("mujun", pkg, "--year", 2022, "--scheme", "huangyan-2022", real=True)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["scheme"]["name"] == "huangyan-2022" and doc["scheme"]["version"] == "1.0.0"
    assert doc["year"] == 2022 and len(doc["provenance"]["input_sha256"]) == 64
    assert doc["benchmarks"]["above"]["tax_per_mu"]["value"] == 24.097
    e = {x["enterprise_id"]: x for x in doc["enterprises"]}
    for k in ("enterprise_id", "group", "land_mu", "indicators", "item_scores", "score", "rank", "class", "vetoed",
              "protected", "reasons", "measures"):
        assert k in e["E1"]
    assert e["E1"]["land_mu"] == 30.0 and e["E1"]["group"] == "above"
    assert round(e["E1"]["score"], 3) == 111.022
    assert round(e["E4"]["score"], 2) == 96.12  # C2
    # E3 has no emission data: the average of E1's and E2's emission item scores
    avg = (3750.0 / 4929.81 * 10 + 2400.0 / 4929.81 * 10) / 2
    assert e["E3"]["item_scores"]["va_per_emission"] == pytest.approx(avg, abs=1e-9)
    assert e["E6"]["status"] == "excluded" and e["E6"]["class"] is None and e["E6"]["score"] is None
    assert [e[k]["rank"] for k in ("E1", "E2", "E3")] == [1, 2, 3]
    assert e["E3"]["class"] == "D"  # 3 规上 firms: B B D (rank/N ≤ 60 %, 95 %)
    parks = {a["key"]: a for a in doc["aggregates"] if a["level"] == "park" and a["group"] == "all"}
    assert set(parks) == {"东区", "西区"}
    assert parks["东区"]["indicators"]["tax_per_mu"] == pytest.approx(1050.0 / 45.0)
    assert parks["东区"]["yoy"]["tax_per_mu"] == pytest.approx(1 / 0.9 - 1)
    json.dumps(doc, allow_nan=False)


def test_table_and_xlsx(pkg: Path, tmp_path: Path) -> None:
    r = jiyue("mujun", pkg, "--scheme", "shandong-2019", "--format", "table")
    assert r.returncode == 0 and "规上企业" in r.stdout and "限制发展类" not in r.stdout.splitlines()[0]
    out = tmp_path / "mujun.xlsx"
    r = jiyue("mujun", pkg, "--scheme", "shandong-2019", "--format", "xlsx", "--out", out)
    assert r.returncode == 0, r.stderr
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["评价结果", "基准值", "差别化措施", "区域汇总", "说明"]
    head = [c.value for c in wb["评价结果"][1]]
    for h in ("企业编号", "企业名称", "评价用地面积(亩)", "综合得分", "组内排名", "评价类别", "类别名称", "说明"):
        assert h in head
    assert any(str(c.value).startswith("单位用地税收") for c in wb["评价结果"][1])
    r = jiyue("mujun", pkg, "--scheme", "shandong-2019", "--format", "xlsx")
    assert r.returncode == 2 and "--out" in r.stderr


def test_store_gives_the_same_result_and_measures(pkg: Path) -> None:
    db = pkg.parent / "store.duckdb"
    a = json.loads(jiyue("mujun", pkg, "--year", 2022, "--scheme", "shandong-2019").stdout)
    b = json.loads(jiyue("mujun", "--db", db, "--year", 2022, "--scheme", "shandong-2019").stdout)
    ea = {e["enterprise_id"]: (e["score"], e["rank"], e["class"]) for e in a["enterprises"]}
    eb = {e["enterprise_id"]: (e["score"], e["rank"], e["class"]) for e in b["enterprises"]}
    assert ea == eb
    # E3 is D in 2022; the package says it was D in 2021 too (field 评价类别): 2nd year → 0.10 元/kWh
    e3 = next(e for e in a["enterprises"] if e["enterprise_id"] == "E3")
    el = next(m for m in e3["measures"] if m["key"] == "electricity_surcharge")
    assert e3["class"] == "D" and el["consecutive_years"] == 2
    assert el["amount_wan"] == pytest.approx(0.10 * 5_000_000 / 10_000)
    assert a["history"]["past_class_sources"]["2021"] == "recomputed+data"


def test_bad_input_exit_codes(pkg: Path, tmp_path: Path) -> None:
    r = jiyue("mujun", pkg, "--scheme", "huangyan-2099", real=True)
    assert r.returncode == 2 and "huangyan-2022" in r.stderr
    r = jiyue("mujun", pkg, "--scheme", "huangyan-2022", "--year", 1999)
    assert r.returncode == 2 and "2021" in r.stderr and "2022" in r.stderr
    r = jiyue("mujun", tmp_path / "missing.gpkg", "--scheme", "huangyan-2022", real=True)
    assert r.returncode == 2
    r = jiyue("mujun", "--scheme", "huangyan-2022")
    assert r.returncode == 2
    bad = tmp_path / "bad.toml"
    from importlib import resources

    text = (resources.files("jiyue.mujun.rulesets") / "huangyan-2022.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace("tax_per_kwh = { weight = 50,", "tax_per_kwh = { weight = 40,"), encoding="utf-8")
    r = jiyue("mujun", pkg, "--scheme", bad)
    assert r.returncode == 1 and "below" in r.stderr and "90" in r.stderr and str(bad) in r.stderr


def test_publish_object_correct(pkg: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.duckdb"
    shutil.copy(pkg.parent / "store.duckdb", db)  # the imported package (faster than importing again)
    r = jiyue("mujun-publish", "--db", db, "--year", 2021, "--scheme", "shandong-2019", "--actor", "经信局")
    assert r.returncode == 0 and "版本 1" in r.stdout
    r = jiyue("mujun-publish", "--db", db, "--year", 2022, "--scheme", "shandong-2019", "--actor", "经信局",
              "--note", "2022年度")
    assert r.returncode == 0 and "版本 2" in r.stdout
    ev = tmp_path / "完税证明.pdf"
    ev.write_bytes(b"%PDF tax receipt")
    r = jiyue("mujun-objection", "file", "--db", db, "--version", 2, "--enterprise", "E3", "--claim", "税收少计",
              "--evidence", ev, "--request", "tax_wan=400", "--actor", "丙公司")
    assert r.returncode == 0, r.stderr
    r = jiyue("mujun-correct", "--db", db, "--version", 2, "--set", "E3.tax_wan=400", "--objection", 1,
              "--actor", "经信局", "--format", "json", real=True)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["version_id"] == 3 and res["supersedes"] == 2
    assert res["corrections"] == [{"enterprise_id": "E3", "field": "tax_wan", "before": 20.0, "after": 400.0}]
    d = res["diff"]
    assert d["from"] == 2 and d["to"] == 3 and d["inputs"][0]["field"] == "tax_wan"
    e3 = next(x for x in d["enterprises"] if x["enterprise_id"] == "E3")
    assert e3["changes"]["class"] == {"before": "D", "after": "B"}
    assert e3["changes"]["rank"]["before"] == 3 and e3["changes"]["rank"]["after"] < 3
    assert d["class_changes"] >= 1
    vs = {v["version_id"]: v for v in ledger.versions(db)}
    assert vs[2]["superseded_by"] == 3 and vs[2]["objections"] == 1 and vs[3]["supersedes"] == 2
    objs = ledger.objections(db)
    assert objs[0]["evidence"][0]["name"] == "完税证明.pdf" and objs[0]["requested"] == {"tax_wan": 400.0}
    assert objs[0]["decision"] == "accepted" and objs[0]["correction_version"] == 3
    r = jiyue("mujun-objection", "decide", "--db", db, "--objection", 1, "--reject")
    assert r.returncode == 1 and "不能重复决定" in r.stderr
    r = jiyue("mujun-correct", "--db", db, "--version", 3, "--set", "E3.tax_wan=400")
    assert r.returncode == 1 and "相同" in r.stderr
    r = jiyue("mujun-correct", "--db", db, "--version", 9, "--set", "E3.tax_wan=1")
    assert r.returncode == 2 and "1、2、3" in r.stderr
    r = jiyue("mujun-correct", "--db", db, "--version", 3, "--set", "E3.taxes=1")
    assert r.returncode == 2 and "tax_wan" in r.stderr
    assert ledger.diff(db, 2, 3)["inputs"] == res["corrections"]
    kinds = [e["kind"] for e in ledger.events(db)]
    assert kinds == ["published", "published", "objection_filed", "corrected", "objection_decided",
                     "objection_resolved"]
    # nothing was overwritten: version 2 still shows the original result; history came from version 1
    old = json.loads(jiyue("mujun-version", "show", "--db", db, "--version", 2).stdout)
    assert old["publication"]["version_id"] == 2 and old["scheme"]["name"] == "shandong-2019"
    assert next(e for e in old["enterprises"] if e["enterprise_id"] == "E3")["class"] == "D"
    assert old["history"]["past_class_sources"]["2021"].endswith("published")


def test_leases_file_and_zone_filter(pkg: Path, tmp_path: Path) -> None:
    leases = tmp_path / "租赁.csv"
    leases.write_text("承租方,出租方,租赁土地面积,起始年度,终止年度\nE5,E1,1000,2020,2025\n", encoding="utf-8")
    r = jiyue("mujun", pkg, "--scheme", "huangyan-2022", "--leases", leases, "--zone", "Z1")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    e = {x["enterprise_id"]: x for x in doc["enterprises"]}
    assert e["E1"]["land"] == {"own_m2": 20000.0, "leased_in_m2": 0.0, "leased_out_m2": 1000.0, "land_m2": 19000.0}
    assert e["E1"]["land_mu"] == pytest.approx(28.5)
    assert e["E5"]["land_mu"] == pytest.approx(6.0) and e["E5"]["land"]["leased_in_m2"] == 1000.0
    assert doc["provenance"]["leases"] == str(leases)
    bad = tmp_path / "bad.csv"
    bad.write_text("承租方,租赁土地面积\nE5,很多\n", encoding="utf-8")
    r = jiyue("mujun", pkg, "--scheme", "huangyan-2022", "--leases", bad)
    assert r.returncode == 2 and "第 2 行" in r.stderr and "很多" in r.stderr


def test_correct_from_an_accepted_objection(pkg: Path, tmp_path: Path) -> None:
    """`mujun-correct --objection N` applies what the accepted objection asked for; the request may
    be written as with --set (E3.tax_wan=400) when it names the objection's enterprise."""
    db = tmp_path / "ledger.duckdb"
    shutil.copy(pkg.parent / "store.duckdb", db)
    assert jiyue("mujun-publish", "--db", db, "--year", 2022, "--scheme", "shandong-2019").returncode == 0
    r = jiyue("mujun-objection", "file", "--db", db, "--version", 1, "--enterprise", "E3", "--claim", "税收少计",
              "--request", "E3.tax_wan=400")
    assert r.returncode == 0, r.stderr
    r = jiyue("mujun-objection", "file", "--db", db, "--version", 1, "--enterprise", "E3", "--claim", "另一企业",
              "--request", "E2.tax_wan=1")
    assert r.returncode == 2 and "「E2」" in r.stderr and "「E3」" in r.stderr and "E3.tax_wan=1" in r.stderr
    r = jiyue("mujun-objection", "file", "--db", db, "--version", 1, "--enterprise", "E3", "--claim", "再议",
              "--request", "tax_wan=500")
    assert r.returncode == 0, r.stderr
    objs = {o["objection_id"]: o for o in ledger.objections(db)}
    assert sorted(objs) == [1, 2]  # the refused one was not recorded
    assert objs[1]["requested"] == {"tax_wan": 400.0} and objs[2]["requested"] == {"tax_wan": 500.0}
    # not accepted: refused, nothing published
    r = jiyue("mujun-correct", "--db", db, "--objection", 1)
    assert r.returncode == 1 and r.stderr.startswith("异议 1 尚未受理") and "--accept" in r.stderr
    assert jiyue("mujun-objection", "decide", "--db", db, "--objection", 2, "--reject").returncode == 0
    r = jiyue("mujun-correct", "--db", db, "--version", 1, "--objection", 2)
    assert r.returncode == 1 and "异议 2 已于" in r.stderr and "被驳回" in r.stderr
    assert [v["version_id"] for v in ledger.versions(db)] == [1]
    # accepted: its request is the correction (E3's 2022 tax 20 → 400), the version is the objection's
    assert jiyue("mujun-objection", "decide", "--db", db, "--objection", 1, "--accept").returncode == 0
    r = jiyue("mujun-correct", "--db", db, "--objection", 1, "--actor", "经信局")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("已生成更正版本 2（取代版本 1），")
    assert lines[1:3] == ["输入数据更正（1 项）：", "  E3 丙公司 评价税收(万元)：20 → 400"]
    e3 = next(x for x in lines if x.startswith("  E3 丙公司："))
    assert "评价类别 D类 → B类" in e3
    assert lines[-1].startswith("评价类别变化 ") and "{" not in r.stdout  # words, not JSON
    d = ledger.diff(db, 1, 2)
    assert d["inputs"] == [{"enterprise_id": "E3", "field": "tax_wan", "before": 20.0, "after": 400.0}]
    assert [e["kind"] for e in ledger.events(db)][-2:] == ["corrected", "objection_resolved"]
    # once settled, not again
    r = jiyue("mujun-correct", "--db", db, "--objection", 1)
    assert r.returncode == 1 and "异议 1 已由更正版本 2 办理" in r.stderr
    # mujun-version diff: words by default, the JSON unchanged on request
    t = jiyue("mujun-version", "diff", "--db", db, "--from", 1, "--to", 2)
    assert t.returncode == 0 and t.stdout.splitlines()[:3] == [
        "亩均评价版本 1 → 版本 2 的变化", "输入数据更正（1 项）：", "  E3 丙公司 评价税收(万元)：20 → 400"]
    j = jiyue("mujun-version", "diff", "--db", db, "--from", 1, "--to", 2, "--format", "json")
    assert json.loads(j.stdout) == d
    # nothing to correct, or no version to correct
    r = jiyue("mujun-correct", "--db", db, "--version", 2)
    assert r.returncode == 2 and "没有给出更正" in r.stderr
    r = jiyue("mujun-correct", "--db", db, "--set", "E3.tax_wan=1")
    assert r.returncode == 2 and "--version" in r.stderr


@pytest.mark.parametrize(("text", "enterprise", "expected"), [
    ("tax_wan=300", "E-0240", ("tax_wan", 300.0)),
    ("E-0240.tax_wan=300", "E-0240", ("tax_wan", 300.0)),
    (" E-0240.tax_wan = 300 ", "E-0240", ("tax_wan", 300.0)),
    ("A.1.scale=below", "A.1", ("scale", "below")),
])
def test_request_forms(text: str, enterprise: str, expected: tuple) -> None:
    assert ledger.parse_request(text, enterprise) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("E-0241.tax_wan=300", "本异议针对企业「E-0240」"), ("tax_wan", "格式不对"), ("taxes=3", "不能更正字段「taxes」")])
def test_request_refused(text: str, words: str) -> None:
    from jiyue.errors import UsageError

    with pytest.raises(UsageError) as ei:
        ledger.parse_request(text, "E-0240")
    assert words in ei.value.message


def test_the_web_files_and_answers_objections_in_the_same_ledger(pkg: Path, tmp_path: Path) -> None:
    """One objection table: an objection filed in the web app is listed by `mujun-objection list`,
    names the year's latest published version, and the web's answer is the same decision and
    event as `mujun-objection decide`."""
    from jiyue import events, store
    from jiyue.web import queries

    db = tmp_path / "ledger.duckdb"
    shutil.copy(pkg.parent / "store.duckdb", db)
    assert jiyue("mujun-publish", "--db", db, "--year", 2022, "--scheme", "shandong-2019").returncode == 0
    with store.open_store(db) as con:
        con.execute("BEGIN")
        oid = queries.insert_objection(con, enterprise_id="E3", year=2022, subject="tax", text="税收少计 12 万元",
                                       username="qiye3")
        no_version = queries.insert_objection(con, enterprise_id="E3", year=2021, subject="land", text="用地有误",
                                              username="qiye3")
        con.execute("COMMIT")
    assert (oid, no_version) == (1, 2)
    r = jiyue("mujun-objection", "list", "--db", db, "--format", "json")
    assert r.returncode == 0, r.stderr
    listed = {o["objection_id"]: o for o in json.loads(r.stdout)}
    assert listed[1]["version_id"] == 1 and listed[1]["claim"] == "税收少计 12 万元" and listed[1]["actor"] == "qiye3"
    assert listed[2]["version_id"] is None  # 2021 has no published version
    with store.open_store(db) as con:
        con.execute("BEGIN")
        queries.answer_objection(con, 1, status="accepted", answer="已核实", username="clerk")
        con.execute("COMMIT")
        web = queries.objection(con, 1)
        assert (web["status"], web["answer"], web["answered_by"], web["year"]) == ("accepted", "已核实", "clerk", 2022)
        decided = [e for e in events.read(con, "mujun") if e["kind"] == "objection_decided"]
    assert jiyue("mujun-objection", "decide", "--db", db, "--objection", 2, "--reject", "--note", "无依据"
                 ).returncode == 0
    with store.open_store(db, read_only=True) as con:
        decided += [e for e in events.read(con, "mujun") if e["kind"] == "objection_decided"][1:]
    # the same event from the web and from the CLI: who, which objection, the decision record
    assert [(e["subject"], e["actor"]) for e in decided][0] == ("objection:1", "clerk")
    assert decided[1]["subject"] == "objection:2"
    assert set(json.loads(decided[0]["payload"]["after_json"])) == set(json.loads(decided[1]["payload"]["after_json"]))
    again = jiyue("mujun-objection", "decide", "--db", db, "--objection", 1, "--reject")
    assert again.returncode == 1 and "不能重复决定" in again.stderr
