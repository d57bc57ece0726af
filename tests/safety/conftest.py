"""A small store holding three enterprises (no geometry needed) for the safety ledger tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from safety_support import make_store


@pytest.fixture
def db(tmp_path) -> Path:
    return make_store(tmp_path / "jiyue.duckdb")


@pytest.fixture
def safety_cli():
    import jiyue.cli.safety  # noqa: F401  (registers the safety group)
    from jiyue.cli import cli

    return cli


@pytest.fixture
def run(safety_cli):
    from click.testing import CliRunner

    from support import Run

    def _run(*args):
        r = CliRunner().invoke(safety_cli, [str(a) for a in args], catch_exceptions=True)
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        return Run(r.exit_code, r.stdout, r.stderr)

    return _run
