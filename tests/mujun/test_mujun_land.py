"""Land accounting: own parcels + leased in − leased out to evaluated tenants, never twice."""

from __future__ import annotations

import pandas as pd
import pytest

from jiyue.errors import UsageError
from jiyue.mujun import inputs, land, scope, service
from jiyue.mujun.policy import load_policy
from jiyue.mujun.scheme import load_scheme
from mujun_factories import scheme

ENT = pd.DataFrame({"enterprise_id": ["L", "T", "U", "S"], "name": ["出租方", "承租方", "公用事业", "小企业"],
                    "industry_code": ["C3311", "C3311", "D4411", "C3311"], "scale": ["above", "above", "above", "below"],
                    "zone_code": "Z1"})
PARCELS = pd.DataFrame({"parcel_id": ["P1", "P2", "P3", "P4"], "zone_code": "Z1",
                        "area_eff_m2": [20000.0, 10000.0, 6000.0, 1000.0], "user_id": ["L", "L", "U", "S"]})


def ey(**extra: list) -> pd.DataFrame:
    d = {"enterprise_id": ["L", "T", "U", "S"], "year": 2022, "tax_wan": [300.0, 100.0, 50.0, 10.0],
         "electricity_mwh": 100.0, "land_m2_extra": [None, None, None, None]}
    d.update(extra)
    return pd.DataFrame(d)


def build(years: pd.DataFrame, leases: pd.DataFrame | None = None, sch: str = "shandong-2019",
          buildings: pd.DataFrame | None = None) -> pd.DataFrame:
    s = load_scheme(sch)
    f = inputs.build_frame(ENT, years, PARCELS, 2022, leases=leases, buildings=buildings,
                           evaluated=scope.evaluated_mask(s, 2022), deduct_leased_out=s.deduct_leased_out)
    return f.set_index("enterprise_id")


def test_own_parcels_and_land_m2_extra() -> None:
    f = build(ey(land_m2_extra=[None, 3000.0, None, 1000.0]))
    assert f.loc["L", "own_m2"] == 30000.0 and f.loc["L", "land_mu"] == pytest.approx(45.0)
    assert f.loc["T", "own_m2"] == 0.0 and f.loc["T", "leased_in_m2"] == 3000.0 and f.loc["T", "land_mu"] == 4.5
    assert f.loc["S", "land_m2"] == 2000.0 and f.loc["S", "land_mu"] == 3.0
    assert f.loc["L", "leased_out_m2"] == 0.0  # lessor unknown: nothing deducted


def test_lease_to_an_evaluated_tenant_moves_the_land() -> None:
    leases = land.normalise_leases(pd.DataFrame({"承租方": ["T"], "出租方": ["L"], "租赁土地面积": [5000.0]}))
    f = build(ey(), leases)
    assert f.loc["T", "land_m2"] == 5000.0
    assert f.loc["L", "leased_out_m2"] == 5000.0 and f.loc["L", "land_m2"] == 25000.0
    assert f["land_m2"].sum() == 30000.0 + 6000.0 + 1000.0  # the 5 000 m² counted once


def test_lease_to_a_tenant_that_is_not_evaluated_stays_with_the_lessor() -> None:
    leases = land.normalise_leases(pd.DataFrame({"lessee_id": ["U", "S"], "lessor_id": ["L", "L"],
                                                 "land_m2": [4000.0, 500.0]}))
    f = build(ey(), leases)
    # U is a utility (excluded); S (规下) holds 1 000 + 500 = 1 500 m² = 2.25 亩 < 3 亩 → not evaluated
    assert f.loc["L", "leased_out_m2"] == 0.0 and f.loc["L", "land_m2"] == 30000.0
    assert f.loc["S", "land_m2"] == 1500.0


def test_lessor_from_the_enterprise_years_field() -> None:
    f = build(ey(land_m2_extra=[None, 3000.0, None, None], x_出租方=[None, "L", None, None]))
    assert f.loc["L", "leased_out_m2"] == 3000.0 and f.loc["L", "land_m2"] == 27000.0


def test_lease_table_replaces_land_m2_extra_of_the_same_tenant() -> None:
    leases = land.normalise_leases(pd.DataFrame({"lessee_id": ["T"], "lessor_id": ["L"], "land_m2": [2000.0],
                                                 "start_year": [2021], "end_year": [2023]}))
    f = build(ey(land_m2_extra=[None, 3000.0, None, None]), leases)
    assert f.loc["T", "leased_in_m2"] == 2000.0


def test_lease_outside_its_years_is_ignored() -> None:
    leases = land.normalise_leases(pd.DataFrame({"lessee_id": ["T"], "lessor_id": ["L"], "land_m2": [2000.0],
                                                 "start_year": [2018], "end_year": [2020]}))
    f = build(ey(), leases)
    assert f.loc["T", "leased_in_m2"] == 0.0 and f.loc["L", "leased_out_m2"] == 0.0


def test_floor_space_lease_counts_its_share_of_the_parcel() -> None:
    # P2 (10 000 m²) carries 20 000 m² of floor area; T rents 5 000 m² of it → 2 500 m² of land
    b = pd.DataFrame({"building_id": ["B1", "B2"], "parcel_eff": ["P2", "P2"], "floor_area_m2": [12000.0, None],
                      "footprint_eff_m2": [3000.0, 2000.0], "floors": [4, 4]})
    leases = land.normalise_leases(pd.DataFrame({"lessee_id": ["T"], "lessor_id": ["L"], "floor_m2": [5000.0],
                                                 "parcel_id": ["P2"]}))
    f = build(ey(), leases, buildings=b)
    assert f.loc["T", "land_m2"] == pytest.approx(2500.0)
    assert f.loc["L", "land_m2"] == pytest.approx(27500.0)


def test_leasing_out_more_than_held_is_clipped_and_reported() -> None:
    leases = land.normalise_leases(pd.DataFrame({"lessee_id": ["T"], "lessor_id": ["S"], "land_m2": [2500.0]}))
    f = build(ey(), leases)
    assert bool(f.loc["S", "lease_clipped"]) and f.loc["S", "land_m2"] == 0.0
    ev = service.evaluate_frame(f.reset_index(), load_scheme("shandong-2019"), load_policy("none"), 2022)
    rec = next(e for e in service.enterprise_records(ev, load_scheme("shandong-2019"), load_policy("none"))
               if e["enterprise_id"] == "S")
    assert rec["status"] == "out_of_scope" and {r["code"] for r in rec["reasons"]} == {"no_land", "lease_clipped"}


def test_tenant_group() -> None:
    s = scheme("huangyan-2022", ('[groups.below]\nlabel = "规下企业"\nwhen = { scale = ["below"] }',
                                 '[groups.tenant]\nlabel = "租赁企业(名下无工业用地)"\nwhen = { tenant = true }\n'
                                 '[groups.tenant.items]\ntax_per_mu = { weight = 100, benchmark = 10.0 }\n\n'
                                 '[groups.below]\nlabel = "规下企业"\nwhen = { scale = ["below"] }'),
               ('[groups.above]\nlabel = "规上企业"\nwhen = { scale = ["above"] }',
                '[groups.above]\nlabel = "规上企业"\nwhen = { scale = ["above"], tenant = false }'))
    leases = land.normalise_leases(pd.DataFrame({"lessee_id": ["T"], "lessor_id": ["L"], "land_m2": [4000.0]}))
    f = inputs.build_frame(ENT, ey(), PARCELS, 2022, leases=leases, evaluated=scope.evaluated_mask(s, 2022))
    a = scope.assign(f, s, 2022).set_index(f["enterprise_id"])
    assert a.loc["T", "group"] == "tenant" and a.loc["L", "group"] == "above"
    ev = service.evaluate_frame(f, s, load_policy("none"), 2022)
    i = list(f["enterprise_id"]).index("T")
    assert ev.result.table["score"].iat[i] == pytest.approx(100.0 / 6.0 / 10.0 * 100)  # 100 万元 on 6 亩


def test_bad_lease_tables_report_every_row() -> None:
    raw = pd.DataFrame({"lessee_id": ["T", "T", "T"], "land_m2": ["abc", "-5", None], "floor_m2": [None, None, None]})
    with pytest.raises(UsageError) as e:
        land.normalise_leases(raw, "leases.csv")
    msg = e.value.message
    assert "第 2 行" in msg and "abc" in msg and "第 3 行" in msg and "负数" in msg and "第 4 行" in msg


def test_read_leases_from_csv(tmp_path) -> None:  # noqa: ANN001
    p = tmp_path / "leases.csv"
    p.write_text("承租方,出租方,租赁土地面积,起始年度,终止年度\nT,L,1500,2020,2025\n", encoding="utf-8")
    lz = land.read_leases(str(p))
    assert lz.loc[0, "lessee_id"] == "T" and lz.loc[0, "land_m2"] == 1500.0 and lz.loc[0, "end_year"] == 2025
    with pytest.raises(UsageError, match="不存在"):
        land.read_leases(str(tmp_path / "none.csv"))


@pytest.mark.parametrize("cell,said", [("abc", "不是数字：「abc」"), ("inf", "不是数字：「inf」"),
                                       ("-100", "为负数 -100")])
def test_lease_areas_follow_the_package_number_rule(cell, said):
    with pytest.raises(UsageError) as e:
        land.normalise_leases(pd.DataFrame({"承租方": ["T"], "出租方": ["L"], "租赁土地面积": [cell]}), "租赁.csv")
    assert said in e.value.message and "land_m2" in e.value.message
    ok = land.normalise_leases(pd.DataFrame({"承租方": ["T"], "出租方": ["L"], "租赁土地面积": ["1,200"]}))
    assert ok["land_m2"].tolist() == [1200.0]


@pytest.mark.parametrize("year", ["0", "20", "2020.5", "2101"])
def test_lease_years_are_real_years(year):
    with pytest.raises(UsageError) as e:
        land.normalise_leases(pd.DataFrame({"承租方": ["T"], "出租方": ["L"], "租赁土地面积": [100],
                                            "起始年度": [year]}), "租赁.csv")
    assert "1949 至 2100 之间的年份" in e.value.message and "start_year" in e.value.message
