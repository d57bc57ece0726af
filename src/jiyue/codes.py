"""Closed code lists of the data contract (TD/T 1029 classes, enums of the tables).

Each code list maps the canonical (English / TD/T) code to the Chinese values that are
accepted for it on input. Chinese display labels are the second element and are also used
by reports. Codes are matched after trimming, case-insensitively for Latin letters.
"""

from __future__ import annotations

# TD/T 1029 construction status (建设状况). Sub-codes roll up to their parent class.
BUILD_CLASSES: dict[str, str] = {
    "A1": "住宅用地",
    "A2": "工矿仓储用地",
    "A3": "交通运输用地",
    "A31": "街巷用地",
    "A32": "其他交通运输用地",
    "A4": "商服用地",
    "A5": "公共管理与公共服务用地",
    "A51": "公园与绿地",
    "A52": "其他公共管理与公共服务用地",
    "A6": "其他城镇建设用地",
    "B11": "已建成农村工矿仓储用地",
    "B12": "其他已建成农村建设用地",
    "B21": "已达到供地条件的其他土地",
    "B22": "未达到供地条件的其他土地",
    "C1": "河湖及蓄滞洪区",
    "C2": "自然、生态保护区",
    "C3": "其他不可建设土地",
}

# TD/T 1029 supply status (供应状况).
SUPPLY_CLASSES: dict[str, str] = {
    "D1": "划拨土地",
    "D21": "有偿使用且未到期土地",
    "D22": "有偿使用且已到期但未处置土地",
    "E1": "尚可划拨土地",
    "E21": "尚可供应工矿仓储用地",
    "E22": "其他尚可有偿使用土地",
    "F": "不可供应土地",
}

HIGHTECH_CLASSES: dict[str, str] = {"H1": "一类高新技术产业用地", "H2": "二类高新技术产业用地"}

# enum fields: canonical value -> accepted Chinese spellings (first one is the label)
LEVELS: dict[str, tuple[str, ...]] = {
    "national": ("国家级",),
    "provincial": ("省级",),
}
CATEGORIES: dict[str, tuple[str, ...]] = {
    "etdz": ("经开区", "经济技术开发区"),
    "htz": ("高新区", "高新技术产业开发区"),
    "customs": ("海关特殊监管区域", "综合保税区", "保税区", "出口加工区"),
    "border": ("边境经济合作区", "边合区"),
    "other": ("其他",),
}
EVAL_TYPES: dict[str, tuple[str, ...]] = {
    "industrial": ("工业主导型", "工业主导型开发区", "工业主导"),
    "integrated": ("产城融合型", "产城融合型开发区", "产城融合"),
}
# how every output names the two evaluation types (the first alias of each)
EVAL_TYPE_LABELS: dict[str, str] = {k: v[0] for k, v in EVAL_TYPES.items()}
SUPPLY_METHODS: dict[str, tuple[str, ...]] = {
    "allocation": ("划拨",),
    "agreement": ("协议", "协议出让"),
    "tender": ("招标", "招标出让"),
    "auction": ("拍卖", "拍卖出让"),
    "listing": ("挂牌", "挂牌出让"),
    "lease": ("租赁",),
    "other": ("其他",),
}
BUILDING_KINDS: dict[str, tuple[str, ...]] = {
    "building": ("建筑物", "建筑"),
    "structure": ("构筑物",),
    "yard": ("露天堆场或操作场地", "露天堆场", "露天操作场地", "操作场地", "堆场"),
}
SCALES: dict[str, tuple[str, ...]] = {
    "above": ("规上", "规模以上"),
    "below": ("规下", "规模以下"),
}
PROGRESS_EVENTS: dict[str, tuple[str, ...]] = {
    "delivered": ("交地",),
    "permit": ("施工许可",),
    "commenced": ("动工", "开工"),
    "delayed": ("延误",),
    "halted": ("停工",),
    "resumed": ("复工",),
    "completed": ("竣工",),
    "accepted": ("竣工验收",),
    "in_production": ("投产",),
    "reviewed": ("达产复核",),
}
CAUSES: dict[str, tuple[str, ...]] = {
    "enterprise": ("企业原因", "企业"),
    "gov_1": ("政府原因一",),
    "gov_2": ("政府原因二",),
    "gov_3": ("政府原因三",),
    "gov_4": ("政府原因四",),
    "gov_5": ("政府原因五",),
    "gov_6": ("政府原因六",),
    "force_majeure": ("不可抗力",),
    "prelim_work": ("前期工作",),
}
FACILITY_KINDS: dict[str, tuple[str, ...]] = {
    "hospital": ("医院",),
    "clinic": ("诊所", "卫生室", "社区卫生服务中心"),
    "school": ("学校", "中小学"),
    "kindergarten": ("幼儿园",),
    "elderly": ("养老", "养老院", "养老机构"),
    "park": ("公园",),
    "market": ("市场", "菜市场"),
    "sports": ("体育", "体育设施"),
    "culture": ("文化", "文化设施"),
    "transit": ("公交", "公交站"),
}
VETO_EVENTS: dict[str, tuple[str, ...]] = {
    "safety_accident": ("安全事故", "安全生产事故"),
    "env_accident": ("环境事故", "环境污染事故"),
    "quality_accident": ("质量事故",),
    "target_missed": ("未完成目标", "目标未完成"),
}


def class_codes(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """A class table as an enum table whose only alias is the Chinese label."""
    return {code: (label,) for code, label in table.items()}


def parent_build_class(code: str) -> str:
    """The TD/T letter class of a construction-status code (A31 → A, B21 → B)."""
    return code[0]


# Sub-codes roll up: A31/A32 → A3, A51/A52 → A5; B11/B12 → B1, B21/B22 → B2.
def build_group(code: str) -> str:
    """The two-character group of a construction-status code (A31 → A3, B21 → B2)."""
    return code[:2]
