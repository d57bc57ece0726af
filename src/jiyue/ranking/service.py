"""Rank any set of zones: evaluate every package (or the store), then rank and average."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jiyue
from jiyue.errors import UsageError
from jiyue.evaluation.profile import Profile, load_profile
from jiyue.evaluation.service import evaluate
from jiyue.ranking.rank import averages, rankings, score_distribution, year_on_year


def evaluate_many(pkgs: list[Path] | None = None, db: Path | None = None, *, year: int | None = None,
                  profile: Profile) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Evaluation documents of every zone in the packages / store; and their provenance."""
    zones: list[dict[str, Any]] = []
    prov: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    sources: list[tuple[Path | None, Path | None]] = [(p, None) for p in (pkgs or [])]
    if db is not None:
        sources.append((None, db))
    if not sources:
        raise UsageError("请至少给出一个数据包，或用 --db 指定数据库")
    for pkg, dbp in sources:
        doc = evaluate(pkg, dbp, year=year, profile=profile)
        prov.append(doc["provenance"])
        for z in doc["zones"]:
            where = str(pkg or dbp)
            if z["zone_code"] in seen:
                raise UsageError(f"开发区「{z['zone_code']}」同时出现在 {seen[z['zone_code']]} 和 {where} 中，"
                                 "一个开发区只能参加一次排名")
            seen[z["zone_code"]] = where
            zones.append(z)
    return zones, prov


def rank(pkgs: list[Path] | None = None, db: Path | None = None, *, year: int | None = None,
         profile: str | Path | Profile | None = None, base: list[Path] | None = None,
         base_year: int | None = None, include_zones: bool = True) -> dict[str, Any]:
    """The ranking document of ``jiyue rank`` (with year-on-year when a base is given)."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    zones, prov = evaluate_many(pkgs, db, year=year, profile=prof)
    doc = ranking_document(zones, prof, year=max((z["year"] for z in zones), default=year), provenance=prov)
    if base or base_year is not None:
        if base:
            base_zones, _ = evaluate_many(base, None, year=base_year, profile=prof)
        else:
            base_zones, _ = evaluate_many(None, db, year=base_year, profile=prof)
        doc["base_year"] = max((z["year"] for z in base_zones), default=base_year)
        doc["year_on_year"] = year_on_year(zones, base_zones)
        if include_zones:
            doc["base_zones"] = base_zones
    if include_zones:
        doc["zones"] = zones
    return doc


def ranking_document(zones: list[dict[str, Any]], profile: Profile, *, year: int | None,
                     provenance: Any = None) -> dict[str, Any]:
    """The ranking document of evaluated zones: ranks, averages, score distribution (``jiyue rank``,
    the web's ranking workbook with ``zones`` added)."""
    doc: dict[str, Any] = {"profile": profile.describe(), "jiyue_version": jiyue.__version__, "year": year}
    if provenance is not None:
        doc["provenance"] = provenance
    doc.update({"rankings": rankings(zones), "averages": averages(zones), "distribution": score_distribution(zones)})
    return doc
