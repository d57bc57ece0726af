"""One error shape for the whole web application.

Every failure — a jiyue error, an HTTP error, a request that does not validate, an unexpected
exception — goes through :func:`jiyue.web.handlers.error_response`. JSON (``/api/…``) always has the body::

    {"ok": false, "error": {"status": 403, "code": "forbidden", "message": "…", "details": null}}

and HTML pages render the same fields with ``error.html``; an HTML page that needs a login
redirects to ``/login?next=…`` instead. No traceback reaches a user; unexpected exceptions are
logged and answered with code ``internal``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel

from jiyue.web.labels import MSG


#: HTTP status -> stable error code
STATUS_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_type",
                422: "invalid", 429: "too_many_attempts", 500: "internal"}


#: what a framework HTTP error (not one of ours) says, by status
HTTP_MESSAGES = {400: "请求格式不正确（例如表单或上传的数据不完整），请刷新页面后重试。", 401: MSG["login_required"],
                 403: MSG["forbidden"], 404: MSG["not_found"], 405: "不支持此请求方法。",
                 413: "请求内容太大。", 415: "请求的内容类型不被接受。"}


class ErrorInfo(BaseModel):
    status: int
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """The one error shape of every API answer that is not 2xx."""

    ok: Literal[False] = False
    error: ErrorInfo


_DESCRIPTIONS = {400: "Bad request", 401: "Not signed in (code login_required)",
                 403: "Signed in without the permission (code forbidden)", 404: "Not found (code not_found)",
                 409: "Conflict", 422: "Request parameters do not validate (code invalid; details lists loc, message)",
                 429: "Too many attempts"}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of an API route: its error statuses, each with the one error shape (OpenAPI)."""
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS.get(s, "Error")} for s in statuses}


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


#: an absolute server path (POSIX or Windows): kept is only its last part, the file name
_ABS_PATH = re.compile(r"(?:(?<![\w.:/~\-}\])>])/|(?<![\w])[A-Za-z]:\\)"
                       r"(?:[^\s/\\「」『』（）()，,；;：:'\"<>|]+[/\\])+([^\s/\\「」『』（）()，,；;：:'\"<>|]*)")
#: a Python exception's text as str(OSError) writes it
_ERRNO = re.compile(r"\[(?:Errno|WinError) -?\d+\][^（）()「」，,；;]*")


def scrub(text: str, roots: tuple[str, ...] = ()) -> str:
    """``text`` without server paths: each of ``roots`` (the store and files folders, also relative)
    and any absolute path is cut to its file name; ``[Errno n] …`` exception text is dropped."""
    for root in sorted({r for r in roots if r and r not in (".", "/")}, key=len, reverse=True):
        text = re.sub(r"(?<![\w.\-/\\])" + re.escape(root.rstrip("/\\")) + r"[/\\]", "", text)
    text = _ABS_PATH.sub(lambda m: m.group(1) or "…", text)
    return _ERRNO.sub("", text)


def server_roots(request: Request) -> tuple[str, ...]:
    """The folders of this server that messages must not show (as configured and resolved)."""
    try:
        settings = request.app.state.ctx.settings
    except AttributeError:
        return ()
    out: list[str] = []
    for p in settings.private_folders:
        out += [str(p), str(p.resolve())]
    return tuple(out)


def public(request: Request, value: Any) -> Any:
    """A message (or the strings inside details) fit to show: see :func:`scrub`."""
    roots = server_roots(request)
    if isinstance(value, str):
        return scrub(value, roots)
    if isinstance(value, list):
        return [public(request, v) for v in value]
    if isinstance(value, dict):
        return {k: public(request, v) for k, v in value.items()}
    return value


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def body(status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"ok": False, "error": {"status": status, "code": code, "message": message, "details": details}}
