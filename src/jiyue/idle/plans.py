"""Disposal plans (处置方案, 一宗一策) and the checks on their options (docs/sources/mlr-order-53.md §A.6–A.7).

A plan is ``{"option": CODE, ...fields}``. :func:`check_plan` returns every problem with it
(an empty list = valid); the ledger refuses a plan with problems. The options:

=================  ====================  =============================================================
option             label                 conditions
=================  ====================  =============================================================
extend             延长动工开发期限      government-caused idle land; ``start`` (the start date in the
                                         supplementary agreement) and ``until``; until ≤ start + 1 year
change_use         调整用途、规划条件    government-caused; ``new_use``; price recalculated
temporary_use      政府安排临时使用      government-caused; ``start``, ``until``; until ≤ start + 2 years
paid_recovery      协议有偿收回          government-caused; ``compensation_wan`` optional
swap               置换土地              government-caused by a plan change (gov_2 — configurable);
                                         ``price_paid`` and ``funds_in_place`` both true
other_negotiated   其他处置方式          government-caused; ``description``
idle_fee           征缴土地闲置费        enterprise-caused idle land, ≥ 1 full year
free_recovery      无偿收回              enterprise-caused idle land, ≥ 2 full years
rectify            限期整改              any parcel in breach; ``until``
collect_penalty    追缴违约金            a contract penalty is due
joint_venture      合资合作盘活          any parcel (bring in a project that fits the industrial policy)
buyback            协议收购（收储）      any parcel (low-efficiency land bought back)
=================  ====================  =============================================================

After ``extend``, ``change_use``, ``temporary_use`` and ``swap`` the start date is counted
again from the new date ([R]): a plan carrying ``new_start`` (and an ``agreement_date``)
acts as a supplementary agreement for later idle assessments of the store.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiyue.idle import labels
from jiyue.idle.calendar import to_date
from jiyue.idle.rules import Rules
from jiyue.landrules import add_years

NEGOTIATED = ("extend", "change_use", "temporary_use", "paid_recovery", "swap", "other_negotiated")
ENTERPRISE_ROUTE = ("idle_fee", "free_recovery")
GENERAL = ("rectify", "collect_penalty", "joint_venture", "buyback")
OPTIONS = NEGOTIATED + ENTERPRISE_ROUTE + GENERAL
DATE_FIELDS = ("start", "until", "new_start", "new_completion", "agreement_date")
RESTARTING = ("extend", "change_use", "temporary_use", "swap", "other_negotiated")


def normalise_plan(plan: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Dates as ISO text, booleans as bools; problems with unreadable values."""
    out, problems = dict(plan), []
    t = labels.TEXT
    for k in DATE_FIELDS:
        if out.get(k) in (None, ""):
            out.pop(k, None)
            continue
        try:
            d = to_date(out[k])
        except (ValueError, TypeError):
            d = None
        if d is None:
            problems.append(t["plan_bad_date"].format(field=k, found=out[k]))
        else:
            out[k] = d.isoformat()
    for k in ("price_paid", "funds_in_place"):
        v = out.get(k)
        if isinstance(v, str):
            out[k] = v.strip().lower() in ("1", "true", "yes", "y", "是")
    for k in ("compensation_wan",):
        if out.get(k) not in (None, ""):
            try:
                out[k] = float(out[k])
            except (TypeError, ValueError):
                problems.append(t["plan_bad_number"].format(field=k, found=out[k]))
    return out, problems


def _d(plan: dict[str, Any], k: str) -> dt.date | None:
    v = plan.get(k)
    return to_date(v) if v else None


def check_plan(plan: dict[str, Any], findings: dict[str, Any], rules: Rules) -> list[str]:
    """Every reason the plan is not allowed for a parcel with these findings (idle JSON entry)."""
    t = labels.TEXT
    plan, problems = normalise_plan(plan)
    option = plan.get("option")
    if option not in OPTIONS:
        return [t["plan_unknown_option"].format(found=option, expected="、".join(OPTIONS))]
    status, cause, route = findings.get("status"), findings.get("cause"), findings.get("route")
    years = int(findings.get("years_idle") or 0)
    leap = rules.start_date.leap_day
    label = labels.PLAN_OPTIONS[option]

    def need(*fields: str) -> None:
        for k in fields:
            if plan.get(k) in (None, ""):
                problems.append(t["plan_missing_field"].format(option=label, field=k))

    if option in NEGOTIATED:
        if status == "not_idle" or route != "negotiate":
            problems.append(t["plan_needs_gov"].format(option=label, status=labels.STATUS.get(status or "", status),
                                                       cause=labels.CAUSE.get(cause or "", "—")))
    if option in ("extend", "temporary_use"):
        need("start", "until")
        start, until = _d(plan, "start"), _d(plan, "until")
        cap_years = rules.plans.extend_max_years if option == "extend" else rules.plans.temporary_use_max_years
        if start and until:
            cap = add_years(start, cap_years, leap)
            if until > cap:
                problems.append(t["plan_too_long"].format(option=label, start=start.isoformat(),
                                                          until=until.isoformat(), years=cap_years,
                                                          cap=cap.isoformat()))
            if until < start:
                problems.append(t["plan_until_before_start"].format(option=label))
    if option == "change_use":
        need("new_use")
    if option == "other_negotiated":
        need("description")
    if option == "swap":
        if cause not in rules.plans.swap_causes:
            problems.append(t["plan_swap_cause"].format(cause=labels.CAUSE.get(cause or "", "—"),
                                                        allowed="、".join(labels.CAUSE.get(c, c)
                                                                         for c in rules.plans.swap_causes),
                                                        offer="、".join(labels.PLAN_OPTIONS[o] for o in NEGOTIATED[:4])))
        if plan.get("price_paid") is not True:
            problems.append(t["plan_swap_price"])
        if plan.get("funds_in_place") is not True:
            problems.append(t["plan_swap_funds"])
    if option in ENTERPRISE_ROUTE:
        if status == "not_idle" or cause != "enterprise":
            problems.append(t["plan_needs_enterprise"].format(option=label, status=labels.STATUS.get(status or "", status),
                                                              cause=labels.CAUSE.get(cause or "", "—")))
        elif option == "free_recovery" and years < rules.idle.recovery_years:
            problems.append(t["plan_recovery_early"].format(years=years, need=rules.idle.recovery_years))
        elif option == "idle_fee" and years < rules.idle.fee_years:
            problems.append(t["plan_fee_early"].format(years=years, need=rules.idle.fee_years))
    if option == "rectify":
        need("until")
    if option == "collect_penalty" and not findings.get("penalties"):
        problems.append(t["plan_no_penalty"])
    if plan.get("new_start") and option not in RESTARTING:
        problems.append(t["plan_new_start_option"].format(option=label))
    if plan.get("new_start") and not plan.get("agreement_date"):
        problems.append(t["plan_new_start_needs_agreement"])
    return problems


def supplement_of(plan: dict[str, Any]) -> tuple[dt.date, dt.date, dt.date | None] | None:
    """(agreement date, new start, new completion) when the plan re-sets the start date."""
    if plan.get("option") not in RESTARTING:
        return None
    agreed, start = _d(plan, "agreement_date"), _d(plan, "new_start")
    if agreed is None or start is None:
        return None
    return agreed, start, _d(plan, "new_completion")
