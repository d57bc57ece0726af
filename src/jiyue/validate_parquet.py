"""Validation of a plain GeoParquet folder, vectorised end to end: Arrow metadata, DuckDB SQL, GEOS.

A *plain* GeoParquet package is a folder holding only ``zones.parquet``, ``parcels.parquet`` and
optionally ``buildings.parquet`` and ``zone_years.parquet``, with the contract's English column
names and native column types (text as strings, numbers as numbers, dates as dates, flags as
booleans, codes as the contract's codes) and one projected metric CRS in the GeoParquet metadata:
what a ministry or province exports at national scale. Such a folder is validated here without
per-row Python: every rule of the data contract is a set operation in DuckDB (GEOS inside the
spatial extension for validity, point on surface, overlaps, covering) and only the rows with a
finding become :class:`~jiyue.errors.Problem` rows, in the words of :mod:`jiyue.findings`.

A value that the general path (:mod:`jiyue.normalize`) would have to read or convert (text with
blanks around it, a code spelt in Chinese, a number stored as text, a negative or NaN number, an
unknown column, another file in the folder, a layer without CRS …) makes :func:`plain_layers` or
the screen of :func:`validate_parquet` return ``None``: the caller then takes the general path, so
both give the same problems for every input (tests/validate/test_validate_parquet.py checks it on
the malformed-input fixtures). The checks and their order follow :func:`jiyue.validate.validate`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from jiyue import store
from jiyue.errors import Problem, ProblemReport, ReasonCode, Severity
from jiyue.findings import (ProblemSink, OVERLAP_TOLERANCE_M2, OVERLAP_TOLERANCE_SHARE, STRADDLE_TOLERANCE_M2,
                            STRADDLE_TOLERANCE_SHARE, BUILT_UNSUPPLIED_EXPECTED, IDLE_CLASS_EXPECTED, INVALID_EXPECTED, OUTSIDE_EXPECTED,
                            REQUIRED_EXPECTED, STRADDLE_EXPECTED, built_unsupplied_found, duplicate_expected,
                            idle_class_found, no_buildings_zone, no_zone_years, outside_found, overlap_expected,
                            reference_expected, straddle_found)
from jiyue.schema import LAYERS, Field, Layer, fold_name

PLAIN_LAYERS = ("zones", "parcels", "buildings", "zone_years")
AREA_MISMATCH_TOLERANCE = 0.01  # as jiyue.normalize (which imports the reading stack)
GEOM_TYPE_NAMES = {"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon", "MULTIPOINT": "MultiPoint",
                   "MULTILINESTRING": "MultiLineString", "MULTIPOLYGON": "MultiPolygon",
                   "GEOMETRYCOLLECTION": "GeometryCollection", "LINEARRING": "LinearRing"}
# what Python's str.strip() removes: a text value starting or ending with one of these is read
# (stripped) by the general path
_WS_CODES = ", ".join(str(c) for c in range(0x3000 + 1) if chr(c).isspace())


@dataclass
class PlainPackage:
    """A plain GeoParquet folder: its layer files, working CRS and hash."""

    path: Path
    files: dict[str, Path]
    columns: dict[str, list[str]]
    crs: Any
    sha256: str = ""
    empty: dict[str, set[str]] = field(default_factory=dict)  # columns of Arrow type null (all missing)
    geometry: dict[str, str] = field(default_factory=dict)  # the geometry column of each spatial layer


@dataclass
class ParquetReport(ProblemReport):
    """The outcome of validating a plain GeoParquet folder (the interface of ``validate.Report``).

    ``con`` keeps the loaded layers (temp tables ``v_zones``, ``v_parcels``, ``v_buildings``,
    ``v_zone_years``) and the building assignment ``v_assign(b_row, parcel_id)`` for the evaluation
    of the same run (:func:`jiyue.evaluation.bulk.evaluate_validated`): nothing is read twice.
    """

    package: PlainPackage
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    year: int = 0
    con: duckdb.DuckDBPyConnection | None = None

    def row_counts(self) -> dict[str, int]:
        return dict(self.rows)

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None




# --------------------------------------------------------------------------- is it plain?
def _type_ok(f: Field, t: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_null(t):  # every value missing: as the general path reads it
        return True
    if f.type in ("text", "code"):
        return pa.types.is_string(t) or pa.types.is_large_string(t)
    if f.type == "real":
        return pa.types.is_floating(t) or pa.types.is_integer(t)
    if f.type == "int":
        return pa.types.is_integer(t)
    if f.type == "date":
        return pa.types.is_date(t)
    if f.type == "bool":
        return pa.types.is_boolean(t)
    return False


def _metric_projected(crs: Any) -> bool:
    if not crs.is_projected:
        return False
    units = {ax.unit_name.lower() for ax in crs.axis_info}
    return bool(units) and units <= {"metre", "meter", "m"}


def plain_layers(path: str | Path) -> PlainPackage | None:
    """The folder as a plain GeoParquet package, or None when it needs the general reader.

    Only the files' metadata is read (Arrow schemas, the GeoParquet ``geo`` key).
    """
    import pyarrow.parquet as pq

    from jiyue.reader import is_system_file as _is_system_file

    folder = Path(path)
    if not folder.is_dir():
        return None
    files: dict[str, Path] = {}
    for e in sorted(folder.iterdir()):
        if _is_system_file(e):
            continue
        if not e.is_file() or e.suffix != ".parquet" or e.stem not in PLAIN_LAYERS:
            return None
        files[e.stem] = e
    if "zones" not in files or "parcels" not in files:
        return None
    import pyarrow as pa

    crs_seen = None
    columns: dict[str, list[str]] = {}
    empty: dict[str, set[str]] = {}
    geometry: dict[str, str] = {}
    for name, f in files.items():
        layer = LAYERS[name]
        try:
            schema = pq.read_schema(f)
        except Exception:  # noqa: BLE001 - unreadable: the general reader reports it
            return None
        geo = json.loads((schema.metadata or {}).get(b"geo", b"null") or b"null")
        gcol = None
        if layer.geometry:
            if not geo or geo.get("primary_column") not in schema.names:
                return None
            gcol = geo["primary_column"]
            meta = geo["columns"].get(gcol, {})
            if str(meta.get("encoding", "")).upper() != "WKB" or not meta.get("crs"):
                return None
            from pyproj import CRS

            try:
                crs = CRS.from_json_dict(meta["crs"]) if isinstance(meta["crs"], dict) else CRS.from_user_input(meta["crs"])
            except Exception:  # noqa: BLE001
                return None
            if not _metric_projected(crs) or (crs_seen is not None and crs != crs_seen):
                return None
            crs_seen = crs
        elif geo:
            return None
        names = [n for n in schema.names if n != gcol]
        if len(set(names)) != len(names) or any(n not in layer.field_names for n in names):
            return None  # unknown or repeated columns: reported by the general path
        if any(f.required and f.name not in names for f in layer.fields):
            return None
        if any(not _type_ok(layer.field(n), schema.field(n).type) for n in names):
            return None
        if pq.ParquetFile(f).metadata.num_rows == 0 and layer.required:
            return None
        columns[name] = names
        empty[name] = {n for n in names if pa.types.is_null(schema.field(n).type)}
        if gcol is not None:
            geometry[name] = gcol
    return PlainPackage(folder, files, columns, crs_seen, empty=empty, geometry=geometry)


# --------------------------------------------------------------------------- SQL pieces
def _q(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def _canonical_codes(f: Field) -> list[str]:
    """The codes that the general path reads as themselves (exactly, no folding needed)."""
    # jiyue.normalize._enum_lookup, without importing the reading stack (GDAL, geopandas)
    lookup: dict[str, str] = {}
    for code, aliases in (f.enum or {}).items():
        lookup[fold_name(code)] = code
        for a in aliases:
            lookup[fold_name(a)] = code
    return [k for k in (f.enum or {}) if lookup.get(fold_name(k)) == k]


def _screen(f: Field, col: str) -> str | None:
    """SQL that is true for a value the general path would read differently or report."""
    c = f'"{col}"'
    if f.type == "text":
        # the first and the last character against Python's whitespace (10x cheaper than trim with a set)
        return (f"{c} IS NOT NULL AND ({c} = '' OR unicode({c}) IN ({_WS_CODES}) "
                f"OR unicode(right({c}, 1)) IN ({_WS_CODES}))")
    if f.type == "code":
        return f"{c} IS NOT NULL AND {c} NOT IN ({', '.join(_q(k) for k in _canonical_codes(f))})"
    lo, hi = getattr(f, "allowed_range", (0 if f.nonnegative else None, None))
    if f.type in ("real", "int"):  # NaN / inf, and values outside the field's allowed range
        cond = [f"isnan({c}::DOUBLE) OR isinf({c}::DOUBLE)"] if f.type == "real" else []
        cond += [f"{c} < {float(lo)!r}"] if lo is not None else []
        cond += [f"{c} > {float(hi)!r}"] if hi is not None else []
        return f"{c} IS NOT NULL AND ({' OR '.join(cond)})" if cond else None
    if f.type == "date":
        cond = [f"{c} < DATE '{lo.isoformat()}'"] if isinstance(lo, dt.date) else []
        cond += [f"{c} > DATE '{hi.isoformat()}'"] if isinstance(hi, dt.date) else []
        return f"{c} IS NOT NULL AND ({' OR '.join(cond)})" if cond else None
    return None


def _rid_sql(layer: Layer, cols: list[str]) -> str:
    """The row id as the general path shows it: the key (parts joined by '/'), else 第N行."""
    keys = [k for k in layer.key if k in cols]
    if not keys:
        return "'第' || _row || '行'"
    parts = " || '/' || ".join(f'"{k}"::VARCHAR' for k in keys)
    return f"CASE WHEN {' AND '.join(f'{chr(34)}{k}{chr(34)} IS NOT NULL' for k in keys)} THEN {parts} " \
           "ELSE '第' || _row || '行' END"


# --------------------------------------------------------------------------- validate
USABLE = "(NOT missing AND NOT empty AND valid)"  # a shape GEOS can relate and measure
AREA_OK = f"({USABLE} AND gtype IN ('POLYGON', 'MULTIPOLYGON'))"  # ... and with an area
_SQL_TYPES = {"text": "VARCHAR", "code": "VARCHAR", "codes": "VARCHAR", "real": "DOUBLE", "int": "BIGINT",
              "date": "DATE", "bool": "BOOLEAN"}
_GEOMETRY_FACTS = """geometry IS NULL AS missing, COALESCE(ST_IsEmpty(geometry), false) AS empty,
    ST_GeometryType(geometry)::VARCHAR AS gtype,
    CASE WHEN geometry IS NOT NULL AND NOT ST_IsEmpty(geometry) THEN ST_IsValid(geometry) END AS valid,
    ST_XMin(geometry) AS x0, ST_YMin(geometry) AS y0, ST_XMax(geometry) AS x1, ST_YMax(geometry) AS y1"""
def validate_parquet(pkg: PlainPackage, *, keep: bool = False) -> ParquetReport | None:
    """Validate a plain GeoParquet package; None when a value needs the general path.

    ``keep=True`` leaves the connection open on the report (``report.con``) for the evaluation.
    """
    from jiyue import store
    from jiyue.reader import package_hash

    con = store.connect(None)
    try:
        con.execute("SET preserve_insertion_order = true")
        for name, f in pkg.files.items():
            layer = LAYERS[name]
            cols = pkg.columns[name]
            sel = ", ".join(f'NULL::{_SQL_TYPES[layer.field(c).type]} AS "{c}"' if c in pkg.empty.get(name, ())
                            else f'"{c}"' for c in cols)
            src = f"(SELECT (file_row_number + 1)::BIGINT AS _row, * FROM read_parquet({_q(str(f))}, file_row_number = true))"
            if layer.geometry:
                # one pass over the shapes: every fact the checks need (GEOS validity once per shape)
                # one expression per fact, each used once (DuckDB inlines a derived column into every
                # expression using it: GEOS validity would run several times per shape)
                gc = pkg.geometry[name].replace('"', '""')
                con.execute(f"""CREATE TEMP TABLE t_{name} AS SELECT _row, {sel}, geometry AS g, {_GEOMETRY_FACTS}
                                FROM (SELECT * EXCLUDE ("{gc}"), "{gc}" AS geometry FROM {src})""")
            else:
                con.execute(f"CREATE TEMP TABLE t_{name} AS SELECT _row, {sel} FROM {src}")
            # the row id is made only for the rows a query selects (those with a finding)
            con.execute(f"CREATE TEMP VIEW v_{name} AS SELECT *, {_rid_sql(layer, cols)} AS _rid FROM t_{name}")
            screens = [s for s in (_screen(layer.field(c), c) for c in cols) if s]
            if screens and store.scalar(con, f"SELECT count(*) FROM v_{name} WHERE {' OR '.join(screens)}"):
                con.close()
                return None
        pkg.sha256 = package_hash(pkg.path)
        report = ParquetReport(pkg, con=con)
        report.rows = {n: int(store.scalar(con, f"SELECT count(*) FROM v_{n}")) for n in _package_order(pkg)}
        _run_checks(con, pkg, report)
    except BaseException:
        con.close()
        raise
    if not keep:
        report.close()
    return report


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def _package_order(pkg: PlainPackage) -> list[str]:
    """The general path's layer order: tables first, then spatial layers, each in file-name order."""
    names = sorted(pkg.files, key=lambda n: pkg.files[n].name)
    return [n for n in names if not LAYERS[n].geometry] + [n for n in names if LAYERS[n].geometry]


def _has(pkg: PlainPackage, layer: str, col: str) -> bool:
    return layer in pkg.columns and col in pkg.columns[layer]


def _run_checks(con: duckdb.DuckDBPyConnection, pkg: PlainPackage, report: ParquetReport) -> None:
    sink = ProblemSink()
    order = _package_order(pkg)
    # normalize: area_m2 against the geometry's area (parcels)
    if _has(pkg, "parcels", "area_m2"):
        for rid, row, given, garea in _rows(con, """
                SELECT _rid, _row, area_m2, ga FROM (SELECT _rid, _row, area_m2, ST_Area(g) AS ga FROM v_parcels
                                                     WHERE {area_ok} AND area_m2 IS NOT NULL)
                WHERE abs(area_m2 - ga) > {tol} * ga ORDER BY _row""".format(tol=AREA_MISMATCH_TOLERANCE, area_ok=AREA_OK)):
            sink.add(Severity.WARNING, ReasonCode.AREA_MISMATCH, "parcels", rid, "area_m2", f"{given:.2f}",
                     f"{garea:.2f}", row)
    # required values and duplicate keys, layer by layer
    for name in order:
        layer = LAYERS[name]
        cols = pkg.columns[name]
        for f in layer.fields:
            if f.required and f.name in cols:
                for rid, row in _rows(con, f'SELECT _rid, _row FROM v_{name} WHERE "{f.name}" IS NULL ORDER BY _row'):
                    sink.add(Severity.ERROR, ReasonCode.MISSING_VALUE, name, rid, f.name, None, REQUIRED_EXPECTED,
                             row)
        keys = [k for k in layer.key if k in cols]
        if keys:
            kc = ", ".join(f'"{k}"' for k in keys)
            complete = " AND ".join(f'"{k}" IS NOT NULL' for k in keys)
            if not store.scalar(con, f"SELECT count(*) FROM (SELECT {kc} FROM v_{name} WHERE {complete} "
                                f"GROUP BY {kc} HAVING count(*) > 1)"):
                continue
            for rid, row, first in _rows(con, f"""
                    SELECT _rid, _row, first FROM (
                        SELECT _rid, _row, min(_row) OVER (PARTITION BY {kc}) AS first FROM v_{name}
                        WHERE {' AND '.join(f'"{k}" IS NOT NULL' for k in keys)})
                    WHERE _row > first ORDER BY _row"""):
                sink.add(Severity.ERROR, ReasonCode.DUPLICATE_ID, name, rid, "/".join(keys), rid,
                         duplicate_expected(first), row)
    # references
    for name in order:
        for f in LAYERS[name].fields:
            if not f.references or f.name not in pkg.columns[name]:
                continue
            target, tfield = f.references
            n = store.scalar(con, f'SELECT count("{f.name}") FROM v_{name}')
            if not n:
                continue
            if target not in pkg.files:
                sink.add(Severity.WARNING, ReasonCode.REFERENCE_UNCHECKED, name, None, f.name, f"{n} 条记录",
                         reference_expected(target))
                continue
            for rid, row, v in _rows(con, f"""
                    SELECT _rid, _row, "{f.name}" FROM v_{name}
                    WHERE "{f.name}" IS NOT NULL AND "{f.name}" NOT IN (SELECT "{tfield}" FROM v_{target}
                                                                         WHERE "{tfield}" IS NOT NULL)
                    ORDER BY _row"""):
                sink.add(Severity.ERROR, ReasonCode.BROKEN_REFERENCE, name, rid, f.name, v, reference_expected(target),
                         row)
    # classes that contradict each other
    if _has(pkg, "parcels", "idle"):
        for rid, row, sc in _rows(con, "SELECT _rid, _row, supply_class FROM v_parcels WHERE idle IS TRUE "
                                       "AND supply_class IS NOT NULL AND NOT starts_with(supply_class, 'D') ORDER BY _row"):
            sink.add(Severity.WARNING, ReasonCode.INCONSISTENT_CLASS, "parcels", rid, "idle", idle_class_found(sc),
                     IDLE_CLASS_EXPECTED, row)
    for rid, row, bc, sc in _rows(con, "SELECT _rid, _row, build_class, supply_class FROM v_parcels "
                                       "WHERE starts_with(build_class, 'A') AND starts_with(supply_class, 'E') ORDER BY _row"):
        sink.add(Severity.WARNING, ReasonCode.INCONSISTENT_CLASS, "parcels", rid, "supply_class",
                 built_unsupplied_found(bc, sc), BUILT_UNSUPPLIED_EXPECTED, row)
    # geometry
    from jiyue.findings import GEOM_LABELS, GEOM_TYPE_LABELS, GEOM_TYPES

    for name in order:
        layer = LAYERS[name]
        if not layer.geometry:
            continue
        sev = Severity.WARNING if name == "zones" else Severity.ERROR
        allowed = sorted(t.upper() for t in GEOM_TYPES[layer.geometry])
        facts = _rows(con, f"""
            SELECT _rid, _row, missing, empty, gtype, valid FROM v_{name}
            WHERE missing OR empty OR gtype NOT IN ({', '.join(map(_q, allowed))}) OR NOT valid
            ORDER BY _row""")
        for rid, row, missing, *_ in facts:
            if missing:
                sink.add(sev, ReasonCode.MISSING_GEOMETRY, name, rid, None, None, None, row)
        for rid, row, missing, empty, *_ in facts:
            if not missing and empty:
                sink.add(sev, ReasonCode.EMPTY_GEOMETRY, name, rid, None, None, None, row)
        for rid, row, missing, empty, gtype, _ in facts:
            if not missing and not empty and gtype not in allowed:
                t = GEOM_TYPE_NAMES.get(gtype, gtype)
                sink.add(Severity.ERROR, ReasonCode.WRONG_GEOMETRY_TYPE, name, rid, None, GEOM_TYPE_LABELS.get(t, t),
                         GEOM_LABELS[layer.geometry], row)
        bad = [(rid, row) for rid, row, missing, empty, gtype, valid in facts
               if not missing and not empty and gtype in allowed and not valid]
        if bad:
            import shapely

            from jiyue.findings import invalid_reason_zh

            wkb = dict(_rows(con, f"SELECT _row, ST_AsWKB(g) FROM v_{name} WHERE _row IN "
                                  f"({', '.join(str(r) for _, r in bad)})"))
            for rid, row in bad:
                reason = invalid_reason_zh(shapely.is_valid_reason(shapely.from_wkb(bytes(wkb[row]))))
                sink.add(Severity.ERROR, ReasonCode.INVALID_GEOMETRY, name, rid, None, reason, INVALID_EXPECTED, row)
    _check_overlaps(con, sink)
    assigned = "buildings" in pkg.files and report.rows.get("buildings", 0) > 0
    if assigned:
        _assign_buildings(con, pkg, sink)
    _check_buildings_given(con, pkg, report, sink, assigned)
    report.year = _package_year(con, pkg)
    _check_zone_years_given(con, pkg, report.year, sink)
    order_sev = {Severity.ERROR: 0, Severity.WARNING: 1}
    report.problems = sorted(sink.problems, key=lambda p: order_sev[p.severity])


def _check_overlaps(con: duckdb.DuckDBPyConnection, sink: ProblemSink) -> None:
    """Parcel pairs overlapping by more than the tolerance.

    DuckDB's spatial join finds the intersecting pairs; a pair whose bounding boxes overlap by no
    more than 0.5 m² cannot overlap by more than the tolerance (never below 0.5 m²) and is left
    out without touching GEOS (edge-sharing neighbours, the common case). GEOS (shapely) measures
    the remaining pairs exactly, as the general path does.
    """
    # the join condition alone (with more conditions beside it DuckDB plans a nested loop or a
    # piecewise merge join over all pairs); self pairs and mirrored pairs are thinned afterwards
    con.execute(f"""
        CREATE TEMP TABLE o_pairs AS
        SELECT a._row AS ra, b._row AS rb,
               (least(a.x1, b.x1) - greatest(a.x0, b.x0)) * (least(a.y1, b.y1) - greatest(a.y0, b.y0)) AS box
        FROM (SELECT _row, g, x0, y0, x1, y1 FROM v_parcels WHERE {AREA_OK}) a
        JOIN (SELECT _row, g, x0, y0, x1, y1 FROM v_parcels WHERE {AREA_OK}) b ON ST_Intersects(a.g, b.g)""")
    cand = _rows(con, f"""
        SELECT o.ra, o.rb, a._rid, b._rid, ST_AsWKB(a.g), ST_AsWKB(b.g)
        FROM (SELECT ra, rb FROM o_pairs WHERE ra < rb AND box > {OVERLAP_TOLERANCE_M2}) o
        JOIN v_parcels a ON a._row = o.ra JOIN v_parcels b ON b._row = o.rb
        ORDER BY o.ra, o.rb""")
    con.execute("DROP TABLE o_pairs")
    if not cand:
        return
    import numpy as np
    import shapely

    ga = shapely.from_wkb([bytes(c[4]) for c in cand])
    gb = shapely.from_wkb([bytes(c[5]) for c in cand])
    inter = shapely.relate_pattern(ga, gb, "2********")
    area = shapely.area(shapely.intersection(ga, gb))
    tol = np.maximum(OVERLAP_TOLERANCE_M2, OVERLAP_TOLERANCE_SHARE * np.minimum(shapely.area(ga), shapely.area(gb)))
    for (ra, _, rid_a, rid_b, _, _), ok, ar, t in zip(cand, inter, area, tol):
        if ok and ar > t:
            sink.add(Severity.ERROR, ReasonCode.PARCEL_OVERLAP, "parcels", rid_a, None, rid_b, overlap_expected(ar, t),
                     ra)


def _assign_buildings(con: duckdb.DuckDBPyConnection, pkg: PlainPackage, sink: ProblemSink) -> None:
    """The building → parcel assignment of :func:`jiyue.validate.assign_buildings`, in SQL.

    A footprint (present, not empty, valid) belongs to the parcel (a good polygon with an id)
    holding its representative point (GEOS point on surface); on a shared edge the first parcel
    of the file wins. Its own known ``parcel_id`` takes precedence for the evaluation
    (``v_assign.p_row``). Findings: point in no parcel, a given parcel other than the found one, a
    footprint reaching out of the found parcel.

    The covering test is screened by bounding boxes: a footprint whose box lies inside its
    parcel's box, on a parcel whose area falls short of its box by no more than 0.5 m², has at
    most 0.5 m² outside it (never reported) — no GEOS call; the others are tested by DuckDB's
    covered-by and measured exactly by GEOS (shapely), as the general path does.
    """
    import numpy as np

    given = "b.parcel_id" if _has(pkg, "buildings", "parcel_id") else "NULL::VARCHAR"
    con.execute(f"""
        CREATE TEMP TABLE a_pts AS SELECT _row, ST_PointOnSurface(g) AS pt FROM v_buildings WHERE {USABLE}""")
    con.execute(f"""
        CREATE TEMP TABLE a_pairs AS
        SELECT b._row AS b_row, p._row AS p_row
        FROM a_pts b
        JOIN (SELECT _row, g FROM v_parcels WHERE {AREA_OK} AND parcel_id IS NOT NULL) p ON ST_Intersects(p.g, b.pt)""")
    rows = con.sql("SELECT b_row FROM a_pairs").fetchnumpy()["b_row"]
    if len(rows):
        hits = np.bincount(np.asarray(rows, dtype=np.int64))
        tied = np.flatnonzero(hits > 1)
        if len(tied):  # a point on a shared edge: the first parcel of the file keeps the building
            import pandas as pd

            con.register("a_tied", pd.DataFrame({"b_row": tied}))
            con.execute("""DELETE FROM a_pairs USING (SELECT b_row, min(p_row) AS keep FROM a_pairs
                                                      WHERE b_row IN (SELECT b_row FROM a_tied) GROUP BY b_row) t
                           WHERE a_pairs.b_row = t.b_row AND a_pairs.p_row <> t.keep""")
            con.unregister("a_tied")
    del rows
    # the first parcel of each id (the general path's lookup of a given parcel_id)
    con.execute(f"""
        CREATE TEMP TABLE v_assign AS
        SELECT b._row AS b_row, COALESCE(gi.p_row, f.p_row) AS p_row, f.p_row AS found_row, gi.p_row AS given_row,
               {given} AS given, {USABLE} AS usable
        FROM v_buildings b
        LEFT JOIN a_pairs f ON f.b_row = b._row
        LEFT JOIN (SELECT parcel_id, min(_row) AS p_row FROM v_parcels WHERE parcel_id IS NOT NULL GROUP BY parcel_id) gi
               ON gi.parcel_id = {given}""")
    for rid, row, x, y, gv, known in _rows(con, """
            SELECT v._rid, v._row, ST_X(p.pt), ST_Y(p.pt), a.given, a.given_row IS NOT NULL
            FROM v_assign a JOIN v_buildings v ON v._row = a.b_row JOIN a_pts p ON p._row = a.b_row
            WHERE a.usable AND a.found_row IS NULL ORDER BY v._row"""):
        sink.add(Severity.WARNING, ReasonCode.BUILDING_OUTSIDE_PARCELS, "buildings", rid, "parcel_id",
                 outside_found(x, y, gv if known else None), OUTSIDE_EXPECTED, row)
    for rid, row, gv, pid in _rows(con, """
            SELECT v._rid, v._row, a.given, p.parcel_id FROM v_assign a JOIN v_buildings v ON v._row = a.b_row
            JOIN v_parcels p ON p._row = a.found_row
            WHERE a.usable AND a.given_row IS NOT NULL AND a.given_row <> a.found_row ORDER BY v._row"""):
        sink.add(Severity.WARNING, ReasonCode.BUILDING_PARCEL_MISMATCH, "buildings", rid, "parcel_id", gv, pid, row)
    cand = _rows(con, f"""
        WITH pb AS (
            SELECT a.b_row, a.found_row FROM a_pairs x JOIN v_assign a ON a.b_row = x.b_row
            JOIN v_buildings v ON v._row = a.b_row JOIN v_parcels p ON p._row = a.found_row
            WHERE NOT (v.x0 >= p.x0 AND v.y0 >= p.y0 AND v.x1 <= p.x1 AND v.y1 <= p.y1
                       AND (p.x1 - p.x0) * (p.y1 - p.y0) - ST_Area(p.g) <= {STRADDLE_TOLERANCE_M2}))
        SELECT v._rid, v._row, p.parcel_id, ST_AsWKB(v.g), ST_AsWKB(p.g)
        FROM pb JOIN v_buildings v ON v._row = pb.b_row JOIN v_parcels p ON p._row = pb.found_row
        WHERE NOT ST_CoveredBy(v.g, p.g) ORDER BY v._row""")
    con.execute("DROP TABLE a_pairs; DROP TABLE a_pts")  # their memory goes to the evaluation
    if cand:
        import shapely

        bg = shapely.from_wkb([bytes(c[3]) for c in cand])
        pg = shapely.from_wkb([bytes(c[4]) for c in cand])
        covered = shapely.covered_by(bg, pg)
        fa = shapely.area(bg)
        out = fa - shapely.area(shapely.intersection(bg, pg))
        for (rid, row, pid, _, _), cov, oa, a in zip(cand, covered, out, fa):
            if not cov and oa > STRADDLE_TOLERANCE_M2 and oa > STRADDLE_TOLERANCE_SHARE * a:
                sink.add(Severity.WARNING, ReasonCode.BUILDING_STRADDLES_PARCELS, "buildings", rid, "parcel_id",
                         straddle_found(oa, a, pid), STRADDLE_EXPECTED, row)


def _check_buildings_given(con: duckdb.DuckDBPyConnection, pkg: PlainPackage, report: ParquetReport, sink: ProblemSink,
                           assigned: bool) -> None:
    from jiyue.findings import NO_BUILDINGS_EXPECTED

    n = report.rows.get("buildings")
    if not n:
        sink.add(Severity.WARNING, ReasonCode.NO_BUILDINGS, "buildings", None, None,
                 "不存在" if n is None else "没有任何记录", NO_BUILDINGS_EXPECTED)
        return
    if not assigned:
        return
    # a parcel id's zone: the last row of that id (the general path's dict of the parcels)
    for rid, row, code in _rows(con, """
            WITH owner AS (SELECT parcel_id, arg_max(zone_code, _row) AS zone_code FROM v_parcels
                           WHERE parcel_id IS NOT NULL GROUP BY parcel_id),
                 with_b AS (SELECT DISTINCT o.zone_code FROM v_assign a JOIN v_parcels p ON p._row = a.p_row
                            JOIN owner o ON o.parcel_id = p.parcel_id)
            SELECT z._rid, z._row, z.zone_code FROM v_zones z
            WHERE z.zone_code IS NOT NULL AND z.zone_code IN (SELECT zone_code FROM owner WHERE zone_code IS NOT NULL)
              AND z.zone_code NOT IN (SELECT zone_code FROM with_b WHERE zone_code IS NOT NULL)
            ORDER BY z._row"""):
        found, expected = no_buildings_zone(n, code)
        sink.add(Severity.WARNING, ReasonCode.NO_BUILDINGS, "zones", rid, None, found, expected, row)


def _package_year(con: duckdb.DuckDBPyConnection, pkg: PlainPackage) -> int:
    """As :func:`jiyue.validate.package_year` (no enterprise_years in a plain package)."""
    if "zone_years" in pkg.files:
        y = store.scalar(con, "SELECT max(year) FROM v_zone_years")
        if y is not None:
            return int(y)
    if _has(pkg, "parcels", "supply_date"):
        d = store.scalar(con, "SELECT max(supply_date) FROM v_parcels")
        if d is not None:
            return int(d.year)
    return dt.date.today().year - 1


def _check_zone_years_given(con: duckdb.DuckDBPyConnection, pkg: PlainPackage, year: int, sink: ProblemSink) -> None:
    absent = "zone_years" not in pkg.files
    have = "SELECT NULL::VARCHAR AS zone_code WHERE false" if absent else \
        f"SELECT zone_code FROM v_zone_years WHERE (year = {int(year)} OR year IS NULL) AND zone_code IS NOT NULL"
    derived = {"industrial_tax_wan": False, "industrial_fai_wan": False}  # no enterprise_years here
    for (code,) in _rows(con, f"""
            SELECT zone_code FROM (SELECT zone_code, min(_row) AS r FROM v_zones WHERE zone_code IS NOT NULL
                                   AND zone_code NOT IN ({have}) GROUP BY zone_code) ORDER BY r"""):
        found, expected = no_zone_years(code, year, absent, derived)
        sink.add(Severity.WARNING, ReasonCode.NO_ZONE_YEARS, "zone_years", f"{code}/{year}", None, found, expected)


def validate_package(path: str | Path, *, keep: bool = False) -> Any:
    """Validate any package: a plain GeoParquet folder on the vectorised path, anything else (and a
    plain folder with a value to read or report while normalising) on the general path. The same
    problems either way. ``keep``: see :func:`validate_parquet` (the caller closes the report)."""
    plain = plain_layers(path)
    if plain is not None:
        report = validate_parquet(plain, keep=keep)
        if report is not None:
            return report
    from jiyue.validate import validate_path

    return validate_path(path)
