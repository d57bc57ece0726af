"""The Chinese catalogue of the generic ledger (messages shown when a change is refused)."""

from __future__ import annotations

TEXT: dict[str, str] = {
    "no_campaign": "数据库中没有台账（专项行动）；请先用 jiyue ledger inventory 建立",
    "unknown_campaign": "台账编号 {campaign} 不存在；已有：{known}",
    "campaign_exists": "已有同名台账「{name}」（编号 {campaign}）；换一个名称，或加 --exist-ok 沿用它",
    "unknown_item": "台账 {campaign} 中没有宗地「{subject}」",
    "closed_item": "宗地「{subject}」已销号（{at}，复核人 {reviewer}），不能再修改；如需继续处置，请先 jiyue ledger reopen",
    "not_closed": "宗地「{subject}」尚未销号，无需重新打开",
    "no_evidence": "销号必须提供证明材料：请用 --evidence 给出至少一个文件（宗地「{subject}」未销号）",
    "evidence_missing": "证明材料文件不存在或不是文件：{path}（宗地「{subject}」未销号）",
    "evidence_empty": "证明材料文件为空：{path}（宗地「{subject}」未销号）",
    "evidence_unreadable": "无法读取证明材料 {path}：{err}（宗地「{subject}」未销号）",
    "no_reviewer": "销号必须有复核人：请用 --reviewer 给出复核人姓名（宗地「{subject}」未销号）",
    "reviewer_is_user": "复核人不能是操作人本人（{user}）；销号须经他人复核（宗地「{subject}」未销号）",
    "nothing_to_close": "宗地「{subject}」排查未发现问题且没有处置方案，无需销号",
    "no_user": "请用 --user 给出操作人姓名",
    "no_reason": "重新打开已销号的宗地须说明理由（--reason）",
    "bad_outcome": "销号结果「{found}」不在规定范围内，应为：{expected}",
}
