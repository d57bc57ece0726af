"""DuckDB extensions shipped in their wheels (no download at run time)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from jiyue import messages
from jiyue.errors import StoreError


def spatial_extension_path() -> Path:
    """The signed spatial extension binary shipped in the duckdb-extension-spatial wheel."""
    import duckdb_extension_spatial

    base = Path(duckdb_extension_spatial.__file__).parent / "extensions"
    want = base / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if not want.exists():
        have = sorted(p.name for p in base.iterdir()) if base.exists() else []
        raise StoreError(messages.TEXT["store_drift"].format(duckdb=duckdb.__version__,
                                                             spatial=",".join(have) or "无"))
    return want
