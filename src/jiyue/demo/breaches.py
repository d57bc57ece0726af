"""What the idle-land engine finds in the demo: idle parcels and contracts in breach (the engine's rules, not a copy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import shapely

from jiyue.demo.identity import AS_OF
from jiyue.idle.facts import parcel_facts
from jiyue.idle.idleness import assess_idle
from jiyue.idle.penalties import contract_penalties
from jiyue.idle.rules import load_rules
from jiyue.landrules import floor_area


# --------------------------------------------------------------------------- floor area, idle parcels, breaches
def effective_footprint(buildings: pd.DataFrame) -> pd.Series:
    """Footprint per building: the recorded one, else the area of its shape (as an import does)."""
    return buildings["footprint_m2"].fillna(pd.Series(shapely.area(buildings.geometry.values),
                                                      index=buildings.index))


def building_floor_area(buildings: pd.DataFrame) -> pd.Series:
    """Floor area per building (:func:`jiyue.landrules.floor_area` on :func:`effective_footprint`)."""
    return floor_area(buildings, footprint=effective_footprint(buildings))


#: the idle-land engine's penalty kinds → the demo's breach reasons
PENALTY_REASONS = {"late_start": "late_start", "late_completion": "late_completion",
                   "investment_shortfall": "investment_short", "far_shortfall": "far_short"}
IDLE_RULES = "order53-2012"


def _contract_facts(layers: dict[str, Any]) -> dict[str, Any]:
    """The idle-land engine's facts of every contract parcel, by parcel id.

    The engine reads imported tables, where a building without a recorded footprint has the
    area of its shape as ``footprint_eff_m2`` (:mod:`jiyue.normalize`); the demo's layers are
    handed over the same way, so the engine sees the floor area an import would give it.
    """
    ids = layers["contracts"]["parcel_id"].astype(str).tolist()
    b = layers.get("buildings")
    if b is not None and len(b):
        layers = {**layers, "buildings": b.assign(footprint_eff_m2=effective_footprint(b))}
    return {f.parcel_id: f for f in parcel_facts(layers, parcel_ids=ids)}


def idle_parcels(layers: dict[str, Any], as_of: dt.date = AS_OF) -> set[str]:
    """The contract parcels the idle-land engine (``jiyue idle``, rules ``order53-2012``) finds idle."""
    rules = load_rules(IDLE_RULES)
    return {pid for pid, f in _contract_facts(layers).items() if assess_idle(f, rules, as_of).idle}


def breach_reasons(layers: dict[str, Any], as_of: dt.date = AS_OF) -> pd.DataFrame:
    """Why each contract is in breach at ``as_of`` (one row per contract; empty list = none).

    The rules are those of the idle-land engine (``jiyue idle``, rules ``order53-2012``), so the
    two agree; a contract is in breach when it is idle or a contract penalty is due:

    * ``late_start``: commenced (a ``permit`` **and** a ``commenced`` event; the later date) after
      ``start_agreed``, or not yet commenced and ``as_of`` is past it — unless the delay's cause
      is not the holder's: the latest ``delayed`` event up to then names another cause, or
      (without one) the land was delivered after the agreed start;
    * ``late_completion``: completed (``completed``, else ``accepted``) after
      ``completion_agreed``, or not yet and ``as_of`` is past it, approved halts extending the
      date by their length; same excuse;
    * ``investment_short``: completed, and the latest ``invested_wan`` (excluding the land price)
      plus ``land_price_wan`` is below ``total_investment_wan`` (which includes the land price);
      any shortfall counts;
    * ``far_short``: completed, and the floor area of the parcel's buildings ÷ parcel area is
      below ``commit_far``;
    * ``idle`` (闲置土地, Order 53): not commenced a full year after the agreed start; or commenced,
      not completed, halted without approval for a full year with under a third of the land
      developed or under a quarter of the investment (excluding the land price) made.

    Late-start and late-completion penalties need a per-day rate (``late_*_permille``); the
    demo's contracts carry 1 ‰.
    """
    rules = load_rules(IDLE_RULES)
    facts = _contract_facts(layers)
    out = []
    for c in layers["contracts"].itertuples(index=False):
        f = facts[str(c.parcel_id)]
        reasons = [PENALTY_REASONS[p["kind"]] for p in contract_penalties(f, rules, as_of)]
        if assess_idle(f, rules, as_of).idle:
            reasons.append("idle")
        out.append({"contract_no": c.contract_no, "parcel_id": c.parcel_id, "reasons": reasons})
    return pd.DataFrame(out)
