"""Fixtures of the liveability tests: the demo package and store (built once per session)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parent.parent / "web"
if str(WEB) not in sys.path:
    sys.path.insert(0, str(WEB))


@pytest.fixture(scope="session")
def lv_demo(tmp_path_factory) -> tuple[Path, Path]:
    """(demo package, demo store) — read-only for tests."""
    from web_factories import import_into

    from jiyue.demo import write_demo

    d = tmp_path_factory.mktemp("lv_demo")
    pkg = write_demo(d / "demo.gpkg")
    return pkg, import_into(pkg, d / "demo.duckdb")
