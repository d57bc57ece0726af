"""The safety-production hazard ledger (安全生产隐患排查治理) in the web application.

Inspectors record inspections, hazards, measures, re-inspections and enforcement; an
enterprise user sees and submits rectification evidence for its own hazards only (another
enterprise's hazard: 403, and the attempt is audited); the bureau closes (销号). Every write is
one ``Store.write()`` transaction holding the ledger event and its audit row
(:mod:`jiyue.safety.service` calls the audit hook inside it); a refused change rolls back and
is audited on its own.
"""

from __future__ import annotations

import datetime as dt
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

from jiyue.safety import labels as sl
from jiyue.safety import render as srender
from jiyue.safety import service
from jiyue.safety.engine import Refused
from jiyue.web import audit
from jiyue.web.deps import actor, ctx, current_user, cursor, require
from jiyue.web.errors import WebError, bad_request, forbidden, not_found, responses
from jiyue.web.routes.common import render
from jiyue.web.routes.ledger import MAX_EVIDENCE_FILES
from jiyue.web.settings import EVIDENCE_TYPES
from jiyue.web.uploads import check_upload, safe_name, save_upload
from jiyue.web.users import ENTERPRISE, User

router = APIRouter()

HAZARD = Path(ge=1, le=2**31 - 1)
DONE = {"inspection": "检查已登记。", "rectify": "整改措施已记录。", "submit": "整改材料已提交，等待复查。",
        "reinspect": "复查已记录。", "close": "隐患已销号。", "escalate": "隐患已升级。", "enforce": "执法措施已登记。"}


def _viewer(user: User) -> None:
    if not (user.can("view_safety") or (user.role == ENTERPRISE and user.enterprise_id)):
        raise forbidden()


def _hook(request: Request, user: User) -> Any:
    who = actor(request, user)

    def hook(con: duckdb.DuckDBPyConnection, action: str, target: str, before: Any, after: Any) -> None:
        audit.record(con, who, action, target, before, after)

    return hook


def _audit_alone(request: Request, user: User, action: str, target: str, after: Any) -> None:
    with ctx(request).store.write() as w:
        audit.record(w, actor(request, user), action, target, None, after)


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise bad_request(f"{what}「{text[:20]}」不是有效日期，应为如 2021-01-10 的日期") from None


@router.get("/safety", include_in_schema=False)
def safety_page(request: Request, campaign: int | None = Query(None, ge=1, le=2**31 - 1),
                status: str | None = Query(None, max_length=20), enterprise: str | None = Query(None, max_length=100),
                as_of: str | None = Query(None, max_length=10), user: User = Depends(current_user),
                cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    _viewer(user)
    own = user.enterprise_id if user.role == ENTERPRISE else None
    camps = service.campaigns(cur)
    doc = None
    rows: list[dict[str, Any]] = []
    day = _date(as_of, "截至日期") if as_of else None
    if camps:
        cid = campaign or camps[-1]["campaign_id"]
        if not any(c["campaign_id"] == cid for c in camps):
            raise not_found(f"没有编号为 {cid} 的专项行动。")
        if own is None:
            doc = service.stats(cur, cid, as_of=day)
        day = day or (dt.date.fromisoformat(doc["as_of"]) if doc else dt.date.today())
        rows = service.hazards(cur, cid, enterprise_id=own or (enterprise or None), as_of=day)
        if status:
            rows = [h for h in rows if h["status"] == status]
    ents = service.enterprises(cur) if user.can("record_safety") else []
    return render(request, "safety.html", user, camps=camps, doc=doc, rows=rows[:300], total_rows=len(rows),
                  sl=sl, sentence=srender.sentence(doc["total"]) if doc else None,
                  stat_rows=srender.stat_rows(doc["total"]) if doc else [], status=status, own=own,
                  campaign=(campaign or (camps[-1]["campaign_id"] if camps else None)), ents=ents,
                  today=dt.date.today().isoformat(), done_msg=DONE.get(request.query_params.get("done") or ""))


@router.post("/safety/inspections", include_in_schema=False)
def record_inspection(request: Request, campaign: int = Form(..., ge=1, le=2**31 - 1),
                      date: str = Form(..., max_length=10), group: str = Form("", max_length=100),
                      inspectors: str = Form("", max_length=500), enterprise: str = Form("", max_length=200),
                      mode: str = Form("", max_length=20), description: str = Form("", max_length=2000),
                      level: str = Form("", max_length=20), category: str = Form("", max_length=100),
                      item: str = Form("", max_length=50), deadline: str = Form("", max_length=10),
                      user: User = Depends(require("record_safety"))) -> Response:
    import re

    hz = ([{"description": description.strip(), "level": level.strip(), "category": category.strip() or None,
            "item": item.strip() or None, "deadline": deadline.strip() or None}] if description.strip() else [])
    names = [x for x in re.split(r"[、,，;；\s]+", inspectors) if x]
    c = ctx(request)
    try:
        with c.store.write() as w:
            out = service.record_inspection(w, campaign_id=campaign, on=_date(date, "检查日期"), group=group,
                                            inspectors=names, enterprise=enterprise.strip() or None,
                                            mode=mode.strip() or None, hazards=hz, user=user.display_name,
                                            own_tx=False, audit=_hook(request, user))
    except Refused as e:
        _audit_alone(request, user, "safety.refused", f"safety_campaign:{campaign}",
                     {"action": "inspect", "reason": e.message})
        raise bad_request(e.message) from None
    target = f"/safety/hazards/{out['hazards'][0]}" if out["hazards"] else f"/safety?campaign={campaign}"
    return RedirectResponse(target + ("&" if "?" in target else "?") + "done=inspection", status_code=303)


def _hazard_doc(cur: duckdb.DuckDBPyConnection, hazard_id: int, user: User) -> dict[str, Any]:
    try:
        h = service.get_hazard(cur, hazard_id)
    except Refused:
        raise not_found(f"没有编号为 {hazard_id} 的隐患。") from None
    if not user.can("view_safety") and not user.owns(h["enterprise_id"] or ""):
        raise forbidden(sl.TEXT["not_own"].format(hazard=hazard_id) if user.role == ENTERPRISE else None)
    return {**h, "inspection": service.get_inspection(cur, h["inspection_id"]),
            "events": service.hazard_events(cur, hazard_id),
            "campaign": service.get_campaign(cur, h["campaign_id"])}


@router.get("/safety/hazards/{hazard_id}", include_in_schema=False)
def hazard_page(request: Request, hazard_id: int = HAZARD, user: User = Depends(current_user),
                cur: duckdb.DuckDBPyConnection = Depends(cursor), error: str | None = None,
                status_code: int = 200) -> Response:
    _viewer(user)
    d = _hazard_doc(cur, hazard_id, user)
    status = service.hazards(cur, d["campaign_id"], enterprise_id=d["enterprise_id"])
    st = next((h["status"] for h in status if h["hazard_id"] == hazard_id), d["state"])
    return render(request, "safety_hazard.html", user, status_code=status_code, d=d, sl=sl, status=st, error=error,
                  own=user.owns(d["enterprise_id"] or ""), today=dt.date.today().isoformat(),
                  max_files=MAX_EVIDENCE_FILES, evidence_types="、".join(EVIDENCE_TYPES),
                  done_msg=DONE.get(request.query_params.get("done") or ""))


def _fail(request: Request, hazard_id: int, user: User, kind: str, message: str, status: int = 400) -> Response:
    _audit_alone(request, user, "safety.refused", f"safety_hazard:{hazard_id}", {"action": kind, "reason": message})
    with ctx(request).store.cursor() as cur:
        return hazard_page(request, hazard_id, user, cur, error=message, status_code=status)


def _apply(request: Request, hazard_id: int, user: User, kind: str, **kw: Any) -> Response:
    actions: dict[str, Callable[..., Any]] = {"rectify": service.rectify, "submit": service.submit, "reinspect": service.reinspect,
          "close": service.close, "escalate": service.escalate}
    fn = actions[kind]
    try:
        with ctx(request).store.write() as w:
            fn(w, hazard_id, user=user.display_name, own_tx=False, audit=_hook(request, user), **kw)
    except Refused as e:
        return _fail(request, hazard_id, user, kind, e.message)
    return RedirectResponse(f"/safety/hazards/{hazard_id}?done={kind}", status_code=303)


@router.post("/safety/hazards/{hazard_id}/rectify", include_in_schema=False)
def rectify(request: Request, hazard_id: int = HAZARD, date: str = Form(..., max_length=10),
            measures: str = Form("", max_length=2000), responsible: str = Form("", max_length=100),
            deadline: str = Form("", max_length=10), funds: str = Form("", max_length=20),
            emergency_plan: str = Form("", max_length=500), user: User = Depends(require("record_safety"))) -> Response:
    plan = {"measures": measures.strip(), "responsible_person": responsible.strip(), "deadline": deadline.strip(),
            "funds_wan": funds.strip(), "emergency_plan": emergency_plan.strip()}
    return _apply(request, hazard_id, user, "rectify", on=_date(date, "日期"), plan=plan)


@router.post("/safety/hazards/{hazard_id}/reinspect", include_in_schema=False)
def reinspect(request: Request, hazard_id: int = HAZARD, date: str = Form(..., max_length=10),
              result: str = Form("pass", pattern="^(pass|fail)$"), reviewer: str = Form("", max_length=100),
              note: str = Form("", max_length=2000), user: User = Depends(require("record_safety"))) -> Response:
    return _apply(request, hazard_id, user, "reinspect", on=_date(date, "复查日期"), passed=result == "pass",
                  reviewer=reviewer.strip() or user.display_name, note=note.strip() or None)


@router.post("/safety/hazards/{hazard_id}/escalate", include_in_schema=False)
def escalate(request: Request, hazard_id: int = HAZARD, date: str = Form(..., max_length=10),
             note: str = Form("", max_length=2000), user: User = Depends(require("record_safety"))) -> Response:
    return _apply(request, hazard_id, user, "escalate", on=_date(date, "日期"), note=note.strip() or None)


@router.post("/safety/hazards/{hazard_id}/enforce", include_in_schema=False)
def enforce(request: Request, hazard_id: int = HAZARD, date: str = Form(..., max_length=10),
            measure: str = Form(..., pattern="^(order|fine|stop|case)$"), amount: str = Form("", max_length=20),
            note: str = Form("", max_length=2000), user: User = Depends(require("record_safety"))) -> Response:
    try:
        with ctx(request).store.write() as w:
            service.enforce(w, measure=measure, on=_date(date, "执法日期"), hazard_id=hazard_id,
                            amount_wan=amount.strip() or None, note=note.strip() or None, user=user.display_name,
                            own_tx=False, audit=_hook(request, user))
    except Refused as e:
        return _fail(request, hazard_id, user, "enforce", e.message)
    return RedirectResponse(f"/safety/hazards/{hazard_id}?done=enforce", status_code=303)


async def _files(request: Request, files: list[UploadFile], tmp: FsPath) -> list[service.Evidence]:
    c = ctx(request)
    if len(files) > MAX_EVIDENCE_FILES:
        raise bad_request(f"一次最多上传 {MAX_EVIDENCE_FILES} 个证明材料文件")
    out: list[service.Evidence] = []
    for i, f in enumerate(files, 1):
        target = tmp / f"{i:02d}" / safe_name(f.filename or "", i)
        target.parent.mkdir()
        size, _ = await save_upload(f, target, c.settings.max_evidence_mb)
        check_upload(target, f.filename or "", EVIDENCE_TYPES, size)
        out.append((target.name, target.read_bytes(), None))
    return out


async def _with_files(request: Request, hazard_id: int, user: User, kind: str, evidence: list[UploadFile] | None,
                      **kw: Any) -> Response:
    files = [f for f in (evidence or []) if f.filename]
    tmp = FsPath(tempfile.mkdtemp(prefix="safety-evidence-", dir=ctx(request).settings.files_root))
    try:
        ev = await _files(request, files, tmp)
        return await run_in_threadpool(_apply, request, hazard_id, user, kind, evidence=ev, **kw)
    except WebError as e:
        if e.status not in (400, 413, 415):
            raise
        return await run_in_threadpool(_fail, request, hazard_id, user, kind, e.message, e.status)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@router.post("/safety/hazards/{hazard_id}/submit", include_in_schema=False)
async def submit(request: Request, hazard_id: int = HAZARD, date: str = Form(..., max_length=10),
                 note: str = Form("", max_length=2000), evidence: list[UploadFile] | None = File(None),
                 user: User = Depends(require("submit_rectification"))) -> Response:
    with ctx(request).store.cursor() as cur:
        try:
            owner = service.get_hazard(cur, hazard_id)["enterprise_id"]
        except Refused:
            raise not_found(f"没有编号为 {hazard_id} 的隐患。") from None
    if not user.owns(owner or ""):
        msg = sl.TEXT["not_own"].format(hazard=hazard_id)
        await run_in_threadpool(_audit_alone, request, user, "safety.forbidden", f"safety_hazard:{hazard_id}",
                                {"action": "submit", "enterprise_id": user.enterprise_id, "owner": owner})
        raise forbidden(msg)
    return await _with_files(request, hazard_id, user, "submit", evidence, on=_date(date, "整改完成日期"),
                             note=note.strip() or None, enterprise_id=user.enterprise_id)


@router.post("/safety/hazards/{hazard_id}/close", include_in_schema=False)
async def close(request: Request, hazard_id: int = HAZARD, date: str = Form(..., max_length=10),
                note: str = Form("", max_length=2000), evidence: list[UploadFile] | None = File(None),
                user: User = Depends(require("close_safety"))) -> Response:
    return await _with_files(request, hazard_id, user, "close", evidence, on=_date(date, "销号日期"),
                             note=note.strip() or None)


@router.get("/safety/evidence/{evidence_id}", include_in_schema=False)
def evidence(request: Request, evidence_id: int = Path(ge=1, le=2**31 - 1), user: User = Depends(current_user),
             cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    _viewer(user)
    try:
        name, data, sha, hazard_id = service.evidence_file(cur, evidence_id)
    except Refused:
        raise not_found() from None
    _hazard_doc(cur, hazard_id, user)  # 403 for another enterprise's evidence
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "X-Content-SHA256": sha})


@router.get("/api/safety/stats", summary="Statistics of a safety campaign in the campaign report's form",
            responses=responses(400, 401, 403, 404, 422))
def stats_api(request: Request, campaign: int | None = Query(None, ge=1, le=2**31 - 1),
              as_of: str | None = Query(None, max_length=10), user: User = Depends(require("view_safety")),
              cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> dict[str, Any]:
    try:
        doc = service.stats(cur, campaign, as_of=_date(as_of, "截至日期") if as_of else None)
    except Refused as e:
        raise not_found(e.message) from None
    return {"ok": True, "sentence": srender.sentence(doc["total"]), **doc}
