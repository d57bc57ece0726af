"""Evaluate zones from a package or from the store: the service behind CLI, web and reports.

A package is validated, loaded into an in-memory store (the same schema as the DuckDB file)
and evaluated by the same SQL as the store, so a package and its imported copy give the same
figures. Every result carries the profile (name, version), the jiyue version and the data's
provenance (package hash or import id).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

import jiyue
from jiyue import store
from jiyue.errors import UsageError, ValidationFailed
from jiyue.evaluation import accounting
from jiyue.evaluation.indicators import INDICATORS, TYPE_INDICATORS, compute
from jiyue.evaluation.potential import potentials, years_of_supply
from jiyue.evaluation.profile import Node, Profile, load_profile
from jiyue.evaluation.scoring import score_zone
from jiyue.landrules import M2_PER_HA

if TYPE_CHECKING:  # the reading stack (geopandas, GDAL) loads only when a package file is opened
    from jiyue.validate import Report

AREA_REPORT_KEYS = ["total", *accounting.AREA_KEYS]
TERM_KEYS = sorted({t for i in INDICATORS.values() for t in (*i.numerator, *i.denominator)})


@dataclass
class Source:
    """Where the data came from: a package file or the store."""

    con: duckdb.DuckDBPyConnection
    selection: list[tuple[int, str, int]]
    provenance: dict[str, Any]


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if hasattr(v, "item"):
        try:
            return _clean(v.item())
        except (ValueError, AttributeError):
            return v
    return v


def load_report_into_memory(report: Report, year: int | None = None) -> tuple[duckdb.DuckDBPyConnection, int]:
    """An in-memory store holding one validated package; returns (connection, year)."""
    con = store.connect(None)
    store.migrate(con, ":memory:")
    zones = sorted(str(z) for z in report.package.layers["zones"]["zone_code"].dropna().unique())
    y = int(year) if year is not None else store.package_year(report)
    store._import(con, report, zones, y, replace=False)  # noqa: SLF001 - same module family
    return con, y


@contextmanager
def open_source(pkg: str | Path | None = None, db: str | Path | None = None, *, zone: str | None = None,
                year: int | None = None) -> Iterator[Source]:
    """Open a package (validated, in memory) or the store, selecting zones and year."""
    if (pkg is None) == (db is None):
        raise UsageError("请给出数据包路径，或用 --db 指定数据库（二者选一）")
    if pkg is not None:
        from jiyue.validate import validate_path

        report = validate_path(pkg)
        if not report.ok:
            raise ValidationFailed(f"数据包有 {len(report.errors)} 个错误，无法评价；请先运行 jiyue validate 查看并修正。",
                                   report.problems)
        con, y = load_report_into_memory(report, year)
        prov = {"package": str(pkg), "sha256": report.package.sha256}
        try:
            sel = _selection(con, zone, y)
            yield Source(con, sel, prov)
        finally:
            con.close()
    else:
        with store.open_store(db, read_only=True, spatial=False) as con:  # type: ignore[arg-type]
            sel = _selection(con, zone, year)
            yield Source(con, sel, {"db": str(db), "imports": sorted({s[0] for s in sel})})


def _selection(con: duckdb.DuckDBPyConnection, zone: str | None, year: int | None) -> list[tuple[int, str, int]]:
    rows = con.execute("SELECT import_id, zone_code, year FROM snapshots ORDER BY zone_code, year").fetchall()
    if zone is not None:
        rows = [r for r in rows if r[1] == zone]
        if not rows:
            known = con.execute("SELECT DISTINCT zone_code FROM snapshots ORDER BY 1").fetchall()
            raise UsageError(f"没有开发区「{zone}」的数据；已有：{'、'.join(r[0] for r in known) or '无'}")
    if year is not None:
        rows = [r for r in rows if r[2] == year]
        if not rows:
            raise UsageError(f"没有 {year} 年度的数据")
    else:  # the latest year of each zone
        latest: dict[str, tuple[int, str, int]] = {}
        for r in rows:
            latest[r[1]] = r
        rows = list(latest.values())
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def evaluate_selection(con: duckdb.DuckDBPyConnection, selection: Sequence[tuple[int, str, int]],
                       profile: Profile, *, parcel_buildings: str | None = None) -> list[dict[str, Any]]:
    """Evaluate every selected snapshot; one result dict per zone and year.

    ``parcel_buildings`` names a table of per-parcel building totals to use instead of the
    ``buildings`` table (the national bulk path, :mod:`jiyue.evaluation.bulk`).
    """
    accounting.select_snapshots(con, selection, parcel_buildings=parcel_buildings)
    acc = accounting.zone_accounting(con)
    supply = accounting.annual_supply(con)
    meta = con.execute("""
        SELECT s.snap, z.name, z.province, z.city, z.level, z.category, z.eval_type, z.approved_area_ha
        FROM ev_sel s LEFT JOIN zones z ON z.import_id = s.import_id AND z.zone_code = s.zone_code
        ORDER BY s.snap""").fetchdf().set_index("snap")
    supply_by: dict[int, dict[int, tuple[float, float]]] = {}
    for snap, yr, sup, sup_i in zip(supply["snap"].tolist(), supply["supply_year"].tolist(),
                                    supply["supplied"].tolist(), supply["supplied_industrial"].tolist()):
        supply_by.setdefault(int(snap), {})[int(yr)] = (float(sup), float(sup_i))
    metas = meta.to_dict(orient="index")
    results = []
    for row in acc.to_dict(orient="records"):
        snap = int(row["snap"])
        results.append(evaluate_zone(row, metas[snap], supply_by.get(snap, {}), profile))
    return results


def evaluate_zone(acc: dict[str, Any], meta: dict[str, Any], supply: pd.DataFrame | dict[int, tuple[float, float]],
                  profile: Profile) -> dict[str, Any]:
    """The whole evaluation of one zone from its accounting row (pure)."""
    acc = {k: _clean(v) for k, v in acc.items()}
    zone_type = str(meta.get("eval_type") or "")
    if zone_type not in profile.trees:
        raise UsageError(f"开发区「{acc['zone_code']}」的评价类型「{zone_type}」未知，应为 industrial 或 integrated")
    values, missing = compute(acc, TYPE_INDICATORS[zone_type])
    scored = score_zone(zone_type, values, profile)
    pot, pot_missing = potentials(zone_type, acc, values, profile)
    yos, yos_missing = years_of_supply(acc, supply, int(acc["year"]))
    areas_ha = {k: acc[k] / M2_PER_HA for k in AREA_REPORT_KEYS}
    return {
        "zone_code": acc["zone_code"],
        "name": _clean(meta.get("name")),
        "province": _clean(meta.get("province")),
        "city": _clean(meta.get("city")),
        "level": _clean(meta.get("level")),
        "category": _clean(meta.get("category")),
        "eval_type": zone_type,
        "year": int(acc["year"]),
        "import_id": int(acc["import_id"]),
        "areas_ha": areas_ha,
        "buildings_m2": {"floor_area_on_A": acc["FA_A"], "footprint_on_A": acc["FP_A"],
                         "floor_area_on_A2": acc["FA_A2"], "footprint_all_kinds_on_A2": acc["FPALL_A2"]},
        "counts": {"parcels": int(acc["n_parcels"]), "buildings": int(acc["n_buildings"])},
        # the raw terms (m², 万元, persons) behind every indicator, for Σ-numerator / Σ-denominator averages
        "terms": {k: acc.get(k) for k in TERM_KEYS},
        "economic": {
            "tax_total_wan": acc.get("tax_total_wan"), "population": acc.get("population"),
            "industrial_tax_wan": acc.get("industrial_tax_wan"),
            "industrial_fai_wan": acc.get("industrial_fai_wan"),
            "industrial_tax_source": acc.get("industrial_tax_source"),
            "industrial_fai_source": acc.get("industrial_fai_source"),
        },
        "indicators": values,
        "missing": missing,
        "ideals": {k: profile.ideals[zone_type][k].value for k in profile.indicator_keys(zone_type)},
        "realisation": scored["realisation"],
        "score": scored["score"],
        # the scored indicators without a value: the score then rests on the others (profile
        # rule missing_indicator) and is not comparable with a zone scored on all of them
        "score_complete": not [k for k, v in scored["realisation"].items() if v is None],
        "score_missing": sorted(k for k, v in scored["realisation"].items() if v is None),
        "subscores": scored["subscores"],
        "subscore_labels": _node_labels(profile.trees[zone_type]),
        "potential_ha": pot,
        "years_of_supply": yos,
        "potential_missing": {**pot_missing, **yos_missing},
    }


def _node_labels(nodes: tuple[Node, ...], depth: int = 0) -> dict[str, str]:
    """Chinese label of every node of a score tree: its name and level (目标 / 子目标)."""
    level = "目标" if depth == 0 else ("子目标" if depth == 1 else f"第{depth + 1}层")
    out: dict[str, str] = {}
    for n in nodes:
        out[n.key] = f"{n.name}（{level}）"
        out.update(_node_labels(n.children, depth + 1))
    return out


def _evaluate_plain(pkg: str | Path, *, zone: str | None, year: int | None, profile: Profile, validate: bool
                    ) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """A plain GeoParquet folder evaluated on the vectorised path (None: not such a folder).

    Validated first (:mod:`jiyue.validate_parquet`, the same problems as the general path; the
    layers loaded and the buildings assigned once for both), unless ``validate`` is False (a
    trusted source: :func:`jiyue.evaluation.bulk.evaluate_parquet` as it reads the files).
    """
    from jiyue.validate_parquet import plain_layers, validate_parquet

    plain = plain_layers(pkg)
    if plain is None:
        return None
    if not validate:
        from jiyue.evaluation import bulk
        from jiyue.reader import package_hash

        f = plain.files
        y = year if year is not None else bulk.parquet_year(f)
        zones = bulk.evaluate_parquet(zones=f["zones"], parcels=f["parcels"], buildings=f.get("buildings"),
                                      zone_years=f.get("zone_years"), year=y, profile=profile)
        if zone is not None:
            zones = [z for z in zones if z["zone_code"] == zone]
            if not zones:
                raise UsageError(f"没有开发区「{zone}」的数据")
        return zones, {"package": str(pkg), "sha256": package_hash(Path(pkg)), "validated": False}
    report = validate_parquet(plain, keep=True)
    if report is None:
        return None
    try:
        if not report.ok:
            raise ValidationFailed(f"数据包有 {len(report.errors)} 个错误，无法评价；请先运行 jiyue validate 查看并修正。",
                                   report.problems)
        from jiyue.evaluation.bulk import evaluate_validated

        zones = evaluate_validated(report, profile, zone=zone, year=year)
    finally:
        report.close()
    return zones, {"package": str(pkg), "sha256": plain.sha256}


def evaluate(pkg: str | Path | None = None, db: str | Path | None = None, *, zone: str | None = None,
             year: int | None = None, profile: str | Path | Profile | None = None,
             validate: bool = True) -> dict[str, Any]:
    """Evaluate a package or the store; the JSON document of ``jiyue evaluate``.

    A plain GeoParquet folder takes the vectorised path (validation included); ``validate=False``
    skips the validation of such a folder (trusted sources only)."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    fast = _evaluate_plain(pkg, zone=zone, year=year, profile=prof, validate=validate) \
        if pkg is not None and db is None else None
    if fast is not None:
        zones, provenance = fast
    elif not validate:
        raise UsageError("--no-validate 只适用于 GeoParquet 文件夹（zones.parquet、parcels.parquet 等，字段与类型符合数据规范）；"
                         "其他数据包评价时总要校验")
    else:
        with open_source(pkg, db, zone=zone, year=year) as src:
            zones = evaluate_selection(src.con, src.selection, prof)
            provenance = src.provenance
    return {
        "profile": prof.describe(),
        "jiyue_version": jiyue.__version__,
        "provenance": provenance,
        "indicator_units": {k: i.unit for k, i in INDICATORS.items()},
        "zones": zones,
    }
