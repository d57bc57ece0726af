"""The server store's translation layer and URL handling (no server needed)."""

from __future__ import annotations

from pathlib import Path

from jiyue import store, store_pg
from jiyue.cli.dbparam import DB


def test_sequences_are_sent_to_postgresql():
    assert store_pg.translate("CREATE SEQUENCE IF NOT EXISTS ledger_item_seq START 1") == (
        "CALL postgres_execute('store', 'CREATE SEQUENCE IF NOT EXISTS ledger_item_seq START 1')")
    assert store_pg.translate("CREATE SEQUENCE import_seq START 1").startswith(
        "CALL postgres_execute('store', 'CREATE SEQUENCE IF NOT EXISTS import_seq")
    got = store_pg.translate("SELECT nextval('web_audit_seq')")
    assert got == "SELECT (SELECT nextval FROM postgres_query('store', 'SELECT nextval(''web_audit_seq'')'))"
    plain = "SELECT count(*) FROM parcels WHERE zone_code = ?"
    assert store_pg.translate(plain) == plain


def test_reserved_column_names_of_the_tile_table():
    sql = "SELECT min(xmin), max(xmax), ST_XMin(g), t.ymin FROM web_parcel_geo WHERE xmax >= ? AND xmin <= ?"
    assert store_pg.translate(sql) == ("SELECT min(bbox_xmin), max(bbox_xmax), ST_XMin(g), t.ymin FROM web_parcel_geo "
                                       "WHERE bbox_xmax >= ? AND bbox_xmin <= ?")
    assert store_pg.translate("SELECT xmin FROM other") == "SELECT xmin FROM other"  # only that table


def test_passwords_never_travel_in_the_url(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = "postgresql://clerk:p%40ss@db.example:5433/jiyue?sslmode=require"
    assert store_pg.redact(url) == "postgresql://clerk:***@db.example:5433/jiyue?sslmode=require"
    stripped = DB.convert(url, None, None)
    assert stripped == "postgresql://clerk@db.example:5433/jiyue?sslmode=require"
    import os

    assert os.environ["PGPASSWORD"] == "p@ss"
    assert store_pg.database_name(stripped) == "jiyue"
    assert store_pg.database_name("postgresql://u@/x?host=/tmp/s") == "x"


def test_db_option_keeps_urls_and_paths_apart():
    assert DB.convert("data/jiyue.duckdb", None, None) == Path("data/jiyue.duckdb")
    assert DB.convert("postgresql://u@/jiyue?host=/tmp/s", None, None) == "postgresql://u@/jiyue?host=/tmp/s"
    assert store.exists("postgresql://u@h/jiyue") and not store.exists(Path("/nonexistent/x.duckdb"))
