"""The calibrated and plausibility figures of a package, by plain arithmetic."""

from __future__ import annotations

from typing import Any

import pandas as pd

from jiyue.demo.breaches import breach_reasons, building_floor_area, effective_footprint
from jiyue.demo.enterprises import SEED_FIRMS
from jiyue.demo.identity import (
    CONTRACT_CUTOFF,
    DEMO_YEAR,
    GUAIBAO_OLD_PLANT_M2,
    LAYER_NAMES,
    LU_INDUSTRIAL,
    LU_WAREHOUSE,
)
from jiyue.landrules import M2_PER_HA, M2_PER_MU


def _round(x: Any, digits: int) -> float:
    """Round to a plain Python float (numpy scalars print badly in docs and JSON)."""
    return round(float(x), digits)


def _story_figures(layers: dict[str, Any]) -> dict[str, Any]:
    """The article's other figures: the 5.43 ha block, 乖宝's per-mu tax, the medical sites."""
    p, e, ey = layers["parcels"], layers["enterprises"], layers["enterprise_years"]
    ids = e.set_index("name")["enterprise_id"]
    recovered = [SEED_FIRMS[f"recovered_{k}"][0] for k in range(5)]
    block = p.loc[p["user_id"].isin(ids.reindex(recovered)), "area_m2"].sum()
    guaibao = ids.get(SEED_FIRMS["guaibao"][0])
    own = p.loc[p["user_id"] == guaibao, "area_m2"].sort_values()
    taxes = ey.loc[ey["enterprise_id"] == guaibao, "tax_wan"]
    kinds = layers["facilities"]["kind"]
    return {
        "recovered_block_ha": _round(block / M2_PER_HA, 4),
        "guaibao_parcels_ha": [_round(x / M2_PER_HA, 2) for x in own],
        "guaibao_min_tax_per_mu_old_plant": _round(taxes.min() / (GUAIBAO_OLD_PLANT_M2 / M2_PER_MU), 1)
        if len(taxes) else None,
        "guaibao_min_tax_per_mu_all_land": _round(taxes.min() / (own.sum() / M2_PER_MU), 1) if len(taxes) else None,
        "medical_sites": int(kinds.isin(["hospital", "clinic"]).sum()),
    }


def demo_summary(layers: dict[str, Any]) -> dict[str, Any]:
    """The calibrated and plausibility figures of a package, by plain arithmetic (areas in ha)."""
    p, b = layers["parcels"], layers["buildings"]
    area = p["area_m2"]
    is_a = p["build_class"].str.startswith("A")
    a = area[is_a].sum()
    b21 = area[p["build_class"] == "B21"].sum()
    d = area[p["supply_class"].isin(["D1", "D21", "D22"])].sum()
    g = area[p["idle"].astype(bool)].sum()
    a2 = area[p["build_class"] == "A2"].sum()
    cls = b["parcel_id"].map(p.set_index("parcel_id")["build_class"])
    bld = b["kind"].fillna("building") == "building"
    fa = building_floor_area(b)
    footprint = effective_footprint(b)
    on_a = bld & cls.str.startswith("A").fillna(False)
    on_a2 = cls == "A2"
    zy = layers["zone_years"].set_index("year").loc[DEMO_YEAR]
    breaches = breach_reasons(layers)
    since = p[(pd.to_datetime(p["supply_date"]) >= pd.Timestamp(CONTRACT_CUTOFF))
              & p["land_use_code"].isin([LU_INDUSTRIAL, LU_WAREHOUSE]) & p["build_class"].isin(["A2", "B21"])]
    return {
        "A_ha": _round(a / M2_PER_HA, 4),
        "B21_ha": _round(b21 / M2_PER_HA, 4),
        "D_ha": _round(d / M2_PER_HA, 4),
        "G_ha": _round(g / M2_PER_HA, 4),
        "A2_ha": _round(a2 / M2_PER_HA, 4),
        "supply_rate": _round(d / (a + b21) * 100, 4),
        "built_rate": _round(a / d * 100, 4),
        "far": _round(fa[on_a].sum() / a, 5),
        "building_density": _round(footprint[on_a].sum() / a * 100, 2),
        "industrial_land_ratio": _round(a2 / a * 100, 2),
        "industrial_far": _round(fa[on_a2 & bld].sum() / a2, 3),
        "industrial_building_coefficient": _round(footprint[on_a2].sum() / a2 * 100, 2),
        "idle_rate": _round(g / d * 100, 3),
        "tax_per_ha": _round(zy["tax_total_wan"] / (a / M2_PER_HA), 1),
        "population_density": _round(zy["population"] / (a / M2_PER_HA), 1),
        "contracts_since_2016": int(len(since)),
        "breaches": int((breaches["reasons"].map(len) > 0).sum()),
        **_story_figures(layers),
        "counts": {name: int(len(layers[name])) for name in LAYER_NAMES if name in layers},
    }
