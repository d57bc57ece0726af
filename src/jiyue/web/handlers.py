"""The application's exception handlers: every failure answered in the one error shape of
:mod:`jiyue.web.errors` (JSON for ``/api/…``, the ``error.html`` page otherwise).

They sit above the routes' rendering (:mod:`jiyue.web.routes.common`) and the request
dependencies (:mod:`jiyue.web.deps`, which audits a refused write), so :mod:`jiyue.web.errors`
itself stays below both.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from jiyue.errors import JiyueError, StoreError, UsageError, ValidationFailed
from jiyue.web.deps import record_refusal
from jiyue.web.errors import HTTP_MESSAGES, STATUS_CODES, WebError, body, is_api, public
from jiyue.web.labels import MSG
from jiyue.web.routes.common import render

log = logging.getLogger("jiyue.web")


def error_response(request: Request, status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> Response:
    message, details = public(request, message), public(request, details)
    if is_api(request):
        return JSONResponse(body(status, code, message, details), status_code=status, headers=headers)
    if status == 401 and request.method in ("GET", "HEAD"):
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(nxt, safe='')}", status_code=303)
    resp = render(request, "error.html", getattr(request.state, "user", None), status_code=status,
                  status=status, code=code, message=message, details=details)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def jiyue_status(e: JiyueError) -> int:
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
        # a refused write is audited (CSRF: where it is checked)
        await run_in_threadpool(record_refusal, request, exc.status, exc.code, exc.message)
    headers = {"Retry-After": "60"} if exc.status == 429 else None
    return error_response(request, exc.status, exc.code, exc.message, exc.details, headers)


async def handle_jiyue_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JiyueError)
    status = jiyue_status(exc)
    details = None
    if isinstance(exc, ValidationFailed):
        details = [p.to_dict() for p in exc.problems[:500]]
    reason = getattr(exc, "code", None)
    code = reason.value if reason is not None else STATUS_CODES[status]
    return error_response(request, status, code, exc.message, details)


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    # fixed Chinese words per status: the detail of a framework error can be an exception's text
    message = HTTP_MESSAGES.get(status) or (MSG["internal"] if status >= 500 else MSG["bad_request"].format(
        detail=f"HTTP {status}"))
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
