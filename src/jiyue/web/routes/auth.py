"""Signing in and out, and changing one's own password."""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from jiyue.web import audit, security, users
from jiyue.web.deps import actor, client_ip, ctx, current_user, cursor, optional_session, session

from jiyue.web.labels import MSG
from jiyue.web.routes.common import render
from jiyue.web.errors import responses

router = APIRouter()


def safe_next(nxt: str | None, user: users.User | None = None) -> str:
    """Only a local path is followed after login (no open redirect)."""
    if nxt and nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt and not nxt.startswith("/login"):
        return nxt
    if user is not None and user.role == users.ENTERPRISE and user.enterprise_id:
        return f"/enterprises/{user.enterprise_id}"
    return "/dashboard"


def _login_page(request: Request, status: int = 200, error: str | None = None, username: str = "",
                nxt: str = "") -> Response:
    c = ctx(request)
    nonce = request.cookies.get(security.LOGIN_COOKIE) or security.new_login_nonce()
    resp = render(request, "login.html", None, status_code=status, error=error, username=username, next=nxt,
                  login_token=security.login_form_token(nonce, c.settings))
    resp.set_cookie(security.LOGIN_COOKIE, nonce, httponly=True, samesite="strict", secure=c.settings.cookie_secure,
                    max_age=3600, path="/login")
    return resp


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "", s: security.Session | None = Depends(optional_session)) -> Response:
    if s is not None:
        return RedirectResponse(safe_next(next, s.user), status_code=303)
    return _login_page(request, nxt=next)


@router.post("/login", include_in_schema=False)
def login(request: Request, username: str = Form("", max_length=100), password: str = Form("", max_length=256),
          next: str = Form("", max_length=500), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    c = ctx(request)
    ip = client_ip(request)
    name = username.strip()
    wait = security.throttled(cur, name, ip, c.settings)
    if wait:
        with c.store.write() as w:
            audit.record(w, audit.Actor(None, name[:100], None, ip), "login.throttled", name[:100])
        return _login_page(request, 429, MSG["login_throttled"].format(minutes=wait), name, next)
    found = users.find_user(cur, name) if name else None
    ok = found is not None and found[0].active and security.verify_password(found[1], password)
    if found is None:
        security.verify_password(None, password)  # same effort whether or not the name exists
    if not ok or found is None:
        with c.store.write() as w:
            security.record_attempt(w, name, ip, False)
            audit.record(w, audit.Actor(None, name[:100], None, ip), "login.failed", name[:100])
        return _login_page(request, 401, MSG["login_failed"], name, next)
    user, stored = found
    with c.store.write() as w:
        security.record_attempt(w, name, ip, True)
        if security.needs_rehash(stored):
            users.update_user(w, user.user_id, password_hash=security.hash_password(password))
        token = security.create_session(w, user, ip, c.settings)
        audit.record(w, actor(request, user), "login.ok", user.username)
    resp = RedirectResponse(safe_next(next, user), status_code=303)
    resp.set_cookie(security.SESSION_COOKIE, token, httponly=True, samesite="strict",
                    secure=c.settings.cookie_secure, max_age=c.settings.session_hours * 3600, path="/")
    resp.delete_cookie(security.LOGIN_COOKIE, path="/login")
    return resp


@router.post("/logout", include_in_schema=False)
def logout(request: Request, s: security.Session = Depends(session)) -> Response:
    c = ctx(request)
    with c.store.write() as w:
        security.end_session(w, s.token_hash)
        audit.record(w, actor(request, s.user), "logout", s.user.username)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(security.SESSION_COOKIE, path="/")
    return resp


@router.get("/account", include_in_schema=False)
def account(request: Request, user: users.User = Depends(current_user)) -> Response:
    return render(request, "account.html", user, error=None)


@router.post("/account/password", include_in_schema=False)
def change_password(request: Request, current: str = Form("", max_length=256), new: str = Form("", max_length=256),
                    confirm: str = Form("", max_length=256), s: security.Session = Depends(session),
                    cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    """Change one's own password. Wrong current passwords count as failed logins of the user name
    and address (same throttle, audited); a change ends every other session of the user."""
    c = ctx(request)
    user = s.user
    ip = client_ip(request)
    who = actor(request, user)
    wait = security.throttled(cur, user.username, ip, c.settings)
    if wait:
        with c.store.write() as w:
            audit.record(w, who, "password.throttled", user.username)
        return render(request, "account.html", user, status_code=429,
                      error=MSG["password_throttled"].format(minutes=wait))
    found = users.find_user(cur, user.username)
    if found is None or not security.verify_password(found[1], current):
        with c.store.write() as w:
            security.record_attempt(w, user.username, ip, False)
            audit.record(w, who, "password.wrong", user.username)
        return render(request, "account.html", user, status_code=400, error=MSG["password_wrong"])
    problem = security.password_problem(new, user.username) or (None if new == confirm else "两次输入的新密码不一致")
    if problem:
        return render(request, "account.html", user, status_code=400, error=problem)
    with c.store.write() as w:
        users.update_user(w, user.user_id, password_hash=security.hash_password(new))
        ended = users.end_sessions_of(w, user.user_id, keep=s.token_hash)
        audit.record(w, who, "password.change", user.username,
                     {"password": "（旧密码）"}, {"password": "（已修改）", "other_sessions_ended": ended})
    return RedirectResponse("/account?done=password", status_code=303)


@router.get("/api/me", summary="The signed-in user and what they may do", responses=responses(401))
def me(user: users.User = Depends(current_user)) -> dict[str, Any]:
    return {"ok": True, "user": user.public(),
            "permissions": sorted(p for p in users.PERMISSIONS if user.can(p))}


