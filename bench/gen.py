#!/usr/bin/env python3
"""Seeded synthetic data packages for the benchmarks (GeoParquet, EPSG:4527, contract field names).

Layout: each zone is a square tile of 200 m grid cells; every cell holds at most one parcel, a
random rectangle 100-190 m wide and high, so parcels never overlap (they leave gaps, like roads
between blocks). Tiles are laid out in a grid with a gap between zones. Zone polygons are the
tiles' extents.

Buildings are placed in a 3 x 2 grid of slots inside their parcel (one slot on streets and parks,
none on unbuilt or unbuildable land), so footprints lie inside their parcel and do not overlap
one another. A small share of the footprints in the left column is shifted 30 % of their width out
of the parcel: they straddle the parcel boundary (a warning), but their representative point
(the centre of a rectangle) stays inside, so every engine assigns them to the same parcel.

Geometries are written as WKB built directly from numpy arrays (byte-identical to
``shapely.to_wkb(shapely.box(...))``, checked on every run), so generating 6 million buildings
needs no shapely objects at all. Files are written in row groups of ``CHUNK`` rows.

Usage: python bench/gen.py OUT_DIR --zones N --parcels N --buildings N [--pid-share 0.7|--no-pid]
       [--zone-years] [--seed 42] [--equal-zones]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

EPSG = 4527
X0, Y0 = 39_400_000.0, 3_900_000.0  # CGCS2000 3-degree GK zone 39 (false easting carries the zone)
CELL = 200.0
YEAR = 2024
CHUNK = 500_000
GEN_VERSION = 3  # bump to invalidate cached data

# build class -> share of parcels, for industrial / integrated zones (each sums to 1)
BUILD_SHARES = {
    "industrial": {"A1": .06, "A2": .46, "A31": .04, "A32": .02, "A4": .05, "A5": .02, "A51": .03,
                   "A52": .02, "A6": .02, "B11": .02, "B12": .02, "B21": .10, "B22": .06, "C1": .03,
                   "C2": .02, "C3": .03},
    "integrated": {"A1": .20, "A2": .24, "A31": .05, "A32": .02, "A4": .10, "A5": .04, "A51": .04,
                   "A52": .04, "A6": .02, "B11": .01, "B12": .01, "B21": .10, "B22": .06, "C1": .03,
                   "C2": .02, "C3": .02},
}
BUILD_CODES = list(BUILD_SHARES["industrial"])
# slots for buildings per parcel
SLOTS = {c: 6 for c in ("A1", "A2", "A4", "A5", "A52", "A6", "B11", "B12")}
SLOTS.update({c: 1 for c in ("A31", "A32", "A51")})
LAND_USE = {"A1": "0701", "A2": "0601", "A31": "1004", "A32": "1003", "A4": "05", "A5": "08",
            "A51": "0810", "A52": "0805", "A6": "09", "B11": "0602", "B12": "0702", "B21": "",
            "B22": "", "C1": "11", "C2": "12", "C3": "12"}
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
             "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]
PROVINCE_NAMES = ["北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
                  "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
                  "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省",
                  "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"]
CATEGORY_NAMES = {"etdz": "经济技术开发区", "htz": "高新技术产业开发区", "customs": "综合保税区",
                  "border": "边境经济合作区", "other": "工业园区"}


# --------------------------------------------------------------------------- geometry helpers
def box_wkb(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> pa.Array:
    """Little-endian WKB polygons of axis-aligned boxes, as ``shapely.box(..., ccw=True)`` writes them."""
    n = len(x0)
    rec = np.dtype([("bo", "u1"), ("typ", "<u4"), ("nr", "<u4"), ("np", "<u4"), ("xy", "<f8", (10,))])
    a = np.empty(n, dtype=rec)
    a["bo"] = 1
    a["typ"] = 3
    a["nr"] = 1
    a["np"] = 5
    xy = a["xy"]
    # ring: (x1,y0) (x1,y1) (x0,y1) (x0,y0) (x1,y0)
    xy[:, 0], xy[:, 1] = x1, y0
    xy[:, 2], xy[:, 3] = x1, y1
    xy[:, 4], xy[:, 5] = x0, y1
    xy[:, 6], xy[:, 7] = x0, y0
    xy[:, 8], xy[:, 9] = x1, y0
    size = rec.itemsize  # 93
    offsets = np.arange(0, (n + 1) * size, size, dtype=np.int32 if (n + 1) * size < 2**31 else np.int64)
    typ = pa.binary() if offsets.dtype == np.int32 else pa.large_binary()
    return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(offsets), pa.py_buffer(a.tobytes())])


def check_wkb() -> None:
    import shapely

    rng = np.random.default_rng(0)
    x0 = X0 + rng.uniform(0, 1e5, 1000)
    y0 = Y0 + rng.uniform(0, 1e5, 1000)
    x1, y1 = x0 + rng.uniform(1, 100, 1000), y0 + rng.uniform(1, 100, 1000)
    mine = box_wkb(x0, y0, x1, y1).to_pylist()
    ref = shapely.to_wkb(shapely.box(x0, y0, x1, y1)).tolist()
    assert mine == ref, "numpy WKB differs from shapely's"


def geo_metadata(geometry_types: list[str], bbox: list[float]) -> bytes:
    from pyproj import CRS

    return json.dumps({
        "version": "1.0.0", "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": geometry_types,
                                 "crs": CRS.from_epsg(EPSG).to_json_dict(), "bbox": bbox}},
    }).encode()


def ids(prefix: pa.Array | str, n: np.ndarray, width: int) -> pa.Array:
    s = pc.utf8_lpad(pc.cast(pa.array(n), pa.string()), width=width, padding="0")
    if isinstance(prefix, str):
        return pc.binary_join_element_wise(pa.scalar(prefix), s, "")
    return pc.binary_join_element_wise(prefix, s, "")


def masked(values: np.ndarray, null: np.ndarray, typ: pa.DataType) -> pa.Array:
    return pa.array(values, type=typ, mask=null)


class GeoWriter:
    def __init__(self, path: Path, schema_fields: list[pa.Field], bbox: list[float]):
        schema = pa.schema(schema_fields + [pa.field("geometry", pa.binary())],
                           metadata={b"geo": geo_metadata(["Polygon"], bbox)})
        self.schema = schema
        self.w = pq.ParquetWriter(path, schema, compression="snappy")

    def write(self, cols: dict[str, pa.Array]) -> None:
        arrays = []
        for f in self.schema:
            a = cols[f.name]
            if a.type != f.type:
                a = a.cast(f.type)
            arrays.append(a)
        self.w.write_table(pa.Table.from_arrays(arrays, schema=self.schema), row_group_size=CHUNK)

    def close(self) -> None:
        self.w.close()


def pick(rng: np.random.Generator, choices: list[str], p: list[float], n: int) -> np.ndarray:
    return np.asarray(choices, dtype=object)[rng.choice(len(choices), size=n, p=np.asarray(p) / sum(p))]


# --------------------------------------------------------------------------- generation
def generate(out: Path, n_zones: int, n_parcels: int, n_buildings: int, *, seed: int = 42,
             pid_share: float | None = 0.7, zone_years: bool = False, equal_zones: bool = False,
             straddle_share: float = 0.003) -> dict:
    t0 = time.perf_counter()
    check_wkb()
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)

    # ---- zones: sizes, types, tiles
    if equal_zones or n_zones == 1:
        counts = np.full(n_zones, n_parcels // n_zones, dtype=np.int64)
        counts[: n_parcels - counts.sum()] += 1
    else:
        w = rng.lognormal(0.0, 0.7, n_zones)
        counts = np.maximum(20, np.floor(w / w.sum() * n_parcels)).astype(np.int64)
        diff = n_parcels - counts.sum()
        order = np.argsort(-counts)
        i = 0
        while diff != 0:  # give / take one parcel from the largest zones
            step = 1 if diff > 0 else -1
            counts[order[i % n_zones]] += step
            diff -= step
            i += 1
    side = np.ceil(np.sqrt(counts)).astype(np.int64)
    rows_z = np.ceil(counts / side).astype(np.int64)
    spacing = int(side.max()) + 3
    zcols = int(np.ceil(np.sqrt(n_zones)))
    tx = (np.arange(n_zones) % zcols) * spacing
    ty = (np.arange(n_zones) // zcols) * spacing
    eval_type = pick(rng, ["industrial", "integrated"], [.65, .35], n_zones)
    if n_zones >= 2:
        eval_type[0], eval_type[1] = "industrial", "integrated"  # both types always present
    level = pick(rng, ["national", "provincial"], [.25, .75], n_zones)
    category = pick(rng, ["etdz", "htz", "customs", "border", "other"], [.4, .3, .1, .05, .15], n_zones)
    prov_i = rng.integers(0, len(PROVINCES), n_zones)
    zone_code = np.array([f"{'G' if lv == 'national' else 'S'}{PROVINCES[p]}{z:05d}"
                          for z, (lv, p) in enumerate(zip(level, prov_i))], dtype=object)

    # ---- parcels
    zone_of = np.repeat(np.arange(n_zones), counts)
    start = np.r_[0, np.cumsum(counts)[:-1]]
    j = np.arange(n_parcels) - start[zone_of]
    s = side[zone_of]
    cx = X0 + (tx[zone_of] + j % s) * CELL
    cy = Y0 + (ty[zone_of] + j // s) * CELL
    pw = rng.uniform(100, 190, n_parcels)
    ph = rng.uniform(100, 190, n_parcels)
    px0 = cx + rng.uniform(0, 1, n_parcels) * (CELL - pw)
    py0 = cy + rng.uniform(0, 1, n_parcels) * (CELL - ph)
    px1, py1 = px0 + pw, py0 + ph
    parea = pw * ph  # reference only (the packages carry geometry)

    ind = eval_type[zone_of] == "industrial"
    bclass = np.empty(n_parcels, dtype=object)
    for typ, mask in (("industrial", ind), ("integrated", ~ind)):
        sh = BUILD_SHARES[typ]
        bclass[mask] = pick(rng, list(sh), list(sh.values()), int(mask.sum()))
    # supply class conditional on build class (consistent: no A with E, idle only on D)
    u = rng.random(n_parcels)
    sclass = np.full(n_parcels, "D21", dtype=object)
    is_a = np.char.startswith(bclass.astype(str), "A")
    sclass[is_a & (u < .25)] = "D1"
    sclass[is_a & (u > .97)] = "D22"
    sclass[np.isin(bclass, ["A31", "A32", "A51"]) & (u < .5)] = "D1"
    sclass[np.isin(bclass, ["B11", "B12"])] = np.where(u[np.isin(bclass, ["B11", "B12"])] < .5, "D1", "F")
    b21 = bclass == "B21"
    sclass[b21] = np.select([u[b21] < .45, u[b21] < .55, u[b21] < .75, u[b21] < .95],
                            ["D21", "D1", "E21", "E22"], "E1")
    b22 = bclass == "B22"
    sclass[b22] = np.where(u[b22] < .6, "E22", "F")
    sclass[np.char.startswith(bclass.astype(str), "C")] = "F"
    is_d = np.char.startswith(sclass.astype(str), "D")
    idle = np.where(is_d, False, None).astype(object)
    idle[is_d & b21 & (rng.random(n_parcels) < .35)] = True
    idle[is_d & is_a & (rng.random(n_parcels) < .003)] = True
    idle_null = np.array([v is None for v in idle])
    idle_vals = np.array([bool(v) if v is not None else False for v in idle])
    hightech = np.full(n_parcels, None, dtype=object)
    ht = (category[zone_of] == "htz") & (bclass == "A2") & (rng.random(n_parcels) < .3)
    hightech[ht] = pick(rng, ["H1", "H2"], [.6, .4], int(ht.sum()))
    area_given = rng.random(n_parcels) < .6
    area_m2 = np.round(parea * rng.uniform(.997, 1.003, n_parcels), 2)
    days = rng.integers(np.datetime64("2000-01-01").astype(int), np.datetime64(f"{YEAR}-12-31").astype(int),
                        n_parcels)
    smethod = np.where(sclass == "D1", "allocation",
                       pick(rng, ["listing", "auction", "tender", "agreement"], [.6, .15, .1, .15], n_parcels))
    order_codes = np.argsort(np.array(BUILD_CODES).astype(str))
    land_use = np.array([LAND_USE[c] for c in BUILD_CODES], dtype=object)[
        order_codes[np.searchsorted(np.array(BUILD_CODES).astype(str), bclass.astype(str), sorter=order_codes)]]
    zc_arr = pa.array(zone_code[zone_of], pa.string())
    parcel_id = ids(pc.binary_join_element_wise(zc_arr, pa.scalar("-"), ""), j, 5)

    bbox_p = [float(px0.min()), float(py0.min()), float(px1.max()), float(py1.max())]
    pw_ = GeoWriter(out / "parcels.parquet", [
        pa.field("parcel_id", pa.string()), pa.field("zone_code", pa.string()),
        pa.field("build_class", pa.string()), pa.field("supply_class", pa.string()),
        pa.field("area_m2", pa.float64()), pa.field("land_use_code", pa.string()),
        pa.field("hightech", pa.string()), pa.field("supply_date", pa.date32()),
        pa.field("supply_method", pa.string()), pa.field("idle", pa.bool_())], bbox_p)
    for a in range(0, n_parcels, CHUNK):
        b = min(a + CHUNK, n_parcels)
        sl = slice(a, b)
        pw_.write({
            "parcel_id": parcel_id[a:b], "zone_code": zc_arr[a:b],
            "build_class": pa.array(bclass[sl], pa.string()), "supply_class": pa.array(sclass[sl], pa.string()),
            "area_m2": masked(area_m2[sl], ~area_given[sl], pa.float64()),
            "land_use_code": pa.array(np.where(land_use[sl] == "", None, land_use[sl]), pa.string()),
            "hightech": pa.array(hightech[sl], pa.string()),
            "supply_date": pa.array(days[sl].astype("datetime64[D]"), pa.date32(), mask=~is_d[sl]),
            "supply_method": pa.array(np.where(is_d[sl], smethod[sl], None), pa.string()),
            "idle": masked(idle_vals[sl], idle_null[sl], pa.bool_()),
            "geometry": box_wkb(px0[sl], py0[sl], px1[sl], py1[sl]),
        })
    pw_.close()

    # ---- buildings: n_buildings slots drawn from the parcels' capacity
    cap = np.array([SLOTS.get(c, 0) for c in BUILD_CODES])[
        order_codes[np.searchsorted(np.array(BUILD_CODES).astype(str), bclass.astype(str), sorter=order_codes)]]
    total_cap = int(cap.sum())
    if total_cap < n_buildings:
        raise SystemExit(f"not enough building slots: {total_cap} < {n_buildings}")
    cap_start = np.r_[0, np.cumsum(cap)[:-1]]
    chosen = np.sort(rng.choice(total_cap, size=n_buildings, replace=False))
    bp = np.searchsorted(cap_start, chosen, side="right") - 1  # parcel of each building
    k = chosen - cap_start[bp]  # slot 0..5
    del chosen
    one_slot = cap[bp] == 1
    scol, srow = np.where(one_slot, 0, k % 3), np.where(one_slot, 0, k // 3)
    sw = np.where(one_slot, pw[bp], pw[bp] / 3)
    sh = np.where(one_slot, ph[bp], ph[bp] / 2)
    m = n_buildings
    bw = np.minimum(rng.uniform(.35, .9, m) * sw, sw - 2)
    bh = np.minimum(rng.uniform(.35, .9, m) * sh, sh - 2)
    bx0 = px0[bp] + scol * sw + rng.uniform(0, 1, m) * (sw - bw)
    by0 = py0[bp] + srow * sh + rng.uniform(0, 1, m) * (sh - bh)
    straddle = (scol == 0) & (rng.random(m) < straddle_share * 3)
    bx0 = np.where(straddle, px0[bp] - .3 * bw, bx0)
    bx1, by1 = bx0 + bw, by0 + bh
    bcls = bclass[bp]
    on_a2 = bcls == "A2"
    kind = np.where(on_a2, pick(rng, ["building", "structure", "yard"], [.7, .15, .15], m),
                    pick(rng, ["building", "structure"], [.95, .05], m)).astype(object)
    kind_null = rng.random(m) < .03
    is_bld = (kind == "building")
    lo = np.select([bcls == "A1", on_a2, bcls == "A4"], [6, 1, 1], 1)
    hi = np.select([bcls == "A1", on_a2, bcls == "A4"], [34, 7, 31], 13)
    floors = rng.integers(lo, hi)
    floors_null = (~is_bld & (rng.random(m) < .5)) | (rng.random(m) < .03)
    floors_null[kind == "yard"] = True
    sh_given = rng.random(m) < .4
    storey = np.where(on_a2, rng.uniform(4, 12, m), rng.uniform(2.8, 5.0, m)).round(2)
    fp_geom = bw * bh
    fa_given = is_bld & ~floors_null & (rng.random(m) < .35)
    floor_area = np.round(fp_geom * floors * rng.uniform(.95, 1.05, m), 2)
    fp_given = rng.random(m) < .2
    footprint = np.round(fp_geom, 2)
    pid_given = (rng.random(m) < pid_share) if pid_share is not None else None
    straddle_n = int(straddle.sum())
    bbox_b = [float(bx0.min()), float(by0.min()), float(bx1.max()), float(by1.max())]
    fields = [pa.field("building_id", pa.string())]
    if pid_share is not None:
        fields.append(pa.field("parcel_id", pa.string()))
    fields += [pa.field("kind", pa.string()), pa.field("floors", pa.int32()),
               pa.field("floor_area_m2", pa.float64()), pa.field("footprint_m2", pa.float64()),
               pa.field("storey_height_m", pa.float64())]
    bw_ = GeoWriter(out / "buildings.parquet", fields, bbox_b)
    for a in range(0, m, CHUNK):
        b = min(a + CHUNK, m)
        sl = slice(a, b)
        cols = {
            "building_id": ids(pc.binary_join_element_wise(zc_arr.take(pa.array(bp[sl])), pa.scalar("-B"), ""),
                               np.arange(a, b), 7),
            "kind": pa.array(kind[sl], pa.string(), mask=kind_null[sl]),
            "floors": masked(floors[sl].astype(np.int32), floors_null[sl], pa.int32()),
            "floor_area_m2": masked(floor_area[sl], ~fa_given[sl], pa.float64()),
            "footprint_m2": masked(footprint[sl], ~fp_given[sl], pa.float64()),
            "storey_height_m": masked(storey[sl], ~sh_given[sl], pa.float64()),
            "geometry": box_wkb(bx0[sl], by0[sl], bx1[sl], by1[sl]),
        }
        if pid_share is not None:
            cols["parcel_id"] = pc.if_else(pa.array(pid_given[sl]), parcel_id.take(pa.array(bp[sl])),
                                           pa.scalar(None, pa.string()))
        bw_.write(cols)
    bw_.close()

    # ---- zones layer (tile extents)
    zx0 = X0 + tx * CELL
    zy0 = Y0 + ty * CELL
    zx1 = zx0 + side * CELL
    zy1 = zy0 + rows_z * CELL
    zarea_ha = (side * rows_z * CELL * CELL) / 1e4
    cities = np.array([f"{PROVINCE_NAMES[p][:2]}第{z % 9 + 1}市" for z, p in enumerate(prov_i)], dtype=object)
    names = np.array([f"{c}{CATEGORY_NAMES[cat]}（{z}）" for z, (c, cat) in enumerate(zip(cities, category))],
                     dtype=object)
    zw = GeoWriter(out / "zones.parquet", [
        pa.field("zone_code", pa.string()), pa.field("name", pa.string()), pa.field("province", pa.string()),
        pa.field("city", pa.string()), pa.field("level", pa.string()), pa.field("category", pa.string()),
        pa.field("eval_type", pa.string()), pa.field("approved_area_ha", pa.float64())],
        [float(zx0.min()), float(zy0.min()), float(zx1.max()), float(zy1.max())])
    zw.write({"zone_code": pa.array(zone_code, pa.string()), "name": pa.array(names, pa.string()),
              "province": pa.array(np.array(PROVINCE_NAMES, dtype=object)[prov_i], pa.string()),
              "city": pa.array(cities, pa.string()), "level": pa.array(level, pa.string()),
              "category": pa.array(category, pa.string()), "eval_type": pa.array(eval_type, pa.string()),
              "approved_area_ha": pa.array(np.round(zarea_ha * rng.uniform(.8, 1.2, n_zones), 2)),
              "geometry": box_wkb(zx0, zy0, zx1, zy1)})
    zw.close()

    # ---- zone_years (tax / fixed-asset investment / population), two years
    if zone_years:
        a_ha = np.bincount(zone_of, weights=parea * is_a, minlength=n_zones) / 1e4
        a2_ha = np.bincount(zone_of, weights=parea * (bclass == "A2"), minlength=n_zones) / 1e4
        rows = []
        for yr, f in ((YEAR - 1, .93), (YEAR, 1.0)):
            null_it = rng.random(n_zones) < .05
            null_if = rng.random(n_zones) < .05
            null_pop = rng.random(n_zones) < .03
            pop_k = np.where(eval_type == "integrated", rng.uniform(30, 150, n_zones), rng.uniform(5, 60, n_zones))
            rows.append(pa.table({
                "zone_code": pa.array(zone_code, pa.string()),
                "year": pa.array(np.full(n_zones, yr, dtype=np.int32)),
                "tax_total_wan": pa.array(np.round(a_ha * rng.uniform(50, 400, n_zones) * f, 2)),
                "industrial_tax_wan": masked(np.round(a2_ha * rng.uniform(20, 300, n_zones) * f, 2), null_it,
                                             pa.float64()),
                "industrial_fai_wan": masked(np.round(a2_ha * rng.uniform(3000, 12000, n_zones) * f, 2), null_if,
                                             pa.float64()),
                "population": masked(np.round(a_ha * pop_k * f).astype(np.int64), null_pop, pa.int64()),
            }))
        pq.write_table(pa.concat_tables(rows), out / "zone_years.parquet")

    meta = {"gen_version": GEN_VERSION, "zones": n_zones, "parcels": n_parcels, "buildings": n_buildings,
            "seed": seed, "pid_share": pid_share, "zone_years": zone_years, "year": YEAR,
            "straddling_buildings": straddle_n,
            "buildings_with_parcel_id": None if pid_given is None else int(pid_given.sum()),
            "eval_types": {t: int((eval_type == t).sum()) for t in ("industrial", "integrated")},
            "files_mb": {f.name: round(f.stat().st_size / 2**20, 1) for f in sorted(out.iterdir())},
            "gen_s": round(time.perf_counter() - t0, 2)}
    return meta


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--zones", type=int, required=True)
    ap.add_argument("--parcels", type=int, required=True)
    ap.add_argument("--buildings", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pid-share", type=float, default=0.7)
    ap.add_argument("--no-pid", action="store_true", help="buildings carry no parcel_id column")
    ap.add_argument("--zone-years", action="store_true")
    ap.add_argument("--equal-zones", action="store_true")
    a = ap.parse_args()
    meta = generate(a.out, a.zones, a.parcels, a.buildings, seed=a.seed,
                    pid_share=None if a.no_pid else a.pid_share, zone_years=a.zone_years,
                    equal_zones=a.equal_zones)
    (a.out.parent / f"{a.out.name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    print("BENCH_RESULT " + json.dumps(meta, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
