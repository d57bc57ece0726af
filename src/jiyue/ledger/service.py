"""A campaign ledger (专项行动台账): items that are planned, followed and closed (销号) with evidence.

Generic: a *campaign* holds *items* (one per subject — a parcel for the idle-land campaign,
an enterprise or a hazard for others). Every change is an event in ``ledger_events`` with who
(``user``), when, the payload and the item's state before and after; nothing is deleted or
overwritten except the ``ledger_items`` projection of the current state, which the events
reproduce exactly (:func:`replay`). Closing requires at least one evidence file (stored in
the store with its SHA-256) and a reviewer other than the user.

Item states: ``no_issue`` (nothing found) · ``open`` (in breach, no plan) · ``planned`` ·
``in_progress`` · ``closed``.

The functions take an open DuckDB connection; each changing function is one transaction.
Engine-specific rules (which plans are allowed, what the statistics mean) are passed in by
the engine (see :mod:`jiyue.idle.campaign`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from jiyue import events, store
from jiyue.errors import JiyueError, StoreError, UsageError
from jiyue.ledger import labels
from jiyue.ledger.schema import ensure_schema

STATES = ("no_issue", "open", "planned", "in_progress", "closed")


class LedgerRefused(JiyueError):
    """A ledger change was refused (missing evidence, closed item, invalid plan …); exit 1."""


_now, _dump, _load = events.now, events.dump, events.load  # the event store owns the plumbing


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, rolled back on any error (also runs :func:`jiyue.store.before_commit` work)."""
    con.execute("BEGIN")
    try:
        yield
        store.run_before_commit(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _next(con: duckdb.DuckDBPyConnection, seq: str) -> int:
    return int(con.execute(f"SELECT nextval('{seq}')").fetchone()[0])  # type: ignore[index]


def _event(con: duckdb.DuckDBPyConnection, *, campaign_id: int, item_id: int | None, kind: str, user: str,
           at: dt.datetime, payload: Any = None, before: Any = None, after: Any = None) -> int:
    """Append one event of the ``ledger`` stream (:mod:`jiyue.events`); returns its id."""
    zone = con.execute("SELECT zone_code FROM ledger_campaigns WHERE campaign_id = ?", [campaign_id]).fetchone()
    return events.append(con, "ledger", {
        "campaign_id": campaign_id, "item_id": item_id, "kind": kind, "at_time": at, "user_name": user,
        "payload": _dump(payload), "state_before": _dump(before), "state_after": _dump(after)},
        subject=f"campaign:{campaign_id}" + (f"/item:{item_id}" if item_id is not None else ""),
        zone=zone[0] if zone else None)


def _check_user(user: str | None) -> str:
    if not user or not str(user).strip():
        raise UsageError(labels.TEXT["no_user"])
    return str(user).strip()


# --------------------------------------------------------------------------- campaigns
def create_campaign(con: duckdb.DuckDBPyConnection, *, kind: str, name: str, zone_code: str | None,
                    params: dict[str, Any], items: Sequence[dict[str, Any]], user: str,
                    exist_ok: bool = False) -> tuple[int, bool]:
    """A new campaign with its items; returns (campaign_id, created). Items are dicts with
    ``subject``, ``ref``, ``title``, ``area_m2``, ``in_breach``, ``findings``."""
    user = _check_user(user)
    ensure_schema(con)
    row = con.execute("SELECT campaign_id FROM ledger_campaigns WHERE name = ? AND kind = ?", [name, kind]).fetchone()
    if row:
        if exist_ok:
            return int(row[0]), False
        raise LedgerRefused(labels.TEXT["campaign_exists"].format(name=name, campaign=row[0]))
    at = _now()
    with transaction(con):
        cid = _next(con, "ledger_campaign_seq")
        con.execute("INSERT INTO ledger_campaigns VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [cid, kind, name, zone_code, _dump(params), at, user])
        _event(con, campaign_id=cid, item_id=None, kind="campaign_created", user=user, at=at,
               payload={"name": name, "kind": kind, "zone_code": zone_code, "params": params, "items": len(items)})
        for it in items:
            iid = _next(con, "ledger_item_seq")
            state = "open" if it["in_breach"] else "no_issue"
            con.execute("INSERT INTO ledger_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [iid, cid, it["subject"], it.get("ref"), it.get("title"), it.get("area_m2"),
                         bool(it["in_breach"]), _dump(it.get("findings")), state, None, None, 1, at, user])
            _event(con, campaign_id=cid, item_id=iid, kind="item_added", user=user, at=at,
                   payload={"subject": it["subject"], "ref": it.get("ref"), "in_breach": bool(it["in_breach"]),
                            "findings": it.get("findings")},
                   after={"state": state, "plan": None, "outcome": None, "version": 1})
    return cid, True


def campaigns(con: duckdb.DuckDBPyConnection, kind: str | None = None) -> list[dict[str, Any]]:
    """Every campaign (newest last), with item counts by state."""
    rows = con.execute(
        "SELECT campaign_id, kind, name, zone_code, params, created_at, created_by FROM ledger_campaigns "
        + ("WHERE kind = ? " if kind else "") + "ORDER BY campaign_id", [kind] if kind else []).fetchall()
    out = []
    for r in rows:
        counts = dict(con.execute("SELECT state, count(*) FROM ledger_items WHERE campaign_id = ? GROUP BY state",
                                  [r[0]]).fetchall())
        out.append({"campaign_id": int(r[0]), "kind": r[1], "name": r[2], "zone_code": r[3], "params": _load(r[4]),
                    "created_at": r[5].isoformat(sep=" "), "created_by": r[6],
                    "items": int(sum(counts.values())), "by_state": {s: int(counts.get(s, 0)) for s in STATES}})
    return out


def get_campaign(con: duckdb.DuckDBPyConnection, campaign_id: int | None = None, kind: str | None = None
                 ) -> dict[str, Any]:
    """One campaign (the latest when ``campaign_id`` is None)."""
    all_ = campaigns(con, kind)
    if not all_:
        raise LedgerRefused(labels.TEXT["no_campaign"])
    if campaign_id is None:
        return all_[-1]
    for c in all_:
        if c["campaign_id"] == int(campaign_id):
            return c
    raise LedgerRefused(labels.TEXT["unknown_campaign"].format(
        campaign=campaign_id, known="、".join(f"{c['campaign_id']}（{c['name']}）" for c in all_)))


# --------------------------------------------------------------------------- items
_ITEM_COLS = ("item_id, campaign_id, subject, ref, title, area_m2, in_breach, findings, state, plan, outcome, "
              "version, updated_at, updated_by")


def _item(row: Sequence[Any]) -> dict[str, Any]:
    keys = [k.strip() for k in _ITEM_COLS.split(",")]
    d = dict(zip(keys, row))
    d["findings"], d["plan"], d["outcome"] = _load(d["findings"]), _load(d["plan"]), _load(d["outcome"])
    d["updated_at"] = d["updated_at"].isoformat(sep=" ")
    return d


def items(con: duckdb.DuckDBPyConnection, campaign_id: int) -> list[dict[str, Any]]:
    """The items of a campaign in the order they were added."""
    rows = con.execute(f"SELECT {_ITEM_COLS} FROM ledger_items WHERE campaign_id = ? ORDER BY item_id",
                       [campaign_id]).fetchall()
    return [_item(r) for r in rows]


def find_item(con: duckdb.DuckDBPyConnection, campaign_id: int, subject: str) -> dict[str, Any]:
    """The item of ``subject`` in a campaign."""
    row = con.execute(f"SELECT {_ITEM_COLS} FROM ledger_items WHERE campaign_id = ? AND subject = ?",
                      [campaign_id, subject]).fetchone()
    if row is None:
        raise LedgerRefused(labels.TEXT["unknown_item"].format(campaign=campaign_id, subject=subject))
    return _item(row)


def _snapshot(item: dict[str, Any]) -> dict[str, Any]:
    return {"state": item["state"], "plan": item["plan"], "outcome": item["outcome"], "version": item["version"]}


def _update(con: duckdb.DuckDBPyConnection, item: dict[str, Any], *, kind: str, user: str, payload: Any,
            state: str, plan: Any = ..., outcome: Any = ...) -> tuple[int, dict[str, Any]]:
    """Change an item's projection and write the event, in the caller's transaction."""
    at = _now()
    before = _snapshot(item)
    after = dict(before, state=state, version=item["version"] + 1)
    if plan is not ...:
        after["plan"] = plan
    if outcome is not ...:
        after["outcome"] = outcome
    con.execute("UPDATE ledger_items SET state = ?, plan = ?, outcome = ?, version = ?, updated_at = ?, "
                "updated_by = ? WHERE item_id = ?",
                [after["state"], _dump(after["plan"]), _dump(after["outcome"]), after["version"], at, user,
                 item["item_id"]])
    eid = _event(con, campaign_id=item["campaign_id"], item_id=item["item_id"], kind=kind, user=user, at=at,
                 payload=payload, before=before, after=after)
    return eid, after


def _refuse_closed(item: dict[str, Any]) -> None:
    if item["state"] == "closed":
        o = item["outcome"] or {}
        raise LedgerRefused(labels.TEXT["closed_item"].format(subject=item["subject"], at=o.get("closed_at", "—"),
                                                              reviewer=o.get("reviewer", "—")))


def record_plan(con: duckdb.DuckDBPyConnection, item: dict[str, Any], plan: dict[str, Any], *, user: str,
                check: Callable[[dict[str, Any], dict[str, Any]], list[str]] | None = None) -> dict[str, Any]:
    """Record (or replace) the item's disposal plan; ``check`` returns the problems that refuse it."""
    user = _check_user(user)
    _refuse_closed(item)
    if check is not None:
        problems = check(plan, item)
        if problems:
            raise LedgerRefused("\n".join(problems))
    state = "in_progress" if item["state"] == "in_progress" else "planned"
    with transaction(con):
        eid, after = _update(con, item, kind="plan_recorded", user=user,
                             payload={"plan": plan, "replaces": item["plan"]}, state=state, plan=plan)
    return {"event_id": eid, "item_id": item["item_id"], "subject": item["subject"], **after}


def record_progress(con: duckdb.DuckDBPyConnection, item: dict[str, Any], record: dict[str, Any], *, user: str
                    ) -> dict[str, Any]:
    """Add a progress record (date, note, figures) to an open item."""
    user = _check_user(user)
    _refuse_closed(item)
    with transaction(con):
        eid, after = _update(con, item, kind="progress_recorded", user=user, payload=record, state="in_progress")
    return {"event_id": eid, "item_id": item["item_id"], "subject": item["subject"], **after}


def _read_evidence(paths: Sequence[str | Path], subject: str) -> list[tuple[str, str, int, bytes]]:
    out = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise LedgerRefused(labels.TEXT["evidence_missing"].format(path=path, subject=subject))
        try:
            data = path.read_bytes()
        except OSError as e:
            raise LedgerRefused(labels.TEXT["evidence_unreadable"].format(path=path, err=e, subject=subject)) from None
        if not data:
            raise LedgerRefused(labels.TEXT["evidence_empty"].format(path=path, subject=subject))
        out.append((path.name, hashlib.sha256(data).hexdigest(), len(data), data))
    return out


def close_item(con: duckdb.DuckDBPyConnection, item: dict[str, Any], *, evidence: Sequence[str | Path],
               reviewer: str | None, user: str, outcome: str, note: str | None = None,
               outcomes: Sequence[str] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Close (销号) an item: at least one non-empty evidence file and a reviewer other than the user."""
    user = _check_user(user)
    subject = item["subject"]
    _refuse_closed(item)
    if not evidence:
        raise LedgerRefused(labels.TEXT["no_evidence"].format(subject=subject))
    if not reviewer or not str(reviewer).strip():
        raise LedgerRefused(labels.TEXT["no_reviewer"].format(subject=subject))
    reviewer = str(reviewer).strip()
    if reviewer == user:
        raise LedgerRefused(labels.TEXT["reviewer_is_user"].format(user=user, subject=subject))
    if outcomes is not None and outcome not in outcomes:
        raise LedgerRefused(labels.TEXT["bad_outcome"].format(found=outcome, expected="、".join(outcomes)))
    if not item["in_breach"] and item["plan"] is None:
        raise LedgerRefused(labels.TEXT["nothing_to_close"].format(subject=subject))
    files = _read_evidence(evidence, subject)
    at = _now()
    result = {"result": outcome, "note": note, "reviewer": reviewer, "closed_by": user,
              "closed_at": at.isoformat(sep=" "), "evidence": [{"file_name": n, "sha256": h, "size_bytes": s}
                                                               for n, h, s, _ in files], **(extra or {})}
    with transaction(con):
        eid, after = _update(con, item, kind="item_closed", user=user, payload=result, state="closed",
                             outcome=result)
        for name, sha, size, data in files:
            con.execute("INSERT INTO ledger_evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [_next(con, "ledger_evidence_seq"), eid, item["item_id"], name, sha, size, data, at])
    return {"event_id": eid, "item_id": item["item_id"], "subject": subject, **after}


def reopen_item(con: duckdb.DuckDBPyConnection, item: dict[str, Any], *, reason: str | None, user: str
                ) -> dict[str, Any]:
    """Re-open a closed item (the closing event and its evidence stay in the history)."""
    user = _check_user(user)
    if item["state"] != "closed":
        raise LedgerRefused(labels.TEXT["not_closed"].format(subject=item["subject"]))
    if not reason or not str(reason).strip():
        raise LedgerRefused(labels.TEXT["no_reason"])
    n_progress = con.execute("SELECT count(*) FROM ledger_events WHERE item_id = ? AND kind = 'progress_recorded'",
                             [item["item_id"]]).fetchone()[0]  # type: ignore[index]
    state = "in_progress" if n_progress else ("planned" if item["plan"] else
                                              ("open" if item["in_breach"] else "no_issue"))
    with transaction(con):
        eid, after = _update(con, item, kind="item_reopened", user=user,
                             payload={"reason": str(reason).strip(), "previous_outcome": item["outcome"]},
                             state=state, outcome=None)
    return {"event_id": eid, "item_id": item["item_id"], "subject": item["subject"], **after}


def record_campaign_event(con: duckdb.DuckDBPyConnection, campaign_id: int, *, kind: str, payload: Any,
                          user: str) -> int:
    """An event about the campaign as a whole (e.g. a recovery-economics record)."""
    user = _check_user(user)
    with transaction(con):
        return _event(con, campaign_id=campaign_id, item_id=None, kind=kind, user=user, at=_now(), payload=payload)


# --------------------------------------------------------------------------- reading
def history(con: duckdb.DuckDBPyConnection, campaign_id: int, item_id: int | None = None) -> list[dict[str, Any]]:
    """The events of a campaign (or one item), oldest first, with the evidence of each."""
    sql = ("SELECT e.event_id, e.item_id, i.subject, e.kind, e.at_time, e.user_name, e.payload, e.state_before, "
           "e.state_after "
           "FROM ledger_events e LEFT JOIN ledger_items i ON i.item_id = e.item_id WHERE e.campaign_id = ?")
    args: list[Any] = [campaign_id]
    if item_id is not None:
        sql += " AND e.item_id = ?"
        args.append(item_id)
    rows = con.execute(sql + " ORDER BY e.event_id", args).fetchall()
    ev: dict[int, list[dict[str, Any]]] = {}
    for r in con.execute("SELECT event_id, evidence_id, file_name, sha256, size_bytes FROM ledger_evidence "
                         "WHERE item_id IN (SELECT item_id FROM ledger_items WHERE campaign_id = ?) "
                         "ORDER BY evidence_id", [campaign_id]).fetchall():
        ev.setdefault(int(r[0]), []).append({"evidence_id": int(r[1]), "file_name": r[2], "sha256": r[3],
                                             "size_bytes": int(r[4])})
    return [{"event_id": int(r[0]), "item_id": None if r[1] is None else int(r[1]), "subject": r[2], "kind": r[3],
             "at": r[4].isoformat(sep=" "), "user": r[5], "payload": _load(r[6]), "before": _load(r[7]),
             "after": _load(r[8]), "evidence": ev.get(int(r[0]), [])} for r in rows]


def evidence_file(con: duckdb.DuckDBPyConnection, evidence_id: int) -> tuple[str, bytes, str]:
    """(file name, bytes, sha256) of one stored evidence file."""
    row = con.execute("SELECT file_name, content, sha256 FROM ledger_evidence WHERE evidence_id = ?",
                      [evidence_id]).fetchone()
    if row is None:
        raise LedgerRefused(f"没有编号为 {evidence_id} 的证明材料")
    return str(row[0]), bytes(row[1]), str(row[2])


def replay(con: duckdb.DuckDBPyConnection, campaign_id: int) -> dict[int, dict[str, Any]]:
    """The state of every item rebuilt from the events alone (checks the projection)."""
    state: dict[int, dict[str, Any]] = {}
    for e in history(con, campaign_id):
        if e["item_id"] is not None and e["after"] is not None:
            state[e["item_id"]] = e["after"]
    return state


def verify(con: duckdb.DuckDBPyConnection, campaign_id: int) -> list[str]:
    """Differences between the ``ledger_items`` projection and the replayed events (empty = consistent)."""
    if not isinstance(campaign_id, int):  # pragma: no cover
        raise StoreError("campaign_id")
    rebuilt = replay(con, campaign_id)
    diffs = []
    for it in items(con, campaign_id):
        if rebuilt.get(it["item_id"]) != _snapshot(it):
            diffs.append(it["subject"])
    return diffs
