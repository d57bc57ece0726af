"""Contract penalties already due (出让合同违约金, docs/sources/mlr-order-53.md §A.9).

* late start: ‰ per day × land price × days from the agreed (or re-agreed) start date to
  commencement, or to ``as_of`` while not commenced; excused when the delay's verified cause
  is not the holder's;
* late completion: the same from the agreed completion date to completion (approved halts
  extend the date by their length);
* investment shortfall (after completion): (agreed − actual) ÷ agreed × land price;
* FAR shortfall (after completion): (minimum − actual) ÷ minimum × land price.

Each penalty is ``{"kind", "amount_wan", "basis"}``; ``basis`` says in Chinese how it was
computed. Only penalties with an amount above zero are listed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiyue.idle import labels
from jiyue.idle.facts import ParcelFacts
from jiyue.idle.idleness import (
    ENTERPRISE,
    agreed_completion,
    commenced_on,
    completed_on,
    effective_start,
    exact,
    latest_value,
    verified_cause,
)
from jiyue.idle.rules import Rules
from jiyue.landrules import M2_PER_MU, days_between

KINDS = ("late_start", "late_completion", "investment_shortfall", "far_shortfall")


def per_day_penalty(permille: float, price_wan: float, days: int) -> float:
    """‰ per day × price × days (万元)."""
    return float(exact(permille) / 1000 * exact(price_wan) * days)


def late_payment_surcharge(amount_wan: float, days: int, permille: float = 1.0,
                           rescind_after_days: int = 60) -> dict[str, Any]:
    """Surcharge on a late grant-price instalment (A.9, A20): ‰ per day; rescission after 60 days."""
    return {"surcharge_wan": per_day_penalty(permille, amount_wan, days),
            "may_rescind": days > rescind_after_days}


def shortfall_penalty(agreed: float, actual: float, price_wan: float, tolerance: float = 0.0
                      ) -> tuple[float, float] | None:
    """(shortfall ratio, penalty 万元) when ``actual`` is below ``agreed`` beyond the tolerance."""
    if agreed <= 0 or actual >= agreed:
        return None
    ratio = (exact(agreed) - exact(actual)) / exact(agreed)
    if ratio <= exact(tolerance):
        return None
    return float(ratio), float(ratio * exact(price_wan))


def _approved_halt_days(f: ParcelFacts, end: dt.date) -> int:
    """Days of approved halts (halted, approved → resumed) up to ``end``."""
    total, start = 0, None
    for e in f.events_until(end):
        if e.event == "halted" and e.approved:
            start = e.date
        elif e.event == "resumed" and start is not None:
            total += days_between(start, e.date)
            start = None
    if start is not None:
        total += days_between(start, end)
    return total


def contract_penalties(f: ParcelFacts, rules: Rules, as_of: dt.date) -> list[dict[str, Any]]:
    """Every penalty already due on ``as_of`` (see module docstring)."""
    out: list[dict[str, Any]] = []
    price = f.land_price_wan
    if price is None or price <= 0 or f.contract_no is None:
        return out
    pr = rules.penalties
    t = labels.TEXT

    # late start
    start, basis = effective_start(f, rules, as_of)
    if start is not None and basis in ("agreed", "supplementary"):
        began = commenced_on(f, rules, as_of)
        end = began or as_of
        days = days_between(start, end)
        if pr.late_start_max_days:
            days = min(days, pr.late_start_max_days)
        permille = f.late_start_permille if f.late_start_permille is not None else pr.default_late_start_permille
        if days > 0 and permille:
            cause, _ = verified_cause(f, rules, end)
            if cause == ENTERPRISE:
                amount = per_day_penalty(permille, price, days)
                out.append({"kind": "late_start", "amount_wan": amount, "basis": t["pen_late_start"].format(
                    permille=f"{permille:g}", price=f"{price:g}", days=days, start=start.isoformat(),
                    end=end.isoformat(), state=t["pen_done"] if began else t["pen_ongoing"])})

    # late completion
    due = agreed_completion(f, as_of)
    done = completed_on(f, as_of)
    if due is not None:
        end = done or as_of
        days = days_between(due, end)
        if pr.approved_halts_extend_completion:
            days -= _approved_halt_days(f, end)
        if pr.late_completion_max_days:
            days = min(days, pr.late_completion_max_days)
        permille = (f.late_completion_permille if f.late_completion_permille is not None
                    else pr.default_late_completion_permille)
        if days > 0 and permille:
            cause, _ = verified_cause(f, rules, end)
            if cause == ENTERPRISE:
                amount = per_day_penalty(permille, price, days)
                out.append({"kind": "late_completion", "amount_wan": amount,
                            "basis": t["pen_late_completion"].format(
                                permille=f"{permille:g}", price=f"{price:g}", days=days, due=due.isoformat(),
                                end=end.isoformat(), state=t["pen_done"] if done else t["pen_ongoing"])})

    if done is None:
        return out
    # investment shortfall (checked at completion)
    invested = latest_value(f, as_of, "invested_wan")
    agreed = f.total_investment_wan
    label = t["pen_inv_total"]
    if agreed is None and f.commit_fai_per_mu and f.area_m2:
        agreed = f.commit_fai_per_mu * f.area_m2 / M2_PER_MU  # intensity commitment × area
        label = t["pen_inv_intensity"]
    if agreed is not None and invested is not None:
        basis_rule = pr.investment_shortfall_basis
        if basis_rule == "total_incl_land":
            actual = float(exact(invested) + exact(price))
        elif basis_rule == "net_of_land":
            agreed, actual = float(exact(agreed) - exact(price)), invested
        else:
            actual = invested
        hit = shortfall_penalty(agreed, actual, price, pr.investment_shortfall_tolerance)
        if hit:
            ratio, amount = hit
            out.append({"kind": "investment_shortfall", "amount_wan": amount,
                        "basis": t["pen_investment"].format(what=label, agreed=f"{agreed:,.2f}",
                                                            actual=f"{actual:,.2f}", ratio=ratio * 100,
                                                            price=f"{price:g}",
                                                            rule=t[f"inv_basis_{basis_rule}"])})
    # FAR shortfall
    if f.commit_far and f.area_m2 and f.floor_area_m2 is not None:
        actual_far = f.floor_area_m2 / f.area_m2
        hit = shortfall_penalty(f.commit_far, actual_far, price, pr.far_shortfall_tolerance)
        if hit:
            ratio, amount = hit
            out.append({"kind": "far_shortfall", "amount_wan": amount, "basis": t["pen_far"].format(
                agreed=f"{f.commit_far:g}", actual=f"{actual_far:.4f}", ratio=ratio * 100, price=f"{price:g}")})
    return out


def far_shortfall_for(commit_far: float, actual_far: float, price_wan: float) -> float:
    """The FAR penalty alone (万元), for tables and tests."""
    hit = shortfall_penalty(commit_far, actual_far, price_wan)
    return hit[1] if hit else 0.0
