"""The application in a real browser (Debian Chromium driven by Playwright), as a bureau clerk
and as an enterprise would use it. Screenshots of each page go to ``$JIYUE_SCREENSHOTS`` when set
(``docs/screenshots/`` was made that way), else to a temporary folder.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from web_factories import (ADMIN_PASSWORD, CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, DEMO_ZONE, Server,
                           broken_package, copy_store, make_app)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian Chromium (/usr/bin/chromium) is not installed: apt-get install -y chromium")


@pytest.fixture(scope="module")
def site(demo_store, tmp_path_factory):
    db = copy_store(demo_store, tmp_path_factory.mktemp("browser") / "jiyue.duckdb")
    app = make_app(db)
    with Server(app) as server:
        yield server, app
    app.state.ctx.store.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    d = Path(os.environ["JIYUE_SCREENSHOTS"]) if os.environ.get("JIYUE_SCREENSHOTS") else tmp_path_factory.mktemp("shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


class Session:
    """One browser context signed in as a user; records every request that leaves the server."""

    def __init__(self, browser, base: str, username: str, password: str) -> None:
        self.base = base
        self.ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        self.page = self.ctx.new_page()
        self.outside: list[str] = []
        self.page.on("request", self._watch)
        self.page.goto(base + "/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("#login-submit")
        self.page.wait_for_load_state("networkidle")

    def _watch(self, request) -> None:
        url = request.url
        if not (url.startswith(self.base) or url.startswith("data:") or url.startswith("blob:")):
            self.outside.append(url)

    def goto(self, path: str):
        resp = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return resp

    def close(self) -> None:
        self.ctx.close()
        assert self.outside == [], f"requests left the machine: {self.outside}"


def test_skipping_the_login_lands_on_the_login_page(site, browser, shots):
    server, _ = site
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    page.goto(server.base + "/dashboard")
    assert page.url.startswith(server.base + "/login?next=")
    page.screenshot(path=str(shots / "login.png"))
    page.fill("#username", "clerk")
    page.fill("#password", "wrong-password")
    page.click("#login-submit")
    assert "用户名或密码不正确" in page.inner_text("#login-error")
    ctx.close()


def test_clerk_sees_the_demo_zone_supply_rate(site, browser, shots):
    server, _ = site
    s = Session(browser, server.base, "clerk", DEMO_PASSWORD)
    assert s.page.url.endswith("/dashboard")
    assert s.page.inner_text("#kpi-supply_rate").strip() == "99.74 %"
    assert "聊城经济技术开发区" in s.page.inner_text("h1")
    assert s.page.locator("#indicators tr").count() == 14  # header + 13 indicators
    s.page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    s.close()


def test_map_draws_parcels_and_a_click_opens_the_card(site, browser, shots):
    server, _ = site
    s = Session(browser, server.base, "clerk", DEMO_PASSWORD)
    s.goto(f"/map?zone={DEMO_ZONE}")
    s.page.wait_for_selector("#map[data-ready='1']", state="attached", timeout=60_000)
    drawn = s.page.evaluate("window.jiyueMap.queryRenderedFeatures({layers: ['parcels-fill']}).length")
    assert drawn > 1000  # the demo zone has 2,882 parcels (tile edges split some in two)
    hit = s.page.evaluate("""() => { const m = window.jiyueMap, c = m.getCanvas();
        for (let y = 60; y < c.clientHeight - 60; y += 17) for (let x = 60; x < c.clientWidth - 60; x += 17) {
          const f = m.queryRenderedFeatures([x, y], {layers: ['parcels-fill']});
          if (f.length && f[0].properties.bc === 'A2') return [x, y, f[0].properties.pid]; }
        return null; }""")
    assert hit is not None
    box = s.page.locator("#map canvas").bounding_box()
    s.page.mouse.click(box["x"] + hit[0], box["y"] + hit[1])
    card = s.page.wait_for_selector("#parcel-card", timeout=30_000)
    assert card.get_attribute("data-parcel") == hit[2]
    assert "A2 工矿仓储用地" in s.page.inner_text("#card-build")
    s.page.wait_for_timeout(300)
    s.page.screenshot(path=str(shots / "map.png"))
    s.page.select_option("#mode-select", "supply")
    s.page.wait_for_timeout(500)
    s.page.screenshot(path=str(shots / "map-supply.png"))
    s.close()


def test_enterprise_cannot_open_another_enterprises_page(site, browser, shots):
    server, app = site
    with app.state.ctx.store.cursor() as cur:
        (own,) = cur.execute("SELECT enterprise_id FROM web_users WHERE username = 'qiye1'").fetchone()
        (other,) = cur.execute("SELECT enterprise_id FROM web_users WHERE username = 'qiye2'").fetchone()
    s = Session(browser, server.base, "qiye1", DEMO_PASSWORD)
    assert s.page.url.endswith(f"/enterprises/{own}")  # an enterprise lands on its own file
    assert "一企一档" in s.page.inner_text("h1")
    s.page.screenshot(path=str(shots / "enterprise.png"), full_page=True)
    resp = s.goto(f"/enterprises/{other}")
    assert resp.status == 403
    assert "只能查看和确认本企业的数据" in s.page.inner_text("#error-message")
    s.page.screenshot(path=str(shots / "enterprise-403.png"))
    for path in ("/dashboard", "/map", f"/api/enterprises/{other}"):
        assert s.goto(path).status == 403
    # file an objection on its own results
    s.goto(f"/enterprises/{own}")
    s.page.select_option("#objection-form select[name=subject]", "land")
    s.page.fill("#objection-form textarea[name=text]", "租用土地 3 亩未计入用地面积")
    s.page.click("#objection-form button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert "异议已提交" in s.page.inner_text("main")
    s.close()


def test_a_broken_upload_shows_its_problems_and_changes_nothing(site, browser, shots, tmp_path):
    server, app = site
    from jiyue.web.queries import table_counts

    with app.state.ctx.store.cursor() as cur:
        before = table_counts(cur)
    s = Session(browser, server.base, "clerk", DEMO_PASSWORD)
    s.goto("/upload")
    s.page.set_input_files("#upload-file", str(broken_package(tmp_path)))
    s.page.click("#upload-submit")
    s.page.wait_for_load_state("networkidle")
    assert s.page.get_attribute("#upload-status", "data-status") == "invalid"
    rows = s.page.locator("#problems tr")
    assert rows.count() >= 3  # header + at least the two errors made
    text = s.page.inner_text("#problems")
    assert "build_class" in text and "parcel_id" in text and "parcels" in text
    assert s.page.locator("#import-submit").is_disabled()
    s.page.screenshot(path=str(shots / "upload-problems.png"), full_page=True)
    with app.state.ctx.store.cursor() as cur:
        assert table_counts(cur) == before
    s.goto("/upload")
    s.page.screenshot(path=str(shots / "upload.png"), full_page=True)
    s.close()


def test_a_ledger_item_cannot_be_closed_without_evidence(site, browser, shots):
    server, _ = site
    s = Session(browser, server.base, "clerk", DEMO_PASSWORD)
    s.goto("/ledger")
    s.page.fill("#campaign-form input[name=since]", "2010")
    s.page.click("#campaign-form button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert s.page.locator("#ledger-items tr").count() > 1
    s.page.screenshot(path=str(shots / "ledger.png"), full_page=True)
    s.page.locator("#ledger-items tr[data-parcel] a").first.click()
    s.page.wait_for_load_state("networkidle")
    s.page.on("dialog", lambda d: d.accept())
    options = s.page.locator("#reviewer-select option").all_inner_texts()
    assert any("（inspector，" in o for o in options) and not any("（clerk，" in o for o in options)
    s.page.select_option("#reviewer-select", label=next(o for o in options if "（inspector，" in o))
    s.page.click("#close-form button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert "销号必须上传证明材料" in s.page.inner_text("#ledger-error")
    assert s.page.get_attribute("#item-state", "data-state") != "closed"
    s.page.screenshot(path=str(shots / "ledger-item.png"), full_page=True)
    s.close()


def test_other_pages_render(site, browser, shots):
    server, _ = site
    s = Session(browser, server.base, "admin", ADMIN_PASSWORD)
    for path, name in (("/enterprises", "enterprises"), ("/reports", "reports"), ("/admin/users", "admin-users"),
                       ("/admin/audit", "audit")):
        assert s.goto(path).status == 200
        assert not re.search(r"Traceback|Internal Server Error", s.page.content())
        s.page.screenshot(path=str(shots / f"{name}.png"), full_page=name != "enterprises")
    s.close()


@pytest.fixture(scope="module")
def national_site(national_store, tmp_path_factory):
    db = copy_store(national_store, tmp_path_factory.mktemp("browser_national") / "jiyue.duckdb")
    app = make_app(db)
    with Server(app) as server:
        yield server, app
    app.state.ctx.store.close()


def test_ranking_page_highlights_the_demo_and_filters_by_province(national_site, browser, shots):
    server, _ = national_site
    s = Session(browser, server.base, "clerk", DEMO_PASSWORD)
    assert s.page.inner_text("#kpi-rank").strip() == "48 / 111"
    s.page.click("#rank-link")
    s.page.wait_for_load_state("networkidle")
    me = s.page.locator("#ranking-table tr.me")
    assert me.count() == 1 and DEMO_ZONE in me.inner_text() and me.locator("td").first.inner_text().strip() == "48"
    s.page.screenshot(path=str(shots / "ranking.png"), full_page=False)
    with s.page.expect_navigation():  # data-autosubmit reloads the page
        s.page.select_option("#f-scope", "province")
    s.page.wait_for_load_state("networkidle")
    assert "省内排名" in s.page.inner_text("h1") and "山东" in s.page.inner_text("h1")
    assert s.page.locator("#ranking-table tr.me td").first.inner_text().strip() == "2"
    s.page.screenshot(path=str(shots / "ranking-province.png"), full_page=True)
    with s.page.expect_download() as dl:
        s.page.click("#ranking-xlsx")
    assert dl.value.suggested_filename.endswith(".xlsx")
    s.close()
