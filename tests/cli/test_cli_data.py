"""The data commands as a user runs them: ``jiyue validate`` and ``jiyue import``.

Packages are written "from outside" per the data contract (factories); the installed script
runs in a subprocess where a traceback would really show, click's CliRunner where speed matters
(an exception escaping a command fails those tests as well).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from factories import (bow_tie, clean_package, edit, rect, store_state, to_crs, write_folder, write_gpkg,
                       zip_folder)
from support import Run, keyed, run_jiyue, run_jiyue_many

FOOTPRINT_TOTAL = 40 * 50 + 10 * 10 + 20 * 10 + 20 * 20 + 30 * 30  # 3 600 m²


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output
    assert "Error:" not in run.stderr or "错误" in run.stderr, run.stderr  # no raw Python error lines
    assert "Warning:" not in run.output, run.output


# =========================================================================== good packages
def _no_area(layers):
    layers = copy.deepcopy(layers)
    layers["parcels"]["area_m2"] = None
    return layers


def _fullwidth_headers(layers):
    """Chinese aliases, with full-width brackets and stray spaces in the table headers."""
    from factories import renamed

    out = renamed(layers, "zh")
    out["zone_years"] = out["zone_years"].rename(columns={
        "工业(物流)企业税收总额": "工业（物流）企业税收总额",
        "工业(物流)企业累计固定资产投资总额": " 工业（物流）企业累计固定资产投资总额 "})
    return out


GOOD = {
    "gpkg": lambda L, d: write_gpkg(L, d / "pkg.gpkg"),
    "gpkg-chinese-fullwidth": lambda L, d: write_gpkg(_fullwidth_headers(L), d / "pkg.gpkg"),
    "gpkg-4490-no-area": lambda L, d: write_gpkg(to_crs(_no_area(L), "EPSG:4490"), d / "pkg.gpkg"),
    "shp-gbk-cpg-xlsx": lambda L, d: write_folder(L, d / "pkg", names="zh", encoding="GBK", cpg=True),
    "shp-gbk-nocpg-xlsx": lambda L, d: write_folder(L, d / "pkg", names="zh", encoding="GBK", cpg=False),
    "shp-gbk-4490-no-area": lambda L, d: write_folder(to_crs(_no_area(L), "EPSG:4490"), d / "pkg",
                                                      names="zh", encoding="GBK", cpg=False),
    "shp-pinyin": lambda L, d: write_folder(L, d / "pkg", names="pinyin", encoding="GBK"),
    "shp-english": lambda L, d: write_folder(L, d / "pkg", names="en"),
    "geojson-csv": lambda L, d: write_folder(L, d / "pkg", spatial="geojson", tables="csv"),
    "geoparquet-workbook": lambda L, d: write_folder(L, d / "pkg", spatial="parquet", tables="workbook",
                                                     names="zh"),
    "zip-of-folder": lambda L, d: zip_folder(write_folder(L, d / "pkg", names="zh", encoding="GBK"),
                                             d / "pkg.zip", inner="开发区数据包"),
}


@pytest.fixture(scope="module")
def good_packages(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("good")
    out = {}
    for name, build in GOOD.items():
        d = base / name
        d.mkdir()
        out[name] = build(clean_package(), d)
    return out


def _parcels_in(db: Path) -> tuple[int, float, float, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        n, area = con.execute("SELECT count(*), sum(area_eff_m2) FROM parcels").fetchone()
        fp, nb = con.execute("SELECT sum(footprint_eff_m2), count(parcel_eff) FROM buildings").fetchone()
    finally:
        con.close()
    return n, area, fp, nb


@pytest.mark.parametrize("name", list(GOOD))
def test_good_package_validates_clean_and_imports(name, good_packages, invoke, tmp_path):
    pkg = good_packages[name]
    r = invoke("validate", pkg, "--format", "json")
    assert r.code == 0, r.output
    d = r.json()
    assert d["ok"] is True and d["problems"] == [], d["problems"]
    assert d["counts"]["errors"] == d["counts"]["warnings"] == 0
    assert d["counts"]["rows"] == {"zones": 1, "parcels": 6, "buildings": 5, "enterprises": 1,
                                   "enterprise_years": 1, "zone_years": 1, "contracts": 1, "facilities": 1}
    db = tmp_path / "s.duckdb"
    r = invoke("import", pkg, "--db", db, "--format", "json")
    assert r.code == 0, r.output
    imported = r.json()["imported"]
    assert (imported["year"], imported["zones"], imported["counts"]["parcels"]) == (2020, ["Z1"], 6)
    n, area, fp, assigned = _parcels_in(db)
    # six 100 m × 100 m parcels and five footprints: hand arithmetic, ~0.01 % after re-projection
    assert n == 6 and area == pytest.approx(60_000.0, rel=1e-4)
    assert fp == pytest.approx(FOOTPRINT_TOTAL, rel=1e-4) and assigned == 5


def test_zone_years_with_fullwidth_headers_keep_their_values(good_packages, tmp_path, invoke):
    db = tmp_path / "s.duckdb"
    assert invoke("import", good_packages["gpkg-chinese-fullwidth"], "--db", db).code == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT tax_total_wan, industrial_tax_wan, industrial_fai_wan, population "
                          "FROM zone_years").fetchone()
    finally:
        con.close()
    assert row == (900.0, 150.0, 6000.0, 120)


def test_real_script_on_good_packages(good_packages):
    runs = run_jiyue_many({n: ["validate", good_packages[n]] for n in ("shp-gbk-4490-no-area",)})
    for name, r in runs.items():
        assert r.code == 0, (name, r.output)
        no_traceback(r)
        assert "校验通过：没有错误。" in r.stdout
        assert "宗地(parcels) 6 条" in r.stdout


# =========================================================================== broken packages
def _shp(layers, d):
    return write_folder(layers, d / "pkg", names="zh", encoding="GBK", cpg=False)


def _drop(layers, layer, *cols):
    layers = copy.deepcopy(layers)
    layers[layer] = layers[layer].drop(columns=list(cols))
    return layers


# name → (builder, exit code, problems that must be there: (severity, code, layer, row_id, field))
BROKEN = {
    "overlap": (lambda L, d: write_gpkg(edit(L, "parcels", 1, geometry=rect(50, 0, 100, 100)), d / "p.gpkg"),
                1, {("error", "parcel_overlap", "parcels", "P1", None)}),
    "duplicate-id": (lambda L, d: write_gpkg(edit(L, "parcels", 2, parcel_id="P2"), d / "p.gpkg"),
                     1, {("error", "duplicate_id", "parcels", "P2", "parcel_id")}),
    "unknown-code": (lambda L, d: _shp(edit(L, "parcels", 3, supply_class="G9"), d),
                     1, {("error", "unknown_code", "parcels", "P4", "supply_class")}),
    "bad-reference": (lambda L, d: write_folder(edit(L, "buildings", 1, parcel_id="P99"), d / "pkg",
                                                spatial="geojson", tables="csv"),
                      1, {("error", "broken_reference", "buildings", "B2", "parcel_id")}),
    "bow-tie": (lambda L, d: write_gpkg(edit(L, "parcels", 5, geometry=bow_tie(500, 0, 100)), d / "p.gpkg"),
                1, {("error", "invalid_geometry", "parcels", "P6", None)}),
    "no-prj": (lambda L, d: write_folder(L, d / "pkg", names="zh", encoding="GBK", prj=False),
               1, {("error", "missing_crs", "parcels", None, None), ("error", "missing_crs", "zones", None, None),
                   ("error", "missing_crs", "buildings", None, None)}),
    "negative": (lambda L, d: _shp(edit(L, "enterprise_years", 0, tax_wan=-150.0), d),
                 1, {("error", "negative_value", "enterprise_years", "E1/2020", "tax_wan")}),
    "bad-date": (lambda L, d: _shp(edit(L, "contracts", 0, signed_date="2016-13-45"), d),
                 1, {("error", "bad_date", "contracts", "C1", "signed_date")}),
    "bad-number": (lambda L, d: write_folder(edit(L, "parcels", 0, area_m2="1万"), d / "pkg",
                                             spatial="geojson", tables="csv"),
                   1, {("error", "bad_number", "parcels", "P1", "area_m2")}),
    # issue 17: text where a number is required, impossible values — errors, nothing imported
    "malformed-numbers": (lambda L, d: write_folder(
        edit(edit(L, "enterprise_years", 0, year="abc", tax_wan="twelve"), "parcels", 0, area_m2="not-a-number"),
        d / "pkg", spatial="gpkg", tables="csv"),
        1, {("error", "bad_integer", "enterprise_years", "E1/abc", "year"),
            ("error", "bad_number", "enterprise_years", "E1/abc", "tax_wan"),
            ("error", "bad_number", "parcels", "P1", "area_m2")}),
    "malformed-numbers-xlsx": (lambda L, d: _shp(edit(edit(L, "enterprise_years", 0, employees="十二"),
                                                      "zone_years", 0, population="n/a"), d),
                               1, {("error", "bad_integer", "enterprise_years", "E1/2020", "employees"),
                                   ("error", "bad_integer", "zone_years", "Z1/2020", "population")}),
    "year-zero": (lambda L, d: write_gpkg(edit(L, "enterprise_years", 0, year=0), d / "p.gpkg"),
                  1, {("error", "out_of_range", "enterprise_years", "E1/0", "year")}),
    "impossible-values": (lambda L, d: write_gpkg(
        edit(edit(edit(L, "buildings", 0, floors=500), "parcels", 1, area_m2=-5.0), "contracts", 0,
             signed_date="2999-01-01"), d / "p.gpkg"),
        1, {("error", "out_of_range", "buildings", "B1", "floors"),
            ("error", "negative_value", "parcels", "P2", "area_m2"),
            ("error", "out_of_range", "contracts", "C1", "signed_date")}),
    "no-parcels": (lambda L, d: write_gpkg({k: v for k, v in L.items() if k != "parcels"}, d / "p.gpkg"),
                   1, {("error", "missing_layer", "parcels", None, None)}),
    "missing-field": (lambda L, d: _shp(_drop(L, "parcels", "build_class"), d),
                      1, {("error", "missing_field", "parcels", None, "build_class")}),
    "zip-overlap": (lambda L, d: zip_folder(write_folder(edit(L, "parcels", 1, geometry=rect(50, 0, 100, 100)),
                                                         d / "pkg", spatial="geojson", tables="csv"),
                                            d / "p.zip"),
                    1, {("error", "parcel_overlap", "parcels", "P1", None)}),
    "text-file": (lambda L, d: _write(d / "readme.txt", "这不是数据包".encode()), 2,
                  {("error", "package_unreadable", None, None, None)}),
    "random-gpkg": (lambda L, d: _write(d / "x.gpkg", os.urandom(4096)), 2,
                    {("error", "package_unreadable", None, None, None)}),
    "empty-folder": (lambda L, d: _mkdir(d / "empty"), 2, {("error", "package_unreadable", None, None, None)}),
    "no-such-path": (lambda L, d: d / "does-not-exist.gpkg", 2,
                     {("error", "package_unreadable", None, None, None)}),
}
#: the ones also run through the real script (each run costs a second of start-up)
SCRIPT = ["overlap", "bow-tie", "no-prj", "bad-date", "text-file", "random-gpkg", "no-such-path",
          "malformed-numbers"]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def broken_packages(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("broken")
    out = {}
    for name, (build, _, _) in BROKEN.items():
        d = base / name
        d.mkdir()
        out[name] = build(clean_package(), d)
    return out


@pytest.fixture(scope="module")
def script_runs(broken_packages) -> dict[str, Run]:
    return run_jiyue_many({n: ["validate", broken_packages[n], "--format", "json"] for n in SCRIPT})


@pytest.fixture(scope="module")
def store_with_clean_import(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "jiyue.duckdb"
    from jiyue.store import import_package
    from jiyue.validate import validate_path

    import_package(db, validate_path(write_gpkg(clean_package(), db.parent / "clean.gpkg")))
    return db


def _check_broken(name: str, r: Run) -> None:
    _, code, expected = BROKEN[name]
    assert r.code == code, (name, r.output)
    no_traceback(r)
    d = r.json()
    assert d["ok"] is False
    got = keyed(d["problems"])
    assert expected <= got, (name, got)
    for p in d["problems"]:
        assert set(p) >= {"severity", "code", "layer", "row_id", "field", "found", "expected", "message"}
        assert p["message"]
    if code == 2:
        assert d["problems"][0]["message"] in r.stderr  # also said on stderr, in Chinese
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.stderr)


@pytest.mark.parametrize("name", SCRIPT)
def test_real_script_on_broken_package(name, script_runs):
    _check_broken(name, script_runs[name])


@pytest.mark.parametrize("name", [n for n in BROKEN if n not in SCRIPT])
def test_broken_package(name, broken_packages, invoke):
    _check_broken(name, invoke("validate", broken_packages[name], "--format", "json"))


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_package_leaves_the_store_unchanged(name, broken_packages, store_with_clean_import, invoke,
                                                   tmp_path):
    db = store_with_clean_import
    before = store_state(db)
    r = invoke("import", broken_packages[name], "--db", db, "--replace", "--format", "json")
    assert r.code == BROKEN[name][1], r.output
    assert r.json()["ok"] is False and r.json()["imported"] is None
    no_traceback(r)
    assert store_state(db) == before  # byte for byte, row for row


@pytest.mark.parametrize("name", ["overlap", "no-parcels", "text-file", "empty-folder"])
def test_failed_import_creates_no_database(name, broken_packages, invoke, tmp_path):
    new = tmp_path / "new" / "jiyue.duckdb"
    r = invoke("import", broken_packages[name], "--db", new)
    assert r.code == BROKEN[name][1]
    assert "未入库" in r.stderr or "不是数据包" in r.stderr
    assert not new.exists() and not new.parent.exists()


def test_broken_messages_read_as_chinese(script_runs):
    msgs = {p["code"]: p["message"] for n in ("overlap", "bow-tie", "bad-date")
            for p in script_runs[n].json()["problems"]}
    assert msgs["parcel_overlap"].startswith("宗地「P1」与宗地「P2」相互重叠，重叠面积 5000.00 平方米")
    assert "边界自相交" in msgs["invalid_geometry"]
    assert msgs["bad_date"] == ("图层「合同(contracts)」记录「C1」的「签订日期(signed_date)」不是有效日期："
                                "「2016-13-45」，应为如 2020-12-31 的日期")


def test_malformed_numbers_said_in_chinese_with_the_text_found(script_runs):
    msgs = {p["field"]: p for p in script_runs["malformed-numbers"].json()["problems"]}
    assert set(msgs) == {"year", "tax_wan", "area_m2"}  # no area_mismatch on an unread area
    assert msgs["year"]["message"] == ("图层「企业年度数据(enterprise_years)」记录「E1/abc」的「年度(year)」"
                                       "应为整数，实际为「abc」")
    assert "「twelve」" in msgs["tax_wan"]["message"] and "税收" in msgs["tax_wan"]["message"]
    assert msgs["area_m2"]["found"] == "not-a-number" and "0.00 平方米" not in msgs["area_m2"]["message"]
    assert "/tmp" not in script_runs["malformed-numbers"].output


def test_year_zero_said_with_the_allowed_years(broken_packages, invoke):
    r = invoke("validate", broken_packages["year-zero"])
    assert r.code == 1
    assert ("图层「企业年度数据(enterprise_years)」记录「E1/0」的「年度(year)」为「0」，超出合理范围，"
            "应为1949 至 2100 之间的年份") in r.stdout
    assert "没有错误" not in r.stdout


# =========================================================================== import end to end
def test_import_refuse_replace_and_provenance_with_the_real_script(tmp_path, broken_packages):
    pkg = write_gpkg(clean_package(), tmp_path / "clean.gpkg")
    db = tmp_path / "data" / "jiyue.duckdb"
    r = run_jiyue("import", pkg, "--db", db)
    assert r.code == 0, r.output
    no_traceback(r)
    assert "已入库：开发区 Z1，2020 年度，导入批次 1。" in r.stdout
    first = store_state(db)
    assert first["counts"]["parcels"] == 6 and len(first["imports"]) == 1

    elsewhere = tmp_path / "x" / "jiyue.duckdb"
    runs = run_jiyue_many({
        "again": ["import", pkg, "--db", db],
        "broken": ["import", broken_packages["overlap"], "--db", db, "--replace"],
        "unreadable": ["import", broken_packages["random-gpkg"], "--db", elsewhere],
    }, parallel=1)  # one at a time: two of them open the same store
    for r in runs.values():
        assert r.code == (2 if r is runs["unreadable"] else 1), r.output
        no_traceback(r)
    assert "--replace" in runs["again"].stderr
    assert "未入库；数据库保持原样" in runs["broken"].stderr
    assert store_state(db) == first
    assert not elsewhere.exists() and not elsewhere.parent.exists()

    r = run_jiyue("import", pkg, "--db", db, "--replace", "--format", "json")
    assert r.code == 0, r.output
    assert r.json()["imported"]["replaced"] == [1]
    state = store_state(db)
    assert state["counts"]["parcels"] == 6
    assert state["snapshots"] == [("Z1", 2020, 2)]
    import hashlib

    sha = hashlib.sha256(pkg.name.encode() + pkg.read_bytes()).hexdigest()
    assert [row[1] for row in state["imports"]] == [sha, sha]  # provenance: the package's hash


def test_summary(tmp_path, invoke, store_with_clean_import):
    r = invoke("summary", "--db", store_with_clean_import)
    assert r.code == 0
    assert "Z1 测试开发区（2020年度，产城融合型）：宗地 6 宗，6.00 公顷，建筑 5 栋" in r.stdout
    r = invoke("summary", "--db", tmp_path / "none.duckdb")
    assert r.code == 2 and "数据库文件不存在" in r.stderr  # a wrong --db is an argument error


# =========================================================================== options and text
def test_bad_arguments_exit_2(invoke, clean_gpkg):
    assert invoke("validate").code == 2
    assert invoke("validate", clean_gpkg, "--format", "xml").code == 2
    assert invoke("import", clean_gpkg, "--year", "二〇二〇").code == 2


def test_text_report_and_problem_table(tmp_path, invoke, broken_packages):
    out = tmp_path / "问题清单.csv"
    r = invoke("validate", broken_packages["overlap"], "--out", out)
    assert r.code == 1
    assert "[错误] parcel_overlap" in r.stdout and "parcels P1" in r.stdout
    assert "校验未通过：发现 1 个错误、0 个警告。" in r.stdout
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert list(table.columns) == ["严重程度", "问题代码", "图层", "记录编号", "行号", "字段", "实际值", "应为", "说明"]
    assert table[["严重程度", "问题代码", "图层", "记录编号"]].values.tolist() == [["错误", "parcel_overlap", "parcels", "P1"]]
    xlsx = tmp_path / "问题清单.xlsx"
    assert invoke("validate", broken_packages["overlap"], "--out", xlsx).code == 1
    assert pd.read_excel(xlsx, engine="calamine").shape == (1, 9)


def test_warnings_only_exit_0(tmp_path, invoke):
    layers = edit(clean_package(), "enterprises", 0, credit_code="91371500MA3C8KXX3X")
    r = invoke("validate", write_gpkg(layers, tmp_path / "w.gpkg"))
    assert r.code == 0
    assert "校验通过，但有 1 个警告。" in r.stdout and "bad_credit_code" in r.stdout
    d = json.loads(invoke("validate", tmp_path / "w.gpkg", "--format", "json").stdout)
    assert d["ok"] is True and d["counts"]["by_code"] == {"bad_credit_code": 1}


def test_a_store_holding_year_0_from_before_does_not_crash_the_engines(tmp_path, store_with_clean_import):
    """Issue 17: year 0 was once imported; the per-mu engine then failed with "year -1 is out of
    range". Such a year is not evaluated now, and asking for it is a plain Chinese answer."""
    import shutil

    db = shutil.copyfile(store_with_clean_import, tmp_path / "old.duckdb")
    con = duckdb.connect(str(db))
    cols = [r[0] for r in con.execute("DESCRIBE enterprise_years").fetchall()]
    con.execute(f"INSERT INTO enterprise_years SELECT {', '.join('0' if c == 'year' else c for c in cols)} "
                "FROM enterprise_years WHERE year = 2020")
    con.close()
    runs = run_jiyue_many({
        "year0": ["mujun", "--db", db, "--scheme", "shandong-2019", "--year", "0", "--format", "json"],
        "latest": ["mujun", "--db", db, "--scheme", "shandong-2019", "--format", "json"],
    }, parallel=1)
    for r in runs.values():
        no_traceback(r)
        assert "out of range" not in r.output and "内部错误" not in r.output, r.output
    assert runs["year0"].code == 2 and "没有 0 年度" in runs["year0"].stderr
    assert runs["latest"].code == 0, runs["latest"].output
    assert runs["latest"].json()["year"] == 2020
