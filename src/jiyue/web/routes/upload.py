"""Data upload: validate → a table of every problem (layer, row, field, message) → import.

The uploaded package is kept under ``<files>/uploads/<id>/`` with its problem list; the import
validates it again and goes through the store's all-or-nothing import. A package with errors
is never imported: the store is left exactly as it was.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path as FsPath
from typing import Any

import duckdb
from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from jiyue.errors import JiyueError, PackageUnreadable, Problem, ReasonCode, Severity
from jiyue.web import audit, labels, queries
from jiyue.web.deps import actor, ctx, cursor, record_refusal, require
from jiyue.web.errors import WebError, bad_request, not_found, public, responses
from jiyue.web.routes.common import render
from jiyue.web.settings import PACKAGE_TYPES
from jiyue.web.uploads import check_upload, save_upload
from jiyue.web.users import User

router = APIRouter()

UPLOAD_ID = Path(pattern="^[A-Za-z0-9_-]{16,64}$")


def _dir(request: Request, upload_id: str) -> FsPath:
    return ctx(request).settings.files_root / "uploads" / upload_id


def _validate(path: FsPath) -> tuple[Any, list[dict[str, Any]], dict[str, Any]]:
    """(report or None, problems as dicts, counts) of a stored package."""
    from jiyue.validate import validate_path

    try:
        report = validate_path(path)
    except PackageUnreadable as e:
        p = {"severity": "error", "code": e.code.value if e.code else "package_unreadable", "layer": None,
             "row_id": None, "field": None, "found": path.name, "expected": "GeoPackage 文件、.zip 压缩包或 Excel 工作簿",
             "message": e.message, "row": None}
        return None, [p], {"errors": 1, "warnings": 0, "rows": {}, "by_code": {p["code"]: 1}}
    d = report.to_dict()
    return report, d["problems"], d["counts"]


def _public_problems(request: Request, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems as shown and stored for the page: messages without the server's paths."""
    return [{**p, **{k: public(request, p[k]) for k in ("message", "found", "expected") if isinstance(p.get(k), str)}}
            for p in problems]


@router.get("/upload", include_in_schema=False)
def upload_page(request: Request, user: User = Depends(require("upload")),
                cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    c = ctx(request)
    return render(request, "upload.html", user, uploads=queries.uploads(cur), error=None,
                  max_mb=c.settings.max_upload_mb, types="、".join(PACKAGE_TYPES), counts=queries.table_counts(cur))


@router.post("/upload", include_in_schema=False)
async def upload(request: Request, file: UploadFile | None = File(None), user: User = Depends(require("upload"))
                 ) -> Response:
    c = ctx(request)
    if file is None or not file.filename:
        raise bad_request(labels.MSG["no_file"])
    upload_id = secrets.token_urlsafe(18)
    folder = _dir(request, upload_id)
    suffix = FsPath(file.filename).suffix.lower()
    target = folder / f"package{suffix if suffix in PACKAGE_TYPES else '.bin'}"
    try:
        size, sha = await save_upload(file, target, c.settings.max_upload_mb)
        check_upload(target, file.filename, PACKAGE_TYPES, size, max_zip_mb=c.settings.max_zip_uncompressed_mb,
                     max_zip_entries=c.settings.max_zip_entries)
    except WebError as e:
        shutil.rmtree(folder, ignore_errors=True)
        return await run_in_threadpool(_refused, request, user, e.status, e.message)
    return await run_in_threadpool(_validate_and_record, request, user, upload_id, folder, target, file.filename,
                                   size, sha)


def _refused(request: Request, user: User, status: int, message: str) -> Response:
    c = ctx(request)
    record_refusal(request, status, "upload_refused", message, user)
    with c.store.cursor() as cur:
        return render(request, "upload.html", user, status_code=status, uploads=queries.uploads(cur), error=message,
                      max_mb=c.settings.max_upload_mb, types="、".join(PACKAGE_TYPES), counts=queries.table_counts(cur))


def _validate_and_record(request: Request, user: User, upload_id: str, folder: FsPath, target: FsPath,
                         filename: str, size: int, sha: str) -> Response:
    c = ctx(request)
    report, problems, counts = _validate(target)
    problems = _public_problems(request, problems)
    status = "unreadable" if report is None else ("valid" if report.ok else "invalid")
    (folder / "problems.json").write_text(json.dumps({"problems": problems, "counts": counts}, ensure_ascii=False),
                                          encoding="utf-8")
    name = FsPath(filename.replace("\\", "/")).name[:200]
    with c.store.write() as w:
        queries.insert_upload(w, upload_id=upload_id, user_id=user.user_id, filename=name, stored_path=str(target),
                              size=size, sha256=sha, status=status, errors=int(counts["errors"]),
                              warnings=int(counts["warnings"]))
        audit.record(w, actor(request, user), "upload.validate", f"upload:{upload_id}", None,
                     {"filename": name, "size": size, "sha256": sha, "status": status, "errors": counts["errors"],
                      "warnings": counts["warnings"]})
    return RedirectResponse(f"/upload/{upload_id}", status_code=303)


def _load(request: Request, cur: duckdb.DuckDBPyConnection, upload_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    up = queries.upload(cur, upload_id)
    if up is None:
        raise not_found(labels.MSG["upload_not_found"])
    f = _dir(request, upload_id) / "problems.json"
    data = json.loads(f.read_text(encoding="utf-8")) if f.exists() else {"problems": [], "counts": {}}
    return up, data


@router.get("/upload/{upload_id}", include_in_schema=False)
def upload_result(request: Request, upload_id: str = UPLOAD_ID, user: User = Depends(require("upload")),
                  cur: duckdb.DuckDBPyConnection = Depends(cursor), error: str | None = None,
                  status_code: int = 200) -> Response:
    up, data = _load(request, cur, upload_id)
    return render(request, "upload_result.html", user, status_code=status_code, up=up, problems=data["problems"],
                  counts=data["counts"], error=error, store_counts=queries.table_counts(cur))


@router.get("/api/uploads/{upload_id}", summary="An upload's validation result: every problem",
            responses=responses(401, 403, 404, 422))
def upload_api(request: Request, upload_id: str = UPLOAD_ID, user: User = Depends(require("upload")),
               cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> dict[str, Any]:
    up, data = _load(request, cur, upload_id)
    return {"ok": True, "upload": {k: v for k, v in up.items() if k != "stored_path"}, **data}


@router.get("/upload/{upload_id}/problems.xlsx", include_in_schema=False)
def problems_xlsx(request: Request, upload_id: str = UPLOAD_ID, user: User = Depends(require("upload")),
                  cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    from jiyue.tables import write_problems

    _, data = _load(request, cur, upload_id)
    probs = []
    for p in data["problems"]:
        try:
            code = ReasonCode(p["code"])
        except ValueError:
            code = ReasonCode.PACKAGE_UNREADABLE
        probs.append(Problem(Severity(p["severity"]), code, p.get("layer") or "", p.get("row_id"), p.get("field"),
                             p.get("found"), p.get("expected"), p["message"], p.get("row")))
    out = _dir(request, upload_id) / "problems.xlsx"
    write_problems(probs, out)
    return FileResponse(out, filename="问题清单.xlsx",
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.post("/upload/{upload_id}/import", include_in_schema=False)
def import_upload(request: Request, upload_id: str = UPLOAD_ID, replace: bool = Form(False),
                  user: User = Depends(require("upload")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    from jiyue.store import import_package

    c = ctx(request)
    up, _ = _load(request, cur, upload_id)
    if up["status"] == "imported":
        return upload_result(request, upload_id, user, cur, labels.MSG["upload_already_imported"].format(
            import_id=up["import_id"]), 409)
    report, problems, counts = _validate(FsPath(up["stored_path"]))
    if report is None or not report.ok:
        with c.store.write() as w:
            audit.record(w, actor(request, user), "upload.import_refused", f"upload:{upload_id}", None,
                         {"errors": counts["errors"]})
        return upload_result(request, upload_id, user, cur,
                             labels.MSG["upload_has_errors"].format(errors=counts["errors"]), 400)
    before = queries.table_counts(cur)
    who = actor(request, user)

    def record(w: duckdb.DuckDBPyConnection, res: Any) -> None:  # in the import's own transaction
        queries.mark_upload(w, upload_id, status="imported", import_id=res.import_id)
        audit.record(w, who, "upload.import", f"upload:{upload_id}",
                     {"counts": before}, {"import": res.to_dict(), "counts": queries.table_counts(w)})

    with c.store.write_lock:
        try:
            import_package(c.store.path, report, replace=replace, before_commit=record)
        except JiyueError as e:
            return upload_result(request, upload_id, user, cur, e.message, 409)
    c.engines.clear()
    return RedirectResponse(f"/upload/{upload_id}?done=imported", status_code=303)
