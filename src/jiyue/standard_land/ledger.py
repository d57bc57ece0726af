"""The standard-land ledger in the DuckDB store: an append-only table of life-cycle events.

Table ``sl_events`` (defined in the one migration registry, :mod:`jiyue.migrations`): the
projection of the ``standard_land`` stream of the event store (:mod:`jiyue.events`, which alone
writes it). Every row is one change, never updated or deleted:

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
from jiyue import events, migrations
from jiyue.standard_land.lifecycle import Event

SCHEMA_VERSION = migrations.LATEST
COLUMNS = ["event_id", "action", "target_id", "contract_no", "event", "date", "developed_area_m2", "invested_wan",
           "approved", "cause", "green_area_m2", "admin_area_m2", "recorded_by", "recorded_at", "note",
           "jiyue_version", "before", "after"]


def ensure_schema(con: duckdb.DuckDBPyConnection, path: str = "") -> None:
    """Bring the store to the current schema (idempotent). Runs inside the caller's transaction."""
    migrations.ensure(con, path, own_tx=False)


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
    """Append one recorded event (stream ``standard_land`` of :mod:`jiyue.events`); returns its ``event_id``."""
    return events.append(con, "standard_land", {
        "action": "record", "target_id": None, "contract_no": event.contract_no, "event": event.event,
        "date": event.date, "developed_area_m2": event.developed_area_m2, "invested_wan": event.invested_wan,
        "approved": event.approved, "cause": event.cause, "green_area_m2": event.green_area_m2,
        "admin_area_m2": event.admin_area_m2, "recorded_by": event.user,
        "recorded_at": event.recorded_at or dt.datetime.now(), "note": event.note, "jiyue_version": jiyue.__version__,
        "before": before, "after": after}, subject=f"contract:{event.contract_no}")


def void(con: duckdb.DuckDBPyConnection, target: dict[str, Any], *, user: str, reason: str) -> int:
    """Append a void row cancelling the recorded row ``target`` (a row of :func:`log`): a correction
    is a new event; the voided row stays."""
    snapshot = json.dumps({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in target.items()
                           if k in COLUMNS and not (isinstance(v, float) and v != v)}, ensure_ascii=False,
                          default=str)
    return events.append(con, "standard_land", {
        "action": "void", "target_id": int(target["event_id"]), "contract_no": target["contract_no"],
        "event": target["event"], "date": target["date"], "recorded_by": user, "recorded_at": dt.datetime.now(),
        "note": reason, "jiyue_version": jiyue.__version__, "before": snapshot, "after": None},
        subject=f"contract:{target['contract_no']}")
