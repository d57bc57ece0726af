"""A plain per-enterprise Python implementation of the scoring rules, written independently of
the vectorised engine (loops over dicts, ``math`` only). It is the yardstick of the benchmark
(``bench/bench_mujun.py``) and of the cross-check tests: both must agree to 1e-9 on scores and
exactly on ranks, classes and measure amounts. It does not implement ``refill = true``.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Any

from jiyue.mujun.policy import Policy
from jiyue.mujun.scheme import Scheme

NAN = float("nan")


def _num(v: Any) -> float:
    if v is None:
        return NAN
    try:
        return float(v)
    except (TypeError, ValueError):
        return NAN


def _codes(v: Any) -> set[str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return set()
    return {x for x in str(v).split(",") if x}


def _hit(codes: set[str], wanted: tuple[str, ...]) -> bool:
    return bool(codes) and ("*" in wanted or bool(codes & set(wanted)))


def _founded_within(founded: Any, year: int, years: int) -> bool:
    if years <= 0 or founded is None:
        return False
    try:
        d = founded.date() if hasattr(founded, "date") else founded
        if isinstance(d, float) and math.isnan(d):
            return False
        return d > dt.date(year - years, 12, 31)
    except (TypeError, ValueError, AttributeError):
        return False


def _var(r: dict[str, Any], name: str) -> float:
    if name == "electricity_kwh":
        return _num(r.get("electricity_mwh")) * 1000.0
    return _num(r.get(name))


def evaluate(records: list[dict[str, Any]], scheme: Scheme, policy: Policy, year: int,
             past: dict[str, list[str | None]] | None = None,
             prev_stats: dict[str, Any] | None = None) -> dict[str, Any]:
    """Results keyed by enterprise id, plus the benchmarks, for the records of one year."""
    past = past or {}
    res: dict[str, dict[str, Any]] = {}
    sc = scheme.scope
    for r in records:
        eid = str(r["enterprise_id"])
        out: dict[str, Any] = {"status": "rated", "group": None}
        flags = _codes(r.get("flags"))
        code = r.get("industry_code")
        div = None
        if isinstance(code, str):
            digits = code.strip().lstrip("ABCDEFGHIJKLMNOPQRSTabcdefghijklmnopqrst")
            div = int(digits[:2]) if len(digits) >= 2 and digits[:2].isdigit() else None
        land_mu = _num(r.get("land_mu"))
        land_mu = 0.0 if math.isnan(land_mu) else land_mu
        scale = r.get("scale") if isinstance(r.get("scale"), str) else sc.default_scale
        tenant = (_num(r.get("own_m2")) or 0.0) <= 0 and _num(r.get("leased_in_m2")) > 0
        if sc.industry_ranges and div is not None and not any(lo <= div <= hi for lo, hi in sc.industry_ranges):
            out["status"] = "excluded"
        elif _hit(flags, sc.exclude_flags):
            out["status"] = "excluded"
        elif land_mu <= 0:
            out["status"] = "out_of_scope"
        else:
            for g in scheme.groups:
                if g.scale is not None and scale not in g.scale:
                    continue
                if g.tenant is not None and tenant != g.tenant:
                    continue
                if g.min_land_mu is not None and land_mu < g.min_land_mu - 1e-9:
                    continue
                if g.max_land_mu is not None and not land_mu < g.max_land_mu - 1e-9:
                    continue
                out["group"] = g.key
                break
            if out["group"] is None:
                out["status"] = "out_of_scope"
            elif _hit(flags, sc.defer_flags) or _founded_within(r.get("founded"), year, sc.defer_founded_within_years):
                out["status"] = "deferred"
        vals: dict[str, float | None] = {}
        states: dict[str, str] = {}
        nums: dict[str, float] = {}
        dens: dict[str, float] = {}
        for k, ind in scheme.indicators.items():
            f = ind.formula
            num = f.num_const
            for v in f.num_vars:
                num *= _var(r, v)
            den = f.den_const
            for v in f.den_vars:
                den *= _var(r, v)
            if math.isnan(num) or math.isnan(den):
                states[k], vals[k] = "missing", None
            elif den == 0:
                states[k], vals[k] = "zero", None
            else:
                states[k], vals[k] = "ok", num / den
            nums[k], dens[k] = num, den
        out.update(values=vals, states=states, nums=nums, dens=dens, record=r)
        res[eid] = out
    benchmarks: dict[str, dict[str, Any]] = {}
    for g in scheme.groups:
        members = [e for e, o in res.items() if o["status"] == "rated" and o["group"] == g.key]
        benchmarks[g.key] = {}
        for it in g.items:
            k = it.indicator
            xs = [max(res[e]["values"][k], 0.0) for e in members if res[e]["states"][k] == "ok"]
            sn = sum(res[e]["nums"][k] for e in members if res[e]["states"][k] == "ok")
            sd = sum(res[e]["dens"][k] for e in members if res[e]["states"][k] == "ok")
            mean = sum(xs) / len(xs) if xs else None
            pooled = sn / sd if xs and sd != 0 else None
            mn, mx = (min(xs), max(xs)) if xs else (None, None)
            b = it.benchmark
            if it.method == "minmax":
                bv = mx
            elif b.method == "fixed":
                bv = b.value
            elif b.method in ("mean", "pooled", "max"):
                base = {"mean": mean, "pooled": pooled, "max": mx}[b.method]
                bv = None if base is None else base * b.k
            else:
                p = (prev_stats or {}).get(g.key, {}).get(k)
                if p is None:
                    raise ValueError("previous-year statistics needed")
                base = p[b.method[5:]]
                bv = None if base is None else base * b.k
            benchmarks[g.key][k] = {"value": bv, "min": mn, "max": mx}
            scored: dict[str, float] = {}
            for e in members:
                if res[e]["states"][k] != "ok":
                    continue
                x = max(res[e]["values"][k], 0.0)
                w = it.weight
                if it.method == "minmax":
                    assert mn is not None and mx is not None  # x is one of xs
                    lo, hi = it.band
                    if mx > mn:
                        frac = (x - mn) / (mx - mn)
                        if scheme.indicators[k].direction == "lower":
                            frac = (mx - x) / (mx - mn)
                        s = w * (lo + (hi - lo) * frac) / 100.0
                    else:
                        s = w * hi / 100.0
                elif bv is None or bv <= 0:
                    s = 0.0
                elif it.method == "ratio":
                    s = w * x / bv
                else:
                    s = w * max(0.0, it.zero_at - x / bv) / it.zero_at
                if it.cap_multiple is not None:
                    s = min(s, it.cap_multiple * w)
                if it.floor is not None:
                    s = max(s, it.floor)
                scored[e] = s
            if it.missing == "group_mean":
                fill = sum(scored.values()) / len(scored) if scored else 0.0
            elif it.missing == "band_floor" and it.method == "minmax":
                fill = it.weight * it.band[0] / 100.0
            else:
                fill = 0.0
            for e in members:
                st = res[e]["states"][k]
                if st == "ok":
                    points = scored[e]
                elif st == "zero" and it.zero_denominator == "zero":
                    points = 0.0
                else:
                    points = fill
                res[e].setdefault("item_scores", {})[k] = points
        for e in members:
            o = res[e]
            r = o["record"]
            bonus = ded = 0.0
            for a in scheme.adjustments:
                if a.groups is not None and g.key not in a.groups:
                    continue
                if _hit(_codes(r.get("flags")), a.flags) or _hit(_codes(r.get("veto")), a.events):
                    if a.points >= 0:
                        bonus += a.points
                    else:
                        ded -= a.points
            o["score"] = sum(o["item_scores"].values()) + bonus - ded
        _classes(res, members, scheme, year)
    for o in res.values():
        if o["status"] == "deferred":
            o["class"] = scheme.classes.deferred
        o.setdefault("class", None)
        o["measures"] = _measures(o, policy, past.get(str(o["record"]["enterprise_id"]), []))
    return {"enterprises": res, "benchmarks": benchmarks}


def _classes(res: dict[str, dict[str, Any]], members: list[str], scheme: Scheme, year: int) -> None:
    cl = scheme.classes
    if cl.refill:
        raise NotImplementedError("refill")
    n = len(members)
    keyed = sorted(members, key=lambda e: -round(res[e]["score"], 9))
    if cl.ties == "shared":
        prev, prev_rank = None, 0
        for pos, e in enumerate(keyed, start=1):
            s = round(res[e]["score"], 9)
            if s != prev:
                prev_rank = pos
                prev = s
            res[e]["rank"] = prev_rank
    else:
        def key(e: str) -> tuple[float | str, ...]:
            vals = tuple(-(res[e]["values"][k] if res[e]["values"][k] is not None else -math.inf)
                         for k in cl.tie_break)
            return (-round(res[e]["score"], 9), *vals, str(e))
        for pos, e in enumerate(sorted(members, key=key), start=1):
            res[e]["rank"] = pos
    bounds = []
    acc = Fraction(0)
    for c in cl.order[:-1]:
        if cl.method != "quota":
            break
        acc += cl.quota[c]
        x = acc * n
        v = math.floor(x) if cl.rounding == "floor" else math.ceil(x) if cl.rounding == "ceil" \
            else math.floor(x + Fraction(1, 2))
        bounds.append(min(n, v))
    for e in members:
        o = res[e]
        if cl.method == "quota":
            c = next((cl.order[i] for i, b in enumerate(bounds) if o["rank"] <= b), cl.order[-1])
        else:
            s = round(o["score"], 9)
            c = next((k for k in cl.order[:-1] if s >= cl.thresholds[k] - 1e-9), cl.order[-1])
        o["class_by_rank"] = c
        r = o["record"]
        veto, prot = cl.veto, cl.protection
        vetoed = _hit(_codes(r.get("veto")), veto.events) or _hit(_codes(r.get("flags")), veto.flags) or \
            _founded_within(r.get("founded"), year, veto.founded_within_years)
        protected = _hit(_codes(r.get("veto")), prot.events) or _hit(_codes(r.get("flags")), prot.flags) or \
            _founded_within(r.get("founded"), year, prot.founded_within_years)
        o["vetoed"], o["protected"] = vetoed, protected
        if veto.active and vetoed and (veto.effect == "force" or c in veto.cannot_be):
            c = veto.becomes
        if prot.active and protected and not vetoed and c in prot.cannot_be:
            c = prot.becomes
        o["class"] = c


def _measures(o: dict[str, Any], policy: Policy, past: list[str | None]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    cls = o.get("class")
    if cls is None:
        return out
    cls = policy.managed_as.get(cls, cls)
    r = o["record"]
    for m in policy.measures:
        if cls not in m.classes:
            continue
        rate = None
        streak = 0
        if m.rates_by_consecutive_years:
            streak = 1
            for c in past:
                if c in m.classes:
                    streak += 1
                else:
                    break
            rate = m.rates_by_consecutive_years[min(streak, len(m.rates_by_consecutive_years)) - 1]
        elif m.rate is not None:
            rate = m.rate
        elif m.share is not None:
            rate = m.share
        if rate is not None and m.no_stacking_with:
            other = _var(r, m.no_stacking_with)
            if not math.isnan(other):
                rate = max(rate, other)
        base = _var(r, m.base) if m.base else NAN
        amount = None
        if rate is not None and not math.isnan(base):
            if m.kind == "surcharge":
                amount = rate * base / 10_000.0
            elif m.kind == "relief":
                amount = rate * base
        out[m.key] = {"rate": rate, "amount_wan": amount, "streak": streak}
    return out
