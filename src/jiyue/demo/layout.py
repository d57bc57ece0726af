"""The zone's layout: the street grid, the land-use template of its blocks, the parcels of every block and their supply history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from jiyue.demo.geometry import carve_corner, peel, rect_area, split
from jiyue.demo.identity import (
    GUAIBAO_OLD_PLANT_M2,
    GUAIBAO_PHASE2_M2,
    LU_CULTURE,
    LU_DRY_FARMLAND,
    LU_EDUCATION,
    LU_GOVERNMENT,
    LU_HOMESTEAD,
    LU_INDUSTRIAL,
    LU_IRRIGATED,
    LU_MEDICAL,
    LU_PARK,
    LU_RIVER,
    LU_RURAL_ROAD,
    LU_SPECIAL,
    LU_SPORTS,
    LU_STREET,
    LU_TRANSPORT_SERVICE,
    LU_URBAN_RESIDENTIAL,
    LU_UTILITY,
    LU_VACANT,
    LU_WAREHOUSE,
    LU_WELFARE,
    RECOVERED_BLOCK_M2,
    Rect,
)
from jiyue.demo.sampling import rand_date, weighted

# --------------------------------------------------------------------------- the layout
# Block use template, one string per block row from NORTH to SOUTH, one letter per block column
# from WEST to EAST.  R residential, C commerce, M mixed, P public services, G park, S river,
# I industry, W logistics, N new industrial park, Q 乖宝 (old plant, then phase 2), X the 5.43 ha
# block, V village, U undeveloped fringe.
TEMPLATE = (
    "RRCPRSIIWNNU",
    "RCCRGSIIINNU",
    "PRCRRSIQINNU",
    "RRMCPSIQINNU",
    "GRCCRSIIINNV",
    "RPMRRSXIWNIV",
    "RRCRPSIIIIUU",
    "VRRGRSIWIIVU",
    "RPRCRSRIIWUU",
    "RRRRGSRIIIVU",
)
N_ROWS = len(TEMPLATE)
N_COLS = len(TEMPLATE[0])
RIVER_COL = 5
ARTERIAL_X = (3, 9)  # vertical road lines (0 = west edge) that are 50 m arterials
ARTERIAL_Y = (3, 7)  # horizontal road lines (0 = south edge) that are 50 m arterials
ARTERIAL_WIDTH_M = 50.0
STREET_WIDTHS_M = (24.0, 30.0, 36.0)  # red-line widths of ordinary streets
KNOB1_BLOCK = (5, 10)  # (row from south, column): N block holding the A2 | B21 balancing pair
KNOB2_BLOCK = (3, 10)  # U block holding the B21(E21) | B22 balancing pair
# N-S streets are named after mountains, E-W streets after rivers (the seed names 中华路, 黑龙江路)
NS_NAMES = (
    "西外环路", "昌润路", "嵩山路", "中华路", "华山路", "泰山路", "衡山路",
    "庐山路", "天山路", "黄山路", "峨眉山路", "太行山路", "东外环路",
)
EW_NAMES = (
    "南外环路", "湘江路", "珠江路", "长江路", "淮河路", "黄河路", "辽河路",
    "黑龙江路", "松花江路", "牡丹江路", "北外环路",
)


@dataclass(frozen=True)
class Grid:
    """Street grid in local metres; roads and cells ordered west→east and south→north."""

    x_roads: list[tuple[float, float]]
    x_cells: list[tuple[float, float]]
    y_roads: list[tuple[float, float]]
    y_cells: list[tuple[float, float]]

    def kind(self, s: int, i: int) -> str:
        """Template letter of the block in row ``s`` (from the south) and column ``i``."""
        return TEMPLATE[N_ROWS - 1 - s][i]

    @property
    def width(self) -> float:
        return self.x_roads[-1][1]

    @property
    def height(self) -> float:
        return self.y_roads[-1][1]


@dataclass
class Lot:
    """A parcel while it is being generated (local coordinates)."""

    rect: Rect
    build_class: str
    supply_class: str
    land_use: str
    role: str
    block: tuple[int, int] | None = None
    user_id: str | None = None
    supply_date: dt.date | None = None
    supply_method: str | None = None
    contract_no: str | None = None
    hightech: str | None = None
    parcel_id: str = ""
    story: str | None = None
    tag: str | None = None  # special role: guaibao_old, guaibao_phase2, recovered, knob1_a2 …

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.rect
        return (x1 - x0) * (y1 - y0)

    @property
    def is_industrial(self) -> bool:
        return self.land_use in (LU_INDUSTRIAL, LU_WAREHOUSE) and self.build_class in ("A2", "B21")


# --------------------------------------------------------------------------- grid
def make_grid(rng: np.random.Generator) -> Grid:
    col_w: list[float] = []
    for i in range(N_COLS):
        if i == RIVER_COL:
            col_w.append(rng.uniform(170, 220))  # river with a green bank on each side
        elif "Q" in {TEMPLATE[r][i] for r in range(N_ROWS)}:
            col_w.append(rng.uniform(680, 720))  # wide enough for the 19.5 ha phase-2 parcel
        elif i < RIVER_COL:
            col_w.append(rng.uniform(270, 360))  # city blocks
        else:
            col_w.append(rng.uniform(410, 500))  # industrial blocks
    row_h = [rng.uniform(290, 370) for _ in range(N_ROWS)]
    q_rows = [N_ROWS - 1 - r for r in range(N_ROWS) if "Q" in TEMPLATE[r]]
    row_h[min(q_rows)] = max(row_h[min(q_rows)], 375.0)  # the phase-2 block (southern Q)

    def axis(sizes: list[float], arterials: tuple[int, ...]) -> tuple[list[Any], list[Any]]:
        roads, cells, pos = [], [], 0.0
        for k in range(len(sizes) + 1):
            wdt = ARTERIAL_WIDTH_M if k in arterials else float(rng.choice(STREET_WIDTHS_M))
            roads.append((pos, pos + wdt))
            pos += wdt
            if k < len(sizes):
                cells.append((pos, pos + sizes[k]))
                pos += sizes[k]
        return roads, cells

    x_roads, x_cells = axis(col_w, ARTERIAL_X)
    y_roads, y_cells = axis(row_h, ARTERIAL_Y)
    return Grid(x_roads, x_cells, y_roads, y_cells)


def road_lots(grid: Grid, rng: np.random.Generator) -> list[Lot]:
    """Street parcels: horizontal segments per block column (incl. the intersection to the
    west), vertical segments per block row. Segments with only undeveloped land beside them are
    planned roads (B22/F), the others built streets (A31/D1)."""

    def undeveloped(cells: list[tuple[int, int]]) -> bool:
        inside = [(s, i) for s, i in cells if 0 <= s < N_ROWS and 0 <= i < N_COLS]
        return all(grid.kind(s, i) == "U" for s, i in inside)

    lots: list[Lot] = []
    for k, (ry0, ry1) in enumerate(grid.y_roads):
        for i in range(N_COLS):
            x0 = grid.x_roads[i][0]
            x1 = grid.x_roads[i + 1][0] if i < N_COLS - 1 else grid.x_roads[-1][1]
            lots.append(_street_lot((x0, ry0, x1, ry1), undeveloped([(k - 1, i), (k, i)]), rng))
            lots[-1].tag = f"h{k}"
    for i, (rx0, rx1) in enumerate(grid.x_roads):
        for s, (cy0, cy1) in enumerate(grid.y_cells):
            lots.append(_street_lot((rx0, cy0, rx1, cy1), undeveloped([(s, i - 1), (s, i)]), rng))
            lots[-1].tag = f"v{i}"
    return lots


def _street_lot(rect: Rect, planned: bool, rng: np.random.Generator) -> Lot:
    if planned:
        return Lot(rect, "B22", "F", LU_RURAL_ROAD, "planned_road")
    lot = Lot(rect, "A31", "D1", LU_STREET, "street")
    lot.supply_date = rand_date(rng, dt.date(1994, 1, 1), dt.date(2015, 12, 31))
    lot.supply_method = "allocation"
    return lot


# --------------------------------------------------------------------------- blocks → lots
COMMERCE_USES = ("0501", "0503", "0504", "0505", "0506", "0507")  # retail … other services
COMMERCE_WEIGHTS = (0.32, 0.14, 0.08, 0.22, 0.06, 0.18)


def _arterial_sides(s: int, i: int) -> list[str]:
    sides = []
    if s + 1 in ARTERIAL_Y:
        sides.append("N")
    if s in ARTERIAL_Y:
        sides.append("S")
    if i in ARTERIAL_X:
        sides.append("W")
    if i + 1 in ARTERIAL_X:
        sides.append("E")
    return sides


def _green_strips(rect: Rect, s: int, i: int, rng: np.random.Generator) -> tuple[list[Lot], Rect]:
    """Peel 15–25 m green belts (A51) along the arterial sides of a block."""
    lots = []
    for side in _arterial_sides(s, i):
        strip, rect = peel(rect, side, rng.uniform(15, 25))
        lots.append(Lot(strip, "A51", "D1", LU_PARK, "green_strip", (s, i)))
    return lots, rect


def _industrial_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator,
                     target_m2: float, min_side: float, land_use: str = LU_INDUSTRIAL,
                     role: str = "industrial") -> list[Lot]:
    """Industrial leaves; the smallest become substations, canteens, parking or other land."""
    lots = []
    for r in split(rect, target_m2, rng, min_side):
        lot = Lot(r, "A2", "D21", land_use, role, block)
        area = lot.area
        if area < 2_500 and rng.random() < 0.8:  # small leftovers are rarely factories
            cls, lu = weighted(rng, [("A52", LU_UTILITY), ("A4", "0503"), ("A32", LU_TRANSPORT_SERVICE),
                                      ("A6", LU_SPECIAL)], [0.45, 0.25, 0.2, 0.1])
            lot = Lot(r, cls, "D1" if cls in ("A52", "A32", "A6") else "D21", lu,
                      {"A52": "public", "A4": "commerce", "A32": "transport", "A6": "other"}[cls], block)
        elif land_use == LU_WAREHOUSE and rng.random() < 0.15:
            lot = Lot(r, "A32", "D21", LU_TRANSPORT_SERVICE, "transport", block)  # freight station
        lots.append(lot)
    return lots


def _commerce_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    lots = []
    for r in split(rect, 1_600, rng, 30):
        u = rng.random()
        if u < 0.07:
            lots.append(Lot(r, "A52", "D1", weighted(rng, [LU_GOVERNMENT, LU_UTILITY], [0.6, 0.4]),
                            "public", block))
        elif u < 0.11:
            lots.append(Lot(r, "A51", "D1", LU_PARK, "pocket_park", block))  # 口袋公园
        elif u < 0.14:
            lots.append(Lot(r, "A32", "D1", LU_TRANSPORT_SERVICE, "transport", block))  # parking
        else:
            lots.append(Lot(r, "A4", "D21", weighted(rng, COMMERCE_USES, COMMERCE_WEIGHTS),
                            "commerce", block))
    return lots


def _residential_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    lots = []
    for side, chance in (("S", 0.8), ("N", 0.45)):  # street-front shops (底商)
        if rng.random() < chance:
            strip, rect = peel(rect, side, rng.uniform(22, 32))
            lots += _shop_row(strip, block, rng)
    compounds = split(rect, 13_000, rng, 70)
    k = max(range(len(compounds)), key=lambda j: rect_area(compounds[j]))  # the kindergarten's host
    for j, r in enumerate(compounds):
        if j == k and (r[2] - r[0]) > 110 and (r[3] - r[1]) > 90:  # a 9-class kindergarten, ~0.45 ha
            corner, rest = carve_corner(r, rng.uniform(3_600, 5_400), rng.uniform(60, 75))
            lots.append(Lot(corner, "A52", "D1", LU_EDUCATION, "kindergarten", block))
            lots += [Lot(q, "A1", "D21", LU_URBAN_RESIDENTIAL, "residential", block) for q in rest]
        elif (r[2] - r[0]) * (r[3] - r[1]) < 6_000:
            lots.append(Lot(r, "A51", "D1", LU_PARK, "pocket_park", block))
        else:
            lots.append(Lot(r, "A1", "D21", LU_URBAN_RESIDENTIAL, "residential", block))
    return lots


def _shop_row(strip: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    """Cut a street-front strip into shop lots 30–60 m wide."""
    lots, x = [], strip[0]
    while x < strip[2] - 1e-6:
        step = rng.uniform(30, 60)
        x1 = strip[2] if strip[2] - (x + step) < 30 else x + step
        lots.append(Lot((x, strip[1], x1, strip[3]), "A4", "D21",
                        weighted(rng, ("0501", "0503", "0507"), (0.5, 0.3, 0.2)), "shop", block))
        x = x1
    return lots


def _public_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    # uses are dealt out later over all public blocks (see deal_public_uses)
    return [Lot(r, "A52", "D1", LU_UTILITY, "public_site", block) for r in split(rect, 10_000, rng, 60)]


def _park_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    corner, rest = carve_corner(rect, rng.uniform(12_000, 20_000), rng.uniform(100, 140))
    lots = [Lot(corner, "A52", "D1", weighted(rng, [LU_SPORTS, LU_CULTURE], [0.5, 0.5]), "public", block)]
    lots.append(Lot(rest[0], "A51", "D1", LU_PARK, "park", block))
    if len(rest) > 1:
        lots.append(Lot(rest[1], "A51", "D1", LU_PARK, "park", block))
    return lots


def _river_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    x0, y0, x1, y1 = rect
    bank_w, bank_e = rng.uniform(35, 55), rng.uniform(35, 55)
    return [
        Lot((x0, y0, x0 + bank_w, y1), "A51", "D1", LU_PARK, "river_green", block),
        Lot((x0 + bank_w, y0, x1 - bank_e, y1), "C1", "F", LU_RIVER, "river", block),
        Lot((x1 - bank_e, y0, x1, y1), "A51", "D1", LU_PARK, "river_green", block),
    ]


def _village_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    leaves = split(rect, 40_000, rng, 80)
    lots = [Lot(r, "B12", "F", LU_HOMESTEAD, "village", block) for r in leaves]
    if rng.random() < 0.4:
        lots[int(rng.integers(len(lots)))].build_class = "B11"  # a collective workshop site
    for lot in lots:
        if lot.build_class == "B11":
            lot.land_use, lot.role = LU_INDUSTRIAL, "rural_industry"
    return lots


def _fringe_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    lots = []
    if block == KNOB2_BLOCK:
        # balancing pair: a B21 parcel ready for supply (E21) next to a B22 strip; their shared
        # edge is moved later so that the supply rate comes out exactly (see calibrate_supply)
        x0, y0, x1, y1 = rect
        ready = (x0, y0, x0 + 130.0, y1)
        buffer_ = (x0 + 130.0, y0, x0 + 300.0, y1)
        lots.append(Lot(ready, "B21", "E21", LU_VACANT, "ready", block, tag="knob2_b21"))
        lots.append(Lot(buffer_, "B22", "E21", LU_DRY_FARMLAND, "fringe", block, tag="knob2_b22"))
        rect = (x0 + 300.0, y0, x1, y1)
    for r in split(rect, 60_000, rng, 100):
        lots.append(Lot(r, "B22", weighted(rng, ["E21", "E22"], [0.7, 0.3]),
                        weighted(rng, [LU_DRY_FARMLAND, LU_IRRIGATED], [0.6, 0.4]), "fringe", block))
    return lots


def _new_park_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    lots = []
    if block == KNOB1_BLOCK:
        # balancing pair: an older A2 plant next to a 2020 standard-land parcel (B21/D21); their
        # shared edge is moved later so that the built-up rate comes out exactly
        x0, y0, x1, y1 = rect
        lots.append(Lot((x0, y0, x0 + 120.0, y1), "A2", "D21", LU_INDUSTRIAL, "industrial", block,
                        tag="knob1_a2"))
        lots.append(Lot((x0 + 120.0, y0, x0 + 220.0, y1), "B21", "D21", LU_INDUSTRIAL, "industrial",
                        block, tag="knob1_b21"))
        rect = (x0 + 220.0, y0, x1, y1)
    lots += _industrial_lots(rect, block, rng, 16_000, 70, role="new_industrial")
    return lots


def _guaibao_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator,
                  phase2: bool) -> list[Lot]:
    area = GUAIBAO_PHASE2_M2 if phase2 else GUAIBAO_OLD_PLANT_M2
    width = area / (rect[3] - rect[1]) if phase2 else rng.uniform(320, 360)
    corner, rest = carve_corner(rect, area, width)
    tag = "guaibao_phase2" if phase2 else "guaibao_old"
    lots = [Lot(corner, "A2", "D21", LU_INDUSTRIAL, "industrial", block, tag=tag)]
    for r in rest:
        lots += _industrial_lots(r, block, rng, 7_000, 40)
    return lots


def _recovered_block_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    """Five adjacent A2 parcels of exactly 5.43 ha in total (the five low-efficiency holders)."""
    corner, rest = carve_corner(rect, RECOVERED_BLOCK_M2, rng.uniform(215, 235))
    x0, y0, x1, y1 = corner
    xm = x0 + (x1 - x0) * rng.uniform(0.42, 0.5)
    ym = y0 + (y1 - y0) * rng.uniform(0.45, 0.55)
    y1a, y2a = y0 + (y1 - y0) * rng.uniform(0.3, 0.36), y0 + (y1 - y0) * rng.uniform(0.64, 0.7)
    pieces = [(x0, y0, xm, ym), (x0, ym, xm, y1), (xm, y0, x1, y1a), (xm, y1a, x1, y2a), (xm, y2a, x1, y1)]
    lots = [Lot(p, "A2", "D21", LU_INDUSTRIAL, "industrial", block, tag=f"recovered_{k}")
            for k, p in enumerate(pieces)]
    for r in rest:
        lots += _industrial_lots(r, block, rng, 7_000, 40)
    return lots


def block_lots(grid: Grid, s: int, i: int, rng: np.random.Generator, q_seen: list[int]) -> list[Lot]:
    kind = grid.kind(s, i)
    rect: Rect = (grid.x_cells[i][0], grid.y_cells[s][0], grid.x_cells[i][1], grid.y_cells[s][1])
    block = (s, i)
    lots: list[Lot] = []
    if kind in "RCMPIWNQX":
        lots, rect = _green_strips(rect, s, i, rng)
    if kind == "R":
        lots += _residential_lots(rect, block, rng)
    elif kind == "C":
        lots += _commerce_lots(rect, block, rng)
    elif kind == "M":
        a, b = peel(rect, "W", (rect[2] - rect[0]) * rng.uniform(0.4, 0.6))
        lots += _commerce_lots(a, block, rng) + _residential_lots(b, block, rng)
    elif kind == "P":
        lots += _public_lots(rect, block, rng)
    elif kind == "G":
        lots += _park_lots(rect, block, rng)
    elif kind == "S":
        lots += _river_lots(rect, block, rng)
    elif kind == "I":
        lots += _industrial_lots(rect, block, rng, 4_000, 40)
    elif kind == "W":
        lots += _industrial_lots(rect, block, rng, 14_000, 60, land_use=LU_WAREHOUSE, role="logistics")
    elif kind == "N":
        lots += _new_park_lots(rect, block, rng)
    elif kind == "Q":
        # the northern Q block is the old plant, the southern one the phase-2 parcel
        q_seen.append(s)
        lots += _guaibao_lots(rect, block, rng, phase2=len(q_seen) == 2)
    elif kind == "X":
        lots += _recovered_block_lots(rect, block, rng)
    elif kind == "V":
        lots += _village_lots(rect, block, rng)
    elif kind == "U":
        lots += _fringe_lots(rect, block, rng)
    return lots


PUBLIC_DECK = (  # (land use, count) dealt out over the public-service sites, largest first
    (LU_MEDICAL, 7),  # "新规划了7处医疗卫生用地"
    (LU_EDUCATION, 10),
    (LU_GOVERNMENT, 3),
    (LU_CULTURE, 3),
    (LU_SPORTS, 3),
    (LU_WELFARE, 4),
)


def deal_public_uses(lots: list[Lot], rng: np.random.Generator) -> None:
    sites = [lot for lot in lots if lot.role == "public_site"]
    order = rng.permutation(len(sites))
    deck = [lu for lu, n in PUBLIC_DECK for _ in range(n)]
    if len(sites) < len(deck):
        raise RuntimeError(f"only {len(sites)} public sites for {len(deck)} public uses")
    for k, j in enumerate(order):
        sites[j].land_use = deck[k] if k < len(deck) else weighted(
            rng, [LU_UTILITY, LU_GOVERNMENT, LU_EDUCATION], [0.5, 0.3, 0.2])
        sites[j].role = "public"


# --------------------------------------------------------------------------- supply history
def assign_supply(lots: list[Lot], rng: np.random.Generator) -> None:
    """Supply dates and methods for every supplied parcel that is not a contract parcel."""
    lease_candidates = [lot for lot in lots if lot.role == "industrial" and lot.tag is None
                        and lot.build_class == "A2"]
    for j in rng.choice(len(lease_candidates), size=5, replace=False):
        lot = lease_candidates[j]  # 15-year leases that ran out: 有偿使用已到期但未处置 (D22)
        lot.supply_class, lot.supply_method = "D22", "lease"
        lot.supply_date = rand_date(rng, dt.date(1998, 1, 1), dt.date(2004, 12, 31))
    for lot in lots:
        if lot.supply_date is not None or not lot.supply_class.startswith("D"):
            continue
        if lot.supply_class == "D1":
            lot.supply_method = "allocation"
            lot.supply_date = rand_date(rng, dt.date(1995, 1, 1), dt.date(2018, 12, 31))
        elif lot.build_class in ("A2", "B21"):  # industrial: all before 2016 except the 37
            start = dt.date(2010, 1, 1) if lot.role == "new_industrial" else dt.date(1996, 1, 1)
            lot.supply_date = rand_date(rng, start, dt.date(2015, 12, 31))
            lot.supply_method = ("agreement" if lot.supply_date < dt.date(2007, 1, 1)
                                 else weighted(rng, ["listing", "auction"], [0.85, 0.15]))
        else:  # residential and commercial land
            lot.supply_date = rand_date(rng, dt.date(1999, 1, 1), dt.date(2019, 6, 30))
            lot.supply_method = ("agreement" if lot.supply_date < dt.date(2002, 7, 1)
                                 else weighted(rng, ["listing", "auction", "tender"], [0.6, 0.3, 0.1]))
    for tag, date in (("guaibao_old", dt.date(2007, 3, 16)),):
        lot = next(x for x in lots if x.tag == tag)
        lot.supply_date, lot.supply_method = date, "listing"
    for lot in lots:
        if lot.tag and lot.tag.startswith("recovered_"):
            lot.supply_date = rand_date(rng, dt.date(2003, 1, 1), dt.date(2009, 12, 31))
            lot.supply_method = "agreement" if lot.supply_date < dt.date(2007, 1, 1) else "listing"
