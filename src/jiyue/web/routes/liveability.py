"""The liveability page (产城融合·生活圈): residential parcels coloured by the services they miss,
facility points, isochrone outlines of a chosen service; the coverage and 产城融合 tables beside.

The result is computed from the request's store cursor by :mod:`jiyue.liveability` and kept in
a small cache of this module (key: store, import, zone, year, rule file), so the page and its API
answer at once after the first visit.
"""

from __future__ import annotations

import threading
from typing import Any

import duckdb
import numpy as np
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from jiyue import codes
from jiyue.errors import JiyueError
from jiyue.web.deps import ctx, cursor, require
from jiyue.web.errors import bad_request, not_found, responses
from jiyue.web.routes.common import pick_zone, render
from jiyue.web.users import User

router = APIRouter()

ZONE = Query(None, max_length=100)
YEAR = Query(None, ge=1900, le=2200)
PROFILE = Query("gb50180-2018", pattern="^[a-z0-9.-]{1,40}$")
SERVICE = Query(None, max_length=40)

_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
_LOCK = threading.Lock()

KIND_COLOURS = {"hospital": "#c62828", "clinic": "#ef5350", "school": "#1565c0", "kindergarten": "#42a5f5",
                "elderly": "#8e24aa", "park": "#2e7d32", "market": "#ef6c00", "sports": "#00897b",
                "culture": "#6d4c41", "transit": "#757575"}
MISSING_COLOURS = [(0, "#1a9850", "全部配套设施均可步行到达"), (1, "#a6d96a", "缺 1 项"), (2, "#fee08b", "缺 2 项"),
                   (3, "#fdae61", "缺 3 项"), (4, "#f46d43", "缺 4 项"), (5, "#d73027", "缺 5 项及以上")]
SERVICE_COLOURS = [(1, "#1a9850", "服务半径内（按路网步行距离）"), (0, "#d73027", "服务半径外（覆盖缺口）")]


def _builtin_profiles() -> list[str]:
    from jiyue.liveability.rules import builtin_names

    return builtin_names()


def result(request: Request, cur: duckdb.DuckDBPyConnection, snap: tuple[int, str, int], profile: str
           ) -> dict[str, Any]:
    """The liveability document of a snapshot plus its map layers (cached)."""
    key = (str(ctx(request).store.path), *snap, profile)
    if key in _CACHE:
        return _CACHE[key]
    from jiyue.liveability import geo
    from jiyue.liveability.rules import load_rules
    from jiyue.liveability.service import analyse_snapshot

    if profile not in _builtin_profiles():
        raise bad_request(f"没有内置生活圈规则「{profile}」；可用：{'、'.join(_builtin_profiles())}")
    rules = load_rules(profile)
    try:
        doc = analyse_snapshot(cur, snap, rules)
    except JiyueError as e:
        out = {"ok": False, "error": e.message, "problems": getattr(e, "problems", [])}
        with _LOCK:
            _CACHE[key] = out
        return out
    arr = doc.pop("_arrays")
    crs = doc.get("crs")
    keys = [s["key"] for s in doc["services"]]
    by_pid = {p["parcel_id"]: p for p in doc["parcels"]}
    pprops = [{"pid": pid, "miss": by_pid[pid]["n_missing"], "pop": round(by_pid[pid]["population"] or 0),
               **{f"s_{k}": int(by_pid[pid]["covered"][k]) for k in keys}} for pid in arr["parcel_ids"]]
    parcels = geo.feature_collection(geo.to_lonlat(arr["parcel_geoms"], crs), pprops)
    import shapely

    fpts = shapely.points(np.array([[f["x"], f["y"]] for f in doc["facilities"]]).reshape(-1, 2))
    fprops = [{"id": f["facility_id"], "kind": f["kind"], "name": f["name"] or "",
               "label": codes.FACILITY_KINDS.get(f["kind"], (f["kind"],))[0]} for f in doc["facilities"]]
    facilities = geo.feature_collection(geo.to_lonlat(fpts, crs), fprops)
    iso = [geo.isochrone(arr["network"], arr["node_dist"][k], s["radius_m"]) for k, s in enumerate(doc["services"])]
    outlines = geo.feature_collection(geo.to_lonlat(np.array([shapely.boundary(g) for g in iso], dtype=object), crs),
                                      [{"service": k} for k in keys])
    bounds = list(shapely.bounds(shapely.union_all(geo.to_lonlat(arr["parcel_geoms"], crs)))) if len(pprops) else None
    net = arr["network"]
    streets = shapely.multilinestrings(shapely.linestrings(np.stack([net.xy[net.u], net.xy[net.v]], axis=1)))
    roads = geo.feature_collection(geo.to_lonlat(np.array([streets], dtype=object), crs), [{}])
    out = {"ok": True, "doc": doc, "layers": {"parcels": parcels, "facilities": facilities, "isochrones": outlines,
                                              "roads": roads},
           "bounds": bounds}
    with _LOCK:
        _CACHE[key] = out
        while len(_CACHE) > 16:
            _CACHE.pop(next(iter(_CACHE)))
    return out


def siting_result(request: Request, cur: duckdb.DuckDBPyConnection, snap: tuple[int, str, int], profile: str,
                  service: str) -> dict[str, Any]:
    """Greedy maximal-coverage sites for one service, re-evaluated (cached like :func:`result`)."""
    key = (str(ctx(request).store.path), *snap, profile, "site", service)
    if key in _CACHE:
        return _CACHE[key]
    from jiyue.liveability import geo
    from jiyue.liveability.rules import load_rules
    from jiyue.liveability.service import analyse_snapshot

    doc = analyse_snapshot(cur, snap, load_rules(profile), site=[service])
    site = doc["siting"][0]
    import shapely

    pts = shapely.points(np.array([[p["x"], p["y"]] for p in site["picks"]]).reshape(-1, 2))
    layer = geo.feature_collection(geo.to_lonlat(pts, doc.get("crs")),
                                   [{"pid": p["parcel_id"], "n": k} for k, p in enumerate(site["picks"], 1)])
    out = {"siting": site, "layer": layer}
    with _LOCK:
        _CACHE[key] = out
    return out


@router.get("/liveability", include_in_schema=False)
def liveability_page(request: Request, zone: str | None = ZONE, year: int | None = YEAR, profile: str = PROFILE,
                     service: str | None = SERVICE, site: bool = Query(False), user: User = Depends(require("view_zone")),
                     cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> Response:
    snap, zones = pick_zone(cur, zone, year)
    if snap is None:
        return render(request, "empty.html", user)
    r = result(request, cur, snap, profile)
    if not r["ok"]:
        return render(request, "liveability.html", user, zones=zones, snap=snap, r=r, profile=profile,
                      profiles=_builtin_profiles(), config=None)
    doc = r["doc"]
    keys = [s["key"] for s in doc["services"]]
    if service is not None and service not in keys:
        raise bad_request(f"没有配套设施「{service}」；应为：{'、'.join(keys)}")
    config = {"layers": r["layers"], "bounds": r["bounds"], "service": service or "",
              "services": [{"key": s["key"], "label": s["label"], "radius": s["radius_m"]} for s in doc["services"]],
              "missing": [{"value": v, "colour": c, "label": lab} for v, c, lab in MISSING_COLOURS],
              "covered": [{"value": v, "colour": c, "label": lab} for v, c, lab in SERVICE_COLOURS],
              "kinds": [{"value": k, "colour": c, "label": codes.FACILITY_KINDS[k][0]} for k, c in KIND_COLOURS.items()]}
    sited = siting_result(request, cur, snap, profile, service) if site and service else None
    if sited is not None:
        config["sites"] = sited["layer"]
    from jiyue.liveability import render as lr

    tables = {"services": lr.service_rows(doc), "circles": lr.circle_rows(doc), "indicators": lr.indicator_rows(doc),
              "gaps": lr.gap_rows(doc, 30)}
    return render(request, "liveability.html", user, zones=zones, snap=snap, r=r, d=doc, t=tables, config=config,
                  profile=profile, profiles=_builtin_profiles(), service=service or "",
                  headline=lr.headline(doc), sited=sited["siting"] if sited else None)


@router.get("/api/zones/{zone}/liveability", summary="Life-circle coverage, gaps and 产城融合 indicators of a zone",
            responses=responses(400, 401, 403, 404, 422))
def liveability_api(request: Request, zone: str = Path(max_length=100), year: int | None = YEAR,
                    profile: str = PROFILE, user: User = Depends(require("view_zone")),
                    cur: duckdb.DuckDBPyConnection = Depends(cursor)) -> dict[str, Any]:
    snap, _ = pick_zone(cur, zone, year)
    if snap is None:
        raise not_found()
    r = result(request, cur, snap, profile)
    if not r["ok"]:
        raise bad_request(r["error"], r["problems"])
    return {"ok": True, **r["doc"]}
