"""Region- and park-level per-mu figures (docs/sources/per-mu-schemes.md §A.10): Σ numerator / Σ denominator, never a mean
of firm ratios; class counts; rankings of parks / streets / zones; year-on-year change.

One record per (level, key, group): level ``zone`` (enterprises.zone_code, else the zone of the
firm's largest parcel), ``park`` and ``street`` (optional enterprise fields; absent → no
records); group ``all`` and each scheme group. Only rated firms enter the sums; class counts
include the deferred (T). An indicator's sums run over the firms whose numerator and
denominator inputs are both present. ``ranks`` rank the keys of one level and group on each
indicator (1 = best; lower-is-better indicators ascending).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jiyue.mujun.engine import formula_parts
from jiyue.mujun.scheme import Scheme

LEVELS = ("zone", "park", "street")
LEVEL_COLUMN = {"zone": "zone_code", "park": "park", "street": "street"}


def aggregates(frame: pd.DataFrame, scope_df: pd.DataFrame, classes: np.ndarray, scheme: Scheme, year: int,
               previous: dict[tuple[str, str, str], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The aggregate records of one year (see module docstring)."""
    status = scope_df["status"].to_numpy()
    rated = status == "rated"
    counted = rated | (status == "deferred")
    group = scope_df["group"].to_numpy(dtype=object)
    land_mu = np.where(rated, frame["land_mu"].to_numpy(dtype=float), 0.0)
    cache: dict[str, np.ndarray] = {}
    ind_keys = list(scheme.indicators)
    nums, dens = {}, {}
    for k in ind_keys:
        num, den = formula_parts(frame, scheme.indicators[k].formula, cache)
        ok = ~np.isnan(num) & ~np.isnan(den) & rated
        nums[k] = np.where(ok, num, 0.0)
        dens[k] = np.where(ok, den, 0.0)
    cls_codes, cls_names = pd.factorize(pd.Series(classes, dtype=object), use_na_sentinel=True)
    order = list(scheme.classes.order) + [scheme.classes.deferred]
    groups = ["all", *[g.key for g in scheme.groups]]
    out: list[dict[str, Any]] = []
    for level in LEVELS:
        col = LEVEL_COLUMN[level]
        if col not in frame.columns:
            continue
        raw = frame[col].astype(object).where(frame[col].notna(), None).to_numpy()
        if level != "zone" and all(k is None for k in raw):
            continue
        keys = np.array(["—" if k is None else str(k) for k in raw], dtype=object)
        for g in groups:
            sel = np.ones(len(keys), dtype=bool) if g == "all" else (group == g)
            if not sel.any():
                continue
            codes, uniq = pd.factorize(keys[sel], sort=True)
            m = len(uniq)

            def total(x: np.ndarray) -> np.ndarray:
                return np.bincount(codes, weights=x[sel], minlength=m)  # noqa: B023

            n_rated = total(rated.astype(float))
            land = total(land_mu)
            sn = {k: total(nums[k]) for k in ind_keys}
            sd = {k: total(dens[k]) for k in ind_keys}
            cc = {}
            for ci, name in enumerate(cls_names):
                cc[name] = total(((cls_codes == ci) & counted).astype(float))
            recs = []
            for j, key in enumerate(uniq):
                inds = {k: float(sn[k][j] / sd[k][j]) if sd[k][j] != 0 else None for k in ind_keys}
                rec: dict[str, Any] = {
                    "level": level, "key": str(key), "group": g, "year": year,
                    "n_rated": int(n_rated[j]), "land_mu": float(land[j]),
                    "sums": {k: {"numerator": float(sn[k][j]), "denominator": float(sd[k][j])} for k in ind_keys},
                    "indicators": inds,
                    "class_counts": {c: int(cc[c][j]) if c in cc else 0 for c in order},
                }
                prev = (previous or {}).get((level, str(key), g))
                if prev is not None:
                    pind = prev.get("indicators", {})
                    rec["previous"] = {"year": prev.get("year"), "indicators": pind}
                    rec["yoy"] = {k: (inds[k] / pind[k] - 1.0) if inds.get(k) is not None and pind.get(k)
                                  else None for k in ind_keys}
                recs.append(rec)
            _rank(recs, scheme, ind_keys)
            out.extend(recs)
    return out


def _rank(recs: list[dict[str, Any]], scheme: Scheme, ind_keys: list[str]) -> None:
    """Competition ranks of the keys of one level and group on each indicator (1 = best)."""
    for k in ind_keys:
        vals = [(r["indicators"][k], i) for i, r in enumerate(recs) if r["indicators"][k] is not None]
        lower = scheme.indicators[k].direction == "lower"
        vals.sort(key=lambda t: t[0] if lower else -t[0])
        rank_of: dict[int, int] = {}
        last, last_rank = None, 0
        for pos, (v, i) in enumerate(vals, start=1):
            if last is None or abs(v - last) > 1e-12:
                last_rank = pos
            rank_of[i] = last_rank
            last = v
        for i, r in enumerate(recs):
            r.setdefault("ranks", {})[k] = rank_of.get(i)
    for r in recs:
        r["n_keys"] = len(recs)


def index(aggs: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Aggregates keyed by (level, key, group), for year-on-year comparison."""
    return {(a["level"], a["key"], a["group"]): {"year": a["year"], "indicators": a["indicators"]} for a in aggs}
