"""The DuckDB store: extension pinning, schema versions, all-or-nothing imports, provenance."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import json
import re
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pytest

from factories import STORE_TABLES, clean_package, edit, raw_package, report_of, store_state
from jiyue import migrations, store
from jiyue.errors import ReasonCode, StoreError
from jiyue.normalize import normalize
from jiyue.validate import validate


def clean_report(path: str = "clean.gpkg", sha: str = "a" * 64):
    raw = raw_package(clean_package(), path)
    raw.sha256 = sha
    return validate(normalize(raw))


# --------------------------------------------------------------------------- the extension
def test_duckdb_and_its_spatial_extension_do_not_drift():
    """Fails loudly when duckdb and duckdb-extension-spatial are upgraded apart."""
    duck = md.version("duckdb")
    spatial = md.version("duckdb-extension-spatial")
    assert duckdb.__version__ == duck, f"duckdb module {duckdb.__version__} but dist {duck}"
    assert spatial == duck, f"duckdb {duck} with duckdb-extension-spatial {spatial}: pin them together"
    path = store.spatial_extension_path()
    assert path.is_file() and path.name == "spatial.duckdb_extension"
    folder = path.parent.name
    assert re.fullmatch(r"v\d+\.\d+\.\d+", folder)
    assert folder == f"v{duckdb.__version__}"
    shipped = sorted(p.name for p in path.parent.parent.iterdir())
    assert shipped == [folder], f"the wheel ships {shipped}"
    con = store.connect()
    try:
        assert con.execute("SELECT ST_Area(ST_GeomFromText('POLYGON((0 0,100 0,100 100,0 100,0 0))'))"
                           ).fetchone()[0] == 10_000.0
    finally:
        con.close()


def test_drift_is_reported_in_words(monkeypatch):
    monkeypatch.setattr(duckdb, "__version__", "0.0.1")
    with pytest.raises(StoreError) as ei:
        store.spatial_extension_path()
    assert "0.0.1" in ei.value.message and "不一致" in ei.value.message


# --------------------------------------------------------------------------- schema
def test_new_store_is_at_the_current_schema_version(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.open_store(db, spatial=False) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION == migrations.LATEST
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(STORE_TABLES) <= tables
    assert sorted(store.MIGRATIONS) == list(range(1, store.SCHEMA_VERSION + 1))
    before = store_state(db)
    with store.open_store(db, spatial=False):  # opening again migrates nothing
        pass
    assert store_state(db)["counts"] == before["counts"]
    assert store_state(db)["meta"] == [("schema_version", str(migrations.LATEST))]


def test_empty_database_file_is_migrated(tmp_path):
    db = tmp_path / "old.duckdb"
    duckdb.connect(str(db)).close()  # a DuckDB file without any jiyue table: version 0
    with store.open_store(db, spatial=False) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION


def test_store_of_a_newer_jiyue_is_refused(tmp_path):
    db = tmp_path / "new.duckdb"
    with store.open_store(db, spatial=False) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = store_state(db)
    for ro in (False, True):
        with pytest.raises(StoreError) as ei:
            with store.open_store(db, read_only=ro, spatial=False):
                pass
        assert "99" in ei.value.message
    assert store_state(db) == before


def test_a_file_that_is_not_a_database(tmp_path):
    db = tmp_path / "notes.duckdb"
    db.write_text("not a database")
    with pytest.raises(StoreError) as ei:
        store.import_package(db, clean_report())
    assert "无法打开数据库" in ei.value.message
    assert db.read_text() == "not a database"
    with pytest.raises(StoreError):
        store.import_package(tmp_path, clean_report())  # a folder


# --------------------------------------------------------------------------- import
def test_import_writes_every_row_with_provenance(tmp_path):
    db = tmp_path / "s.duckdb"
    report = clean_report(sha="b" * 64)
    t0 = dt.datetime.now()
    res = store.import_package(db, report)
    assert (res.import_id, res.year, res.zones, res.replaced, res.warnings) == (1, 2020, ["Z1"], [], 0)
    expected = {"zones": 1, "parcels": 6, "buildings": 5, "enterprises": 1, "enterprise_years": 1,
                "zone_years": 1, "contracts": 1, "facilities": 1}
    assert res.counts == expected
    state = store_state(db)
    for table, n in expected.items():
        assert state["counts"][table] == n
    assert state["counts"]["problems"] == 0
    assert state["snapshots"] == [("Z1", 2020, 1)]
    with store.open_store(db, read_only=True) as con:  # written without spatial, read with it
        imp = con.execute("SELECT sha256, source, imported_at, year, zones, crs, counts, warnings, "
                          "jiyue_version, replaced FROM imports").fetchall()
        assert len(imp) == 1
        sha, source, at, year, zones, crs, counts, warnings, version, replaced = imp[0]
        assert (sha, source, year, zones, warnings, replaced) == ("b" * 64, "clean.gpkg", 2020, "Z1", 0, None)
        assert t0 - dt.timedelta(seconds=1) <= at <= dt.datetime.now()
        assert json.loads(counts) == expected
        assert "4527" in crs and version
        # 6 parcels of 100 m × 100 m: 60 000 m² = 6 ha, by attribute and by stored geometry
        area, geom_area = con.execute("SELECT sum(area_eff_m2), sum(ST_Area(geom)) FROM parcels").fetchone()
        assert area == 60_000.0 and geom_area == pytest.approx(60_000.0)
        fp = con.execute("SELECT building_id, parcel_eff, footprint_eff_m2, floors FROM buildings "
                         "ORDER BY building_id").fetchall()
        assert fp == [("B1", "P1", 2000.0, 2), ("B2", "P1", 100.0, None), ("B3", "P1", 200.0, None),
                      ("B4", "P2", 400.0, 10), ("B5", "P3", 900.0, 2)]
        p1 = con.execute("SELECT supply_date, idle, user_id FROM parcels WHERE parcel_id = 'P1'").fetchone()
        assert p1 == (dt.date(2016, 5, 1), False, "E1")
        blanks = con.execute("SELECT count(*) FROM parcels WHERE land_use_code IN ('nan', 'None', '<NA>') "
                             "OR user_id IN ('nan', 'None', '<NA>')").fetchone()[0]
        assert blanks == 0
        assert con.execute("SELECT count(*) FROM parcels WHERE user_id IS NULL").fetchone()[0] == 5
    s = store.summary(db)
    assert s["snapshots"][0]["area_ha"] == pytest.approx(6.0)
    assert s["snapshots"][0]["buildings"] == 5
    assert s["imports"][0]["sha256"] == "b" * 64


def test_warnings_are_kept_with_the_import(tmp_path):
    layers = edit(clean_package(), "enterprises", 0, credit_code="91371500MA3C8KXX3X")
    res = store.import_package(tmp_path / "s.duckdb", report_of(layers))
    assert res.warnings == 1
    with store.open_store(tmp_path / "s.duckdb", read_only=True, spatial=False) as con:
        rows = con.execute("SELECT severity, code, layer, row_id, field FROM problems").fetchall()
    assert rows == [("warning", "bad_credit_code", "enterprises", "E1", "credit_code")]


def test_reimport_is_refused_without_replace_and_replaced_with_it(tmp_path):
    db = tmp_path / "s.duckdb"
    store.import_package(db, clean_report(sha="1" * 64))
    before = store_state(db)
    with pytest.raises(store.ImportConflict) as ei:
        store.import_package(db, clean_report(sha="2" * 64))
    assert ei.value.code == ReasonCode.ALREADY_IMPORTED and ei.value.exit_code == 1
    assert "--replace" in ei.value.message
    assert store_state(db) == before  # byte for byte
    res = store.import_package(db, clean_report(sha="2" * 64), replace=True)
    assert (res.import_id, res.replaced) == (2, [1])
    state = store_state(db)
    assert state["counts"]["parcels"] == 6  # replaced, not added
    assert state["snapshots"] == [("Z1", 2020, 2)]
    assert [(r[0], r[1], r[-1]) for r in state["imports"]] == [(1, "1" * 64, None), (2, "2" * 64, "1")]
    with store.open_store(db, read_only=True, spatial=False) as con:
        assert con.execute("SELECT DISTINCT import_id FROM parcels").fetchall() == [(2,)]


def test_another_year_is_another_snapshot(tmp_path):
    db = tmp_path / "s.duckdb"
    store.import_package(db, clean_report())
    res = store.import_package(db, clean_report(), year=2021)
    assert res.replaced == [] and res.year == 2021
    assert store_state(db)["snapshots"] == [("Z1", 2020, 1), ("Z1", 2021, 2)]


def test_replacing_part_of_an_earlier_import_is_refused(tmp_path):
    db = tmp_path / "s.duckdb"
    layers = clean_package()
    z = layers["zones"]
    two = pd.concat([z, z], ignore_index=True)
    two["zone_code"] = ["Z1", "Z2"]
    layers["zones"] = gpd.GeoDataFrame(two, geometry="geometry", crs=z.crs)
    store.import_package(db, report_of(layers))
    before = store_state(db)
    with pytest.raises(StoreError) as ei:
        store.import_package(db, clean_report(), replace=True)
    assert "Z2" in ei.value.message
    assert store_state(db) == before


def test_an_invalid_report_is_never_imported(tmp_path):
    db = tmp_path / "sub" / "s.duckdb"
    bad = report_of(edit(clean_package(), "parcels", 1, parcel_id="P1"))
    with pytest.raises(StoreError) as ei:
        store.import_package(db, bad)
    assert "未入库" in ei.value.message
    assert not db.exists() and not db.parent.exists()


def test_a_failure_half_way_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    store.import_package(db, clean_report())
    before = store_state(db)
    real = store._insert

    def failing(con, table, df, import_id):
        if table == "buildings":
            raise RuntimeError("disk full (simulated)")
        return real(con, table, df, import_id)

    monkeypatch.setattr(store, "_insert", failing)
    with pytest.raises(RuntimeError):
        store.import_package(db, clean_report(), replace=True)  # deletes import 1 first, then fails
    after = store_state(db)
    assert after["counts"] == before["counts"]
    assert after["imports"] == before["imports"] and after["snapshots"] == before["snapshots"]
    assert after == before  # byte for byte
    # a new database is not left behind, nor the folders made for it
    new = tmp_path / "a" / "b" / "new.duckdb"
    with pytest.raises(RuntimeError):
        store.import_package(new, clean_report())
    assert not new.exists() and not (tmp_path / "a").exists()


def test_package_year():
    assert store.package_year(clean_report()) == 2020  # zone_years.year
    layers = clean_package()
    layers.pop("zone_years")
    layers["enterprise_years"]["year"] = [2019]
    assert store.package_year(report_of(layers)) == 2019
    layers.pop("enterprise_years")
    assert store.package_year(report_of(layers)) == 2019  # latest supply_date: 2019-06-01


def test_summary_of_a_missing_store(tmp_path):
    with pytest.raises(StoreError):
        store.summary(tmp_path / "none.duckdb")
    assert not (tmp_path / "none.duckdb").exists()


def test_store_state_helper_sees_every_table(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.open_store(db, spatial=False):
        pass
    assert set(store_state(db)["counts"]) == set(STORE_TABLES)
    assert set(store.DATA_TABLES) <= set(STORE_TABLES)
    assert isinstance(Path(db), Path)


def test_read_only_connect_shares_a_store_this_process_holds_open(tmp_path: Path) -> None:
    """The web app holds its store read-write; the engines it calls open it read-only."""
    import duckdb

    db = tmp_path / "held.duckdb"
    rw = store.connect(db, spatial=False)
    try:
        rw.execute("CREATE TABLE t AS SELECT 42 AS x")
        with pytest.raises(duckdb.ConnectionException):  # DuckDB's refusal, not held: passed on
            store.connect(db, read_only=True, spatial=False)
        store.hold(db)
        ro = store.connect(db, read_only=True, spatial=False)
        assert ro.execute("SELECT x FROM t").fetchone() == (42,)
        ro.close()
        store.release(db)
        with pytest.raises(duckdb.ConnectionException):
            store.connect(db, read_only=True, spatial=False)
    finally:
        store.release(db)
        rw.close()


# --------------------------------------------------------------------------- a store in use elsewhere
def test_lock_conflict_wording():
    e = duckdb.IOException('IO Error: Could not set lock on file "/d/j.duckdb": Conflicting lock is held in '
                           '/usr/bin/python3.11 (PID 4321) by user clerk. See also https://duckdb.org/docs/x')
    msg = store.lock_conflict("/d/j.duckdb", e)
    assert msg is not None and "「/d/j.duckdb」正被另一个程序使用（进程号 4321，程序 python3.11）" in msg
    assert "jiyue serve" in msg and "副本" in msg and "不是 DuckDB" not in msg
    e = duckdb.IOException('IO Error: Could not set lock on file "/d/j.duckdb": Conflicting lock is held in '
                           'an unknown process. See also https://duckdb.org/docs/x')
    assert "进程号" not in store.lock_conflict("/d/j.duckdb", e) and "正被另一个程序使用" in store.lock_conflict(
        "/d/j.duckdb", e)
    assert store.lock_conflict("/d/j.duckdb", duckdb.IOException("IO Error: file is not a database")) is None


def test_a_store_held_by_another_process_is_reported_as_in_use(tmp_path, invoke):
    """While `jiyue serve` (here: another Python process) holds the file, every command is told so."""
    import subprocess
    import sys

    db = tmp_path / "busy.duckdb"
    with store.open_store(db, spatial=False):
        pass
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        for read_only in (True, False):
            with pytest.raises(StoreError) as ei:
                with store.open_store(db, read_only=read_only, spatial=False):
                    pass
            msg = ei.value.message
            assert f"「{db}」正被另一个程序使用（进程号 {holder.pid}，" in msg, msg
            assert "jiyue serve" in msg and "不是 DuckDB" not in msg and "IO Error" not in msg
        r = invoke("summary", "--db", db)
        assert r.code == 1 and f"进程号 {holder.pid}" in r.stderr and "Conflicting" not in r.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert store.summary(db)["imports"] == []  # free again once the other program has stopped


def test_summary_names_the_evaluation_type_in_chinese(tmp_path, invoke):
    db = tmp_path / "s.duckdb"
    store.import_package(db, clean_report())
    snap = store.summary(db)["snapshots"]  # the clean package's one zone is eval_type "integrated"
    assert [(z["eval_type"], z["eval_type_label"]) for z in snap] == [("integrated", "产城融合型")]
    r = invoke("summary", "--db", db)
    assert r.code == 0 and "年度，产城融合型）" in r.stdout and "integrated" not in r.stdout
