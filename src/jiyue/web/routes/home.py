"""The start page (a redirect to where the user works), the health check, the zone list and the
OpenAPI schema (signed-in users only)."""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

import jiyue
from jiyue.web import queries, security
from jiyue.web.deps import current_user, cursor, optional_session, require
from jiyue.web.errors import responses
from jiyue.web.routes.auth import safe_next
from jiyue.web.users import User

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(s: security.Session | None = Depends(optional_session)) -> Response:
    if s is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(safe_next(None, s.user), status_code=303)


@router.get("/api/openapi.json", include_in_schema=False)
def openapi_schema(request: Request, user: User = Depends(current_user)) -> Response:
    """The OpenAPI schema of the JSON API, for signed-in users only (401 otherwise, like every API answer)."""
    return JSONResponse(request.app.openapi())


@router.get("/api/health", summary="Liveness check (no login needed)")
def health() -> dict[str, Any]:
    return {"ok": True, "jiyue_version": jiyue.__version__}


@router.get("/api/zones", summary="Zones in the store with their years", responses=responses(401, 403))
def zones(user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
          ) -> dict[str, Any]:
    return {"ok": True, "zones": queries.zones(cur)}
