"""Plain-text (Chinese) renderings of the idle, ledger and recovery documents (``--format table``)."""

from __future__ import annotations

from typing import Any

from jiyue.idle import labels
from jiyue.idle.recovery import COST_ITEMS, PATHWAYS
from jiyue.tables import pad


def _f(v: Any, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def _pad(v: Any, width: int, right: bool = False) -> str:
    """``v`` padded to a display width (CJK characters count twice), cut when wider."""
    return pad(v if isinstance(v, str) else _f(v), width, right, clip=True)


def idle_table(doc: dict[str, Any]) -> str:
    """The idle assessment as text: one line per parcel, then the summary."""
    r = doc["rules"]
    titles = doc.get("low_efficiency_titles") or {}
    sets = "、".join(titles.get(k) or labels.RULE_SETS.get(k, k) for k in doc["low_efficiency_rule_sets"])
    lines = [f"闲置低效用地判定  截至 {doc['as_of']}  规则：{r['name']} {r['version']}  "
             f"低效用地规则集：{sets or '无'}",
             _pad("宗地编号", 12) + _pad("合同编号", 18) + _pad("判定", 28) + _pad("原因", 18) + _pad("处置路径", 22)
             + _pad("闲置费(万元)", 13, True) + _pad("违约金(万元)", 13, True) + "  " + _pad("存量类别", 10) + "低效用地"]
    for p in doc["parcels"]:
        lines.append(
            _pad(p["parcel_id"], 12) + _pad(p["contract_no"], 18) + _pad(labels.STATUS[p["status"]], 28)
            + _pad(labels.CAUSE.get(p["cause"] or "", "—"), 18) + _pad(labels.ROUTE[p["route"]], 22)
            + _pad(p["fee_wan"], 13, True) + _pad(p["penalties_wan"], 13, True) + "  "
            + _pad(labels.stock_label(p["stock_category"]) or "—", 10)
            + "、".join(h.get("label") or labels.low_efficiency_label(h["code"]) for h in p["low_efficiency"]))
    s = doc["summary"]
    lines += ["", f"宗地 {s['parcels']} 宗；闲置 {s['idle']['count']} 宗 {s['idle']['area_ha']:.4f} 公顷"
              f"（未动工 {s['by_status']['idle_unstarted']}，中止开发 {s['by_status']['idle_halted']}）；"
              f"存在问题 {s['in_breach']} 宗",
              "处置路径：" + "，".join(f"{labels.ROUTE[k]} {v}" for k, v in s["by_route"].items()),
              f"闲置费合计 {_f(s['fee_wan'])} 万元；违约金合计 {_f(s['penalties_wan'])} 万元（"
              + "，".join(f"{labels.PENALTY_KIND[k]} {v['count']} 宗 {_f(v['amount_wan'])} 万元"
                         for k, v in s["penalties"].items()) + "）",
              "存量链条：" + "，".join(f"{k} {v['count']} 宗 {v['area_m2'] / 1e4:.2f} 公顷" for k, v in s["stock"].items()),
              f"低效用地 {s['low_efficiency']['parcels']} 宗（"
              + ("，".join(f"{labels.low_efficiency_label(k)} {v} 宗" for k, v in s["low_efficiency"]["by_code"].items())
                 or "无") + "）"]
    return "\n".join(lines)


def change_line(kind: str, res: dict[str, Any]) -> str:
    """One sentence confirming a ledger change."""
    state = labels.ITEM_STATE.get(res.get("state", ""), res.get("state", ""))
    head = f"台账 {res['campaign_id']} 宗地 {res['subject']}：{labels.EVENT_KIND.get(kind, kind)}，当前状态「{state}」"
    return head + f"（事件 {res['event_id']}，第 {res['version']} 版）"


def ledger_table(doc: dict[str, Any]) -> str:
    """The ledger items as text."""
    c = doc["campaign"]
    lines = [f"台账 {c['campaign_id']}：{c['name']}（建立 {c['created_at']}，{c['created_by']}）",
             _pad("宗地编号", 12) + _pad("使用权人", 32) + _pad("状态", 12) + _pad("判定", 28) + _pad("处置方案", 22)
             + _pad("盘活面积(m²)", 14, True) + "  销号"]
    for i in doc["items"]:
        plan = labels.PLAN_OPTIONS.get((i["plan"] or {}).get("option", ""), "—")
        closed = i["outcome"] or {}
        closed_s = (f"{labels.OUTCOMES.get(closed.get('result') or '', '')} {closed.get('closed_at', '')} "
                    f"复核 {closed.get('reviewer', '')}") if closed else ""
        lines.append(_pad(i["parcel_id"], 12) + _pad(i["holder"], 32) + _pad(labels.ITEM_STATE[i["state"]], 12)
                     + _pad(labels.STATUS.get(i["status"] or "", "—"), 28) + _pad(plan, 22)
                     + _pad(f"{i['progress']['area_revitalised_m2']:,.1f}", 14, True) + "  " + closed_s)
    return "\n".join(lines)


def history_table(doc: dict[str, Any]) -> str:
    """The event history as text."""
    lines = [f"台账 {doc['campaign']['campaign_id']}：{doc['campaign']['name']}"
             + (f"  宗地 {doc['parcel_id']}" if doc["parcel_id"] else "")
             + ("" if doc["consistent"] else f"  ！台账与事件记录不一致：{'、'.join(doc['inconsistent_items'])}")]
    for e in doc["events"]:
        p = e["payload"] or {}
        what = ""
        if e["kind"] == "plan_recorded":
            what = labels.PLAN_OPTIONS.get((p.get("plan") or {}).get("option", ""), "")
        elif e["kind"] == "progress_recorded":
            what = f"{p.get('date', '')} {p.get('note') or ''}"
        elif e["kind"] == "item_closed":
            what = (f"{labels.OUTCOMES.get(p.get('result') or '', '')} 复核人 {p.get('reviewer')} 证明材料 "
                    + "、".join(f"{x['file_name']}({x['sha256'][:8]})" for x in e["evidence"]))
        elif e["kind"] == "item_reopened":
            what = f"理由：{p.get('reason')}"
        elif e["kind"] == "recovery_recorded":
            what = f"{p.get('name')} 净收益 {_f(p.get('net_gain_wan'))} 万元"
        before = (e["before"] or {}).get("state")
        after = (e["after"] or {}).get("state")
        trans = f" [{labels.ITEM_STATE.get(before, '')}→{labels.ITEM_STATE.get(after or '', '')}]" if before else ""
        lines.append(f"{e['event_id']:>5}  {e['at']}  " + _pad(e["user"], 10) + " " + _pad(e["subject"], 12) + " "
                     + f"{labels.EVENT_KIND.get(e['kind'], e['kind'])}{trans} {what}")
    return "\n".join(lines)


def stats_table(doc: dict[str, Any]) -> str:
    """Campaign statistics as text."""
    r = doc["recoveries"]
    return "\n".join([
        f"台账 {doc['campaign']['campaign_id']}：{doc['campaign']['name']}",
        f"排查宗地 {doc['parcels_checked']} 宗（{doc['area_checked_m2'] / 1e4:.2f} 公顷），发现问题 {doc['found_in_breach']} 宗，"
        f"已整改销号 {doc['rectified']} 宗，未销号 {doc['open']} 宗",
        f"其中闲置 {doc['idle']['count']} 宗 {doc['idle']['area_m2'] / 1e4:.2f} 公顷",
        f"盘活、整改厂房车间 {doc['area_revitalised_wan_m2']:.2f} 万平方米",
        f"闲置费：应征 {_f(doc['fees']['assessed_wan'])} 万元，已征 {_f(doc['fees']['collected_wan'])} 万元；"
        f"违约金：应缴 {_f(doc['penalties']['assessed_wan'])} 万元，已缴 {_f(doc['penalties']['collected_wan'])} 万元",
        f"收回土地 {r['parcels']} 宗 {r['area_m2'] / 1e4:.2f} 公顷；收储再出让测算 {r['cases']} 项"
        f"（{r['cases_area_ha']:.2f} 公顷，成本 {_f(r['cases_cost_wan'])} 万元，出让收入 {_f(r['cases_revenue_wan'])} 万元，"
        f"净收益 {_f(r['cases_net_gain_wan'])} 万元）",
        "处置方案：" + ("，".join(f"{labels.PLAN_OPTIONS.get(k, k)} {v}" for k, v in doc["by_plan_option"].items()) or "无"),
    ])


def recovery_table(doc: dict[str, Any]) -> str:
    """Recovery economics as text."""
    t = doc["totals"]
    lines = [f"{doc['name']}",
             f"方式：{PATHWAYS.get(doc['pathway'] or '', '—')}  面积：{_f(doc['area_ha'], 4)} 公顷"
             f"（{_f(doc['area_mu'], 2)} 亩）",
             "成本："]
    for k, v in doc["by_cost_item"].items():
        lines.append("  " + _pad(COST_ITEMS.get(k, k), 44) + f"{v:>14,.2f} 万元")
    lines.append("  " + _pad("成本合计", 44) + f"{t['cost_wan']:>14,.2f} 万元")
    lines.append("收入：")
    for r in doc["revenues"]:
        lines.append("  " + _pad(r["label"], 44) + f"{r['amount_wan']:>14,.2f} 万元  {r['date']} {r['basis']}")
    lines.append("  " + _pad("收入合计", 44) + f"{t['revenue_wan']:>14,.2f} 万元")
    word = "净亏损" if t["loss"] else "净收益"
    lines.append(f"{word}：{t['net_gain_wan']:,.2f} 万元  投入产出比 {_f(t['roi'], 4)}")
    lines.append("年度现金流（万元）：")
    for c in doc["cash_flow"]:
        lines.append(f"  {c['year']}  流入 {c['inflow_wan']:>12,.2f}  流出 {c['outflow_wan']:>12,.2f}  "
                     f"净额 {c['net_wan']:>12,.2f}  累计 {c['cumulative_wan']:>12,.2f}")
    if doc["waterfall"]:
        w = doc["waterfall"]
        lines.append(f"出让收入分配：处置费用 {_f(w['disposal_costs_paid_wan'])}，欠缴补偿 "
                     f"{_f(w['unpaid_compensation_paid_wan'])}，欠缴出让价款 {_f(w['unpaid_grant_price_paid_wan'])}，"
                     f"余额缴入国库 {_f(w['to_treasury_wan'])} 万元")
    if doc["compensation_floor"]:
        cf = doc["compensation_floor"]
        lines.append(f"补偿下限 {_f(cf['floor_wan'])} 万元，实际补偿 {_f(cf['compensation_wan'])} 万元："
                     + ("符合" if cf["meets_floor"] else "低于下限"))
    for a in doc["allocations"]:
        lines.append(f"计提 {a['label'] or a['item']}：{a['rate'] * 100:g}% × {a['base']} = {_f(a['amount_wan'])} 万元"
                     + ("（已扣除）" if a["subtracted"] else "（未扣除）"))
    for w in doc["warnings"]:
        lines.append(f"提示：{labels.RECOVERY_WARNINGS.get(w, w)}")
    return "\n".join(lines)
