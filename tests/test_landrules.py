"""Tests of jiyue.landrules: the floor-area rule in its SQL and array forms, 亩 conversion,
anniversaries, and a guard that no copy of these rules reappears elsewhere in src/.

Expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from jiyue import landrules
from jiyue.idle.rules import load_rules
from jiyue.landrules import (M2_PER_HA, M2_PER_MU, MU_PER_HA, TALL_STOREY_FACTOR, TALL_STOREY_M, add_years,
                             floor_area, floor_area_sql, full_years, ha_to_m2, ha_to_mu, is_tall_storey, m2_to_ha,
                             m2_to_mu, mu_to_ha, mu_to_m2, storey_factor)
from jiyue.rulefiles import lookup

NAN = float("nan")

# (case, kind, floor_area_m2, footprint_eff_m2, floors, storey_height_m, expected 计容, expected real floor space)
CASES = [
    ("recorded wins", "building", 1200.0, 500.0, 3, 12.0, 1200.0, 1200.0),
    ("recorded 0 stays 0", "building", 0.0, 500.0, 2, 4.0, 0.0, 0.0),
    ("footprint x floors", "building", None, 500.0, 3, 4.0, 1500.0, 1500.0),  # 500 × 3
    ("no floors = 1, no height", "building", None, 500.0, None, None, 500.0, 500.0),  # 500 × 1
    ("exactly 8.0 m counts once", "building", None, 500.0, None, 8.0, 500.0, 500.0),  # 500 × 1 × 1
    ("8.01 m counts twice", "building", None, 500.0, 1, 8.01, 1000.0, 500.0),  # 500 × 1 × 2
    ("12 m, 2 floors", "building", None, 400.0, 2, 12.0, 1600.0, 800.0),  # 400 × 2 × 2
    ("structure has none", "structure", None, 300.0, 1, 4.0, None, None),
    ("yard has none even if recorded", "yard", 50.0, 300.0, 1, None, None, None),
    ("empty kind is a building", None, None, 100.0, 2, None, 200.0, 200.0),  # 100 × 2
    ("no footprint, nothing recorded", "building", None, None, 2, 4.0, None, None),
    ("0 floors", "building", None, 500.0, 0, 4.0, 0.0, 0.0),
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "kind": pd.array([c[1] for c in CASES], dtype="string"),
        "floor_area_m2": pd.array([c[2] for c in CASES], dtype="Float64"),
        "footprint_eff_m2": pd.array([c[3] for c in CASES], dtype="Float64"),
        "floors": pd.array([c[4] for c in CASES], dtype="Int64"),
        "storey_height_m": pd.array([c[5] for c in CASES], dtype="Float64"),
    })


def _sql(tall_storeys: bool) -> list[float | None]:
    con = duckdb.connect()
    con.register("b_in", _frame())
    con.execute("CREATE TABLE b AS SELECT row_number() OVER () AS i, * FROM b_in")
    rows = con.execute(f"SELECT {floor_area_sql('b', tall_storeys=tall_storeys)} FROM b ORDER BY i").fetchall()
    return [r[0] for r in rows]


def _same(got: float | None, want: float | None) -> bool:
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    return got is not None and not math.isnan(got) and got == want


@pytest.mark.parametrize("tall, col", [(True, 6), (False, 7)])
def test_sql_and_array_forms_agree_with_hand_figures(tall: bool, col: int) -> None:
    sql = _sql(tall)
    arr = floor_area(_frame(), tall_storeys=tall).tolist()
    for case, s, a in zip(CASES, sql, arr):
        want = case[col]
        assert _same(s, want), (case[0], "sql", s, want)
        assert _same(a, want), (case[0], "array", a, want)


def test_array_form_takes_numpy_floors_with_nan_and_plain_footprint_column() -> None:
    # plain numpy columns (NaN, not NA) and footprint_m2 when footprint_eff_m2 is absent
    b = pd.DataFrame({"footprint_m2": [500.0, 400.0], "floors": [np.nan, 2.0], "storey_height_m": [np.nan, 9.0]})
    assert floor_area(b).tolist() == [500.0, 1600.0]  # 500 × 1 × 1; 400 × 2 × 2
    # an explicit footprint (the demo's: recorded footprint, else the geometry's area)
    assert floor_area(b, footprint=pd.Series([10.0, 10.0])).tolist() == [10.0, 40.0]


def test_tall_storey_rule() -> None:
    assert TALL_STOREY_M == 8.0 and TALL_STOREY_FACTOR == 2
    assert is_tall_storey(8.0) is False and is_tall_storey(8.01) is True
    assert is_tall_storey(None) is False and is_tall_storey(NAN) is False
    assert storey_factor(12) == 2 and storey_factor(3.6) == 1
    assert storey_factor(np.array([8.0, 8.01, np.nan])).tolist() == [1.0, 2.0, 1.0]


def test_constants_come_from_the_national_controls_with_a_source() -> None:
    for key, value in (("tall_storey_m", TALL_STOREY_M), ("tall_storey_factor", TALL_STOREY_FACTOR),
                       ("m2_per_ha", M2_PER_HA), ("mu_per_ha", MU_PER_HA)):
        entry = lookup(f"national-controls.{key}")
        assert entry["value"] == value and entry["source"] and entry["tag"] == "CONFIRMED"
    assert "> 8.0 THEN 2" in floor_area_sql()


def test_mu_conversion_is_exact() -> None:
    assert M2_PER_MU == 10000 / 15
    assert m2_to_mu(2000.0) == 3.0  # 2000 × 15 / 10000
    assert mu_to_m2(15.0) == 10000.0  # 15 × 10000 / 15
    assert m2_to_mu(10000.0) == 15.0
    assert mu_to_m2(3.0) == 2000.0
    assert m2_to_ha(15000.0) == 1.5 and ha_to_m2(1.5) == 15000.0
    assert ha_to_mu(2.0) == 30.0 and mu_to_ha(30.0) == 2.0
    assert m2_to_mu(np.array([2000.0, 666.0])).tolist() == [3.0, 0.999]  # 666 × 15 / 10000 = 0.999
    assert m2_to_mu(pd.Series([4000.0])).iloc[0] == 6.0


def test_anniversaries() -> None:
    d = dt.date
    assert add_years(d(2020, 3, 1), 1) == d(2021, 3, 1)
    assert add_years(d(2020, 2, 29), 1) == d(2021, 2, 28)  # feb28 (default)
    assert add_years(d(2020, 2, 29), 1, "mar1") == d(2021, 3, 1)
    assert add_years(d(2020, 2, 29), 4) == d(2024, 2, 29)  # a leap year keeps the day
    assert full_years(d(2020, 3, 1), d(2021, 2, 28)) == 0
    assert full_years(d(2020, 3, 1), d(2021, 3, 1)) == 1  # the anniversary itself counts
    assert full_years(d(2020, 3, 1), d(2022, 3, 1)) == 2
    assert full_years(d(2020, 3, 1), d(2019, 3, 1)) == 0
    assert full_years(d(2020, 2, 29), d(2021, 2, 28)) == 1
    assert full_years(d(2020, 2, 29), d(2021, 2, 28), "mar1") == 0
    assert full_years(d(2020, 2, 29), d(2021, 3, 1), "mar1") == 1


def test_the_idle_rules_file_chooses_28_february() -> None:
    leap = load_rules().start_date.leap_day
    assert leap == "feb28" and leap in landrules.LEAP_RULES
    assert add_years(dt.date(2016, 2, 29), 1, leap) == dt.date(2017, 2, 28)


# --------------------------------------------------------------------------- guard
SRC = Path(__file__).resolve().parents[1] / "src" / "jiyue"
#: a copy of a land rule outside jiyue/landrules.py: (what, pattern)
COPIES = [
    ("亩 as a rounded figure", re.compile(r"666\.6")),
    ("亩 as 10000 / 15", re.compile(r"10_?000(\.0*)?\s*/\s*15\b")),
    ("亩 as × 15 / 10000", re.compile(r"\*\s*15(\.0*)?\s*/\s*10_?000")),
    ("亩 per m² as 0.0015", re.compile(r"\b0\.0015\b")),
    ("the 8 m storey rule", re.compile(r"storey_h\w*\W[^\n]{0,40}>\s*\{?\s*(8\b|8\.0|\w*STOREY)", re.I)),
    ("a comparison with a storey constant", re.compile(r"[<>]=?\s*\{?\w*STOREY_M\b")),
    ("a storey threshold constant", re.compile(r"^\s*\w*STOREY\w*\s*=\s*\d", re.M)),
    ("an anniversary by replace(year=…)", re.compile(r"\.replace\(year=")),
]
#: files that may still hold a copy, and why (each entry names its owner's pending change)
ALLOWED: dict[str, set[str]] = {}


def test_no_copy_of_a_land_rule_outside_landrules() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == "landrules.py":
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in COPIES:
            if what in ALLOWED.get(rel, set()):
                continue
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{rel}:{line}: {what}: {text.splitlines()[line - 1].strip()}")
    found = list(dict.fromkeys(found))
    assert not found, "a land rule written out again instead of calling jiyue.landrules:\n" + "\n".join(found)
