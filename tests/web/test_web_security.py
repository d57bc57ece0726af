"""Issue 17 (items 4 and 5), through HTTP against the real app and store: weak passwords refused,
password changes end the other sessions and are throttled, the address throttle, trusted proxies,
refused writes audited, audit rows in the change's transaction, no server paths or exception text
in answers, and the OpenAPI schema behind the login."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web_factories import (ADMIN_PASSWORD, CSRF, DEMO_PASSWORD, DEMO_ZONE, Client, Server, copy_store,
                           login_form_token, make_app, sign_in)


@pytest.fixture(scope="module")
def app(small_store, tmp_path_factory):
    db = copy_store(small_store, tmp_path_factory.mktemp("websec") / "jiyue.duckdb")
    a = make_app(db, login_max_failures=3, login_ip_max_failures=6, max_upload_mb=1)
    yield a
    a.state.ctx.store.close()


def client(app, address: str = "testclient", **kw):
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000), **kw)


def login(app, username: str, password: str, address: str):
    """One login attempt from ``address``: (the answer, the client)."""
    c = client(app, address)
    token = login_form_token(c)
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": token},
               follow_redirects=False)
    return r, c


def signed_in(app, username: str, password: str, address: str) -> Client:
    r, c = login(app, username, password, address)
    assert r.status_code == 303, r.text[:200]
    return Client(c, CSRF.search(c.get("/account").text).group(1), username)


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


# --------------------------------------------------------------------------- item 4: sessions
def test_changing_the_password_ends_the_other_sessions(app):
    here = signed_in(app, "inspector", DEMO_PASSWORD, "10.0.1.1")
    there = signed_in(app, "inspector", DEMO_PASSWORD, "10.0.1.2")
    assert there.get("/api/me").status_code == 200
    r = here.post("/account/password", {"current": DEMO_PASSWORD, "new": "copper-kettle-93", "confirm": "copper-kettle-93"})
    assert r.status_code == 303
    assert there.get("/api/me").status_code == 401  # the other session is over
    assert here.get("/api/me").status_code == 200  # the one that changed it goes on
    ev = audit_events(app, "password.change")[0]
    assert ev["username"] == "inspector" and ev["after"]["other_sessions_ended"] == 1


def test_wrong_current_passwords_are_throttled_and_audited(app):
    admin = signed_in(app, "admin", ADMIN_PASSWORD, "10.0.2.1")
    assert admin.post("/admin/users", {"username": "pwuser", "role": "viewer", "password": "maple-river-417"}
                      ).status_code == 200
    s = signed_in(app, "pwuser", "maple-river-417", "10.0.2.2")
    for _ in range(3):  # login_max_failures=3
        r = s.post("/account/password", {"current": "not-my-password", "new": "granite-owl-55", "confirm": "granite-owl-55"})
        assert r.status_code == 400 and "当前密码不正确" in r.text
    r = s.post("/account/password", {"current": "maple-river-417", "new": "granite-owl-55", "confirm": "granite-owl-55"})
    assert r.status_code == 429 and "输错次数过多" in r.text  # even the right one waits
    r, _ = login(app, "pwuser", "maple-river-417", "10.0.2.3")
    assert r.status_code == 429  # the same count as failed logins of the name
    assert len(audit_events(app, "password.wrong")) == 3
    thr = audit_events(app, "password.throttled")
    assert thr and thr[0]["username"] == "pwuser" and thr[0]["ip"] == "10.0.2.2"


def test_a_successful_login_does_not_reset_the_address_count(app):
    ip = "10.0.3.1"  # login_ip_max_failures=6 in this module's app
    for round_ in range(3):
        for i in range(2):
            r, _ = login(app, f"nobody{round_}{i}", "wrong-password-1", ip)
            assert r.status_code == 401
        r, _ = login(app, "clerk", DEMO_PASSWORD, ip)
        if round_ < 2:
            assert r.status_code == 303  # own account still works (fewer than 6 failures so far)
    # 6 failures from the address, with successful logins between them: still locked
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    r, _ = login(app, "clerk", DEMO_PASSWORD, "10.0.3.2")
    assert r.status_code == 303  # another address is not locked


def _login_over_http(base: str, username: str, password: str, headers: dict[str, str]) -> int:
    """A login through a real HTTP connection to the server (urllib, cookies kept)."""
    import http.cookiejar
    import urllib.error
    import urllib.parse
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):  # noqa: ARG002
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
    with opener.open(base + "/login", timeout=30) as r:
        token = CSRF.search(r.read().decode()).group(1)
    body = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token}).encode()
    try:
        with opener.open(urllib.request.Request(base + "/login", data=body, headers=headers), timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_x_forwarded_for_is_believed_only_from_configured_proxies(app):
    import dataclasses

    ctx = app.state.ctx
    original = ctx.settings
    try:
        with Server(app) as server:
            probes = iter(range(100))

            def failed_from(xff: str) -> str:
                name = f"xff-probe-{next(probes)}"  # a new name each time: the name's own throttle stays out
                assert _login_over_http(server.base, name, "wrong-password-1", {"X-Forwarded-For": xff}) == 401
                return audit_events(app, "login.failed")[0]["ip"]

            assert failed_from("203.0.113.7") == "127.0.0.1"  # default: no proxy trusted, the header is ignored
            ctx.settings = dataclasses.replace(original, trusted_proxies=("127.0.0.1",))
            assert failed_from("198.51.100.1, 203.0.113.7") == "203.0.113.7"  # the nearest hop the proxy saw
            assert failed_from("not-an-address") == "127.0.0.1"
            ctx.settings = dataclasses.replace(original, trusted_proxies=("127.0.0.1", "203.0.113.0/24"))
            assert failed_from("198.51.100.1, 203.0.113.7") == "198.51.100.1"  # trusted hops are skipped
    finally:
        ctx.settings = original


def test_trusted_proxies_setting_is_checked(tmp_path, monkeypatch):
    from jiyue.errors import UsageError
    from jiyue.web.settings import Settings

    monkeypatch.setenv("JIYUE_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16")
    s = Settings.from_env(db=tmp_path / "x.duckdb")
    assert s.trusted_proxies == ("10.0.0.5", "10.1.0.0/16")
    monkeypatch.setenv("JIYUE_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(UsageError, match="JIYUE_TRUSTED_PROXIES"):
        Settings.from_env(db=tmp_path / "x.duckdb")
    monkeypatch.delenv("JIYUE_TRUSTED_PROXIES")
    assert Settings.from_env(db=tmp_path / "x.duckdb").trusted_proxies == ()


def test_refused_writes_are_audited(app):
    admin = signed_in(app, "admin", ADMIN_PASSWORD, "10.0.4.1")
    clerk = signed_in(app, "clerk", DEMO_PASSWORD, "10.0.4.2")
    n0 = len(audit_events(app, "write.refused"))
    assert admin.post("/admin/users", {"username": "x1", "role": "viewer"}, csrf=False).status_code == 403
    assert admin.http.post("/admin/users", data={"username": "x1"}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert clerk.post("/admin/users", {"username": "x2", "role": "viewer"}).status_code == 403  # clerk: no manage_users
    r = clerk.post("/upload", files={"file": ("notes.txt", b"hello", "text/plain")})
    assert r.status_code == 415
    r = clerk.post("/upload", files={"file": ("big.gpkg", b"SQLite format 3\x00" + b"0" * 1_300_000, "application/octet-stream")})
    assert r.status_code == 413  # over the 1 MB package limit of this app
    r = clerk.post("/upload", files={"file": ("huge.gpkg", b"0" * 2_600_000, "application/octet-stream")})
    assert r.status_code == 413  # refused by the body limit before the route
    anon = client(app, "10.0.4.3")
    login_form_token(anon)
    assert anon.post("/login", data={"username": "admin", "password": "x", "csrf_token": "forged"}).status_code == 403
    ev = audit_events(app, "write.refused")[: len(audit_events(app, "write.refused")) - n0]
    got = [(e["username"], e["target"], e["after"]["reason"], e["after"]["status"]) for e in reversed(ev)]
    assert got == [("admin", "POST /admin/users", "csrf_failed", 403), ("admin", "POST /admin/users", "csrf_failed", 403),
                   ("clerk", "POST /admin/users", "forbidden", 403), ("clerk", "POST /upload", "upload_refused", 415),
                   ("clerk", "POST /upload", "upload_refused", 413), ("clerk", "POST /upload", "too_large", 413),
                   ("", "POST /login", "csrf_failed", 403)]
    assert all(e["ip"] for e in ev)


# --------------------------------------------------------------------------- audit in the change's transaction
def _count(app, sql: str, params=()) -> int:
    with app.state.ctx.store.cursor() as cur:
        return int(cur.execute(sql, list(params)).fetchone()[0])


def _fail_on(monkeypatch, action: str) -> None:
    """Make the audit write of ``action`` fail (inside the change's transaction)."""
    from jiyue.web import audit

    real = audit.record

    def record(con, actor, act, *args, **kw):
        if act == action:
            raise RuntimeError("audit store unavailable /srv/secret/path")
        return real(con, actor, act, *args, **kw)

    monkeypatch.setattr(audit, "record", record)


def test_a_ledger_close_whose_audit_row_fails_leaves_nothing(demo_app, monkeypatch):
    insp = signed_in(demo_app, "inspector", DEMO_PASSWORD, "10.0.5.1")
    clerk = signed_in(demo_app, "clerk", DEMO_PASSWORD, "10.0.5.2")
    r = clerk.post("/ledger/campaigns", {"since": "2010", "as_of": "", "zone": DEMO_ZONE, "name": "事务测试"})
    assert r.status_code == 303
    cid, parcel = re.findall(r'href="/ledger/(\d+)/items/([^"]+)"', clerk.get(r.headers["location"]).text)[0]
    opened = audit_events(demo_app, "ledger.open")[0]
    assert opened["target"] == f"campaign:{cid}" and opened["after"]["name"] == "事务测试"
    page = insp.get(f"/ledger/{cid}/items/{parcel}").text
    clerk_id = re.search(r'<option value="(\d+)">[^<]*（clerk，', page).group(1)
    state = "SELECT state FROM ledger_items WHERE campaign_id = ? AND subject = ?"
    before = (_count(demo_app, "SELECT count(*) FROM ledger_events"), _count(demo_app, "SELECT count(*) FROM ledger_evidence"),
              len(audit_events(demo_app, "ledger.close")))
    pdf = {"evidence": ("验收报告.pdf", b"%PDF-1.4 minimal", "application/pdf")}
    _fail_on(monkeypatch, "ledger.close")
    r = insp.post(f"/ledger/{cid}/items/{parcel}/close", {"reviewer_id": clerk_id, "outcome": "rectified"}, files=pdf)
    assert r.status_code == 500 and "服务器内部错误" in r.text
    assert "RuntimeError" not in r.text and "/srv/secret" not in r.text
    with demo_app.state.ctx.store.cursor() as cur:
        assert cur.execute(state, [int(cid), parcel]).fetchone()[0] != "closed"
    after = (_count(demo_app, "SELECT count(*) FROM ledger_events"), _count(demo_app, "SELECT count(*) FROM ledger_evidence"),
             len(audit_events(demo_app, "ledger.close")))
    assert after == before  # no event, no evidence, no audit row
    monkeypatch.undo()
    r = insp.post(f"/ledger/{cid}/items/{parcel}/close", {"reviewer_id": clerk_id, "outcome": "rectified"}, files=pdf)
    assert r.status_code == 303
    assert len(audit_events(demo_app, "ledger.close")) == before[2] + 1
    assert _count(demo_app, "SELECT count(*) FROM ledger_events") == before[0] + 1
    # a deactivated account is no longer offered (nor accepted) as a reviewer
    admin = signed_in(demo_app, "admin", ADMIN_PASSWORD, "10.0.5.3")
    with demo_app.state.ctx.store.cursor() as cur:
        uid = cur.execute("SELECT user_id FROM web_users WHERE username = 'admin'").fetchone()[0]
    assert admin.post(f"/admin/users/{clerk_id}", {"role": "bureau", "display_name": "分局工作人员"}).status_code == 200
    assert clerk.get("/api/me").status_code == 401  # deactivated: its session is over
    items = [p for p in re.findall(r'href="/ledger/' + cid + r'/items/([^"]+)"',
                                   admin.get(f"/ledger?campaign={cid}").text) if p != parcel]
    page = insp.get(f"/ledger/{cid}/items/{items[0]}").text
    assert "（clerk，" not in page and f'<option value="{uid}">' in page
    r = insp.post(f"/ledger/{cid}/items/{items[0]}/close", {"reviewer_id": clerk_id, "outcome": "rectified"}, files=pdf)
    assert r.status_code == 400 and "复核人" in r.text


def test_an_import_that_fails_after_its_audit_row_leaves_neither(app, monkeypatch, tmp_path):
    from factories import clean_package, edit, write_gpkg

    from jiyue.web import queries

    clerk = signed_in(app, "clerk", DEMO_PASSWORD, "10.0.6.1")
    pkg = write_gpkg(edit(clean_package(), "zone_years", 0, year=2098), tmp_path / "next.gpkg")
    r = clerk.post("/upload", files={"file": ("next.gpkg", pkg.read_bytes(), "application/octet-stream")})
    assert r.status_code == 303
    upload_id = r.headers["location"].rsplit("/", 1)[1]
    before = queries.table_counts(app.state.ctx.store.con.cursor())
    n_audit = len(audit_events(app, "upload.import"))

    def broken(*a, **kw):  # the last step of the import's transaction, after the audit row
        raise RuntimeError("disk full")

    monkeypatch.setattr(queries, "mark_upload", broken)
    r = clerk.post(f"/upload/{upload_id}/import", {})
    assert r.status_code == 500 and "disk full" not in r.text
    with app.state.ctx.store.cursor() as cur:
        assert queries.table_counts(cur) == before  # the import rolled back
        assert queries.upload(cur, upload_id)["status"] == "valid"
    assert len(audit_events(app, "upload.import")) == n_audit  # and its audit row with it
    monkeypatch.undo()
    r = clerk.post(f"/upload/{upload_id}/import", {})
    assert r.status_code == 303
    assert len(audit_events(app, "upload.import")) == n_audit + 1
    with app.state.ctx.store.cursor() as cur:
        assert queries.table_counts(cur)["imports"] == before["imports"] + 1


# --------------------------------------------------------------------------- no server paths or exception text
def test_answers_show_no_server_paths_or_exception_text(app, monkeypatch):
    import jiyue.idle.campaign as campaign
    from jiyue.errors import StoreError
    from jiyue.web import queries

    folder = str(app.state.ctx.settings.db.parent)
    files = str(app.state.ctx.settings.files_root)
    clerk = signed_in(app, "clerk", DEMO_PASSWORD, "10.0.7.1")

    def leaked(text: str) -> bool:
        return any(x in text for x in (folder, files, "Traceback", "Error:", "Errno", "/srv/secret"))

    # an uploaded file that looks like a GeoPackage but is not one: the problem names the file only
    r = clerk.post("/upload", files={"file": ("fake.gpkg", b"SQLite format 3\x00" + b"\x00" * 2000,
                                              "application/octet-stream")})
    assert r.status_code == 303
    page = clerk.get(r.headers["location"])
    api = clerk.get("/api/uploads/" + r.headers["location"].rsplit("/", 1)[1])
    assert page.status_code == 200 and api.status_code == 200
    assert not leaked(page.text) and not leaked(api.text), api.text[:500]
    # the dashboard's provenance names the imported package by its file name only
    prov = clerk.get("/api/zones/Z1/dashboard").json()["provenance"]
    assert prov["source"].endswith(".gpkg") and "/" not in prov["source"]
    # an engine failing with a Python exception: one fixed sentence
    monkeypatch.setattr(campaign, "campaigns", lambda db: (_ for _ in ()).throw(
        OSError(2, "No such file or directory", "/srv/secret/ledger.duckdb")))
    for url in ("/api/ledger", "/ledger"):
        r = clerk.get(url)
        assert "处置台账模块计算出错" in r.text and not leaked(r.text), (url, r.text[:300])
    # a jiyue error naming a server path: the file name only
    monkeypatch.setattr(campaign, "campaigns", lambda db: (_ for _ in ()).throw(
        StoreError(f"数据库文件不存在：{db}（请先导入）")))
    r = clerk.get("/api/ledger")
    assert "jiyue.duckdb" in r.json()["error"]["message"] and not leaked(r.text)
    # an unexpected exception: 500 in the one shape, no text of it
    monkeypatch.setattr(queries, "zones", lambda cur: (_ for _ in ()).throw(ValueError("/srv/secret/x broke")))
    r = clerk.get("/api/zones")
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal" and not leaked(r.text)
    # a malformed form body: fixed words, not the parser's exception text
    r = clerk.http.post("/upload", content=b"--x\r\n", headers={"X-CSRF-Token": clerk.csrf,
                                                                "Content-Type": "multipart/form-data"})
    assert r.status_code == 400 and "boundary" not in r.text.lower() and not leaked(r.text)


# --------------------------------------------------------------------------- the OpenAPI schema
def test_openapi_schema_needs_a_login_and_declares_the_error_answers(app):
    anon = client(app, "10.0.8.1")
    r = anon.get("/api/openapi.json")
    assert r.status_code == 401 and r.json()["error"]["code"] == "login_required"
    assert anon.get("/docs").status_code in (401, 404) and anon.get("/redoc").status_code in (401, 404)
    clerk = signed_in(app, "clerk", DEMO_PASSWORD, "10.0.8.2")
    doc = clerk.get("/api/openapi.json").json()
    assert "ErrorBody" in doc["components"]["schemas"]
    ops = [(path, m, op) for path, item in doc["paths"].items() for m, op in item.items()]
    assert len(ops) >= 12
    for path, m, op in ops:
        if path == "/api/health":
            continue
        codes = set(op["responses"])
        assert "401" in codes, path
        if path != "/api/me":
            assert "403" in codes, path
        for code in codes & {"401", "403", "404", "422"}:
            ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorBody"), (path, code)
        if op.get("parameters"):
            assert "422" in codes, path


def test_no_api_answer_names_the_server_folders(demo_app):
    """Every JSON API answer of the demo zone (dashboard, cards, per-mu list, enterprise file, ledger,
    uploads, audit) is free of the store's and files' folders."""
    import json

    settings = demo_app.state.ctx.settings
    folders = {str(settings.db.parent), str(settings.db.parent.resolve()), str(settings.files_root)}
    admin = signed_in(demo_app, "admin", ADMIN_PASSWORD, "10.0.9.1")
    viewer = signed_in(demo_app, "viewer", DEMO_PASSWORD, "10.0.9.2")
    assert viewer.post("/ledger/campaigns", {"since": "2010"}).status_code == 403  # a refusal in the audit too
    dash = admin.get(f"/api/zones/{DEMO_ZONE}/dashboard").json()
    ents = admin.get(f"/api/zones/{DEMO_ZONE}/enterprises").json()
    eid = ents["enterprises"][0]["enterprise_id"] if ents.get("enterprises") else None
    with demo_app.state.ctx.store.cursor() as cur:
        parcel = cur.execute("SELECT parcel_id FROM parcels LIMIT 1").fetchone()[0]
    urls = ["/api/me", "/api/zones", f"/api/zones/{DEMO_ZONE}/outline", f"/api/zones/{DEMO_ZONE}/mujun-classes",
            f"/api/zones/{DEMO_ZONE}/parcels/{parcel}", "/api/ledger", "/api/audit?limit=1000", "/api/openapi.json"]
    if eid:
        urls.append(f"/api/enterprises/{eid}")
    answers = {"dashboard": dash, "enterprises": ents}
    for url in urls:
        r = admin.get(url)
        assert r.status_code == 200, url
        answers[url] = r.json()
    for name, doc in answers.items():
        text = json.dumps(doc, ensure_ascii=False)
        assert not any(f in text for f in folders), (name, [f for f in folders if f in text])
