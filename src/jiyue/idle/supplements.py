"""What the idle-land assessment reads back from the campaign ledger: the store opened for
reading and the supplementary agreements (补充协议) recorded as disposal plans.

Below both :mod:`jiyue.idle.service` (the assessment uses the agreements) and
:mod:`jiyue.idle.campaign` (the ledger's writing and reading), so neither imports the other's
caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from jiyue import store
from jiyue.errors import StoreError, UsageError
from jiyue.idle.facts import Supplement
from jiyue.idle.plans import supplement_of
from jiyue.ledger import service as ledger
from jiyue.ledger.schema import SCHEMA_VERSION, has_ledger, schema_version

#: the campaign kind of the idle-land ledger
KIND = "idle_land"


@contextmanager
def read_only(db: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store opened read-only (through ``jiyue.store`` so that a host process — the web
    server — can share its own connection)."""
    if not store.exists(db, file=True):
        raise UsageError(f"数据库文件不存在：{db}")
    with store.open_store(db, read_only=True) as con:
        if schema_version(con) > SCHEMA_VERSION:
            raise StoreError(f"数据库中的台账表版本为 {schema_version(con)}，本程序只支持到 {SCHEMA_VERSION}；请升级 jiyue。")
        yield con


def store_supplements(db: str | Path) -> dict[str, list[Supplement]]:
    """Supplementary agreements recorded as disposal plans (new start dates), by contract number."""
    out: dict[str, list[Supplement]] = {}
    with read_only(db) as con:
        if not has_ledger(con):
            return out
        for c in ledger.campaigns(con, KIND):
            for it in ledger.items(con, c["campaign_id"]):
                sup = supplement_of(it["plan"] or {})
                if sup is None or not it["ref"]:
                    continue
                out.setdefault(it["ref"], []).append(Supplement(sup[0], sup[1], sup[2],
                                                                ref=f"ledger:{c['campaign_id']}/{it['subject']}"))
    return out
