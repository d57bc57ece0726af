"""Helpers shared by the benchmark workers (each worker runs in its own process)."""

from __future__ import annotations

import json
import math
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "_data"
RESULT_PREFIX = "BENCH_RESULT "

# the 13 indicators of TD/T 1029 as jiyue reports them (checked against jiyue in run.py)
INDICATOR_KEYS = ("supply_rate", "built_rate", "development_rate", "industrial_land_ratio", "far",
                  "building_density", "industrial_far", "industrial_building_coefficient",
                  "industrial_fai_intensity", "industrial_tax_per_ha", "tax_per_ha", "population_density",
                  "idle_rate")


def emit(result: dict[str, Any]) -> None:
    """The worker's one machine-readable line (run.py takes the last one)."""
    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False, default=str), flush=True)


class Phases:
    """Wall time of named phases inside a worker."""

    def __init__(self) -> None:
        self.t: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.t[name] = round(self.t.get(name, 0.0) + time.perf_counter() - t0, 3)


def spatial_extension_path() -> str:
    """The signed DuckDB spatial binary inside the duckdb-extension-spatial wheel (offline)."""
    import importlib.util

    import duckdb

    spec = importlib.util.find_spec("duckdb_extension_spatial")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("duckdb-extension-spatial is not installed")
    base = Path(list(spec.submodule_search_locations)[0])
    return str(base / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension")


def write_indicators(path: Path, table: dict[str, dict[str, float | None]]) -> None:
    """zone_code -> {indicator key: value or None}, as JSON (NaN written as null)."""
    clean = {z: {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v))
                 for k, v in d.items()} for z, d in table.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(clean, sort_keys=True))


def fail(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
    raise SystemExit(3)


def run_variant(script: str, variant: str, data: Path, out: Path) -> dict[str, Any]:
    """Run ``script --child VARIANT --data DATA --out OUT`` in its own process (bench/experiments).

    Returns wall time around the process, its CPU time and peak RSS (``os.wait4`` on that child),
    its exit code and its last ``BENCH_RESULT`` line.
    """
    import os
    import subprocess

    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, script, "--child", variant, "--data", str(data), "--out", str(out)],
                         stdout=subprocess.PIPE, text=True)
    text = p.stdout.read() if p.stdout else ""
    _, status, ru = os.wait4(p.pid, 0)
    res = next((json.loads(x[len(RESULT_PREFIX):]) for x in reversed(text.splitlines())
                if x.startswith(RESULT_PREFIX)), None)
    return {"wall_s": time.perf_counter() - t, "cpu_s": ru.ru_utime + ru.ru_stime, "rss_mib": ru.ru_maxrss / 1024,
            "rc": os.waitstatus_to_exitcode(status), "result": res}


def max_rel_diff(a: dict, b: dict) -> float:
    """Largest relative difference of the 13 indicators between two zone → indicator tables
    (infinite when an indicator is missing on one side only)."""
    m = 0.0
    for z in a:
        for k in INDICATOR_KEYS:
            x, y = a[z].get(k), b.get(z, {}).get(k)
            if (x is None) != (y is None):
                return float("inf")
            if x is not None and (x or y):
                m = max(m, abs(x - y) / max(abs(x), abs(y)))
    return m
