"""Parcel maps of a zone, drawn from the parcels' own geometry (no online basemap) as PNG bytes.

Two maps: parcels coloured by construction status (建设状况 A1 … C), and the parcels that hold
the zone back highlighted over the others (:data:`FLAG_ORDER`). Both carry a Chinese legend, a
scale bar in metres and a north arrow (the grid north of the projected CRS).

:func:`flag_parcels` decides which parcels hold the zone back — the same rules as the
generated what-if scenarios (``jiyue.ranking.whatif.suggestions``):

* ``idle`` — 是否闲置 = 是;
* ``supplied_unbuilt`` — supply class D1/D21/D22 on construction class B21/B22;
* ``ready_unsupplied`` — construction class B21 with supply class E1/E21/E22;
* ``low_far_industrial`` — A2 parcels whose floor-area ratio (floor area of the buildings on the
  parcel ÷ parcel area) is below a threshold (the profile's ideal 工业用地综合容积率 where it has
  one, else 1.0 — the what-if default);
* ``expired`` — supply class D22 (有偿使用且已到期但未处置).

Polygons are drawn as one compound path per colour (fast for thousands of parcels); no pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Patch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.figure import Figure
from shapely.plotting import patch_from_polygon

from jiyue.reports import labels as L
from jiyue.reports.charts import png, style

__all__ = ["CLASS_COLORS", "FLAG_COLORS", "FLAG_ORDER", "build_group", "class_map", "flag_map", "flag_parcels",
           "nice_length"]

FLAG_ORDER = ("idle", "supplied_unbuilt", "ready_unsupplied", "low_far_industrial", "expired")
FLAG_COLORS = {"idle": "#d62728", "supplied_unbuilt": "#ff7f0e", "ready_unsupplied": "#1f77b4",
               "low_far_industrial": "#c7b3dd", "expired": "#8c564b"}
BACKGROUND = "#e4e4e4"
# Colours after the usual planning-map conventions (residential yellow, industry brown, commerce
# red, public magenta, green space green, water blue, unbuilt land pale).
CLASS_COLORS = {"A1": "#f5d76e", "A2": "#b07c4f", "A3": "#a8a8a8", "A4": "#e0525b", "A51": "#6cbf5b",
                "A5": "#e58fc4", "A6": "#d8c7a3", "B1": "#c9b48a", "B21": "#f3ecd2", "B22": "#fbfaf3",
                "C1": "#8ec3e6", "C": "#b9dcb0"}
SUPPLIED = ("D1", "D21", "D22")
SUPPLYABLE = ("E1", "E21", "E22")
MAX_HEIGHT_IN = 7.6
WIDTH_IN = 6.6


def build_group(code: Any) -> str | None:
    """The legend group of a construction-status code (A31 → A3, B12 → B1, C3 → C …)."""
    if not isinstance(code, str) or not code:
        return None
    if code in ("A51", "B21", "B22", "C1"):
        return code
    if code.startswith("A"):
        return code[:2]
    if code.startswith("B1"):
        return "B1"
    if code.startswith("C"):
        return "C"
    return None


def flag_parcels(parcels: pd.DataFrame, far_threshold: float) -> pd.DataFrame:
    """One boolean column per :data:`FLAG_ORDER` key, plus ``far`` and ``flag`` (the first that applies).

    ``parcels`` needs ``build_class``, ``supply_class``, ``area_m2``, ``idle`` and ``fa`` (floor area of
    the buildings on the parcel, m²).
    """
    p = parcels.copy()
    area = pd.to_numeric(p["area_m2"], errors="coerce").astype(float)
    fa = pd.to_numeric(p["fa"], errors="coerce").fillna(0.0).astype(float)
    p["far"] = np.where(area > 0, fa / area.where(area > 0, 1.0), np.nan)
    bc, sc = p["build_class"].astype(str), p["supply_class"].astype(str)
    p["idle"] = p["idle"].map(lambda v: bool(v) if v is not None and not pd.isna(v) else False)
    p["supplied_unbuilt"] = bc.isin(["B21", "B22"]) & sc.isin(SUPPLIED)
    p["ready_unsupplied"] = (bc == "B21") & sc.isin(SUPPLYABLE)
    p["low_far_industrial"] = (bc == "A2") & (area > 0) & (p["far"] < far_threshold)
    p["expired"] = sc == "D22"
    flag = pd.Series([None] * len(p), index=p.index, dtype=object)
    for k in reversed(FLAG_ORDER):
        flag = flag.mask(p[k].astype(bool), k)
    p["flag"] = flag
    return p


# --------------------------------------------------------------------------- drawing
def nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2, 5 × 10ⁿ metres) of about a fifth of the map width."""
    target = max(span_m / 5.0, 1.0)
    exp = 10 ** np.floor(np.log10(target))
    for m in (5, 2, 1):
        if m * exp <= target:
            return float(m * exp)
    return float(exp)


def _compound(geoms: Sequence[Any]) -> MplPath | None:
    paths = []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            g = g.buffer(0)
            if g.geom_type not in ("Polygon", "MultiPolygon") or g.is_empty:
                continue
        paths.append(patch_from_polygon(g).get_path())
    return MplPath.make_compound_path(*paths) if paths else None


def fill_shapes(ax: Any, geoms: Sequence[Any], color: str, edge: str = "white", lw: float = 0.15, z: int = 1) -> None:
    path = _compound(geoms)
    if path is not None:
        ax.add_patch(PathPatch(path, facecolor=color, edgecolor=edge, linewidth=lw, zorder=z))


def map_frame(geoms: Sequence[Any]) -> tuple[Figure, Any, tuple[float, float, float, float]]:
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.asarray(list(geoms), dtype=object))
    w, h = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    pad = 0.03 * max(w, h)
    # room under the parcels for the scale bar
    ext = (xmin - pad, ymin - pad - 0.09 * h, xmax + pad, ymax + pad)
    ew, eh = ext[2] - ext[0], ext[3] - ext[1]
    height = min(MAX_HEIGHT_IN, WIDTH_IN * eh / ew)
    width = min(WIDTH_IN, height * ew / eh)
    fig = Figure(figsize=(width, height + 0.9))
    ax = fig.add_axes((0.0, 0.9 / (height + 0.9), 1.0, height / (height + 0.9)))
    ax.set_xlim(ext[0], ext[2])
    ax.set_ylim(ext[1], ext[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax, ext


def _scale_bar(ax: Any, ext: tuple[float, float, float, float]) -> None:
    xmin, ymin, xmax, ymax = ext
    length = nice_length(xmax - xmin)
    h = (ymax - ymin) * 0.012
    x0, y0 = xmin + (xmax - xmin) * 0.03, ymin + (ymax - ymin) * 0.03
    half = length / 2
    ax.add_patch(Rectangle((x0, y0), half, h, facecolor="black", edgecolor="black", lw=0.6, zorder=5))
    ax.add_patch(Rectangle((x0 + half, y0), half, h, facecolor="white", edgecolor="black", lw=0.6, zorder=5))
    km = length >= 1000
    unit = L.MAP["scale_unit_km"] if km else L.MAP["scale_unit_m"]

    def lab(v: float) -> str:
        return f"{v / 1000:g}" if km else f"{v:g}"

    for x, v in ((x0, 0.0), (x0 + half, half), (x0 + length, length)):
        ax.text(x, y0 + h * 1.6, lab(v), ha="center", va="bottom", fontsize=7, zorder=5)
    ax.text(x0 + length + (xmax - xmin) * 0.012, y0 + h / 2, unit, ha="left", va="center", fontsize=7, zorder=5)


def _north(ax: Any) -> None:
    """A north arrow in the free band under the parcels, at the right (grid north)."""
    ax.annotate("", xy=(0.975, 0.085), xytext=(0.975, 0.01), xycoords="axes fraction",
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 2.0, "headwidth": 7,
                            "headlength": 7}, zorder=6)
    ax.text(0.955, 0.045, L.MAP["north"], transform=ax.transAxes, ha="right", va="center", fontsize=8, zorder=6)


def _legend(fig: Figure, handles: list[Any], ncol: int) -> None:
    fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False, fontsize=7.5,
               handlelength=1.6, columnspacing=1.2, bbox_to_anchor=(0.5, 0.0))


def _boundary(ax: Any, boundary: Any) -> Line2D | None:
    if boundary is None or boundary.is_empty:
        return None
    for ring in getattr(boundary.boundary, "geoms", [boundary.boundary]):
        xs, ys = ring.xy
        ax.plot(xs, ys, color="#c00000", lw=0.9, ls=(0, (4, 2)), zorder=4)
    return Line2D([], [], color="#c00000", lw=0.9, ls=(0, (4, 2)), label=L.MAP["boundary"])


def class_map(parcels: pd.DataFrame, *, boundary: Any = None, crs: str | None = None) -> bytes | None:
    """Parcels coloured by construction status, with legend, scale bar and north arrow."""
    geoms = [g for g in parcels["geometry"] if g is not None and not g.is_empty]
    if not geoms:
        return None
    groups = parcels["build_class"].map(build_group)
    with style():
        fig, ax, ext = map_frame(geoms)
        handles: list[Any] = []
        for key, label in L.BUILD_GROUPS.items():
            sel = parcels.loc[groups == key, "geometry"]
            if len(sel):
                fill_shapes(ax, list(sel), CLASS_COLORS[key], edge="#7a7a7a", lw=0.12)
                handles.append(Patch(facecolor=CLASS_COLORS[key], edgecolor="#7a7a7a", lw=0.4, label=f"{key} {label}"))
        return finish_map(fig, ax, ext, handles, boundary=boundary, crs=crs, ncol=4)


def finish_map(fig: Any, ax: Any, ext: Any, handles: list[Any], *, boundary: Any, crs: str | None,
            ncol: int) -> bytes:
    """The furniture every map shares: zone boundary, scale bar, north arrow, CRS note, legend."""
    b = _boundary(ax, boundary)
    if b is not None:
        handles.append(b)
    _scale_bar(ax, ext)
    _north(ax)
    if crs:
        ax.text(0.5, 0.01, L.MAP["crs"].format(crs=crs), transform=ax.transAxes, ha="center", va="bottom",
                fontsize=6, color="#555555")
    _legend(fig, handles, ncol=ncol)
    return png(fig)


def flag_map(flagged: pd.DataFrame, *, far_threshold: float, boundary: Any = None, crs: str | None = None
             ) -> bytes | None:
    """Every parcel in grey, the parcels that hold the zone back in colour (first flag wins)."""
    geoms = [g for g in flagged["geometry"] if g is not None and not g.is_empty]
    if not geoms:
        return None
    with style():
        fig, ax, ext = map_frame(geoms)
        fill_shapes(ax, list(flagged.loc[flagged["flag"].isna(), "geometry"]), BACKGROUND, edge="white", lw=0.15)
        handles: list[Any] = [Patch(facecolor=BACKGROUND, edgecolor="#999999", lw=0.4, label=L.MAP["background"])]
        for k in FLAG_ORDER:
            sel = flagged.loc[flagged["flag"] == k, "geometry"]
            if len(sel):
                fill_shapes(ax, list(sel), FLAG_COLORS[k], edge="#333333", lw=0.2, z=2)
            n = int(flagged[k].sum())
            if n:
                extra = f"，容积率＜{far_threshold:g}" if k == "low_far_industrial" else ""
                handles.append(Patch(facecolor=FLAG_COLORS[k], edgecolor="#333333", lw=0.4,
                                     label=f"{L.FLAGS[k]}（{n}宗{extra}）"))
        return finish_map(fig, ax, ext, handles, boundary=boundary, crs=crs, ncol=3)
