"""Validation of a canonical package: every rule of the data contract, every problem collected.

The checks here need the whole package (ids, references, geometry relations); checks of
single values happen while normalising (:mod:`jiyue.normalize`). :func:`validate` returns a
:class:`Report` whose ``problems`` are sorted errors first, and the building → parcel
assignment computed on the way (reused by the import and the evaluation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from jiyue.errors import Problem, ProblemReport, ReasonCode, Severity
from jiyue.findings import (ProblemSink, OVERLAP_TOLERANCE_M2, OVERLAP_TOLERANCE_SHARE, STRADDLE_TOLERANCE_M2,
                            STRADDLE_TOLERANCE_SHARE, GEOM_LABELS, GEOM_TYPE_LABELS, GEOM_TYPES, NO_BUILDINGS_EXPECTED,
                            invalid_reason_zh, BUILT_UNSUPPLIED_EXPECTED, IDLE_CLASS_EXPECTED, INVALID_EXPECTED, OUTSIDE_EXPECTED,
                            REQUIRED_EXPECTED, STRADDLE_EXPECTED, built_unsupplied_found, duplicate_expected,
                            idle_class_found, no_buildings_zone, no_zone_years, outside_found, overlap_expected,
                            reference_expected, straddle_found)
from jiyue.normalize import Package, normalize, valid_mask
from jiyue.reader import read_package
from jiyue.schema import LAYERS


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

@dataclass
class Report(ProblemReport):
    """The outcome of validating one package."""

    package: Package
    problems: list[Problem] = field(default_factory=list)
    building_parcel: pd.Series | None = None  # effective parcel_id per building row

    def row_counts(self) -> dict[str, int]:
        return {n: int(len(df)) for n, df in self.package.layers.items()}




def validate_path(path: str | Path) -> Report:
    """Read, normalise and validate the package at ``path`` (raises PackageUnreadable)."""
    return validate(normalize(read_package(path)))


def validate(pkg: Package) -> Report:
    """Run every package-level check on a normalised package."""
    sink = ProblemSink()
    sink.problems.extend(pkg.problems)
    for name, layer in LAYERS.items():
        if layer.required and name not in pkg.layers:
            sink.add(Severity.ERROR, ReasonCode.MISSING_LAYER, name, None, None, None,
                     f"名为「{name}」或「{layer.label}」的图层（GeoPackage 图层或同名文件）")
        elif layer.required and len(pkg.layers[name]) == 0:
            sink.add(Severity.ERROR, ReasonCode.MISSING_LAYER, name, None, None, "没有任何记录",
                     f"至少一条「{layer.label}」记录")
    for name, df in pkg.layers.items():
        _check_required_values(name, df, sink, pkg.present.get(name))
        _check_duplicates(name, df, sink)
    _check_references(pkg, sink)
    _check_credit_codes(pkg, sink)
    _check_classes(pkg, sink)
    for name, df in pkg.layers.items():
        if isinstance(df, gpd.GeoDataFrame):
            _check_geometry(name, df, sink, whole_layer_missing=name in pkg.no_geometry)
    report = Report(pkg)
    if _usable(pkg, "parcels"):
        _check_overlaps(pkg.layers["parcels"], sink)
        if _usable(pkg, "buildings"):
            report.building_parcel = assign_buildings(pkg.layers["parcels"], pkg.layers["buildings"], sink)
    _check_buildings_given(pkg, report.building_parcel, sink)
    _check_zone_years_given(pkg, sink)
    order = {Severity.ERROR: 0, Severity.WARNING: 1}
    report.problems = sorted(sink.problems, key=lambda p: order[p.severity])
    return report


def _usable(pkg: Package, name: str) -> bool:
    """A spatial layer whose shapes can be related and measured: in the metric working CRS."""
    df = pkg.layers.get(name)
    if not isinstance(df, gpd.GeoDataFrame) or df.crs is None or len(df) == 0 or pkg.crs is None:
        return False
    return CRS.from_user_input(df.crs) == pkg.crs


# --------------------------------------------------------------------------- attribute checks
def _check_required_values(name: str, df: pd.DataFrame, sink: ProblemSink,
                           present: set[str] | None = None) -> None:
    """Blank required values, one problem each; linear in the rows and the problems so far."""
    layer = LAYERS[name]
    if present is None:
        present = df.attrs.get("present")
    # a bad value was already reported (and blanked) while normalising: do not report it twice
    reported = {(p.row_id, p.field) for p in sink.problems if p.layer == name and p.row_id is not None}
    rid = df["_rid"].to_numpy(dtype=object)
    rows = df["_row"].to_numpy()
    for f in layer.fields:
        if not f.required:
            continue
        if present is not None and f.name not in present:
            continue  # reported once as missing_field
        blank = pd.isna(df[f.name]).to_numpy(dtype=bool)
        for i in np.flatnonzero(blank):
            if (str(rid[i]), f.name) in reported:
                continue
            sink.add(Severity.ERROR, ReasonCode.MISSING_VALUE, name, rid[i], f.name,
                     None, REQUIRED_EXPECTED, rows[i])


def _check_duplicates(name: str, df: pd.DataFrame, sink: ProblemSink) -> None:
    layer = LAYERS[name]
    keys = [k for k in layer.key if k in df.columns]
    if not keys or len(df) == 0:
        return
    sub = df[keys]
    complete = sub.notna().all(axis=1)
    complete_arr = complete.to_numpy(dtype=bool)
    dup = sub.duplicated(keep="first").to_numpy(dtype=bool) & complete_arr
    if not dup.any():
        return
    rid = df["_rid"].to_numpy(dtype=object)
    rows = df["_row"].to_numpy()
    keys_arr = sub.astype("string").to_numpy(dtype=object)
    first: dict[tuple[Any, ...], int] = {}
    for i in np.flatnonzero(complete_arr):
        key = tuple(keys_arr[i])
        if key not in first:
            first[key] = int(i)
        elif dup[i]:
            sink.add(Severity.ERROR, ReasonCode.DUPLICATE_ID, name, rid[i], "/".join(keys), rid[i],
                     duplicate_expected(rows[first[key]]), rows[i])


def _check_references(pkg: Package, sink: ProblemSink) -> None:
    for name, df in pkg.layers.items():
        for f in LAYERS[name].fields:
            if not f.references or f.name not in df.columns:
                continue
            target, tfield = f.references
            vals = df[f.name]
            given = vals.notna()
            if not given.any():
                continue
            if target not in pkg.layers:
                n = int(given.sum())
                sink.add(Severity.WARNING, ReasonCode.REFERENCE_UNCHECKED, name, None, f.name,
                         f"{n} 条记录", reference_expected(target))
                continue
            known = pkg.layers[target][tfield].dropna()
            missing = given & ~vals.isin(known)
            if missing.any():  # a value of another type (1001 against "1001") is compared as text
                missing[missing] = ~vals[missing].astype(str).isin(set(known.astype(str)))
            rid = df["_rid"].to_numpy(dtype=object)
            rows = df["_row"].to_numpy()
            vv = vals.to_numpy(dtype=object)
            for i in np.flatnonzero(missing.to_numpy(dtype=bool)):
                sink.add(Severity.ERROR, ReasonCode.BROKEN_REFERENCE, name, rid[i], f.name,
                         vv[i], reference_expected(target), rows[i])


def uscc_valid(code: str) -> bool:
    """GB 32100-2015 check of an 18-character unified social credit code."""
    c = str(code).strip().upper()
    if len(c) != 18 or any(ch not in USCC_CHARS for ch in c):
        return False
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(c[:17], USCC_WEIGHTS))
    check = (31 - total % 31) % 31
    return USCC_CHARS[check] == c[17]


def _check_credit_codes(pkg: Package, sink: ProblemSink) -> None:
    ent = pkg.layers.get("enterprises")
    if ent is None or "credit_code" not in ent.columns:
        return
    rid = ent["_rid"].to_numpy(dtype=object)
    rows = ent["_row"].to_numpy()
    for i, v in enumerate(ent["credit_code"].to_numpy(dtype=object)):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        if not uscc_valid(v):
            sink.add(Severity.WARNING, ReasonCode.BAD_CREDIT_CODE, "enterprises", rid[i],
                     "credit_code", v, "18位、校验位正确的统一社会信用代码", rows[i])


def _check_classes(pkg: Package, sink: ProblemSink) -> None:
    """Combinations of the two TD/T classes that contradict each other (warnings)."""
    p = pkg.layers.get("parcels")
    if p is None:
        return
    bc = p["build_class"].astype("string")
    sc = p["supply_class"].astype("string")
    idle = p["idle"].map(lambda v: v is True).astype(bool)
    # a blank class is reported as missing_value (or missing_field), not as a contradiction
    bad_idle = idle & sc.notna() & ~sc.str.startswith("D").fillna(False)
    for i in np.flatnonzero(bad_idle.to_numpy()):
        sink.add(Severity.WARNING, ReasonCode.INCONSISTENT_CLASS, "parcels", p["_rid"].iat[i], "idle",
                 idle_class_found(sc.iat[i]), IDLE_CLASS_EXPECTED, p["_row"].iat[i])
    built_unsupplied = bc.str.startswith("A").fillna(False) & sc.str.startswith("E").fillna(False)
    for i in np.flatnonzero(built_unsupplied.to_numpy()):
        sink.add(Severity.WARNING, ReasonCode.INCONSISTENT_CLASS, "parcels", p["_rid"].iat[i],
                 "supply_class", built_unsupplied_found(bc.iat[i], sc.iat[i]),
                 BUILT_UNSUPPLIED_EXPECTED, p["_row"].iat[i])


# --------------------------------------------------------------------------- data the indicators need


def _check_buildings_given(pkg: Package, building_parcel: pd.Series | None, sink: ProblemSink) -> None:
    """Warn when the floor-area indicators will be missing: no buildings at all, or none in a zone.

    A zone counts as without buildings when it has parcels but no building belongs to any of
    them (by ``parcel_id`` or by position, as the evaluation assigns them).
    """
    b = pkg.layers.get("buildings")
    if b is None or len(b) == 0:
        sink.add(Severity.WARNING, ReasonCode.NO_BUILDINGS, "buildings", None, None,
                 "不存在" if b is None else "没有任何记录", NO_BUILDINGS_EXPECTED)
        return
    parcels, zones = pkg.layers.get("parcels"), pkg.layers.get("zones")
    if building_parcel is None or parcels is None or zones is None:
        return  # the shapes cannot be related: their problems are reported already
    owner = dict(zip(parcels["parcel_id"].astype("string"), parcels["zone_code"].astype("string")))
    zones_with_parcels = {z for z in owner.values() if not pd.isna(z)}
    with_buildings = {owner.get(str(pid)) for pid in building_parcel.dropna()}
    for code, rid, row in zip(zones["zone_code"].to_numpy(dtype=object), zones["_rid"].to_numpy(dtype=object),
                              zones["_row"].to_numpy()):
        if code is None or pd.isna(code) or code not in zones_with_parcels or code in with_buildings:
            continue
        found, expected = no_buildings_zone(len(b), code)
        sink.add(Severity.WARNING, ReasonCode.NO_BUILDINGS, "zones", rid, None, found, expected, row)


def package_year(pkg: Package) -> int:
    """The year of a package as docs/data-contract.md defines it (as ``jiyue.store.package_year``):
    the latest ``zone_years.year``, else the latest ``enterprise_years.year``, else the year of
    the latest ``parcels.supply_date``, else last year."""
    for name in ("zone_years", "enterprise_years"):
        df = pkg.layers.get(name)
        if df is not None and df["year"].notna().any():
            return int(df["year"].max())
    p = pkg.layers.get("parcels")
    if p is not None and p["supply_date"].notna().any():
        return int(max(d.year for d in p["supply_date"].dropna()))
    return dt.date.today().year - 1


def _derivable(pkg: Package, zone: str, year: int) -> dict[str, bool]:
    """Which industrial totals the evaluation can sum from ``enterprise_years`` for a zone:
    those of the year given for some enterprise using an A2 parcel of the zone."""
    out = {"industrial_tax_wan": False, "industrial_fai_wan": False}
    p, ey = pkg.layers.get("parcels"), pkg.layers.get("enterprise_years")
    if p is None or ey is None or len(ey) == 0:
        return out
    a2 = p[(p["zone_code"].astype("string") == zone).fillna(False) & (p["build_class"] == "A2").fillna(False)]
    users = set(a2["user_id"].dropna().astype(str))
    rows = ey[ey["enterprise_id"].astype("string").isin(users).fillna(False)
              & (ey["year"] == year).fillna(False)]
    out["industrial_tax_wan"] = bool(rows["tax_wan"].notna().any())
    out["industrial_fai_wan"] = bool(rows["fixed_assets_wan"].notna().any())
    return out


def _check_zone_years_given(pkg: Package, sink: ProblemSink) -> None:
    """Warn for each zone without a ``zone_years`` row of the package's year: its tax and
    population indicators (and the industrial ones unless enterprises give them) go missing."""
    zones = pkg.layers.get("zones")
    if zones is None or len(zones) == 0:
        return
    zy = pkg.layers.get("zone_years")
    year = package_year(pkg)
    have: set[str] = set()
    if zy is not None and len(zy):
        this_year = zy[(zy["year"] == year).fillna(False)]
        # a row whose year is blank or unreadable is reported as an error already: not again here
        have = set(this_year["zone_code"].dropna().astype(str)) | \
            set(zy.loc[zy["year"].isna(), "zone_code"].dropna().astype(str))
    seen: set[str] = set()
    for code in zones["zone_code"].to_numpy(dtype=object):
        if code is None or pd.isna(code) or str(code) in have or str(code) in seen:
            continue
        code = str(code)
        seen.add(code)
        found, expected = no_zone_years(code, year, zy is None, _derivable(pkg, code, year))
        sink.add(Severity.WARNING, ReasonCode.NO_ZONE_YEARS, "zone_years", f"{code}/{year}", None, found, expected)


# --------------------------------------------------------------------------- geometry checks
def _check_geometry(name: str, df: gpd.GeoDataFrame, sink: ProblemSink, *,
                    whole_layer_missing: bool = False) -> None:
    layer = LAYERS[name]
    geoms = df.geometry.to_numpy()
    rid = df["_rid"].to_numpy(dtype=object)
    rows = df["_row"].to_numpy()
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    sev = Severity.WARNING if name == "zones" else Severity.ERROR
    # a layer without any geometry column is reported once, for the layer, while normalising
    if not (whole_layer_missing or df.attrs.get("no_geometry_column")):
        for i in np.flatnonzero(missing):
            sink.add(sev, ReasonCode.MISSING_GEOMETRY, name, rid[i], None, None, None, rows[i])
    for i in np.flatnonzero(empty):
        sink.add(sev, ReasonCode.EMPTY_GEOMETRY, name, rid[i], None, None, None, rows[i])
    ok = ~missing & ~empty
    types = shapely.get_type_id(geoms)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                      "MultiPolygon", "GeometryCollection"])
    allowed = GEOM_TYPES[layer.geometry or "polygon"]
    tname = np.where(types >= 0, names[np.clip(types, 0, 7)], "")
    wrong = ok & ~np.isin(tname, list(allowed))
    for i in np.flatnonzero(wrong):
        sink.add(Severity.ERROR, ReasonCode.WRONG_GEOMETRY_TYPE, name, rid[i], None,
                 GEOM_TYPE_LABELS.get(str(tname[i]), str(tname[i])),
                 GEOM_LABELS[layer.geometry or "polygon"], rows[i])
    invalid = ok & ~wrong & ~valid_mask(geoms)
    for i in np.flatnonzero(invalid):
        reason = invalid_reason_zh(shapely.is_valid_reason(geoms[i]))
        sink.add(Severity.ERROR, ReasonCode.INVALID_GEOMETRY, name, rid[i], None, reason,
                 INVALID_EXPECTED, rows[i])


def _good_polygons(df: gpd.GeoDataFrame) -> np.ndarray:
    g = df.geometry.to_numpy()
    return ~shapely.is_missing(g) & ~shapely.is_empty(g) & valid_mask(g) & \
        np.isin(shapely.get_type_id(g), [3, 6])


def _check_overlaps(parcels: gpd.GeoDataFrame, sink: ProblemSink) -> None:
    """Pairs of parcels whose interiors overlap by more than the tolerance (spatial index)."""
    good = np.flatnonzero(_good_polygons(parcels))
    if len(good) < 2:
        return
    geoms = parcels.geometry.to_numpy()[good]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    order = np.lexsort((right, left))  # pairs by first parcel, then second (the order reported)
    left, right = left[order], right[order]
    if len(left) == 0:
        return
    # Edge-sharing neighbours also "intersect"; only interiors that overlap matter.
    inter = shapely.relate_pattern(geoms[left], geoms[right], "2********")
    left, right = left[inter], right[inter]
    if len(left) == 0:
        return
    area = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
    tol = np.maximum(OVERLAP_TOLERANCE_M2, OVERLAP_TOLERANCE_SHARE * smaller)
    hit = area > tol
    rid = parcels["_rid"].to_numpy()
    rows = parcels["_row"].to_numpy()
    for a, b, ar, t in zip(good[left[hit]], good[right[hit]], area[hit], tol[hit]):
        sink.add(Severity.ERROR, ReasonCode.PARCEL_OVERLAP, "parcels", rid[a], None, rid[b],
                 overlap_expected(ar, t), rows[a])


def assign_buildings(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, sink: ProblemSink | None = None
                     ) -> pd.Series:
    """Effective parcel of each building: the one holding its footprint's representative point.

    A building's own ``parcel_id`` is kept when given and known; a different parcel found by
    position is reported (warning). Footprints in no parcel and footprints that reach more
    than 1 % (and 0.5 m²) outside their parcel are reported by id.
    """
    sink = sink or ProblemSink()
    bgeo = buildings.geometry.to_numpy()
    pgeo = parcels.geometry.to_numpy()
    pids = parcels["parcel_id"].to_numpy(dtype=object)
    bgood = ~shapely.is_missing(bgeo) & ~shapely.is_empty(bgeo) & valid_mask(bgeo)
    pgood = _good_polygons(parcels) & pd.notna(pids)
    pidx = np.flatnonzero(pgood)
    tree = shapely.STRtree(pgeo[pidx])
    bidx = np.flatnonzero(bgood)
    pts = shapely.point_on_surface(bgeo[bidx])
    q_b, q_p = tree.query(pts, predicate="intersects")
    found = np.full(len(buildings), -1, dtype=np.int64)
    # a point on a shared edge may hit two parcels: keep the first, deterministically
    order = np.lexsort((q_p, q_b))
    q_b, q_p = q_b[order], q_p[order]
    first = np.r_[True, q_b[1:] != q_b[:-1]] if len(q_b) else np.array([], dtype=bool)
    found[bidx[q_b[first]]] = pidx[q_p[first]]

    given = buildings["parcel_id"].to_numpy(dtype=object)
    pos_of = pd.Series(np.arange(len(pids)), index=pd.Index(pids.astype(str)))
    pos_of = pos_of[~pos_of.index.duplicated()]
    given_known = pd.Series(given).astype("string").map(pos_of).to_numpy(dtype="float64")
    eff_pos = np.where(~np.isnan(given_known), given_known, found).astype(np.int64)
    eff = np.where(eff_pos >= 0, pids[np.clip(eff_pos, 0, None)], None)

    rid = buildings["_rid"].to_numpy()
    rows = buildings["_row"].to_numpy()
    outside = bgood & (found < 0)
    rep = np.full(len(buildings), None, dtype=object)
    rep[bidx] = pts
    for i in np.flatnonzero(outside):
        sink.add(Severity.WARNING, ReasonCode.BUILDING_OUTSIDE_PARCELS, "buildings", rid[i], "parcel_id",
                 outside_found(shapely.get_x(rep[i]), shapely.get_y(rep[i]),
                               None if np.isnan(given_known[i]) else given[i]), OUTSIDE_EXPECTED, rows[i])
    mismatch = bgood & (found >= 0) & ~np.isnan(given_known) & (given_known != found)
    for i in np.flatnonzero(mismatch):
        sink.add(Severity.WARNING, ReasonCode.BUILDING_PARCEL_MISMATCH, "buildings", rid[i], "parcel_id",
                 given[i], pids[found[i]], rows[i])
    # straddling: footprint not covered by the parcel holding its representative point (a
    # building placed in another parcel than the one given is reported as a mismatch above)
    has = np.flatnonzero(bgood & (found >= 0))
    if len(has):
        bg, pg = bgeo[has], pgeo[found[has]]
        covered = shapely.covered_by(bg, pg)
        cand = has[~covered]
        if len(cand):
            bg, pg = bgeo[cand], pgeo[found[cand]]
            fa = shapely.area(bg)
            out_area = fa - shapely.area(shapely.intersection(bg, pg))
            hit = (out_area > STRADDLE_TOLERANCE_M2) & (out_area > STRADDLE_TOLERANCE_SHARE * fa)
            for i, oa, a in zip(cand[hit], out_area[hit], fa[hit]):
                sink.add(Severity.WARNING, ReasonCode.BUILDING_STRADDLES_PARCELS, "buildings", rid[i],
                         "parcel_id", straddle_found(oa, a, pids[found[i]]), STRADDLE_EXPECTED, rows[i])
    # object dtype with None for "no parcel" (pandas would otherwise infer a NaN-backed str)
    return pd.Series(list(eff), index=buildings.index, name="parcel_eff", dtype=object)
