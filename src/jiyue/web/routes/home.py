"""The start page (a redirect to where the user works), the health check and the zone list."""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response

import jiyue
from jiyue.web import queries, security
from jiyue.web.deps import cursor, optional_session, require
from jiyue.web.routes.auth import safe_next
from jiyue.web.users import User

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(s: security.Session | None = Depends(optional_session)) -> Response:
    if s is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(safe_next(None, s.user), status_code=303)


@router.get("/api/health", summary="Liveness check (no login needed)")
def health() -> dict[str, Any]:
    return {"ok": True, "jiyue_version": jiyue.__version__}


@router.get("/api/zones", summary="Zones in the store with their years")
def zones(user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
          ) -> dict[str, Any]:
    return {"ok": True, "zones": queries.zones(cur)}
