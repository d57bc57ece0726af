"""Several zones in one package, identical but for what a test changes."""

from __future__ import annotations

import pandas as pd

from factories import small_package


def zone_copy(code: str, *, province: str = "山东省", eval_type: str = "integrated", dx: float = 0.0,
              extra_floor_area: float = 0.0, category: str = "etdz") -> dict:
    """small_package() renamed to zone ``code`` and shifted dx metres east.

    ``extra_floor_area`` is added to building B4 (on the A1 parcel): the zone's FAR grows by
    extra / 30 000 and nothing else changes.
    """
    L = small_package()
    L["zones"]["zone_code"] = code
    L["zones"]["province"] = province
    L["zones"]["eval_type"] = eval_type
    L["zones"]["category"] = category
    L["zones"]["name"] = f"测试区{code}"
    L["zones"] = L["zones"].set_geometry(L["zones"].geometry.translate(dx, 0))
    p = L["parcels"]
    p["parcel_id"] = code + "-" + p["parcel_id"]
    p["zone_code"] = code
    p["user_id"] = p["user_id"].map(lambda v: None if pd.isna(v) else f"{code}-{v}")
    p["contract_no"] = p["contract_no"].map(lambda v: None if pd.isna(v) else f"{code}-{v}")
    L["parcels"] = p.set_geometry(p.geometry.translate(dx, 0))
    b = L["buildings"]
    b["building_id"] = code + "-" + b["building_id"]
    b["parcel_id"] = code + "-" + b["parcel_id"]
    b.loc[b.building_id == f"{code}-B4", "floor_area_m2"] = 4000.0 + extra_floor_area
    L["buildings"] = b.set_geometry(b.geometry.translate(dx, 0))
    for t in ("enterprises", "enterprise_years", "contracts"):
        df = L[t]
        for col in ("enterprise_id", "contract_no", "parcel_id"):
            if col in df.columns:
                df[col] = code + "-" + df[col].astype(str)
        if "zone_code" in df.columns:
            df["zone_code"] = code
    L["zone_years"]["zone_code"] = code
    L["facilities"] = L["facilities"].assign(facility_id=f"{code}-F1").set_geometry(
        L["facilities"].geometry.translate(dx, 0))
    L["enterprises"]["credit_code"] = None
    return L


def merge(*packages: dict) -> dict:
    out = {}
    for name in packages[0]:
        frames = [p[name] for p in packages]
        out[name] = pd.concat(frames, ignore_index=True)
        if hasattr(frames[0], "crs"):
            import geopandas as gpd

            out[name] = gpd.GeoDataFrame(out[name], geometry=frames[0].geometry.name, crs=frames[0].crs)
    return out
