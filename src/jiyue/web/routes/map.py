"""The parcel map: MapLibre over a blank canvas (or the configured tile service), parcels as
vector tiles cut by DuckDB, coloured by construction class, supply class, idle status or the
user's per-mu class; a click opens the parcel's card."""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from jiyue.errors import JiyueError
from jiyue.evaluation.service import parcel_buildings
from jiyue.web import labels, queries
from jiyue.web.deps import ctx, cursor, require
from jiyue.web.errors import bad_request, not_found, responses
from jiyue.web.routes.common import pick_zone, render
from jiyue.web.tiles import MAX_ZOOM, MIN_ZOOM
from jiyue.web.users import User

router = APIRouter()

ZONE = Query(None, max_length=100)
YEAR = Query(None, ge=1900, le=2200)


def _legends() -> dict[str, Any]:
    def rows(items: list[tuple[str, str, str]]) -> list[dict[str, str]]:
        return [{"value": v, "label": lab, "colour": col} for v, lab, col in items]

    return {"build": rows(labels.BUILD_GROUP_COLOURS), "supply": rows(labels.SUPPLY_COLOURS),
            "idle": rows(labels.IDLE_COLOURS), "mujun": rows(labels.MUJUN_COLOURS),
            "none": labels.NO_VALUE_COLOUR, "modes": labels.MAP_MODES}


def mujun_classes(request: Request, snap: tuple[int, str, int]) -> tuple[dict[str, str], str | None]:
    """enterprise_id -> per-mu class letter of the zone's latest evaluable year, or a reason."""
    eng = ctx(request).engines
    try:
        doc = eng.mujun(snap, snap[2])
    except JiyueError as e:
        return {}, e.message
    from jiyue.mujun.service import map_classes

    return map_classes(doc), None


@router.get("/map", include_in_schema=False)
def map_page(request: Request, zone: str | None = ZONE, year: int | None = YEAR,
             mode: str = Query("build", pattern="^(build|supply|idle|mujun)$"),
             parcel: str | None = Query(None, max_length=100),
             user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    snap, zones = pick_zone(cur, zone, year)
    if snap is None:
        return render(request, "empty.html", user)
    c = ctx(request)
    c.tiles.ensure_geo(cur, snap[0])
    outline = queries.zone_outline(cur, snap[0], snap[1])
    config = {
        "zone": snap[1], "year": snap[2], "import_id": snap[0], "mode": mode, "parcel": parcel,
        "tiles": f"/api/zones/{snap[1]}/tiles/{snap[0]}/{{z}}/{{x}}/{{y}}.pbf",
        "card": f"/map/card/{{pid}}?zone={snap[1]}&year={snap[2]}",
        "mujun": f"/api/zones/{snap[1]}/mujun-classes?year={snap[2]}",
        "minzoom": MIN_ZOOM, "maxzoom": MAX_ZOOM, "outline": outline,
        "basemap": c.settings.tile_url, "attribution": c.settings.tile_attribution,
        "legends": _legends(),
    }
    return render(request, "map.html", user, zones=zones, snap=snap, config=config, mode=mode)


@router.get("/map/card/{parcel_id}", include_in_schema=False)
def card(request: Request, parcel_id: str = Path(max_length=100), zone: str | None = ZONE, year: int | None = YEAR,
         user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    doc = parcel_card(request, cur, snap, parcel_id)
    return render(request, "_card.html", user, c=doc, snap=snap, il=_labels("jiyue.idle.labels"),
                  sl=_labels("jiyue.standard_land.labels"))


def _labels(module: str) -> Any:
    """An engine's label catalogue for the card (None when the engine is absent)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def parcel_card(request: Request, cur: duckdb.DuckDBPyConnection, snap: tuple[int, str, int], parcel_id: str
                ) -> dict[str, Any]:
    """The card of a parcel: store data plus what the idle-land, standard-land and per-mu engines say."""
    from jiyue.mujun.service import parcels_in_mu

    doc = queries.parcel(cur, snap[0], snap[1], parcel_id)
    if doc is None:
        raise not_found(labels.MSG["parcel_not_found"].format(zone=snap[1], parcel=parcel_id))
    doc["parcel"] = parcels_in_mu([doc["parcel"]])[0]
    doc["building_totals"] = parcel_buildings(doc["buildings"], doc["parcel"]["area_eff_m2"])
    eng = ctx(request).engines
    extra: dict[str, Any] = {"idle": None, "idle_error": None, "standard_land": None, "standard_land_error": None,
                             "mujun": None, "mujun_error": None}
    try:
        extra["idle"] = eng.idle_entry(snap, parcel_id)
    except JiyueError as e:
        extra["idle_error"] = e.message
    contract_no = doc["parcel"].get("contract_no")
    if contract_no:
        try:
            extra["standard_land"] = eng.standard_land_contract(snap, str(contract_no))
        except JiyueError as e:
            extra["standard_land_error"] = e.message
    uid = doc["parcel"].get("user_id")
    if uid:
        try:
            m = eng.mujun(snap, snap[2])
            extra["mujun"] = next((r for r in m["enterprises"] if r["enterprise_id"] == uid), None)
        except JiyueError as e:
            extra["mujun_error"] = e.message
    return {**doc, **extra, "zone_code": snap[1], "year": snap[2]}


@router.get("/api/zones/{zone}/parcels/{parcel_id}", summary="A parcel's card", responses=responses(401, 403, 404, 422))
def card_api(request: Request, zone: str = Path(max_length=100), parcel_id: str = Path(max_length=100),
             year: int | None = YEAR, user: User = Depends(require("view_zone")),
             cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> dict[str, Any]:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    return {"ok": True, **parcel_card(request, cur, snap, parcel_id)}


@router.get("/api/zones/{zone}/tiles/{import_id}/{z}/{x}/{y}.pbf", summary="A vector tile of the zone's parcels",
            response_class=Response, responses={200: {"content": {"application/vnd.mapbox-vector-tile": {}}}, **responses(401, 403, 404, 422)})
def tile(request: Request, zone: str = Path(max_length=100), import_id: int = Path(ge=1, le=2**31 - 1),
         z: int = Path(ge=0, le=MAX_ZOOM), x: int = Path(ge=0, le=2**MAX_ZOOM), y: int = Path(ge=0, le=2**MAX_ZOOM),
         user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    n = 1 << z
    if x >= n or y >= n:
        raise bad_request(f"瓦片编号超出范围：z={z} 时 x、y 应小于 {n}")
    tiles = ctx(request).tiles
    if not tiles.known(cur, import_id, zone):
        raise not_found(labels.MSG["zone_not_found"].format(zone=zone))
    data = b"" if z < MIN_ZOOM else tiles.get(cur, import_id, zone, z, x, y)
    return Response(data, media_type="application/vnd.mapbox-vector-tile",
                    headers={"Cache-Control": "private, max-age=86400"})


@router.get("/api/zones/{zone}/outline", summary="The zone boundary (GeoJSON, lon/lat) and the parcels' bounds",
            responses=responses(401, 403, 404, 422))
def outline(request: Request, zone: str = Path(max_length=100), year: int | None = YEAR,
            user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
            ) -> dict[str, Any]:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    ctx(request).tiles.ensure_geo(cur, snap[0])
    return {"ok": True, **queries.zone_outline(cur, snap[0], snap[1])}


@router.get("/api/zones/{zone}/mujun-classes", summary="Per-mu class of each enterprise (for colouring the map)",
            responses=responses(401, 403, 404, 422))
def mujun_api(request: Request, zone: str = Path(max_length=100), year: int | None = YEAR,
              user: User = Depends(require("view_zone")), cur: duckdb.DuckDBPyConnection = Depends(cursor)
              ) -> dict[str, Any]:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    classes, reason = mujun_classes(request, snap)
    return {"ok": True, "classes": classes, "unavailable": reason}
