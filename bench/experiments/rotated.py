"""Benchmark 4 on rotated and irregular shapes: does the fast path only work on axis-aligned boxes?

Takes a folder made by ``bench/gen.py`` and writes a copy in which 30 % of the parcels get a
notch (a vertex pushed 0.5 m into the parcel at the middle of one side: a concave hexagon, which
bench/experiments/ringfacts.py leaves to GEOS for validity), then every parcel and building is shrunk to 0.7 about
the centre of its 200 m cell and rotated about it by the cell's own angle (0–90°): rotated
rectangles, rotated concave hexagons, no shape axis-aligned. Shrinking and rotating keep every
containment and every gap (``area_m2`` is scaled with the shapes). Then it runs ``jiyue validate``, ``jiyue evaluate`` and the GeoPandas
reference on the copy (one run each, like bench/run.py's benchmark 4) and prints a table.

    .venv/bin/python bench/experiments/rotated.py bench/_data/cli_1000000 [--out DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))

from gen import CELL, X0, Y0  # noqa: E402
from run import JIYUE_CLI, PY, YEAR, cli_evaluate, compare, indicators_of, measure  # noqa: E402


def _write(src: Path, dst: Path, geoms: np.ndarray) -> None:
    t = pq.read_table(src)
    i = t.column_names.index("geometry")
    t = t.set_column(i, "geometry", pa.array(list(shapely.to_wkb(geoms, byte_order=1)), pa.binary()))
    meta = json.loads(t.schema.metadata[b"geo"])
    col = meta["columns"]["geometry"]
    names = {3: "Polygon", 6: "MultiPolygon"}
    col["geometry_types"] = sorted(names[int(k)] for k in np.unique(shapely.get_type_id(geoms)))
    col["bbox"] = list(map(float, shapely.total_bounds(geoms)))
    t = t.replace_schema_metadata({**t.schema.metadata, b"geo": json.dumps(meta).encode()})
    pq.write_table(t, dst)


def notch(boxes: np.ndarray, depth: float = 0.5) -> np.ndarray:
    """Axis-aligned boxes with a vertex pushed ``depth`` in at the middle of their right side."""
    b = shapely.bounds(boxes)
    x0, y0, x1, y1 = b.T
    ring = np.stack([np.c_[x1, y0], np.c_[x1 - depth, (y0 + y1) / 2], np.c_[x1, y1], np.c_[x0, y1], np.c_[x0, y0],
                     np.c_[x1, y0]], axis=1)
    return shapely.polygons(ring)


def turn(geoms: np.ndarray, scale: float = 0.7) -> np.ndarray:
    """Every shape shrunk by ``scale`` about the centre of its 200 m cell, then rotated about it by
    the cell's own angle (0–90°). After shrinking, every point lies within 0.7 × 100 √2 < 100 m
    of the centre, so any rotation keeps each parcel and its buildings inside their cell."""
    cell = shapely.get_coordinates(shapely.point_on_surface(geoms))
    ix, iy = np.floor((cell[:, 0] - X0) / CELL), np.floor((cell[:, 1] - Y0) / CELL)
    angle = ((ix * 7919 + iy * 104729) % 1000) / 1000 * (np.pi / 2)
    xy, idx = shapely.get_coordinates(geoms, return_index=True)
    cx, cy = X0 + (ix[idx] + 0.5) * CELL, Y0 + (iy[idx] + 0.5) * CELL
    c, s = np.cos(angle[idx]), np.sin(angle[idx])
    dx, dy = (xy[:, 0] - cx) * scale, (xy[:, 1] - cy) * scale
    return shapely.set_coordinates(geoms.copy(), np.c_[cx + dx * c - dy * s, cy + dx * s + dy * c])


def make(src: Path, dst: Path, seed: int = 12, scale: float = 0.7) -> dict:
    rng = np.random.default_rng(seed)
    dst.mkdir(parents=True, exist_ok=True)
    parcels = pq.read_table(src / "parcels.parquet")
    pg = shapely.from_wkb(parcels.column("geometry").to_numpy(zero_copy_only=False))
    notched = rng.random(len(pg)) < 0.3
    pg[notched] = notch(pg[notched])
    t = parcels.set_column(parcels.column_names.index("area_m2"), "area_m2",
                           pa.compute.multiply(parcels.column("area_m2"), scale * scale))
    pq.write_table(t, dst / "parcels.parquet")
    _write(dst / "parcels.parquet", dst / "parcels.parquet", turn(pg, scale))
    bld = pq.read_table(src / "buildings.parquet", columns=["geometry"])
    bg = shapely.from_wkb(bld.column("geometry").to_numpy(zero_copy_only=False))
    _write(src / "buildings.parquet", dst / "buildings.parquet", turn(bg, scale))
    for f in src.glob("*.parquet"):
        if not (dst / f.name).exists():
            shutil.copy(f, dst / f.name)
    return {"parcels": len(pg), "notched": int(notched.sum()), "buildings": len(bg)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("src", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    dst = a.out or a.src.parent / f"{a.src.name}_rotated"
    if not (dst / "buildings.parquet").exists():
        print("making", dst, make(a.src, dst), flush=True)
    jout, rout = dst.parent / f"{dst.name}_evaluate.json", dst.parent / f"{dst.name}_reference.json"
    rows = []
    for i in range(a.repeat):
        rows.append(("validate", measure(f"rot_validate_{i}", [JIYUE_CLI, "validate", str(dst), "--format", "json"])))
        rows.append(("evaluate", measure(f"rot_evaluate_{i}", cli_evaluate(dst, jout))))
        rows.append(("reference", measure(f"rot_reference_{i}", [PY, "reference_geopandas.py", str(dst), str(rout),
                                                                 str(YEAR)])))
    agree = compare(indicators_of(jout), json.loads(rout.read_text()))
    print(json.dumps({"runs": [(k, r["wall_s"], r["cpu_s"], r["peak_rss_mib"], r["rc"]) for k, r in rows],
                      "agreement": {k: agree[k] for k in ("max_rel_diff", "ok")}}, indent=1))


if __name__ == "__main__":
    main()
