"""Cutting rectangles: peel a strip, carve a corner, split a block into parcels (guillotine cuts)."""

from __future__ import annotations

import numpy as np

from jiyue.demo.identity import Rect

MIN_SIDE_M = 20.0  # no parcel narrower than this (no slivers)


def peel(rect: Rect, side: str, depth: float) -> tuple[Rect, Rect]:
    """Cut a strip of ``depth`` metres off one side; return (strip, rest)."""
    x0, y0, x1, y1 = rect
    if side == "S":
        return (x0, y0, x1, y0 + depth), (x0, y0 + depth, x1, y1)
    if side == "N":
        return (x0, y1 - depth, x1, y1), (x0, y0, x1, y1 - depth)
    if side == "W":
        return (x0, y0, x0 + depth, y1), (x0 + depth, y0, x1, y1)
    return (x1 - depth, y0, x1, y1), (x0, y0, x1 - depth, y1)


def carve_corner(rect: Rect, area: float, width: float) -> tuple[Rect, list[Rect]]:
    """Cut a rectangle of exactly ``area`` m² out of the south-west corner.

    Returns the corner and the rest as one or two rectangles. When the corner would leave a
    strip thinner than MIN_SIDE_M above it, it takes the full height instead.
    """
    x0, y0, x1, y1 = rect
    width = min(width, (x1 - x0) - 3 * MIN_SIDE_M)
    height = area / width
    if height > (y1 - y0) - 3 * MIN_SIDE_M:
        height = y1 - y0
        width = area / height
    if width > (x1 - x0) - 3 * MIN_SIDE_M:
        raise ValueError(f"block {rect} too small for a {area:.0f} m² corner")
    corner = (x0, y0, x0 + width, y0 + height)
    rest = [(x0 + width, y0, x1, y1)]
    if height < y1 - y0:
        rest.append((x0, y0 + height, x0 + width, y1))
    return corner, rest


def split(rect: Rect, target_m2: float, rng: np.random.Generator, min_side: float) -> list[Rect]:
    """Guillotine-cut ``rect`` into pieces of roughly ``target_m2`` (log-normal spread)."""
    leaves: list[Rect] = []
    stack = [rect]
    while stack:
        r = stack.pop()
        w, h = r[2] - r[0], r[3] - r[1]
        # split while clearly larger than a (noisy) target; 1.4 keeps leaves around the target
        if w * h <= 1.4 * target_m2 * rng.lognormal(0.0, 0.45) or max(w, h) < 2 * min_side:
            leaves.append(r)
            continue
        along_x = w >= h
        length = w if along_x else h
        cut = min(max(length * rng.uniform(0.36, 0.64), min_side), length - min_side)
        if along_x:
            stack += [(r[0], r[1], r[0] + cut, r[3]), (r[0] + cut, r[1], r[2], r[3])]
        else:
            stack += [(r[0], r[1], r[2], r[1] + cut), (r[0], r[1] + cut, r[2], r[3])]
    return leaves


def inset(rect: Rect, m: float) -> Rect | None:
    x0, y0, x1, y1 = rect
    if x1 - x0 <= 2 * m + 6 or y1 - y0 <= 2 * m + 6:
        return None
    return (x0 + m, y0 + m, x1 - m, y1 - m)


def shrink(rect: Rect, fx: float, fy: float) -> Rect:
    """Shrink to fractions of width/height, anchored at the south-west corner."""
    x0, y0, x1, y1 = rect
    return (x0, y0, x0 + (x1 - x0) * fx, y0 + (y1 - y0) * fy)


def rect_area(r: Rect) -> float:
    return (r[2] - r[0]) * (r[3] - r[1])
