"""The rank card and the ranking page read the store: hand-checkable ranks on three zones, and the
demo's place (48 of 111 产城融合型 zones, 2nd in Shandong) once the national sets are imported."""

from __future__ import annotations

import io

import pytest

from web_factories import ADMIN_PASSWORD, DEMO_PASSWORD, DEMO_ZONE, copy_store, make_app, sign_in


@pytest.fixture(scope="module")
def three(three_zone_store, tmp_path_factory):
    app = make_app(copy_store(three_zone_store, tmp_path_factory.mktemp("three_app") / "jiyue.duckdb"))
    yield sign_in(app, "admin", ADMIN_PASSWORD)
    app.state.ctx.store.close()


@pytest.fixture(scope="module")
def nat(national_app):
    return sign_in(national_app, "admin", ADMIN_PASSWORD)


def test_rank_card_by_hand_on_three_zones(three):
    docs = {z: three.get(f"/api/zones/{z}/dashboard").json() for z in ("ZA", "ZB", "ZC")}
    # the zones differ only in one building's floor area: more floor area, higher FAR, higher score
    assert docs["ZA"]["score"] > docs["ZC"]["score"] > docs["ZB"]["score"]
    card = {z: (d["rank"]["rank_national"], d["rank"]["of_national"], d["rank"]["rank_province"],
                d["rank"]["of_province"]) for z, d in docs.items()}
    assert card == {"ZA": (1, 3, 1, 2), "ZC": (2, 3, 1, 1), "ZB": (3, 3, 2, 2)}
    page = three.get("/dashboard?zone=ZB").text
    assert 'id="kpi-rank">3 / 3<' in page and 'id="rank-link"' in page


def test_ranking_page_filters_and_highlight_on_three_zones(three):
    page = three.get("/ranking?zone=ZB").text
    rows = page.split('id="ranking-table"')[1]
    assert rows.index('data-zone="ZA"') < rows.index('data-zone="ZC"') < rows.index('data-zone="ZB"')
    assert 'class="me" data-zone="ZB"' in rows and rows.count('class="me"') == 1
    prov = three.get("/ranking?zone=ZB&scope=province").text.split('id="ranking-table"')[1]
    assert 'data-zone="ZC"' not in prov and prov.index('data-zone="ZA"') < prov.index('data-zone="ZB"')
    js = three.get("/ranking?scope=national&province=江苏").text.split('id="ranking-table"')[1]
    assert 'data-zone="ZC"' in js and 'data-zone="ZA"' not in js


def test_ranking_workbook_is_the_page_table(three):
    import pandas as pd

    r = three.get("/ranking.xlsx?zone=ZB&scope=province")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
    sheets = pd.read_excel(io.BytesIO(r.content), sheet_name=None, engine="openpyxl")
    table = sheets["产城融合型排名"]
    assert list(table["开发区代码"]) == ["ZA", "ZB"] and list(table["省内排名"]) == [1, 2]
    assert list(table["全国排名"]) == [1, 3]


def test_national_sets_in_the_store_give_the_demo_its_place(nat):
    doc = nat.get(f"/api/zones/{DEMO_ZONE}/dashboard").json()
    r = doc["rank"]
    assert (r["rank_national"], r["of_national"]) == (48, 111)
    assert r["rank_province"] == 2
    page = nat.get(f"/dashboard?zone={DEMO_ZONE}").text
    assert 'id="kpi-rank">48 / 111<' in page
    rk = nat.get(f"/ranking?zone={DEMO_ZONE}&year=2020").text
    assert "2020 年度产城融合型开发区全国排名" in rk and "共 111 个" in rk
    me = rk.split('class="me"')[1].split("</tr>")[0]
    assert DEMO_ZONE in me and ">48<" in me
    prov = nat.get(f"/ranking?zone={DEMO_ZONE}&year=2020&scope=province").text
    me = prov.split('class="me"')[1].split("</tr>")[0]
    assert ">2<" in me and "山东" in prov


def test_a_viewer_sees_the_ranking_page(national_app):
    viewer = sign_in(national_app, "viewer", DEMO_PASSWORD)
    assert viewer.get("/ranking").status_code == 200
