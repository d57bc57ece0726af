"""``jiyue liveability`` on the demo zone: JSON, table, Excel, gap layer, errors in Chinese."""

from __future__ import annotations

import json

import openpyxl
import pytest
from support import run_jiyue


@pytest.fixture(scope="module")
def cli_invoke():
    from click.testing import CliRunner

    import jiyue.cli.liveability  # noqa: F401
    from jiyue.cli import cli

    def _run(*args):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _run


def test_json_from_store_and_package_agree(lv_demo, cli_invoke):
    pkg, db = lv_demo
    a = json.loads(cli_invoke("liveability", "--db", db).stdout)
    b = json.loads(cli_invoke("liveability", pkg).stdout)
    za, zb = a["zones"][0], b["zones"][0]
    assert za["zone_code"] == "371500-ETDZ" and za["eval_type"] == "integrated"
    assert [s["network"] for s in za["services"]] == [s["network"] for s in zb["services"]]
    assert za["network"]["components"] == 1  # the demo's streets meet at their junctions
    # the 7 medical sites of the article serve the community-health service
    hc = next(s for s in za["services"] if s["key"] == "health_centre")
    assert hc["facilities"] == 7
    for s in za["services"]:  # walking along streets never beats the straight line
        assert s["network"]["area_share"] <= s["euclid"]["area_share"] + 1e-9
    assert za["indicators"]["jobs_per_resident"] == pytest.approx(42242 / 108891)
    assert a["ruleset"]["name"] == "gb50180-2018"


def test_table_site_and_old_profile(lv_demo, cli_invoke):
    _, db = lv_demo
    r = cli_invoke("liveability", "--db", db, "--format", "table", "--site", "primary_school", "--picks", "2")
    assert r.exit_code == 0
    assert "配套设施覆盖" in r.stdout and "新设施选址：小学" in r.stdout and "职住比" in r.stdout
    r93 = cli_invoke("liveability", "--db", db, "--profile", "gb50180-93", "--format", "json")
    doc = json.loads(r93.stdout)
    assert [s["key"] for s in doc["zones"][0]["services"]] == ["kindergarten", "primary_school", "middle_school"]


def test_radius_override_changes_coverage(lv_demo, cli_invoke):
    _, db = lv_demo
    base = json.loads(cli_invoke("liveability", "--db", db).stdout)["zones"][0]
    tight = json.loads(cli_invoke("liveability", "--db", db, "--radius", "c15=800").stdout)["zones"][0]
    key = "middle_school"
    b = next(s for s in base["services"] if s["key"] == key)["network"]["area_share"]
    t = next(s for s in tight["services"] if s["key"] == key)["network"]["area_share"]
    assert t < b


def test_xlsx_and_gaps(lv_demo, cli_invoke, tmp_path):
    _, db = lv_demo
    out, gaps = tmp_path / "lv.xlsx", tmp_path / "gaps.geojson"
    r = cli_invoke("liveability", "--db", db, "--format", "xlsx", "--out", out, "--gaps", gaps)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert {"配套设施覆盖", "生活圈完整率", "产城融合指标", "覆盖缺口", "住宅用地明细", "规则依据"} <= set(wb.sheetnames)
    g = json.loads(gaps.read_text(encoding="utf-8"))
    assert g["features"] and {"parcel_id", "missing", "population"} <= set(g["features"][0]["properties"])


def test_errors_are_chinese_and_exit_nonzero(lv_demo, tmp_path):
    _, db = lv_demo
    r = run_jiyue("liveability", "--db", db, "--profile", "nope")
    assert r.code != 0 and "没有内置生活圈规则" in r.stderr and "Traceback" not in r.output
    r = run_jiyue("liveability", "--db", db, "--site", "mall")
    assert r.code == 2 and "没有配套设施「mall」" in r.stderr
    r = run_jiyue("liveability", "--db", db, "--radius", "c99=10")
    assert r.code == 2 and "生活圈「c99」不存在" in r.stderr
    r = run_jiyue("liveability", "--db", db, "--format", "xlsx")
    assert r.code == 2 and "--out" in r.stderr


def test_zone_report_has_the_liveability_section(lv_demo, tmp_path):
    _, db = lv_demo
    r = run_jiyue("report", "zone", "--db", db, "--zone", "371500-ETDZ", "--out", tmp_path, "--no-pdf")
    assert r.code == 0, r.output
    html = (tmp_path / "371500-ETDZ.html").read_text(encoding="utf-8")
    assert "七、产城融合·社区生活圈" in html and "八、说明" in html
    assert "生活圈配套设施覆盖" in html and "职住比" in html and "若新增" in html
    assert html.count("data:image/png;base64,") >= 3  # the class, flag and coverage maps


def test_report_section_without_roads_says_why():
    from jiyue.liveability.report import section_context

    ctx = section_context({"ok": False, "reason": "没有道路"})
    assert ctx == {"ok": False, "reason": "本节从略：没有道路"}
    assert section_context(None) is None


def test_report_document_of_a_zone_without_roads_is_none():
    from factories import clean_package, write_gpkg  # noqa: F401 - the small package has no roads

    from jiyue.evaluation.service import open_source
    from jiyue.liveability.report import report_document

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        pkg = write_gpkg(clean_package(), Path(d) / "small.gpkg")
        with open_source(pkg) as src:
            assert report_document(src.con, src.selection[0]) is None
