"""The words of each finding: found / expected texts shared by the two validators.

:mod:`jiyue.validate` (any package, pandas + shapely) and :mod:`jiyue.validate_parquet` (a plain
GeoParquet folder, DuckDB + Arrow) report a problem in the same words from here. This module
imports nothing heavy (no pandas, GEOS or GDAL).
"""

from __future__ import annotations

from typing import Any

from jiyue import messages
from jiyue.errors import Problem, ReasonCode, Severity

# Contract: overlapping parcels beyond a tolerance of 0.5 m² or 0.1 % of the smaller parcel.
# We read it as "the larger of the two", so a sliver that is tiny in absolute or in relative
# terms passes (documented in docs/reason-codes.md).
OVERLAP_TOLERANCE_M2 = 0.5
OVERLAP_TOLERANCE_SHARE = 0.001
# A footprint counts as straddling when more than this share of it lies outside its parcel.
STRADDLE_TOLERANCE_SHARE = 0.01
STRADDLE_TOLERANCE_M2 = 0.5

REQUIRED_EXPECTED = "非空值"
IDLE_CLASS_EXPECTED = "闲置土地应是已供应土地（D类）"
BUILT_UNSUPPLIED_EXPECTED = "已建成土地一般应为已供应（D类）或不可供应（F类）"
INVALID_EXPECTED = "有效的图形（边界不自相交、环闭合）"
OUTSIDE_EXPECTED = "位于某一宗地范围内"
STRADDLE_EXPECTED = "建筑基底应完整位于一宗宗地内"


def duplicate_expected(first_row: int) -> str:
    return f"唯一编号（第{int(first_row)}行已使用此编号）"


def reference_expected(target: str) -> str:
    return f"「{messages.layer_label(target)}」图层"


def idle_class_found(supply_class: Any) -> str:
    return f"标为闲置，但供应状况为{supply_class}"


def built_unsupplied_found(build_class: Any, supply_class: Any) -> str:
    return f"已建成（{build_class}）却标为尚可供应（{supply_class}）"


def overlap_expected(area: float, tol: float) -> str:
    return (f"重叠面积 {area:.2f} 平方米，超过允许误差 {tol:.2f} 平方米"
            "（取 0.5 平方米与较小宗地面积的 0.1% 中的较大者）")


def outside_found(x: float, y: float, given: Any | None) -> str:
    """A footprint whose representative point (x, y) is in no parcel; ``given``: its own known parcel_id."""
    consequence = "不属于任何宗地，不参与宗地指标计算" if given is None else f"按填写的宗地「{given}」计入"
    return f"代表点坐标 ({x:.2f}, {y:.2f})，{consequence}"


def straddle_found(outside_m2: float, footprint_m2: float, parcel_id: Any) -> str:
    return f"{outside_m2:.1f} 平方米（占基底 {outside_m2 / footprint_m2:.1%}）在宗地「{parcel_id}」之外"


def no_buildings_zone(n_buildings: int, code: Any) -> tuple[str, str]:
    return (f"建筑图层的 {n_buildings} 条记录都不在本区的宗地上",
            f"开发区「{code}」宗地上的建筑基底（位于本区宗地内，或宗地编号为本区宗地）")


def no_zone_years(code: str, year: int, layer_absent: bool, derived: dict[str, bool]) -> tuple[str, str]:
    """found / expected of a zone without its year's ``zone_years`` row (``derived``: see _derivable)."""
    names = messages.INDUSTRIAL_INDICATORS
    summed = [names[k] for k, ok in derived.items() if ok]
    lost = [names[k] for k, ok in derived.items() if not ok]
    parts = []
    if summed:
        parts.append(f"{'、'.join(summed)}改由 A2 宗地上企业的年度数据（enterprise_years）汇总")
    if lost:
        parts.append(f"{'、'.join(lost)}也将列为缺失（无法由 A2 宗地上企业的年度数据汇总）")
    found = ("数据包中没有此图层，" if layer_absent else "") + \
        f"{'、'.join(messages.ZONE_YEAR_INDICATORS)}无法计算，评价时将列为缺失；" + "，".join(parts)
    return found, (f"开发区「{code}」{year}年度的一行数据：二三产业税收总额、常住人口，以及工业(物流)企业"
                   "税收总额、工业(物流)企业累计固定资产投资总额")


GEOM_TYPES = {
    "polygon": {"Polygon", "MultiPolygon"},
    "point": {"Point", "MultiPoint"},
    "line": {"LineString", "MultiLineString"},
}
GEOM_LABELS = {"polygon": "面（Polygon）", "point": "点（Point）", "line": "线（LineString）"}
GEOM_TYPE_LABELS = {
    "Point": "点（Point）", "MultiPoint": "多点（MultiPoint）", "LineString": "线（LineString）",
    "MultiLineString": "多线（MultiLineString）", "LinearRing": "环（LinearRing）",
    "Polygon": "面（Polygon）", "MultiPolygon": "多面（MultiPolygon）",
    "GeometryCollection": "几何集合（GeometryCollection）",
}

NO_BUILDINGS_EXPECTED = "建筑物、构筑物和露天堆场的基底（面图层 buildings 或 建筑）"


# GEOS validity reasons (shapely.is_valid_reason) in words a clerk reads
_INVALID_REASONS = {
    "Self-intersection": "边界自相交",
    "Ring Self-intersection": "环自相交",
    "Too few points": "顶点太少",
    "Interior is disconnected": "内部不连通",
    "Hole lies outside shell": "内环（洞）位于外环之外",
    "Nested holes": "内环（洞）相互嵌套",
    "Nested shells": "外环相互嵌套",
    "Duplicate Rings": "存在重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合",
}


def invalid_reason_zh(reason: str) -> str:
    """A GEOS validity reason such as ``Self-intersection[x y]`` in Chinese, with its place."""
    head, _, rest = str(reason).partition("[")
    text = _INVALID_REASONS.get(head.strip(), head.strip())
    coords = rest.rstrip("]").split()
    if len(coords) >= 2:
        try:
            x, y = float(coords[0]), float(coords[1])
            return f"{text}，位置约 ({x:.2f}, {y:.2f})"
        except ValueError:
            pass
    return text


class ProblemSink:
    """Where a validator's checks add their problems (both validators): each problem with its
    Chinese message rendered from the catalogue."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, severity: Severity, code: ReasonCode, layer: str, row_id: Any, fld: str | None,
            found: Any, expected: str | None, row: int | None = None) -> None:
        rid = None if row_id is None else str(row_id)
        fs = None if found is None else str(found)
        r = None if row is None else int(row)
        self.problems.append(Problem(severity, code, layer, rid, fld, fs, expected,
                                     messages.render(code, layer=layer, row_id=rid, field=fld, found=fs,
                                                     expected=expected, row=r), r))
