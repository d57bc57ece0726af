"""Unknown fields survive the store (migration 2), and a version-1 store is migrated in place."""

from __future__ import annotations

from pathlib import Path

import duckdb

from factories import small_package, write_gpkg
from jiyue import migrations, store
from jiyue.sources import load_tables
from jiyue.validate import validate_path


def test_extra_fields_round_trip(tmp_path: Path) -> None:
    layers = small_package()
    layers["enterprises"] = layers["enterprises"].assign(园区=["东区"], credit_code=None)
    layers["enterprise_years"] = layers["enterprise_years"].assign(用水量=[1234.5])
    pkg = write_gpkg(layers, tmp_path / "p.gpkg")
    db = tmp_path / "s.duckdb"
    store.import_package(db, validate_path(pkg))
    t = load_tables(db=db)
    assert t.layers["enterprises"]["x_园区"].tolist() == ["东区"]
    assert t.layers["enterprise_years"]["x_用水量"].tolist() == [1234.5]
    assert "x_园区" not in t.layers["parcels"].columns  # nothing invented for other layers


def test_version_1_store_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    for stmt in store.MIGRATIONS[1]:
        con.execute(stmt)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.close()
    with store.open_store(db) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION == migrations.LATEST
        cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'parcels'").fetchall()}
        assert "extra" in cols
