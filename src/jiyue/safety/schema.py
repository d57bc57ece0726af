"""The safety ledger's tables in the DuckDB store, created idempotently by :func:`ensure_schema`
(version under ``meta`` key ``schema_version.safety``, the shape of :mod:`jiyue.ledger.schema`).

* ``safety_campaigns`` — a campaign (专项行动): name, period, zone, rule file and version;
* ``safety_inspections`` — one row per inspection (a group's visit): date, group, inspectors, enterprise;
* ``safety_hazards`` — the current-state projection of each hazard (every change is also an event);
* ``safety_events`` — append-only: kind, business date, when recorded, who, payload, before/after;
  enforcement (order, fine, stop, case) is an ``enforce`` event;
* ``safety_evidence`` — files (or, for an imported ledger, the row's evidence text) of events.
"""

from __future__ import annotations

import duckdb

from jiyue.errors import StoreError

SCHEMA_KEY = "schema_version.safety"
SCHEMA_VERSION = 1

MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE SEQUENCE IF NOT EXISTS safety_campaign_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS safety_inspection_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS safety_hazard_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS safety_event_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS safety_evidence_seq START 1",
        """CREATE TABLE IF NOT EXISTS safety_campaigns (campaign_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
            zone_code VARCHAR, start_date DATE, end_date DATE, rules_name VARCHAR, rules_version VARCHAR,
            created_at TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS safety_inspections (inspection_id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL, on_date DATE NOT NULL, group_name VARCHAR NOT NULL, inspectors VARCHAR NOT NULL,
            mode VARCHAR, enterprise_id VARCHAR, enterprise_name VARCHAR, note VARCHAR, created_at TIMESTAMP NOT NULL,
            created_by VARCHAR NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS safety_hazards (hazard_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL,
            inspection_id INTEGER NOT NULL, enterprise_id VARCHAR, found_date DATE NOT NULL, description VARCHAR NOT NULL,
            category VARCHAR, level VARCHAR NOT NULL, grade VARCHAR NOT NULL, item VARCHAR, state VARCHAR NOT NULL,
            current VARCHAR NOT NULL, version INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS safety_events (event_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL,
            inspection_id INTEGER, hazard_id INTEGER, kind VARCHAR NOT NULL, on_date DATE NOT NULL,
            at_time TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL, payload VARCHAR, state_before VARCHAR,
            state_after VARCHAR, evidence INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE IF NOT EXISTS safety_evidence (evidence_id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL,
            hazard_id INTEGER NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR, size_bytes BIGINT, content BLOB,
            note VARCHAR, added_at TIMESTAMP NOT NULL)""",
    ],
}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    has = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()
    if not has or not has[0]:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = ?", [SCHEMA_KEY]).fetchone()
    return int(row[0]) if row else 0


def has_safety(con: duckdb.DuckDBPyConnection) -> bool:
    return schema_version(con) > 0


def ensure_schema(con: duckdb.DuckDBPyConnection, *, own_tx: bool = True) -> int:
    """Create or upgrade the safety tables (idempotent); refuse a store from a newer jiyue."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise StoreError(f"数据库中的安全生产台账表版本为 {current}，本程序只支持到 {SCHEMA_VERSION}；请升级 jiyue。")
    if current == SCHEMA_VERSION:
        return current
    if own_tx:
        con.execute("BEGIN")
    try:
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for stmt in MIGRATIONS[version]:
                con.execute(stmt)
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [SCHEMA_KEY, str(version)])
        if own_tx:
            con.execute("COMMIT")
    except BaseException:
        if own_tx:
            con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
