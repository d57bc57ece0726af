"""The web application's handle on the store: one connection per process, one cursor per request.

DuckDB connections are not safe to share between threads, but cursors of one connection are
(each is its own connection to the same database). FastAPI runs sync endpoints in a thread pool,
so every request gets its own cursor (:meth:`Store.cursor`); sharing one connection gave HTTP 500s
(DuckDB connections are not thread-safe; cursors are). Writes are serialised by one lock so two requests never conflict on the same rows;
each write is one transaction (:meth:`Store.write`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from jiyue import store, store_pg
from jiyue.errors import StoreError


class Store:
    """The open store of a running application."""

    def __init__(self, path: Path) -> None:
        #: a DuckDB file, or a PostgreSQL URL (text; several processes may then serve it)
        self.path: Path = path if store_pg.is_url(path) else Path(path)  # type: ignore[assignment]
        self._con: duckdb.DuckDBPyConnection | None = None
        self._open_lock = threading.Lock()
        self.write_lock = threading.RLock()

    def open(self) -> None:
        """Open (creating and migrating if needed) the store; idempotent."""
        with self._open_lock:
            if self._con is None and store_pg.is_url(self.path):
                self._con = store.open_server(str(self.path))
            if self._con is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    con = store.connect(self.path)
                except duckdb.Error as e:
                    raise StoreError(f"无法打开数据库「{self.path}」（{str(e).splitlines()[0][:200]}）；"
                                     "它可能不是 DuckDB 数据库文件，或正被其他程序（如另一个 jiyue 命令）使用。") from None
                store.migrate(con, self.path)
                self._con = con
                store.hold(self.path)

    def close(self) -> None:
        with self._open_lock:
            if self._con is not None:
                self._con.close()
                self._con = None
                if not store_pg.is_url(self.path):
                    store.release(self.path)

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
