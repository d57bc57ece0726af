"""`jiyue import FOLDER` of a plain GeoParquet folder into either store.

A DuckDB file takes the vectorised validation straight into the file; a server store
(postgresql://) is written from the general path's package. Both hold the same rows: the
6 parcels of factories.small_package() and their buildings, one snapshot."""

from __future__ import annotations

import json
import subprocess
import sys

from factories import small_package
from jiyue import store

PLAIN = ("zones", "parcels", "buildings", "zone_years")


def _folder(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    layers = {k: v for k, v in small_package().items() if k in PLAIN}
    layers["buildings"]["floors"] = layers["buildings"]["floors"].astype("Int64")
    for name, df in layers.items():
        df.to_parquet(folder / f"{name}.parquet")
    return folder, {n: len(df) for n, df in layers.items()}


def _jiyue(*args):
    return subprocess.run([sys.executable, "-m", "jiyue", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_import_of_a_geoparquet_folder_into_either_store(backend, tmp_path):
    folder, n = _folder(tmp_path)
    r = _jiyue("import", folder, "--db", backend, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["imported"]["counts"]["parcels"] == 6 == n["parcels"]
    with store.open_store(backend, read_only=True, spatial=False) as con:
        assert con.execute("SELECT count(*) FROM parcels").fetchone()[0] == 6
        assert con.execute("SELECT count(*) FROM buildings").fetchone()[0] == n["buildings"]
        assert con.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 1
    # again without --replace: refused, nothing changed (exit 1)
    again = _jiyue("import", folder, "--db", backend)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    with store.open_store(backend, read_only=True, spatial=False) as con:
        assert con.execute("SELECT count(*) FROM parcels").fetchone()[0] == 6

