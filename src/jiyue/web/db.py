"""The web application's handle on the store: one connection per process, one cursor per request.

DuckDB connections are not safe to share between threads, but cursors of one connection are
(each is its own connection to the same database). FastAPI runs sync endpoints in a thread pool,
so every request gets its own cursor (:meth:`Store.cursor`); sharing one connection gave HTTP 500s
(stack.md §5). Writes are serialised by one lock so two requests never conflict on the same rows;
each write is one transaction (:meth:`Store.write`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from jiyue import store
from jiyue.errors import StoreError


class Store:
    """The open store of a running application."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._open_lock = threading.Lock()
        self.write_lock = threading.RLock()

    def open(self) -> None:
        """Open (creating and migrating if needed) the store; idempotent."""
        with self._open_lock:
            if self._con is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    con = store.connect(self.path)
                except duckdb.Error as e:
                    raise StoreError(f"无法打开数据库「{self.path}」（{str(e).splitlines()[0][:200]}）；"
                                     "它可能不是 DuckDB 数据库文件，或正被其他程序（如另一个 jiyue 命令）使用。") from None
                store.migrate(con, self.path)
                self._con = con
                _held.add(_key(self.path))

    def close(self) -> None:
        with self._open_lock:
            if self._con is not None:
                self._con.close()
                self._con = None
                _held.discard(_key(self.path))

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self.open()
        assert self._con is not None
        return self._con

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one request (closed afterwards)."""
        cur = self.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def write(self, cur: duckdb.DuckDBPyConnection | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction, serialised with every other write of this process."""
        with self.write_lock:
            own = cur is None
            c = self.con.cursor() if own else cur
            assert c is not None
            c.execute("BEGIN")
            try:
                yield c
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            finally:
                if own:
                    c.close()


_installed = False
_held: set[str] = set()  # resolved paths of the stores this process's web app holds open


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def install_shared_connect() -> None:
    """Let engines open the web app's store read-only while this process holds it read-write.

    DuckDB refuses a second connection to a file that this process already opened with another
    configuration ("Can't open a connection to same database file with a different
    configuration"). The engines' service functions open the store read-only (through
    :func:`jiyue.store.open_store` or ``duckdb.connect(path, read_only=True)``); in the web process
    that would always fail. This wraps ``duckdb.connect`` so that exactly that refusal, for a
    store the web app holds (:class:`Store` registers it), falls back to an ordinary connection to
    the already-open database — used only for reading by those callers. Every other call, path and
    error is passed through unchanged. Idempotent.
    """
    global _installed
    if _installed:
        return
    original = duckdb.connect

    def connect(database: Any = ":memory:", read_only: bool = False, *args: Any, **kw: Any
                ) -> duckdb.DuckDBPyConnection:
        try:
            return original(database, read_only, *args, **kw)
        except duckdb.ConnectionException as e:
            if not read_only or "different configuration" not in str(e) or not isinstance(database, (str, Path)) \
                    or _key(database) not in _held:
                raise
            return original(database, False, *args, **kw)

    duckdb.connect = connect  # type: ignore[assignment]
    _installed = True
