"""The zone report: rank card, flags of parcels, maps, what-if — by hand, and the rendered PDF.

Zones from reports_factories.ZONES. 产城融合型 scores rise with the added floor area, so by hand:
Z4 (9 000 m²) 1st, Z2 (6 000) 2nd, Z3 (3 000) 3rd, Z1 (0, idle) 4th of 4; in Shandong Z2 1st and
Z1 2nd of 2.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import box

from jiyue.reports.maps import class_map, flag_map, flag_parcels, nice_length
from jiyue.reports.zone_report import rank_among
from reports_factories import zone_set
from reports_support import page_ink, pdf_fonts, pdf_text, report_cli  # noqa: F401 (fixture)
from support import run_jiyue

SCENARIO = """name = "供应P5并建成"
[[changes]]
parcel_id = "Z2-P5"
set = { supply_class = "D21", supply_date = "2020-06-01" }
"""


@pytest.fixture(scope="module")
def pkg(tmp_path_factory) -> Path:
    return zone_set(tmp_path_factory.mktemp("zone") / "set.gpkg")


@pytest.fixture(scope="module")
def rendered(pkg: Path, tmp_path_factory) -> dict[str, object]:
    d = tmp_path_factory.mktemp("zone-out")
    scen = d / "s.toml"
    scen.write_text(SCENARIO, encoding="utf-8")
    r = run_jiyue("report", "zone", pkg, "--zone", "Z2", "--scenario", scen, "--out", d)
    assert r.code == 0, r.output
    pdf = d / "Z2.pdf"
    return {"pdf": pdf, "html": (d / "Z2.html").read_text(encoding="utf-8"), "text": pdf_text(pdf),
            "ink": page_ink(pdf, d / "png")}


# --------------------------------------------------------------------------- pure pieces
def test_rank_card_matches_the_ranking_document(pkg: Path, rendered) -> None:
    from jiyue.ranking.service import rank

    row = next(r for r in rank([pkg], None, include_zones=False)["rankings"] if r["zone_code"] == "Z2")
    assert (row["rank_national"], row["of_national"], row["rank_province"], row["of_province"]) == (2, 4, 1, 2)
    t = rendered["text"]
    assert f"全国第{row['rank_national']}位/{row['of_national']}" in t
    assert f"省内第{row['rank_province']}位/{row['of_province']}" in t
    assert f"{row['score']:.2f}" in t


def test_rank_among_replaces_the_zone_itself() -> None:
    rows = [{"zone_code": c, "eval_type": "integrated", "province": p, "score": s}
            for c, p, s in (("A", "山东省", 90.0), ("B", "山东", 80.0), ("C", "江苏省", 70.0), ("ME", "山东省", 10.0),
                            ("X", "山东省", 99.0))]
    rows[-1]["eval_type"] = "industrial"  # another type never counts
    assert rank_among(85.0, "ME", "integrated", "山东省", rows) == {
        "rank_national": 2, "of_national": 4, "rank_province": 2, "of_province": 3}
    assert rank_among(80.0, "ME", "integrated", "山东省", rows)["rank_national"] == 2  # tie shares 2nd
    assert rank_among(None, "ME", "integrated", "山东省", rows)["rank_national"] is None


def _parcels() -> pd.DataFrame:
    rows = [  # id, build, supply, area m², idle, floor area m²
        ("a", "A2", "D21", 10000.0, False, 4000.0),   # FAR 0.4 < 1.0 → low FAR industrial
        ("b", "A2", "D21", 10000.0, False, 12000.0),  # FAR 1.2 → fine
        ("c", "B21", "D21", 5000.0, True, 0.0),       # idle and supplied-but-unbuilt
        ("d", "B21", "E21", 8000.0, False, 0.0),      # ready but unsupplied
        ("e", "A1", "D22", 2000.0, False, 3000.0),    # expired paid use
        ("f", "C1", "F", 3000.0, None, 0.0),
    ]
    df = pd.DataFrame(rows, columns=["parcel_id", "build_class", "supply_class", "area_m2", "idle", "fa"])
    df["geometry"] = [box(i * 100, 0, i * 100 + 100, 100) for i in range(len(df))]
    return df


def test_flag_parcels_by_hand() -> None:
    f = flag_parcels(_parcels(), far_threshold=1.0).set_index("parcel_id")
    assert list(f.index[f["low_far_industrial"]]) == ["a"]
    assert list(f.index[f["idle"]]) == ["c"] and list(f.index[f["supplied_unbuilt"]]) == ["c"]
    assert list(f.index[f["ready_unsupplied"]]) == ["d"] and list(f.index[f["expired"]]) == ["e"]
    assert f.loc["a", "far"] == pytest.approx(0.4)
    assert f["flag"].to_dict() == {"a": "low_far_industrial", "b": None, "c": "idle", "d": "ready_unsupplied",
                                   "e": "expired", "f": None}
    assert not flag_parcels(_parcels(), far_threshold=0.3)["low_far_industrial"].any()


@pytest.mark.parametrize(("span", "length"), [(1234.0, 200.0), (5000.0, 1000.0), (800.0, 100.0), (260.0, 50.0),
                                              (12000.0, 2000.0), (3.0, 1.0)])
def test_scale_bar_length(span: float, length: float) -> None:
    assert nice_length(span) == length  # a round 1/2/5 × 10ⁿ not above a fifth of the span


def test_maps_are_pngs() -> None:
    f = flag_parcels(_parcels(), 1.0)
    for png in (class_map(f, boundary=box(0, 0, 600, 100), crs="EPSG:4527"), flag_map(f, far_threshold=1.0)):
        assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    empty = f.assign(geometry=None)
    assert class_map(empty) is None and flag_map(empty, far_threshold=1.0) is None


# --------------------------------------------------------------------------- the rendered PDF
def test_pdf_pages_are_not_blank(rendered) -> None:
    ink = rendered["ink"]
    assert len(ink) >= 3 and all(f > 0.01 for f in ink), ink


def test_pdf_text_layer(rendered) -> None:
    t = rendered["text"]
    for phrase in ("测试Z2开发区2020年度土地集约利用评价报告", "土地供应率", "全国第", "集约度分值构成",
                   "潜力测算", "影响集约利用水平的地块", "提升情景测算", "供应P5并建成（给定情景）",
                   "推动已供未建地块开工建成"):
        assert phrase in t, phrase


def test_flags_table_by_hand(rendered) -> None:
    # Z2: P4 B21/D21 (not idle in Z2) supplied-but-unbuilt 1 ha; P5 B21/E21 ready 1 ha;
    # P1 A2 with 4 000 m² floor on 10 000 m² → FAR 0.40 < 0.7 (the profile's [whatif] low_industrial_far)
    t = re.sub(r"\s+", "", rendered["text"])
    assert "供应状况D1/D21/D22，建设状况B21/B2211.00" in t
    assert "建设状况B21，供应状况E1/E21/E2211.00" in t
    assert "建设状况A2，宗地容积率低于0.711.00" in t
    assert "是否闲置=是（已认定闲置）00.00" in t


def test_pdf_fonts_and_self_contained_html(rendered) -> None:
    fonts = pdf_fonts(rendered["pdf"])
    assert "WenQuanYi" in fonts and "DejaVu" not in fonts
    html = rendered["html"]
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", html)
    assert html.count("data:image/png;base64,") == 4  # two charts, two maps


def test_zone_from_the_store(pkg: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert run_jiyue("import", pkg, "--db", db).code == 0
    r = run_jiyue("report", "zone", "--db", db, "--zone", "Z3", "--out", tmp_path / "o", "--no-pdf")
    assert r.code == 0, r.output
    html = (tmp_path / "o" / "Z3.html").read_text(encoding="utf-8")
    assert "全国第3位/4" in html and "省内第1位/1" in html
    assert "提升情景测算需要开发区的数据包" in html
    assert not (tmp_path / "o" / "Z3.pdf").exists()


def test_bad_input_exits_cleanly(pkg: Path, tmp_path: Path, report_cli) -> None:
    r = run_jiyue("report", "zone", pkg, "--zone", "NOPE", "--out", tmp_path / "o")  # the real script
    assert r.code == 2 and "Traceback" not in r.stderr and "NOPE" in r.stderr and "Z1" in r.stderr
    r = report_cli("report", "zone", "--zone", "Z1", "--out", tmp_path / "o")
    assert r.code == 2 and "--db" in r.stderr
    r = report_cli("report", "zone", pkg, "--zone", "Z1", "--scenario", tmp_path / "none.toml", "--out", tmp_path / "o")
    assert r.code == 2 and "none.toml" in r.stderr
    r = report_cli("report", "zone", "--db", tmp_path / "none.duckdb", "--zone", "Z1", "--against", pkg,
                   "--out", tmp_path / "o")
    assert r.code == 2 and "PKG" in r.stderr
    r = report_cli("report", "zone", "--db", tmp_path / "none.duckdb", "--zone", "Z1", "--out", tmp_path / "o")
    assert r.code == 2 and "none.duckdb" in r.stderr  # a missing store file is a wrong argument
    assert not (tmp_path / "o").exists()
