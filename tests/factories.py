"""Builders of tiny, hand-checkable data packages for the tests.

Every parcel is an axis-aligned rectangle in EPSG:4527 (CGCS2000 3-degree GK zone 39), so
its area is width × height and every expected figure can be worked out by hand.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import warnings
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

X0, Y0 = 39_410_000.0, 4_036_000.0  # near Liaocheng, in EPSG:4527
CRS = "EPSG:4527"


def rect(x: float, y: float, w: float, h: float):
    """A rectangle with its lower-left corner (x, y) metres from the origin."""
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def small_package() -> dict[str, Any]:
    """A 6-parcel integrated zone; every figure is simple arithmetic.

    parcels (100 m × 100 m = 10 000 m² each, in a row along x):
      P1 A2/D21  user E1  contract C1   P2 A1/D21   P3 A4/D21
      P4 B21/D21 (supplied, not built)  P5 B21/E21  P6 C1/F
    buildings: on P1 a 40×50 plant (2 floors), a 10×10 structure, a 20×10 yard;
               on P2 a 20×20 tower with floor_area 4 000; on P3 a 30×30 2-floor shop.
    """
    zones = gpd.GeoDataFrame({
        "zone_code": ["Z1"], "name": ["测试开发区"], "province": ["山东省"], "city": ["聊城市"],
        "level": ["national"], "category": ["etdz"], "eval_type": ["integrated"],
        "approved_area_ha": [6.0],
    }, geometry=[rect(0, 0, 600, 100)], crs=CRS)
    ids = [f"P{i}" for i in range(1, 7)]
    parcels = gpd.GeoDataFrame({
        "parcel_id": ids,
        "zone_code": ["Z1"] * 6,
        "build_class": ["A2", "A1", "A4", "B21", "B21", "C1"],
        "supply_class": ["D21", "D21", "D21", "D21", "E21", "F"],
        "area_m2": [10000.0] * 6,
        "land_use_code": ["0601", "0701", "05", None, None, "11"],
        "user_id": ["E1", None, None, None, None, None],
        "supply_date": [dt.date(2016, 5, 1), dt.date(2015, 1, 1), dt.date(2014, 1, 1),
                        dt.date(2019, 6, 1), None, None],
        "supply_method": ["listing", "listing", "auction", "listing", None, None],
        "contract_no": ["C1", None, None, None, None, None],
        "idle": [False, False, False, True, False, False],
    }, geometry=[rect(100 * i, 0, 100, 100) for i in range(6)], crs=CRS)
    buildings = gpd.GeoDataFrame({
        "building_id": ["B1", "B2", "B3", "B4", "B5"],
        "parcel_id": ["P1", "P1", "P1", "P2", "P3"],
        "kind": ["building", "structure", "yard", "building", "building"],
        "floors": [2, None, None, 10, 2],
        "floor_area_m2": [None, None, None, 4000.0, None],
        "footprint_m2": [None, None, None, None, None],
        "storey_height_m": [None, None, None, 3.0, 4.0],
    }, geometry=[rect(10, 10, 40, 50), rect(60, 10, 10, 10), rect(60, 30, 20, 10),
                 rect(110, 10, 20, 20), rect(210, 10, 30, 30)], crs=CRS)
    enterprises = pd.DataFrame({
        "enterprise_id": ["E1"], "credit_code": ["91371500MA3C8KXX3X"], "name": ["测试机械有限公司"],
        "industry_code": ["C3311"], "scale": ["above"], "founded": [dt.date(2010, 1, 1)],
        "zone_code": ["Z1"],
    })
    enterprise_years = pd.DataFrame({
        "enterprise_id": ["E1"], "year": [2020], "tax_wan": [150.0], "revenue_wan": [8000.0],
        "fixed_assets_wan": [6000.0],
    })
    zone_years = pd.DataFrame({
        "zone_code": ["Z1"], "year": [2020], "tax_total_wan": [900.0], "industrial_tax_wan": [150.0],
        "industrial_fai_wan": [6000.0], "population": [120],
    })
    contracts = pd.DataFrame({
        "contract_no": ["C1"], "parcel_id": ["P1"], "enterprise_id": ["E1"],
        "signed_date": [dt.date(2016, 4, 20)], "land_price_wan": [300.0],
        "start_agreed": [dt.date(2016, 11, 1)], "completion_agreed": [dt.date(2018, 11, 1)],
    })
    facilities = gpd.GeoDataFrame({"facility_id": ["F1"], "kind": ["hospital"], "name": ["区医院"],
                                   "capacity": [200.0]}, geometry=[Point(X0 + 250, Y0 + 50)], crs=CRS)
    return {"zones": zones, "parcels": parcels, "buildings": buildings, "enterprises": enterprises,
            "enterprise_years": enterprise_years, "zone_years": zone_years, "contracts": contracts,
            "facilities": facilities}


def zone_copy(code: str, *, name: str, province: str = "山东省", eval_type: str = "integrated",
              category: str = "etdz", dx: float = 0.0, b4_floor_area: float = 4000.0) -> dict[str, Any]:
    """small_package() as zone ``code``: every id prefixed with ``code-``, shifted ``dx`` metres east.

    ``b4_floor_area`` is the floor area of building B4 (the tower on the A1 parcel P2; 4 000 m²
    in small_package), so a test can raise one zone's FAR and change nothing else.
    """
    L = small_package()
    z = L["zones"]
    z["zone_code"], z["province"], z["eval_type"], z["category"], z["name"] = \
        code, province, eval_type, category, name
    L["zones"] = z.set_geometry(z.geometry.translate(dx, 0))
    p = L["parcels"]
    p["parcel_id"] = code + "-" + p["parcel_id"]
    p["zone_code"] = code
    p["user_id"] = p["user_id"].map(lambda v: None if pd.isna(v) else f"{code}-{v}")
    p["contract_no"] = p["contract_no"].map(lambda v: None if pd.isna(v) else f"{code}-{v}")
    L["parcels"] = p.set_geometry(p.geometry.translate(dx, 0))
    b = L["buildings"]
    b["building_id"] = code + "-" + b["building_id"]
    b["parcel_id"] = code + "-" + b["parcel_id"]
    b.loc[b.building_id == f"{code}-B4", "floor_area_m2"] = b4_floor_area
    L["buildings"] = b.set_geometry(b.geometry.translate(dx, 0))
    for t in ("enterprises", "enterprise_years", "contracts"):
        df = L[t]
        for col in ("enterprise_id", "contract_no", "parcel_id"):
            if col in df.columns:
                df[col] = code + "-" + df[col].astype(str)
        if "zone_code" in df.columns:
            df["zone_code"] = code
    L["enterprises"]["credit_code"] = None
    L["zone_years"]["zone_code"] = code
    L["facilities"] = L["facilities"].assign(facility_id=f"{code}-F1").set_geometry(
        L["facilities"].geometry.translate(dx, 0))
    return L


def merge(*packages: dict[str, Any]) -> dict[str, Any]:
    """Several packages' layers concatenated into one package."""
    out = {}
    for name in packages[0]:
        frames = [p[name] for p in packages]
        df = pd.concat(frames, ignore_index=True)
        if isinstance(frames[0], gpd.GeoDataFrame):
            df = gpd.GeoDataFrame(df, geometry=frames[0].geometry.name, crs=frames[0].crs)
        out[name] = df
    return out


def fix_credit_code(code17: str) -> str:
    """Append the GB 32100-2015 check character to 17 characters (test-side implementation)."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(chars.index(c) * w for c, w in zip(code17, weights))
    return code17 + chars[(31 - total % 31) % 31]


def write_gpkg(layers: dict[str, Any], path: Path) -> Path:
    """Write layers to one GeoPackage (tables as attribute tables)."""
    import pyogrio

    # SQLite syncs to disk after every layer (~0.1 s each); a test file needs no such care
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        for name, df in layers.items():
            frame = df if isinstance(df, gpd.GeoDataFrame) else pd.DataFrame(df)
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": None})
    return path


# =========================================================================== more builders
# Everything below writes packages "from outside", the way a land bureau would: field names
# and aliases are copied by hand from the data contract (docs/sources/data-contract-v1.md),
# never taken from jiyue.schema, so a drift of the code is caught.

#: Chinese aliases of the contract, per layer (the first alias where several are given).
ALIASES_ZH: dict[str, dict[str, str]] = {
    "zones": {"zone_code": "开发区代码", "name": "开发区名称", "province": "省份", "city": "地市",
              "level": "级别", "category": "类别", "eval_type": "评价类型", "approved_area_ha": "审批面积"},
    "parcels": {"parcel_id": "宗地编号", "zone_code": "开发区代码", "build_class": "建设状况",
                "supply_class": "供应状况", "area_m2": "面积", "land_use_code": "地类编码",
                "hightech": "高新类别", "user_id": "使用权人", "supply_date": "供地日期",
                "supply_method": "供地方式", "contract_no": "合同编号", "idle": "是否闲置"},
    "buildings": {"building_id": "建筑编号", "parcel_id": "宗地编号", "kind": "类型", "floors": "层数",
                  "floor_area_m2": "建筑面积", "footprint_m2": "基底面积", "storey_height_m": "层高"},
    "enterprises": {"enterprise_id": "企业编号", "credit_code": "统一社会信用代码", "name": "企业名称",
                    "industry_code": "行业代码", "scale": "规模", "founded": "成立日期",
                    "zone_code": "开发区代码"},
    "enterprise_years": {"enterprise_id": "企业编号", "year": "年度", "tax_wan": "税收",
                         "revenue_wan": "营业收入", "value_added_wan": "工业增加值",
                         "output_wan": "工业总产值", "energy_tce": "综合能耗",
                         "emission_t": "主要污染物排放量", "electricity_mwh": "用电量",
                         "employees": "年平均职工人数", "rd_wan": "研发经费",
                         "fixed_assets_wan": "累计固定资产投资", "land_m2_extra": "租用土地面积",
                         "veto": "否决事项"},
    "zone_years": {"zone_code": "开发区代码", "year": "年度", "tax_total_wan": "二三产业税收总额",
                   "industrial_tax_wan": "工业(物流)企业税收总额",
                   "industrial_fai_wan": "工业(物流)企业累计固定资产投资总额", "population": "常住人口"},
    "contracts": {"contract_no": "合同编号", "signed_date": "签订日期", "land_price_wan": "出让价款",
                  "delivery_date": "交地日期", "start_agreed": "约定动工日期",
                  "completion_agreed": "约定竣工日期", "production_review_date": "达产复核日期",
                  "total_investment_wan": "约定投资总额", "commit_fai_per_mu": "承诺固定资产投资强度",
                  "commit_far": "承诺容积率", "commit_tax_per_mu": "承诺亩均税收",
                  "commit_va_per_energy": "承诺单位能耗增加值",
                  "commit_va_per_emission": "承诺单位排放增加值",
                  "late_start_permille": "延期动工违约金", "late_completion_permille": "延期竣工违约金"},
}

#: Pinyin abbreviations of the contract (common in Chinese land data).
ALIASES_PINYIN: dict[str, dict[str, str]] = {
    "parcels": {"parcel_id": "ZDBH", "build_class": "DLDM", "supply_class": "GYDM", "area_m2": "DLMJ",
                "land_use_code": "DLBM", "hightech": "GXDM", "idle": "TDXZQK"},
    "buildings": {"floor_area_m2": "JZMJ", "footprint_m2": "JZJDMJ"},
}

SPATIAL = ("zones", "parcels", "buildings", "facilities", "roads")


def clean_package() -> dict[str, Any]:
    """:func:`small_package` with a valid credit code: validates with no problem at all."""
    layers = copy.deepcopy(small_package())
    layers["enterprises"]["credit_code"] = [fix_credit_code("91371500MA3C8KXX3")]
    return layers


def renamed(layers: dict[str, Any], names: str = "en") -> dict[str, Any]:
    """Copies of ``layers`` with field names ``en`` (as is), ``zh`` (Chinese aliases) or
    ``pinyin`` (pinyin abbreviations where the contract gives one, else English)."""
    table = {"en": {}, "zh": ALIASES_ZH, "pinyin": ALIASES_PINYIN}[names]
    out = {}
    for name, df in layers.items():
        out[name] = df.rename(columns=table.get(name, {}))
    return out


def _tables_for_excel(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(df).copy()


def write_folder(layers: dict[str, Any], folder: Path, *, spatial: str = "shp", tables: str = "xlsx",
                 names: str = "en", encoding: str = "UTF-8", cpg: bool = True,
                 prj: bool = True) -> Path:
    """Write a package as a folder with one file per layer.

    spatial: ``shp`` | ``geojson`` | ``parquet`` (GeoParquet) | ``gpkg`` (one file per layer).
    tables: ``xlsx`` (one workbook per table) | ``csv`` | ``workbook`` (one ``tables.xlsx``
    with a sheet per table). ``encoding``/``cpg``/``prj`` apply to Shapefiles: GBK field names
    and values, with or without the ``.cpg`` and ``.prj`` side files.
    """
    import pyogrio

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    layers = renamed(layers, names)
    sheets: dict[str, pd.DataFrame] = {}
    for name, df in layers.items():
        if isinstance(df, gpd.GeoDataFrame):
            if spatial == "shp":
                path = folder / f"{name}.shp"
                with warnings.catch_warnings():  # GDAL cuts English names to 10 bytes, as in real data
                    warnings.simplefilter("ignore", RuntimeWarning)
                    pyogrio.write_dataframe(df, path, encoding=encoding)
                if not cpg:
                    path.with_suffix(".cpg").unlink(missing_ok=True)
                if not prj:
                    path.with_suffix(".prj").unlink(missing_ok=True)
            elif spatial == "geojson":
                pyogrio.write_dataframe(df, folder / f"{name}.geojson", driver="GeoJSON")
            elif spatial == "parquet":
                df.to_parquet(folder / f"{name}.parquet")
            elif spatial == "gpkg":
                write_gpkg({name: df}, folder / f"{name}.gpkg")
            else:
                raise ValueError(spatial)
        elif tables == "csv":
            pd.DataFrame(df).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
        elif tables == "xlsx":
            _tables_for_excel(df).to_excel(folder / f"{name}.xlsx", index=False, engine="xlsxwriter")
        elif tables == "workbook":
            sheets[name] = _tables_for_excel(df)
        else:
            raise ValueError(tables)
    if sheets:
        with pd.ExcelWriter(folder / "tables.xlsx", engine="xlsxwriter") as xw:
            for name, df in sheets.items():
                df.to_excel(xw, sheet_name=name, index=False)
    return folder


class _GbkZipInfo(zipfile.ZipInfo):
    """A zip entry whose name is stored in GBK without the UTF-8 flag (Chinese zip tools)."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own hook
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_folder(folder: Path, zip_path: Path, *, inner: str | None = None, gbk_names: bool = False) -> Path:
    """Zip ``folder`` (its files under ``inner/`` when given, as Windows users zip a folder).

    ``gbk_names``: store the entry names in GBK without the UTF-8 flag, as 360压缩, WinRAR and
    Windows' "send to compressed folder" do on a Chinese system.
    """
    folder = Path(folder)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                arc = f.relative_to(folder).as_posix()
                arc = f"{inner}/{arc}" if inner else arc
                if gbk_names:
                    info = _GbkZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, f.read_bytes())
                else:
                    zf.write(f, arc)
    return zip_path


def to_crs(layers: dict[str, Any], crs: str) -> dict[str, Any]:
    """The layers with every spatial one transformed to ``crs`` (vertices only)."""
    return {n: (df.to_crs(crs) if isinstance(df, gpd.GeoDataFrame) else df) for n, df in layers.items()}


def edit(layers: dict[str, Any], layer: str, row: int, **values: Any) -> dict[str, Any]:
    """A deep copy of ``layers`` with fields of one row (0-based position) changed."""
    out = copy.deepcopy(layers)
    df = out[layer]
    for k, v in values.items():
        if k == "geometry":
            geoms = list(df.geometry)
            geoms[row] = v
            out[layer] = df.set_geometry(gpd.GeoSeries(geoms, index=df.index, crs=df.crs))
            df = out[layer]
        else:
            if k not in df.columns:
                df[k] = None
            df[k] = df[k].astype(object)
            df.iloc[row, df.columns.get_loc(k)] = v
    return out


def bow_tie(x: float, y: float, size: float = 50):
    """A self-intersecting 'bow-tie' polygon (invalid geometry) at (x, y) from the origin."""
    from shapely.geometry import Polygon

    return Polygon([(X0 + x, Y0 + y), (X0 + x + size, Y0 + y + size), (X0 + x + size, Y0 + y),
                    (X0 + x, Y0 + y + size)])


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def tree_snapshot(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` (or the file itself) with its bytes: to prove nothing changed."""
    path = Path(path)
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {f.relative_to(path).as_posix(): f.read_bytes() for f in sorted(path.rglob("*")) if f.is_file()}


STORE_TABLES = ("meta", "imports", "snapshots", "zones", "parcels", "buildings", "enterprises",
                "enterprise_years", "zone_years", "contracts", "progress", "facilities", "roads",
                "problems")


def store_state(db: Path) -> dict[str, Any] | None:
    """Row counts of every store table, the imports/snapshots/meta rows and the file's bytes."""
    import hashlib

    import duckdb

    db = Path(db)
    if not db.exists():
        return None
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    # plain DuckDB, read-only: counting rows needs no spatial extension (and loads 10× faster)
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in STORE_TABLES}
        imports = con.execute("SELECT * FROM imports ORDER BY import_id").fetchall()
        snapshots = con.execute("SELECT * FROM snapshots ORDER BY zone_code, year").fetchall()
        meta = con.execute("SELECT * FROM meta ORDER BY key").fetchall()
    finally:
        con.close()
    return {"counts": counts, "imports": imports, "snapshots": snapshots, "meta": meta,
            "sha256": digest}


def raw_package(layers: dict[str, Any], path: str = "memory") -> Any:
    """The layers as if just read from disk (no file): fast input for normalise/validate tests.

    Frames keep their dtypes as built here (dates as ``datetime.date`` objects), which is what
    the Excel and GeoPackage readers give too; the per-format tests read real files.
    """
    from jiyue.reader import RawLayer, RawPackage

    raw = RawPackage(path=Path(path), sha256="0" * 64)
    for name, df in copy.deepcopy(layers).items():
        raw.layers[name] = RawLayer(name, df.reset_index(drop=True), f"{name}（内存）")
    return raw


def report_of(layers: dict[str, Any]) -> Any:
    """Normalise and validate in-memory layers (see :func:`raw_package`)."""
    from jiyue.normalize import normalize
    from jiyue.validate import validate

    return validate(normalize(raw_package(layers)))
