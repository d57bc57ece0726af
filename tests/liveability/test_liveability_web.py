"""The 产城融合·生活圈 page and API: roles, the tables, the map in a real browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from web_factories import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, DEMO_ZONE, Server, copy_store, make_app, sign_in


@pytest.fixture(scope="module")
def lv_app(lv_demo, tmp_path_factory):
    _, db = lv_demo
    app = make_app(copy_store(db, tmp_path_factory.mktemp("lv_app") / "jiyue.duckdb"))
    yield app
    app.state.ctx.store.close()


def test_page_and_api(lv_app):
    c = sign_in(lv_app, "clerk", DEMO_PASSWORD)
    r = c.http.get(f"/liveability?zone={DEMO_ZONE}")
    assert r.status_code == 200
    for text in ("产城融合·生活圈", "配套设施覆盖", "生活圈完整率", "产城融合指标", "职住比", "覆盖缺口", "幼儿园"):
        assert text in r.text
    r93 = c.http.get(f"/liveability?zone={DEMO_ZONE}&profile=gb50180-93")
    assert r93.status_code == 200 and "GB 50180-93" in r93.text
    api = c.http.get(f"/api/zones/{DEMO_ZONE}/liveability").json()
    assert api["ok"] and api["zone_code"] == DEMO_ZONE and len(api["services"]) == 8
    assert "_arrays" not in api
    sited = c.http.get(f"/liveability?zone={DEMO_ZONE}&service=elderly_day_care&site=true")
    assert sited.status_code == 200 and "新设施选址：老年人日间照料中心" in sited.text and "覆盖率（重新计算）" in sited.text
    bad = c.http.get(f"/liveability?zone={DEMO_ZONE}&profile=nope")
    assert bad.status_code == 400 and "没有内置生活圈规则" in bad.text
    assert c.http.get(f"/liveability?zone={DEMO_ZONE}&service=mall").status_code == 400


def test_page_needs_login_and_enterprises_cannot_see_it(lv_app):
    from fastapi.testclient import TestClient

    anon = TestClient(lv_app, raise_server_exceptions=False)
    r = anon.get("/liveability", follow_redirects=False)
    assert r.status_code in (303, 401, 302)
    ent = sign_in(lv_app, "qiye1", DEMO_PASSWORD)
    assert ent.http.get("/liveability").status_code == 403


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed")
def test_map_in_a_browser(lv_app, tmp_path):
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("JIYUE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with Server(lv_app) as server, sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        ctx = b.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        outside: list[str] = []
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: outside.append(r.url) if not (
            r.url.startswith(server.base) or r.url.startswith(("data:", "blob:"))) else None)
        page.goto(server.base + "/login")
        page.fill("#username", "clerk")
        page.fill("#password", DEMO_PASSWORD)
        page.click("#login-submit")
        page.wait_for_load_state("networkidle")
        page.goto(server.base + f"/liveability?zone={DEMO_ZONE}&service=primary_school")
        try:
            page.wait_for_selector("#map[data-ready='1']", state="attached", timeout=60_000)
        except Exception:  # noqa: BLE001 - any failure: keep a screenshot
            page.screenshot(path=str(shots / "liveability-failed.png"))
            raise AssertionError(f"the map did not finish drawing; browser errors: {errors}") from None
        n = page.evaluate("window.jiyueMap.queryRenderedFeatures({layers: ['parcels-fill']}).length")
        f = page.evaluate("window.jiyueMap.queryRenderedFeatures({layers: ['facilities']}).length")
        iso = page.evaluate("window.jiyueMap.queryRenderedFeatures({layers: ['iso-line']}).length")
        assert n > 100 and f > 50 and iso >= 1
        assert "服务半径外" in page.inner_text("#legend")
        page.screenshot(path=str(shots / "liveability.png"))
        page.click("#site-button")
        page.wait_for_selector("#map[data-ready='1']", state="attached", timeout=60_000)
        page.wait_for_selector("#lv-siting", timeout=60_000)
        assert page.evaluate("window.jiyueMap.queryRenderedFeatures({layers: ['sites']}).length") >= 1
        page.screenshot(path=str(shots / "liveability-siting.png"))
        page.select_option("#service-select", "")
        page.wait_for_timeout(500)
        assert "缺 1 项" in page.inner_text("#legend")
        page.screenshot(path=str(shots / "liveability-missing.png"))
        ctx.close()
        b.close()
    assert outside == [], f"requests left the machine: {outside}"
