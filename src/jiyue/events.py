"""The one event store: every change recorded by a ledger is one row of ``events``, appended here.

Five streams write through :func:`append` / :func:`append_many`, always in the caller's
transaction (so an event commits or rolls back with the change it describes):

========================  =======================  =====================================================
stream                    projection table         what
========================  =======================  =====================================================
``ledger``                ``ledger_events``        idle-land / inventory ledger (jiyue.ledger, jiyue.idle)
``mujun``                 ``mujun_events``         per-mu publications, objections, decisions, corrections
``standard_land``         ``sl_events``            standard-land life-cycle records and their voids
``safety``                ``safety_events``        safety-production inspections, hazards, enforcement
``audit``                 ``web_audit``            the audit trail of the web app and of the CLI commands
========================  =======================  =====================================================

Guarantees (the ones the five ledgers had, now in one place): append-only — nothing here updates
or deletes; every event names who (``actor``) and when (``recorded_at``); a correction is a new
event (a standard-land ``void`` names the row it cancels, a per-mu correction is a new version,
a ledger change carries its before/after state). Each stream keeps its own numbering
(``stream_id``: the id its projection row and its evidence files refer to, drawn from the
stream's sequence as before); ``event_id`` numbers every event of the store in order.

The projection tables keep the columns their readers, CLI and web outputs were written for; they
are written only by :func:`append` (with the same row as the event's ``payload``). Their table
definitions, and that of ``events``, are in the one migration registry (:mod:`jiyue.migrations`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jiyue


@dataclass(frozen=True)
class Stream:
    name: str
    table: str
    #: the projection's id column (the stream's own numbering)
    id_col: str
    #: the sequence the id is drawn from (None: one more than the largest)
    sequence: str | None
    #: the projection's columns, id first, in table order
    columns: tuple[str, ...]
    kind: Callable[[dict[str, Any]], str]
    at: str
    actor: str


STREAMS: dict[str, Stream] = {s.name: s for s in (
    Stream("ledger", "ledger_events", "event_id", "ledger_event_seq",
           ("event_id", "campaign_id", "item_id", "kind", "at_time", "user_name", "payload", "state_before",
            "state_after"), lambda r: str(r["kind"]), "at_time", "user_name"),
    Stream("mujun", "mujun_events", "event_id", None,
           ("event_id", "event_at", "actor", "kind", "version_id", "objection_id", "before_json", "after_json"),
           lambda r: str(r["kind"]), "event_at", "actor"),
    Stream("standard_land", "sl_events", "event_id", "sl_event_seq",
           ("event_id", "action", "target_id", "contract_no", "event", "date", "developed_area_m2", "invested_wan",
            "approved", "cause", "green_area_m2", "admin_area_m2", "recorded_by", "recorded_at", "note",
            "jiyue_version", "before", "after"), lambda r: str(r["action"]), "recorded_at", "recorded_by"),
    Stream("safety", "safety_events", "event_id", "safety_event_seq",
           ("event_id", "campaign_id", "inspection_id", "hazard_id", "kind", "on_date", "at_time", "user_name",
            "payload", "state_before", "state_after", "evidence"), lambda r: str(r["kind"]), "at_time", "user_name"),
    Stream("audit", "web_audit", "event_id", "web_audit_seq",
           ("event_id", "created_at", "user_id", "username", "role", "ip", "action", "target", "before", "after"),
           lambda r: str(r["action"]), "created_at", "username"),
)}


def now() -> dt.datetime:
    """When an event is recorded: the local time to the second."""
    return dt.datetime.now().replace(microsecond=0)


def dump(value: Any) -> str | None:
    """A value as the JSON text stored in an event (keys sorted; None stays NULL)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def load(text: Any) -> Any:
    """The value of a JSON text written by :func:`dump` (NULL stays None)."""
    return None if text is None else json.loads(text)


def draw(con: Any, sequence: str, n: int) -> list[int]:
    """``n`` numbers from a sequence in one query (on PostgreSQL asked from the server: sequences
    are not transactional, so concurrent writers of several processes draw distinct numbers)."""
    if n <= 0:
        return []
    from jiyue import store_pg

    if isinstance(con, store_pg.PgConnection):
        sql = (f"SELECT nextval FROM postgres_query('{store_pg.CATALOG}', "
               f"'SELECT nextval(''{sequence}'') FROM generate_series(1, {int(n)})')")
    else:
        sql = f"SELECT nextval('{sequence}') FROM range({int(n)})"
    return sorted(int(r[0]) for r in con.execute(sql).fetchall())


def _next_ids(con: Any, stream: Stream, n: int) -> list[int]:
    if stream.sequence is not None:
        return draw(con, stream.sequence, n)
    row = con.execute(f"SELECT coalesce(max({stream.id_col}), 0) FROM {stream.table}").fetchone()
    first = int(row[0]) + 1 if row else 1
    return list(range(first, first + n))


def append(con: Any, stream: str, row: dict[str, Any], *, subject: str | None = None,
           zone: str | None = None) -> int:
    """Append one event to ``stream`` (in the caller's transaction); returns its stream id.

    ``row`` holds the projection's columns (without the id unless it was drawn already);
    ``subject`` is what the event is about (``hazard:7``, ``contract:C-1`` …), ``zone`` its zone
    when known."""
    return append_many(con, stream, [row], subjects=[subject], zones=[zone])[0]


def append_many(con: Any, stream: str, rows: Sequence[dict[str, Any]], *,
                subjects: Sequence[str | None] | None = None, zones: Sequence[str | None] | None = None
                ) -> list[int]:
    """Append several events of one stream at once (a bulk import); returns their stream ids."""
    if not rows:
        return []
    s = STREAMS[stream]
    fresh = iter(_next_ids(con, s, sum(1 for r in rows if r.get(s.id_col) is None)))
    full = [{**r, s.id_col: next(fresh)} if r.get(s.id_col) is None else dict(r) for r in rows]
    for r in full:
        unknown = set(r) - set(s.columns)
        if unknown:
            raise ValueError(f"{s.table}: unknown columns {sorted(unknown)}")
    cols = ", ".join(s.columns)
    marks = ", ".join("?" * len(s.columns))
    con.executemany(f"INSERT INTO {s.table} ({cols}) VALUES ({marks})",
                    [[r.get(c) for c in s.columns] for r in full])
    ids = draw(con, "event_seq", len(full))
    subjects = subjects if subjects is not None else [None] * len(full)
    zones = zones if zones is not None else [None] * len(full)
    con.executemany(
        "INSERT INTO events (event_id, stream, stream_id, kind, subject, zone_code, recorded_at, actor, payload, "
        "jiyue_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[ids[i], s.name, int(r[s.id_col]), s.kind(r), subj, zone, r.get(s.at) or dt.datetime.now(),
          str(r.get(s.actor) or ""), dump(r), jiyue.__version__]
         for i, (r, subj, zone) in enumerate(zip(full, subjects, zones, strict=True))])
    return [int(r[s.id_col]) for r in full]


def read(con: Any, stream: str | None = None, *, subject: str | None = None, kind: str | None = None
         ) -> list[dict[str, Any]]:
    """The events of one stream (or of all), oldest first, each with its payload decoded."""
    where, params = [], []
    for col, val in (("stream", stream), ("subject", subject), ("kind", kind)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    cur = con.execute("SELECT event_id, stream, stream_id, kind, subject, zone_code, recorded_at, actor, payload, "
                      f"jiyue_version FROM events {clause} ORDER BY event_id", params)
    keys = [d[0] for d in cur.description]
    out = []
    for r in cur.fetchall():
        d = dict(zip(keys, r, strict=True))
        d["payload"] = json.loads(d["payload"]) if d["payload"] else None
        out.append(d)
    return out


def audit(con: Any, *, user_id: int | None, username: str, role: str | None, ip: str | None, action: str,
          target: str | None, before: Any = None, after: Any = None) -> int:
    """Append one event of the ``audit`` stream (who, from where, what, before/after); returns its id.
    Written by the web app for every change it makes and by the command line where it records a
    change (no role or address then)."""
    return append(con, "audit", {"created_at": dt.datetime.now(), "user_id": user_id, "username": username,
                                 "role": role, "ip": ip, "action": action, "target": target,
                                 "before": dump(before), "after": dump(after)}, subject=target)
