"""The ledger's own tables in the DuckDB store, created idempotently by :func:`ensure_schema`.

Tables (all append-only except the ``ledger_items`` projection, whose every change is also
an event carrying the before and after state):

* ``ledger_campaigns`` — one row per campaign (专项行动): kind, name, zone, parameters;
* ``ledger_items`` — one row per subject (a parcel …): current state, plan, findings;
* ``ledger_events`` — every change: kind, when, who, payload, before, after;
* ``ledger_evidence`` — files attached to events (name, SHA-256, size, the bytes themselves).

The schema version is kept in the store's ``meta`` table under ``schema_version.ledger``.
"""

from __future__ import annotations

import duckdb

from jiyue.errors import StoreError

SCHEMA_KEY = "schema_version.ledger"
SCHEMA_VERSION = 1

MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE SEQUENCE IF NOT EXISTS ledger_campaign_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS ledger_item_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS ledger_event_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS ledger_evidence_seq START 1",
        """CREATE TABLE IF NOT EXISTS ledger_campaigns (
            campaign_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
            zone_code VARCHAR, params VARCHAR, created_at TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS ledger_items (
            item_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, subject VARCHAR NOT NULL,
            ref VARCHAR, title VARCHAR, area_m2 DOUBLE, in_breach BOOLEAN NOT NULL, findings VARCHAR,
            state VARCHAR NOT NULL, plan VARCHAR, outcome VARCHAR, version INTEGER NOT NULL,
            updated_at TIMESTAMP NOT NULL, updated_by VARCHAR NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS ledger_events (
            event_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, item_id INTEGER, kind VARCHAR NOT NULL,
            at_time TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL, payload VARCHAR, state_before VARCHAR,
            state_after VARCHAR)""",
        """CREATE TABLE IF NOT EXISTS ledger_evidence (
            evidence_id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, item_id INTEGER NOT NULL,
            file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, size_bytes BIGINT NOT NULL, content BLOB,
            added_at TIMESTAMP NOT NULL)""",
    ],
}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The ledger schema version in this store (0 = no ledger yet)."""
    has = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()
    if not has or not has[0]:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = ?", [SCHEMA_KEY]).fetchone()
    return int(row[0]) if row else 0


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds the ledger tables."""
    return schema_version(con) > 0


def ensure_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Create or upgrade the ledger tables (idempotent); refuse a store from a newer jiyue."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise StoreError(f"数据库中的台账表版本为 {current}，本程序只支持到 {SCHEMA_VERSION}；请升级 jiyue。")
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        con.execute("BEGIN")
        try:
            for stmt in MIGRATIONS[version]:
                con.execute(stmt)
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [SCHEMA_KEY, str(version)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION
