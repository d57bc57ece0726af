"""What would move a zone up: scenarios of parcel changes, re-evaluated exactly.

A scenario is a list of parcel changes (TOML or JSON file; format in docs/monitoring.md):

    name = "盘活闲置、供应净地"
    [[changes]]                      # change fields of a parcel
    parcel_id = "LC-000123"
    set = { supply_class = "D21", supply_date = "2021-05-01" }
    [[changes]]                      # add floor area / a building on a parcel
    parcel_id = "LC-000456"
    add_building = { floor_area_m2 = 12000, footprint_m2 = 4000, kind = "building" }
    [[changes]]                      # raise a parcel's FAR to a target by added floor area
    parcel_id = "LC-000789"
    set_far = 1.2
    [zone_years]                     # change the zone's yearly statistics
    tax_total_wan = 520000

The changes are applied to an in-memory copy of the zone (the package or the store is never
modified) and the zone is evaluated by the same code as ``jiyue evaluate``; its new score is
ranked among the reference zones (``--against`` packages or ``--db``).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import duckdb

from jiyue import codes, store
from jiyue.errors import UsageError
from jiyue.landrules import floor_area_sql
from jiyue.evaluation.indicators import INDICATORS
from jiyue.evaluation.profile import Profile, load_profile
from jiyue.evaluation.scoring import effective_weights
from jiyue.evaluation.results import evaluate_selection
from jiyue.evaluation.service import load_report_into_memory
from jiyue.ranking.rank import competition_ranks
from jiyue.ranking.regions import short_province
from jiyue.validate import validate_path

PARCEL_FIELDS: dict[str, Any] = {
    "build_class": set(codes.BUILD_CLASSES), "supply_class": set(codes.SUPPLY_CLASSES),
    "idle": bool, "area_m2": float, "user_id": str, "supply_date": dt.date, "land_use_code": str,
    "hightech": set(codes.HIGHTECH_CLASSES) | {None},
}
ZONE_YEAR_FIELDS = ("tax_total_wan", "industrial_tax_wan", "industrial_fai_wan", "population")


class ScenarioError(UsageError):
    """A scenario file that cannot be applied (exit 2)."""


def load_scenario(path: Path) -> dict[str, Any]:
    """Read a scenario file (.toml or .json)."""
    if not path.exists():
        raise ScenarioError(f"找不到情景文件：{path}")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise ScenarioError(f"情景文件 {path} 格式错误：{e}") from None


def apply_scenario(con: duckdb.DuckDBPyConnection, snapshot: tuple[int, str, int], scenario: dict[str, Any]) -> None:
    """Apply a scenario's changes to the zone's rows in ``con`` (an in-memory copy)."""
    imp, zone, year = snapshot
    known = {r[0]: r[1] for r in con.execute(
        "SELECT parcel_id, area_eff_m2 FROM parcels WHERE import_id = ? AND zone_code = ?", [imp, zone]).fetchall()}
    for i, ch in enumerate(scenario.get("changes", []), start=1):
        pid = str(ch.get("parcel_id", ""))
        where = f"情景第{i}项变更（宗地「{pid}」）"
        if pid not in known:
            raise ScenarioError(f"{where}：开发区「{zone}」中没有这宗宗地")
        ops = [k for k in ("set", "add_building", "set_far") if k in ch]
        if not ops:
            raise ScenarioError(f"{where}：应包含 set、add_building 或 set_far 之一")
        for field, value in (ch.get("set") or {}).items():
            allowed = PARCEL_FIELDS.get(field)
            if allowed is None:
                raise ScenarioError(f"{where}：不能修改字段「{field}」；可修改：{'、'.join(PARCEL_FIELDS)}")
            if isinstance(allowed, set) and value not in allowed:
                raise ScenarioError(f"{where}：{field} 的值「{value}」不在代码表中")
            if field == "supply_date" and value is not None:
                value = dt.date.fromisoformat(str(value))
            con.execute(f'UPDATE parcels SET "{field}" = ? WHERE import_id = ? AND parcel_id = ?', [value, imp, pid])
            if field == "area_m2":
                con.execute("UPDATE parcels SET area_eff_m2 = COALESCE(area_m2, geom_area_m2) "
                            "WHERE import_id = ? AND parcel_id = ?", [imp, pid])
                known[pid] = float(value)
        if "add_building" in ch:
            b = ch["add_building"] or {}
            fa, fp = b.get("floor_area_m2"), b.get("footprint_m2", 0.0)
            kind = b.get("kind", "building")
            if kind not in codes.BUILDING_KINDS:
                raise ScenarioError(f"{where}：建筑类型「{kind}」应为 building/structure/yard")
            if fa is None and kind == "building":
                raise ScenarioError(f"{where}：add_building 需要 floor_area_m2")
            _add_building(con, imp, pid, i, fa, fp, kind)
        if "set_far" in ch:
            target = float(ch["set_far"])
            current = store.scalar(con, f"""SELECT COALESCE(SUM({floor_area_sql()}), 0) FROM buildings
                                            WHERE import_id = ? AND parcel_eff = ?""", [imp, pid])
            need = target * float(known[pid]) - float(current)
            if need > 0:
                _add_building(con, imp, pid, i, need, 0.0, "building")
    zy = scenario.get("zone_years") or {}
    for field, value in zy.items():
        if field not in ZONE_YEAR_FIELDS:
            raise ScenarioError(f"情景的 zone_years 不能修改「{field}」；可修改：{'、'.join(ZONE_YEAR_FIELDS)}")
        n = store.scalar(con, "SELECT count(*) FROM zone_years WHERE import_id = ? AND zone_code = ? AND year = ?",
                         [imp, zone, year])
        if not n:
            con.execute("INSERT INTO zone_years (import_id, zone_code, year) VALUES (?, ?, ?)", [imp, zone, year])
        con.execute(f'UPDATE zone_years SET "{field}" = ? WHERE import_id = ? AND zone_code = ? AND year = ?',
                    [value, imp, zone, year])


def _add_building(con: duckdb.DuckDBPyConnection, imp: int, pid: str, i: int, fa: float | None, fp: float,
                  kind: str) -> None:
    con.execute("""INSERT INTO buildings (import_id, building_id, parcel_id, parcel_eff, kind, floor_area_m2,
                   footprint_m2, footprint_eff_m2) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [imp, f"whatif-{i}-{pid}", pid, pid, kind, fa, fp, fp])


def _rank_among(zone: dict[str, Any], reference: list[dict[str, Any]]) -> dict[str, Any]:
    """National and provincial rank of ``zone`` among reference zones of its type (itself replaced)."""
    same = [z for z in reference if z["eval_type"] == zone["eval_type"] and z["zone_code"] != zone["zone_code"]]
    pool = [(z["zone_code"], float(z["score"])) for z in same if z.get("score") is not None]
    out: dict[str, Any] = {"rank_national": None, "of_national": None, "rank_province": None, "of_province": None}
    if zone.get("score") is None:
        return out
    me = (zone["zone_code"], float(zone["score"]))
    nat = competition_ranks([*pool, me])
    prov_pool = [(z["zone_code"], float(z["score"])) for z in same if z.get("score") is not None
                 and short_province(z.get("province")) == short_province(zone.get("province"))]
    prov = competition_ranks([*prov_pool, me])
    return {"rank_national": nat[me[0]], "of_national": len(pool) + 1,
            "rank_province": prov[me[0]], "of_province": len(prov_pool) + 1}


def _brief(z: dict[str, Any], reference: list[dict[str, Any]]) -> dict[str, Any]:
    return {"indicators": z["indicators"], "realisation": z["realisation"], "score": z["score"],
            "subscores": z["subscores"], **_rank_among(z, reference)}


def low_industrial_far(profile: Profile) -> float:
    """FAR under which an A2 parcel counts as low-FAR industrial land (profile ``[whatif]``)."""
    return float((profile.raw.get("whatif") or {}).get("low_industrial_far", 0.7))


def densify_far_target(profile: Profile, zone_type: str) -> float:
    """The FAR a low-FAR industrial parcel is raised to: the type's ideal industrial FAR, else the default."""
    ideal = profile.ideals.get(zone_type, {}).get("industrial_far")
    if ideal is not None:
        return ideal.value
    return float((profile.raw.get("whatif") or {}).get("densify_far_default", 1.0))


def suggestions(con: duckdb.DuckDBPyConnection, snapshot: tuple[int, str, int], zone: dict[str, Any],
                profile: Profile) -> list[dict[str, Any]]:
    """Generated scenarios: supply ready land, build supplied land, dispose of idle land, densify."""
    imp, code, _ = snapshot
    zt = zone["eval_type"]
    rows = con.execute("""
        SELECT p.parcel_id, p.build_class, p.supply_class, p.area_eff_m2, p.idle, p.land_use_code, p.user_id,
               COALESCE(pb.fa, 0) AS fa
        FROM parcels p LEFT JOIN (SELECT parcel_eff, SUM(""" + floor_area_sql() + """) AS fa FROM buildings
                                  WHERE import_id = ? GROUP BY 1) pb ON pb.parcel_eff = p.parcel_id
        WHERE p.import_id = ? AND p.zone_code = ?
        ORDER BY p.area_eff_m2 DESC, p.parcel_id""", [imp, imp, code]).fetchall()
    out: list[dict[str, Any]] = []

    def scen(key: str, title: str, changes: list[dict[str, Any]], area: float) -> None:
        if changes:
            out.append({"key": key, "title": title, "scenario": {"name": title, "changes": changes},
                        "parcels": [c["parcel_id"] for c in changes], "area_ha": area / 1e4})

    ready = [r for r in rows if r[1] == "B21" and r[2] in ("E1", "E21", "E22")]
    scen("supply_ready", "供应已达供地条件的待供地块（E→D）",
         [{"parcel_id": r[0], "set": {"supply_class": "D1" if r[2] == "E1" else "D21"}} for r in ready],
         sum(r[3] for r in ready))
    unbuilt = [r for r in rows if r[1] in ("B21", "B22") and r[2] in ("D1", "D21", "D22")]
    ind_far = densify_far_target(profile, zt)
    low_far = low_industrial_far(profile)
    scen("build_supplied", "推动已供未建地块开工建成（B→A）",
         [{"parcel_id": r[0], "set": {"build_class": "A2" if (r[5] or "").startswith("06") or r[6] else "A6"},
           "add_building": {"floor_area_m2": round(r[3] * ind_far, 2),
                            "footprint_m2": round(r[3] * 0.4, 2), "kind": "building"}} for r in unbuilt],
         sum(r[3] for r in unbuilt))
    idle = [r for r in rows if r[4] is True]
    scen("dispose_idle", "处置闲置土地（消除闲置认定）",
         [{"parcel_id": r[0], "set": {"idle": False}} for r in idle], sum(r[3] for r in idle))
    low = [r for r in rows if r[1] == "A2" and r[3] > 0 and r[7] / r[3] < low_far]
    scen("densify_industrial", f"容积率低于 {low_far:g} 的工业地块增容至 {ind_far:g}",
         [{"parcel_id": r[0], "set_far": ind_far} for r in low], sum(r[3] for r in low))
    return out


def headroom(zone: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """The score each indicator could still add, up to its ideal (weight × (100 − realisation))."""
    w = effective_weights(zone["eval_type"], profile)
    cap = profile.realisation_cap or 100.0
    out = {}
    for k, weight in sorted(w.items(), key=lambda kv: -kv[1]):
        s = zone["realisation"].get(k)
        out[k] = {"name": INDICATORS[k].name, "weight": weight, "realisation": s,
                  "points_available": None if s is None else max(0.0, weight * (cap - s))}
    return out


def whatif(pkg: Path, *, zone: str, scenario: Path | None = None, against: list[Path] | None = None,
           db: Path | None = None, year: int | None = None, profile: str | Path | Profile | None = None
           ) -> dict[str, Any]:
    """The document of ``jiyue whatif``: before/after indicators, score and rank."""
    from jiyue.ranking.service import evaluate_many

    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    report = validate_path(pkg)
    if not report.ok:
        from jiyue.errors import ValidationFailed

        raise ValidationFailed(f"数据包有 {len(report.errors)} 个错误，无法测算；请先运行 jiyue validate。",
                               report.problems)
    reference: list[dict[str, Any]] = []
    if against or db is not None:
        reference, _ = evaluate_many(against, db, year=year, profile=prof)
    con, y = load_report_into_memory(report, year)
    try:
        snaps = [(int(r[0]), str(r[1]), int(r[2])) for r in con.execute(
            "SELECT import_id, zone_code, year FROM snapshots WHERE zone_code = ?", [zone]).fetchall()]
        if not snaps:
            raise UsageError(f"数据包中没有开发区「{zone}」")
        snap = snaps[0]
        before = evaluate_selection(con, [snap], prof)[0]
        package_zones = evaluate_selection(con, [(snap[0], c, snap[2]) for (c,) in con.execute(
            "SELECT zone_code FROM snapshots").fetchall()], prof)
        ref = [z for z in reference if z["zone_code"] != zone] + [z for z in package_zones if z["zone_code"] != zone]
        doc: dict[str, Any] = {"zone_code": zone, "year": snap[2], "profile": prof.describe(),
                               "reference_zones": len(ref), "before": _brief(before, ref),
                               "headroom": headroom(before, prof)}
        scenarios: list[dict[str, Any]] = []
        if scenario is not None:
            s = load_scenario(scenario)
            scenarios.append({"key": "scenario", "title": s.get("name", scenario.name), "scenario": s,
                              "parcels": [c.get("parcel_id") for c in s.get("changes", [])]})
        else:
            scenarios = suggestions(con, snap, before, prof)
        results = []
        for sc in scenarios:
            con.execute("BEGIN")
            try:
                apply_scenario(con, snap, sc["scenario"])
                after = evaluate_selection(con, [snap], prof)[0]
            finally:
                con.execute("ROLLBACK")
            results.append({k: v for k, v in sc.items() if k != "scenario"} | {
                "changes": len(sc["scenario"].get("changes", [])), "after": _brief(after, ref),
                "score_change": None if after["score"] is None or before["score"] is None
                else after["score"] - before["score"]})
        doc["scenarios"] = results
        if scenario is not None:
            doc["after"] = results[0]["after"]
        return doc
    finally:
        con.close()
