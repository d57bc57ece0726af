"""Shared fixtures: tiny packages written at test time, the CLI run two ways, store state.

``tests/`` is put on ``sys.path`` so every test module can ``from factories import ...``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import factories  # noqa: E402
from support import Run  # noqa: E402


@pytest.fixture(scope="session")
def cli():
    """The click group with the data commands registered (in-process, fast)."""
    import jiyue.cli.data  # noqa: F401  (registers validate/import/summary)
    from jiyue.cli import cli as group

    return group


@pytest.fixture
def invoke(cli):
    """Run a CLI command in-process with click's CliRunner; returns a :class:`Run`."""
    from click.testing import CliRunner

    def _invoke(*args: str | Path) -> Run:
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # an escaped exception is a bug: show it
        return Run(result.exit_code, result.stdout, result.stderr)

    return _invoke


@pytest.fixture
def layers():
    """The clean package (no problem at all) as GeoDataFrames/DataFrames; a fresh copy."""
    return factories.clean_package()


@pytest.fixture(scope="session")
def clean_gpkg(tmp_path_factory) -> Path:
    """The clean package as one GeoPackage, written once per session (read-only for tests)."""
    return factories.write_gpkg(factories.clean_package(), tmp_path_factory.mktemp("clean") / "clean.gpkg")


@pytest.fixture(scope="session")
def clean_shp_gbk(tmp_path_factory) -> Path:
    """The clean package as Shapefiles with GBK Chinese field names (no .cpg) + XLSX tables."""
    return factories.write_folder(factories.clean_package(), tmp_path_factory.mktemp("shp") / "pkg",
                                  names="zh", encoding="GBK", cpg=False)
