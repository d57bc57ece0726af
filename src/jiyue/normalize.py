"""Map raw layers onto the contract: field names, types, codes, coordinates, areas.

Every value that cannot be understood becomes a :class:`~jiyue.errors.Problem` (collected,
never raised), and the value is set to empty so later checks still run. The output frames
have exactly the contract's English field names (plus any unknown extra fields, kept with
their original names after them), a ``_row`` column (1-based position in the source) and,
for spatial layers, geometries in one projected metric CRS.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from jiyue import messages
from jiyue.errors import Problem, ReasonCode, Severity
from jiyue.reader import RawPackage
from jiyue.schema import LAYERS, Field, Layer, fold_name

AREA_MISMATCH_TOLERANCE = 0.01  # contract: > 1 % difference between area_m2 and geometry


@dataclass
class Package:
    """A package in canonical form, ready for validation, import and evaluation."""

    layers: dict[str, pd.DataFrame]
    crs: CRS | None
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    path: str = ""
    sha256: str = ""
    ignored: list[str] = field(default_factory=list)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.layers.get(name)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, severity: Severity, code: ReasonCode, layer: str, row_id: Any, fld: str | None,
            found: Any, expected: str | None, row: int | None = None) -> None:
        rid = None if row_id is None or (isinstance(row_id, float) and np.isnan(row_id)) else str(row_id)
        fs = None if found is None else _fmt(found)
        self.problems.append(Problem(severity, code, layer, rid, fld, fs, expected,
                                     messages.render(code, layer=layer, row_id=rid, field=fld,
                                                     found=fs, expected=expected), row))


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.strftime("%Y-%m-%d")
    return str(v)


def row_ids(layer: Layer, df: pd.DataFrame) -> pd.Series:
    """The id shown for each row: its key value(s), else 第N行 (its position)."""
    rows = df["_row"].astype(str)
    keys = [k for k in layer.key if k in df.columns]
    if not keys:
        return "第" + rows + "行"
    parts = [df[k].astype("string").fillna("") for k in keys]
    ids = parts[0]
    for p in parts[1:]:
        ids = ids + "/" + p
    empty = ids.str.strip("/").str.len().fillna(0) == 0
    return ids.where(~empty, "第" + rows + "行").astype(object)


# --------------------------------------------------------------------------- coercion
_NUM_CLEAN = re.compile(r"[,\s，]")


def _is_blank(s: pd.Series) -> pd.Series:
    blank = s.isna()
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        blank = blank | s.astype("string").str.strip().fillna("").eq("")
    return blank.astype(bool)


def _none(s: pd.Series) -> pd.Series:
    """An object series whose missing values are None (pandas may infer NaN-backed strings)."""
    o = s.astype(object)
    return o.where(o.notna(), None)


def _to_text(s: pd.Series) -> pd.Series:
    """Text values: numbers that are whole become '1001' not '1001.0'; blanks become None."""
    if pd.api.types.is_float_dtype(s):
        out = s.map(lambda v: None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
    elif pd.api.types.is_integer_dtype(s):
        out = s.astype("string").astype(object)
    else:
        def conv(v: Any) -> Any:
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
                return None
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
                return v.strftime("%Y-%m-%d")
            t = str(v).strip()
            return t or None
        out = s.astype(object).map(conv)
    return _none(out)


def _to_number(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats and a mask of values that were given but are not numbers."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64"), pd.Series(False, index=s.index)
    blank = _is_blank(s)
    txt = s.astype("string").str.replace(_NUM_CLEAN, "", regex=True)
    num = pd.to_numeric(txt, errors="coerce").astype("float64")
    bad = num.isna() & ~blank
    return num, bad


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S",
                 "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _parse_date(v: Any) -> Any:
    """A date, None for blank, or the sentinel ``_BAD`` when it cannot be understood."""
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if 19000101 <= f <= 21001231 and f.is_integer():  # yyyymmdd as a number
            return _parse_date(str(int(f)))
        if 1 <= f < 80000:  # an Excel serial day number
            return _EXCEL_EPOCH + dt.timedelta(days=int(f))
        return _BAD
    t = str(v).strip()
    if not t:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    return _BAD


_BAD = object()
_TRUE = {"true", "t", "1", "1.0", "y", "yes", "是", "闲置", "√"}
_FALSE = {"false", "f", "0", "0.0", "n", "no", "否", "非闲置", "未闲置"}


def _enum_lookup(enum: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, aliases in enum.items():
        table[fold_name(code)] = code
        for a in aliases:
            table[fold_name(a)] = code
    return table


def _coerce_field(layer: Layer, f: Field, df: pd.DataFrame, ids: pd.Series, col: _Collector) -> None:
    s = df[f.name]
    name = layer.name

    def report(mask: pd.Series, code: ReasonCode, expected: str | None, sev: Severity = Severity.ERROR,
               found: pd.Series | None = None) -> None:
        vals = s if found is None else found
        for i in np.flatnonzero(mask.to_numpy()):
            col.add(sev, code, name, ids.iat[i], f.name, vals.iat[i], expected, int(df["_row"].iat[i]))

    if f.type == "text":
        df[f.name] = _to_text(s)
    elif f.type in ("real", "int"):
        num, bad = _to_number(s)
        report(bad, ReasonCode.BAD_NUMBER if f.type == "real" else ReasonCode.BAD_INTEGER,
               "数字" if f.type == "real" else "整数")
        if f.type == "int":
            frac = num.notna() & (num != np.floor(num.fillna(0)))
            report(frac, ReasonCode.BAD_INTEGER, "整数", found=num)
            num = num.where(~frac)
        if f.nonnegative:
            neg = num < 0
            report(neg.fillna(False), ReasonCode.NEGATIVE_VALUE, "不小于0的数", found=num)
            num = num.where(~neg.fillna(False))
        df[f.name] = num.astype("Int64") if f.type == "int" else num
    elif f.type == "date":
        parsed = s.astype(object).map(_parse_date) if not pd.api.types.is_datetime64_any_dtype(s) else \
            s.astype(object).map(lambda v: None if pd.isna(v) else v.date())
        bad = parsed.map(lambda v: v is _BAD).astype(bool)
        report(bad, ReasonCode.BAD_DATE, "日期，如 2020-12-31")
        df[f.name] = _none(parsed.where(~bad, None))
    elif f.type == "bool":
        txt = _none(_to_text(s).map(lambda v: None if v is None else str(v).strip().lower()))
        val = txt.map(lambda v: None if v is None else (True if v in _TRUE else (False if v in _FALSE else _BAD)))
        bad = val.map(lambda v: v is _BAD).astype(bool)
        report(bad, ReasonCode.BAD_BOOL, "是/否")
        df[f.name] = _none(val.where(~bad, None))
    elif f.type in ("code", "codes"):
        assert f.enum is not None
        lookup = _enum_lookup(f.enum)
        expected = "、".join(f.enum.keys())
        txt = _to_text(s)
        if f.type == "code":
            mapped = txt.map(lambda v: None if v is None else lookup.get(fold_name(v), _BAD))
            bad = mapped.map(lambda v: v is _BAD).astype(bool)
            report(bad, ReasonCode.UNKNOWN_CODE, expected)
            df[f.name] = _none(mapped.where(~bad, None))
        else:
            def split(v: Any) -> Any:
                if v is None:
                    return None
                parts = [p for p in re.split(r"[,，、;；\s]+", str(v)) if p]
                codes = [lookup.get(fold_name(p), _BAD) for p in parts]
                return _BAD if any(c is _BAD for c in codes) else (",".join(codes) or None)
            mapped = txt.map(split)
            bad = mapped.map(lambda v: v is _BAD).astype(bool)
            # open list ("e.g." in the contract): an unknown event is a warning, kept as given
            report(bad, ReasonCode.UNKNOWN_CODE, expected, Severity.WARNING)
            df[f.name] = _none(mapped.where(~bad, txt))


# --------------------------------------------------------------------------- columns
def _map_columns(layer: Layer, frame: pd.DataFrame, col: _Collector) -> pd.DataFrame:
    lookup: dict[str, str] = {}
    for f in layer.fields:
        lookup[fold_name(f.name)] = f.name
        for a in f.aliases:
            lookup[fold_name(a)] = f.name
    rename: dict[str, str] = {}
    seen: dict[str, str] = {}
    geom_col = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for c in frame.columns:
        if c == geom_col:
            continue
        canon = lookup.get(fold_name(c))
        if canon is None:
            continue
        if canon in seen:
            col.add(Severity.WARNING, ReasonCode.DUPLICATE_FIELD, layer.name, None, canon,
                    f"{seen[canon]}、{c}", f"只使用「{seen[canon]}」")
            continue
        seen[canon] = str(c)
        rename[c] = canon
    extras = [c for c in frame.columns if c not in rename and c != geom_col and c not in layer.field_names]
    out = pd.DataFrame({rename[c]: frame[c] for c in rename}, index=frame.index)
    for f in layer.fields:
        if f.name not in out.columns:
            out[f.name] = None
    ordered = out[layer.field_names].copy()
    for c in extras:
        ordered[f"x_{c}"] = frame[c].to_numpy()
    ordered.attrs["present"] = set(rename.values())
    return ordered


def _field_hint(f: Field) -> str:
    return "、".join([f.name, *f.aliases])


# --------------------------------------------------------------------------- CRS
def gk_zone_epsg(lon: float) -> int:
    """CGCS2000 3-degree Gauss-Krüger EPSG code (with zone prefix) for a longitude.

    Zone number = round(longitude / 3); EPSG:4513 is zone 25 (75°E) … EPSG:4533 zone 45 (135°E).
    """
    zone = int(round(lon / 3.0))
    zone = min(max(zone, 25), 45)
    return 4488 + zone


def _is_metric_projected(crs: CRS) -> bool:
    if not crs.is_projected:
        return False
    units = {ax.unit_name.lower() for ax in crs.axis_info}
    return bool(units) and units <= {"metre", "meter", "m"}


def _crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} {crs.name}" if epsg else crs.name


def working_crs(frames: dict[str, gpd.GeoDataFrame], col: _Collector) -> CRS | None:
    """The one metric CRS all spatial layers are brought into (the parcels' CRS, projected)."""
    base_name = "parcels" if "parcels" in frames else next(iter(frames), None)
    if base_name is None:
        return None
    base = frames[base_name]
    if base.crs is None:
        return None
    crs = CRS.from_user_input(base.crs)
    if _is_metric_projected(crs):
        return crs
    if crs.is_geographic:
        geoms = base.geometry[~(base.geometry.isna() | base.geometry.is_empty)]
        if geoms.empty:
            return None
        b = geoms.total_bounds
        lon = (b[0] + b[2]) / 2.0
        if not -180 <= lon <= 180:
            return None
        return CRS.from_epsg(gk_zone_epsg(lon))
    return None


# --------------------------------------------------------------------------- main
def normalize(raw: RawPackage) -> Package:
    """Bring every raw layer onto the contract; collect every problem found doing so."""
    col = _Collector()
    col.problems.extend(raw.problems)
    out: dict[str, pd.DataFrame] = {}
    geoms: dict[str, gpd.GeoDataFrame] = {}

    for name, rl in raw.layers.items():
        layer = LAYERS[name]
        frame = rl.frame
        mapped = _map_columns(layer, frame, col)
        mapped["_row"] = np.arange(1, len(mapped) + 1)
        present = mapped.attrs.get("present", set())
        for f in layer.fields:
            if f.required and f.name not in present:
                col.add(Severity.ERROR, ReasonCode.MISSING_FIELD, name, None, f.name, None,
                        _field_hint(f))
        # text of key fields first, so row ids read well in every later message
        for k in layer.key:
            if k in present and layer.field(k).type == "text":
                mapped[k] = _to_text(mapped[k])
        ids = row_ids(layer, mapped)
        for f in layer.fields:
            if f.name in present:
                _coerce_field(layer, f, mapped, ids, col)
            else:
                mapped[f.name] = pd.Series([None] * len(mapped), index=mapped.index, dtype=object) \
                    if f.type not in ("real",) else np.nan
        mapped["_rid"] = row_ids(layer, mapped).to_numpy()
        if layer.geometry:
            if isinstance(frame, gpd.GeoDataFrame):
                g = gpd.GeoDataFrame(mapped, geometry=frame.geometry.to_numpy(), crs=frame.crs)
            else:
                g = gpd.GeoDataFrame(mapped, geometry=gpd.GeoSeries([None] * len(mapped)), crs=None)
                if name != "zones":
                    col.add(Severity.ERROR, ReasonCode.MISSING_GEOMETRY, name, None, None,
                            rl.source, "带图形的空间图层")
            geoms[name] = g
        else:
            out[name] = pd.DataFrame(mapped)

    crs = _reconcile_crs(geoms, raw, col)
    for name, g in geoms.items():
        out[name] = g
    _areas(out, col)
    pkg = Package(layers=out, crs=crs, problems=col.problems,
                  sources={n: rl.source for n, rl in raw.layers.items()},
                  path=str(raw.path), sha256=raw.sha256, ignored=list(raw.ignored))
    return pkg


def _reconcile_crs(geoms: dict[str, gpd.GeoDataFrame], raw: RawPackage, col: _Collector) -> CRS | None:
    with_geom = {n: g for n, g in geoms.items() if g.geometry.notna().any()}
    for n, g in with_geom.items():
        if g.crs is None:
            col.add(Severity.ERROR, ReasonCode.MISSING_CRS, n, None, None, raw.layers[n].source,
                    "CGCS2000 坐标系（如 EPSG:4527 或 EPSG:4490）")
    target = working_crs({n: g for n, g in with_geom.items() if g.crs is not None}, col)
    if target is None:
        base = with_geom.get("parcels")
        if base is not None and base.crs is not None:
            col.add(Severity.ERROR, ReasonCode.CRS_NOT_METRIC, "parcels", None, None,
                    _crs_label(CRS.from_user_input(base.crs)),
                    "以米为单位的投影坐标系（如 CGCS2000 3度带 EPSG:4513–4554），或地理坐标系 EPSG:4490/4326")
        return None
    for n, g in with_geom.items():
        if g.crs is None:
            continue
        src = CRS.from_user_input(g.crs)
        if src == target:
            continue
        if src.is_projected and not _is_metric_projected(src):
            col.add(Severity.ERROR, ReasonCode.CRS_NOT_METRIC, n, None, None, _crs_label(src),
                    "以米为单位的投影坐标系")
            continue
        try:
            geoms[n] = g.to_crs(target)
        except Exception:  # noqa: BLE001 - any PROJ failure means "cannot reconcile"
            col.add(Severity.ERROR, ReasonCode.CRS_MISMATCH, n, None, None, _crs_label(src),
                    _crs_label(target))
    return target


def _areas(out: dict[str, pd.DataFrame], col: _Collector) -> None:
    """Effective areas: the official figure when given, else the projected geometry's."""
    parcels = out.get("parcels")
    if isinstance(parcels, gpd.GeoDataFrame) and parcels.crs is not None:
        garea = pd.Series(shapely.area(parcels.geometry.to_numpy()), index=parcels.index)
        parcels["geom_area_m2"] = garea
        given = parcels["area_m2"]
        diff = (given - garea).abs() > AREA_MISMATCH_TOLERANCE * garea
        diff = diff.fillna(False) & given.notna() & garea.notna()
        for i in np.flatnonzero(diff.to_numpy()):
            col.add(Severity.WARNING, ReasonCode.AREA_MISMATCH, "parcels", parcels["_rid"].iat[i],
                    "area_m2", f"{given.iat[i]:.2f}", f"{garea.iat[i]:.2f}", int(parcels["_row"].iat[i]))
        parcels["area_eff_m2"] = given.where(given.notna(), garea)
    elif parcels is not None:
        parcels["geom_area_m2"] = np.nan
        parcels["area_eff_m2"] = parcels["area_m2"]
    b = out.get("buildings")
    if isinstance(b, gpd.GeoDataFrame) and b.crs is not None:
        garea = pd.Series(shapely.area(b.geometry.to_numpy()), index=b.index)
        b["footprint_eff_m2"] = b["footprint_m2"].where(b["footprint_m2"].notna(), garea)
    elif b is not None:
        b["footprint_eff_m2"] = b["footprint_m2"]
