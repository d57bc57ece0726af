"""The one migration registry: a store of the previous release (its own DDL and meta keys, copied
into previous_release.py) opens with this release, is migrated once, and every row stays readable
— on a DuckDB file and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

import previous_release as prev
from jiyue import events, migrations, store, store_pg
from jiyue.errors import StoreError
from jiyue.mujun import ledger as mujun_ledger
from jiyue.standard_land import ledger as sl_ledger
from jiyue.web import audit, queries

T = dt.datetime(2021, 3, 1, 9, 30, 0)


def _connect(target: Any) -> Any:
    if store_pg.is_url(target):
        store_pg.ensure_postgis(target)
        return store_pg.attach(target)
    return store.connect(Path(target))


def build_previous_release_store(target: Any) -> None:
    """Every table of the previous release, with the rows its commands would have written."""
    con = _connect(target)
    try:
        for stmts in (prev.STORE_MIGRATIONS[1], prev.STORE_MIGRATIONS[2], prev.LEDGER_MIGRATIONS[1], prev.MUJUN_DDL,
                      prev.SL_MIGRATIONS[1], prev.SAFETY_MIGRATIONS[1], prev.WEB_DDL[1]):
            for s in stmts:
                con.execute(s)
        for k, v in prev.META:
            con.execute("INSERT INTO meta VALUES (?, ?)", [k, v])
        x = con.execute
        # idle-land ledger: a campaign and two events (ids from the release's sequences)
        x("INSERT INTO ledger_campaigns VALUES (nextval('ledger_campaign_seq'), 'idle', '闲置土地清查', 'Z1', '{}', ?, "
          "'zhangsan')", [T])
        x("INSERT INTO ledger_items VALUES (nextval('ledger_item_seq'), 1, 'P1', 'C1', '地块 P1', 1000.0, TRUE, '[]', "
          "'open', NULL, NULL, 1, ?, 'zhangsan')", [T])
        x("INSERT INTO ledger_events VALUES (nextval('ledger_event_seq'), 1, NULL, 'campaign_created', ?, 'zhangsan', "
          "'{}', NULL, NULL)", [T])
        x("INSERT INTO ledger_events VALUES (nextval('ledger_event_seq'), 1, 1, 'item_added', ?, 'zhangsan', NULL, "
          "NULL, '{\"state\": \"open\"}')", [T])
        # per-mu: a published version, one enterprise, one objection from the CLI, two events
        x("INSERT INTO mujun_versions (version_id, year, zones, created_at, actor, document) "
          "VALUES (1, 2020, 'Z1', ?, 'wang', '{}')", [T])
        x("INSERT INTO mujun_results VALUES (1, 'E1', 'g', 'evaluated', 10.0, 80.0, 1, 'A', FALSE, FALSE)")
        x("INSERT INTO mujun_objections VALUES (1, 1, 'E1', ?, 'wang', '用地面积少计', '{}', '[]')", [T])
        x("INSERT INTO mujun_events VALUES (1, ?, 'wang', 'published', 1, NULL, NULL, '{}')", [T])
        x("INSERT INTO mujun_events VALUES (2, ?, 'wang', 'objection_filed', 1, 1, NULL, '{}')", [T])
        # standard land: one recorded life-cycle event
        x("INSERT INTO sl_events VALUES (nextval('sl_event_seq'), 'record', NULL, 'C1', 'start', DATE '2021-02-01', "
          "NULL, NULL, NULL, NULL, NULL, NULL, 'li', ?, NULL, '0.1', NULL, NULL)", [T])
        # safety: a campaign and its event
        x("INSERT INTO safety_campaigns VALUES (nextval('safety_campaign_seq'), '安全检查', 'Z1', NULL, NULL, NULL, "
          "NULL, ?, 'zhao')", [T])
        x("INSERT INTO safety_events VALUES (nextval('safety_event_seq'), 1, NULL, NULL, 'campaign', DATE '2021-03-01', "
          "?, 'zhao', '{}', NULL, NULL, 0)", [T])
        # web: two users, one audit row, two objections of the web's own table (one answered)
        x("INSERT INTO web_users VALUES (nextval('web_user_seq'), 'qiye1', '企业一', 'enterprise', 'E1', 'h', TRUE, ?, ?)",
          [T, T])
        x("INSERT INTO web_users VALUES (nextval('web_user_seq'), 'clerk', '办事员', 'bureau', NULL, 'h', TRUE, ?, ?)",
          [T, T])
        x("INSERT INTO web_audit VALUES (nextval('web_audit_seq'), ?, 1, 'qiye1', 'enterprise', '127.0.0.1', "
          "'objection.file', 'objection:1', NULL, '{}')", [T])
        x("INSERT INTO web_objections VALUES (1, 'E1', 2020, 'tax', '税收少计 12 万元', 'open', 1, ?, NULL, NULL, NULL)",
          [T])
        x("INSERT INTO web_objections VALUES (2, 'E1', 2020, 'land', '租用土地未计入', 'accepted', 1, ?, '已核实', 2, ?)",
          [T, T])
    finally:
        con.close()


def test_a_store_of_the_previous_release_is_migrated_and_stays_readable(backend):
    build_previous_release_store(backend)
    with store.open_store(backend) as con:
        assert store.schema_version(con) == migrations.LATEST
        rec = con.execute("SELECT version, description FROM schema_migrations ORDER BY version").fetchall()
        assert [r[0] for r in rec] == list(range(1, migrations.LATEST + 1))
        assert all("earlier release" in d for v, d in rec if v <= 7)  # recorded from meta, not re-run
        assert all("earlier release" not in d for v, d in rec if v > 7)
        # the old rows, through the public readers
        log = sl_ledger.log(con)
        assert log["contract_no"].tolist() == ["C1"] and log["recorded_by"].tolist() == ["li"]
        trail, total = audit.events(con)
        assert total == 1 and trail[0]["action"] == "objection.file" and trail[0]["after"] == {}
        # the web's objections are per-mu objections now: renumbered after the CLI one (1 → 2, 2 → 3)
        web = queries.objections(con, enterprise_id="E1")
        assert [(o["objection_id"], o["status"], o["subject"], o["year"], o["filed_by"]) for o in web] == [
            (3, "accepted", "land", 2020, "qiye1"), (2, "open", "tax", 2020, "qiye1"),
            (1, "open", "class", 2020, "wang")]
        assert (web[0]["answer"], web[0]["answered_by"]) == ("已核实", "clerk")
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'web_objections'"
                           ).fetchone()[0] == 0
        # every earlier event is in the one event store, each stream with its own numbering
        got = [(e["event_id"], e["stream"], e["stream_id"], e["kind"], e["actor"]) for e in events.read(con)]
        assert got == [(1, "ledger", 1, "campaign_created", "zhangsan"), (2, "ledger", 2, "item_added", "zhangsan"),
                       (3, "mujun", 1, "published", "wang"), (4, "mujun", 2, "objection_filed", "wang"),
                       (5, "standard_land", 1, "record", "li"), (6, "safety", 1, "campaign", "zhao"),
                       (7, "audit", 1, "objection.file", "qiye1")]
        assert events.read(con, "ledger")[1]["subject"] == "campaign:1/item:1"
        assert events.read(con, "ledger")[1]["zone_code"] == "Z1"
        # a new event continues the stream's own sequence and the store's numbering
        con.execute("BEGIN")
        sid = events.append(con, "ledger", {"campaign_id": 1, "item_id": 1, "kind": "planned", "at_time": T,
                                            "user_name": "zhangsan"}, subject="campaign:1/item:1")
        con.execute("COMMIT")
        assert sid == 3
        assert [(e["event_id"], e["stream_id"]) for e in events.read(con, "ledger")] == [(1, 1), (2, 2), (8, 3)]
    if not store_pg.is_url(backend):
        assert [o["objection_id"] for o in mujun_ledger.objections(backend)] == [1, 2, 3]
    with store.open_store(backend) as con:  # opening again applies nothing
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == migrations.LATEST
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 8


def test_a_new_store_records_every_migration_once(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.open_store(db, spatial=False) as con:
        rows = con.execute("SELECT version, description FROM schema_migrations ORDER BY version").fetchall()
        assert rows == [(m.version, m.description) for m in migrations.REGISTRY]
        assert migrations.pending(con) == []
        assert migrations.ensure(con) == migrations.LATEST  # every module's ensure_schema: nothing to do


def test_a_store_with_a_newer_migration_is_refused(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.open_store(db, spatial=False) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(migrations.LATEST + 1)])
    with pytest.raises(StoreError) as ei:
        with store.open_store(db, spatial=False):
            pass
    assert str(migrations.LATEST + 1) in ei.value.message


def test_a_failed_migration_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    duckdb.connect(str(db)).close()
    bad = migrations.Migration(migrations.LATEST + 1, "broken", ("CREATE TABLE ok_table (a INTEGER)",
                                                                 "THIS IS NOT SQL"))
    monkeypatch.setattr(migrations, "REGISTRY", (*migrations.REGISTRY, bad))
    monkeypatch.setattr(migrations, "LATEST", bad.version)
    with pytest.raises(duckdb.Error):
        with store.open_store(db, spatial=False):
            pass
    monkeypatch.undo()
    with store.open_store(db, spatial=False) as con:  # everything before the broken step was applied
        assert store.schema_version(con) == migrations.LATEST
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ok_table'"
                           ).fetchone()[0] == 0
