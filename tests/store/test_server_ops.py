"""Operations on both stores: backup/restore, kill -9 during an import, bad server input;
and the web app on PostgreSQL with several worker processes and concurrent writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import JIYUE, run_jiyue
from test_contract import clean_report, state

from jiyue import store


@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory):
    from jiyue.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.gpkg")


# --------------------------------------------------------------------------- backup / restore
def test_backup_and_restore_round_trip(backend, tmp_path):
    store.import_package(backend, clean_report(sha="1" * 64))
    before = state(backend)
    out = tmp_path / "backups" / "b.bak"
    r = run_jiyue("backup", "--db", backend, out)
    assert r.code == 0 and "已备份" in r.stdout, r.output
    store.import_package(backend, clean_report(sha="2" * 64), year=2021)  # a change after the backup
    assert state(backend) != before
    refused = run_jiyue("restore", out, "--db", backend)
    assert refused.code == 2 and "--replace" in refused.stderr and "Traceback" not in refused.output
    r = run_jiyue("restore", out, "--db", backend, "--replace")
    assert r.code == 0 and "已恢复" in r.stdout, r.output
    assert state(backend) == before
    # a backup of one kind is not restored into the other kind of store
    other = tmp_path / "x.duckdb" if not isinstance(backend, Path) else "postgresql://nobody@/none?host=/nonexistent"
    wrong = run_jiyue("restore", out, "--db", other)
    assert wrong.code == 2 and "只能从" in wrong.stderr


def test_a_failed_postgresql_restore_changes_nothing(pg_url, tmp_path):
    store.import_package(pg_url, clean_report())
    before = state(pg_url)
    bad = tmp_path / "bad.pgdump"
    bad.write_bytes(b"PGDMP" + b"\0" * 200)  # looks like an archive, is not one
    r = run_jiyue("restore", bad, "--db", pg_url, "--replace")
    assert r.code != 0 and "Traceback" not in r.output
    assert state(pg_url) == before


# --------------------------------------------------------------------------- kill -9
#: runs `jiyue import`, but stops inside the transaction (old rows deleted, new parcels and
#: buildings written) and says so by creating the file argv[1]; the test then kills it with -9
PAUSED_IMPORT = """
import pathlib, sys, time
from jiyue import store
flag = pathlib.Path(sys.argv[1])
real = store._insert
def paused(con, table, df, import_id):
    n = real(con, table, df, import_id)
    if table == "buildings":
        flag.touch()
        time.sleep(600)
    return n
store._insert = paused
sys.argv = ["jiyue", *sys.argv[2:]]
from jiyue.cli import main
main()
"""


def test_kill_9_during_an_import_leaves_the_store_as_before(backend, demo_gpkg, tmp_path):
    r = run_jiyue("import", demo_gpkg, "--db", backend)
    assert r.code == 0, r.output
    before = state(backend)
    flag = tmp_path / "inside-the-transaction"
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_IMPORT, str(flag), "import", str(demo_gpkg),
                             "--db", str(backend), "--replace"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while not flag.exists():
            assert proc.poll() is None, proc.stdout.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.time() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert state(backend) == before
    # and the store takes the next import (no lock left behind)
    again = run_jiyue("import", demo_gpkg, "--db", backend, "--replace")
    assert again.code == 0, again.output
    (zone, year, import_id), = state(backend)["snapshots"]
    assert (zone, year) == before["snapshots"][0][:2] and import_id > 1  # a server sequence may skip a number


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("url, words", [
    ("postgresql://jiyue:s3cret-pw@127.0.0.1:1/jiyue", "连接不上数据库服务器"),
    ("postgresql://nobody:s3cret-pw@/jiyue?host=/nonexistent-folder", "连接不上数据库服务器"),
])
def test_an_unreachable_server_is_one_chinese_sentence(url, words):
    r = run_jiyue("summary", "--db", url)
    assert r.code == 2, r.output
    assert words in r.stderr and "Traceback" not in r.output
    assert "s3cret-pw" not in r.output  # the password is never echoed


def test_a_wrong_password_or_database_is_named(pg_server, pg_url, clean_gpkg):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute("DROP ROLE IF EXISTS clerk")
        c.execute("CREATE ROLE clerk LOGIN PASSWORD 'right-password'")
    host = pg_server.socket_dir
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    for args in (["summary"], ["import", str(clean_gpkg)]):
        p = subprocess.run([str(JIYUE), *args, "--db", f"postgresql://clerk:wrong-pw@/postgres?host={host}"],
                           capture_output=True, text=True, timeout=120, env=env)
        assert p.returncode == 2, p.stderr
        assert "用户名或密码不正确" in p.stderr and "wrong-pw" not in p.stdout + p.stderr
        assert "Traceback" not in p.stderr
    r = run_jiyue("summary", "--db", f"postgresql://jiyue@/no_such_db?host={host}")
    assert r.code == 2 and "没有这个数据库" in r.stderr and "Traceback" not in r.output, r.output


def test_workers_need_a_server_store(tmp_path):
    r = subprocess.run([str(JIYUE), "serve", "--db", str(tmp_path / "s.duckdb"), "--workers", "2"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "PostgreSQL" in r.stderr and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- several processes
def test_serve_with_workers_and_concurrent_writers_loses_nothing(pg_url, demo_gpkg):
    """`serve --workers 2` on PostgreSQL; users read and file objections while the CLI imports:
    no error, every accepted write in the store with its audit event, the import complete."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import pg_load

    assert run_jiyue("import", demo_gpkg, "--db", pg_url).code == 0
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    r = pg_load.run(pg_url, demo_gpkg, users=6, seconds=8, workers=2, port=port)
    assert r["errors"] == 0, r["error_samples"]
    assert r["writes_accepted"] > 0
    assert r["writes_accepted"] == r["writes_in_store"] == r["writes_with_audit"]
    assert r["import_exit"] == 0 and r["years_after"] == [2020, 2021], r["import_output"]
