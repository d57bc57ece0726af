"""The audit trail: every write through the web application is one event (who, when, what,
before/after), written in the same transaction as the change it describes; admins read it. The
events are the ``audit`` stream of the one event store (:mod:`jiyue.events`, projection
``web_audit``); the safety commands of the CLI write to it too.

Actions are stable dotted names (``user.create``, ``upload.import``, ``ledger.close`` …); their
Chinese labels live in :data:`jiyue.web.labels.AUDIT_ACTIONS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from jiyue import events as event_store


@dataclass(frozen=True)
class Actor:
    """Who did it: the signed-in user (or an anonymous login attempt) and where from."""

    user_id: int | None
    username: str
    role: str | None
    ip: str | None


def record(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, target: str | None,
           before: Any = None, after: Any = None) -> int:
    """Append one audit event (stream ``audit`` of :mod:`jiyue.events`); returns its id."""
    return event_store.audit(con, user_id=actor.user_id, username=actor.username, role=actor.role, ip=actor.ip,
                             action=action, target=target, before=before, after=after)


def events(con: duckdb.DuckDBPyConnection, *, action: str | None = None, username: str | None = None,
           limit: int = 200, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Audit events newest first, optionally filtered; and the total count of the filter."""
    where: list[str] = []
    params: list[Any] = []
    if action:
        where.append("action LIKE ? ESCAPE '\\'")
        params.append(action.replace("\\", "").replace("%", "").replace("_", "\\_") + "%")
    if username:
        where.append("lower(username) = lower(?)")
        params.append(username)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    total_row = con.execute(f"SELECT count(*) FROM web_audit {clause}", params).fetchone()
    rows = con.execute(
        f"SELECT event_id, created_at AS at, user_id, username, role, ip, action, target, before, after FROM web_audit "
        f"{clause} ORDER BY event_id DESC LIMIT ? OFFSET ?", [*params, int(limit), int(offset)]).fetchall()
    keys = ("event_id", "at", "user_id", "username", "role", "ip", "action", "target", "before", "after")
    out = []
    for r in rows:
        d = dict(zip(keys, r, strict=True))
        d["at"] = d["at"].isoformat(timespec="seconds") if d["at"] else None
        for k in ("before", "after"):
            d[k] = json.loads(d[k]) if d[k] else None
        out.append(d)
    return out, int(total_row[0]) if total_row else 0
