"""Package or store → :class:`~jiyue.liveability.engine.Inputs` → the liveability document.

The same edge as the other engines: a package is validated and loaded into an in-memory store,
the store is read as it is; both go through :func:`load_inputs` (one SQL read per layer).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import shapely

import jiyue
from jiyue.evaluation.service import open_source
from jiyue.landrules import floor_area_sql
from jiyue.liveability.engine import Inputs, analyse
from jiyue.liveability.rules import Rules, load_rules

__all__ = ["liveability", "load_inputs", "analyse_snapshot"]

LEVEL_FIELDS = ("level", "等级", "层级", "学段")
POPULATION_FIELDS = ("population", "人口", "居住人口")


def _extra(extra: pd.Series, names: tuple[str, ...]) -> pd.Series:
    def pick(s: Any) -> Any:
        if not s:
            return None
        try:
            d = json.loads(s)
        except (TypeError, ValueError):
            return None
        for n in names:
            for k in (n, f"x_{n}"):
                if k in d and d[k] not in (None, ""):
                    return d[k]
        return None

    return extra.map(pick) if len(extra) else pd.Series([], dtype=object)


def _geoms(df: pd.DataFrame) -> np.ndarray:
    return shapely.from_wkb(df["wkb"].map(lambda b: bytes(b) if b is not None else None).to_numpy())


def load_inputs(con: duckdb.DuckDBPyConnection, snap: tuple[int, str, int]) -> Inputs:
    """The inputs of one zone's snapshot (import id, zone code, year) from a store connection."""
    imp, zone, year = snap
    parcels = con.execute("""SELECT parcel_id, build_class, supply_class, coalesce(area_eff_m2, area_m2) AS area_m2,
                             ST_AsWKB(geom) AS wkb FROM parcels WHERE import_id = ? AND zone_code = ?
                             ORDER BY parcel_id""", [imp, zone]).fetchdf()
    parcels["geometry"] = _geoms(parcels)
    # residents are shared out by real floor space (建筑面积): no doubling of high storeys (jiyue.landrules)
    buildings = con.execute(f"""
        SELECT b.building_id, b.parcel_eff AS parcel_id, b.kind,
               {floor_area_sql("b", tall_storeys=False)} AS floor_area_m2,
               b.extra, ST_AsWKB(b.geom) AS wkb
        FROM buildings b JOIN parcels p ON p.import_id = b.import_id AND p.parcel_id = b.parcel_eff
        WHERE b.import_id = ? AND p.zone_code = ? ORDER BY b.building_id""", [imp, zone]).fetchdf()
    buildings["geometry"] = _geoms(buildings)
    buildings["population"] = pd.to_numeric(_extra(buildings["extra"], POPULATION_FIELDS), errors="coerce")
    # facilities and roads carry no zone code: those of the import (a package is usually one zone)
    fac = con.execute("""SELECT facility_id, kind, name, capacity, extra, ST_AsWKB(geom) AS wkb FROM facilities
                         WHERE import_id = ? ORDER BY facility_id""", [imp]).fetchdf()
    fac["geometry"] = _geoms(fac)
    fac["level"] = _extra(fac["extra"], LEVEL_FIELDS)
    roads = con.execute("SELECT ST_AsWKB(geom) AS wkb FROM roads WHERE import_id = ?", [imp]).fetchdf()
    zrow = con.execute("""SELECT z.name, z.eval_type, y.population, i.crs FROM zones z
                          LEFT JOIN zone_years y ON y.import_id = z.import_id AND y.zone_code = z.zone_code AND y.year = ?
                          LEFT JOIN imports i ON i.import_id = z.import_id
                          WHERE z.import_id = ? AND z.zone_code = ?""", [year, imp, zone]).fetchone()
    emp = con.execute("""SELECT sum(y.employees) FROM enterprise_years y JOIN enterprises e
                         ON e.import_id = y.import_id AND e.enterprise_id = y.enterprise_id
                         WHERE y.import_id = ? AND y.year = ? AND (e.zone_code = ? OR e.zone_code IS NULL)""",
                      [imp, year, zone]).fetchone()
    name, eval_type, pop, crs = zrow if zrow else (None, None, None, None)
    return Inputs(zone_code=zone, parcels=parcels.drop(columns="wkb"), facilities=fac.drop(columns=["wkb", "extra"]),
                  roads=_geoms(roads), buildings=buildings.drop(columns=["wkb", "extra"]),
                  population=float(pop) if pop is not None else None,
                  employees=float(emp[0]) if emp and emp[0] is not None else None,
                  eval_type=eval_type, zone_name=name, year=year, crs=crs)


def analyse_snapshot(con: duckdb.DuckDBPyConnection, snap: tuple[int, str, int], rules: Rules,
                     **kw: Any) -> dict[str, Any]:
    doc = analyse(load_inputs(con, snap), rules, **kw)
    doc["import_id"] = snap[0]
    return doc


def liveability(pkg: str | Path | None = None, db: str | Path | None = None, *, zone: str | None = None,
                year: int | None = None, profile: str | Path | Rules | None = None, allow_disconnected: bool = False,
                site: list[str] | None = None, picks: int | None = None, keep_arrays: bool = False
                ) -> dict[str, Any]:
    """The document of ``jiyue liveability``: one entry per selected zone."""
    rules = profile if isinstance(profile, Rules) else load_rules(profile)
    zones = []
    with open_source(pkg, db, zone=zone, year=year) as src:
        for snap in src.selection:
            d = analyse_snapshot(src.con, snap, rules, allow_disconnected=allow_disconnected, site=site, picks=picks)
            if not keep_arrays:
                d.pop("_arrays", None)
            zones.append(d)
        provenance = src.provenance
    return {"ruleset": rules.describe(), "jiyue_version": jiyue.__version__, "provenance": provenance,
            "circles": [{"key": c.key, "label": c.label, "radius_m": c.radius_m, "minutes": c.minutes,
                         "source": c.source} for c in rules.circles],
            "zones": zones}
