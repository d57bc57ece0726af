"""Grant contracts and their progress events, one story each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jiyue.demo.enterprises import Firm
from jiyue.demo.identity import ADMIN_CODE, AS_OF, GUAIBAO_PHASE2_INVESTMENT_WAN
from jiyue.demo.layout import Lot
from jiyue.demo.sampling import rand_date, shift_days
from jiyue.demo.stories import REVIEW_AFTER_YEARS, SIGNING_WINDOWS, STANDARD_LAND_STORIES
from jiyue.landrules import M2_PER_MU, add_years


# --------------------------------------------------------------------------- contracts & progress
@dataclass
class Contract:
    contract_no: str
    lot: Lot
    firm: Firm
    signed: dt.date
    delivery: dt.date
    start_agreed: dt.date
    completion_agreed: dt.date
    land_price: float
    total_investment: float
    standard_land: bool
    events: list[dict[str, Any]] = field(default_factory=list)
    commit: dict[str, float] = field(default_factory=dict)
    review: dt.date | None = None  # production_review_date (standard land only)

    @property
    def story(self) -> str:
        return self.lot.story or ""


def make_contracts(lots: list[Lot], firms: list[Firm], rng: np.random.Generator) -> list[Contract]:
    firm_of = {f.enterprise_id: f for f in firms}
    story_lots = sorted((x for x in lots if x.story), key=lambda x: x.story or "")
    signed = {id(x): rand_date(rng, *SIGNING_WINDOWS[x.story or ""]) for x in story_lots}
    story_lots.sort(key=lambda x: signed[id(x)])
    seq: dict[int, int] = {}
    contracts = []
    for lot in story_lots:
        s = signed[id(lot)]
        seq[s.year] = seq.get(s.year, int(rng.integers(3, 15))) + int(rng.integers(1, 6))
        c = _contract_terms(f"{ADMIN_CODE}{s.year}B{seq[s.year]:05d}", lot, firm_of[lot.user_id or ""], s, rng)
        c.events = _story_events(c, rng)
        contracts.append(c)
        lot.contract_no, lot.supply_date = c.contract_no, s
        lot.supply_method = "listing"
        _settle_firm(c, rng)
    return contracts


def _contract_terms(no: str, lot: Lot, firm: Firm, signed: dt.date, rng: np.random.Generator) -> Contract:
    mu = lot.area / M2_PER_MU
    story = lot.story or ""
    # industrial land sold for about 16–28 万元/亩 in Liaocheng in these years
    land_price = round(mu * rng.uniform(16, 28), 2) if story != "guaibao_phase2" else round(mu * 18.0, 2)
    if story == "guaibao_phase2":
        total = GUAIBAO_PHASE2_INVESTMENT_WAN
    else:  # Shandong asks ≥ 240 万元/亩 of national-level zones (2005 standard)
        total = round(mu * rng.uniform(260, 420), 2)
    delivery = shift_days(signed, rng.uniform(20, 60))
    start = shift_days(delivery, 180)  # start within six months of delivery
    build_years = 3 if story == "approved_halt" else 2  # the halted project was granted three years
    c = Contract(no, lot, firm, signed, delivery, start, add_years(start, build_years), land_price,
                 total, story in STANDARD_LAND_STORIES)
    if story == "gov_delay":  # the land was handed over months late (cause gov_1)
        c.delivery = shift_days(signed, rng.uniform(200, 260))
    if c.standard_land:
        c.commit = {
            "commit_fai_per_mu": round(float(rng.uniform(260, 350)), 1),
            "commit_far": round(float(rng.uniform(1.0, 1.5)), 2),  # settled against the buildings later
            "commit_tax_per_mu": round(float(rng.uniform(15, 25)), 1),
            "commit_va_per_energy": round(float(rng.uniform(2.0, 4.0)), 2),
            "commit_va_per_emission": round(float(rng.uniform(300, 800)), 0),
        }
        # the agreed total investment is the committed intensity (land price included) × 亩
        c.total_investment = round(c.commit["commit_fai_per_mu"] * mu, 2)
        c.review = add_years(c.completion_agreed, REVIEW_AFTER_YEARS)
    return c


def _story_events(c: Contract, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Progress events of one contract, in date order, consistent with its story."""
    area, story = round(c.lot.area, 2), c.lot.story or ""
    build = c.total_investment - c.land_price  # investment excluding the land price
    ev: list[dict[str, Any]] = []

    def add(date: dt.date, event: str, dev: float, inv: float, approved: bool | None = None,
            cause: str | None = None) -> None:
        ev.append({"date": date, "event": event, "developed_area_m2": round(dev, 2),
                   "invested_wan": round(inv, 2), "approved": approved, "cause": cause})

    if story != "gov_delay":
        add(c.delivery, "delivered", 0, 0)
    if story in ("idle_not_started",):
        if rng.random() < 0.5:
            add(shift_days(c.start_agreed, -rng.uniform(20, 60)), "permit", 0, build * 0.02)
        add(shift_days(c.start_agreed, rng.uniform(20, 90)), "delayed", 0, build * 0.02, cause="enterprise")
        return _sorted(ev)
    if story == "sl2020_delivered":  # delivered late in 2020; the permit is still to come
        return _sorted(ev)
    if story == "sl2020_permit":
        add(shift_days(c.delivery, rng.uniform(40, 75)), "permit", 0, build * 0.03)
        return _sorted(ev)
    if story == "gov_delay":
        add(shift_days(c.signed, rng.uniform(60, 100)), "delayed", 0, 0, cause="gov_1")
        add(c.delivery, "delivered", 0, 0)
        permit = shift_days(c.delivery, rng.uniform(60, 90))
        add(permit, "permit", 0, build * 0.03)
        # works start after the permit, however late the delivery was
        commenced = max(shift_days(c.start_agreed, rng.uniform(90, 150)), shift_days(permit, rng.uniform(20, 40)))
        add(commenced, "commenced", area * 0.2, build * 0.15)
        return _sorted(ev)
    early = story in ("sl2019_done", "sl2019_uc")  # 拿地即开工
    permit = shift_days(c.start_agreed, -rng.uniform(70, 110) if early else -rng.uniform(25, 60))
    add(permit, "permit", 0, build * 0.03)
    if story == "late_start":
        add(shift_days(c.start_agreed, -rng.uniform(10, 30)), "delayed", 0, build * 0.03, cause="enterprise")
        add(shift_days(c.start_agreed, rng.uniform(100, 200)), "commenced", area * 0.3, build * 0.25)
        return _sorted(ev)
    commenced = shift_days(c.start_agreed, -rng.uniform(40, 60) if early else -rng.uniform(0, 20))
    add(commenced, "commenced", area * rng.uniform(0.12, 0.2), build * rng.uniform(0.1, 0.15))
    if story in ("normal_uc", "sl2019_uc"):
        return _sorted(ev)
    if story == "idle_halted":
        halt = shift_days(commenced, rng.uniform(120, 300))
        add(halt, "halted", area * rng.uniform(0.15, 0.25), build * rng.uniform(0.1, 0.2),
            approved=False, cause="enterprise")
        return _sorted(ev)
    if story == "sl_halted":  # works stopped in 2020 (funding), not yet a year: on the watch list
        add(rand_date(rng, dt.date(2020, 5, 1), dt.date(2020, 9, 30)), "halted", area * rng.uniform(0.3, 0.45),
            build * rng.uniform(0.3, 0.4), approved=False, cause="enterprise")
        return _sorted(ev)
    if story == "approved_halt":  # 环保 works stop ordered by new state policy, approved
        halt = shift_days(commenced, rng.uniform(150, 220))
        add(halt, "halted", area * 0.35, build * 0.3, approved=True, cause="gov_3")
        add(shift_days(halt, rng.uniform(150, 240)), "resumed", area * 0.35, build * 0.3)
    if story == "late_completion":
        add(shift_days(c.completion_agreed, -rng.uniform(20, 40)), "delayed", area * 0.7, build * 0.75,
            cause="enterprise")
        completed = shift_days(c.completion_agreed, rng.uniform(60, 300))
    elif story == "sl2019_done":
        completed = rand_date(rng, dt.date(2020, 5, 1), dt.date(2020, 7, 31))
    elif story == "sl_accepted":
        completed = rand_date(rng, dt.date(2020, 5, 1), dt.date(2020, 8, 15))
    elif story == "sl_completed":
        completed = rand_date(rng, dt.date(2020, 10, 1), dt.date(2020, 12, 15))
    elif story == "guaibao_phase2":  # "目前，该项目各生产线已陆续投产"
        completed = rand_date(rng, dt.date(2020, 3, 1), dt.date(2020, 5, 31))
    elif story in ("sl_reviewed", "sl_review_failed"):  # early: producing through the review year
        completed = shift_days(c.completion_agreed, -rng.uniform(150, 250))
    else:
        completed = shift_days(c.completion_agreed, -rng.uniform(10, 120))
    # investment: the agreed total (land price included) is reached or exceeded, except the shortfalls
    short = story in ("investment_short", "sl_investment_short")
    share = rng.uniform(0.55, 0.7) if short else rng.uniform(1.01, 1.12)
    add(completed, "completed", area, build * share)
    if story == "sl_completed":  # acceptance (竣工验收) is due within 90 days, still open at the time point
        return _sorted(ev)
    accepted = shift_days(completed, rng.uniform(30, 60))
    add(accepted, "accepted", area, build * share)
    if story == "sl_accepted":  # production starts in 2021
        return _sorted(ev)
    in_production = shift_days(accepted, rng.uniform(20, 70))
    if in_production <= AS_OF:
        add(in_production, "in_production", area, build * share)
    if story in ("sl_reviewed", "sl_review_failed") and c.review is not None:
        add(c.review, "reviewed", area, build * share)  # 达产复核 on the agreed date
    return _sorted(ev)


def _sorted(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events up to the time point in date order, one per day (``(contract_no, date)`` is the
    table's key); area and investment never go down."""
    out = sorted(events, key=lambda e: e["date"])
    for prev, e in zip(out, out[1:]):
        if e["date"] <= prev["date"]:
            e["date"] = shift_days(prev["date"], 1)
    out = [e for e in out if e["date"] <= AS_OF]
    for prev, e in zip(out, out[1:]):
        e["developed_area_m2"] = max(e["developed_area_m2"], prev["developed_area_m2"])
        e["invested_wan"] = max(e["invested_wan"], prev["invested_wan"])
    return out


def _settle_firm(c: Contract, rng: np.random.Generator) -> None:
    """Founding date, production start and leases of the firm behind a contract."""
    firm = c.firm
    if firm.tag == "guaibao":
        return
    if c.signed >= dt.date(2018, 6, 1):  # an established tenant that now builds its own plant
        firm.founded = rand_date(rng, dt.date(2010, 1, 1), dt.date(2016, 12, 31))
        firm.lease_m2 = round(float(rng.uniform(3_000, 12_000)), 2)
        firm.lease_until = 2020
    else:
        firm.founded = shift_days(c.signed, -rng.uniform(60, 300))
    prod = [e["date"] for e in c.events if e["event"] == "in_production"]
    firm.producing_from = prod[0].year + 1 if prod else 9999
