"""Signing in and out: password check, session cookie flags, CSRF on every unsafe request,
login throttling, the one error shape, security headers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web_factories import ADMIN_PASSWORD, DEMO_PASSWORD, login_form_token, make_app, sign_in


@pytest.fixture(scope="module")
def app(small_store, tmp_path_factory):
    from web_factories import copy_store

    db = copy_store(small_store, tmp_path_factory.mktemp("auth") / "jiyue.duckdb")
    a = make_app(db, login_max_failures=3)
    yield a
    a.state.ctx.store.close()


def client(app):
    return TestClient(app, raise_server_exceptions=False)


def test_pages_redirect_to_login_and_api_answers_401_in_one_shape(app):
    c = client(app)
    r = c.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fdashboard"
    for url in ("/api/zones", "/api/me", "/api/zones/Z1/dashboard", "/api/audit", "/api/enterprises/E1",
                "/api/zones/Z1/tiles/1/14/0/0.pbf"):
        r = c.get(url)
        assert r.status_code == 401, url
        assert r.json() == {"ok": False, "error": {"status": 401, "code": "login_required",
                                                   "message": "请先登录。", "details": None}}
    assert c.get("/api/health").json()["ok"] is True  # the only API answer without a login


def test_wrong_password_is_refused_and_right_one_sets_a_strict_httponly_cookie(app):
    c = client(app)
    token = login_form_token(c)
    r = c.post("/login", data={"username": "admin", "password": "wrong-password", "csrf_token": token})
    assert r.status_code == 401 and "用户名或密码不正确" in r.text
    r = c.post("/login", data={"username": "nobody", "password": "wrong-password", "csrf_token": token})
    assert r.status_code == 401 and "用户名或密码不正确" in r.text  # same answer for an unknown name
    r = c.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith("jiyue_session=")][0].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert c.get("/api/me").json()["user"]["role"] == "admin"


def test_login_without_or_with_a_forged_csrf_token_is_refused(app):
    c = client(app)
    login_form_token(c)  # the login cookie is set, but the form token is missing / wrong
    for data in ({"username": "admin", "password": ADMIN_PASSWORD},
                 {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": "forged"}):
        r = c.post("/login", data=data, follow_redirects=False)
        assert r.status_code == 403 and "登录页面已过期" in r.text
    fresh = client(app)  # no login cookie at all (a cross-site form post)
    r = fresh.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": "x"})
    assert r.status_code == 403


def test_next_only_follows_local_paths(app):
    c = client(app)
    token = login_form_token(c)
    r = c.post("/login", data={"username": "viewer", "password": DEMO_PASSWORD, "csrf_token": token,
                               "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/dashboard"


def test_every_unsafe_route_refuses_a_post_without_the_csrf_token(app):
    s = sign_in(app, "admin", ADMIN_PASSWORD)
    from jiyue.web.app import describe

    posts = [r["path"] for r in describe(app)["routes"] if "POST" in r["methods"]]
    assert len(posts) >= 12
    for path in posts:
        url = path.replace("{enterprise_id}", "E1").replace("{objection_id}", "1").replace("{user_id}", "1") \
            .replace("{campaign}", "1").replace("{parcel}", "P1").replace("{upload_id}", "a" * 24)
        if url == "/login":
            continue
        r = s.post(url, {"x": "1"}, csrf=False)
        assert r.status_code == 403, (url, r.status_code)
        assert "防伪令牌" in r.text, url
        r = s.http.post(url, json={"x": 1}, headers={"X-CSRF-Token": "forged"})
        assert r.status_code == 403, url
    # the same session's token in the header is accepted (the request then fails for other reasons or not)
    r = s.http.post("/logout", headers={"X-CSRF-Token": s.csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert s.get("/api/me").status_code == 401  # logged out: the session is ended server-side


def test_login_throttling_after_repeated_failures(app):
    c = client(app)
    token = login_form_token(c)
    for _ in range(3):  # login_max_failures=3 in this module's app
        r = c.post("/login", data={"username": "inspector", "password": "bad-password", "csrf_token": token})
        assert r.status_code == 401
    r = c.post("/login", data={"username": "inspector", "password": DEMO_PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and "登录失败次数过多" in r.text  # even the right password waits
    other = client(app)  # another user name is not locked
    t2 = login_form_token(other)
    r = other.post("/login", data={"username": "clerk", "password": DEMO_PASSWORD, "csrf_token": t2},
                   follow_redirects=False)
    assert r.status_code == 303
    admin = sign_in(app, "admin", ADMIN_PASSWORD)
    actions = [e["action"] for e in admin.get("/api/audit?username=inspector").json()["events"]]
    assert actions.count("login.failed") == 3 and "login.throttled" in actions


def test_security_headers_on_pages_and_api(app):
    c = client(app)
    for url in ("/login", "/api/health"):
        h = c.get(url).headers
        assert "default-src 'self'" in h["content-security-policy"]
        assert "script-src 'self'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["cache-control"] == "no-store"


def test_change_password(app):
    s = sign_in(app, "viewer", DEMO_PASSWORD)
    r = s.post("/account/password", {"current": "wrong", "new": "new-pass-123", "confirm": "new-pass-123"})
    assert r.status_code == 400 and "当前密码不正确" in r.text
    r = s.post("/account/password", {"current": DEMO_PASSWORD, "new": "short", "confirm": "short"})
    assert r.status_code == 400 and "至少 8 个字符" in r.text
    r = s.post("/account/password", {"current": DEMO_PASSWORD, "new": "new-pass-123", "confirm": "new-pass-123"})
    assert r.status_code == 303
    sign_in(app, "viewer", "new-pass-123")
    store = app.state.ctx.store
    with store.cursor() as cur:
        hashes = [r[0] for r in cur.execute("SELECT password_hash FROM web_users").fetchall()]
    assert all(h.startswith("$argon2id$") for h in hashes)  # never the password itself


def test_unknown_routes_and_bad_parameters_keep_the_error_shape(app):
    s = sign_in(app, "admin", ADMIN_PASSWORD)
    r = s.get("/api/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = s.get("/api/zones/Z1/dashboard?year=abc")
    body = r.json()
    assert r.status_code == 422 and body["ok"] is False and body["error"]["code"] == "invalid"
    assert body["error"]["details"][0]["loc"] == ["query", "year"]
    r = s.get("/api/zones/NOPE/dashboard")
    assert r.status_code == 404 and "没有开发区「NOPE」" in r.json()["error"]["message"]
    assert re.search("未找到", s.get("/map?zone=NOPE").text)
