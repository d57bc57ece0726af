#!/usr/bin/env python3
"""Evidence for the suggested change to ``service.evaluate(db=..., zone=...)`` (one zone from the store).

Times, in one warm process, the parts of one call: opening the DuckDB file, ``LOAD``-ing the
spatial extension (``store.connect`` does it on every connection), and the evaluation SQL and
Python (``service.evaluate_selection``), and checks that evaluating on a connection *without* the
spatial extension gives the same document.

Usage: .venv/bin/python bench/experiments/zone_eval_variants.py [--quick]   (after bench/run.py)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from common import DATA_DIR  # noqa: E402


def median_ms(f, n: int = 11) -> float:
    f()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.parse_args()
    from jiyue import store
    from jiyue.evaluation import service
    from jiyue.evaluation.profile import load_profile

    db = str(DATA_DIR / "zone_store.duckdb")
    if not Path(db).exists():
        raise SystemExit("run bench/run.py first (it builds bench/_data/zone_store.duckdb)")
    ext = store.spatial_extension_path()
    prof = load_profile(None)
    c = duckdb.connect(db, read_only=True)
    zone = c.execute("SELECT zone_code FROM snapshots LIMIT 1").fetchone()[0]
    c.close()

    def open_only():
        duckdb.connect(db, read_only=True).close()

    def open_load():
        c = duckdb.connect(db, read_only=True)
        c.execute(f"LOAD '{ext}'")
        c.close()

    def open_load_unsigned():  # signature check skipped: measures what the check costs
        c = duckdb.connect(db, read_only=True, config={"allow_unsigned_extensions": "true"})
        c.execute(f"LOAD '{ext}'")
        c.close()

    def ev_plain():
        c = duckdb.connect(db, read_only=True)
        try:
            return service.evaluate_selection(c, service.selection(c, zone, None), prof)
        finally:
            c.close()

    # order matters: while any connection to the file is open, DuckDB reuses the database
    # instance (and its loaded extensions), so the kept connection is opened last
    rows = [
        ("duckdb.connect(read_only) + close", median_ms(open_only)),
        ("  … + LOAD spatial (what store.connect does)", median_ms(open_load)),
        ("  … + LOAD spatial with allow_unsigned_extensions", median_ms(open_load_unsigned)),
        ("service.evaluate(db=…, zone=…) as it is", median_ms(lambda: service.evaluate(db=db, zone=zone))),
        ("evaluate_selection on a new connection without spatial", median_ms(ev_plain)),
    ]
    shared = duckdb.connect(db, read_only=True)

    def ev_shared():
        return service.evaluate_selection(shared, service.selection(shared, zone, None), prof)

    rows += [
        ("evaluate_selection on one kept connection", median_ms(ev_shared)),
        ("service.evaluate as it is, while another connection is open", median_ms(
            lambda: service.evaluate(db=db, zone=zone))),
    ]
    for label, ms in rows:
        print(f"{label:<58}{ms:8.1f} ms")
    shared.close()
    a = service.evaluate(db=db, zone=zone)["zones"]
    b = ev_plain()
    print("same result without the spatial extension:", a == b)


if __name__ == "__main__":
    main()
