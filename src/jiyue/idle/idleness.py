"""Idle land (闲置土地) per MLR Order 53: start date, commencement, the two idle tests, cause, route, fee.

Pure functions of :class:`~jiyue.idle.facts.ParcelFacts`, an ``as_of`` date and the
:class:`~jiyue.idle.rules.Rules` (docs/sources/mlr-order-53.md §A.2–A.7):

* D0, the effective start date: the latest supplementary agreement, else the agreed start
  date, else delivery + 1 year (configurable);
* commenced = a construction permit **and** the physical milestone (a ``commenced`` event);
* idle by non-commencement (``idle_unstarted``): not commenced and ``as_of`` ≥ D0 + 1 year;
* idle by halting (``idle_halted``): commenced, not completed, the latest unapproved halt is
  a full year old and the developed area is under 1/3 *or* (``both_short``: *and*) the
  investment under 25 % — both strictly less, investment net of the land price;
* cause: the latest verified attribution (``delayed`` / ``halted`` events), else a late
  delivery (government cause 1), else the holder;
* route: enterprise-caused → ``fee`` after 1 full year, ``recovery`` after 2; any other
  cause → ``negotiate``; not idle → ``none``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from jiyue.idle.facts import Event, ParcelFacts
from jiyue.idle.rules import Rules, share
from jiyue.landrules import add_years, full_years, months_begun

STATUSES = ("not_idle", "idle_unstarted", "idle_halted")
ROUTES = ("none", "fee", "recovery", "negotiate")
FOUNDATION_TYPES = ("deep_pit", "piles", "other")
ENTERPRISE = "enterprise"


# --------------------------------------------------------------------------- A.2 start date
def effective_start(f: ParcelFacts, rules: Rules, as_of: dt.date | None = None) -> tuple[dt.date | None, str]:
    """(D0, basis): basis is ``supplementary``, ``agreed``, ``delivery_plus_1y``, ``signed_plus_1y``
    or ``none``. Only agreements signed on or before ``as_of`` count."""
    sr = rules.start_date
    if sr.use_supplementary:
        sups = [s for s in f.supplements if as_of is None or s.signed <= as_of]
        if sups:
            latest = max(sups, key=lambda s: (s.signed, s.new_start))
            return latest.new_start, "supplementary"
    if f.start_agreed is not None:
        return f.start_agreed, "agreed"
    if sr.no_start_date == "delivery_plus_1y":
        delivered = delivery_date(f, as_of)
        if delivered is not None:
            return add_years(delivered, 1, sr.leap_day), "delivery_plus_1y"
    elif sr.no_start_date == "signed_plus_1y" and f.signed_date is not None:
        return add_years(f.signed_date, 1, sr.leap_day), "signed_plus_1y"
    return None, "none"


def delivery_date(f: ParcelFacts, as_of: dt.date | None = None) -> dt.date | None:
    """Actual delivery: the contract's ``delivery_date`` (交地确认书), else the first ``delivered`` event."""
    if f.delivery_date is not None and (as_of is None or f.delivery_date <= as_of):
        return f.delivery_date
    for e in f.events:
        if e.event == "delivered" and (as_of is None or e.date <= as_of):
            return e.date
    return None


def agreed_completion(f: ParcelFacts, as_of: dt.date | None = None) -> dt.date | None:
    """The agreed completion date, as re-set by the latest supplementary agreement that sets one."""
    sups = [s for s in f.supplements if s.new_completion is not None and (as_of is None or s.signed <= as_of)]
    if sups:
        return max(sups, key=lambda s: s.signed).new_completion
    return f.completion_agreed


# --------------------------------------------------------------------------- A.3 commencement
def commencement_test(*, permit: bool, foundation_type: str, pit_complete: bool = False,
                      all_piles_driven: bool = False, foundation_fraction: float = 0.0,
                      other_share: Fraction = Fraction(1, 3)) -> bool:
    """Order 53's test of 动工开发 for one progress record (docs/sources/mlr-order-53.md §A.3).

    A permit alone is not commencement; with it, a deep-pit project needs the pit dug, a piled
    one **all** piles driven, any other one a third of the foundation work.
    """
    if foundation_type not in FOUNDATION_TYPES:
        raise ValueError(f"foundation_type {foundation_type!r} not in {FOUNDATION_TYPES}")
    if not permit:
        return False
    if foundation_type == "deep_pit":
        return bool(pit_complete)
    if foundation_type == "piles":
        return bool(all_piles_driven)
    return share(foundation_fraction) >= other_share


def commenced_on(f: ParcelFacts, rules: Rules, as_of: dt.date) -> dt.date | None:
    """The date the parcel counts as commenced (permit and milestone both held), or None."""
    evs = f.events_until(as_of)
    milestone = next((e.date for e in evs if e.event == "commenced"), None)
    if milestone is None:
        return None
    if not rules.commencement.require_permit:
        return milestone
    permit = next((e.date for e in evs if e.event == "permit"), None)
    if permit is None:
        return None
    return max(permit, milestone)


def completed_on(f: ParcelFacts, as_of: dt.date) -> dt.date | None:
    """The first ``completed`` (or, without one, ``accepted``) event on or before ``as_of``."""
    evs = f.events_until(as_of)
    for kind in ("completed", "accepted"):
        d = next((e.date for e in evs if e.event == kind), None)
        if d is not None:
            return d
    return None


def in_production_on(f: ParcelFacts, as_of: dt.date) -> dt.date | None:
    """The first ``in_production`` event on or before ``as_of``."""
    return next((e.date for e in f.events_until(as_of) if e.event == "in_production"), None)


def open_halt(f: ParcelFacts, as_of: dt.date, after: dt.date | None = None) -> Event | None:
    """The latest ``halted`` event (after ``after``) not followed by ``resumed``/``completed``.

    A resumed-then-halted-again project restarts the halt clock (own convention, docs/sources/mlr-order-53.md §A.4).
    """
    halt: Event | None = None
    for e in f.events_until(as_of):
        if after is not None and e.date < after:
            continue
        if e.event == "halted":
            halt = e
        elif e.event in ("resumed", "completed", "accepted") and halt is not None:
            halt = None
    return halt


def latest_value(f: ParcelFacts, as_of: dt.date, name: str) -> float | None:
    """The latest recorded ``developed_area_m2`` / ``invested_wan`` on or before ``as_of``."""
    value = None
    for e in f.events_until(as_of):
        v = getattr(e, name)
        if v is not None:
            value = v
    return value


# --------------------------------------------------------------------------- shares
def exact(x: float) -> Fraction:
    """The decimal value the user wrote (repr of the float), exactly."""
    return Fraction(repr(float(x)))


def net_total_investment(f: ParcelFacts, rules: Rules) -> float | None:
    """Agreed total investment excluding the land price (the 25 % test's denominator)."""
    if f.total_investment_wan is None:
        return None
    if rules.investment.contract_total_includes_land_price:
        return float(exact(f.total_investment_wan) - exact(f.land_price_wan or 0.0))
    return f.total_investment_wan


def required_area(f: ParcelFacts, rules: Rules) -> float | None:
    """The area the parcel should develop: its land area, or land × agreed FAR (``floor`` basis)."""
    if f.area_m2 is None:
        return None
    if rules.idle.area_basis == "floor":
        return None if f.commit_far is None else float(exact(f.area_m2) * exact(f.commit_far))
    return f.area_m2


def shortfalls(f: ParcelFacts, rules: Rules, as_of: dt.date) -> dict[str, Any]:
    """The two ratios of the partial-development test and whether each is short (strictly less)."""
    dev, inv = latest_value(f, as_of, "developed_area_m2"), latest_value(f, as_of, "invested_wan")
    req, tot = required_area(f, rules), net_total_investment(f, rules)
    out: dict[str, Any] = {"area_ratio": None, "investment_ratio": None, "area_short": None,
                           "investment_short": None}
    if dev is not None and req:
        out["area_ratio"] = dev / req
        out["area_short"] = exact(dev) < rules.idle.area_share * exact(req)
    if inv is not None and tot and tot > 0:
        out["investment_ratio"] = inv / tot
        out["investment_short"] = exact(inv) < rules.idle.investment_share * exact(tot)
    return out


def partially_developed_short(sf: dict[str, Any], test: str) -> bool | None:
    """The development test on the two flags (None = not enough data)."""
    flags = [v for v in (sf["area_short"], sf["investment_short"]) if v is not None]
    if not flags:
        return None
    if test == "both_short":
        if len(flags) < 2:
            return None if any(flags) else False
        return all(flags)
    return any(flags)


# --------------------------------------------------------------------------- A.5 cause
def verified_cause(f: ParcelFacts, rules: Rules, as_of: dt.date, *, since: dt.date | None = None,
                   halt: Event | None = None) -> tuple[str, str]:
    """(cause, basis) of a delay: the latest ``delayed`` event with a cause (on or after
    ``since``), else the halt's own cause, else a late delivery (gov_1), else the default."""
    delays = [e for e in f.events_until(as_of) if e.event == "delayed" and e.cause
              and (since is None or e.date >= since)]
    if delays:
        return str(delays[-1].cause), f"delayed@{delays[-1].date.isoformat()}"
    if halt is not None:
        if halt.cause:
            return halt.cause, f"halted@{halt.date.isoformat()}"
        return rules.idle.default_cause, "default"
    if rules.idle.infer_gov1_from_late_delivery and f.start_agreed is not None:
        d = delivery_date(f, as_of)
        if d is not None and d > f.start_agreed:
            return "gov_1", "late_delivery"
    return rules.idle.default_cause, "default"


# --------------------------------------------------------------------------- A.4 + A.7
@dataclass
class IdleResult:
    """The idle determination of one parcel at ``as_of``."""

    status: str = "not_idle"
    cause: str | None = None
    cause_basis: str | None = None
    start_date_effective: dt.date | None = None
    start_date_basis: str = "none"
    commenced_date: dt.date | None = None
    completed_date: dt.date | None = None
    halt_start: dt.date | None = None
    halt_approved: bool | None = None
    idle_since: dt.date | None = None
    years_idle: int = 0
    route: str = "none"
    fee_wan: float = 0.0
    fee_basis: str | None = None
    recovery_eligible_from: dt.date | None = None
    area_ratio: float | None = None
    investment_ratio: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        return self.status != "not_idle"


def idle_fee(price_wan: float | None, rules: Rules, idle_since: dt.date, as_of: dt.date) -> tuple[float, str]:
    """(fee in 万元, basis): 20 % of the land price once, or the local monthly accrual (capped)."""
    ir = rules.idle
    if price_wan is None:
        return 0.0, "no_price"
    if ir.fee_mode == "monthly":
        months = months_begun(idle_since, as_of)
        monthly = ir.fee_monthly_rate or ir.fee_rate / 12.0
        rate = min(months * monthly, ir.fee_cap_rate)
        return price_wan * rate, f"monthly:{months}x{monthly:.6g}->{rate:.6g}"
    return price_wan * ir.fee_rate, f"one_off:{ir.fee_rate:g}"


def fee_payment_due(served: dt.date, days: int = 30) -> dt.date:
    """Last day to pay the idle fee: ``days`` counted from the day after the decision is served (A.8, A16)."""
    return served + dt.timedelta(days=days)


def _route(res: IdleResult, f: ParcelFacts, rules: Rules, anchor: dt.date, as_of: dt.date) -> None:
    ir, leap = rules.idle, rules.start_date.leap_day
    res.years_idle = full_years(anchor, as_of, leap)
    if res.cause != ENTERPRISE:
        res.route = "negotiate"
        return
    res.recovery_eligible_from = add_years(anchor, ir.recovery_years, leap)
    if res.years_idle >= ir.recovery_years:
        res.route = "recovery"
        if not ir.fee_also_when_recovery:
            return
    elif res.years_idle >= ir.fee_years:
        res.route = "fee"
    else:  # pragma: no cover - idle implies ≥ 1 full year with the default rules
        return
    fee_from = add_years(anchor, ir.fee_years, leap)
    res.fee_wan, res.fee_basis = idle_fee(f.land_price_wan, rules, fee_from, as_of)
    if f.land_price_wan is None:
        res.notes.append("no_land_price")


def assess_idle(f: ParcelFacts, rules: Rules, as_of: dt.date) -> IdleResult:
    """Classify one parcel at ``as_of`` (docs/sources/mlr-order-53.md §A.4) and choose its route and fee (A.5–A.7)."""
    res = IdleResult()
    leap = rules.start_date.leap_day
    d0, basis = effective_start(f, rules, as_of)
    res.start_date_effective, res.start_date_basis = d0, basis
    res.commenced_date = commenced_on(f, rules, as_of)
    res.completed_date = completed_on(f, as_of)
    if f.contract_no is None and not f.events:
        res.notes.append("no_contract")
        return res
    if res.commenced_date is None:
        if d0 is None:
            res.notes.append("no_start_date")
            return res
        if any(e.event == "commenced" for e in f.events_until(as_of)):
            res.notes.append("milestone_without_permit")
        idle_day = add_years(d0, rules.idle.unstarted_years, leap)
        if as_of < idle_day:
            return res
        res.status, res.idle_since = "idle_unstarted", idle_day
        res.cause, res.cause_basis = verified_cause(f, rules, as_of)
        _route(res, f, rules, d0, as_of)
        return res
    if res.completed_date is not None:
        return res
    halt = open_halt(f, as_of, after=res.commenced_date)
    sf = shortfalls(f, rules, as_of)
    res.area_ratio, res.investment_ratio = sf["area_ratio"], sf["investment_ratio"]
    if halt is None:
        return res
    res.halt_start, res.halt_approved = halt.date, bool(halt.approved)
    if halt.approved:
        res.notes.append("approved_halt")
        return res
    idle_day = add_years(halt.date, rules.idle.halt_years, leap)
    if as_of < idle_day:
        return res
    short = partially_developed_short(sf, rules.idle.partial_dev_test)
    if short is None:
        res.notes.append("no_development_figures")
        return res
    if not short:
        return res
    res.status, res.idle_since = "idle_halted", idle_day
    res.cause, res.cause_basis = verified_cause(f, rules, as_of, since=halt.date, halt=halt)
    _route(res, f, rules, halt.date, as_of)
    return res


def round_money(x: float | None, digits: int = 4) -> float | None:
    """万元 rounded to 1 元 (4 decimals); None stays None."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x) + 0.0, digits)
