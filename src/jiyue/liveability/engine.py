"""The liveability engine (pure): life-circle coverage by walking distance along the roads,
Euclidean coverage beside it, the gaps, the 产城融合 indicators and greedy siting.

Input is :class:`Inputs` (frames with shapely geometries in one projected metric CRS); output a
plain dict (JSON-ready). See docs/liveability.md for every rule.

Origins:

* **parcels** — every residential parcel (``build_class`` A1), at its representative point
  (``point_on_surface``): the coverage *by area*, the gap table and the map;
* **population** — every residential building (kind ``building`` on an A1 parcel) at its
  representative point, with its population: the optional ``population`` field when given,
  otherwise the zone's ``zone_years.population`` (less what buildings give) apportioned by
  floor area. A1 parcels without buildings carry no population when some residential building
  exists; in a zone without any, the population is apportioned to A1 parcels by area.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from jiyue import codes
from jiyue.errors import JiyueError
from jiyue.liveability import labels as L
from jiyue.liveability import network as nw
from jiyue.liveability.rules import FACILITY_LEVELS, Rules, Service

__all__ = ["Inputs", "LiveabilityInputError", "analyse", "service_mask"]

RESIDENTIAL = "A1"


class LiveabilityInputError(JiyueError):
    """The inputs cannot be analysed; ``problems`` lists every error (and the warnings)."""

    def __init__(self, message: str, problems: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass
class Inputs:
    zone_code: str
    parcels: pd.DataFrame  # parcel_id, build_class, area_m2, geometry
    facilities: pd.DataFrame  # facility_id, kind, name, level, geometry
    roads: np.ndarray  # line geometries
    buildings: pd.DataFrame | None = None  # building_id, parcel_id, kind, floor_area_m2, population, geometry
    population: float | None = None
    employees: float | None = None
    eval_type: str | None = None
    zone_name: str | None = None
    year: int | None = None
    crs: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _problem(severity: str, code: str, layer: str, row_id: Any, fld: str | None, found: Any, expected: Any,
             message: str) -> dict[str, Any]:
    return {"severity": severity, "code": code, "layer": layer, "row_id": None if row_id is None else str(row_id),
            "field": fld, "found": None if found is None else str(found),
            "expected": None if expected is None else str(expected), "message": message}


def _fmt_m(x: float) -> str:
    return f"{x:,.0f}" if np.isfinite(x) else "∞"


def service_mask(fac: pd.DataFrame, svc: Service) -> np.ndarray:
    """Which facilities serve a service: kind in its kinds and, when it names levels, the level
    among them (a school without level counts as nine-year: both primary and middle)."""
    m = fac["kind"].isin(svc.kinds).to_numpy().copy()
    if svc.levels:
        lv = fac["level"] if "level" in fac else pd.Series([None] * len(fac), index=fac.index)
        lv = lv.where(lv.notna(), "nine_year").astype(str)
        m &= lv.isin(svc.levels).to_numpy()
    return m


def normalise_level(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip()):
        return None
    s = str(v).strip()
    if s.lower() in FACILITY_LEVELS:
        return s.lower()
    for key, names in FACILITY_LEVELS.items():
        if s in names:
            return key
    return "?" + s


def _check_facilities(fac: pd.DataFrame, rules: Rules, problems: list[dict[str, Any]]) -> pd.DataFrame:
    fac = fac.copy()
    if "level" not in fac:
        fac["level"] = None
    if "name" not in fac:
        fac["name"] = None
    kinds = "、".join(codes.FACILITY_KINDS)
    spelled = {n: k for k, names in codes.FACILITY_KINDS.items() for n in names}
    fac["kind"] = [spelled.get(str(k).strip(), str(k).strip()) if k is not None else None for k in fac["kind"]]
    for fid, k in zip(fac["facility_id"], fac["kind"]):
        if k not in codes.FACILITY_KINDS:
            problems.append(_problem("error", "unknown_facility_kind", "facilities", fid, "kind", k, kinds,
                                     L.PROBLEM["unknown_kind"].format(id=fid, found=k, expected=kinds)))
    levels = [normalise_level(v) for v in fac["level"]]
    exp = "、".join(f"{k}（{v[0]}）" for k, v in FACILITY_LEVELS.items())
    for fid, lv, raw in zip(fac["facility_id"], levels, fac["level"]):
        if lv is not None and lv.startswith("?"):
            problems.append(_problem("error", "unknown_facility_level", "facilities", fid, "level", raw, exp,
                                     L.PROBLEM["unknown_level"].format(id=fid, found=raw, expected=exp)))
    fac["level"] = levels
    if any(s.levels for s in rules.services):
        miss = fac[(fac["kind"] == "school") & fac["level"].isna()]
        for fid, name in zip(miss["facility_id"], miss["name"]):
            problems.append(_problem("warning", "facility_level_missing", "facilities", fid, "level", None,
                                     "primary / middle", L.PROBLEM["level_missing"].format(id=fid, name=name or "")))
    return fac


def _populations(inp: Inputs, res: pd.DataFrame, problems: list[dict[str, Any]]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Population origins: (points, population, parcel index into ``res``) and how it was made."""
    total = inp.population if inp.population is not None and np.isfinite(inp.population) else None
    b = inp.buildings
    info: dict[str, Any] = {"total": total, "method": None, "buildings": 0}
    pos = pd.Series(np.arange(len(res)), index=res["parcel_id"].astype(str).to_numpy())
    if b is not None and len(b):
        b = b[b["parcel_id"].astype(str).isin(pos.index)]
        if "kind" in b:
            b = b[b["kind"].fillna("building") == "building"]
    if b is not None and len(b):
        fa = pd.to_numeric(b.get("floor_area_m2"), errors="coerce").fillna(0.0).to_numpy(dtype=float)
        given = (pd.to_numeric(b["population"], errors="coerce").to_numpy(dtype=float)
                 if "population" in b else np.full(len(b), np.nan))
        pop = np.where(np.isfinite(given), given, 0.0)
        rest = ~np.isfinite(given)
        if rest.any():
            left = (total - pop.sum()) if total is not None else None
            if left is not None and left > 0 and fa[rest].sum() > 0:
                pop[rest] = fa[rest] / fa[rest].sum() * left
                info["method"] = "floor_area" if not np.isfinite(given).any() else "given+floor_area"
            elif np.isfinite(given).any():  # only the buildings that give it hold residents
                info["method"] = "given"
            else:
                pop[:] = np.nan
        else:
            info["method"] = "given"
        pts = shapely.point_on_surface(np.asarray(b.geometry if hasattr(b, "geometry") else b["geometry"]))
        info["buildings"] = int(len(b))
        return pts, pop, pos.loc[b["parcel_id"].astype(str).to_numpy()].to_numpy(), info
    area = res["area_m2"].to_numpy(dtype=float)
    pop = area / area.sum() * total if total is not None and area.sum() > 0 else np.full(len(res), np.nan)
    info["method"] = "parcel_area" if total is not None else None
    return res["_pt"].to_numpy(), pop, np.arange(len(res)), info


def _finite_rows(a: np.ndarray) -> list[list[float | None]]:
    """The columns of a distance matrix as Python lists, None where a distance is not finite."""
    out = a.astype(object)
    out[~np.isfinite(a)] = None
    return out.T.tolist()


def _share(mask: np.ndarray, w: np.ndarray) -> float | None:
    tot = np.nansum(w)
    if not np.isfinite(tot) or tot <= 0 or np.isnan(w).all():
        return None
    return float(np.nansum(w[mask]) / tot * 100.0)


def analyse(inp: Inputs, rules: Rules, *, allow_disconnected: bool = False, site: list[str] | None = None,
            picks: int | None = None, detail: bool = True) -> dict[str, Any]:
    """Analyse one zone; raises :class:`LiveabilityInputError` listing every input error."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    problems: list[dict[str, Any]] = []
    parcels = inp.parcels
    res = parcels[parcels["build_class"] == RESIDENTIAL].reset_index(drop=True).copy()
    if len(res) == 0:
        problems.append(_problem("error", "no_residential", "parcels", None, "build_class", None, "A1",
                                 L.PROBLEM["no_residential"].format(zone=inp.zone_code)))
    roads = np.asarray(inp.roads, dtype=object) if inp.roads is not None else np.zeros(0, dtype=object)
    if len(roads) == 0:
        problems.append(_problem("error", "no_roads", "roads", None, None, 0, "道路中心线", L.PROBLEM["no_roads"]))
    fac = inp.facilities if inp.facilities is not None else pd.DataFrame(columns=["facility_id", "kind", "geometry"])
    if len(fac) == 0:
        problems.append(_problem("error", "no_facilities", "facilities", None, None, 0, "公共服务设施",
                                 L.PROBLEM["no_facilities"]))
    fac = _check_facilities(fac.reset_index(drop=True), rules, problems)
    if any(p["severity"] == "error" for p in problems):
        _raise(problems)

    net = nw.build_network(roads, node_crossings=rules.node_crossings)
    timings["network"] = time.perf_counter() - t0
    res["_pt"] = shapely.point_on_surface(np.asarray(res["geometry"]))
    pop_pts, pop_w, pop_parcel, pop_info = _populations(inp, res, problems)
    if pop_info["method"] is None:
        problems.append(_problem("warning", "no_population", "zone_years", inp.zone_code, "population", None, "常住人口",
                                 L.PROBLEM["no_population"].format(year=inp.year or "")))

    # facilities that serve some service
    used = np.zeros(len(fac), dtype=bool)
    for s in rules.services:
        used |= service_mask(fac, s)
    fpts = np.asarray(fac["geometry"])
    index0 = nw.SegmentIndex(net)
    fsnap = nw.snap_points(net, fpts, index0)
    for i in np.flatnonzero(used & (fsnap.dist > rules.facility_max_snap_m)).tolist():
        d = fsnap.dist[i]
        problems.append(_problem("error", "facility_far_from_road", "facilities", fac["facility_id"].iat[i], "geometry",
                                 f"{_fmt_m(d)} 米", f"≤ {rules.facility_max_snap_m:g} 米",
                                 L.PROBLEM["facility_far"].format(id=fac["facility_id"].iat[i],
                                                                  name=fac["name"].iat[i] or "", found=_fmt_m(d),
                                                                  limit=rules.facility_max_snap_m)))
    # split the network at the facilities, then snap the origins
    fsnap_used = nw.Snap(np.where(used, fsnap.edge, -1), fsnap.t, fsnap.dist)
    net2, fnode = nw.insert_points(net, fsnap_used)
    origins = np.concatenate([res["_pt"].to_numpy(), pop_pts])
    # origins are snapped with the index of the unsplit network, then moved onto the split edges
    osnap = nw.remap_snap(net2, nw.snap_points(net, origins, index0))
    far = osnap.dist > rules.origin_max_snap_m
    osnap.edge[far] = -1
    n_par = len(res)
    for i in np.flatnonzero(far[:n_par]).tolist():
        problems.append(_problem("warning", "origin_far_from_road", "parcels", res["parcel_id"].iat[i], "geometry",
                                 f"{_fmt_m(osnap.dist[i])} 米", f"≤ {rules.origin_max_snap_m:g} 米",
                                 L.PROBLEM["origin_far"].format(id=res["parcel_id"].iat[i],
                                                                found=_fmt_m(osnap.dist[i]),
                                                                limit=rules.origin_max_snap_m)))
    timings["snap"] = time.perf_counter() - t0 - sum(timings.values())

    # components that matter
    comp_tbl = net2.component_table() if net2.n_components else []
    o_comp = np.where(osnap.edge >= 0, net2.component[net2.u[np.maximum(osnap.edge, 0)]], -1)
    f_comp = np.where(fnode >= 0, net2.component[np.maximum(fnode, 0)], -1)
    for row in comp_tbl:
        row["origins"] = int((o_comp[:n_par] == row["component"]).sum())
        row["facilities"] = int((f_comp == row["component"]).sum())
    used_comps = [r for r in comp_tbl if r["origins"] or r["facilities"]]
    if net2.n_components > 1:
        others = "；".join(
            f"第{r['component'] + 1}部分 {r['length_m'] / 1000:.2f} 公里、{r['origins']} 宗住宅、{r['facilities']} 处设施"
            f"（约在 x={r['xmin']:.0f}–{r['xmax']:.0f}, y={r['ymin']:.0f}–{r['ymax']:.0f}）"
            for r in comp_tbl[1:11]) + ("；……" if len(comp_tbl) > 11 else "")
        serious = len(used_comps) > 1 and not allow_disconnected
        msg = (L.PROBLEM["disconnected"].format(n=net2.n_components, used=len(used_comps),
                                                main_km=f"{comp_tbl[0]['length_m'] / 1000:.2f}", others=others)
               if serious else L.PROBLEM["disconnected_warn"].format(n=net2.n_components, others=others))
        problems.append(_problem("error" if serious else "warning", "roads_disconnected", "roads", None, "geometry",
                                 f"{net2.n_components} 个互不相连的部分", "1 个连通的道路网", msg))
    if any(p["severity"] == "error" for p in problems):
        _raise(problems)

    # one Dijkstra per service, from all its facilities at once
    masks = [service_mask(fac, s) for s in rules.services]
    groups = [(np.where(m, fnode, -1), fsnap.dist) for m in masks]
    t1 = time.perf_counter()
    dist_nodes, near_nodes = nw.multi_source(net2, groups)
    timings["dijkstra"] = time.perf_counter() - t1
    D = nw.origin_distance(net2, dist_nodes, osnap)  # services × origins
    N = nw.origin_nearest(net2, dist_nodes, near_nodes, osnap)
    # Euclidean beside it
    E = np.full_like(D, np.inf)
    EN = np.full(D.shape, -1, dtype=np.int64)
    oxy = shapely.get_coordinates(origins)
    fxy = shapely.get_coordinates(fpts)
    for k, m in enumerate(masks):
        idx = np.flatnonzero(m)
        if len(idx):
            dd, q = cKDTree(fxy[idx]).query(oxy)
            E[k] = dd
            EN[k] = idx[q]
    timings["euclid"] = time.perf_counter() - t1 - timings["dijkstra"]

    radius = np.array([s.radius_m for s in rules.services])[:, None]
    cov = D <= radius
    cov_e = E <= radius
    area = res["area_m2"].to_numpy(dtype=float)
    P, W = slice(0, n_par), slice(n_par, None)
    fid = fac["facility_id"].astype(str).to_numpy()
    fnames = fac["name"].astype(object).where(fac["name"].notna(), None).to_numpy()

    services_out = []
    for k, s in enumerate(rules.services):
        unc = ~cov[k, W]
        services_out.append({
            "key": s.key, "label": s.label, "circle": s.circle, "radius_m": s.radius_m, "kinds": list(s.kinds),
            "levels": list(s.levels), "facilities": int(masks[k].sum()), "source": s.source,
            "network": {"pop_share": _share(cov[k, W], pop_w), "area_share": _share(cov[k, P], area),
                        "uncovered_pop": float(np.nansum(pop_w[unc])) if pop_info["method"] else None,
                        "uncovered_parcels": int((~cov[k, P]).sum())},
            "euclid": {"pop_share": _share(cov_e[k, W], pop_w), "area_share": _share(cov_e[k, P], area),
                       "uncovered_parcels": int((~cov_e[k, P]).sum())},
        })
    circles_out = []
    for c in rules.circles:
        ks = [k for k, s in enumerate(rules.services) if s.circle == c.key]
        if not ks:
            continue
        full: np.ndarray = np.all(cov[ks], axis=0)
        full_e: np.ndarray = np.all(cov_e[ks], axis=0)
        circles_out.append({"key": c.key, "label": c.label, "minutes": c.minutes, "radius_m": c.radius_m,
                            "services": [rules.services[k].key for k in ks], "source": c.source,
                            "network": {"pop_share": _share(full[W], pop_w), "area_share": _share(full[P], area)},
                            "euclid": {"pop_share": _share(full_e[W], pop_w), "area_share": _share(full_e[P], area)}})
    all_cov: np.ndarray = np.all(cov, axis=0)
    summary = {"all_services": {"pop_share": _share(all_cov[W], pop_w), "area_share": _share(all_cov[P], area)}}

    # per parcel: population on it and the gaps
    par_pop = np.bincount(pop_parcel, weights=np.nan_to_num(pop_w), minlength=n_par) if pop_info["method"] else \
        np.full(n_par, np.nan)
    gaps = []
    parcels_out = []
    circ_keys = [c["key"] for c in circles_out]
    skeys = [s.key for s in rules.services]
    # plain Python lists once (indexing numpy scalars one by one is the slow part at 10⁴–10⁵ rows)
    pids = res["parcel_id"].astype(str).tolist()
    Dp = _finite_rows(D[:, P])  # None where unreachable
    Ep = _finite_rows(E[:, P])
    Np = N[:, P].T.tolist()
    covp = cov[:, P].T.tolist()
    popl = par_pop.tolist()
    areal = area.tolist()
    snapl = osnap.dist[P].tolist()
    fidl = fid.tolist()
    circ_of = [[k for k, s in enumerate(rules.services) if s.circle == ck] for ck in circ_keys]

    def nn(x: float) -> float | None:
        return None if x != x or x == float("inf") else x

    if detail:
        for i in range(n_par):
            d, e, nr, cv = Dp[i], Ep[i], Np[i], covp[i]
            parcels_out.append({
                "parcel_id": pids[i], "area_m2": areal[i], "population": nn(popl[i]), "snap_m": nn(snapl[i]),
                "distance_m": dict(zip(skeys, d)),
                "euclid_m": dict(zip(skeys, e)),
                "nearest": {k: (fidl[x] if x >= 0 else None) for k, x in zip(skeys, nr)},
                "covered": dict(zip(skeys, cv)),
                "circles": {ck: all(cv[k] for k in ks) for ck, ks in zip(circ_keys, circ_of)},
                "n_missing": len(cv) - sum(cv),
            })
    has_fac = [bool(m.any()) for m in masks]
    no_access = (osnap.edge[P] < 0).tolist()
    gi, gk = np.nonzero(~cov[:, P].T)
    for i, k in zip(gi.tolist(), gk.tolist()):
        svc, dist = rules.services[k], Dp[i][k]
        if not has_fac[k]:
            reason = "no_facility"
        elif no_access[i]:
            reason = "no_access"
        elif dist is None:
            reason = "unreachable"
        else:
            reason = "too_far"
        near = Np[i][k]
        gaps.append({"parcel_id": pids[i], "service": svc.key, "label": svc.label, "circle": svc.circle,
                     "radius_m": svc.radius_m, "distance_m": dist, "euclid_m": Ep[i][k],
                     "nearest": fidl[near] if near >= 0 else None,
                     "nearest_name": fnames[near] if near >= 0 else None,
                     "population": nn(popl[i]), "area_m2": areal[i], "reason": reason,
                     "reason_label": L.REASON[reason]})
    timings["tables"] = time.perf_counter() - t1 - timings["dijkstra"] - timings["euclid"]

    doc: dict[str, Any] = {
        "zone_code": inp.zone_code, "name": inp.zone_name, "year": inp.year, "eval_type": inp.eval_type,
        "crs": inp.crs, "ruleset": rules.describe(),
        "network": {"nodes": int(net.n_nodes), "edges": int(net.n_edges), "length_km": float(net.length.sum() / 1000),
                    "components": int(net.n_components), "node_crossings": rules.node_crossings,
                    "facility_max_snap_m": rules.facility_max_snap_m, "origin_max_snap_m": rules.origin_max_snap_m,
                    "component_table": comp_tbl[:20]},
        "origins": {"residential_parcels": n_par, "population_points": int(len(pop_pts)),
                    "no_road_access": int(far[:n_par].sum())},
        "population": pop_info,
        "services": services_out, "circles": circles_out, "summary": summary,
        "parcels": parcels_out, "gaps": gaps,
        "indicators": indicators(inp, rules),
        "facilities": [{"facility_id": i, "kind": k, "level": lv, "name": nm, "snap_m": nn(sd), "x": x, "y": y}
                       for i, k, lv, nm, sd, x, y in zip(fidl, fac["kind"].tolist(), fac["level"].tolist(),
                                                         fnames.tolist(), fsnap.dist.tolist(), fxy[:, 0].tolist(),
                                                         fxy[:, 1].tolist())] if detail else [],
        "problems": problems,
    }
    if site:
        t2 = time.perf_counter()
        index = nw.SegmentIndex(net2)
        doc["siting"] = [siting(inp, rules, key, net2, index, fac, fsnap, fnode, masks, res,
                                pop_pts, pop_w, pop_parcel, osnap, cov, picks or rules.picks, problems)
                         for key in site]
        timings["siting"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    doc["timings_s"] = {k: round(v, 4) for k, v in timings.items()}
    doc["_arrays"] = {"D": D, "E": E, "n_parcels": n_par, "pop": pop_w,
                      "parcel_ids": res["parcel_id"].astype(str).tolist(), "parcel_geoms": np.asarray(res["geometry"]),
                      "network": net2, "node_dist": dist_nodes, "origin_snap": osnap,
                      "service_sources": [(g[0], g[1]) for g in groups]}
    return doc


def _raise(problems: list[dict[str, Any]]) -> None:
    errs = [p for p in problems if p["severity"] == "error"]
    lines = "\n".join(f"  - {p['message']}" for p in errs[:30]) + (f"\n  ……共 {len(errs)} 个" if len(errs) > 30 else "")
    raise LiveabilityInputError(L.ERR["has_errors"].format(n=len(errs), lines=lines), problems)


def indicators(inp: Inputs, rules: Rules) -> dict[str, Any]:
    p = inp.parcels
    bc = p["build_class"].astype(str)
    area = p["area_m2"].to_numpy(dtype=float)
    a = area[bc.str.startswith("A").to_numpy()].sum()
    a1 = area[(bc == "A1").to_numpy()].sum()
    a5 = area[bc.str.startswith("A5").to_numpy()].sum()
    a51 = area[(bc == "A51").to_numpy()].sum()
    pop = inp.population if inp.population and inp.population > 0 else None
    jobs = inp.employees if inp.employees is not None and np.isfinite(inp.employees) else None
    out: dict[str, Any] = {
        "built_area_ha": float(a / 1e4), "A1_ha": float(a1 / 1e4), "A5_ha": float(a5 / 1e4), "A51_ha": float(a51 / 1e4),
        "residential_land_share": float(a1 / a * 100) if a > 0 else None,
        "public_service_land_share": float(a5 / a * 100) if a > 0 else None,
        "green_per_person": float(a51 / pop) if pop else None,
        "green_per_person_min": rules.green_per_person_min_m2,
        "green_per_person_source": rules.sources.get("green_per_person_source"),
        "jobs_per_resident": jobs / pop if pop and jobs is not None else None,
        "jobs_per_resident_band": list(rules.jobs_per_resident_band) if rules.jobs_per_resident_band else None,
        "jobs_per_resident_source": rules.sources.get("jobs_per_resident_source"),
        "population": pop, "employees": jobs,
    }
    g, lo_hi = out["green_per_person"], rules.jobs_per_resident_band
    out["green_ok"] = None if g is None or rules.green_per_person_min_m2 is None else bool(g >= rules.green_per_person_min_m2)
    j = out["jobs_per_resident"]
    out["jobs_judgement"] = (None if j is None or lo_hi is None else
                             ("low" if j < lo_hi[0] else "high" if j > lo_hi[1] else "balanced"))
    out["eval_type_rule"] = _eval_type_rule(inp.eval_type)
    return out


def _eval_type_rule(eval_type: str | None) -> dict[str, Any]:
    from jiyue.evaluation.profile import load_profile

    try:
        prof = load_profile(None)
        pd_ideal = prof.ideals.get("integrated", {}).get("population_density")
        pdv = getattr(pd_ideal, "value", None)
        name = prof.describe()
    except Exception:  # noqa: BLE001 - the rule text is context only
        pdv, name = 100.0, None
    et = eval_type if eval_type in L.EVAL_TYPE_RULE else None
    return {"eval_type": eval_type, "label": codes.EVAL_TYPE_LABELS.get(eval_type or "", eval_type),
            "rule": L.EVAL_TYPE_RULE[et].format(pd=f"{pdv:g}" if pdv else "—") if et else None,
            "profile": name}


def siting(inp: Inputs, rules: Rules, key: str, net: nw.Network, index: nw.SegmentIndex, fac: pd.DataFrame,
           fsnap: nw.Snap, fnode: np.ndarray, masks: list[np.ndarray], res: pd.DataFrame, pop_pts: np.ndarray,
           pop_w: np.ndarray, pop_parcel: np.ndarray, osnap: nw.Snap, cov: np.ndarray, picks: int,
           problems: list[dict[str, Any]]) -> dict[str, Any]:
    """Greedy maximal coverage: the candidate parcels that cover the most uncovered residents."""
    from scipy.sparse import csgraph

    keys = [s.key for s in rules.services]
    if key not in keys:
        from jiyue.errors import UsageError

        raise UsageError(L.PROBLEM["bad_site_service"].format(found=key, expected="、".join(keys)))
    k = keys.index(key)
    svc = rules.services[k]
    n_par = len(res)
    use_pop = not np.isnan(pop_w).all()
    w_all = np.concatenate([res["area_m2"].to_numpy(dtype=float), np.nan_to_num(pop_w)])
    # the objective's origins: population points (or parcels when there is no population)
    sl = slice(n_par, None) if use_pop else slice(0, n_par)
    idx_o = np.arange(len(w_all))[sl]
    unc = idx_o[~cov[k, sl] & (osnap.edge[sl] >= 0)]
    p = inp.parcels
    cand = p[p["build_class"].isin(rules.candidate_build_classes)].reset_index(drop=True)
    out: dict[str, Any] = {"service": key, "label": svc.label, "radius_m": svc.radius_m,
                           "objective": "population" if use_pop else "area", "picks": []}
    if len(cand) == 0 or len(unc) == 0:
        if len(cand) == 0:
            problems.append(_problem("warning", "no_candidates", "parcels", None, "build_class", None,
                                     "、".join(rules.candidate_build_classes),
                                     L.PROBLEM["no_candidates"].format(classes="、".join(rules.candidate_build_classes))))
        out["before"] = _share(cov[k, sl], w_all[sl])
        out["after"] = out["before"]
        return out
    cpts = shapely.point_on_surface(np.asarray(cand["geometry"]))
    cs = nw.snap_points(net, cpts, index)
    ok = np.flatnonzero((cs.edge >= 0) & (cs.dist <= rules.facility_max_snap_m))
    if len(ok) == 0:
        out["before"] = out["after"] = _share(cov[k, sl], w_all[sl])
        return out
    g = net.matrix()
    lim = svc.radius_m
    # distance from each candidate to each uncovered origin, through its segment's two ends
    ou, ov = net.u[osnap.edge[unc]], net.v[osnap.edge[unc]]
    ot, od = osnap.t[unc], osnap.dist[unc]
    oL = net.length[osnap.edge[unc]]
    covers = np.zeros((len(ok), len(unc)), dtype=bool)
    for start in range(0, len(ok), 64):
        chunk = ok[start:start + 64]
        e = cs.edge[chunk]
        ends = np.concatenate([net.u[e], net.v[e]])
        dd = csgraph.dijkstra(g, directed=False, indices=ends, limit=lim)
        n = len(chunk)
        off_u = cs.dist[chunk] + cs.t[chunk]
        off_v = cs.dist[chunk] + net.length[e] - cs.t[chunk]
        for j in range(n):
            d_nodes = np.minimum(dd[j] + off_u[j], dd[n + j] + off_v[j])
            d = np.minimum(d_nodes[ou] + ot, d_nodes[ov] + oL - ot) + od
            same = osnap.edge[unc] == e[j]
            d[same] = np.minimum(d[same], np.abs(ot[same] - cs.t[chunk[j]]) + od[same] + cs.dist[chunk[j]])
            covers[start + j] = d <= lim
    w = w_all[unc].copy()
    chosen = []
    for _ in range(picks):
        gain = covers @ w
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        chosen.append((best, float(gain[best])))
        w[covers[best]] = 0.0
    # re-evaluate: the service's Dijkstra again with the picked sites added as facilities
    new_pts = cpts[ok[[b for b, _ in chosen]]] if chosen else np.zeros(0, dtype=object)
    before = _share(cov[k, sl], w_all[sl])
    after = before
    if chosen:
        allpts = np.concatenate([np.asarray(fac["geometry"])[masks[k]], new_pts])
        s2 = nw.snap_points(net, allpts, index)
        net3, nodes3 = nw.insert_points(net, s2)
        d3, _ = nw.multi_source(net3, [(nodes3, s2.dist)])
        o3 = nw.snap_points(net3, np.concatenate([res["_pt"].to_numpy(), pop_pts])[sl])
        o3.edge[osnap.edge[sl] < 0] = -1
        D3 = nw.origin_distance(net3, d3, o3)[0]
        after = _share(D3 <= lim, w_all[sl])
    for best, gain in chosen:
        row = cand.iloc[ok[best]]
        pt = cpts[ok[best]]
        out["picks"].append({"parcel_id": str(row["parcel_id"]), "build_class": row["build_class"],
                             "area_m2": float(row["area_m2"]), "gain": gain,
                             "x": float(shapely.get_x(pt)), "y": float(shapely.get_y(pt))})
    out["before"], out["after"] = before, after
    out["candidates"] = int(len(ok))
    return out
