#!/usr/bin/env python3
"""Evidence for the suggested changes to ``jiyue.evaluation.bulk`` (national evaluation).

Runs ``evaluate_parquet`` as it is and re-implementations of its building step with one change
each, every variant in its own process (wall, CPU and peak RSS of that process), on the cached
national data of bench/run.py, and checks each variant's 13 indicators against the GeoPandas
reference written by the last bench/run.py (bench/_data/national_reference.json).

  current        jiyue.evaluation.bulk.evaluate_parquet as it is in src/ now
  file_row       building row id from ``read_parquet(..., file_row_number = true)`` instead of
                 ``row_number() OVER ()`` (a window over 6 M rows: single-threaded, materialised)
  per_parcel     file_row + no 6 M-row ``buildings`` table at all: the buildings are read once,
                 joined to parcels by representative point and summed straight to per-parcel
                 totals (what ``accounting.ev_pb`` holds), which feed the unchanged accounting SQL.
                 Spatial assignment only, with the building columns carried through the join
                 (valid when the file has no parcel_id column, as in the national benchmark)
options, appended with "+":
  no_order       ``SET preserve_insertion_order = false`` on the connection
  mem=1GB        ``SET memory_limit = '1GB'`` (DuckDB spills what it can)
  rowid          (per_parcel) parcels inserted in parcel_id order, so the tie-break
                 ``min(parcel_id)`` becomes ``min(rowid)`` on integers; parcel_id is looked up
                 once per parcel afterwards

Usage: .venv/bin/python bench/experiments/bulk_variants.py [--quick] [--variants a,b,...] [--repeat N]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
sys.path.insert(0, str(BENCH))
from common import DATA_DIR, INDICATOR_KEYS, emit, max_rel_diff, run_variant, write_indicators  # noqa: E402

VARIANTS = ["current", "current+no_order", "file_row", "per_parcel", "per_parcel+no_order",
            "per_parcel+rowid+no_order", "per_parcel+rowid+no_order+mem=1GB"]
YEAR = 2024


def _opt(cols: set[str], name: str, sql_type: str) -> str:
    return f"{name}::{sql_type}" if name in cols else f"NULL::{sql_type}"


def child(variant: str, data: Path, out: Path) -> None:
    t0 = time.perf_counter()
    from jiyue import store
    from jiyue.evaluation import accounting, bulk, service
    from jiyue.evaluation.profile import load_profile

    t_import = time.perf_counter() - t0
    base, *opts = variant.split("+")
    con = store.connect(None)
    for o in opts:
        if o == "no_order":
            con.execute("SET preserve_insertion_order = false")
        elif o.startswith("mem="):
            con.execute(f"SET memory_limit = '{o[4:]}'")
    rowid = "rowid" in opts
    files = dict(zones=data / "zones.parquet", parcels=data / "parcels.parquet",
                 zone_years=data / "zone_years.parquet")
    bpath = data / "buildings.parquet"
    t = time.perf_counter()
    kwargs: dict = {}
    if base == "current":
        res = bulk.evaluate_parquet(**files, buildings=bpath, year=YEAR, con=con)
    else:
        sel = bulk.load_parquet(con, **files, buildings=None, year=YEAR)
        if rowid:  # as if load_parquet inserted the parcels ``ORDER BY parcel_id`` (the sort is paid here)
            con.execute("CREATE TABLE _ps AS SELECT * FROM parcels ORDER BY parcel_id")
            con.execute("DELETE FROM parcels")
            con.execute("INSERT INTO parcels SELECT * FROM _ps ORDER BY parcel_id")
            con.execute("DROP TABLE _ps")
            assert con.execute("SELECT bool_and(parcel_id >= prev) FROM (SELECT parcel_id, lag(parcel_id, 1, '') "
                               "OVER (ORDER BY rowid) AS prev FROM parcels)").fetchone()[0]
        bc = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{bpath}')").fetchall()}
        cols = (f"{_opt(bc, 'kind', 'VARCHAR')} AS kind, {_opt(bc, 'floors', 'INTEGER')} AS floors, "
                f"{_opt(bc, 'floor_area_m2', 'DOUBLE')} AS floor_area_m2, "
                f"{_opt(bc, 'storey_height_m', 'DOUBLE')} AS storey_height_m, "
                f"COALESCE({_opt(bc, 'footprint_m2', 'DOUBLE')}, ST_Area(geometry)) AS footprint_eff_m2")
        if base == "file_row":
            # bulk.load_parquet's building step with file_row_number as the row id
            con.execute(f"""
                CREATE TEMP TABLE _b AS
                SELECT file_row_number AS rid, building_id::VARCHAR AS building_id,
                       {_opt(bc, 'parcel_id', 'VARCHAR')} AS parcel_id, {_opt(bc, 'footprint_m2', 'DOUBLE')} AS footprint_m2,
                       {cols}, ST_PointOnSurface(geometry) AS pt
                FROM read_parquet('{bpath}', file_row_number = true)""")
            con.execute("""CREATE TEMP TABLE _bp AS SELECT b.rid, min(p.parcel_id) AS parcel_id
                           FROM _b b JOIN parcels p ON ST_Intersects(p.geom, b.pt) WHERE p.import_id = 1
                           GROUP BY b.rid""")
            con.execute("""INSERT INTO buildings (import_id, building_id, parcel_id, parcel_eff, kind, floors,
                               floor_area_m2, footprint_m2, footprint_eff_m2, storey_height_m)
                           SELECT 1, b.building_id, b.parcel_id, COALESCE(b.parcel_id, bp.parcel_id), b.kind, b.floors,
                                  b.floor_area_m2, b.footprint_m2, b.footprint_eff_m2, b.storey_height_m
                           FROM _b b LEFT JOIN _bp bp USING (rid)""")
            con.execute("DROP TABLE _b")
            con.execute("DROP TABLE _bp")
        else:  # per_parcel
            is_bld = "COALESCE(b.kind, 'building') = 'building'"
            key = "p.rowid" if rowid else "p.parcel_id"
            con.execute(f"""
                CREATE TEMP TABLE _pbk AS
                WITH b AS (
                    SELECT file_row_number AS rid, {cols}, ST_PointOnSurface(geometry) AS pt
                    FROM read_parquet('{bpath}', file_row_number = true)),
                j AS (
                    SELECT b.rid, min({key}) AS pkey,
                           any_value({accounting.floor_area_sql('b')}) AS fa,
                           any_value(CASE WHEN {is_bld} THEN b.footprint_eff_m2 END) AS fp,
                           any_value(b.footprint_eff_m2) AS fp_all
                    FROM b JOIN parcels p ON ST_Intersects(p.geom, b.pt) WHERE p.import_id = 1
                    GROUP BY b.rid)
                SELECT pkey, SUM(fa) AS fa, SUM(fp) AS fp, SUM(fp_all) AS fp_all, count(*) AS n_buildings
                FROM j GROUP BY pkey""")
            if rowid:
                con.execute("""CREATE TEMP TABLE _pb AS SELECT 1 AS import_id, p.parcel_id, k.fa, k.fp, k.fp_all,
                               k.n_buildings FROM _pbk k JOIN parcels p ON p.rowid = k.pkey""")
            else:
                con.execute("""CREATE TEMP TABLE _pb AS SELECT 1 AS import_id, pkey AS parcel_id, fa, fp, fp_all,
                               n_buildings FROM _pbk""")
            con.execute("DROP TABLE _pbk")
            if "parcel_buildings" not in inspect.signature(service.evaluate_selection).parameters:
                original = accounting.select_snapshots

                def select_snapshots(c, selection, **kw):  # ev_pb from the per-parcel totals
                    original(c, selection, **kw)
                    c.execute("""CREATE OR REPLACE TEMP TABLE ev_pb AS
                                 SELECT p.snap, pb.parcel_id, pb.fa, pb.fp, pb.fp_all, pb.n_buildings
                                 FROM _pb pb JOIN ev_parcels p
                                   ON p.import_id = pb.import_id AND p.parcel_id = pb.parcel_id""")

                accounting.select_snapshots = select_snapshots
            else:
                kwargs["parcel_buildings"] = "_pb"
        t_load = time.perf_counter() - t
        res = service.evaluate_selection(con, sel, load_profile(None), **kwargs)
    t_all = time.perf_counter() - t
    write_indicators(out, {z["zone_code"]: {k: z["indicators"].get(k) for k in INDICATOR_KEYS} for z in res})
    emit({"variant": variant, "import_s": round(t_import, 2), "evaluate_s": round(t_all, 2),
          "load_s": round(t_load, 2) if base != "current" else None,
          "buildings": int(sum(z["counts"]["buildings"] for z in res))})


def run(variant: str, data: Path, out: Path) -> dict:
    return run_variant(__file__, variant, data, out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--child")
    ap.add_argument("--data", type=Path)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.data, a.out)
        return
    n = 100_000 if a.quick else 2_000_000
    data = DATA_DIR / f"national_{n}"
    ref_path = DATA_DIR / f"national_{n}_reference.json"
    if not data.exists():
        raise SystemExit(f"{data} missing: run bench/run.py{' --quick' if a.quick else ''} first")
    ref = json.loads(ref_path.read_text()) if ref_path.exists() else None
    print(f"data {data.name}; load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"{'variant':<40}{'wall s':>8}{'cpu s':>8}{'RSS MiB':>9}{'in-process s':>14}  agreement with GeoPandas")
    for v in a.variants.split(","):
        outp = DATA_DIR / f"variant_{v.replace('+', '_').replace('=', '')}.json"
        recs = [run(v, data, outp) for _ in range(a.repeat)]
        r = recs[0]
        wall = statistics.median(x["wall_s"] for x in recs)
        cpu = statistics.median(x["cpu_s"] for x in recs)
        rss = max(x["rss_mib"] for x in recs)
        if r["rc"] != 0 or not r["result"]:
            print(f"{v:<40} FAILED rc={r['rc']}")
            continue
        agree = "-"
        if ref is not None:
            mine = json.loads(outp.read_text())
            if set(mine) == set(ref):
                agree = f"max rel diff {max_rel_diff(mine, ref):.1e}"
            else:
                agree = "(reference is for another scale)"
        print(f"{v:<40}{wall:8.2f}{cpu:8.2f}{rss:9.0f}{r['result']['evaluate_s']:14.2f}  {agree}", flush=True)


if __name__ == "__main__":
    main()
