"""The circular (通报): rules, sentences and tables from hand arithmetic, and the rendered PDF.

The zone set is reports_factories.ZONES (6 zones, 4 产城融合型 + 2 工业主导型); every expected
figure below is worked out from the factory's parcels, not taken from the code.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from jiyue.errors import ProfileError
from jiyue.reports.circular import circular_context, list_size, load_rules, measure_value, parse_rules
from reports_factories import zone_set
from reports_support import page_ink, pdf_fonts, pdf_text, report_cli  # noqa: F401 (fixture)
from support import run_jiyue


@pytest.fixture(scope="module")
def sets(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("circular")
    # base year 2019: Z4 had 30 000 m² more floor area on its tower (its score fell by > 5 points since)
    return {"current": zone_set(d / "set2020.gpkg"),
            "base": zone_set(d / "set2019.gpkg", year=2019, extra={"Z4": 30000.0}), "dir": d}


@pytest.fixture(scope="module")
def rendered(sets) -> dict[str, object]:
    out = sets["dir"] / "out"
    r = run_jiyue("report", "circular", sets["current"], "--base", sets["base"], "--out", out)
    assert r.code == 0, r.output
    pdf = out / "circular.pdf"
    return {"run": r, "pdf": pdf, "html": (out / "circular.html").read_text(encoding="utf-8"),
            "text": pdf_text(pdf), "ink": page_ink(pdf, sets["dir"] / "png")}


@pytest.fixture(scope="module")
def doc(sets) -> dict:
    from jiyue.ranking.service import rank

    return rank([sets["current"]], None, base=[sets["base"]])


@pytest.fixture(scope="module")
def ctx(doc) -> dict:
    return circular_context(doc, generated="2021年3月1日")


# --------------------------------------------------------------------------- rules (pure)
@pytest.mark.parametrize(("count", "size"), [(430, 30), (300, 30), (299, 10), (111, 10), (40, 10), (39, 9),
                                             (20, 5), (4, 1), (3, 1), (2, 1), (1, 1), (0, 0)])
def test_list_size_follows_the_2020_circular(count: int, size: int) -> None:
    # 2020 circular: top/bottom 30 of 430 工业主导型, top/bottom 10 of 111 产城融合型; below 40 a quarter
    assert list_size(count, load_rules()) == size


def test_rule_file_errors_name_the_rule() -> None:
    raw = load_rules().raw
    bad = copy.deepcopy(raw)
    bad["problems"][1]["measure"] = "idle_ratio"
    with pytest.raises(ProfileError) as e:
        parse_rules(bad, "my.toml")
    assert "my.toml" in e.value.message and "high_idle_rate" in e.value.message and "idle_ratio" in e.value.message
    bad = copy.deepcopy(raw)
    bad["problems"][0]["op"] = "=="
    with pytest.raises(ProfileError, match="low_built_share"):
        parse_rules(bad, "my.toml")
    bad = copy.deepcopy(raw)
    bad["averages"]["groups"] = ["supply_rate", "nope"]
    with pytest.raises(ProfileError, match="nope"):
        parse_rules(bad, "my.toml")
    bad = copy.deepcopy(raw)
    del bad["lists"]["large"]
    with pytest.raises(ProfileError, match=r"\[lists\] large"):
        parse_rules(bad, "my.toml")


def test_measures_by_hand() -> None:
    z = {"areas_ha": {"total": 6.0, "C": 1.0, "A": 3.0, "D22": 0.5}, "indicators": {"idle_rate": 25.0},
         "missing": {}}
    assert measure_value("built_share", z) == pytest.approx(60.0)  # 3 / (6 − 1)
    assert measure_value("area:D22", z) == 0.5
    assert measure_value("idle_rate", z) == 25.0
    assert measure_value("incomplete", z) == 0.0
    assert measure_value("score_change", z, -6.5) == -6.5
    assert measure_value("built_share", {"areas_ha": {"total": 1.0, "C": 1.0, "A": 0.0}}) is None


# --------------------------------------------------------------------------- what the circular says
def test_basic_counts_and_areas(ctx) -> None:
    paras = "".join(ctx["basic"]["paragraphs"])
    assert "参评开发区共6个，其中工业主导型2个、产城融合型4个" in paras
    assert "按区域分，东部4个、西部1个、东北1个" in paras  # 山东×3 + 江苏, 四川, 黑龙江
    assert "按类别分，经开区3个、高新区2个、海关特殊监管区域1个" in paras
    assert "评价范围总面积36.00公顷，平均每个开发区6.00公顷" in paras  # 6 parcels of 1 ha per zone
    assert "已建成城镇建设用地18.00公顷" in paras and "闲置土地1.00公顷" in paras  # only Z1 is idle


def test_averages_are_sigma_ratios_with_year_on_year(ctx) -> None:
    s = ctx["status"]["sentence"]
    assert "土地供应率80.00%" in s and "土地建成率75.00%" in s
    # 综合容积率 = Σ floor area on A ÷ Σ A = (6 × 9 800 + 21 000) ÷ 180 000 = 0.4433;
    # 2019: (6 × 9 800 + 42 000) ÷ 180 000 = 0.56 → −20.83 %
    assert "综合容积率0.44（较2019年度减少20.83%）" in s
    assert "土地供应率80.00%（较2019年度持平）" in s


def test_rank_lists_and_their_regional_make_up(ctx) -> None:
    by_type = {t["type"]: t for t in ctx["ranking"]}
    integ = by_type["integrated"]
    assert integ["k"] == 1 and [r[1] for r in integ["top"]] == ["测试Z4开发区"]
    assert [r[1] for r in integ["bottom"]] == ["测试Z1开发区"]
    assert "产城融合型开发区排名前1位的开发区中，西部1个；排名后1位的开发区中，东部1个。" in integ["sentences"]
    ind = by_type["industrial"]
    assert "工业主导型开发区排名前1位的开发区中，东北1个；排名后1位的开发区中，东部1个。" in ind["sentences"]
    # the appendix lists every zone with national and provincial ranks: Z2 is 2/4 nationally, 1/2 in Shandong
    rows = {r[2]: r for a in ctx["appendix"] for r in a["rows"]}
    assert rows["测试Z2开发区"][:2] == ["2/4", "1/2"] and rows["测试Z1开发区"][:2] == ["4/4", "2/2"]
    assert rows["测试Z6开发区"][:2] == ["1/2", "1/1"]


def test_problems_found(ctx) -> None:
    probs = {p["key"]: p for p in ctx["problems"]}
    # idle rate 10 000 ÷ 40 000 = 25 % only in Z1
    assert probs["high_idle_rate"]["rows"] == [["测试Z1开发区", "山东", "产城融合型", "25.00%"]]
    assert "闲置土地合计1.00公顷" in probs["high_idle_rate"]["sentence"]
    # built rate 30 000 ÷ 40 000 = 75 % < 80 % everywhere; supply rate 80 % is not below 80 %
    assert len(probs["low_built_rate"]["rows"]) == 6 and "有6个（工业主导型2个、产城融合型4个）" in \
        probs["low_built_rate"]["sentence"]
    assert "low_supply_rate" not in probs and "low_built_share" not in probs  # 60 % is not below 60 %
    # Z4 lost its 30 000 m² floor area: its score fell by more than 5 points
    assert [r[0] for r in probs["score_decline"]["rows"]] == ["测试Z4开发区"]


# --------------------------------------------------------------------------- the rendered PDF
def test_pdf_pages_are_not_blank(rendered) -> None:
    ink = rendered["ink"]
    assert len(ink) >= 3
    assert all(f > 0.01 for f in ink), ink


def test_pdf_text_layer_is_chinese(rendered) -> None:
    t = rendered["text"]
    for phrase in ("关于2020年度开发区土地集约利用监测统计情况的通报", "土地供应率", "测试Z4开发区",
                   "存在的主要问题", "附件：参评开发区土地集约利用排序表", "较2019年度"):
        assert phrase in t, phrase
    assert re.search(r"— ?1 ?—", t)  # page numbers


def test_pdf_uses_only_the_cjk_font_and_no_external_resources(rendered) -> None:
    fonts = pdf_fonts(rendered["pdf"])
    assert "WenQuanYi" in fonts and "DejaVu" not in fonts and "Serif" not in fonts
    html = rendered["html"]
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", html)
    assert "http://" not in html and "https://" not in html and "@import" not in html


def test_render_is_pure_and_repeatable(doc) -> None:
    from jiyue.reports.html_report import render_circular

    a = render_circular(doc, generated="2021年3月1日")
    assert a == render_circular(doc, generated="2021年3月1日")
    assert "关于2020年度开发区土地集约利用监测统计情况的通报" in a and "于2021年3月1日生成" in a
    without_base = {k: v for k, v in doc.items() if k not in ("year_on_year", "base_year", "base_zones")}
    b = render_circular(without_base, generated="2021年3月1日")
    assert "较2019年度" in a and "较2019年度" not in b and "集约度分值明显下降" not in b and "集约度分值明显下降" in a


def test_bad_input_exits_cleanly(tmp_path: Path, sets, report_cli) -> None:
    r = run_jiyue("report", "circular", tmp_path / "missing.gpkg", "--out", tmp_path / "o")  # the real script
    assert r.code == 2 and "Traceback" not in r.stderr and "missing.gpkg" in r.stderr
    r = report_cli("report", "circular", "--out", tmp_path / "o")
    assert r.code == 2 and "数据包" in r.stderr
    (tmp_path / "file").write_text("x")
    r = report_cli("report", "circular", sets["current"], "--out", tmp_path / "file")
    assert r.code == 2 and "文件夹" in r.stderr
    bad = tmp_path / "rules.toml"
    bad.write_text('[ruleset]\nname = "x"\n', encoding="utf-8")
    r = report_cli("report", "circular", sets["current"], "--rules", bad, "--out", tmp_path / "o")
    assert r.code == 1 and "rules.toml" in r.stderr and "version" in r.stderr
    r = report_cli("report", "circular", sets["current"], "--top", "0", "--out", tmp_path / "o")
    assert r.code == 2
    assert not (tmp_path / "o").exists()
