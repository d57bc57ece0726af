"""The ranking page: the store's zones of one year ranked nationally / within a province, per
evaluation type, the selected zone highlighted; and the same table as an Excel workbook."""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

import jiyue
from jiyue.ranking.rank import averages, score_distribution
from jiyue.ranking.regions import short_province
from jiyue.web import ranking
from jiyue.web.deps import ctx, cursor, require
from jiyue.web.errors import not_found
from jiyue.web.routes.common import render
from jiyue.web.routes.reports import XLSX, temp_file, send_file
from jiyue.web.users import User

router = APIRouter()

YEAR = Query(None, ge=1900, le=2200)
ZONE = Query(None, max_length=100)
TYPE = Query(None, pattern="^(industrial|integrated)$")
SCOPE = Query("national", pattern="^(national|province)$")
PROVINCE = Query(None, max_length=50)


def _doc(request: Request, cur: duckdb.DuckDBPyConnection, year: int | None, eval_type: str | None, scope: str,
         province: str | None, zone: str | None) -> dict[str, Any]:
    return ranking.ranking_page(cur, ctx(request).evaluations, year=year, eval_type=eval_type, scope=scope,
                                province=province or None, zone=zone or None)


@router.get("/ranking", include_in_schema=False)
def ranking_html(request: Request, year: int | None = YEAR, type: str | None = TYPE, scope: str = SCOPE,  # noqa: A002
                 province: str | None = PROVINCE, zone: str | None = ZONE, user: User = Depends(require("view_zone")),
                 cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    doc = _doc(request, cur, year, type, scope, province, zone)
    if not doc["rows"] and not doc["years"]:
        return render(request, "empty.html", user)
    return render(request, "ranking.html", user, r=doc)


@router.get("/ranking.xlsx", include_in_schema=False)
def ranking_xlsx(request: Request, year: int | None = YEAR, type: str | None = TYPE, scope: str = SCOPE,  # noqa: A002
                 province: str | None = PROVINCE, zone: str | None = ZONE, user: User = Depends(require("reports")),
                 cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    """The table on the page (same type, scope and province filter) as the ranking workbook."""
    from jiyue.reports.ranking_xlsx import write

    doc = _doc(request, cur, year, type, scope, province, zone)
    if not doc["rows"]:
        raise not_found("没有可排名的开发区。")
    zones = [z for z in doc["zones"] if z["eval_type"] == doc["eval_type"]
             and (doc["province"] is None or short_province(z["province"]) == doc["province"])]
    p = ctx(request).evaluations.profile
    out = temp_file(request, ".xlsx")
    write({"profile": p.describe(), "jiyue_version": jiyue.__version__, "year": doc["year"], "rankings": doc["rows"],
           "averages": averages(zones), "distribution": score_distribution(zones), "zones": zones}, out)
    where = f"-{doc['province']}" if doc["province"] else ""
    return send_file(out, f"排名-{doc['year']}-{doc['eval_type_label']}{where}.xlsx", XLSX)
