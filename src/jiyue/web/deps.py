"""Dependencies shared by the routes: the application context, the request's cursor, the
signed-in user, permission checks and the CSRF check of every unsafe request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from jiyue.web import security
from jiyue.web.audit import Actor
from jiyue.web.db import Store
from jiyue.web.engines import Engines
from jiyue.web.errors import LoginRequired, WebError, forbidden
from jiyue.web.evaluations import EvaluationCache
from jiyue.web.labels import MSG
from jiyue.web.settings import Settings
from jiyue.web.tiles import TileCache
from jiyue.web.users import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AppContext:
    """Everything a request may need, built once by ``create_app``."""

    settings: Settings
    store: Store
    templates: Jinja2Templates
    evaluations: EvaluationCache
    tiles: TileCache
    engines: Engines
    extra: dict[str, Any] = field(default_factory=dict)


def ctx(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """The request's own cursor of the process's store connection."""
    with ctx(request).store.cursor() as cur:
        yield cur


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def optional_session(request: Request, cur: duckdb.DuckDBPyConnection = Depends(cursor)
                     ) -> security.Session | None:
    """The live session of the request's cookie, or None; refreshes its last-seen time now and then."""
    c = ctx(request)
    token = request.cookies.get(security.SESSION_COOKIE)
    session, refresh = security.lookup_session(cur, token, c.settings)
    if session is not None and refresh:
        with c.store.write() as w:
            security.touch_session(w, session.token_hash)
    if session is not None:
        request.state.user = session.user
        request.state.csrf_token = session.csrf_token
    return session


def session(s: security.Session | None = Depends(optional_session)) -> security.Session:
    if s is None:
        raise LoginRequired()
    return s


def current_user(s: security.Session = Depends(session)) -> User:
    return s.user


def require(permission: str) -> Callable[..., User]:
    """A dependency: the signed-in user, who must hold ``permission`` (else 403)."""

    def dep(user: User = Depends(current_user)) -> User:
        if not user.can(permission):
            raise forbidden()
        return user

    dep.__name__ = f"require_{permission}"
    return dep


def actor(request: Request, user: User | None = None) -> Actor:
    if user is None:
        return Actor(None, "", None, client_ip(request))
    return Actor(user.user_id, user.username, user.role, client_ip(request))


async def csrf_protect(request: Request) -> None:
    """Refuse any unsafe request without the right CSRF token (app-wide dependency).

    The token comes from the header ``X-CSRF-Token`` or the form field ``csrf_token``; it must be
    the session's, or — for the login form — the HMAC of the login cookie.
    """
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(security.CSRF_HEADER)
    if given is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(security.CSRF_FIELD)
            given = value if isinstance(value, str) else None
    c = ctx(request)
    if request.url.path == "/login":
        nonce = request.cookies.get(security.LOGIN_COOKIE)
        if not nonce or not security.tokens_match(security.login_form_token(nonce, c.settings), given):
            raise WebError(403, MSG["login_form_expired"], code="csrf_failed")
        return
    def lookup() -> security.Session | None:
        with c.store.cursor() as cur:
            return security.lookup_session(cur, request.cookies.get(security.SESSION_COOKIE), c.settings)[0]

    s = await run_in_threadpool(lookup)
    if s is None:
        raise LoginRequired()
    if not security.tokens_match(s.csrf_token, given):
        raise WebError(403, MSG["csrf_failed"], code="csrf_failed")
