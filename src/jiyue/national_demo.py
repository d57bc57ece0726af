"""A synthetic national monitoring set: 541 zones (430 工业主导型 + 111 产城融合型) with the demo.

The set is calibrated so that, **together with the demo zone** (聊城经济技术开发区（演示数据）),
the national figures equal the published 2020 round (docs/sources/tdt1029-2017.md §7.3, the 2020 circular):

| indicator | national (Σ numerator ÷ Σ denominator) |
|---|---|
| 土地供应率 | 92.68 % |
| 土地建成率 | 92.77 % |
| 土地开发率 | 89.46 % |
| 综合容积率 | 0.98 |
| 工业用地综合容积率 | 0.93 |
| 工业用地率 | 48.52 % |
| 工业用地固定资产投入强度 | 8 984.3 万元/ha |
| 工业用地地均税收 | 678.99 万元/ha |
| 综合地均税收 | 539.96 万元/ha |
| mean 土地利用集约度分值 | 61.53 |

and so that the demo zone takes the place the seed article reports for it: **48th of the 111
产城融合型 zones nationally and 2nd in Shandong**. Unpublished figures (building density,
building coefficient, population density, idle rate) are free levers used for the placement and
the mean score. Regions follow the 2019 round's make-up scaled to 541 (东部 250, 中部 114, 西部
122, 东北 55) with the gradient 东部 > 中部 > 西部 > 东北 in mean score.

Each zone is a short row of rectangular parcels (one per class) with one building per built
parcel, so every figure is exact arithmetic: official ``area_m2`` and ``footprint_m2`` are given
and equal the geometry. Zones lie on a grid in EPSG:4527; only their attributes are geographic.
The generator works on indicator values first (pure scoring decides the placement), then draws
the parcels that reproduce them. A year-earlier set (``year=2019``) shares the zones with values
drawn back towards the 2019 round (年度 changes in the circular).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from jiyue.evaluation.profile import Profile, load_profile
from jiyue.evaluation.scoring import score_zone

CRS = "EPSG:4527"
N_INDUSTRIAL = 430
N_INTEGRATED = 111  # including the demo zone
DEMO_RANK = 48  # of 111 产城融合型, nationally
DEMO_PROVINCE_RANK = 2  # in Shandong
TARGETS_2020 = {
    "supply_rate": 92.68, "built_rate": 92.77, "development_rate": 89.46, "far": 0.98, "industrial_far": 0.93,
    "industrial_land_ratio": 48.52, "industrial_fai_intensity": 8984.3, "industrial_tax_per_ha": 678.99,
    "tax_per_ha": 539.96,
}
MEAN_SCORE_2020 = 61.53
# the 2019 round, implied by the 2020 circular's year-on-year changes (docs/sources/tdt1029-2017.md §7.3, "Derived")
TARGETS_2019 = {**TARGETS_2020, "industrial_fai_intensity": 8589.0, "industrial_tax_per_ha": 657.0,
                "tax_per_ha": 562.0, "supply_rate": 92.4, "built_rate": 92.5, "development_rate": 89.2}
REGION_COUNTS = {"东部": 250, "中部": 114, "西部": 122, "东北": 55}
REGION_QUALITY = {"东部": 0.62, "中部": 0.52, "西部": 0.44, "东北": 0.40}
PROVINCES = {
    "东部": ["北京市", "天津市", "河北省", "上海市", "江苏省", "浙江省", "福建省", "山东省", "广东省", "海南省"],
    "中部": ["山西省", "安徽省", "江西省", "河南省", "湖北省", "湖南省"],
    "西部": ["内蒙古自治区", "广西壮族自治区", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省",
             "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"],
    "东北": ["辽宁省", "吉林省", "黑龙江省"],
}
PROVINCE_WEIGHT = {"江苏省": 3.0, "浙江省": 2.2, "山东省": 2.2, "广东省": 2.0, "福建省": 1.4, "河北省": 1.3,
                   "西藏自治区": 0.2, "青海省": 0.4, "宁夏回族自治区": 0.5, "海南省": 0.6}
CATEGORY_NAMES = {"etdz": "经济技术开发区", "htz": "高新技术产业开发区", "customs": "综合保税区", "border": "边境经济合作区"}
FREE_WORST = {"building_density": 12.0, "population_density": 15.0, "idle_rate": 4.0,
              "industrial_building_coefficient": 25.0}
FREE_BEST = {"building_density": 40.0, "population_density": 110.0, "idle_rate": 0.0,
             "industrial_building_coefficient": 55.0}


@dataclass
class Zone:
    code: str
    eval_type: str
    region: str
    province: str = ""
    category: str = "etdz"
    quality: float = 0.5
    a_ha: float = 500.0
    x: dict[str, float] = field(default_factory=dict)  # indicator values
    lever: float = 0.5  # position of the free levers between worst (0) and best (1)

    def values(self) -> dict[str, float]:
        v = dict(self.x)
        for k in FREE_WORST:
            v[k] = FREE_WORST[k] + (FREE_BEST[k] - FREE_WORST[k]) * self.lever
        return v


def _draw_zones(rng: np.random.Generator) -> list[Zone]:
    n_syn_int = N_INTEGRATED - 1
    types = ["industrial"] * N_INDUSTRIAL + ["integrated"] * n_syn_int
    regions: list[str] = []
    for r, n in REGION_COUNTS.items():
        regions += [r] * n
    regions = list(rng.permutation(regions))[: len(types)]
    zones = []
    for i, (t, r) in enumerate(zip(types, regions)):
        q = float(np.clip(rng.beta(4, 4) + (REGION_QUALITY[r] - 0.5), 0.02, 0.98))
        z = Zone(code=f"N{i + 1:04d}", eval_type=t, region=r, quality=q)
        z.a_ha = float(np.clip(rng.lognormal(math.log(450), 0.8), 40, 6000))
        if t == "industrial":
            z.category = str(rng.choice(["etdz", "htz", "customs", "border"], p=[0.45, 0.25, 0.26, 0.04]))
        else:
            z.category = str(rng.choice(["etdz", "htz"], p=[0.55, 0.45]))
        z.lever = float(np.clip(q + rng.normal(0, 0.15), 0.0, 1.0))
        noise = lambda s: float(rng.lognormal(0.0, s))  # noqa: E731
        good = 0.6 + 0.8 * q
        z.x = {
            "industrial_land_ratio": (62.0 if t == "industrial" else 28.0) * noise(0.2),
            "built_gap": 8.0 / good * noise(0.5),
            "supply_gap": 8.0 / good * noise(0.5),
            "development_gap": 11.0 / good * noise(0.4),
            "far": (0.85 if t == "industrial" else 1.25) * good * noise(0.2),
            "industrial_far": 0.9 * good * noise(0.2),
            "industrial_fai_intensity": 8000 * good * noise(0.35),
            "industrial_tax_per_ha": 600 * good * noise(0.45),
            "tax_per_ha": (420 if t == "industrial" else 600) * good * noise(0.4),
        }
        # non-industrial floor area must stay positive: FAR ≥ 1.3 × industrial FAR × industrial share
        z.x["far"] = max(z.x["far"], 1.3 * z.x["industrial_far"] * z.x["industrial_land_ratio"] / 100)
        zones.append(z)
    return zones


def _terms(z: Zone) -> dict[str, float]:
    """The accounting terms (ha, 万m² as ha-equivalents, 万元) implied by a zone's values."""
    v = z.values()
    a = z.a_ha
    a2 = a * v["industrial_land_ratio"] / 100
    d = a / (v["built_rate"] / 100)
    b21 = d / (v["supply_rate"] / 100) - a
    b = (a + b21) / (v["development_rate"] / 100) - a
    return {"A": a, "A2": a2, "D": d, "B21": b21, "B": b, "FA_A": v["far"] * a, "FA_A2": v["industrial_far"] * a2,
            "fai": v["industrial_fai_intensity"] * a2, "itax": v["industrial_tax_per_ha"] * a2,
            "tax": v["tax_per_ha"] * a}


def _rates(z: Zone) -> None:
    z.x["built_rate"] = 100.0 - z.x["built_gap"]
    z.x["supply_rate"] = 100.0 - z.x["supply_gap"]
    z.x["development_rate"] = 100.0 - z.x["development_gap"]


def _aggregate(zones: list[Zone], demo: dict[str, float]) -> dict[str, float]:
    s: dict[str, float] = {k: demo.get(k, 0.0) for k in ("A", "A2", "D", "B21", "B", "FA_A", "FA_A2", "fai",
                                                         "itax", "tax")}
    for z in zones:
        for k, v in _terms(z).items():
            s[k] += v
    return {
        "industrial_land_ratio": s["A2"] / s["A"] * 100, "built_rate": s["A"] / s["D"] * 100,
        "supply_rate": s["D"] / (s["A"] + s["B21"]) * 100, "development_rate": (s["A"] + s["B21"]) / (s["A"] + s["B"]) * 100,
        "far": s["FA_A"] / s["A"], "industrial_far": s["FA_A2"] / s["A2"],
        "industrial_fai_intensity": s["fai"] / s["A2"], "industrial_tax_per_ha": s["itax"] / s["A2"],
        "tax_per_ha": s["tax"] / s["A"],
    }


def _calibrate(zones: list[Zone], demo: dict[str, float], targets: dict[str, float]) -> None:
    """Scale every zone's values until the Σ-ratio national figures hit the targets."""
    for z in zones:
        _rates(z)
    for _ in range(200):
        agg = _aggregate(zones, demo)
        err = max(abs(agg[k] / targets[k] - 1) for k in targets)
        if err < 1e-12:
            return
        for k, t in targets.items():
            if k in ("built_rate", "supply_rate", "development_rate"):
                f = (100 - t) / (100 - agg[k])
                gap = k.replace("_rate", "_gap")
                for z in zones:
                    z.x[gap] *= f
                    _rates(z)
            else:
                f = t / agg[k]
                for z in zones:
                    z.x[k] *= f
                    if k == "industrial_land_ratio":
                        z.x[k] = min(z.x[k], 85.0)
    raise RuntimeError("national demo calibration did not converge")


def _score(z: Zone, profile: Profile) -> float:
    return float(score_zone(z.eval_type, z.values(), profile)["score"])


def _solve_lever(z: Zone, target: float, profile: Profile) -> bool:
    """Set z.lever so that the zone scores ``target`` (bisection; score rises with the lever)."""
    lo, hi = 0.0, 1.0
    z.lever = lo
    if _score(z, profile) > target:
        return False
    z.lever = hi
    if _score(z, profile) < target:
        return False
    for _ in range(60):
        z.lever = (lo + hi) / 2
        if _score(z, profile) < target:
            lo = z.lever
        else:
            hi = z.lever
    z.lever = hi
    return True


def _place_demo(zones: list[Zone], demo_score: float, profile: Profile, rng: np.random.Generator) -> None:
    """47 synthetic 产城融合型 zones above the demo, the rest below; one Shandong zone above it."""
    integ = sorted((z for z in zones if z.eval_type == "integrated"), key=lambda z: -_score(z, profile))
    above, below = integ[: DEMO_RANK - 1], integ[DEMO_RANK - 1:]
    margin = 0.05
    for z in above:
        if _score(z, profile) < demo_score + margin and not _solve_lever(z, demo_score + margin + rng.uniform(0, 0.5),
                                                                         profile):
            z.x["far"] *= 1.3
            _solve_lever(z, demo_score + margin + 0.1, profile)
    for z in below:
        if _score(z, profile) > demo_score - margin and not _solve_lever(z, demo_score - margin - rng.uniform(0, 0.5),
                                                                         profile):
            z.x["far"] *= 0.7
            _solve_lever(z, demo_score - margin - 0.1, profile)
    # provinces: exactly DEMO_PROVINCE_RANK − 1 Shandong zones above the demo
    east = [p for p in PROVINCES["东部"] if p != "山东省"]
    for i, z in enumerate(above):
        if i < DEMO_PROVINCE_RANK - 1:
            z.region, z.province = "东部", "山东省"
        elif z.province == "山东省" or not z.province:
            z.province = east[int(rng.integers(len(east)))] if z.region == "东部" else z.province
    for z in below[:3]:
        z.region, z.province = "东部", "山东省"


def _assign_provinces(zones: list[Zone], rng: np.random.Generator) -> None:
    for z in zones:
        names = PROVINCES[z.region]
        w = np.array([PROVINCE_WEIGHT.get(n, 1.0) for n in names])
        z.province = str(rng.choice(names, p=w / w.sum()))


def _mean_score(zones: list[Zone], demo_score: float, profile: Profile) -> float:
    s = [_score(z, profile) for z in zones] + [demo_score]
    return sum(s) / len(s)


def _calibrate_mean_score(zones: list[Zone], demo_score: float, profile: Profile, target: float) -> None:
    """Shift the industrial zones' free levers together until the mean score is ``target``."""
    ind = [z for z in zones if z.eval_type == "industrial"]
    base = [z.lever for z in ind]

    def at(delta: float) -> float:
        for z, b in zip(ind, base):
            z.lever = float(np.clip(b + delta, 0.0, 1.0))
        return _mean_score(zones, demo_score, profile)

    lo, hi = -1.0, 1.0
    if not at(lo) <= target <= at(hi):
        at(0.0)
        return
    for _ in range(60):
        mid = (lo + hi) / 2
        if at(mid) < target:
            lo = mid
        else:
            hi = mid
    at(hi)


# --------------------------------------------------------------------------- parcels
def _zone_layers(z: Zone, year: int, x0: float, y0: float,
                 rng: np.random.Generator) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Parcels and buildings reproducing a zone's values exactly."""
    v = z.values()
    t = _terms(z)
    ha = 1e4
    a, a2, d, b21, b = t["A"], t["A2"], t["D"], t["B21"], t["B"]
    supplied_unbuilt = d - a
    g = v["idle_rate"] / 100 * d
    other_a = a - a2
    c_ha = a * float(rng.uniform(0.03, 0.15))
    b_rest = b - b21
    e21 = (b21 - supplied_unbuilt) * 0.6
    e22 = (b21 - supplied_unbuilt) - e21
    idle_unbuilt = min(g, supplied_unbuilt)
    idle_a2 = g - idle_unbuilt
    rows: list[tuple[str, str, float, bool]] = [
        ("A2", "D21", a2 - idle_a2, False), ("A2", "D21", idle_a2, True),
        ("A1", "D21", other_a * (0.45 if z.eval_type == "integrated" else 0.15), False),
        ("A4", "D21", other_a * (0.20 if z.eval_type == "integrated" else 0.15), False),
        ("A31", "D1", other_a * 0.20, False),
        ("A51", "D1", other_a * (0.15 if z.eval_type == "integrated" else 0.50), False),
        ("B21", "D21", supplied_unbuilt - idle_unbuilt, False), ("B21", "D21", idle_unbuilt, True),
        ("B21", "E21", e21, False), ("B21", "E22", e22, False),
        ("B22", "E22", b_rest * 0.7, False), ("B11", "F", b_rest * 0.3, False), ("C1", "F", c_ha, False),
    ]
    rows = [r for r in rows if r[2] > 1e-9]
    total = sum(r[2] for r in rows) * ha
    h = max(200.0, math.sqrt(total / 8))
    parcels: list[dict[str, Any]] = []
    buildings: list[dict[str, Any]] = []
    x = x0
    fp_a = v["building_density"] / 100 * a * ha
    fpall_a2 = v["industrial_building_coefficient"] / 100 * a2 * ha
    # building footprint on A2: most of the coefficient, but enough that the rest of A stays ≤ 60 % covered
    fb2 = min(max(0.8 * min(fpall_a2, fp_a), fp_a - 0.6 * other_a * ha), fpall_a2, fp_a)
    fa_a2, fa_other = t["FA_A2"] * ha, (t["FA_A"] - t["FA_A2"]) * ha
    a2_area = a2 * ha
    other_area = other_a * ha
    if fa_other < 0 or fp_a - fb2 > 0.95 * other_area:
        raise RuntimeError(f"national demo: zone {z.code} cannot be drawn (FAR {v['far']:.3f}, density "
                           f"{v['building_density']:.1f}, industrial share {v['industrial_land_ratio']:.1f})")
    for k, (bc, sc, area_ha, idle) in enumerate(rows):
        area = area_ha * ha
        w = area / h
        pid = f"{z.code}-P{k + 1:02d}"
        year_s = int(rng.integers(year - 12, year + 1)) if sc.startswith("D") else None
        parcels.append({"parcel_id": pid, "zone_code": z.code, "build_class": bc, "supply_class": sc,
                        "area_m2": area, "idle": idle, "land_use_code": "0601" if bc in ("A2",) else None,
                        "supply_date": pd.Timestamp(year_s, int(rng.integers(1, 13)), 1).date() if year_s else None,
                        "geometry": box(x, y0, x + w, y0 + h)})
        if bc == "A2" and area > 0:
            share = area / a2_area
            parts = [("building", fb2 * share, fa_a2 * share), ("yard", (fpall_a2 - fb2) * share, None)]
        elif bc.startswith("A") and other_area > 0:
            share = area / other_area
            parts = [("building", (fp_a - fb2) * share, fa_other * share)]
        else:
            parts = []
        bx = x + 0.01 * w
        for j, (kind, fp, fa) in enumerate(parts):
            if fp <= 0:
                continue
            bw = fp / (0.9 * h)
            buildings.append({"building_id": f"{pid}-B{j + 1}", "parcel_id": pid, "kind": kind,
                              "footprint_m2": fp, "floor_area_m2": fa,
                              "geometry": box(bx, y0 + 0.05 * h, bx + bw, y0 + 0.95 * h)})
            bx += bw + 0.002 * w
        x += w
    pop = v["population_density"] * a
    zy = {"zone_code": z.code, "year": year, "tax_total_wan": t["tax"], "industrial_tax_wan": t["itax"],
          "industrial_fai_wan": t["fai"], "population": int(round(pop))}
    return parcels, buildings, zy


def build_national(*, demo_zone: dict[str, Any], year: int = 2020, seed: int = 2020,
                   profile: Profile | None = None) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """The 540 synthetic zones (the demo zone is the 541st, ranked from its own package).

    ``demo_zone`` is the demo zone's evaluation document (``jiyue.evaluation.service.evaluate``):
    its terms enter the national sums and its score fixes the placement.
    """
    prof = profile or load_profile("tdt1029-2017")
    rng = np.random.default_rng(seed)
    zones = _draw_zones(rng)
    dt_ = demo_zone["terms"]
    demo_terms = {"A": dt_["A"] / 1e4, "A2": dt_["A2"] / 1e4, "D": dt_["D"] / 1e4, "B21": dt_["B21"] / 1e4,
                  "B": dt_["B"] / 1e4, "FA_A": dt_["FA_A"] / 1e4, "FA_A2": dt_["FA_A2"] / 1e4,
                  "fai": dt_.get("industrial_fai_wan") or 0.0, "itax": dt_.get("industrial_tax_wan") or 0.0,
                  "tax": dt_.get("tax_total_wan") or 0.0}
    targets = TARGETS_2020 if year >= 2020 else TARGETS_2019
    if year < 2020:  # the year before: the same zones, a little less intensive
        for z in zones:
            z.lever = max(0.0, z.lever - 0.03)
    _calibrate(zones, demo_terms, targets)
    _assign_provinces(zones, rng)
    demo_score = float(demo_zone["score"])
    if year >= 2020:
        _place_demo(zones, demo_score, prof, rng)
        _calibrate_mean_score(zones, demo_score, prof, MEAN_SCORE_2020)
        _place_demo(zones, demo_score, prof, rng)  # the mean-score shift moves no integrated zone
    return _frames(zones, year, rng)


def _frames(zones: list[Zone], year: int, rng: np.random.Generator) -> dict[str, Any]:
    zrows, prow, brow, zyrows = [], [], [], []
    cols = 24
    cell = 0.0
    for z in zones:
        cell = max(cell, math.sqrt(sum(_terms(z)[k] for k in ("A", "B")) * 1e4 / 8) * 12)
    counters: dict[str, int] = {}
    for i, z in enumerate(zones):
        x0 = 39_000_000.0 + (i % cols) * cell
        y0 = 3_000_000.0 + (i // cols) * cell
        ps, bs, zy = _zone_layers(z, year, x0, y0, rng)
        prow += ps
        brow += bs
        zyrows.append(zy)
        minx = min(p["geometry"].bounds[0] for p in ps)
        maxx = max(p["geometry"].bounds[2] for p in ps)
        maxy = max(p["geometry"].bounds[3] for p in ps)
        short = z.province.replace("省", "").replace("市", "").replace("自治区", "")[:3]
        counters[short] = counters.get(short, 0) + 1
        zrows.append({"zone_code": z.code, "name": f"{short}第{counters[short]}{CATEGORY_NAMES[z.category]}（模拟）",
                      "province": z.province, "city": None, "level": "national", "category": z.category,
                      "eval_type": z.eval_type, "approved_area_ha": sum(p["area_m2"] for p in ps) / 1e4,
                      "geometry": box(minx, y0, maxx, maxy)})
    zones_gdf = gpd.GeoDataFrame(zrows, geometry="geometry", crs=CRS)
    parcels = gpd.GeoDataFrame(prow, geometry="geometry", crs=CRS)
    buildings = gpd.GeoDataFrame(brow, geometry="geometry", crs=CRS)
    return {"zones": zones_gdf, "parcels": parcels, "buildings": buildings, "zone_years": pd.DataFrame(zyrows)}


def write_national(out: str | Path, *, demo_zone: dict[str, Any], year: int = 2020, seed: int = 2020) -> Path:
    """Write the synthetic national set as one GeoPackage."""
    import pyogrio

    out = Path(out)
    if out.exists():
        out.unlink()
    layers = build_national(demo_zone=demo_zone, year=year, seed=seed)
    for name, df in layers.items():
        if isinstance(df, gpd.GeoDataFrame):
            pyogrio.write_dataframe(df, out, layer=name, driver="GPKG")
        else:
            pyogrio.write_dataframe(df, out, layer=name, driver="GPKG")
    return out
