"""One way for every engine to get its tables: from a package (validated) or from the store.

``load_tables(pkg=...)`` validates the package and returns its canonical layers;
``load_tables(db=...)`` reads the tables of the selected snapshots (zone, year) from the
DuckDB store. Either way the result is a dict of pandas DataFrames with the contract's field
names (spatial layers as GeoDataFrames only from a package; from the store geometry is left
out unless ``geometry=True``), plus ``year`` (the package's / snapshot's year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jiyue import store
from jiyue.errors import UsageError, ValidationFailed
from jiyue.schema import LAYERS
from jiyue.validate import validate_path


@dataclass
class Tables:
    """Canonical tables of one or more zones at one time point."""

    layers: dict[str, pd.DataFrame]
    year: int
    zones: list[str]
    provenance: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame:
        """The layer, or an empty frame with the contract's columns when it is absent."""
        df = self.layers.get(name)
        if df is None:
            return pd.DataFrame(columns=LAYERS[name].field_names)
        return df


def load_tables(pkg: str | Path | None = None, db: str | Path | None = None, *, zone: str | None = None,
                year: int | None = None, geometry: bool = False) -> Tables:
    """Tables from a package or the store (exactly one of ``pkg`` / ``db``)."""
    if (pkg is None) == (db is None):
        raise UsageError("请给出数据包路径，或用 --db 指定数据库（二者选一）")
    if pkg is not None:
        report = validate_path(pkg)
        if not report.ok:
            raise ValidationFailed(f"数据包有 {len(report.errors)} 个错误，无法继续；请先运行 jiyue validate 查看并修正。",
                                   report.problems)
        layers: dict[str, pd.DataFrame] = dict(report.package.layers)
        if report.building_parcel is not None and "buildings" in layers:
            layers["buildings"] = layers["buildings"].assign(parcel_eff=report.building_parcel.to_numpy())
        y = int(year) if year is not None else store.package_year(report)
        zones = sorted(str(z) for z in layers["zones"]["zone_code"].dropna().unique())
        if zone is not None:
            if zone not in zones:
                raise UsageError(f"数据包中没有开发区「{zone}」；有：{'、'.join(zones)}")
            zones = [zone]
            layers = restrict_to_zones(layers, zones)
        return Tables(layers, y, zones, {"package": str(pkg), "sha256": report.package.sha256})
    assert db is not None  # exactly one of pkg / db (checked above)
    with store.open_store(db, read_only=True, spatial=geometry) as con:
        rows = con.execute("SELECT import_id, zone_code, year FROM snapshots ORDER BY zone_code, year").fetchall()
        if zone is not None:
            rows = [r for r in rows if r[1] == zone]
        if year is not None:
            rows = [r for r in rows if r[2] == year]
        if not rows:
            raise UsageError(f"数据库 {db} 中没有符合条件的数据（开发区 {zone or '全部'}，年度 {year or '最新'}）")
        y = max(r[2] for r in rows)
        rows = [r for r in rows if r[2] == y]
        imports = sorted({int(r[0]) for r in rows})
        zones = sorted({str(r[1]) for r in rows})
        layers = {}
        ph = ",".join("?" * len(imports))
        for name in LAYERS:
            cols = [c for c, _ in store.table_columns(con, name)
                    if c != "import_id" and (geometry or c != "geom")]
            sel = ", ".join(f'"{c}"' if c != "geom" else "ST_AsWKB(geom) AS geom" for c in cols)
            df = con.execute(f"SELECT {sel} FROM {name} WHERE import_id IN ({ph})", imports).fetchdf()
            layers[name] = expand_extra(df)
        return Tables(restrict_to_zones(layers, zones), y, zones, {"db": str(db), "imports": imports})


def expand_extra(df: pd.DataFrame) -> pd.DataFrame:
    """Turn the store's JSON ``extra`` column back into ``x_<name>`` columns (as a package gives them)."""
    if "extra" not in df.columns:
        return df
    ex = df.pop("extra")
    if ex.notna().any():
        import json

        parsed = pd.DataFrame([json.loads(v) if isinstance(v, str) else {} for v in ex], index=df.index)
        for c in parsed.columns:
            df[f"x_{c}"] = parsed[c].astype(object).where(parsed[c].notna(), None)
    return df


def restrict_to_zones(layers: dict[str, pd.DataFrame], zones: list[str]) -> dict[str, pd.DataFrame]:
    """Only the rows that belong to ``zones``: by zone code, or through the parcels they hang on.

    Buildings follow their (effective) parcel, contracts their parcel, progress its contract;
    enterprises are those of the zones (``zone_code``) or using their parcels, with their years.
    """
    out = dict(layers)
    present = set(layers["zones"]["zone_code"].dropna().astype(str)) if "zones" in layers else set()
    if present <= set(zones):
        return out  # nothing to leave out (enterprises that only lease land stay in)

    def keep(name: str, mask: pd.Series) -> None:
        out[name] = layers[name][mask.to_numpy()].reset_index(drop=True)

    for name in ("zones", "parcels", "zone_years"):
        if name in layers:
            keep(name, layers[name]["zone_code"].astype("string").isin(zones).fillna(False))
    pids = set(out["parcels"]["parcel_id"].dropna().astype(str)) if "parcels" in out else set()
    if "buildings" in layers:
        b = layers["buildings"]
        col = "parcel_eff" if "parcel_eff" in b.columns else "parcel_id"
        keep("buildings", b[col].astype("string").isin(pids).fillna(False))
    if "contracts" in layers:
        c = layers["contracts"]
        keep("contracts", c["parcel_id"].astype("string").isin(pids).fillna(False))
    if "progress" in layers and "contracts" in out:
        nos = set(out["contracts"]["contract_no"].dropna().astype(str))
        keep("progress", layers["progress"]["contract_no"].astype("string").isin(nos).fillna(False))
    if "enterprises" in layers:
        e = layers["enterprises"]
        users = set(out["parcels"]["user_id"].dropna().astype(str)) if "parcels" in out else set()
        if "contracts" in out:
            users |= set(out["contracts"]["enterprise_id"].dropna().astype(str))
        mask = e["zone_code"].astype("string").isin(zones).fillna(False) | \
            e["enterprise_id"].astype("string").isin(users).fillna(False)
        keep("enterprises", mask)
        if "enterprise_years" in layers:
            ids = set(out["enterprises"]["enterprise_id"].dropna().astype(str))
            keep("enterprise_years", layers["enterprise_years"]["enterprise_id"].astype("string").isin(ids).fillna(False))
    return out
