"""Fixtures of the web tests: the demo store (built once), the small hand-checkable store,
apps over copies of them, and signed-in clients for every role."""

from __future__ import annotations

from pathlib import Path

import pytest

from web_factories import ADMIN_PASSWORD, DEMO_PASSWORD, copy_store, import_into, make_app, sign_in


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The demo zone (371500-ETDZ) imported into a store; copy it before opening it."""
    from jiyue.demo import write_demo

    d = tmp_path_factory.mktemp("demo")
    pkg = write_demo(d / "demo.gpkg")
    return import_into(pkg, d / "demo.duckdb")


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> Path:
    """The 6-parcel package of tests/factories.py imported into a store."""
    from factories import clean_package, write_gpkg

    d = tmp_path_factory.mktemp("small")
    pkg = write_gpkg(clean_package(), d / "small.gpkg")
    return import_into(pkg, d / "small.duckdb")


@pytest.fixture(scope="module")
def demo_app(demo_store, tmp_path_factory):
    """An app over a private copy of the demo store (one per test module)."""
    db = copy_store(demo_store, tmp_path_factory.mktemp("demo_app") / "jiyue.duckdb")
    app = make_app(db)
    yield app
    app.state.ctx.store.close()


@pytest.fixture(scope="module")
def small_app(small_store, tmp_path_factory):
    db = copy_store(small_store, tmp_path_factory.mktemp("small_app") / "jiyue.duckdb")
    app = make_app(db)
    yield app
    app.state.ctx.store.close()


@pytest.fixture(scope="module")
def as_role(demo_app):
    """Signed-in clients of the demo app by user name (admin, clerk, inspector, viewer, qiye1, qiye2)."""
    cache = {}

    def get(username: str):
        if username not in cache:
            pw = ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD
            cache[username] = sign_in(demo_app, username, pw)
        return cache[username]

    return get


@pytest.fixture(scope="session")
def national_store(tmp_path_factory) -> Path:
    """As `make run` leaves it: the demo zone and the national sets of 2020 and 2019 (540 zones each)."""
    from jiyue.demo import write_demo
    from jiyue.evaluation.service import evaluate
    from jiyue.national_demo import write_national

    d = tmp_path_factory.mktemp("national")
    demo = write_demo(d / "demo.gpkg")
    demo_zone = evaluate(demo)["zones"][0]
    db = d / "national.duckdb"
    import_into(write_national(d / "national-2020.gpkg", demo_zone=demo_zone), db)
    import_into(write_national(d / "national-2019.gpkg", demo_zone=demo_zone, year=2019), db)
    return import_into(demo, db)


@pytest.fixture(scope="session")
def three_zone_store(tmp_path_factory) -> Path:
    """Three copies of the small zone differing only in one building's floor area (so in FAR):
    ZA 8 000 m² (山东), ZC 6 000 m² (江苏), ZB 4 000 m² (山东)."""
    from factories import merge, write_gpkg, zone_copy

    d = tmp_path_factory.mktemp("three")
    pkg = merge(zone_copy("ZA", name="甲开发区", b4_floor_area=8000.0),
                zone_copy("ZB", name="乙开发区", b4_floor_area=4000.0, dx=1000),
                zone_copy("ZC", name="丙开发区", province="江苏省", b4_floor_area=6000.0, dx=2000))
    return import_into(write_gpkg(pkg, d / "three.gpkg"), d / "three.duckdb")


@pytest.fixture(scope="module")
def national_app(national_store, tmp_path_factory):
    db = copy_store(national_store, tmp_path_factory.mktemp("national_app") / "jiyue.duckdb")
    app = make_app(db)
    yield app
    app.state.ctx.store.close()
