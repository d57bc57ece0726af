"""A tiny hand-checkable world: a 3 × 3 street grid of 100 m blocks, three residential parcels,
a kindergarten and a primary school (distances worked out by hand in the tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from jiyue.liveability.engine import Inputs

RULES_TOML = """
[ruleset]
name = "test"
version = "1"
title = "测试规则"
[network]
facility_max_snap_m = 300.0
facility_max_snap_m_source = "测试"
origin_max_snap_m = 300.0
origin_max_snap_m_source = "测试"
walk_speed_m_per_min = 60.0
node_crossings = true
[[circles]]
key = "c"
label = "测试生活圈"
minutes = 5
radius_m = 300.0
source = "测试"
[[services]]
key = "kindergarten"
label = "幼儿园"
circle = "c"
kinds = ["kindergarten"]
source = "测试"
[[services]]
key = "primary_school"
label = "小学"
circle = "c"
kinds = ["school"]
levels = ["primary", "nine_year"]
source = "测试"
[siting]
candidate_build_classes = ["B21"]
picks = 2
source = "测试"
[indicators]
green_per_person_min_m2 = 2.0
jobs_per_resident_band = [0.5, 1.5]
"""


def grid_roads(n: int = 3, step: float = 100.0, x0: float = 0.0, y0: float = 0.0) -> np.ndarray:
    end = step * (n - 1)
    lines = [shapely.LineString([(x0, y0 + k * step), (x0 + end, y0 + k * step)]) for k in range(n)]
    lines += [shapely.LineString([(x0 + k * step, y0), (x0 + k * step, y0 + end)]) for k in range(n)]
    return np.array(lines, dtype=object)


def box(cx: float, cy: float, side: float) -> shapely.Polygon:
    h = side / 2
    return shapely.box(cx - h, cy - h, cx + h, cy + h)


def tiny_inputs(**kw) -> Inputs:
    parcels = pd.DataFrame({
        "parcel_id": ["P1", "P2", "P3", "G1", "C1"],
        "build_class": ["A1", "A1", "A1", "A51", "B21"],
        "area_m2": [400.0, 400.0, 900.0, 300.0, 100.0],
        "geometry": [box(200, 10, 20), box(110, 200, 20), box(50, 140, 30), box(150, 50, 10), box(120, 190, 10)],
    })
    facilities = pd.DataFrame({
        "facility_id": ["K1", "S1", "H1"],
        "kind": ["kindergarten", "school", "hospital"],
        "name": ["第一幼儿园", "第一小学", "医院"],
        "level": ["", "primary", None],
        "geometry": [shapely.Point(0, -10), shapely.Point(200, 215), shapely.Point(100, 100)],
    })
    buildings = pd.DataFrame({
        "building_id": ["B1", "B2"], "parcel_id": ["P1", "P2"], "kind": ["building", "building"],
        "floor_area_m2": [1000.0, 1000.0], "population": [300.0, 100.0],
        "geometry": [box(200, 10, 4), box(110, 200, 4)],
    })
    base = dict(zone_code="T", parcels=parcels, facilities=facilities, roads=grid_roads(), buildings=buildings,
                population=400.0, employees=300.0, eval_type="integrated", zone_name="测试区", year=2020)
    base.update(kw)
    return Inputs(**base)


def write_rules(tmp_path) -> str:
    p = tmp_path / "rules.toml"
    p.write_text(RULES_TOML, encoding="utf-8")
    return str(p)
