"""Fuzz every operation of the OpenAPI schema (schemathesis) as a signed-in admin: no answer
may be a server error (5xx), and every error keeps the one JSON shape."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from web_factories import ADMIN_PASSWORD, copy_store, make_app, sign_in


@pytest.fixture(scope="module")
def fuzz_target(small_store, tmp_path_factory):
    db = copy_store(small_store, tmp_path_factory.mktemp("fuzz") / "jiyue.duckdb")
    app = make_app(db)
    admin = sign_in(app, "admin", ADMIN_PASSWORD)
    yield app, dict(admin.http.cookies)
    app.state.ctx.store.close()


def _schema():
    # the schema is read from a throw-away app; the requests go to the fixture's app
    import tempfile
    from pathlib import Path

    from jiyue.web.app import create_app
    from jiyue.web.settings import Settings

    import shutil

    tmp = Path(tempfile.mkdtemp(prefix="jiyue-schema-"))
    try:
        app = create_app(Settings(db=tmp / "schema.duckdb", files_dir=tmp / "files"))
        doc = app.openapi()
        app.state.ctx.store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return schemathesis.openapi.from_dict(doc)


schema = _schema()


def test_schema_lists_the_api():
    paths = set(schema.raw_schema["paths"])
    assert {"/api/zones", "/api/zones/{zone}/dashboard", "/api/zones/{zone}/tiles/{import_id}/{z}/{x}/{y}.pbf",
            "/api/enterprises/{enterprise_id}", "/api/audit", "/api/ledger"} <= paths
    assert not any(p.startswith("/admin") or p == "/login" for p in paths)  # pages are not API operations


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_api_never_answers_5xx(fuzz_target, case):
    app, cookies = fuzz_target
    response = case.call(app=app, cookies=cookies)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    if response.status_code >= 400 and response.headers.get("content-type", [""])[0].startswith("application/json"):
        body = response.json()
        assert body["ok"] is False and set(body["error"]) == {"status", "code", "message", "details"}
