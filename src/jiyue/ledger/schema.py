"""The ledger's tables in the store (their definitions are in the one migration registry,
:mod:`jiyue.migrations`; its events are written through :mod:`jiyue.events`, stream ``ledger``).

Tables (all append-only except the ``ledger_items`` projection, whose every change is also
an event carrying the before and after state):

* ``ledger_campaigns`` — one row per campaign (专项行动): kind, name, zone, parameters;
* ``ledger_items`` — one row per subject (a parcel …): current state, plan, findings;
* ``ledger_events`` — every change: kind, when, who, payload, before, after (the projection of
  the ``ledger`` stream of ``events``);
* ``ledger_evidence`` — files attached to events (name, SHA-256, size, the bytes themselves).
"""

from __future__ import annotations

import duckdb

from jiyue import migrations

#: the store's schema version this release writes (the registry's last migration)
SCHEMA_VERSION = migrations.LATEST


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version (0 = no jiyue tables yet)."""
    return migrations.schema_version(con)


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds the ledger tables."""
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ledger_events'").fetchone()
    return bool(row and row[0])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the store to the current schema (idempotent); refuse a store from a newer jiyue."""
    return migrations.ensure(con)
