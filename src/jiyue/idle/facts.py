"""Per-parcel facts: one record per parcel gathering its contract, progress events and data.

The engine's rules never look at DataFrames; :func:`parcel_facts` turns the canonical tables
(``parcels``, ``contracts``, ``progress``, ``buildings``, ``enterprises``,
``enterprise_years``) into :class:`ParcelFacts` records, which the pure rule modules take.
Tests build :class:`ParcelFacts` directly with :func:`facts` for hand-made cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from jiyue.values import to_num as _num, to_text as _text, to_bool as _bool  # noqa: F401 (re-exported names)

from jiyue.idle.calendar import to_date
from jiyue.landrules import floor_area, is_building

# event order within one day (a permit before the works, a halt before a resumption …)
EVENT_ORDER = {e: i for i, e in enumerate(
    ("delivered", "permit", "delayed", "commenced", "halted", "resumed", "completed", "accepted",
     "in_production", "reviewed"))}


@dataclass(frozen=True)
class Event:
    """One progress event of a contract."""

    date: dt.date
    event: str
    developed_area_m2: float | None = None
    invested_wan: float | None = None
    approved: bool | None = None
    cause: str | None = None


@dataclass(frozen=True)
class Supplement:
    """A supplementary agreement (补充协议) that re-sets the start (and maybe completion) date."""

    signed: dt.date
    new_start: dt.date
    new_completion: dt.date | None = None
    ref: str = ""


@dataclass(frozen=True)
class ParcelFacts:
    """Everything the rules need to know about one parcel (money in 万元, areas in m²)."""

    parcel_id: str
    contract_no: str | None = None
    zone_code: str | None = None
    enterprise_id: str | None = None
    area_m2: float | None = None
    build_class: str | None = None
    supply_class: str | None = None
    supply_date: dt.date | None = None
    supply_method: str | None = None
    land_use_code: str | None = None
    land_price_wan: float | None = None
    signed_date: dt.date | None = None
    delivery_date: dt.date | None = None
    start_agreed: dt.date | None = None
    completion_agreed: dt.date | None = None
    production_review_date: dt.date | None = None
    total_investment_wan: float | None = None
    commit_fai_per_mu: float | None = None
    commit_far: float | None = None
    commit_tax_per_mu: float | None = None
    late_start_permille: float | None = None
    late_completion_permille: float | None = None
    events: tuple[Event, ...] = ()
    supplements: tuple[Supplement, ...] = ()
    industry_code: str | None = None
    floor_area_m2: float | None = None  # buildings on the parcel (kind = building)
    footprint_all_m2: float | None = None  # buildings, structures and yards
    enterprise_land_m2: float | None = None  # all parcels of the enterprise (for per-mu tax)
    enterprise_years: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)

    def events_until(self, as_of: dt.date) -> list[Event]:
        """The events dated on or before ``as_of``, in order."""
        return [e for e in self.events if e.date <= as_of]








def sort_events(events: Iterable[Event]) -> tuple[Event, ...]:
    """Events by date, and within a day in the natural order of a project."""
    return tuple(sorted(events, key=lambda e: (e.date, EVENT_ORDER.get(e.event, 99))))


def facts(parcel_id: str = "P1", **kw: Any) -> ParcelFacts:
    """A :class:`ParcelFacts` from keyword arguments; events may be given as tuples or dicts.

    ``events=[("2020-01-01", "permit"), {"date": "2020-02-01", "event": "commenced"}]``.
    Dates may be strings. Intended for tests and small scripts.
    """
    evs = []
    for e in kw.pop("events", ()):
        if isinstance(e, Event):
            evs.append(e)
            continue
        if isinstance(e, tuple):
            names = ("date", "event", "developed_area_m2", "invested_wan", "approved", "cause")
            e = dict(zip(names, e))
        d = to_date(e["date"])
        assert d is not None
        evs.append(Event(d, e["event"], _num(e.get("developed_area_m2")), _num(e.get("invested_wan")),
                         _bool(e.get("approved")), _text(e.get("cause"))))
    sups = []
    for s in kw.pop("supplements", ()):
        if isinstance(s, Supplement):
            sups.append(s)
        else:
            s = dict(zip(("signed", "new_start", "new_completion"), s)) if isinstance(s, tuple) else s
            sups.append(Supplement(to_date(s["signed"]), to_date(s["new_start"]),  # type: ignore[arg-type]
                                   to_date(s.get("new_completion"))))
    for k in ("supply_date", "signed_date", "delivery_date", "start_agreed", "completion_agreed",
              "production_review_date"):
        if k in kw:
            kw[k] = to_date(kw[k])
    if "contract_no" not in kw:
        kw["contract_no"] = f"C-{parcel_id}"
    return ParcelFacts(parcel_id=parcel_id, events=sort_events(evs), supplements=tuple(sups), **kw)


# --------------------------------------------------------------------------- from the tables
def _building_totals(buildings: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """(floor area of buildings, footprint of all kinds) per parcel."""
    if buildings is None or len(buildings) == 0:
        return {}, {}
    b = buildings.copy()
    pid = b["parcel_eff"] if "parcel_eff" in b else b["parcel_id"]
    if "parcel_id" in b:
        pid = pid.fillna(b["parcel_id"])
    b["_pid"] = pid
    b = b[b["_pid"].notna()]
    fp = pd.to_numeric(b.get("footprint_eff_m2", b.get("footprint_m2")), errors="coerce")
    if "footprint_m2" in b:
        fp = pd.to_numeric(b["footprint_m2"], errors="coerce").fillna(fp)
    bld = is_building(b)
    floor = floor_area(b, footprint=fp)[bld].groupby(b.loc[bld, "_pid"]).sum()  # jiyue.landrules
    foot = fp.groupby(b["_pid"]).sum()
    return {str(k): float(v) for k, v in floor.items()}, {str(k): float(v) for k, v in foot.items()}


def parcel_facts(layers: Mapping[str, pd.DataFrame], *, parcel_ids: Iterable[str] | None = None,
                 supplements: Mapping[str, list[Supplement]] | None = None) -> list[ParcelFacts]:
    """One :class:`ParcelFacts` per parcel (all parcels, or the ones named), in parcel order.

    A parcel's contract is the ``contracts`` row naming it (``contracts.parcel_id``) or the row
    named by ``parcels.contract_no``. ``supplements`` maps contract numbers to supplementary
    agreements (from the ledger).
    """
    parcels = layers["parcels"]
    contracts = layers.get("contracts")
    progress = layers.get("progress")
    enterprises = layers.get("enterprises")
    eyears = layers.get("enterprise_years")
    supplements = supplements or {}
    area = pd.to_numeric(parcels.get("area_eff_m2", parcels.get("area_m2")), errors="coerce")
    if "area_m2" in parcels:
        area = pd.to_numeric(parcels["area_m2"], errors="coerce").fillna(area)
    parcels = parcels.assign(_area=area)

    by_contract: dict[str, dict[str, Any]] = {}
    by_parcel: dict[str, dict[str, Any]] = {}
    if contracts is not None and len(contracts):
        for row in contracts.to_dict(orient="records"):
            no = _text(row.get("contract_no"))
            if no is None:
                continue
            by_contract[no] = row
            pid = _text(row.get("parcel_id"))
            if pid is not None and pid not in by_parcel:
                by_parcel[pid] = row
    events: dict[str, list[Event]] = {}
    if progress is not None and len(progress):
        for row in progress.to_dict(orient="records"):
            no, d, ev = _text(row.get("contract_no")), to_date(row.get("date")), _text(row.get("event"))
            if no is None or d is None or ev is None:
                continue
            events.setdefault(no, []).append(Event(d, ev, _num(row.get("developed_area_m2")),
                                                   _num(row.get("invested_wan")), _bool(row.get("approved")),
                                                   _text(row.get("cause"))))
    industry: dict[str, str | None] = {}
    if enterprises is not None and len(enterprises):
        industry = {str(r["enterprise_id"]): _text(r.get("industry_code"))
                    for r in enterprises.to_dict(orient="records")}
    years: dict[str, dict[int, dict[str, Any]]] = {}
    if eyears is not None and len(eyears):
        for r in eyears.to_dict(orient="records"):
            if _text(r.get("enterprise_id")) is None or _num(r.get("year")) is None:
                continue
            years.setdefault(str(r["enterprise_id"]), {})[int(r["year"])] = {
                "tax_wan": _num(r.get("tax_wan")), "output_wan": _num(r.get("output_wan")),
                "revenue_wan": _num(r.get("revenue_wan")), "veto": _text(r.get("veto"))}
    land_of: dict[str, float] = {}
    if "user_id" in parcels:
        for uid, a in parcels.groupby(parcels["user_id"].astype("string"))["_area"].sum().items():
            land_of[str(uid)] = float(a)
    floor, foot = _building_totals(layers.get("buildings"))

    wanted = None if parcel_ids is None else set(parcel_ids)
    out: list[ParcelFacts] = []
    for p in parcels.to_dict(orient="records"):
        pid = str(p["parcel_id"])
        if wanted is not None and pid not in wanted:
            continue
        c = by_parcel.get(pid)
        if c is None and _text(p.get("contract_no")) is not None:
            c = by_contract.get(str(p["contract_no"]).strip())
        c = c or {}
        no = _text(c.get("contract_no")) or _text(p.get("contract_no"))
        eid = _text(c.get("enterprise_id")) or _text(p.get("user_id"))
        out.append(ParcelFacts(
            parcel_id=pid, contract_no=no, zone_code=_text(p.get("zone_code")), enterprise_id=eid,
            area_m2=_num(p.get("_area")), build_class=_text(p.get("build_class")),
            supply_class=_text(p.get("supply_class")), supply_date=to_date(p.get("supply_date")),
            supply_method=_text(p.get("supply_method")), land_use_code=_text(p.get("land_use_code")),
            land_price_wan=_num(c.get("land_price_wan")), signed_date=to_date(c.get("signed_date")),
            delivery_date=to_date(c.get("delivery_date")), start_agreed=to_date(c.get("start_agreed")),
            completion_agreed=to_date(c.get("completion_agreed")),
            production_review_date=to_date(c.get("production_review_date")),
            total_investment_wan=_num(c.get("total_investment_wan")),
            commit_fai_per_mu=_num(c.get("commit_fai_per_mu")), commit_far=_num(c.get("commit_far")),
            commit_tax_per_mu=_num(c.get("commit_tax_per_mu")),
            late_start_permille=_num(c.get("late_start_permille")),
            late_completion_permille=_num(c.get("late_completion_permille")),
            events=sort_events(events.get(no, [])) if no else (),
            supplements=tuple(supplements.get(no, [])) if no else (),
            industry_code=industry.get(eid) if eid else None,
            floor_area_m2=floor.get(pid), footprint_all_m2=foot.get(pid),
            enterprise_land_m2=land_of.get(eid) if eid else None,
            enterprise_years=years.get(eid, {}) if eid else {},
        ))
    return out
