"""The safety ledger in a real browser (Debian Chromium via Playwright): the bureau's campaign
page with the seed's figures, and an enterprise submitting rectification evidence for its own
hazard. Screenshots go to ``$JIYUE_SCREENSHOTS`` when set, else to a temporary folder."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[1] / "web"))

from safety_support import make_store  # noqa: E402
from web_factories import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, Server, make_app  # noqa: E402

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian Chromium (/usr/bin/chromium) is not installed: apt-get install -y chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from jiyue.safety import commands, service
    from jiyue.store import open_store
    from jiyue.web import security, users

    db = make_store(tmp_path_factory.mktemp("safety_browser") / "jiyue.duckdb", n_extra=150)
    commands.load_demo(db, user="演示")
    with open_store(db, spatial=False) as con:
        hz = next(h for h in service.hazards(con) if h["state"] == "rectifying")
        hid, eid, name = hz["hazard_id"], hz["enterprise_id"], hz["enterprise"]
    app = make_app(db)
    with app.state.ctx.store.write() as w:
        users.insert_user(w, username="qiye1", display_name=name, role=users.ENTERPRISE, enterprise_id=eid, password_hash=security.hash_password(DEMO_PASSWORD))
    with Server(app) as server:
        yield server, hid
    app.state.ctx.store.close()


def _login(browser, base: str, username: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    page.wait_for_load_state("networkidle")
    return ctx, page


def test_bureau_sees_seed_figures_and_enterprise_submits_evidence(site, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    server, hid = site
    shots = (Path(os.environ["JIYUE_SCREENSHOTS"]) if os.environ.get("JIYUE_SCREENSHOTS")
             else tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            ctx, page = _login(browser, server.base, "clerk")
            page.goto(server.base + "/safety")
            page.wait_for_load_state("networkidle")
            assert page.inner_text("#kpi-groups").strip() == "494"
            assert page.inner_text("#kpi-found").strip() == "1090"
            assert page.inner_text("#kpi-rectified").strip() == "699"
            sentence = page.inner_text("#stats-sentence")
            assert "出动人员1611人次" in sentence and "总计罚款1.45万元" in sentence
            assert "停产停业整顿9起，立案2起，拟处罚5.1万元" in sentence
            page.screenshot(path=str(shots / "safety.png"), full_page=False)
            ctx.close()

            ctx, page = _login(browser, server.base, "qiye1")
            page.goto(f"{server.base}/safety/hazards/{hid}")
            page.wait_for_load_state("networkidle")
            evidence = tmp_path_factory.mktemp("ev") / "整改后照片.pdf"
            evidence.write_bytes(b"%PDF-1.4 demo evidence")
            page.set_input_files("#evidence-input", str(evidence))
            page.fill("#submit-form input[name=date]", dt.date(2021, 2, 2).isoformat())
            with page.expect_navigation(url="**/safety/hazards/*done=submit*"):
                page.click("#submit-form button[type=submit]")
            page.wait_for_load_state("networkidle")
            assert page.get_attribute("#hazard-state", "data-state") == "submitted"
            assert "整改后照片.pdf" in page.inner_text("#safety-history")
            page.screenshot(path=str(shots / "safety_hazard.png"), full_page=True)
            ctx.close()
        finally:
            browser.close()
