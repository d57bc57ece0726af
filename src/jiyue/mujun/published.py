"""The per-mu classes of published versions, read from the store (``mujun_versions``,
``mujun_results``: written by :mod:`jiyue.mujun.ledger`).

Below both :mod:`jiyue.mujun.service` (an evaluation reads the classes of earlier years) and
:mod:`jiyue.mujun.ledger` (which publishes, and evaluates through the service).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from jiyue import store


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds the per-mu ledger's tables."""
    r = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'mujun_versions'").fetchone()
    return bool(r and r[0])


def published_classes(db: str | Path, years: list[int]) -> dict[int, dict[str, str]]:
    """Per year: the classes of its latest published version (empty when none)."""
    if not store.exists(db):
        return {}
    with store.open_store(db, read_only=True) as con:
        if not has_ledger(con):
            return {}
        out: dict[int, dict[str, str]] = {}
        for y in years:
            r = con.execute("SELECT max(version_id) FROM mujun_versions WHERE year = ?", [y]).fetchone()
            if not r or r[0] is None:
                continue
            rows = con.execute("SELECT enterprise_id, class FROM mujun_results WHERE version_id = ? AND class IS NOT NULL",
                               [int(r[0])]).fetchall()
            out[y] = {str(a): str(b) for a, b in rows}
        return out
