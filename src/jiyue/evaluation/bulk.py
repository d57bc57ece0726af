"""National-scale evaluation straight from GeoParquet files, entirely inside DuckDB.

For a ministry or province evaluating thousands of zones at once: parcels and buildings are
read from GeoParquet (contract field names, one projected metric CRS), buildings are assigned
to parcels by the import's rule (own ``parcel_id``, else the parcel holding the footprint's
representative point) and summed per parcel, and the zones are evaluated by the same
accounting SQL as the store. Building geometries are never kept; only the pairs (building row,
parcel row) with three numbers each live for the duration of the run, which keeps memory at a
quarter of a GeoPandas run.

This path trusts its input (it is for packages already validated at their source); use
``jiyue validate`` on any package you have not checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from jiyue import store
from jiyue.landrules import floor_area_sql
from jiyue.evaluation.profile import Profile, load_profile
from jiyue.evaluation.results import evaluate_selection
from jiyue.evaluation.results import selection as _selection


def _cols(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()}


def _opt(cols: set[str], name: str, sql_type: str, expr: str | None = None) -> str:
    return f"{expr or name}::{sql_type}" if name in cols else f"NULL::{sql_type}"


PARCEL_BUILDINGS = "bulk_parcel_buildings"


def load_parquet(con: duckdb.DuckDBPyConnection, *, zones: Path, parcels: Path, buildings: Path | None = None,
                 zone_years: Path | None = None, year: int, import_id: int = 1,
                 keep_buildings: bool = True) -> list[tuple[int, str, int]]:
    """Load GeoParquet layers into the store schema of ``con`` and return the snapshot selection.

    With ``keep_buildings=False`` the buildings are not stored one by one: they are assigned and
    summed straight into per-parcel totals (table :data:`PARCEL_BUILDINGS`), which is all the
    evaluation needs — the national path.
    """
    store.migrate(con)
    zc = _cols(con, zones)
    con.execute(f"""
        INSERT INTO zones (import_id, zone_code, name, province, city, level, category, eval_type, approved_area_ha)
        SELECT {import_id}, zone_code::VARCHAR, {_opt(zc, 'name', 'VARCHAR')}, {_opt(zc, 'province', 'VARCHAR')},
               {_opt(zc, 'city', 'VARCHAR')}, {_opt(zc, 'level', 'VARCHAR')}, {_opt(zc, 'category', 'VARCHAR')},
               eval_type::VARCHAR, {_opt(zc, 'approved_area_ha', 'DOUBLE')}
        FROM read_parquet('{zones}')""")
    pc = _cols(con, parcels)
    con.execute(f"""
        INSERT INTO parcels (import_id, parcel_id, zone_code, build_class, supply_class, area_m2, geom_area_m2,
                             area_eff_m2, land_use_code, hightech, user_id, supply_date, idle, geom)
        SELECT {import_id}, parcel_id::VARCHAR, zone_code::VARCHAR, build_class::VARCHAR, supply_class::VARCHAR,
               {_opt(pc, 'area_m2', 'DOUBLE')}, ST_Area(g), COALESCE({_opt(pc, 'area_m2', 'DOUBLE')}, ST_Area(g)),
               {_opt(pc, 'land_use_code', 'VARCHAR')}, {_opt(pc, 'hightech', 'VARCHAR')},
               {_opt(pc, 'user_id', 'VARCHAR')}, {_opt(pc, 'supply_date', 'DATE')}, {_opt(pc, 'idle', 'BOOLEAN')}, g
        FROM (SELECT *, geometry AS g FROM read_parquet('{parcels}'))""")
    if buildings is not None:
        if keep_buildings:
            _load_buildings(con, buildings, import_id)
        else:
            _parcel_building_totals(con, buildings, import_id)
    if zone_years is not None:
        yc = _cols(con, zone_years)
        con.execute(f"""
            INSERT INTO zone_years (import_id, zone_code, year, tax_total_wan, industrial_tax_wan,
                                    industrial_fai_wan, population)
            SELECT {import_id}, zone_code::VARCHAR, "year"::INTEGER, {_opt(yc, 'tax_total_wan', 'DOUBLE')},
                   {_opt(yc, 'industrial_tax_wan', 'DOUBLE')}, {_opt(yc, 'industrial_fai_wan', 'DOUBLE')},
                   {_opt(yc, 'population', 'INTEGER')}
            FROM read_parquet('{zone_years}')""")
    con.execute(f"INSERT INTO snapshots SELECT zone_code, {int(year)}, {import_id} FROM zones "
                f"WHERE import_id = {import_id}")
    return [(import_id, r[0], int(year)) for r in
            con.execute(f"SELECT zone_code FROM zones WHERE import_id = {import_id} ORDER BY zone_code").fetchall()]


def _building_columns(bc: set[str]) -> str:
    return (f"{_opt(bc, 'kind', 'VARCHAR')} AS kind, {_opt(bc, 'floors', 'INTEGER')} AS floors, "
            f"{_opt(bc, 'floor_area_m2', 'DOUBLE')} AS floor_area_m2, "
            f"{_opt(bc, 'footprint_m2', 'DOUBLE')} AS footprint_m2, "
            f"COALESCE({_opt(bc, 'footprint_m2', 'DOUBLE')}, ST_Area(geometry)) AS footprint_eff_m2, "
            f"{_opt(bc, 'storey_height_m', 'DOUBLE')} AS storey_height_m, "
            f"{_opt(bc, 'parcel_id', 'VARCHAR')} AS given_parcel")


PAIRS = "_bulk_pairs"
# the footprint's representative point, as validate's shapely ``representative_point`` (GEOS
# point-on-surface: always inside the footprint). bench/experiments/assign_point.py swaps it.
REPRESENTATIVE_POINT = "ST_PointOnSurface(geometry)"


def _assign(con: duckdb.DuckDBPyConnection, buildings: Path, import_id: int, carry: str) -> None:
    """Create the temp table :data:`PAIRS` ``(rid, prow, <carry>)``: each building and its parcel.

    ``rid`` is the building's row number in the file (no window over millions of rows), ``prow``
    the ``rowid`` of its parcel in ``parcels``, ``carry`` the building columns (SQL over alias
    ``b``) taken along. The rule is the import's: a building's own ``parcel_id`` wins when it names
    a parcel of the import; otherwise the parcel holding the footprint's representative point
    (``ST_PointOnSurface``); a point on a shared edge or in an overlap takes the smallest
    ``parcel_id``; a building in no parcel has no row.

    The spatial join yields a pair per parcel hit; ties are rare, so instead of grouping millions
    of rows by building, the duplicated row numbers are found with one ``numpy.bincount`` and only
    their losing pairs are deleted.
    """
    bc = _cols(con, buildings)
    src = (f"(SELECT file_row_number AS rid, {_building_columns(bc)}, geometry "
           f"FROM read_parquet('{buildings}', file_row_number = true))")
    parcels = f"(SELECT rowid AS prow, parcel_id, geom FROM parcels WHERE import_id = {int(import_id)})"
    spatial = (f"SELECT b.rid, p.prow, {carry} FROM (SELECT *, {REPRESENTATIVE_POINT} AS pt FROM {src} "
               f"{{where}}) b JOIN {parcels} p ON ST_Intersects(p.geom, b.pt)")
    if "parcel_id" in bc:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {PAIRS} AS SELECT b.rid, p.prow, {carry} "
                    f"FROM {src} b JOIN {parcels} p ON p.parcel_id = b.given_parcel")
        known = f"(SELECT parcel_id FROM parcels WHERE import_id = {int(import_id)})"
        con.execute(f"INSERT INTO {PAIRS} " + spatial.format(
            where=f"WHERE given_parcel IS NULL OR given_parcel NOT IN {known}"))
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {PAIRS} AS " + spatial.format(where=""))
    rid = con.sql(f"SELECT rid FROM {PAIRS}").fetchnumpy()["rid"]
    if len(rid) == 0:
        return
    hits = np.bincount(np.asarray(rid, dtype=np.int64))
    tied = np.flatnonzero(hits > 1)
    del rid, hits
    if len(tied):
        con.register("_bulk_tied", pd.DataFrame({"rid": tied}))
        con.execute(f"""
            DELETE FROM {PAIRS} USING (
                SELECT j.rid, j.prow, row_number() OVER (PARTITION BY j.rid ORDER BY p.parcel_id) AS k
                FROM {PAIRS} j JOIN parcels p ON p.rowid = j.prow
                WHERE j.rid IN (SELECT rid FROM _bulk_tied)) loser
            WHERE {PAIRS}.rid = loser.rid AND {PAIRS}.prow = loser.prow AND loser.k > 1""")
        con.unregister("_bulk_tied")


def _load_buildings(con: duckdb.DuckDBPyConnection, buildings: Path, import_id: int) -> None:
    _assign(con, buildings, import_id, carry="1 AS one")
    bc = _cols(con, buildings)
    con.execute(f"""
        INSERT INTO buildings (import_id, building_id, parcel_id, parcel_eff, kind, floors, floor_area_m2,
                               footprint_m2, footprint_eff_m2, storey_height_m)
        SELECT {int(import_id)}, b.building_id, b.given_parcel, p.parcel_id, b.kind, b.floors, b.floor_area_m2,
               b.footprint_m2, b.footprint_eff_m2, b.storey_height_m
        FROM (SELECT file_row_number AS rid, building_id::VARCHAR AS building_id, {_building_columns(bc)}
              FROM read_parquet('{buildings}', file_row_number = true)) b
        LEFT JOIN {PAIRS} j ON j.rid = b.rid LEFT JOIN parcels p ON p.rowid = j.prow""")
    con.execute(f"DROP TABLE {PAIRS}")


def _parcel_building_totals(con: duckdb.DuckDBPyConnection, buildings: Path, import_id: int) -> None:
    is_bld = "COALESCE(b.kind, 'building') = 'building'"
    _assign(con, buildings, import_id, carry=(
        f"{floor_area_sql('b')} AS fa, "
        f"CASE WHEN {is_bld} THEN b.footprint_eff_m2 END AS fp, b.footprint_eff_m2 AS fp_all"))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {PARCEL_BUILDINGS} AS
        SELECT {int(import_id)} AS import_id, p.parcel_id, k.fa, k.fp, k.fp_all, k.n_buildings
        FROM (SELECT prow, SUM(fa) AS fa, SUM(fp) AS fp, SUM(fp_all) AS fp_all, count(*) AS n_buildings
              FROM {PAIRS} GROUP BY prow) k
        JOIN parcels p ON p.rowid = k.prow""")
    con.execute(f"DROP TABLE {PAIRS}")


def parquet_year(files: dict[str, Path]) -> int:
    """The package year of a GeoParquet set (docs/data-contract.md): the latest ``zone_years.year``,
    else the year of the latest ``parcels.supply_date``, else last year."""
    import datetime as dt

    con = duckdb.connect()
    try:
        if "zone_years" in files:
            y = store.scalar(con, f"SELECT max(\"year\") FROM read_parquet('{files['zone_years']}')")
            if y is not None:
                return int(y)
        if "supply_date" in _cols(con, files["parcels"]):
            d = store.scalar(con, f"SELECT max(supply_date) FROM read_parquet('{files['parcels']}')")
            if d is not None:
                return int(d.year)
    finally:
        con.close()
    return dt.date.today().year - 1


def evaluate_parquet(*, zones: Path, parcels: Path, buildings: Path | None = None, zone_years: Path | None = None,
                     year: int, profile: str | Path | Profile | None = None,
                     con: duckdb.DuckDBPyConnection | None = None) -> list[dict[str, Any]]:
    """Evaluate every zone of a national GeoParquet set; one result dict per zone."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    own = con is None
    con = con or store.connect(None)
    try:
        con.execute("SET preserve_insertion_order = false")
        sel = load_parquet(con, zones=zones, parcels=parcels, buildings=buildings, zone_years=zone_years,
                           year=year, keep_buildings=False)
        return evaluate_selection(con, sel, prof,
                                  parcel_buildings=PARCEL_BUILDINGS if buildings is not None else None)
    finally:
        if own:
            con.close()


# --------------------------------------------------------------------------- after validation
def _store_select(con: duckdb.DuckDBPyConnection, table: str, layer: str, present: list[str], import_id: int,
                  overrides: dict[str, str], catalog: str | None = None) -> str:
    """SELECT list filling store table ``table`` (of database ``catalog``, default the connection's
    own) from the validated layer ``v_<layer>``."""
    cat = catalog or store.scalar(con, "SELECT current_database()")
    cols = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                       "AND table_schema = 'main' AND table_catalog = ? ORDER BY ordinal_position",
                       [table, cat]).fetchall()
    out = []
    for name, dtype in cols:
        if name == "import_id":
            out.append(f"{int(import_id)}::INTEGER")
        elif name in overrides:
            out.append(f"({overrides[name]})::{dtype}")
        elif name in present:
            out.append(f'v."{name}"::{dtype}')
        else:
            out.append(f"NULL::{dtype}")
    return ", ".join(out)


# the geometry's area where it means one (jiyue.validate_parquet.AREA_OK over alias v)
GEOM_AREA = ("CASE WHEN NOT v.missing AND NOT v.empty AND v.valid AND v.gtype IN ('POLYGON', 'MULTIPOLYGON') "
             "THEN ST_Area(v.g) END")


def load_validated(con: duckdb.DuckDBPyConnection, columns: dict[str, list[str]], *, year: int, import_id: int = 1,
                   geometry: bool = False, keep_buildings: bool = False, catalog: str | None = None,
                   ) -> list[tuple[int, str, int]]:
    """Fill the store tables of ``con`` from a plain GeoParquet package validated on ``con``
    (:mod:`jiyue.validate_parquet`: tables ``v_<layer>`` and the assignment ``v_assign``); return
    the snapshot selection. Values mean what the general import gives them: a parcel's area is its
    official ``area_m2`` when given, else its geometry's; a building's parcel is the validation's.

    ``keep_buildings=False`` sums the buildings straight into :data:`PARCEL_BUILDINGS` (the
    evaluation); ``geometry=False`` leaves the shapes out (the evaluation does not read them).
    ``catalog``: write into this attached store (the import) instead of the connection's own
    database (migrated here); the snapshots are then the caller's to write.
    """
    if catalog is None:
        store.migrate(con)
    db = f"{catalog}." if catalog else ""
    geom = "v.g" if geometry else "NULL"
    con.execute(f"INSERT INTO {db}zones SELECT "
                f"{_store_select(con, 'zones', 'zones', columns['zones'], import_id, {'geom': geom}, catalog)} "
                "FROM v_zones v ORDER BY v._row")
    con.execute(f"""INSERT INTO {db}parcels SELECT {_store_select(con, 'parcels', 'parcels', columns['parcels'], import_id, {
        'geom_area_m2': GEOM_AREA, 'geom': geom,
        'area_eff_m2': f"COALESCE({'v.area_m2' if 'area_m2' in columns['parcels'] else 'NULL'}, {GEOM_AREA})"},
        catalog)}
        FROM v_parcels v ORDER BY v._row""")
    if "zone_years" in columns:
        con.execute(f"INSERT INTO {db}zone_years SELECT "
                    f"{_store_select(con, 'zone_years', 'zone_years', columns['zone_years'], import_id, {}, catalog)} "
                    "FROM v_zone_years v ORDER BY v._row")
    if "buildings" in columns:
        bcols = columns["buildings"]
        fp = f"COALESCE({'v.footprint_m2' if 'footprint_m2' in bcols else 'NULL'}, {GEOM_AREA})"
        if keep_buildings:
            con.execute(f"""INSERT INTO {db}buildings SELECT {_store_select(con, 'buildings', 'buildings', bcols, import_id, {
                'parcel_eff': 'p.parcel_id', 'footprint_eff_m2': fp, 'geom': geom}, catalog)}
                FROM v_buildings v JOIN v_assign a ON a.b_row = v._row LEFT JOIN v_parcels p ON p._row = a.p_row
                ORDER BY v._row""")
        else:
            def c(name: str, t: str) -> str:
                return f'v."{name}"::{t} AS {name}' if name in bcols else f"NULL::{t} AS {name}"

            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE {PARCEL_BUILDINGS} AS
                SELECT {int(import_id)} AS import_id, p.parcel_id, k.fa, k.fp, k.fp_all, k.n_buildings
                FROM (SELECT b.p_row, SUM({floor_area_sql('b')}) AS fa,
                             SUM(CASE WHEN COALESCE(b.kind, 'building') = 'building' THEN b.footprint_eff_m2 END) AS fp,
                             SUM(b.footprint_eff_m2) AS fp_all, count(*) AS n_buildings
                      FROM (SELECT a.p_row, {c('kind', 'VARCHAR')}, {c('floors', 'INTEGER')},
                                   {c('floor_area_m2', 'DOUBLE')}, {c('storey_height_m', 'DOUBLE')},
                                   {fp} AS footprint_eff_m2
                            FROM v_assign a JOIN v_buildings v ON v._row = a.b_row WHERE a.p_row IS NOT NULL) b
                      GROUP BY b.p_row) k
                JOIN v_parcels p ON p._row = k.p_row""")
    if catalog:
        return []
    con.execute(f"INSERT INTO snapshots SELECT DISTINCT zone_code, {int(year)}, {int(import_id)} FROM zones "
                f"WHERE import_id = {int(import_id)} AND zone_code IS NOT NULL")
    return [(int(import_id), r[0], int(year)) for r in con.execute(
        f"SELECT zone_code FROM snapshots WHERE import_id = {int(import_id)} ORDER BY zone_code").fetchall()]


def evaluate_validated(report: Any, profile: Profile, *, zone: str | None = None,
                       year: int | None = None) -> list[dict[str, Any]]:
    """Evaluate a plain GeoParquet package right after its validation (``validate_parquet(...,
    keep=True)``), on the validation's own connection: the layers are read once and the building
    assignment computed once for both."""
    con = report.con
    y = int(year) if year is not None else int(report.year)
    load_validated(con, report.package.columns, year=y)
    sel = _selection(con, zone, y)
    return evaluate_selection(con, sel, profile,
                              parcel_buildings=PARCEL_BUILDINGS if "buildings" in report.package.columns else None)
