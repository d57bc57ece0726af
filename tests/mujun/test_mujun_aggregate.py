"""Aggregates per zone / park / street: Σ numerator / Σ denominator, class counts, ranks, yoy."""

from __future__ import annotations

import pytest

from jiyue.mujun import aggregate
from mujun_factories import row, run


def rows(scale_2021: float = 1.0) -> list[dict]:
    k = scale_2021
    return [row("a", 10.0, park="东区", street="甲", tax_wan=300.0 * k, value_added_wan=1000.0),
            row("b", 30.0, park="东区", street="乙", tax_wan=300.0 * k, value_added_wan=3000.0),
            row("c", 20.0, park="西区", street="甲", tax_wan=500.0 * k, value_added_wan=1000.0),
            row("d", 10.0, park="西区", street="甲", scale="below", tax_wan=50.0 * k, electricity_mwh=100.0),
            row("u", 10.0, park="西区", industry_code="D4430", tax_wan=999.0)]  # excluded: not in the sums


def test_park_street_zone_sums_ranks_and_counts() -> None:
    ev = run(rows(), "huangyan-2022")
    agg = {(a["level"], a["key"], a["group"]): a for a in ev.aggregates}
    east, west = agg[("park", "东区", "all")], agg[("park", "西区", "all")]
    assert east["indicators"]["tax_per_mu"] == pytest.approx(600.0 / 40.0)
    assert west["indicators"]["tax_per_mu"] == pytest.approx(550.0 / 30.0)
    assert east["indicators"]["va_per_mu"] == pytest.approx(4000.0 / 40.0)
    assert west["indicators"]["va_per_mu"] == pytest.approx(1000.0 / 20.0)  # d has no value added: left out
    assert west["ranks"]["tax_per_mu"] == 1 and east["ranks"]["tax_per_mu"] == 2
    assert east["ranks"]["va_per_mu"] == 1
    assert west["n_rated"] == 2 and west["land_mu"] == 30.0
    assert agg[("park", "西区", "above")]["n_rated"] == 1
    assert sum(east["class_counts"].values()) == 2
    z = agg[("zone", "Z1", "all")]
    assert z["indicators"]["tax_per_mu"] == pytest.approx(1150.0 / 70.0)
    assert agg[("street", "甲", "all")]["n_rated"] == 3
    assert "previous" not in z


def test_year_on_year() -> None:
    prev = run(rows(0.8), "huangyan-2022", year=2021)
    ev = run(rows(), "huangyan-2022", context={"prev_aggregates": prev.aggregates})
    z = next(a for a in ev.aggregates if a["level"] == "zone" and a["group"] == "all")
    assert z["previous"]["year"] == 2021
    assert z["previous"]["indicators"]["tax_per_mu"] == pytest.approx(0.8 * 1150.0 / 70.0)
    assert z["yoy"]["tax_per_mu"] == pytest.approx(0.25)
    assert z["yoy"]["va_per_mu"] == pytest.approx(0.0)
    assert aggregate.index(prev.aggregates)[("park", "东区", "all")]["year"] == 2021
