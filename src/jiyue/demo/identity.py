"""Who and when the demo is: the zone, its time point, its CRS, the seed figures of the article and the land-use codes."""

from __future__ import annotations

import datetime as dt

# --------------------------------------------------------------------------- identity
DEMO_YEAR = 2020  # package time point 2020-12-31 ("2020年度")
DEMO_ZONE_CODE = "371500-ETDZ"
AS_OF = dt.date(DEMO_YEAR, 12, 31)
ZONE_NAME = "聊城经济技术开发区（演示数据）"
ADMIN_CODE = "371500"  # 聊城市 administrative division code, used in credit codes and contract numbers
CRS = "EPSG:4527"  # CGCS2000 3-degree Gauss-Krüger zone 39 (central meridian 117°E), with zone prefix
# South-west corner of the zone in EPSG:4527; Liaocheng ETDZ lies near 116.0°E 36.45°N, i.e. about
# 90 km west of the central meridian (false easting 39 500 000) and 4 036 km north of the equator.
ORIGIN_E = 39_407_300.0
ORIGIN_N = 4_034_170.0

LAYER_NAMES = (
    "zones",
    "parcels",
    "buildings",
    "enterprises",
    "enterprise_years",
    "zone_years",
    "contracts",
    "progress",
    "facilities",
    "roads",
)

# --------------------------------------------------------------------------- seed figures
TARGET_SUPPLY_RATE = 0.9974  # 土地供应率 99.74 % (article, 2020)
TARGET_BUILT_RATE = 0.9819  # 土地建成率 98.19 %
TARGET_FAR = 1.20  # 综合容积率 1.2
GUAIBAO_OLD_PLANT_M2 = 86_700.0  # 老厂区占地面积 8.67 公顷
GUAIBAO_PHASE2_M2 = 195_000.0  # 拿出 19.5 公顷土地 … 用于二期项目建设
GUAIBAO_PHASE2_INVESTMENT_WAN = 120_000.0  # 总投资 12 亿元
RECOVERED_BLOCK_M2 = 54_300.0  # 荣盛锦绣观邸项目面积 5.43 公顷 (five low-efficiency holders)
EVALUATION_YEARS = (2018, 2019, 2020)  # "连续3年"

CONTRACT_CUTOFF = dt.date(2016, 1, 1)  # "2016年以来出让的37宗工业企业"

# GB/T 21010-2017 land-use codes used below (kept here so the mapping is visible in one place)
LU_INDUSTRIAL = "0601"  # 工业用地
LU_WAREHOUSE = "0604"  # 仓储用地
LU_URBAN_RESIDENTIAL = "0701"  # 城镇住宅用地
LU_HOMESTEAD = "0702"  # 农村宅基地
LU_GOVERNMENT = "0801"  # 机关团体用地
LU_EDUCATION = "0803"  # 教育用地
LU_MEDICAL = "0805"  # 医疗卫生用地
LU_WELFARE = "0806"  # 社会福利用地
LU_CULTURE = "0807"  # 文化设施用地
LU_SPORTS = "0808"  # 体育用地
LU_UTILITY = "0809"  # 公用设施用地
LU_PARK = "0810"  # 公园与绿地
LU_SPECIAL = "09"  # 特殊用地
LU_STREET = "1004"  # 城镇村道路用地
LU_TRANSPORT_SERVICE = "1005"  # 交通服务场站用地
LU_RURAL_ROAD = "1006"  # 农村道路
LU_RIVER = "1101"  # 河流水面
LU_VACANT = "1201"  # 空闲地
LU_DRY_FARMLAND = "0103"  # 旱地
LU_IRRIGATED = "0102"  # 水浇地

Rect = tuple[float, float, float, float]  # local metres: x0, y0, x1, y1 (origin = SW corner)
