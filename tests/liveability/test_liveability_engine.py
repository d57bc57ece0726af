"""The liveability engine on a world small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from lv_factories import grid_roads, tiny_inputs, write_rules

from jiyue.errors import ProfileError
from jiyue.liveability import network as nw
from jiyue.liveability.engine import LiveabilityInputError, analyse
from jiyue.liveability.reference import reference_distances
from jiyue.liveability.rules import builtin_names, load_rules


@pytest.fixture
def rules(tmp_path):
    return load_rules(write_rules(tmp_path))


def _parcel(doc, pid):
    return next(p for p in doc["parcels"] if p["parcel_id"] == pid)


def test_grid_distances_by_hand(rules):
    doc = analyse(tiny_inputs(), rules)
    # K1 at (0,-10) snaps 10 m to the corner (0,0)
    # P1 (200,10): 10 + 200 east + 10 north = 220; straight line √(200² + 20²)
    p1 = _parcel(doc, "P1")
    assert p1["distance_m"]["kindergarten"] == pytest.approx(220.0)
    assert p1["euclid_m"]["kindergarten"] == pytest.approx(math.hypot(200, 20))
    # P2 (110,200): 10 + 0→(0,200) 200 + 100 east + 10 = 320 (not covered at 300 m)
    assert _parcel(doc, "P2")["distance_m"]["kindergarten"] == pytest.approx(320.0)
    # P3 (50,140) snaps 40 m to y=100 at x=50: 10 + 100 + 50 + 40 = 200
    assert _parcel(doc, "P3")["distance_m"]["kindergarten"] == pytest.approx(200.0)
    assert _parcel(doc, "P3")["snap_m"] == pytest.approx(40.0)
    # S1 at (200,215) snaps 15 m to (200,200): P1 15+190+0 = 205, P2 15+90 = 105, P3 15+100+100+50+40 = 305
    assert p1["distance_m"]["primary_school"] == pytest.approx(205.0)
    assert _parcel(doc, "P2")["distance_m"]["primary_school"] == pytest.approx(105.0)
    assert _parcel(doc, "P3")["distance_m"]["primary_school"] == pytest.approx(305.0)
    assert p1["nearest"]["kindergarten"] == "K1"
    assert p1["circles"] == {"c": True}
    assert _parcel(doc, "P2")["circles"] == {"c": False}


def test_coverage_shares_by_hand(rules):
    doc = analyse(tiny_inputs(), rules)
    kg = next(s for s in doc["services"] if s["key"] == "kindergarten")
    # by area: P1 400 + P3 900 covered of 1700; straight line: all three
    assert kg["network"]["area_share"] == pytest.approx(1300 / 1700 * 100)
    assert kg["euclid"]["area_share"] == pytest.approx(100.0)
    # by population: only the buildings hold people (given: P1 300, P2 100) → 300 / 400
    assert kg["network"]["pop_share"] == pytest.approx(75.0)
    assert kg["network"]["uncovered_pop"] == pytest.approx(100.0)
    ps = next(s for s in doc["services"] if s["key"] == "primary_school")
    assert ps["network"]["area_share"] == pytest.approx(800 / 1700 * 100)
    c = doc["circles"][0]
    assert c["network"]["area_share"] == pytest.approx(400 / 1700 * 100)  # only P1 has both
    assert c["network"]["pop_share"] == pytest.approx(75.0)
    gaps = {(g["parcel_id"], g["service"]): g for g in doc["gaps"]}
    assert set(gaps) == {("P2", "kindergarten"), ("P3", "primary_school")}
    assert gaps[("P2", "kindergarten")]["reason"] == "too_far"


def test_population_apportioned_by_floor_area(rules):
    inp = tiny_inputs()
    inp.buildings = inp.buildings.drop(columns="population")
    inp.buildings["floor_area_m2"] = [3000.0, 1000.0]
    doc = analyse(inp, rules)
    assert doc["population"]["method"] == "floor_area"
    assert _parcel(doc, "P1")["population"] == pytest.approx(300.0)  # 400 × 3000 / 4000
    assert _parcel(doc, "P3")["population"] == pytest.approx(0.0)


def test_indicators_by_hand(rules):
    doc = analyse(tiny_inputs(), rules)
    ind = doc["indicators"]
    # A = P1 + P2 + P3 + G1 = 2000 m²; A1 = 1700; A51 = 300
    assert ind["residential_land_share"] == pytest.approx(85.0)
    assert ind["green_per_person"] == pytest.approx(300 / 400)
    assert ind["jobs_per_resident"] == pytest.approx(0.75)
    assert ind["jobs_judgement"] == "balanced"
    assert ind["green_ok"] is False
    assert ind["eval_type_rule"]["label"] == "产城融合型"


def test_siting_covers_the_gap(rules):
    doc = analyse(tiny_inputs(), rules, site=["kindergarten"])
    s = doc["siting"][0]
    assert s["picks"][0]["parcel_id"] == "C1"
    assert s["before"] == pytest.approx(75.0) and s["after"] == pytest.approx(100.0)


def test_disconnected_roads_reported_with_components(rules):
    roads = np.concatenate([grid_roads(), grid_roads(x0=1000.0)])
    inp = tiny_inputs(roads=roads)
    inp.parcels.loc[0, "geometry"] = shapely.box(1190, 0, 1210, 20)  # P1 on the second grid
    inp.buildings.loc[0, "geometry"] = shapely.box(1198, 8, 1202, 12)
    with pytest.raises(LiveabilityInputError) as e:
        analyse(inp, rules)
    p = next(p for p in e.value.problems if p["code"] == "roads_disconnected")
    assert p["severity"] == "error" and p["layer"] == "roads" and p["found"] == "2 个互不相连的部分"
    assert "第2部分" in p["message"] and "1 宗住宅" in p["message"]
    doc = analyse(inp, rules, allow_disconnected=True)
    gap = next(g for g in doc["gaps"] if g["parcel_id"] == "P1" and g["service"] == "kindergarten")
    assert gap["reason"] == "unreachable" and gap["reason_label"] == "路网不连通，无法到达"
    assert doc["network"]["components"] == 2


def test_facility_far_from_roads(rules):
    inp = tiny_inputs()
    inp.facilities.loc[0, "geometry"] = shapely.Point(0, -2000)
    with pytest.raises(LiveabilityInputError) as e:
        analyse(inp, rules)
    p = next(p for p in e.value.problems if p["code"] == "facility_far_from_road")
    assert (p["layer"], p["row_id"], p["field"], p["found"], p["expected"]) == (
        "facilities", "K1", "geometry", "2,000 米", "≤ 300 米")
    assert "距最近的道路 2,000 米" in p["message"] and "第一幼儿园" in p["message"]


def test_unknown_kind_and_level(rules):
    inp = tiny_inputs()
    inp.facilities.loc[1, "kind"] = "mall"
    inp.facilities.loc[0, "level"] = "大学"
    with pytest.raises(LiveabilityInputError) as e:
        analyse(inp, rules)
    probs = {p["code"]: p for p in e.value.problems}
    k = probs["unknown_facility_kind"]
    assert (k["layer"], k["row_id"], k["field"], k["found"]) == ("facilities", "S1", "kind", "mall")
    assert "hospital" in k["expected"] and "类型「mall」未知" in k["message"]
    assert probs["unknown_facility_level"]["found"] == "大学"
    assert "2 个错误" in e.value.message


def test_chinese_kind_and_level_spellings(rules):
    inp = tiny_inputs()
    inp.facilities.loc[1, "kind"] = "学校"
    inp.facilities.loc[1, "level"] = "小学"
    doc = analyse(inp, rules)
    assert _parcel(doc, "P2")["distance_m"]["primary_school"] == pytest.approx(105.0)


def test_school_without_level_counts_for_both_and_is_warned(rules):
    inp = tiny_inputs()
    inp.facilities.loc[1, "level"] = None
    doc = analyse(inp, rules)
    assert any(p["code"] == "facility_level_missing" and p["row_id"] == "S1" for p in doc["problems"])
    assert _parcel(doc, "P2")["distance_m"]["primary_school"] == pytest.approx(105.0)


def test_origin_without_road_access(rules):
    inp = tiny_inputs()
    inp.parcels.loc[2, "geometry"] = box_far = shapely.box(-900, -900, -870, -870)  # noqa: F841
    doc = analyse(inp, rules)
    assert any(p["code"] == "origin_far_from_road" and p["row_id"] == "P3" for p in doc["problems"])
    assert {g["reason"] for g in doc["gaps"] if g["parcel_id"] == "P3"} == {"no_access"}


def test_engine_agrees_with_networkx_reference():
    rng = np.random.default_rng(7)
    roads = grid_roads(n=8, step=120.0)
    # a few diagonal streets crossing the grid without shared vertices (noded by the engine)
    roads = np.concatenate([roads, [shapely.LineString([(0, 0), (840, 700)]), shapely.LineString([(30, 800), (800, 35)])]])
    net = nw.build_network(roads)
    fac = shapely.points(rng.uniform(-20, 860, size=(25, 2)))
    kinds = rng.integers(0, 3, size=25)
    fs = nw.snap_points(net, fac)
    net2, fnode = nw.insert_points(net, fs)
    orig = shapely.points(rng.uniform(-20, 860, size=(120, 2)))
    os_ = nw.snap_points(net2, orig)
    groups = [(np.where(kinds == k, fnode, -1), fs.dist) for k in range(3)]
    dist, _ = nw.multi_source(net2, groups)
    fast = nw.origin_distance(net2, dist, os_)
    ref = reference_distances(net2, [g[0] for g in groups], [g[1] for g in groups], os_)
    np.testing.assert_allclose(fast, ref, rtol=1e-9, atol=1e-6)


def test_builtin_rules_load_and_cite_sources():
    assert {"gb50180-2018", "gb50180-93"} <= set(builtin_names())
    r = load_rules("gb50180-2018")
    assert [c.radius_m for c in r.circles] == [300.0, 500.0, 1000.0]
    assert all(s.source and "/work" not in s.source for s in r.services)
    old = load_rules("gb50180-93")
    assert {s.key: s.radius_m for s in old.services} == {"kindergarten": 300.0, "primary_school": 500.0,
                                                         "middle_school": 1000.0}


def test_bad_rule_file_lists_every_problem(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("""
[ruleset]
name = "bad"
version = "1"
title = "坏"
[network]
facility_max_snap_m = -5
origin_max_snap_m = 300
walk_speed_m_per_min = 60
[[circles]]
key = "c"
label = "圈"
minutes = 5
radius_m = 1200
radius_range_m = [800, 1000]
source = "x"
[[services]]
key = "s"
label = "服务"
circle = "nope"
kinds = ["mall"]
levels = ["college"]
source = "x"
""", encoding="utf-8")
    with pytest.raises(ProfileError) as e:
        load_rules(p)
    msg = e.value.message
    for part in ("facility_max_snap_m", "不在标准给出的范围", "没有这个生活圈", "设施类型「mall」未知", "设施等级「college」未知"):
        assert part in msg
    assert "7 处问题" in msg  # also the two missing [network] sources


def test_unknown_builtin_name():
    with pytest.raises(ProfileError, match="没有内置生活圈规则"):
        load_rules("gb-nope")


def test_empty_roads_is_an_error(rules):
    with pytest.raises(LiveabilityInputError) as e:
        analyse(tiny_inputs(roads=np.zeros(0, dtype=object)), rules)
    assert e.value.problems[0]["code"] == "no_roads"


def test_no_population_still_gives_area_shares(rules):
    inp = tiny_inputs(population=None)
    inp.buildings = inp.buildings.drop(columns="population")
    doc = analyse(inp, rules)
    kg = doc["services"][0]
    assert kg["network"]["pop_share"] is None and kg["network"]["area_share"] == pytest.approx(1300 / 1700 * 100)
    assert any(p["code"] == "no_population" for p in doc["problems"])
    assert isinstance(pd.DataFrame(doc["parcels"]), pd.DataFrame)


def test_crossings_and_t_junctions_are_noded():
    plus = np.array([shapely.LineString([(0, 50), (100, 50)]), shapely.LineString([(50, 0), (50, 100)])], dtype=object)
    net = nw.build_network(plus)
    assert (net.n_nodes, net.n_edges, net.n_components) == (5, 4, 1)
    tee = np.array([shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(40, 0), (40, 80)])], dtype=object)
    net = nw.build_network(tee)
    assert (net.n_nodes, net.n_edges) == (4, 3)
    assert sorted(net.length.tolist()) == [40.0, 60.0, 80.0]
    # a bridge: crossing lines left un-noded when the rule file says so
    net = nw.build_network(plus, node_crossings=False)
    assert net.n_components == 2


def test_kd_snapping_equals_the_strtree():
    rng = np.random.default_rng(3)
    roads = np.concatenate([grid_roads(n=6, step=90.0),
                            [shapely.LineString([(-500, -400), (1500, 900)]), shapely.LineString([(0, 700), (30, 705)])]])
    net = nw.build_network(roads)
    pts = shapely.points(rng.uniform(-800, 1600, size=(400, 2)))
    fast = nw.snap_points(net, pts)
    segs = net.segments()
    q, d = shapely.STRtree(segs).query_nearest(pts, return_distance=True, all_matches=False)
    np.testing.assert_allclose(fast.dist[q[0]], d, atol=1e-9)
    t = shapely.line_locate_point(segs[fast.edge], pts)
    np.testing.assert_allclose(fast.t, t, atol=1e-6)


def test_snaps_moved_onto_split_segments_give_the_same_distances():
    rng = np.random.default_rng(11)
    net = nw.build_network(grid_roads(n=4, step=200.0))
    # many facilities on few segments (several cuts per segment), origins beside them
    fac = shapely.points(np.column_stack([rng.uniform(0, 600, 30), rng.choice([0.0, 200.0], 30) + rng.normal(0, 5, 30)]))
    fs = nw.snap_points(net, fac)
    net2, fnode = nw.insert_points(net, fs)
    orig = shapely.points(np.column_stack([rng.uniform(0, 600, 200), rng.uniform(-20, 620, 200)]))
    moved = nw.remap_snap(net2, nw.snap_points(net, orig))
    direct = nw.snap_points(net2, orig)
    dist, _ = nw.multi_source(net2, [(fnode, fs.dist)])
    np.testing.assert_allclose(nw.origin_distance(net2, dist, moved), nw.origin_distance(net2, dist, direct),
                               atol=1e-6)
    assert net2.n_components == 1 and (net2.component >= 0).all()


def test_analyse_distances_equal_the_reference_on_its_own_snaps(rules):
    doc = analyse(tiny_inputs(), rules)
    arr = doc["_arrays"]
    ref = reference_distances(arr["network"], [g[0] for g in arr["service_sources"]],
                              [g[1] for g in arr["service_sources"]], arr["origin_snap"])
    np.testing.assert_allclose(ref, arr["D"], atol=1e-9)


def test_population_given_on_some_buildings_without_a_zone_total(rules):
    inp = tiny_inputs(population=None)
    inp.buildings.loc[1, "population"] = None
    doc = analyse(inp, rules)
    assert doc["population"]["method"] == "given"
    assert doc["services"][0]["network"]["pop_share"] == pytest.approx(100.0)  # only B1 (300, covered) counts
    assert not any(p["code"] == "no_population" for p in doc["problems"])
