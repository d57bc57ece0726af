"""Differentiated allocation: the measures each enterprise receives under a policy table.

Vectorised per measure: which rows it applies to (class, or the class a deferred firm is
*managed as*), the consecutive years in the measure's classes (this year plus the unbroken run
of earlier years, from ``past`` classes), the rate (flat, or by consecutive years: the last
rate for every longer run), the highest-only rule against a surcharge already charged
(``no_stacking_with``), the base quantity and the amount in 万元 (rate in 元 per unit × base
/ 10 000). Missing rates or bases leave the amount empty, with a note.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jiyue.mujun import labels
from jiyue.mujun.engine import variable
from jiyue.mujun.policy import POLICY_VARIABLES, YUAN_PER_WAN, Policy


def effective_class(classes: np.ndarray, policy: Policy) -> np.ndarray:
    """The class whose measures apply (``managed_as`` maps e.g. T → B)."""
    out = classes.copy()
    for src, dst in policy.managed_as.items():
        out[classes == src] = dst
    return out


def streaks(current: np.ndarray, past: np.ndarray, wanted: tuple[str, ...]) -> np.ndarray:
    """Consecutive years (this one included) whose class is in ``wanted``; 0 if not this year.

    ``past`` is an (n, H) object array: column 0 = last year, 1 = the year before … (None =
    unknown, which ends the run).
    """
    w = list(wanted)
    run = np.isin(current, w).astype(int)
    alive = run.astype(bool)
    for j in range(past.shape[1]):
        alive = alive & np.isin(past[:, j], w)
        run = run + alive.astype(int)
    return run


def measure_table(frame: pd.DataFrame, classes: np.ndarray, past: np.ndarray, policy: Policy
                  ) -> dict[str, pd.DataFrame]:
    """Per measure key: applies, class_used, streak, rate, other, base_quantity, amount_wan."""
    eff = effective_class(classes, policy)
    out: dict[str, pd.DataFrame] = {}
    for m in policy.measures:
        applies = np.isin(eff, list(m.classes))
        n = len(frame)
        rate = np.full(n, np.nan)
        streak = np.zeros(n, dtype=int)
        if m.rates_by_consecutive_years:
            streak = streaks(eff, past, m.classes)
            rs = np.array(m.rates_by_consecutive_years)
            k = np.clip(streak, 1, len(rs)) - 1
            rate = np.where(applies, rs[k], np.nan)
        elif m.rate is not None:
            rate = np.where(applies, m.rate, np.nan)
        elif m.share is not None:
            rate = np.where(applies, m.share, np.nan)
        other = variable(frame, m.no_stacking_with) if m.no_stacking_with else np.full(n, np.nan)
        stacked = applies & ~np.isnan(other) & ~np.isnan(rate)
        applied = np.where(stacked, np.fmax(rate, other), rate)
        base = variable(frame, m.base) if m.base else np.full(n, np.nan)
        if m.kind == "surcharge":
            amount = applied * base / YUAN_PER_WAN
        elif m.kind == "relief":
            amount = applied * base
        else:
            amount = np.full(n, np.nan)
        out[m.key] = pd.DataFrame({"applies": applies, "class_used": eff, "streak": streak, "rate": applied,
                                   "rate_own": rate, "other": other, "base_quantity": base,
                                   "amount_wan": np.where(applies, amount, np.nan)}, index=frame.index)
    return out


def _f(v: Any) -> float | None:
    return None if v is None or (isinstance(v, (float, np.floating)) and np.isnan(v)) else float(v)


def arrays(table: dict[str, pd.DataFrame]) -> dict[str, dict[str, np.ndarray]]:
    """The measure tables as plain arrays, for fast per-row access."""
    return {k: {c: df[c].to_numpy() for c in df.columns} for k, df in table.items()}


def measures_of_row(i: int, cls: str | None, policy: Policy, table: dict[str, dict[str, np.ndarray]]
                    ) -> list[dict[str, Any]]:
    """The measure records of row position ``i`` (JSON-ready); ``table`` from :func:`arrays`."""
    out = []
    for m in policy.measures:
        t = table[m.key]
        if not bool(t["applies"][i]):
            continue
        used = t["class_used"][i]
        notes = []
        if cls is not None and used != cls:
            notes.append(labels.MEASURE_NOTES["managed_as"].format(cls=used))
        rec: dict[str, Any] = {"key": m.key, "label": m.label, "kind": m.kind, "class": used}
        if m.kind in ("eligibility", "priority"):
            rec["text"] = m.text.get(str(used), "")
        else:
            rate, base = _f(t["rate"][i]), _f(t["base_quantity"][i])
            rec.update({"rate": rate, "rate_unit": m.rate_unit, "base": m.base,
                        "base_unit": POLICY_VARIABLES.get(m.base or "", ("", ""))[1],
                        "base_quantity": base, "amount_wan": _f(t["amount_wan"][i])})
            if m.rates_by_consecutive_years:
                rec["consecutive_years"] = int(t["streak"][i])
                notes.append(labels.MEASURE_NOTES["consecutive"].format(n=int(t["streak"][i]), cls=used))
            other, own = _f(t["other"][i]), _f(t["rate_own"][i])
            if other is not None and own is not None:
                rec["other_surcharge"] = other
                notes.append(labels.MEASURE_NOTES["no_stacking"].format(other=other, unit=m.rate_unit, rate=rate))
            if rate is None:
                notes.append(labels.MEASURE_NOTES["rate_local"])
            elif base is None:
                notes.append(labels.MEASURE_NOTES["base_missing"].format(
                    base=POLICY_VARIABLES.get(m.base or "", (m.base, ""))[0]))
        if m.note:
            notes.append(m.note)
        rec["note"] = "；".join(notes)
        rec["tag"] = m.tag
        out.append(rec)
    return out
