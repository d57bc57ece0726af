"""The server store: PostgreSQL + PostGIS behind the same DuckDB SQL as the embedded store.

``--db postgresql://user@host:5432/jiyue`` (any libpq URI) opens an in-memory DuckDB, loads
DuckDB's postgres extension from the ``duckdb-extension-postgres`` wheel (no network),
``ATTACH``es the database as ``store`` and makes it the default catalog. Every query of the
engines then runs unchanged: DuckDB pushes filters, reads (binary COPY) and writes to
PostgreSQL; a DuckDB transaction is one PostgreSQL transaction (so an import is all or nothing
and an audit row commits with its change); GEOMETRY columns are PostGIS ``geometry`` columns.
The measurements behind this choice are in docs/architecture.md and docs/server-store.md.

Two things DuckDB cannot do on an attached PostgreSQL database are translated here, in one
place (:class:`PgConnection`): ``CREATE SEQUENCE`` (sent to PostgreSQL as DDL) and
``nextval('seq')`` (asked from PostgreSQL; sequences are not transactional, so several
processes draw distinct numbers). Schema migrations run under a PostgreSQL advisory lock, so
several processes starting at once migrate once.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import unquote, urlsplit, urlunsplit

import duckdb

from jiyue.errors import StoreError
from jiyue.extensions import spatial_extension_path

SCHEMES = ("postgresql://", "postgres://")
CATALOG = "store"
#: the advisory lock key taken while migrating (any constant; "jiyue" in ASCII)
MIGRATE_LOCK = 0x6A69797565


def is_url(db: object) -> TypeGuard[str]:
    """Whether ``db`` names a PostgreSQL server store (else it is a DuckDB file)."""
    return isinstance(db, str) and db.startswith(SCHEMES)


def redact(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and documents)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


def strip_password(url: str) -> str:
    """Move a password out of the URL into ``PGPASSWORD`` (read by libpq), so that the URL a
    command prints or records never holds it. It wins over a ``PGPASSWORD`` already set."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    os.environ["PGPASSWORD"] = unquote(parts.password)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, f"{user}{host}", parts.path, parts.query, parts.fragment))


def extension_path() -> Path:
    """The signed postgres extension from the ``duckdb-extension-postgres`` wheel.

    The wheel names the binary ``postgres.duckdb_extension`` while DuckDB derives the entry
    point from the file name (``postgres_scanner_duckdb_cpp_init``), so it is linked once under
    its real name into a per-user cache folder.
    """
    try:
        import duckdb_extension_postgres
    except ImportError:  # pragma: no cover - a dependency of the project
        raise StoreError("未安装 duckdb-extension-postgres，无法连接 PostgreSQL 数据库（请重新运行 make venv）。") from None
    src = Path(duckdb_extension_postgres.__file__).parent / "extensions" / f"v{duckdb.__version__}" / \
        "postgres.duckdb_extension"
    if not src.exists():
        raise StoreError(f"duckdb-extension-postgres 与 duckdb {duckdb.__version__} 版本不一致（缺少 {src}）。")
    folder = Path(tempfile.gettempdir()) / f"jiyue-duckdb-ext-{os.getuid()}" / f"v{duckdb.__version__}"
    link = folder / "postgres_scanner.duckdb_extension"
    if not (link.exists() and link.resolve() == src.resolve()):
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".link-{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(src)
        os.replace(tmp, link)  # atomic: several processes may do this at once
    return link


def unreachable(url: str, err: BaseException) -> StoreError:
    """The Chinese sentence for a server store that cannot be opened (exit 2, password never shown)."""
    text = str(err)
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        why = "用户名或密码不正确（密码请放在环境变量 PGPASSWORD 或 ~/.pgpass 中）"
    elif "does not exist" in low and "database" in low:
        why = "服务器上没有这个数据库（请先用 createdb 建立）"
    elif "role" in low and "does not exist" in low:
        why = "服务器上没有这个用户"
    elif any(k in low for k in ("connection refused", "could not connect", "no such file", "timeout",
                                "could not translate host name", "connection to server")):
        why = "连接不上数据库服务器（服务器未启动、地址或端口不对，或被防火墙阻挡）"
    else:
        why = "无法打开"
    e = StoreError(f"无法连接 PostgreSQL 数据库「{redact(url)}」：{why}。数据库未作任何修改。")
    e.exit_code = 2
    return e


#: PostgreSQL reserves the column names xmin/xmax (system columns); the web app's tile table
#: ``web_parcel_geo`` uses them, so on the server they are stored as bbox_xmin/bbox_xmax
_SYSTEM_COLUMN = re.compile(r"(?<![\w.])(xmin|xmax)(?![\w(])")
_SEQ_DDL = re.compile(r"^\s*CREATE\s+SEQUENCE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)(.*)$", re.I | re.S)
_NEXTVAL = re.compile(r"nextval\(\s*'(\w+)'\s*\)", re.I)


def translate(sql: str) -> str:
    """DuckDB SQL for the attached PostgreSQL catalog (sequences; everything else unchanged)."""
    m = _SEQ_DDL.match(sql)
    if m:
        ddl = f"CREATE SEQUENCE IF NOT EXISTS {m.group(1)}{m.group(2)}".replace("'", "''")
        return f"CALL postgres_execute('{CATALOG}', '{ddl}')"
    if "web_parcel_geo" in sql:
        sql = _SYSTEM_COLUMN.sub(lambda c: f"bbox_{c.group(1)}", sql)
    if "nextval" in sql.lower():
        sql = _NEXTVAL.sub(
            lambda n: f"(SELECT nextval FROM postgres_query('{CATALOG}', 'SELECT nextval(''{n.group(1)}'')'))", sql)
    return sql


#: advisory lock keys: every write transaction of the engines and the web app (short), and imports
WRITE_LOCK = 0x6A697975_01
IMPORT_LOCK = 0x6A697975_02
LOCK_TIMEOUT_S = 60


class _Locks:
    """The cluster-wide write locks of one process's attachment (shared by its cursors).

    DuckDB runs a PostgreSQL transaction at REPEATABLE READ and updates rows by ``ctid``: two
    processes changing the same row would make the second fail ("could not serialize access").
    So, as inside one DuckDB file, write transactions take turns: ``BEGIN`` first takes a
    PostgreSQL advisory lock (on a small side session, so the transaction's snapshot is taken
    after the lock is held), ``COMMIT``/``ROLLBACK`` releases it. Reads never wait. Imports
    take their own key (:data:`IMPORT_LOCK`), so the web app's short writes do not wait for them.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._threads: dict[int, threading.Lock] = {WRITE_LOCK: threading.Lock(), IMPORT_LOCK: threading.Lock()}
        self._side: Any = None
        self._side_lock = threading.Lock()

    def _session(self) -> Any:
        import psycopg

        with self._side_lock:
            if self._side is None or self._side.closed:
                self._side = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
                self._side.execute(f"SET lock_timeout = '{LOCK_TIMEOUT_S}s'")
            return self._side

    def acquire(self, key: int) -> None:
        import psycopg

        local = self._threads[key]
        if not local.acquire(timeout=LOCK_TIMEOUT_S):
            raise busy(self.url)
        try:
            self._session().execute("SELECT pg_advisory_lock(%s)", [key])
        except psycopg.errors.LockNotAvailable:
            local.release()
            raise busy(self.url) from None
        except BaseException:
            local.release()
            raise

    def release(self, key: int) -> None:
        try:
            self._session().execute("SELECT pg_advisory_unlock(%s)", [key])
        except Exception:  # noqa: BLE001 - a broken side session: closing it releases its locks
            with self._side_lock:
                if self._side is not None:
                    self._side.close()
        finally:
            self._threads[key].release()

    def close(self) -> None:
        if self._side is not None:
            self._side.close()


def busy(url: str) -> StoreError:
    return StoreError(f"PostgreSQL 数据库「{redact(url)}」正忙：另一个写入（如导入）{LOCK_TIMEOUT_S} 秒内未结束；"
                      "请稍后再试。数据库未作任何修改。")


_BEGIN = re.compile(r"^\s*BEGIN(\s+TRANSACTION)?\s*;?\s*$", re.I)
_END = re.compile(r"^\s*(COMMIT|ROLLBACK|END|ABORT)(\s+TRANSACTION)?\s*;?\s*$", re.I)


if TYPE_CHECKING:  # to the type checker, a PgConnection is the DuckDB connection it stands in for
    _ConnectionBase = duckdb.DuckDBPyConnection
else:
    _ConnectionBase = object


class PgConnection(_ConnectionBase):
    """A DuckDB connection whose default catalog is the attached PostgreSQL database.

    It behaves like :class:`duckdb.DuckDBPyConnection` (every other attribute is the wrapped
    connection's); ``execute``/``executemany``/``sql`` translate sequences (:func:`translate`),
    ``BEGIN`` … ``COMMIT`` holds the write lock (:class:`_Locks`), and ``cursor()`` gives
    another such connection on the same attachment. Those three take SQL text only (it is
    translated), not a prepared ``duckdb.Statement``: the one way it differs from DuckDB's.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, url: str, *, read_only: bool,
                 locks: _Locks | None = None) -> None:
        self._con = con
        self.url = url
        self.read_only = read_only
        self._locks = locks if locks is not None else _Locks(url)
        self._root = locks is None
        self._key = WRITE_LOCK
        self._held: int | None = None

    def use_lock(self, key: int) -> None:
        """Take ``key`` instead of :data:`WRITE_LOCK` for this connection's transactions."""
        self._key = key

    def execute(self, sql: str, parameters: Any = None) -> PgConnection:  # type: ignore[override]  # SQL text only
        if not self.read_only and self._held is None and _BEGIN.match(sql):
            self._locks.acquire(self._key)
            self._held = self._key
            try:
                self._con.execute(sql)
            except BaseException:
                self._release()
                raise
            return self
        if self._held is not None and _END.match(sql):
            try:
                self._con.execute(sql)
            finally:
                self._release()
            return self
        sql = translate(sql)
        if parameters is None:
            self._con.execute(sql)
        else:
            self._con.execute(sql, parameters)
        return self

    def _release(self) -> None:
        key, self._held = self._held, None
        if key is not None:
            self._locks.release(key)

    def executemany(self, sql: str, parameters: Any = None) -> PgConnection:  # type: ignore[override]  # SQL text only
        self._con.executemany(translate(sql), parameters if parameters is not None else [])
        return self

    def sql(self, query: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]  # SQL text only
        return self._con.sql(translate(query), *args, **kwargs)

    query = sql

    def cursor(self) -> PgConnection:
        cur = self._con.cursor()
        cur.execute(f"USE {CATALOG}")
        return PgConnection(cur, self.url, read_only=self.read_only, locks=self._locks)

    def reader(self) -> PgConnection:
        """A cursor that only reads (takes no write lock)."""
        cur = self.cursor()
        cur.read_only = True
        return cur

    def close(self) -> None:
        self._release()
        self._con.close()
        if self._root:
            self._locks.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


_ROOTS: dict[tuple[str, bool], PgConnection] = {}
_ROOTS_LOCK = threading.Lock()


def connect(url: str, *, read_only: bool = False, spatial: bool = True) -> PgConnection:
    """A connection to the server store ``url``: a cursor of this process's attachment.

    The first call in a process opens an in-memory DuckDB, loads the extensions and attaches the
    database (about 2 s: the spatial extension is an 80 MB binary); later calls get a cursor of
    it (about 1 ms), each its own transaction and PostgreSQL session. ``read_only`` cursors take
    no write lock (they only read; PostgreSQL's MVCC gives each a consistent snapshot).
    """
    key = (url, bool(spatial))
    with _ROOTS_LOCK:
        root = _ROOTS.get(key)
        if root is None:
            root = _ROOTS[key] = attach(url, spatial=spatial)
    return root.reader() if read_only else root.cursor()


def attach(url: str, *, read_only: bool = False, spatial: bool = True) -> PgConnection:
    """A new in-memory DuckDB with the PostgreSQL database ``url`` attached as the default catalog."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"LOAD '{extension_path()}'")
        if spatial:
            con.execute(f"LOAD '{spatial_extension_path()}'")
        con.execute("SET pg_pool_max_connections = 64")  # one per open transaction of the process
        opts = "TYPE postgres, READ_ONLY" if read_only else "TYPE postgres"
        try:
            con.execute(f"ATTACH '{url.replace(chr(39), chr(39) * 2)}' AS {CATALOG} ({opts})")
        except duckdb.Error as e:
            raise unreachable(url, e) from None
        con.execute(f"USE {CATALOG}")
    except BaseException:
        con.close()
        raise
    return PgConnection(con, url, read_only=read_only)


@contextmanager
def migration_lock(url: str) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock :data:`MIGRATE_LOCK` (one migrating process at a time)."""
    import psycopg

    try:
        lock = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as e:
        raise unreachable(url, e) from None
    try:
        lock.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
        yield
    finally:
        lock.close()  # closing the session releases the lock


def ensure_postgis(url: str) -> None:
    """``CREATE EXTENSION postgis`` when it is missing (needs a role allowed to create it)."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as c:
            has = c.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
            if not has:
                try:
                    c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                except psycopg.Error as e:
                    raise StoreError("数据库中没有 PostGIS 扩展，且当前用户无权建立；请数据库管理员执行 "
                                     f"CREATE EXTENSION postgis;（{str(e).splitlines()[0][:120]}）") from None
    except psycopg.OperationalError as e:
        raise unreachable(url, e) from None


def database_name(url: str) -> str:
    """The database named in the URL (``jiyue`` for ``postgresql://host/jiyue``)."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        for kv in parts.query.split("&"):
            if kv.startswith("dbname="):
                name = unquote(kv[len("dbname="):])
    return name or (parts.username or "postgres")
