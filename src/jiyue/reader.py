"""Read a data package from disk into raw layers — no interpretation, nothing modified.

Accepted containers (data contract, "Container"): one GeoPackage; a folder with one file per
layer (Shapefile, GeoJSON, GeoParquet, FlatGeobuf, CSV, XLSX) and/or GeoPackages and XLSX
workbooks holding several layers; a File GDB folder; a ``.zip`` of any of these (entry names
written in GBK by Chinese zip tools are decoded as such). Shapefiles honour their ``.cpg``; a
DBF that is not valid UTF-8 is read as GB18030 (a superset of GBK). GeoJSON dates are read as
text and parsed by :mod:`jiyue.normalize` (GDAL would silently roll 2019-02-30 to 2019-03-02).

The result keeps each layer as the file gave it (original column names, raw values); the
mapping to the contract happens in :mod:`jiyue.normalize`.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import shutil
import struct
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jiyue import messages
from jiyue.errors import PackageUnreadable, Problem, ReasonCode, Severity
from jiyue.schema import LAYERS, layer_for_name, suggest_layers

VECTOR_SUFFIXES = {".shp", ".geojson", ".json", ".fgb"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls"}
# the other files of a Shapefile (read with its .shp), and the metadata GIS software puts beside it
SHAPEFILE_PARTS = {".dbf", ".shx", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".atx", ".ain", ".aih", ".ixs",
                   ".mxs", ".fbn", ".fbx"}
SHAPEFILE_METADATA = {".xml", ".qmd"}  # parcels.shp.xml (ArcGIS), parcels.qmd (QGIS)
# what operating systems and GIS software leave in a folder or a GeoPackage by themselves: skipped
# without a word (every other file, sheet or layer that is not read is reported: ignored_source)
SYSTEM_FILES = {"thumbs.db", "desktop.ini", "__macosx"}
SYSTEM_SUFFIXES = (".lock",)
SYSTEM_LAYERS = {"layer_styles"}  # QGIS keeps the styles saved into a GeoPackage in this table


@dataclass
class RawLayer:
    """One layer as read: a (Geo)DataFrame with the file's own column names."""

    name: str
    frame: pd.DataFrame
    source: str  # human-readable origin, e.g. "parcels.shp" or "demo.gpkg:parcels"
    encoding: str | None = None


@dataclass
class RawPackage:
    """All layers found in a package, plus problems met while reading."""

    path: Path
    layers: dict[str, RawLayer] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # each also reported (ignored_source)
    sha256: str = ""
    # sheets of spatial layers (no geometry): used only when no file gives the layer with shapes
    deferred: list[RawLayer] = field(default_factory=list)


def _problem(code: ReasonCode, layer: str, found: str, expected: str = "",
             severity: Severity = Severity.ERROR) -> Problem:
    return Problem(severity, code, layer, None, None, found, expected,
                   messages.render(code, layer=layer, row_id=None, field=None, found=found,
                                   expected=expected))


def _ignore(pkg: RawPackage, item: str, why: str, layer: str | None = None) -> None:
    """Leave ``item`` (a file, ``book.xlsx:sheet`` or ``data.gpkg:layer``) unread, and say so."""
    pkg.ignored.append(item)
    pkg.problems.append(_problem(ReasonCode.IGNORED_SOURCE, layer or item, item, why, Severity.WARNING))


def _not_a_layer_name(kind: str, name: str) -> str:
    """Why a file/sheet/layer named ``name`` was not read, and the layer it may have meant."""
    guess = suggest_layers(name)
    if guess:
        options = "或".join(f"「{messages.layer_label(g)}」（可用名称：{'、'.join((g, *LAYERS[g].aliases))}）"
                           for g in guess)
        return f"{kind}「{name}」不是数据规范中的图层名；可能是指{options}，如是，请改名"
    return (f"{kind}「{name}」不是数据规范中的图层名（应为 zones、parcels、buildings、enterprises 等，"
            "或中文名 开发区、宗地、建筑、企业 等）；如不是图层，可不必理会")


def package_hash(path: Path) -> str:
    """SHA-256 over the package's files (names and bytes), stable for a folder."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- encodings
_CPG_MAP = {
    "utf-8": "UTF-8", "utf8": "UTF-8", "65001": "UTF-8",
    "gbk": "GB18030", "936": "GB18030", "cp936": "GB18030", "gb2312": "GB18030",
    "gb18030": "GB18030", "54936": "GB18030",
}


def dbf_encoding(shp: Path) -> str:
    """The encoding to read a Shapefile's DBF with.

    The ``.cpg`` wins when it names an encoding and the DBF bytes decode with it; otherwise
    the DBF (field names and records) is tried as UTF-8, and GB18030 is used when that fails.
    """
    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        dbf = shp.with_suffix(".DBF")
    cpg_enc = None
    for cpg in (shp.with_suffix(".cpg"), shp.with_suffix(".CPG")):
        if cpg.exists():
            cpg_enc = cpg_encoding(cpg.read_bytes().decode("ascii", errors="ignore"))
            break
    if not dbf.exists():
        return cpg_enc or "UTF-8"
    text_bytes = _dbf_text_bytes(dbf.read_bytes())
    if cpg_enc and cpg_enc != "UTF-8" and _decodes(text_bytes, cpg_enc):
        return cpg_enc
    if _decodes(text_bytes, "utf-8"):
        return "UTF-8"
    return "GB18030"


def cpg_encoding(text: str) -> str | None:
    """The encoding a ``.cpg`` names (``UTF-8``, ``GBK``, ``936``, ``ANSI 936`` …), or None."""
    key = text.strip().lower()
    if not key:
        return None
    if key in _CPG_MAP:
        return _CPG_MAP[key]
    digits = re.sub(r"^(ansi|cp|windows-?|oem)\s*", "", key)
    if digits in _CPG_MAP:
        return _CPG_MAP[digits]
    try:
        return codecs.lookup(key).name.upper()
    except LookupError:
        return None  # an unknown name: decide from the bytes


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _dbf_text_bytes(data: bytes) -> bytes:
    """Field names and record bytes of a DBF (the header's binary numbers left out)."""
    if len(data) < 32:
        return b""
    header_len, record_len = struct.unpack("<HH", data[8:12])
    names = bytearray()
    pos = 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        names += data[pos:pos + 11].split(b"\x00")[0] + b" "
        pos += 32
    return bytes(names) + data[header_len:]


# --------------------------------------------------------------------------- readers
def _read_vector(path: Path, layer: str | None = None, encoding: str | None = None,
                 **open_options: str) -> pd.DataFrame:
    import pyogrio

    kwargs: dict[str, Any] = dict(open_options)
    if encoding:
        kwargs["encoding"] = encoding
    if layer is not None:
        kwargs["layer"] = layer
    df = pyogrio.read_dataframe(path, use_arrow=True, **kwargs)
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    import geopandas as gpd
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    if b"geo" in meta:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def _read_csv(path: Path) -> pd.DataFrame:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc)
        except UnicodeDecodeError:
            continue
    raise ValueError("文件编码既不是 UTF-8 也不是 GBK")


def read_xlsx_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as a DataFrame of raw cell values (header = first row)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out: dict[str, pd.DataFrame] = {}
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=True)
        rows = [r for r in rows if any(v not in (None, "") for v in r)]
        if not rows:
            out[name] = pd.DataFrame()
            continue
        header = _unique([_header_text(h, i) for i, h in enumerate(rows[0])])
        body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
        df = pd.DataFrame(body, columns=header, dtype=object)
        df = df.replace({"": None})
        out[name] = df
    return out


def _header_text(h: Any, i: int) -> str:
    if h is None or (isinstance(h, str) and not h.strip()):
        return f"_col{i}"
    if isinstance(h, float) and h.is_integer():
        return str(int(h))
    return str(h).strip()


def _unique(names: list[str]) -> list[str]:
    """Header names made unique as pandas does for CSV (a repeated ``税收`` becomes ``税收.1``)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out


# --------------------------------------------------------------------------- package
def read_package(path: str | Path) -> RawPackage:
    """Read every recognised layer of the package at ``path``.

    Raises :class:`PackageUnreadable` when ``path`` is not a package at all; problems with
    single layers (unreadable file, a layer given twice) are collected instead.
    """
    p = Path(path)
    if not p.exists():
        raise PackageUnreadable(messages.TEXT["not_found"].format(path=p),
                                code=ReasonCode.PACKAGE_UNREADABLE)
    pkg = RawPackage(path=p)
    pkg.sha256 = package_hash(p)
    tmp: Path | None = None
    try:
        if p.is_file() and p.suffix.lower() == ".zip":
            tmp = Path(tempfile.mkdtemp(prefix="jiyue-zip-"))
            try:
                with zipfile.ZipFile(p) as zf:
                    _extract_zip(zf, tmp)
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                raise _not_package(p, f"压缩包已损坏（{e}）") from None
            root = tmp
            entries = [e for e in root.iterdir() if not e.name.startswith(("__MACOSX", "."))]
            if len(entries) == 1 and entries[0].is_dir() and entries[0].suffix.lower() != ".gdb":
                root = entries[0]
            _read_folder(root, pkg)
        elif p.is_file():
            _read_file(p, pkg, container=True)
        elif p.suffix.lower() == ".gdb":
            _read_container(p, pkg)
        else:
            _read_folder(p, pkg)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    _resolve_deferred(pkg)
    unreadable = [pr for pr in pkg.problems if pr.code == ReasonCode.LAYER_UNREADABLE]
    if not pkg.layers and not unreadable:
        why = "其中没有任何按数据规范命名的图层（如 zones、parcels）"
        if pkg.ignored:
            shown = pkg.ignored[:5] + (["……"] if len(pkg.ignored) > 5 else [])
            why += f"；未读入：{'、'.join(shown)}"
        raise _not_package(p, why)
    if not pkg.layers:
        raise _not_package(p, "; ".join(pr.found or "" for pr in unreadable))
    return pkg


def _resolve_deferred(pkg: RawPackage) -> None:
    """A sheet of a spatial layer is that layer unless a file gives the layer with its shapes.

    Used, the layer has no geometry, which normalising reports (``missing_geometry``: an error,
    a warning for ``zones``); not used, the sheet is reported as ignored.
    """
    import geopandas as gpd

    for rl in pkg.deferred:
        have = pkg.layers.get(rl.name)
        if have is not None and isinstance(have.frame, gpd.GeoDataFrame):
            _ignore(pkg, rl.source, f"图层「{messages.layer_label(rl.name)}」已由带图形的「{have.source}」"
                                    "提供，工作表中的同名表格（没有图形）未使用", layer=rl.name)
        else:
            _add(pkg, rl.name, rl.frame, rl.source)
    pkg.deferred.clear()


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """A zip entry's name as its author wrote it.

    Without the UTF-8 flag, Python reads names as CP437; Chinese tools (and Windows' own
    "send to compressed folder") write them in GBK: 宗地.shp must not become ×ÚµØ.shp.
    """
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return name


def _extract_zip(zf: zipfile.ZipFile, dest: Path) -> None:
    """Extract every entry under ``dest`` (names decoded as above, never outside ``dest``)."""
    for info in zf.infolist():
        parts = [x for x in zip_member_name(info).replace("\\", "/").split("/") if x not in ("", ".", "..")]
        if not parts:
            continue
        target = dest.joinpath(*parts)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)


def _not_package(p: Path, why: str) -> PackageUnreadable:
    return PackageUnreadable(messages.TEXT["not_package"].format(path=p, why=why),
                             code=ReasonCode.PACKAGE_UNREADABLE)


def _add(pkg: RawPackage, name: str, frame: pd.DataFrame, source: str,
         encoding: str | None = None) -> None:
    if name in pkg.layers:
        pkg.problems.append(_problem(ReasonCode.DUPLICATE_LAYER, name,
                                     f"{pkg.layers[name].source} 与 {source}"))
        return
    pkg.layers[name] = RawLayer(name, frame, source, encoding)


def is_system_file(p: Path) -> bool:
    name = p.name.lower()
    return name.startswith(".") or name in SYSTEM_FILES or name.endswith(SYSTEM_SUFFIXES)


def _read_folder(folder: Path, pkg: RawPackage) -> None:
    entries = sorted(e for e in folder.iterdir() if not is_system_file(e))
    subdirs = [e for e in entries if e.is_dir() and e.suffix.lower() != ".gdb"]
    files = [e for e in entries if not (e.is_dir() and e.suffix.lower() != ".gdb")]
    if not any(_is_data_file(e) for e in files) and len(subdirs) == 1:
        _read_folder(subdirs[0], pkg)
        return
    for e in files:
        if e.is_dir():  # a .gdb
            _read_container(e, pkg)
        else:
            _read_file(e, pkg, container=False)
    for d in subdirs:
        _ignore(pkg, f"{d.name}/", "只读取数据包顶层的文件，子文件夹不会读入；如其中有图层文件，请移到顶层")


def _is_data_file(p: Path) -> bool:
    s = p.suffix.lower()
    return (p.is_dir() and s == ".gdb") or s in (VECTOR_SUFFIXES | PARQUET_SUFFIXES | TABLE_SUFFIXES
                                                  | {".gpkg", ".zip"})


def _read_file(f: Path, pkg: RawPackage, *, container: bool) -> None:
    """Read one file: a container of layers (gpkg, workbook) or a single-layer file."""
    suffix = f.suffix.lower()
    if suffix == ".gpkg":
        _read_container(f, pkg)
        return
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        _read_workbook(f, pkg)
        return
    if container:
        # a lone file that is neither a GeoPackage, a workbook nor a zip
        raise _not_package(f, "单个文件只能是 GeoPackage(.gpkg)、Excel 工作簿或 .zip 压缩包")
    if suffix not in VECTOR_SUFFIXES | PARQUET_SUFFIXES | {".csv"}:
        if suffix in SHAPEFILE_PARTS | SHAPEFILE_METADATA and _shapefile_of(f) is not None:
            return  # read with its .shp
        if suffix in SHAPEFILE_PARTS:
            table = "；如果它是一张表格，请另存为 .csv 或 .xlsx" if suffix == ".dbf" else ""
            _ignore(pkg, f.name, "这是 Shapefile 的组成文件，但同名的 .shp 文件不在数据包中；"
                                 f"Shapefile 须连同 .shp、.shx、.dbf、.prj 一起提供{table}",
                    layer=layer_for_name(f.name.split(".")[0]))
        elif suffix == ".zip":
            _ignore(pkg, f.name, "数据包中的压缩包不会再解压；请解压后把其中的文件放入数据包")
        else:
            _ignore(pkg, f.name, "不是可读取的图层文件类型（应为 .gpkg、.shp、.geojson、.parquet、.fgb、"
                                 ".csv、.xlsx 等）", layer=layer_for_name(f.stem))
        return
    name = layer_for_name(f.stem)
    if name is None:
        _ignore(pkg, f.name, _not_a_layer_name("文件名", f.stem))
        return
    try:
        encoding = None
        if suffix == ".shp":
            encoding = dbf_encoding(f)
            frame = _read_vector(f, encoding=encoding)
        elif suffix in {".geojson", ".json"}:
            # GDAL would "repair" an impossible date (2019-02-30 → 2019-03-02): read the text
            frame = _read_vector(f, DATE_AS_STRING="YES")
        elif suffix in VECTOR_SUFFIXES:
            frame = _read_vector(f)
        elif suffix in PARQUET_SUFFIXES:
            frame = _read_parquet(f)
        else:
            frame = _read_csv(f)
    except Exception as e:  # noqa: BLE001 - any reader failure is a data problem
        pkg.problems.append(_problem(ReasonCode.LAYER_UNREADABLE, name, f"{f.name}: {_short(e)}"))
        return
    _add(pkg, name, frame, f.name, encoding)


def _read_container(f: Path, pkg: RawPackage) -> None:
    import pyogrio

    try:
        layer_names = [str(n) for n in pyogrio.list_layers(f)[:, 0]]
    except Exception as e:  # noqa: BLE001
        why = _gdal_reason(e)
        if f == pkg.path:
            raise _not_package(f, f"无法作为 GeoPackage/文件地理数据库打开（{why}）") from None
        # one bad file in a folder: a problem of that file, the other layers are still read
        pkg.problems.append(_problem(ReasonCode.LAYER_UNREADABLE, layer_for_name(f.stem) or f.name,
                                     f"{f.name}: {why}"))
        return
    for ln in layer_names:
        name = layer_for_name(ln)
        if name is None:
            if ln.lower() not in SYSTEM_LAYERS:
                _ignore(pkg, f"{f.name}:{ln}", _not_a_layer_name("图层名", ln))
            continue
        try:
            frame = _read_vector(f, layer=ln)
        except Exception as e:  # noqa: BLE001
            pkg.problems.append(_problem(ReasonCode.LAYER_UNREADABLE, name, f"{f.name}:{ln}: {_short(e)}"))
            continue
        _add(pkg, name, frame, f"{f.name}:{ln}")


def _read_workbook(f: Path, pkg: RawPackage) -> None:
    try:
        sheets = read_xlsx_sheets(f)
    except Exception as e:  # noqa: BLE001
        if not pkg.layers and not pkg.problems and f == pkg.path:
            raise _not_package(f, f"Excel 文件无法打开（{_short(e)}）") from None
        pkg.problems.append(_problem(ReasonCode.LAYER_UNREADABLE, layer_for_name(f.stem) or f.name,
                                     f"{f.name}: {_short(e)}"))
        return
    stem_layer = layer_for_name(f.stem)
    named = {s: layer_for_name(s) for s in sheets}
    if stem_layer and not any(named.values()):
        # a workbook named after one layer: its first non-empty sheet is that layer
        first = next((s for s, df in sheets.items() if not df.empty), next(iter(sheets), None))
        if first is not None:
            _add(pkg, stem_layer, sheets[first], f"{f.name}:{first}")
        for s, df in sheets.items():
            if s != first and not df.empty:
                _ignore(pkg, f"{f.name}:{s}", f"工作簿「{f.name}」按文件名作为图层「"
                                              f"{messages.layer_label(stem_layer)}」读取，只用第一个有数据的"
                                              f"工作表「{first}」", layer=stem_layer)
        return
    for s, name in named.items():
        if name is None:
            if not sheets[s].empty:  # an empty sheet (Excel's Sheet2, Sheet3) holds nothing
                _ignore(pkg, f"{f.name}:{s}", _not_a_layer_name("工作表名", s))
            continue
        if LAYERS[name].geometry:
            # a sheet has no shapes: it is the layer only when no file gives the layer with them
            pkg.deferred.append(RawLayer(name, sheets[s], f"{f.name}:{s}"))
            continue
        _add(pkg, name, sheets[s], f"{f.name}:{s}")


def _shapefile_of(part: Path) -> Path | None:
    """The .shp a side file (parcels.dbf, parcels.shp.xml) belongs to, when it is there."""
    base = part.name[: -len(part.suffix)]
    stems = [base[:-4]] if base.lower().endswith(".shp") else [base]
    for stem in stems:
        for suffix in (".shp", ".SHP"):
            shp = part.with_name(stem + suffix)
            if shp.exists():
                return shp
    return None


def _gdal_reason(e: Exception) -> str:
    """A GDAL open error in plain words (its English text is kept only when unrecognised)."""
    text = _short(e)
    if "not recognized as being in a supported file format" in text or "file is not a database" in text:
        return "文件已损坏或不是该格式"
    if "No such file" in text:
        return "文件不存在"
    return text


def _short(e: Exception) -> str:
    s = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return s[:300]
