"""Builders for the per-mu tests: input frames by hand, and tiny packages written to disk.

Frames follow ``jiyue.mujun.inputs.FRAME_COLUMNS`` (one row per enterprise and year, land in
亩); packages follow the data contract (field names copied from the contract by hand).
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from factories import CRS, rect, write_gpkg
from jiyue.mujun import service
from jiyue.mujun.inputs import FRAME_COLUMNS
from jiyue.mujun.policy import load_policy, policy_from_text
from jiyue.mujun.scheme import load_scheme, scheme_from_text

NUMERIC = ["tax_wan", "revenue_wan", "value_added_wan", "output_wan", "energy_tce", "emission_t",
           "electricity_mwh", "employees", "rd_wan", "fixed_assets_wan", "water_t", "gas_m3", "tech_invest_wan",
           "other_surcharge_yuan_kwh", "land_use_tax_wan"]


def row(eid: str, land_mu: float = 10.0, **kw: Any) -> dict[str, Any]:
    """One enterprise-year input row; land in 亩 (own land), everything else via keywords."""
    r: dict[str, Any] = {c: None for c in FRAME_COLUMNS}
    r.update({"enterprise_id": eid, "name": f"企业{eid}", "zone_code": "Z1", "industry_code": "C3311",
              "scale": "above", "scale_given": True, "founded": pd.Timestamp("2010-01-01"), "year": 2022,
              "own_m2": land_mu * 10000.0 / 15.0, "leased_in_m2": 0.0, "leased_out_m2": 0.0,
              "land_m2": land_mu * 10000.0 / 15.0, "land_mu": land_mu, "lease_clipped": False})
    for c in NUMERIC:
        r[c] = np.nan
    r.update(kw)
    return r


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    for c in NUMERIC + ["own_m2", "leased_in_m2", "leased_out_m2", "land_m2", "land_mu"]:
        f[c] = pd.to_numeric(f[c], errors="coerce").astype(float)
    f["founded"] = pd.to_datetime(f["founded"], errors="coerce")
    return f


def scheme(name_or_text: str, *replacements: tuple[str, str]):  # noqa: ANN201
    """A built-in scheme, optionally with text replacements (each must hit)."""
    if "\n" in name_or_text:
        text = name_or_text
    else:
        text = (resources.files("jiyue.mujun.rulesets") / f"{name_or_text}.toml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return scheme_from_text(text, "test")


def policy(name: str = "none"):  # noqa: ANN201
    return load_policy(name)


def policy_text(text: str):  # noqa: ANN201
    return policy_from_text(text, "test")


def run(rows: list[dict[str, Any]], sch: Any, pol: Any = None, year: int = 2022,
        context: dict[str, Any] | None = None) -> service.Evaluation:
    sch = load_scheme(sch) if isinstance(sch, str) else sch
    pol = pol if pol is not None else policy("none")
    return service.evaluate_frame(frame(rows), sch, pol, year, context)


def results(ev: service.Evaluation) -> dict[str, dict[str, Any]]:
    """Per enterprise id: score, rank, class, vetoed, protected, status, group, item scores."""
    out = {}
    t, c, s = ev.result.table, ev.classes, ev.scope
    for i, eid in enumerate(ev.frame["enterprise_id"]):
        items = {k[2:]: float(t[k].iat[i]) for k in t.columns if k.startswith("s.") and not np.isnan(t[k].iat[i])}
        out[eid] = {"score": float(t["score"].iat[i]), "rank": c["rank"].iat[i],
                    "class": service.clean(c["class"].iat[i]), "class_by_rank": service.clean(c["class_by_rank"].iat[i]),
                    "vetoed": bool(c["vetoed"].iat[i]), "protected": bool(c["protected"].iat[i]),
                    "status": s["status"].iat[i], "group": service.clean(s["group"].iat[i]), "items": items}
    return out


# --------------------------------------------------------------------------- packages
def package(firms: list[dict[str, Any]], years: dict[int, list[dict[str, Any]]],
            extra_parcels: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A one-zone package. ``firms``: enterprise rows (contract fields + own ``land_m2``, each
    firm's land a 100 m high rectangle); ``years``: enterprise_years rows per year."""
    x = 0.0
    pids, geoms, users, areas = [], [], [], []
    for i, f in enumerate(firms):
        m2 = f.pop("land_m2", 0.0)
        if m2 > 0:
            w = m2 / 100.0
            pids.append(f"P{i + 1:03d}")
            geoms.append(rect(x, 0, w, 100))
            users.append(f["enterprise_id"])
            areas.append(m2)
            x += w + 10
    for j, p in enumerate(extra_parcels or []):
        w = p["area_m2"] / 100.0
        pids.append(p.get("parcel_id", f"X{j + 1:03d}"))
        geoms.append(rect(x, 0, w, 100))
        users.append(p.get("user_id"))
        areas.append(p["area_m2"])
        x += w + 10
    zones = gpd.GeoDataFrame({"zone_code": ["Z1"], "name": ["测试开发区"], "province": ["山东省"],
                              "level": ["provincial"], "category": ["etdz"], "eval_type": ["industrial"]},
                             geometry=[rect(-10, -10, x + 20, 120)], crs=CRS)
    parcels = gpd.GeoDataFrame({"parcel_id": pids, "zone_code": "Z1", "build_class": "A2", "supply_class": "D21",
                                "area_m2": areas, "user_id": users,
                                "supply_date": [dt.date(2015, 1, 1)] * len(pids)}, geometry=geoms, crs=CRS)
    ent = pd.DataFrame(firms)
    if "name" not in ent.columns:
        ent["name"] = [f"企业{e}" for e in ent["enterprise_id"]]
    if "zone_code" not in ent.columns:
        ent["zone_code"] = "Z1"
    ey = pd.DataFrame([dict(r, year=y) for y, rows in years.items() for r in rows])
    return {"zones": zones, "parcels": parcels, "enterprises": ent, "enterprise_years": ey}


def write(layers: dict[str, Any], path: Path) -> Path:
    return write_gpkg(layers, path)
