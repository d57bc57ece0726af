"""The rule-file framework (jiyue.rulefiles): one loader, references to the shared national
controls, one collect-every-problem validator, one value shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiyue import rulefiles as rf
from jiyue.errors import ProfileError


class Failed(Exception):
    pass


def fail(kind, **kw):
    return Failed(kind, kw)


def test_builtin_and_path(tmp_path: Path):
    t = rf.read_rule_file("order53-2012", package="jiyue.idle.rulesets", fail=fail)
    assert t.builtin and t.source == "builtin:order53-2012" and len(t.sha256) == 64
    assert t.data["rules"]["name"] == "order53-2012"
    p = tmp_path / "mine.toml"
    p.write_text('[rules]\nname = "mine"\nversion = "1"\n', encoding="utf-8")
    t = rf.read_rule_file(p, package="jiyue.idle.rulesets", fail=fail)
    assert not t.builtin and t.source == str(p)


@pytest.mark.parametrize("ref, kind", [("nope", "unknown_name"), ("missing.toml", "missing_file")])
def test_not_found(ref, kind, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Failed) as e:
        rf.read_rule_file(ref, package="jiyue.idle.rulesets", fail=fail)
    assert e.value.args[0] == kind
    if kind == "unknown_name":
        assert "order53-2012" in e.value.args[1]["names"]


def test_bad_toml_and_default_messages(tmp_path: Path):
    p = tmp_path / "bad.toml"
    p.write_text("[rules\n", encoding="utf-8")
    with pytest.raises(Failed) as e:
        rf.read_rule_file(p, package="jiyue.idle.rulesets", fail=fail)
    assert e.value.args[0] == "bad_toml"
    with pytest.raises(ProfileError, match="不是有效的 TOML"):
        rf.read_rule_file(p, package="jiyue.idle.rulesets")


def test_references_to_the_national_controls():
    nc = rf.national_controls()
    data = {"a": {"ref": "national-controls.building_coefficient_min"},
            "b": [{"ref": "national-controls.building_coefficient_min.value"}],
            "c": {"ref": "national-controls.green_ratio_max", "value": 0.15, "tag": "LOCAL"}}
    out = rf.resolve_refs(data, "t.toml")
    assert out["a"]["value"] == nc["building_coefficient_min"]["value"] == 0.30
    assert "工业项目建设用地控制指标" in out["a"]["source"] and out["a"]["tag"] == "CONFIRMED"
    assert out["b"] == [0.30]
    assert out["c"]["value"] == 0.15 and out["c"]["source"] == nc["green_ratio_max"]["source"]
    assert data["a"] == {"ref": "national-controls.building_coefficient_min"}  # input left alone


def test_every_wrong_reference_is_listed():
    data = {"x": {"ref": "national-controls.nothing"}, "y": {"z": {"ref": "elsewhere.a"}}}
    with pytest.raises(ProfileError) as e:
        rf.resolve_refs(data, "mine.toml")
    assert "mine.toml 有 2 处引用错误" in e.value.message
    assert [p["path"] for p in e.value.problems] == ["x", "y.z"]
    assert e.value.problems[0]["file"] == "mine.toml" and e.value.problems[0]["found"] == "national-controls.nothing"


def test_problems_collect_everything():
    ps = rf.Problems("f.toml")
    assert not ps
    ps.add("[a] b", 7, "0 到 1 之间")
    ps.add("[c]", None, "必填", "自定义说明")
    assert len(ps) == 2
    assert ps.texts() == ["[a] b：实际为「7」，应为 0 到 1 之间", "自定义说明"]
    with pytest.raises(ProfileError) as e:
        ps.raise_if_any(lambda items: ProfileError(f"{len(items)} 处问题"))
    assert e.value.problems[1] == {"file": "f.toml", "path": "[c]", "found": None, "expected": "必填",
                                   "message": "自定义说明"}


def test_value_shape():
    assert rf.Value.of(0.3) == rf.Value(0.3)
    v = rf.Value.of({"value": 1.2, "tag": "LOCAL", "source": "GB 50180-2018", "basis": "why"})
    assert (v.value, v.tag, v.source, v.basis) == (1.2, "LOCAL", "GB 50180-2018", "why")


def test_engines_take_shared_values_from_one_file():
    from jiyue.idle.rules import Rules as IdleRules
    from jiyue.idle.rules import load_rules as idle_rules
    from jiyue.standard_land.rules import load_rules as sl_rules

    nc = rf.national_controls()
    sl = sl_rules()
    assert sl.national["building_coefficient_min"] == rf.Value(
        0.30, nc["building_coefficient_min"]["tag"], nc["building_coefficient_min"]["source"])
    idle = idle_rules().low_efficiency.benchmark
    assert idle.building_coverage_min == sl.national["building_coefficient_min"].value
    assert idle.far_min == nc["far_min_by_industry"]["values"]
    assert IdleRules().low_efficiency.benchmark.far_min == idle.far_min


def test_engine_problems_are_structured(tmp_path: Path):
    from jiyue.idle.rules import load_rules

    p = tmp_path / "r.toml"
    p.write_text('[rules]\nname = "r"\nversion = "1"\n[idle]\nfee_rate = "many"\nnope = 1\n', encoding="utf-8")
    with pytest.raises(ProfileError) as e:
        load_rules(p)
    assert "2 处问题" in e.value.message
    paths = {x["path"]: x for x in e.value.problems}
    assert paths["[idle] fee_rate"]["found"] == "many" and paths["[idle] fee_rate"]["expected"] == "非负数"
    assert "[idle] nope" in paths


def test_profile_lists_every_problem():
    import copy

    from jiyue.evaluation.profile import load_profile, parse_profile

    raw = copy.deepcopy(load_profile().raw)
    raw["rules"]["negative_rule"] = "odd"
    raw["ideal"]["industrial"]["nope"] = 1.0
    raw["tree"]["integrated"][0]["weight"] = 0.9
    with pytest.raises(ProfileError) as e:
        parse_profile(raw, "my.toml")
    assert "评价方案 my.toml 有 3 处问题" in e.value.message
    assert {p["path"] for p in e.value.problems} == {"[rules] negative_rule", "[ideal.industrial] nope", "tree.integrated"}


def test_scheme_and_policy_list_every_problem():
    from importlib import resources

    import tomllib

    from jiyue.mujun.policy import policy_from_text
    from jiyue.mujun.scheme import SchemeError, parse_scheme

    text = (resources.files("jiyue.mujun.rulesets") / "huangyan-2022.toml").read_text(encoding="utf-8")
    bad = tomllib.loads(text)
    bad["scheme"]["weight_total"] = "many"
    bad["adjustments"] = [{"key": "x", "points": 1}]
    with pytest.raises(SchemeError) as e:
        parse_scheme(bad, "mine.toml")
    assert "评价方案 mine.toml 有 2 处问题" in e.value.message
    assert "weight_total" in e.value.message and "adjustments[" in e.value.message
    assert len(e.value.problems) == 2
    with pytest.raises(SchemeError) as e:
        policy_from_text('[policy]\nname = "p"\nversion = "1"\n[[measure]]\nkind = "odd"\n[[measure]]\nkey = "k"\n',
                         "p.toml")
    assert "差别化政策表 p.toml 有 2 处问题" in e.value.message


def test_circular_settings_list_every_problem():
    import copy

    from jiyue.reports.circular import load_rules, parse_rules

    raw = copy.deepcopy(load_rules().raw)
    raw["lists"]["large"] = -1
    raw["problems"][0]["op"] = "~"
    with pytest.raises(ProfileError) as e:
        parse_rules(raw, "c.toml")
    assert "通报规则文件 c.toml 有 2 处问题" in e.value.message
    assert {p["path"] for p in e.value.problems} == {"[lists] large", "[[problems]] #1 op"}


def test_rule_catalogue_is_up_to_date():
    """docs/rules.md is generated from the rule files (make rules-doc); regenerate and compare."""
    from jiyue.rulefiles import catalogue

    page = catalogue.render()
    doc = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == page, "docs/rules.md is out of date: run `make rules-doc`"
    for f in ("national-controls.toml", "tdt1029-2017.toml", "circular.toml", "shandong-2019.toml",
              "policy-shandong-2022.toml", "order53-2012.toml", "default.toml", "gb50180-2018.toml",
              "gb50180-93.toml", "work-safety-2021.toml"):
        assert f"/{f}`" in page
    assert "| `building_coefficient_min` | 0.3 | CONFIRMED |" in page
    assert "共享值：national-controls.building_coefficient_min.value" in page
    assert "| `tall_storey_m` | 8 | CONFIRMED |" in page and "| `mu_per_ha` | 15 | CONFIRMED |" in page


def test_liveability_and_safety_rules_use_the_one_loader(tmp_path: Path):
    """Both read through jiyue.rulefiles: shared references resolve, problems are structured."""
    from jiyue.liveability.rules import load_rules as live_rules
    from jiyue.safety.rules import load_rules as safety_rules

    text = (Path(__file__).resolve().parents[1] / "src/jiyue/liveability/rulesets/gb50180-2018.toml").read_text(
        encoding="utf-8")
    p = tmp_path / "live.toml"
    p.write_text(text.replace("walk_speed_m_per_min = 66.7", 'walk_speed_m_per_min = { ref = "national-controls.nope" }'),
                 encoding="utf-8")
    with pytest.raises(ProfileError, match="national-controls.nope"):
        live_rules(p)
    p.write_text(text.replace("facility_max_snap_m = 300.0", "facility_max_snap_m = -1"), encoding="utf-8")
    with pytest.raises(ProfileError) as e:
        live_rules(p)
    assert [(x["path"], x["found"]) for x in e.value.problems] == [("network.facility_max_snap_m", -1)]
    with pytest.raises(ProfileError, match="没有内置生活圈规则「nope」；可用：gb50180-2018、gb50180-93"):
        live_rules("nope")
    with pytest.raises(ProfileError, match="内置规则：work-safety-2021"):
        safety_rules("nope")
    bad = tmp_path / "s.toml"
    bad.write_text("[rules\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="不是有效的 TOML"):
        safety_rules(bad)


def test_catalogue_rows_take_comments_tags_and_sources():
    from jiyue.rulefiles.catalogue import rows

    text = ('[rules]\nname = "x"\nversion = "1"\nsource = "GB 50180-2018"\n\n[a]\ntag = "LOCAL"\n'
            '# the reason\nb = 2   # [C] art. 3\nc = { value = 0.5, tag = "U", source = "TD/T 1029-2017 §4" }\n')
    got = {r.path: r for r in rows(text)}
    assert got["a.b"].value == "2" and got["a.b"].tag == "LOCAL"
    assert got["a.b"].source == "见文件来源；the reason [C] art. 3"
    assert (got["a.c"].value, got["a.c"].tag, got["a.c"].source) == ("0.5", "U", "TD/T 1029-2017 §4")
