"""China's four monitoring regions (东部/中部/西部/东北) by province, as the MNR circulars use them."""

from __future__ import annotations

REGIONS: dict[str, tuple[str, ...]] = {
    "东部": ("北京", "天津", "河北", "上海", "江苏", "浙江", "福建", "山东", "广东", "海南"),
    "中部": ("山西", "安徽", "江西", "河南", "湖北", "湖南"),
    "西部": ("内蒙古", "广西", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆"),
    "东北": ("辽宁", "吉林", "黑龙江"),
}
REGION_ORDER = ("东部", "中部", "西部", "东北")
CATEGORY_LABELS = {"etdz": "经开区", "htz": "高新区", "customs": "海关特殊监管区域", "border": "边境经济合作区",
                   "other": "其他"}


def region_of(province: str | None) -> str | None:
    """The region of a province given as 山东 / 山东省 / 广西壮族自治区 …; None when unknown."""
    if not province:
        return None
    p = str(province).strip()
    for region, names in REGIONS.items():
        if any(p.startswith(n) for n in names):
            return region
    return None


def short_province(province: str | None) -> str:
    """山东省 → 山东, 广西壮族自治区 → 广西 (for compact tables)."""
    if not province:
        return ""
    p = str(province).strip()
    for names in REGIONS.values():
        for n in names:
            if p.startswith(n):
                return n
    return p
