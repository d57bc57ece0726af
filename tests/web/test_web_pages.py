"""The dashboard, map tiles, parcel card, per-mu list and report downloads.

Expected figures of the small store are worked out by hand from tests/factories.py
(six 100 m × 100 m parcels): A = P1+P2+P3 = 30 000 m², B21 = P4+P5 = 20 000 m²,
D = P1..P4 = 40 000 m², G (idle) = P4 = 10 000 m².
"""

from __future__ import annotations

import math

import pytest

from web_factories import ADMIN_PASSWORD, DEMO_ZONE, sign_in


@pytest.fixture(scope="module")
def small(small_app):
    return sign_in(small_app, "admin", ADMIN_PASSWORD)


def ind(doc, key):
    return next(i for i in doc["indicators"] if i["key"] == key)


def test_dashboard_figures_of_the_small_zone(small):
    doc = small.get("/api/zones/Z1/dashboard").json()
    assert doc["zone"]["zone_code"] == "Z1" and doc["zone"]["year"] == doc["zone"]["years"][-1]
    assert math.isclose(ind(doc, "supply_rate")["value"], 40_000 / (30_000 + 20_000) * 100)  # 80 %
    assert math.isclose(ind(doc, "built_rate")["value"], 30_000 / 40_000 * 100)  # 75 %
    assert math.isclose(ind(doc, "idle_rate")["value"], 10_000 / 40_000 * 100)  # 25 %
    assert math.isclose(doc["areas_ha"]["D"], 4.0)
    # the score is the sum of weight × realisation over the scored indicators
    scored = [i for i in doc["indicators"] if i["points"] is not None]
    assert math.isclose(sum(i["points"] for i in scored), doc["score"], rel_tol=1e-9)
    assert doc["rank"]["rank_national"] == 1 and doc["rank"]["of_national"] == 1
    page = small.get("/dashboard").text
    assert 'id="kpi-supply_rate">80.00 %<' in page and 'id="kpi-built_rate">75.00 %<' in page


def test_dashboard_shows_the_demo_zone_supply_rate(as_role):
    c = as_role("viewer")
    doc = c.get(f"/api/zones/{DEMO_ZONE}/dashboard").json()
    assert round(ind(doc, "supply_rate")["value"], 2) == 99.74  # the seed article's figure
    assert 'id="kpi-supply_rate">99.74 %<' in c.get("/dashboard").text


def test_tiles_carry_the_parcels_of_the_zone(small):
    from jiyue.web.queries import WEB_MERCATOR_R

    out = small.get("/api/zones/Z1/outline").json()
    lon0, lat0, lon1, lat1 = out["bounds"]
    assert 115.5 < lon0 < lon1 < 117.0 and 35.5 < lat0 < lat1 < 37.5  # E 410 km in GK zone 39 (CM 117°E): lon/lat order
    assert out["features"][0]["geometry"]["type"] == "Polygon"
    z = 15
    lon, lat = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    r = small.get(f"/api/zones/Z1/tiles/1/{z}/{x}/{y}.pbf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert b"parcels" in r.content and b"P1" in r.content and b"A2" in r.content
    assert b"P1" not in small.get(f"/api/zones/Z1/tiles/1/{z}/{x + 50}/{y}.pbf").content  # far away: no parcel
    assert small.get("/api/zones/Z1/tiles/1/5/26/12.pbf").content == b""  # below the minimum zoom
    assert small.get(f"/api/zones/Z1/tiles/1/{z}/{n}/0.pbf").status_code == 400
    assert small.get(f"/api/zones/Z1/tiles/99/{z}/{x}/{y}.pbf").status_code == 404
    assert WEB_MERCATOR_R > 2e7


def test_parcel_card(small):
    c = small.get("/api/zones/Z1/parcels/P1").json()
    p = c["parcel"]
    assert p["build_class"] == "A2" and p["supply_class"] == "D21" and p["user_id"] == "E1"
    assert math.isclose(p["area_mu"], 10_000 / (10_000 / 15))  # 15 亩
    assert c["contract"]["contract_no"] == "C1" and c["enterprise"]["enterprise_id"] == "E1"
    # P1: a 40×50 plant of 2 floors → 4 000 m² floor area; structure and yard have none
    assert math.isclose(c["building_totals"]["floor_area_m2"], 4_000.0)
    assert math.isclose(c["building_totals"]["far"], 0.4)
    html = small.get("/map/card/P1?zone=Z1").text
    assert "宗地 P1" in html and "A2 工矿仓储用地" in html and "D21 有偿使用且未到期土地" in html
    assert small.get("/api/zones/Z1/parcels/NOPE").status_code == 404


def test_map_page_is_offline(small):
    html = small.get("/map").text
    assert '/static/vendor/maplibre/maplibre-gl.mjs' not in html  # loaded by our module script
    assert 'src="/static/js/map.js"' in html and "http://" not in html.split("<main")[1].split("map-config")[0]
    js = small.get("/static/js/map.js")
    assert js.status_code == 200 and '"/static/vendor/maplibre/maplibre-gl.mjs"' in js.text
    lib = small.get("/static/vendor/maplibre/maplibre-gl.mjs")
    assert lib.status_code == 200 and "javascript" in lib.headers["content-type"]
    assert small.get("/static/vendor/maplibre/maplibre-gl-worker.mjs").status_code == 200


def test_enterprise_list_and_file(small):
    rows = small.get("/api/zones/Z1/enterprises").json()["enterprises"]
    e1 = next(r for r in rows if r["enterprise_id"] == "E1")
    assert e1["parcels"] == 1 and math.isclose(e1["land_mu"], 15.0)
    doc = small.get("/api/enterprises/E1").json()
    assert [p["parcel_id"] for p in doc["parcels"]] == ["P1"] and math.isclose(doc["land_mu"], 15.0)
    assert "一企一档" in small.get("/enterprises/E1").text


def test_report_downloads(small):
    import io

    import openpyxl

    r = small.get("/reports/evaluation.xlsx?zone=Z1")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) >= 3
    r = small.get("/reports/ranking.xlsx")
    assert r.status_code == 200 and openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames
    assert "报表下载" in small.get("/reports").text


def test_demo_reports_pdf_and_per_mu_workbook(as_role):
    c = as_role("viewer")
    avail = c.get("/reports").text
    if "/reports/zone.pdf" in avail:
        r = c.get(f"/reports/zone.pdf?zone={DEMO_ZONE}")
        assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    if "/reports/mujun.xlsx" in avail:
        r = c.get(f"/reports/mujun.xlsx?zone={DEMO_ZONE}")
        assert r.status_code == 200 and r.content[:2] == b"PK"


def test_dashboard_and_enterprise_land_agree_with_the_engines(small, small_store):
    """The web shows the engines' figures: the dashboard's indicator points are those of
    ``jiyue evaluate --db`` (evaluation.service.indicator_points), the enterprise list's land is
    mujun.service.land_held over the store's parcels, the card's FAR is parcel_buildings'."""
    import duckdb

    from jiyue.evaluation.profile import load_profile
    from jiyue.evaluation.service import evaluate, indicator_points, score_tree
    from jiyue.mujun.service import land_held

    web = small.get("/api/zones/Z1/dashboard").json()
    cli = evaluate(db=small_store, zone="Z1")["zones"][0]
    prof = load_profile(None)
    assert web["indicators"] == indicator_points(cli, prof)
    assert web["tree"] == score_tree(cli, prof) and web["score"] == cli["score"]
    with duckdb.connect(str(small_store), read_only=True) as con:
        parcels = con.execute("SELECT user_id, area_eff_m2 FROM parcels WHERE zone_code = 'Z1'").fetchdf()
    held = land_held(parcels).set_index("enterprise_id")
    rows = small.get("/api/zones/Z1/enterprises").json()["enterprises"]
    assert {r["enterprise_id"] for r in rows if r["parcels"]} == set(held.index)
    for r in rows:
        if r["enterprise_id"] in held.index:
            h = held.loc[r["enterprise_id"]]
            assert (r["parcels"], r["land_m2"], r["land_mu"]) == (int(h["parcels"]), h["land_m2"], h["land_mu"])
            tax = r["tax_wan"]
            assert r["tax_per_mu_wan"] == (tax / h["land_mu"] if tax is not None and h["land_mu"] else None)
    card = small.get("/api/zones/Z1/parcels/P1").json()
    assert math.isclose(card["building_totals"]["far"],
                        card["building_totals"]["floor_area_m2"] / card["parcel"]["area_eff_m2"])
    assert math.isclose(card["building_totals"]["density_pct"],
                        card["building_totals"]["footprint_m2"] / card["parcel"]["area_eff_m2"] * 100)
