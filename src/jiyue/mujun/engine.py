"""The vectorised scoring engine: indicators, benchmarks, item scores, bonuses, total.

Pure functions of an input frame (:mod:`jiyue.mujun.inputs`), its scope assignment
(:mod:`jiyue.mujun.scope`) and a :class:`~jiyue.mujun.scheme.Scheme`. Rules, in the order
they are applied to each item of a group (all documented in docs/mujun.md):

- **value** = formula numerator / denominator. A missing input → *missing*; a zero
  denominator → *zero_denominator* (never infinity), which the item's ``zero_denominator``
  policy turns into *missing* (default) or a score of 0. A negative value is scored as 0
  and flagged for manual review.
- **benchmark** from the group's *rated* firms with a value: ``fixed``; ``mean`` (arithmetic
  mean of firm values); ``pooled`` (Σ numerator / Σ denominator); ``max``; ``prev_mean`` /
  ``prev_pooled`` (the previous year's statistic); computed ones are multiplied by ``k``.
- **score**: ``ratio`` w·x/b; ``lower_ratio`` w·max(0, z − x/b)/z (z = ``zero_at``, 2 by
  default: full marks at 0, half at the benchmark, 0 at twice it); ``minmax``
  w·(lo + (hi − lo)·(x − min)/(max − min))/100 (reversed for lower-is-better; all firms get
  ``hi`` when max = min). A zero or missing benchmark scores the item 0 for everyone.
- **cap / floor**: min(score, cap_multiple·w), max(score, floor).
- **missing policy**: ``group_mean`` (the mean item score of the group's rated firms that have
  a value; 0 when none has), ``zero``, or ``band_floor`` (w·lo/100 for min–max, else 0).
- **total** = Σ item scores + Σ bonus points − Σ deduction points (adjustments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jiyue.errors import JiyueError
from jiyue.mujun import labels
from jiyue.mujun.scheme import Formula, Item, Scheme
from jiyue.mujun.scope import has_any

OK, MISSING, ZERO_DEN = 0, 1, 2


class PreviousYearNeeded(JiyueError):
    """A ``prev_*`` benchmark needs the previous year's population, which is absent."""


@dataclass
class Values:
    """Indicator values of every row: value, status code (OK / MISSING / ZERO_DEN), num, den."""

    value: dict[str, np.ndarray]
    status: dict[str, np.ndarray]
    num: dict[str, np.ndarray]
    den: dict[str, np.ndarray]


@dataclass
class Result:
    """Scores of one year: a frame aligned with the input frame plus the benchmarks used."""

    table: pd.DataFrame
    benchmarks: dict[str, dict[str, dict[str, Any]]]
    stats: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def variable(frame: pd.DataFrame, name: str) -> np.ndarray:
    """An input variable as float array (derived ones: electricity_kwh)."""
    if name == "electricity_kwh":
        return frame["electricity_mwh"].to_numpy(dtype=float) * 1000.0
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)


def _product(frame: pd.DataFrame, const: float, names: tuple[str, ...], cache: dict[str, np.ndarray]) -> np.ndarray:
    out = np.full(len(frame), const, dtype=float)
    for n in names:
        if n not in cache:
            cache[n] = variable(frame, n)
        out = out * cache[n]
    return out


def formula_parts(frame: pd.DataFrame, f: Formula, cache: dict[str, np.ndarray] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    cache = {} if cache is None else cache
    return _product(frame, f.num_const, f.num_vars, cache), _product(frame, f.den_const, f.den_vars, cache)


def indicator_values(frame: pd.DataFrame, scheme: Scheme) -> Values:
    """Every indicator of the scheme for every row (never infinity)."""
    cache: dict[str, np.ndarray] = {}
    v, s, nn, dd = {}, {}, {}, {}
    for key, ind in scheme.indicators.items():
        num, den = formula_parts(frame, ind.formula, cache)
        miss = np.isnan(num) | np.isnan(den)
        zero = ~miss & (den == 0)
        st = np.where(miss, MISSING, np.where(zero, ZERO_DEN, OK)).astype(np.int8)
        with np.errstate(divide="ignore", invalid="ignore"):
            val = np.where(st == OK, num / np.where(den == 0, 1.0, den), np.nan)
        v[key], s[key], nn[key], dd[key] = val, st, num, den
    return Values(v, s, nn, dd)


def population_stats(frame: pd.DataFrame, scope_df: pd.DataFrame, scheme: Scheme,
                     values: Values | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """Per group and item: n, mean, pooled, min, max of the rated firms with a value."""
    values = values or indicator_values(frame, scheme)
    rated = (scope_df["status"] == "rated").to_numpy()
    grp = scope_df["group"].to_numpy()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for g in scheme.groups:
        pop = rated & (grp == g.key)
        out[g.key] = {}
        for it in g.items:
            k = it.indicator
            ok = pop & (values.status[k] == OK)
            x = np.maximum(values.value[k][ok], 0.0)
            n = int(ok.sum())
            sden = float(values.den[k][ok].sum()) if n else 0.0
            out[g.key][k] = {
                "n": n,
                "mean": float(x.mean()) if n else None,
                "pooled": float(values.num[k][ok].sum()) / sden if n and sden != 0 else None,
                "min": float(x.min()) if n else None,
                "max": float(x.max()) if n else None,
            }
    return out


def benchmark_of(item: Item, st: dict[str, Any], prev: dict[str, Any] | None, group: str,
                 scheme: Scheme) -> dict[str, Any]:
    """The benchmark record of one item of one group (value may be None)."""
    b = item.benchmark
    rec: dict[str, Any] = {"method": "minmax" if item.method == "minmax" else b.method, "value": None,
                           "k": b.k, "n": st["n"], "min": st["min"], "max": st["max"], "basis": b.basis}
    if item.method == "minmax":
        rec["value"] = st["max"]
        return rec
    if b.method == "fixed":
        rec["value"] = b.value
        rec["k"] = 1.0
    elif b.method in ("mean", "pooled", "max"):
        v = st[b.method]
        rec["value"] = None if v is None else v * b.k
    else:
        if prev is None:
            raise PreviousYearNeeded(labels.ERR["prev_needed"].format(scheme=scheme.name, year="上一"))
        v = prev.get(b.method[len("prev_"):])
        rec["value"] = None if v is None else v * b.k
        rec["n_prev"] = prev.get("n")
    return rec


def score(frame: pd.DataFrame, scope_df: pd.DataFrame, scheme: Scheme,
          prev_stats: dict[str, dict[str, dict[str, Any]]] | None = None) -> Result:
    """Item scores, bonuses, deductions and totals of the rated firms (NaN elsewhere)."""
    n = len(frame)
    values = indicator_values(frame, scheme)
    stats = population_stats(frame, scope_df, scheme, values)
    rated = (scope_df["status"] == "rated").to_numpy()
    grp = scope_df["group"].to_numpy()
    cols: dict[str, np.ndarray] = {}
    for k in scheme.indicators:
        cols[f"v.{k}"] = values.value[k]
        cols[f"m.{k}"] = values.status[k]
    item_keys = list(dict.fromkeys(i.indicator for g in scheme.groups for i in g.items))
    for k in item_keys:
        cols[f"s.{k}"] = np.full(n, np.nan)
        cols[f"r.{k}"] = np.full(n, np.nan)  # raw score before cap/floor (NaN when imputed)
        cols[f"i.{k}"] = np.zeros(n, dtype=np.int8)  # 1 = imputed by the missing policy
    benchmarks: dict[str, dict[str, dict[str, Any]]] = {}
    base = np.full(n, np.nan)
    for g in scheme.groups:
        pop = rated & (grp == g.key)
        benchmarks[g.key] = {}
        if pop.any():
            base[pop] = 0.0
        for it in g.items:
            k = it.indicator
            st = stats[g.key][k]
            prev = (prev_stats or {}).get(g.key, {}).get(k) if prev_stats is not None else None
            rec = benchmark_of(it, st, prev, g.key, scheme)
            benchmarks[g.key][k] = rec
            sc, raw, imputed = item_scores(values.value[k], values.status[k], pop, it, rec,
                                           scheme.indicators[k].direction)
            cols[f"s.{k}"][pop] = sc[pop]
            cols[f"r.{k}"][pop] = raw[pop]
            cols[f"i.{k}"][pop] = imputed[pop]
            base[pop] += sc[pop]
    bonus = np.where(rated, 0.0, np.nan)
    deduction = np.where(rated, 0.0, np.nan)
    for a in scheme.adjustments:
        hit = rated & (has_any(frame["flags"], a.flags) | has_any(frame["veto"], a.events))
        if a.groups is not None:
            hit &= np.isin(grp, list(a.groups))
        cols[f"a.{a.key}"] = np.where(hit, a.points, 0.0)
        if a.points >= 0:
            bonus = np.where(hit, bonus + a.points, bonus)
        else:
            deduction = np.where(hit, deduction - a.points, deduction)
    table = pd.DataFrame(cols, index=frame.index)
    table["base_score"] = base
    table["bonus"] = bonus
    table["deduction"] = deduction
    table["score"] = base + bonus - deduction
    return Result(table, benchmarks, stats)


def item_scores(value: np.ndarray, status: np.ndarray, pop: np.ndarray, it: Item, bench: dict[str, Any],
                direction: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, raw score before cap/floor, imputed flag) of one item for every row."""
    w = it.weight
    x = np.maximum(np.where(status == OK, value, 0.0), 0.0)  # negatives scored as 0
    has = status == OK
    b = bench["value"]
    if it.method == "minmax":
        lo, hi = it.band
        mn, mx = bench["min"], bench["max"]
        if mn is None or mx is None:
            raw = np.zeros(len(x))
        elif mx > mn:
            frac = (x - mn) / (mx - mn) if direction == "higher" else (mx - x) / (mx - mn)
            raw = w * (lo + (hi - lo) * frac) / 100.0
        else:
            raw = np.full(len(x), w * hi / 100.0)
    elif b is None or b <= 0:
        raw = np.zeros(len(x))
    elif it.method == "ratio":
        raw = w * x / b
    else:  # lower_ratio
        raw = w * np.maximum(0.0, it.zero_at - x / b) / it.zero_at
    sc = raw.copy()
    if it.cap_multiple is not None:
        sc = np.minimum(sc, it.cap_multiple * w)
    if it.floor is not None:
        sc = np.maximum(sc, it.floor)
    zero_den_as_zero = (status == ZERO_DEN) & (it.zero_denominator == "zero")
    to_impute = ~has & ~zero_den_as_zero
    out = np.where(has, sc, 0.0)
    if it.missing == "group_mean":
        donors = pop & has
        fill = float(sc[donors].mean()) if donors.any() else 0.0
    elif it.missing == "band_floor" and it.method == "minmax":
        fill = w * it.band[0] / 100.0
    else:
        fill = 0.0
    out = np.where(to_impute, fill, out)
    raw_out = np.where(has, raw, np.nan)
    return out, raw_out, to_impute.astype(np.int8)
