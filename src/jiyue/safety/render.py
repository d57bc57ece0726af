"""Text tables of the safety statistics (the seed's sentence and a row per figure)."""

from __future__ import annotations

from typing import Any

from jiyue.safety import labels
from jiyue.tables import pad


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v else "0"
    return str(v)


def sentence(t: dict[str, Any]) -> str:
    """The figures in the seed's own words."""
    return (f"共出动检查组{t['groups']}组，出动人员{t['person_times']}人次，检查企业{t['enterprises']}家"
            f"（{t['enterprise_visits']}家次），检查问题{t['found']}项，目前已整改{t['rectified']}项（整改率{t['rate']}），"
            f"总计罚款{_fmt(t['fines_wan'])}万元，停产停业整顿{t['stops']}起，立案{t['cases']}起，"
            f"拟处罚{_fmt(t['case_penalty_wan'])}万元。")


def stat_rows(t: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(label, t[key]) for key, label in labels.STAT_ROWS]


def group_rows(rows: list[dict[str, Any]], name: Any = None) -> list[list[Any]]:
    return [[(name(r) if name else r["key"]) or "（未填）", *[r[k] for k, _ in labels.STAT_ROWS]] for r in rows]


def stats_table(doc: dict[str, Any], by: str | None = None) -> str:
    t = doc["total"]
    camp = doc.get("campaign")
    title = f"安全生产隐患排查治理统计（{camp['name']}）" if camp else "安全生产隐患排查治理统计"
    period = f"统计期间：{doc['start'] or '—'} 至 {doc['end']}；整改状态截至 {doc['as_of']}；口径：" + (
        "当期发现隐患的整改情况" if doc["basis"] == "cohort" else "当期发生数")
    rows = stat_rows(t)
    w = max(len(lbl) for lbl, _ in rows) * 2 + 2
    lines = [title, period, ""]
    lines += [pad(lbl, w) + pad(_fmt(v), 10, right=True) for lbl, v in rows]
    lines += ["", sentence(t), f"规则：{doc['rules']['title']}（{doc['rules']['name']} {doc['rules']['version']}）"]
    for c in doc.get("closure_candidates") or []:
        lines.append(f"提请关闭：{c['name']}——存在重大事故隐患，{c['reason']}")
    if by:
        key = {"enterprise": "by_enterprise", "industry": "by_industry", "level": "by_level"}[by]
        head = {"enterprise": "企业", "industry": "行业代码", "level": "隐患等级"}[by]
        cols = ["groups", "person_times", "found", "rectified", "rate", "fines_wan", "stops", "cases"]
        short = {"groups": "检查组", "person_times": "人次", "found": "隐患", "rectified": "已整改", "rate": "整改率",
                 "fines_wan": "罚款(万元)", "stops": "停产整顿", "cases": "立案"}
        lines += ["", pad(head, 36) + "".join(pad(short[c], 12, right=True) for c in cols)]
        for r in doc[key]:
            label = r.get("name") or r["key"] or "（未填）"
            lines.append(pad(str(label), 36, clip=True) + "".join(pad(_fmt(r[c]), 12, right=True) for c in cols))
    return "\n".join(lines)
