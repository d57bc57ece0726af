"""The Chinese text of the HTML/PDF reports: titles, headings, fixed sentences, legend labels.

Everything an official reads in a circular or a zone report that is not a figure comes from
here (the templates only arrange it), so wording can be reviewed in one place. Sentences with
figures are ``str.format`` templates; their placeholders are named after what they hold.
"""

from __future__ import annotations

from collections.abc import Mapping

from jiyue.codes import EVAL_TYPE_LABELS
from jiyue.ranking.regions import CATEGORY_LABELS, REGION_ORDER

__all__ = ["AREA_LABELS", "BUILD_GROUPS", "CATEGORY_LABELS", "CHART", "CIRCULAR", "CIRCULAR_LISTS", "EVAL_TYPE_LABELS",
           "FLAGS", "FLAG_NOTES", "LEVEL_LABELS", "MAP", "NUMERALS", "POTENTIAL_LABELS", "REGION_ORDER", "ZONE",
           "ZONE_BASIC_ROWS", "ZONE_LISTS", "ZONE_MISSING_RULES", "label"]

LEVEL_LABELS = {"national": "国家级", "provincial": "省级"}

#: 一、二、三 … for section numbers
NUMERALS = "一二三四五六七八九十"

AREA_LABELS = {
    "total": "评价范围总面积", "A": "已建成城镇建设用地 A", "A1": "住宅用地 A1", "A2": "工矿仓储用地 A2",
    "A3": "交通运输用地 A3", "A4": "商服用地 A4", "A5": "公共管理与公共服务用地 A5", "A6": "其他城镇建设用地 A6",
    "B": "未建成城镇建设用地 B", "B1": "已建成农村建设用地 B1", "B21": "已达到供地条件的其他土地 B21",
    "B22": "未达到供地条件的其他土地 B22", "C": "不可建设土地 C", "D": "已供应国有建设用地 D",
    "D22": "有偿使用且已到期但未处置土地 D22", "E": "尚可供应土地 E", "E21": "尚可供应工矿仓储用地 E21",
    "F": "不可供应土地 F", "G": "闲置土地 G",
}

POTENTIAL_LABELS = {
    "expansion": "扩展潜力（尚可供应土地 E）",
    "expansion_industrial": "其中：尚可供应工矿仓储用地 E21",
    "structure": "结构潜力",
    "management": "管理潜力（到期未处置 D22 + 闲置 G）",
    "intensity": "强度潜力（{name}）",
    "years_by_3yr_avg": "尚可供地年数 I（按前三年年均供地）",
    "years_by_5yr_max": "尚可供地年数 II（按前五年年供地最大值）",
    "industrial_years_by_3yr_avg": "工矿仓储尚可供地年数 I",
    "industrial_years_by_5yr_max": "工矿仓储尚可供地年数 II",
}

# Map legend groups of the construction status (建设状况), in drawing order.
BUILD_GROUPS: dict[str, str] = {
    "A1": "住宅用地", "A2": "工矿仓储用地", "A3": "交通运输用地", "A4": "商服用地",
    "A51": "公园与绿地", "A5": "公共管理与公共服务用地", "A6": "其他城镇建设用地",
    "B1": "已建成农村建设用地", "B21": "已达到供地条件的其他土地", "B22": "未达到供地条件的其他土地",
    "C1": "河湖及蓄滞洪区", "C": "自然保护区及其他不可建设土地",
}

# Parcels that hold a zone back (zone report, problem map and table).
FLAGS: dict[str, str] = {
    "idle": "闲置土地",
    "supplied_unbuilt": "已供未建（供而未用）",
    "ready_unsupplied": "已达供地条件未供应",
    "low_far_industrial": "低容积率工业用地",
    "expired": "有偿使用已到期未处置",
}
FLAG_NOTES: dict[str, str] = {
    "idle": "是否闲置 = 是（已认定闲置）",
    "supplied_unbuilt": "供应状况 D1/D21/D22，建设状况 B21/B22",
    "ready_unsupplied": "建设状况 B21，供应状况 E1/E21/E22",
    "low_far_industrial": "建设状况 A2，宗地容积率低于 {threshold:g}",
    "expired": "供应状况 D22",
}

MAP = {
    "scale_unit_m": "米",
    "scale_unit_km": "千米",
    "north": "北",
    "background": "其他地块",
    "boundary": "开发区范围",
    "crs": "坐标系：{crs}",
}

CHART = {
    "distribution_x": "分值区间",
    "distribution_y": "开发区数（个）",
    "region_y": "平均分值",
    "realisation_x": "实现度（%）",
    "versus_x": "相对平均水平（%）",
    "versus_note": "（越低越好）",
}

CIRCULAR: dict[str, str] = {
    "title": "关于{year}年度开发区土地集约利用监测统计情况的通报",
    "issuer": "开发区土地集约利用监测统计",
    "basis": "评价方案 {profile}（{version}），jiyue {jiyue_version} 于{date}生成",
    "opening": ("为掌握开发区土地利用状况，推动开发区节约集约用地，依据《开发区土地集约利用评价规程》"
                "（TD/T 1029）及评价方案，对参评的{count}个开发区{year}年度土地集约利用状况开展了监测统计，"
                "按工业主导型、产城融合型分别计算土地利用集约度分值并排序。现将有关情况通报如下："),
    "s_basic": "基本情况",
    "s_status": "土地利用状况",
    "s_score": "土地利用集约度分值",
    "s_ranking": "排序情况",
    "s_problems": "存在的主要问题",
    "s_requirements": "有关要求",
    "s_appendix": "附件：参评开发区土地集约利用排序表",
    "basic_count": ("参评开发区共{count}个，其中工业主导型{industrial}个、产城融合型{integrated}个。"
                    "按区域分，{regions}；按类别分，{categories}。"),
    "basic_area": ("参评开发区评价范围总面积{total}公顷，平均每个开发区{mean}公顷；已建成城镇建设用地{A}公顷，"
                   "已供应国有建设用地{D}公顷，尚可供应土地{E}公顷，闲置土地{G}公顷。"),
    "basic_money": ("工业（物流）企业累计固定资产投资总额{fai}亿元，工业（物流）企业税收总额{itax}亿元，"
                    "二三产业税收总额{tax}亿元。"),
    "table_groups": "表{n}　参评开发区数量与面积（公顷）",
    "status_lead": "参评开发区土地利用主要指标（按各开发区分子、分母合计计算）如下：",
    "status_sentence": "{items}。",
    "table_averages": "表{n}　参评开发区土地利用主要指标平均水平",
    "table_regions": "表{n}　分区域主要指标平均水平",
    "table_categories": "表{n}　分类别主要指标平均水平",
    "score_sentence": "{type}开发区土地利用集约度平均分值为{mean}分（{count}个）",
    "score_gradient": "分区域看，{type}开发区平均分值{order}",
    "score_yoy": "，较{base_year}年度{direction}{change}分",
    "figure_distribution": "图{n}　土地利用集约度分值分布",
    "figure_regions": "图{n}　分区域土地利用集约度平均分值",
    "ranking_lead": "按评价类型分别排序（分值相同的并列，排在其后的名次顺延）。",
    "ranking_makeup": "{type}开发区排名前{top}位的开发区中，{regions}；排名后{bottom}位的开发区中，{regions_bottom}。",
    "ranking_provinces": "排名前{top}位的{type}开发区分布在{provinces}。",
    "ranking_unranked": "另有{count}个{type}开发区因指标无法计算未参加排序。",
    "table_top": "表{n}　{type}开发区土地集约利用排名前{k}位",
    "table_bottom": "表{n}　{type}开发区土地集约利用排名后{k}位",
    "problems_none": "未发现符合下列判定条件的突出问题。",
    "problem_more": "等{count}个开发区",
    "note": ("说明：本通报由 jiyue 依据各开发区数据包计算生成；平均水平为各开发区分子、分母分别合计后相除；"
             "排序仅在同一评价类型内进行；分值与排名以评价方案 {profile}（{version}）为准。"),
    "problem_rest": "（另有{count}个开发区，见附件排序表。）",
    "ranking_type": "{type}开发区（{count}个）",
    "appendix_type": "{type}开发区（{count}个）",
    "measure_built_share": "已建成土地占可开发建设土地比例",
    "measure_score_change": "分值较上年度变化",
    "measure_incomplete": "缺失指标",
    "group_type": "按评价类型",
    "group_region": "按区域",
    "group_category": "按类别",
    "all": "合计",
    "avg_head_all": "全部",
    "unit_head": "单位",
    "yoy_head": "同比变化",
    "count_head": "开发区数",
    "score_head": "平均分值",
    "unit_points": "个百分点",
    "up": "提高",
    "down": "下降",
    "flat": "持平",
    "rise": "增加",
    "fall": "减少",
    "none": "无",
    "sep": "、",
    "gt": "＞",
}

#: the circular's paragraph lists and table heads
CIRCULAR_LISTS: dict[str, list[str]] = {
    "requirements": [
        "各开发区要对照本通报反映的问题，查找土地利用中的薄弱环节，制定整改措施，加快批而未供、供而未用土地的处置，"
        "依法依规处置闲置土地和到期未处置土地。",
        "各开发区要严格执行工业项目建设用地控制指标，推行“标准地”供应，提高土地利用强度和投入产出效益，"
        "盘活存量低效用地。",
        "各地要进一步加强开发区土地利用监测统计数据质量管理，确保数据真实、准确、完整。",
    ],
    "appendix_head": ["全国排名", "省内排名", "开发区名称", "省份", "区域", "类别", "分值"],
    "list_head": ["排名", "开发区名称", "省份", "区域", "类别", "分值"],
    "problem_head": ["开发区名称", "省份", "评价类型"],
    "group_head": ["分组", "开发区数", "评价范围面积", "已建成城镇建设用地", "已供应国有建设用地", "尚可供应土地"],
}

ZONE: dict[str, str] = {
    "title": "{name}{year}年度土地集约利用评价报告",
    "subtitle": "开发区代码 {code}，{eval_type}；评价方案 {profile}（{version}），jiyue {jiyue_version} 于{date}生成",
    "card_title": "土地利用集约度",
    "card_unit": "分",
    "card_national": "全国第{rank}位/{of}",
    "card_province": "省内第{rank}位/{of}",
    "card_region": "{region}地区第{rank}位/{of}",
    "card_unranked": "未排名（无分值）",
    "card_scope": "在参评的{of}个{eval_type}开发区中排序；参评范围：{scope}",
    "card_scope_count": "{n}个开发区",
    "card_scope_sources": "{n}个开发区，来自{sources}",
    "s_basic": "基本情况",
    "s_indicators": "评价指标与平均水平比较",
    "s_score": "集约度分值构成",
    "s_potential": "潜力测算",
    "s_maps": "地块分析",
    "s_whatif": "提升情景测算",
    "s_notes": "说明",
    "areas_title": "表{n}　土地利用与供应状况（公顷）",
    "ind_title": "表{n}　评价指标现状值、平均水平与理想值",
    "ind_monitor": "监测",
    "ind_missing": "无法计算：{reason}",
    "ind_lead": "{name}{year}年度土地利用集约度分值为{score}分。",
    "ind_better": "{items}优于参评{eval_type}开发区平均水平",
    "ind_level": "{items}与平均水平持平",
    "ind_worse": "{items}差于平均水平",
    "ind_note": ("注：“参评平均”“省内平均”为同评价类型开发区的分子、分母合计之比；“较平均”为现状值相对参评平均的差异；"
                 "权重为指标在总分中的综合权重，“监测”表示只监测、不计分。"),
    "score_note": "注：得分 = 综合权重 × 实现度；尚可提升 = 综合权重 × (100 − 实现度)，即该项达到理想值时可增加的分值。",
    "figure_versus": "图{n}　主要指标与参评平均水平比较",
    "figure_realisation": "图{n}　计分指标实现度",
    "score_title": "表{n}　土地利用集约度分值构成",
    "score_total": "土地利用集约度分值",
    "score_missing_note": "注：有指标无法计算，按评价方案的缺失指标规则（{rule}）计分，各项得分之和可能与总分不等。",
    "score_lead": "失分最多的指标依次为{items}。",
    "pot_title": "表{n}　潜力测算",
    "pot_not": "不测算：{reason}",
    "map_classes": "图{n}　地块建设状况",
    "map_flags": "图{n}　影响集约利用水平的地块",
    "flags_title": "表{n}　影响集约利用水平的地块统计",
    "flags_note": "注：一宗地可同时属于多种类型，图中按表列顺序取第一种着色。",
    "flags_list_title": "表{n}　重点问题地块（按类型、面积排列，前{k}宗）",
    "whatif_title": "表{n}　提升情景测算",
    "whatif_before": "现状",
    "whatif_lead": ("下表按地块逐宗模拟整改后的效果，重新计算指标、分值并在参评开发区中重新排序"
                    "（其他开发区保持现状）。"),
    "whatif_none": "未测算提升情景：{reason}",
    "whatif_no_pkg": "提升情景测算需要开发区的数据包（PKG）",
    "whatif_given": "（给定情景）",
    "rank_move": "{before}→{after}",
    "provenance": "数据来源：{source}。",
    "source_package": "数据包 {name}（SHA-256 {sha}…）",
    "source_db": "数据库 {name}（导入批次 {imports}）",
    "no_geometry": "（无地块图形，未绘制地图。）",
}

#: the zone report's line lists and table heads
ZONE_LISTS: dict[str, list[str]] = {
    "title_lines": ["{name}", "{year}年度土地集约利用评价报告"],
    "basic_head": ["项目", "内容"],
    "areas_head": ["地类", "面积（公顷）", "占评价范围比例"],
    "ind_head": ["指标", "单位", "现状值", "参评平均", "省内平均", "理想值", "实现度", "权重", "较平均"],
    "score_head": ["目标 / 子目标 / 指标", "本级权重", "综合权重", "分值 / 实现度", "得分", "尚可提升"],
    "pot_head": ["潜力", "数值", "单位"],
    "flags_head": ["类型", "判定条件", "宗数", "面积（公顷）"],
    "flags_list_head": ["宗地编号", "类型", "建设状况", "供应状况", "面积（公顷）", "容积率"],
    "whatif_head": ["情景", "地块（宗）", "面积（公顷）", "测算分值", "分值变化", "全国排名", "省内排名", "主要指标变化"],
    "notes": [
        "平均水平为参评开发区各指标分子、分母分别合计后相除（同评价类型）；省内平均按同省同类型开发区计算。",
        "实现度 = 现状值 ÷ 理想值 × 100（正向指标，上限100）；土地闲置率为负向指标。",
        "地图由数据包中的宗地图形绘制，未使用在线底图。",
    ],
}

#: the rows of the zone report's 基本情况 table
ZONE_BASIC_ROWS: dict[str, str] = {
    "code": "开发区代码", "name": "开发区名称", "province": "省份", "city": "地市", "level": "级别", "category": "类别",
    "eval_type": "评价类型", "year": "评价年度", "approved": "审批面积（公顷）", "counts": "宗地数 / 建筑数",
}

#: the profile's missing-indicator rules, as the zone report's score note names them
ZONE_MISSING_RULES: dict[str, str] = {
    "renormalise": "剔除无法计算的指标，同级其余指标权重按比例放大",
    "zero": "无法计算的指标记0分",
}


def label(labels: Mapping[str, str], code: str | None) -> str:
    """The Chinese label of a code; an unknown code as itself, a missing one as "—"."""
    return labels.get(code, code) if code else "—"
