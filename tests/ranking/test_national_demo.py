"""The national demo set: 2020 national figures by hand from its rows, and the demo zone's place."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jiyue.demo import write_demo
from jiyue.evaluation.service import evaluate
from jiyue.national_demo import TARGETS_2020, build_national, write_national
from jiyue.ranking.rank import region_of
from jiyue.ranking.service import rank


@pytest.fixture(scope="module")
def demo_and_national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    d = tmp_path_factory.mktemp("nat")
    demo = write_demo(d / "demo.gpkg")
    demo_zone = evaluate(demo)["zones"][0]
    nat = write_national(d / "national.gpkg", demo_zone=demo_zone)
    return demo, nat, demo_zone


def test_counts_and_national_figures_by_hand(demo_and_national) -> None:
    _, _, demo_zone = demo_and_national
    L = build_national(demo_zone=demo_zone)
    z, p, b, zy = L["zones"], L["parcels"], L["buildings"], L["zone_years"]
    assert len(z) == 540 and (z.eval_type == "industrial").sum() == 430 and (z.eval_type == "integrated").sum() == 110
    # Σ numerators / Σ denominators over the 540 rows plus the demo zone's own terms (m², 万元)
    t = demo_zone["terms"]
    area = lambda mask: float(p.loc[mask, "area_m2"].sum())  # noqa: E731
    isA = p.build_class.str.startswith("A")
    A = area(isA) + t["A"]
    A2 = area(p.build_class == "A2") + t["A2"]
    D = area(p.supply_class.str.startswith("D")) + t["D"]
    B21 = area(p.build_class == "B21") + t["B21"]
    B = area(p.build_class.str.startswith("B")) + t["B"]
    bp = b.merge(p[["parcel_id", "build_class"]], on="parcel_id")
    FA_A = float(bp.loc[bp.build_class.str.startswith("A") & (bp.kind == "building"), "floor_area_m2"].sum()) + t["FA_A"]
    FA_A2 = float(bp.loc[(bp.build_class == "A2") & (bp.kind == "building"), "floor_area_m2"].sum()) + t["FA_A2"]
    fai = float(zy.industrial_fai_wan.sum()) + t["industrial_fai_wan"]
    itax = float(zy.industrial_tax_wan.sum()) + t["industrial_tax_wan"]
    tax = float(zy.tax_total_wan.sum()) + t["tax_total_wan"]
    got = {"supply_rate": D / (A + B21) * 100, "built_rate": A / D * 100, "development_rate": (A + B21) / (A + B) * 100,
           "industrial_land_ratio": A2 / A * 100, "far": FA_A / A, "industrial_far": FA_A2 / A2,
           "industrial_fai_intensity": fai / (A2 / 1e4), "industrial_tax_per_ha": itax / (A2 / 1e4),
           "tax_per_ha": tax / (A / 1e4)}
    for k, want in TARGETS_2020.items():
        assert got[k] == pytest.approx(want, rel=1e-6), k


def test_demo_takes_its_place(demo_and_national) -> None:
    demo, nat, _ = demo_and_national
    doc = rank([nat, demo], include_zones=False)
    me = next(r for r in doc["rankings"] if r["zone_code"] == "371500-ETDZ")
    assert (me["rank_national"], me["of_national"]) == (48, 111)
    assert me["rank_province"] == 2
    nat_avg = doc["averages"]["national"]["all"]["ratio"]
    assert nat_avg["supply_rate"] == pytest.approx(92.68, rel=1e-6)
    assert nat_avg["industrial_tax_per_ha"] == pytest.approx(678.99, rel=1e-6)
    by_region = {g: v["all"]["score_mean"] for g, v in doc["averages"]["region"].items()}
    assert by_region["东部"] > by_region["中部"] > by_region["西部"] > by_region["东北"]
    assert all(region_of(r["province"]) for r in doc["rankings"])
    counts = pd.Series([r["region"] for r in doc["rankings"]]).value_counts()
    assert counts["东部"] > counts["西部"] > counts["东北"]
