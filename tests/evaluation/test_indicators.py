"""Indicators against hand arithmetic: the spec's worked example §9.5, in several CRSs."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

from factories import small_package, write_gpkg
from jiyue.evaluation.explain import explain
from jiyue.evaluation.indicators import INDICATORS
from jiyue.evaluation.service import evaluate
from eval_worked import EXPECTED, worked_package

JIYUE = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "jiyue")

REL = 1e-4 / 100  # 0.0001 % — far tighter than the 0.01 % the issue asks


def _close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


@pytest.fixture(scope="module")
def worked_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_gpkg(worked_package(), tmp_path_factory.mktemp("w") / "worked.gpkg")


def test_worked_example_every_indicator(worked_gpkg: Path) -> None:
    z = evaluate(worked_gpkg)["zones"][0]
    for key, want in EXPECTED.items():
        assert z["indicators"][key] is not None, key
        assert _close(z["indicators"][key], want), (key, z["indicators"][key], want)
    assert z["missing"] == {}
    a = z["areas_ha"]
    assert (a["A"], a["A2"], a["B21"], a["B22"], a["B11"], a["C"], a["D"], a["G"], a["E"], a["E21"]) == \
        (500, 300, 60, 100, 40, 50, 520, 10, 40, 40)


@pytest.mark.parametrize("epsg", [4490, 4326, 4547])
def test_worked_example_other_crs(tmp_path: Path, epsg: int) -> None:
    """Official areas given: the CRS must not change any figure."""
    layers = {k: (v.to_crs(epsg) if hasattr(v, "to_crs") else v) for k, v in worked_package().items()}
    z = evaluate(write_gpkg(layers, tmp_path / "w.gpkg"))["zones"][0]
    for key, want in EXPECTED.items():
        if key in ("far", "building_density", "industrial_far", "industrial_building_coefficient") and epsg == 4547:
            continue  # footprints from geometry change with the projection's scale (checked below)
        assert _close(z["indicators"][key], want), (epsg, key)


def test_geographic_package_areas_from_geometry(tmp_path: Path) -> None:
    """No area_m2 and EPSG:4490: projected to GK zone 39 (lon ≈ 116.0 → round(116/3) = 39 → EPSG:4527)."""
    layers = worked_package(with_area=False)
    layers = {k: (v.to_crs(4490) if hasattr(v, "to_crs") else v) for k, v in layers.items()}
    z = evaluate(write_gpkg(layers, tmp_path / "w.gpkg"))["zones"][0]
    for key, want in EXPECTED.items():
        assert _close(z["indicators"][key], want, 1e-4), (key, z["indicators"][key], want)


def test_missing_inputs_are_missing_not_zero(tmp_path: Path) -> None:
    layers = worked_package()
    layers["zone_years"] = layers["zone_years"].assign(population=None, tax_total_wan=None)
    z = evaluate(write_gpkg(layers, tmp_path / "w.gpkg"))["zones"][0]
    assert z["indicators"]["population_density"] is None
    assert "常住人口" in z["missing"]["population_density"]
    assert z["indicators"]["tax_per_ha"] is None and "tax_per_ha" in z["missing"]


def test_no_industrial_land_reports_missing(tmp_path: Path) -> None:
    layers = small_package()
    p = layers["parcels"]
    p.loc[p.parcel_id == "P1", "build_class"] = "A6"
    layers["buildings"] = layers["buildings"][layers["buildings"].parcel_id != "P1"]
    z = evaluate(write_gpkg(layers, tmp_path / "s.gpkg"))["zones"][0]
    for k in ("industrial_far", "industrial_building_coefficient", "industrial_tax_per_ha"):
        assert z["indicators"][k] is None and "为0" in z["missing"][k]


def test_economic_totals_derived_from_enterprises(tmp_path: Path) -> None:
    """zone_years without industrial totals: Σ enterprise_years of the enterprises on A2."""
    layers = small_package()
    layers["zone_years"] = layers["zone_years"].assign(industrial_tax_wan=None, industrial_fai_wan=None)
    z = evaluate(write_gpkg(layers, tmp_path / "s.gpkg"))["zones"][0]
    # E1 uses P1 (A2, 1 ha): tax 150 万元, fixed assets 6 000 万元 → per ha the same numbers
    assert _close(z["indicators"]["industrial_tax_per_ha"], 150.0)
    assert _close(z["indicators"]["industrial_fai_intensity"], 6000.0)
    assert z["economic"]["industrial_tax_source"] == "enterprise_years"


def test_floor_area_rules(tmp_path: Path) -> None:
    """footprint × floors when floor area is empty; a storey over 8 m counts twice."""
    layers = small_package()
    b = layers["buildings"]
    b.loc[b.building_id == "B1", "storey_height_m"] = 9.0  # 40×50 plant, 2 floors → 2000 × 2 × 2
    z = evaluate(write_gpkg(layers, tmp_path / "s.gpkg"))["zones"][0]
    assert _close(z["buildings_m2"]["floor_area_on_A2"], 8000.0)
    assert _close(z["indicators"]["industrial_far"], 0.8)
    # structure (10×10) and yard (20×10) count for the coefficient only: (2000+100+200)/10000
    assert _close(z["indicators"]["industrial_building_coefficient"], 23.0)
    assert _close(z["indicators"]["building_density"], (2000 + 400 + 900) / 30000 * 100)


@pytest.mark.parametrize("key", sorted(INDICATORS))
def test_explanations_add_up(worked_gpkg: Path, key: str) -> None:
    doc = explain(worked_gpkg, zone="W1", indicator=key)
    assert _close(doc["contributions_total"], doc["value"], 1e-9)
    parts = [c["contribution"] for c in doc["contributions"]]
    assert parts == sorted(parts, key=lambda v: -abs(v))


def test_explain_lists_the_parcels(worked_gpkg: Path) -> None:
    doc = explain(worked_gpkg, zone="W1", indicator="supply_rate")
    ids = [c["id"] for c in doc["contributions"]]
    assert ids[0] == "A2-1" and set(ids) == {"A2-1", "A1-1", "A4-1", "B21-idle", "B21-sup"}
    assert _close(doc["contributions"][0]["contribution"], 300 / 560 * 100)


def test_cli_evaluate_json_and_xlsx(worked_gpkg: Path, tmp_path: Path) -> None:
    r = subprocess.run([JIYUE, "evaluate", str(worked_gpkg), "--format", "json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["profile"]["name"] == "tdt1029-2017"
    z = doc["zones"][0]
    for k in ("zone_code", "name", "eval_type", "areas_ha", "indicators", "missing", "realisation", "score",
              "subscores", "potential_ha", "years_of_supply"):
        assert k in z
    assert set(z["potential_ha"]) >= {"expansion", "expansion_industrial", "structure", "intensity", "management"}
    out = tmp_path / "e.xlsx"
    r = subprocess.run([JIYUE, "evaluate", str(worked_gpkg), "--format", "xlsx", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(out))
    assert {"土地利用状况", "土地供应状况", "建筑工程状况", "评价指标"} <= set(wb.sheet_names)
    rows = wb.get_sheet_by_name("评价指标").to_python()
    header = rows[0]
    names = [r[header.index("指标")] for r in rows[1:]]
    assert "土地供应率" in names


def test_cli_evaluate_from_store_matches_package(worked_gpkg: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert subprocess.run([JIYUE, "import", str(worked_gpkg), "--db", str(db)], capture_output=True).returncode == 0
    a = evaluate(worked_gpkg)["zones"][0]
    b = evaluate(db=db, zone="W1")["zones"][0]
    assert a["indicators"] == b["indicators"] and a["score"] == b["score"]


def test_cli_explain_and_bad_input(worked_gpkg: Path) -> None:
    r = subprocess.run([JIYUE, "explain", str(worked_gpkg), "--zone", "W1", "--indicator", "far"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "A2-1" in r.stdout
    r = subprocess.run([JIYUE, "explain", str(worked_gpkg), "--zone", "NOPE", "--indicator", "far"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "NOPE" in r.stderr


@pytest.mark.parametrize("how", ["absent", "empty"])
def test_no_buildings_means_missing_floor_area_indicators_not_zero(tmp_path: Path, how: str) -> None:
    """A package without building data must not read as land with nothing built on it."""
    layers = small_package()
    if how == "absent":
        del layers["buildings"]
    else:
        layers["buildings"] = layers["buildings"].iloc[0:0]
    pkg = write_gpkg(layers, tmp_path / "nob.gpkg")
    z = evaluate(pkg)["zones"][0]
    for k in ("far", "building_density", "industrial_far", "industrial_building_coefficient"):
        assert z["indicators"][k] is None, k
        assert "建筑物" in z["missing"][k], z["missing"][k]
    # the land indicators are untouched: A = 30 000 m², D = 40 000 m² (small_package)
    assert _close(z["indicators"]["built_rate"], 75.0)
    assert z["score_complete"] is False
    assert set(z["score_missing"]) >= {"far", "building_density"}
    doc = explain(pkg, zone=z["zone_code"], indicator="far")
    assert doc["value"] is None and "建筑物" in doc["missing_reason"]


def test_a_complete_zone_is_scored_on_every_indicator(tmp_path: Path) -> None:
    z = evaluate(write_gpkg(small_package(), tmp_path / "s.gpkg"))["zones"][0]
    assert z["score_complete"] is True and z["score_missing"] == []
