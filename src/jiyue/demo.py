"""Deterministic demo data package: 聊城经济技术开发区（演示数据）.

The demo is a synthetic but plausible 产城融合型 (``integrated``) national economic-technological
development zone modelled on the article 《推动产城融合新模式 构建宜居城市新格局》 (Liaocheng ETDZ,
2021; ranked 48th of 111 产城融合型 zones in MNR's circular on the 2020 monitoring). It follows the
input data contract (``docs/sources/data-contract-v1.md``) field by field, in English
field names, and is calibrated so that the three figures quoted in the article come out exactly
(to the two decimals the article prints) whatever the seed:

* 土地供应率 D / (A + B21) × 100 = 99.74
* 土地建成率 A / D × 100 = 98.19
* 综合容积率 (floor area of buildings on A) / A = 1.20

It also reproduces the article's stories: 乖宝's 8.67 ha old plant and 19.5 ha phase-2 parcel,
the 5.43 ha block of five low-efficiency holders, the 37 industrial parcels granted since
2016 of which 12 are in breach of their grant contracts (by the idle-land engine's own rules,
see :func:`breach_reasons`), and the 7 medical sites. For the engines built on it, 11 of the 37
are standard-land (标准地) contracts at every stage of their life cycle on 2020-12-31 (delivered
… production review done), and the enterprises carry the optional per-mu fields (park, street,
flags, water and gas use, the lessor of leased land), with six firms founded in 2020.

How it is built (see ``docs/demo.md`` for the long version):

1. a street grid of blocks whose use follows a fixed land-use template (city in the west, a
   river, industry in the east, an undeveloped fringe); only the sizes are random;
2. every block is cut into rectangular parcels (guillotine cuts), so parcels never overlap;
3. the 37 contract parcels and their stories are chosen;
4. two *balancing* parcel pairs are resized by moving their shared edge so that the supply and
   built-up rates hit the targets exactly;
5. building footprints are laid out on a slot grid inside each parcel (inset, never touching the
   parcel edge); residential tower heights and one *balancing* tower are then adjusted so the
   comprehensive floor-area ratio is exactly 1.2000;
6. enterprises, their yearly figures, contracts, progress events, facilities and roads follow.

Public API: :func:`build_demo`, :func:`write_demo`, :func:`demo_summary`, :func:`breach_reasons`,
:data:`DEMO_YEAR`, :data:`DEMO_ZONE_CODE`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from jiyue.idle.facts import parcel_facts
from jiyue.idle.idleness import assess_idle
from jiyue.idle.penalties import contract_penalties
from jiyue.idle.rules import load_rules
from jiyue.landrules import M2_PER_HA, M2_PER_MU, add_years, floor_area, is_tall_storey, storey_factor

__all__ = [
    "DEMO_YEAR",
    "DEMO_ZONE_CODE",
    "LAYER_NAMES",
    "breach_reasons",
    "build_demo",
    "demo_summary",
    "write_demo",
]

# --------------------------------------------------------------------------- identity
DEMO_YEAR = 2020  # package time point 2020-12-31 ("2020年度")
DEMO_ZONE_CODE = "371500-ETDZ"
AS_OF = dt.date(DEMO_YEAR, 12, 31)
ZONE_NAME = "聊城经济技术开发区（演示数据）"
ADMIN_CODE = "371500"  # 聊城市 administrative division code, used in credit codes and contract numbers
CRS = "EPSG:4527"  # CGCS2000 3-degree Gauss-Krüger zone 39 (central meridian 117°E), with zone prefix
# South-west corner of the zone in EPSG:4527; Liaocheng ETDZ lies near 116.0°E 36.45°N, i.e. about
# 90 km west of the central meridian (false easting 39 500 000) and 4 036 km north of the equator.
ORIGIN_E = 39_407_300.0
ORIGIN_N = 4_034_170.0

LAYER_NAMES = (
    "zones",
    "parcels",
    "buildings",
    "enterprises",
    "enterprise_years",
    "zone_years",
    "contracts",
    "progress",
    "facilities",
    "roads",
)

# --------------------------------------------------------------------------- seed figures
TARGET_SUPPLY_RATE = 0.9974  # 土地供应率 99.74 % (article, 2020)
TARGET_BUILT_RATE = 0.9819  # 土地建成率 98.19 %
TARGET_FAR = 1.20  # 综合容积率 1.2
GUAIBAO_OLD_PLANT_M2 = 86_700.0  # 老厂区占地面积 8.67 公顷
GUAIBAO_PHASE2_M2 = 195_000.0  # 拿出 19.5 公顷土地 … 用于二期项目建设
GUAIBAO_PHASE2_INVESTMENT_WAN = 120_000.0  # 总投资 12 亿元
RECOVERED_BLOCK_M2 = 54_300.0  # 荣盛锦绣观邸项目面积 5.43 公顷 (five low-efficiency holders)
EVALUATION_YEARS = (2018, 2019, 2020)  # "连续3年"

CONTRACT_CUTOFF = dt.date(2016, 1, 1)  # "2016年以来出让的37宗工业企业"

# GB/T 21010-2017 land-use codes used below (kept here so the mapping is visible in one place)
LU_INDUSTRIAL = "0601"  # 工业用地
LU_WAREHOUSE = "0604"  # 仓储用地
LU_URBAN_RESIDENTIAL = "0701"  # 城镇住宅用地
LU_HOMESTEAD = "0702"  # 农村宅基地
LU_GOVERNMENT = "0801"  # 机关团体用地
LU_EDUCATION = "0803"  # 教育用地
LU_MEDICAL = "0805"  # 医疗卫生用地
LU_WELFARE = "0806"  # 社会福利用地
LU_CULTURE = "0807"  # 文化设施用地
LU_SPORTS = "0808"  # 体育用地
LU_UTILITY = "0809"  # 公用设施用地
LU_PARK = "0810"  # 公园与绿地
LU_SPECIAL = "09"  # 特殊用地
LU_STREET = "1004"  # 城镇村道路用地
LU_TRANSPORT_SERVICE = "1005"  # 交通服务场站用地
LU_RURAL_ROAD = "1006"  # 农村道路
LU_RIVER = "1101"  # 河流水面
LU_VACANT = "1201"  # 空闲地
LU_DRY_FARMLAND = "0103"  # 旱地
LU_IRRIGATED = "0102"  # 水浇地

Rect = tuple[float, float, float, float]  # local metres: x0, y0, x1, y1 (origin = SW corner)

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
MIN_SIDE_M = 20.0  # no parcel narrower than this (no slivers)
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


# --------------------------------------------------------------------------- small helpers
def _rand_date(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """Uniform random date in [start, end]."""
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _days(d: dt.date, n: float) -> dt.date:
    return d + dt.timedelta(days=int(round(n)))


def _weighted(rng: np.random.Generator, items: Sequence[Any], weights: Sequence[float]) -> Any:
    w = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=w / w.sum()))]


def _peel(rect: Rect, side: str, depth: float) -> tuple[Rect, Rect]:
    """Cut a strip of ``depth`` metres off one side; return (strip, rest)."""
    x0, y0, x1, y1 = rect
    if side == "S":
        return (x0, y0, x1, y0 + depth), (x0, y0 + depth, x1, y1)
    if side == "N":
        return (x0, y1 - depth, x1, y1), (x0, y0, x1, y1 - depth)
    if side == "W":
        return (x0, y0, x0 + depth, y1), (x0 + depth, y0, x1, y1)
    return (x1 - depth, y0, x1, y1), (x0, y0, x1 - depth, y1)


def _carve_corner(rect: Rect, area: float, width: float) -> tuple[Rect, list[Rect]]:
    """Cut a rectangle of exactly ``area`` m² out of the south-west corner.

    Returns the corner and the rest as one or two rectangles. When the corner would leave a
    strip thinner than MIN_SIDE_M above it, it takes the full height instead.
    """
    x0, y0, x1, y1 = rect
    width = min(width, (x1 - x0) - 3 * MIN_SIDE_M)
    height = area / width
    if height > (y1 - y0) - 3 * MIN_SIDE_M:
        height = y1 - y0
        width = area / height
    if width > (x1 - x0) - 3 * MIN_SIDE_M:
        raise ValueError(f"block {rect} too small for a {area:.0f} m² corner")
    corner = (x0, y0, x0 + width, y0 + height)
    rest = [(x0 + width, y0, x1, y1)]
    if height < y1 - y0:
        rest.append((x0, y0 + height, x0 + width, y1))
    return corner, rest


def _split(rect: Rect, target_m2: float, rng: np.random.Generator, min_side: float) -> list[Rect]:
    """Guillotine-cut ``rect`` into pieces of roughly ``target_m2`` (log-normal spread)."""
    leaves: list[Rect] = []
    stack = [rect]
    while stack:
        r = stack.pop()
        w, h = r[2] - r[0], r[3] - r[1]
        # split while clearly larger than a (noisy) target; 1.4 keeps leaves around the target
        if w * h <= 1.4 * target_m2 * rng.lognormal(0.0, 0.45) or max(w, h) < 2 * min_side:
            leaves.append(r)
            continue
        along_x = w >= h
        length = w if along_x else h
        cut = min(max(length * rng.uniform(0.36, 0.64), min_side), length - min_side)
        if along_x:
            stack += [(r[0], r[1], r[0] + cut, r[3]), (r[0] + cut, r[1], r[2], r[3])]
        else:
            stack += [(r[0], r[1], r[2], r[1] + cut), (r[0], r[1] + cut, r[2], r[3])]
    return leaves


# --------------------------------------------------------------------------- grid
def _make_grid(rng: np.random.Generator) -> Grid:
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

    def axis(sizes: list[float], arterials: tuple[int, ...]) -> tuple[list, list]:
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


def _road_lots(grid: Grid, rng: np.random.Generator) -> list[Lot]:
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
    lot.supply_date = _rand_date(rng, dt.date(1994, 1, 1), dt.date(2015, 12, 31))
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
        strip, rect = _peel(rect, side, rng.uniform(15, 25))
        lots.append(Lot(strip, "A51", "D1", LU_PARK, "green_strip", (s, i)))
    return lots, rect


def _industrial_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator,
                     target_m2: float, min_side: float, land_use: str = LU_INDUSTRIAL,
                     role: str = "industrial") -> list[Lot]:
    """Industrial leaves; the smallest become substations, canteens, parking or other land."""
    lots = []
    for r in _split(rect, target_m2, rng, min_side):
        lot = Lot(r, "A2", "D21", land_use, role, block)
        area = lot.area
        if area < 2_500 and rng.random() < 0.8:  # small leftovers are rarely factories
            cls, lu = _weighted(rng, [("A52", LU_UTILITY), ("A4", "0503"), ("A32", LU_TRANSPORT_SERVICE),
                                      ("A6", LU_SPECIAL)], [0.45, 0.25, 0.2, 0.1])
            lot = Lot(r, cls, "D1" if cls in ("A52", "A32", "A6") else "D21", lu,
                      {"A52": "public", "A4": "commerce", "A32": "transport", "A6": "other"}[cls], block)
        elif land_use == LU_WAREHOUSE and rng.random() < 0.15:
            lot = Lot(r, "A32", "D21", LU_TRANSPORT_SERVICE, "transport", block)  # freight station
        lots.append(lot)
    return lots


def _commerce_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    lots = []
    for r in _split(rect, 1_600, rng, 30):
        u = rng.random()
        if u < 0.07:
            lots.append(Lot(r, "A52", "D1", _weighted(rng, [LU_GOVERNMENT, LU_UTILITY], [0.6, 0.4]),
                            "public", block))
        elif u < 0.11:
            lots.append(Lot(r, "A51", "D1", LU_PARK, "pocket_park", block))  # 口袋公园
        elif u < 0.14:
            lots.append(Lot(r, "A32", "D1", LU_TRANSPORT_SERVICE, "transport", block))  # parking
        else:
            lots.append(Lot(r, "A4", "D21", _weighted(rng, COMMERCE_USES, COMMERCE_WEIGHTS),
                            "commerce", block))
    return lots


def _residential_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    lots = []
    for side, chance in (("S", 0.8), ("N", 0.45)):  # street-front shops (底商)
        if rng.random() < chance:
            strip, rect = _peel(rect, side, rng.uniform(22, 32))
            lots += _shop_row(strip, block, rng)
    compounds = _split(rect, 13_000, rng, 70)
    k = max(range(len(compounds)), key=lambda j: _rect_area(compounds[j]))  # the kindergarten's host
    for j, r in enumerate(compounds):
        if j == k and (r[2] - r[0]) > 110 and (r[3] - r[1]) > 90:  # a 9-class kindergarten, ~0.45 ha
            corner, rest = _carve_corner(r, rng.uniform(3_600, 5_400), rng.uniform(60, 75))
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
                        _weighted(rng, ("0501", "0503", "0507"), (0.5, 0.3, 0.2)), "shop", block))
        x = x1
    return lots


def _public_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    # uses are dealt out later over all public blocks (see _deal_public_uses)
    return [Lot(r, "A52", "D1", LU_UTILITY, "public_site", block) for r in _split(rect, 10_000, rng, 60)]


def _park_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    corner, rest = _carve_corner(rect, rng.uniform(12_000, 20_000), rng.uniform(100, 140))
    lots = [Lot(corner, "A52", "D1", _weighted(rng, [LU_SPORTS, LU_CULTURE], [0.5, 0.5]), "public", block)]
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
    leaves = _split(rect, 40_000, rng, 80)
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
        # edge is moved later so that the supply rate comes out exactly (see _calibrate_supply)
        x0, y0, x1, y1 = rect
        ready = (x0, y0, x0 + 130.0, y1)
        buffer_ = (x0 + 130.0, y0, x0 + 300.0, y1)
        lots.append(Lot(ready, "B21", "E21", LU_VACANT, "ready", block, tag="knob2_b21"))
        lots.append(Lot(buffer_, "B22", "E21", LU_DRY_FARMLAND, "fringe", block, tag="knob2_b22"))
        rect = (x0 + 300.0, y0, x1, y1)
    for r in _split(rect, 60_000, rng, 100):
        lots.append(Lot(r, "B22", _weighted(rng, ["E21", "E22"], [0.7, 0.3]),
                        _weighted(rng, [LU_DRY_FARMLAND, LU_IRRIGATED], [0.6, 0.4]), "fringe", block))
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
    corner, rest = _carve_corner(rect, area, width)
    tag = "guaibao_phase2" if phase2 else "guaibao_old"
    lots = [Lot(corner, "A2", "D21", LU_INDUSTRIAL, "industrial", block, tag=tag)]
    for r in rest:
        lots += _industrial_lots(r, block, rng, 7_000, 40)
    return lots


def _recovered_block_lots(rect: Rect, block: tuple[int, int], rng: np.random.Generator) -> list[Lot]:
    """Five adjacent A2 parcels of exactly 5.43 ha in total (the five low-efficiency holders)."""
    corner, rest = _carve_corner(rect, RECOVERED_BLOCK_M2, rng.uniform(215, 235))
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


def _block_lots(grid: Grid, s: int, i: int, rng: np.random.Generator, q_seen: list[int]) -> list[Lot]:
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
        a, b = _peel(rect, "W", (rect[2] - rect[0]) * rng.uniform(0.4, 0.6))
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


def _deal_public_uses(lots: list[Lot], rng: np.random.Generator) -> None:
    sites = [lot for lot in lots if lot.role == "public_site"]
    order = rng.permutation(len(sites))
    deck = [lu for lu, n in PUBLIC_DECK for _ in range(n)]
    if len(sites) < len(deck):
        raise RuntimeError(f"only {len(sites)} public sites for {len(deck)} public uses")
    for k, j in enumerate(order):
        sites[j].land_use = deck[k] if k < len(deck) else _weighted(
            rng, [LU_UTILITY, LU_GOVERNMENT, LU_EDUCATION], [0.5, 0.3, 0.2])
        sites[j].role = "public"


# --------------------------------------------------------------------------- supply history
def _assign_supply(lots: list[Lot], rng: np.random.Generator) -> None:
    """Supply dates and methods for every supplied parcel that is not a contract parcel."""
    lease_candidates = [lot for lot in lots if lot.role == "industrial" and lot.tag is None
                        and lot.build_class == "A2"]
    for j in rng.choice(len(lease_candidates), size=5, replace=False):
        lot = lease_candidates[j]  # 15-year leases that ran out: 有偿使用已到期但未处置 (D22)
        lot.supply_class, lot.supply_method = "D22", "lease"
        lot.supply_date = _rand_date(rng, dt.date(1998, 1, 1), dt.date(2004, 12, 31))
    for lot in lots:
        if lot.supply_date is not None or not lot.supply_class.startswith("D"):
            continue
        if lot.supply_class == "D1":
            lot.supply_method = "allocation"
            lot.supply_date = _rand_date(rng, dt.date(1995, 1, 1), dt.date(2018, 12, 31))
        elif lot.build_class in ("A2", "B21"):  # industrial: all before 2016 except the 37
            start = dt.date(2010, 1, 1) if lot.role == "new_industrial" else dt.date(1996, 1, 1)
            lot.supply_date = _rand_date(rng, start, dt.date(2015, 12, 31))
            lot.supply_method = ("agreement" if lot.supply_date < dt.date(2007, 1, 1)
                                 else _weighted(rng, ["listing", "auction"], [0.85, 0.15]))
        else:  # residential and commercial land
            lot.supply_date = _rand_date(rng, dt.date(1999, 1, 1), dt.date(2019, 6, 30))
            lot.supply_method = ("agreement" if lot.supply_date < dt.date(2002, 7, 1)
                                 else _weighted(rng, ["listing", "auction", "tender"], [0.6, 0.3, 0.1]))
    for tag, date in (("guaibao_old", dt.date(2007, 3, 16)),):
        lot = next(x for x in lots if x.tag == tag)
        lot.supply_date, lot.supply_method = date, "listing"
    for lot in lots:
        if lot.tag and lot.tag.startswith("recovered_"):
            lot.supply_date = _rand_date(rng, dt.date(2003, 1, 1), dt.date(2009, 12, 31))
            lot.supply_method = "agreement" if lot.supply_date < dt.date(2007, 1, 1) else "listing"


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


def _pick_contract_lots(lots: list[Lot], d_total: float, rng: np.random.Generator) -> None:
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
def _land_totals(lots: list[Lot]) -> dict[str, float]:
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


def _calibrate_supply(lots: list[Lot]) -> None:
    """Resize the two balancing pairs so the supply and built-up rates hit the seed exactly.

    Knob 1 trades land between an A2 plant and a B21/D21 parcel: D is unchanged, A moves, so
    A / D can be set to b. Knob 2 trades land between a B21/E21 parcel and a B22 strip: only
    A + B21 moves, so D / (A + B21) can be set to s.
    """
    by_tag = {x.tag: x for x in lots if x.tag}
    t = _land_totals(lots)
    delta = t["A"] - TARGET_BUILT_RATE * t["D"]  # land to move from A2 to B21
    knob_a2, knob_b21 = by_tag["knob1_a2"], by_tag["knob1_b21"]
    _move_shared_edge(knob_a2, knob_b21, knob_a2.area - delta)
    t = _land_totals(lots)
    ready = by_tag["knob2_b21"]
    target_t = t["D"] / TARGET_SUPPLY_RATE  # A + B21 that gives the supply rate
    _move_shared_edge(ready, by_tag["knob2_b22"], ready.area + (target_t - t["A"] - t["B21"]))


# --------------------------------------------------------------------------- enterprises
BRANDS = (
    "鑫泰", "华通", "金源", "瑞丰", "宏达", "恒信", "博远", "润华", "永盛", "天元", "德润", "昌盛",
    "中正", "海川", "嘉禾", "信源", "泰和", "鼎盛", "盛达", "启航", "聚源", "利民", "和顺", "东润",
    "新纪", "凯瑞", "同德", "宏远", "汇通", "广源", "兴隆", "晨阳", "天泽", "恒昌", "泽润", "安泰",
    "宝利", "力源", "华宇", "金诺", "锦程", "众诚", "建业", "富源", "祥瑞", "通达", "宏图", "正元",
    "耀华", "金桥", "明达", "华美", "振兴", "远航", "诚信", "荣昌", "九州", "万通", "鲁源", "齐正",
    "运河", "水城", "凤城", "东岳", "长润", "腾飞", "新元", "景泰", "福瑞", "康达", "佳禾", "盛唐",
)
PREFIXES = ("聊城", "聊城市", "山东")
PREFIX_WEIGHTS = (0.45, 0.3, 0.25)
# (GB/T 4754-2017 code, name words, weight) for manufacturing firms
MANUFACTURING = (
    ("C1495", ("生物科技", "食品配料"), 5), ("C1391", ("淀粉", "生物制品"), 3), ("C1499", ("食品",), 6),
    ("C1713", ("印染", "纺织"), 4), ("C2710", ("医药", "药业"), 3), ("C2929", ("塑业", "橡塑制品"), 5),
    ("C3021", ("新型建材", "管桩"), 3), ("C3130", ("特钢", "钢管"), 4), ("C3311", ("钢结构", "金属结构"), 6),
    ("C3360", ("表面处理",), 2), ("C3441", ("泵业",), 2), ("C3489", ("机械", "精密零部件"), 6),
    ("C3670", ("汽车零部件", "汽车配件"), 7), ("C3823", ("电气", "电力设备"), 3), ("C3831", ("电缆",), 2),
    ("C3985", ("电子材料", "新材料"), 3), ("C2231", ("包装", "纸制品"), 2), ("C3733", ("游艇",), 1),
)
LOGISTICS = (("G5920", ("物流", "仓储"), 5), ("G5930", ("冷链物流",), 2), ("G5431", ("运输",), 2))
COMMERCE_FIRMS = {  # land use → (code, name words)
    "0501": (("F5211", ("百货",)), ("F5212", ("超市",)), ("F5283", ("家居广场",))),
    "0503": (("H6210", ("餐饮管理",)),),
    "0504": (("H6110", ("酒店管理",)),),
    "0505": (("K7010", ("置业", "房地产开发")), ("L7212", ("投资",)), ("J6620", ("农村商业银行",))),
    "0506": (("R9011", ("文化娱乐",)),),
    "0507": (("O8111", ("汽车服务",)), ("L7281", ("会展服务",))),
}
HIGHTECH_CODES = ("C2710", "C3985", "C3823", "C1495")  # firms whose land may carry H1
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 code characters
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997 organisation code weights
NEW_CODE_SINCE = dt.date(2015, 10, 1)  # firms registered since then got "MA…" organisation codes

SEED_FIRMS = {  # the article's enterprises (founding dates are demo values)
    "guaibao": ("乖宝宠物食品集团股份有限公司", "C1321", dt.date(2006, 8, 15)),
    "recovered_0": ("山东欢派食品有限公司", "C1499", dt.date(2004, 5, 20)),
    "recovered_1": ("聊城昌新汽车零部件有限公司", "C3670", dt.date(2005, 9, 8)),
    "recovered_2": ("艾雅贵(聊城)食品有限公司", "C1499", dt.date(2006, 3, 2)),
    "recovered_3": ("聊城市凤凰绣品有限公司", "C2436", dt.date(2002, 11, 18)),
    "recovered_4": ("聊城市凤凰工艺品有限公司", "C2439", dt.date(2003, 6, 26)),
}


def credit_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def _org_code(rng: np.random.Generator, new_style: bool) -> str:
    """A 9-character organisation code with its GB 11714-1997 check character."""
    letters = "ABCDEFGHJKLMNPQRTUWXY"  # credit-code letters (no I, O, S, V, Z)
    if new_style:  # codes issued since 2015 start with MA
        body = "MA" + "".join(rng.choice(list("0123456789" + letters), size=6))
    else:
        body = "".join(rng.choice(list("0123456789"), size=8))
    value = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS))
    check = 11 - value % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


@dataclass
class Firm:
    """An enterprise while it is being generated."""

    enterprise_id: str
    name: str
    industry_code: str
    founded: dt.date
    credit_code: str = ""
    lots: list[Lot] = field(default_factory=list)
    lease_m2: float = 0.0  # land used under lease (land_m2_extra)
    lease_until: int = 9999  # last year of the lease
    tax_per_mu: float = 0.0
    producing_from: int = 0  # first full production year (0 = long before the period)
    tag: str | None = None
    lessor_id: str | None = None  # who leases it its land_m2_extra (None: a village or outside owner)
    park: str | None = None  # 园区 (optional field read by the per-mu engine)
    street: str | None = None  # 街道


class _FirmFactory:
    """Creates firms with unique names, ids and credit codes."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.firms: list[Firm] = []
        self._names: set[str] = set()

    def new(self, code: str, words: Sequence[str], founded: dt.date, name: str | None = None,
            tag: str | None = None) -> Firm:
        rng = self.rng
        while name is None or (name in self._names and tag is None):
            form = _weighted(rng, ["有限公司", "股份有限公司", "有限责任公司"], [0.85, 0.1, 0.05])
            name = (_weighted(rng, PREFIXES, PREFIX_WEIGHTS) + str(rng.choice(BRANDS))
                    + str(rng.choice(list(words))) + form)
            if name in self._names:
                name = None
        self._names.add(name)
        firm = Firm(f"E-{len(self.firms) + 1:04d}", name, code, founded, tag=tag)
        self.firms.append(firm)
        return firm

    def manufacturer(self, founded: dt.date, logistics: bool = False) -> Firm:
        deck = LOGISTICS if logistics else MANUFACTURING
        code, words, _ = _weighted(self.rng, deck, [w for *_, w in deck])
        return self.new(code, words, founded)


SAME_FIRM_INDUSTRIAL = 0.8  # chance that a plant belongs to the firm of the previous plant in the block
SAME_FIRM_COMMERCE = 0.9  # likewise for commercial lots (developers hold many shop lots)
SHOP_WITHOUT_FIRM = 0.2  # shops owned by individuals: no enterprise record
N_TENANTS = 14  # firms that only lease land (租赁企业)
N_EXTRA_LEASES = 8  # firms with land of their own that lease extra yards
N_NEW_FIRMS = 6  # manufacturers founded in DEMO_YEAR (tenants; figures for that year only)
NEW_FIRM_WINDOWS = ((dt.date(DEMO_YEAR, 1, 10), dt.date(DEMO_YEAR, 5, 31)),  # producing half a year: rated
                    (dt.date(DEMO_YEAR, 7, 1), dt.date(DEMO_YEAR, 9, 30)))  # under half a year: 暂不评价 (T)
DEFER_FOUNDED_FROM = NEW_FIRM_WINDOWS[1][0]  # founded on or after this day → flag `deferred` that year
VILLAGE_LESSOR_SHARE = 0.4  # extra yards leased from a village collective: no lessor enterprise
MAJOR_PROJECT_WAN = 10_000.0  # 亿元以上 projects under construction at year end → flag `major_project`
SCALE_ABOVE_WAN = 2_000.0  # 规模以上工业: revenue ≥ 2 000 万元
# parks (园区, the article's 机电装备产业园, 新动能产业园 and 坤源产业园) and streets (街道) by block position
CITY_PARK = "中心城区"  # the city west of the river: no industrial park


def _place(block: tuple[int, int]) -> tuple[str, str]:
    """(park, street) of a block (row from the south, column from the west).

    West of the river lies the city (北城街道). East of it the older industrial blocks form the
    机电装备产业园 and the new park is split into 新动能产业园 (north) and 坤源产业园 (south); the
    streets run in bands from north to south: 蒋官屯街道, 东城街道, 广平乡.
    """
    s, i = block
    if i <= RIVER_COL:
        return CITY_PARK, "北城街道"
    if i <= 8:
        park = "机电装备产业园"
    else:
        park = "新动能产业园" if s >= N_ROWS // 2 else "坤源产业园"
    return park, "蒋官屯街道" if s >= 6 else ("东城街道" if s >= 3 else "广平乡")


def _assign_lessors(firms: list[Firm], rng: np.random.Generator) -> None:
    """Lessors of leased land and the park / street of every firm.

    Tenants, the firms building their own plant and the new firms lease from established
    industrial landholders (at most a third of a lessor's own land in all); an extra yard of a
    landholder is leased from a village collective (no lessor) with VILLAGE_LESSOR_SHARE. A
    firm's park and street are those of its largest parcel, or of its lessor.
    """
    own = {f.enterprise_id: sum(round(x.area, 2) for x in f.lots) for f in firms}
    capacity = {f.enterprise_id: own[f.enterprise_id] / 3 for f in firms
                if f.tag is None and any(x.build_class == "A2" and x.story is None for x in f.lots)
                and own[f.enterprise_id] >= 15_000}
    for firm in firms:
        if firm.lease_m2 <= 0:
            continue
        if firm.lots and firm.lots[0].story is None and rng.random() < VILLAGE_LESSOR_SHARE:
            continue
        fits = sorted(k for k, v in capacity.items() if v >= firm.lease_m2 and k != firm.enterprise_id)
        if fits:
            firm.lessor_id = fits[int(rng.integers(len(fits)))]
            capacity[firm.lessor_id] -= firm.lease_m2
    by_id = {f.enterprise_id: f for f in firms}
    for firm in firms:
        blocks = [x for x in firm.lots if x.block is not None]
        if blocks:
            firm.park, firm.street = _place(max(blocks, key=lambda x: x.area).block)  # type: ignore[arg-type]
    for firm in firms:
        lessor = by_id.get(firm.lessor_id or "")
        if not firm.lots and lessor is not None:
            firm.park, firm.street = lessor.park, lessor.street


def _assign_users(lots: list[Lot], rng: np.random.Generator) -> list[Firm]:
    """Land users: one firm per contract parcel, neighbouring plants often share a firm."""
    factory = _FirmFactory(rng)
    seed = {key: factory.new(code, (), founded, name=name, tag=key)
            for key, (name, code, founded) in SEED_FIRMS.items()}
    for lot in lots:
        if lot.tag in ("guaibao_old", "guaibao_phase2"):
            _own(seed["guaibao"], lot)
        elif lot.tag and lot.tag.startswith("recovered_"):
            _own(seed[lot.tag], lot)
    previous: dict[tuple[str, tuple[int, int] | None], Firm] = {}
    for lot in sorted(lots, key=lambda x: x.parcel_id):
        if lot.user_id is not None:
            continue
        if lot.story is not None:  # one new firm per contract parcel; founding date set later
            _own(factory.manufacturer(dt.date(2011, 1, 1)), lot)
        elif lot.build_class == "A2":
            key = ("A2", lot.block)
            if key in previous and rng.random() < SAME_FIRM_INDUSTRIAL:
                _own(previous[key], lot)
                continue
            founded = _rand_date(rng, dt.date(1993, 1, 1), _days(lot.supply_date or AS_OF, -30))
            previous[key] = factory.manufacturer(founded, logistics=lot.land_use == LU_WAREHOUSE)
            _own(previous[key], lot)
        elif lot.build_class == "A4" and rng.random() > SHOP_WITHOUT_FIRM:
            key = ("A4", lot.block)
            if key in previous and rng.random() < SAME_FIRM_COMMERCE:
                _own(previous[key], lot)
                continue
            choices = COMMERCE_FIRMS[lot.land_use]
            code, words = choices[int(rng.integers(len(choices)))]
            founded = _rand_date(rng, dt.date(1995, 1, 1), _days(lot.supply_date or AS_OF, -30))
            previous[key] = factory.new(code, words, founded)
            _own(previous[key], lot)
    for _ in range(N_TENANTS):
        firm = factory.manufacturer(_rand_date(rng, dt.date(2008, 1, 1), dt.date(2017, 6, 30)))
        firm.lease_m2 = round(float(rng.uniform(1_500, 12_000)), 2)
    for k in range(N_NEW_FIRMS):  # founded in the evaluation year, in leased plants (per-mu: T / protection)
        window = NEW_FIRM_WINDOWS[0] if k < N_NEW_FIRMS // 2 else NEW_FIRM_WINDOWS[1]
        firm = factory.manufacturer(_rand_date(rng, *window))
        firm.tag = "new_firm_slow" if k == 0 else "new_firm"  # the first one starts slowly
        firm.lease_m2 = round(float(rng.uniform(2_500, 9_000)), 2)
    holders = [f for f in factory.firms if f.tag is None and f.lots and f.lots[0].story is None]
    for j in rng.choice(len(holders), size=N_EXTRA_LEASES, replace=False):
        holders[j].lease_m2 = round(float(rng.uniform(2_000, 15_000)), 2)  # extra leased yards
    return factory.firms


def _settle_founding(firms: list[Firm], rng: np.random.Generator) -> None:
    """Every firm exists before it gets land; then issue credit codes for the founding dates."""
    for firm in firms:
        dates = [x.supply_date for x in firm.lots if x.supply_date is not None]
        if firm.tag is not None:  # the article's firms keep their founding date; land comes later
            for lot in firm.lots:
                if lot.supply_date is not None and lot.supply_date < _days(firm.founded, 60):
                    lot.supply_date = _days(firm.founded, rng.uniform(60, 500))
        elif dates and firm.founded > _days(min(dates), -30):
            firm.founded = _days(min(dates), -rng.uniform(30, 400))
        first17 = "91" + ADMIN_CODE + _org_code(rng, firm.founded >= NEW_CODE_SINCE)
        firm.credit_code = first17 + credit_check_char(first17)


def _own(firm: Firm, lot: Lot) -> None:
    firm.lots.append(lot)
    lot.user_id = firm.enterprise_id


def _mark_hightech(firms: list[Firm], rng: np.random.Generator) -> None:
    for firm in firms:
        if firm.industry_code in HIGHTECH_CODES and rng.random() < 0.6:
            for lot in firm.lots:
                if lot.build_class == "A2":
                    lot.hightech = "H1" if rng.random() < 0.7 else "H2"


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


def _make_contracts(lots: list[Lot], firms: list[Firm], rng: np.random.Generator) -> list[Contract]:
    firm_of = {f.enterprise_id: f for f in firms}
    story_lots = sorted((x for x in lots if x.story), key=lambda x: x.story or "")
    signed = {id(x): _rand_date(rng, *SIGNING_WINDOWS[x.story or ""]) for x in story_lots}
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
    delivery = _days(signed, rng.uniform(20, 60))
    start = _days(delivery, 180)  # start within six months of delivery
    build_years = 3 if story == "approved_halt" else 2  # the halted project was granted three years
    c = Contract(no, lot, firm, signed, delivery, start, add_years(start, build_years), land_price,
                 total, story in STANDARD_LAND_STORIES)
    if story == "gov_delay":  # the land was handed over months late (cause gov_1)
        c.delivery = _days(signed, rng.uniform(200, 260))
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
            add(_days(c.start_agreed, -rng.uniform(20, 60)), "permit", 0, build * 0.02)
        add(_days(c.start_agreed, rng.uniform(20, 90)), "delayed", 0, build * 0.02, cause="enterprise")
        return _sorted(ev)
    if story == "sl2020_delivered":  # delivered late in 2020; the permit is still to come
        return _sorted(ev)
    if story == "sl2020_permit":
        add(_days(c.delivery, rng.uniform(40, 75)), "permit", 0, build * 0.03)
        return _sorted(ev)
    if story == "gov_delay":
        add(_days(c.signed, rng.uniform(60, 100)), "delayed", 0, 0, cause="gov_1")
        add(c.delivery, "delivered", 0, 0)
        permit = _days(c.delivery, rng.uniform(60, 90))
        add(permit, "permit", 0, build * 0.03)
        # works start after the permit, however late the delivery was
        commenced = max(_days(c.start_agreed, rng.uniform(90, 150)), _days(permit, rng.uniform(20, 40)))
        add(commenced, "commenced", area * 0.2, build * 0.15)
        return _sorted(ev)
    early = story in ("sl2019_done", "sl2019_uc")  # 拿地即开工
    permit = _days(c.start_agreed, -rng.uniform(70, 110) if early else -rng.uniform(25, 60))
    add(permit, "permit", 0, build * 0.03)
    if story == "late_start":
        add(_days(c.start_agreed, -rng.uniform(10, 30)), "delayed", 0, build * 0.03, cause="enterprise")
        add(_days(c.start_agreed, rng.uniform(100, 200)), "commenced", area * 0.3, build * 0.25)
        return _sorted(ev)
    commenced = _days(c.start_agreed, -rng.uniform(40, 60) if early else -rng.uniform(0, 20))
    add(commenced, "commenced", area * rng.uniform(0.12, 0.2), build * rng.uniform(0.1, 0.15))
    if story in ("normal_uc", "sl2019_uc"):
        return _sorted(ev)
    if story == "idle_halted":
        halt = _days(commenced, rng.uniform(120, 300))
        add(halt, "halted", area * rng.uniform(0.15, 0.25), build * rng.uniform(0.1, 0.2),
            approved=False, cause="enterprise")
        return _sorted(ev)
    if story == "sl_halted":  # works stopped in 2020 (funding), not yet a year: on the watch list
        add(_rand_date(rng, dt.date(2020, 5, 1), dt.date(2020, 9, 30)), "halted", area * rng.uniform(0.3, 0.45),
            build * rng.uniform(0.3, 0.4), approved=False, cause="enterprise")
        return _sorted(ev)
    if story == "approved_halt":  # 环保 works stop ordered by new state policy, approved
        halt = _days(commenced, rng.uniform(150, 220))
        add(halt, "halted", area * 0.35, build * 0.3, approved=True, cause="gov_3")
        add(_days(halt, rng.uniform(150, 240)), "resumed", area * 0.35, build * 0.3)
    if story == "late_completion":
        add(_days(c.completion_agreed, -rng.uniform(20, 40)), "delayed", area * 0.7, build * 0.75,
            cause="enterprise")
        completed = _days(c.completion_agreed, rng.uniform(60, 300))
    elif story == "sl2019_done":
        completed = _rand_date(rng, dt.date(2020, 5, 1), dt.date(2020, 7, 31))
    elif story == "sl_accepted":
        completed = _rand_date(rng, dt.date(2020, 5, 1), dt.date(2020, 8, 15))
    elif story == "sl_completed":
        completed = _rand_date(rng, dt.date(2020, 10, 1), dt.date(2020, 12, 15))
    elif story == "guaibao_phase2":  # "目前，该项目各生产线已陆续投产"
        completed = _rand_date(rng, dt.date(2020, 3, 1), dt.date(2020, 5, 31))
    elif story in ("sl_reviewed", "sl_review_failed"):  # early: producing through the review year
        completed = _days(c.completion_agreed, -rng.uniform(150, 250))
    else:
        completed = _days(c.completion_agreed, -rng.uniform(10, 120))
    # investment: the agreed total (land price included) is reached or exceeded, except the shortfalls
    short = story in ("investment_short", "sl_investment_short")
    share = rng.uniform(0.55, 0.7) if short else rng.uniform(1.01, 1.12)
    add(completed, "completed", area, build * share)
    if story == "sl_completed":  # acceptance (竣工验收) is due within 90 days, still open at the time point
        return _sorted(ev)
    accepted = _days(completed, rng.uniform(30, 60))
    add(accepted, "accepted", area, build * share)
    if story == "sl_accepted":  # production starts in 2021
        return _sorted(ev)
    in_production = _days(accepted, rng.uniform(20, 70))
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
            e["date"] = _days(prev["date"], 1)
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
        firm.founded = _rand_date(rng, dt.date(2010, 1, 1), dt.date(2016, 12, 31))
        firm.lease_m2 = round(float(rng.uniform(3_000, 12_000)), 2)
        firm.lease_until = 2020
    else:
        firm.founded = _days(c.signed, -rng.uniform(60, 300))
    prod = [e["date"] for e in c.events if e["event"] == "in_production"]
    firm.producing_from = prod[0].year + 1 if prod else 9999


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


def _inset(rect: Rect, m: float) -> Rect | None:
    x0, y0, x1, y1 = rect
    if x1 - x0 <= 2 * m + 6 or y1 - y0 <= 2 * m + 6:
        return None
    return (x0 + m, y0 + m, x1 - m, y1 - m)


def _shrink(rect: Rect, fx: float, fy: float) -> Rect:
    """Shrink to fractions of width/height, anchored at the south-west corner."""
    x0, y0, x1, y1 = rect
    return (x0, y0, x0 + (x1 - x0) * fx, y0 + (y1 - y0) * fy)


TOWER_FLOORS = (11, 18, 24, 26, 28, 33)  # common high-rise heights (storeys)
TOWER_FLOOR_WEIGHTS = (0.22, 0.3, 0.12, 0.12, 0.1, 0.14)


def _lot_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    """Footprints for one parcel according to its construction class (none on streets, B2, C)."""
    maker = _FOOTPRINT_MAKERS.get(lot.build_class)
    return maker(lot, rng) if maker else []


def _cells(inner: Rect, target_m2: float, gap: float, rng: np.random.Generator, min_side: float) -> list[Rect]:
    """Guillotine cells of about ``target_m2`` inside ``inner``, each shrunk by half a gap on
    every side, so neighbouring footprints keep ``gap`` metres apart and never leave ``inner``."""
    out = []
    for x0, y0, x1, y1 in _split(inner, target_m2, rng, min_side):
        if x1 - x0 > gap + 4 and y1 - y0 > gap + 4:
            out.append((x0 + gap / 2, y0 + gap / 2, x1 - gap / 2, y1 - gap / 2))
    return out


PLANT_CELL_M2 = 3_000  # main plants
AUX_CELL_M2 = 380  # guard houses, pump rooms, canteens, small warehouses
AUX_SHARE = 0.6  # share of plant cells broken up into auxiliary buildings
OFFICE_DEPTH_M, OFFICE_LENGTH_M = 16.0, 48.0  # largest office block of a factory


def _industrial_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    """Plants, an office, auxiliary buildings, structures (tanks, silos) and open yards."""
    inner = _inset(lot.rect, rng.uniform(2, 4))
    if inner is None:
        return []
    out: list[Footprint] = []
    plant_cells = _split(inner, PLANT_CELL_M2, rng, 24)
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
                    out.append(Footprint(_shrink(r, 0.85, 0.85), lot, kind="structure"))
                elif v < 0.2:
                    out.append(Footprint(r, lot, kind="yard", floors=0))  # open storage / operation yard
                else:
                    out.append(Footprint(r, lot, floors=_weighted(rng, [1, 2, 3], [0.6, 0.3, 0.1]),
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
    floors = _weighted(rng, [1, 2, 3, 4], [0.45, 0.35, 0.14, 0.06])
    storey = round(float(rng.uniform(6, 7.5)), 1) if floors == 1 else round(float(rng.uniform(4.5, 6)), 1)
    return Footprint(r, lot, floors=floors, storey_h=storey, factor=rng.uniform(0.97, 1.03))


def _residential_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    inner = _inset(lot.rect, rng.uniform(8, 12))
    if inner is None:
        return []
    depth = rng.uniform(14, 18)
    slots = _slot_grid(inner, (rng.uniform(34, 52), depth), (62, depth), (rng.uniform(14, 20), rng.uniform(30, 40)))
    out = []
    for k, r in enumerate(slots):
        if k == 1 and len(slots) > 3:  # clubhouse / community service building
            out.append(Footprint(_shrink(r, 0.8, 1.0), lot, floors=2, storey_h=4.2, factor=rng.uniform(0.97, 1.03)))
        elif rng.random() < 0.94:
            out.append(Footprint(r, lot, floors=_weighted(rng, TOWER_FLOORS, TOWER_FLOOR_WEIGHTS), storey_h=2.9,
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
    inner = _inset(lot.rect, rng.uniform(3, 6))
    if inner is None:
        return []
    tall = lot.area > 8_000 or lot.land_use in ("0504", "0505")
    out = []
    for r in _cells(inner, 900 if tall else 520, 6, rng, 12):
        if tall and rng.random() < 0.45:
            floors = int(rng.integers(10, 28))  # offices, hotels
        else:
            floors = _weighted(rng, [1, 2, 3, 4, 5, 6], [0.05, 0.15, 0.25, 0.2, 0.15, 0.2])
        out.append(Footprint(r, lot, floors=floors, storey_h=4.2, factor=rng.uniform(0.97, 1.04)))
    return out


def _public_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    lu = lot.land_use
    inner = _inset(lot.rect, rng.uniform(6, 12))
    if inner is None:
        return []
    if lu == LU_UTILITY:  # substation, pumping station
        return [Footprint(_shrink(inner, 0.45, 0.4), lot, floors=int(rng.integers(1, 3)), storey_h=5.0)]
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
    inner = _inset(lot.rect, 5)
    if inner is None:
        return []
    floors = 1 if lot.build_class == "A51" else int(rng.integers(1, 4))
    fx, fy = (0.15, 0.2) if lot.build_class == "A51" else (0.5, 0.45)
    return [Footprint(_shrink(inner, fx, fy), lot, floors=floors, storey_h=4.5, factor=rng.uniform(0.97, 1.03))]


def _village_footprints(lot: Lot, rng: np.random.Generator) -> list[Footprint]:
    inner = _inset(lot.rect, 4)
    if inner is None:
        return []
    if lot.build_class == "B11":
        slots = _slot_grid(inner, (40, 20), (60, 30), (10, 12))
        return [Footprint(r, lot, floors=1, storey_h=6.0) for r in slots]
    slots = _slot_grid(inner, (rng.uniform(10, 13), rng.uniform(8, 10)), (13, 10), (4, 6))  # ~200 m² homesteads
    return [Footprint(r, lot, floors=_weighted(rng, [1, 2], [0.6, 0.4]), storey_h=3.0,
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
    footprint = _rect_area(fp.rect)
    return footprint * fp.floors * storey_factor(fp.storey_h)  # jiyue.landrules: a storey above 8 m counts twice


def _rect_area(r: Rect) -> float:
    return (r[2] - r[0]) * (r[3] - r[1])


def _record(fp: Footprint) -> None:
    """Fill the recorded floor area from floors and the area factor."""
    if fp.kind != "building":
        fp.floor_area = 0.0
    elif fp.record_floor_area and fp.floors:
        fp.floor_area = round(round(_rect_area(fp.rect), 2) * fp.floors * fp.factor, 2)
    else:
        fp.floor_area = None


FAR_MARGIN = 1.03  # built standard-land plants exceed their committed FAR by at least 3 %
MAX_PLANT_FLOORS = 5


def _settle_far_commitments(contracts: list[Contract], footprints: list[Footprint]) -> None:
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
                fp = max(low, key=lambda f: (-(f.floors or 0), _rect_area(f.rect)))
                fp.floors = (fp.floors or 0) + 1
            elif high:
                fp = max(high, key=lambda f: _rect_area(f.rect))
                fp.floors, fp.storey_h, fp.record_floor_area, fp.factor = 2, 5.5, True, 1.0
            elif yards:
                fp = max(yards, key=lambda f: _rect_area(f.rect))
                fp.kind, fp.floors, fp.storey_h, fp.record_floor_area, fp.factor = "building", 1, 4.5, True, 1.0
            else:
                break
            _record(fp)
        if far() < target:
            c.commit["commit_far"] = math.floor(far() / FAR_MARGIN * 20) / 20


UNRECORDED_SHARE = 0.06  # ordinary buildings whose floor area is left to footprint × floors


def _leave_some_unrecorded(footprints: list[Footprint], rng: np.random.Generator) -> None:
    """Leave the floor area empty for a few ordinary buildings (towers keep theirs: the FAR
    calibration adjusts recorded tower floor areas)."""
    for fp in footprints:
        if fp.kind == "building" and not fp.tower and rng.random() < UNRECORDED_SHARE:
            fp.record_floor_area = False


def _calibrate_far(footprints: list[Footprint], a_m2: float, rng: np.random.Generator) -> None:
    """Adjust residential tower heights, then one balancing tower, so that the floor area on A
    equals TARGET_FAR × A exactly (to 0.01 m²)."""
    on_a = [fp for fp in footprints if fp.kind == "building" and fp.lot.build_class.startswith("A")]
    towers = [fp for fp in on_a if fp.tower]
    fixed = sum(_effective_floor_area(fp) for fp in on_a if not fp.tower)
    needed = TARGET_FAR * a_m2 - fixed
    unit = sum(round(_rect_area(fp.rect), 2) * fp.factor for fp in towers)  # floor area per storey
    mean_floors = needed / unit
    if not TOWER_FLOORS[0] <= mean_floors <= TOWER_FLOORS[-1]:
        raise RuntimeError(f"residential towers would need {mean_floors:.1f} storeys on average")
    scale = mean_floors / (sum(round(_rect_area(fp.rect), 2) * fp.factor * fp.floors for fp in towers) / unit)
    for fp in towers:
        fp.floors = int(min(max(round(fp.floors * scale), TOWER_FLOORS[0]), TOWER_FLOORS[-1]))
        _record(fp)
    balancer = max(towers, key=lambda fp: _rect_area(fp.rect))
    others = [fp for fp in towers if fp is not balancer]
    residual = needed - sum(_effective_floor_area(fp) for fp in towers)
    step_max = max(_rect_area(fp.rect) * fp.factor for fp in others)
    order = [int(j) for j in rng.permutation(len(others))]
    changed = True
    while abs(residual) >= step_max and changed:  # ±1 storey, pass after pass, until < 1 storey is left
        changed = False
        for j in order:
            if abs(residual) < step_max:
                break
            fp, change = others[j], (1 if residual > 0 else -1)
            if TOWER_FLOORS[0] <= fp.floors + change <= TOWER_FLOORS[-1]:
                before = fp.floor_area or 0.0
                fp.floors += change
                _record(fp)
                residual -= (fp.floor_area or 0.0) - before
                changed = True
    if abs(residual) >= step_max:
        raise RuntimeError("residential towers cannot absorb the floor area; re-tune the layout")
    # the balancing tower takes the remainder (less than one storey: a penthouse or a podium)
    balancer.floor_area = round((balancer.floor_area or 0.0) + residual, 2)
    balancer.record_floor_area = True


# --------------------------------------------------------------------------- enterprise years
GUAIBAO_FIGURES = {  # (tax, revenue) in 万元: > 40 万元/亩 on the old plant and on all its land
    2018: (17_300.0, 190_000.0),
    2019: (18_900.0, 215_000.0),
    2020: (21_600.0, 245_000.0),
}
TCE_PER_MWH = 0.1229  # electricity at its equivalent value: 1 MWh = 0.1229 tce
LAND_USE_TAX_YUAN_M2 = (4.0, 6.0)  # 城镇土地使用税 in Liaocheng, 元 per m² and year


GAS_M3_PER_TCE = 823.5  # natural gas at the usual 1.2143 kgce per m³ (GB/T 2589-2020: 1.100–1.330)
GAS_INDUSTRIES = ("C13", "C14", "C17", "C22", "C26", "C27", "C30", "C31", "C33")  # firms burning gas


@dataclass(frozen=True)
class _Profile:
    """Per-firm ratios, drawn once so a firm's three years hang together."""

    growth: tuple[float, float]  # 2018→2019, 2019→2020
    tax_rate: float  # taxes / revenue
    va_share: float  # value added / output (or revenue outside manufacturing)
    energy_per_va: float  # tce per 万元 of value added
    emission_per_va: float  # t per 万元 of value added
    electricity_share: float  # share of energy bought as electricity
    fai_per_mu: float  # cumulative fixed-asset investment per mu (万元)
    revenue_per_head: float  # 万元 per employee
    rd_share: float  # R&D / revenue
    records_emission: bool
    records_rd: bool
    water_per_va: float  # t of water per 万元 of value added (NaN: not recorded)
    gas_share: float  # share of energy burnt as natural gas (0: no gas)


def _profile(firm: Firm, rng: np.random.Generator) -> _Profile:
    manufacturing = firm.industry_code.startswith("C")
    industrial = manufacturing or firm.industry_code.startswith("G")
    water = float(np.clip(rng.lognormal(math.log(12.0), 0.7), 2.0, 80.0))
    gas = rng.uniform(0.1, 0.4)
    return _Profile(
        growth=tuple(rng.normal(1.06, 0.07, size=2).clip(0.85, 1.3)),
        tax_rate=rng.uniform(0.025, 0.08),
        va_share=rng.uniform(0.2, 0.33),
        energy_per_va=rng.lognormal(math.log(0.35), 0.7),
        emission_per_va=rng.uniform(0.0005, 0.008),
        electricity_share=rng.uniform(0.35, 0.8),
        fai_per_mu=rng.uniform(180, 450),
        revenue_per_head=rng.uniform(60, 200),
        rd_share=rng.uniform(0.01, 0.045) if manufacturing else rng.uniform(0.0, 0.01),
        records_emission=manufacturing and (firm.tag is not None or rng.random() > 0.15),
        records_rd=rng.random() > 0.12,
        water_per_va=water if industrial and rng.random() > 0.08 else float("nan"),
        gas_share=gas if firm.industry_code.startswith(GAS_INDUSTRIES) else 0.0,
    )


def _review_outcome(c: Contract, prof: _Profile, rng: np.random.Generator) -> tuple[float, _Profile]:
    """Tax per mu and ratios of a firm whose standard-land contract was reviewed in DEMO_YEAR.

    ``sl_reviewed`` beats every output commitment by 15 % or more (tax per mu by 35 %, so even
    the weakest growth path stays above it); ``sl_review_failed`` reaches about half the
    committed tax per mu and 55–75 % of the committed value added per tce, and meets the
    emission commitment.
    """
    k = c.commit
    passed = c.story == "sl_reviewed"
    tax = k["commit_tax_per_mu"] * (rng.uniform(1.35, 1.8) if passed else rng.uniform(0.4, 0.55))
    energy = 1.0 / (k["commit_va_per_energy"] * (rng.uniform(1.15, 1.6) if passed else rng.uniform(0.55, 0.75)))
    emission = 1.0 / (k["commit_va_per_emission"] * rng.uniform(1.15, 1.6))
    return tax, replace(prof, energy_per_va=energy, emission_per_va=emission, records_emission=True)


def _enterprise_years(firms: list[Firm], contracts: list[Contract], rng: np.random.Generator) -> pd.DataFrame:
    """Up to three years of figures per firm (from its founding year); taxes follow a heavy-tailed
    亩均税收 on the land in use."""
    by_firm: dict[str, list[Contract]] = {}
    for c in contracts:
        by_firm.setdefault(c.firm.enterprise_id, []).append(c)
    veto = _veto_plan(firms, rng)
    rows = []
    for firm in firms:
        _draw_tax_per_mu(firm, rng)
        prof = _profile(firm, rng)
        for c in by_firm.get(firm.enterprise_id, []):
            if c.story in ("sl_reviewed", "sl_review_failed"):
                firm.tax_per_mu, prof = _review_outcome(c, prof, rng)
        for year in EVALUATION_YEARS:
            if year < firm.founded.year:
                continue
            row = _firm_year(firm, prof, year, by_firm.get(firm.enterprise_id, []), rng)
            row["veto"] = veto.get((firm.enterprise_id, year))
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["employees"] = frame["employees"].astype("Int64")
    frame["year"] = frame["year"].astype("int32")
    frame["scale"] = np.where(frame["revenue_wan"] >= SCALE_ABOVE_WAN, "above", "below")
    frame["flags"] = _year_flags(frame, firms, contracts)
    return frame


def _year_flags(frame: pd.DataFrame, firms: list[Firm], contracts: list[Contract]) -> list[str | None]:
    """Flags of each firm-year: ``new_above`` (小升规: below the threshold the year before, above
    now), ``major_project`` (a contract of 1 亿元 or more under construction, not halted, at year
    end) and ``deferred`` (暂不评价: founded in the second half of the year)."""
    founded = {f.enterprise_id: f.founded for f in firms}
    revenue = frame.set_index(["enterprise_id", "year"])["revenue_wan"]
    building: set[tuple[str, int]] = set()
    for c in contracts:
        if c.total_investment < MAJOR_PROJECT_WAN:
            continue
        for year in EVALUATION_YEARS:
            end = dt.date(year, 12, 31)
            done = [e["event"] for e in c.events if e["date"] <= end]
            halted = [x for x in done if x in ("halted", "resumed")][-1:] == ["halted"]
            if "commenced" in done and "completed" not in done and not halted:
                building.add((c.firm.enterprise_id, year))
    out: list[str | None] = []
    for eid, year, rev in zip(frame["enterprise_id"], frame["year"], frame["revenue_wan"]):
        flags = []
        before = revenue.get((eid, int(year) - 1))
        if before is not None and before < SCALE_ABOVE_WAN <= rev:
            flags.append("new_above")
        if (eid, int(year)) in building:
            flags.append("major_project")
        if founded[eid].year == year and founded[eid] >= DEFER_FOUNDED_FROM:
            flags.append("deferred")
        out.append(",".join(flags) or None)
    return out


def _firm_year(firm: Firm, prof: _Profile, year: int, contracts: list[Contract],
               rng: np.random.Generator) -> dict[str, Any]:
    own_m2 = sum(round(x.area, 2) for x in firm.lots)
    lease = firm.lease_m2 if year <= firm.lease_until else 0.0
    producing_mu = (own_m2 * (year >= firm.producing_from) + lease) / M2_PER_MU
    level = {2020: 1.0, 2019: 1.0 / prof.growth[1], 2018: 1.0 / (prof.growth[1] * prof.growth[0])}[year]
    if firm.founded.year == year:  # a new firm produces part of the year, and ramps up
        level *= (dt.date(year, 12, 31) - firm.founded).days / 365 * 0.6
    land_tax = own_m2 * rng.uniform(*LAND_USE_TAX_YUAN_M2) / M2_PER_HA  # 元 → 万元
    tax = firm.tax_per_mu * producing_mu * level + land_tax
    revenue = tax / prof.tax_rate if producing_mu > 0 else tax * 2.0
    if firm.tag == "guaibao":
        tax, revenue = GUAIBAO_FIGURES[year]
    manufacturing = firm.industry_code.startswith("C")
    output = revenue * rng.uniform(0.97, 1.05) if manufacturing else np.nan
    va = (output if manufacturing else revenue) * prof.va_share
    energy = va * prof.energy_per_va if producing_mu > 0 else own_m2 * 0.002  # site works only
    growth_to_2020 = {2018: 0.9, 2019: 0.95, 2020: 1.0}[year]
    fai = (own_m2 + lease) / M2_PER_MU * prof.fai_per_mu * growth_to_2020
    for c in contracts:  # contract parcels: land price plus what has been invested so far
        fai += _contract_fai(c, year) - round(c.lot.area, 2) / M2_PER_MU * prof.fai_per_mu * growth_to_2020
    employees = max(6, int(revenue / prof.revenue_per_head * rng.uniform(0.97, 1.03))) if producing_mu > 0 \
        else int(rng.integers(3, 12))
    return {
        "enterprise_id": firm.enterprise_id, "year": year,
        "tax_wan": round(tax, 2), "revenue_wan": round(revenue, 2),
        "value_added_wan": round(va, 2), "output_wan": round(output, 2),
        "energy_tce": round(energy, 1),
        "emission_t": round(va * prof.emission_per_va, 3) if prof.records_emission else np.nan,
        "electricity_mwh": round(energy * prof.electricity_share / TCE_PER_MWH, 1),
        "employees": employees,
        "rd_wan": round(revenue * prof.rd_share, 2) if (revenue >= 2_000 or prof.records_rd) else np.nan,
        "fixed_assets_wan": round(max(fai, 0.0), 2),
        "land_m2_extra": lease if lease > 0 else np.nan,
        "water_t": round(va * prof.water_per_va, 1) if not math.isnan(prof.water_per_va) else np.nan,
        "gas_m3": round(energy * prof.gas_share * GAS_M3_PER_TCE, 0) if prof.gas_share > 0 else np.nan,
        "lessor_id": firm.lessor_id if lease > 0 else None,
    }


def _draw_tax_per_mu(firm: Firm, rng: np.random.Generator) -> None:
    """Heavy-tailed 亩均税收 (万元/亩) for 2020; classes need both ends populated."""
    if firm.tag and firm.tag.startswith("recovered_"):
        firm.tax_per_mu = rng.uniform(0.4, 1.8)  # the low-efficiency holders
    elif firm.tag == "new_firm_slow":
        firm.tax_per_mu = rng.uniform(0.25, 0.5)  # trial production, input VAT credits: ranked D, protected
    elif firm.industry_code.startswith("C") or firm.industry_code.startswith("G"):
        firm.tax_per_mu = float(np.clip(rng.lognormal(math.log(9.0), 0.85), 0.8, 58.0))
    else:  # services pay more per mu of land
        firm.tax_per_mu = float(np.clip(rng.lognormal(math.log(25.0), 0.8), 2.0, 150.0))


def _contract_fai(c: Contract, year: int) -> float:
    """Fixed-asset investment on a contract parcel by the end of ``year`` (land price included)."""
    if c.signed.year > year:
        return 0.0
    done = [e["invested_wan"] for e in c.events if e["date"].year <= year]
    return c.land_price + (max(done) if done else 0.0)


def _veto_plan(firms: list[Firm], rng: np.random.Generator) -> dict[tuple[str, int], str]:
    candidates = [f for f in firms if f.tag is None and f.industry_code.startswith("C")]
    picks = rng.choice(len(candidates), size=5, replace=False)
    events = ("safety_accident", "safety_accident", "env_accident", "safety_accident,env_accident", "env_accident")
    return {(candidates[j].enterprise_id, int(rng.choice(EVALUATION_YEARS))): ev for j, ev in zip(picks, events)}


# --------------------------------------------------------------------------- facilities & roads
MEDICAL_SITES = (  # the 7 medical sites; 颐养院 (elderly-care hospital) counts as a hospital
    ("hospital", "开发区人民医院", 600), ("hospital", "开发区颐养院", 300), ("hospital", "开发区妇幼保健院", 200),
    ("clinic", "蒋官屯街道社区卫生服务中心", 40), ("clinic", "北城街道社区卫生服务中心", 40),
    ("clinic", "东城街道社区卫生服务中心", 30), ("clinic", "广平卫生院", 60),
)
CN_NUMERALS = "一二三四五六七八九十"


def _facilities(lots: list[Lot], grid: Grid, rng: np.random.Generator) -> list[dict[str, Any]]:
    def by(pred: Callable[[Lot], bool]) -> list[Lot]:
        return sorted((x for x in lots if pred(x)), key=lambda x: x.parcel_id)

    rows: list[dict[str, Any]] = []

    def add(kind: str, name: str, capacity: int | None, lot: Lot | None,
            point: tuple[float, float] | None = None, level: str | None = None) -> None:
        if point is None and lot is not None:
            x0, y0, x1, y1 = lot.rect
            point = ((x0 + x1) / 2, (y0 + y1) / 2)
        rows.append({"kind": kind, "name": name, "capacity": capacity, "xy": point, "level": level})

    medical = by(lambda x: x.land_use == LU_MEDICAL)
    medical.sort(key=lambda x: -x.area)  # the biggest sites are the hospitals
    for (kind, name, beds), lot in zip(MEDICAL_SITES, medical):
        add(kind, name, beds, lot, level="community" if "社区" in name else None)
    schools = by(lambda x: x.land_use == LU_EDUCATION and x.role == "public")
    for k, lot in enumerate(schools):
        stage = "小学" if k % 2 == 0 else "中学"
        add("school", f"开发区第{CN_NUMERALS[k // 2 % 10]}{stage}", int(rng.integers(12, 30)) * 100, lot,
            level="primary" if k % 2 == 0 else "middle")
    for k, lot in enumerate(by(lambda x: x.role == "kindergarten")):
        add("kindergarten", f"开发区第{k + 1}幼儿园", int(rng.choice([270, 360, 450, 540])), lot)
    for k, lot in enumerate(by(lambda x: x.land_use == LU_WELFARE)):
        add("elderly", f"开发区第{k + 1}养老服务中心", int(rng.integers(10, 31)) * 10, lot)
    parks = by(lambda x: x.role == "park") + sorted(by(lambda x: x.role == "river_green"), key=lambda x: -x.area)[:4]
    for k, lot in enumerate(parks):
        name = f"滨河公园{k + 1}段" if lot.role == "river_green" else f"开发区{'东南西北中'[k % 5]}区公园"
        add("park", name, int(lot.area / 60), lot)  # about 60 m² of park per visitor at peak
    for k, lot in enumerate(by(lambda x: x.role == "pocket_park")[::6]):
        add("park", f"口袋公园{k + 1}号", int(lot.area / 60), lot)
    markets = sorted(by(lambda x: x.land_use == "0501" and x.role == "commerce"), key=lambda x: -x.area)[:6]
    for k, lot in enumerate(markets):
        add("market", f"开发区第{k + 1}农贸市场", int(rng.integers(8, 30)) * 10, lot)
    for k, lot in enumerate(by(lambda x: x.land_use == LU_SPORTS)):
        add("sports", f"开发区全民健身中心{k + 1}", int(rng.integers(5, 30)) * 100, lot)
    for k, lot in enumerate(by(lambda x: x.land_use == LU_CULTURE)):
        add("culture", f"开发区文化中心{k + 1}", int(rng.integers(3, 15)) * 100, lot)
    terminal = by(lambda x: x.build_class == "A32")
    if terminal:
        add("transit", "开发区公交枢纽站", None, terminal[0])
    for k, (xi, yi) in enumerate(_bus_stop_positions(grid, lots)):
        add("transit", f"公交站{k + 1:02d}", None, None, (xi, yi))
    for k, row in enumerate(rows):
        row["facility_id"] = f"F-{k + 1:03d}"
    return rows


def _bus_stop_positions(grid: Grid, lots: list[Lot]) -> list[tuple[float, float]]:
    """Stops on built arterial segments, one per block side."""
    out = []
    for lot in lots:
        if lot.role != "street" or lot.tag is None:
            continue
        idx = int(lot.tag[1:])
        if (lot.tag[0] == "h" and idx in ARTERIAL_Y) or (lot.tag[0] == "v" and idx in ARTERIAL_X):
            x0, y0, x1, y1 = lot.rect
            out.append(((x0 + x1) / 2, (y0 + y1) / 2))
    return out


def _centre(strips: list[tuple[float, float]], at: float) -> float:
    """The centre line of the road strip that touches or holds the coordinate ``at``."""
    for a, b in strips:
        if a - 1e-6 <= at <= b + 1e-6:
            return (a + b) / 2
    return at


def _roads(grid: Grid, lots: list[Lot]) -> list[dict[str, Any]]:
    """Centre lines of the built streets, one feature per contiguous run of built segments."""
    rows = []
    for axis, names, strips in (("h", EW_NAMES, grid.y_roads), ("v", NS_NAMES, grid.x_roads)):
        for k, (a, b) in enumerate(strips):
            segs = sorted((x for x in lots if x.tag == f"{axis}{k}"),
                          key=lambda x: x.rect[0] if axis == "h" else x.rect[1])
            for is_street, group in itertools.groupby(segs, key=lambda x: x.role == "street"):
                run = list(group)
                if not is_street:
                    continue
                mid = (a + b) / 2
                # a run ends at the centre of the cross street (not at its kerb), so the centre
                # lines meet at the junctions and form one walking network (jiyue.liveability)
                if axis == "h":
                    coords = [(_centre(grid.x_roads, run[0].rect[0]), mid), (_centre(grid.x_roads, run[-1].rect[2]), mid)]
                else:
                    coords = [(mid, _centre(grid.y_roads, run[0].rect[1])), (mid, _centre(grid.y_roads, run[-1].rect[3]))]
                rows.append({"name": names[k], "coords": coords})
    for k, row in enumerate(rows):
        row["road_id"] = f"R-{k + 1:02d}"
    return rows


# --------------------------------------------------------------------------- assembly
def _to_geo(rects: Sequence[Rect]) -> np.ndarray:
    arr = np.asarray(rects, dtype=float).reshape(-1, 4)
    return shapely.box(arr[:, 0] + ORIGIN_E, arr[:, 1] + ORIGIN_N, arr[:, 2] + ORIGIN_E, arr[:, 3] + ORIGIN_N)


def _parcels_frame(lots: list[Lot]) -> gpd.GeoDataFrame:
    geom = _to_geo([x.rect for x in lots])
    frame = gpd.GeoDataFrame({
        "parcel_id": [x.parcel_id for x in lots],
        "zone_code": DEMO_ZONE_CODE,
        "build_class": [x.build_class for x in lots],
        "supply_class": [x.supply_class for x in lots],
        "area_m2": np.round(shapely.area(geom), 2),
        "land_use_code": [x.land_use for x in lots],
        "hightech": [x.hightech for x in lots],
        "user_id": [x.user_id for x in lots],
        "supply_date": pd.Series([x.supply_date for x in lots], dtype=object),
        "supply_method": [x.supply_method for x in lots],
        "contract_no": [x.contract_no for x in lots],
    }, geometry=geom, crs=CRS)
    return frame


def _buildings_frame(footprints: list[Footprint], rng: np.random.Generator) -> gpd.GeoDataFrame:
    geom = _to_geo([fp.rect for fp in footprints])
    area = np.round(shapely.area(geom), 2)
    keep_fp = rng.random(len(footprints)) > 0.1  # ~10 % without a recorded footprint
    return gpd.GeoDataFrame({
        "building_id": [f"B-{k + 1:07d}" for k in range(len(footprints))],
        "parcel_id": [fp.lot.parcel_id for fp in footprints],
        "kind": [fp.kind for fp in footprints],
        "floors": pd.array([fp.floors for fp in footprints], dtype="Int64"),
        "floor_area_m2": np.array([np.nan if fp.floor_area is None else fp.floor_area for fp in footprints]),
        "footprint_m2": np.where(keep_fp, area, np.nan),
        "storey_height_m": np.array([np.nan if fp.storey_h is None else fp.storey_h for fp in footprints]),
    }, geometry=geom, crs=CRS)


def _enterprises_frame(firms: list[Firm], years: pd.DataFrame) -> pd.DataFrame:
    rev2020 = years[years["year"] == DEMO_YEAR].set_index("enterprise_id")["revenue_wan"]
    return pd.DataFrame({
        "enterprise_id": [f.enterprise_id for f in firms],
        "credit_code": [f.credit_code for f in firms],
        "name": [f.name for f in firms],
        "industry_code": [f.industry_code for f in firms],
        "scale": ["above" if rev2020.get(f.enterprise_id, 0.0) >= 2_000 else "below" for f in firms],
        "founded": pd.Series([f.founded for f in firms], dtype=object),
        "zone_code": DEMO_ZONE_CODE,
        # optional fields outside the data contract (kept by the package reader as extras)
        "park": [f.park for f in firms],
        "street": [f.street for f in firms],
        "flags": ["high_tech" if any(x.hightech for x in f.lots) else None for f in firms],
    })


def _contracts_frame(contracts: list[Contract]) -> pd.DataFrame:
    rows = []
    for c in contracts:
        rows.append({
            "contract_no": c.contract_no, "parcel_id": c.lot.parcel_id, "enterprise_id": c.firm.enterprise_id,
            "signed_date": c.signed, "land_price_wan": c.land_price, "delivery_date": c.delivery,
            "start_agreed": c.start_agreed, "completion_agreed": c.completion_agreed,
            "production_review_date": c.review,
            "total_investment_wan": c.total_investment,
            **{k: c.commit.get(k, np.nan) for k in ("commit_fai_per_mu", "commit_far", "commit_tax_per_mu",
                                                     "commit_va_per_energy", "commit_va_per_emission")},
            "late_start_permille": 1.0, "late_completion_permille": 1.0,
        })
    frame = pd.DataFrame(rows)
    for col in ("signed_date", "delivery_date", "start_agreed", "completion_agreed", "production_review_date"):
        frame[col] = frame[col].astype(object)
    return frame


def _progress_frame(contracts: list[Contract]) -> pd.DataFrame:
    rows = [{"contract_no": c.contract_no, **e} for c in contracts for e in c.events]
    frame = pd.DataFrame(rows)
    frame["date"] = frame["date"].astype(object)
    frame["approved"] = pd.array(frame["approved"].tolist(), dtype="boolean")
    return frame


def _zone_years(lots: list[Lot], years: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    a_ha = sum(round(x.area, 2) for x in lots if x.build_class.startswith("A")) / M2_PER_HA
    industrial_users = {x.user_id for x in lots if x.build_class == "A2" and x.user_id}
    ind = years[years["enterprise_id"].isin(industrial_users)].groupby("year")
    per_ha = {2018: rng.uniform(430, 450), 2019: rng.uniform(460, 480), 2020: rng.uniform(490, 510)}
    density = rng.uniform(58, 66)  # residents per ha of built-up land in 2020
    return pd.DataFrame({
        "zone_code": DEMO_ZONE_CODE,
        "year": np.array(EVALUATION_YEARS, dtype="int32"),
        "tax_total_wan": [round(a_ha * per_ha[y], 2) for y in EVALUATION_YEARS],
        "industrial_tax_wan": [round(float(ind["tax_wan"].sum()[y]), 2) for y in EVALUATION_YEARS],
        "industrial_fai_wan": [round(float(ind["fixed_assets_wan"].sum()[y]), 2) for y in EVALUATION_YEARS],
        "population": [int(a_ha * density * f) for f in (0.94, 0.97, 1.0)],
    })


def _number_parcels(lots: list[Lot]) -> None:
    """Parcel ids in reading order: north to south, west to east."""
    order = sorted(lots, key=lambda x: (-round((x.rect[1] + x.rect[3]) / 2 // 100), (x.rect[0] + x.rect[2]) / 2))
    for k, lot in enumerate(order):
        lot.parcel_id = f"LC-{k + 1:06d}"


def build_demo(seed: int = 2020) -> dict[str, pd.DataFrame | gpd.GeoDataFrame]:
    """Return the layers of the demo package keyed by contract layer name."""
    rng = np.random.default_rng(seed)
    grid = _make_grid(rng)
    lots = _road_lots(grid, rng)
    q_seen: list[int] = []
    for s in range(N_ROWS - 1, -1, -1):  # north first, so the first Q block is the old plant
        for i in range(N_COLS):
            lots += _block_lots(grid, s, i, rng, q_seen)
    _deal_public_uses(lots, rng)
    _assign_supply(lots, rng)
    d_total = _land_totals(lots)["D"]
    _pick_contract_lots(lots, d_total, rng)
    _calibrate_supply(lots)
    _number_parcels(lots)
    firms = _assign_users(lots, rng)
    _mark_hightech(firms, rng)
    contracts = _make_contracts(lots, firms, rng)
    _settle_founding(firms, rng)
    _assign_lessors(firms, rng)

    footprints = [fp for lot in sorted(lots, key=lambda x: x.parcel_id) for fp in _lot_footprints(lot, rng)]
    _leave_some_unrecorded(footprints, rng)
    for fp in footprints:
        _record(fp)
    _settle_far_commitments(contracts, footprints)
    _calibrate_far(footprints, _land_totals(lots)["A"], rng)

    years = _enterprise_years(firms, contracts, rng)
    parcels = _parcels_frame(sorted(lots, key=lambda x: x.parcel_id))
    facilities = _facilities(lots, grid, rng)
    roads = _roads(grid, lots)
    zone_geom = shapely.box(ORIGIN_E, ORIGIN_N, ORIGIN_E + grid.width, ORIGIN_N + grid.height)
    zones = gpd.GeoDataFrame({
        "zone_code": [DEMO_ZONE_CODE], "name": [ZONE_NAME], "province": ["山东省"], "city": ["聊城市"],
        "level": ["national"], "category": ["etdz"], "eval_type": ["integrated"],
        "approved_area_ha": [round(grid.width * grid.height / M2_PER_HA, 2)],
    }, geometry=[zone_geom], crs=CRS)
    layers = {
        "zones": zones,
        "parcels": parcels,
        "buildings": _buildings_frame(footprints, rng),
        "enterprises": _enterprises_frame(firms, years),
        "enterprise_years": years,
        "zone_years": _zone_years(lots, years, rng),
        "contracts": _contracts_frame(contracts),
        "progress": _progress_frame(contracts),
        "facilities": gpd.GeoDataFrame(
            {k: [r[k] for r in facilities] for k in ("facility_id", "kind", "name", "level")}
            | {"capacity": pd.array([r["capacity"] for r in facilities], dtype="Int64")},
            geometry=shapely.points(np.array([r["xy"] for r in facilities]) + [ORIGIN_E, ORIGIN_N]), crs=CRS),
        "roads": gpd.GeoDataFrame(
            {"road_id": [r["road_id"] for r in roads], "name": [r["name"] for r in roads]},
            geometry=[shapely.LineString(np.array(r["coords"]) + [ORIGIN_E, ORIGIN_N]) for r in roads], crs=CRS),
    }
    # the idle flag (G, 闲置土地) is the idle-land engine's finding on 2020-12-31, not a copy of its rule
    idle = idle_parcels(layers)
    parcels.insert(parcels.columns.get_loc("contract_no") + 1, "idle", parcels["parcel_id"].isin(idle).to_numpy())
    return layers


# --------------------------------------------------------------------------- writing
def write_demo(out: str | Path, seed: int = 2020) -> Path:
    """Write the demo package as ONE GeoPackage at ``out`` (overwritten if it exists).

    Spatial layers become feature tables, the others GeoPackage attribute tables. Dates are
    written as GPKG ``DATE`` fields and booleans as boolean fields (via the Arrow writer).
    """
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    layers = build_demo(seed)
    for name in LAYER_NAMES:
        _write_layer(layers[name], path, name)
    return path


def _write_layer(frame: pd.DataFrame, path: Path, layer: str) -> None:
    try:
        import pyarrow  # noqa: F401  (the Arrow writer keeps DATE and boolean field types)
    except ImportError:  # pragma: no cover - pyarrow is a declared dependency
        frame = frame.copy()
        for col in frame.columns:
            if frame[col].dtype == object and frame[col].map(lambda v: isinstance(v, dt.date)).any():
                frame[col] = pd.to_datetime(frame[col])
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG")
        return
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", use_arrow=True)


# --------------------------------------------------------------------------- summary
def _footprint(buildings: pd.DataFrame) -> pd.Series:
    """Footprint per building: the recorded one, else the area of its shape (as an import does)."""
    return buildings["footprint_m2"].fillna(pd.Series(shapely.area(buildings.geometry.values),
                                                      index=buildings.index))


def _floor_area(buildings: pd.DataFrame) -> pd.Series:
    """Floor area per building (:func:`jiyue.landrules.floor_area` on :func:`_footprint`)."""
    return floor_area(buildings, footprint=_footprint(buildings))


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
        layers = {**layers, "buildings": b.assign(footprint_eff_m2=_footprint(b))}
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


def _round(x: Any, digits: int) -> float:
    """Round to a plain Python float (numpy scalars print badly in docs and JSON)."""
    return round(float(x), digits)


def _story_figures(layers: dict[str, Any]) -> dict[str, Any]:
    """The article's other figures: the 5.43 ha block, 乖宝's per-mu tax, the medical sites."""
    p, e, ey = layers["parcels"], layers["enterprises"], layers["enterprise_years"]
    ids = e.set_index("name")["enterprise_id"]
    recovered = [SEED_FIRMS[f"recovered_{k}"][0] for k in range(5)]
    block = p.loc[p["user_id"].isin(ids.reindex(recovered)), "area_m2"].sum()
    guaibao = ids.get(SEED_FIRMS["guaibao"][0])
    own = p.loc[p["user_id"] == guaibao, "area_m2"].sort_values()
    taxes = ey.loc[ey["enterprise_id"] == guaibao, "tax_wan"]
    kinds = layers["facilities"]["kind"]
    return {
        "recovered_block_ha": _round(block / M2_PER_HA, 4),
        "guaibao_parcels_ha": [_round(x / M2_PER_HA, 2) for x in own],
        "guaibao_min_tax_per_mu_old_plant": _round(taxes.min() / (GUAIBAO_OLD_PLANT_M2 / M2_PER_MU), 1)
        if len(taxes) else None,
        "guaibao_min_tax_per_mu_all_land": _round(taxes.min() / (own.sum() / M2_PER_MU), 1) if len(taxes) else None,
        "medical_sites": int(kinds.isin(["hospital", "clinic"]).sum()),
    }


def demo_summary(layers: dict[str, Any]) -> dict[str, Any]:
    """The calibrated and plausibility figures of a package, by plain arithmetic (areas in ha)."""
    p, b = layers["parcels"], layers["buildings"]
    area = p["area_m2"]
    is_a = p["build_class"].str.startswith("A")
    a = area[is_a].sum()
    b21 = area[p["build_class"] == "B21"].sum()
    d = area[p["supply_class"].isin(["D1", "D21", "D22"])].sum()
    g = area[p["idle"].astype(bool)].sum()
    a2 = area[p["build_class"] == "A2"].sum()
    cls = b["parcel_id"].map(p.set_index("parcel_id")["build_class"])
    bld = b["kind"].fillna("building") == "building"
    fa = _floor_area(b)
    footprint = _footprint(b)
    on_a = bld & cls.str.startswith("A").fillna(False)
    on_a2 = cls == "A2"
    zy = layers["zone_years"].set_index("year").loc[DEMO_YEAR]
    breaches = breach_reasons(layers)
    since = p[(pd.to_datetime(p["supply_date"]) >= pd.Timestamp(CONTRACT_CUTOFF))
              & p["land_use_code"].isin([LU_INDUSTRIAL, LU_WAREHOUSE]) & p["build_class"].isin(["A2", "B21"])]
    return {
        "A_ha": _round(a / M2_PER_HA, 4),
        "B21_ha": _round(b21 / M2_PER_HA, 4),
        "D_ha": _round(d / M2_PER_HA, 4),
        "G_ha": _round(g / M2_PER_HA, 4),
        "A2_ha": _round(a2 / M2_PER_HA, 4),
        "supply_rate": _round(d / (a + b21) * 100, 4),
        "built_rate": _round(a / d * 100, 4),
        "far": _round(fa[on_a].sum() / a, 5),
        "building_density": _round(footprint[on_a].sum() / a * 100, 2),
        "industrial_land_ratio": _round(a2 / a * 100, 2),
        "industrial_far": _round(fa[on_a2 & bld].sum() / a2, 3),
        "industrial_building_coefficient": _round(footprint[on_a2].sum() / a2 * 100, 2),
        "idle_rate": _round(g / d * 100, 3),
        "tax_per_ha": _round(zy["tax_total_wan"] / (a / M2_PER_HA), 1),
        "population_density": _round(zy["population"] / (a / M2_PER_HA), 1),
        "contracts_since_2016": int(len(since)),
        "breaches": int((breaches["reasons"].map(len) > 0).sum()),
        **_story_figures(layers),
        "counts": {name: int(len(layers[name])) for name in LAYER_NAMES if name in layers},
    }


if __name__ == "__main__":  # pragma: no cover - convenience: python -m jiyue.demo out.gpkg
    import sys
    import time

    t0 = time.perf_counter()
    target = write_demo(sys.argv[1] if len(sys.argv) > 1 else "demo.gpkg")
    print(f"wrote {target} in {time.perf_counter() - t0:.1f} s")
