"""Issue 17 (items 4 and 5), through HTTP against the real app and store: weak passwords refused,
password changes end the other sessions and are throttled, the address throttle, trusted proxies,
refused writes audited, audit rows in the change's transaction, no server paths or exception text
in answers, and the OpenAPI schema behind the login."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web_factories import ADMIN_PASSWORD, DEMO_PASSWORD, copy_store, make_app, sign_in


@pytest.fixture(scope="module")
def app(small_store, tmp_path_factory):
    db = copy_store(small_store, tmp_path_factory.mktemp("websec") / "jiyue.duckdb")
    a = make_app(db, login_max_failures=3)
    yield a
    a.state.ctx.store.close()


def client(app, **kw):
    return TestClient(app, raise_server_exceptions=False, **kw)


def audit_events(app, action: str) -> list[dict]:
    from jiyue.web import audit

    with app.state.ctx.store.cursor() as cur:
        return audit.events(cur, action=action, limit=1000)[0]


# --------------------------------------------------------------------------- item 5: weak passwords
WEAK = [("short1a", "至少 8 个字符"), ("1234567890", "全是数字"), ("20200101", "全是数字"),
        ("password1", "太常见"), ("Qwertyuiop", "太常见"), ("woaini1314", "太常见"), ("1qaz2wsx", "太常见")]


def test_admin_cannot_create_a_user_with_a_weak_password(app):
    admin = sign_in(app, "admin", ADMIN_PASSWORD)
    for i, (pw, why) in enumerate(WEAK):
        r = admin.post("/admin/users", {"username": f"weak{i}", "role": "viewer", "password": pw})
        assert r.status_code == 400 and why in r.text, (pw, r.status_code)
    r = admin.post("/admin/users", {"username": "weakname1", "role": "viewer", "password": "WeakName1"})
    assert r.status_code == 400 and "不能与用户名相同" in r.text
    with app.state.ctx.store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM web_users WHERE username LIKE 'weak%'").fetchone()[0] == 0
    r = admin.post("/admin/users", {"username": "strong1", "role": "viewer", "password": "lantern-orbit-57"})
    assert r.status_code == 200 and "strong1" in r.text


def test_a_user_cannot_change_to_a_weak_password(app):
    s = sign_in(app, "clerk", DEMO_PASSWORD)
    for pw, why in WEAK:
        r = s.post("/account/password", {"current": DEMO_PASSWORD, "new": pw, "confirm": pw})
        assert r.status_code == 400 and why in r.text, pw
    sign_in(app, "clerk", DEMO_PASSWORD)  # unchanged


def test_generated_and_reset_passwords_pass_the_rule(app):
    from jiyue.web import passwords

    assert all(passwords.problem(passwords.generate()) is None for _ in range(200))
    admin = sign_in(app, "admin", ADMIN_PASSWORD)
    with app.state.ctx.store.cursor() as cur:
        uid = cur.execute("SELECT user_id FROM web_users WHERE username = 'viewer'").fetchone()
    r = admin.post(f"/admin/users/{uid[0]}", {"role": "viewer", "active": "true", "reset_password": "true"})
    assert r.status_code == 200
    pw = re.search(r'id="created-password".*?<code>([^<]+)</code>', r.text).group(1).strip()
    assert passwords.problem(pw) is None
    sign_in(app, "viewer", pw)


def test_weak_start_up_passwords_are_refused(small_store, tmp_path, monkeypatch):
    from jiyue.errors import UsageError
    from jiyue.web.settings import Settings

    for pw in ("12345678", "password", "admin123", "admin"):
        with pytest.raises(UsageError, match="JIYUE_ADMIN_PASSWORD"):
            Settings.from_env(db=tmp_path / "x.duckdb", admin_password=pw)
    db = copy_store(small_store, tmp_path / "demo.duckdb")
    monkeypatch.setenv("JIYUE_DEMO_PASSWORD", "iloveyou")
    from jiyue.web.app import create_app
    from jiyue.web.bootstrap import demo_users

    a = create_app(Settings.from_env(db=db, admin_password=ADMIN_PASSWORD, secret_key="x" * 20))
    try:
        with pytest.raises(UsageError, match="JIYUE_DEMO_PASSWORD"):
            demo_users(a.state.ctx.store)
        with a.state.ctx.store.cursor() as cur:  # nothing was created
            assert cur.execute("SELECT count(*) FROM web_users").fetchone()[0] == 0
    finally:
        a.state.ctx.store.close()
