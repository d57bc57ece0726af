"""Every Chinese text of the standard-land engine: names, headers, messages, explanations.

One catalogue so that wording stays consistent across the CLI, the workbook and the JSON
``basis`` strings. Templates use ``str.format`` placeholders.
"""

from __future__ import annotations

INDICATOR = {
    "fai_per_mu": "固定资产投资强度",
    "far": "容积率",
    "tax_per_mu": "亩均税收",
    "va_per_energy": "单位能耗增加值",
    "va_per_emission": "单位排放增加值",
    "building_coefficient": "建筑系数",
    "admin_share": "行政办公及生活服务设施用地所占比重",
    "green_ratio": "绿地率",
    "start": "按期动工",
    "completion": "按期竣工",
}

#: shorter names for narrow text tables
SHORT = {**INDICATOR, "admin_share": "行政办公用地比重", "va_per_emission": "单位排放增加值"}

EVENT = {
    "delivered": "交地",
    "permit": "施工许可",
    "commenced": "动工",
    "delayed": "延误",
    "halted": "停工",
    "resumed": "复工",
    "completed": "竣工",
    "accepted": "竣工验收",
    "in_production": "投产",
    "reviewed": "达产复核",
}

STAGE = {
    "signed": "已签约",
    "delivered": "已交地",
    "permitted": "已取得施工许可",
    "under_construction": "在建",
    "halted": "停工中",
    "completed": "已竣工",
    "accepted": "已竣工验收",
    "in_production": "已投产",
    "reviewed": "已达产复核",
}

#: other Chinese names accepted for events on the command line
EVENT_SYNONYMS = {"开工": "commenced", "验收": "accepted", "达产": "reviewed"}

CHECK_STAGE = {"acceptance": "竣工验收", "production_review": "达产复核", "time": "工期"}

MILESTONE = {
    "start": "动工",
    "completion": "竣工",
    "acceptance": "竣工验收",
    "production_review": "达产复核",
}

VERDICT = {"pass": "达标", "fail": "未达标", "pending": "待核查"}

CAUSE = {
    "enterprise": "企业原因",
    "gov_1": "政府原因一（未按约定交地）",
    "gov_2": "政府原因二（规划调整）",
    "gov_3": "政府原因三（国家政策调整）",
    "gov_4": "政府原因四（信访）",
    "gov_5": "政府原因五（军事管制、文物保护等）",
    "gov_6": "政府原因六（其他政府行为）",
    "force_majeure": "不可抗力",
    "prelim_work": "动工开发必需的前期工作",
}

SOURCE = {"package": "数据包", "ledger": "台账登记", "contract": "合同（交地日期）"}

CONSEQUENCE = {
    "credit_record": "记入企业信用记录",
    "idle_land_referral": "移交闲置土地处置程序",
    "land_recovery": "可无偿收回土地使用权",
}

TIER = {"national": "国家级开发区", "provincial": "省级开发区", "*": "各级开发区"}
#: confidence tags of the rules file (see docs/standard-land.md)
TAG = {"CONFIRMED": "有出处", "UNCONFIRMED": "待核实", "LOCAL": "本地示例取值，请按当地标准替换"}

PENALTY_KIND = {
    "proportional": "差额比例 × 出让价款",
    "tax_difference": "按差额补缴税收（(承诺值 − 实际值) × 亩数 × 年数）",
    "graduated": "按达标率分档 × 出让价款",
    "fixed_per_mu": "每亩定额 × 亩数",
    "permille": "‰ × 出让价款",
    "none": "不计违约金（仅记录）",
    "per_day_permille": "逾期天数 × 日‰ × 出让价款",
}

# --------------------------------------------------------------------------- basis texts
BASIS = {
    # time checks
    "no_agreed_date": "合同未约定{what}日期，无法核查",
    "not_due": "约定{what}日期 {agreed}，截至 {as_of} 尚未到期",
    "on_time": "约定{what}日期 {agreed}，实际{what} {actual}，按期",
    "late_done": "约定{what}日期 {agreed}，实际{what} {actual}，逾期 {days} 天；违约金 = {days} 天 × "
                 "{permille}‰ × 出让价款 {price} 万元 = {penalty} 万元",
    "late_open": "约定{what}日期 {agreed}，截至 {as_of} 尚未{what}，已逾期 {days} 天；截至核查日违约金 = "
                 "{days} 天 × {permille}‰ × 出让价款 {price} 万元 = {penalty} 万元（仍在累计）",
    "late_excused": "约定{what}日期 {agreed}，{state}，逾期 {days} 天；但已登记经核实的延误（{causes}），"
                    "不计违约金",
    "late_no_price": "；合同缺少出让价款，违约金无法计算",
    # per-mu physical / output checks
    "pending_stage": "尚未{stage}（截至 {as_of}），待{stage}时核查",
    "no_parcel": "合同宗地「{parcel}」不在宗地图层中，无法核算",
    "no_area": "宗地「{parcel}」面积为0或缺失，无法核算",
    "no_land_price": "合同缺少出让价款，无法按含地价口径核算投资强度",
    "no_investment": "进度记录中没有截至竣工验收（{date}）的已完成投资（invested_wan），无法核算",
    "no_buildings": "宗地「{parcel}」上没有建筑记录，无法核算",
    "no_buildings_layer": "数据中没有建筑图层，无法核算",
    "no_enterprise": "合同和宗地都没有记录企业，无法取得企业年度数据",
    "no_year": "缺少企业「{enterprise}」{year}年度的数据（达产复核日期 {date}）",
    "no_value": "企业「{enterprise}」{year}年度的「{field}」为空，无法核算",
    "zero_denominator": "企业「{enterprise}」{year}年度的「{field}」为0，比值无法计算，请人工核查",
    "no_measure": "竣工验收时未登记{what}实测数据（可用 jiyue standard-land events 在竣工验收事件上登记），"
                  "无法核查",
    "fai_actual": "实际投资强度 =（已完成投资 {invested} + 出让价款 {price}）万元 ÷ {mu} 亩 = {actual} 万元/亩"
                  "（截至 {date}）",
    "far_actual": "实际容积率 = 建筑面积 {floor} 平方米 ÷ 宗地面积 {area} 平方米 = {actual}"
                  "（层高超过 {tall} 米的按两层计）",
    "bc_actual": "实际建筑系数 = 建筑物、构筑物、堆场基底面积 {fp} 平方米 ÷ 宗地面积 {area} 平方米 = {actual}",
    "share_actual": "实际{what} = {part} 平方米 ÷ 宗地面积 {area} 平方米 = {actual}",
    "tax_actual": "实际亩均税收 = {year}年税收 {tax} 万元 ÷ {mu} 亩 = {actual} 万元/亩（{land}）",
    "ratio_actual": "实际{what} = {year}年工业增加值 {va} 万元 ÷ {field} {den} = {actual}",
    "land_contract": "按合同宗地面积",
    "land_enterprise": "按企业用地面积：自有宗地 {own} 平方米 + 租用 {lease} 平方米",
    "review_by_date": "按约定达产复核日期 {date} 核查（尚未登记达产复核事件）",
    "review_year_fallback": "没有 {want} 年度数据，改用 {year} 年度",
    "pass_min": "达到{noun} {committed}",
    "pass_tolerance": "低于{noun} {committed}，但在允许偏差 {tol}% 以内",
    "pass_max": "未超过{noun} {committed}",
    "fail_min": "低于{noun} {committed}，差额比例 =（{committed} − {actual}）÷ {committed} = {ratio}%",
    "fail_max": "超过{noun} {committed}，超出比例 =（{actual} − {committed}）÷ {committed} = {ratio}%",
    "noun_commitment": "承诺值",
    "noun_min": "控制下限",
    "noun_max": "控制上限",
    "pen_proportional": "违约金 = {ratio}% × 出让价款 {price} 万元{factor} = {penalty} 万元",
    "pen_proportional_beyond": "违约金 =（{ratio}% − 允许偏差 {tol}%）× 出让价款 {price} 万元{factor} = {penalty} 万元",
    "pen_tax": "补缴 =（{committed} − {actual}）万元/亩 × {mu} 亩 × {years} 年 = {penalty} 万元",
    "pen_graduated": "达标率 {ach}%，所在档次按出让价款的 {share}% 计：{price} 万元 × {share}% = {penalty} 万元",
    "pen_fixed": "违约金 = {amount} 万元/亩 × {mu} 亩 = {penalty} 万元",
    "pen_permille": "违约金 = {permille}‰ × 出让价款 {price} 万元 = {penalty} 万元",
    "pen_none": "按约定不计违约金，仅记录",
    "pen_no_price": "合同缺少出让价款，违约金无法计算",
    "continue": "；企业仍应继续履约",
}

CONSEQUENCE_BASIS = {
    "credit": "未达标指标：{items}；按履约监管协议记入信用评价，纳入联合奖惩",
    "idle_fee": "约定动工日期 {agreed} 起满 {years} 年（{since}）仍未动工，属闲置土地，移交闲置土地处置："
                "土地闲置费 = {share}% × 出让价款 {price} 万元 = {fee} 万元",
    "idle_recover": "约定动工日期 {agreed} 起满 {years} 年（{since}）仍未动工，可依法无偿收回土地使用权",
    "halt_referral": "自 {since} 起未经批准停工已满一年，移交闲置土地程序认定（开发面积、投资比例由闲置土地模块判定）",
}

# --------------------------------------------------------------------------- errors
ERR = {
    "order": "合同「{contract}」的事件「{event}」（{date}）早于「{other}」（{other_date}），顺序不对："
             "应为 交地 → 施工许可 → 动工 → 停工/复工 → 竣工 → 竣工验收 → 投产 → 达产复核",
    "duplicate": "合同「{contract}」已有「{event}」事件（{other_date}），不能再登记一次（{date}）；"
                 "如原记录有误，请先用 jiyue standard-land void 作废",
    "before_signing": "合同「{contract}」的事件「{event}」（{date}）早于合同签订日期 {signed}",
    "needs": "合同「{contract}」还没有「{other}」事件，不能登记「{event}」（{date}）",
    "halt_twice": "合同「{contract}」已于 {other_date} 停工且未复工，不能再次停工（{date}）",
    "resume_without_halt": "合同「{contract}」的复工（{date}）之前没有未结束的停工",
    "halt_needs_start": "合同「{contract}」的停工/复工（{date}）之前没有动工记录",
    "completed_while_halted": "合同「{contract}」于 {other_date} 停工后未复工，不能竣工（{date}）",
    "future": "合同「{contract}」的事件「{event}」日期 {date} 晚于今天 {today}，不能登记未来的事件",
    "refused": "未登记合同「{contract}」的「{event}」（{date}）：\n{items}",
    "events_invalid": "有 {n} 处项目事件顺序或日期不对，无法核查：\n{items}",
    "no_contract": "没有合同「{contract}」；已有合同：{known}",
    "no_contracts": "数据中没有合同（contracts 表），无法进行标准地核查",
    "unknown_event": "事件「{event}」未知，应为：{expected}",
    "unknown_cause": "原因「{cause}」未知，应为：{expected}",
    "no_event_any": "台账中没有编号为 {event_id} 的事件",
    "already_void": "台账事件 {event_id} 已于 {when} 由 {who} 作废，不能重复作废",
    "void_breaks": "作废台账事件 {event_id} 后，合同「{contract}」的事件顺序将不成立：{reason}",
    "needs_db": "登记事件需要数据库：请用 --db 指定（例如 --db data/jiyue.duckdb）",
    "no_user": "请用 --user 写明登记人（姓名或工号）",
    "no_reason": "请用 --reason 写明作废原因",
    "bad_measure": "「{what}」只能登记在竣工验收（accepted）事件上",
    "negative": "「{what}」不能为负数：{value}",
    "no_parcel": "数据中没有宗地「{parcel}」",
    "bad_industry": "行业代码「{code}」格式不对，应为 GB/T 4754-2017 代码，如 C3670（门类字母加 2–4 位数字）",
    "no_library_row": "指标库「{rules}」中没有适用于行业「{code}」、园区层级「{tier}」的控制值；请补充指标库或改用 --tier",
    "unknown_tier": "园区层级「{tier}」未在指标库中定义，可用：{known}",
    "no_tier": "开发区「{zone}」的级别「{level}」无法对应到园区层级，请用 --tier 指定（可用：{known}）",
    "xlsx_needs_out": "xlsx 格式需要用 --out 指定输出文件",
    "store_missing": "数据库文件不存在：{path}",
    "ledger_newer": "数据库「{path}」中标准地台账的版本为 {found}，高于本程序支持的 {expected}，请升级 jiyue",
}

RULES_ERR = {
    "not_found": "找不到标准地规则文件：{path}",
    "no_builtin": "没有名为「{name}」的内置标准地规则；可用：{known}，或给出 .toml 文件路径",
    "toml": "标准地规则 {source} 不是有效的 TOML：{err}",
    "problems": "标准地规则 {source} 有 {n} 处错误：\n{items}",
    "missing": "{node} 缺少 {key}",
    "number": "{node}.{key} 应为数字，实际为「{value}」",
    "range": "{node}.{key} = {value}，应在 {lo} 到 {hi} 之间",
    "positive": "{node}.{key} = {value}，应大于0",
    "choice": "{node}.{key} = 「{value}」，应为 {choices} 之一",
    "unknown_key": "{node} 中的「{key}」未定义；可用：{known}",
    "bound": "{node}.{key} = {value} 超出国家控制指标（{bound_key} {op} {bound}）",
    "far_range": "{node}: far_max {hi} 小于 far_min {lo}",
    "steps": "{node}.steps 应为 [[达标率下限, 出让价款比例], …]，按达标率从高到低排列",
    "industry": "{node}.industry「{value}」应为 * 或 GB/T 4754 代码前缀（如 C、C36、C3670）",
    "duplicate_row": "{node} 与 {other} 的行业「{industry}」和园区层级「{tier}」相同",
    "tier": "{node}.tier「{value}」未在 [tiers] 中定义；可用：{known}",
}

# --------------------------------------------------------------------------- tables / xlsx
HEAD = {
    "contract_no": "合同编号", "parcel_id": "宗地编号", "enterprise_id": "企业编号", "zone_code": "开发区代码",
    "stage": "所处阶段", "indicator": "指标", "check_stage": "核查环节", "committed": "承诺值/约定", "actual": "实际值",
    "verdict": "结论", "shortfall_ratio": "差额比例(%)", "penalty_wan": "违约金(万元)", "basis": "计算依据",
    "milestone": "节点", "due": "到期日", "days": "天数", "state": "状态", "kind": "后果", "amount_wan": "金额(万元)",
    "event_id": "台账编号", "date": "日期", "event": "事件", "source": "来源", "user": "登记人",
    "recorded_at": "登记时间", "note": "备注", "action": "操作", "land_mu": "宗地面积(亩)",
    "land_price_wan": "出让价款(万元)", "penalty_total_wan": "违约金合计(万元)",
}
STATE = {"due": "即将到期", "overdue": "已逾期"}
SHEETS = {"checks": "指标核查", "controls": "控制指标", "milestones": "到期与逾期", "consequences": "处理后果",
          "summary": "开发区汇总", "about": "说明"}
SUMMARY_HEAD = {
    "zone_code": "开发区代码", "contracts": "标准地合同数", "failed_contracts": "有未达标指标的合同数",
    "failed_checks": "未达标指标数", "pending_checks": "待核查指标数", "penalty_total_wan": "违约金合计(万元)",
    "due": "即将到期节点数", "overdue": "已逾期节点数", "idle_referrals": "移交闲置处置数",
}
ABOUT = {
    "as_of": "核查日期", "rules": "标准地规则", "version": "程序版本", "provenance": "数据来源",
    "units": "单位：面积 平方米/亩（1亩=10000/15平方米），金额 万元，比例以小数计（0.2 = 20%）",
}

FIELD = {"tax_wan": "税收(万元)", "value_added_wan": "工业增加值(万元)", "energy_tce": "综合能耗(吨标准煤)",
         "emission_t": "主要污染物排放量(吨)", "invested_wan": "已完成投资", "developed_area_m2": "已开发面积",
         "green_area_m2": "绿地面积", "admin_area_m2": "行政办公及生活服务设施用地面积"}

MISC = {
    "actual_done": "实际{what} {actual}",
    "still_open": "截至 {as_of} 尚未{what}",
    "years_suffix": "，{years} 年",
    "tolerance_suffix": "；允许偏差 {tol}%",
    "not_industrial": "宗地「{parcel}」的建设状况为 {bc}，不是工业用地",
    "has_contract": "宗地「{parcel}」已有出让合同「{contract}」",
    "unknown_industry": "行业代码「{code}」不是 GB/T 4754-2017 中的行业：门类 {letter}（{section}）的大类为 {span}，"
                        "没有 {division} 大类；请核对行业代码",
    "generic_row": "指标库「{rules}」中没有行业「{code}」的专门控制值，用的是通用行（第 {row} 行：行业不限，{tier}）；"
                   "如该行业另有标准，请补充指标库",
    "any_industry": "不限（通用行）",
    "empty": "空",
    "none": "无",
    "and_more": "{shown} 等 {n} 个",
    "within_negative": "--within 不能为负数",
    "imported": "导入批次 {ids}",
    "package": "数据包 {path}",
    "contract_delivery": "合同交地日期",
    "at_least_one_tier": "（至少一个园区层级）",
    "measures": "绿地面积/行政办公及生活服务设施用地面积",
    "about_note": "说明",
    "about_item": "项目",
    "about_value": "内容",
}

TABLE = {
    "check_row": "  {name:<9}{verdict:<4} 约定 {committed}  实际 {actual}  违约金 {penalty}",
    "amount": "（{amount} 万元）",
    "due_row": "  {state}  {contract_no}  宗地 {parcel_id}  {milestone}  到期日 {due}（{days} 天）",
    "total": "（合计 {total} 万元）",
    "start": "约定动工", "start_when": "交地后 {n} 个月",
    "completion": "约定竣工", "completion_when": "动工后 {n} 年",
    "review": "达产复核", "review_when": "竣工后 {n} 年",
    "late": "延期动工/竣工违约金", "late_when": "每日 {a}‰ / {b}‰ × 出让价款",
    "date_suffix": "（{date}）",
    "warning": "  注意：{w}",
    "ledger_id": "  台账编号 {id}",
    "ledger_head": "台账（按登记顺序，含作废记录）：",
    "void": "作废", "record": "登记", "void_target": " 作废 {id}",
    "ledger_row": "  #{event_id} {action}{target}  {date} {event}  {who} {when}  {note}",
}

TEXT = {
    "recorded": "已登记：合同「{contract}」{event} {date}（台账编号 {event_id}，登记人 {user}）",
    "voided": "已作废台账事件 {event_id}（合同「{contract}」{event} {date}），作废人 {user}，原因：{reason}",
    "written": "已写入：{out}",
    "xlsx_written": "标准地核查表已写入：{out}",
    "no_items": "（无）",
    "table_head": "标准地核查（核查日期 {as_of}；规则 {rules}）",
    "contract_line": "{contract_no}  宗地 {parcel_id}  企业 {enterprise_id}  {stage}  违约金合计 {penalty} 万元",
    "due_line": "  {state}：{milestone} 到期日 {due}（{days} 天）",
    "consequence_line": "  后果：{kind}{amount}——{basis}",
    "summary_line": "开发区 {zone_code}：合同 {contracts} 个，未达标合同 {failed_contracts} 个，违约金合计 {penalty} 万元，"
                    "即将到期 {due} 项，已逾期 {overdue} 项，移交闲置处置 {idle} 个",
    "offer_head": "宗地 {parcel_id}（{zone_code}，{area_m2} 平方米 = {mu} 亩）行业 {industry} 园区层级 {tier}",
    "offer_row": "指标库：{rules} 第 {row} 行，行业 {industry}，园区层级 {tier}（{source}）",
    "offer_ind": "  {name}：{op} {value} {unit}{total}  核查：{stage}；{penalty}",
    "offer_ctrl": "  {name}：{op} {value}",
    "offer_deadline": "  {what}：{when}",
    "history_head": "合同「{contract}」事件记录（共 {n} 条；台账记录只追加、不改写）",
    "history_line": "  {date}  {event:<6} 来源 {source}  {who}{extra}",
    "due_head": "到期与逾期节点（核查日期 {as_of}，提前 {within} 天提示）",
}
