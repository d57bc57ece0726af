"""The Chinese catalogue of the idle-land engine: every word a clerk sees (CLI, xlsx, messages).

Code, identifiers and docs are English; the texts below are what officials read, with the
official terms of Order 53 and the grant contract.
"""

from __future__ import annotations

STATUS = {"not_idle": "未闲置", "idle_unstarted": "闲置（未动工满一年）", "idle_halted": "闲置（已动工但中止满一年）"}
ROUTE = {"none": "无需处置", "fee": "征缴土地闲置费", "recovery": "无偿收回", "negotiate": "协商处置（政府原因）"}
CAUSE = {"enterprise": "企业原因", "gov_1": "未按约定交地（政府原因一）", "gov_2": "规划依法修改（政府原因二）",
         "gov_3": "国家政策调整（政府原因三）", "gov_4": "信访影响动工（政府原因四）",
         "gov_5": "军事管制、文物保护等（政府原因五）", "gov_6": "其他政府行为（政府原因六）",
         "force_majeure": "不可抗力", "prelim_work": "动工必需的前期工作"}
START_BASIS = {"supplementary": "补充协议重新约定", "agreed": "合同约定", "delivery_plus_1y": "交地之日起满一年",
               "signed_plus_1y": "合同签订之日起满一年", "none": "无法确定"}
STOCK = {"unsupplied": "批而未供", "unused": "供而未用", "unfinished": "用而未尽", "not_operating": "建而未投",
         "below_target": "投而未达", "normal": "正常"}
PENALTY_KIND = {"late_start": "延期动工违约金", "late_completion": "延期竣工违约金",
                "investment_shortfall": "投资额不足违约金", "far_shortfall": "容积率不足违约金"}
NOTES = {"no_contract": "无出让合同记录，无法判定闲置", "no_start_date": "无约定动工日期且无法推定",
         "milestone_without_permit": "有动工记录但无施工许可，不视为动工",
         "approved_halt": "停工经批准，不计入闲置", "no_development_figures": "缺少已开发面积和已投资额，无法判定中止开发",
         "no_land_price": "缺少出让价款，无法计算闲置费", "unsupplied": "尚未供应（批而未供），不适用闲置判定"}
LOW_EFFICIENCY = {
    "L1.1": "竣工超过约定期限两年（企业原因）", "L1.2": "竣工满两年投资强度或产出不足标准一半",
    "L1.3": "停产、半停产满一年", "L1.4": "属禁止、淘汰类产业", "L1.5": "不符合安全生产或环保要求",
    "L2.1": "未完工（已动工、未达闲置标准、无故停工满一年）", "L2.2": "产出效率差（不投产、停产或不纳税满两年、亩均税收低于约定）",
    "L2.3": "利用强度低（容积率低于行业下限）",
    "BM.far": "容积率低于《工业项目建设用地控制指标》行业下限", "BM.coverage": "建筑系数低于30%",
}
#: low-efficiency rule sets (the rules file's own ``title`` is shown when it has one)
RULE_SETS = {"L1": "低效用地认定（L1）", "L2": "闽侯县低效工业用地认定（L2）",
             "benchmark": "工业项目建设用地控制指标（2008试行）"}


def stock_label(value: str | None) -> str | None:
    """The Chinese name of a stock category, from its code or a stored label (older ledgers kept
    ``normal``)."""
    if value is None:
        return None
    return STOCK.get(value, value)


def low_efficiency_label(code: str) -> str:
    """The Chinese name of a low-efficiency criterion (``BM.far`` → 容积率低于…行业下限)."""
    return LOW_EFFICIENCY.get(code, code)


PLAN_OPTIONS = {
    "extend": "延长动工开发期限", "change_use": "调整土地用途、规划条件", "temporary_use": "政府安排临时使用",
    "paid_recovery": "协议有偿收回", "swap": "置换土地", "other_negotiated": "其他处置方式",
    "idle_fee": "征缴土地闲置费", "free_recovery": "无偿收回", "rectify": "限期整改",
    "collect_penalty": "追缴违约金", "joint_venture": "合资合作盘活", "buyback": "协议收购（收储）",
}
ITEM_STATE = {"no_issue": "未发现问题", "open": "待处置", "planned": "已制定方案", "in_progress": "整改中",
              "closed": "已销号"}
EVENT_KIND = {"campaign_created": "建立台账", "item_added": "列入台账", "plan_recorded": "制定处置方案",
              "progress_recorded": "记录进展", "item_closed": "销号", "item_reopened": "撤销销号、重新打开",
              "recovery_recorded": "登记收储再出让测算"}
OUTCOMES = {"rectified": "整改到位", "commenced": "已动工开发", "completed": "已竣工投产", "fee_collected": "闲置费已征缴",
            "recovered": "已收回", "swapped": "已置换", "revitalised": "已盘活", "other": "其他"}
RECOVERY_WARNINGS = {"free_recovery_with_compensation": "无偿收回却列有土地使用权补偿，请核对",
                     "compensation_below_floor": "补偿低于取得成本加直接损失（下限），请核对",
                     "holder_areas_do_not_sum": "各原用地单位面积之和与总面积不一致"}

TEXT: dict[str, str] = {
    # rules files
    "rules_bad_lowe": "低效用地规则集「{found}」不存在，可用：{expected}",
    "rules_bad_value": "{where}：{path} 的值 {found} 不符合要求，应为 {expected}",
    "rules_unknown_key": "{where}：不认识的设置 {path}（可用：{expected}）",
    "rules_no_header": "{where}：缺少 [rules] 表中的 name 和 version",
    "rules_invalid": "规则文件 {where} 有 {n} 处问题：",
    "rules_missing_file": "找不到规则文件：{path}",
    "rules_unreadable": "无法读取规则文件 {path}：{err}",
    "rules_unknown_name": "没有名为「{name}」的内置规则；可用：{names}，或给出 .toml 文件路径",
    "rules_bad_toml": "规则文件 {where} 不是有效的 TOML：{err}",
    # penalties
    "pen_late_start": "延期动工：{permille}‰/日 × 出让价款 {price} 万元 × {days} 日（约定动工 {start}，{state} {end}）",
    "pen_late_completion": "延期竣工：{permille}‰/日 × 出让价款 {price} 万元 × {days} 日（约定竣工 {due}，{state} {end}）",
    "pen_done": "实际",
    "pen_ongoing": "截至",
    "pen_inv_total": "约定投资总额",
    "pen_inv_intensity": "承诺投资强度×面积",
    "pen_investment": "投资不足：{what} {agreed} 万元，实际 {actual} 万元（{rule}），差额比例 {ratio:.2f}% × 出让价款 {price} 万元",
    "inv_basis_total_incl_land": "均含土地价款",
    "inv_basis_net_of_land": "均不含土地价款",
    "inv_basis_as_given": "按填报口径",
    "pen_far": "容积率不足：约定不低于 {agreed}，实际 {actual}，差额比例 {ratio:.2f}% × 出让价款 {price} 万元",
    # low efficiency
    "le_overdue": "约定竣工日期 {due}，至今未竣工已超过 {years} 年",
    "le_intensity": "{done} 竣工，投资强度 {actual:.2f} 万元/亩，低于约定 {agreed:.2f} 万元/亩的 {share:g}%",
    "le_output": "{year} 年地均产出 {actual:.2f} 万元/亩，低于标准 {standard:.2f} 万元/亩的 {share:g}%",
    "le_stopped": "自 {since} 停产，已满 {years} 年",
    "le_prohibited": "行业代码 {code} 属禁止/淘汰类（{prefix}）",
    "le_veto": "{year} 年发生 {events}",
    "le_unfinished": "自 {since} 无故停工满一年，已开发面积 {area:.1f}%、投资 {inv:.1f}%（未达闲置标准）",
    "le_not_producing": "{done} 竣工，满 {years} 年未投产",
    "le_no_tax": "{years} 年均无纳税",
    "le_low_tax": "{year} 年亩均税收 {actual:.2f} 万元/亩，低于约定 {agreed:.2f} 万元/亩",
    "le_far": "容积率 {far:.2f}，低于行业（{code}，按 {prefix}）下限 {min:g}",
    "le_coverage": "建筑系数 {cov:.1f}%，低于 {min:g}%",
    # plans
    "plan_bad_date": "处置方案的「{field}」不是有效日期：「{found}」，应为如 2022-06-01 的日期",
    "plan_bad_number": "处置方案的「{field}」不是数字：「{found}」",
    "plan_unknown_option": "处置方式「{found}」不存在，应为：{expected}",
    "plan_missing_field": "处置方式「{option}」需要填写「{field}」",
    "plan_needs_gov": "「{option}」只适用于政府原因造成的闲置土地（该宗地：{status}，原因 {cause}）",
    "plan_needs_enterprise": "「{option}」只适用于企业原因造成的闲置土地（该宗地：{status}，原因 {cause}）",
    "plan_too_long": "「{option}」期限过长：自 {start} 至 {until}，超过 {years} 年上限，最迟应为 {cap}",
    "plan_until_before_start": "「{option}」的截止日期早于开始日期",
    "plan_swap_cause": "置换土地只适用于因规划依法修改造成的闲置（原因应为 {allowed}，该宗地为 {cause}）；可选：{offer}",
    "plan_swap_price": "置换土地要求土地价款已全部缴清（price_paid=true）",
    "plan_swap_funds": "置换土地要求项目资金已落实（funds_in_place=true）",
    "plan_recovery_early": "无偿收回要求闲置满 {need} 年，该宗地闲置 {years} 年",
    "plan_fee_early": "征缴闲置费要求闲置满 {need} 年，该宗地闲置 {years} 年",
    "plan_no_penalty": "该宗地没有已到期的合同违约金，不能选择「追缴违约金」",
    "plan_new_start_option": "「{option}」不会重新约定动工日期，不能填写 new_start",
    "plan_new_start_needs_agreement": "重新约定动工日期（new_start）须同时填写补充协议签订日期（agreement_date）",
    "campaign_default_name": "{zone} {since}年以来出让工业用地专项排查（截至{as_of}）",
    "plan_refused": "处置方案不符合规定，未记录（宗地 {parcel}）：\n{problems}",
}
