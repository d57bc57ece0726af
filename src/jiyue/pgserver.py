"""A throwaway PostgreSQL + PostGIS server for tests, benchmarks and trying the server store.

It runs Debian's PostgreSQL 15 binaries (``/usr/lib/postgresql/15/bin``, or ``JIYUE_PG_BIN``)
in a temporary folder, listening only on a unix socket in that folder (no TCP port), with
``trust`` authentication for the local superuser ``jiyue`` (other roles need their password). PostgreSQL refuses to run as root, so as
root the server runs as the ``postgres`` OS user. Nothing outside the folder is touched;
:meth:`PgServer.stop` removes it.

    with PgServer() as pg:
        url = pg.create_database("t1")      # postgresql://jiyue@/t1?host=/tmp/…
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("JIYUE_PG_BIN", "/usr/lib/postgresql/15/bin"))
PORT = 5432  # only names the socket file; no TCP listener


class PgServerError(RuntimeError):
    pass


def available() -> str | None:
    """None when a server can be started here, else why not (in words)."""
    if not (PG_BIN / "postgres").exists():
        return f"PostgreSQL server binaries not found in {PG_BIN} (apt-get install postgresql-15)"
    share = Path("/usr/share/postgresql") / PG_BIN.parent.name / "extension" / "postgis.control"
    if not share.exists():
        return f"PostGIS not installed ({share} missing; apt-get install postgresql-15-postgis-3)"
    return None


class PgServer:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="jiyue-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.log = self.root / "server.log"
        self._as: list[str] = []
        self.started = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> PgServer:
        why = available()
        if why:
            raise PgServerError(why)
        if os.geteuid() == 0:  # postgres refuses root: run as the postgres OS user
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PgServerError("running as root and there is no 'postgres' OS user") from None
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        os.chmod(self.root, 0o755)
        self._run([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "jiyue", "-A", "trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        # the superuser jiyue is trusted; any other role must give its password (to test refusals)
        (self.data / "pg_hba.conf").write_text("local all jiyue trust\nlocal all all scram-sha-256\n")
        opts = (f"-k {self.socket_dir} -p {PORT} -c listen_addresses='' -c fsync=off "
                "-c max_connections=200 -c shared_buffers=64MB")
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.log),
                   "-w", "-t", "60", "start"])
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            subprocess.run([*self._as, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "-w", "stop"], capture_output=True, check=False)
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, cmd: list[str]) -> None:
        r = subprocess.run([*self._as, *cmd], capture_output=True, text=True, check=False)
        if r.returncode != 0:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PgServerError(f"{' '.join(cmd[:2])} failed ({r.returncode}): {r.stderr.strip()[-2000:]}\n{tail}")

    # ------------------------------------------------------------------ databases
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://jiyue@/{dbname}?host={self.socket_dir}&port={PORT}"

    def create_database(self, name: str) -> str:
        """A new empty database with PostGIS; returns its URL."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(self.url(name), autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def bin(self, name: str) -> str:
        return str(PG_BIN / name)


def wait_ready(url: str, timeout: float = 30.0) -> None:
    import psycopg

    end = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)
