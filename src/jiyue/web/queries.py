"""Every SQL query of the web application (routes hold none); all parameterised.

Reads take the request's cursor. The only write here is the map's derived geometry table
(``web_parcel_geo``: parcels in Web Mercator with their bounding boxes, built once per import),
done by the caller under the store's write lock.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from jiyue.landrules import floor_area_sql

Snapshot = tuple[int, str, int]
WEB_MERCATOR_R = 20037508.342789244
TILE_EXTENT = 4096
TILE_BUFFER = 64


def _records(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    res = cur.execute(sql, params or [])
    cols = [d[0] for d in res.description]
    return [dict(zip(cols, _plain_row(r), strict=True)) for r in res.fetchall()]


def _plain(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _plain_row(r: tuple[Any, ...]) -> list[Any]:
    return [_plain(v) for v in r]


# --------------------------------------------------------------------------- zones and snapshots
def snapshots(cur: duckdb.DuckDBPyConnection) -> list[Snapshot]:
    """Every (import id, zone, year) in the store."""
    return [(int(r[0]), str(r[1]), int(r[2])) for r in cur.execute(
        "SELECT import_id, zone_code, year FROM snapshots ORDER BY zone_code, year").fetchall()]


def zones(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Zones in the store with their latest year and the years available."""
    return _records(cur, """
        SELECT s.zone_code, arg_max(z.name, s.year) AS name, arg_max(z.eval_type, s.year) AS eval_type,
               max(s.year) AS year, list(s.year ORDER BY s.year) AS years,
               arg_max(s.import_id, s.year) AS import_id
        FROM snapshots s LEFT JOIN zones z ON z.import_id = s.import_id AND z.zone_code = s.zone_code
        GROUP BY s.zone_code ORDER BY s.zone_code""")


def snapshot_of(cur: duckdb.DuckDBPyConnection, zone: str, year: int | None = None) -> Snapshot | None:
    """The snapshot of a zone in a year (default: its latest)."""
    if year is None:
        row = cur.execute("SELECT import_id, zone_code, year FROM snapshots WHERE zone_code = ? "
                          "ORDER BY year DESC LIMIT 1", [zone]).fetchone()
    else:
        row = cur.execute("SELECT import_id, zone_code, year FROM snapshots WHERE zone_code = ? AND year = ?",
                          [zone, int(year)]).fetchone()
    return None if row is None else (int(row[0]), str(row[1]), int(row[2]))


def import_info(cur: duckdb.DuckDBPyConnection, import_id: int) -> dict[str, Any]:
    rows = _records(cur, "SELECT import_id, imported_at, source, sha256, year, zones, jiyue_version, warnings "
                         "FROM imports WHERE import_id = ?", [import_id])
    if not rows:
        return {"import_id": import_id}
    # the package's file name only: where it lay on the server is not shown (docs/web.md, error messages)
    src = str(rows[0].get("source") or "").replace("\\", "/")
    return {**rows[0], "source": src.rsplit("/", 1)[-1] or None}


def table_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the store's data tables (used to show that a refused upload changed nothing)."""
    out = {}
    for t in ("imports", "snapshots", "zones", "parcels", "buildings", "enterprises", "enterprise_years",
              "contracts", "progress"):
        row = cur.execute(f"SELECT count(*) FROM {t}").fetchone()  # t is from the fixed list above
        out[t] = int(row[0]) if row else 0
    return out


def enterprise_ids(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(enterprise_id, name) of every enterprise in the store's latest imports."""
    return [(str(r[0]), str(r[1] or "")) for r in cur.execute("""
        SELECT enterprise_id, arg_max(name, import_id) FROM enterprises GROUP BY enterprise_id
        ORDER BY enterprise_id""").fetchall()]


def enterprise_exists(cur: duckdb.DuckDBPyConnection, enterprise_id: str) -> bool:
    row = cur.execute("SELECT count(*) FROM enterprises WHERE enterprise_id = ?", [enterprise_id]).fetchone()
    return bool(row and row[0])


# --------------------------------------------------------------------------- map geometry
def ensure_geo(cur: duckdb.DuckDBPyConnection, import_id: int) -> int:
    """Build the Web Mercator copy of an import's parcels once; returns its row count.

    Each parcel keeps its bounding box (for the tile filter) and its geometry as WKB (for the
    tile encoder, :mod:`jiyue.web.mvt`). Call inside a write transaction. The source CRS is the
    import's (``imports.crs``).
    """
    row = cur.execute("SELECT count(*) FROM web_parcel_geo WHERE import_id = ?", [import_id]).fetchone()
    if row and row[0]:
        return int(row[0])
    # copies of imports that were replaced since (``jiyue import --replace``) are not needed any more
    cur.execute("DELETE FROM web_parcel_geo WHERE import_id NOT IN (SELECT import_id FROM imports)")
    crs_row = cur.execute("SELECT crs FROM imports WHERE import_id = ?", [import_id]).fetchone()
    if crs_row is None or not crs_row[0]:
        return 0
    cur.execute("""
        INSERT INTO web_parcel_geo
        SELECT import_id, parcel_id, zone_code, build_class, supply_class, idle, user_id,
               ST_XMin(g), ST_YMin(g), ST_XMax(g), ST_YMax(g), ST_AsWKB(g)
        FROM (SELECT *, ST_Transform(geom, ?, 'EPSG:3857', true) AS g FROM parcels
              WHERE import_id = ? AND geom IS NOT NULL)
        ORDER BY zone_code, ST_YMin(g), ST_XMin(g)""", [str(crs_row[0]), import_id])
    row = cur.execute("SELECT count(*) FROM web_parcel_geo WHERE import_id = ?", [import_id]).fetchone()
    return int(row[0]) if row else 0


def geo_ready(cur: duckdb.DuckDBPyConnection, import_id: int) -> bool:
    row = cur.execute("SELECT count(*) > 0 FROM web_parcel_geo WHERE import_id = ?", [import_id]).fetchone()
    return bool(row and row[0])


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web Mercator bounds (xmin, ymin, xmax, ymax) of tile z/x/y."""
    size = 2 * WEB_MERCATOR_R / (1 << z)
    xmin = -WEB_MERCATOR_R + x * size
    ymax = WEB_MERCATOR_R - y * size
    return xmin, ymax - size, xmin + size, ymax


def tile(cur: duckdb.DuckDBPyConnection, import_id: int, zone: str, z: int, x: int, y: int) -> bytes:
    """A Mapbox vector tile (layer ``parcels``) of the zone's parcels; parcels under half a pixel are left out.

    Properties: ``pid`` parcel id, ``bc`` construction class, ``sc`` supply class, ``idle`` "1"/"0",
    ``uid`` the user enterprise ("" when none).
    """
    import shapely

    from jiyue.web import mvt

    xmin, ymin, xmax, ymax = tile_bounds(z, x, y)
    size = xmax - xmin
    pad = size * TILE_BUFFER / TILE_EXTENT
    min_size = size / 1024  # half a pixel of a 512-pixel tile
    rows = cur.execute("""
        SELECT parcel_id, COALESCE(build_class, ''), COALESCE(supply_class, ''),
               CASE WHEN idle THEN '1' ELSE '0' END, COALESCE(user_id, ''), wkb
        FROM web_parcel_geo
        WHERE import_id = ? AND zone_code = ? AND xmax >= ? AND xmin <= ? AND ymax >= ? AND ymin <= ?
          AND (xmax - xmin >= ? OR ymax - ymin >= ?)""",
        [import_id, zone, xmin - pad, xmax + pad, ymin - pad, ymax + pad, min_size, min_size]).fetchall()
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), (), (), ()]
    geoms = shapely.from_wkb(list(cols[5])) if rows else np.empty(0, dtype=object)
    props = {"pid": cols[0], "bc": cols[1], "sc": cols[2], "idle": cols[3], "uid": cols[4]}
    return mvt.encode("parcels", geoms, props, (xmin, ymin, xmax, ymax), extent=TILE_EXTENT, buffer=TILE_BUFFER)


def zone_outline(cur: duckdb.DuckDBPyConnection, import_id: int, zone: str) -> dict[str, Any]:
    """The zone boundary as GeoJSON (WGS 84 / CGCS2000 lon-lat) and the parcels' bounds."""
    crs_row = cur.execute("SELECT crs FROM imports WHERE import_id = ?", [import_id]).fetchone()
    crs = str(crs_row[0]) if crs_row and crs_row[0] else None
    feature: dict[str, Any] | None = None
    if crs:
        row = cur.execute("""
            SELECT ST_AsGeoJSON(ST_Transform(geom, ?, 'EPSG:4326', true)), name FROM zones
            WHERE import_id = ? AND zone_code = ? AND geom IS NOT NULL""", [crs, import_id, zone]).fetchone()
        if row and row[0]:
            feature = {"type": "Feature", "properties": {"zone_code": zone, "name": row[1]},
                       "geometry": json.loads(row[0])}
    b = cur.execute("SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM web_parcel_geo "
                    "WHERE import_id = ? AND zone_code = ?", [import_id, zone]).fetchone()
    bounds = None
    if b and b[0] is not None:
        bounds = [*_lonlat(b[0], b[1]), *_lonlat(b[2], b[3])]
    return {"type": "FeatureCollection", "features": [feature] if feature else [], "bounds": bounds}


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon = x / WEB_MERCATOR_R * 180.0
    lat = math.degrees(2 * math.atan(math.exp(y / 6378137.0)) - math.pi / 2)
    return lon, lat


# --------------------------------------------------------------------------- parcel card
_FA = floor_area_sql("b")


def parcel(cur: duckdb.DuckDBPyConnection, import_id: int, zone: str, parcel_id: str) -> dict[str, Any] | None:
    """Everything the store holds about one parcel (the map's card); figures derived from it
    (area in 亩, FAR, density) come from the engines (:func:`jiyue.web.routes.map.parcel_card`)."""
    rows = _records(cur, """
        SELECT parcel_id, zone_code, build_class, supply_class, area_m2, geom_area_m2, area_eff_m2,
               land_use_code, hightech, user_id, supply_date, supply_method, contract_no, idle
        FROM parcels WHERE import_id = ? AND zone_code = ? AND parcel_id = ?""", [import_id, zone, parcel_id])
    if not rows:
        return None
    p = rows[0]
    ent = _records(cur, "SELECT enterprise_id, name, credit_code, industry_code, scale FROM enterprises "
                        "WHERE import_id = ? AND enterprise_id = ?", [import_id, p["user_id"] or ""])
    contract = _records(cur, "SELECT * EXCLUDE (import_id) FROM contracts WHERE import_id = ? AND contract_no = ?",
                        [import_id, p["contract_no"] or ""])
    progress = _records(cur, "SELECT date, event, developed_area_m2, invested_wan, approved, cause FROM progress "
                             "WHERE import_id = ? AND contract_no = ? ORDER BY date, event",
                        [import_id, p["contract_no"] or ""])
    buildings = _records(cur, f"""
        SELECT building_id, kind, floors, {_FA} AS floor_area_m2, footprint_eff_m2 AS footprint_m2
        FROM buildings b WHERE import_id = ? AND parcel_eff = ? ORDER BY building_id""", [import_id, parcel_id])
    return {"parcel": p, "enterprise": ent[0] if ent else None, "contract": contract[0] if contract else None,
            "progress": progress, "buildings": buildings}


# --------------------------------------------------------------------------- enterprises
def enterprise_rows(cur: duckdb.DuckDBPyConnection, import_id: int, zone: str, holders: list[str]
                    ) -> list[dict[str, Any]]:
    """The enterprises of a snapshot (of the zone, of no zone, or holding one of its parcels:
    ``holders``) with their latest year's figures."""
    return _records(cur, """
        WITH yr AS (
            SELECT enterprise_id, arg_max(year, year) AS year, arg_max(tax_wan, year) AS tax_wan,
                   arg_max(revenue_wan, year) AS revenue_wan, arg_max(value_added_wan, year) AS value_added_wan,
                   arg_max(employees, year) AS employees
            FROM enterprise_years WHERE import_id = ? GROUP BY enterprise_id)
        SELECT e.enterprise_id, e.name, e.credit_code, e.industry_code, e.scale,
               y.year, y.tax_wan, y.revenue_wan, y.value_added_wan, y.employees
        FROM enterprises e LEFT JOIN yr y ON y.enterprise_id = e.enterprise_id
        WHERE e.import_id = ? AND (e.zone_code = ? OR e.zone_code IS NULL OR list_contains(?, e.enterprise_id))
        ORDER BY e.enterprise_id""", [import_id, import_id, zone, holders])


def parcel_users(cur: duckdb.DuckDBPyConnection, import_id: int, zone: str) -> pd.DataFrame:
    """``user_id`` and ``area_eff_m2`` of the snapshot's parcels that have a user."""
    return cur.execute("SELECT user_id, area_eff_m2 FROM parcels WHERE import_id = ? AND zone_code = ? "
                       "AND user_id IS NOT NULL ORDER BY parcel_id", [import_id, zone]).fetchdf()


def enterprise(cur: duckdb.DuckDBPyConnection, enterprise_id: str) -> dict[str, Any] | None:
    """One enterprise's file (一企一档): master data, parcels, yearly figures, contracts (latest import)."""
    rows = _records(cur, """
        SELECT import_id, enterprise_id, credit_code, name, industry_code, scale, founded, zone_code
        FROM enterprises WHERE enterprise_id = ? ORDER BY import_id DESC LIMIT 1""", [enterprise_id])
    if not rows:
        return None
    e = rows[0]
    imp = e["import_id"]
    parcels = _records(cur, """
        SELECT parcel_id, zone_code, build_class, supply_class, area_eff_m2, supply_date, contract_no, idle
        FROM parcels WHERE import_id = ? AND user_id = ? ORDER BY parcel_id""", [imp, enterprise_id])
    years = _records(cur, """
        SELECT year, tax_wan, revenue_wan, value_added_wan, output_wan, energy_tce, emission_t,
               electricity_mwh, employees, rd_wan, fixed_assets_wan, land_m2_extra, veto
        FROM enterprise_years WHERE import_id = ? AND enterprise_id = ? ORDER BY year""", [imp, enterprise_id])
    contracts = _records(cur, """
        SELECT contract_no, parcel_id, signed_date, land_price_wan, start_agreed, completion_agreed,
               commit_fai_per_mu, commit_far, commit_tax_per_mu
        FROM contracts WHERE import_id = ? AND enterprise_id = ? ORDER BY contract_no""", [imp, enterprise_id])
    return {"enterprise": e, "parcels": parcels, "years": years, "contracts": contracts}


# --------------------------------------------------------------------------- confirmations and objections
def confirmations(cur: duckdb.DuckDBPyConnection, enterprise_id: str) -> list[dict[str, Any]]:
    return _records(cur, """
        SELECT c.confirmation_id, c.year, c.what, c.note, c.confirmed_at AS at, u.username
        FROM web_confirmations c LEFT JOIN web_users u ON u.user_id = c.user_id
        WHERE c.enterprise_id = ? ORDER BY c.confirmation_id DESC""", [enterprise_id])


#: an objection as the web shows it, read from the per-mu objection ledger (jiyue.mujun.ledger):
#: one table for the web page and the CLI; one filed from the CLI names no subject (it is about a
#: published result), an answer is the objection's decision
_OBJECTIONS = """
    SELECT o.objection_id, o.enterprise_id, coalesce(o.year, v.year) AS year, coalesce(o.subject, 'class') AS subject,
           o.claim AS text, coalesce(d.decision, 'open') AS status, o.filed_at, o.actor AS filed_by,
           d.note AS answer, d.actor AS answered_by, d.decided_at AS answered_at, o.version_id
    FROM mujun_objections o LEFT JOIN mujun_decisions d ON d.objection_id = o.objection_id
    LEFT JOIN mujun_versions v ON v.version_id = o.version_id"""


def objections(cur: duckdb.DuckDBPyConnection, enterprise_id: str | None = None, status: str | None = None
               ) -> list[dict[str, Any]]:
    where, params = [], []
    if enterprise_id is not None:
        where.append("o.enterprise_id = ?")
        params.append(enterprise_id)
    if status is not None:
        where.append("coalesce(d.decision, 'open') = ?")
        params.append(status)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    return _records(cur, f"{_OBJECTIONS} {clause} ORDER BY o.objection_id DESC", params)


def objection(cur: duckdb.DuckDBPyConnection, objection_id: int) -> dict[str, Any] | None:
    rows = _records(cur, f"{_OBJECTIONS} WHERE o.objection_id = ?", [objection_id])
    return rows[0] if rows else None


def next_feedback_id(cur: duckdb.DuckDBPyConnection) -> int:
    row = cur.execute("SELECT nextval('web_feedback_seq')").fetchone()
    assert row is not None
    return int(row[0])


def insert_confirmation(cur: duckdb.DuckDBPyConnection, *, enterprise_id: str, year: int, what: str,
                        note: str, user_id: int) -> int:
    cid = next_feedback_id(cur)
    cur.execute("INSERT INTO web_confirmations VALUES (?, ?, ?, ?, ?, ?, ?)",
                [cid, enterprise_id, year, what, note, user_id, dt.datetime.now()])
    return cid


def insert_objection(cur: duckdb.DuckDBPyConnection, *, enterprise_id: str, year: int, subject: str,
                     text: str, username: str) -> int:
    """File an objection in the per-mu objection ledger (the same row and event as ``jiyue mujun-objection
    file``), against the latest published version of ``year`` when there is one."""
    from jiyue.mujun import ledger as mujun_ledger

    rec = mujun_ledger.record_objection(cur, version_id=mujun_ledger.latest_version(cur, year, enterprise_id),
                                        enterprise_id=enterprise_id, claim=text, actor=username, year=year,
                                        subject=subject)
    return int(rec["objection_id"])


def answer_objection(cur: duckdb.DuckDBPyConnection, objection_id: int, *, status: str, answer: str,
                     username: str) -> None:
    """Accept or reject an objection: the decision of the per-mu objection ledger (the same row and
    event as ``jiyue mujun-objection decide``; a decision is never changed)."""
    from jiyue.mujun import ledger as mujun_ledger

    mujun_ledger.decide("", objection_id, status, actor=username, note=answer, con=cur)


# --------------------------------------------------------------------------- uploads
def insert_upload(cur: duckdb.DuckDBPyConnection, *, upload_id: str, user_id: int, filename: str,
                  stored_path: str, size: int, sha256: str, status: str, errors: int, warnings: int) -> None:
    cur.execute("INSERT INTO web_uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                [upload_id, user_id, filename, stored_path, size, sha256, dt.datetime.now(), status, errors,
                 warnings])


def upload(cur: duckdb.DuckDBPyConnection, upload_id: str) -> dict[str, Any] | None:
    rows = _records(cur, "SELECT * FROM web_uploads WHERE upload_id = ?", [upload_id])
    return rows[0] if rows else None


def uploads(cur: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict[str, Any]]:
    return _records(cur, """
        SELECT w.upload_id, w.filename, w.size, w.created_at, w.status, w.errors, w.warnings, w.import_id,
               u.username FROM web_uploads w LEFT JOIN web_users u ON u.user_id = w.user_id
        ORDER BY w.created_at DESC LIMIT ?""", [limit])


def mark_upload(cur: duckdb.DuckDBPyConnection, upload_id: str, *, status: str, import_id: int | None = None) -> None:
    cur.execute("UPDATE web_uploads SET status = ?, import_id = ? WHERE upload_id = ?", [status, import_id, upload_id])
