"""Workbooks (Chinese headers) of the idle assessment, the campaign ledger and recovery economics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jiyue.idle import labels
from jiyue.idle.recovery import COST_ITEMS
from jiyue.workbook import excel_writer

PARCEL_HEADERS = {
    "parcel_id": "宗地编号", "contract_no": "合同编号", "zone_code": "开发区代码", "enterprise_id": "企业编号",
    "area_m2": "面积(平方米)", "land_price_wan": "出让价款(万元)", "status": "闲置判定", "cause": "原因",
    "start_date_effective": "动工开发起算日", "start_date_basis": "起算依据", "commenced_date": "动工日期",
    "completed_date": "竣工日期", "halt_start": "停工日期", "idle_since": "闲置起始日", "years_idle": "闲置满年数",
    "route": "处置路径", "fee_wan": "土地闲置费(万元)", "recovery_eligible_from": "可无偿收回日",
    "area_ratio": "已开发面积比例", "investment_ratio": "已投资比例", "stock_category": "存量类别",
    "low_efficiency": "低效用地", "penalties_wan": "违约金合计(万元)", "in_breach": "存在问题", "notes": "说明",
}


def _write(out: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with excel_writer(out) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes(1, 0)
            for i, col in enumerate(df.columns):
                ws.set_column(i, i, min(40, max(10, len(str(col)) * 2)))
    return out


def idle_workbook(doc: dict[str, Any], out: Path) -> Path:
    """宗地判定 / 违约金 / 低效用地 / 汇总 / 说明."""
    rows, pens, lows = [], [], []
    titles = doc.get("low_efficiency_titles") or {}
    for p in doc["parcels"]:
        row = {PARCEL_HEADERS[k]: p.get(k) for k in PARCEL_HEADERS if k not in ("low_efficiency", "notes")}
        row["闲置判定"] = labels.STATUS[p["status"]]
        row["原因"] = labels.CAUSE.get(p["cause"] or "", None)
        row["起算依据"] = labels.START_BASIS.get(p["start_date_basis"], p["start_date_basis"])
        row["处置路径"] = labels.ROUTE[p["route"]]
        row["存在问题"] = "是" if p["in_breach"] else "否"
        row["存量类别"] = labels.stock_label(p["stock_category"])
        row["低效用地"] = "；".join(h.get("label") or labels.low_efficiency_label(h["code"]) for h in p["low_efficiency"])
        row["说明"] = "；".join(p["notes"])
        rows.append(row)
        for x in p["penalties"]:
            pens.append({"宗地编号": p["parcel_id"], "合同编号": p["contract_no"],
                         "违约类型": labels.PENALTY_KIND[x["kind"]], "金额(万元)": x["amount_wan"], "计算依据": x["basis"]})
        for h in p["low_efficiency"]:
            lows.append({"宗地编号": p["parcel_id"], "规则集": titles.get(h["rule_set"]) or labels.RULE_SETS.get(
                h["rule_set"], h["rule_set"]), "条款": h["code"], "认定情形": h["label"],
                         "依据": h["basis"]})
    s = doc["summary"]
    summ = [{"项目": "判定宗地数", "数值": s["parcels"]}, {"项目": "闲置宗地数", "数值": s["idle"]["count"]},
            {"项目": "闲置面积(公顷)", "数值": s["idle"]["area_ha"]},
            {"项目": "存在问题宗地数", "数值": s["in_breach"]},
            {"项目": "土地闲置费合计(万元)", "数值": s["fee_wan"]}, {"项目": "违约金合计(万元)", "数值": s["penalties_wan"]}]
    summ += [{"项目": f"处置路径：{labels.ROUTE[k]}", "数值": v} for k, v in s["by_route"].items()]
    summ += [{"项目": f"存量：{labels.stock_label(k)}（宗/公顷）", "数值": f"{v['count']} / {v['area_m2'] / 1e4:.4f}"}
             for k, v in s["stock"].items()]
    summ += [{"项目": f"低效用地：{labels.low_efficiency_label(k)}（宗）", "数值": v}
             for k, v in s["low_efficiency"]["by_code"].items()]
    r = doc["rules"]
    about = pd.DataFrame([{"项目": "截至日期", "内容": doc["as_of"]},
                          {"项目": "判定规则", "内容": f"{r['name']} {r['version']} {r['title']}"},
                          {"项目": "规则来源", "内容": r["source"]},
                          {"项目": "低效用地规则集", "内容": "、".join(
                              titles.get(k) or labels.RULE_SETS.get(k, k) for k in doc["low_efficiency_rule_sets"])},
                          {"项目": "程序版本", "内容": f"jiyue {doc['jiyue_version']}"},
                          {"项目": "数据来源", "内容": str(doc["provenance"])},
                          {"项目": "单位", "内容": "面积平方米，金额万元"}])
    return _write(out, {"宗地判定": pd.DataFrame(rows, columns=list(PARCEL_HEADERS.values())),
                        "违约金": pd.DataFrame(pens, columns=["宗地编号", "合同编号", "违约类型", "金额(万元)", "计算依据"]),
                        "低效用地": pd.DataFrame(lows, columns=["宗地编号", "规则集", "条款", "认定情形", "依据"]),
                        "汇总": pd.DataFrame(summ), "说明": about})


def ledger_workbook(show: dict[str, Any], history: dict[str, Any], stats: dict[str, Any], out: Path) -> Path:
    """台账 / 处置记录 / 统计."""
    rows = []
    for i in show["items"]:
        plan = i["plan"] or {}
        o = i["outcome"] or {}
        rows.append({"宗地编号": i["parcel_id"], "合同编号": i["contract_no"], "使用权人": i["holder"],
                     "面积(平方米)": i["area_m2"], "存在问题": "是" if i["in_breach"] else "否",
                     "闲置判定": labels.STATUS.get(i["status"] or "", None), "处置路径": labels.ROUTE.get(i["route"] or "", None),
                     "土地闲置费(万元)": i["fee_wan"], "违约金(万元)": i["penalties_wan"],
                     "存量类别": labels.stock_label(i["stock_category"]),
                     "低效用地": "、".join(labels.low_efficiency_label(c) for c in i["low_efficiency"]),
                     "处置方案": labels.PLAN_OPTIONS.get(plan.get("option", ""), None),
                     "方案内容": "；".join(f"{k}={v}" for k, v in plan.items() if k not in ("option", "option_label")),
                     "盘活面积(平方米)": i["progress"]["area_revitalised_m2"],
                     "已征闲置费(万元)": i["progress"]["fee_collected_wan"],
                     "已缴违约金(万元)": i["progress"]["penalty_collected_wan"],
                     "状态": labels.ITEM_STATE[i["state"]], "销号结果": labels.OUTCOMES.get(o.get("result", ""), None),
                     "销号时间": o.get("closed_at"), "复核人": o.get("reviewer"),
                     "证明材料": "、".join(e["file_name"] for e in o.get("evidence", [])),
                     "最后修改": f"{i['updated_at']} {i['updated_by']}"})
    ev = [{"事件编号": e["event_id"], "时间": e["at"], "操作人": e["user"], "宗地编号": e["subject"],
           "事件": labels.EVENT_KIND.get(e["kind"], e["kind"]),
           "修改前状态": labels.ITEM_STATE.get((e["before"] or {}).get("state", ""), None),
           "修改后状态": labels.ITEM_STATE.get((e["after"] or {}).get("state", ""), None),
           "内容": str(e["payload"]), "证明材料": "、".join(f"{x['file_name']} sha256:{x['sha256']}" for x in e["evidence"])}
          for e in history["events"]]
    st = stats
    summ = [{"项目": "排查宗地数", "数值": st["parcels_checked"]}, {"项目": "发现问题宗地数", "数值": st["found_in_breach"]},
            {"项目": "已整改销号", "数值": st["rectified"]}, {"项目": "未销号", "数值": st["open"]},
            {"项目": "盘活整改厂房(万平方米)", "数值": st["area_revitalised_wan_m2"]},
            {"项目": "闲置费应征(万元)", "数值": st["fees"]["assessed_wan"]},
            {"项目": "闲置费已征(万元)", "数值": st["fees"]["collected_wan"]},
            {"项目": "违约金应缴(万元)", "数值": st["penalties"]["assessed_wan"]},
            {"项目": "违约金已缴(万元)", "数值": st["penalties"]["collected_wan"]},
            {"项目": "收回宗地数", "数值": st["recoveries"]["parcels"]},
            {"项目": "收储再出让净收益(万元)", "数值": st["recoveries"]["cases_net_gain_wan"]}]
    return _write(out, {"台账": pd.DataFrame(rows), "处置记录": pd.DataFrame(ev), "统计": pd.DataFrame(summ)})


def recovery_workbook(doc: dict[str, Any], out: Path) -> Path:
    """成本 / 收入 / 现金流 / 汇总."""
    costs = pd.DataFrame([{"成本项目": COST_ITEMS.get(c["item"], c["item"]), "说明": c["label"], "对象": c["holder"],
                           "日期": c["date"], "金额(万元)": c["amount_wan"]} for c in doc["costs"]])
    revs = pd.DataFrame([{"收入项目": r["label"], "日期": r["date"], "金额(万元)": r["amount_wan"], "计价依据": r["basis"]}
                         for r in doc["revenues"]])
    cf = pd.DataFrame([{"年度": c["year"], "流入(万元)": c["inflow_wan"], "流出(万元)": c["outflow_wan"],
                        "净额(万元)": c["net_wan"], "累计(万元)": c["cumulative_wan"]} for c in doc["cash_flow"]])
    t = doc["totals"]
    summ = pd.DataFrame([{"项目": "名称", "数值": doc["name"]}, {"项目": "面积(公顷)", "数值": doc["area_ha"]},
                         {"项目": "成本合计(万元)", "数值": t["cost_wan"]}, {"项目": "收入合计(万元)", "数值": t["revenue_wan"]},
                         {"项目": "净收益(万元，负数为亏损)", "数值": t["net_gain_wan"]}, {"项目": "投入产出比", "数值": t["roi"]}])
    return _write(out, {"成本": costs, "收入": revs, "现金流": cf, "汇总": summ})
