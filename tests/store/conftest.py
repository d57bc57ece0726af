"""Fixtures for running the store tests on both backends: DuckDB files and a throwaway PostgreSQL.

The PostgreSQL server (Debian's PostgreSQL 15 + PostGIS, :mod:`jiyue.pgserver`) is started once
per session on a unix socket in a temporary folder. When it cannot start the PostgreSQL tests
**fail** with the reason; set ``JIYUE_TEST_PG=0`` to skip them on purpose (e.g. on a laptop
without PostgreSQL). CI installs the server (see .ci/run).
"""

from __future__ import annotations

import itertools
import os

import pytest

from jiyue import pgserver

OPT_OUT = "JIYUE_TEST_PG"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server():
    """A running throwaway PostgreSQL + PostGIS server (stopped and removed at the end)."""
    if os.environ.get(OPT_OUT) == "0":
        pytest.skip(f"{OPT_OUT}=0: PostgreSQL store tests skipped on purpose")
    why = pgserver.available()
    if why:
        pytest.fail(f"PostgreSQL store tests cannot run: {why}. Install it (see .ci/run) or set {OPT_OUT}=0 "
                    "to skip them on purpose.", pytrace=False)
    srv = pgserver.PgServer()
    try:
        srv.start()
    except pgserver.PgServerError as e:
        srv.stop()
        pytest.fail(f"the throwaway PostgreSQL server did not start: {e}. Set {OPT_OUT}=0 to skip on purpose.",
                    pytrace=False)
    yield srv
    srv.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh empty database (with PostGIS) on the throwaway server."""
    return pg_server.create_database(f"t{os.getpid()}_{next(_names)}")


@pytest.fixture(params=["duckdb", "postgresql"])
def backend(request, tmp_path):
    """A store target that does not exist yet: a DuckDB file path, or a PostgreSQL URL."""
    if request.param == "duckdb":
        return tmp_path / "s.duckdb"
    return request.getfixturevalue("pg_url")
