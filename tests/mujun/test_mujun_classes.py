"""Scope, groups, quotas (rounding, inclusive boundaries, ties), thresholds, vetoes, protections,
refill and the deferred class T — expected classes worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from jiyue.landrules import m2_to_mu
from jiyue.mujun.scheme import load_scheme
from mujun_factories import results, row, run, scheme


def below(n: int, **special: dict) -> list[dict]:
    """n 规下 firms of 10 亩; firm i pays (n + 1 − i) 万元/亩, so it ranks i."""
    rows = []
    for i in range(1, n + 1):
        kw = dict(scale="below", tax_wan=(n + 1 - i) * 10.0)
        kw.update(special.get(f"F{i:02d}", {}))
        rows.append(row(f"F{i:02d}", 10.0, **kw))
    return rows


def classes(rows: list[dict], sch, year: int = 2022) -> dict[str, str]:  # noqa: ANN001
    return {e: r["class"] for e, r in results(run(rows, sch, year=year)).items()}


def test_quota_counts_floor_is_inclusive() -> None:
    c = load_scheme("shandong-2019").classes
    assert c.cumulative(40) == [8, 30, 38]
    assert c.cumulative(10) == [2, 7, 9]   # B ends at ⌊7.5⌋: rank 8 is 80 % > 75 %
    assert c.cumulative(20) == [4, 15, 19]  # exact boundaries stay inclusive (4/20 = 20 %)
    assert c.cumulative(1) == [0, 0, 0]     # a single firm is at 100 % → the last class
    got = classes(below(10), "shandong-2019")
    assert [got[f"F{i:02d}"] for i in range(1, 11)] == list("AABBBBBCCD")


def test_quota_rounding_half_up() -> None:
    s = scheme("shandong-2019", ('rounding = "floor"', 'rounding = "round"'))
    assert s.classes.cumulative(10) == [2, 8, 10]
    got = classes(below(10), s)
    assert [got[f"F{i:02d}"] for i in range(1, 11)] == list("AABBBBBBCC")


def test_tie_at_a_boundary_goes_to_the_better_class() -> None:
    rows = below(10, F03={"tax_wan": 90.0})  # F02 and F03 both 9 万元/亩 → both rank 2
    r = results(run(rows, "shandong-2019"))
    assert r["F02"]["rank"] == 2 and r["F03"]["rank"] == 2 and r["F04"]["rank"] == 4
    assert r["F02"]["class"] == "A" and r["F03"]["class"] == "A" and r["F04"]["class"] == "B"


def test_veto_only_blocks_a_and_b_and_force_variant() -> None:
    rows = below(40, F03={"veto": "safety_accident"}, F33={"veto": "target_missed"},
                 F39={"veto": "quality_accident", "founded": pd.Timestamp("2022-05-01")})
    r = results(run(rows, "shandong-2019"))
    assert r["F03"]["class"] == "C"
    assert r["F33"]["class"] == "C" and r["F33"]["vetoed"]  # already C: unchanged
    assert r["F39"]["class"] == "D" and r["F39"]["protected"] and r["F39"]["vetoed"]  # veto beats protection
    forced = scheme("shandong-2019", ('effect = "demote"', 'effect = "force"'), ('becomes = "C"\neffect', 'becomes = "D"\neffect'))
    r = results(run(rows, forced))
    assert r["F03"]["class"] == "D" and r["F33"]["class"] == "D"


def test_protections_by_flag_and_founding_date() -> None:
    rows = below(40, F38={"flags": "major_project"}, F39={"flags": "new_above"},
                 F40={"founded": pd.Timestamp("2021-12-31")})
    r = results(run(rows, "shandong-2019", year=2022))
    assert r["F39"]["class_by_rank"] == "D" and r["F39"]["class"] == "C"
    assert r["F40"]["class"] == "D" and not r["F40"]["protected"]  # founded before the evaluation year
    assert r["F38"]["class"] == "C" and r["F38"]["protected"]  # protected but C by rank anyway


def test_refill_moves_the_next_firms() -> None:
    s = scheme("shandong-2019", ("refill = false", "refill = true"))
    rows = below(40, F03={"veto": "env_accident"}, F40={"founded": pd.Timestamp("2022-03-01")})
    got = classes(rows, s)
    # D from the bottom skipping the protected F40: F39, F38; A from the top skipping the vetoed F03
    assert got["F03"] == "C" and got["F09"] == "A" and got["F10"] == "B"
    assert got["F31"] == "B" and got["F32"] == "C" and got["F37"] == "C"
    assert got["F38"] == "D" and got["F39"] == "D" and got["F40"] == "C"
    assert sum(v == "A" for v in got.values()) == 8 and sum(v == "D" for v in got.values()) == 2


def test_thresholds_are_inclusive() -> None:
    s = scheme("shandong-2019", ('method = "quota"\norder', 'method = "thresholds"\nthresholds = { A = 150, B = 100, C = 60 }\norder'))
    # 规下, tax only: score = 100 · x / pooled; pooled of (30, 20, 12, 10, 8) per 亩 = 16
    rows = [row(e, 10.0, scale="below", tax_wan=t * 10.0) for e, t in
            (("a", 30.0), ("b", 24.0), ("c", 16.0), ("d", 9.6), ("e", 0.4))]
    # pooled = (30 + 24 + 16 + 9.6 + 0.4) / 5 = 16 → scores 187.5, 150, 100, 60, 2.5
    r = results(run(rows, s))
    assert [round(r[e]["score"], 9) for e in "abcde"] == [187.5, 150.0, 100.0, 60.0, 2.5]
    assert [r[e]["class"] for e in "abcde"] == ["A", "A", "B", "C", "D"]


def test_deferred_t_leaves_the_denominator() -> None:
    rows = below(11, F01={"flags": "deferred"})
    r = results(run(rows, "shandong-2019"))
    assert r["F01"]["class"] == "T" and r["F01"]["status"] == "deferred" and r["F01"]["rank"] != r["F01"]["rank"]
    # the other 10 are ranked 1..10 among themselves
    assert [r[f"F{i:02d}"]["class"] for i in range(2, 12)] == list("AABBBBBCCD")
    s = scheme("shandong-2019", ('defer_flags = ["deferred"]', 'defer_flags = ["deferred"]\ndefer_founded_within_years = 3'))
    r = results(run(below(5, F05={"founded": pd.Timestamp("2020-01-01")}, F04={"founded": pd.Timestamp("2019-12-31")}),
                    s, year=2022))
    assert r["F05"]["class"] == "T" and r["F04"]["status"] == "rated"


def test_scope_industries_flags_and_land_thresholds() -> None:
    rows = [row("util", 10.0, industry_code="D4411", tax_wan=10.0), row("shop", 10.0, industry_code="F5211"),
            row("nocode", 10.0, industry_code=None, tax_wan=10.0), row("ex", 10.0, flags="exempt"),
            row("small", 2.99, scale="below", tax_wan=10.0),
            row("edge", float(m2_to_mu(2000.0)), scale="below", tax_wan=10.0),
            row("noland", 0.0, tax_wan=10.0)]
    r = results(run(rows, "shandong-2019"))
    assert r["util"]["status"] == "excluded" and r["shop"]["status"] == "excluded" and r["ex"]["status"] == "excluded"
    assert r["nocode"]["status"] == "rated"
    assert r["small"]["status"] == "out_of_scope"  # 规下 below 3 亩 (昌乐)
    assert m2_to_mu(2000.0) == 3.0 and r["edge"]["status"] == "rated"  # 2 000 m² = exactly 3 亩, inclusive
    assert r["noland"]["status"] == "out_of_scope"


def test_linhai_groups_by_land_size() -> None:
    r = results(run([row("a", 2.999, tax_wan=10.0), row("b", 3.0, tax_wan=10.0)], "linhai-2016"))
    assert r["a"]["group"] == "lt3mu" and r["b"]["group"] == "ge3mu"


def test_missing_scale_uses_the_default() -> None:
    r = results(run([row("a", 10.0, scale=None, tax_wan=10.0, electricity_mwh=10.0)], "huangyan-2022"))
    assert r["a"]["group"] == "below"


@pytest.mark.parametrize("n,expect", [(5, "ABBCD"), (4, "BBBD"), (3, "BBD")])
def test_small_groups(n: int, expect: str) -> None:
    got = classes(below(n), "shandong-2019")
    assert "".join(got[f"F{i:02d}"] for i in range(1, n + 1)) == expect
