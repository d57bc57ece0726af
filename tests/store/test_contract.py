"""The store contract, run on both backends: a DuckDB file and a PostgreSQL + PostGIS server.

Every test takes ``backend`` (conftest.py): once a fresh DuckDB file path, once a fresh
PostgreSQL database URL. The engines must give identical figures on both
(:func:`test_engines_give_identical_figures_on_both_backends`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import geopandas as gpd
import pandas as pd
import pytest

from factories import STORE_TABLES, clean_package, edit, raw_package, report_of
from jiyue import migrations, store
from jiyue.errors import ReasonCode, StoreError
from jiyue.normalize import normalize
from jiyue.validate import validate


def clean_report(path: str = "clean.gpkg", sha: str = "a" * 64):
    raw = raw_package(clean_package(), path)
    raw.sha256 = sha
    return validate(normalize(raw))


def state(db) -> dict:
    """Counts, imports, snapshots, meta and a digest of every row of every store table."""
    with store.open_store(db, read_only=True) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in STORE_TABLES}
        digest = hashlib.sha256()
        for t in STORE_TABLES:
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [t]).fetchall()]
            sel = ", ".join(f"ST_AsText({c})" if c == "geom" else c for c in cols)
            for row in sorted(map(repr, con.execute(f"SELECT {sel} FROM {t}").fetchall())):
                digest.update(row.encode())
        return {"counts": counts,
                "imports": con.execute("SELECT * FROM imports ORDER BY import_id").fetchall(),
                "snapshots": con.execute("SELECT * FROM snapshots ORDER BY zone_code, year").fetchall(),
                "meta": con.execute("SELECT * FROM meta ORDER BY key").fetchall(),
                "rows": digest.hexdigest()}


def test_a_new_store_is_at_the_current_schema_version(backend):
    with store.open_store(backend) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
    before = state(backend)
    with store.open_store(backend) as con:  # reopening migrates nothing
        assert store.schema_version(con) == store.SCHEMA_VERSION
    assert state(backend) == before
    assert before["meta"] == [("schema_version", str(migrations.LATEST))]
    with store.open_store(backend, read_only=True) as con:  # every migration recorded once, in order
        recorded = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [r[0] for r in recorded] == [m.version for m in migrations.REGISTRY]


def test_import_writes_every_row_with_provenance(backend):
    t0 = dt.datetime.now()
    res = store.import_package(backend, clean_report(sha="b" * 64))
    assert (res.import_id, res.year, res.zones, res.replaced, res.warnings) == (1, 2020, ["Z1"], [], 0)
    expected = {"zones": 1, "parcels": 6, "buildings": 5, "enterprises": 1, "enterprise_years": 1,
                "zone_years": 1, "contracts": 1, "facilities": 1}
    assert res.counts == expected
    s = state(backend)
    assert {t: s["counts"][t] for t in expected} == expected and s["counts"]["problems"] == 0
    assert s["snapshots"] == [("Z1", 2020, 1)]
    with store.open_store(backend, read_only=True) as con:
        sha, source, at, year, zones, crs, counts = con.execute(
            "SELECT sha256, source, imported_at, year, zones, crs, counts FROM imports").fetchone()
        assert (sha, source, year, zones) == ("b" * 64, "clean.gpkg", 2020, "Z1")
        assert t0 - dt.timedelta(seconds=1) <= at <= dt.datetime.now()
        assert json.loads(counts) == expected and "4527" in crs
        area, geom_area = con.execute("SELECT sum(area_eff_m2), sum(ST_Area(geom)) FROM parcels").fetchone()
        assert area == 60_000.0 and geom_area == pytest.approx(60_000.0)
        fp = con.execute("SELECT building_id, parcel_eff, footprint_eff_m2, floors FROM buildings "
                         "ORDER BY building_id").fetchall()
        assert fp == [("B1", "P1", 2000.0, 2), ("B2", "P1", 100.0, None), ("B3", "P1", 200.0, None),
                      ("B4", "P2", 400.0, 10), ("B5", "P3", 900.0, 2)]
        p1 = con.execute("SELECT supply_date, idle, user_id FROM parcels WHERE parcel_id = 'P1'").fetchone()
        assert p1 == (dt.date(2016, 5, 1), False, "E1")
    summary = store.summary(backend)
    assert summary["snapshots"][0]["area_ha"] == pytest.approx(6.0)
    assert summary["snapshots"][0]["buildings"] == 5


def test_geometry_is_postgis_geometry_on_the_server(pg_url):
    """On PostgreSQL the geometry columns are real PostGIS columns (usable by GIS tools)."""
    import psycopg

    store.import_package(pg_url, clean_report())
    with psycopg.connect(pg_url) as c:
        types = dict(c.execute("SELECT table_name, udt_name FROM information_schema.columns "
                               "WHERE column_name = 'geom'").fetchall())
        assert types["parcels"] == "geometry" and types["zones"] == "geometry"
        assert c.execute("SELECT round(sum(ST_Area(geom))) FROM parcels").fetchone()[0] == 60_000


def test_warnings_are_kept_with_the_import(backend):
    layers = edit(clean_package(), "enterprises", 0, credit_code="91371500MA3C8KXX3X")
    assert store.import_package(backend, report_of(layers)).warnings == 1
    with store.open_store(backend, read_only=True, spatial=False) as con:
        rows = con.execute("SELECT severity, code, layer, row_id, field FROM problems").fetchall()
    assert rows == [("warning", "bad_credit_code", "enterprises", "E1", "credit_code")]


def test_reimport_is_refused_without_replace_and_replaced_with_it(backend):
    store.import_package(backend, clean_report(sha="1" * 64))
    before = state(backend)
    with pytest.raises(store.ImportConflict) as ei:
        store.import_package(backend, clean_report(sha="2" * 64))
    assert ei.value.code == ReasonCode.ALREADY_IMPORTED
    assert state(backend) == before
    res = store.import_package(backend, clean_report(sha="2" * 64), replace=True)
    assert (res.import_id, res.replaced) == (2, [1])
    s = state(backend)
    assert s["counts"]["parcels"] == 6 and s["snapshots"] == [("Z1", 2020, 2)]
    assert [(r[0], r[1], r[-1]) for r in s["imports"]] == [(1, "1" * 64, None), (2, "2" * 64, "1")]


def test_another_year_is_another_snapshot(backend):
    store.import_package(backend, clean_report())
    assert store.import_package(backend, clean_report(), year=2021).replaced == []
    assert state(backend)["snapshots"] == [("Z1", 2020, 1), ("Z1", 2021, 2)]


def test_replacing_part_of_an_earlier_import_is_refused(backend):
    layers = clean_package()
    z = layers["zones"]
    two = pd.concat([z, z], ignore_index=True)
    two["zone_code"] = ["Z1", "Z2"]
    layers["zones"] = gpd.GeoDataFrame(two, geometry="geometry", crs=z.crs)
    store.import_package(backend, report_of(layers))
    before = state(backend)
    with pytest.raises(StoreError) as ei:
        store.import_package(backend, clean_report(), replace=True)
    assert "Z2" in ei.value.message
    assert state(backend) == before


def test_a_failure_half_way_leaves_the_store_as_it_was(backend, monkeypatch):
    store.import_package(backend, clean_report())
    before = state(backend)
    real = store._insert

    def failing(con, table, df, import_id):
        if table == "buildings":
            raise RuntimeError("disk full (simulated)")
        return real(con, table, df, import_id)

    monkeypatch.setattr(store, "_insert", failing)
    with pytest.raises(RuntimeError):
        store.import_package(backend, clean_report(), replace=True)  # deletes import 1 first, then fails
    assert state(backend) == before


# --------------------------------------------------------------------------- the engines
@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory):
    from jiyue.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.gpkg")


def _comparable(doc):
    """A document without what legitimately differs between two stores (where, when)."""
    if isinstance(doc, dict):
        return {k: _comparable(v) for k, v in doc.items()
                if k not in ("db", "created_at", "updated_at", "at", "at_time", "imported_at", "generated_at")}
    if isinstance(doc, list):
        return [_comparable(v) for v in doc]
    return doc


def _approx(doc):
    """Numbers equal to 12 significant digits: a sum over the same rows in another order (DuckDB's
    parallel scan of PostgreSQL) may differ in the last bit; every shown figure is identical."""
    if isinstance(doc, dict):
        return {k: _approx(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_approx(v) for v in doc]
    if isinstance(doc, float):
        return pytest.approx(doc, rel=1e-12, abs=1e-12)
    return doc


def test_engines_give_identical_figures_on_both_backends(demo_gpkg, pg_url, tmp_path):
    """import → every engine of `make run` → the same documents from DuckDB and from PostgreSQL."""
    from support import run_jiyue, run_jiyue_many

    targets = {"duckdb": str(tmp_path / "demo.duckdb"), "postgresql": pg_url}
    imported = run_jiyue_many({k: ["import", demo_gpkg, "--db", db] for k, db in targets.items()})
    for k, r in imported.items():
        assert r.code == 0, (k, r.output)
    commands = {
        "summary": ["summary", "--format", "json"],
        "evaluate": ["evaluate", "--format", "json"],
        "mujun": ["mujun", "--scheme", "shandong-2019", "--format", "json"],
        "idle": ["idle", "--as-of", "2020-12-31", "--format", "json"],
        "standard-land": ["standard-land", "check", "--as-of", "2020-12-31", "--format", "json"],
    }
    runs = run_jiyue_many({(name, k): [*args, "--db", db] for name, args in commands.items()
                           for k, db in targets.items()})
    for name in commands:
        a, b = runs[(name, "duckdb")], runs[(name, "postgresql")]
        assert a.code == 0 and b.code == 0, (name, a.output[-2000:], b.output[-2000:])
        assert _comparable(a.json()) == _approx(_comparable(b.json())), name
    # the ledger: a campaign written by both, then read back
    for db in targets.values():
        r = run_jiyue("ledger", "inventory", "--db", db, "--since", "2016", "--as-of", "2020-12-31",
                      "--name", "排查", "--user", "演示")
        assert r.code == 0, r.output
    shown = {k: run_jiyue("ledger", "show", "--db", db, "--format", "json") for k, db in targets.items()}
    assert all(r.code == 0 for r in shown.values()), {k: r.output[-500:] for k, r in shown.items()}
    assert _comparable(shown["duckdb"].json()) == _approx(_comparable(shown["postgresql"].json()))
    assert len(shown["postgresql"].json()["items"]) > 10
