"""Map layers of a liveability result: isochrone outlines and GeoJSON in longitude/latitude."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from jiyue.liveability import network as nw

__all__ = ["isochrone", "to_lonlat", "feature_collection", "CATCHMENT_M"]

#: the outline is drawn this far either side of the street parts that can be reached
CATCHMENT_M = 60.0


def isochrone(net: nw.Network, node_dist: np.ndarray, radius: float, width: float = CATCHMENT_M) -> Any:
    """The area within ``width`` of every street part reachable within ``radius`` (one service)."""
    if net.n_edges == 0:
        return shapely.Polygon()
    A, B, L = net.xy[net.u], net.xy[net.v], np.maximum(net.length, 1e-9)
    du, dv = node_dist[net.u], node_dist[net.v]
    ru = np.clip((radius - du) / L, 0.0, 1.0)
    rv = np.clip((radius - dv) / L, 0.0, 1.0)
    whole = (ru + rv) >= 1.0
    parts = []
    if whole.any():
        parts.append(shapely.linestrings(np.stack([A[whole], B[whole]], axis=1)))
    mu = ~whole & (ru > 0)
    if mu.any():
        parts.append(shapely.linestrings(np.stack([A[mu], A[mu] + (B[mu] - A[mu]) * ru[mu, None]], axis=1)))
    mv = ~whole & (rv > 0)
    if mv.any():
        parts.append(shapely.linestrings(np.stack([B[mv], B[mv] + (A[mv] - B[mv]) * rv[mv, None]], axis=1)))
    if not parts:
        return shapely.Polygon()
    lines = np.concatenate(parts)
    return shapely.union_all(shapely.buffer(lines, width, quad_segs=4))


def to_lonlat(geoms: np.ndarray, crs: str | None) -> np.ndarray:
    """Geometries from the package's CRS to longitude/latitude (EPSG:4326)."""
    if not crs:
        return geoms
    from pyproj import Transformer

    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), fn)


def feature_collection(geoms: np.ndarray, props: list[dict[str, Any]], digits: int = 6) -> dict[str, Any]:
    import json

    feats = []
    for g, p in zip(geoms, props):
        if g is None or shapely.is_empty(g):
            continue
        feats.append({"type": "Feature", "properties": p,
                      "geometry": json.loads(shapely.to_geojson(shapely.set_precision(g, 10 ** -digits)))})
    return {"type": "FeatureCollection", "features": feats}
