"""The evaluation service's figures for the web: indicator points, the score tree, a parcel's
building totals. Expected values by hand from the built-in profile tdt1029-2017 (industrial):
supply_rate weight 0.7 × 0.25 × 0.5 = 0.0875, idle_rate 0.1 × 1 × 1 = 0.1, cap 100."""

from __future__ import annotations

import math

import pytest

from jiyue.evaluation.profile import load_profile
from jiyue.evaluation.service import document, indicator_points, parcel_buildings, score_tree


@pytest.fixture(scope="module")
def profile():
    return load_profile(None)


def zone():
    return {"eval_type": "industrial",
            "indicators": {"supply_rate": 90.0, "idle_rate": 2.0, "far": None},
            "realisation": {"supply_rate": 80.0, "idle_rate": 100.0, "far": None},
            "ideals": {"supply_rate": 100.0, "idle_rate": 0.0, "far": 1.2},
            "missing": {"far": "没有建筑物"},
            "subscores": {"land_use_status": 50.0, "management": 100.0}}


def test_indicator_points_are_weight_times_realisation(profile):
    rows = {r["key"]: r for r in indicator_points(zone(), profile)}
    assert list(rows) == ["supply_rate", "idle_rate", "far"]  # the zone's order
    s = rows["supply_rate"]
    assert math.isclose(s["weight"], 0.0875)
    assert math.isclose(s["points"], 7.0)  # 0.0875 × 80
    assert math.isclose(s["points_available"], 1.75)  # 0.0875 × (100 − 80)
    assert s["value"] == 90.0 and s["ideal"] == 100.0 and s["unit"] == "%" and s["name"]
    i = rows["idle_rate"]
    assert math.isclose(i["points"], 10.0) and i["points_available"] == 0.0  # 0.1 × 100; nothing left
    f = rows["far"]
    assert f["points"] is None and f["points_available"] is None and f["missing"] == "没有建筑物"


def test_points_available_never_below_zero(profile):
    z = zone()
    z["realisation"]["supply_rate"] = 120.0  # above the cap (a profile without capping)
    row = indicator_points(z, profile)[0]
    assert math.isclose(row["points"], 10.5) and row["points_available"] == 0.0  # 0.0875 × 120


def test_score_tree_carries_the_zone_figures(profile):
    tree = score_tree(zone(), profile)
    assert [(n["key"], n["weight"], n["score"]) for n in tree] == [
        ("land_use_status", 0.7, 50.0), ("land_benefit", 0.2, None), ("management", 0.1, 100.0)]
    degree = tree[0]["children"][0]
    assert degree["key"] == "utilisation_degree" and degree["weight"] == 0.25
    assert degree["indicators"][0] == {"key": "supply_rate", "name": degree["indicators"][0]["name"],
                                       "weight": 0.5, "realisation": 80.0}
    assert tree[2]["children"][0]["indicators"] == [
        {"key": "idle_rate", "name": tree[2]["children"][0]["indicators"][0]["name"], "weight": 1.0,
         "realisation": 100.0}]


def test_parcel_buildings_far_and_density():
    rows = [{"kind": "building", "floor_area_m2": 3_000.0, "footprint_m2": 1_000.0},
            {"kind": None, "floor_area_m2": 1_000.0, "footprint_m2": 500.0},  # no kind: a building
            {"kind": "structure", "floor_area_m2": None, "footprint_m2": 200.0}]  # no floor area, not in density
    t = parcel_buildings(rows, 10_000.0)
    assert t["count"] == 3 and t["floor_area_m2"] == 4_000.0 and t["footprint_m2"] == 1_500.0
    assert math.isclose(t["far"], 0.4) and math.isclose(t["density_pct"], 15.0)  # 4 000 / 10 000; 1 500 / 10 000
    none = parcel_buildings(rows, None)
    assert none["far"] is None and none["density_pct"] is None and none["floor_area_m2"] == 4_000.0
    assert parcel_buildings([], 500.0) == {"count": 0, "floor_area_m2": 0, "footprint_m2": 0, "far": 0.0,
                                            "density_pct": 0.0}


def test_document_shape(profile):
    doc = document([{"zone_code": "Z"}], profile, {"db": "x"})
    assert list(doc) == ["profile", "jiyue_version", "provenance", "indicator_units", "zones"]
    assert doc["profile"]["name"] == "tdt1029-2017" and doc["indicator_units"]["supply_rate"] == "%"
