"""The safety ledger in the store: every change is one transaction holding the event, the
projection update and its audit event; refused changes raise before anything is written. Events
and audit events go through the one event store (:mod:`jiyue.events`, streams ``safety`` and
``audit``).

Every changing function takes an open DuckDB connection (``own_tx=False`` when the caller —
the web's ``Store.write()`` — already holds the transaction) and an optional ``audit`` hook
``audit(con, action, target, before, after)`` called inside the same transaction (the web's:
the signed-in user and address); without it (the CLI) the audit event names the ``user``.
The state rules are :mod:`jiyue.safety.engine`'s; this module reads the events, folds them,
applies the new one and writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from jiyue import events
from jiyue.errors import UsageError
from jiyue.safety import engine, labels
from jiyue.safety.engine import Hazard, Refused
from jiyue.safety.rules import Rules, load_rules
from jiyue.safety.schema import ensure_schema, has_safety

Audit = Callable[[duckdb.DuckDBPyConnection, str, str, Any, Any], Any]
Evidence = tuple[str, bytes | None, str | None]  # (file name, bytes or None, note)


_now, _dump, _load = events.now, events.dump, events.load  # the event store owns the plumbing


def _next(con: duckdb.DuckDBPyConnection, seq: str) -> int:
    return int(con.execute(f"SELECT nextval('{seq}')").fetchone()[0])  # type: ignore[index]


@contextmanager
def _tx(con: duckdb.DuckDBPyConnection, own: bool) -> Iterator[None]:
    if not own:
        yield
        return
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _user(user: str | None) -> str:
    if not user or not str(user).strip():
        raise UsageError(labels.TEXT["no_user"])
    return str(user).strip()


def _text(v: Any, what: str) -> str:
    t = "" if v is None else str(v).strip()
    if not t:
        raise Refused(labels.TEXT["empty"].format(what=what))
    return t


# --------------------------------------------------------------------------- enterprises
def enterprises(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The store's enterprises (latest import of each): id, name, credit code, industry code."""
    has = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'enterprises'").fetchone()
    if not has or not has[0]:
        return []
    rows = con.execute("""SELECT enterprise_id, arg_max(name, import_id), arg_max(credit_code, import_id),
        arg_max(industry_code, import_id) FROM enterprises GROUP BY enterprise_id ORDER BY enterprise_id""").fetchall()
    return [{"enterprise_id": r[0], "name": r[1], "credit_code": r[2], "industry_code": r[3]} for r in rows]


def match_enterprise(ents: Sequence[dict[str, Any]], text: str | None, code: str | None = None
                     ) -> dict[str, Any] | None:
    """The enterprise named (by credit code, id or exact name, spaces ignored)."""
    for key, val in (("credit_code", code), ("credit_code", text), ("enterprise_id", text)):
        v = (val or "").strip().upper()
        if v:
            for e in ents:
                if (e.get(key) or "").upper() == v:
                    return dict(e)
    norm = "".join((text or "").split()).replace("(", "（").replace(")", "）")
    for e in ents:
        if norm and "".join((e["name"] or "").split()).replace("(", "（").replace(")", "）") == norm:
            return dict(e)
    return None


def resolve_enterprise(con: duckdb.DuckDBPyConnection, text: str) -> dict[str, Any]:
    e = match_enterprise(enterprises(con), text)
    if e is None:
        raise Refused(labels.TEXT["unknown_enterprise"].format(name=text))
    return e


# --------------------------------------------------------------------------- campaigns
def campaigns(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    if not has_safety(con):
        return []
    rows = con.execute("""SELECT c.campaign_id, c.name, c.zone_code, c.start_date, c.end_date, c.rules_name,
        c.rules_version, c.created_at, c.created_by,
        (SELECT count(*) FROM safety_inspections i WHERE i.campaign_id = c.campaign_id),
        (SELECT count(*) FROM safety_hazards h WHERE h.campaign_id = c.campaign_id)
        FROM safety_campaigns c ORDER BY c.campaign_id""").fetchall()
    return [{"campaign_id": int(r[0]), "name": r[1], "zone_code": r[2],
             "start": r[3].isoformat() if r[3] else None, "end": r[4].isoformat() if r[4] else None,
             "rules": r[5], "rules_version": r[6], "created_at": r[7].isoformat(sep=" "), "created_by": r[8],
             "inspections": int(r[9]), "hazards": int(r[10])} for r in rows]


def get_campaign(con: duckdb.DuckDBPyConnection, campaign_id: int | None = None) -> dict[str, Any]:
    all_ = campaigns(con)
    if not all_:
        raise Refused(labels.TEXT["no_campaign"])
    if campaign_id is None:
        return all_[-1]
    for c in all_:
        if c["campaign_id"] == int(campaign_id):
            return c
    raise Refused(labels.TEXT["unknown_campaign"].format(
        campaign=campaign_id, known="、".join(f"{c['campaign_id']}（{c['name']}）" for c in all_)))


def rules_of(campaign: dict[str, Any], rules: str | Path | Rules | None = None) -> Rules:
    if isinstance(rules, Rules):
        return rules
    return load_rules(rules or campaign.get("rules"))


def create_campaign(con: duckdb.DuckDBPyConnection, *, name: str, start: dt.date | None, end: dt.date | None,
                    zone_code: str | None = None, rules: Rules | None = None, user: str, exist_ok: bool = False,
                    own_tx: bool = True, audit: Audit | None = None) -> tuple[int, bool]:
    user = _user(user)
    name = _text(name, "专项行动名称")
    rules = rules or load_rules()
    if start and end and end < start:
        raise Refused(labels.TEXT["date_before"].format(what="结束日期", date=end, other="开始日期", other_date=start))
    with _tx(con, own_tx):
        ensure_schema(con, own_tx=False)
        row = con.execute("SELECT campaign_id FROM safety_campaigns WHERE name = ?", [name]).fetchone()
        if row:
            if exist_ok:
                return int(row[0]), False
            raise Refused(labels.TEXT["campaign_exists"].format(name=name, campaign=row[0]))
        cid = _next(con, "safety_campaign_seq")
        at = _now()
        con.execute("INSERT INTO safety_campaigns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [cid, name, zone_code, start, end, rules.name, rules.version, at, user])
        payload = {"name": name, "start": start, "end": end, "zone_code": zone_code, "rules": rules.name,
                   "rules_version": rules.version}
        _event(con, cid, None, None, "campaign", start or at.date(), user, payload, None, None, 0)
        _audit(con, audit, user, "safety.campaign", f"safety_campaign:{cid}", None, payload)
    return cid, True


# --------------------------------------------------------------------------- events
def _subject(cid: int, inspection_id: int | None, hazard_id: int | None) -> str:
    if hazard_id is not None:
        return f"hazard:{hazard_id}"
    return f"inspection:{inspection_id}" if inspection_id is not None else f"campaign:{cid}"


def _event_row(cid: int, inspection_id: int | None, hazard_id: int | None, kind: str, on: dt.date, at: dt.datetime,
               user: str, payload: Any, before: Any, after: Any, evidence: int) -> dict[str, Any]:
    return {"campaign_id": cid, "inspection_id": inspection_id, "hazard_id": hazard_id, "kind": kind, "on_date": on,
            "at_time": at, "user_name": user, "payload": _dump(payload), "state_before": _dump(before),
            "state_after": _dump(after), "evidence": evidence}


def _event(con: duckdb.DuckDBPyConnection, cid: int, inspection_id: int | None, hazard_id: int | None, kind: str,
           on: dt.date, user: str, payload: Any, before: Any, after: Any, evidence: int) -> int:
    """Append one event of the ``safety`` stream (:mod:`jiyue.events`); returns its id."""
    return events.append(con, "safety", _event_row(cid, inspection_id, hazard_id, kind, on, _now(), user, payload,
                                                   before, after, evidence),
                         subject=_subject(cid, inspection_id, hazard_id), zone=_zone(con, cid))


def _zone(con: duckdb.DuckDBPyConnection, cid: int) -> str | None:
    row = con.execute("SELECT zone_code FROM safety_campaigns WHERE campaign_id = ?", [cid]).fetchone()
    return row[0] if row else None


def _audit(con: duckdb.DuckDBPyConnection, audit: Audit | None, user: str, action: str, target: str, before: Any,
           after: Any) -> None:
    """The audit event of a change: through the web's hook (who signed in, from where), or, from the
    command line, the ``--user`` (no role, no address) — the same ``audit`` stream either way."""
    if audit is not None:
        audit(con, action, target, before, after)
    else:
        events.audit(con, user_id=None, username=user, role=None, ip=None, action=action, target=target,
                     before=before, after=after)


def _store_evidence(con: duckdb.DuckDBPyConnection, eid: int, hazard_id: int, files: Sequence[Evidence]) -> None:
    for name, data, note in files:
        sha = hashlib.sha256(data).hexdigest() if data is not None else None
        con.execute("INSERT INTO safety_evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [_next(con, "safety_evidence_seq"), eid, hazard_id, name, sha,
                     None if data is None else len(data), data, note, _now()])


def read_evidence(paths: Sequence[str | Path]) -> list[Evidence]:
    """Evidence files from disk (each must exist and be non-empty), refused otherwise."""
    out: list[Evidence] = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise Refused(labels.TEXT["evidence_missing"].format(path=path))
        data = path.read_bytes()
        if not data:
            raise Refused(labels.TEXT["evidence_empty"].format(path=path))
        out.append((path.name, data, None))
    return out


def hazard_events(con: duckdb.DuckDBPyConnection, hazard_id: int) -> list[dict[str, Any]]:
    rows = con.execute("""SELECT event_id, kind, on_date, at_time, user_name, payload, state_before, state_after,
        evidence FROM safety_events WHERE hazard_id = ? ORDER BY event_id""", [hazard_id]).fetchall()
    ev: dict[int, list[dict[str, Any]]] = {}
    for r in con.execute("""SELECT event_id, evidence_id, file_name, sha256, size_bytes, note FROM safety_evidence
            WHERE hazard_id = ? ORDER BY evidence_id""", [hazard_id]).fetchall():
        ev.setdefault(int(r[0]), []).append({"evidence_id": int(r[1]), "file_name": r[2], "sha256": r[3],
                                             "size_bytes": r[4], "note": r[5]})
    return [{"event_id": int(r[0]), "hazard_id": hazard_id, "kind": r[1], "on": r[2].isoformat(),
             "at": r[3].isoformat(sep=" "), "user": r[4], "payload": _load(r[5]), "before": _load(r[6]),
             "after": _load(r[7]), "evidence": int(r[8]), "files": ev.get(int(r[0]), [])} for r in rows]


_HZ_COLS = ("hazard_id, campaign_id, inspection_id, enterprise_id, found_date, description, category, level, grade, "
            "item, state, current, version, updated_at, updated_by")


def _hz(row: Sequence[Any]) -> dict[str, Any]:
    d = dict(zip([k.strip() for k in _HZ_COLS.split(",")], row))
    d["found_date"] = d["found_date"].isoformat()
    d["current"] = _load(d["current"])
    d["updated_at"] = d["updated_at"].isoformat(sep=" ")
    return d


def get_hazard(con: duckdb.DuckDBPyConnection, hazard_id: int) -> dict[str, Any]:
    if not has_safety(con):
        raise Refused(labels.TEXT["no_campaign"])
    row = con.execute(f"SELECT {_HZ_COLS} FROM safety_hazards WHERE hazard_id = ?", [int(hazard_id)]).fetchone()
    if row is None:
        raise Refused(labels.TEXT["unknown_hazard"].format(hazard=hazard_id))
    return _hz(row)


def _state(con: duckdb.DuckDBPyConnection, hazard_id: int, rules: Rules) -> Hazard:
    h = engine.fold(hazard_events(con, hazard_id), rules)
    assert h is not None
    return h


def _write(con: duckdb.DuckDBPyConnection, row: dict[str, Any], before: Hazard, after: Hazard, kind: str,
           on: dt.date, user: str, payload: dict[str, Any], files: Sequence[Evidence], audit: Audit | None) -> int:
    eid = _event(con, row["campaign_id"], row["inspection_id"], row["hazard_id"], kind, on, user, payload,
                 before.public(), after.public(), len(files))
    _store_evidence(con, eid, row["hazard_id"], files)
    con.execute("UPDATE safety_hazards SET state = ?, current = ?, version = version + 1, updated_at = ?, "
                "updated_by = ? WHERE hazard_id = ?",
                [after.state, _dump(after.public()), _now(), user, row["hazard_id"]])
    _audit(con, audit, user, f"safety.{kind}", f"safety_hazard:{row['hazard_id']}", before.public(),
           {**after.public(), "event_id": eid, "payload": payload, "evidence": [f[0] for f in files]})
    return eid


def _change(con: duckdb.DuckDBPyConnection, hazard_id: int, kind: str, on: Any, user: str, payload: dict[str, Any],
            files: Sequence[Evidence], own_tx: bool, audit: Audit | None, rules: Rules | None,
            enterprise_id: str | None = None) -> dict[str, Any]:
    user = _user(user)
    day = _date(on, "日期")
    with _tx(con, own_tx):
        row = get_hazard(con, hazard_id)
        if enterprise_id is not None and row["enterprise_id"] != enterprise_id:
            raise Refused(labels.TEXT["not_own"].format(hazard=hazard_id))
        r = rules or rules_of(get_campaign(con, row["campaign_id"]))
        before = _state(con, row["hazard_id"], r)
        after = engine.apply(before, {"kind": kind, "on": day, "payload": payload, "evidence": len(files),
                                      "hazard_id": row["hazard_id"]}, r)
        eid = _write(con, row, before, after, kind, day, user, payload, files, audit)
    return {"event_id": eid, "hazard_id": int(hazard_id), "state": after.state, "hazard": after.public()}


def _date(v: Any, what: str) -> dt.date:
    try:
        d = engine.as_date(v)
    except ValueError:
        d = None
    if d is None:
        raise Refused(f"{what}「{v}」不是有效日期，应为如 2021-01-10 的日期")
    return d


# --------------------------------------------------------------------------- changes
def record_inspection(con: duckdb.DuckDBPyConnection, *, campaign_id: int | None, on: Any, group: str,
                      inspectors: Sequence[str], enterprise: str | dict[str, Any] | None, mode: str | None = None,
                      note: str | None = None, hazards: Sequence[dict[str, Any]] = (), user: str,
                      own_tx: bool = True, audit: Audit | None = None, rules: Rules | None = None) -> dict[str, Any]:
    """An inspection (a group's visit) with the hazards it found; all or nothing."""
    user = _user(user)
    day = _date(on, "检查日期")
    group = _text(group, "检查组")
    names = [n.strip() for n in inspectors if n and n.strip()]
    if not names:
        raise Refused(labels.TEXT["empty"].format(what="检查人员"))
    with _tx(con, own_tx):
        camp = get_campaign(con, campaign_id)
        r = rules or rules_of(camp)
        ent = enterprise if isinstance(enterprise, dict) else (resolve_enterprise(con, enterprise) if enterprise
                                                                 else None)
        iid = _next(con, "safety_inspection_seq")
        at = _now()
        con.execute("INSERT INTO safety_inspections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [iid, camp["campaign_id"], day, group, _dump(names), mode, ent and ent["enterprise_id"],
                     ent and ent["name"], note, at, user])
        payload = {"on": day, "group": group, "inspectors": names, "mode": mode,
                   "enterprise_id": ent and ent["enterprise_id"], "enterprise": ent and ent["name"], "note": note}
        _event(con, camp["campaign_id"], iid, None, "inspection", day, user, payload, None, None, 0)
        _audit(con, audit, user, "safety.inspect", f"safety_inspection:{iid}", None, payload)
        ids = [add_hazard(con, inspection_id=iid, user=user, own_tx=False, audit=audit, rules=r, **h)["hazard_id"]
               for h in hazards]
    return {"inspection_id": iid, "campaign_id": camp["campaign_id"], "hazards": ids}


def get_inspection(con: duckdb.DuckDBPyConnection, inspection_id: int) -> dict[str, Any]:
    row = con.execute("""SELECT inspection_id, campaign_id, on_date, group_name, inspectors, mode, enterprise_id,
        enterprise_name, note FROM safety_inspections WHERE inspection_id = ?""", [int(inspection_id)]).fetchone()
    if row is None:
        raise Refused(labels.TEXT["unknown_inspection"].format(inspection=inspection_id))
    return _inspection(row)


def _inspection(row: Sequence[Any]) -> dict[str, Any]:
    return {"inspection_id": int(row[0]), "campaign_id": int(row[1]), "on": row[2].isoformat(), "group": row[3],
            "inspectors": _load(row[4]), "mode": row[5], "enterprise_id": row[6], "enterprise": row[7],
            "note": row[8]}


def add_hazard(con: duckdb.DuckDBPyConnection, *, inspection_id: int, description: str, level: str,
               category: str | None = None, item: str | None = None, deadline: Any = None,
               plan: dict[str, Any] | None = None, found_date: Any = None, user: str, own_tx: bool = True,
               audit: Audit | None = None, rules: Rules | None = None) -> dict[str, Any]:
    """A hazard found at an inspection (state ``found``; the deadline by level unless given)."""
    user = _user(user)
    desc = _text(description, "隐患描述")
    with _tx(con, own_tx):
        ins = get_inspection(con, inspection_id)
        r = rules or rules_of(get_campaign(con, ins["campaign_id"]))
        day = _date(found_date or ins["on"], "发现日期")
        if day < dt.date.fromisoformat(ins["on"]):
            raise Refused(labels.TEXT["date_before"].format(what="发现日期", date=day, other="检查日期",
                                                            other_date=ins["on"]))
        dl = _date(deadline, "整改期限") if deadline not in (None, "") else None
        clean_plan = {k: v for k, v in (plan or {}).items() if v not in (None, "")}
        hid = _next(con, "safety_hazard_seq")
        h, info = engine.found(hid, level=(level or "").strip(), found_date=day, rules=r, deadline=dl, item=item,
                               plan=clean_plan)
        payload = {"level": h.level, "deadline": dl, "item": info["item"], "plan": clean_plan or None,
                   "description": desc, "category": category, "enterprise_id": ins["enterprise_id"], **info}
        payload["deadline"] = dl.isoformat() if dl else None
        con.execute(f"INSERT INTO safety_hazards ({_HZ_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [hid, ins["campaign_id"], inspection_id, ins["enterprise_id"], day, desc, category, h.level,
                     h.grade, info["item"], h.state, _dump(h.public()), 1, _now(), user])
        _event(con, ins["campaign_id"], inspection_id, hid, "found", day, user, payload, None, h.public(), 0)
        _audit(con, audit, user, "safety.found", f"safety_hazard:{hid}", None, {**h.public(), "description": desc})
    return {"hazard_id": hid, "state": h.state, "hazard": h.public()}


def rectify(con: duckdb.DuckDBPyConnection, hazard_id: int, *, on: Any, plan: dict[str, Any], user: str,
            own_tx: bool = True, audit: Audit | None = None, rules: Rules | None = None) -> dict[str, Any]:
    payload = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in plan.items() if v not in (None, "")}
    if "funds_wan" in payload:
        try:
            payload["funds_wan"] = float(payload["funds_wan"])
        except (TypeError, ValueError):
            raise Refused(labels.TEXT["bad_amount"].format(what="整改资金", found=payload["funds_wan"])) from None
    if "deadline" in payload:
        payload["deadline"] = _date(payload["deadline"], "整改期限").isoformat()
    return _change(con, hazard_id, "rectify", on, user, payload, (), own_tx, audit, rules)


def submit(con: duckdb.DuckDBPyConnection, hazard_id: int, *, on: Any, evidence: Sequence[Evidence], user: str,
           note: str | None = None, enterprise_id: str | None = None, own_tx: bool = True,
           audit: Audit | None = None, rules: Rules | None = None) -> dict[str, Any]:
    """The enterprise's rectification with evidence; ``enterprise_id``: the acting enterprise (its own only)."""
    return _change(con, hazard_id, "submit", on, user, {"note": note}, evidence, own_tx, audit, rules,
                   enterprise_id=enterprise_id)


def reinspect(con: duckdb.DuckDBPyConnection, hazard_id: int, *, on: Any, passed: bool, reviewer: str | None,
              user: str, note: str | None = None, own_tx: bool = True, audit: Audit | None = None,
              rules: Rules | None = None) -> dict[str, Any]:
    return _change(con, hazard_id, "reinspect", on, user,
                   {"passed": bool(passed), "reviewer": (reviewer or "").strip() or None, "note": note}, (),
                   own_tx, audit, rules)


def close(con: duckdb.DuckDBPyConnection, hazard_id: int, *, on: Any, user: str, evidence: Sequence[Evidence] = (),
          note: str | None = None, own_tx: bool = True, audit: Audit | None = None,
          rules: Rules | None = None) -> dict[str, Any]:
    return _change(con, hazard_id, "close", on, user, {"note": note}, evidence, own_tx, audit, rules)


def escalate(con: duckdb.DuckDBPyConnection, hazard_id: int, *, on: Any, user: str, note: str | None = None,
             own_tx: bool = True, audit: Audit | None = None, rules: Rules | None = None) -> dict[str, Any]:
    return _change(con, hazard_id, "escalate", on, user, {"note": note}, (), own_tx, audit, rules)


def enforce(con: duckdb.DuckDBPyConnection, *, measure: str, on: Any, user: str, hazard_id: int | None = None,
            inspection_id: int | None = None, amount_wan: Any = None, article: str | None = None,
            note: str | None = None, own_tx: bool = True, audit: Audit | None = None,
            rules: Rules | None = None) -> dict[str, Any]:
    """An enforcement measure (order / fine / stop / case) on an inspection or a hazard, with its article."""
    user = _user(user)
    day = _date(on, "执法日期")
    with _tx(con, own_tx):
        if hazard_id is not None:
            row = get_hazard(con, hazard_id)
            inspection_id = row["inspection_id"]
        if inspection_id is None:
            raise UsageError("执法措施须对应一次检查（--inspection）或一项隐患（--hazard）")
        ins = get_inspection(con, inspection_id)
        r = rules or rules_of(get_campaign(con, ins["campaign_id"]))
        amount, default_article = engine.check_enforcement(measure, amount_wan, r)
        if day < dt.date.fromisoformat(ins["on"]):
            raise Refused(labels.TEXT["date_before"].format(what="执法日期", date=day, other="检查日期",
                                                            other_date=ins["on"]))
        payload = {"measure": measure, "label": r.enforcement[measure]["label"], "amount_wan": amount,
                   "article": article or default_article, "enterprise_id": ins["enterprise_id"], "note": note}
        eid = _event(con, ins["campaign_id"], inspection_id, hazard_id, "enforce", day, user, payload, None, None, 0)
        _audit(con, audit, user, "safety.enforce", f"safety_inspection:{inspection_id}", None,
               {**payload, "event_id": eid})
    return {"event_id": eid, **payload}


# --------------------------------------------------------------------------- reading
def hazards(con: duckdb.DuckDBPyConnection, campaign_id: int | None = None, *, enterprise_id: str | None = None,
            as_of: dt.date | None = None, rules: Rules | None = None) -> list[dict[str, Any]]:
    """Hazards (with inspection and enterprise), their state as of a date (default: now) and status."""
    if not has_safety(con):
        return []
    where: list[str] = []
    args: list[Any] = []
    if campaign_id is not None:
        where.append("h.campaign_id = ?")
        args.append(int(campaign_id))
    if enterprise_id is not None:
        where.append("h.enterprise_id = ?")
        args.append(enterprise_id)
    rows = con.execute(f"""SELECT {', '.join('h.' + c.strip() for c in _HZ_COLS.split(','))}, i.on_date, i.group_name,
        i.enterprise_name FROM safety_hazards h JOIN safety_inspections i USING (inspection_id)
        {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY h.hazard_id""", args).fetchall()
    out = []
    rules_cache: dict[int, Rules] = {}
    by_hazard: dict[int, list[dict[str, Any]]] = {}
    if as_of is not None:
        for e in con.execute("SELECT hazard_id, kind, on_date, payload, evidence FROM safety_events "
                             "WHERE hazard_id IS NOT NULL AND kind <> 'enforce' ORDER BY event_id").fetchall():
            by_hazard.setdefault(int(e[0]), []).append({"hazard_id": int(e[0]), "kind": e[1], "on": e[2],
                                                        "payload": _load(e[3]), "evidence": int(e[4])})
    for r in rows:
        d = _hz(r[:15])
        d.update(inspection_date=r[15].isoformat(), group=r[16], enterprise=r[17])
        cur = d["current"]
        if as_of is not None:
            if rules is None and d["campaign_id"] not in rules_cache:
                rules_cache[d["campaign_id"]] = rules_of(get_campaign(con, d["campaign_id"]))
            rr = rules or rules_cache[d["campaign_id"]]
            h = engine.fold(by_hazard.get(d["hazard_id"], []), rr, as_of)
            if h is None:
                continue
            cur = h.public()
            d["state"] = h.state
        day = as_of or dt.date.today()
        h_dl = engine.as_date(cur.get("deadline"))
        d["deadline"] = cur.get("deadline")
        d["listed"] = bool(cur.get("listed"))
        d["status"] = ("overdue" if d["state"] in ("found", "rectifying") and h_dl and day > h_dl else d["state"])
        d["description_short"] = d["description"][:60]
        out.append(d)
    return out


def _events_of_kind(con: duckdb.DuckDBPyConnection, kind: str, campaign_id: int | None) -> list[dict[str, Any]]:
    rows = con.execute("SELECT event_id, campaign_id, inspection_id, hazard_id, on_date, payload FROM safety_events "
                       "WHERE kind = ?" + (" AND campaign_id = ?" if campaign_id is not None else "")
                       + " ORDER BY event_id", [kind] + ([int(campaign_id)] if campaign_id is not None else [])
                       ).fetchall()
    return [{"event_id": int(r[0]), "campaign_id": int(r[1]), "inspection_id": r[2], "hazard_id": r[3],
             "on": r[4].isoformat(), **(_load(r[5]) or {})} for r in rows]


def inspections(con: duckdb.DuckDBPyConnection, campaign_id: int | None = None,
                enterprise_id: str | None = None) -> list[dict[str, Any]]:
    if not has_safety(con):
        return []
    where: list[str] = []
    args: list[Any] = []
    if campaign_id is not None:
        where.append("campaign_id = ?")
        args.append(int(campaign_id))
    if enterprise_id is not None:
        where.append("enterprise_id = ?")
        args.append(enterprise_id)
    rows = con.execute("SELECT inspection_id, campaign_id, on_date, group_name, inspectors, mode, enterprise_id, "
                       "enterprise_name, note FROM safety_inspections "
                       + ("WHERE " + " AND ".join(where) if where else "") + " ORDER BY inspection_id", args).fetchall()
    return [_inspection(r) for r in rows]


def enforcement(con: duckdb.DuckDBPyConnection, campaign_id: int | None = None,
                enterprise_id: str | None = None) -> list[dict[str, Any]]:
    if not has_safety(con):
        return []
    out = _events_of_kind(con, "enforce", campaign_id)
    return [e for e in out if enterprise_id is None or e.get("enterprise_id") == enterprise_id]


def stats(con: duckdb.DuckDBPyConnection, campaign_id: int | None = None, *, as_of: dt.date | None = None,
          start: dt.date | None = None, end: dt.date | None = None, rules: Rules | None = None) -> dict[str, Any]:
    """Statistics of a campaign (its period by default) or of a period across campaigns (campaign_id=0)."""
    camp = None if campaign_id == 0 else get_campaign(con, campaign_id)
    cid = None if camp is None else camp["campaign_id"]
    r = rules or (rules_of(camp) if camp else load_rules())
    if camp:
        start = start or (dt.date.fromisoformat(camp["start"]) if camp["start"] else None)
        end = end or (dt.date.fromisoformat(camp["end"]) if camp["end"] else None)
    as_of = as_of or end or dt.date.today()
    ents = enterprises(con)
    doc = engine.statistics(inspections(con, cid), hazards(con, cid, as_of=as_of, rules=r), enforcement(con, cid), r,
                            as_of=as_of, start=start, end=end,
                            industry_of={e["enterprise_id"]: e["industry_code"] for e in ents},
                            name_of={e["enterprise_id"]: e["name"] for e in ents})
    doc["campaign"] = camp
    doc["rules"] = r.describe()
    return doc


def enterprise_history(con: duckdb.DuckDBPyConnection, enterprise_id: str) -> dict[str, Any]:
    """The enterprise's safety file (一企一档): inspections, hazards with their states, enforcement."""
    hz = hazards(con, enterprise_id=enterprise_id)
    return {"inspections": inspections(con, enterprise_id=enterprise_id), "hazards": hz,
            "enforcement": enforcement(con, enterprise_id=enterprise_id),
            "open": sum(1 for h in hz if h["state"] != "closed")}


def evidence_file(con: duckdb.DuckDBPyConnection, evidence_id: int) -> tuple[str, bytes, str, int]:
    row = con.execute("SELECT file_name, content, sha256, hazard_id FROM safety_evidence WHERE evidence_id = ?",
                      [int(evidence_id)]).fetchone()
    if row is None or row[1] is None:
        raise Refused(f"没有编号为 {evidence_id} 的证明材料文件")
    return str(row[0]), bytes(row[1]), str(row[2]), int(row[3])


def verify(con: duckdb.DuckDBPyConnection, campaign_id: int | None = None) -> list[int]:
    """Hazards whose projection differs from the fold of their events (empty = consistent)."""
    bad = []
    for h in hazards(con, campaign_id):
        r = rules_of(get_campaign(con, h["campaign_id"]))
        folded = engine.fold(hazard_events(con, h["hazard_id"]), r)
        if folded is None or folded.public() != h["current"]:
            bad.append(h["hazard_id"])
    return bad


# --------------------------------------------------------------------------- bulk (import, demo)
def _ids(con: duckdb.DuckDBPyConnection, seq: str, n: int) -> list[int]:
    if n == 0:
        return []
    return [int(r[0]) for r in con.execute(f"SELECT nextval('{seq}') FROM range({int(n)})").fetchall()]


def bulk_load(con: duckdb.DuckDBPyConnection, *, campaign_id: int, rules: Rules, user: str,
              records: Sequence[dict[str, Any]], own_tx: bool = True, audit: Audit | None = None) -> dict[str, int]:
    """Many inspections with their hazards, hazard events and enforcement, in one transaction.

    ``records``: dicts with on, group, inspectors, mode, enterprise_id, enterprise_name, note,
    ``hazards`` (description, category, level, item, deadline, plan, ``events``: [{kind, on,
    payload, evidence: [Evidence]}]) and ``enforcement`` ([{measure, on, amount_wan, article,
    hazard: index into hazards or None}]). Every hazard is folded by the engine first; the
    first refusal stops everything (nothing written).
    """
    user = _user(user)
    now = _now()
    n_h = sum(len(r.get("hazards") or []) for r in records)
    # fold everything first (pure): a refusal leaves the store untouched
    folded: list[list[list[tuple[dict[str, Any], Hazard]]]] = []
    for r in records:
        hs: list[list[tuple[dict[str, Any], Hazard]]] = []
        for hz in r.get("hazards") or []:
            steps: list[tuple[dict[str, Any], Hazard]] = []
            h0, info = engine.found(0, level=hz["level"], found_date=_date(hz.get("found_date") or r["on"], "发现日期"),
                                    rules=rules, deadline=engine.as_date(hz.get("deadline")), item=hz.get("item"),
                                    plan=hz.get("plan"))
            steps.append(({"kind": "found", "on": h0.found_date, "evidence": [], "payload": {
                "level": h0.level, "deadline": hz.get("deadline") and engine.as_date(hz["deadline"]).isoformat(),  # type: ignore[union-attr]
                "item": info["item"], "plan": hz.get("plan") or None, "description": hz["description"],
                "category": hz.get("category"), "enterprise_id": r.get("enterprise_id"), **info}}, h0))
            h = h0
            for ev in hz.get("events") or []:
                h = engine.apply(h, {"kind": ev["kind"], "on": ev["on"], "payload": ev.get("payload") or {},
                                     "evidence": len(ev.get("evidence") or [])}, rules)
                steps.append((ev, h))
            hs.append(steps)
        folded.append(hs)
        for e in r.get("enforcement") or []:
            engine.check_enforcement(e["measure"], e.get("amount_wan"), rules)
    with _tx(con, own_tx):
        ensure_schema(con, own_tx=False)
        ins_ids = _ids(con, "safety_inspection_seq", len(records))
        hz_ids = iter(_ids(con, "safety_hazard_seq", n_h))
        ins_rows, hz_rows, ev_rows, evid_rows, enf_events = [], [], [], [], 0
        evs: list[list[Any]] = []
        for iid, r, hs in zip(ins_ids, records, folded, strict=True):
            day = _date(r["on"], "检查日期")
            ins_rows.append([iid, campaign_id, day, r["group"], _dump(list(r["inspectors"])), r.get("mode"),
                             r.get("enterprise_id"), r.get("enterprise_name"), r.get("note"), now, user])
            evs.append([campaign_id, iid, None, "inspection", day, user,
                        {"on": day, "group": r["group"], "inspectors": list(r["inspectors"]), "mode": r.get("mode"),
                         "enterprise_id": r.get("enterprise_id"), "enterprise": r.get("enterprise_name"),
                         "note": r.get("note")}, None, None, []])
            hids = []
            for hz, steps in zip(r.get("hazards") or [], hs, strict=True):
                hid = next(hz_ids)
                hids.append(hid)
                prev = None
                for ev, h in steps:
                    h = replace_id(h, hid)
                    evs.append([campaign_id, iid, hid, ev["kind"], engine.as_date(ev["on"]), user,
                                ev.get("payload") or {}, prev and prev.public(), h.public(),
                                list(ev.get("evidence") or [])])
                    prev = h
                assert prev is not None
                hz_rows.append([hid, campaign_id, iid, r.get("enterprise_id"), prev.found_date, hz["description"],
                                hz.get("category"), prev.level, prev.grade, steps[0][0]["payload"]["item"],
                                prev.state, _dump(prev.public()), len(steps), now, user])
            for e in r.get("enforcement") or []:
                amount, article = engine.check_enforcement(e["measure"], e.get("amount_wan"), rules)
                target = hids[e["hazard"]] if e.get("hazard") is not None else None
                evs.append([campaign_id, iid, target, "enforce", _date(e["on"], "执法日期"), user,
                            {"measure": e["measure"], "label": rules.enforcement[e["measure"]]["label"],
                             "amount_wan": amount, "article": e.get("article") or article,
                             "enterprise_id": r.get("enterprise_id"), "note": e.get("note")}, None, None, []])
                enf_events += 1
        ev_ids = _ids(con, "safety_event_seq", len(evs))
        for eid, (cid, iid, hid, kind, on, u, payload, before, after, files) in zip(ev_ids, evs, strict=True):
            ev_rows.append({"event_id": eid, **_event_row(cid, iid, hid, kind, on, now, u, payload, before, after,
                                                          len(files))})
            for name, data, note in files:
                evid_rows.append([eid, hid, name, hashlib.sha256(data).hexdigest() if data is not None else None,
                                  None if data is None else len(data), data, note, now])
        evid_ids = _ids(con, "safety_evidence_seq", len(evid_rows))
        if ins_rows:
            con.executemany("INSERT INTO safety_inspections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ins_rows)
        if hz_rows:
            con.executemany(f"INSERT INTO safety_hazards ({_HZ_COLS}) VALUES "
                            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", hz_rows)
        zone = _zone(con, campaign_id)
        events.append_many(con, "safety", ev_rows,
                           subjects=[_subject(r["campaign_id"], r["inspection_id"], r["hazard_id"]) for r in ev_rows],
                           zones=[zone] * len(ev_rows))
        if evid_rows:
            con.executemany("INSERT INTO safety_evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [[i, *row] for i, row in zip(evid_ids, evid_rows, strict=True)])
        counts = {"inspections": len(ins_rows), "hazards": len(hz_rows), "events": len(ev_rows),
                  "enforcement": enf_events, "evidence": len(evid_rows)}
        _audit(con, audit, user, "safety.import", f"safety_campaign:{campaign_id}", None, counts)
    return counts


def replace_id(h: Hazard, hazard_id: int) -> Hazard:
    from dataclasses import replace

    return replace(h, hazard_id=hazard_id)
