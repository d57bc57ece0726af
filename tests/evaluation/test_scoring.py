"""Profiles, realisation degrees, the weighted score and the potentials — by hand."""

from __future__ import annotations

import copy
import math
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from jiyue.errors import ProfileError
from jiyue.evaluation.potential import potentials, years_of_supply
from jiyue.evaluation.profile import Node, builtin_profiles, load_profile, parse_profile
from jiyue.evaluation.scoring import effective_weights, realisation, score_tree, score_zone

JIYUE = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "jiyue")


@pytest.fixture()
def prof():
    return load_profile("tdt1029-2017")


def test_builtin_profile_loads(prof) -> None:
    assert "tdt1029-2017" in builtin_profiles()
    assert prof.name == "tdt1029-2017" and prof.version
    # every indicator's effective weight adds to 1 per zone type
    for zt in ("industrial", "integrated"):
        assert math.isclose(sum(effective_weights(zt, prof).values()), 1.0, rel_tol=1e-9)
    # Heilongjiang weights: 工业用地建筑系数 = 0.7 × 0.5 × 0.28
    assert math.isclose(effective_weights("industrial", prof)["industrial_building_coefficient"], 0.098)
    assert len(prof.indicator_keys("industrial")) == 10
    assert set(prof.indicator_keys("integrated")) == {"supply_rate", "built_rate", "far", "building_density",
                                                       "tax_per_ha", "population_density", "idle_rate"}


def _bad(prof, mutate) -> dict:
    raw = copy.deepcopy(prof.raw)
    mutate(raw)
    return raw


def test_bad_indicator_weights_name_the_node(prof) -> None:
    raw = _bad(prof, lambda r: r["tree"]["industrial"][0]["children"][2]["indicators"].update(far=0.5))
    with pytest.raises(ProfileError) as e:
        parse_profile(raw, "my.toml")
    assert "tree.industrial/land_use_status/intensity" in e.value.message
    assert "土地利用强度" in e.value.message


def test_bad_target_weights_name_the_node(prof) -> None:
    raw = _bad(prof, lambda r: r["tree"]["integrated"].__setitem__(0, {**r["tree"]["integrated"][0], "weight": 0.6}))
    with pytest.raises(ProfileError) as e:
        parse_profile(raw, "my.toml")
    assert "tree.integrated" in e.value.message and "0.9" in e.value.message


def test_unknown_indicator_and_missing_ideal(prof) -> None:
    raw = _bad(prof, lambda r: r["tree"]["industrial"][2]["children"][0].__setitem__("indicators", {"nope": 1.0}))
    with pytest.raises(ProfileError, match="nope"):
        parse_profile(raw)
    raw = _bad(prof, lambda r: r["ideal"]["industrial"].pop("far"))
    with pytest.raises(ProfileError, match="far"):
        parse_profile(raw)


def test_cli_refuses_bad_profile_file(tmp_path: Path, prof) -> None:
    from importlib import resources

    text = (resources.files("jiyue.profiles") / "tdt1029-2017.toml").read_text(encoding="utf-8")
    bad = text.replace("indicators = { supply_rate = 0.5, built_rate = 0.5 }",
                       "indicators = { supply_rate = 0.5, built_rate = 0.4 }", 1)
    f = tmp_path / "bad.toml"
    f.write_text(bad, encoding="utf-8")
    r = subprocess.run([JIYUE, "evaluate", "--db", str(tmp_path / "none.duckdb"), "--profile", str(f)],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "tree.industrial/land_use_status/utilisation_degree" in r.stderr


def test_realisation_rules(prof) -> None:
    assert realisation("supply_rate", 92.857, 100.0, prof) == pytest.approx(92.857)
    assert realisation("built_rate", 104.0, 100.0, prof) == 100.0  # capped
    nocap = parse_profile({**prof.raw, "rules": {**prof.raw["rules"], "realisation_cap": 0}})
    assert realisation("built_rate", 104.0, 100.0, nocap) == pytest.approx(104.0)
    # negative, complement: (1 − 0.01923) / (1 − 0) × 100
    assert realisation("idle_rate", 10 / 520 * 100, 0.0, prof) == pytest.approx((1 - 10 / 520) * 100)
    lin = parse_profile({**prof.raw, "rules": {**prof.raw["rules"], "negative_rule": "linear",
                                                "negative_zero_at": 5.0}})
    assert realisation("idle_rate", 2.0, 0.0, lin) == pytest.approx(60.0)
    assert realisation("idle_rate", 7.0, 0.0, lin) == 0.0
    assert realisation("far", None, 1.2, prof) is None


def test_haerlin_2012_weighted_sum_regression(prof) -> None:
    """docs/sources/tdt1029-2017.md §9.2: 98.25 from the stored (faulty) weight set, as a plain weighted sum."""
    dev_use = Node("dev_use", "土地利用状况", 0.7, children=(
        Node("degree", "土地利用程度", 0.25, indicators=(("development_rate", 0.5),)),  # the faulty 0.5
        Node("structure", "用地结构状况", 0.25, indicators=(("industrial_land_ratio", 1.0),)),
        Node("intensity", "土地利用强度", 0.5, indicators=(("far", 1.0),))))
    dev = Node("dev", "发展方向区", 0.2, children=(
        dev_use,
        Node("benefit", "用地效益", 0.2, indicators=(("industrial_tax_per_ha", 1.0),)),
        Node("mgmt", "管理绩效", 0.1, indicators=(("idle_rate", 1.0),))))
    main = Node("main", "主区", 0.8, indicators=(("supply_rate", 1.0),))
    plain = parse_profile({**prof.raw, "rules": {**prof.raw["rules"], "missing_indicator": "zero"}})
    realised = {k: 100.0 for k in ("development_rate", "industrial_land_ratio", "far", "industrial_tax_per_ha",
                                   "idle_rate", "supply_rate")}
    total, subs = score_tree((main, dev), realised, plain)
    assert subs["degree"] == pytest.approx(50.0)
    assert subs["dev_use"] == pytest.approx(87.5)
    assert subs["dev"] == pytest.approx(91.25)
    assert total == pytest.approx(98.25)
    # …and the validator flags that weight set, naming the node
    raw = copy.deepcopy(prof.raw)
    raw["tree"]["industrial"][0]["children"][0]["indicators"] = {"supply_rate": 0.5}
    with pytest.raises(ProfileError, match="utilisation_degree"):
        parse_profile(raw)


def test_score_by_hand(prof) -> None:
    """Integrated zone: S = 0.7·(⅓·degree + ⅔·intensity) + 0.2·benefit + 0.1·idle."""
    values = {"supply_rate": 80.0, "built_rate": 75.0, "far": 0.75, "building_density": 35.0,
              "tax_per_ha": 400.0, "population_density": 50.0, "idle_rate": 2.0}
    r = score_zone("integrated", values, prof)
    degree = 0.5 * 80 + 0.5 * 75
    intensity = 0.5319148936170213 * 50 + 0.46808510638297873 * 100
    benefit = 0.5 * 50 + 0.5 * 50
    want = 0.7 * (degree / 3 + intensity * 2 / 3) + 0.2 * benefit + 0.1 * 98.0
    assert r["score"] == pytest.approx(want)
    # a missing indicator is dropped and its sibling carries the node (renormalise)
    r2 = score_zone("integrated", {**values, "population_density": None}, prof)
    assert r2["subscores"]["benefit"] == pytest.approx(50.0)
    assert r2["realisation"]["population_density"] is None


def test_potentials_spec_examples(prof) -> None:
    raw = copy.deepcopy(prof.raw)
    raw["ideal"]["industrial"]["industrial_far"] = {"value": 1.0, "basis": "test"}
    raw["ideal"]["industrial"]["industrial_land_ratio"] = {"value": 65.0, "basis": "test"}
    p = parse_profile(raw)
    acc = {"A": 500 * 1e4, "A2": 66.9194 * 1e4, "E": 920.539 * 1e4, "E21": 752.319 * 1e4, "D22": 3e4, "G": 2e4,
           "FA_A": 0, "FP_A": 0, "FPALL_A2": 0, "FA_A2": 0}
    values = {"industrial_land_ratio": 60.0, "industrial_far": 0.8, "industrial_building_coefficient": None,
              "industrial_fai_intensity": None, "industrial_tax_per_ha": None, "far": None,
              "building_density": None}
    pot, missing = potentials("industrial", acc, values, p)
    assert pot["intensity"]["industrial_far"] == pytest.approx(13.38, abs=0.005)   # §9.5
    assert pot["structure"] == pytest.approx(25.0)                                 # §9.5
    assert pot["expansion"] == pytest.approx(920.539) and pot["expansion_industrial"] == pytest.approx(752.319)
    assert pot["management"] == pytest.approx(5.0)
    assert pot["intensity"]["industrial_building_coefficient"] is None
    # above the ideal: clamped at 0
    pot2, _ = potentials("industrial", acc, {**values, "industrial_far": 1.3}, p)
    assert pot2["intensity"]["industrial_far"] == 0.0


def test_years_of_supply_by_hand() -> None:
    supply = pd.DataFrame({"supply_year": [2016, 2018, 2019, 2020], "supplied": [50e4, 30e4, 60e4, 0.0],
                           "supplied_industrial": [20e4, 10e4, 0.0, 0.0]})
    out, missing = years_of_supply({"E": 90e4, "E21": 30e4}, supply, 2020)
    assert out["avg_supply_3yr_ha"] == pytest.approx(30.0)        # (30 + 60 + 0) / 3
    assert out["years_by_3yr_avg"] == pytest.approx(3.0)
    assert out["max_supply_5yr_ha"] == pytest.approx(60.0)        # 2016–2020
    assert out["years_by_5yr_max"] == pytest.approx(1.5)
    assert out["industrial_years_by_3yr_avg"] == pytest.approx(30 / (10 / 3))
    assert out["industrial_years_by_5yr_max"] == pytest.approx(30 / 20)
    none, miss = years_of_supply({"E": 90e4, "E21": 30e4}, supply.iloc[0:0], 2020)
    assert none["years_by_3yr_avg"] is None and "years_by_3yr_avg" in miss


def test_negative_weight_is_named(tmp_path) -> None:
    import tomllib
    from importlib import resources

    from jiyue.evaluation.profile import parse_profile

    text = (resources.files("jiyue.profiles") / "tdt1029-2017.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    node = data["tree"]["integrated"][0]["children"][0]
    keys = [k for k, _ in node["indicators"].items()]
    # two indicators summing to 1 with one weight below zero: 1.5 + (-0.5)
    node["indicators"] = {keys[0]: 1.5, keys[1]: -0.5}
    with pytest.raises(ProfileError) as e:
        parse_profile(data, "t.toml")
    assert "负数" in str(e.value) and keys[1] in str(e.value) and "之和为 1（" not in str(e.value)


def test_an_edited_copy_of_a_builtin_profile_is_labelled_as_a_file(tmp_path) -> None:
    from importlib import resources

    from jiyue.evaluation.profile import load_profile

    text = (resources.files("jiyue.profiles") / "tdt1029-2017.toml").read_text(encoding="utf-8")
    mine = tmp_path / "mine.toml"
    mine.write_text(text.replace("far = { value = 1.5,", "far = { value = 1.2,", 1), encoding="utf-8")
    builtin, edited = load_profile("tdt1029-2017"), load_profile(mine)
    assert builtin.version_label == builtin.version
    assert edited.name == builtin.name and edited.version == builtin.version
    assert "mine.toml" in edited.version_label and edited.sha256[:12] in edited.version_label
    assert edited.sha256 != builtin.sha256 and len(edited.sha256) == 64


def test_a_profile_that_cannot_be_read_is_an_argument_error(tmp_path) -> None:
    from jiyue.evaluation.profile import load_profile

    for ref in (tmp_path / "none.toml", "no-such-profile"):
        with pytest.raises(ProfileError) as e:
            load_profile(ref)
        assert e.value.exit_code == 2
