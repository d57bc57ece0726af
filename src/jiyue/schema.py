"""The data contract as data: layers, fields, Chinese aliases, types and references.

This module *describes* the package (``docs/data-contract.md`` is generated from the same
facts); :mod:`jiyue.normalize` applies it. Field names are matched after trimming spaces,
case-insensitively for Latin letters, with full-width brackets folded to ASCII.
"""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, TypedDict

from jiyue import codes

FieldType = Literal["text", "code", "codes", "real", "int", "date", "bool"]
GeomType = Literal["polygon", "point", "line"]

# Impossible values (docs/reason-codes.md, "Allowed ranges"). Every number field of the contract
# is an area, amount, count, rate or year, so none may be negative (``nonnegative`` = minimum 0).
# Years and dates lie between the founding of the People's Republic and 2100; an enterprise's
# founding date may be older (an enterprise founded in 1903 still exists). Bounds are inclusive.
YEAR_MIN, YEAR_MAX = 1949, 2100
DATE_MIN, DATE_MAX = dt.date(YEAR_MIN, 1, 1), dt.date(YEAR_MAX, 12, 31)
FOUNDED_MIN = dt.date(1800, 1, 1)
FLOORS_MAX = 200  # the tallest buildings have about 160 floors
PERMILLE_MAX = 1000  # a daily penalty of more than 1000 ‰ (100 %) of the price is impossible

Bound = float | int | dt.date | None


@dataclass(frozen=True)
class Field:
    """One field of a layer."""

    name: str
    type: FieldType = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False
    nonnegative: bool = False
    enum: dict[str, tuple[str, ...]] | None = None  # for code / codes
    references: tuple[str, str] | None = None  # (layer, field)
    label: str = ""  # Chinese label for reports and messages
    # allowed range of a number or date field, inclusive; ``nonnegative`` means minimum 0, and a
    # date field without bounds gets DATE_MIN … DATE_MAX (see allowed_range)
    minimum: Bound = None
    maximum: Bound = None

    def __post_init__(self) -> None:
        if self.nonnegative and self.minimum is None:
            object.__setattr__(self, "minimum", 0)
        if self.type == "date":
            if self.minimum is None:
                object.__setattr__(self, "minimum", DATE_MIN)
            if self.maximum is None:
                object.__setattr__(self, "maximum", DATE_MAX)

    @property
    def allowed_range(self) -> tuple[Bound, Bound]:
        """(minimum, maximum) of the values this field may hold, None where open."""
        return self.minimum, self.maximum


@dataclass(frozen=True)
class Layer:
    """One layer (spatial) or table (non-spatial) of the package."""

    name: str
    label: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    geometry: GeomType | None = None
    required: bool = False
    aliases: tuple[str, ...] = ()  # accepted layer / sheet / file names besides `name`
    # fields outside the contract that an engine reads when a package carries them (exact column
    # name -> what reads it); they are kept as ``x_<name>`` like any extra field, but are not
    # reported as unknown (``unknown_field``)
    extra: dict[str, str] = field(default_factory=dict)
    # those of ``extra`` that hold numbers (exact column name -> how they are checked): a value
    # there that is not a number, or is out of range, is reported like one of a contract field
    extra_numbers: dict[str, Field] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


_BUILD = codes.class_codes(codes.BUILD_CLASSES)
_SUPPLY = codes.class_codes(codes.SUPPLY_CLASSES)
_HIGHTECH = codes.class_codes(codes.HIGHTECH_CLASSES)

ZONES = Layer(
    "zones", "开发区", geometry="polygon", required=True, key=("zone_code",),
    aliases=("开发区",),
    fields=(
        Field("zone_code", aliases=("开发区代码",), required=True, label="开发区代码"),
        Field("name", aliases=("开发区名称",), required=True, label="开发区名称"),
        Field("province", aliases=("省份",), required=True, label="省份"),
        Field("city", aliases=("地市",), label="地市"),
        Field("level", "code", aliases=("级别",), required=True, enum=codes.LEVELS, label="级别"),
        Field("category", "code", aliases=("类别",), required=True, enum=codes.CATEGORIES,
              label="类别"),
        Field("eval_type", "code", aliases=("评价类型",), required=True, enum=codes.EVAL_TYPES,
              label="评价类型"),
        Field("approved_area_ha", "real", aliases=("审批面积",), nonnegative=True,
              label="审批面积(公顷)"),
    ),
)

PARCELS = Layer(
    "parcels", "宗地", geometry="polygon", required=True, key=("parcel_id",),
    aliases=("宗地", "地块"),
    fields=(
        Field("parcel_id", aliases=("宗地编号", "地块编号", "ZDBH"), required=True,
              label="宗地编号"),
        Field("zone_code", aliases=("开发区代码",), required=True, references=("zones", "zone_code"),
              label="开发区代码"),
        Field("build_class", "code", aliases=("建设状况", "DLDM"), required=True, enum=_BUILD,
              label="建设状况"),
        Field("supply_class", "code", aliases=("供应状况", "GYDM"), required=True, enum=_SUPPLY,
              label="供应状况"),
        Field("area_m2", "real", aliases=("面积", "DLMJ", "宗地面积", "土地面积", "地块面积", "ZDMJ"),
              nonnegative=True, label="面积(平方米)"),
        Field("land_use_code", aliases=("地类编码", "DLBM", "地类代码"), label="地类编码"),
        Field("hightech", "code", aliases=("高新类别", "GXDM"), enum=_HIGHTECH, label="高新类别"),
        # not 土地使用者/权利人: in cadastral data those columns hold the holder's NAME, not an id of
        # the enterprises layer — read as user_id they would turn into broken references
        Field("user_id", aliases=("使用权人",),
              references=("enterprises", "enterprise_id"),
              label="使用权人"),
        Field("supply_date", "date", aliases=("供地日期", "供应日期"), label="供地日期"),
        Field("supply_method", "code", aliases=("供地方式", "供应方式"), enum=codes.SUPPLY_METHODS,
              label="供地方式"),
        Field("contract_no", aliases=("合同编号",), references=("contracts", "contract_no"),
              label="合同编号"),
        Field("idle", "bool", aliases=("是否闲置", "TDXZQK"), label="是否闲置"),
    ),
)

# the optional residents of a building, read by the liveability engine (docs/data-contract.md)
_BUILDING_EXTRA = {n: "生活圈分析读取的「居住人口」" for n in ("population", "人口", "居住人口")}

BUILDINGS = Layer(
    "buildings", "建筑", geometry="polygon", key=("building_id",),
    aliases=("建筑", "建筑物"), extra=_BUILDING_EXTRA,
    fields=(
        Field("building_id", aliases=("建筑编号", "建筑物编号"), required=True, label="建筑编号"),
        Field("parcel_id", aliases=("宗地编号",), references=("parcels", "parcel_id"),
              label="宗地编号"),
        Field("kind", "code", aliases=("类型",), enum=codes.BUILDING_KINDS, label="类型"),
        Field("floors", "int", aliases=("层数", "建筑层数"), nonnegative=True, maximum=FLOORS_MAX,
              label="层数"),
        Field("floor_area_m2", "real", aliases=("建筑面积", "JZMJ", "总建筑面积"), nonnegative=True,
              label="建筑面积(平方米)"),
        Field("footprint_m2", "real", aliases=("基底面积", "JZJDMJ"), nonnegative=True,
              label="基底面积(平方米)"),
        Field("storey_height_m", "real", aliases=("层高",), nonnegative=True, label="层高(米)"),
    ),
)

# Optional fields outside the contract read by the per-mu (亩均) engine (jiyue.mujun.inputs),
# as Layer.extra: exact column name -> what reads it (said when an unknown column may be one)
_ENTERPRISE_EXTRA = {n: f"亩均评价读取的「{what}」" for what, names in (
    ("园区", ("park", "园区")), ("街道", ("street", "街道")), ("企业标记", ("flags", "标记", "企业标记")),
) for n in names}
_ENTERPRISE_YEAR_EXTRA = {n: f"亩均评价读取的「{what}」" for what, names in (
    ("企业标记", ("flags", "标记", "企业标记")), ("当年规模", ("scale", "规模")),
    ("用水量", ("water_t", "用水量")), ("用气量", ("gas_m3", "用气量")),
    ("技改投资", ("tech_invest_wan", "技改投资", "技术改造投资")),
    ("其他电价加价", ("other_surcharge_yuan_kwh", "其他电价加价")),
    ("城镇土地使用税", ("land_use_tax_wan", "城镇土地使用税")),
    ("以往评价类别", ("class", "past_class", "评价类别")), ("出租方", ("lessor_id", "出租方")),
) for n in names}

# the optional number fields among them (the surcharge may be a discount, so it may be negative)
_ENTERPRISE_YEAR_NUMBERS = {n: Field(n, "real", nonnegative=nonneg, label=label) for label, nonneg, names in (
    ("用水量(吨)", True, ("water_t", "用水量")), ("用气量(立方米)", True, ("gas_m3", "用气量")),
    ("技改投资(万元)", True, ("tech_invest_wan", "技改投资", "技术改造投资")),
    ("其他电价加价(元/千瓦时)", False, ("other_surcharge_yuan_kwh", "其他电价加价")),
    ("城镇土地使用税(万元)", True, ("land_use_tax_wan", "城镇土地使用税")),
) for n in names}

ENTERPRISES = Layer(
    "enterprises", "企业", key=("enterprise_id",), aliases=("企业",), extra=_ENTERPRISE_EXTRA,
    fields=(
        Field("enterprise_id", aliases=("企业编号",), required=True, label="企业编号"),
        Field("credit_code", aliases=("统一社会信用代码",), label="统一社会信用代码"),
        Field("name", aliases=("企业名称",), required=True, label="企业名称"),
        Field("industry_code", aliases=("行业代码",), label="行业代码"),
        Field("scale", "code", aliases=("规模",), enum=codes.SCALES, label="规模"),
        Field("founded", "date", aliases=("成立日期",), label="成立日期", minimum=FOUNDED_MIN),
        Field("zone_code", aliases=("开发区代码",), references=("zones", "zone_code"),
              label="开发区代码"),
    ),
)



class _Range(TypedDict, total=False):
    """The bounds of :class:`Field`, shared by many fields (spread with ``**``)."""

    minimum: Bound
    maximum: Bound


class _FieldOptions(_Range, total=False):
    """A type and its bounds, shared by many fields (spread with ``**``)."""

    type: FieldType
    nonnegative: bool


_MONEY: _FieldOptions = {"type": "real", "nonnegative": True}
_YEAR: _Range = {"minimum": YEAR_MIN, "maximum": YEAR_MAX}
_PERMILLE: _FieldOptions = {"type": "real", "nonnegative": True, "maximum": PERMILLE_MAX}

ENTERPRISE_YEARS = Layer(
    "enterprise_years", "企业年度数据", key=("enterprise_id", "year"),
    aliases=("企业年度", "企业年度数据", "企业经济数据"), extra=_ENTERPRISE_YEAR_EXTRA,
    extra_numbers=_ENTERPRISE_YEAR_NUMBERS,
    fields=(
        Field("enterprise_id", aliases=("企业编号",), required=True,
              references=("enterprises", "enterprise_id"), label="企业编号"),
        Field("year", "int", aliases=("年度", "年份"), required=True, label="年度", **_YEAR),
        Field("tax_wan", aliases=("税收", "实缴税金"), label="税收(万元)", **_MONEY),
        Field("revenue_wan", aliases=("营业收入",), label="营业收入(万元)", **_MONEY),
        Field("value_added_wan", aliases=("工业增加值",), label="工业增加值(万元)", **_MONEY),
        Field("output_wan", aliases=("工业总产值",), label="工业总产值(万元)", **_MONEY),
        Field("energy_tce", aliases=("综合能耗", "综合能源消费量"), label="综合能耗(吨标准煤)", **_MONEY),
        Field("emission_t", aliases=("主要污染物排放量",), label="主要污染物排放量(吨)", **_MONEY),
        Field("electricity_mwh", aliases=("用电量",), label="用电量(兆瓦时)", **_MONEY),
        Field("employees", "int", aliases=("年平均职工人数",), nonnegative=True,
              label="年平均职工人数"),
        Field("rd_wan", aliases=("研发经费", "研发经费支出"), label="研发经费(万元)", **_MONEY),
        Field("fixed_assets_wan", aliases=("累计固定资产投资",), label="累计固定资产投资(万元)",
              **_MONEY),
        Field("land_m2_extra", aliases=("租用土地面积",), label="租用土地面积(平方米)", **_MONEY),
        Field("veto", "codes", aliases=("否决事项",), enum=codes.VETO_EVENTS, label="否决事项"),
    ),
)

ZONE_YEARS = Layer(
    "zone_years", "开发区年度数据", key=("zone_code", "year"),
    aliases=("开发区年度", "开发区年度数据", "开发区经济数据"),
    fields=(
        Field("zone_code", aliases=("开发区代码",), required=True, references=("zones", "zone_code"),
              label="开发区代码"),
        Field("year", "int", aliases=("年度", "年份"), required=True, label="年度", **_YEAR),
        Field("tax_total_wan", aliases=("二三产业税收总额", "二、三产业税收总额"), label="二三产业税收总额(万元)",
              **_MONEY),
        Field("industrial_tax_wan", aliases=("工业(物流)企业税收总额", "工业企业税收总额"),
              label="工业(物流)企业税收总额(万元)", **_MONEY),
        Field("industrial_fai_wan", aliases=("工业(物流)企业累计固定资产投资总额",
                                             "工业企业累计固定资产投资总额"),
              label="工业(物流)企业累计固定资产投资总额(万元)", **_MONEY),
        Field("population", "int", aliases=("常住人口",), nonnegative=True, label="常住人口"),
    ),
)

CONTRACTS = Layer(
    "contracts", "合同", key=("contract_no",), aliases=("合同", "出让合同"),
    fields=(
        Field("contract_no", aliases=("合同编号",), required=True, label="合同编号"),
        Field("parcel_id", aliases=("宗地编号",), references=("parcels", "parcel_id"),
              label="宗地编号"),
        Field("enterprise_id", aliases=("企业编号",), references=("enterprises", "enterprise_id"),
              label="企业编号"),
        Field("signed_date", "date", aliases=("签订日期",), label="签订日期"),
        Field("land_price_wan", aliases=("出让价款",), label="出让价款(万元)", **_MONEY),
        Field("delivery_date", "date", aliases=("交地日期",), label="交地日期"),
        Field("start_agreed", "date", aliases=("约定动工日期",), label="约定动工日期"),
        Field("completion_agreed", "date", aliases=("约定竣工日期",), label="约定竣工日期"),
        Field("production_review_date", "date", aliases=("达产复核日期",), label="达产复核日期"),
        Field("total_investment_wan", aliases=("约定投资总额",), label="约定投资总额(万元)",
              **_MONEY),
        Field("commit_fai_per_mu", aliases=("承诺固定资产投资强度",),
              label="承诺固定资产投资强度(万元/亩)", **_MONEY),
        Field("commit_far", aliases=("承诺容积率",), label="承诺容积率", **_MONEY),
        Field("commit_tax_per_mu", aliases=("承诺亩均税收",), label="承诺亩均税收(万元/亩·年)",
              **_MONEY),
        Field("commit_va_per_energy", aliases=("承诺单位能耗增加值",),
              label="承诺单位能耗增加值(万元/吨标准煤)", **_MONEY),
        Field("commit_va_per_emission", aliases=("承诺单位排放增加值",),
              label="承诺单位排放增加值(万元/吨)", **_MONEY),
        Field("late_start_permille", aliases=("延期动工违约金",), label="延期动工违约金(‰/日)",
              **_PERMILLE),
        Field("late_completion_permille", aliases=("延期竣工违约金",),
              label="延期竣工违约金(‰/日)", **_PERMILLE),
    ),
)

PROGRESS = Layer(
    "progress", "项目进度", key=("contract_no", "date", "event"),
    aliases=("进度", "项目进度", "建设进度"),
    fields=(
        Field("contract_no", aliases=("合同编号",), required=True,
              references=("contracts", "contract_no"), label="合同编号"),
        Field("date", "date", aliases=("日期",), required=True, label="日期"),
        Field("event", "code", aliases=("事件",), required=True, enum=codes.PROGRESS_EVENTS,
              label="事件"),
        Field("developed_area_m2", aliases=("已开发面积",), label="已开发面积(平方米)", **_MONEY),
        Field("invested_wan", aliases=("已投资额", "已完成投资"), label="已完成投资(万元)",
              **_MONEY),
        Field("approved", "bool", aliases=("是否批准",), label="是否批准"),
        Field("cause", "code", aliases=("原因",), enum=codes.CAUSES, label="原因"),
    ),
)

# Optional fields outside the contract read by the liveability engine (jiyue.liveability), as
# Layer.extra (docs/data-contract.md): a facility's level (小学/初中 …), a building's residents
_FACILITY_EXTRA = {n: "生活圈分析读取的「设施等级」" for n in ("level", "等级", "层级", "学段")}

FACILITIES = Layer(
    "facilities", "公共服务设施", geometry="point", key=("facility_id",),
    aliases=("设施", "公共服务设施"), extra=_FACILITY_EXTRA,
    fields=(
        Field("facility_id", aliases=("设施编号",), required=True, label="设施编号"),
        Field("kind", "code", aliases=("类型",), required=True, enum=codes.FACILITY_KINDS,
              label="类型"),
        Field("name", aliases=("名称",), label="名称"),
        Field("capacity", "real", aliases=("规模", "容量"), nonnegative=True, label="规模"),
    ),
)

ROADS = Layer(
    "roads", "道路", geometry="line", key=(), aliases=("道路",),
    fields=(
        Field("road_id", aliases=("道路编号",), label="道路编号"),
        Field("name", aliases=("名称", "道路名称"), label="道路名称"),
    ),
)

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (ZONES, PARCELS, BUILDINGS, ENTERPRISES, ENTERPRISE_YEARS, ZONE_YEARS,
                  CONTRACTS, PROGRESS, FACILITIES, ROADS)
}
SPATIAL_LAYERS = [n for n, layer in LAYERS.items() if layer.geometry]

#: (layer, field) -> (minimum, maximum) of every number and date field: the ranges at a glance
#: (for a vectorised checker and the docs); each comes from the field's declaration above
RANGES: dict[tuple[str, str], tuple[Bound, Bound]] = {
    (layer.name, f.name): f.allowed_range
    for layer in LAYERS.values() for f in layer.fields if f.type in ("real", "int", "date")
}


def fold_name(name: str) -> str:
    """Normalise a field or layer name for matching (trim, fold width and case)."""
    # NFKC folds full-width brackets, letters, digits and spaces to their ASCII forms
    s = unicodedata.normalize("NFKC", str(name)).strip()
    s = s.replace("（", "(").replace("）", ")").replace("　", "").replace(" ", "")
    return s.lower()


def layer_for_name(name: str) -> str | None:
    """The canonical layer name for a layer/sheet/file name, or None."""
    return _LAYER_NAMES.get(fold_name(name))


_LAYER_NAMES: dict[str, str] = {}
for _layer in LAYERS.values():
    for _n in (_layer.name, *_layer.aliases):
        _LAYER_NAMES.setdefault(fold_name(_n), _layer.name)


def name_similarity(a: str, b: str) -> float:
    """How alike two folded names (of fields or layers) are, 0…1, to suggest the name meant.

    Chinese names: the share of characters they have in common (2 × shared ÷ total, counting
    repeats), so 土地使用人 and 土地使用者 score 0.8, 宗地面积 and 面积 0.67. Latin names:
    difflib's ratio when at least 0.7 (user and user_id: 0.73; notes and zones: 0.6 → 0), so
    unrelated abbreviations are not offered. A Latin and a Chinese name never match.
    """
    if not a or not b:
        return 0.0
    if a.isascii() and b.isascii():
        r = difflib.SequenceMatcher(None, a, b).ratio()
        return r if r >= 0.7 else 0.0
    if a.isascii() or b.isascii():
        return 0.0
    shared = sum((Counter(a) & Counter(b)).values())
    return 2.0 * shared / (len(a) + len(b))


def suggest_layers(name: str, limit: int = 2) -> list[str]:
    """The layers a file/sheet/layer name that is not a layer name most likely means."""
    folded = fold_name(name)
    scored = []
    for i, layer in enumerate(LAYERS.values()):
        best = max(name_similarity(folded, fold_name(n)) for n in (layer.name, *layer.aliases))
        if best >= 0.5:
            scored.append((-best, i, layer.name))
    return [n for _, _, n in sorted(scored)[:limit]]
