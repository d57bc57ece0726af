"""Rankings whose order is known without any weights, averages by hand, year on year, what-if."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from factories import write_gpkg
from jiyue.ranking.rank import competition_ranks
from jiyue.ranking.regions import region_of
from jiyue.ranking.service import rank
from jiyue.ranking.whatif import whatif
from ranking_factories import merge, zone_copy

JIYUE = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "jiyue")


def test_competition_ranks_ties() -> None:
    assert competition_ranks([("a", 90.0), ("b", 80.0), ("c", 80.0), ("d", 70.0)]) == \
        {"a": 1, "b": 2, "c": 2, "d": 4}


def test_regions() -> None:
    assert region_of("山东省") == "东部" and region_of("黑龙江省") == "东北"
    assert region_of("广西壮族自治区") == "西部" and region_of("河南") == "中部" and region_of("火星") is None


@pytest.fixture(scope="module")
def five_zones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five integrated zones identical but for FAR: Z_k has extra floor area 1000·k.

    Z1, Z3, Z5 in 山东省; Z2, Z4 in 江苏省; and ZT an exact twin of Z3 (in 山东省).
    More floor area → higher FAR (below its ideal 1.5, so never capped) → higher score.
    """
    zs = [zone_copy(f"Z{k}", province="山东省" if k % 2 else "江苏省", dx=1000 * k, extra_floor_area=1000 * k)
          for k in range(1, 6)]
    twin = zone_copy("ZT", province="山东省", dx=7000, extra_floor_area=3000)
    return write_gpkg(merge(*zs, twin), tmp_path_factory.mktemp("r") / "five.gpkg")


def test_order_known_without_weights(five_zones: Path) -> None:
    doc = rank([five_zones])
    r = {x["zone_code"]: x for x in doc["rankings"]}
    # national: Z5 > Z4 > Z3 = ZT > Z2 > Z1
    assert [r[z]["rank_national"] for z in ("Z5", "Z4", "Z3", "ZT", "Z2", "Z1")] == [1, 2, 3, 3, 5, 6]
    assert {r[z]["of_national"] for z in r} == {6}
    # 山东: Z5, Z3 = ZT, Z1 ; 江苏: Z4, Z2
    assert [r[z]["rank_province"] for z in ("Z5", "Z3", "ZT", "Z1")] == [1, 2, 2, 4]
    assert r["Z4"]["rank_province"] == 1 and r["Z2"]["rank_province"] == 2 and r["Z2"]["of_province"] == 2
    assert r["Z3"]["score"] == r["ZT"]["score"]


def test_types_are_ranked_separately(tmp_path: Path) -> None:
    a = zone_copy("I1", eval_type="industrial", dx=0)
    b = zone_copy("C1", eval_type="integrated", dx=1000)
    doc = rank([write_gpkg(merge(a, b), tmp_path / "two.gpkg")])
    assert all(x["rank_national"] == 1 and x["of_national"] == 1 for x in doc["rankings"])


def test_averages_sum_of_numerators_over_sum_of_denominators(tmp_path: Path) -> None:
    """Z1 unchanged (FA_A 9 800); Z2 with +3 000 m²: Σ FA_A / Σ A = 22 600 / 60 000; mean of FARs."""
    a = zone_copy("Z1", dx=0)
    b = zone_copy("Z2", dx=1000, extra_floor_area=3000)
    b["parcels"].loc[b["parcels"].parcel_id == "Z2-P5", "supply_class"] = "D21"   # Z2: D = 5 ha
    doc = rank([write_gpkg(merge(a, b), tmp_path / "two.gpkg")])
    nat = doc["averages"]["national"]["integrated"]
    assert nat["ratio"]["far"] == pytest.approx(22_600 / 60_000)
    assert nat["mean"]["far"] == pytest.approx((9_800 / 30_000 + 12_800 / 30_000) / 2)
    # supply rate: Σ D / Σ (A + B21) = (4 + 5) / (5 + 5); mean of 80 % and 100 %
    assert nat["ratio"]["supply_rate"] == pytest.approx(90.0)
    assert nat["mean"]["supply_rate"] == pytest.approx(90.0)
    # built rate: Σ A / Σ D = 6 / 9 vs mean of 75 % and 60 %
    assert nat["ratio"]["built_rate"] == pytest.approx(6 / 9 * 100)
    assert nat["mean"]["built_rate"] == pytest.approx(67.5)
    assert doc["averages"]["region"]["东部"]["integrated"]["count"] == 2


def test_year_on_year(tmp_path: Path) -> None:
    base = write_gpkg(merge(zone_copy("Z1", dx=0), zone_copy("Z2", dx=1000, extra_floor_area=3000)),
                      tmp_path / "2019.gpkg")
    cur = merge(zone_copy("Z1", dx=0, extra_floor_area=6000), zone_copy("Z2", dx=1000, extra_floor_area=3000))
    cur_p = write_gpkg(cur, tmp_path / "2020.gpkg")
    doc = rank([cur_p], base=[base])
    z = {x["zone_code"]: x for x in doc["year_on_year"]["zones"]}
    assert z["Z1"]["rank_national"] == {"base": 2, "current": 1, "change": 1}
    assert z["Z1"]["indicators"]["far"]["change"] == pytest.approx(6000 / 30000)
    assert z["Z2"]["score"]["change"] == pytest.approx(0.0)


def test_whatif_scenario_recomputed_by_hand(five_zones: Path, tmp_path: Path) -> None:
    """Supply Z1's ready parcel P5 (1 ha): D 4 → 5 ha."""
    sc = tmp_path / "s.toml"
    sc.write_text('name = "供应P5"\n[[changes]]\nparcel_id = "Z1-P5"\nset = { supply_class = "D21" }\n',
                  encoding="utf-8")
    doc = whatif(five_zones, zone="Z1", scenario=sc)
    after = doc["after"]
    assert after["indicators"]["supply_rate"] == pytest.approx(100.0)    # 5 / (3 + 2)
    assert after["indicators"]["built_rate"] == pytest.approx(60.0)      # 3 / 5
    assert after["indicators"]["idle_rate"] == pytest.approx(20.0)       # 1 / 5
    far = (9_800 + 1_000) / 30_000
    w_int = (0.5319148936170213, 0.46808510638297873)
    degree = 0.5 * 100 + 0.5 * 60
    intensity = w_int[0] * (far / 1.5 * 100) + w_int[1] * (11.0 / 35 * 100)
    benefit = 0.5 * (300 / 800 * 100) + 0.5 * (40 / 100 * 100)
    want = 0.7 * (degree / 3 + intensity * 2 / 3) + 0.2 * benefit + 0.1 * 80.0
    assert after["score"] == pytest.approx(want)
    # the package itself is unchanged
    assert rank([five_zones])["rankings"][-1]["zone_code"] == "Z1"


def test_whatif_bad_scenario_and_suggestions(five_zones: Path, tmp_path: Path) -> None:
    sc = tmp_path / "bad.toml"
    sc.write_text('[[changes]]\nparcel_id = "NOPE"\nset = { idle = false }\n', encoding="utf-8")
    r = subprocess.run([JIYUE, "whatif", str(five_zones), "--zone", "Z1", "--scenario", str(sc)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "NOPE" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([JIYUE, "whatif", str(five_zones), "--zone", "Z1"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    keys = {s["key"] for s in doc["scenarios"]}
    assert {"supply_ready", "dispose_idle", "densify_industrial"} <= keys
    dispose = next(s for s in doc["scenarios"] if s["key"] == "dispose_idle")
    assert dispose["parcels"] == ["Z1-P4"] and dispose["after"]["indicators"]["idle_rate"] == 0.0
    assert doc["before"]["rank_national"] == 6 and doc["before"]["of_national"] == 6


def test_cli_rank_json_and_xlsx(five_zones: Path, tmp_path: Path) -> None:
    r = subprocess.run([JIYUE, "rank", str(five_zones), "--format", "json", "--no-zones"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    row = doc["rankings"][0]
    for k in ("zone_code", "eval_type", "score", "rank_national", "of_national", "rank_province", "of_province"):
        assert k in row
    assert "averages" in doc
    out = tmp_path / "rank.xlsx"
    r = subprocess.run([JIYUE, "rank", str(five_zones), "--format", "xlsx", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and out.exists()
    r = subprocess.run([JIYUE, "rank", str(five_zones), str(five_zones)], capture_output=True, text=True)
    assert r.returncode == 2 and "只能参加一次" in r.stderr
