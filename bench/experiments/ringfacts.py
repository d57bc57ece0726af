"""GEOS facts of simple polygons without GEOS: provable validity and GEOS's point on surface.

The validation of a national GeoParquet folder asks GEOS two things of every footprint and
parcel: is it valid, and (footprints) where is its representative point (GEOS point on surface,
the data contract's rule). Almost every real shape is a polygon with one ring and a handful of
vertices; for those both answers follow from the coordinates alone, computed here in numpy
straight from the WKB bytes (no per-row Python, no GEOS objects):

* **Validity.** A closed ring whose every turn has the same strict sign and whose turns add up to
  one full turn is a strictly convex, simple polygon: valid. The signs are exact, not merely
  likely: a turn counts only when its cross product exceeds the rounding error bound of its
  computation, and the coordinate differences are exact (Sterbenz) because every coordinate of the
  shape lies within a factor of two of the others on its axis (true of any projected CRS with a
  false easting/northing; a shape that fails the condition goes to GEOS). Every other shape
  (holes, several parts, concave, collinear or repeated vertices, spikes, bow ties …) is left to
  GEOS: ``valid`` here means "proven valid", never "invalid".
* **Point on surface.** GEOS ``InteriorPointArea`` for a polygon: a horizontal scan line halfway
  between the nearest vertex ordinates below and above the centre of the envelope, the crossings
  of the ring's edges with it by GEOS's own float formula, the middle of the widest interval. It
  is reproduced operation for operation (IEEE doubles, same order), for any single-ring polygon
  whose scan line crosses the ring exactly twice; the result is bit-identical to
  ``shapely.point_on_surface`` (tests/validate/test_ringfacts.py checks millions of shapes). Other shapes
  get NaN: the caller asks GEOS.

Only little-endian 2D WKB ``Polygon`` with one ring, and ``MultiPolygon`` of one such polygon, is
parsed; anything else is left to GEOS.

Not on the validation's path (yet): measured in ``jiyue validate FOLDER`` (docs/benchmarks.md,
"Issue 12"), reading the shapes into numpy and computing these facts costs as much CPU as DuckDB's
GEOS validity and point on surface it saves (about 1 s per 2.3 M footprints either way), and it
runs on one thread where DuckDB's GEOS calls use both cores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_U = 2.0 ** -53  # unit roundoff of a double
_BATCH = 65_536  # shapes per batch (keeps the temporary arrays small)


@dataclass
class RingFacts:
    """Per shape: ``valid`` (proven valid by convexity), ``px``/``py`` (GEOS point on surface, NaN
    where not computed here), ``simple`` (parsed as one ring)."""

    valid: np.ndarray
    px: np.ndarray
    py: np.ndarray
    simple: np.ndarray


def _u32(data: np.ndarray, pos: np.ndarray) -> np.ndarray:
    d = data[pos[:, None] + np.arange(4)].astype(np.uint32)
    return d[:, 0] | (d[:, 1] << 8) | (d[:, 2] << 16) | (d[:, 3] << 24)


def _binary_parts(arr: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(offsets[n + 1], data bytes, null mask) of a pyarrow (large) binary array."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if isinstance(arr.type, pa.ExtensionType):
        arr = arr.storage
    if not (pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)):
        raise TypeError(f"WKB column expected, got {arr.type}")
    bufs = arr.buffers()
    odt = np.int64 if pa.types.is_large_binary(arr.type) else np.int32
    offsets = np.frombuffer(bufs[1], dtype=odt)[arr.offset: arr.offset + len(arr) + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    nulls = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else np.zeros(len(arr), bool)
    return offsets, data, nulls


def _parse(offsets: np.ndarray, data: np.ndarray, nulls: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows that are one-ring polygons: (row indices, byte offset of their first coordinate, point count)."""
    o = offsets[:-1]
    size = np.diff(offsets)
    cand = np.flatnonzero(~nulls & (size >= 13 + 16 * 4))
    if not len(cand):
        return cand, cand, cand
    oc = o[cand]
    b0 = data[oc]
    typ = _u32(data, oc + 1)
    n1 = _u32(data, oc + 5)
    rows, starts, counts = [], [], []
    # Polygon: 1 | 3 | rings = 1 | points | xy …
    poly = (b0 == 1) & (typ == 3) & (n1 == 1)
    if poly.any():
        r, oo = cand[poly], oc[poly]
        k = _u32(data, oo + 9).astype(np.int64)
        ok = size[r] == 13 + 16 * k
        rows.append(r[ok]), starts.append(oo[ok] + 13), counts.append(k[ok])
    # MultiPolygon of one polygon: 1 | 6 | parts = 1 | 1 | 3 | rings = 1 | points | xy …
    multi = (b0 == 1) & (typ == 6) & (n1 == 1) & (size[cand] >= 22 + 16 * 4)
    if multi.any():
        r, oo = cand[multi], oc[multi]
        ok = (data[oo + 9] == 1) & (_u32(data, oo + 10) == 3) & (_u32(data, oo + 14) == 1)
        r, oo = r[ok], oo[ok]
        k = _u32(data, oo + 18).astype(np.int64)
        ok = size[r] == 22 + 16 * k
        rows.append(r[ok]), starts.append(oo[ok] + 22), counts.append(k[ok])
    if not rows:
        e = np.zeros(0, np.int64)
        return e, e, e
    rows_a, starts_a, counts_a = np.concatenate(rows), np.concatenate(starts), np.concatenate(counts)
    order = np.argsort(rows_a, kind="stable")
    return rows_a[order], starts_a[order], counts_a[order]


def _coords(data: np.ndarray, starts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """x and y (points × rings: one contiguous row per vertex) of rings of k points each, from the
    byte offsets of their first coordinate."""
    out = np.empty((len(starts), 2 * k), dtype=np.float64)
    local = np.arange(2 * k, dtype=np.int64)
    for r in range(8):  # one unaligned float64 view per byte alignment of the ring's first coordinate
        sel = np.flatnonzero(starts % 8 == r)
        if not len(sel):
            continue
        view = np.frombuffer(data, dtype="<f8", offset=r, count=(len(data) - r) // 8)
        out[sel] = view[((starts[sel] - r) // 8)[:, None] + local]
    t = np.ascontiguousarray(out.T)
    return t[0::2], t[1::2]


def _facts(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """valid, px, py of rings of one size: x, y are (points × rings), the last point closing the ring."""
    k = x.shape[0]
    m = k - 1  # vertices = edges
    with np.errstate(all="ignore"):
        ok = np.isfinite(x).all(axis=0) & np.isfinite(y).all(axis=0) & (x[0] == x[-1]) & (y[0] == y[-1])
        ex = x[1:] - x[:-1]  # edge j: point j -> j + 1
        ey = y[1:] - y[:-1]
        # ---- validity: strictly convex (turns of one exact strict sign, one full turn)
        nx = np.roll(ex, -1, axis=0)  # the next edge (the first after the last)
        ny = np.roll(ey, -1, axis=0)
        p, q = ex * ny, ey * nx
        c = p - q
        strict = (np.abs(c) > 4 * _U * (np.abs(p) + np.abs(q))).all(axis=0)
        n_pos = (c > 0).sum(axis=0)
        xmin, xmax = x[:-1].min(axis=0), x[:-1].max(axis=0)
        ymin, ymax = y[:-1].min(axis=0), y[:-1].max(axis=0)

        def sterbenz(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:  # every difference on the axis is exact
            return ((lo > 0) & (hi <= 2 * lo)) | ((hi < 0) & (lo >= 2 * hi))

        convex = ok & (m >= 3) & strict & ((n_pos == 0) | (n_pos == m)) & sterbenz(xmin, xmax) & sterbenz(ymin, ymax)
        if m >= 5 and convex.any():  # up to 4 turns of one sign cannot add up to two full turns
            total = np.arctan2(c, ex * nx + ey * ny).sum(axis=0)
            convex &= np.abs(np.abs(total) - 2 * np.pi) < 1.0
        # ---- GEOS InteriorPointArea (one ring): the scan line
        centre = (ymin + ymax) / 2.0
        lo = np.where(y <= centre, y, -np.inf).max(axis=0)
        hi = np.where(y > centre, y, np.inf).min(axis=0)
        hi = np.where(np.isinf(hi), ymax, hi)
        sy = (hi + lo) / 2.0
        # with no vertex on the scan line (else: GEOS), GEOS counts exactly the edges with one end
        # below the line and the other above it
        below = y < sy
        off_line = ~(y == sy).any(axis=0)
        counted = below[:-1] ^ below[1:]
        x0, y0, x1, y1 = x[:-1], y[:-1], x[1:], y[1:]
        xi = np.where(x0 == x1, x0, x0 + ((sy - y0) / ((y1 - y0) / (x1 - x0))))
        n_cross = counted.sum(axis=0)
        xa = np.where(counted, xi, np.inf).min(axis=0)
        xb = np.where(counted, xi, -np.inf).max(axis=0)
        two = ok & off_line & (m >= 3) & (n_cross == 2)
        wide = two & (xb - xa > 0)
        px = np.where(wide, (xa + xb) / 2.0, np.where(two, x[0], np.nan))
        py = np.where(wide, sy, np.where(two, y[0], np.nan))
    return convex, px, py


MAX_POINTS = 64  # longer rings are left to GEOS


def ring_facts(wkb: Any) -> RingFacts:
    """The facts of every shape of a pyarrow WKB column: a (large) binary array, a chunked array,
    or an iterable of arrays (read batch by batch: never the whole column in memory)."""
    import pyarrow as pa

    chunks = wkb.chunks if isinstance(wkb, pa.ChunkedArray) else [wkb] if isinstance(wkb, pa.Array) else wkb
    out: list[tuple[np.ndarray, ...]] = []
    for chunk in chunks:  # batch by batch: the temporaries stay small (and in the CPU's caches)
        for b in range(0, len(chunk), _BATCH):
            part = chunk.slice(b, _BATCH)
            n = len(part)
            valid, simple = np.zeros(n, bool), np.zeros(n, bool)
            px, py = np.full(n, np.nan), np.full(n, np.nan)
            offsets, data, nulls = _binary_parts(part)
            rows, starts, counts = _parse(offsets, data, nulls)
            for k in np.unique(counts[counts <= MAX_POINTS]):  # rings of one size at a time: plain 2-D arrays
                sel = np.flatnonzero(counts == k) if counts.min() != counts.max() else slice(None)
                x, y = _coords(data, starts[sel], int(k))
                r = rows[sel]
                valid[r], px[r], py[r] = _facts(x, y)
                simple[r] = True
            out.append((valid, px, py, simple))
    if not out:
        e = np.zeros(0)
        return RingFacts(e.astype(bool), e, e.copy(), e.astype(bool))
    return RingFacts(*(np.concatenate([o[i] for o in out]) for i in range(4)))
