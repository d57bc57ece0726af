"""The vector-tile encoder, read back with a reader written from the MVT 2.1 specification.

Tile bounds (0, 0, 4096, 4096) with extent 4096 make one map unit one tile unit, so the expected
tile coordinates are x and 4096 − y (tile y points down)."""

from __future__ import annotations

import numpy as np
from shapely.geometry import MultiPolygon, Polygon, box

from jiyue.web import mvt
from web_factories import decode_tile, ring_area

B = (0.0, 0.0, 4096.0, 4096.0)


def enc(geoms, **props):
    return decode_tile(mvt.encode("parcels", np.array(geoms, dtype=object), props, B))["parcels"]


def test_a_rectangle_becomes_one_clockwise_ring_with_its_properties():
    layer = enc([box(100, 100, 200, 300)], pid=["P1"], bc=["A2"])
    assert layer["version"] == 2 and layer["extent"] == 4096 and layer["keys"] == ["pid", "bc"]
    (f,) = layer["features"]
    assert f["type"] == 3 and f["props"] == {"pid": "P1", "bc": "A2"}
    (ring,) = f["rings"]
    assert sorted(ring) == sorted([(100, 3796), (200, 3796), (200, 3996), (100, 3996)])
    assert ring_area(ring) == 100 * 200  # positive: an exterior ring, clockwise on screen


def test_holes_run_the_other_way_and_multipolygons_keep_all_parts():
    donut = Polygon(box(0, 0, 1000, 1000).exterior.coords, [box(400, 400, 600, 600).exterior.coords])
    two = MultiPolygon([box(2000, 0, 2100, 100), box(3000, 0, 3100, 100)])
    layer = enc([donut, two], pid=["D", "M"])
    d, m = layer["features"]
    assert [ring_area(r) for r in d["rings"]] == [1000 * 1000, -(200 * 200)]
    assert [ring_area(r) for r in m["rings"]] == [100 * 100, 100 * 100]


def test_clipping_to_the_buffer_and_dropping_what_lies_outside():
    far = box(9000, 9000, 9100, 9100)  # outside the tile and its buffer
    wide = box(-5000, 1000, 9000, 1100)  # crosses the whole tile: clipped to -64 … 4160
    layer = enc([far, wide], pid=["far", "wide"])
    (f,) = layer["features"]
    assert f["props"]["pid"] == "wide"
    xs = [x for x, _ in f["rings"][0]]
    assert min(xs) == -64 and max(xs) == 4096 + 64


def test_points_are_snapped_and_degenerate_rings_dropped():
    tiny = box(10.1, 10.1, 10.3, 10.3)  # rounds to a single point
    layer = enc([tiny, box(0.4, 0.4, 50.6, 50.6)], pid=["tiny", "ok"])
    assert [f["props"]["pid"] for f in layer["features"]] == ["ok"]
    assert sorted(layer["features"][0]["rings"][0]) == sorted([(0, 4096), (51, 4096), (51, 4045), (0, 4045)])


def test_empty_tile_is_a_valid_layer_without_features():
    layer = enc([], pid=[])
    assert layer["features"] == []


def test_store_tile_of_the_small_zone(small_app):
    """The six parcels of the small zone lie in a row along x: P1 … P6 from west to east."""
    from web_factories import ADMIN_PASSWORD, sign_in

    c = sign_in(small_app, "admin", ADMIN_PASSWORD)
    b = c.get("/api/zones/Z1/outline").json()["bounds"]
    import math

    z = 16
    lon, lat = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    n = 2 ** z
    x, y = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    feats = []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            data = c.get(f"/api/zones/Z1/tiles/1/{z}/{x + dx}/{y + dy}.pbf").content
            for f in decode_tile(data)["parcels"]["features"]:
                cx = sum(p[0] for p in f["rings"][0]) / len(f["rings"][0]) + dx * 4096
                feats.append((f["props"]["pid"], cx, f["props"]))
    seen = {}
    for pid, cx, props in feats:
        seen.setdefault(pid, (cx, props))
    assert sorted(seen) == ["P1", "P2", "P3", "P4", "P5", "P6"]
    order = sorted(seen, key=lambda p: seen[p][0])
    assert order == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert seen["P1"][1] == {"pid": "P1", "bc": "A2", "sc": "D21", "idle": "0", "uid": "E1"}
    assert seen["P4"][1]["idle"] == "1" and seen["P6"][1]["uid"] == ""
