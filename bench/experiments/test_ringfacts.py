"""jiyue.ringfacts against GEOS (shapely): proven validity never contradicts GEOS, and the point on
surface is bit-identical to shapely.point_on_surface wherever it is computed."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import shapely

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ringfacts import ring_facts  # noqa: E402 (the experiment beside this file)

X0, Y0 = 39_400_000.0, 3_900_000.0  # EPSG:4527-like coordinates, as the data contract's exports


def facts_of(geoms, *, flavor="iso"):
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object), byte_order=1, flavor=flavor)
    return ring_facts(pa.array(list(wkb), type=pa.binary()))


def check_against_geos(geoms) -> tuple[int, int]:
    """Assert the contract of ring_facts on these shapes; return (proven valid, points computed)."""
    geoms = np.asarray(geoms, dtype=object)
    f = facts_of(geoms)
    valid = shapely.is_valid(geoms)
    assert not (f.valid & ~valid).any(), [shapely.to_wkt(g) for g in geoms[f.valid & ~valid]][:3]
    done = ~np.isnan(f.px)
    pts = shapely.get_coordinates(shapely.point_on_surface(geoms[done]))
    # bit-identical, not approximately equal
    assert np.array_equal(pts[:, 0].view(np.int64), f.px[done].view(np.int64))
    assert np.array_equal(pts[:, 1].view(np.int64), f.py[done].view(np.int64))
    return int(f.valid.sum()), int(done.sum())


def poly(coords, holes=None):
    return shapely.Polygon([(X0 + x, Y0 + y) for x, y in coords],
                           [[(X0 + x, Y0 + y) for x, y in h] for h in holes or []])


def test_rectangles_are_proven_valid_with_geos_point():
    g = [shapely.box(X0 + 3, Y0 + 5, X0 + 40.5, Y0 + 17.25), shapely.box(X0, Y0, X0 + 1, Y0 + 1, ccw=False)]
    f = facts_of(g)
    assert f.valid.tolist() == [True, True]
    assert check_against_geos(g) == (2, 2)


@pytest.mark.parametrize("name, coords, holes, proven", [
    ("bow tie", [(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)], None, False),
    ("repeated point", [(0, 0), (10, 0), (10, 0), (10, 10), (0, 10), (0, 0)], None, False),
    ("collinear vertex", [(0, 0), (5, 0), (10, 0), (10, 10), (0, 10), (0, 0)], None, False),
    ("spike", [(0, 0), (10, 0), (10, 10), (5, 10), (5, 20), (5, 10), (0, 10), (0, 0)], None, False),
    ("concave L", [(0, 0), (20, 0), (20, 5), (5, 5), (5, 20), (0, 20), (0, 0)], None, False),
    ("pentagram", [(0, 10), (5.9, -8.1), (-9.5, 3.1), (9.5, 3.1), (-5.9, -8.1), (0, 10)], None, False),
    ("zero area", [(0, 0), (10, 0), (20, 0), (0, 0)], None, False),
    ("hole", [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)], [[(2, 2), (4, 2), (4, 4), (2, 4), (2, 2)]], False),
    ("convex hexagon", [(0, 0), (10, -2), (20, 3), (21, 12), (8, 18), (-3, 9), (0, 0)], None, True),
    ("rotated rectangle", [(0, 0), (86.6, 50), (61.6, 93.3), (-25, 43.3), (0, 0)], None, True),
    ("vertex on the centre line", [(0, 0), (10, 5), (0, 10), (-10, 5), (0, 0)], None, True),
])
def test_adversarial_shapes_agree_with_geos(name, coords, holes, proven):
    g = poly(coords, holes)
    f = facts_of([g])
    assert bool(f.valid[0]) == proven, name
    check_against_geos([g])


def test_triangle_is_proven_valid():
    tri = poly([(0, 0), (10, 0), (0, 10), (0, 0)])  # a triangle: 3 vertices, convex
    f = facts_of([tri])
    assert f.valid[0]
    check_against_geos([tri])


def test_multipolygons_of_one_part_and_several_parts():
    one = shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 5, Y0 + 8)])
    two = shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 5, Y0 + 8), shapely.box(X0 + 10, Y0, X0 + 15, Y0 + 8)])
    f = facts_of([one, two])
    assert f.valid.tolist() == [True, False] and f.simple.tolist() == [True, False]
    check_against_geos([one, two])


def test_other_types_null_empty_big_endian_and_3d_left_to_geos():
    g = [shapely.Point(X0, Y0), shapely.LineString([(X0, Y0), (X0 + 1, Y0)]), shapely.Polygon()]
    wkb = list(shapely.to_wkb(np.asarray(g, dtype=object), byte_order=1)) + [None]
    wkb.append(shapely.to_wkb(shapely.box(X0, Y0, X0 + 1, Y0 + 1), byte_order=0))  # big endian
    wkb.append(shapely.to_wkb(shapely.force_3d(shapely.box(X0, Y0, X0 + 1, Y0 + 1)), byte_order=1))
    f = ring_facts(pa.array(wkb, type=pa.binary()))
    assert not f.valid.any() and np.isnan(f.px).all()


def test_coordinates_near_zero_are_not_proven():
    """Around the origin coordinate differences are not exact (no Sterbenz): GEOS decides."""
    g = shapely.box(-1.0, -1.0, 1.0, 1.0)
    f = facts_of([g])
    assert not f.valid[0]
    check_against_geos([g])


def random_convex(rng, n_shapes: int) -> np.ndarray:
    """Random convex n-gons (3–12 vertices on a randomly stretched, rotated ellipse)."""
    out = []
    for k in rng.integers(3, 13, n_shapes):
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        a, b = rng.uniform(2, 200, 2)
        rot = rng.uniform(0, np.pi)
        x, y = a * np.cos(ang), b * np.sin(ang)
        xr, yr = x * np.cos(rot) - y * np.sin(rot), x * np.sin(rot) + y * np.cos(rot)
        cx, cy = rng.uniform(0, 1e5, 2)
        out.append(shapely.Polygon(np.c_[X0 + cx + xr, Y0 + cy + yr]))
    return np.asarray(out, dtype=object)


def rotated_rectangles(rng, n: int) -> np.ndarray:
    cx, cy = X0 + rng.uniform(0, 1e5, n), Y0 + rng.uniform(0, 1e5, n)
    w, h = rng.uniform(5, 190, n), rng.uniform(5, 190, n)
    t = rng.uniform(0, np.pi, n)
    c, s = np.cos(t), np.sin(t)
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=float)
    dx = corners[:, 0][None, :] * (w / 2)[:, None]
    dy = corners[:, 1][None, :] * (h / 2)[:, None]
    xs = cx[:, None] + dx * c[:, None] - dy * s[:, None]
    ys = cy[:, None] + dx * s[:, None] + dy * c[:, None]
    return shapely.polygons(np.stack([xs, ys], axis=-1))


def test_random_rectangles_rotated_rectangles_and_convex_polygons_bit_identical():
    rng = np.random.default_rng(12)
    n = 200_000
    x0 = X0 + np.round(rng.uniform(0, 1e6, n), 3)
    y0 = Y0 + np.round(rng.uniform(0, 1e6, n), 3)
    boxes = shapely.box(x0, y0, x0 + np.round(rng.uniform(1, 190, n), 3), y0 + np.round(rng.uniform(1, 190, n), 3))
    rot = rotated_rectangles(rng, n)
    conv = random_convex(rng, 20_000)
    for g in (boxes, rot, conv):
        proven, computed = check_against_geos(g)
        assert proven > 0.99 * len(g) and computed > 0.99 * len(g)


def test_random_irregular_shapes_agree_with_geos():
    """Random star-shaped (mostly concave) and random-walk (often self-crossing) rings."""
    rng = np.random.default_rng(7)
    shapes = []
    for k in rng.integers(4, 15, 20_000):
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = rng.uniform(5, 100, k)
        shapes.append(shapely.Polygon(np.c_[X0 + 5e3 + r * np.cos(ang), Y0 + 5e3 + r * np.sin(ang)]))
    for k in rng.integers(3, 9, 20_000):
        shapes.append(shapely.Polygon(np.c_[X0 + rng.integers(0, 6, k) * 10.0, Y0 + rng.integers(0, 6, k) * 10.0]))
    check_against_geos(np.asarray(shapes, dtype=object))


def test_chunked_and_batched_input_keeps_the_row_order():
    rng = np.random.default_rng(3)
    g = rotated_rectangles(rng, 1_000)
    wkb = list(shapely.to_wkb(g, byte_order=1))
    whole = ring_facts(pa.array(wkb, type=pa.binary()))
    parts = ring_facts(iter([pa.array(wkb[:300], type=pa.large_binary()), pa.array(wkb[300:], type=pa.binary())]))
    chunked = ring_facts(pa.chunked_array([pa.array(wkb[:10], type=pa.binary()), pa.array(wkb[10:], type=pa.binary())]))
    for other in (parts, chunked):
        assert np.array_equal(whole.valid, other.valid)
        assert np.array_equal(whole.px, other.px) and np.array_equal(whole.py, other.py)
