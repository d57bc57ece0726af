"""Writing the package as one GeoPackage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyogrio

from jiyue.demo.assembly import build_demo
from jiyue.demo.identity import LAYER_NAMES


# --------------------------------------------------------------------------- writing
def write_demo(out: str | Path, seed: int = 2020) -> Path:
    """Write the demo package as ONE GeoPackage at ``out`` (overwritten if it exists).

    Spatial layers become feature tables, the others GeoPackage attribute tables. Dates are
    written as GPKG ``DATE`` fields and booleans as boolean fields (via the Arrow writer).
    """
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    layers = build_demo(seed)
    for name in LAYER_NAMES:
        _write_layer(layers[name], path, name)
    return path


def _write_layer(frame: pd.DataFrame, path: Path, layer: str) -> None:
    try:
        import pyarrow  # noqa: F401  (the Arrow writer keeps DATE and boolean field types)
    except ImportError:  # pragma: no cover - pyarrow is a declared dependency
        frame = frame.copy()
        for col in frame.columns:
            if frame[col].dtype == object and frame[col].map(lambda v: isinstance(v, dt.date)).any():
                frame[col] = pd.to_datetime(frame[col])
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG")
        return
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", use_arrow=True)
