"""Chinese texts of the liveability engine (the one place for what a planner reads)."""

from __future__ import annotations

PROBLEM = {
    "no_roads": "没有道路（roads 图层为空或缺失），无法按路网计算步行距离；请在数据包中提供道路中心线。",
    "no_facilities": "没有公共服务设施（facilities 图层为空或缺失）。",
    "no_residential": "开发区「{zone}」没有住宅用地（A1），无法计算生活圈覆盖。",
    "unknown_kind": "设施「{id}」的类型「{found}」未知；应为：{expected}。",
    "unknown_level": "设施「{id}」的等级（level）「{found}」未知；应为：{expected}。",
    "level_missing": "学校「{id}」（{name}）没有填写等级（level），按九年一贯制计入小学和初中；请填写 primary（小学）或 middle（初中）。",
    "facility_far": "设施「{id}」（{name}）距最近的道路 {found} 米，超过允许的 {limit:g} 米：它无法按路网到达。请核对设施位置或补充道路。",
    "origin_far": "住宅用地「{id}」距最近的道路 {found} 米，超过允许的 {limit:g} 米：按无道路可达处理（各项均计为未覆盖）。",
    "disconnected": ("道路网不连通：共 {n} 个互不相连的部分，其中 {used} 个部分上有住宅或设施。"
                     "最大部分 {main_km} 公里；其余：{others}。不在同一部分上的住宅与设施之间没有步行路径。"
                     "请补齐断开处的道路（或检查相交道路是否在交叉口断开），或用 --allow-disconnected 按现状计算。"),
    "disconnected_warn": "道路网有 {n} 个互不相连的部分（{others}）；不相连部分之间没有步行路径。",
    "no_population": "没有 {year} 年度的常住人口（zone_years.population），且建筑无人口字段：按人口的覆盖率无法计算，只给出按面积的覆盖率。",
    "bad_site_service": "没有配套设施「{found}」；应为：{expected}。",
    "no_candidates": "没有可用于新设施选址的候选地块（建设状况为 {classes} 且临近道路）。",
}

ERR = {
    "has_errors": "生活圈分析的输入有 {n} 个错误，无法计算：\n{lines}",
    "xlsx_out": "输出 xlsx 时必须用 --out 指定文件。",
}

DONE = {"written": "已写入：{out}", "xlsx": "已写入 Excel 工作簿：{out}"}

HEAD = {
    "title": "产城融合·社区生活圈分析",
    "service": "配套设施", "circle": "生活圈", "radius": "服务半径(米)", "count": "设施数",
    "pop_net": "人口覆盖率(路网)", "area_net": "面积覆盖率(路网)", "pop_euc": "人口覆盖率(直线)",
    "area_euc": "面积覆盖率(直线)", "uncovered_pop": "未覆盖人口", "uncovered_parcels": "未覆盖地块数",
    "complete_pop": "人口完整率(路网)", "complete_area": "面积完整率(路网)",
    "complete_pop_euc": "人口完整率(直线)", "complete_area_euc": "面积完整率(直线)",
    "parcel_id": "宗地编号", "distance": "路网距离(米)", "euclid": "直线距离(米)", "population": "人口",
    "area": "面积(平方米)", "reason": "原因", "nearest": "最近设施",
    "indicator": "指标", "value": "数值", "unit": "单位", "reference": "参考", "judgement": "判断",
}

INDICATOR = {
    "residential_land_share": ("住宅用地占比", "%"),
    "public_service_land_share": ("公共管理与公共服务用地占比", "%"),
    "green_per_person": ("人均公园绿地面积", "平方米/人"),
    "jobs_per_resident": ("职住比（就业岗位/常住人口）", "—"),
    "population": ("常住人口", "人"),
    "employees": ("企业年平均职工人数", "人"),
}

EVAL_TYPE_RULE = {
    "integrated": ("产城融合型：TD/T 1029 评价的用地效益子目标含人口密度（理想值 {pd} 人/公顷）与综合地均税收；"
                   "生活圈覆盖与职住比不计入评分，用于说明产城融合水平。"),
    "industrial": ("工业主导型：TD/T 1029 评价侧重工业用地的投入产出；生活圈覆盖与职住比不计入评分，仅供参考。"),
}

REASON = {"too_far": "超出服务半径", "no_access": "无道路可达", "unreachable": "路网不连通，无法到达",
          "no_facility": "区内无此类设施"}

GAP_LAYER = "生活圈缺口"
