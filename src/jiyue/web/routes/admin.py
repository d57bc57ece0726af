"""User management and the audit log (admins only)."""

from __future__ import annotations

import re
from typing import Any

import duckdb
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response

from jiyue.web import audit, labels, queries, security, users
from jiyue.web.deps import actor, ctx, cursor, require
from jiyue.web.errors import bad_request, not_found, responses
from jiyue.web.routes.common import render
from jiyue.web.users import User

router = APIRouter()

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,40}$")


def create_user(cur: duckdb.DuckDBPyConnection, *, username: str, display_name: str, role: str,
                enterprise_id: str | None, password: str) -> User:
    """Check and insert a user (inside the caller's write transaction); raises 400 with the reason."""
    if not USERNAME.match(username):
        raise bad_request(labels.MSG["username_bad"])
    if role not in users.ROLES:
        raise bad_request(labels.MSG["role_bad"].format(role=role))
    if role == users.ENTERPRISE:
        if not enterprise_id or not queries.enterprise_exists(cur, enterprise_id):
            raise bad_request(labels.MSG["enterprise_required"])
    else:
        enterprise_id = None
    if users.find_user(cur, username) is not None:
        raise bad_request(labels.MSG["user_exists"].format(username=username))
    problem = security.password_problem(password, username)
    if problem:
        raise bad_request(problem)
    return users.insert_user(cur, username=username, display_name=display_name or username, role=role,
                             enterprise_id=enterprise_id, password_hash=security.hash_password(password))


def _page(request: Request, user: User, cur: duckdb.DuckDBPyConnection, error: str | None = None,
          status_code: int = 200, created: dict[str, str] | None = None) -> Response:
    return render(request, "admin_users.html", user, status_code=status_code, users=users.list_users(cur),
                  enterprises=queries.enterprise_ids(cur), error=error, created=created)


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, user: User = Depends(require("manage_users")),
               cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    return _page(request, user, cur)


@router.post("/admin/users", include_in_schema=False)
def add_user(request: Request, username: str = Form(..., max_length=40), display_name: str = Form("", max_length=100),
             role: str = Form(..., max_length=20), enterprise_id: str = Form("", max_length=100),
             password: str = Form("", max_length=256), user: User = Depends(require("manage_users")),
             cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    c = ctx(request)
    generated = not password
    pw = password or security.generate_password()
    try:
        with c.store.write() as w:
            new = create_user(w, username=username.strip(), display_name=display_name.strip(), role=role,
                              enterprise_id=enterprise_id.strip() or None, password=pw)
            audit.record(w, actor(request, user), "user.create", f"user:{new.user_id}", None, new.public())
    except Exception as e:
        from jiyue.web.errors import WebError

        if isinstance(e, WebError) and e.status == 400:
            return _page(request, user, cur, e.message, 400)
        raise
    created = {"username": new.username, "password": pw} if generated else {"username": new.username, "password": ""}
    return _page(request, user, cur, created=created)


@router.post("/admin/users/{user_id}", include_in_schema=False)
def edit_user(request: Request, user_id: int = Path(ge=1, le=2**31 - 1), role: str = Form(..., max_length=20),
              enterprise_id: str = Form("", max_length=100), display_name: str = Form("", max_length=100),
              active: bool = Form(False), reset_password: bool = Form(False),
              user: User = Depends(require("manage_users")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
              ) -> Response:
    c = ctx(request)
    target = users.get_user(cur, user_id)
    if target is None:
        raise not_found()
    if role not in users.ROLES:
        return _page(request, user, cur, labels.MSG["role_bad"].format(role=role), 400)
    eid = enterprise_id.strip() or None
    if role == users.ENTERPRISE and (not eid or not queries.enterprise_exists(cur, eid)):
        return _page(request, user, cur, labels.MSG["enterprise_required"], 400)
    if target.role == users.ADMIN and target.active and (role != users.ADMIN or not active) \
            and users.count_admins(cur) <= 1:
        return _page(request, user, cur, labels.MSG["last_admin"], 400)
    new_pw = security.generate_password() if reset_password else None
    with c.store.write() as w:
        users.update_user(w, user_id, role=role, display_name=display_name.strip() or target.display_name,
                          active=active, enterprise_id=eid if role == users.ENTERPRISE else None,
                          clear_enterprise=role != users.ENTERPRISE,
                          password_hash=security.hash_password(new_pw) if new_pw else None)
        if not active or new_pw or role != target.role:
            users.end_sessions_of(w, user_id)
        after = users.get_user(w, user_id)
        audit.record(w, actor(request, user), "user.update", f"user:{user_id}", target.public(),
                     {**(after.public() if after else {}), **({"password": "（已重置）"} if new_pw else {})})
    created = {"username": target.username, "password": new_pw} if new_pw else None
    return _page(request, user, cur, created=created)


@router.get("/admin/audit", include_in_schema=False)
def audit_page(request: Request, action: str | None = Query(None, max_length=40),
               username: str | None = Query(None, max_length=40), page: int = Query(1, ge=1, le=100000),
               user: User = Depends(require("view_audit")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
               ) -> Response:
    per = 100
    rows, total = audit.events(cur, action=action, username=username, limit=per, offset=(page - 1) * per)
    return render(request, "audit.html", user, rows=rows, total=total, page=page, per=per, action=action or "",
                  username=username or "")


@router.get("/api/audit", summary="Audit events, newest first (admins)", responses=responses(401, 403, 422))
def audit_api(action: str | None = Query(None, max_length=40), username: str | None = Query(None, max_length=40),
              limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9),
              user: User = Depends(require("view_audit")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
              ) -> dict[str, Any]:
    rows, total = audit.events(cur, action=action, username=username, limit=limit, offset=offset)
    return {"ok": True, "total": total, "events": rows}
