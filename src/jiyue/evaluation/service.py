"""Evaluate zones from a package or from the store: the service behind CLI, web and reports.

A package is validated, loaded into an in-memory store (the same schema as the DuckDB file)
and evaluated by the same SQL as the store, so a package and its imported copy give the same
figures. Every result carries the profile (name, version), the jiyue version and the data's
provenance (package hash or import id).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

import jiyue
from jiyue import store
from jiyue.errors import UsageError, ValidationFailed
from jiyue.evaluation.indicators import INDICATORS
from jiyue.evaluation.profile import Node, Profile, load_profile
from jiyue.evaluation.results import evaluate_selection, selection
from jiyue.evaluation.scoring import effective_weights

if TYPE_CHECKING:  # the reading stack (geopandas, GDAL) loads only when a package file is opened
    from jiyue.validate import Report


@dataclass
class Source:
    """Where the data came from: a package file or the store."""

    con: duckdb.DuckDBPyConnection
    selection: list[tuple[int, str, int]]
    provenance: dict[str, Any]


def load_report_into_memory(report: Report, year: int | None = None) -> tuple[duckdb.DuckDBPyConnection, int]:
    """An in-memory store holding one validated package; returns (connection, year)."""
    con = store.connect(None)
    store.migrate(con, ":memory:")
    zones = sorted(str(z) for z in report.package.layers["zones"]["zone_code"].dropna().unique())
    y = int(year) if year is not None else store.package_year(report)
    store.import_report(con, report, zones, y, replace=False)
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
            sel = selection(con, zone, y)
            yield Source(con, sel, prov)
        finally:
            con.close()
    else:
        with store.open_store(db, read_only=True, spatial=False) as con:  # type: ignore[arg-type]
            sel = selection(con, zone, year)
            yield Source(con, sel, {"db": str(db), "imports": sorted({s[0] for s in sel})})


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
    return document(zones, prof, provenance)


def document(zones: list[dict[str, Any]], profile: Profile, provenance: Any) -> dict[str, Any]:
    """The JSON document of ``jiyue evaluate`` around zone results (also the web's workbook)."""
    return {
        "profile": profile.describe(),
        "jiyue_version": jiyue.__version__,
        "provenance": provenance,
        "indicator_units": {k: i.unit for k, i in INDICATORS.items()},
        "zones": zones,
    }


# --------------------------------------------------------------------------- one zone's score, explained
def indicator_points(zone: dict[str, Any], profile: Profile) -> list[dict[str, Any]]:
    """Every indicator of a zone result with its share of the score (the dashboard's table).

    ``points`` = effective weight × realisation degree (they add up to the score);
    ``points_available`` = weight × (realisation cap − realisation), never below 0: what the
    indicator could still add. Both None when the indicator is not scored or has no value.
    """
    weights = effective_weights(zone["eval_type"], profile)
    cap = profile.realisation_cap or 100.0
    out = []
    for k, v in zone["indicators"].items():
        ind = INDICATORS[k]
        real = zone["realisation"].get(k)
        w = weights.get(k)
        scored = w is not None and real is not None
        out.append({
            "key": k, "name": ind.name, "unit": ind.unit, "value": v, "formula": ind.formula,
            "ideal": zone["ideals"].get(k), "realisation": real, "weight": w,
            "points": w * real if scored else None,
            "points_available": max(0.0, w * (cap - real)) if scored else None,
            "missing": zone["missing"].get(k),
        })
    return out


def score_tree(zone: dict[str, Any], profile: Profile) -> list[dict[str, Any]]:
    """The profile's weight tree of the zone's type with the zone's subscores and realisation degrees."""
    def walk(nodes: tuple[Node, ...]) -> list[dict[str, Any]]:
        return [{"key": n.key, "name": n.name, "weight": n.weight, "score": zone["subscores"].get(n.key),
                 "children": walk(n.children),
                 "indicators": [{"key": k, "name": INDICATORS[k].name, "weight": w,
                                 "realisation": zone["realisation"].get(k)} for k, w in n.indicators]}
                for n in nodes]

    return walk(profile.trees[zone["eval_type"]])


# --------------------------------------------------------------------------- one parcel's buildings
def parcel_buildings(buildings: list[dict[str, Any]], area_m2: float | None) -> dict[str, Any]:
    """Totals of the buildings assigned to one parcel (the map's parcel card).

    ``buildings``: rows with ``kind``, ``floor_area_m2`` (under the floor-area rule of
    :func:`jiyue.evaluation.accounting.floor_area_sql`: None for structures) and ``footprint_m2``.
    FAR (容积率) = floor area ÷ parcel area; density (建筑密度, %) = footprint of the buildings of
    kind ``building`` ÷ parcel area × 100; both None without an area.
    """
    fa = sum(b.get("floor_area_m2") or 0.0 for b in buildings)
    fp = sum(b.get("footprint_m2") or 0.0 for b in buildings if (b.get("kind") or "building") == "building")
    area = area_m2 or 0.0
    return {"count": len(buildings), "floor_area_m2": fa, "footprint_m2": fp,
            "far": fa / area if area else None, "density_pct": fp / area * 100 if area else None}
