"""Map raw layers onto the contract: field names, types, codes, coordinates, areas.

Every value that cannot be understood becomes a :class:`~jiyue.errors.Problem` (collected,
never raised), and the value is set to empty so later checks still run. The output frames
have exactly the contract's English field names (plus any unknown extra fields, kept with
their original names after them), a ``_row`` column (1-based position in the source) and,
for spatial layers, geometries in one projected metric CRS.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import weakref
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
from jiyue.schema import LAYERS, Field, Layer, fold_name, name_similarity

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
    # contract fields each layer actually had (the others were added empty)
    present: dict[str, set[str]] = field(default_factory=dict)
    # spatial layers that came without any geometry column (e.g. parcels.csv)
    no_geometry: set[str] = field(default_factory=set)

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
                                                     found=fs, expected=expected, row=row), row))


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.strftime("%Y-%m-%d")
    return str(v)


def row_ids(layer: Layer, df: pd.DataFrame) -> pd.Series:
    """The id shown for each row: its key value(s) joined by '/', else 第N行 (its position).

    A key with a blank part does not identify the row, so such a row is named by its line.
    """
    rows = df["_row"].to_numpy()
    keys = [k for k in layer.key if k in df.columns]
    if not keys:
        return pd.Series([f"第{r}行" for r in rows], index=df.index, dtype=object)
    # key columns arrive as text already (normalize converts them first): str values pass as they are
    parts = [[v if type(v) is str else (_text_of(v) or "") for v in df[k].to_numpy(dtype=object)]
             for k in keys]
    if len(parts) == 1:
        ids = [v if v else f"第{r}行" for v, r in zip(parts[0], rows)]
    else:
        ids = ["/".join(vals) if all(vals) else f"第{r}行" for *vals, r in zip(*parts, rows)]
    return pd.Series(ids, index=df.index, dtype=object)


# --------------------------------------------------------------------------- coercion
_NUM_CLEAN = re.compile(r"[,\s，]")
_COMMA = re.compile(r"[,，]")
# a comma is only read as a thousands separator: 1,234 / 12,345,678.5 — never 12,5 or 1,23
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[,，]\d{3})+(?:\.\d*)?")
# what clerks type for "no figure" in a number cell; the cell should be left blank instead
PLACEHOLDERS = frozenset({"—", "——", "-", "--", "－", "―", "–", "/", "／", "\\", "无", "暂无", "空", "不详",
                          "n/a", "na", "#n/a", "null", "none"})


def _is_blank(s: pd.Series) -> pd.Series:
    blank = s.isna()
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        blank = blank | s.astype("string").str.strip().fillna("").eq("")
    return blank.astype(bool)


def _none(s: pd.Series) -> pd.Series:
    """An object series whose missing values are None (pandas may infer NaN-backed strings)."""
    arr = s.to_numpy(dtype=object, copy=True)
    arr[pd.isna(arr)] = None
    return pd.Series(arr, index=s.index, dtype=object, name=s.name)


def _text_of(v: Any) -> str | None:
    if type(v) is str:  # by far the most common value: test it first
        return v.strip() or None
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f != f:  # NaN
            return None
        return str(int(f)) if f.is_integer() else str(f)
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):  # pd.Timestamp is a datetime
        return v.strftime("%Y-%m-%d")
    t = str(v).strip()
    return t or None


def _to_text(s: pd.Series) -> pd.Series:
    """Text values: numbers that are whole become '1001' not '1001.0' (Excel gives every number
    as a float); dates become 2020-12-31; blanks, NaN and NA become None, never 'nan'."""
    vals = s.to_numpy(dtype=object)
    out = [(v.strip() or None) if type(v) is str else _text_of(v) for v in vals]
    return pd.Series(out, index=s.index, dtype=object, name=s.name)


# full-width digits, point and signs typed with a Chinese input method are read as their ASCII forms
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．＋－，", "0123456789.+-,")


def parse_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The one rule that reads number cells: floats, and a mask of cells given but not numbers.

    A blank cell (None, NaN, empty or spaces) gives NaN and is not bad. A number is read with
    its sign, decimal point and exponent; a comma or a space may only group thousands (1,234 /
    1 234, never 12,5 or 12 5); full-width digits are folded. Everything else is bad: words
    (``abc``, ``twelve``), placeholders (``—``, ``无``), units (``12万``), ``nan``/``inf`` and
    numbers too large to hold (``1e400``). See :func:`classify_number` for one cell.
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        num = s.astype("float64")
        inf = pd.Series(np.isinf(num.to_numpy()), index=s.index)
        return num.where(~inf), inf
    blank = _is_blank(s)
    raw = s.astype("string")
    txt = raw.str.replace(_NUM_CLEAN, "", regex=True)
    num = pd.to_numeric(txt, errors="coerce").astype("float64")
    num = num.where(~np.isinf(num.to_numpy()))  # "inf", "Infinity", "1e400" are no figures
    comma = raw.str.contains(_COMMA).fillna(False).astype(bool)
    if comma.any():  # 12,5 is not 125: a comma must group thousands
        squeezed = raw[comma].str.replace(r"\s", "", regex=True)
        grouped = squeezed.str.fullmatch(_GROUPED).fillna(False).astype(bool)
        wrong = pd.Series(False, index=s.index)
        wrong[comma] = ~grouped
        num = num.where(~wrong)
    spaced = raw.str.strip().str.contains(r"\d\s+\d").fillna(False).astype(bool)
    if spaced.any():  # 12 5 is not 125 either: a space inside a number may only group thousands
        ok = raw[spaced].str.strip().str.fullmatch(r"[+-]?\d{1,3}(?:\s\d{3})+(?:\.\d+)?").fillna(False)
        wrong = pd.Series(False, index=s.index)
        wrong[spaced] = ~ok.astype(bool)
        num = num.where(~wrong)
    bad = num.isna() & ~blank
    if bad.any():  # full-width digits typed with a Chinese input method: read once folded
        wide = raw[bad].str.contains(r"[０-９．＋－，]").fillna(False).astype(bool)
        if wide.any():
            idx = wide[wide].index
            folded = raw[idx].str.translate(_FULL_WIDTH).astype(object)
            num2, bad2 = parse_numbers(folded)
            num.loc[idx] = num2
            bad.loc[idx] = bad2
    return num, bad


_to_number = parse_numbers  # the former private name


def classify_number(v: Any) -> tuple[str, float | None]:
    """One cell read as a number: ``("number", 12.5)``, ``("blank", None)`` or
    ``("not_a_number", None)`` — :func:`parse_numbers` applied to a single value."""
    num, bad = parse_numbers(pd.Series([v], dtype=object))
    if bool(bad.iloc[0]):
        return "not_a_number", None
    f = num.iloc[0]
    return ("blank", None) if pd.isna(f) else ("number", float(f))


def out_of_range(f: Field, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the values below and above the field's allowed range (blanks are in neither).

    ``values`` are numbers (number fields) or ``datetime.date`` objects (date fields).
    """
    lo, hi = f.allowed_range
    n = len(values)
    if f.type == "date":
        arr = values.to_numpy(dtype=object)
        given = np.fromiter((v is not None and not (isinstance(v, float) and v != v) for v in arr),
                            dtype=bool, count=n)
        below = np.zeros(n, dtype=bool)
        above = np.zeros(n, dtype=bool)
        if given.any():
            sub = arr[given]
            if lo is not None:
                below[given] = (sub < lo).astype(bool)
            if hi is not None:
                above[given] = (sub > hi).astype(bool)
        return below, above
    assert not isinstance(lo, dt.date) and not isinstance(hi, dt.date)  # a number field has number bounds
    num = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    with np.errstate(invalid="ignore"):
        below = (num < float(lo)) if lo is not None else np.zeros(n, dtype=bool)
        above = (num > float(hi)) if hi is not None else np.zeros(n, dtype=bool)
    return np.asarray(below, dtype=bool), np.asarray(above, dtype=bool)


def range_expected(f: Field) -> str:
    """What a value outside the field's range should be, in words (e.g. 1949 至 2100 之间的年份)."""
    lo, hi = f.allowed_range
    kind = "日期" if f.type == "date" else ("年份" if f.name == "year" else
                                           ("整数" if f.type == "int" else "数"))
    lo_t = None if lo is None else _fmt(lo) if not isinstance(lo, dt.date) else lo.isoformat()
    hi_t = None if hi is None else _fmt(hi) if not isinstance(hi, dt.date) else hi.isoformat()
    if lo_t is not None and hi_t is not None:
        return f"{lo_t} 至 {hi_t} 之间的{kind}"
    if lo_t is not None:
        return f"不小于 {lo_t} 的{kind}"
    return f"不大于 {hi_t} 的{kind}"


def _bad_number_expected(v: Any, integer: bool) -> str:
    """What a number cell should hold, said for the value that was found there."""
    kind = "整数" if integer else "数字"
    t = _text_of(v) or ""
    if t.lower() in PLACEHOLDERS:
        return f"{kind}，没有数据时请把单元格留空（不要填「{t}」）"
    if _COMMA.search(t):
        if integer:
            return "整数，逗号只能用作千位分隔符（如 1,234）"
        return "数字，逗号只能用作千位分隔符（如 1,234.5），小数点请用「.」（如 12.5）"
    if re.search(r"\d\s+\d", t):
        return f"{kind}，数字中间不能有空格（空格只能用作千位分隔，如 1 234）"
    return "整数" if integer else "不带单位的数字，如 1234.5"


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S",
                 "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serial day numbers accepted as dates: 1927-05-18 … 2119-01-10. A bare number below
# (e.g. a year 2019 typed in a date column, serial for 1905) is reported, never guessed.
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 10_000, 80_000
# a date typed as a bare whole number (text): 8 digits are yyyymmdd, 5 digits an Excel serial
# number (as the numeric path reads them; a CSV or a GeoPackage text column keeps the serial of
# an Excel date as text); any other run of digits (2019, 201912) is not guessed
_WHOLE = re.compile(r"(\d+)(?:\.0+)?")


def parse_date(v: Any) -> Any:
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
            return parse_date(str(int(f)))
        if EXCEL_SERIAL_MIN <= f < EXCEL_SERIAL_MAX:  # an Excel serial day number
            return _EXCEL_EPOCH + dt.timedelta(days=int(f))
        return _BAD
    t = str(v).strip()
    if not t:
        return None
    whole = _WHOLE.fullmatch(t)
    if whole:
        digits = whole.group(1)
        if len(digits) == 8:
            try:
                return dt.datetime.strptime(digits, "%Y%m%d").date()
            except ValueError:
                return _BAD
        n = int(digits)
        if EXCEL_SERIAL_MIN <= n < EXCEL_SERIAL_MAX:
            return _EXCEL_EPOCH + dt.timedelta(days=n)
        return _BAD
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

    def report(mask: Any, code: ReasonCode, expected: str | Any | None, sev: Severity = Severity.ERROR,
               found: pd.Series | None = None) -> None:
        """``expected``: the text, or a function of the value found giving it."""
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        vals = (s if found is None else found).to_numpy(dtype=object)
        rid = ids.to_numpy(dtype=object)
        for i in np.flatnonzero(m):
            exp = expected(vals[i]) if callable(expected) else expected
            col.add(sev, code, name, rid[i], f.name, vals[i], exp, int(rows[i]))

    rows = df["_row"].to_numpy()

    if f.type == "text":
        df[f.name] = _to_text(s)
    elif f.type in ("real", "int"):
        num, bad = _to_number(s)
        integer = f.type == "int"
        report(bad, ReasonCode.BAD_INTEGER if integer else ReasonCode.BAD_NUMBER,
               lambda v: _bad_number_expected(v, integer))
        if f.type == "int":
            frac = num.notna() & (num != np.floor(num.fillna(0)))
            report(frac, ReasonCode.BAD_INTEGER, "整数", found=num)
            num = num.where(~frac)
        below, above = out_of_range(f, num)
        if f.minimum == 0:  # an area, amount or count below zero: said as "negative"
            report(below, ReasonCode.NEGATIVE_VALUE, "不小于0的数", found=num)
            report(above, ReasonCode.OUT_OF_RANGE, range_expected(f), found=num)
        else:
            report(below | above, ReasonCode.OUT_OF_RANGE, range_expected(f), found=num)
        num = num.where(~(below | above))
        df[f.name] = num.astype("Int64") if f.type == "int" else num
    elif f.type == "date":
        parsed, bad = _convert(s, parse_date)
        report(bad, ReasonCode.BAD_DATE, "日期，如 2020-12-31")
        below, above = out_of_range(f, parsed)
        report(below | above, ReasonCode.OUT_OF_RANGE, range_expected(f), found=parsed)
        df[f.name] = parsed.where(~(below | above), None)
    elif f.type == "bool":
        def as_bool(v: Any) -> Any:
            t = _text_of(v)
            if t is None:
                return None
            t = t.lower()
            return True if t in _TRUE else (False if t in _FALSE else _BAD)
        val, bad = _convert(s, as_bool)
        report(bad, ReasonCode.BAD_BOOL, "是/否")
        df[f.name] = val
    elif f.type in ("code", "codes"):
        assert f.enum is not None
        lookup = _enum_lookup(f.enum)
        expected = "、".join(f.enum.keys())
        if f.type == "code":
            def as_code(v: Any) -> Any:
                t = _text_of(v)
                return None if t is None else lookup.get(fold_name(t), _BAD)
            mapped, bad = _convert(s, as_code)
            report(bad, ReasonCode.UNKNOWN_CODE, expected)
            df[f.name] = mapped
        else:
            def split(v: Any) -> Any:
                t = _text_of(v)
                if t is None:
                    return None
                parts = [fold_name(p) for p in re.split(r"[,，、;；\s]+", t) if p]
                if any(p not in lookup for p in parts):
                    return _BAD
                return ",".join(lookup[p] for p in parts) or None
            mapped, bad = _convert(s, split)
            # open list ("e.g." in the contract): an unknown event is a warning, kept as given
            report(bad, ReasonCode.UNKNOWN_CODE, expected, Severity.WARNING)
            txt = _to_text(s)
            df[f.name] = mapped.where(~bad, txt) if bad.any() else mapped


def _convert(s: pd.Series, fn: Any) -> tuple[pd.Series, np.ndarray]:
    """``fn`` applied to every value: the results (``_BAD`` ones blanked) and the mask of bad.

    ``fn`` is a pure function of the value and runs once per distinct value (code and flag
    columns hold a handful of values in hundreds of thousands of rows). The memo is keyed by
    type and value, so 1, 1.0 and True stay apart; unhashable values are converted one by one.
    """
    memo: dict[tuple[type, Any], Any] = {}

    def once(v: Any) -> Any:
        try:
            key = (type(v), v)
            if key in memo:
                return memo[key]
        except TypeError:
            return fn(v)
        r = memo[key] = fn(v)
        return r

    vals = [once(v) for v in s.to_numpy(dtype=object)]
    bad = np.fromiter((v is _BAD for v in vals), dtype=bool, count=len(vals))
    out = pd.Series([None if b else v for v, b in zip(vals, bad)], index=s.index, dtype=object,
                    name=s.name)
    return out, bad


# --------------------------------------------------------------------------- columns
SHAPEFILE_NAME_BYTES = 10  # a DBF field name holds at most 10 bytes


def _name_lookup(layer: Layer) -> dict[str, str]:
    return _name_lookup_of(layer.name) if LAYERS.get(layer.name) is layer else _build_lookup(layer)


@functools.lru_cache(maxsize=None)
def _name_lookup_of(name: str) -> dict[str, str]:
    return _build_lookup(LAYERS[name])


def _build_lookup(layer: Layer) -> dict[str, str]:
    """Folded field name -> contract field, including the forms a Shapefile forces.

    A DBF field name holds 10 bytes, so GDAL writes ``building_id`` as ``building_i``; the
    truncated English name is accepted when no other field of the layer truncates alike.
    """
    lookup: dict[str, str] = {}
    for f in layer.fields:
        lookup[fold_name(f.name)] = f.name
        for a in f.aliases:
            lookup[fold_name(a)] = f.name
    cut: dict[str, set[str]] = {}
    for f in layer.fields:
        for n in (f.name, *f.aliases):
            b = fold_name(n).encode("utf-8")
            if n.isascii() and len(b) > SHAPEFILE_NAME_BYTES:
                cut.setdefault(b[:SHAPEFILE_NAME_BYTES].decode("ascii"), set()).add(f.name)
    for short, targets in cut.items():
        if len(targets) == 1 and short not in lookup:
            lookup[short] = next(iter(targets))
    return lookup


# a header repeated in a workbook or CSV comes as 税收, 税收.1 (pandas' and the reader's renaming)
_REPEATED = re.compile(r"^(.+)\.(\d+)$")
# a column without a header: the reader's _col5, pandas' "Unnamed: 5" (0-based positions)
_NO_HEADER = re.compile(r"^(?:_col|Unnamed: )(\d+)$")
# columns GIS software adds by itself (ArcGIS, QGIS): not the clerk's data, never reported
GIS_BOOKKEEPING = frozenset({"objectid", "fid", "shape_leng", "shape_length", "shape_area"})
SUGGEST_MIN_SIMILARITY = 0.5  # below this an accepted name is not offered for an unknown column


def _map_columns(layer: Layer, frame: pd.DataFrame, col: _Collector) -> tuple[pd.DataFrame, set[str]]:
    """The frame with contract names (absent fields added empty), and the fields it had.

    Every column that is not a field of the contract is kept (``x_<name>``) and reported once
    (``unknown_field``, a warning), except the optional fields an engine reads (``Layer.extra``)
    and the bookkeeping columns GIS software adds (:data:`GIS_BOOKKEEPING`).
    """
    lookup = _name_lookup(layer)
    rename: dict[str, str] = {}
    seen: dict[str, str] = {}
    repeated: set[Any] = set()
    geom_col = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for c in frame.columns:
        if c == geom_col:
            continue
        canon = lookup.get(fold_name(c))
        if canon is None:
            m = _REPEATED.match(str(c))
            if m and m.group(1) in frame.columns:
                canon = lookup.get(fold_name(m.group(1)))
        if canon is None:
            continue
        if canon in seen:
            col.add(Severity.WARNING, ReasonCode.DUPLICATE_FIELD, layer.name, None, canon,
                    f"{seen[canon]}、{c}", f"只使用「{seen[canon]}」")
            repeated.add(c)
            continue
        seen[canon] = str(c)
        rename[c] = canon
    extras = [c for c in frame.columns if c not in rename and c != geom_col and c not in layer.field_names]
    present = set(rename.values())
    for c in extras:
        if c in repeated or str(c) in layer.extra or fold_name(c) in GIS_BOOKKEEPING:
            continue
        no_header = _NO_HEADER.match(str(c))
        if no_header:
            if _is_blank(frame[c]).all():
                continue  # an empty column without a header holds nothing
            shown = f"第{int(no_header.group(1)) + 1}列（无列名）"
        else:
            shown = str(c)
        col.add(Severity.WARNING, ReasonCode.UNKNOWN_FIELD, layer.name, None, str(c), shown,
                _unknown_field_advice(layer, str(c) if not no_header else "", present,
                                      {str(x) for x in frame.columns}))
    source = {canon: c for c, canon in rename.items()}
    empty = np.full(len(frame), None, dtype=object)
    data: dict[str, Any] = {}
    for f in layer.fields:
        data[f.name] = frame[source[f.name]].to_numpy() if f.name in source else empty.copy()
    for c in extras:
        data[f"x_{c}"] = frame[c].to_numpy()
    return pd.DataFrame(data, index=frame.index), set(rename.values())


def _field_hint(f: Field) -> str:
    return "、".join([f.name, *f.aliases])


def suggest_fields(layer: Layer, column: str, present: set[str] | None = None, limit: int = 3) -> list[Field]:
    """The contract fields an unknown column most likely means (not those already given)."""
    folded = fold_name(column)
    scored = []
    for i, f in enumerate(layer.fields):
        if present and f.name in present:
            continue
        best = max(name_similarity(folded, fold_name(n)) for n in (f.name, *f.aliases))
        if best >= SUGGEST_MIN_SIMILARITY:
            scored.append((-best, i, f))
    return [f for _, _, f in sorted(scored)[:limit]]


def suggest_extras(layer: Layer, column: str, given: set[str] | None = None) -> list[tuple[str, list[str]]]:
    """The optional fields an engine reads (``Layer.extra``) that an unknown column may mean:
    (what reads it, its accepted names), leaving out those the layer already has."""
    groups: dict[str, list[str]] = {}
    for n, what in layer.extra.items():
        groups.setdefault(what, []).append(n)
    folded = fold_name(column)
    scored = []
    for i, (what, names) in enumerate(groups.items()):
        if given and any(n in given for n in names):
            continue
        best = max(name_similarity(folded, fold_name(n)) for n in names)
        if best >= SUGGEST_MIN_SIMILARITY:
            scored.append((-best, i, what, names))
    return [(what, names) for _, _, what, names in sorted(scored)]


def _unknown_field_advice(layer: Layer, column: str, present: set[str], given: set[str]) -> str:
    """What to do about an unknown column: the fields (or engine fields) it may be, at most three."""
    fields = suggest_fields(layer, column, present) if column else []
    options = [f"「{messages.field_label(layer.name, f.name)}」（可用列名：{_field_hint(f)}）" for f in fields]
    if column:
        options += [f"{what}（可用列名：{'、'.join(names)}）" for what, names in suggest_extras(layer, column, given)]
    if not options:
        return "如需参与计算，请对照数据规范改用规定的字段名"
    return f"可能是指{'或'.join(options[:3])}；如是，请把列名改为其中之一"


# --------------------------------------------------------------------------- CRS
def gk_zone_epsg(lon: float) -> int:
    """CGCS2000 3-degree Gauss-Krüger EPSG code (with zone prefix) for a longitude.

    Zone number = round(longitude / 3); EPSG:4513 is zone 25 (75°E) … EPSG:4533 zone 45 (135°E).
    """
    zone = int(np.floor(lon / 3.0 + 0.5))  # round half up (Python's round() is half-even)
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
        arr = base.geometry.to_numpy()
        arr = arr[~shapely.is_missing(arr) & ~shapely.is_empty(arr)]
        if len(arr) == 0:
            return None
        b = shapely.total_bounds(arr)
        lon = (b[0] + b[2]) / 2.0
        if not (-180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90):
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
    present_of: dict[str, set[str]] = {}
    no_geometry: set[str] = set()

    for name, rl in raw.layers.items():
        layer = LAYERS[name]
        frame = rl.frame
        # (no DataFrame.attrs here: pandas deep-copies them on every operation)
        mapped, present = _map_columns(layer, frame, col)
        mapped["_row"] = np.arange(1, len(mapped) + 1)
        for f in layer.fields:
            if f.required and f.name not in present:
                col.add(Severity.ERROR, ReasonCode.MISSING_FIELD, name, None, f.name, None,
                        _field_hint(f))
        # text of key fields first, so row ids read well in every later message (an id typed
        # in Excel arrives as 1001.0 and must read "1001"; a year 2020.0 reads "2020")
        for k in layer.key:
            if k in present and layer.field(k).type == "text":
                mapped[k] = _to_text(mapped[k])
        shown = {k: _to_text(mapped[k]) for k in layer.key
                 if k in present and layer.field(k).type != "text"}
        ids = row_ids(layer, mapped.assign(**shown) if shown else mapped)
        for f in layer.fields:
            if f.name in present:
                _coerce_field(layer, f, mapped, ids, col)
            else:
                mapped[f.name] = pd.Series([None] * len(mapped), index=mapped.index, dtype=object) \
                    if f.type not in ("real",) else np.nan
        # optional number fields an engine reads: the same number and range rules
        for c, f in layer.extra_numbers.items():
            if f"x_{c}" in mapped.columns:
                one = pd.DataFrame({c: mapped[f"x_{c}"], "_row": mapped["_row"]}, index=mapped.index)
                _coerce_field(layer, f, one, ids, col)
                mapped[f"x_{c}"] = one[c]
        # the id as the clerk typed it, also when a key value turned out to be bad
        mapped["_rid"] = ids.to_numpy(dtype=object)
        present_of[name] = set(present)
        if layer.geometry:
            if isinstance(frame, gpd.GeoDataFrame):
                g = gpd.GeoDataFrame(mapped, geometry=frame.geometry.to_numpy(), crs=frame.crs)
            else:
                g = gpd.GeoDataFrame(mapped, geometry=gpd.GeoSeries([None] * len(mapped)), crs=None)
                no_geometry.add(name)
                expected = "带图形的空间图层（GeoPackage、Shapefile、GeoJSON 或 GeoParquet）"
                if name == "zones":  # the outline only draws maps: accepted, with a warning
                    col.add(Severity.WARNING, ReasonCode.MISSING_GEOMETRY, name, None, None, rl.source,
                            expected + "；开发区边界只用于绘制地图，没有边界也可以评价")
                else:
                    col.add(Severity.ERROR, ReasonCode.MISSING_GEOMETRY, name, None, None, rl.source, expected)
            geoms[name] = g
        else:
            out[name] = mapped

    crs = _reconcile_crs(geoms, raw, col)
    for name, g in geoms.items():
        out[name] = g
    _areas(out, col, crs)
    pkg = Package(layers=out, crs=crs, problems=col.problems,
                  sources={n: rl.source for n, rl in raw.layers.items()},
                  path=str(raw.path), sha256=raw.sha256, ignored=list(raw.ignored),
                  present=present_of, no_geometry=no_geometry)
    return pkg


def _reconcile_crs(geoms: dict[str, gpd.GeoDataFrame], raw: RawPackage, col: _Collector) -> CRS | None:
    with_geom = {n: g for n, g in geoms.items() if (~shapely.is_missing(g.geometry.to_numpy())).any()}
    for n, g in with_geom.items():
        if g.crs is None:
            col.add(Severity.ERROR, ReasonCode.MISSING_CRS, n, None, None, raw.layers[n].source,
                    "CGCS2000 坐标系（如 EPSG:4527 或 EPSG:4490）")
    target = working_crs({n: g for n, g in with_geom.items() if g.crs is not None}, col)
    if target is None:
        base = with_geom.get("parcels")
        if base is not None and base.crs is not None:
            base_crs = CRS.from_user_input(base.crs)
            found = _crs_label(base_crs)
            if base_crs.is_geographic:
                # declared in degrees, but the numbers are not longitudes/latitudes
                arr = base.geometry.to_numpy()
                b = shapely.total_bounds(arr[~shapely.is_missing(arr) & ~shapely.is_empty(arr)])
                found += f"（但坐标值如 {b[0]:.0f}, {b[1]:.0f} 不是经纬度，坐标系文件可能写错了）"
            col.add(Severity.ERROR, ReasonCode.CRS_NOT_METRIC, "parcels", None, None, found,
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


_VALID: dict[int, tuple[weakref.ref[np.ndarray], np.ndarray]] = {}


def valid_mask(g: np.ndarray) -> np.ndarray:
    """``shapely.is_valid`` of a layer's geometry array, computed once per array.

    Normalising and validating ask for the validity of the same parcels and buildings four
    times (areas, geometry check, overlaps, building assignment); GEOS validity is the most
    expensive check there. The cache holds a weak reference to the array itself (a GeoSeries
    hands out the same array every time), so a new or rebuilt array is computed afresh.
    """
    key = id(g)
    hit = _VALID.get(key)
    if hit is not None and hit[0]() is g:
        return hit[1]
    mask = shapely.is_valid(g)
    mask.setflags(write=False)  # shared by every caller
    def forget(_ref: weakref.ref[np.ndarray]) -> None:
        _VALID.pop(key, None)

    try:
        ref = weakref.ref(g, forget)
    except TypeError:  # not weak-referenceable: no caching
        return mask
    _VALID[key] = (ref, mask)
    return mask


def _has_area(g: np.ndarray) -> np.ndarray:
    """Shapes whose area means something: present, not empty, valid, (multi)polygons."""
    return ~shapely.is_missing(g) & ~shapely.is_empty(g) & np.isin(shapely.get_type_id(g), [3, 6]) \
        & valid_mask(g)


def _in_crs(df: Any, crs: CRS | None) -> bool:
    """The layer's geometries are in the package's metric working CRS (areas mean m²)."""
    if crs is None or not isinstance(df, gpd.GeoDataFrame) or df.crs is None:
        return False
    return CRS.from_user_input(df.crs) == crs


def _areas(out: dict[str, pd.DataFrame], col: _Collector, crs: CRS | None = None) -> None:
    """Effective areas: the official figure when given, else the projected geometry's.

    Geometry areas are only taken in the metric working CRS: a layer without CRS, in feet, or
    whose CRS could not be reconciled has no geometry area (its problem is reported already).
    """
    parcels = out.get("parcels")
    if parcels is not None and _in_crs(parcels, crs):
        g = parcels.geometry.to_numpy()
        usable = _has_area(g)
        # the area of a missing, empty or invalid (e.g. self-intersecting) shape means nothing;
        # those shapes are reported as errors by validation, not compared here
        garea = pd.Series(np.where(usable, shapely.area(g), np.nan), index=parcels.index)
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
    if b is not None and _in_crs(b, crs):
        g = b.geometry.to_numpy()
        usable = _has_area(g)
        garea = pd.Series(np.where(usable, shapely.area(g), np.nan), index=b.index)
        b["footprint_eff_m2"] = b["footprint_m2"].where(b["footprint_m2"].notna(), garea)
    elif b is not None:
        b["footprint_eff_m2"] = b["footprint_m2"]
