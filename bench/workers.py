#!/usr/bin/env python3
"""The jiyue side of the benchmarks; one task per process (run.py measures wall time and peak RSS).

  import      PKG DB          validate_path(PKG) then import_package(DB, report) into a fresh file
  national    DIR OUT YEAR    bulk.evaluate_parquet(...) on DIR/{zones,parcels,buildings,zone_years}.parquet;
                              writes every zone's 13 indicators to OUT (JSON)
  zone_setup  PKG DB          validate + import a one-zone package into DB (done once per run)
  zone_eval   DB ZONE N       service.evaluate(db=DB, zone=ZONE), N times in this process

Set BENCH_SQL_TIMING=1 to time every SQL statement jiyue sends to DuckDB (printed to stderr).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from common import INDICATOR_KEYS, Phases, emit, write_indicators


class TimedConnection:
    """Wraps a DuckDB connection and records the time of every ``execute`` (for profiling)."""

    def __init__(self, con) -> None:
        self._con = con
        self.log: list[tuple[float, str]] = []

    def execute(self, sql, *a, **k):
        t = time.perf_counter()
        r = self._con.execute(sql, *a, **k)
        self.log.append((time.perf_counter() - t, " ".join(str(sql).split())[:110]))
        return r

    def __getattr__(self, name):
        return getattr(self._con, name)

    def report(self, top: int = 15) -> None:
        print(f"--- SQL statements: {len(self.log)}, total {sum(t for t, _ in self.log):.2f} s", file=sys.stderr)
        for t, s in sorted(self.log, reverse=True)[:top]:
            print(f"{t:8.3f} s  {s}", file=sys.stderr)


def task_import(pkg: str, db: str) -> None:
    ph = Phases()
    with ph("import_jiyue"):
        from jiyue.store import import_package
        from jiyue.validate import validate_path
    for p in (Path(db), Path(db + ".wal")):
        p.unlink(missing_ok=True)
    with ph("validate"):
        report = validate_path(pkg)
    counts = report.counts()
    if not report.ok:
        emit({"ok": False, "counts": counts})
        raise SystemExit(1)
    with ph("import"):
        res = import_package(db, report)
    emit({"ok": True, "phases": ph.t, "counts": counts, "imported": res.counts,
          "assigned_buildings": int(report.building_parcel.notna().sum()) if report.building_parcel is not None
          else None, "db_mb": round(Path(db).stat().st_size / 2**20, 1)})


def task_national(data: str, out: str, year: str) -> None:
    ph = Phases()
    with ph("import_jiyue"):
        from jiyue import store
        from jiyue.evaluation.bulk import evaluate_parquet
    d = Path(data)
    con = None
    if os.environ.get("BENCH_SQL_TIMING"):
        con = TimedConnection(store.connect(None))
    with ph("evaluate_parquet"):
        zones = evaluate_parquet(zones=d / "zones.parquet", parcels=d / "parcels.parquet",
                                 buildings=d / "buildings.parquet", zone_years=d / "zone_years.parquet",
                                 year=int(year), con=con)
    if con is not None:
        con.report()
    write_indicators(Path(out), {z["zone_code"]: {k: z["indicators"].get(k) for k in INDICATOR_KEYS}
                                 for z in zones})
    emit({"ok": True, "phases": ph.t, "zones": len(zones),
          "buildings_assigned": int(sum(z["counts"]["buildings"] for z in zones)),
          "parcels": int(sum(z["counts"]["parcels"] for z in zones)),
          "indicator_keys": sorted({k for z in zones for k in z["indicators"]})})


def task_zone_setup(pkg: str, db: str) -> None:
    task_import(pkg, db)


def task_zone_eval(db: str, zone: str, n: str) -> None:
    ph = Phases()
    with ph("import_jiyue"):
        from jiyue.evaluation.service import evaluate
    times, cpus = [], []
    doc = None
    for _ in range(int(n)):
        t, c = time.perf_counter(), time.process_time()
        doc = evaluate(db=db, zone=zone)
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    z = doc["zones"][0]
    emit({"ok": True, "phases": ph.t, "first_s": round(times[0], 4),
          "median_s": round(statistics.median(times[1:] if len(times) > 1 else times), 4),
          "min_s": round(min(times), 4), "runs": [round(t, 4) for t in times],
          "first_cpu_s": round(cpus[0], 4),
          "median_cpu_s": round(statistics.median(cpus[1:] if len(cpus) > 1 else cpus), 4),
          "parcels": z["counts"]["parcels"], "buildings": z["counts"]["buildings"], "score": z["score"]})


if __name__ == "__main__":
    task, *args = sys.argv[1:]
    {"import": task_import, "national": task_national, "zone_setup": task_zone_setup,
     "zone_eval": task_zone_eval}[task](*args)
