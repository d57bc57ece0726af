"""Per-mu service figures the web shows: land held per enterprise, parcel areas in 亩, map classes.
1 亩 = 10 000 / 15 m² exactly (so 10 000 m² = 15 亩, 2 000 m² = 3 亩)."""

from __future__ import annotations

import math

import pandas as pd

from jiyue.mujun.service import enterprise_land, land_held, map_classes, parcels_in_mu


def test_land_held_sums_each_users_parcels():
    parcels = pd.DataFrame({"user_id": ["E2", "E1", "E1", None, "E3"],
                            "area_eff_m2": [None, 6_000.0, 4_000.0, 500.0, 2_000.0]})
    out = land_held(parcels)
    assert out["enterprise_id"].tolist() == ["E1", "E2", "E3"]  # by id; the parcel without a user left out
    assert out["parcels"].tolist() == [2, 1, 1]
    assert out["land_m2"].tolist() == [10_000.0, 0.0, 2_000.0]  # an unknown area counts 0
    assert [round(v, 12) for v in out["land_mu"]] == [15.0, 0.0, 3.0]


def test_land_held_of_no_parcels_is_empty():
    out = land_held(pd.DataFrame({"user_id": [], "area_eff_m2": []}, dtype=object))
    assert len(out) == 0 and float(out["land_mu"].sum()) == 0.0


def test_parcels_in_mu():
    rows = parcels_in_mu([{"parcel_id": "P1", "area_eff_m2": 2_000.0}, {"parcel_id": "P2", "area_eff_m2": None}])
    assert math.isclose(rows[0]["area_mu"], 3.0) and rows[1]["area_mu"] is None and rows[0]["parcel_id"] == "P1"


def test_map_classes():
    doc = {"enterprises": [{"enterprise_id": "E1", "class": "A"},
                           {"enterprise_id": "E2", "class": None, "status": "deferred"},
                           {"enterprise_id": "E3", "class": None, "status": "evaluated"},
                           {"enterprise_id": 7, "class": "B+"}]}
    assert map_classes(doc) == {"E1": "A", "E2": "T", "7": "B"}
    assert map_classes({}) == {}


def test_enterprise_land_and_tax_per_mu():
    held = land_held(pd.DataFrame({"user_id": ["E1", "E2"], "area_eff_m2": [10_000.0, 2_000.0]}))
    rows = enterprise_land([{"enterprise_id": "E1", "tax_wan": 300.0}, {"enterprise_id": "E2", "tax_wan": None},
                            {"enterprise_id": "E3", "tax_wan": 50.0}], held)
    e1, e2, e3 = rows
    assert (e1["parcels"], e1["land_m2"]) == (1, 10_000.0) and math.isclose(e1["land_mu"], 15.0)
    assert math.isclose(e1["tax_per_mu_wan"], 20.0)  # 300 万元 / 15 亩
    assert math.isclose(e2["land_mu"], 3.0) and e2["tax_per_mu_wan"] is None  # no tax
    assert (e3["parcels"], e3["land_m2"], e3["land_mu"], e3["tax_per_mu_wan"]) == (0, 0.0, 0.0, None)  # no land
