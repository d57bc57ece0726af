"""The life cycle of a standard-land contract: events, their order, and the contract's state.

Events come from three places and are merged into one list per contract:

* the package's ``progress`` table (read as given, ``source = "package"``);
* the contract's ``delivery_date`` when no ``delivered`` event exists (``source = "contract"``);
* the append-only ledger of events recorded with ``jiyue standard-land events``
  (``source = "ledger"``, with who and when; voided entries are left out).

Order (docs/sources/standard-land.md §B.4): 交地 delivered → 施工许可 permit → 动工 commenced →
停工 halted / 复工 resumed (alternating) → 竣工 completed → 竣工验收 accepted → 投产 in_production →
达产复核 reviewed. ``delayed`` (a verified delay, with its cause) may fall anywhere. An event may not
be dated before an event that must precede it, nor before the contract was signed; each event
except halt, resume and delay happens once. Events recorded through the CLI must also have
their predecessor (e.g. acceptance needs completion) and may not be dated in the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from jiyue.values import to_date, to_num as _num, to_bool as _bool, to_text as _text  # noqa: F401 (re-exported names)

from jiyue.standard_land import labels

#: rank of each ordered event; halted/resumed share a rank (they alternate between start and completion)
RANK: dict[str, int] = {"delivered": 1, "permit": 2, "commenced": 3, "halted": 4, "resumed": 4, "completed": 5,
                        "accepted": 6, "in_production": 7, "reviewed": 8}
EVENTS = ("delivered", "permit", "commenced", "delayed", "halted", "resumed", "completed", "accepted",
          "in_production", "reviewed")
SINGLE = ("delivered", "permit", "commenced", "completed", "accepted", "in_production", "reviewed")
#: predecessor an event recorded through the CLI must have
NEEDS: dict[str, str] = {"halted": "commenced", "completed": "commenced", "accepted": "completed",
                         "in_production": "accepted", "reviewed": "in_production"}
STAGE_OF_EVENT = {"delivered": "delivered", "permit": "permitted", "commenced": "under_construction",
                  "halted": "halted", "resumed": "under_construction", "completed": "completed",
                  "accepted": "accepted", "in_production": "in_production", "reviewed": "reviewed"}
_TIE = {"delayed": 0, "halted": 0, "resumed": 1}  # same-day order: a halt before its resumption


@dataclass(frozen=True)
class Event:
    """One life-cycle event of a contract."""

    contract_no: str
    date: dt.date
    event: str
    source: str = "package"
    developed_area_m2: float | None = None
    invested_wan: float | None = None
    approved: bool | None = None
    cause: str | None = None
    green_area_m2: float | None = None
    admin_area_m2: float | None = None
    event_id: int | None = None
    user: str | None = None
    recorded_at: dt.datetime | None = None
    note: str | None = None

    @property
    def sort_key(self) -> tuple[dt.date, int, int]:
        return (self.date, RANK.get(self.event, 0), _TIE.get(self.event, 0))

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["date"] = self.date.isoformat()
        d["recorded_at"] = self.recorded_at.isoformat(timespec="seconds") if self.recorded_at else None
        return d










def events_from_frame(df: pd.DataFrame | None, source: str) -> list[Event]:
    """Events from a ``progress``-shaped frame (package) or the ledger's effective rows."""
    if df is None or df.empty:
        return []
    out = []
    for r in df.to_dict(orient="records"):
        d = to_date(r.get("date"))
        if d is None or not r.get("event"):
            continue
        rec = r.get("recorded_at")
        out.append(Event(
            contract_no=str(r["contract_no"]), date=d, event=str(r["event"]), source=source,
            developed_area_m2=_num(r.get("developed_area_m2")), invested_wan=_num(r.get("invested_wan")),
            approved=_bool(r.get("approved")), cause=_text(r.get("cause")),
            green_area_m2=_num(r.get("green_area_m2")), admin_area_m2=_num(r.get("admin_area_m2")),
            event_id=int(r["event_id"]) if _num(r.get("event_id")) is not None else None,
            user=_text(r.get("user")), note=_text(r.get("note")),
            recorded_at=pd.Timestamp(rec).to_pydatetime() if rec is not None and not pd.isna(rec) else None,
        ))
    return out


def merge_events(contract_no: str, delivery_date: Any, *groups: Iterable[Event]) -> list[Event]:
    """All events of one contract in order; the contract's delivery date stands in for a missing
    ``delivered`` event."""
    evs = [e for g in groups for e in g if e.contract_no == contract_no]
    d = to_date(delivery_date)
    if d is not None and not any(e.event == "delivered" for e in evs):
        evs.append(Event(contract_no, d, "delivered", source="contract"))
    return sorted(evs, key=lambda e: e.sort_key)


# --------------------------------------------------------------------------- validation
def _err(key: str, **kw: Any) -> str:
    kw = {k: (labels.EVENT.get(v, v) if k in ("event", "other") else v) for k, v in kw.items()}
    return labels.ERR[key].format(**kw)


def sequence_problems(contract_no: str, events: Sequence[Event], signed: Any = None,
                      new: Event | None = None) -> list[str]:
    """Every ordering problem of a contract's events (empty list = in order).

    ``new``: the event about to be recorded (one of ``events``). A second event of a kind that
    happens once is then reported as the new one repeating the one already there, whichever
    is dated earlier (the new event is the one refused).
    """
    evs = sorted(events, key=lambda e: e.sort_key)
    problems: list[str] = []
    signed_d = to_date(signed)
    first: dict[str, Event] = {}
    for e in evs:
        if e.event in SINGLE:
            if e.event in first:
                kept, repeat = first[e.event], e
                if new is not None and kept is new:  # the new event is dated before the recorded one
                    kept, repeat = e, new
                problems.append(_err("duplicate", contract=contract_no, event=e.event, date=repeat.date,
                                     other_date=kept.date))
            else:
                first[e.event] = e
        if signed_d is not None and e.date < signed_d:
            problems.append(_err("before_signing", contract=contract_no, event=e.event, date=e.date, signed=signed_d))
    ranked = [e for e in evs if e.event in RANK]
    for e in ranked:
        earlier_rank = [f for f in ranked if RANK[f.event] < RANK[e.event] and f.date > e.date]
        if earlier_rank:
            f = max(earlier_rank, key=lambda x: x.date)
            problems.append(_err("order", contract=contract_no, event=e.event, date=e.date, other=f.event,
                                 other_date=f.date))
    halted_since: dt.date | None = None
    commenced = first.get("commenced")
    for e in evs:
        if e.event in ("halted", "resumed") and commenced is None:
            problems.append(_err("halt_needs_start", contract=contract_no, date=e.date))
            continue
        if e.event == "halted":
            if halted_since is not None:
                problems.append(_err("halt_twice", contract=contract_no, date=e.date, other_date=halted_since))
            else:
                halted_since = e.date
        elif e.event == "resumed":
            if halted_since is None:
                problems.append(_err("resume_without_halt", contract=contract_no, date=e.date))
            halted_since = None
        elif e.event == "completed" and halted_since is not None:
            problems.append(_err("completed_while_halted", contract=contract_no, date=e.date, other_date=halted_since))
    return problems


def new_event_problems(contract_no: str, existing: Sequence[Event], new: Event, signed: Any = None,
                       today: dt.date | None = None) -> list[str]:
    """Problems of recording ``new`` after ``existing``: order, predecessor, not in the future."""
    today = today or dt.date.today()
    problems: list[str] = []
    if new.date > today:
        problems.append(_err("future", contract=contract_no, event=new.event, date=new.date, today=today))
    need = NEEDS.get(new.event)
    if need and not any(e.event == need for e in existing):
        problems.append(_err("needs", contract=contract_no, event=new.event, date=new.date, other=need))
    if new.event == "resumed" and not any(e.event == "halted" for e in existing):
        problems.append(_err("resume_without_halt", contract=contract_no, date=new.date))
    before = set(sequence_problems(contract_no, existing, signed))
    problems += [p for p in sequence_problems(contract_no, [*existing, new], signed, new) if p not in before]
    return problems + sorted(before)


# --------------------------------------------------------------------------- state at a date
@dataclass(frozen=True)
class Halt:
    start: dt.date
    end: dt.date | None  # None = still halted at as_of
    approved: bool | None
    cause: str | None


@dataclass
class Timeline:
    """A contract's facts at ``as_of`` (events dated later are ignored)."""

    contract_no: str
    as_of: dt.date
    events: list[Event] = field(default_factory=list)
    first: dict[str, dt.date] = field(default_factory=dict)
    halts: list[Halt] = field(default_factory=list)
    delays: list[Event] = field(default_factory=list)
    stage: str = "signed"

    def date(self, event: str) -> dt.date | None:
        return self.first.get(event)

    def latest(self, attr: str, until: dt.date | None = None) -> tuple[float, dt.date] | None:
        """The latest non-empty value of an event attribute on or before ``until``, with its date."""
        found = None
        for e in self.events:
            v = getattr(e, attr)
            if v is not None and (until is None or e.date <= until):
                if found is None or e.date > found[1] or (e.date == found[1] and v > found[0]):
                    found = (v, e.date)
        return found

    def measure(self, attr: str) -> float | None:
        """A value recorded on the acceptance event (e.g. green_area_m2), the latest such one."""
        vals = [getattr(e, attr) for e in self.events if e.event == "accepted" and getattr(e, attr) is not None]
        return vals[-1] if vals else None


def timeline(contract_no: str, events: Sequence[Event], as_of: dt.date) -> Timeline:
    """The state of a contract at ``as_of`` from its (ordered) events."""
    evs = sorted((e for e in events if e.date <= as_of), key=lambda e: e.sort_key)
    t = Timeline(contract_no, as_of, list(evs))
    for e in evs:
        t.first.setdefault(e.event, e.date)
    open_halt: Event | None = None
    for e in evs:
        if e.event == "halted" and open_halt is None:
            open_halt = e
        elif e.event == "resumed" and open_halt is not None:
            t.halts.append(Halt(open_halt.date, e.date, open_halt.approved, open_halt.cause))
            open_halt = None
        elif e.event == "delayed":
            t.delays.append(e)
    if open_halt is not None:
        t.halts.append(Halt(open_halt.date, None, open_halt.approved, open_halt.cause))
    ranked = [e for e in evs if e.event in RANK]
    if ranked:
        t.stage = STAGE_OF_EVENT[ranked[-1].event]
    return t


def with_source(events: Iterable[Event], source: str) -> list[Event]:
    return [replace(e, source=source) for e in events]
