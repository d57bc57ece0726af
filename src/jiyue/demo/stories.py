"""The contract stories: which industrial parcels carry a grant contract and what happens to each; the supply and built-up rates calibrated by moving shared parcel edges."""

from __future__ import annotations

import datetime as dt

import numpy as np

from jiyue.demo.geometry import MIN_SIDE_M
from jiyue.demo.identity import TARGET_BUILT_RATE, TARGET_SUPPLY_RATE
from jiyue.demo.layout import Lot

# --------------------------------------------------------------------------- contract stories
# (story, count, built?) — 22 built plants (A2) and 15 supplied-but-unbuilt parcels (B21/D21).
# Built means completed: a plant that is completed but not yet accepted is already A2.
STORIES: tuple[tuple[str, int, bool], ...] = (
    ("normal_done", 10, True),
    ("late_completion", 3, True),  # breach
    ("investment_short", 1, True),  # breach
    ("sl_investment_short", 1, True),  # breach; standard land, fails its investment intensity
    ("sl_reviewed", 1, True),  # standard land, production review done in 2020, passes
    ("sl_review_failed", 1, True),  # standard land, review done in 2020, misses tax and energy
    ("sl2019_done", 1, True),  # standard land, in production
    ("sl_accepted", 1, True),  # standard land, accepted, production starts in 2021
    ("sl_completed", 1, True),  # standard land, completed, acceptance still to come
    ("approved_halt", 1, True),
    ("guaibao_phase2", 1, True),
    ("idle_not_started", 4, False),  # breach, idle
    ("idle_halted", 2, False),  # breach, idle
    ("late_start", 1, False),  # breach; standard land
    ("gov_delay", 1, False),
    ("normal_uc", 3, False),
    ("sl2019_uc", 1, False),  # standard land, under construction
    ("sl_halted", 1, False),  # standard land, halted by the enterprise in 2020 (under a year)
    ("sl2020_permit", 1, False),  # standard land, construction permit issued
    ("sl2020_delivered", 1, False),  # standard land, only delivered; the knob-1 balancing parcel
)
STANDARD_LAND_STORIES = ("sl_investment_short", "sl_reviewed", "sl_review_failed", "sl2019_done", "sl_accepted",
                         "sl_completed", "late_start", "sl2019_uc", "sl_halted", "sl2020_permit", "sl2020_delivered")
REVIEW_AFTER_YEARS = 2  # 达产复核 two years after the agreed completion ("commonly 2–3 years", spec B.4)
SIGNING_WINDOWS: dict[str, tuple[dt.date, dt.date]] = {
    "normal_done": (dt.date(2016, 1, 5), dt.date(2018, 2, 28)),
    "late_completion": (dt.date(2016, 1, 5), dt.date(2017, 4, 30)),
    "investment_short": (dt.date(2016, 3, 1), dt.date(2017, 12, 31)),
    "sl_investment_short": (dt.date(2017, 3, 1), dt.date(2017, 9, 30)),
    # the first standard-land pilots: reviewed two years after the agreed completion, by 2020-12-31
    "sl_reviewed": (dt.date(2016, 1, 5), dt.date(2016, 4, 30)),
    "sl_review_failed": (dt.date(2016, 1, 5), dt.date(2016, 4, 30)),
    "sl2019_done": (dt.date(2019, 1, 5), dt.date(2019, 2, 28)),
    "sl_accepted": (dt.date(2018, 3, 1), dt.date(2018, 5, 31)),
    "sl_completed": (dt.date(2018, 7, 1), dt.date(2018, 10, 31)),
    "approved_halt": (dt.date(2016, 4, 1), dt.date(2016, 10, 31)),
    "guaibao_phase2": (dt.date(2018, 4, 10), dt.date(2018, 5, 31)),
    "idle_not_started": (dt.date(2016, 3, 1), dt.date(2018, 6, 30)),
    "idle_halted": (dt.date(2016, 2, 1), dt.date(2017, 6, 30)),
    "late_start": (dt.date(2018, 6, 1), dt.date(2018, 12, 31)),
    "gov_delay": (dt.date(2019, 1, 5), dt.date(2019, 4, 30)),
    "normal_uc": (dt.date(2018, 7, 1), dt.date(2019, 8, 31)),
    "sl2019_uc": (dt.date(2019, 6, 1), dt.date(2019, 10, 31)),
    "sl_halted": (dt.date(2019, 3, 1), dt.date(2019, 5, 31)),
    "sl2020_permit": (dt.date(2020, 7, 1), dt.date(2020, 8, 15)),  # permit by 2020-12, start due in 2021
    "sl2020_delivered": (dt.date(2020, 9, 15), dt.date(2020, 10, 31)),  # delivered by 2020-12-30
}


def pick_contract_lots(lots: list[Lot], d_total: float, rng: np.random.Generator) -> None:
    """Choose the 37 contract parcels and their stories.

    The 15 unbuilt ones are picked from the new industrial park so that together with the
    knob-1 parcel they come close to the built-up-rate target; the knob then closes the gap.
    """
    knob_b21 = next(x for x in lots if x.tag == "knob1_b21")  # its A2 neighbour stays an older plant
    target_b21 = (1.0 - TARGET_BUILT_RATE) * d_total  # X* = D − A = (1 − b)·D
    pool = [x for x in lots if x.role == "new_industrial" and x.build_class == "A2" and x.tag is None
            and 6_000 <= x.area <= 50_000]
    n_unbuilt = sum(n for _, n, built in STORIES if not built) - 1  # the knob parcel is one of them
    chosen = _subset_near(pool, n_unbuilt, target_b21 - knob_b21.area, rng)
    unbuilt_stories = [st for st, n, built in STORIES if not built for _ in range(n)]
    unbuilt_stories.remove("sl2020_delivered")
    knob_b21.story = "sl2020_delivered"
    for lot, story in zip([pool[j] for j in chosen], rng.permutation(unbuilt_stories)):
        lot.story = str(story)
        lot.build_class = "B21"
    # built plants: 乖宝 phase 2 plus 21 from the park and the older industrial blocks
    next(x for x in lots if x.tag == "guaibao_phase2").story = "guaibao_phase2"
    built_pool = [x for x in lots if x.build_class == "A2" and x.story is None and x.tag is None
                  and x.role in ("new_industrial", "industrial") and 4_000 <= x.area <= 60_000
                  and x.supply_class == "D21"]
    built_stories = [st for st, n, built in STORIES if built and st != "guaibao_phase2" for _ in range(n)]
    new_first = [x for x in built_pool if x.role == "new_industrial"]
    old = [x for x in built_pool if x.role == "industrial"]
    ordered = [new_first[j] for j in rng.permutation(len(new_first))] + [old[j] for j in rng.permutation(len(old))]
    for lot, story in zip(ordered, rng.permutation(built_stories)):
        lot.story = str(story)


def _subset_near(pool: list[Lot], n: int, target: float, rng: np.random.Generator) -> list[int]:
    """Indices of ``n`` lots of ``pool`` whose areas sum close to ``target`` (local search)."""
    areas = np.array([x.area for x in pool])
    chosen = list(rng.choice(len(pool), size=n, replace=False))
    rest = [j for j in range(len(pool)) if j not in chosen]
    total = areas[chosen].sum()
    for _ in range(4_000):
        a, b = int(rng.integers(n)), int(rng.integers(len(rest)))
        new_total = total - areas[chosen[a]] + areas[rest[b]]
        if abs(new_total - target) < abs(total - target):
            chosen[a], rest[b] = rest[b], chosen[a]
            total = new_total
        if abs(total - target) < 2_000:  # within 0.2 ha: the knob absorbs the rest
            break
    return [int(j) for j in chosen]


# --------------------------------------------------------------------------- calibration of areas
def land_totals(lots: list[Lot]) -> dict[str, float]:
    """A, B21, D and B21-in-D from the (rounded) parcel areas, as the package will carry them."""
    area = {id(x): round(x.area, 2) for x in lots}
    a = sum(area[id(x)] for x in lots if x.build_class.startswith("A"))
    b21 = sum(area[id(x)] for x in lots if x.build_class == "B21")
    d = sum(area[id(x)] for x in lots if x.supply_class in ("D1", "D21", "D22"))
    return {"A": a, "B21": b21, "D": d}


def _move_shared_edge(left: Lot, right: Lot, new_left_area: float) -> None:
    """Move the vertical edge shared by two full-height neighbours so ``left`` gets the area."""
    x0, y0, _, y1 = left.rect
    xe = x0 + new_left_area / (y1 - y0)
    if xe - x0 < 2 * MIN_SIDE_M or right.rect[2] - xe < 2 * MIN_SIDE_M:
        raise RuntimeError("balancing parcel out of range; the layout needs re-tuning")
    left.rect = (x0, y0, xe, y1)
    right.rect = (xe, right.rect[1], right.rect[2], right.rect[3])


def calibrate_supply(lots: list[Lot]) -> None:
    """Resize the two balancing pairs so the supply and built-up rates hit the seed exactly.

    Knob 1 trades land between an A2 plant and a B21/D21 parcel: D is unchanged, A moves, so
    A / D can be set to b. Knob 2 trades land between a B21/E21 parcel and a B22 strip: only
    A + B21 moves, so D / (A + B21) can be set to s.
    """
    by_tag = {x.tag: x for x in lots if x.tag}
    t = land_totals(lots)
    delta = t["A"] - TARGET_BUILT_RATE * t["D"]  # land to move from A2 to B21
    knob_a2, knob_b21 = by_tag["knob1_a2"], by_tag["knob1_b21"]
    _move_shared_edge(knob_a2, knob_b21, knob_a2.area - delta)
    t = land_totals(lots)
    ready = by_tag["knob2_b21"]
    target_t = t["D"] / TARGET_SUPPLY_RATE  # A + B21 that gives the supply rate
    _move_shared_edge(ready, by_tag["knob2_b22"], ready.area + (target_t - t["A"] - t["B21"]))
