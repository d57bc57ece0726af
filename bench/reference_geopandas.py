#!/usr/bin/env python3
"""Plain GeoPandas reference for the national benchmark: the 13 TD/T 1029 indicators of every zone.

Written independently of jiyue (it imports nothing from it) so the two cross-check each other.
Rules, as in the data contract and jiyue's docs/indicators.md:

* parcel area = ``area_m2`` when given, else the geometry's area;
* building footprint = ``footprint_m2`` when given, else the geometry's area;
* a building belongs to the parcel that holds its representative point (``point_on_surface``);
  a point in two parcels takes the smallest parcel_id; a point in none belongs to no parcel;
* floor area (``kind`` building only; an empty kind counts as building) = ``floor_area_m2`` when
  given, else footprint x floors (1 when empty), doubled when ``storey_height_m`` > 8;
* FA_A / FP_A = floor area / footprint of buildings on A* parcels; FA_A2 likewise on A2;
  FPALL_A2 = footprint of every kind (buildings, structures, yards) on A2;
* a zone with no building at all has its four building totals missing (not 0);
* economic figures come from ``zone_years`` of the evaluation year.

Usage: python bench/reference_geopandas.py DATA_DIR OUT_JSON YEAR
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from common import Phases, emit, write_indicators

M2_PER_HA = 10_000.0
TALL_STOREY_M = 8.0

# key: (numerator terms, denominator terms, factor)
INDICATORS = {
    "supply_rate": (("D",), ("A", "B21"), 100.0),
    "built_rate": (("A",), ("D",), 100.0),
    "development_rate": (("A", "B21"), ("A", "B"), 100.0),
    "industrial_land_ratio": (("A2",), ("A",), 100.0),
    "far": (("FA_A",), ("A",), 1.0),
    "building_density": (("FP_A",), ("A",), 100.0),
    "industrial_far": (("FA_A2",), ("A2",), 1.0),
    "industrial_building_coefficient": (("FPALL_A2",), ("A2",), 100.0),
    "industrial_fai_intensity": (("industrial_fai_wan",), ("A2",), M2_PER_HA),
    "industrial_tax_per_ha": (("industrial_tax_wan",), ("A2",), M2_PER_HA),
    "tax_per_ha": (("tax_total_wan",), ("A",), M2_PER_HA),
    "population_density": (("population",), ("A",), M2_PER_HA),
    "idle_rate": (("G",), ("D",), 100.0),
}


def main(data: str, out: str, year: str) -> None:
    d = Path(data)
    ph = Phases()
    with ph("read"):
        zones = pd.read_parquet(d / "zones.parquet", columns=["zone_code"])
        parcels = gpd.read_parquet(d / "parcels.parquet", columns=[
            "parcel_id", "zone_code", "build_class", "supply_class", "area_m2", "idle", "geometry"])
        buildings = gpd.read_parquet(d / "buildings.parquet", columns=[
            "kind", "floors", "floor_area_m2", "footprint_m2", "storey_height_m", "geometry"])
        zy = pd.read_parquet(d / "zone_years.parquet")

    with ph("areas"):
        parcels["area"] = parcels["area_m2"].fillna(pd.Series(parcels.geometry.area, index=parcels.index))
        fp = buildings["footprint_m2"].fillna(pd.Series(buildings.geometry.area, index=buildings.index))

    with ph("sjoin"):
        pts = gpd.GeoDataFrame(geometry=buildings.geometry.representative_point(), crs=buildings.crs)
        buildings = buildings.drop(columns="geometry")
        j = gpd.sjoin(pts, parcels[["parcel_id", "geometry"]], how="inner", predicate="intersects")
        del pts
        b_idx = j.index.to_numpy()
        p_pos = j["index_right"].to_numpy()
        dup = pd.Index(b_idx).duplicated(keep=False)
        if dup.any():  # a point on a shared edge: the smallest parcel_id wins
            t = pd.DataFrame({"b": b_idx[dup], "p": p_pos[dup], "pid": parcels["parcel_id"].to_numpy()[p_pos[dup]]})
            t = t.sort_values(["b", "pid"]).drop_duplicates("b")
            b_idx = np.r_[b_idx[~dup], t["b"].to_numpy()]
            p_pos = np.r_[p_pos[~dup], t["p"].to_numpy()]
        del j

    with ph("buildings"):
        kind = buildings["kind"].fillna("building").to_numpy()[b_idx]
        is_bld = kind == "building"
        floors = buildings["floors"].fillna(1).to_numpy(dtype="float64")[b_idx]
        tall = (buildings["storey_height_m"].to_numpy(dtype="float64", na_value=np.nan)[b_idx] > TALL_STOREY_M)
        fpb = fp.to_numpy(dtype="float64")[b_idx]
        given = buildings["floor_area_m2"].to_numpy(dtype="float64", na_value=np.nan)[b_idx]
        fa = np.where(np.isnan(given), fpb * floors * np.where(tall, 2.0, 1.0), given)
        cls = parcels["build_class"].to_numpy(dtype=object)[p_pos]
        on_a = np.char.startswith(cls.astype(str), "A")
        on_a2 = cls == "A2"
        zone_cat = pd.Categorical(parcels["zone_code"], categories=zones["zone_code"])
        bz = zone_cat.codes[p_pos]
        nz = len(zones)
        bsum = {
            "FA_A": np.bincount(bz, weights=np.where(is_bld & on_a, fa, 0.0), minlength=nz),
            "FP_A": np.bincount(bz, weights=np.where(is_bld & on_a, fpb, 0.0), minlength=nz),
            "FA_A2": np.bincount(bz, weights=np.where(is_bld & on_a2, fa, 0.0), minlength=nz),
            "FPALL_A2": np.bincount(bz, weights=np.where(on_a2, fpb, 0.0), minlength=nz),
        }
        no_buildings = np.bincount(bz, minlength=nz) == 0  # no building data: missing, not 0
        for v in bsum.values():
            v[no_buildings] = np.nan

    with ph("zones"):
        bc = parcels["build_class"].astype(str)
        sc = parcels["supply_class"].astype(str)
        area = parcels["area"].to_numpy(dtype="float64")
        masks = {
            "A": bc.str.startswith("A"), "A2": bc.eq("A2"), "B": bc.str.startswith("B"), "B21": bc.eq("B21"),
            "D": sc.isin(["D1", "D21", "D22"]), "G": parcels["idle"].eq(True),
        }
        acc = pd.DataFrame({k: np.bincount(zone_cat.codes, weights=np.where(m.to_numpy(), area, 0.0), minlength=nz)
                            for k, m in masks.items()}, index=zones["zone_code"])
        for k, v in bsum.items():
            acc[k] = v
        econ = zy[zy["year"] == int(year)].set_index("zone_code")[
            ["tax_total_wan", "industrial_tax_wan", "industrial_fai_wan", "population"]].astype("float64")
        acc = acc.join(econ, how="left")
        result: dict[str, dict[str, float | None]] = {}
        vals = {}
        for key, (num, den, factor) in INDICATORS.items():
            n = acc[list(num)].sum(axis=1, min_count=len(num))  # NaN when any input is missing
            dn = acc[list(den)].sum(axis=1)
            v = n / dn * factor
            vals[key] = v.where((dn > 0) & n.notna())
        table = pd.DataFrame(vals)
        for zc, row in table.iterrows():
            result[str(zc)] = {k: (None if pd.isna(x) else float(x)) for k, x in row.items()}
    write_indicators(Path(out), result)
    emit({"ok": True, "phases": ph.t, "zones": len(result), "buildings_assigned": int(len(b_idx)),
          "parcels": int(len(parcels))})


if __name__ == "__main__":
    main(*sys.argv[1:])
