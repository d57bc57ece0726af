"""The standard-land ledger in the DuckDB store: an append-only table of life-cycle events.

Table ``sl_events`` (created by :func:`ensure_schema`, version kept in ``meta`` under
``schema_version.standard_land``). Every row is one change, never updated or deleted:

* ``action = 'record'``: a life-cycle event recorded by a user (who: ``recorded_by``, when:
  ``recorded_at``), with the contract's stage before and after in ``before`` / ``after``;
* ``action = 'void'``: a correction — ``target_id`` names the recorded row it cancels, ``before``
  holds that row as JSON, ``note`` the reason. The voided row stays in the table.

The package's own ``progress`` rows are not copied here: they are read from the imported
snapshot as given.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pandas as pd

import jiyue
from jiyue.errors import StoreError
from jiyue.standard_land import labels
from jiyue.standard_land.lifecycle import Event

SCHEMA_VERSION = 1
META_KEY = "schema_version.standard_land"
COLUMNS = ["event_id", "action", "target_id", "contract_no", "event", "date", "developed_area_m2", "invested_wan",
           "approved", "cause", "green_area_m2", "admin_area_m2", "recorded_by", "recorded_at", "note",
           "jiyue_version", "before", "after"]
MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE SEQUENCE IF NOT EXISTS sl_event_seq START 1",
        """CREATE TABLE IF NOT EXISTS sl_events (
            event_id INTEGER PRIMARY KEY, action VARCHAR NOT NULL, target_id INTEGER,
            contract_no VARCHAR NOT NULL, event VARCHAR, date DATE,
            developed_area_m2 DOUBLE, invested_wan DOUBLE, approved BOOLEAN, cause VARCHAR,
            green_area_m2 DOUBLE, admin_area_m2 DOUBLE,
            recorded_by VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL, note VARCHAR,
            jiyue_version VARCHAR, before VARCHAR, after VARCHAR)""",
    ],
}


def _version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchone()
    return int(row[0]) if row else 0


def ensure_schema(con: duckdb.DuckDBPyConnection, path: str = "") -> None:
    """Create or migrate the ledger tables (idempotent). Runs inside the caller's transaction."""
    current = _version(con)
    if current > SCHEMA_VERSION:
        raise StoreError(labels.ERR["ledger_newer"].format(path=path, found=current, expected=SCHEMA_VERSION))
    for version in range(current + 1, SCHEMA_VERSION + 1):
        for stmt in MIGRATIONS[version]:
            con.execute(stmt)
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_KEY, str(version)])


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'sl_events'").fetchone()
    return bool(row and row[0])


def log(con: duckdb.DuckDBPyConnection, contract_no: str | None = None) -> pd.DataFrame:
    """Every ledger row (records and voids), oldest first; optionally of one contract."""
    if not has_ledger(con):
        return pd.DataFrame(columns=COLUMNS)
    sql = f"SELECT {', '.join(COLUMNS)} FROM sl_events"
    params: list[Any] = []
    if contract_no is not None:
        sql += " WHERE contract_no = ?"
        params.append(contract_no)
    return con.execute(sql + " ORDER BY event_id", params).fetchdf()


def effective(log_df: pd.DataFrame) -> pd.DataFrame:
    """The recorded events that have not been voided, in the ``progress`` shape plus who/when."""
    if log_df.empty:
        return log_df
    voided = set(log_df.loc[log_df["action"] == "void", "target_id"].dropna().astype(int))
    rec = log_df[(log_df["action"] == "record") & ~log_df["event_id"].isin(voided)]
    return rec.rename(columns={"recorded_by": "user"})


def record(con: duckdb.DuckDBPyConnection, event: Event, *, before: str, after: str) -> int:
    """Append one recorded event; returns its ``event_id``."""
    event_id = int(con.execute("SELECT nextval('sl_event_seq')").fetchone()[0])  # type: ignore[index]
    con.execute(
        f"INSERT INTO sl_events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
        [event_id, "record", None, event.contract_no, event.event, event.date, event.developed_area_m2,
         event.invested_wan, event.approved, event.cause, event.green_area_m2, event.admin_area_m2, event.user,
         event.recorded_at or dt.datetime.now(), event.note, jiyue.__version__, before, after])
    return event_id


def void(con: duckdb.DuckDBPyConnection, target: dict[str, Any], *, user: str, reason: str) -> int:
    """Append a void row cancelling the recorded row ``target`` (a row of :func:`log`)."""
    event_id = int(con.execute("SELECT nextval('sl_event_seq')").fetchone()[0])  # type: ignore[index]
    snapshot = json.dumps({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in target.items()
                           if k in COLUMNS and not (isinstance(v, float) and v != v)}, ensure_ascii=False,
                          default=str)
    con.execute(
        f"INSERT INTO sl_events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
        [event_id, "void", int(target["event_id"]), target["contract_no"], target["event"], target["date"],
         None, None, None, None, None, None, user, dt.datetime.now(), reason, jiyue.__version__, snapshot, None])
    return event_id
