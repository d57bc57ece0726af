"""The Chinese message catalogue: every sentence a clerk sees about data problems.

Messages are built from the problem's parts, so they always name the layer, the row, the
field, what was found and what was expected. Keep the wording plain: the reader is a
bureau clerk, not a programmer.
"""

from __future__ import annotations

import re

from jiyue.errors import ReasonCode
from jiyue.schema import LAYERS

SEVERITY_LABELS = {"error": "错误", "warning": "警告"}

# The indicators that cannot be computed without the data named (the names of
# jiyue.evaluation.indicators, kept here so that a message never depends on the engines).
FLOOR_AREA_INDICATORS = ("综合容积率", "建筑密度", "工业用地综合容积率", "工业用地建筑系数")
ZONE_YEAR_INDICATORS = ("综合地均税收", "人口密度")
INDUSTRIAL_INDICATORS = {"industrial_tax_wan": "工业用地地均税收",
                         "industrial_fai_wan": "工业用地固定资产投入强度"}
_FLOOR = "、".join(FLOOR_AREA_INDICATORS)

# One template per reason code. Placeholders: {layer} {row} {field} {found} {expected}.
TEMPLATES: dict[ReasonCode, str] = {
    ReasonCode.PACKAGE_UNREADABLE: "无法读取数据包：{found}。应为：{expected}",
    ReasonCode.LAYER_UNREADABLE: "图层「{layer}」无法读取：{found}",
    ReasonCode.MISSING_LAYER: "缺少必需的图层「{layer}」。应提供：{expected}",
    ReasonCode.DUPLICATE_LAYER: "图层「{layer}」出现了不止一次：{found}，请只保留一份",
    ReasonCode.IGNORED_SOURCE: "数据包中的「{found}」没有读入：{expected}",
    ReasonCode.NO_BUILDINGS: "图层「{layer}」{record}的宗地上没有任何建筑（{found}）：" + _FLOOR
                             + "无法计算，评价时将列为缺失。应提供：{expected}",
    ReasonCode.NO_ZONE_YEARS: "图层「{layer}」中没有{record}：{found}；这样算出的分值与具备这些数据的"
                              "开发区不可比。应提供：{expected}",
    ReasonCode.MISSING_FIELD: "图层「{layer}」缺少必填字段「{field}」。可用的字段名：{expected}",
    ReasonCode.DUPLICATE_FIELD: "图层「{layer}」中字段「{field}」重复出现：{found}",
    ReasonCode.UNKNOWN_FIELD: "图层「{layer}」中的字段「{found}」不是数据规范中的字段，已原样保留但不参与计算；"
                              "{expected}",
    ReasonCode.MISSING_VALUE: "图层「{layer}」{record}的「{field}」为空，此项必填",
    ReasonCode.BAD_NUMBER: "图层「{layer}」{record}的「{field}」不是数字：「{found}」，应为{expected}",
    ReasonCode.BAD_INTEGER: "图层「{layer}」{record}的「{field}」应为{expected}，实际为「{found}」",
    ReasonCode.BAD_DATE: "图层「{layer}」{record}的「{field}」不是有效日期：「{found}」，"
                         "应为如 2020-12-31 的日期",
    ReasonCode.BAD_BOOL: "图层「{layer}」{record}的「{field}」应填“是”或“否”，实际为「{found}」",
    ReasonCode.UNKNOWN_CODE: "图层「{layer}」{record}的「{field}」代码「{found}」不在规定的代码表中，"
                             "应为：{expected}",
    ReasonCode.NEGATIVE_VALUE: "图层「{layer}」{record}的「{field}」为负数「{found}」，不能小于0",
    ReasonCode.OUT_OF_RANGE: "图层「{layer}」{record}的「{field}」为「{found}」，超出合理范围，应为{expected}",
    ReasonCode.DUPLICATE_ID: "图层「{layer}」{at}的编号「{found}」重复，应为{expected}",
    ReasonCode.BROKEN_REFERENCE: "图层「{layer}」{record}的「{field}」为「{found}」，"
                                 "但{expected}中没有这条记录",
    ReasonCode.REFERENCE_UNCHECKED: "图层「{layer}」填写了「{field}」，但数据包中没有{expected}，"
                                    "无法核对（{found}）",
    ReasonCode.BAD_CREDIT_CODE: "图层「{layer}」{record}的统一社会信用代码「{found}」校验不通过，"
                                "请核对（应为18位且校验位正确）",
    ReasonCode.INCONSISTENT_CLASS: "图层「{layer}」{record}：{found}，{expected}",
    ReasonCode.MISSING_CRS: "图层「{layer}」没有坐标系信息（如缺少 .prj 文件），无法计算面积；"
                            "请提供 CGCS2000 坐标系",
    ReasonCode.CRS_NOT_METRIC: "图层「{layer}」的坐标系「{found}」不是以米为单位的投影坐标系，"
                               "应为：{expected}",
    ReasonCode.CRS_MISMATCH: "图层「{layer}」的坐标系「{found}」与宗地图层的坐标系「{expected}」无法统一",
    ReasonCode.MISSING_GEOMETRY: "图层「{layer}」{record}没有图形",
    ReasonCode.EMPTY_GEOMETRY: "图层「{layer}」{record}的图形为空",
    ReasonCode.INVALID_GEOMETRY: "图层「{layer}」{record}的图形无效（{found}），请在GIS软件中修复",
    ReasonCode.WRONG_GEOMETRY_TYPE: "图层「{layer}」{record}的图形类型为{found}，应为{expected}",
    ReasonCode.PARCEL_OVERLAP: "宗地「{row}」与宗地「{found}」相互重叠，{expected}",
    ReasonCode.AREA_MISMATCH: "宗地「{row}」填写的面积为 {found} 平方米，与图形面积 {expected} 平方米相差超过 1%，"
                              "请核对",
    ReasonCode.BUILDING_OUTSIDE_PARCELS: "建筑「{row}」的基底不在任何宗地内（{found}）",
    ReasonCode.BUILDING_STRADDLES_PARCELS: "建筑「{row}」跨越宗地边界：{found}",
    ReasonCode.BUILDING_PARCEL_MISMATCH: "建筑「{row}」填写的宗地编号为「{found}」，"
                                         "但其位置在宗地「{expected}」内",
    ReasonCode.ALREADY_IMPORTED: "开发区「{row}」{found}年度的数据已经入库（{expected}）；"
                                 "如需替换，请加 --replace",
}

# Variants for problems about a whole layer (no row id), where the row template reads badly.
LAYER_TEMPLATES: dict[ReasonCode, str] = {
    ReasonCode.MISSING_GEOMETRY: "图层「{layer}」（{found}）没有图形，空间图层应为{expected}",
    ReasonCode.MISSING_LAYER: "必需的图层「{layer}」{found}，应提供：{expected}",
    ReasonCode.NO_BUILDINGS: "图层「{layer}」{found}：没有建筑就无法计算" + _FLOOR
                             + "，评价时这些指标将列为缺失。应提供：{expected}",
}
_ROW_LABEL = re.compile(r"^第\d+行$")
_UNIT = re.compile(r"^(.+)\(([^()]+)\)$")


def layer_label(layer: str) -> str:
    """Chinese name of a layer, with its English name for reference."""
    spec = LAYERS.get(layer)
    return f"{spec.label}({layer})" if spec else layer


def field_label(layer: str, field: str | None) -> str:
    """Chinese label of a field, with its English name."""
    if not field:
        return ""
    spec = LAYERS.get(layer)
    if spec:
        for f in (*spec.fields, *spec.extra_numbers.values()):
            if f.name == field:
                label = f.label or f.name
                m = _UNIT.match(label)
                if m:  # 面积(平方米) → 面积(area_m2，单位：平方米), not 面积(平方米)(area_m2)
                    return f"{m.group(1)}({field}，单位：{m.group(2)})"
                return f"{label}({field})"
    return field


def record_label(row_id: str | None, row: int | None = None) -> str:
    """How a message names a record: 记录「P1」, or 第3行 when the record has no id."""
    if row_id is None:
        return f"第{row}行" if row is not None else "记录"
    if _ROW_LABEL.match(str(row_id)):
        return str(row_id)
    return f"记录「{row_id}」"


def render(code: ReasonCode, *, layer: str, row_id: str | None, field: str | None,
           found: str | None, expected: str | None, row: int | None = None) -> str:
    """The Chinese sentence for one problem (``row``: its 1-based line in the layer)."""
    template = TEMPLATES[code]
    if row_id is None and code in LAYER_TEMPLATES and found:
        template = LAYER_TEMPLATES[code]
    return template.format(
        layer=layer_label(layer),
        row=row_id if row_id is not None else "-",
        record=record_label(row_id, row),
        at=f"第{row}行" if row is not None else "",
        field=field_label(layer, field),
        found=found if found is not None else "",
        expected=expected if expected is not None else "",
    )


# Plain sentences used by the CLI and the store (not tied to one row).
TEXT = {
    "validate_ok": "校验通过：没有错误。",
    "validate_failed": "校验未通过：发现 {errors} 个错误、{warnings} 个警告。",
    "validate_warnings": "校验通过，但有 {warnings} 个警告。",
    "import_refused": "数据包有 {errors} 个错误，未入库；数据库保持原样。",
    "import_done": "已入库：开发区 {zones}，{year} 年度，导入批次 {import_id}。",
    "import_conflict": "开发区 {zones} 的 {year} 年度数据已在数据库中（导入批次 {imports}）。"
                       "如需替换，请加 --replace；数据库未作任何修改。",
    "replace_partial": "导入批次 {import_id} 还包含本数据包以外的开发区 {others}，不能只替换其中一部分；"
                       "请把这些开发区一起重新导入。数据库未作任何修改。",
    "not_found": "找不到文件或文件夹：{path}",
    "not_package": "「{path}」不是数据包：{why}。数据包应为 GeoPackage 文件（.gpkg）、"
                   "按图层命名的文件夹（Shapefile/GeoJSON/GeoParquet/CSV/XLSX）或 .zip 压缩包。",
    "store_drift": "DuckDB 版本 {duckdb} 与空间扩展版本 {spatial} 不一致，请重新安装依赖。",
    "store_newer": "数据库 {path} 的结构版本为 {found}，比本程序支持的 {expected} 更新，请升级 jiyue。",
    "internal": "程序内部错误：{err}。请加 --debug 重新运行并把输出发给维护人员。",
}
