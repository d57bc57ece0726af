"""The safety ledger's tables in the store (defined in the one migration registry,
:mod:`jiyue.migrations`; events written through :mod:`jiyue.events`, stream ``safety``).

* ``safety_campaigns`` — a campaign (专项行动): name, period, zone, rule file and version;
* ``safety_inspections`` — one row per inspection (a group's visit): date, group, inspectors, enterprise;
* ``safety_hazards`` — the current-state projection of each hazard (every change is also an event);
* ``safety_events`` — append-only: kind, business date, when recorded, who, payload, before/after;
  enforcement (order, fine, stop, case) is an ``enforce`` event (the projection of the stream);
* ``safety_evidence`` — files (or, for an imported ledger, the row's evidence text) of events.
"""

from __future__ import annotations

import duckdb

from jiyue import migrations

SCHEMA_VERSION = migrations.LATEST


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    return migrations.schema_version(con)


def has_safety(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'safety_events'").fetchone()
    return bool(row and row[0])


def ensure_schema(con: duckdb.DuckDBPyConnection, *, own_tx: bool = True) -> int:
    """Bring the store to the current schema (idempotent); refuse a store from a newer jiyue."""
    return migrations.ensure(con, own_tx=own_tx)
