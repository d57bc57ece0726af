"""The Chinese catalogue of the per-mu engine: every word a user of ``jiyue mujun`` reads.

Code, identifiers and docs are English; CLI output, workbook headers, reasons and error
messages are Chinese and live here, nowhere else.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- input variables
VARIABLES: dict[str, tuple[str, str]] = {  # key -> (label, unit)
    "tax_wan": ("评价税收", "万元"),
    "revenue_wan": ("营业(销售)收入", "万元"),
    "value_added_wan": ("工业增加值", "万元"),
    "output_wan": ("工业总产值", "万元"),
    "energy_tce": ("综合能耗", "吨标准煤"),
    "emission_t": ("主要污染物排放量", "吨"),
    "electricity_mwh": ("用电量", "兆瓦时"),
    "electricity_kwh": ("用电量", "千瓦时"),
    "employees": ("年平均职工人数", "人"),
    "rd_wan": ("研发经费", "万元"),
    "fixed_assets_wan": ("累计固定资产投资", "万元"),
    "water_t": ("用水量", "吨"),
    "gas_m3": ("用气量", "立方米"),
    "tech_invest_wan": ("技术改造投资", "万元"),
    "land_m2": ("评价用地面积", "平方米"),
    "land_mu": ("评价用地面积", "亩"),
}

GROUP_FALLBACK = "未分组"
STATUS = {"rated": "参评", "deferred": "暂不评价(T类)", "excluded": "不参与评价", "out_of_scope": "不在评价范围"}
SCALE = {"above": "规上", "below": "规下"}

FLAGS: dict[str, tuple[str, ...]] = {  # flag code -> accepted Chinese spellings
    "new_above": ("小升规",),
    "major_project": ("重大项目", "重大项目在建", "在建重大项目"),
    "startup": ("新设企业", "初创企业", "新办企业"),
    "deferred": ("暂不评价", "不定等级", "T类"),
    "exempt": ("不参与评价", "免评"),
    "high_tech": ("高新技术企业", "高企"),
    "specialised": ("专精特新",),
    "listed": ("上市企业", "上市"),
    "false_zero_energy": ("能耗虚报为零",),
}
FLAG_LABELS = {k: v[0] for k, v in FLAGS.items()}

VETO_LABELS = {
    "safety_accident": "安全生产事故",
    "env_accident": "环境污染责任事故",
    "quality_accident": "质量事故",
    "target_missed": "未完成节能减排或压减产能目标",
    "food_accident": "食品安全事故",
    "standard_failed": "环保、能耗、质量、安全标准不达标",
}

# --------------------------------------------------------------------------- reasons
# One template per reason code; {placeholders} are filled by the service.
REASONS: dict[str, str] = {
    "excluded_industry": "行业代码 {industry} 不在评价行业范围（{allowed}）内，不参与评价",
    "excluded_flag": "标记为「{flag}」，不参与评价",
    "no_land": "无评价用地（自有 {own:.2f} 平方米 + 租入 {leased_in:.2f} − 出租 {leased_out:.2f}），不在评价范围",
    "no_group": "不属于方案的任何评价分组（规模 {scale}，用地 {land_mu:.4f} 亩）",
    "deferred_flag": "标记为「{flag}」，列为暂不评价（T类）",
    "deferred_founded": "成立于 {founded}，未满 {years} 年，列为暂不评价（T类）",
    "scale_missing": "规模未填写，按「{scale}」分组",
    "missing": "{indicator}缺少数据（{fields}），按{policy}计 {score:.4f} 分",
    "zero_denominator": "{indicator}的分母「{field}」为0，无法计算比值，按{policy}计 {score:.4f} 分",
    "negative": "{indicator}为负值 {value:.4f}，按0计分，请人工复核",
    "capped": "{indicator}得分 {raw:.4f} 超过上限 {cap:.4f}（{multiple}倍权重），按上限计",
    "floored": "{indicator}得分 {raw:.4f} 低于下限 {floor:.4f}，按下限计",
    "benchmark_zero": "{indicator}的基准值为0或无法计算，该项按0分计",
    "adjustment": "{label}：{points:+g} 分",
    "veto": "发生否决事项（{events}），不能评为{blocked}，由{before}类调为{after}类",
    "veto_force": "发生否决事项（{events}），直接评为{after}类",
    "veto_noop": "发生否决事项（{events}），按排名本为{before}类，不受影响",
    "protected": "属保护情形（{why}），不评为{blocked}，由{before}类调为{after}类",
    "protected_noop": "属保护情形（{why}），按排名本为{before}类",
    "quota": "组内第 {rank}/{n} 名，按比例（{quota}）评为{cls}类",
    "threshold": "综合得分 {score:.4f}，按分数线评为{cls}类",
    "lease_clipped": "出租给参评企业的土地 {leased_out:.2f} 平方米多于自有及租入土地，评价用地按0计",
    "history_unknown": "缺少 {year} 年度评价结果，连续评为{cls}类的年数只能从 {from_year} 年起算",
}
POLICY_WORDS = {"group_mean": "本组企业该项平均得分", "zero": "0分", "band_floor": "区间下限得分"}
PROTECT_WHY = {"founded": "新设企业", **FLAG_LABELS}

# --------------------------------------------------------------------------- measures
MEASURE_NOTES = {
    "no_stacking": "与已执行的其他加价（{other:g} {unit}）不叠加，按较高标准 {rate:g} {unit} 执行",
    "rate_local": "标准由市县价格主管部门确定",
    "consecutive": "连续第 {n} 年评为{cls}类",
    "managed_as": "暂不评价企业按{cls}类管理",
    "base_missing": "缺少{base}数据，无法计算金额",
}

# --------------------------------------------------------------------------- workbook / table
XLSX_SHEETS = {"results": "评价结果", "benchmarks": "基准值", "measures": "差别化措施",
               "aggregates": "区域汇总", "about": "说明"}
HEAD = {
    "enterprise_id": "企业编号", "name": "企业名称", "zone_code": "开发区代码", "park": "园区",
    "street": "街道", "industry_code": "行业代码", "group": "评价分组", "status": "评价状态",
    "land_mu": "评价用地面积(亩)", "own_m2": "自有土地(平方米)", "leased_in_m2": "租入土地(平方米)",
    "leased_out_m2": "出租给参评企业(平方米)", "base_score": "指标得分合计", "bonus": "加分",
    "deduction": "减分", "score": "综合得分", "rank": "组内排名", "class": "评价类别",
    "class_label": "类别名称", "vetoed": "否决", "protected": "保护", "reasons": "说明",
    "measure": "措施", "kind": "类型", "rate": "标准", "rate_unit": "单位", "base_quantity": "计费基数",
    "amount_wan": "金额(万元)", "note": "备注", "indicator": "指标", "unit": "单位",
    "method": "基准值方法", "value": "基准值", "min": "最小值", "max": "最大值", "n": "样本数",
    "level": "层级", "key": "名称", "n_rated": "参评企业数", "year": "年度",
}
LEVELS = {"zone": "开发区", "park": "园区", "street": "街道"}
YES_NO = {True: "是", False: "否"}
BENCHMARK_METHODS = {"fixed": "固定值", "mean": "参评企业算术平均", "pooled": "参评企业合计比值(Σ分子/Σ分母)",
                     "max": "参评企业最大值", "prev_mean": "上年度算术平均 × k", "prev_pooled": "上年度合计比值 × k",
                     "minmax": "参评企业最小值—最大值"}
ABOUT = {"scheme": "评价方案", "policy": "差别化政策", "year": "评价年度", "input": "输入数据指纹(SHA-256)",
         "version": "程序版本", "source": "数据来源", "land_rule": "用地面积口径", "classes": "分类规则",
         "units": "单位"}
UNITS_NOTE = "面积：亩（1亩=10000/15平方米）；金额：万元；电价加价：元/千瓦时"
LAND_RULE = ("评价用地 = 自有宗地面积（宗地使用权人）+ 租入土地（企业年度数据“租用土地面积”及租赁表）"
             " − 出租给参评企业的土地；同一块土地只计一次（计入承租的参评企业）")

# --------------------------------------------------------------------------- errors / CLI
ERR = {
    "scheme_missing": "找不到评价方案文件：{path}",
    "scheme_unknown": "没有名为「{name}」的内置评价方案；可用：{names}，或给出 .toml 文件路径",
    "policy_unknown": "没有名为「{name}」的内置差别化政策表；可用：{names}，或给出 .toml 文件路径",
    "toml": "{what} {source} 不是有效的 TOML：{err}",
    "field": "{what} {source}：{where} 的「{field}」{problem}",
    "weights": "评价方案 {source}：分组「{group}」的权重之和为 {total:g}（{detail}），应为 {expected:g}",
    "no_year": "数据中没有 {year} 年度的企业年度数据（enterprise_years）；有：{years}",
    "no_enterprise_years": "数据中没有企业年度数据（enterprise_years 图层），无法进行亩均效益评价",
    "prev_needed": "评价方案 {scheme} 的基准值需要 {year} 年度（上一年度）数据，但数据中没有",
    "xlsx_out": "xlsx 格式需要用 --out 指定输出文件",
    "leases_read": "无法读取租赁表 {path}：{err}",
    "leases_field": "租赁表 {path} 缺少字段「{field}」（应有：{expected}）",
    "leases_value": "租赁表 {path} 第 {row} 行的「{field}」{problem}",
    "version_missing": "数据库中没有编号为 {version} 的亩均评价发布版本；已有：{have}",
    "objection_missing": "数据库中没有编号为 {objection} 的异议；已有：{have}",
    "objection_enterprise": "发布版本 {version} 中没有企业「{enterprise}」",
    "objection_decided": "异议 {objection} 已于 {at} 作出决定（{decision}），不能重复决定",
    "evidence_missing": "证据文件不存在：{path}",
    "correction_bad": "更正「{text}」格式不对，应为 企业编号.字段=数值，如 E-0001.tax_wan=120",
    "correction_field": "不能更正字段「{field}」；可更正：{fields}",
    "correction_value": "更正「{text}」的数值「{value}」无法识别",
    "correction_enterprise": "发布版本 {version} 的输入中没有企业「{enterprise}」",
    "no_change": "更正后的输入与版本 {version} 相同，未生成新版本",
    "correction_none": "没有给出更正：请用 --set 企业编号.字段=数值（如 E-0001.tax_wan=120）、--corrections 文件，"
                       "或用 --objection 异议编号 按已受理异议请求的更正办理",
    "version_needed": "请用 --version 指定要更正的发布版本（或用 --objection 给出异议编号，按异议所针对的版本更正）",
    "objections_versions": "异议 {objections} 针对不同的发布版本（{versions}），请分别更正，或用 --version 指定版本",
    "objection_undecided": "异议 {objection} 尚未受理，不能按它请求的内容更正；请先用 jiyue mujun-objection decide "
                           "--objection {objection} --accept 受理，或用 --set 直接给出更正",
    "objection_rejected": "异议 {objection} 已于 {at} 被驳回，不能按它请求的内容更正",
    "objection_resolved": "异议 {objection} 已由更正版本 {version} 办理，不再重复更正",
    "objection_no_request": "异议 {objection} 没有请求更正的内容（登记时未给出 --request），请用 --set 给出更正",
    "request_enterprise": "请求更正「{text}」写的是企业「{found}」，但本异议针对企业「{enterprise}」；"
                          "请写成 {field}={value} 或 {enterprise}.{field}={value}",
    "request_bad": "请求更正「{text}」格式不对，应为 字段=数值（如 tax_wan=120）或 企业编号.字段=数值（如 {enterprise}.tax_wan=120）",
    "db_required": "发布与异议需要用 --db 指定数据库文件（结果写入其中）",
}
DONE = {
    "written": "已写入：{out}",
    "xlsx": "亩均效益评价结果表已写入：{out}",
    "published": "已发布亩均评价版本 {version}（{year} 年度，方案 {scheme} {scheme_version}，{n} 家企业，输入指纹 {sha}）",
    "objection": "已登记异议 {objection}（版本 {version}，企业 {enterprise}）",
    "decided": "异议 {objection} 已{decision}",
    "corrected": "已生成更正版本 {version}（取代版本 {old}），{changed} 家企业结果有变化",
}
DECISIONS = {"accepted": "受理并采纳", "rejected": "驳回"}

#: the correctable input fields and the other frame columns, by name (VARIABLES has the figures)
FIELDS = {
    "own_m2": "自有土地(平方米)", "leased_in_m2": "租入土地(平方米)", "leased_out_m2": "出租给参评企业(平方米)",
    "land_m2": "评价用地面积(平方米)", "land_mu": "评价用地面积(亩)", "lease_clipped": "出租多于自有及租入",
    "scale": "规模", "scale_given": "规模已填写", "veto": "否决事项", "flags": "企业标记", "founded": "成立日期",
    "industry_code": "行业代码", "zone_code": "开发区代码", "park": "园区", "street": "街道", "name": "企业名称",
    "year": "年度", "past_class": "往年评价类别", "other_surcharge_yuan_kwh": "其他电价加价(元/千瓦时)",
    "land_use_tax_wan": "城镇土地使用税(万元)",
}
RESULT_LABELS = {"status": "评价状态", "group": "评价分组", "land_mu": "评价用地面积(亩)", "score": "综合得分",
                 "rank": "组内排名", "class": "评价类别", "vetoed": "否决", "protected": "保护", "measures": "差别化措施"}
DIFF = {
    "head": "亩均评价版本 {old} → 版本 {new} 的变化",
    "inputs": "输入数据更正（{n} 项）：",
    "input": "  {eid} {name}{field}：{before} → {after}",
    "benchmarks": "基准值变化（{n} 项）：",
    "benchmark": "  【{group}】{indicator}：{before} → {after}",
    "enterprises": "企业评价结果变化（{n} 家）：",
    "enterprise": "  {eid} {name}：{changes}",
    "change": "{what} {before} → {after}",
    "added": "新增企业（{n} 家）：{ids}",
    "removed": "减少企业（{n} 家）：{ids}",
    "counts": "评价类别变化 {classes} 家，综合得分变化 {scores} 家",
    "more": "  …… 另有 {n} 家企业只是综合得分或排名随之变动（用 --format json 查看全部）",
    "none": "  （无）",
    "empty": "空",
}
TABLE = {
    "title": "亩均效益评价 {year} 年度  方案：{scheme} {version}  政策：{policy}",
    "group": "【{label}】参评 {n} 家  类别分布：{counts}",
    "bench": "  基准值：{items}",
    "row": "  {rank:>4} {eid:<14} {name:<16} {land:>9} 亩  得分 {score:>9}  {cls}{flags}",
    "other": "【{label}】{n} 家：{ids}",
    "agg": "【汇总】{level} {key}（{group}）参评 {n} 家，用地 {land:.2f} 亩  {inds}  类别 {counts}",
    "measures": "  措施：{items}",
}
