"""Zone evaluations for the dashboard: computed once per snapshot and kept in memory.

An evaluation depends only on the snapshot (import id, zone, year) and the profile, and an import
never changes in place (a re-import gets a new import id), so results are cached by that key and
never go stale. Missing snapshots are evaluated in one batch with the evaluation engine's
connection-level function (``evaluate_selection``) on the request's own cursor — the engine's
path-level ``evaluate(db=...)`` would open a second, read-only connection to a file this process
already holds read-write, which DuckDB refuses.
"""

from __future__ import annotations

import threading
from typing import Any

import duckdb

from jiyue.errors import UsageError
from jiyue.evaluation.profile import Profile, load_profile
from jiyue.evaluation.results import evaluate_selection
from jiyue.evaluation.service import indicator_points, score_tree
from jiyue.ranking.rank import rankings
from jiyue.web import labels, queries

Snapshot = tuple[int, str, int]


class EvaluationCache:
    """Evaluation results by snapshot, for one profile."""

    def __init__(self, profile: str | Profile) -> None:
        self.profile = profile if isinstance(profile, Profile) else load_profile(profile)
        self._results: dict[Snapshot, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, cur: duckdb.DuckDBPyConnection, snapshots: list[Snapshot]) -> dict[Snapshot, dict[str, Any]]:
        missing = [s for s in snapshots if s not in self._results]
        if missing:
            with self._lock:
                missing = [s for s in snapshots if s not in self._results]
                if missing:
                    for snap, res in zip(missing, evaluate_selection(cur, missing, self.profile), strict=True):
                        self._results[snap] = res
        return {s: self._results[s] for s in snapshots}

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


def dashboard(cur: duckdb.DuckDBPyConnection, cache: EvaluationCache, zone: str, year: int | None = None
              ) -> dict[str, Any]:
    """The dashboard document of one zone and year (default: its latest year)."""
    snaps = queries.snapshots(cur)
    mine = [s for s in snaps if s[1] == zone]
    if not mine:
        raise UsageError(labels.MSG["zone_not_found"].format(zone=zone))
    years = sorted(s[2] for s in mine)
    y = years[-1] if year is None else int(year)
    if y not in years:
        raise UsageError(f"开发区「{zone}」没有 {y} 年度的数据；已有年度：{'、'.join(map(str, years))}")
    peers = [s for s in snaps if s[2] == y]
    results = cache.get(cur, sorted(set(mine) | set(peers)))
    snap = next(s for s in mine if s[2] == y)
    z = results[snap]
    prof = cache.profile
    same_type = [results[s] for s in peers if results[s]["eval_type"] == z["eval_type"]]
    rank_rows = {r["zone_code"]: r for r in rankings(same_type)}
    trend = [{"year": s[2], "score": results[s]["score"], "indicators": results[s]["indicators"]}
             for s in sorted(mine, key=lambda s: s[2])]
    return {
        "zone": {
            "zone_code": zone, "name": z["name"], "province": z["province"], "city": z["city"],
            "level": z["level"], "level_label": labels.LEVELS.get(z["level"] or "", z["level"]),
            "category": z["category"], "category_label": labels.CATEGORIES.get(z["category"] or "", z["category"]),
            "eval_type": z["eval_type"], "eval_type_label": labels.EVAL_TYPES.get(z["eval_type"], z["eval_type"]),
            "year": y, "years": years, "import_id": snap[0],
        },
        "profile": prof.describe(),
        "score": z["score"],
        "indicators": indicator_points(z, prof),
        "tree": score_tree(z, prof),
        "areas_ha": z["areas_ha"],
        "counts": z["counts"],
        "economic": z["economic"],
        "potential_ha": z["potential_ha"],
        "potential_missing": z["potential_missing"],
        "years_of_supply": z["years_of_supply"],
        "rank": {**rank_rows.get(zone, {}), "peers": len(same_type),
                 "scope": f"本数据库中 {y} 年度的{labels.EVAL_TYPES.get(z['eval_type'], '')}开发区"},
        "trend": trend,
        "provenance": queries.import_info(cur, snap[0]),
    }
