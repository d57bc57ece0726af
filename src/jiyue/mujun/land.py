"""Land accounting of an enterprise for one year, in m² (亩 only at the end).

The rule (docs/sources/per-mu-schemes.md §A.6, recommended wording [U]; documented in docs/mujun.md):

    evaluated land = own land + land used under lease − land leased out to evaluated tenants

- *own land*: Σ effective area of the parcels whose ``user_id`` is the enterprise;
- *leased in*: the leases of the year where the enterprise is the lessee — rows of the lease
  table (``--leases FILE``) when the enterprise has any, else ``enterprise_years.land_m2_extra``
  (whose lessor, when known, comes from the optional field ``lessor_id`` / ``出租方``);
- *leased out*: the leased-in area of every **evaluated** tenant (rated or deferred) whose lessor
  is the enterprise. Land leased to a firm that is not evaluated stays with the lessor, so the
  same land is counted exactly once.
- A lease given as floor space (``floor_m2`` of the building on ``parcel_id``) counts as land in
  proportion to its share of the parcel's floor space (floor share × parcel area) [U]. The floor
  space is :func:`jiyue.landrules.floor_area` with ``tall_storeys=False``: a lease is of real
  floor space (建筑面积), so a high-bay storey is not doubled here as it is for the FAR (计容).
- Leased-out land larger than the lessor's own + leased-in land is clipped: the lessor's land
  becomes 0 and the reason says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiyue import landrules
from jiyue.errors import UsageError
from jiyue.mujun import labels
from jiyue.normalize import parse_numbers
from jiyue.schema import YEAR_MAX, YEAR_MIN

LEASE_FIELDS = {  # canonical -> accepted column names (English, Chinese)
    "lessee_id": ("lessee_id", "承租方", "承租企业", "承租企业编号"),
    "lessor_id": ("lessor_id", "出租方", "出租企业", "出租企业编号"),
    "land_m2": ("land_m2", "租赁土地面积", "土地面积"),
    "floor_m2": ("floor_m2", "租赁建筑面积", "建筑面积"),
    "parcel_id": ("parcel_id", "宗地编号"),
    "start_year": ("start_year", "起始年度", "起租年度"),
    "end_year": ("end_year", "终止年度", "到期年度"),
}
LEASE_COLUMNS = list(LEASE_FIELDS)


def own_land(parcels: pd.DataFrame) -> pd.Series:
    """Σ effective parcel area (m²) per ``user_id``."""
    if parcels is None or len(parcels) == 0 or "user_id" not in parcels.columns:
        return pd.Series(dtype=float)
    area_col = "area_eff_m2" if "area_eff_m2" in parcels.columns else "area_m2"
    p = parcels[parcels["user_id"].notna()]
    area = pd.to_numeric(p[area_col], errors="coerce").fillna(0.0)
    return area.groupby(p["user_id"].astype(str)).sum()


def read_leases(path: str) -> pd.DataFrame:
    """A lease table (CSV or XLSX; English or Chinese column names) → canonical columns."""
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise UsageError(labels.ERR["leases_read"].format(path=p, err="文件不存在"))
    try:
        if p.suffix.lower() in (".xlsx", ".xls"):
            raw = pd.read_excel(p, engine="calamine", dtype=object)
        else:
            try:
                raw = pd.read_csv(p, dtype=str, encoding="utf-8-sig")
            except UnicodeDecodeError:
                raw = pd.read_csv(p, dtype=str, encoding="gb18030")
    except Exception as e:  # noqa: BLE001 - any reader failure is the user's file
        raise UsageError(labels.ERR["leases_read"].format(path=p, err=str(e).splitlines()[0][:200])) from None
    return normalise_leases(raw, str(p))


def normalise_leases(raw: pd.DataFrame, source: str = "") -> pd.DataFrame:
    """Rename, type and check a lease table; every problem is reported at once."""
    lookup = {name.strip().lower(): canon for canon, names in LEASE_FIELDS.items() for name in names}
    cols = {c: lookup[str(c).strip().lower()] for c in raw.columns if str(c).strip().lower() in lookup}
    df = raw.rename(columns=cols)
    for c in LEASE_COLUMNS:
        if c not in df.columns:
            df[c] = None
    problems = []
    for need in ("lessee_id",):
        if df[need].isna().all() and len(df):
            problems.append(labels.ERR["leases_field"].format(path=source, field=need,
                                                              expected="、".join(LEASE_FIELDS[need])))
    for c in ("land_m2", "floor_m2", "start_year", "end_year"):
        num, bad = parse_numbers(df[c])  # the package's rule for number cells
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(labels.ERR["leases_value"].format(path=source, row=i + 2, field=c,
                                                              problem=f"不是数字：「{df[c].iloc[i]}」"))
        neg = num < 0
        for i in np.flatnonzero(neg.to_numpy()):
            problems.append(labels.ERR["leases_value"].format(path=source, row=i + 2, field=c,
                                                              problem=f"为负数 {num.iloc[i]:g}"))
        if c.endswith("_year"):
            odd = (num.notna() & ~neg & ((num % 1 != 0) | (num < YEAR_MIN) | (num > YEAR_MAX))).to_numpy()
            for i in np.flatnonzero(odd):
                problems.append(labels.ERR["leases_value"].format(
                    path=source, row=i + 2, field=c, problem=f"为「{num.iloc[i]:g}」，应为 {YEAR_MIN} 至 {YEAR_MAX} 之间的年份"))
        df[c] = num
    no_area = df["lessee_id"].notna() & df["land_m2"].isna() & (df["floor_m2"].isna() | df["parcel_id"].isna())
    for i in np.flatnonzero(no_area.to_numpy()):
        problems.append(labels.ERR["leases_value"].format(
            path=source, row=i + 2, field="land_m2", problem="为空，且没有同时给出 floor_m2 与 parcel_id"))
    if problems:
        raise UsageError("\n".join(problems[:50]) + (f"\n… 另有 {len(problems) - 50} 处" if len(problems) > 50 else ""))
    out = df[LEASE_COLUMNS].copy()
    for c in ("lessee_id", "lessor_id", "parcel_id"):
        out[c] = out[c].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""
                            else str(v).strip())
    return out


def lease_rows(ey: pd.DataFrame, leases: pd.DataFrame | None, year: int, parcels: pd.DataFrame | None = None,
               buildings: pd.DataFrame | None = None, lessor_col: pd.Series | None = None) -> pd.DataFrame:
    """Every lease of ``year`` as (lessee_id, lessor_id, area_m2, source)."""
    rows = []
    table_lessees: set[str] = set()
    if leases is not None and len(leases):
        lz = leases.copy()
        sy = pd.to_numeric(lz["start_year"], errors="coerce")
        ey_ = pd.to_numeric(lz["end_year"], errors="coerce")
        lz = lz[(sy.isna() | (sy <= year)) & (ey_.isna() | (ey_ >= year))]
        area = pd.to_numeric(lz["land_m2"], errors="coerce")
        need = area.isna() & lz["floor_m2"].notna()
        if need.any():
            area = area.copy()
            area[need] = _floor_share_land(lz[need], parcels, buildings)
        part = pd.DataFrame({"lessee_id": lz["lessee_id"].astype(str), "lessor_id": lz["lessor_id"],
                             "area_m2": area.fillna(0.0).astype(float), "source": "leases"})
        rows.append(part)
        table_lessees = set(part["lessee_id"])
    if ey is not None and len(ey) and "land_m2_extra" in ey.columns:
        x = pd.to_numeric(ey["land_m2_extra"], errors="coerce")
        keep = x.notna() & (x > 0) & ~ey["enterprise_id"].astype(str).isin(table_lessees)
        lessor = lessor_col[keep] if lessor_col is not None else pd.Series([None] * int(keep.sum()))
        part = pd.DataFrame({"lessee_id": ey.loc[keep, "enterprise_id"].astype(str).to_numpy(),
                             "lessor_id": list(lessor.to_numpy()) if len(lessor) else [],
                             "area_m2": x[keep].astype(float).to_numpy(), "source": "enterprise_years"})
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=["lessee_id", "lessor_id", "area_m2", "source"])
    out = pd.concat(rows, ignore_index=True)
    out["lessor_id"] = out["lessor_id"].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                            or str(v).strip() == "" else str(v).strip())
    return out


def _floor_share_land(lz: pd.DataFrame, parcels: pd.DataFrame | None, buildings: pd.DataFrame | None) -> pd.Series:
    """Land of floor-space leases: floor_m2 / Σ floor area on the parcel × parcel area [U]."""
    if parcels is None or buildings is None or len(buildings) == 0:
        return pd.Series(np.nan, index=lz.index)
    pa_col = "area_eff_m2" if "area_eff_m2" in parcels.columns else "area_m2"
    parea = pd.to_numeric(parcels[pa_col], errors="coerce").groupby(parcels["parcel_id"].astype(str)).sum()
    b = buildings
    pid = b["parcel_eff"] if "parcel_eff" in b.columns else b.get("parcel_id")
    floor_area = landrules.floor_area(b, tall_storeys=False).fillna(0.0)  # real floor space, no 8 m doubling
    total = floor_area.groupby(pid.astype(str)).sum()
    pids = lz["parcel_id"].astype(str)
    tot = pids.map(total).astype(float)
    par = pids.map(parea).astype(float)
    share = pd.to_numeric(lz["floor_m2"], errors="coerce") / tot.where(tot > 0)
    return (share.clip(upper=1.0) * par).astype(float)


def account(ids: pd.Series, own: pd.Series, leases: pd.DataFrame, evaluated: pd.Series | None,
            deduct: bool = True) -> pd.DataFrame:
    """own / leased-in / leased-out / land (m²) for ``ids``; ``evaluated`` flags tenants holding land.

    ``evaluated`` is a boolean Series indexed by enterprise_id (None: no deduction yet).
    """
    eid = ids.astype(str)
    own_m2 = eid.map(own).fillna(0.0).astype(float).to_numpy()
    lin = leases.groupby("lessee_id")["area_m2"].sum() if len(leases) else pd.Series(dtype=float)
    leased_in = eid.map(lin).fillna(0.0).astype(float).to_numpy()
    leased_out = np.zeros(len(eid))
    if deduct and evaluated is not None and len(leases):
        lz = leases[leases["lessor_id"].notna()]
        held = lz["lessee_id"].map(evaluated).fillna(False).astype(bool)
        lout = lz[held.to_numpy()].groupby("lessor_id")["area_m2"].sum()
        leased_out = eid.map(lout).fillna(0.0).astype(float).to_numpy()
    gross = own_m2 + leased_in
    clipped = leased_out > gross + 1e-9
    land = np.where(clipped, 0.0, gross - leased_out)
    return pd.DataFrame({"own_m2": own_m2, "leased_in_m2": leased_in, "leased_out_m2": leased_out,
                         "land_m2": land, "lease_clipped": clipped}, index=ids.index)
