"""The per-enterprise input frame of one evaluation year, built from canonical tables.

One row per enterprise with an ``enterprise_years`` row for the year: identity (zone, park,
street, industry, scale, founding date), the yearly figures, veto events, flags and the land
accounting (see :mod:`jiyue.mujun.land`). Fields outside the data contract are read when a
package carries them (the reader keeps unknown fields as ``x_<name>``); the store keeps only
contract fields, so from ``--db`` they are absent:

==========================  ==================================  =============================
variable                    accepted field names                 layer
==========================  ==================================  =============================
park                        park, 园区                           enterprises
street                      street, 街道                         enterprises
flags                       flags, 标记, 企业标记                enterprises, enterprise_years
scale (that year)           scale, 规模                          enterprise_years (overrides)
water_t                     water_t, 用水量                      enterprise_years
gas_m3                      gas_m3, 用气量                       enterprise_years
tech_invest_wan             tech_invest_wan, 技改投资, 技术改造投资  enterprise_years
other_surcharge_yuan_kwh    other_surcharge_yuan_kwh, 其他电价加价  enterprise_years
land_use_tax_wan            land_use_tax_wan, 城镇土地使用税      enterprise_years
past_class                  class, 评价类别                      enterprise_years (official class of that year)
lessor_id                   lessor_id, 出租方                    enterprise_years (lessor of land_m2_extra)
==========================  ==================================  =============================
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from jiyue.codes import SCALES
from jiyue.landrules import m2_to_mu, mu_to_m2
from jiyue.mujun import labels, land

CONTRACT_VARIABLES = ["tax_wan", "revenue_wan", "value_added_wan", "output_wan", "energy_tce", "emission_t",
                      "electricity_mwh", "employees", "rd_wan", "fixed_assets_wan"]
EXTRA_VARIABLES = {
    "water_t": ("water_t", "用水量"),
    "gas_m3": ("gas_m3", "用气量"),
    "tech_invest_wan": ("tech_invest_wan", "技改投资", "技术改造投资"),
    "other_surcharge_yuan_kwh": ("other_surcharge_yuan_kwh", "其他电价加价"),
    "land_use_tax_wan": ("land_use_tax_wan", "城镇土地使用税"),
}
EXTRA_TEXT = {
    "park": ("park", "园区"),
    "street": ("street", "街道"),
    "flags": ("flags", "标记", "企业标记"),
    "scale": ("scale", "规模"),
    "past_class": ("class", "past_class", "评价类别"),
    "lessor_id": ("lessor_id", "出租方"),
}
NUMERIC = CONTRACT_VARIABLES + list(EXTRA_VARIABLES)
FRAME_COLUMNS = ["enterprise_id", "name", "zone_code", "park", "street", "industry_code", "scale",
                 "scale_given", "founded", "year", *NUMERIC, "veto", "flags", "past_class",
                 "own_m2", "leased_in_m2", "leased_out_m2", "land_m2", "land_mu", "lease_clipped"]

_FLAG_LOOKUP = {alias: code for code, aliases in labels.FLAGS.items() for alias in (code, *aliases)}
_SCALE_LOOKUP = {alias: code for code, aliases in SCALES.items() for alias in (code, *aliases)}


def extra(df: pd.DataFrame, names: tuple[str, ...]) -> pd.Series | None:
    """The first present column among ``names`` and ``x_<name>`` (the reader's extras)."""
    for n in names:
        for c in (n, f"x_{n}"):
            if c in df.columns:
                return df[c]
    return None


def _text(v: object) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


def parse_codes(v: object, lookup: dict[str, str] | None = None) -> tuple[str, ...]:
    """``"high_tech，小升规"`` → ``("high_tech", "new_above")``; unknown words kept as given."""
    s = _text(v)
    if s is None:
        return ()
    parts = [p for p in re.split(r"[,，、;；\s]+", s) if p]
    if lookup is None:
        return tuple(parts)
    return tuple(lookup.get(p, lookup.get(p.lower(), p)) for p in parts)


def _join(*vals: tuple[str, ...]) -> str | None:
    out: list[str] = []
    for v in vals:
        for c in v:
            if c not in out:
                out.append(c)
    return ",".join(out) or None


def base_frame(enterprises: pd.DataFrame, ey_year: pd.DataFrame, parcels: pd.DataFrame | None,
               year: int) -> pd.DataFrame:
    """Identity and yearly figures (no land yet) of the enterprises with a row for ``year``."""
    ey = ey_year.reset_index(drop=True)
    ent = enterprises.copy()
    ent["enterprise_id"] = ent["enterprise_id"].astype(str)
    ent = ent.drop_duplicates("enterprise_id").set_index("enterprise_id")
    ids = ey["enterprise_id"].astype(str)
    f = pd.DataFrame({"enterprise_id": ids})

    def from_ent(col: str | None, series: pd.Series | None = None) -> pd.Series:
        if series is None:
            if col is None or col not in ent.columns:
                return pd.Series([None] * len(ids), index=f.index, dtype=object)
            series = ent[col]
        return ids.map(series).astype(object).where(ids.isin(ent.index), None)

    f["name"] = from_ent("name")
    f["zone_code"] = from_ent("zone_code")
    if parcels is not None and len(parcels) and "user_id" in parcels.columns and f["zone_code"].isna().any():
        area_col = "area_eff_m2" if "area_eff_m2" in parcels.columns else "area_m2"
        p = parcels[parcels["user_id"].notna()].assign(_a=lambda d: pd.to_numeric(d[area_col], errors="coerce"))
        biggest = p.sort_values("_a", ascending=False).drop_duplicates("user_id")
        zmap = pd.Series(biggest["zone_code"].to_numpy(), index=biggest["user_id"].astype(str))
        f["zone_code"] = f["zone_code"].where(f["zone_code"].notna(), ids.map(zmap))
    park = extra(ent, EXTRA_TEXT["park"])
    street = extra(ent, EXTRA_TEXT["street"])
    f["park"] = from_ent(None, park) if park is not None else None
    f["street"] = from_ent(None, street) if street is not None else None
    f["industry_code"] = from_ent("industry_code")
    scale = from_ent("scale").map(lambda v: _SCALE_LOOKUP.get(_text(v) or "", None))
    ey_scale = extra(ey, EXTRA_TEXT["scale"])
    if ey_scale is not None:
        yearly = ey_scale.map(lambda v: _SCALE_LOOKUP.get(_text(v) or "", None))
        scale = yearly.where(yearly.notna(), scale)
    f["scale"] = scale
    f["scale_given"] = scale.notna()
    f["founded"] = pd.to_datetime(from_ent("founded"), errors="coerce")
    f["year"] = int(year)
    for c in CONTRACT_VARIABLES:
        f[c] = pd.to_numeric(ey[c], errors="coerce").astype(float) if c in ey.columns else np.nan
    for c, names in EXTRA_VARIABLES.items():
        s = extra(ey, names)
        f[c] = pd.to_numeric(s, errors="coerce").astype(float) if s is not None else np.nan
    f["veto"] = ey["veto"].map(lambda v: ",".join(parse_codes(v)) or None) if "veto" in ey.columns else None
    ent_flags = extra(ent, EXTRA_TEXT["flags"])
    ey_flags = extra(ey, EXTRA_TEXT["flags"])
    a = from_ent(None, ent_flags) if ent_flags is not None else pd.Series([None] * len(ids))
    b = ey_flags if ey_flags is not None else pd.Series([None] * len(ids))
    f["flags"] = [_join(parse_codes(x, _FLAG_LOOKUP), parse_codes(y, _FLAG_LOOKUP))
                  for x, y in zip(a.to_numpy(), b.to_numpy())]
    pc = extra(ey, EXTRA_TEXT["past_class"])
    f["past_class"] = pc.map(_text) if pc is not None else None
    lessor = extra(ey, EXTRA_TEXT["lessor_id"])
    f["_lessor"] = lessor.map(_text) if lessor is not None else None
    return f


def build_frame(enterprises: pd.DataFrame, enterprise_years: pd.DataFrame, parcels: pd.DataFrame | None,
                year: int, *, leases: pd.DataFrame | None = None, buildings: pd.DataFrame | None = None,
                evaluated: Callable[[pd.DataFrame], pd.Series] | None = None,
                deduct_leased_out: bool = True) -> pd.DataFrame:
    """The input frame of ``year`` with land accounted.

    ``evaluated(frame) -> bool Series`` says which enterprises hold their leased land (the
    scheme's scope, computed on the land before any deduction); with ``None`` every
    enterprise of the year counts as evaluated.
    """
    ey = enterprise_years
    ey = ey[pd.to_numeric(ey["year"], errors="coerce") == year].drop_duplicates("enterprise_id", keep="last")
    f = base_frame(enterprises, ey, parcels, year)
    own = land.own_land(parcels) if parcels is not None else pd.Series(dtype=float)
    lz = land.lease_rows(ey.reset_index(drop=True), leases, year, parcels, buildings,
                         lessor_col=f["_lessor"] if f["_lessor"].notna().any() else None)
    ids = f["enterprise_id"]
    first = land.account(ids, own, lz, None, deduct=False)
    f = _with_land(f, first)
    if deduct_leased_out and len(lz) and lz["lessor_id"].notna().any():
        held = evaluated(f) if evaluated is not None else pd.Series(True, index=f.index)
        held_by_id = pd.Series(held.to_numpy(), index=ids.to_numpy())
        second = land.account(ids, own, lz, held_by_id, deduct=True)
        f = _with_land(f, second)
    return f.drop(columns=["_lessor"])


def _with_land(f: pd.DataFrame, acc: pd.DataFrame) -> pd.DataFrame:
    f = f.copy()
    for c in ("own_m2", "leased_in_m2", "leased_out_m2", "land_m2", "lease_clipped"):
        f[c] = acc[c].to_numpy()
    f["land_mu"] = m2_to_mu(f["land_m2"].astype(float))
    return f


def _code_where(mask: np.ndarray, code: str, otherwise: np.ndarray | None = None) -> np.ndarray:
    """``code`` where ``mask`` holds, else ``otherwise`` (None where not given), as an object array."""
    out = np.full(len(mask), None, dtype=object) if otherwise is None else otherwise.astype(object)
    out[mask] = code
    return out


def synthetic_frame(n: int, year: int = 2022, seed: int = 42, *, missing_share: float = 0.03,
                    zero_share: float = 0.01) -> pd.DataFrame:
    """A plausible random input frame (for the benchmark and the cross-check tests)."""
    rng = np.random.default_rng(seed)
    land_mu = np.round(rng.lognormal(2.8, 0.9, n), 4)
    above = rng.random(n) < 0.6
    tax_per_mu = rng.lognormal(2.5, 0.8, n) * np.where(above, 1.3, 0.7)
    tax = np.round(tax_per_mu * land_mu, 3)
    va = np.round(tax * rng.lognormal(1.7, 0.4, n), 3)
    revenue = np.round(va * rng.lognormal(1.2, 0.3, n), 3)
    f = pd.DataFrame({
        "enterprise_id": [f"E{i:06d}" for i in range(n)],
        "name": [f"企业{i}" for i in range(n)],
        "zone_code": np.where(rng.random(n) < 0.5, "Z1", "Z2"),
        "park": rng.choice(["东区", "西区", "北区"], n),
        "street": rng.choice(["甲街道", "乙街道"], n),
        "industry_code": rng.choice(["C3311", "C1321", "C2929", "C3670"], n),
        "scale": np.where(above, "above", "below"),
        "scale_given": True,
        "founded": pd.to_datetime("2005-01-01") + pd.to_timedelta(rng.integers(0, 6500, n), unit="D"),
        "year": year,
        "tax_wan": tax, "revenue_wan": revenue, "value_added_wan": va,
        "output_wan": np.round(revenue * 1.02, 3),
        "energy_tce": np.round(va / rng.lognormal(0.9, 0.5, n), 3),
        "emission_t": np.round(va / rng.lognormal(8.2, 0.8, n), 4),
        "electricity_mwh": np.round(tax * 10 / rng.lognormal(-1.4, 0.5, n), 3),
        "employees": rng.integers(3, 800, n).astype(float),
        "rd_wan": np.round(revenue * rng.uniform(0, 0.06, n), 3),
        "fixed_assets_wan": np.round(land_mu * rng.lognormal(5.3, 0.5, n), 3),
        "water_t": np.round(va / rng.lognormal(-2.3, 0.5, n), 3),
        "gas_m3": np.nan, "tech_invest_wan": np.round(land_mu * rng.lognormal(2.0, 1.0, n), 3),
        "other_surcharge_yuan_kwh": np.where(rng.random(n) < 0.02, 0.1, np.nan),
        "land_use_tax_wan": np.round(land_mu * 0.4, 3),
        "veto": _code_where(rng.random(n) < 0.01, "safety_accident"),
        "flags": _code_where(rng.random(n) < 0.02, "major_project", _code_where(rng.random(n) < 0.05, "high_tech")),
        "past_class": None,
        "own_m2": mu_to_m2(land_mu), "leased_in_m2": 0.0, "leased_out_m2": 0.0,
        "land_m2": mu_to_m2(land_mu), "land_mu": land_mu, "lease_clipped": False,
    })
    for c in ("emission_t", "rd_wan", "energy_tce", "employees", "tax_wan"):
        miss = rng.random(n) < (missing_share * (3 if c == "emission_t" else 1))
        f.loc[miss, c] = np.nan
    for c in ("emission_t", "energy_tce", "employees", "electricity_mwh"):
        f.loc[rng.random(n) < zero_share, c] = 0.0
    return f
