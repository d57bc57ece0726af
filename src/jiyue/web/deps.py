"""Dependencies shared by the routes: the application context, the request's cursor, the
signed-in user, permission checks and the CSRF check of every unsafe request.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from jiyue.web import audit, security
from jiyue.web.audit import Actor
from jiyue.web.db import Store
from jiyue.web.engines import Engines
from jiyue.web.errors import LoginRequired, WebError, forbidden
from jiyue.web.evaluations import EvaluationCache
from jiyue.web.labels import MSG
from jiyue.web.settings import Settings
from jiyue.web.tiles import TileCache
from jiyue.web.users import User

log = logging.getLogger("jiyue.web")

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
    return request.app.state.ctx


def cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """The request's own cursor of the process's store connection."""
    with ctx(request).store.cursor() as cur:
        yield cur


def client_ip(request: Request) -> str | None:
    """The client's address: the connection's peer, or — only when the peer is a configured trusted
    proxy (``JIYUE_TRUSTED_PROXIES``) — the nearest address in ``X-Forwarded-For`` that is not itself
    a trusted proxy. By default no header is believed, so a client cannot choose its address (the
    login throttle and the audit log count by it)."""
    peer = request.client.host if request.client else None
    nets = ctx(request).settings.proxy_networks
    if peer is None or not nets or not _within(peer, nets):
        return peer
    hops = [h.strip() for v in request.headers.getlist("x-forwarded-for") for h in v.split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _within(hop, nets):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:  # garbage in the header: believe the proxy's own address only
                return peer
    return peer


def _within(address: str, nets: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in nets)


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


def record_refusal(request: Request, status: int, reason: str, message: str = "",
                   user: User | None = None) -> None:
    """Audit a refused write (CSRF, 403, a refused upload …): who (when signed in), which path, why.
    Its own small transaction (nothing else changed); a failure to record is logged, never shown."""
    c = ctx(request)
    who = actor(request, user if user is not None else getattr(request.state, "user", None))
    try:
        with c.store.write() as w:
            audit.record(w, who, "write.refused", f"{request.method} {request.url.path}"[:300], None,
                         {"status": status, "reason": reason, "message": message[:300]})
    except Exception:  # noqa: BLE001 - the refusal itself must still be answered
        log.exception("could not audit a refused %s %s", request.method, request.url.path)


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
            await run_in_threadpool(record_refusal, request, 403, "csrf_failed", "login form")
            raise WebError(403, MSG["login_form_expired"], code="csrf_failed")
        return
    def lookup() -> security.Session | None:
        with c.store.cursor() as cur:
            return security.lookup_session(cur, request.cookies.get(security.SESSION_COOKIE), c.settings)[0]

    s = await run_in_threadpool(lookup)
    if s is None:
        raise LoginRequired()
    if not security.tokens_match(s.csrf_token, given):
        await run_in_threadpool(record_refusal, request, 403, "csrf_failed", "missing" if not given else "wrong",
                                s.user)
        raise WebError(403, MSG["csrf_failed"], code="csrf_failed")
