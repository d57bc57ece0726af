"""Building footprints on every parcel, floor areas, the standard-land FAR commitments and the calibration of the comprehensive FAR to 1.20."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jiyue.demo.contracts import Contract
from jiyue.demo.geometry import inset, rect_area, shrink, split
from jiyue.demo.identity import (
    LU_CULTURE,
    LU_EDUCATION,
    LU_GOVERNMENT,
    LU_MEDICAL,
    LU_SPORTS,
    LU_UTILITY,
    LU_WELFARE,
    TARGET_FAR,
    Rect,
)
from jiyue.demo.layout import Lot
from jiyue.demo.sampling import weighted
from jiyue.landrules import is_tall_storey, storey_factor


# --------------------------------------------------------------------------- buildings
@dataclass
class Footprint:
    rect: Rect
    lot: Lot
    kind: str = "building"
    floors: int | None = None
    storey_h: float | None = None
    factor: float = 1.0  # floor area / (footprint × floors) for recorded floor areas
    record_floor_area: bool = True
    record_footprint: bool = True
    tower: bool = False  # residential tower (adjusted by the FAR calibration)
    floor_area: float | None = None


def _slot_grid(inner: Rect, size: tuple[float, float], size_max: tuple[float, float],
               gap: tuple[float, float]) -> list[Rect]:
    """Footprints on a regular grid inside ``inner``; sizes stretch up to ``size_max`` and the
    remaining space is spread evenly between rows/columns (never outside ``inner``)."""
    out_axes = []
    for lo, hi, s, smax, g in ((inner[0], inner[2], size[0], size_max[0], gap[0]),
                               (inner[1], inner[3], size[1], size_max[1], gap[1])):
        avail = hi - lo
        n = int((avail + g) // (s + g))
        if n <= 0:
            return []
        s2 = min((avail - (n - 1) * g) / n, smax)
        g2 = (avail - n * s2) / (n - 1) if n > 1 else 0.0
        off = lo if n > 1 else lo + (avail - s2) / 2
        out_axes.append([(off + k * (s2 + g2), off + k * (s2 + g2) + s2) for k in range(n)])
    return [(x0, y0, x1, y1) for (y0, y1) in out_axes[1] for (x0, x1) in out_axes[0]]


TOWER_FLOORS = (11, 18, 24, 26, 28, 33)  # common high-rise heights (storeys)
TOWER_FLOOR_WEIGHTS = (0.22, 0.3, 0.12, 0.12, 0.1, 0.14)


def lot_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    """Footprints for one parcel according to its construction class (none on streets, B2, C)."""
    maker = _FOOTPRINT_MAKERS.get(lot.build_class)
    return maker(lot, rng) if maker else []


def _cells(inner: Rect, target_m2: float, gap: float, rng: np.random.Generator, min_side: float) -> list[Rect]:
    """Guillotine cells of about ``target_m2`` inside ``inner``, each shrunk by half a gap on
    every side, so neighbouring footprints keep ``gap`` metres apart and never leave ``inner``."""
    out = []
    for x0, y0, x1, y1 in split(inner, target_m2, rng, min_side):
        if x1 - x0 > gap + 4 and y1 - y0 > gap + 4:
            out.append((x0 + gap / 2, y0 + gap / 2, x1 - gap / 2, y1 - gap / 2))
    return out


PLANT_CELL_M2 = 3_000  # main plants
AUX_CELL_M2 = 380  # guard houses, pump rooms, canteens, small warehouses
AUX_SHARE = 0.6  # share of plant cells broken up into auxiliary buildings
OFFICE_DEPTH_M, OFFICE_LENGTH_M = 16.0, 48.0  # largest office block of a factory


def _industrial_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    """Plants, an office, auxiliary buildings, structures (tanks, silos) and open yards."""
    inner = inset(lot.rect, rng.uniform(2, 4))
    if inner is None:
        return []
    out: list[Footprint] = []
    plant_cells = split(inner, PLANT_CELL_M2, rng, 24)
    for k, cell in enumerate(plant_cells):
        u = rng.random()
        if k == 0 and len(plant_cells) > 1:  # office building at the gate, a plant behind it
            for x0, y0, x1, y1 in _cells(cell, 1e9, 6, rng, 12):
                depth = min(OFFICE_DEPTH_M, (y1 - y0) * 0.4)
                out.append(Footprint((x0, y0, min(x1, x0 + OFFICE_LENGTH_M), y0 + depth), lot,
                                     floors=int(rng.integers(3, 7)), storey_h=3.6, factor=rng.uniform(0.97, 1.03)))
                if y1 - (y0 + depth + 6) > 12:
                    out.append(_plant((x0, y0 + depth + 6, x1, y1), lot, rng))
        elif u < AUX_SHARE:
            for r in _cells(cell, AUX_CELL_M2, 4, rng, 10):
                v = rng.random()
                if v < 0.12:  # tanks, silos, towers
                    out.append(Footprint(shrink(r, 0.85, 0.85), lot, kind="structure"))
                elif v < 0.2:
                    out.append(Footprint(r, lot, kind="yard", floors=0))  # open storage / operation yard
                else:
                    out.append(Footprint(r, lot, floors=weighted(rng, [1, 2, 3], [0.6, 0.3, 0.1]),
                                         storey_h=round(float(rng.uniform(3.3, 5.0)), 1),
                                         factor=rng.uniform(0.97, 1.03)))
        elif u < AUX_SHARE + 0.05:
            out += [Footprint(r, lot, kind="yard", floors=0) for r in _cells(cell, 1e9, 8, rng, 12)]
        else:
            out += [_plant(r, lot, rng) for r in _cells(cell, 1e9, 6, rng, 12)]
    return out


def _plant(r: Rect, lot: Lot, rng: np.random.Generator) -> Footprint:
    u = rng.random()
    if u < 0.35:  # high-bay single-storey plant: counts twice, floor area left to the rule
        return Footprint(r, lot, floors=1, storey_h=round(float(rng.uniform(9, 14)), 1), record_floor_area=False)
    floors = weighted(rng, [1, 2, 3, 4], [0.45, 0.35, 0.14, 0.06])
    storey = round(float(rng.uniform(6, 7.5)), 1) if floors == 1 else round(float(rng.uniform(4.5, 6)), 1)
    return Footprint(r, lot, floors=floors, storey_h=storey, factor=rng.uniform(0.97, 1.03))


def _residential_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    inner = inset(lot.rect, rng.uniform(8, 12))
    if inner is None:
        return []
    depth = rng.uniform(14, 18)
    slots = _slot_grid(inner, (rng.uniform(34, 52), depth), (62, depth), (rng.uniform(14, 20), rng.uniform(30, 40)))
    out = []
    for k, r in enumerate(slots):
        if k == 1 and len(slots) > 3:  # clubhouse / community service building
            out.append(Footprint(shrink(r, 0.8, 1.0), lot, floors=2, storey_h=4.2, factor=rng.uniform(0.97, 1.03)))
        elif rng.random() < 0.94:
            out.append(Footprint(r, lot, floors=weighted(rng, TOWER_FLOORS, TOWER_FLOOR_WEIGHTS), storey_h=2.9,
                                 factor=rng.uniform(0.98, 1.06), tower=True))
        if r[1] > inner[1] + 1 and rng.random() < 0.7:
            # garage ramp / bike shed / substation in the ≥ 30 m gap south of a tower that has a row below
            top = r[1] - RES_AUX_OFFSET_M
            aux = (r[0], top - rng.uniform(6, 9), r[0] + rng.uniform(8, 14), top)
            out.append(Footprint(aux, lot, floors=1, storey_h=3.6, factor=1.0))
    return out


RES_AUX_OFFSET_M = 8.0  # distance of small ancillary buildings from the tower north of them


def _commerce_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    """Shop rows, restaurants and — on big or office/hotel lots — some high-rises."""
    inner = inset(lot.rect, rng.uniform(3, 6))
    if inner is None:
        return []
    tall = lot.area > 8_000 or lot.land_use in ("0504", "0505")
    out = []
    for r in _cells(inner, 900 if tall else 520, 6, rng, 12):
        if tall and rng.random() < 0.45:
            floors = int(rng.integers(10, 28))  # offices, hotels
        else:
            floors = weighted(rng, [1, 2, 3, 4, 5, 6], [0.05, 0.15, 0.25, 0.2, 0.15, 0.2])
        out.append(Footprint(r, lot, floors=floors, storey_h=4.2, factor=rng.uniform(0.97, 1.04)))
    return out


def _public_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    lu = lot.land_use
    inner = inset(lot.rect, rng.uniform(6, 12))
    if inner is None:
        return []
    if lu == LU_UTILITY:  # substation, pumping station
        return [Footprint(shrink(inner, 0.45, 0.4), lot, floors=int(rng.integers(1, 3)), storey_h=5.0)]
    floors_range = {LU_MEDICAL: (4, 13), LU_EDUCATION: (3, 6), LU_GOVERNMENT: (4, 13), LU_WELFARE: (3, 7),
                    LU_CULTURE: (2, 6), LU_SPORTS: (1, 4)}.get(lu, (2, 6))
    slots = _slot_grid(inner, (rng.uniform(30, 60), rng.uniform(16, 26)), (80, 30),
                       (rng.uniform(16, 26), rng.uniform(20, 30)))
    return [Footprint(r, lot, floors=int(rng.integers(*floors_range)), storey_h=3.9, factor=rng.uniform(0.97, 1.03))
            for r in slots if rng.random() < 0.8]


def _small_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    """Pavilions in parks, station buildings, other urban land."""
    if lot.role in ("green_strip", "river_green", "pocket_park") and rng.random() < 0.85:
        return []
    inner = inset(lot.rect, 5)
    if inner is None:
        return []
    floors = 1 if lot.build_class == "A51" else int(rng.integers(1, 4))
    fx, fy = (0.15, 0.2) if lot.build_class == "A51" else (0.5, 0.45)
    return [Footprint(shrink(inner, fx, fy), lot, floors=floors, storey_h=4.5, factor=rng.uniform(0.97, 1.03))]


def _village_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    inner = inset(lot.rect, 4)
    if inner is None:
        return []
    if lot.build_class == "B11":
        slots = _slot_grid(inner, (40, 20), (60, 30), (10, 12))
        return [Footprint(r, lot, floors=1, storey_h=6.0) for r in slots]
    slots = _slot_grid(inner, (rng.uniform(10, 13), rng.uniform(8, 10)), (13, 10), (4, 6))  # ~200 m² homesteads
    return [Footprint(r, lot, floors=weighted(rng, [1, 2], [0.6, 0.4]), storey_h=3.0,
                      record_floor_area=rng.random() < 0.5) for r in slots if rng.random() < 0.9]


_FOOTPRINT_MAKERS: dict[str, Callable[[Lot, np.random.Generator], list[Footprint]]] = {
    "A1": _residential_footprints,
    "A2": _industrial_footprints,
    "A4": _commerce_footprints,
    "A51": _small_footprints,
    "A52": _public_footprints,
    "A32": _small_footprints,
    "A6": _small_footprints,
    "B11": _village_footprints,
    "B12": _village_footprints,
}


def _effective_floor_area(fp: Footprint) -> float:
    """Floor area as the contract counts it (recorded value, else footprint × floors, ×2 > 8 m)."""
    if fp.floor_area is not None:
        return fp.floor_area
    if not fp.floors:
        return 0.0
    footprint = rect_area(fp.rect)
    return footprint * fp.floors * storey_factor(fp.storey_h)  # jiyue.landrules: a storey above 8 m counts twice


def record(fp: Footprint) -> None:
    """Fill the recorded floor area from floors and the area factor."""
    if fp.kind != "building":
        fp.floor_area = 0.0
    elif fp.record_floor_area and fp.floors:
        fp.floor_area = round(round(rect_area(fp.rect), 2) * fp.floors * fp.factor, 2)
    else:
        fp.floor_area = None


FAR_MARGIN = 1.03  # built standard-land plants exceed their committed FAR by at least 3 %
MAX_PLANT_FLOORS = 5


def settle_far_commitments(contracts: list[Contract], footprints: list[Footprint]) -> None:
    """Built standard-land plants meet their committed FAR (容积率) with a margin.

    Floors are added to the lowest, then largest, ordinary buildings of the parcel (never above
    MAX_PLANT_FLOORS); when none is left, the largest high-bay plant becomes a two-storey plant
    (5.5 m storeys, the same floor area) and then an open yard becomes a one-storey building, so
    they can take floors too. When even that is not enough the commitment is lowered to what
    stands (a multiple of 0.05). Runs before the FAR calibration, which then absorbs the extra
    floor area in the residential towers.
    """
    by_lot: dict[int, list[Footprint]] = {}
    for fp in footprints:
        by_lot.setdefault(id(fp.lot), []).append(fp)
    for c in contracts:
        if not c.standard_land or c.lot.build_class != "A2":
            continue
        fps = by_lot.get(id(c.lot), [])
        area = round(c.lot.area, 2)

        def far() -> float:
            return sum(_effective_floor_area(fp) for fp in fps if fp.kind == "building") / area  # noqa: B023

        target = c.commit["commit_far"] * FAR_MARGIN
        while far() < target:
            buildings = [fp for fp in fps if fp.kind == "building"]
            low = [fp for fp in buildings
                   if not is_tall_storey(fp.storey_h) and (fp.floors or 0) < MAX_PLANT_FLOORS]
            high = [fp for fp in buildings if is_tall_storey(fp.storey_h)]
            yards = [fp for fp in fps if fp.kind == "yard"]
            if low:
                fp = max(low, key=lambda f: (-(f.floors or 0), rect_area(f.rect)))
                fp.floors = (fp.floors or 0) + 1
            elif high:
                fp = max(high, key=lambda f: rect_area(f.rect))
                fp.floors, fp.storey_h, fp.record_floor_area, fp.factor = 2, 5.5, True, 1.0
            elif yards:
                fp = max(yards, key=lambda f: rect_area(f.rect))
                fp.kind, fp.floors, fp.storey_h, fp.record_floor_area, fp.factor = "building", 1, 4.5, True, 1.0
            else:
                break
            record(fp)
        if far() < target:
            c.commit["commit_far"] = math.floor(far() / FAR_MARGIN * 20) / 20


UNRECORDED_SHARE = 0.06  # ordinary buildings whose floor area is left to footprint × floors


def leave_some_unrecorded(footprints: list[Footprint], rng: np.random.Generator) -> None:
    """Leave the floor area empty for a few ordinary buildings (towers keep theirs: the FAR
    calibration adjusts recorded tower floor areas)."""
    for fp in footprints:
        if fp.kind == "building" and not fp.tower and rng.random() < UNRECORDED_SHARE:
            fp.record_floor_area = False


def calibrate_far(footprints: list[Footprint], a_m2: float, rng: np.random.Generator) -> None:
    """Adjust residential tower heights, then one balancing tower, so that the floor area on A
    equals TARGET_FAR × A exactly (to 0.01 m²)."""
    on_a = [fp for fp in footprints if fp.kind == "building" and fp.lot.build_class.startswith("A")]
    towers = [fp for fp in on_a if fp.tower]
    if any(fp.floors is None for fp in towers):
        raise RuntimeError("a residential tower without its number of storeys")
    fixed = sum(_effective_floor_area(fp) for fp in on_a if not fp.tower)
    needed = TARGET_FAR * a_m2 - fixed
    unit = sum(round(rect_area(fp.rect), 2) * fp.factor for fp in towers)  # floor area per storey
    mean_floors = needed / unit
    if not TOWER_FLOORS[0] <= mean_floors <= TOWER_FLOORS[-1]:
        raise RuntimeError(f"residential towers would need {mean_floors:.1f} storeys on average")
    scale = mean_floors / (sum(round(rect_area(fp.rect), 2) * fp.factor * (fp.floors or 0) for fp in towers) / unit)
    for fp in towers:
        fp.floors = int(min(max(round((fp.floors or 0) * scale), TOWER_FLOORS[0]), TOWER_FLOORS[-1]))
        record(fp)
    balancer = max(towers, key=lambda fp: rect_area(fp.rect))
    others = [fp for fp in towers if fp is not balancer]
    residual = needed - sum(_effective_floor_area(fp) for fp in towers)
    step_max = max(rect_area(fp.rect) * fp.factor for fp in others)
    order = [int(j) for j in rng.permutation(len(others))]
    changed = True
    while abs(residual) >= step_max and changed:  # ±1 storey, pass after pass, until < 1 storey is left
        changed = False
        for j in order:
            if abs(residual) < step_max:
                break
            fp, change = others[j], (1 if residual > 0 else -1)
            floors_now = fp.floors or 0
            if TOWER_FLOORS[0] <= floors_now + change <= TOWER_FLOORS[-1]:
                before = fp.floor_area or 0.0
                fp.floors = floors_now + change
                record(fp)
                residual -= (fp.floor_area or 0.0) - before
                changed = True
    if abs(residual) >= step_max:
        raise RuntimeError("residential towers cannot absorb the floor area; re-tune the layout")
    # the balancing tower takes the remainder (less than one storey: a penthouse or a podium)
    balancer.floor_area = round((balancer.floor_area or 0.0) + residual, 2)
    balancer.record_floor_area = True
