"""The cost floor of the vectorised validation: the work no check can avoid, timed phase by phase.

Starting Python, importing jiyue's store (DuckDB and the spatial extension), reading the parcels
and buildings of a GeoParquet folder into DuckDB, the buildings' representative points (GEOS point
on surface) and the point-in-parcel join: what `jiyue validate FOLDER` must do before any rule is
checked (and what `jiyue evaluate FOLDER` must do before any sum). Compare the total with the
GeoPandas reference's wall time (bench/run.py, benchmark 4) to see which target the floor allows.

    .venv/bin/python bench/experiments/floor.py bench/_data/cli_1000000
"""

from __future__ import annotations

import json
import resource
import sys
import time

T0 = time.perf_counter()
C0 = time.process_time()


def main(folder: str) -> None:
    phases: dict[str, list[float]] = {}
    t, c = time.perf_counter(), time.process_time()
    phases["interpreter start (to main)"] = [round(t - T0, 3), round(c - C0, 3)]

    def mark(name: str) -> None:
        nonlocal t, c
        t2, c2 = time.perf_counter(), time.process_time()
        phases[name] = [round(t2 - t, 3), round(c2 - c, 3)]
        t, c = t2, c2

    from jiyue import store

    mark("import jiyue.store")
    con = store.connect(None)
    mark("DuckDB + spatial extension")
    con.execute(f"CREATE TEMP TABLE p AS SELECT file_row_number AS r, parcel_id, geometry AS g "
                f"FROM read_parquet('{folder}/parcels.parquet', file_row_number = true)")
    mark("read parcels (id, shape)")
    con.execute(f"CREATE TEMP TABLE b AS SELECT file_row_number AS r, geometry AS g "
                f"FROM read_parquet('{folder}/buildings.parquet', file_row_number = true)")
    mark("read buildings (shape)")
    con.execute("CREATE TEMP TABLE pt AS SELECT r, ST_PointOnSurface(g) AS pt FROM b")
    mark("point on surface (GEOS, DuckDB)")
    n = con.execute("CREATE TEMP TABLE j AS SELECT b.r AS br, p.r AS pr FROM pt b JOIN p ON ST_Intersects(p.g, b.pt)"
                    ).fetchone()
    mark("point-in-parcel join")
    n = con.execute("SELECT count(*) FROM j").fetchone()[0]
    total = [round(time.perf_counter() - T0, 3), round(time.process_time() - C0, 3)]
    print(json.dumps({"phases [wall s, cpu s]": phases, "total [wall s, cpu s]": total, "pairs": n,
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)},
                     indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
