"""The Chinese catalogue of the safety ledger: state and measure names, workbook headers, and every
message shown when a change is refused (one place, no scattered literals)."""

from __future__ import annotations

STATE = {
    "found": "已发现", "rectifying": "整改中", "submitted": "已提交整改", "reinspected": "已复查",
    "closed": "已销号", "escalated": "逾期升级", "overdue": "逾期未改",
}
EVENT = {
    "found": "发现隐患", "rectify": "制定整改措施", "submit": "提交整改材料", "reinspect": "复查",
    "close": "销号", "escalate": "逾期升级", "enforce": "执法措施", "inspection": "检查",
}
MEASURE = {"order": "责令限期整改", "fine": "罚款", "stop": "停产停业整顿", "case": "立案"}
FIELD = {"responsible_person": "整改责任人", "measures": "整改措施", "funds_wan": "整改资金（万元）",
         "deadline": "整改期限", "emergency_plan": "应急预案"}
MODES = ("四不两直", "明查", "回头看", "专项", "日常", "异地执法")

STAT_ROWS = (
    ("groups", "出动检查组（组）"), ("person_times", "出动人员（人次）"), ("enterprises", "检查企业（家）"),
    ("enterprise_visits", "检查企业（家次）"), ("found", "检查发现问题隐患（项）"), ("found_major", "其中重大隐患（项）"),
    ("rectified", "已整改（项）"), ("rate", "整改率"), ("overdue", "逾期未整改（项）"),
    ("ordered", "责令限期整改（起）"), ("fines_wan", "罚款（万元）"), ("stops", "停产停业整顿（起）"),
    ("cases", "立案（起）"), ("case_penalty_wan", "拟处罚（万元）"),
)

TEXT: dict[str, str] = {
    "no_user": "请给出操作人姓名（--user）",
    "unknown_hazard": "隐患编号 {hazard} 不存在",
    "unknown_inspection": "检查编号 {inspection} 不存在",
    "unknown_campaign": "专项行动编号 {campaign} 不存在；已有：{known}",
    "no_campaign": "数据库中还没有安全生产专项行动；请先用 jiyue safety campaign 或 jiyue safety import 建立",
    "campaign_exists": "已有同名专项行动「{name}」（编号 {campaign}）；换一个名称，或加 --exist-ok 沿用它",
    "unknown_enterprise": "企业「{name}」不在数据库的企业名录中（按企业名称或统一社会信用代码匹配）",
    "closed": "隐患 {hazard} 已于 {on} 销号，不能再修改",
    "bad_transition": "隐患 {hazard} 当前状态为「{state}」，不能{action}；{hint}",
    "date_before": "{what}（{date}）早于{other}（{other_date}），日期顺序不对",
    "deadline_before": "整改期限（{deadline}）早于发现日期（{found}），日期顺序不对",
    "deadline_too_long": "{level}隐患整改期限最长 {max_days} 天（{source}），{deadline} 距 {start} 已 {days} 天",
    "five_missing": "重大事故隐患须“五落实”后方可开始整改，缺少：{missing}（{source}）",
    "plan_missing": "制定整改措施须给出：{missing}",
    "no_evidence": "提交整改须附至少一份整改证明材料（照片、验收记录等）",
    "close_no_reinspection": "隐患 {hazard} 尚未经复查合格（当前状态「{state}」），不能销号（{source}）",
    "close_no_evidence": "隐患 {hazard} 没有任何整改证明材料，不能销号（{source}）",
    "no_reviewer": "复查须给出复查人姓名",
    "not_overdue": "隐患 {hazard} 的整改期限为 {deadline}，到 {date} 尚未逾期{extra}，不能升级",
    "bad_level": "隐患等级「{found}」不在规则中，应为：{expected}",
    "bad_measure": "执法措施「{found}」不在规定范围内，应为：{expected}",
    "bad_amount": "{what}金额应为大于 0 的数（万元），实际为 {found}",
    "fine_too_high": "罚款 {amount} 万元超过{article}规定的上限 {max} 万元",
    "bad_item": "判定标准条款「{found}」无法识别，应为《工贸企业重大事故隐患判定标准》第{first}条至第{last}条中的一项，如“第十一条第（一）项”或“11.1”",
    "item_needs_major": "引用了重大事故隐患判定标准条款（{item}），隐患等级应为重大，实际为「{level}」",
    "not_own": "隐患 {hazard} 属于其他企业，企业用户只能提交本企业隐患的整改材料",
    "empty": "{what}不能为空",
    "evidence_missing": "证明材料文件不存在或不是文件：{path}",
    "evidence_empty": "证明材料文件为空：{path}",
}

HINT = {
    "rectify": "只有“已发现”“整改中”或“逾期升级”的隐患可以制定整改措施",
    "submit": "须先制定整改措施（jiyue safety rectify）",
    "reinspect": "只有已提交整改的隐患可以复查",
    "close": "须先提交整改材料并经复查合格",
    "escalate": "只有未整改完毕的隐患可以升级",
}

ACTION = {"rectify": "制定整改措施", "submit": "提交整改材料", "reinspect": "复查", "close": "销号", "escalate": "升级"}

#: the Excel ledger's columns (import and export), in order
HEADERS = (
    "序号", "专项行动", "检查编号", "检查日期", "检查组", "检查人员", "检查方式", "企业名称", "统一社会信用代码", "隐患描述", "隐患类别",
    "隐患等级", "判定标准条款", "整改措施", "整改期限", "整改责任人", "整改资金（万元）", "应急预案", "整改情况",
    "整改完成日期", "复查日期", "复查人", "销号日期", "整改证明材料", "责令限期整改", "罚款（万元）", "责令停产整顿", "立案",
    "拟处罚（万元）", "执法依据",
)
REQUIRED = ("检查日期", "检查组", "检查人员", "企业名称")
#: the 整改情况 column: words a ledger uses for each state
STATUS_WORDS = {
    "found": ("未整改", "已发现", "待整改"),
    "rectifying": ("整改中", "正在整改"),
    "submitted": ("已整改待复查", "待复查", "已提交"),
    "reinspected": ("已复查", "复查合格", "已整改"),
    "closed": ("已销号", "销号", "已闭环"),
}
YES = ("是", "有", "√", "Y", "y", "yes", "1")
NO = ("否", "无", "", "N", "n", "no", "0")
