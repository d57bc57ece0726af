"""The pure core: the hazard state machine, deadlines, overdue and escalation, statistics.

Nothing here touches the store. A hazard's state is derived by folding its events
(:func:`fold`); a refused change raises :class:`Refused` with every reason and changes nothing.

States: ``found`` → ``rectifying`` → ``submitted`` → ``reinspected`` → ``closed`` (销号);
a failed re-inspection goes back to ``rectifying``; ``found``/``rectifying`` past the deadline
are *overdue* (derived at an as-of date) and may be ``escalated`` (an event), from which
rectification continues.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from jiyue.errors import JiyueError
from jiyue.safety import labels
from jiyue.safety.rules import Rules

OPEN_STATES = ("found", "rectifying", "escalated")


class Refused(JiyueError):
    """A change to the safety ledger was refused (wrong state, dates out of order, no evidence …); exit 1."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Hazard:
    """A hazard's current state (the fold of its events)."""

    hazard_id: int
    grade: str                      # general / major
    level: str                      # as written (一般, 重大, 较大 …)
    found_date: dt.date
    state: str = "found"
    deadline: dt.date | None = None
    responsible_person: str | None = None
    measures: str | None = None
    funds_wan: float | None = None
    emergency_plan: str | None = None
    submitted_on: dt.date | None = None
    reinspected_on: dt.date | None = None
    reviewer: str | None = None
    reinspection_late: bool = False
    closed_on: dt.date | None = None
    escalated_on: dt.date | None = None
    evidence: int = 0
    last_date: dt.date | None = None
    listed: bool = False            # major hazard listed for supervision (挂牌督办)
    reported: bool = False          # major hazard reported to the regulator

    def public(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in d.items()}


def as_date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


# --------------------------------------------------------------------------- deadlines
def default_deadline(grade: str, found: dt.date, rules: Rules) -> dt.date:
    """The default rectification deadline of a grade (found date + the rule's default days)."""
    return found + dt.timedelta(days=int(rules.deadlines[grade]["default_days"]))


def check_deadline(grade: str, level: str, start: dt.date, found: dt.date, deadline: dt.date, rules: Rules
                   ) -> list[str]:
    out = []
    if deadline < found:
        out.append(labels.TEXT["deadline_before"].format(deadline=deadline, found=found))
    sec = rules.deadlines[grade]
    days = (deadline - start).days
    if days > int(sec["max_days"]):
        out.append(labels.TEXT["deadline_too_long"].format(level=level, max_days=sec["max_days"], source=sec["source"],
                                                           deadline=deadline, start=start, days=days))
    return out


# --------------------------------------------------------------------------- 判定标准 item codes
_CN = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if not s or any(c not in _CN and c != "十" for c in s):
        return None
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN[a] if a else 1) * 10 + (_CN[b] if b else 0)
    return _CN[s] if len(s) == 1 else None


_ITEM = re.compile(r"^\s*(?:第\s*([0-9一二三四五六七八九十]+)\s*条)\s*(?:第?\s*[（(]?\s*([0-9一二三四五六七八九十]+)\s*[)）]?\s*项)?\s*$")
_ITEM_DOT = re.compile(r"^\s*([0-9]+)(?:[.．]([0-9]+))?\s*$")


def parse_item(text: str | None, rules: Rules) -> tuple[str | None, str | None]:
    """A 判定标准 item code → (canonical ``第N条第（M）项``, problem)."""
    t = (text or "").strip()
    if not t:
        return None, None
    m = _ITEM.match(t) or _ITEM_DOT.match(t)
    art = _cn_int(m.group(1)) if m else None
    item = _cn_int(m.group(2)) if m and m.group(2) else None
    ms = rules.major_standard
    if art is None or not (int(ms["first_article"]) <= art <= int(ms["last_article"])) or (m and m.group(2) and not item):
        return None, labels.TEXT["bad_item"].format(found=t, first=ms["first_article"], last=ms["last_article"])
    return f"第{art}条" + (f"第（{item}）项" if item else ""), None


# --------------------------------------------------------------------------- the state machine
def found(hazard_id: int, *, level: str, found_date: dt.date, rules: Rules, deadline: dt.date | None = None,
          item: str | None = None, plan: dict[str, Any] | None = None) -> tuple[Hazard, dict[str, Any]]:
    """A new hazard (state ``found``) and the normalised payload of its first event."""
    problems = []
    grade = rules.grade_of(level)
    if grade is None:
        raise Refused(labels.TEXT["bad_level"].format(found=level, expected="、".join(rules.level_labels())))
    code, p = parse_item(item, rules)
    if p:
        problems.append(p)
    if code and grade != "major":
        problems.append(labels.TEXT["item_needs_major"].format(item=code, level=level))
    if deadline is not None:
        problems += check_deadline(grade, level, found_date, found_date, deadline, rules)
    if problems:
        raise Refused(problems)
    dl = deadline or default_deadline(grade, found_date, rules)
    major = grade == "major"
    h = Hazard(hazard_id=hazard_id, grade=grade, level=level, found_date=found_date, deadline=dl, last_date=found_date,
               listed=major and bool(rules.major_hazards.get("listed_supervision")),
               reported=major and bool(rules.major_hazards.get("report_to_regulator")))
    payload = {"level": level, "grade": grade, "item": code, "deadline": dl.isoformat(),
               "deadline_default": deadline is None, "listed": h.listed, "reported": h.reported}
    if plan:
        given: dict[str, Any] = {k: plan.get(k) for k in ("responsible_person", "measures", "funds_wan",
                                                          "emergency_plan") if plan.get(k) not in (None, "")}
        h = replace(h, **given)
    return h, payload


def _refuse_state(h: Hazard, action: str, allowed: Sequence[str]) -> None:
    if h.state == "closed":
        raise Refused(labels.TEXT["closed"].format(hazard=h.hazard_id, on=h.closed_on))
    if h.state not in allowed:
        raise Refused(labels.TEXT["bad_transition"].format(hazard=h.hazard_id, state=labels.STATE[h.state],
                                                           action=labels.ACTION[action], hint=labels.HINT[action]))


def _order(h: Hazard, on: dt.date, what: str) -> list[str]:
    if h.last_date and on < h.last_date:
        return [labels.TEXT["date_before"].format(what=what, date=on, other="上一次记录的日期", other_date=h.last_date)]
    return []


def rectify(h: Hazard, on: dt.date, plan: dict[str, Any], rules: Rules) -> Hazard:
    """Measures, responsible person and deadline (五落实 for a major hazard) → ``rectifying``."""
    _refuse_state(h, "rectify", ("found", "rectifying", "escalated"))
    merged: dict[str, Any] = {k: plan.get(k) if plan.get(k) not in (None, "") else getattr(h, k)
              for k in ("responsible_person", "measures", "funds_wan", "emergency_plan", "deadline")}
    if plan.get("deadline") not in (None, ""):
        merged["deadline"] = as_date(plan["deadline"])
    problems = _order(h, on, "整改措施制定日期")
    if h.grade == "major":
        missing = [labels.FIELD[f] for f in rules.five_in_place if merged.get(f) in (None, "")]
        if missing:
            problems.append(labels.TEXT["five_missing"].format(missing="、".join(missing),
                                                              source=rules.sources["five_in_place"]["source"]))
    else:
        missing = [labels.FIELD[f] for f in ("measures", "responsible_person") if merged.get(f) in (None, "")]
        if missing:
            problems.append(labels.TEXT["plan_missing"].format(missing="、".join(missing)))
    if plan.get("deadline") not in (None, "") and merged["deadline"] is not None:
        problems += check_deadline(h.grade, h.level, on, h.found_date, merged["deadline"], rules)
    if problems:
        raise Refused(problems)
    return replace(h, state="rectifying", last_date=on, **merged)


def submit(h: Hazard, on: dt.date, evidence: int) -> Hazard:
    """The enterprise submits its rectification with evidence → ``submitted``."""
    _refuse_state(h, "submit", ("rectifying", "escalated"))
    if h.state == "escalated" and not h.measures:
        raise Refused(labels.TEXT["bad_transition"].format(hazard=h.hazard_id, state=labels.STATE[h.state],
                                                           action=labels.ACTION["submit"], hint=labels.HINT["submit"]))
    problems = _order(h, on, "整改完成日期")
    if evidence < 1:
        problems.append(labels.TEXT["no_evidence"])
    if problems:
        raise Refused(problems)
    return replace(h, state="submitted", submitted_on=on, last_date=on, evidence=h.evidence + evidence)


def reinspect(h: Hazard, on: dt.date, passed: bool, reviewer: str | None, rules: Rules) -> Hazard:
    """Re-inspection: passed → ``reinspected``; failed → back to ``rectifying``."""
    _refuse_state(h, "reinspect", ("submitted",))
    problems = _order(h, on, "复查日期")
    if not reviewer or not reviewer.strip():
        problems.append(labels.TEXT["no_reviewer"])
    if problems:
        raise Refused(problems)
    assert h.submitted_on is not None
    late = (on - h.submitted_on).days > rules.reinspection_days
    if passed:
        return replace(h, state="reinspected", reinspected_on=on, reviewer=reviewer, last_date=on,
                       reinspection_late=late)
    return replace(h, state="rectifying", last_date=on, reinspection_late=late)


def close(h: Hazard, on: dt.date, evidence: int, rules: Rules) -> Hazard:
    """销号: only after a passed re-inspection and with at least one piece of evidence."""
    if h.state == "closed":
        _refuse_state(h, "close", ())
    src = rules.closing["source"]
    if rules.closing.get("require_reinspection", True) and h.state != "reinspected":
        raise Refused(labels.TEXT["close_no_reinspection"].format(hazard=h.hazard_id, state=labels.STATE[h.state],
                                                                  source=src))
    problems = _order(h, on, "销号日期")
    if rules.closing.get("require_evidence", True) and h.evidence + evidence < 1:
        problems.append(labels.TEXT["close_no_evidence"].format(hazard=h.hazard_id, source=src))
    if problems:
        raise Refused(problems)
    return replace(h, state="closed", closed_on=on, last_date=on, evidence=h.evidence + evidence)


def is_overdue(h: Hazard, as_of: dt.date) -> bool:
    """Not rectified (found / rectifying / escalated) and past the deadline at ``as_of``."""
    return h.state in OPEN_STATES and h.deadline is not None and as_of > h.deadline


def escalation_due(h: Hazard, as_of: dt.date, rules: Rules) -> bool:
    return (h.state in ("found", "rectifying") and h.deadline is not None
            and (as_of - h.deadline).days > int(rules.escalation["after_days"]))


def escalate(h: Hazard, on: dt.date, rules: Rules) -> Hazard:
    """Overdue escalation (逾期升级: art. 102 fine, refusal → 停产整顿) → ``escalated``."""
    _refuse_state(h, "escalate", ("found", "rectifying"))
    if not escalation_due(h, on, rules):
        n = int(rules.escalation["after_days"])
        raise Refused(labels.TEXT["not_overdue"].format(hazard=h.hazard_id, deadline=h.deadline, date=on,
                                                        extra=f"（逾期 {n} 天后方可升级）" if n else ""))
    problems = _order(h, on, "升级日期")
    if problems:
        raise Refused(problems)
    return replace(h, state="escalated", escalated_on=on, last_date=on)


def status(h: Hazard, as_of: dt.date) -> str:
    """The state shown at ``as_of``: ``overdue`` replaces found/rectifying past the deadline."""
    return "overdue" if h.state in ("found", "rectifying") and is_overdue(h, as_of) else h.state


def apply(h: Hazard | None, event: dict[str, Any], rules: Rules) -> Hazard:
    """One event onto a hazard (the fold step). ``event``: kind, on, payload, evidence."""
    kind, on, p = event["kind"], as_date(event["on"]), event.get("payload") or {}
    assert on is not None
    if kind == "found":
        h0, _ = found(int(event["hazard_id"]), level=p["level"], found_date=on, rules=rules,
                      deadline=as_date(p.get("deadline")), item=p.get("item"), plan=p.get("plan"))
        return h0
    assert h is not None
    if kind == "rectify":
        return rectify(h, on, p, rules)
    if kind == "submit":
        return submit(h, on, int(event.get("evidence", 0)))
    if kind == "reinspect":
        return reinspect(h, on, bool(p.get("passed")), p.get("reviewer"), rules)
    if kind == "close":
        return close(h, on, int(event.get("evidence", 0)), rules)
    if kind == "escalate":
        return escalate(h, on, rules)
    return h


def fold(events: Iterable[dict[str, Any]], rules: Rules, as_of: dt.date | None = None) -> Hazard | None:
    """The hazard as of a date from its events (oldest first); None if not yet found then."""
    h: Hazard | None = None
    for e in events:
        on = as_date(e["on"])
        assert on is not None  # every event has its date
        if as_of is not None and on > as_of:
            break
        h = apply(h, e, rules)
    return h


# --------------------------------------------------------------------------- enforcement
def check_enforcement(measure: str, amount_wan: Any, rules: Rules) -> tuple[float | None, str]:
    """(amount, article) of an enforcement record, or Refused."""
    if measure not in rules.enforcement:
        raise Refused(labels.TEXT["bad_measure"].format(
            found=measure, expected="、".join(f"{k}（{v['label']}）" for k, v in rules.enforcement.items())))
    sec = rules.enforcement[measure]
    amount = None
    if measure in ("fine", "case") and amount_wan not in (None, ""):
        try:
            amount = float(amount_wan)
        except (TypeError, ValueError):
            amount = float("nan")
        if not amount > 0:
            raise Refused(labels.TEXT["bad_amount"].format(what=sec["label"], found=amount_wan))
    if measure == "fine":
        if amount is None:
            raise Refused(labels.TEXT["bad_amount"].format(what=sec["label"], found=amount_wan))
        if sec.get("max_wan") is not None and amount > float(sec["max_wan"]):
            raise Refused(labels.TEXT["fine_too_high"].format(amount=amount, article=sec["article"],
                                                              max=sec["max_wan"]))
    return amount, str(sec["article"])


def closure_due(penalty_dates: Sequence[Any], rules: Rules) -> str | None:
    """安全生产法第一百一十三条(一): penalised 3 times within 180 days or 4 times within a year
    (for an enterprise with a major hazard) → the first qualifying window as text, else None."""
    days = sorted(d for d in (as_date(x) for x in penalty_dates) if d is not None)
    for n, key in ((3, "three_within_days"), (4, "four_within_days")):
        limit = int(rules.closure[key])
        for i in range(len(days) - n + 1):
            span = (days[i + n - 1] - days[i]).days
            if span <= limit:
                return f"{days[i]} 至 {days[i + n - 1]} 共 {span} 天内受处罚 {n} 次（{rules.closure['source']}）"
    return None


# --------------------------------------------------------------------------- statistics
def rate(num: int, den: int, rules: Rules) -> str:
    """整改率 as text with the rule's decimals and rounding; ``—`` when nothing was found."""
    if den == 0:
        return "—"
    q = Decimal(1).scaleb(-int(rules.statistics.get("rate_decimals", 1)))
    mode = ROUND_DOWN if rules.statistics.get("rate_rounding") == "truncate" else ROUND_HALF_UP
    return f"{(Decimal(num) * 100 / Decimal(den)).quantize(q, rounding=mode)}%"


def _wan(x: float) -> float:
    return float(Decimal(str(round(x, 6))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize())


def _in(d: Any, start: dt.date | None, end: dt.date | None) -> bool:
    day = as_date(d)
    return day is not None and (start is None or day >= start) and (end is None or day <= end)


def _block(inspections: list[dict[str, Any]], hazards: list[dict[str, Any]], enforcement: list[dict[str, Any]],
           rules: Rules) -> dict[str, Any]:
    rect_states = set(rules.statistics["rectified_states"])
    found_n = len(hazards)
    rect = sum(1 for h in hazards if h["state"] in rect_states)
    major = [h for h in hazards if h["grade"] == "major"]
    maj_rect = sum(1 for h in major if h["state"] in rect_states)
    return {
        "groups": len(inspections),
        "person_times": sum(len(i.get("inspectors") or []) for i in inspections),
        "enterprises": len({i["enterprise_id"] for i in inspections if i.get("enterprise_id")}),
        "enterprise_visits": sum(1 for i in inspections if i.get("enterprise_id")),
        "found": found_n, "found_general": found_n - len(major), "found_major": len(major),
        "rectified": rect, "rectified_general": rect - maj_rect, "rectified_major": maj_rect,
        "rate": rate(rect, found_n, rules), "rate_general": rate(rect - maj_rect, found_n - len(major), rules),
        "rate_major": rate(maj_rect, len(major), rules),
        "overdue": sum(1 for h in hazards if h["status"] == "overdue"),
        "escalated": sum(1 for h in hazards if h["state"] == "escalated"),
        "closed": sum(1 for h in hazards if h["state"] == "closed"),
        "listed": sum(1 for h in major if h.get("listed")),
        "ordered": sum(1 for e in enforcement if e["measure"] == "order"),
        "fines": sum(1 for e in enforcement if e["measure"] == "fine"),
        "fines_wan": _wan(sum(float(e.get("amount_wan") or 0) for e in enforcement if e["measure"] == "fine")),
        "stops": sum(1 for e in enforcement if e["measure"] == "stop"),
        "cases": sum(1 for e in enforcement if e["measure"] == "case"),
        "case_penalty_wan": _wan(sum(float(e.get("amount_wan") or 0) for e in enforcement if e["measure"] == "case")),
    }


def statistics(inspections: Sequence[dict[str, Any]], hazards: Sequence[dict[str, Any]],
               enforcement: Sequence[dict[str, Any]], rules: Rules, *, as_of: dt.date,
               start: dt.date | None = None, end: dt.date | None = None,
               industry_of: dict[str, str] | None = None, name_of: dict[str, str] | None = None) -> dict[str, Any]:
    """Campaign / period statistics in the seed's form, overall and by enterprise, industry and level.

    ``hazards``: dicts with hazard_id, enterprise_id, found_date, grade, level, state (as of
    ``as_of``), status, listed. Cohort basis: hazards found in [start, end], their state at as_of.
    """
    end = min(end, as_of) if end else as_of
    ins = [i for i in inspections if _in(i["on"], start, end)]
    hz = [h for h in hazards if _in(h["found_date"], start, end)]
    enf = [e for e in enforcement if _in(e["on"], start, end)]
    industry_of, name_of = industry_of or {}, name_of or {}

    def group(key: Any) -> list[dict[str, Any]]:
        keys = sorted({key(x) for x in [*ins, *hz, *enf]}, key=lambda k: (k is None, str(k)))
        return [{"key": k, **_block([i for i in ins if key(i) == k], [h for h in hz if key(h) == k],
                                    [e for e in enf if key(e) == k], rules)} for k in keys]

    by_ent = group(lambda x: x.get("enterprise_id"))
    closure = []
    for r in by_ent:
        r["name"] = name_of.get(r["key"] or "", r["key"])
        r["industry"] = industry_of.get(r["key"] or "")
        if r["found_major"]:
            why = closure_due([e["on"] for e in enf if e.get("enterprise_id") == r["key"]
                               and e["measure"] in ("fine", "case")], rules)
            if why:
                closure.append({"enterprise_id": r["key"], "name": r["name"], "reason": why})
    by_ind = group(lambda x: industry_of.get(x.get("enterprise_id") or "") or None)
    levels = sorted({h["level"] for h in hz})
    by_level = [{"key": lv, **_block([], [h for h in hz if h["level"] == lv], [], rules)} for lv in levels]
    return {"as_of": as_of.isoformat(), "start": start.isoformat() if start else None, "end": end.isoformat(),
            "basis": rules.statistics["basis"], "rules": rules.describe() | {"sources": None},
            "total": _block(ins, hz, enf, rules), "closure_candidates": closure, "by_enterprise": by_ent, "by_industry": by_ind, "by_level": by_level}
