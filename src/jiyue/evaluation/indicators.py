"""The TD/T 1029 indicators as declared data, and their computation from zone accounting.

Each indicator is ``Σ numerator terms / Σ denominator terms × factor``, where the terms are
quantities of the zone's accounting table (:mod:`jiyue.evaluation.accounting`): areas in m²
(A, A2, B21, D, G …), floor areas and footprints in m², economic totals in 万元 or persons.
An indicator whose inputs are missing, or whose denominator is 0, is reported as missing
with the reason — never as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from jiyue.landrules import M2_PER_HA


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str  # Chinese name as in the standard
    unit: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    factor: float  # 100 for rates in %, M2_PER_HA for per-ha figures, 1 for ratios
    direction: str  # "positive" or "negative"
    formula: str  # human-readable formula (Chinese terms)
    category: str  # "rate", "intensity", "benefit" — used for the intensity potential


INDICATORS: dict[str, Indicator] = {i.key: i for i in (
    Indicator("supply_rate", "土地供应率", "%", ("D",), ("A", "B21"), 100.0, "positive",
              "已供应国有建设用地 D ÷ (已建成城镇建设用地 A + 已达到供地条件的其他土地 B21) × 100", "rate"),
    Indicator("built_rate", "土地建成率", "%", ("A",), ("D",), 100.0, "positive",
              "已建成城镇建设用地 A ÷ 已供应国有建设用地 D × 100", "rate"),
    Indicator("development_rate", "土地开发率", "%", ("A", "B21"), ("A", "B"), 100.0, "positive",
              "(A + B21) ÷ (A + B) × 100", "rate"),
    Indicator("industrial_land_ratio", "工业用地率", "%", ("A2",), ("A",), 100.0, "positive",
              "工矿仓储用地 A2 ÷ 已建成城镇建设用地 A × 100", "structure"),
    Indicator("far", "综合容积率", "", ("FA_A",), ("A",), 1.0, "positive",
              "A 上总建筑面积 ÷ A", "intensity"),
    Indicator("building_density", "建筑密度", "%", ("FP_A",), ("A",), 100.0, "positive",
              "A 上建筑物基底总面积 ÷ A × 100", "intensity"),
    Indicator("industrial_far", "工业用地综合容积率", "", ("FA_A2",), ("A2",), 1.0, "positive",
              "A2 上总建筑面积 ÷ A2", "intensity"),
    Indicator("industrial_building_coefficient", "工业用地建筑系数", "%", ("FPALL_A2",), ("A2",), 100.0,
              "positive", "A2 上(建筑物+构筑物+露天堆场及操作场地)基底面积 ÷ A2 × 100", "intensity"),
    Indicator("industrial_fai_intensity", "工业用地固定资产投入强度", "万元/公顷", ("industrial_fai_wan",),
              ("A2",), M2_PER_HA, "positive", "工业(物流)企业累计固定资产投资总额 ÷ A2(公顷)", "benefit"),
    Indicator("industrial_tax_per_ha", "工业用地地均税收", "万元/公顷", ("industrial_tax_wan",), ("A2",),
              M2_PER_HA, "positive", "工业(物流)企业税收总额 ÷ A2(公顷)", "benefit"),
    Indicator("tax_per_ha", "综合地均税收", "万元/公顷", ("tax_total_wan",), ("A",), M2_PER_HA, "positive",
              "开发区二三产业税收总额 ÷ A(公顷)", "benefit"),
    Indicator("population_density", "人口密度", "人/公顷", ("population",), ("A",), M2_PER_HA, "positive",
              "开发区常住人口 ÷ A(公顷)", "benefit"),
    Indicator("idle_rate", "土地闲置率", "%", ("G",), ("D",), 100.0, "negative",
              "闲置土地 G ÷ 已供应国有建设用地 D × 100", "management"),
)}

# Indicators that apply to each zone type (what the evaluation reports; the score uses the
# profile's tree). 土地开发率 is reported for both types as the monitoring circulars do.
TYPE_INDICATORS: dict[str, tuple[str, ...]] = {
    "industrial": ("supply_rate", "built_rate", "development_rate", "industrial_land_ratio", "far",
                   "building_density", "industrial_far", "industrial_building_coefficient",
                   "industrial_fai_intensity", "industrial_tax_per_ha", "tax_per_ha",
                   "population_density", "idle_rate"),
    "integrated": ("supply_rate", "built_rate", "development_rate", "industrial_land_ratio", "far",
                   "building_density", "industrial_far", "industrial_building_coefficient",
                   "industrial_fai_intensity", "industrial_tax_per_ha", "tax_per_ha",
                   "population_density", "idle_rate"),
}

TERM_LABELS = {
    "A": "已建成城镇建设用地 A", "A2": "工矿仓储用地 A2", "B": "未建成城镇建设用地 B",
    "B21": "已达到供地条件的其他土地 B21", "D": "已供应国有建设用地 D", "G": "闲置土地 G",
    "FA_A": "A 上总建筑面积", "FP_A": "A 上建筑物基底面积", "FA_A2": "A2 上总建筑面积",
    "FPALL_A2": "A2 上建筑物、构筑物、堆场基底面积", "industrial_fai_wan": "工业(物流)企业累计固定资产投资总额",
    "industrial_tax_wan": "工业(物流)企业税收总额", "tax_total_wan": "开发区二三产业税收总额",
    "population": "开发区常住人口",
}

MISSING_REASONS = {
    "no_denominator": "分母{terms}为0，无法计算",
    "no_input": "缺少{terms}（{hint}）",
}
INPUT_HINTS = {
    "industrial_fai_wan": "开发区年度数据 zone_years.industrial_fai_wan 为空，且无法由 A2 宗地上企业的年度数据汇总",
    "industrial_tax_wan": "开发区年度数据 zone_years.industrial_tax_wan 为空，且无法由 A2 宗地上企业的年度数据汇总",
    "tax_total_wan": "开发区年度数据 zone_years.tax_total_wan 为空",
    "population": "开发区年度数据 zone_years.population 为空",
    **{t: "本开发区没有任何建筑物数据：buildings 图层缺失或为空，或没有一栋建筑落在本区宗地内"
       for t in ("FA_A", "FP_A", "FA_A2", "FPALL_A2")},
}


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def compute(acc: dict[str, Any], keys: tuple[str, ...] | list[str]) -> tuple[dict[str, float | None],
                                                                           dict[str, str]]:
    """Indicator values for one zone from its accounting row; and reasons for the missing."""
    values: dict[str, float | None] = {}
    missing: dict[str, str] = {}
    for key in keys:
        ind = INDICATORS[key]
        absent = [t for t in ind.numerator + ind.denominator if _is_missing(acc.get(t))]
        if absent:
            values[key] = None
            hint = "；".join(INPUT_HINTS.get(t, "数据缺失") for t in absent)
            missing[key] = MISSING_REASONS["no_input"].format(
                terms="、".join(TERM_LABELS.get(t, t) for t in absent), hint=hint)
            continue
        num = sum(float(acc[t]) for t in ind.numerator)
        den = sum(float(acc[t]) for t in ind.denominator)
        if den <= 0:
            values[key] = None
            missing[key] = MISSING_REASONS["no_denominator"].format(
                terms="+".join(TERM_LABELS.get(t, t) for t in ind.denominator))
            continue
        values[key] = num / den * ind.factor
    return values, missing
