"""Report downloads: the evaluation and ranking workbooks, the zone report (PDF), the per-mu workbook."""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Any
from urllib.parse import quote

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from jiyue.evaluation.service import document
from jiyue.ranking.service import ranking_document
from jiyue.web import queries
from jiyue.web.deps import ctx, cursor, require
from jiyue.web.errors import not_found
from jiyue.web.routes.common import pick_zone, render
from jiyue.web.users import User

router = APIRouter()

ZONE = Query(None, max_length=100)
YEAR = Query(None, ge=1900, le=2200)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def temp_file(request: Request, suffix: str) -> FsPath:
    folder = ctx(request).settings.files_root / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=suffix, dir=folder)
    import os

    os.close(fd)
    return FsPath(name)


def send_file(path: FsPath, filename: str, media_type: str) -> Response:
    return FileResponse(path, media_type=media_type, background=BackgroundTask(path.unlink, missing_ok=True),
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def evaluation_doc(request: Request, cur: duckdb.DuckDBPyConnection, snaps: list[tuple[int, str, int]]
                   ) -> dict[str, Any]:
    """The document of ``jiyue evaluate`` for these snapshots (from the dashboard's cache)."""
    cache = ctx(request).evaluations
    res = cache.get(cur, snaps)
    return document([res[s] for s in snaps], cache.profile,
                    {"db": str(ctx(request).store.path), "imports": sorted({s[0] for s in snaps})})


@router.get("/reports", include_in_schema=False)
def reports_page(request: Request, zone: str | None = ZONE, year: int | None = YEAR,
                 user: User = Depends(require("reports")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    snap, zones = pick_zone(cur, zone, year)
    if snap is None:
        return render(request, "empty.html", user)
    return render(request, "reports.html", user, zones=zones, snap=snap)


@router.get("/reports/evaluation.xlsx", include_in_schema=False)
def evaluation_xlsx(request: Request, zone: str | None = ZONE, year: int | None = YEAR,
                    user: User = Depends(require("reports")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
                    ) -> Response:
    from jiyue.reports.evaluation_xlsx import write

    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    out = temp_file(request, ".xlsx")
    write(evaluation_doc(request, cur, [snap]), out)
    return send_file(out, f"{snap[1]}-{snap[2]}-评价表.xlsx", XLSX)


@router.get("/reports/ranking.xlsx", include_in_schema=False)
def ranking_xlsx(request: Request, year: int | None = YEAR, user: User = Depends(require("reports")),
                 cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    from jiyue.reports.ranking_xlsx import write

    snaps = queries.snapshots(cur)
    if not snaps:
        raise not_found()
    y = year or max(s[2] for s in snaps)
    sel = [s for s in snaps if s[2] == y]
    if not sel:
        raise not_found(f"没有 {y} 年度的数据。")
    zones = evaluation_doc(request, cur, sel)["zones"]
    doc = {**ranking_document(zones, ctx(request).evaluations.profile, year=y), "zones": zones}
    out = temp_file(request, ".xlsx")
    write(doc, out)
    return send_file(out, f"排名-{y}.xlsx", XLSX)


@router.get("/reports/zone.pdf", include_in_schema=False)
def zone_pdf(request: Request, zone: str | None = ZONE, year: int | None = YEAR,
             user: User = Depends(require("reports")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    out = temp_file(request, ".pdf")
    try:
        ctx(request).engines.zone_pdf(snap[1], snap[2], out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return send_file(out, f"{snap[1]}-{snap[2]}-评价报告.pdf", "application/pdf")


@router.get("/reports/mujun.xlsx", include_in_schema=False)
def mujun_xlsx(request: Request, zone: str | None = ZONE, year: int | None = YEAR,
               user: User = Depends(require("reports")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    doc = ctx(request).engines.mujun(snap, snap[2])
    from jiyue.mujun.render import write_xlsx

    out = temp_file(request, ".xlsx")
    write_xlsx(doc, out)
    return send_file(out, f"{snap[1]}-{snap[2]}-亩均效益评价.xlsx", XLSX)
