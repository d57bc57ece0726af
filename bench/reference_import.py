#!/usr/bin/env python3
"""Plain reference for the import benchmark: the core checks of ``jiyue validate`` done the obvious
way with GeoPandas/shapely, then the layers written to a DuckDB file through pandas.

It is deliberately not jiyue: no field aliases, no type coercion with per-value messages, no
Chinese problem texts — just the same core work, so the jiyue figure can be read against it:

* required fields present and non-empty; duplicate ids; known class codes; references
  (parcels -> zones, buildings -> parcels); consistent class pairs; negative numbers;
* geometry: missing / empty / wrong type / ``shapely.is_valid``; official vs geometric area (1 %);
* overlapping parcels: STRtree ``intersects`` pairs, interiors that overlap (``relate_pattern``),
  overlap area against the tolerance (0.5 m² or 0.1 % of the smaller parcel);
* building -> parcel: ``sjoin`` of representative points into parcels, the given parcel_id kept,
  straddling footprints (``covered_by``, then the area outside) counted;
* write: ``CREATE TABLE … AS SELECT … ST_GeomFromWKB(wkb)`` from the registered pandas frames.

Usage: python bench/reference_import.py PKG_DIR DB
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from common import Phases, emit, spatial_extension_path

BUILD = {"A1", "A2", "A3", "A31", "A32", "A4", "A5", "A51", "A52", "A6", "B11", "B12", "B21", "B22",
         "C1", "C2", "C3"}
SUPPLY = {"D1", "D21", "D22", "E1", "E21", "E22", "F"}
KINDS = {"building", "structure", "yard"}
REQUIRED = {
    "zones": ["zone_code", "name", "province", "level", "category", "eval_type"],
    "parcels": ["parcel_id", "zone_code", "build_class", "supply_class"],
    "buildings": ["building_id"],
}
KEYS = {"zones": "zone_code", "parcels": "parcel_id", "buildings": "building_id"}


def main(pkg: str, db: str) -> None:
    ph = Phases()
    d = Path(pkg)
    counts: dict[str, int] = {}

    def count(name: str, n) -> None:
        counts[name] = counts.get(name, 0) + int(n)

    with ph("read"):
        layers = {n: gpd.read_parquet(d / f"{n}.parquet") for n in ("zones", "parcels", "buildings")}
    zones, parcels, buildings = layers["zones"], layers["parcels"], layers["buildings"]

    with ph("attributes"):
        for name, df in layers.items():
            for f in REQUIRED[name]:
                if f not in df.columns:
                    count("missing_field", 1)
                else:
                    count("missing_value", df[f].isna().sum())
            count("duplicate_id", df[KEYS[name]].duplicated().sum())
        count("unknown_code", (~parcels["build_class"].isin(BUILD)).sum())
        count("unknown_code", (~parcels["supply_class"].isin(SUPPLY)).sum())
        count("unknown_code", (buildings["kind"].notna() & ~buildings["kind"].isin(KINDS)).sum())
        count("unknown_code", (~zones["eval_type"].isin(["industrial", "integrated"])).sum())
        count("broken_reference", (~parcels["zone_code"].isin(zones["zone_code"])).sum())
        pid = buildings["parcel_id"]
        count("broken_reference", (pid.notna() & ~pid.isin(parcels["parcel_id"])).sum())
        for df, cols in ((parcels, ["area_m2"]),
                         (buildings, ["floors", "floor_area_m2", "footprint_m2", "storey_height_m"])):
            for c in cols:
                count("negative_value", (df[c] < 0).sum())
        # a zone without its yearly statistics (no zone_years file here): one warning per zone
        if not (d / "zone_years.parquet").exists():
            count("no_zone_years", zones["zone_code"].nunique())
        bc, sc = parcels["build_class"].astype(str), parcels["supply_class"].astype(str)
        count("inconsistent_class", (bc.str.startswith("A") & sc.str.startswith("E")).sum())
        count("inconsistent_class", (parcels["idle"].eq(True) & ~sc.str.startswith("D")).sum())

    with ph("geometry"):
        for name, df in layers.items():
            g = df.geometry.to_numpy()
            count("missing_geometry", shapely.is_missing(g).sum())
            count("empty_geometry", shapely.is_empty(g).sum())
            count("wrong_geometry_type", (~np.isin(shapely.get_type_id(g), [3, 6])).sum())
            count("invalid_geometry", (~shapely.is_valid(g)).sum())
        garea = parcels.geometry.area
        given = parcels["area_m2"]
        count("area_mismatch", ((given - garea).abs() > 0.01 * garea).sum())
        parcels["geom_area_m2"] = garea
        parcels["area_eff_m2"] = given.fillna(garea)
        buildings["footprint_eff_m2"] = buildings["footprint_m2"].fillna(buildings.geometry.area)

    with ph("overlaps"):
        pg = parcels.geometry.to_numpy()
        tree = shapely.STRtree(pg)
        left, right = tree.query(pg, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        inter = shapely.relate_pattern(pg[left], pg[right], "2********")
        left, right = left[inter], right[inter]
        ov = shapely.area(shapely.intersection(pg[left], pg[right]))
        tol = np.maximum(0.5, 0.001 * np.minimum(shapely.area(pg[left]), shapely.area(pg[right])))
        count("parcel_overlap", (ov > tol).sum())

    with ph("assign"):
        pts = gpd.GeoDataFrame(geometry=buildings.geometry.representative_point(), crs=buildings.crs)
        j = gpd.sjoin(pts, parcels[["parcel_id", "geometry"]], how="left", predicate="intersects")
        j = j[~j.index.duplicated(keep="first")]
        found = j["parcel_id"].reindex(buildings.index)
        count("building_outside_parcels", found.isna().sum())
        count("building_parcel_mismatch", (pid.notna() & found.notna() & (pid != found)).sum())
        eff = pid.fillna(found)
        buildings["parcel_eff"] = eff
        has = eff.notna().to_numpy()
        pos = pd.Index(parcels["parcel_id"]).get_indexer(eff[has])
        bg = buildings.geometry.to_numpy()[has]
        own = pg[pos]
        out = ~shapely.covered_by(bg, own)
        fa = shapely.area(bg[out])
        outside = fa - shapely.area(shapely.intersection(bg[out], own[out]))
        count("building_straddles_parcels", ((outside > 0.5) & (outside > 0.01 * fa)).sum())

    with ph("write"):
        for p in (Path(db), Path(db + ".wal")):
            p.unlink(missing_ok=True)
        con = duckdb.connect(db)
        con.execute(f"LOAD '{spatial_extension_path()}'")
        con.execute("BEGIN")
        for name, df in layers.items():
            frame = pd.DataFrame(df.drop(columns=df.geometry.name))
            frame["wkb"] = shapely.to_wkb(df.geometry.to_numpy())
            con.register("_f", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * EXCLUDE (wkb), ST_GeomFromWKB(wkb) AS geom FROM _f")
            con.unregister("_f")
        con.execute("COMMIT")
        rows = {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in layers}
        con.close()
    errors = sum(v for k, v in counts.items() if k not in ("area_mismatch", "inconsistent_class",
                                                          "building_outside_parcels", "building_parcel_mismatch",
                                                          "building_straddles_parcels"))
    emit({"ok": errors == 0, "phases": ph.t, "problems": {k: v for k, v in counts.items() if v},
          "rows": rows, "assigned_buildings": int(eff.notna().sum()),
          "db_mb": round(Path(db).stat().st_size / 2**20, 1)})


if __name__ == "__main__":
    main(*sys.argv[1:])
