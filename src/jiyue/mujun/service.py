"""Per-mu evaluation of a package or the store: the service behind ``jiyue mujun``.

``evaluate()`` loads the canonical tables, builds the input frame of the year (land
accounted), a *context* (the previous year's population statistics for ``prev_*``
benchmarks, earlier classes for consecutive-year measures, the previous year's aggregates for
year-on-year change) and runs :func:`evaluate_frame`, the pure core that the ledger also uses
to re-evaluate a frozen version after a correction. The document carries the scheme and
policy (name, version, SHA-256), the jiyue version, the data's provenance and the SHA-256 of
the inputs (frame + context), so every figure can be reproduced.

Earlier classes (for "D for the N-th consecutive year") come, per enterprise and year, from:
1. the latest published version of that year in the store (``--db``), else
2. the official class given in the data (``enterprise_years`` field ``class`` / ``评价类别``), else
3. the same scheme applied to that year's data in the package or store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import jiyue
from jiyue.errors import JiyueError, UsageError
from jiyue.mujun import aggregate, classify, engine, inputs, labels, land, measures, scope
from jiyue.mujun.policy import Policy, load_policy
from jiyue.mujun.scheme import Scheme, load_scheme
from jiyue.schema import YEAR_MAX, YEAR_MIN
from jiyue.units import m2_to_mu

if TYPE_CHECKING:  # jiyue.sources loads the reading stack; it is imported when used
    from jiyue.sources import Tables


@dataclass
class Evaluation:
    """Everything computed for one year."""

    year: int
    frame: pd.DataFrame
    scope: pd.DataFrame
    result: engine.Result
    classes: pd.DataFrame
    measures: dict[str, pd.DataFrame]
    past: np.ndarray
    aggregates: list[dict[str, Any]]
    context: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- the pure core
def past_matrix(ids: pd.Series, past_classes: dict[str, list[str | None]], depth: int) -> np.ndarray:
    """(n, depth) classes of earlier years: column 0 = last year; None = unknown."""
    out = np.full((len(ids), depth), None, dtype=object)
    if depth == 0:
        return out
    for r, eid in enumerate(ids.astype(str).to_numpy()):
        hist = past_classes.get(eid)
        if hist:
            for j, c in enumerate(hist[:depth]):
                out[r, j] = c
    return out


def evaluate_frame(frame: pd.DataFrame, scheme: Scheme, policy: Policy, year: int,
                   context: dict[str, Any] | None = None) -> Evaluation:
    """Scope, scores, classes, measures and aggregates of one year's input frame (pure)."""
    ctx = dict(context or {})
    frame = frame.reset_index(drop=True)
    scope_df = scope.assign(frame, scheme, year)
    try:
        result = engine.score(frame, scope_df, scheme, ctx.get("prev_stats"))
    except engine.PreviousYearNeeded:
        raise engine.PreviousYearNeeded(labels.ERR["prev_needed"].format(scheme=scheme.name, year=year - 1)) from None
    cls = classify.classify(result.table, scope_df, frame, scheme, year)
    depth = max(policy.max_streak - 1, 0)
    past = past_matrix(frame["enterprise_id"], ctx.get("past_classes") or {}, depth)
    meas = measures.measure_table(frame, cls["class"].to_numpy(), past, policy)
    prev_aggs = aggregate.index(ctx.get("prev_aggregates") or [])
    aggs = aggregate.aggregates(frame, scope_df, cls["class"].to_numpy(), scheme, year, prev_aggs)
    return Evaluation(year, frame, scope_df, result, cls, meas, past, aggs, ctx)


# --------------------------------------------------------------------------- loading
def _load_tables(pkg: str | Path | None, db: str | Path | None, year: int | None, zone: str | None) -> Tables:
    from jiyue.sources import load_tables

    if pkg is not None or year is None:
        return load_tables(pkg=pkg, db=db, zone=zone)
    try:  # the store's snapshot of that year, else its latest snapshot (which may hold the year too)
        return load_tables(db=db, zone=zone, year=year)
    except UsageError:
        return load_tables(db=db, zone=zone)


def _years(ey: pd.DataFrame) -> list[int]:
    """The years with enterprise data; an impossible year a store imported before validation
    refused it (0, -1 …, see jiyue.schema.YEAR_MIN) is not one."""
    y = pd.to_numeric(ey["year"], errors="coerce").dropna().astype(int)
    return sorted(v for v in set(y.tolist()) if YEAR_MIN <= v <= YEAR_MAX)


def year_frame(tables: Any, scheme: Scheme, year: int, leases: pd.DataFrame | None, zone: str | None
               ) -> pd.DataFrame:
    """The input frame of ``year`` from the canonical tables (land accounted, zone filtered)."""
    f = inputs.build_frame(tables.get("enterprises"), tables.get("enterprise_years"), tables.get("parcels"), year,
                           leases=leases, buildings=tables.layers.get("buildings"),
                           evaluated=scope.evaluated_mask(scheme, year), deduct_leased_out=scheme.deduct_leased_out)
    if zone is not None:
        f = f[f["zone_code"].astype(str) == zone].reset_index(drop=True)
    return f


def published_classes(db: str | Path | None, years: list[int], zones: list[str] | None = None
                      ) -> dict[int, dict[str, str]]:
    """Classes of the latest published version per year in the store (empty without one)."""
    if db is None or not years:
        return {}
    from jiyue.mujun.published import published_classes as read

    try:
        return read(db, years)
    except JiyueError:
        return {}


def build_context(tables: Any, scheme: Scheme, policy: Policy, year: int, years: list[int],
                  leases: pd.DataFrame | None, zone: str | None, db: str | Path | None = None
                  ) -> dict[str, Any]:
    """prev_stats, past_classes (+ their sources), prev_aggregates for evaluating ``year``."""
    depth = max(policy.max_streak - 1, 0)
    span = max(depth, 1)  # the previous year is always evaluated (year-on-year aggregates)
    hist_years = [year - k for k in range(span, 0, -1) if (year - k) in years]
    published = published_classes(db, [year - k for k in range(1, span + 1)])
    evaluated: dict[int, Evaluation | None] = {}
    frames: dict[int, pd.DataFrame] = {}
    classes_of: dict[int, dict[str, str | None]] = {}
    sources: dict[str, str] = {}

    def frame_of(y: int) -> pd.DataFrame:
        if y not in frames:
            frames[y] = year_frame(tables, scheme, y, leases, zone)
        return frames[y]

    def stats_of(y: int) -> dict[str, Any] | None:
        if y not in years:
            return None
        ev = evaluated.get(y)
        if ev is not None:
            return ev.result.stats
        f = frame_of(y)
        return engine.population_stats(f, scope.assign(f, scheme, y), scheme)

    def past_for(y: int) -> dict[str, list[str | None]]:
        out: dict[str, list[str | None]] = {}
        for k in range(1, depth + 1):
            for eid, c in classes_of.get(y - k, {}).items():
                out.setdefault(eid, [None] * depth)[k - 1] = c
        return out

    for y in hist_years:
        sub = {"prev_stats": stats_of(y - 1) if scheme.needs_previous_year else None, "past_classes": past_for(y)}
        try:
            evaluated[y] = evaluate_frame(frame_of(y), scheme, policy, y, sub)
        except engine.PreviousYearNeeded:
            evaluated[y] = None
        by_id: dict[str, str | None] = {}
        src = []
        if evaluated[y] is not None:
            by_id.update(_classes_by_id(evaluated[y]))  # type: ignore[arg-type]
            src.append("recomputed")
        f = frame_of(y)
        given = f[f["past_class"].notna()]
        if len(given):
            by_id.update(dict(zip(given["enterprise_id"].astype(str), given["past_class"].astype(str))))
            src.append("data")
        if published.get(y):
            by_id.update(published[y])
            src.append("published")
        classes_of[y] = by_id
        sources[str(y)] = "+".join(src) or "none"
    for k in range(1, depth + 1):
        sources.setdefault(str(year - k), "none")
    ctx: dict[str, Any] = {"past_classes": past_for(year), "past_sources": sources, "prev_stats": None,
                           "prev_aggregates": []}
    if scheme.needs_previous_year:
        ctx["prev_stats"] = stats_of(year - 1)
    ev1 = evaluated.get(year - 1)
    if ev1 is not None:
        ctx["prev_aggregates"] = [{"level": a["level"], "key": a["key"], "group": a["group"], "year": a["year"],
                                   "indicators": a["indicators"]} for a in ev1.aggregates]
    return ctx


def _classes_by_id(ev: Evaluation) -> dict[str, str | None]:
    return {e: clean(c) for e, c in zip(ev.frame["enterprise_id"].astype(str), ev.classes["class"].to_numpy())}


def evaluate(pkg: str | Path | None = None, db: str | Path | None = None, *, scheme: str | Path | Scheme,
             year: int | None = None, policy: str | Path | Policy | None = None, zone: str | None = None,
             leases: str | Path | pd.DataFrame | None = None) -> dict[str, Any]:
    """Evaluate a package or the store; the JSON document of ``jiyue mujun``."""
    ev, sch, pol, prov = run(pkg, db, scheme=scheme, year=year, policy=policy, zone=zone, leases=leases)
    return document(ev, sch, pol, prov)


def run(pkg: str | Path | None = None, db: str | Path | None = None, *, scheme: str | Path | Scheme,
        year: int | None = None, policy: str | Path | Policy | None = None, zone: str | None = None,
        leases: str | Path | pd.DataFrame | None = None) -> tuple[Evaluation, Scheme, Policy, dict[str, Any]]:
    """Load, build the context, evaluate; returns the evaluation and what it used."""
    sch = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    pol = policy if isinstance(policy, Policy) else load_policy(policy or sch.policy or "none")
    lease_df: pd.DataFrame | None
    if leases is None or isinstance(leases, pd.DataFrame):
        lease_df = land.normalise_leases(leases) if isinstance(leases, pd.DataFrame) else None
    else:
        lease_df = land.read_leases(str(leases))
    tables = _load_tables(pkg, db, year, zone)
    ey = tables.layers.get("enterprise_years")
    if ey is None or len(ey) == 0:
        raise JiyueError(labels.ERR["no_enterprise_years"])
    years = _years(ey)
    y = int(year) if year is not None else years[-1]
    if y not in years:
        raise UsageError(labels.ERR["no_year"].format(year=y, years="、".join(map(str, years))))
    frame = year_frame(tables, sch, y, lease_df, zone)
    ctx = build_context(tables, sch, pol, y, years, lease_df, zone, db)
    ev = evaluate_frame(frame, sch, pol, y, ctx)
    prov = dict(tables.provenance)
    if lease_df is not None:
        prov["leases"] = str(leases) if not isinstance(leases, pd.DataFrame) else "table"
    prov["input_sha256"] = input_hash(ev.frame, ctx, y)
    return ev, sch, pol, prov


# --------------------------------------------------------------------------- hashing / JSON
_PLAIN = (str, int, bool)


def clean(v: Any) -> Any:
    """A JSON-ready scalar: NaN / NA / NaT → None, numpy scalars → Python, dates → ISO text."""
    t = type(v)
    if t is float or t is np.float64:
        f = float(v)
        return None if f != f or f in (math.inf, -math.inf) else f
    if t in _PLAIN:
        return v
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (pd.Timestamp, dt.date)):
        return v.date().isoformat() if isinstance(v, pd.Timestamp) else v.isoformat()
    return v


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The input frame as JSON-ready records (sorted by enterprise id)."""
    cols = [c for c in inputs.FRAME_COLUMNS if c in frame.columns]
    f = frame[cols].sort_values("enterprise_id", kind="stable")
    return [{c: clean(v) for c, v in zip(cols, row)} for row in f.itertuples(index=False, name=None)]


def frame_from_records(records: list[dict[str, Any]]) -> pd.DataFrame:
    f = pd.DataFrame.from_records(records, columns=inputs.FRAME_COLUMNS)
    for c in inputs.NUMERIC + ["own_m2", "leased_in_m2", "leased_out_m2", "land_m2", "land_mu"]:
        f[c] = pd.to_numeric(f[c], errors="coerce").astype(float)
    f["founded"] = pd.to_datetime(f["founded"], errors="coerce")
    f["lease_clipped"] = f["lease_clipped"].fillna(False).astype(bool)
    f["scale_given"] = f["scale_given"].fillna(False).astype(bool)
    for c in ("enterprise_id",):
        f[c] = f[c].astype(str)
    return f


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def input_hash(frame: pd.DataFrame, context: dict[str, Any], year: int) -> str:
    """SHA-256 of the inputs of an evaluation: the frame's records, the context and the year."""
    h = hashlib.sha256()
    h.update(canonical_json({"year": year, "frame": frame_records(frame), "context": context}).encode("utf-8"))
    return h.hexdigest()


# --------------------------------------------------------------------------- the document
def _fmt_params(code: str, **kw: Any) -> dict[str, str]:
    return {"code": code, "text": labels.REASONS[code].format(**kw)}


class _Cols:
    """Column arrays of a frame, for fast per-row access (``cols["x"][i]``)."""

    def __init__(self, *frames: pd.DataFrame) -> None:
        self.d: dict[str, np.ndarray] = {}
        for f in frames:
            for c in f.columns:
                # plain numpy arrays (pandas' Arrow-backed strings are slow to index one by one)
                arr = f[c].to_numpy()
                self.d.setdefault(c, arr if isinstance(arr, np.ndarray) else np.asarray(arr, dtype=object))

    def __getitem__(self, c: str) -> np.ndarray:
        return self.d[c]

    def __contains__(self, c: str) -> bool:
        return c in self.d

    def get(self, c: str, i: int) -> Any:
        return clean(self.d[c][i]) if c in self.d else None


def enterprise_records(ev: Evaluation, scheme: Scheme, policy: Policy) -> list[dict[str, Any]]:
    """One JSON record per enterprise, in group order then rank (see docs/mujun.md)."""
    f = _Cols(ev.frame)
    s = _Cols(ev.scope)
    t = _Cols(ev.result.table)
    c = _Cols(ev.classes)
    n = len(ev.frame)
    group_order = {g.key: i for i, g in enumerate(scheme.groups)}
    status_order = {"rated": 0, "deferred": 1, "excluded": 2, "out_of_scope": 3}
    ranks = c["rank"]
    order = sorted(range(n), key=lambda i: (status_order[str(s["status"][i])], group_order.get(clean(s["group"][i]), 99),
                                            ranks[i] if not np.isnan(ranks[i]) else math.inf,
                                            str(f["enterprise_id"][i])))
    cl = scheme.classes
    marr = measures.arrays(ev.measures)
    quota_text = "/".join(f"{k} {float(v) * 100:g}%" for k, v in cl.quota.items())
    new_firm = scope.founded_within(ev.frame["founded"], ev.year, cl.protection.founded_within_years)
    out = []
    for i in order:
        status = s["status"][i]
        gkey = clean(s["group"][i])
        grp = scheme.group(gkey) if gkey is not None else None
        keys = [it.indicator for it in grp.items] if grp is not None else list(scheme.indicators)
        rated = status == "rated"
        reasons: list[dict[str, str]] = []
        if status != "rated":
            reasons.append(_status_reason(f, s, i, scheme))
        elif not bool(f["scale_given"][i]):
            reasons.append(_fmt_params("scale_missing", scale=labels.SCALE.get(s["scale_eff"][i], "")))
        if bool(f["lease_clipped"][i]):
            reasons.append(_fmt_params("lease_clipped", leased_out=float(f["leased_out_m2"][i])))
        indicators = {k: clean(t[f"v.{k}"][i]) for k in keys}
        missing = {}
        for k in keys:
            code = int(t[f"m.{k}"][i])
            if code:
                missing[k] = "missing" if code == engine.MISSING else "zero_denominator"
        item_scores: dict[str, float | None] = {}
        if rated and grp is not None:
            for it in grp.items:
                reasons.extend(_item_reasons(f, t, i, it, scheme, ev.result.benchmarks[gkey][it.indicator]))
                item_scores[it.indicator] = clean(t[f"s.{it.indicator}"][i])
        adjustments = []
        for a in scheme.adjustments:
            col = f"a.{a.key}"
            if rated and col in t and t[col][i] != 0:
                adjustments.append({"key": a.key, "label": a.label, "points": a.points})
                reasons.append(_fmt_params("adjustment", label=a.label, points=a.points))
        cls = clean(c["class"][i])
        if rated:
            reasons.extend(_class_reasons(f, t, c, i, scheme, quota_text, bool(new_firm[i])))
        veto = f.get("veto", i)
        flags = f.get("flags", i)
        out.append({
            "enterprise_id": str(f["enterprise_id"][i]),
            "name": f.get("name", i),
            "zone_code": f.get("zone_code", i),
            "park": f.get("park", i),
            "street": f.get("street", i),
            "industry_code": f.get("industry_code", i),
            "scale": clean(s["scale_eff"][i]),
            "group": gkey,
            "group_label": grp.label if grp is not None else None,
            "status": status,
            "land_mu": f.get("land_mu", i),
            "land": {"own_m2": f.get("own_m2", i), "leased_in_m2": f.get("leased_in_m2", i),
                     "leased_out_m2": f.get("leased_out_m2", i), "land_m2": f.get("land_m2", i)},
            "indicators": indicators,
            "missing": missing,
            "item_scores": item_scores,
            "base_score": clean(t["base_score"][i]),
            "adjustments": adjustments,
            "score": clean(t["score"][i]),
            "rank": int(ranks[i]) if rated else None,
            "rank_of": int(c["n_group"][i]) if rated else None,
            "class_by_rank": clean(c["class_by_rank"][i]) if rated else None,
            "class": cls,
            "class_label": cl.labels.get(cls) if cls is not None else None,
            "vetoed": bool(c["vetoed"][i]),
            "protected": bool(c["protected"][i]),
            "veto_events": [e for e in str(veto).split(",") if e] if veto else [],
            "flags": [e for e in str(flags).split(",") if e] if flags else [],
            "reasons": reasons,
            "measures": measures.measures_of_row(i, cls, policy, marr) if cls is not None else [],
        })
    return out


def _status_reason(f: _Cols, s: _Cols, i: int, scheme: Scheme) -> dict[str, str]:
    code = clean(s["status_reason"][i])
    if code == "excluded_industry":
        allowed = "、".join(f"{lo:02d}" if lo == hi else f"{lo:02d}–{hi:02d}" for lo, hi in scheme.scope.industry_ranges)
        return _fmt_params(code, industry=f.get("industry_code", i), allowed=allowed)
    if code in ("excluded_flag", "deferred_flag"):
        wanted = scheme.scope.exclude_flags if code == "excluded_flag" else scheme.scope.defer_flags
        flag = next((x for x in str(f.get("flags", i)).split(",") if x in wanted or "*" in wanted), "")
        return _fmt_params(code, flag=labels.FLAG_LABELS.get(flag, flag))
    if code == "no_land":
        return _fmt_params(code, own=float(f["own_m2"][i]), leased_in=float(f["leased_in_m2"][i]),
                           leased_out=float(f["leased_out_m2"][i]))
    if code == "no_group":
        return _fmt_params(code, scale=labels.SCALE.get(s["scale_eff"][i], "—"), land_mu=float(f["land_mu"][i]))
    return _fmt_params("deferred_founded", founded=f.get("founded", i), years=scheme.scope.defer_founded_within_years)


def _var_at(f: _Cols, name: str, i: int) -> float:
    if name == "electricity_kwh":
        v = f.get("electricity_mwh", i)
        return float("nan") if v is None else float(v) * 1000.0
    v = f.get(name, i)
    return float("nan") if v is None else float(v)


def _item_reasons(f: _Cols, t: _Cols, i: int, it: Any, scheme: Scheme, bench: dict[str, Any]
                  ) -> list[dict[str, str]]:
    k = it.indicator
    ind = scheme.indicators[k]
    out = []
    code = int(t[f"m.{k}"][i])
    sc = float(t[f"s.{k}"][i])
    if code == engine.MISSING:
        fields = [("electricity_mwh" if v == "electricity_kwh" else v) for v in ind.formula.variables
                  if math.isnan(_var_at(f, v, i))]
        out.append(_fmt_params("missing", indicator=ind.label, fields="、".join(dict.fromkeys(fields)),
                               policy=labels.POLICY_WORDS[it.missing], score=sc))
    elif code == engine.ZERO_DEN:
        zero = next((v for v in ind.formula.den_vars if _var_at(f, v, i) == 0), "")
        pol = "zero" if it.zero_denominator == "zero" else it.missing
        out.append(_fmt_params("zero_denominator", indicator=ind.label, field=zero,
                               policy=labels.POLICY_WORDS[pol], score=sc))
    else:
        v = float(t[f"v.{k}"][i])
        if v < 0:
            out.append(_fmt_params("negative", indicator=ind.label, value=v))
        raw = float(t[f"r.{k}"][i])
        if it.cap_multiple is not None and raw > it.cap_multiple * it.weight:
            out.append(_fmt_params("capped", indicator=ind.label, raw=raw, cap=it.cap_multiple * it.weight,
                                   multiple=f"{it.cap_multiple:g}"))
        elif it.floor is not None and raw < it.floor:
            out.append(_fmt_params("floored", indicator=ind.label, raw=raw, floor=it.floor))
        if it.method != "minmax" and (bench["value"] is None or bench["value"] <= 0):
            out.append(_fmt_params("benchmark_zero", indicator=ind.label))
    return out


def _class_reasons(f: _Cols, t: _Cols, c: _Cols, i: int, scheme: Scheme, quota_text: str, new_firm: bool
                   ) -> list[dict[str, str]]:
    cl = scheme.classes
    by = clean(c["class_by_rank"][i])
    final = clean(c["class"][i])
    out = []
    if cl.method == "quota":
        out.append(_fmt_params("quota", rank=int(c["rank"][i]), n=int(c["n_group"][i]), quota=quota_text, cls=by))
    else:
        out.append(_fmt_params("threshold", score=float(t["score"][i]), cls=by))
    vetoed, protected = bool(c["vetoed"][i]), bool(c["protected"][i])
    if not (vetoed or protected):
        return out
    codes = [x for x in str(f.get("veto", i) or "").split(",") + str(f.get("flags", i) or "").split(",") if x]
    if vetoed:
        events = [labels.VETO_LABELS.get(e, labels.FLAG_LABELS.get(e, e)) for e in codes
                  if e in cl.veto.events or e in cl.veto.flags or "*" in cl.veto.events]
        blocked = "、".join(f"{x}类" for x in cl.veto.cannot_be)
        if cl.veto.effect == "force":
            out.append(_fmt_params("veto_force", events="、".join(events), after=final))
        elif by in cl.veto.cannot_be:
            out.append(_fmt_params("veto", events="、".join(events), blocked=blocked, before=by, after=final))
        else:
            out.append(_fmt_params("veto_noop", events="、".join(events), before=by))
    if protected:
        why = []
        if new_firm:
            why.append(labels.PROTECT_WHY["founded"])
        why += [labels.FLAG_LABELS.get(x, x) for x in codes if x in cl.protection.flags]
        why += [labels.VETO_LABELS.get(x, x) for x in codes if x in cl.protection.events]
        blocked = "、".join(f"{x}类" for x in cl.protection.cannot_be)
        if by in cl.protection.cannot_be and final != by:
            out.append(_fmt_params("protected", why="、".join(why), blocked=blocked, before=by, after=final))
        else:
            out.append(_fmt_params("protected_noop", why="、".join(why), before=by))
    return out


def summary(ev: Evaluation, scheme: Scheme) -> dict[str, Any]:
    """Per group: counts by status and class, and the quota's last rank of each class."""
    out = {}
    s, c = ev.scope, ev.classes
    for g in scheme.groups:
        m = (s["group"] == g.key).to_numpy()
        rated = m & (s["status"] == "rated").to_numpy()
        n = int(rated.sum())
        cc = pd.Series(c["class"].to_numpy()[m]).value_counts()
        rec: dict[str, Any] = {"label": g.label, "n_rated": n,
                               "n_deferred": int((m & (s["status"] == "deferred").to_numpy()).sum()),
                               "class_counts": {k: int(cc.get(k, 0)) for k in (*scheme.classes.order, scheme.classes.deferred)}}
        if scheme.classes.method == "quota":
            rec["quota_last_rank"] = dict(zip(scheme.classes.order[:-1], scheme.classes.cumulative(n)))
        out[g.key] = rec
    st = s["status"].value_counts()
    out["_status"] = {k: int(st.get(k, 0)) for k in labels.STATUS}
    return out


def scheme_description(scheme: Scheme) -> dict[str, Any]:
    return {
        "indicators": {k: {"label": i.label, "unit": i.unit, "formula": i.formula.text, "direction": i.direction}
                       for k, i in scheme.indicators.items()},
        "groups": [{"key": g.key, "label": g.label,
                    "when": {"scale": list(g.scale) if g.scale else None, "tenant": g.tenant,
                             "min_land_mu": g.min_land_mu, "max_land_mu": g.max_land_mu},
                    "items": [{"indicator": it.indicator, "weight": it.weight, "method": it.method,
                               "benchmark_method": it.benchmark.method if it.method != "minmax" else "minmax",
                               "band": list(it.band) if it.method == "minmax" else None,
                               "cap_multiple": it.cap_multiple, "floor": it.floor, "missing": it.missing,
                               "zero_denominator": it.zero_denominator} for it in g.items]}
                   for g in scheme.groups],
        "classes": {"method": scheme.classes.method, "order": list(scheme.classes.order),
                    "labels": scheme.classes.labels,
                    "quota": {k: float(v) for k, v in scheme.classes.quota.items()},
                    "thresholds": scheme.classes.thresholds, "rounding": scheme.classes.rounding,
                    "ties": scheme.classes.ties, "refill": scheme.classes.refill},
    }


def document(ev: Evaluation, scheme: Scheme, policy: Policy, provenance: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of ``jiyue mujun`` (shape documented in docs/mujun.md)."""
    return {
        "scheme": scheme.meta(),
        "policy": policy.meta(),
        "year": ev.year,
        "jiyue_version": jiyue.__version__,
        "provenance": provenance,
        "land_rule": labels.LAND_RULE,
        "rules": scheme_description(scheme),
        "benchmarks": _clean_tree(ev.result.benchmarks),
        "summary": summary(ev, scheme),
        "history": {"past_class_sources": ev.context.get("past_sources", {}),
                    "previous_year_aggregates": bool(ev.context.get("prev_aggregates"))},
        "enterprises": enterprise_records(ev, scheme, policy),
        "aggregates": _clean_tree(ev.aggregates),
    }


def _clean_tree(o: Any) -> Any:
    if isinstance(o, dict):
        return {str(k): _clean_tree(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean_tree(v) for v in o]
    return clean(o)


# --------------------------------------------------------------------------- land held, classes for the map
def land_held(parcels: pd.DataFrame) -> pd.DataFrame:
    """The land each enterprise holds in the store: its parcels (``user_id``) and their area.

    ``parcels``: columns ``user_id`` and ``area_eff_m2`` (the parcel's effective area); parcels
    without a user are left out, an unknown area counts 0. Returns one row per enterprise,
    ordered by id: ``enterprise_id``, ``parcels``, ``land_m2``, ``land_mu`` (exact 亩:
    :func:`jiyue.units.m2_to_mu`).
    """
    p = parcels[parcels["user_id"].notna()]
    area = pd.to_numeric(p["area_eff_m2"], errors="coerce").fillna(0.0).astype(float)
    g = pd.DataFrame({"enterprise_id": p["user_id"].astype(str), "area": area}).groupby("enterprise_id", sort=True)
    out = pd.DataFrame({"parcels": g.size().astype(int), "land_m2": g["area"].sum()}).reset_index()
    out["land_mu"] = [m2_to_mu(v) for v in out["land_m2"]]
    return out


def enterprise_land(enterprises: list[dict[str, Any]], held: pd.DataFrame) -> list[dict[str, Any]]:
    """Enterprise rows (with their latest year's ``tax_wan``) joined to :func:`land_held`:
    ``parcels``, ``land_m2``, ``land_mu`` (0 for an enterprise without parcels) and
    ``tax_per_mu_wan`` (亩均税收, 万元/亩 = tax ÷ land in 亩; None without tax or land)."""
    by_id = {str(r["enterprise_id"]): r for r in held.to_dict("records")}
    out = []
    for e in enterprises:
        h = by_id.get(str(e["enterprise_id"]))
        land_mu = float(h["land_mu"]) if h else 0.0
        tax = e.get("tax_wan")
        out.append({**e, "parcels": int(h["parcels"]) if h else 0, "land_m2": float(h["land_m2"]) if h else 0.0,
                    "land_mu": land_mu, "tax_per_mu_wan": tax / land_mu if tax is not None and land_mu else None})
    return out


def parcels_in_mu(parcels: list[dict[str, Any]], column: str = "area_eff_m2") -> list[dict[str, Any]]:
    """The parcel rows with ``area_mu`` = ``column`` in 亩 (None when the area is unknown)."""
    return [{**p, "area_mu": None if p.get(column) is None else m2_to_mu(float(p[column]))} for p in parcels]


def map_classes(doc: dict[str, Any]) -> dict[str, str]:
    """enterprise_id → the letter the map colours by: the class (A–D), ``T`` for a deferred
    enterprise (暂缓评价) without a class; enterprises with neither are left out."""
    out = {}
    for r in doc.get("enterprises", []):
        cls = r.get("class") or ("T" if r.get("status") == "deferred" else None)
        if cls:
            out[str(r["enterprise_id"])] = str(cls)[:1]
    return out
