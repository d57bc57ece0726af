"""The idle-land campaign ledger (专项整治台账): plans, progress, closing (销号) with evidence.

The ledger itself is the idle-land engine's (:mod:`jiyue.idle.campaign` on :mod:`jiyue.ledger`);
these routes parse the forms, check uploads and call it. Closing without at least one evidence
file is refused here already (and again by the engine); the reviewer is chosen from a list and
checked by user id (an active account that may close, not the closer). Each change's audit row
is written inside the engine's own transaction (:meth:`jiyue.web.engines.Engines._write`).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path as FsPath
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import duckdb
from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from jiyue.errors import JiyueError
from jiyue.web import audit, labels, queries
from jiyue.web.deps import actor, ctx, cursor, record_refusal, require
from jiyue.web.errors import WebError, bad_request, not_found, public, responses
from jiyue.web.routes.common import render
from jiyue.web.settings import EVIDENCE_TYPES
from jiyue.web.uploads import check_upload, safe_name, save_upload
from jiyue.web.users import User, eligible_reviewers, reviewer_label

router = APIRouter()

PARCEL = Path(max_length=100)
CAMPAIGN = Path(ge=1, le=2**31 - 1)
MAX_EVIDENCE_FILES = 5
PLAN_FIELDS = ("start", "until", "new_start", "new_completion", "agreement_date", "new_use", "description",
               "compensation_wan")
FIGURES = ("area_revitalised_m2", "fee_collected_wan", "penalty_collected_wan", "recovered_area_m2", "invested_wan")


def _idle_labels() -> Any:
    try:
        from jiyue.idle import labels as idle_labels

        return idle_labels
    except ImportError:
        return None


def _reviewers(cur: duckdb.DuckDBPyConnection, me: User) -> list[User]:
    """Who may review ``me``'s closing: active users who may inspect and close, other than ``me``."""
    return eligible_reviewers(cur, me.user_id)


@router.get("/ledger", include_in_schema=False)
def ledger_page(request: Request, campaign: int | None = Query(None, ge=1, le=2**31 - 1),
                state: str | None = Query(None, max_length=20), user: User = Depends(require("view_ledger")),
                cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    eng = ctx(request).engines
    zones = queries.zones(cur)
    try:
        camps = eng.campaigns()
    except JiyueError as e:
        return render(request, "ledger.html", user, unavailable=e.message, camps=[], doc=None, stats=None,
                      zones=zones, il=None, state=state, items=[])
    doc = stats = None
    items: list[dict[str, Any]] = []
    if camps:
        cid = campaign or camps[-1]["campaign_id"]
        if not any(c["campaign_id"] == cid for c in camps):
            raise not_found(f"没有编号为 {cid} 的台账。")
        doc = eng.ledger(cid)
        stats = eng.ledger_stats(cid)
        items = [i for i in doc["items"] if (state is None and i["in_breach"]) or (state == "all")
                 or (state is not None and i["state"] == state)]
    return render(request, "ledger.html", user, unavailable=None, camps=camps, doc=doc, stats=stats, zones=zones,
                  il=_idle_labels(), state=state, items=items, this_year=dt.date.today().year)


@router.post("/ledger/campaigns", include_in_schema=False)
def open_campaign(request: Request, since: int = Form(..., ge=1990, le=2200), as_of: str = Form("", max_length=10),
                  zone: str = Form("", max_length=100), name: str = Form("", max_length=200),
                  user: User = Depends(require("edit_ledger"))) -> Response:
    day = None
    if as_of.strip():
        try:
            day = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise bad_request(f"截止日期「{as_of}」不是有效日期，应为如 2020-12-31 的日期") from None
    c = ctx(request)
    who = actor(request, user)

    def record(con: duckdb.DuckDBPyConnection) -> None:  # inside the campaign's transaction
        row = con.execute("SELECT campaign_id, name, params FROM ledger_campaigns ORDER BY campaign_id DESC LIMIT 1"
                          ).fetchone()
        assert row is not None
        counts = con.execute("SELECT count(*), count(*) FILTER (WHERE in_breach) FROM ledger_items "
                             "WHERE campaign_id = ?", [row[0]]).fetchone()
        params = json.loads(row[2]) if row[2] else {}
        audit.record(con, who, "ledger.open", f"campaign:{row[0]}", None,
                     {"campaign_id": int(row[0]), "name": row[1], "as_of": params.get("as_of"),
                      "since": params.get("since"), "items": int(counts[0]) if counts else 0,
                      "in_breach": int(counts[1]) if counts else 0})

    out = c.engines.open_campaign(since=since, as_of=day, zone=zone.strip() or None, user=user.display_name,
                                  name=name.strip() or None, within=record)
    return RedirectResponse(f"/ledger?campaign={out['campaign_id']}&done=campaign", status_code=303)


def _item(request: Request, campaign: int, parcel: str) -> dict[str, Any]:
    doc = ctx(request).engines.ledger(campaign, parcel)
    return {"campaign": doc["campaign"], "item": doc["items"][0]}


def _snapshot(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item.get(k) for k in ("state", "plan", "outcome", "version")}


def _audit_item(request: Request, user: User, action: str, campaign: int, parcel: str, before: dict[str, Any],
                **extra: Any) -> Callable[[duckdb.DuckDBPyConnection], None]:
    """The audit row of an item change, written inside the change's own transaction (before: the item
    as the page saw it; after: the item as the transaction leaves it)."""
    who = actor(request, user)

    def record(con: duckdb.DuckDBPyConnection) -> None:
        row = con.execute("SELECT state, plan, outcome, version FROM ledger_items WHERE campaign_id = ? AND subject = ?",
                          [campaign, parcel]).fetchone()
        after = None if row is None else {"state": row[0], "plan": json.loads(row[1]) if row[1] else None,
                                          "outcome": json.loads(row[2]) if row[2] else None, "version": row[3]}
        audit.record(con, who, action, f"campaign:{campaign}/parcel:{parcel}", _snapshot(before),
                     {**(after or {}), **extra})

    return record


@router.get("/ledger/{campaign}/items/{parcel}", include_in_schema=False)
def item_page(request: Request, campaign: int = CAMPAIGN, parcel: str = PARCEL,
              user: User = Depends(require("view_ledger")), cur: duckdb.DuckDBPyConnection = Depends(cursor),
              error: str | None = None, status_code: int = 200) -> Response:
    d = _item(request, campaign, parcel)
    hist = ctx(request).engines.ledger_history(campaign, parcel)
    return render(request, "ledger_item.html", user, status_code=status_code, d=d, history=hist, il=_idle_labels(),
                  error=error, reviewers=_reviewers(cur, user), plan_fields=PLAN_FIELDS, figures=FIGURES,
                  today=dt.date.today().isoformat(), max_files=MAX_EVIDENCE_FILES,
                  evidence_types="、".join(EVIDENCE_TYPES))


@router.post("/ledger/{campaign}/items/{parcel}/plan", include_in_schema=False)
async def plan(request: Request, campaign: int = CAMPAIGN, parcel: str = PARCEL,
               user: User = Depends(require("edit_ledger"))) -> Response:
    form = await request.form()
    option = str(form.get("option") or "")[:40]
    fields: dict[str, Any] = {}
    for k in PLAN_FIELDS:
        v = str(form.get(k) or "").strip()[:500]
        if v:
            fields[k] = v
    for k in ("price_paid", "funds_in_place"):
        if form.get(k):
            fields[k] = True
    return await run_in_threadpool(_plan, request, campaign, parcel, option, fields, user)


def _plan(request: Request, campaign: int, parcel: str, option: str, fields: dict[str, Any], user: User) -> Response:
    c = ctx(request)
    before = _item(request, campaign, parcel)["item"]
    try:
        c.engines.plan(campaign=campaign, parcel=parcel, option=option, fields=fields, user=user.display_name,
                       within=_audit_item(request, user, "ledger.plan", campaign, parcel, before))
    except JiyueError as e:
        with c.store.cursor() as cur:
            return item_page(request, campaign, parcel, user, cur, error=e.message, status_code=400)
    return RedirectResponse(f"/ledger/{campaign}/items/{quote(parcel, safe='')}?done=plan", status_code=303)


@router.post("/ledger/{campaign}/items/{parcel}/progress", include_in_schema=False)
async def progress(request: Request, campaign: int = CAMPAIGN, parcel: str = PARCEL,
                   user: User = Depends(require("edit_ledger"))) -> Response:
    form = await request.form()
    date = str(form.get("date") or "").strip()[:10]
    note = str(form.get("note") or "").strip()[:2000] or None
    figures: dict[str, Any] = {}
    for k in FIGURES:
        v = str(form.get(k) or "").strip()
        if v:
            try:
                figures[k] = float(v)
            except ValueError:
                raise bad_request(f"「{k}」应为数字，实际为「{v[:40]}」") from None
    return await run_in_threadpool(_progress, request, campaign, parcel, date, note, figures, user)


def _progress(request: Request, campaign: int, parcel: str, date: str, note: str | None, figures: dict[str, Any],
              user: User) -> Response:
    c = ctx(request)
    before = _item(request, campaign, parcel)["item"]
    try:
        c.engines.progress(campaign=campaign, parcel=parcel, date=date, note=note, figures=figures,
                           user=user.display_name,
                           within=_audit_item(request, user, "ledger.progress", campaign, parcel, before,
                                              record={"date": date, "note": note, **figures}))
    except JiyueError as e:
        with c.store.cursor() as cur:
            return item_page(request, campaign, parcel, user, cur, error=e.message, status_code=400)
    return RedirectResponse(f"/ledger/{campaign}/items/{quote(parcel, safe='')}?done=progress", status_code=303)


@router.post("/ledger/{campaign}/items/{parcel}/close", include_in_schema=False)
async def close(request: Request, campaign: int = CAMPAIGN, parcel: str = PARCEL,
                reviewer_id: str = Form("", max_length=12), outcome: str = Form("rectified", max_length=40),
                note: str = Form("", max_length=2000), evidence: list[UploadFile] | None = File(None),
                user: User = Depends(require("edit_ledger"))) -> Response:
    c = ctx(request)
    files = [f for f in (evidence or []) if f.filename]
    tmp = FsPath(tempfile.mkdtemp(prefix="evidence-", dir=c.settings.files_root))
    try:
        if len(files) > MAX_EVIDENCE_FILES:
            raise bad_request(f"一次最多上传 {MAX_EVIDENCE_FILES} 个证明材料文件")
        paths = []
        for i, f in enumerate(files, 1):
            target = tmp / f"{i:02d}" / safe_name(f.filename or "", i)
            target.parent.mkdir()
            size, _ = await save_upload(f, target, c.settings.max_evidence_mb)
            check_upload(target, f.filename or "", EVIDENCE_TYPES, size)
            paths.append(str(target))
        return await run_in_threadpool(_close, request, campaign, parcel, paths, reviewer_id.strip(), outcome,
                                       note.strip() or None, user)
    except WebError as e:
        if e.status not in (400, 413, 415):
            raise
        await run_in_threadpool(record_refusal, request, e.status, "upload_refused", e.message, user)
        return await run_in_threadpool(_item_error, request, campaign, parcel, user, e.message, e.status)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _item_error(request: Request, campaign: int, parcel: str, user: User, message: str, status: int) -> Response:
    with ctx(request).store.cursor() as cur:
        return item_page(request, campaign, parcel, user, cur, error=message, status_code=status)


def _close(request: Request, campaign: int, parcel: str, paths: list[str], reviewer_id: str, outcome: str,
           note: str | None, user: User) -> Response:
    c = ctx(request)
    before = _item(request, campaign, parcel)["item"]
    with c.store.cursor() as cur:
        eligible = {str(u.user_id): u for u in _reviewers(cur, user)}
    reviewer = eligible.get(reviewer_id)
    refusal = None  # (reason, message): no evidence, or a reviewer who is not an eligible account
    if not paths:
        refusal = ("no_evidence", labels.MSG["evidence_required"])
    elif reviewer is None:  # checked by user id: active, may close, not the closer
        refusal = ("reviewer_not_eligible", labels.MSG["reviewer_required"])
    if refusal is not None:
        with c.store.write() as w:
            audit.record(w, actor(request, user), "ledger.close_refused", f"campaign:{campaign}/parcel:{parcel}",
                         _snapshot(before), {"reason": refusal[0], "reviewer_id": reviewer_id[:12] or None})
        with c.store.cursor() as cur:
            return item_page(request, campaign, parcel, user, cur, error=refusal[1], status_code=400)
    assert reviewer is not None
    try:
        c.engines.close(campaign=campaign, parcel=parcel, evidence=paths, reviewer=reviewer_label(reviewer),
                        outcome=outcome, note=note, user=user.display_name,
                        within=_audit_item(request, user, "ledger.close", campaign, parcel, before,
                                           reviewer_user_id=reviewer.user_id))
    except JiyueError as e:
        with c.store.cursor() as cur:
            return item_page(request, campaign, parcel, user, cur, error=e.message, status_code=400)
    return RedirectResponse(f"/ledger/{campaign}/items/{quote(parcel, safe='')}?done=closed", status_code=303)


@router.get("/ledger/evidence/{evidence_id}", include_in_schema=False)
def evidence(request: Request, evidence_id: int = Path(ge=1, le=2**31 - 1),
             user: User = Depends(require("view_ledger"))) -> Response:
    name, data, sha = ctx(request).engines.evidence(evidence_id)
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "X-Content-SHA256": sha})


@router.get("/api/ledger", summary="The idle-land campaign ledger (latest campaign unless named)",
            responses=responses(401, 403, 404, 422))
def ledger_api(request: Request, campaign: int | None = Query(None, ge=1, le=2**31 - 1),
               user: User = Depends(require("view_ledger"))) -> dict[str, Any]:
    eng = ctx(request).engines
    camps = eng.campaigns()
    if not camps:
        return {"ok": True, "campaigns": [], "ledger": None}
    cid = campaign or camps[-1]["campaign_id"]
    if not any(c["campaign_id"] == cid for c in camps):
        raise not_found(f"没有编号为 {cid} 的台账。")
    # the campaigns' provenance names the store file: shown without the server's folders
    return public(request, {"ok": True, "campaigns": camps, "ledger": eng.ledger(cid)})
