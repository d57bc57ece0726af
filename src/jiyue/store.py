"""The DuckDB store: one file, the spatial extension loaded from its wheel, a versioned schema.

Every import is one transaction: either every row of the package lands, with its provenance
(file hash, time, counts, warnings), or the store is left exactly as it was. A zone and year
already in the store is only replaced when asked (``replace=True``); an earlier import is
replaced whole, never in part (an import holding other zones too is refused).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

import jiyue
from jiyue import messages, migrations, store_pg
from jiyue.errors import ReasonCode, StoreError
from jiyue.extensions import spatial_extension_path

if TYPE_CHECKING:  # the reading stack (geopandas, GDAL) is only loaded where a package is imported
    from jiyue.validate import Report


def exists(db: str | Path, *, file: bool = False) -> bool:
    """Whether the store ``db`` exists: a DuckDB file on disk (``file``: and is a file), or any
    server store URL (its reachability and content are checked when it is opened)."""
    if store_pg.is_url(db):
        return True
    return Path(db).is_file() if file else Path(db).exists()


_HELD: set[str] = set()  # resolved paths of store files this process holds open read-write

#: work to do inside the next transaction of this context, just before its COMMIT (:func:`before_commit`)
_BEFORE_COMMIT: ContextVar[list[Callable[[duckdb.DuckDBPyConnection], None]] | None] = \
    ContextVar("jiyue_before_commit", default=None)


@contextmanager
def before_commit(fn: Callable[[duckdb.DuckDBPyConnection], None]) -> Iterator[list[Callable[..., None]]]:
    """Run ``fn(con)`` inside the next store or ledger transaction made in this context (thread),
    just before its COMMIT, on that transaction's connection: what ``fn`` writes commits together
    with the change, and an exception from ``fn`` rolls the change back. The web application
    writes its audit row this way. Yields the pending list (empty once ``fn`` has run)."""
    pending: list[Callable[[duckdb.DuckDBPyConnection], None]] = [fn]
    token = _BEFORE_COMMIT.set(pending)
    try:
        yield pending
    finally:
        _BEFORE_COMMIT.reset(token)


def run_before_commit(con: duckdb.DuckDBPyConnection) -> None:
    """Called by a transaction just before COMMIT: runs (once) what :func:`before_commit` registered."""
    pending = _BEFORE_COMMIT.get()
    while pending:
        pending.pop(0)(con)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, parameters: object = None) -> Any:
    """The one value of a query that always answers one row (a count, a sum, ``nextval`` …)."""
    row = con.execute(sql, parameters).fetchone()
    if row is None:
        raise StoreError(f"查询没有返回结果：{sql}")
    return row[0]


def hold(path: str | Path) -> None:
    """Declare that this process holds the store at ``path`` open read-write (the web app).

    Read-only :func:`connect` calls to that file then share the open database instead of
    failing (see there). :func:`release` undoes it.
    """
    _HELD.add(str(Path(path).resolve()))


def release(path: str | Path) -> None:
    _HELD.discard(str(Path(path).resolve()))


def connect(path: str | Path | None = None, *, read_only: bool = False,
            spatial: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the spatial extension loaded (``None`` = in memory).

    ``spatial=False`` skips loading the extension (about half a second: it is an 80 MB signed
    binary). Since DuckDB 1.5 the GEOMETRY type and ``ST_GeomFromWKB`` are built in, so the
    import and the summary do not need it; every ``ST_*`` measure (area, distance …) does.

    Inside one process DuckDB refuses a read-only connection to a file the process already has
    open read-write ("different configuration"). For a store this process holds (:func:`hold`: the
    web app, whose requests run the engines' read-only service functions) such a call gets an
    ordinary connection to the already-open database instead; its callers only read.
    """
    if store_pg.is_url(path):  # a server store (docs/server-store.md)
        return store_pg.connect(path, read_only=read_only, spatial=spatial)
    target = str(path) if path else ":memory:"
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.ConnectionException as e:
        if not (read_only and path and "different configuration" in str(e)
                and str(Path(path).resolve()) in _HELD):
            raise
        con = duckdb.connect(target, read_only=False)
    except duckdb.Error as e:
        busy = lock_conflict(path, e) if path else None
        if busy is not None:
            raise StoreError(busy) from None
        raise
    # DuckDB draws a progress bar for queries over 2 s; it would land in the JSON a command prints
    con.execute("SET enable_progress_bar = false")
    if spatial:
        try:
            con.execute(f"LOAD '{spatial_extension_path()}'")
        except BaseException:
            con.close()
            raise
    return con


_LOCK = re.compile(r"Could not set lock on file.*?Conflicting lock is held in (?P<prog>.*?)"
                   r"(?: \(PID (?P<pid>\d+)\))?(?: by user .*?)?\.(?: See also|\s*$)", re.S)


def lock_conflict(path: str | Path, err: BaseException) -> str | None:
    """The Chinese sentence for DuckDB's "Could not set lock" (another process holds the file), else None.

    A DuckDB file is open in one process at a time when one of them writes: while ``jiyue serve``
    (or a long import) runs on it, every other command on the same file is refused by DuckDB.
    """
    text = str(err)
    if "Could not set lock" not in text and "Conflicting lock" not in text:
        return None
    m = _LOCK.search(text)
    who = ""
    if m is not None:
        prog = Path(m.group("prog").strip()).name if m.group("prog") else ""
        pid = m.group("pid")
        if pid and prog:
            who = f"（进程号 {pid}，程序 {prog}）"
        elif pid:
            who = f"（进程号 {pid}）"
    return (f"数据库「{path}」正被另一个程序使用{who}，例如正在运行的 jiyue serve 网页服务或另一个 jiyue 命令，"
            "此时不能再打开。请先停止那个程序（如在运行 jiyue serve 的窗口按 Ctrl+C），"
            "或者用 --db 指定这个数据库的另一份副本。数据库未作任何修改。")


# --------------------------------------------------------------------------- schema
# Every table of every module is created by the one migration registry (jiyue.migrations).
SCHEMA_VERSION = migrations.LATEST
MIGRATIONS: dict[int, list[str]] = {m.version: list(m.duckdb) for m in migrations.REGISTRY}
DATA_TABLES = migrations.DATA_TABLES


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    return migrations.schema_version(con)


def migrate(con: duckdb.DuckDBPyConnection, path: str | Path = "") -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION` (every pending migration of the registry);
    refuse a store written by a newer jiyue."""
    return migrations.migrate(con, path)


# --------------------------------------------------------------------------- the server store
_PG_MIGRATED: set[str] = set()  # URLs this process has already brought to the current schema


def _pg_migrated(url: str, spatial: bool = True) -> store_pg.PgConnection:
    """A read-write connection on a store at the current schema (PostGIS and migrations checked
    once per process, under the advisory lock so several processes migrate once)."""
    if url in _PG_MIGRATED:
        return store_pg.connect(url, spatial=spatial)
    store_pg.ensure_postgis(url)
    with store_pg.migration_lock(url):
        con = store_pg.connect(url, spatial=spatial)
        try:
            migrate(con, store_pg.redact(url))
        except BaseException:
            con.close()
            raise
    _PG_MIGRATED.add(url)
    return con


def open_server(url: str) -> store_pg.PgConnection:
    """A long-lived migrated connection for a server process (the web app); the caller closes it."""
    return _pg_migrated(url)


@contextmanager
def _open_pg(url: str, *, read_only: bool = False, spatial: bool = True) -> Iterator[store_pg.PgConnection]:
    """Open (and, for writing, migrate under the advisory lock) the server store."""
    if not read_only:
        con = _pg_migrated(url, spatial)
    else:  # read-only: no lock, no migration
        con = store_pg.connect(url, read_only=True, spatial=spatial)
        try:
            if schema_version(con) == 0:
                e = StoreError(f"PostgreSQL 数据库「{store_pg.redact(url)}」中还没有 jiyue 的数据（请先用 jiyue import 导入数据包）")
                e.exit_code = 2
                raise e
            if schema_version(con) > SCHEMA_VERSION:
                raise StoreError(messages.TEXT["store_newer"].format(
                    path=store_pg.redact(url), found=schema_version(con), expected=SCHEMA_VERSION))
        except BaseException:
            con.close()
            raise
    try:
        yield con
    finally:
        con.close()


@contextmanager
def open_store(path: str | Path, *, read_only: bool = False,
               spatial: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open (and migrate) the store at ``path`` (``spatial``: see :func:`connect`)."""
    if store_pg.is_url(path):  # a server store (docs/server-store.md)
        with _open_pg(str(path), read_only=read_only, spatial=spatial) as pg:
            yield pg
        return
    p = Path(path)
    if read_only and not p.exists():
        missing = StoreError(f"数据库文件不存在：{p}（请先用 jiyue import 导入数据包）")
        missing.exit_code = 2  # a wrong --db argument, like a package path that does not exist
        raise missing
    if p.exists() and p.is_dir():
        raise StoreError(f"数据库路径「{p}」是一个文件夹，应为 DuckDB 数据库文件（如 data/jiyue.duckdb）")
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = connect(p, read_only=read_only, spatial=spatial)
    except duckdb.Error as e:  # a lock conflict is already a StoreError (connect)
        raise StoreError(f"无法打开数据库「{p}」（{str(e).splitlines()[0][:200]}）；"
                         "它可能不是 DuckDB 数据库文件，或正被其他程序使用。数据库未作任何修改。") from None
    try:
        if not read_only:
            migrate(con, p)
        elif schema_version(con) > SCHEMA_VERSION:
            raise StoreError(messages.TEXT["store_newer"].format(path=p, found=schema_version(con),
                                                                 expected=SCHEMA_VERSION))
        yield con
    finally:
        con.close()


# --------------------------------------------------------------------------- import
@dataclass
class ImportResult:
    import_id: int
    year: int
    zones: list[str]
    counts: dict[str, int]
    replaced: list[int]
    warnings: int

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


class ImportConflict(StoreError):
    """The zone and year are already in the store and ``replace`` was not asked for."""


def package_year(report: Report) -> int:
    """The time point (year) of a package, as documented in docs/data-contract.md (the latest
    ``zone_years.year``; else the latest ``enterprise_years.year``; else the year of the latest
    ``parcels.supply_date``; else last year) — :func:`jiyue.validate.package_year`."""
    from jiyue.validate import package_year as year_of  # loaded already: the report comes from it

    return year_of(report.package)


def import_package(db: str | Path, report: Report, *, replace: bool = False,
                   year: int | None = None,
                   before_commit: Callable[[duckdb.DuckDBPyConnection, ImportResult], None] | None = None
                   ) -> ImportResult:
    """Write a validated package into the store, all or nothing.

    ``before_commit(con, result)`` runs inside the import's transaction, just before it commits:
    the web app records the upload and its audit event there, so they commit with the rows."""
    if not report.ok:
        raise StoreError(messages.TEXT["import_refused"].format(errors=len(report.errors)))
    pkg = report.package
    year = int(year) if year is not None else package_year(report)
    zones = sorted(str(z) for z in pkg.layers["zones"]["zone_code"].dropna().unique())
    if store_pg.is_url(db):  # one PostgreSQL transaction; nothing to clean up on disk
        with open_store(db, spatial=False) as con:
            con.use_lock(store_pg.IMPORT_LOCK)  # type: ignore[attr-defined]  # imports take turns
            return import_report(con, report, zones, year, replace, before_commit)
    p = Path(db)
    with new_file_removed_on_failure(p), open_store(p, spatial=False) as con:  # built-in GEOMETRY suffices
        return import_report(con, report, zones, year, replace, before_commit)


@contextmanager
def new_file_removed_on_failure(p: Path) -> Iterator[None]:
    """A store file (and the first folder) that a failed import created is removed again."""
    existed = p.exists()
    missing = [d for d in (p.parent.resolve(), *p.parent.resolve().parents) if not d.exists()]
    created_dir = missing[-1] if missing else None
    try:
        yield
    except BaseException:
        if not existed:
            for leftover in (p, p.with_name(p.name + ".wal")):
                if leftover.exists():
                    leftover.unlink()
            if created_dir is not None and created_dir.exists():
                shutil.rmtree(created_dir, ignore_errors=True)
        raise


def replaced_imports(con: duckdb.DuckDBPyConnection, zones: list[str], year: int, replace: bool,
                      db: str = "") -> list[int]:
    """The earlier imports this one replaces (refused without ``replace``, or when one also holds
    zones this import does not bring)."""
    placeholders = ",".join("?" * len(zones))
    existing = con.execute(
        f"SELECT zone_code, import_id FROM {db}snapshots WHERE year = ? AND zone_code IN ({placeholders})",
        [year, *zones]).fetchall()
    old_imports = sorted({r[1] for r in existing})
    if existing and not replace:
        raise ImportConflict(messages.TEXT["import_conflict"].format(
            zones="、".join(sorted({r[0] for r in existing})), year=year,
            imports="、".join(map(str, old_imports))), code=ReasonCode.ALREADY_IMPORTED)
    for imp in old_imports:
        others = [r[0] for r in con.execute(
            f"SELECT zone_code FROM {db}snapshots WHERE import_id = ?", [imp]).fetchall() if r[0] not in zones]
        if others:
            raise StoreError(messages.TEXT["replace_partial"].format(import_id=imp, others="、".join(others)))
    return old_imports


def import_report(con: duckdb.DuckDBPyConnection, report: Report, zones: list[str], year: int,
                  replace: bool, before_commit: Callable[..., None] | None = None) -> ImportResult:
    """Write a validated package's rows into the store on ``con``, in one transaction
    (:func:`import_package` on a file; an in-memory store for evaluating a package)."""
    pkg = report.package
    old_imports = replaced_imports(con, zones, year, replace)
    con.execute("BEGIN")
    try:
        drop_imports(con, old_imports)
        import_id = int(scalar(con, "SELECT nextval('import_seq')"))
        counts: dict[str, int] = {}
        for name, df in pkg.layers.items():
            frame = df
            if name == "buildings" and report.building_parcel is not None:
                frame = df.assign(parcel_eff=report.building_parcel.to_numpy())
            counts[name] = _insert(con, name, frame, import_id)
        _insert(con, "problems", problem_frame(report), import_id)
        result = ImportResult(import_id, year, zones, counts, old_imports, len(report.warnings))
        record_import(con, result, pkg)
        if before_commit is not None:
            before_commit(con, result)
        run_before_commit(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def drop_imports(con: duckdb.DuckDBPyConnection, import_ids: list[int], schema: str = "") -> None:
    """Delete the rows and snapshots of replaced imports (``schema``: ``"st."`` for an attached store)."""
    for imp in import_ids:
        for t in DATA_TABLES:
            con.execute(f"DELETE FROM {schema}{t} WHERE import_id = ?", [imp])
        con.execute(f"DELETE FROM {schema}snapshots WHERE import_id = ?", [imp])


def problem_frame(report: Any) -> pd.DataFrame:
    """The validation's problems as the rows of the ``problems`` table (without the import id)."""
    return pd.DataFrame([{k: v for k, v in p.to_dict().items() if k != "row"} for p in report.problems],
                        columns=["severity", "code", "layer", "row_id", "field", "found", "expected", "message"])


def record_import(con: duckdb.DuckDBPyConnection, result: ImportResult, pkg: Any, schema: str = "") -> None:
    """The import's snapshots (one per zone and year) and its row in ``imports``."""
    con.executemany(f"INSERT INTO {schema}snapshots VALUES (?, ?, ?)",
                    [[z, result.year, result.import_id] for z in result.zones])
    crs = pkg.crs.to_string() if pkg.crs is not None else None
    con.execute(f"INSERT INTO {schema}imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [result.import_id, pkg.sha256, str(pkg.path), dt.datetime.now(), result.year, ",".join(result.zones),
                 crs, json.dumps(result.counts), result.warnings, jiyue.__version__,
                 ",".join(map(str, result.replaced)) or None])


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall()]


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame, import_id: int) -> int:
    import geopandas as gpd
    import shapely

    cols = table_columns(con, table)
    data: dict[str, Any] = {}
    select: list[str] = []
    for name, dtype in cols:
        if name == "import_id":
            select.append(f"{import_id}::INTEGER")
            continue
        if name == "geom":
            if isinstance(df, gpd.GeoDataFrame):
                wkb = shapely.to_wkb(df.geometry.to_numpy())
                data["geom"] = pd.Series(wkb, dtype=object)
                select.append("CASE WHEN geom IS NULL THEN NULL ELSE ST_GeomFromWKB(geom) END")
            else:
                select.append("NULL::GEOMETRY")
            continue
        if name == "extra":
            xcols = [c for c in df.columns if str(c).startswith("x_")]
            if xcols:
                sub = df[xcols].rename(columns=lambda c: str(c)[2:]).reset_index(drop=True)
                lines = sub.to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
                data["extra"] = pd.Series(lines.splitlines()[: len(sub)], dtype=object)
                select.append('"extra"::VARCHAR')
            else:
                select.append("NULL::VARCHAR")
            continue
        if name not in df.columns:
            select.append(f"NULL::{dtype}")
            continue
        s = df[name]
        if dtype == "DATE":
            s = pd.to_datetime(s, errors="coerce")
        elif dtype == "BOOLEAN":
            s = s.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                      else bool(v)).astype("boolean")
        elif dtype in ("DOUBLE", "INTEGER"):
            s = pd.to_numeric(s, errors="coerce")
        else:
            s = s.astype("string")
        data[name] = s.reset_index(drop=True)
        select.append(f'"{name}"::{dtype}')
    frame = pd.DataFrame(data) if data else pd.DataFrame(index=range(len(df)))
    # handed over as Arrow: DuckDB scans it without the per-value conversion of object columns
    con.register("_incoming", pa.Table.from_pandas(frame, preserve_index=False) if data else frame)
    try:
        con.execute(f"INSERT INTO {table} SELECT {', '.join(select)} FROM _incoming")
    finally:
        con.unregister("_incoming")
    return int(len(df))


# --------------------------------------------------------------------------- reading back
def summary(db: str | Path) -> dict[str, Any]:
    """What the store holds: imports and, per zone and year, row counts and areas."""
    with open_store(db, read_only=True, spatial=False) as con:
        imports = con.execute(
            "SELECT import_id, year, zones, imported_at, sha256, counts, warnings, replaced "
            "FROM imports ORDER BY import_id").fetchdf()
        zones = con.execute("""
            SELECT s.zone_code, s.year, s.import_id, z.name, z.eval_type,
                   (SELECT count(*) FROM parcels p WHERE p.import_id = s.import_id AND p.zone_code = s.zone_code)
                       AS parcels,
                   (SELECT sum(area_eff_m2) FROM parcels p WHERE p.import_id = s.import_id
                        AND p.zone_code = s.zone_code) / 10000.0 AS area_ha,
                   (SELECT count(*) FROM buildings b JOIN parcels p ON p.import_id = b.import_id
                        AND p.parcel_id = b.parcel_eff WHERE b.import_id = s.import_id
                        AND p.zone_code = s.zone_code) AS buildings
            FROM snapshots s JOIN zones z ON z.import_id = s.import_id AND z.zone_code = s.zone_code
            ORDER BY s.zone_code, s.year""").fetchdf()
    from jiyue.codes import EVAL_TYPES

    snapshots = json.loads(zones.to_json(orient="records", force_ascii=False))
    for z in snapshots:  # the Chinese name of the evaluation type, for display
        z["eval_type_label"] = EVAL_TYPES[z["eval_type"]][0] if z.get("eval_type") in EVAL_TYPES else None
    return {
        "imports": json.loads(imports.to_json(orient="records", date_format="iso", force_ascii=False)),
        "snapshots": snapshots,
    }
