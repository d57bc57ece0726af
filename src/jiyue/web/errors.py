"""One error shape for the whole web application (style.md H11).

Every failure — a jiyue error, an HTTP error, a request that does not validate, an unexpected
exception — goes through :func:`error_response`. JSON (``/api/…``) always has the body::

    {"ok": false, "error": {"status": 403, "code": "forbidden", "message": "…", "details": null}}

and HTML pages render the same fields with ``error.html``; an HTML page that needs a login
redirects to ``/login?next=…`` instead. No traceback reaches a user; unexpected exceptions are
logged and answered with code ``internal``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from jiyue.errors import JiyueError, StoreError, UsageError, ValidationFailed
from jiyue.web.labels import MSG

log = logging.getLogger("jiyue.web")

#: HTTP status -> stable error code
STATUS_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_type",
                422: "invalid", 429: "too_many_attempts", 500: "internal"}


class WebError(Exception):
    """An error answered with ``status`` and the canonical body."""

    def __init__(self, status: int, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message
        self.details = details


class LoginRequired(WebError):
    def __init__(self) -> None:
        super().__init__(401, MSG["login_required"])


def forbidden(message: str | None = None) -> WebError:
    return WebError(403, message or MSG["forbidden"])


def not_found(message: str | None = None) -> WebError:
    return WebError(404, message or MSG["not_found"])


def bad_request(message: str, details: Any = None) -> WebError:
    return WebError(400, message, details=details)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def body(status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"ok": False, "error": {"status": status, "code": code, "message": message, "details": details}}


def error_response(request: Request, status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> Response:
    if is_api(request):
        return JSONResponse(body(status, code, message, details), status_code=status, headers=headers)
    if status == 401 and request.method in ("GET", "HEAD"):
        from urllib.parse import quote

        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(nxt, safe='')}", status_code=303)
    from jiyue.web.routes._common import render

    resp = render(request, "error.html", getattr(request.state, "user", None), status_code=status,
                  status=status, code=code, message=message, details=details)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _jiyue_status(e: JiyueError) -> int:
    if isinstance(e, ValidationFailed):
        return 422
    if isinstance(e, StoreError):
        return 409
    if isinstance(e, UsageError):
        return 400
    return 400


async def handle_web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    if exc.status == 403 and exc.code != "csrf_failed" and request.method not in ("GET", "HEAD", "OPTIONS"):
        from starlette.concurrency import run_in_threadpool

        from jiyue.web.deps import record_refusal  # a refused write is audited (CSRF: where it is checked)

        await run_in_threadpool(record_refusal, request, exc.status, exc.code, exc.message)
    headers = {"Retry-After": "60"} if exc.status == 429 else None
    return error_response(request, exc.status, exc.code, exc.message, exc.details, headers)


async def handle_jiyue_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JiyueError)
    status = _jiyue_status(exc)
    details = None
    if isinstance(exc, ValidationFailed):
        details = [p.to_dict() for p in exc.problems[:500]]
    code = exc.code.value if getattr(exc, "code", None) is not None else STATUS_CODES[status]
    return error_response(request, status, code, exc.message, details)


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    message = {404: MSG["not_found"], 405: "不支持此请求方法。"}.get(status, str(exc.detail))
    return error_response(request, status, STATUS_CODES.get(status, "error"), message,
                          headers=getattr(exc, "headers", None))


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [{"loc": [str(x) for x in e.get("loc", ())], "message": str(e.get("msg", ""))} for e in exc.errors()]
    text = "；".join(f"{'.'.join(d['loc'])}: {d['message']}" for d in details[:5])
    return error_response(request, 422, "invalid", MSG["bad_request"].format(detail=text), details)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal", MSG["internal"])
