"""Data upload: validate → every problem in a table → import; a broken or malformed upload
changes nothing; size and type limits."""

from __future__ import annotations

import pytest

from web_factories import ADMIN_PASSWORD, DEMO_PASSWORD, broken_package, copy_store, make_app, sign_in, traversal_zip


@pytest.fixture(scope="module")
def app(small_store, tmp_path_factory):
    db = copy_store(small_store, tmp_path_factory.mktemp("upload") / "jiyue.duckdb")
    a = make_app(db, max_upload_mb=1)
    yield a
    a.state.ctx.store.close()


@pytest.fixture(scope="module")
def clerk(app):
    return sign_in(app, "clerk", DEMO_PASSWORD)


def counts(app):
    from jiyue.web.queries import table_counts

    with app.state.ctx.store.cursor() as cur:
        return table_counts(cur)


def upload(client, name, data, mime="application/octet-stream"):
    return client.post("/upload", files={"file": (name, data, mime)})


def test_broken_package_lists_every_problem_and_changes_nothing(app, clerk, tmp_path):
    before = counts(app)
    r = upload(clerk, "broken.gpkg", broken_package(tmp_path).read_bytes())
    assert r.status_code == 303
    page = clerk.get(r.headers["location"])
    assert 'data-status="invalid"' in page.text and "数据库未作任何修改" in page.text
    upload_id = r.headers["location"].rsplit("/", 1)[1]
    doc = clerk.get(f"/api/uploads/{upload_id}").json()
    codes = {(p["code"], p["layer"], p["field"]) for p in doc["problems"] if p["severity"] == "error"}
    assert ("unknown_code", "parcels", "build_class") in codes
    assert ("duplicate_id", "parcels", "parcel_id") in codes
    assert doc["counts"]["errors"] == len([p for p in doc["problems"] if p["severity"] == "error"])
    assert all(p["message"] for p in doc["problems"])
    assert 'id="import-submit"' in page.text and "disabled" in page.text
    r = clerk.post(f"/upload/{upload_id}/import", {"replace": "true"})
    assert r.status_code == 400 and "不能导入" in r.text
    assert counts(app) == before
    x = clerk.get(f"/upload/{upload_id}/problems.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"


@pytest.mark.parametrize("name, data, status, text", [
    ("package.txt", b"hello", 415, "文件类型不被接受"),
    ("package.gpkg", b"this is not sqlite at all", 415, "文件内容与扩展名"),
    ("package.zip", b"PK\x03\x04garbage", 415, "不是有效的 ZIP"),
    ("package.xlsx", b"PK\x03\x04garbage", 415, "Excel"),
    ("package.gpkg", b"", 400, "空的"),
])
def test_malformed_files_are_refused(app, clerk, name, data, status, text):
    before = counts(app)
    r = upload(clerk, name, data)
    assert r.status_code == status and text in r.text
    assert counts(app) == before


def test_zip_with_path_traversal_is_refused(app, clerk):
    r = upload(clerk, "package.zip", traversal_zip())
    assert r.status_code == 400 and "不安全的路径" in r.text


def test_upload_size_limit(app, clerk):
    r = upload(clerk, "big.gpkg", b"SQLite format 3\x00" + b"0" * (3 * 1024 * 1024))
    assert r.status_code == 413
    body = r.json() if r.headers["content-type"].startswith("application/json") else None
    assert body is None or body["error"]["code"] == "too_large"


@pytest.mark.filterwarnings("ignore:GPKG. bad application_id:RuntimeWarning")
def test_unreadable_package_is_one_problem(app, clerk):
    r = upload(clerk, "package.gpkg", b"SQLite format 3\x00" + b"\x00" * 4096)
    assert r.status_code == 303
    page = clerk.get(r.headers["location"]).text
    assert 'data-status="unreadable"' in page


def test_a_valid_package_is_imported_and_audited(app, clerk, tmp_path):
    from factories import clean_package, edit, write_gpkg

    # the same zone one year later (zone_years' year decides the package year)
    layers = clean_package()
    layers = edit(layers, "zone_years", 0, year=2099)
    pkg = write_gpkg(layers, tmp_path / "next.gpkg")
    before = counts(app)
    r = upload(clerk, "next.gpkg", pkg.read_bytes())
    upload_id = r.headers["location"].rsplit("/", 1)[1]
    assert 'data-status="valid"' in clerk.get(r.headers["location"]).text
    r = clerk.post(f"/upload/{upload_id}/import", {})
    assert r.status_code == 303
    after = counts(app)
    assert after["imports"] == before["imports"] + 1 and after["parcels"] == before["parcels"] + 6
    assert 2099 in clerk.get("/api/zones/Z1/dashboard").json()["zone"]["years"]
    admin = sign_in(app, "admin", ADMIN_PASSWORD)
    ev = admin.get("/api/audit?action=upload.import").json()["events"]
    imp = [e for e in ev if e["action"] == "upload.import"][0]
    assert imp["before"]["counts"]["parcels"] == before["parcels"]
    assert imp["after"]["counts"]["parcels"] == after["parcels"]
    r = clerk.post(f"/upload/{upload_id}/import", {})
    assert r.status_code == 409  # imported once only


def test_viewer_and_inspector_cannot_upload(app):
    for who in ("viewer", "inspector"):
        c = sign_in(app, who, DEMO_PASSWORD)
        assert upload(c, "x.gpkg", b"SQLite format 3\x00").status_code == 403


def test_malformed_numbers_are_errors_and_nothing_is_imported(app, clerk, tmp_path):
    """Issue 17: text where a number is required and impossible values are errors naming layer,
    record, field and the text found; the upload cannot be imported."""
    from factories import clean_package, edit, write_folder, zip_folder

    layers = edit(clean_package(), "enterprise_years", 0, year="abc", tax_wan="twelve")
    layers = edit(layers, "parcels", 0, area_m2="not-a-number")
    layers = edit(layers, "zone_years", 0, year=0)
    layers = edit(layers, "buildings", 0, floors=-2)
    pkg = zip_folder(write_folder(layers, tmp_path / "pkg", spatial="gpkg", tables="csv"), tmp_path / "bad.zip")
    before = counts(app)
    r = upload(clerk, "bad.zip", pkg.read_bytes())
    assert r.status_code == 303
    page = clerk.get(r.headers["location"])
    assert 'data-status="invalid"' in page.text and "没有错误" not in page.text
    assert "Traceback" not in page.text and str(tmp_path) not in page.text
    upload_id = r.headers["location"].rsplit("/", 1)[1]
    doc = clerk.get(f"/api/uploads/{upload_id}").json()
    got = {(p["code"], p["layer"], p["row_id"], p["field"], p["found"]) for p in doc["problems"]
           if p["severity"] == "error"}
    assert got == {
        ("bad_integer", "enterprise_years", "E1/abc", "year", "abc"),
        ("bad_number", "enterprise_years", "E1/abc", "tax_wan", "twelve"),
        ("bad_number", "parcels", "P1", "area_m2", "not-a-number"),
        ("out_of_range", "zone_years", "Z1/0", "year", "0"),
        ("negative_value", "buildings", "B1", "floors", "-2"),
    }
    assert not any(p["code"] == "area_mismatch" for p in doc["problems"])  # no "0.00 平方米"
    for text in ("「abc」", "「twelve」", "「not-a-number」", "1949 至 2100 之间的年份"):
        assert text in page.text
    r = clerk.post(f"/upload/{upload_id}/import", {"replace": "true"})
    assert r.status_code == 400 and "不能导入" in r.text
    assert counts(app) == before


def test_problem_list_download_stores_uploaded_text_as_text(app, clerk, tmp_path):
    """Issue 17 item 2: text of the upload that starts with = + - @ is a text cell, never a formula."""
    import io

    import openpyxl

    from factories import clean_package, edit, write_gpkg

    evil = '=HYPERLINK("http://evil.example/x","点击")'
    layers = edit(clean_package(), "parcels", 1, build_class=evil)
    layers = edit(layers, "parcels", 2, supply_class="+1+1", area_m2="-2+3")
    layers = edit(layers, "parcels", 3, parcel_id="@SUM(A1)", build_class="=1+1")
    r = upload(clerk, "evil.gpkg", write_gpkg(layers, tmp_path / "evil.gpkg").read_bytes())
    upload_id = r.headers["location"].rsplit("/", 1)[1]
    x = clerk.get(f"/upload/{upload_id}/problems.xlsx")
    assert x.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells) and not ws._hyperlinks
    texts = {c.value for c in cells if c.data_type == "s"}
    assert {evil, "+1+1", "-2+3", "@SUM(A1)", "=1+1"} <= texts


def test_a_store_holding_year_0_from_before_is_still_served(small_store, tmp_path):
    """Issue 17: a store imported before year 0 was refused shows the enterprise file without an
    engine error (year 0 is not evaluated) and still serves the per-mu workbook."""
    import duckdb

    db = copy_store(small_store, tmp_path / "old.duckdb")
    con = duckdb.connect(str(db))
    try:
        cols = [r[0] for r in con.execute("DESCRIBE enterprise_years").fetchall()]
        con.execute(f"INSERT INTO enterprise_years SELECT {', '.join('0' if c == 'year' else c for c in cols)} "
                    "FROM enterprise_years WHERE enterprise_id = 'E1' AND year = 2020")
        assert con.execute("SELECT count(*) FROM enterprise_years WHERE year = 0").fetchone() == (1,)
    finally:
        con.close()
    a = make_app(db)
    try:
        c = sign_in(a, "admin", ADMIN_PASSWORD)
        doc = c.get("/api/enterprises/E1").json()
        assert doc["ok"] is True
        assert not doc["mujun_unavailable"] or "out of range" not in doc["mujun_unavailable"]
        assert all(h.get("year") != 0 for h in doc["class_history"])
        page = c.get("/enterprises/E1")
        assert page.status_code == 200 and "out of range" not in page.text and "ValueError" not in page.text
        assert c.get("/reports/mujun.xlsx?zone=Z1").status_code == 200
    finally:
        a.state.ctx.store.close()
