"""National-scale evaluation straight from GeoParquet files, entirely inside DuckDB.

For a ministry or province evaluating thousands of zones at once: parcels and buildings are
read from GeoParquet (contract field names, one projected metric CRS), buildings are assigned
to the parcel holding their footprint's representative point by a DuckDB spatial join, and
the zones are evaluated by the same accounting SQL as the store. Geometries of buildings are
not kept (only their footprint area and parcel), which keeps memory low.

This path trusts its input (it is for packages already validated at their source); use
``jiyue validate`` on any package you have not checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from jiyue import store
from jiyue.evaluation.profile import Profile, load_profile
from jiyue.evaluation.service import evaluate_selection


def _cols(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()}


def _opt(cols: set[str], name: str, sql_type: str, expr: str | None = None) -> str:
    return f"{expr or name}::{sql_type}" if name in cols else f"NULL::{sql_type}"


def load_parquet(con: duckdb.DuckDBPyConnection, *, zones: Path, parcels: Path, buildings: Path | None = None,
                 zone_years: Path | None = None, year: int, import_id: int = 1) -> list[tuple[int, str, int]]:
    """Load GeoParquet layers into the store schema of ``con`` and return the snapshot selection."""
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
        bc = _cols(con, buildings)
        has_pid = "parcel_id" in bc
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _b AS
            SELECT row_number() OVER () AS rid, building_id::VARCHAR AS building_id,
                   {_opt(bc, 'parcel_id', 'VARCHAR')} AS parcel_id, {_opt(bc, 'kind', 'VARCHAR')} AS kind,
                   {_opt(bc, 'floors', 'INTEGER')} AS floors, {_opt(bc, 'floor_area_m2', 'DOUBLE')} AS floor_area_m2,
                   {_opt(bc, 'footprint_m2', 'DOUBLE')} AS footprint_m2,
                   COALESCE({_opt(bc, 'footprint_m2', 'DOUBLE')}, ST_Area(geometry)) AS footprint_eff_m2,
                   {_opt(bc, 'storey_height_m', 'DOUBLE')} AS storey_height_m,
                   ST_PointOnSurface(geometry) AS pt
            FROM read_parquet('{buildings}')""")
        # representative point in parcel; a point on a shared edge takes the smallest parcel id
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _bp AS
            SELECT b.rid, min(p.parcel_id) AS parcel_id
            FROM _b b JOIN parcels p ON ST_Intersects(p.geom, b.pt)
            WHERE p.import_id = {import_id}
            GROUP BY b.rid""")
        given = "COALESCE(b.parcel_id, bp.parcel_id)" if has_pid else "bp.parcel_id"
        con.execute(f"""
            INSERT INTO buildings (import_id, building_id, parcel_id, parcel_eff, kind, floors, floor_area_m2,
                                   footprint_m2, footprint_eff_m2, storey_height_m)
            SELECT {import_id}, b.building_id, b.parcel_id, {given}, b.kind, b.floors, b.floor_area_m2,
                   b.footprint_m2, b.footprint_eff_m2, b.storey_height_m
            FROM _b b LEFT JOIN _bp bp USING (rid)""")
        con.execute("DROP TABLE _b")
        con.execute("DROP TABLE _bp")
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


def evaluate_parquet(*, zones: Path, parcels: Path, buildings: Path | None = None, zone_years: Path | None = None,
                     year: int, profile: str | Path | Profile | None = None,
                     con: duckdb.DuckDBPyConnection | None = None) -> list[dict[str, Any]]:
    """Evaluate every zone of a national GeoParquet set; one result dict per zone."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    own = con is None
    con = con or store.connect(None)
    try:
        sel = load_parquet(con, zones=zones, parcels=parcels, buildings=buildings, zone_years=zone_years,
                           year=year)
        return evaluate_selection(con, sel, prof)
    finally:
        if own:
            con.close()
