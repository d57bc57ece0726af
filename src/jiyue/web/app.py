"""The FastAPI application: ``create_app(settings)``.

Middleware (outermost first): security headers and a request-body size limit. Every route
depends on :func:`jiyue.web.deps.csrf_protect` (unsafe methods need the CSRF token). Errors all
take one shape (:mod:`jiyue.web.errors`). Static files, including the vendored MapLibre, are
served from the package; nothing is loaded from another host.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import jiyue
from jiyue.errors import JiyueError
from jiyue.web import errors, filters, handlers, labels
from jiyue.web.db import Store
from jiyue.web.deps import AppContext, csrf_protect
from jiyue.web.engines import Engines
from jiyue.web.evaluations import EvaluationCache
from jiyue.web.settings import Settings
from jiyue.web.tiles import TileCache
from jiyue.web import users
from jiyue.web.users import ensure_schema

log = logging.getLogger("jiyue.web")

PKG_DIR = Path(str(resources.files("jiyue.web")))
#: how uvicorn must run the app: it must not rewrite the client address from X-Forwarded-For
#: itself (its default trusts 127.0.0.1); :func:`jiyue.web.deps.client_ip` does, for configured proxies only
UVICORN_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False}
mimetypes.add_type("text/javascript", ".mjs")  # ES modules must be served as JavaScript


class SecurityHeaders:
    """Content-Security-Policy and friends on every response; no caching of pages and API answers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        extra = f" {settings.tile_origin}" if settings.tile_origin else ""
        self.csp = (
            "default-src 'self'; "
            f"img-src 'self' data: blob:{extra}; "
            f"connect-src 'self'{extra}; "
            "script-src 'self'; "
            "style-src 'self' 'unsafe-inline'; "
            "worker-src 'self' blob:; child-src 'self' blob:; "
            "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                add = [(b"content-security-policy", self.csp), (b"x-content-type-options", b"nosniff"),
                       (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
                       (b"cross-origin-opener-policy", b"same-origin")]
                if b"cache-control" not in names and not path.startswith("/static/"):
                    add.append((b"cache-control", b"no-store"))
                message["headers"] = headers + [h for h in add if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse request bodies over the limit of their path (413), whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        mb = 1024 * 1024
        self.limits = [("/upload", settings.max_upload_mb * mb + mb),
                       ("/ledger", settings.max_evidence_mb * 5 * mb + mb),
                       ("/safety", settings.max_evidence_mb * 5 * mb + mb)]
        self.default = mb

    def limit_for(self, path: str) -> int:
        for prefix, lim in self.limits:
            if path.startswith(prefix):
                return lim
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    too_big = int(v) > limit
                except ValueError:
                    too_big = True
                if too_big:
                    await self._refuse(scope, send, limit)
                    return
        seen = 0
        refused = False

        async def limited() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    raise _TooLarge()
            return message

        started = False

        async def track(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, track)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, limit: int) -> None:
        import html
        import json

        msg = labels.MSG["too_large"].format(limit=limit // (1024 * 1024))
        await _audit_refused_body(scope, msg)
        if scope["path"].startswith("/api/"):
            payload = json.dumps(errors.body(413, "too_large", msg), ensure_ascii=False).encode()
            ctype = b"application/json; charset=utf-8"
        else:  # a form post from a page: a short page in the same words
            payload = (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>文件太大（413）</title>'
                       f'<link rel="stylesheet" href="/static/css/app.css"><main><div class="card"><h1>文件太大（413）</h1>'
                       f'<div class="msg err" id="error-message" data-code="too_large">{html.escape(msg)}</div>'
                       f'<p><a href="/upload">返回</a></p></div></main></html>').encode()
            ctype = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(payload)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


class _TooLarge(Exception):
    pass


async def _audit_refused_body(scope: Scope, message: str) -> None:
    """Audit a body refused for its size (with the signed-in user, when the cookie names one)."""
    if "app" not in scope:
        return
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request

    from jiyue.web import security
    from jiyue.web.deps import ctx, record_refusal

    request = Request(scope)

    def run() -> None:
        c = ctx(request)
        with c.store.cursor() as cur:
            s, _ = security.lookup_session(cur, request.cookies.get(security.SESSION_COOKIE), c.settings)
        record_refusal(request, 413, "too_large", message, s.user if s else None)

    try:
        await run_in_threadpool(run)
    except Exception:  # noqa: BLE001 - the 413 is answered all the same
        log.exception("could not audit a refused body")


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PKG_DIR / "templates")),
                             autoescape=jinja2.select_autoescape(default=True, default_for_string=True))
    filters.register(env)
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True, "default": str}
    env.globals.update(labels=labels, jiyue_version=jiyue.__version__, permissions=users.PERMISSIONS)
    from jiyue.idle.labels import low_efficiency_label, stock_label

    # idle-land codes in Chinese (ledgers made before the labels existed hold codes such as normal)
    env.filters.update(stock_label=stock_label, low_efficiency_label=low_efficiency_label)
    return Jinja2Templates(env=env)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web application over the store named in ``settings``."""
    settings = settings or Settings.from_env()
    store = Store(settings.db)
    store.open()
    with store.write_lock:
        ensure_schema(store.con)
    settings.files_root.mkdir(parents=True, exist_ok=True)
    context = AppContext(settings=settings, store=store, templates=_templates(),
                         evaluations=EvaluationCache(settings.profile), tiles=TileCache(store),
                         engines=Engines(settings, store))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(title="jiyue 集约", version=jiyue.__version__, docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan, dependencies=[Depends(csrf_protect)])
    app.state.ctx = context
    # the schema is served behind the login by jiyue.web.routes.home.openapi_schema (openapi_url=None)
    app.add_exception_handler(errors.WebError, handlers.handle_web_error)
    app.add_exception_handler(JiyueError, handlers.handle_jiyue_error)
    app.add_exception_handler(StarletteHTTPException, handlers.handle_http_error)
    app.add_exception_handler(RequestValidationError, handlers.handle_validation_error)
    app.add_exception_handler(Exception, handlers.handle_unexpected)
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)
    app.mount("/static", StaticFiles(directory=str(PKG_DIR / "static")), name="static")

    from jiyue.web.routes import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    return app


def describe(app: FastAPI) -> dict[str, Any]:
    """Routes of the app (method, path, name) — for docs and tests."""
    from jiyue.web.routes import ROUTERS

    out = []
    for router in ROUTERS:
        for r in router.routes:
            methods = sorted(getattr(r, "methods", None) or [])
            out.append({"path": getattr(r, "path", ""), "methods": methods, "name": getattr(r, "name", "")})
    return {"routes": out}
