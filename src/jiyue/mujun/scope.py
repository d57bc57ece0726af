"""Who is evaluated, and in which group: status (rated / deferred / excluded / out_of_scope).

Order of the rules (the first that applies decides):

1. *excluded*: an industry code outside the scheme's ``industry_divisions`` (two-digit GB/T
   4754-2017 divisions; a missing code is not excluded), or a flag in ``exclude_flags``;
2. *out_of_scope*: no evaluated land (land ≤ 0 after accounting);
3. group: the first group of the scheme whose conditions hold — ``scale`` (a missing scale is
   taken as ``default_scale``, with a reason), ``tenant`` (no own land, only leased land),
   ``min_land_mu`` (inclusive) and ``max_land_mu`` (exclusive); no group → *out_of_scope*;
4. *deferred* (class T): a flag in ``defer_flags``, or founded less than
   ``defer_founded_within_years`` years before the end of the evaluation year;
5. otherwise *rated*.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from jiyue.mujun.scheme import Scheme

EPS = 1e-9


def division(code: object) -> int | None:
    """``"C3670"`` / ``"3670"`` → 36; None when there are no two leading digits."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    s = str(code).strip().lstrip("ABCDEFGHIJKLMNOPQRSTabcdefghijklmnopqrst")
    return int(s[:2]) if len(s) >= 2 and s[:2].isdigit() else None


def divisions(codes: pd.Series) -> np.ndarray:
    """:func:`division` for a whole column (float array, NaN where unknown)."""
    s = codes.astype("string").str.strip().str.extract(r"^[A-Ta-t]*(\d{2})", expand=False)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def has_any(codes: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    """Row-wise: does the comma-separated code list hold any of ``wanted`` (``*`` = any)?"""
    if not wanted:
        return np.zeros(len(codes), dtype=bool)
    s = codes.astype("string")
    present = (s.notna() & (s.str.len() > 0)).to_numpy(dtype=bool)
    if "*" in wanted:
        return present
    pat = "(?:^|,)(?:" + "|".join(re.escape(w) for w in wanted) + ")(?:,|$)"
    return (s.str.contains(pat, regex=True).fillna(False).to_numpy(dtype=bool)) & present


def founded_within(founded: pd.Series, year: int, years: int) -> np.ndarray:
    """Founded after 31 Dec of ``year − years`` (so ``years = 1`` = founded in ``year``)."""
    if years <= 0:
        return np.zeros(len(founded), dtype=bool)
    cut = pd.Timestamp(dt.date(year - years, 12, 31))
    f = pd.to_datetime(founded, errors="coerce")
    return (f > cut).fillna(False).to_numpy(dtype=bool)


def assign(frame: pd.DataFrame, scheme: Scheme, year: int) -> pd.DataFrame:
    """``status``, ``group``, ``status_reason`` and ``scale_eff`` for every row (vectorised)."""
    n = len(frame)
    status = np.full(n, "rated", dtype=object)
    reason = np.full(n, None, dtype=object)
    group = np.full(n, None, dtype=object)
    sc = scheme.scope
    decided = np.zeros(n, dtype=bool)
    if sc.industry_ranges:
        div = divisions(frame["industry_code"])
        known = ~np.isnan(div)
        d = np.nan_to_num(div, nan=-1).astype(int)
        inside = np.zeros(n, dtype=bool)
        for lo, hi in sc.industry_ranges:
            inside |= (d >= lo) & (d <= hi)
        m = known & ~inside
        status[m], reason[m] = "excluded", "excluded_industry"
        decided |= m
    m = ~decided & has_any(frame["flags"], sc.exclude_flags)
    status[m], reason[m] = "excluded", "excluded_flag"
    decided |= m
    land_mu = frame["land_mu"].astype(float).fillna(0.0).to_numpy()
    m = ~decided & (land_mu <= 0)
    status[m], reason[m] = "out_of_scope", "no_land"
    decided |= m
    scale = frame["scale"].where(frame["scale"].notna(), sc.default_scale).to_numpy()
    tenant = ((frame["own_m2"].astype(float).fillna(0.0) <= 0) & (frame["leased_in_m2"].astype(float) > 0)).to_numpy()
    for g in scheme.groups:
        ok = ~decided & (group == None)  # noqa: E711 - numpy elementwise
        if g.scale is not None:
            ok &= np.isin(scale, list(g.scale))
        if g.tenant is not None:
            ok &= tenant == g.tenant
        if g.min_land_mu is not None:
            ok &= land_mu >= g.min_land_mu - EPS
        if g.max_land_mu is not None:
            ok &= land_mu < g.max_land_mu - EPS
        group[ok] = g.key
    m = ~decided & (group == None)  # noqa: E711
    status[m], reason[m] = "out_of_scope", "no_group"
    decided |= m
    m = ~decided & has_any(frame["flags"], sc.defer_flags)
    status[m], reason[m] = "deferred", "deferred_flag"
    decided |= m
    m = ~decided & founded_within(frame["founded"], year, sc.defer_founded_within_years)
    status[m], reason[m] = "deferred", "deferred_founded"
    return pd.DataFrame({"status": status, "group": group, "status_reason": reason, "scale_eff": scale},
                        index=frame.index)


def evaluated_mask(scheme: Scheme, year: int) -> Callable[[pd.DataFrame], pd.Series]:
    """Which enterprises hold their leased land: those rated or deferred under ``scheme``."""

    def f(frame: pd.DataFrame) -> pd.Series:
        a = assign(frame, scheme, year)
        return a["status"].isin(["rated", "deferred"])

    return f
