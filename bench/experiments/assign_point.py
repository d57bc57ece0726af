#!/usr/bin/env python3
"""What the representative point costs in the national run (issue 3's wall-time target).

Runs ``jiyue.evaluation.bulk.evaluate_parquet`` on the cached national data of bench/run.py,
each variant in its own process (wall, CPU, peak RSS of that process), and checks the 13
indicators of every zone against the GeoPandas reference written by the last bench/run.py:

  point_on_surface   the rule of the data contract and of ``jiyue validate`` (GEOS point on
                     surface, always inside the footprint) — what jiyue does
  centroid           ``ST_Centroid`` instead: the "centroid-in-parcel" join of the stack
                     evaluation; cheaper, but for a concave footprint the centroid can lie
                     outside the building, even in the neighbouring parcel, so it is NOT the
                     contract's rule. On the benchmark's rectangles both give the same parcels.

Usage: .venv/bin/python bench/experiments/assign_point.py [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from common import DATA_DIR, INDICATOR_KEYS, emit, max_rel_diff, run_variant, write_indicators  # noqa: E402

POINTS = {"point_on_surface": "ST_PointOnSurface(geometry)", "centroid": "ST_Centroid(geometry)"}
YEAR = 2024


def child(variant: str, data: Path, out: Path) -> None:
    from jiyue.evaluation import bulk

    bulk.REPRESENTATIVE_POINT = POINTS[variant]
    t = time.perf_counter()
    res = bulk.evaluate_parquet(zones=data / "zones.parquet", parcels=data / "parcels.parquet",
                                buildings=data / "buildings.parquet", zone_years=data / "zone_years.parquet",
                                year=YEAR)
    write_indicators(out, {z["zone_code"]: {k: z["indicators"].get(k) for k in INDICATOR_KEYS} for z in res})
    emit({"variant": variant, "evaluate_s": round(time.perf_counter() - t, 2)})


def run(variant: str, data: Path, out: Path) -> dict:
    return run_variant(__file__, variant, data, out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--child")
    ap.add_argument("--data", type=Path)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.data, a.out)
        return
    n = 100_000 if a.quick else 2_000_000
    data = DATA_DIR / f"national_{n}"
    if not data.exists():
        raise SystemExit(f"{data} missing: run bench/run.py{' --quick' if a.quick else ''} first")
    ref_path = DATA_DIR / f"national_{n}_reference.json"
    ref = json.loads(ref_path.read_text()) if ref_path.exists() else None
    print(f"data {data.name}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'variant':<20}{'wall s':>8}{'cpu s':>8}{'RSS MiB':>9}  agreement with GeoPandas")
    for v in POINTS:
        out = DATA_DIR / f"assign_{v}.json"
        runs = [run(v, data, out) for _ in range(a.repeat)]
        if any(r["rc"] for r in runs):
            print(f"{v:<20} FAILED")
            continue
        agree = f"{max_rel_diff(json.loads(out.read_text()), ref):.1e}" if ref else "(no reference)"
        print(f"{v:<20}{statistics.median(r['wall_s'] for r in runs):8.2f}"
              f"{statistics.median(r['cpu_s'] for r in runs):8.2f}{max(r['rss_mib'] for r in runs):9.0f}  {agree}"
              f"   (walls {', '.join(format(r['wall_s'], '.2f') for r in runs)})", flush=True)


if __name__ == "__main__":
    main()
