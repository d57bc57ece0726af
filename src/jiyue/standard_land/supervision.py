"""Supervision: the milestones of each contract, which are due soon and which are overdue, and a
summary per zone.

Milestones and their due dates (every period from the rules file, ``[timing]``):

* ``start`` — ``contracts.start_agreed``; done by the first ``commenced`` event;
* ``completion`` — ``contracts.completion_agreed``; done by ``completed`` (or ``accepted`` when
  ``completion_from_acceptance``);
* ``acceptance`` — actual completion + ``acceptance_within_days``; only once completed;
* ``production_review`` — ``contracts.production_review_date``, else production start (else the
  agreed completion) + ``review_after_years``; done by ``reviewed``. Only for contracts with an
  output commitment or a review date.

A milestone not done by ``as_of`` is **overdue** when its due date is before ``as_of``
(``days`` = days overdue) and **due** when it falls within the next ``within`` days, ``as_of``
itself included (``days`` = days left).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from jiyue.landrules import add_years
from jiyue.standard_land.indicators import COMMITMENTS
from jiyue.standard_land.lifecycle import Timeline
from jiyue.values import to_date
from jiyue.standard_land.rules import Rules

MILESTONES = ("start", "completion", "acceptance", "production_review")


def completion_date(tl: Timeline, rules: Rules) -> dt.date | None:
    """The actual completion date: the ``completed`` event, else the acceptance when allowed."""
    d = tl.date("completed")
    if d is None and rules.timing.completion_from_acceptance:
        d = tl.date("accepted")
    return d


def review_due(contract: dict[str, Any], tl: Timeline, rules: Rules) -> dt.date | None:
    """The production-review date of a contract (agreed, else derived)."""
    agreed = to_date(contract.get("production_review_date"))
    if agreed is not None:
        return agreed
    base = tl.date("in_production") or to_date(contract.get("completion_agreed"))
    return add_years(base, rules.timing.review_after_years) if base is not None else None


def has_output_commitment(contract: dict[str, Any]) -> bool:
    return any(i.commit_field is not None and to_number(contract.get(i.commit_field)) is not None
               for i in COMMITMENTS.values() if i.kind == "output")


def to_number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def milestones(contract: dict[str, Any], tl: Timeline, rules: Rules) -> list[dict[str, Any]]:
    """Every milestone of a contract with its due date and the date it was done (None = not yet)."""
    done_completion = completion_date(tl, rules)
    out = [
        {"milestone": "start", "due": to_date(contract.get("start_agreed")), "done": tl.date("commenced")},
        {"milestone": "completion", "due": to_date(contract.get("completion_agreed")), "done": done_completion},
        {"milestone": "acceptance",
         "due": done_completion + dt.timedelta(days=rules.timing.acceptance_within_days) if done_completion else None,
         "done": tl.date("accepted")},
    ]
    if has_output_commitment(contract) or to_date(contract.get("production_review_date")) is not None:
        out.append({"milestone": "production_review", "due": review_due(contract, tl, rules),
                    "done": tl.date("reviewed")})
    return out


def due_and_overdue(items: Sequence[dict[str, Any]], as_of: dt.date, within: int
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split open milestones into due-within-``within``-days and overdue (public JSON shape)."""
    due, overdue = [], []
    for m in items:
        if m["done"] is not None or m["due"] is None:
            continue
        days = (m["due"] - as_of).days
        entry = {"milestone": m["milestone"], "due": m["due"].isoformat()}
        if days < 0:
            overdue.append(entry | {"days": -days})
        elif days <= within:
            due.append(entry | {"days": days})
    return due, overdue


def zone_summary(contracts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per zone: contracts, failures, pending checks, penalties, due and overdue items, referrals."""
    zones: dict[str, dict[str, Any]] = {}
    for c in contracts:
        z = zones.setdefault(str(c.get("zone_code") or "—"), {
            "zone_code": str(c.get("zone_code") or "—"), "contracts": 0, "by_stage": {}, "failed_contracts": 0,
            "failed_checks": 0, "pending_checks": 0, "penalty_total_wan": 0.0, "due": 0, "overdue": 0,
            "idle_referrals": 0})
        z["contracts"] += 1
        z["by_stage"][c["stage"]] = z["by_stage"].get(c["stage"], 0) + 1
        all_checks = [*c["checks"], *c.get("controls", [])]
        fails = [k for k in all_checks if k["verdict"] == "fail"]
        z["failed_contracts"] += bool(fails)
        z["failed_checks"] += len(fails)
        z["pending_checks"] += sum(k["verdict"] == "pending" for k in all_checks)
        z["penalty_total_wan"] = round(z["penalty_total_wan"] + (c.get("penalty_total_wan") or 0.0), 10)
        z["due"] += len(c["due"])
        z["overdue"] += len(c["overdue"])
        z["idle_referrals"] += any(q["kind"] == "idle_land_referral" for q in c.get("consequences", []))
    return [zones[k] for k in sorted(zones)]
