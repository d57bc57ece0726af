"""Public facilities (schools, hospitals, bus stops …) and the road centre lines."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from jiyue.demo.identity import LU_CULTURE, LU_EDUCATION, LU_MEDICAL, LU_SPORTS, LU_WELFARE
from jiyue.demo.layout import ARTERIAL_X, ARTERIAL_Y, EW_NAMES, NS_NAMES, Grid, Lot

# --------------------------------------------------------------------------- facilities & roads
MEDICAL_SITES = (  # the 7 medical sites; 颐养院 (elderly-care hospital) counts as a hospital
    ("hospital", "开发区人民医院", 600), ("hospital", "开发区颐养院", 300), ("hospital", "开发区妇幼保健院", 200),
    ("clinic", "蒋官屯街道社区卫生服务中心", 40), ("clinic", "北城街道社区卫生服务中心", 40),
    ("clinic", "东城街道社区卫生服务中心", 30), ("clinic", "广平卫生院", 60),
)
CN_NUMERALS = "一二三四五六七八九十"


def make_facilities(lots: list[Lot], grid: Grid, rng: np.random.Generator) -> list[dict[str, Any]]:
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


def make_roads(grid: Grid, lots: list[Lot]) -> list[dict[str, Any]]:
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
