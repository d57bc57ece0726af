"""Tests of the demo data package (jiyue.demo).

The seed figures are recomputed here by plain arithmetic, independently of
``demo_summary``; the credit-code checksum and the breach rule are re-implemented too.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from jiyue.demo import DEMO_YEAR, DEMO_ZONE_CODE, build_demo, demo_summary, write_demo

AS_OF = pd.Timestamp(2020, 12, 31)
D_CLASSES = ("D1", "D21", "D22")
BUILD_CLASSES = {"A1", "A2", "A31", "A32", "A4", "A51", "A52", "A6", "B11", "B12", "B21", "B22", "C1", "C2", "C3"}
SUPPLY_CLASSES = {"D1", "D21", "D22", "E1", "E21", "E22", "F"}
EVENTS = {"delivered", "permit", "commenced", "delayed", "halted", "resumed", "completed", "accepted",
          "in_production", "reviewed"}
CAUSES = {"enterprise", "gov_1", "gov_2", "gov_3", "gov_4", "gov_5", "gov_6", "force_majeure", "prelim_work"}
LOW_EFFICIENCY_FIRMS = ("山东欢派食品有限公司", "聊城昌新汽车零部件有限公司", "艾雅贵(聊城)食品有限公司",
                        "聊城市凤凰绣品有限公司", "聊城市凤凰工艺品有限公司")
GUAIBAO = "乖宝宠物食品集团股份有限公司"
M2_PER_MU = 10_000 / 15


@pytest.fixture(scope="module")
def layers() -> dict:
    return build_demo(2020)


# ----------------------------------------------------------------------------- helpers
def floor_area(buildings: pd.DataFrame) -> pd.Series:
    """Recorded floor area, else footprint (recorded or geometric) × floors, doubled above 8 m."""
    fp = buildings["footprint_m2"].to_numpy(dtype=float, na_value=np.nan)
    fp = np.where(np.isnan(fp), shapely.area(buildings.geometry.values), fp)
    floors = buildings["floors"].to_numpy(dtype=float, na_value=0.0)
    storey = buildings["storey_height_m"].to_numpy(dtype=float, na_value=0.0)
    fallback = fp * floors * np.where(storey > 8, 2.0, 1.0)
    recorded = buildings["floor_area_m2"].to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(np.where(np.isnan(recorded), fallback, recorded), index=buildings.index)


def seed_figures(layers: dict) -> tuple[float, float, float]:
    p, b = layers["parcels"], layers["buildings"]
    a = p.loc[p["build_class"].str.startswith("A"), "area_m2"].sum()
    b21 = p.loc[p["build_class"] == "B21", "area_m2"].sum()
    d = p.loc[p["supply_class"].isin(D_CLASSES), "area_m2"].sum()
    a_parcels = set(p.loc[p["build_class"].str.startswith("A"), "parcel_id"])
    on_a = (b["kind"] == "building") & b["parcel_id"].isin(a_parcels)
    return d / (a + b21) * 100, a / d * 100, floor_area(b)[on_a].sum() / a


def credit_code_ok(code: str) -> bool:
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, … (3^i mod 31)
    if len(code) != 18 or any(c not in charset for c in code):
        return False
    total = sum(charset.index(c) * w for c, w in zip(code[:17], weights))
    return charset[(31 - total % 31) % 31] == code[17]


def breached(contract: pd.Series, events: pd.DataFrame, idle: bool) -> bool:
    """The breach rule of docs/demo.md, written out independently."""
    date = pd.to_datetime(events["date"])
    start, done = pd.Timestamp(contract["start_agreed"]), pd.Timestamp(contract["completion_agreed"])
    commenced = date[events["event"] == "commenced"].min()
    completed = date[events["event"] == "completed"].min()
    excused = ((events["event"] == "delayed") & (events["cause"] != "enterprise") & (date <= start)).any()
    late_start = not excused and (commenced > start if pd.notna(commenced) else AS_OF > start)
    late_done = completed > done if pd.notna(completed) else AS_OF > done
    short = pd.notna(completed) and events["invested_wan"].max() < 0.9 * (
        contract["total_investment_wan"] - contract["land_price_wan"])
    return bool(late_start or late_done or short or idle)


# ----------------------------------------------------------------------------- determinism
def test_same_seed_same_package(layers: dict) -> None:
    again = build_demo(2020)
    for name in ("parcels", "buildings"):
        left, right = layers[name], again[name]
        pd.testing.assert_frame_equal(left.drop(columns="geometry"), right.drop(columns="geometry"))
        assert shapely.equals_exact(left.geometry.values, right.geometry.values, tolerance=0).all()
    for name in ("enterprises", "enterprise_years", "contracts", "progress", "zone_years"):
        pd.testing.assert_frame_equal(layers[name], again[name])
    assert floor_area(layers["buildings"]).sum() == floor_area(again["buildings"]).sum()


def test_other_seed_other_geometry_same_figures(layers: dict) -> None:
    other = build_demo(7)
    assert not shapely.equals_exact(layers["parcels"].geometry.values[:50], other["parcels"].geometry.values[:50],
                                    tolerance=0).all()
    assert layers["parcels"]["area_m2"].sum() != other["parcels"]["area_m2"].sum()
    for x, y in zip(seed_figures(layers), seed_figures(other)):
        assert round(x, 2) == round(y, 2)


# ----------------------------------------------------------------------------- seed figures
@pytest.mark.parametrize("seed", [2020, 1, 99])
def test_seed_figures(seed: int, layers: dict) -> None:
    pkg = layers if seed == 2020 else build_demo(seed)
    supply, built, far = seed_figures(pkg)
    assert round(supply, 2) == 99.74
    assert round(built, 2) == 98.19
    assert round(far, 2) == 1.20
    assert abs(far - 1.2) <= 0.0004


def test_plausible_figures(layers: dict) -> None:
    p, b = layers["parcels"], layers["buildings"]
    area = p.set_index("parcel_id")["area_m2"]
    cls = p.set_index("parcel_id")["build_class"]
    a = area[cls.str.startswith("A")].sum()
    a2 = area[cls == "A2"].sum()
    d = p.loc[p["supply_class"].isin(D_CLASSES), "area_m2"].sum()
    g = p.loc[p["idle"], "area_m2"].sum()
    bcls = b["parcel_id"].map(cls)
    fp = b["footprint_m2"].fillna(pd.Series(shapely.area(b.geometry.values), index=b.index))
    density = fp[(b["kind"] == "building") & bcls.str.startswith("A")].sum() / a * 100
    industrial_far = floor_area(b)[(b["kind"] == "building") & (bcls == "A2")].sum() / a2
    assert 25 <= density <= 35
    assert 35 <= a2 / a * 100 <= 45
    assert 0.9 <= industrial_far <= 1.1
    assert 0.5 <= g / d * 100 <= 1.5
    zy = layers["zone_years"].set_index("year")
    assert 400 <= zy.loc[DEMO_YEAR, "tax_total_wan"] / (a / 1e4) <= 600
    assert 40 <= zy.loc[DEMO_YEAR, "population"] / (a / 1e4) <= 80


def test_summary_matches_plain_arithmetic(layers: dict) -> None:
    s = demo_summary(layers)
    supply, built, far = seed_figures(layers)
    assert s["supply_rate"] == pytest.approx(supply, abs=1e-3)
    assert s["built_rate"] == pytest.approx(built, abs=1e-3)
    assert s["far"] == pytest.approx(far, abs=1e-4)
    assert s["contracts_since_2016"] == 37 and s["breaches"] == 12


# ----------------------------------------------------------------------------- geometry
def test_parcels_do_not_overlap(layers: dict) -> None:
    geoms = layers["parcels"].geometry.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]]))
    assert overlap.max() <= 0.5


def test_parcels_shapes(layers: dict) -> None:
    p = layers["parcels"]
    assert p.geometry.is_valid.all() and (p.geom_type == "Polygon").all()
    assert (p["area_m2"] == np.round(p.geometry.area, 2)).all()
    bounds = p.geometry.bounds
    assert (np.minimum(bounds.maxx - bounds.minx, bounds.maxy - bounds.miny) >= 15).all()  # no slivers
    assert (p["area_m2"] >= 300).all()
    zone = layers["zones"].geometry.iloc[0]
    assert shapely.covered_by(p.geometry.values, zone).all()
    assert zone.area == pytest.approx(p.geometry.area.sum(), rel=1e-9)
    assert p.crs.to_epsg() == 4527
    x, y = zone.centroid.x, zone.centroid.y
    assert 39_400_000 < x < 39_420_000 and 4_030_000 < y < 4_042_000


def test_buildings_inside_their_parcel(layers: dict) -> None:
    b, p = layers["buildings"], layers["parcels"].set_index("parcel_id")
    own = p.geometry.loc[b["parcel_id"]].values
    assert shapely.covered_by(b.geometry.values, own).all()
    assert shapely.contains_properly(own, b.geometry.representative_point().values).all()
    fp = b["footprint_m2"].dropna()
    assert (fp == np.round(b.geometry.area[fp.index], 2)).all()
    assert 12_000 <= len(b) <= 18_000
    assert set(b["kind"]) == {"building", "structure", "yard"}
    towers = b[(b["parcel_id"].map(p["build_class"]) == "A1") & (b["floors"] >= 11)]
    assert towers["floors"].max() <= 33
    plants = b[b["parcel_id"].map(p["build_class"]).eq("A2") & b["kind"].eq("building")]
    assert plants["floors"].max() <= 6 and (plants["storey_height_m"] > 8).any()


def test_unique_ids_and_references(layers: dict) -> None:
    keys = {"parcels": "parcel_id", "buildings": "building_id", "enterprises": "enterprise_id",
            "contracts": "contract_no", "facilities": "facility_id", "roads": "road_id"}
    for name, key in keys.items():
        assert layers[name][key].is_unique, name
    p, e = layers["parcels"], layers["enterprises"]
    assert p["parcel_id"].str.fullmatch(r"LC-\d{6}").all()
    assert layers["buildings"]["building_id"].str.fullmatch(r"B-\d{7}").all()
    assert e["enterprise_id"].str.fullmatch(r"E-\d{4}").all()
    assert set(p["user_id"].dropna()) <= set(e["enterprise_id"])
    assert set(p["contract_no"].dropna()) == set(layers["contracts"]["contract_no"])
    assert set(layers["buildings"]["parcel_id"]) <= set(p["parcel_id"])
    assert set(layers["progress"]["contract_no"]) == set(layers["contracts"]["contract_no"])
    assert set(layers["contracts"]["parcel_id"]) <= set(p["parcel_id"])
    ey = layers["enterprise_years"]
    assert not ey.duplicated(["enterprise_id", "year"]).any()
    assert set(ey["enterprise_id"]) == set(e["enterprise_id"])
    assert sorted(ey["year"].unique()) == [2018, 2019, 2020]
    assert 350 <= len(e) <= 460
    assert 2_500 <= len(p) <= 3_500


def test_class_codes_and_consistency(layers: dict) -> None:
    p = layers["parcels"]
    assert set(p["build_class"]) <= BUILD_CLASSES
    assert set(p["supply_class"]) <= SUPPLY_CLASSES
    assert (p["zone_code"] == DEMO_ZONE_CODE).all()
    built = p["build_class"].str.startswith("A")
    assert p.loc[built, "supply_class"].isin(D_CLASSES).all()  # built land is supplied
    assert not p.loc[p["supply_class"].str.startswith("E"), "build_class"].str.startswith("A").any()
    assert (p.loc[p["build_class"].str.startswith("C"), "supply_class"] == "F").all()
    supplied = p["supply_class"].isin(D_CLASSES)
    assert p.loc[supplied, "supply_date"].notna().all() and p.loc[supplied, "supply_method"].notna().all()
    assert (p.loc[p["build_class"] == "A2", "user_id"].notna()).all()
    assert p.loc[p["idle"], "build_class"].eq("B21").all()


# ----------------------------------------------------------------------------- stories
def test_37_contracts_since_2016_and_12_breaches(layers: dict) -> None:
    p, c, pr = layers["parcels"], layers["contracts"], layers["progress"]
    industrial = p["build_class"].eq("A2") | (p["build_class"].eq("B21") & p["supply_class"].eq("D21"))
    since = p[industrial & (pd.to_datetime(p["supply_date"]) >= pd.Timestamp(2016, 1, 1))]
    assert len(since) == 37
    assert since["contract_no"].notna().all()
    assert set(since["parcel_id"]) == set(c["parcel_id"])
    assert set(pr["event"]) <= EVENTS and set(pr["cause"].dropna()) <= CAUSES
    assert not pr.duplicated(["contract_no", "date"]).any()  # the table's key
    for no, ev in pr.groupby("contract_no"):
        assert pd.to_datetime(ev["date"]).is_monotonic_increasing, no
        assert (pd.to_datetime(ev["date"]) <= AS_OF).all()
        assert ev["invested_wan"].is_monotonic_increasing, no
    assert pr.loc[pr["event"] == "halted", "approved"].notna().all()
    assert pr.loc[pr["event"].isin(["delayed", "halted"]), "cause"].notna().all()
    idle = p.set_index("parcel_id")["idle"]
    flags = [breached(row, pr[pr["contract_no"] == row["contract_no"]], bool(idle[row["parcel_id"]]))
             for _, row in c.iterrows()]
    assert sum(flags) == 12
    assert (c["late_start_permille"] == 1).all() and (c["late_completion_permille"] == 1).all()
    standard = c[c["production_review_date"].notna()]
    assert len(standard) >= 3 and standard["commit_tax_per_mu"].notna().all()
    assert (pd.to_datetime(standard["signed_date"]) >= pd.Timestamp(2019, 1, 1)).all()
    price_per_mu = c["land_price_wan"] / (c["parcel_id"].map(p.set_index("parcel_id")["area_m2"]) / M2_PER_MU)
    assert price_per_mu.between(15, 40).all()


def test_recovered_block_and_guaibao(layers: dict) -> None:
    p, e, ey = layers["parcels"], layers["enterprises"], layers["enterprise_years"]
    ids = e.set_index("name")["enterprise_id"]
    block = p[p["user_id"].isin(ids[list(LOW_EFFICIENCY_FIRMS)])]
    assert len(block) == 5 and (block["build_class"] == "A2").all()
    assert round(block["area_m2"].sum() / 10_000, 2) == 5.43
    assert shapely.union_all(block.geometry.values).geom_type == "Polygon"  # one adjacent block
    low = ey[ey["enterprise_id"].isin(block["user_id"])]
    land = low["enterprise_id"].map(block.groupby("user_id")["area_m2"].sum()) / M2_PER_MU
    assert (low["tax_wan"] / land < 3).all()
    guaibao = p[p["user_id"] == ids[GUAIBAO]].sort_values("area_m2")
    assert list(guaibao["area_m2"]) == [86_700.0, 195_000.0]
    old_mu = 86_700 / M2_PER_MU
    taxes = ey[ey["enterprise_id"] == ids[GUAIBAO]].set_index("year")["tax_wan"]
    assert (taxes.loc[[2018, 2019, 2020]] / old_mu > 40).all()


def test_facilities(layers: dict) -> None:
    f = layers["facilities"]
    assert f["kind"].isin(["hospital", "clinic"]).sum() == 7
    assert f["name"].str.contains("颐养院").sum() == 1
    assert f.loc[f["name"].str.contains("颐养院"), "kind"].item() == "hospital"
    assert {"school", "kindergarten", "elderly", "park", "market", "transit"} <= set(f["kind"])
    zone = layers["zones"].geometry.iloc[0]
    assert shapely.contains(zone, f.geometry.values).all()
    assert len(layers["roads"]) >= 5 and set(layers["roads"].geom_type) == {"LineString"}
    assert {"中华路", "黑龙江路"} <= set(layers["roads"]["name"])


def test_credit_codes(layers: dict) -> None:
    e = layers["enterprises"]
    assert e["credit_code"].map(credit_code_ok).all()
    assert e["credit_code"].str.slice(0, 8).eq("91371500").all()
    assert e["credit_code"].is_unique and e["name"].is_unique
    assert e["scale"].isin(["above", "below"]).all()
    assert not credit_code_ok("91371500MA3C8D2X1A")  # a wrong checksum is rejected


def test_zone_row(layers: dict) -> None:
    z = layers["zones"].iloc[0]
    assert z["zone_code"] == DEMO_ZONE_CODE and z["eval_type"] == "integrated"
    assert (z["level"], z["category"], z["province"], z["city"]) == ("national", "etdz", "山东省", "聊城市")


# ----------------------------------------------------------------------------- writing
def test_write_demo_round_trip(tmp_path: Path, layers: dict) -> None:
    out = tmp_path / "demo.gpkg"
    out.write_bytes(b"old")  # overwritten
    t0 = time.perf_counter()
    path = write_demo(out)
    elapsed = time.perf_counter() - t0
    print(f"\nwrite_demo (build + write): {elapsed:.2f} s")
    assert path == out and elapsed < 30
    listed = {name for name, _ in pyogrio.list_layers(out)}
    assert listed == set(layers)
    for name, frame in layers.items():
        back = pyogrio.read_dataframe(out, layer=name)
        assert len(back) == len(frame), name
        assert set(frame.columns) - {"geometry"} <= set(back.columns), name
        if "geometry" in frame:
            assert back.crs.to_epsg() == 4527
    info = pyogrio.read_info(out, layer="parcels")
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["supply_date"] == "OFTDate"
    assert dict(zip(info["fields"], info["ogr_subtypes"]))["idle"] == "OFSTBoolean"
    assert dict(zip(*[pyogrio.read_info(out, layer="contracts")[k] for k in ("fields", "ogr_types")]))[
        "signed_date"] == "OFTDate"
    assert pyogrio.read_info(out, layer="enterprises")["geometry_type"] is None
    parcels = pyogrio.read_dataframe(out, layer="parcels")
    assert parcels["area_m2"].sum() == pytest.approx(layers["parcels"]["area_m2"].sum())
    assert parcels["supply_date"].min() >= pd.Timestamp(dt.date(1990, 1, 1))


def test_stories_match_parcels(layers: dict) -> None:
    p = layers["parcels"].set_index("parcel_id")
    c, pr = layers["contracts"], layers["progress"]
    done = set(pr.loc[pr["event"] == "completed", "contract_no"])
    for row in c.itertuples(index=False):
        built = p.loc[row.parcel_id, "build_class"] == "A2"
        assert built == (row.contract_no in done), row.contract_no  # built plants were completed
        assert p.loc[row.parcel_id, "user_id"] == row.enterprise_id
        assert pd.Timestamp(p.loc[row.parcel_id, "supply_date"]) == pd.Timestamp(row.signed_date)
    assert len(c) == 37 and (p.loc[c["parcel_id"], "build_class"] == "A2").sum() == 22
