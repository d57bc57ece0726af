"""The zone dashboard: indicators, score and its decomposition, potentials, rank card, trends."""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from jiyue.web import evaluations
from jiyue.web.deps import ctx, cursor, require
from jiyue.web.routes.common import pick_zone, render
from jiyue.web.users import User
from jiyue.web.errors import responses

router = APIRouter()

YEAR = Query(None, ge=1900, le=2200)
ZONE = Query(None, max_length=100)


@router.get("/dashboard", include_in_schema=False)
def dashboard_page(request: Request, zone: str | None = ZONE, year: int | None = YEAR,
                   user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
                   ) -> Response:
    snap, zones = pick_zone(cur, zone, year)
    if snap is None:
        return render(request, "empty.html", user)
    doc = evaluations.dashboard(cur, ctx(request).evaluations, snap[1], snap[2])
    return render(request, "dashboard.html", user, d=doc, zones=zones)


@router.get("/api/zones/{zone}/dashboard", summary="The dashboard document of a zone",
            responses=responses(401, 403, 404, 422))
def dashboard_api(request: Request, zone: str, year: int | None = YEAR,
                  user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
                  ) -> dict[str, Any]:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        from jiyue.web.errors import not_found

        raise not_found()
    return {"ok": True, **evaluations.dashboard(cur, ctx(request).evaluations, snap[1], snap[2])}
