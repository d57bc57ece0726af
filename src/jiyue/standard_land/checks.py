"""Checks of a standard-land contract: verdicts, penalties with their arithmetic, consequences.

Pure functions on plain values (and the pandas frames of :mod:`measures`); nothing here reads
files or the store. The small functions at the top are a public interface, also used by the
idle-land engine::

    from jiyue.standard_land.checks import late_start_days, time_penalty_wan, idle_route
    days = late_start_days(start_agreed, commenced, as_of)       # None when no agreed date
    fee = time_penalty_wan(days, permille=1.0, land_price_wan=2570)  # 万元

Rules (docs/sources/standard-land.md §B.5; every number from the rules file):

* **time** (``start``, ``completion``): days late × daily ‰ × land price. Days late are counted
  from the agreed date to the actual date, or to ``as_of`` while the milestone is still open
  (the penalty then keeps accruing). A verified delay with an excused cause (``delayed`` event,
  or an approved halt, with a government / force-majeure / preliminary-work cause) waives it.
* **commitments and controls**: shortfall ratio = (committed − actual) ÷ committed for a minimum,
  (actual − limit) ÷ limit for a maximum; *pass* when the shortfall is within the tolerance;
  the penalty formula of the indicator's term otherwise.
* **verdicts**: ``pass`` / ``fail`` / ``pending`` (stage not reached, or a figure missing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jiyue.landrules import add_years
from jiyue.standard_land import labels
from jiyue.standard_land.indicators import ALL
from jiyue.standard_land.lifecycle import Event
from jiyue.standard_land.rules import IdleRoute, Term

EPS = 1e-9


# --------------------------------------------------------------------------- public small functions
def late_days(agreed: dt.date | None, actual: dt.date | None, as_of: dt.date) -> int | None:
    """Days a milestone is late: ``actual − agreed`` when done, ``as_of − agreed`` while open.

    0 when done on time or not yet due; None when there is no agreed date.
    """
    if agreed is None:
        return None
    end = actual if actual is not None else as_of
    return max(0, (end - agreed).days)


def late_start_days(start_agreed: dt.date | None, commenced: dt.date | None, as_of: dt.date) -> int | None:
    """Days the start (动工) is late at ``as_of`` (see :func:`late_days`)."""
    return late_days(start_agreed, commenced if commenced is not None and commenced <= as_of else None, as_of)


def late_completion_days(completion_agreed: dt.date | None, completed: dt.date | None,
                         as_of: dt.date) -> int | None:
    """Days the completion (竣工) is late at ``as_of`` (see :func:`late_days`)."""
    return late_days(completion_agreed, completed if completed is not None and completed <= as_of else None, as_of)


def time_penalty_wan(days: int | None, permille: float, land_price_wan: float | None) -> float | None:
    """Late-start / late-completion penalty: days × permille ‰ × land price (万元)."""
    if days is None or land_price_wan is None:
        return None
    return days * permille / 1000.0 * land_price_wan


def shortfall_ratio(committed: float, actual: float, direction: str = "min") -> float:
    """(committed − actual) ÷ committed for a minimum, (actual − limit) ÷ limit for a maximum; ≥ 0."""
    if committed == 0:
        return 0.0
    gap = (committed - actual) if direction == "min" else (actual - committed)
    return max(0.0, gap / committed)


def idle_route(start_agreed: dt.date | None, commenced: dt.date | None, as_of: dt.date,
               land_price_wan: float | None, idle: IdleRoute | None = None) -> dict[str, Any]:
    """Where a not-yet-started project stands on the idle-land route (Order 53; example C12).

    Returns ``{"status": "none" | "idle_fee" | "recovery", "since": date | None,
    "fee_wan": float | None}``: idle fee (``fee_share`` × land price) from the ``fee_after_years``
    anniversary of the agreed start, recovery without compensation from ``recovery_after_years``.
    """
    idle = idle or IdleRoute()
    if start_agreed is None or (commenced is not None and commenced <= as_of):
        return {"status": "none", "since": None, "fee_wan": None}
    fee_from = add_years(start_agreed, idle.fee_after_years)
    recover_from = add_years(start_agreed, idle.recovery_after_years)
    fee = idle.fee_share * land_price_wan if land_price_wan is not None else None
    if as_of >= recover_from:
        return {"status": "recovery", "since": recover_from, "fee_wan": fee}
    if as_of >= fee_from:
        return {"status": "idle_fee", "since": fee_from, "fee_wan": fee}
    return {"status": "none", "since": None, "fee_wan": None}


# --------------------------------------------------------------------------- number formatting
def fmt_fixed(v: float | None) -> str:
    return "—" if v is None else f"{v:,.2f}"


def fmt_general(v: float | None, digits: int = 4) -> str:
    if v is None:
        return "—"
    s = f"{v:,.{digits}f}".rstrip("0").rstrip(".")
    return s or "0"


def fmt_pct(r: float | None) -> str:
    return "—" if r is None else f"{r * 100:.2f}"


_m, _g, _pct = fmt_fixed, fmt_general, fmt_pct  # the short names used below


def _show(key: str, v: float | None) -> str:
    return f"{_pct(v)}%" if ALL[key].percent else _g(v)


# --------------------------------------------------------------------------- one check
@dataclass
class Check:
    """The verdict on one indicator of one contract."""

    indicator: str
    stage: str  # acceptance | production_review | time
    committed: Any
    actual: Any
    verdict: str
    shortfall_ratio: float | None
    penalty_wan: float | None
    basis: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def r(v: Any, n: int) -> Any:
            return round(v, n) if isinstance(v, float) else v
        # figures are rounded to 10 decimals only to drop floating-point noise (0.30000000000000004)
        d = {"indicator": self.indicator, "committed": r(self.committed, 10), "actual": r(self.actual, 10),
             "verdict": self.verdict, "shortfall_ratio": r(self.shortfall_ratio, 10),
             "penalty_wan": r(self.penalty_wan, 10), "basis": self.basis, "check_stage": self.stage}
        d.update({k: r(v, 10) for k, v in self.extra.items()})
        return d


def pending(indicator: str, stage: str, committed: Any, basis: str, **extra: Any) -> Check:
    return Check(indicator, stage, committed, None, "pending", None, 0.0, basis, dict(extra))


def time_check(what: str, agreed: dt.date | None, actual: dt.date | None, as_of: dt.date, permille: float,
               land_price_wan: float | None, excusing: Sequence[Event] = ()) -> Check:
    """The ``start`` or ``completion`` check (``what``), with its per-day penalty."""
    name = labels.MILESTONE[what]
    iso = agreed.isoformat() if agreed else None
    act = actual.isoformat() if actual else None
    if agreed is None:
        return pending(what, "time", None, labels.BASIS["no_agreed_date"].format(what=name))
    days = late_days(agreed, actual, as_of) or 0
    extra = {"days_late": days, "permille": permille}
    if actual is not None and actual <= agreed:
        return Check(what, "time", iso, act, "pass", None, 0.0,
                     labels.BASIS["on_time"].format(what=name, agreed=agreed, actual=actual), extra)
    if actual is None and as_of <= agreed:
        return Check(what, "time", iso, None, "pending", None, 0.0,
                     labels.BASIS["not_due"].format(what=name, agreed=agreed, as_of=as_of), {"days_late": 0})
    if excusing:
        causes = "、".join(f"{e.date} {labels.EVENT[e.event]} {labels.CAUSE.get(e.cause or '', e.cause)}"
                          for e in excusing)
        state = (labels.MISC["actual_done"].format(what=name, actual=actual) if actual
                 else labels.MISC["still_open"].format(what=name, as_of=as_of))
        return Check(what, "time", iso, act, "pass", None, 0.0,
                     labels.BASIS["late_excused"].format(what=name, agreed=agreed, state=state, days=days,
                                                         causes=causes), {**extra, "excused": True})
    penalty = time_penalty_wan(days, permille, land_price_wan)
    key = "late_done" if actual is not None else "late_open"
    basis = labels.BASIS[key].format(what=name, agreed=agreed, actual=actual, as_of=as_of, days=days,
                                     permille=_g(permille), price=_m(land_price_wan), penalty=_m(penalty))
    if penalty is None:
        basis = basis.split("；")[0] + labels.BASIS["late_no_price"]
    return Check(what, "time", iso, act, "fail", None, penalty, basis, extra)


def penalty(term: Term, ratio: float, *, committed: float, actual: float, land_price_wan: float | None,
            mu: float | None, direction: str = "min") -> tuple[float | None, str]:
    """The penalty of a failed indicator under its term, and the arithmetic as text."""
    kind = term.penalty
    price = land_price_wan
    factor = f" × {_g(term.factor)}" if term.factor != 1 else ""
    if kind == "none":
        return 0.0, labels.BASIS["pen_none"]
    if kind == "tax_difference":
        if mu is None:
            return None, labels.BASIS["pen_no_price"]
        gap = committed - actual if direction == "min" else actual - committed
        amount = gap * mu * term.years
        return amount, labels.BASIS["pen_tax"].format(committed=_g(committed), actual=_g(actual), mu=_g(mu),
                                                      years=_g(term.years), penalty=_m(amount))
    if kind == "fixed_per_mu":
        if mu is None:
            return None, labels.BASIS["pen_no_price"]
        amount = term.amount_per_mu * mu
        return amount, labels.BASIS["pen_fixed"].format(amount=_g(term.amount_per_mu), mu=_g(mu), penalty=_m(amount))
    if price is None:
        return None, labels.BASIS["pen_no_price"]
    if kind == "permille":
        amount = term.permille / 1000.0 * price
        return amount, labels.BASIS["pen_permille"].format(permille=_g(term.permille), price=_m(price),
                                                           penalty=_m(amount))
    if kind == "graduated":
        ach = actual / committed if direction == "min" and committed else (committed / actual if actual else 0.0)
        share = term.steps[-1][1]
        for lo, s in term.steps:
            if ach + EPS >= lo:
                share = s
                break
        amount = share * price
        return amount, labels.BASIS["pen_graduated"].format(ach=_pct(ach), share=_pct(share), price=_m(price),
                                                            penalty=_m(amount))
    # proportional
    if term.penalty_on == "beyond_tolerance":
        amount = max(0.0, ratio - term.tolerance) * price * term.factor
        return amount, labels.BASIS["pen_proportional_beyond"].format(
            ratio=_pct(ratio), tol=_pct(term.tolerance), price=_m(price), factor=factor, penalty=_m(amount))
    amount = ratio * price * term.factor
    return amount, labels.BASIS["pen_proportional"].format(ratio=_pct(ratio), price=_m(price), factor=factor,
                                                           penalty=_m(amount))


def indicator_check(key: str, term: Term, committed: float, actual: float, actual_basis: str, *,
                    land_price_wan: float | None, mu: float | None) -> Check:
    """Verdict and penalty of a commitment or control indicator whose actual figure is known."""
    direction = ALL[key].direction
    ratio = shortfall_ratio(committed, actual, direction)
    c, a = _show(key, committed), _show(key, actual)
    noun = labels.BASIS["noun_commitment" if ALL[key].commit_field else f"noun_{direction}"]
    if ratio <= EPS:
        text = labels.BASIS["pass_min" if direction == "min" else "pass_max"].format(committed=c, noun=noun)
        return Check(key, term.stage, committed, actual, "pass", 0.0, 0.0, f"{actual_basis}；{text}")
    if ratio <= term.tolerance + EPS:
        text = labels.BASIS["pass_tolerance"].format(committed=c, tol=_pct(term.tolerance), noun=noun)
        return Check(key, term.stage, committed, actual, "pass", ratio, 0.0, f"{actual_basis}；{text}")
    text = labels.BASIS["fail_min" if direction == "min" else "fail_max"].format(committed=c, actual=a, noun=noun,
                                                                                  ratio=_pct(ratio))
    amount, pen_text = penalty(term, ratio, committed=committed, actual=actual, land_price_wan=land_price_wan,
                               mu=mu, direction=direction)
    cont = labels.BASIS["continue"] if ALL[key].kind == "physical" or term.penalty == "proportional" else ""
    return Check(key, term.stage, committed, actual, "fail", ratio, amount,
                 f"{actual_basis}；{text}；{pen_text}{cont}")


# --------------------------------------------------------------------------- consequences
def consequences(checks: Sequence[Check], *, start_agreed: dt.date | None, commenced: dt.date | None,
                 start_excused: bool, open_halt: tuple[dt.date, bool | None] | None, as_of: dt.date,
                 land_price_wan: float | None, idle: IdleRoute) -> list[dict[str, Any]]:
    """Credit record for failed indicators; referral to the idle-land route when the start is a
    year late (fee) or two (recovery), or an unapproved halt has lasted a year."""
    out: list[dict[str, Any]] = []
    failed = [c for c in checks if c.verdict == "fail"]
    if failed:
        out.append({"kind": "credit_record", "amount_wan": None, "indicators": [c.indicator for c in failed],
                    "basis": labels.CONSEQUENCE_BASIS["credit"].format(
                        items="、".join(labels.INDICATOR[c.indicator] for c in failed))})
    if not start_excused:
        route = idle_route(start_agreed, commenced, as_of, land_price_wan, idle)
        if route["status"] != "none":
            out.append({"kind": "idle_land_referral", "amount_wan": _round(route["fee_wan"]),
                        "since": add_years(start_agreed, idle.fee_after_years).isoformat(),  # type: ignore[arg-type]
                        "basis": labels.CONSEQUENCE_BASIS["idle_fee"].format(
                            agreed=start_agreed, years=idle.fee_after_years,
                            since=add_years(start_agreed, idle.fee_after_years),  # type: ignore[arg-type]
                            share=_pct(idle.fee_share).rstrip("0").rstrip("."), price=_m(land_price_wan),
                            fee=_m(route["fee_wan"]))})
        if route["status"] == "recovery":
            out.append({"kind": "land_recovery", "amount_wan": None, "since": route["since"].isoformat(),
                        "basis": labels.CONSEQUENCE_BASIS["idle_recover"].format(
                            agreed=start_agreed, years=idle.recovery_after_years, since=route["since"])})
    if open_halt is not None and not open_halt[1]:
        since = open_halt[0]
        if as_of >= add_years(since, idle.halt_referral_years):
            out.append({"kind": "idle_land_referral", "amount_wan": None, "since": since.isoformat(),
                        "basis": labels.CONSEQUENCE_BASIS["halt_referral"].format(since=since)})
    return out


def _round(v: float | None, n: int = 10) -> float | None:
    return None if v is None else round(v, n)
