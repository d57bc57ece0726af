"""Backup and restore of a store, for both backends (``jiyue backup`` / ``jiyue restore``).

* **DuckDB file**: the backup is a copy of the file, taken while this process holds the file
  read-write (no other process can write meanwhile) right after a ``CHECKPOINT`` (so everything
  is in the file, nothing left in the ``.wal``). Restoring copies it to a temporary file next to
  the store, checks that it opens as a jiyue store, and renames it over the store (atomic).
* **PostgreSQL**: the backup is a ``pg_dump`` custom-format archive (a consistent snapshot taken
  while the server keeps serving). Restoring replays it with ``pg_restore`` through ``psql
  --single-transaction``: the old tables (when ``replace``) are dropped and the archive's are
  created in **one** transaction, so a failed restore leaves the database as it was. The
  PostgreSQL client programs are Debian's, matched to the server (``/usr/lib/postgresql/15/bin``,
  or ``JIYUE_PG_BIN``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from jiyue import store, store_pg
from jiyue.errors import StoreError, UsageError

DUCKDB_MAGIC = b"DUCK"  # at offset 8 of a DuckDB database file
PGDUMP_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom archive


def pg_bin(name: str) -> str:
    folder = Path(os.environ.get("JIYUE_PG_BIN", "/usr/lib/postgresql/15/bin"))
    exe = folder / name
    if exe.exists():
        return str(exe)
    found = shutil.which(name)
    if found is None:
        raise UsageError(f"找不到 PostgreSQL 的 {name} 程序（应在 {folder}；Debian 上 apt-get install postgresql-client-15，"
                         "或用环境变量 JIYUE_PG_BIN 指定所在文件夹）。")
    return found


def kind_of(path: Path) -> str:
    """``duckdb`` or ``pgdump`` by the file's first bytes (else a UsageError)."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise UsageError(f"备份文件不存在：{path}") from None
    if head.startswith(PGDUMP_MAGIC):
        return "pgdump"
    if head[8:12] == DUCKDB_MAGIC:
        return "duckdb"
    raise UsageError(f"「{path}」不是 jiyue 的备份文件（既不是 DuckDB 数据库文件，也不是 pg_dump 归档）。")


def _run(cmd: list[str], url: str, what: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), **kw)
    if r.returncode != 0:
        detail = (r.stderr or r.stdout).strip().splitlines()
        if any("connection" in line.lower() or "password" in line.lower() for line in detail):
            raise store_pg.unreachable(url, RuntimeError("\n".join(detail)))
        raise StoreError(f"{what}失败（{'；'.join(detail[-3:])[:400]}）。数据库未作任何修改。")
    return r


# --------------------------------------------------------------------------- backup
def backup(db: str | Path, out: Path) -> dict[str, Any]:
    """Write a backup of the store ``db`` to ``out`` (replaced atomically if it exists)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if store_pg.is_url(db):
            url = str(db)
            with store.open_store(url, read_only=True, spatial=False) as con:  # reachable, and a jiyue store
                version = store.schema_version(con)
            _run([pg_bin("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp), url],
                 url, "pg_dump 备份")
            kind = "pgdump"
        else:
            p = Path(db)
            if not p.is_file():
                raise UsageError(f"数据库文件不存在：{p}")
            with store.open_store(p, spatial=False) as con:  # read-write: nobody else writes meanwhile
                version = store.schema_version(con)
                con.execute("CHECKPOINT")
                shutil.copyfile(p, tmp)
            kind = "duckdb"
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"db": str(db) if not store_pg.is_url(db) else store_pg.redact(str(db)), "backup": str(out),
            "kind": kind, "bytes": out.stat().st_size, "schema_version": version}


# --------------------------------------------------------------------------- restore
def restore(src: Path, db: str | Path, *, replace: bool = False) -> dict[str, Any]:
    """Put the backup ``src`` in place of the store ``db`` (all or nothing)."""
    src = Path(src)
    kind = kind_of(src)
    if store_pg.is_url(db):
        if kind != "pgdump":
            raise UsageError("PostgreSQL 数据库只能从 pg_dump 备份恢复；DuckDB 文件的备份请恢复到 DuckDB 文件"
                             "（可再用 jiyue import 导入原始数据包到 PostgreSQL）。")
        _restore_pg(src, str(db), replace)
    else:
        if kind != "duckdb":
            raise UsageError("DuckDB 数据库文件只能从 DuckDB 备份恢复；pg_dump 备份请恢复到 PostgreSQL 数据库（--db postgresql://…）。")
        _restore_duckdb(src, Path(db), replace)
    with store.open_store(db, read_only=True, spatial=False) as con:
        version = store.schema_version(con)
        imports = int(store.scalar(con, "SELECT count(*) FROM imports"))
    return {"db": store_pg.redact(str(db)) if store_pg.is_url(db) else str(db), "backup": str(src), "kind": kind,
            "schema_version": version, "imports": imports}


def _refuse_existing(db: str | Path) -> None:
    raise UsageError(f"数据库「{store_pg.redact(str(db)) if store_pg.is_url(db) else db}」已有 jiyue 数据；"
                     "确认要用备份整体替换时加 --replace。数据库未作任何修改。")


def _restore_duckdb(src: Path, db: Path, replace: bool) -> None:
    if db.exists():
        if not replace:
            _refuse_existing(db)
        with store.open_store(db, spatial=False):  # not in use by another program (else refused here)
            pass
    db.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{db.name}.", suffix=".restore", dir=db.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        shutil.copyfile(src, tmp)
        with store.open_store(tmp, read_only=True, spatial=False) as con:  # a jiyue store we can read
            if store.schema_version(con) == 0:
                raise UsageError(f"「{src}」不是 jiyue 的数据库备份（没有 jiyue 的表）。")
        os.replace(tmp, db)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():  # the log of the replaced file must not be replayed onto the backup
            wal.unlink()
    finally:
        if tmp.exists():
            tmp.unlink()
        stale = tmp.with_name(tmp.name + ".wal")
        if stale.exists():
            stale.unlink()


def _restore_pg(src: Path, url: str, replace: bool) -> None:
    import psycopg

    store_pg.ensure_postgis(url)
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as c:
        # jiyue's objects: every table and sequence of the public schema not owned by an extension
        owned = """SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S')
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"""
        objects = c.execute(owned).fetchall()
    if objects and not replace:
        _refuse_existing(url)
    script = _run([pg_bin("pg_restore"), "--no-owner", "--no-privileges", "--no-comments", "--file", "-", str(src)],
                  url, "读取备份").stdout
    drops = [f'DROP TABLE IF EXISTS public."{n}" CASCADE;' for n, k in objects if k == "r"]
    drops += [f'DROP SEQUENCE IF EXISTS public."{n}" CASCADE;' for n, k in objects if k == "S"]
    fd, name = tempfile.mkstemp(prefix="jiyue-restore-", suffix=".sql")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(drops) + "\n" + script)
        _run([pg_bin("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
              "--dbname", url, "--file", name], url, "恢复", stdin=subprocess.DEVNULL)
    finally:
        os.unlink(name)
