"""Store-path functions behind ``jiyue safety …``: open the store, call the service, return a
JSON-ready dict. One connection and one transaction per change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from jiyue import store
from jiyue.errors import UsageError
from jiyue.safety import demo, render, service
from jiyue.safety.rules import load_rules
from jiyue.safety.schema import ensure_schema
from jiyue.safety.xlsx import ImportRefused, ledger_rows, parse_ledger, write_workbook


def _rw(db: str | Path) -> Any:
    if not Path(db).is_file():
        raise UsageError(f"数据库文件不存在：{db}（请先用 jiyue import 导入数据包）")
    return store.open_store(db, spatial=False)


def _ro(db: str | Path) -> Any:
    return store.open_store(db, read_only=True, spatial=False)


def campaign(db: Path, *, name: str, start: dt.date | None, end: dt.date | None, zone: str | None,
             rules: str | None, user: str, exist_ok: bool) -> dict[str, Any]:
    with _rw(db) as con:
        cid, created = service.create_campaign(con, name=name, start=start, end=end, zone_code=zone,
                                               rules=load_rules(rules), user=user, exist_ok=exist_ok)
        return {**service.get_campaign(con, cid), "created": created}


def inspect(db: Path, *, campaign_id: int | None, on: dt.date, group: str, inspectors: Sequence[str],
            enterprise: str, mode: str | None, hazards: Sequence[dict[str, Any]], user: str) -> dict[str, Any]:
    with _rw(db) as con:
        return service.record_inspection(con, campaign_id=campaign_id, on=on, group=group, inspectors=inspectors,
                                         enterprise=enterprise, mode=mode, hazards=hazards, user=user)


def change(db: Path, kind: str, hazard_id: int, **kw: Any) -> dict[str, Any]:
    actions: dict[str, Callable[..., dict[str, Any]]] = {
        "rectify": service.rectify, "submit": service.submit, "reinspect": service.reinspect, "close": service.close,
        "escalate": service.escalate}
    fn = actions[kind]
    with _rw(db) as con:
        return fn(con, hazard_id, **kw)


def enforce(db: Path, **kw: Any) -> dict[str, Any]:
    with _rw(db) as con:
        return service.enforce(con, **kw)


def stats(db: Path, *, campaign_id: int | None, as_of: dt.date | None, start: dt.date | None,
          end: dt.date | None) -> dict[str, Any]:
    with _ro(db) as con:
        return service.stats(con, campaign_id, as_of=as_of, start=start, end=end)


def show(db: Path, hazard_id: int) -> dict[str, Any]:
    with _ro(db) as con:
        h = service.get_hazard(con, hazard_id)
        return {**h, "inspection": service.get_inspection(con, h["inspection_id"]),
                "events": service.hazard_events(con, hazard_id)}


def import_ledger(db: Path, path: Path, *, name: str | None, campaign_id: int | None, rules: str | None,
                  user: str) -> dict[str, Any]:
    """A zone's Excel ledger into a campaign (new unless ``campaign_id``); all or nothing."""
    with _rw(db) as con:
        r = load_rules(rules)
        recs, problems, named = parse_ledger(path, service.enterprises(con), r)
        if problems:
            raise ImportRefused(problems)
        con.execute("BEGIN")
        try:
            if campaign_id is None:
                days = [rec["on"] for rec in recs]
                cid, _ = service.create_campaign(con, name=name or named or Path(path).stem, start=min(days, default=None),
                                                 end=max(days, default=None), rules=r, user=user, own_tx=False)
            else:
                ensure_schema(con, own_tx=False)
                cid = service.get_campaign(con, campaign_id)["campaign_id"]
            counts = service.bulk_load(con, campaign_id=cid, rules=r, user=user, records=recs, own_tx=False)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return {"campaign_id": cid, "file": str(path), **counts}


def load_demo(db: Path, *, user: str, exist_ok: bool = True) -> dict[str, Any]:
    """The seed-calibrated demo campaign (made once; with ``exist_ok`` an existing one is kept)."""
    with _rw(db) as con:
        ensure_schema(con)
        row = con.execute("SELECT campaign_id FROM safety_campaigns WHERE name = ?", [demo.NAME]).fetchone()
        if row and exist_ok:
            return {"campaign_id": int(row[0]), "created": False}
        r = load_rules()
        recs = demo.records(service.enterprises(con), r)
        con.execute("BEGIN")
        try:
            cid, _ = service.create_campaign(con, name=demo.NAME, start=demo.START, end=demo.END, rules=r, user=user,
                                             own_tx=False)
            counts = service.bulk_load(con, campaign_id=cid, rules=r, user=user, records=recs, own_tx=False)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return {"campaign_id": cid, "created": True, **counts}


def export(db: Path, out: Path, *, campaign_id: int | None, as_of: dt.date | None) -> Path:
    with _ro(db) as con:
        camp = service.get_campaign(con, campaign_id)
        cid = camp["campaign_id"]
        hz = service.hazards(con, cid)
        events = {h["hazard_id"]: service.hazard_events(con, h["hazard_id"]) for h in hz}
        ins = {i["inspection_id"]: i for i in service.inspections(con, cid)}
        credit = {e["enterprise_id"]: e["credit_code"] or "" for e in service.enterprises(con)}
        doc = service.stats(con, cid, as_of=as_of)
        enf = service.enforcement(con, cid)
    rows = ledger_rows(hz, events, enf, ins, camp["name"], credit)
    return write_workbook(out, rows, render.stat_rows(doc["total"]) + [("说明", render.sentence(doc["total"]))], {
        "按企业统计": render.group_rows(doc["by_enterprise"], lambda r: r.get("name")),
        "按行业统计": render.group_rows(doc["by_industry"]),
        "按等级统计": render.group_rows(doc["by_level"])})

