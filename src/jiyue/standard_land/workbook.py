"""The standard-land workbook (Chinese headers): checks, controls, milestones, consequences, summary.

Sheets: 指标核查 (one row per check), 控制指标 (national controls), 到期与逾期, 处理后果,
开发区汇总, 说明 (date, rules, version, provenance, units).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jiyue.standard_land import labels
from jiyue.workbook import excel_writer

H = labels.HEAD


def _base(c: dict[str, Any]) -> dict[str, Any]:
    return {H["contract_no"]: c["contract_no"], H["parcel_id"]: c["parcel_id"], H["enterprise_id"]: c["enterprise_id"],
            H["zone_code"]: c["zone_code"], H["stage"]: labels.STAGE.get(c["stage"], c["stage"])}


def _check_rows(c: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for k in items:
        ratio = k.get("shortfall_ratio")
        rows.append(_base(c) | {
            H["indicator"]: labels.INDICATOR[k["indicator"]],
            H["check_stage"]: labels.CHECK_STAGE.get(k.get("check_stage", ""), ""),
            H["committed"]: k["committed"], H["actual"]: k["actual"],
            H["verdict"]: labels.VERDICT[k["verdict"]],
            H["shortfall_ratio"]: None if ratio is None else round(ratio * 100, 4),
            H["penalty_wan"]: k["penalty_wan"], H["basis"]: k["basis"]})
    return rows


def frames(doc: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The workbook's sheets as DataFrames."""
    checks, controls, ms, cons = [], [], [], []
    for c in doc["contracts"]:
        checks += _check_rows(c, c["checks"])
        controls += _check_rows(c, c["controls"])
        for state in ("overdue", "due"):
            for m in c[state]:
                ms.append(_base(c) | {H["state"]: labels.STATE[state], H["milestone"]: labels.MILESTONE[m["milestone"]],
                                      H["due"]: m["due"], H["days"]: m["days"]})
        for q in c["consequences"]:
            cons.append(_base(c) | {H["kind"]: labels.CONSEQUENCE[q["kind"]], H["amount_wan"]: q.get("amount_wan"),
                                    H["basis"]: q["basis"]})
    summary = pd.DataFrame([{labels.SUMMARY_HEAD[k]: z[k] for k in labels.SUMMARY_HEAD} for z in doc["summary"]])
    item, value = labels.MISC["about_item"], labels.MISC["about_value"]
    about = pd.DataFrame([
        {item: labels.ABOUT["as_of"], value: doc["as_of"]},
        {item: labels.ABOUT["rules"], value: f"{doc['rules']['name']} {doc['rules']['version']} {doc['rules']['title']}"},
        {item: labels.ABOUT["version"], value: f"jiyue {doc.get('jiyue_version', '')}"},
        {item: labels.ABOUT["provenance"], value: str(doc.get("provenance", ""))},
        {item: labels.MISC["about_note"], value: labels.ABOUT["units"]},
    ])
    return {labels.SHEETS["checks"]: pd.DataFrame(checks), labels.SHEETS["controls"]: pd.DataFrame(controls),
            labels.SHEETS["milestones"]: pd.DataFrame(ms), labels.SHEETS["consequences"]: pd.DataFrame(cons),
            labels.SHEETS["summary"]: summary, labels.SHEETS["about"]: about}


def write(doc: dict[str, Any], out: Path) -> Path:
    """Write the standard-land workbook."""
    with excel_writer(out) as xw:
        for name, df in frames(doc).items():
            if df.empty:
                df = pd.DataFrame({"": [labels.TEXT["no_items"]]})
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes(1, 0)
            for i, col in enumerate(df.columns):
                width = 60 if col == H["basis"] else min(40, max(10, len(str(col)) * 2))
                ws.set_column(i, i, width)
    return out
