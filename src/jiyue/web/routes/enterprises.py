"""Per-mu results, the enterprise file (一企一档) with its class history, confirmations and objections.

An enterprise user sees only its own enterprise: every other enterprise's page and API answer
403, whether that enterprise exists or not.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from jiyue.errors import JiyueError
from jiyue.schema import YEAR_MAX, YEAR_MIN
from jiyue.web import audit, labels, queries
from jiyue.web.deps import actor, ctx, current_user, cursor, require
from jiyue.web.errors import bad_request, forbidden, not_found, responses
from jiyue.web.routes.common import pick_zone, render
from jiyue.web.users import ENTERPRISE, User

router = APIRouter()

ZONE = Query(None, max_length=100)
YEAR = Query(None, ge=1900, le=2200)
EID = Path(max_length=100)
SUBJECTS = {"data": "基础数据有误", "land": "用地面积有误", "tax": "税收等经济数据有误", "class": "评价结果/等级有误",
            "other": "其他"}


def check_access(user: User, enterprise_id: str) -> None:
    """403 unless the user may see every enterprise or this is their own."""
    if user.can("view_enterprises") or user.owns(enterprise_id):
        return
    raise forbidden(labels.MSG["forbidden_enterprise"])


def _mujun_doc(request: Request, snap: tuple[int, str, int]) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return ctx(request).engines.mujun(snap, snap[2]), None
    except JiyueError as e:
        return None, e.message


def enterprise_list(request: Request, cur: duckdb.DuckDBPyConnection, snap: tuple[int, str, int]
                    ) -> dict[str, Any]:
    from jiyue.mujun.service import enterprise_land, land_held

    held = land_held(queries.parcel_users(cur, snap[0], snap[1]))
    rows = enterprise_land(queries.enterprise_rows(cur, snap[0], snap[1], held["enterprise_id"].tolist()), held)
    doc, reason = _mujun_doc(request, snap)
    by_id = {r["enterprise_id"]: r for r in (doc or {}).get("enterprises", [])}
    for r in rows:
        m = by_id.get(r["enterprise_id"])
        r["mujun"] = None if m is None else {k: m.get(k) for k in ("class", "class_label", "score", "rank", "rank_of",
                                                                   "status", "group_label", "land_mu")}
    return {"enterprises": rows, "mujun_year": snap[2] if doc else None, "mujun_unavailable": reason,
            "scheme": (doc or {}).get("scheme"), "summary": (doc or {}).get("summary")}


@router.get("/enterprises", include_in_schema=False)
def list_page(request: Request, zone: str | None = ZONE, year: int | None = YEAR,
              cls: str | None = Query(None, max_length=4), user: User = Depends(current_user),
              cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    if user.role == ENTERPRISE:
        if user.enterprise_id:
            return RedirectResponse(f"/enterprises/{user.enterprise_id}", status_code=303)
        raise forbidden()
    if not user.can("view_enterprises"):
        raise forbidden()
    snap, zones = pick_zone(cur, zone, year)
    if snap is None:
        return render(request, "empty.html", user)
    doc = enterprise_list(request, cur, snap)
    rows = doc["enterprises"]
    if cls:
        rows = [r for r in rows if r["mujun"] and (r["mujun"]["class"] or "") == cls]
    objections = queries.objections(cur, status="open") if user.can("answer_objections") else []
    return render(request, "enterprises.html", user, zones=zones, snap=snap, doc=doc, rows=rows, cls=cls,
                  open_objections=objections)


@router.get("/api/zones/{zone}/enterprises", summary="Enterprises of a zone with land and per-mu results",
            responses=responses(401, 403, 404, 422))
def list_api(request: Request, zone: str = Path(max_length=100), year: int | None = YEAR,
             user: User = Depends(require("view_enterprises")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
             ) -> dict[str, Any]:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    return {"ok": True, "zone_code": snap[1], "year": snap[2], **enterprise_list(request, cur, snap)}


def profile(request: Request, cur: duckdb.DuckDBPyConnection, enterprise_id: str) -> dict[str, Any]:
    from jiyue.mujun.service import land_held, parcels_in_mu

    doc = queries.enterprise(cur, enterprise_id)
    if doc is None:
        raise not_found(labels.MSG["enterprise_not_found"].format(enterprise=enterprise_id))
    doc["parcels"] = parcels_in_mu(doc["parcels"])
    held = land_held(pd.DataFrame({"user_id": [enterprise_id] * len(doc["parcels"]),
                                   "area_eff_m2": [p["area_eff_m2"] for p in doc["parcels"]]}, dtype=object))
    doc["land_m2"] = float(held["land_m2"].sum())
    doc["land_mu"] = float(held["land_mu"].sum())
    e = doc["enterprise"]
    zone = e.get("zone_code") or (doc["parcels"][0]["zone_code"] if doc["parcels"] else None)
    history: list[dict[str, Any]] = []
    reason = None
    snap = queries.snapshot_of(cur, zone) if zone else None
    if snap is not None:
        # a store imported before impossible years were refused may hold year 0: not evaluated
        years = sorted({int(y["year"]) for y in doc["years"]
                        if y.get("year") is not None and YEAR_MIN <= int(y["year"]) <= YEAR_MAX})
        try:
            history = ctx(request).engines.mujun_history(snap, years, enterprise_id)
        except JiyueError as e:
            reason = e.message
    else:
        reason = "该企业不属于数据库中任何开发区，无法进行亩均评价。"
    return {**doc, "zone_code": zone, "class_history": history, "mujun_unavailable": reason,
            "confirmations": queries.confirmations(cur, enterprise_id),
            "objections": queries.objections(cur, enterprise_id=enterprise_id),
            "safety": _safety_history(cur, enterprise_id)}


def _safety_history(cur: duckdb.DuckDBPyConnection, enterprise_id: str) -> dict[str, Any] | None:
    """The enterprise's safety-hazard history (jiyue.safety), None when there is none."""
    from jiyue.safety import labels as safety_labels
    from jiyue.safety import service as safety

    doc = safety.enterprise_history(cur, enterprise_id)
    if not doc["inspections"] and not doc["hazards"]:
        return None
    return {**doc, "labels": safety_labels.STATE}


@router.get("/enterprises/{enterprise_id}", include_in_schema=False)
def profile_page(request: Request, enterprise_id: str = EID, user: User = Depends(current_user),
                 cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    check_access(user, enterprise_id)
    doc = profile(request, cur, enterprise_id)
    return render(request, "enterprise.html", user, p=doc, subjects=SUBJECTS,
                  own=user.owns(enterprise_id))


@router.get("/api/enterprises/{enterprise_id}", summary="An enterprise's file (一企一档)",
            responses=responses(401, 403, 404, 422))
def profile_api(request: Request, enterprise_id: str = EID, user: User = Depends(current_user),
                cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> dict[str, Any]:
    check_access(user, enterprise_id)
    return {"ok": True, **profile(request, cur, enterprise_id)}


def _text(value: str, what: str, limit: int, required: bool = True) -> str:
    v = value.strip()
    if required and not v:
        raise bad_request(labels.MSG["text_required"].format(what=what))
    if len(v) > limit:
        raise bad_request(labels.MSG["text_too_long"].format(what=what, limit=limit))
    return v


@router.post("/enterprises/{enterprise_id}/confirm", include_in_schema=False)
def confirm(request: Request, enterprise_id: str = EID, year: int = Form(..., ge=1900, le=2200),
            what: str = Form(..., pattern="^(data|result)$"), note: str = Form("", max_length=2000),
            user: User = Depends(require("confirm_own")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    if not user.owns(enterprise_id):
        raise forbidden(labels.MSG["forbidden_enterprise"])
    note = _text(note, "说明", 2000, required=False)
    with ctx(request).store.write() as w:
        cid = queries.insert_confirmation(w, enterprise_id=enterprise_id, year=year, what=what, note=note,
                                          user_id=user.user_id)
        audit.record(w, actor(request, user), "enterprise.confirm", f"enterprise:{enterprise_id}", None,
                     {"confirmation_id": cid, "year": year, "what": what, "note": note})
    return RedirectResponse(f"/enterprises/{enterprise_id}?done=confirmed", status_code=303)


@router.post("/enterprises/{enterprise_id}/objections", include_in_schema=False)
def object_(request: Request, enterprise_id: str = EID, year: int = Form(..., ge=1900, le=2200),
            subject: str = Form(..., max_length=20), text: str = Form("", max_length=5000),
            user: User = Depends(require("object_own")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    if not user.owns(enterprise_id):
        raise forbidden(labels.MSG["forbidden_enterprise"])
    if subject not in SUBJECTS:
        raise bad_request(f"异议类别「{subject}」不存在")
    text = _text(text, "异议内容", 5000)
    with ctx(request).store.write() as w:
        oid = queries.insert_objection(w, enterprise_id=enterprise_id, year=year, subject=subject, text=text,
                                       username=user.username)
        audit.record(w, actor(request, user), "objection.file", f"objection:{oid}", None,
                     {"enterprise_id": enterprise_id, "year": year, "subject": subject, "text": text,
                      "status": "open"})
    return RedirectResponse(f"/enterprises/{enterprise_id}?done=objection", status_code=303)


@router.post("/objections/{objection_id}/answer", include_in_schema=False)
def answer(request: Request, objection_id: int = Path(ge=1, le=2**31 - 1),
           status: str = Form(..., pattern="^(accepted|rejected)$"), answer: str = Form("", max_length=5000),
           user: User = Depends(require("answer_objections")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
           ) -> Response:
    before = queries.objection(cur, objection_id)
    if before is None:
        raise not_found(labels.MSG["objection_not_found"].format(objection_id=objection_id))
    text = _text(answer, "答复内容", 5000)
    with ctx(request).store.write() as w:
        if before["status"] != "open":  # a decision is never changed (the per-mu objection ledger)
            raise bad_request(labels.MSG["objection_decided"].format(objection_id=objection_id))
        queries.answer_objection(w, objection_id, status=status, answer=text, username=user.username)
        after = queries.objection(w, objection_id)
        audit.record(w, actor(request, user), "objection.answer", f"objection:{objection_id}", before, after)
    return RedirectResponse(f"/enterprises/{before['enterprise_id']}?done=answered", status_code=303)
