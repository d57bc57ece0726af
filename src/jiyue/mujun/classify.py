"""Ranks and classes: quota or thresholds per group, then vetoes and protections.

- **Rank** within the group of rated firms, by total score (highest first). With
  ``ties = "shared"`` (default) firms whose scores agree to 1e-9 share the best rank of the tie
  (1, 2, 2, 4) and therefore the same class — a tie straddling a boundary goes to the better
  class. With ``ties = "break"`` ranks are ordinal, ties broken by the ``tie_break`` indicators
  (higher first) and then by enterprise id.
- **Quota**: with N rated firms in the group and cumulative shares q_A, q_A + q_B, …, class c
  ends at rank ⌊N·Σq⌋ (``rounding = "floor"``, i.e. *inclusive* boundaries: a firm is in the
  top 20 % when rank/N ≤ 0.20), ``ceil`` or ``round`` (half up); computed with exact fractions.
  A firm takes the first class whose last rank is ≥ its rank.
- **Thresholds**: the first class whose score line the total reaches (inclusive).
- **Veto** (events or flags): ``effect = "demote"`` — a firm whose class is in ``cannot_be``
  (A, B) becomes ``becomes`` (C); ``"force"`` — it becomes ``becomes`` whatever its rank.
- **Protection** (founded within N years, or flags): a firm whose class is in ``cannot_be``
  (D) becomes ``becomes`` (C) — unless a veto applies.
- With ``refill = false`` (default) nobody else moves: quota slots freed by vetoes and
  protections stay empty. With ``refill = true`` the worst class is filled from the bottom by
  firms that are not protected, then the other classes from the top by firms allowed in them.
- The deferred (T) firms are not ranked and take class ``deferred`` (T).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiyue.mujun.scheme import Classes, Rule, Scheme
from jiyue.mujun.scope import founded_within, has_any

TIE_DIGITS = 9


def rule_hits(frame: pd.DataFrame, rule: Rule, year: int) -> np.ndarray:
    hit = has_any(frame["veto"], rule.events) | has_any(frame["flags"], rule.flags)
    if rule.founded_within_years:
        hit |= founded_within(frame["founded"], year, rule.founded_within_years)
    return hit


def ranks(table: pd.DataFrame, scope_df: pd.DataFrame, frame: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """``rank`` and ``n_group`` of the rated firms (NaN elsewhere)."""
    rated = (scope_df["status"] == "rated").to_numpy()
    grp = scope_df["group"].to_numpy()
    rank = np.full(len(table), np.nan)
    ngroup = np.full(len(table), np.nan)
    score = np.round(table["score"].to_numpy(dtype=float), TIE_DIGITS)
    for g in scheme.groups:
        idx = np.flatnonzero(rated & (grp == g.key))
        if not len(idx):
            continue
        s = score[idx]
        if scheme.classes.ties == "shared":
            r = pd.Series(s).rank(method="min", ascending=False).to_numpy()
        else:
            keys: list[np.ndarray] = [frame["enterprise_id"].to_numpy()[idx].astype(str)]
            for k in reversed(scheme.classes.tie_break):
                v = table[f"v.{k}"].to_numpy(dtype=float)[idx]
                keys.append(-np.nan_to_num(v, nan=-np.inf))
            keys.append(-s)
            order = np.lexsort(keys)
            r = np.empty(len(idx))
            r[order] = np.arange(1, len(idx) + 1)
        rank[idx] = r
        ngroup[idx] = len(idx)
    return pd.DataFrame({"rank": rank, "n_group": ngroup}, index=table.index)


def classify(table: pd.DataFrame, scope_df: pd.DataFrame, frame: pd.DataFrame, scheme: Scheme,
             year: int) -> pd.DataFrame:
    """rank, n_group, class_by_rank, class, vetoed, protected for every row."""
    cl = scheme.classes
    rk = ranks(table, scope_df, frame, scheme)
    rated = (scope_df["status"] == "rated").to_numpy()
    deferred = (scope_df["status"] == "deferred").to_numpy()
    grp = scope_df["group"].to_numpy()
    order = np.array(cl.order, dtype=object)
    by_rank = np.full(len(table), None, dtype=object)
    rank = rk["rank"].to_numpy()
    score = table["score"].to_numpy(dtype=float)
    vetoed = rated & rule_hits(frame, cl.veto, year)
    protected = rated & rule_hits(frame, cl.protection, year)
    final = np.full(len(table), None, dtype=object)
    for g in scheme.groups:
        idx = np.flatnonzero(rated & (grp == g.key))
        if not len(idx):
            continue
        if cl.method == "quota":
            bounds = np.array(cl.cumulative(len(idx)))
            ci = np.searchsorted(bounds, rank[idx], side="left")
        else:
            lines = np.array([cl.thresholds[c] for c in cl.order[:-1]])
            s = np.round(score[idx], TIE_DIGITS)
            ci = (s[:, None] < lines[None, :] - 1e-9).sum(axis=1)  # number of lines not reached
        by_rank[idx] = order[ci]
        if cl.refill and cl.method == "quota":
            final[idx] = _refill(idx, rank, vetoed, protected, cl)
        else:
            final[idx] = by_rank[idx]
    if not cl.refill or cl.method != "quota":
        v = cl.veto
        if v.active:
            m = vetoed & (np.isin(final, list(v.cannot_be)) if v.effect == "demote" else vetoed)
            final[m] = v.becomes
        p = cl.protection
        if p.active:
            m = protected & ~vetoed & np.isin(final, list(p.cannot_be))
            final[m] = p.becomes
    final[deferred] = cl.deferred
    return pd.DataFrame({"rank": rank, "n_group": rk["n_group"].to_numpy(), "class_by_rank": by_rank,
                         "class": final, "vetoed": vetoed, "protected": protected}, index=table.index)


def _refill(idx: np.ndarray, rank: np.ndarray, vetoed: np.ndarray, protected: np.ndarray, cl: Classes) -> np.ndarray:
    """Quota classes with freed slots refilled (see module docstring)."""
    n = len(idx)
    bounds = cl.cumulative(n)
    counts = np.diff([0, *bounds, n])
    order = list(cl.order)
    pos = np.argsort(rank[idx], kind="stable")  # best first
    ids = idx[pos]
    assigned: dict[int, str] = {}
    v, p = cl.veto, cl.protection

    def allowed(i: int, c: str) -> bool:
        if v.active and vetoed[i]:
            if v.effect == "force":
                return c == v.becomes
            if c in v.cannot_be:
                return False
        return not (p.active and protected[i] and not vetoed[i] and c in p.cannot_be)

    worst = order[-1]
    left = counts[-1]
    for i in ids[::-1]:
        if left <= 0:
            break
        if allowed(i, worst):
            assigned[i] = worst
            left -= 1
    for c, cnt in zip(order[:-1], counts[:-1]):
        left = cnt
        for i in ids:
            if left <= 0:
                break
            if i not in assigned and allowed(i, c):
                assigned[i] = c
                left -= 1
    out = []
    for i in idx:
        if i in assigned:
            out.append(assigned[i])
            continue
        ok = [c for c in order if allowed(i, c)]  # quotas exhausted: best class it may have, from C down
        mid = [c for c in order[order.index(order[-2]):] if c in ok] if len(order) > 1 else ok
        out.append((mid or ok or [order[-1]])[0])
    return np.array(out, dtype=object)
