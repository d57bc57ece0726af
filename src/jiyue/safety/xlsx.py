"""A zone's Excel hazard ledger (Chinese headers) in and out.

Import: one row per hazard (a row without 隐患描述 is an inspection that found nothing); rows
with the same 检查日期 + 检查组 + 企业 are one inspection. Every bad row is reported (row number,
column, found, expected) and nothing is imported when any row is bad; enterprises are matched
to the store's by name or credit code. The row's state (整改情况) becomes the events that lead
to it, each checked by the engine.

Export: the same columns, user text written with ``write_string`` (never ``write``: no formula
from a cell's text can run in Excel).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jiyue.errors import PackageUnreadable
from jiyue.safety import engine, labels
from jiyue.safety.engine import Refused
from jiyue.safety.rules import Rules

ALIASES = {
    "整改情况": ("整改情况", "整改状态", "状态", "整改情况/状态", "整改情况（状态）"),
    "企业名称": ("企业名称", "单位名称", "被检查单位", "企业"),
    "检查人员": ("检查人员", "检查人", "执法人员"),
    "隐患等级": ("隐患等级", "隐患级别", "等级"),
    "罚款（万元）": ("罚款（万元）", "罚款金额（万元）"),
    "拟处罚（万元）": ("拟处罚（万元）", "拟处罚金额（万元）"),
    "责令停产整顿": ("责令停产整顿", "停产停业整顿", "停产整顿"),
    "整改证明材料": ("整改证明材料", "整改佐证", "佐证材料", "证明材料"),
    "判定标准条款": ("判定标准条款", "判定依据", "重大隐患判定条款"),
}
_SPLIT = re.compile(r"[、,，;；/\s]+")


def _norm(h: Any) -> str:
    return "".join(str(h or "").split()).replace("(", "（").replace(")", "）")


def _canon() -> dict[str, str]:
    out = {_norm(h): h for h in labels.HEADERS}
    for k, names in ALIASES.items():
        for n in names:
            out[_norm(n)] = k
    return out


@dataclass
class RowProblem:
    row: int
    column: str
    found: str
    expected: str

    def text(self) -> str:
        return f"第 {self.row} 行「{self.column}」：{self.found or '（空）'}；应为：{self.expected}"

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "found": self.found, "expected": self.expected}


class ImportRefused(Refused):
    """The workbook has bad rows; nothing was imported (exit 1)."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.rows = problems
        head = f"台账有 {len(problems)} 处问题，未导入任何记录："
        super().__init__([head, *(f"  - {p.text()}" for p in problems)])


def read_rows(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header row (found among the first 10 rows: the one naming 企业名称 and 检查日期) and data rows."""
    from python_calamine import CalamineWorkbook  # the reader of the data packages' workbooks too

    p = Path(path)
    if not p.is_file():
        raise PackageUnreadable(f"台账文件不存在：{p}")
    try:
        wb = CalamineWorkbook.from_path(str(p))
        sheet = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as e:  # noqa: BLE001 - any reason the file is not a workbook
        raise PackageUnreadable(f"无法读取台账「{p.name}」：{type(e).__name__}（应为 .xlsx 工作簿）") from None
    # an empty cell is None, as a clerk's blank
    rows = [tuple(None if c == "" else c for c in row) for row in sheet]
    canon = _canon()
    for i, row in enumerate(rows[:10]):
        names = [canon.get(_norm(c), _norm(c)) for c in row]
        if "企业名称" in names and "检查日期" in names:
            header = names
            data = []
            for j, r in enumerate(rows[i + 1:], start=i + 2):
                if r is None or all(c is None or str(c).strip() == "" for c in r):
                    continue
                data.append((j, {header[k]: r[k] for k in range(min(len(header), len(r))) if header[k]}))
            return header, data
    raise PackageUnreadable(f"台账「{p}」的前 10 行中找不到表头（须含「企业名称」和「检查日期」列）")


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    return str(v).strip()


def _date(v: Any) -> dt.date | None | str:
    from jiyue.normalize import parse_date

    d = parse_date(v)
    if d is None:
        return None
    if isinstance(d, dt.date):
        return d
    return "bad"


def _num(v: Any) -> float | None | str:
    if v is None or _s(v) == "":
        return None
    try:
        return float(_s(v).replace(",", ""))
    except ValueError:
        return "bad"


def _state_of(word: str) -> str | None:
    w = _norm(word)
    if not w:
        return "found"
    for st, words in labels.STATUS_WORDS.items():
        if w in words or w == labels.STATE.get(st):
            return st
    return None


def parse_ledger(path: str | Path, ents: list[dict[str, Any]], rules: Rules
                 ) -> tuple[list[dict[str, Any]], list[RowProblem], str | None]:
    """Rows → bulk records (see :func:`jiyue.safety.service.bulk_load`), every problem, the campaign name."""
    from jiyue.safety.service import match_enterprise

    header, rows = read_rows(path)
    problems: list[RowProblem] = []
    missing = [h for h in labels.REQUIRED if h not in header]
    if missing:
        raise ImportRefused([RowProblem(1, m, "（没有这一列）", "表头须含此列") for m in missing])
    inspections: dict[tuple[Any, ...], dict[str, Any]] = {}
    campaign = None
    levels = "、".join(rules.level_labels())
    words = "、".join(w for ws in labels.STATUS_WORDS.values() for w in ws[:2])
    for n, r in rows:
        bad = len(problems)

        def prob(col: str, found: Any, expected: str, n: int = n) -> None:
            problems.append(RowProblem(n, col, _s(found), expected))

        dates: dict[str, dt.date | None] = {}
        for col in ("检查日期", "整改期限", "整改完成日期", "复查日期", "销号日期"):
            d = _date(r.get(col))
            if isinstance(d, str):  # "bad"
                prob(col, r.get(col), "日期，如 2021-01-10")
                d = None
            dates[col] = d
        for col in labels.REQUIRED:
            if _s(r.get(col)) == "":
                prob(col, "", "不能为空")
        ent = match_enterprise(ents, _s(r.get("企业名称")), _s(r.get("统一社会信用代码")) or None)
        if ent is None and _s(r.get("企业名称")):
            prob("企业名称", r.get("企业名称"), "数据库企业名录中的企业名称或统一社会信用代码（未找到该企业）")
        nums: dict[str, float | None] = {}
        for col in ("罚款（万元）", "拟处罚（万元）", "整改资金（万元）"):
            v = _num(r.get(col))
            if isinstance(v, str) or (v is not None and v < 0):  # "bad", or negative
                prob(col, r.get(col), "不小于 0 的数（万元）")
                v = None
            nums[col] = v
        flags: dict[str, bool] = {}
        for col in ("责令限期整改", "责令停产整顿", "立案"):
            t = _s(r.get(col))
            if t in labels.YES:
                flags[col] = True
            elif t in labels.NO:
                flags[col] = False
            else:
                prob(col, t, "是 或 否（可空）")
        desc = _s(r.get("隐患描述"))
        state = _state_of(_s(r.get("整改情况")))
        if state is None:
            prob("整改情况", r.get("整改情况"), words)
        level = _s(r.get("隐患等级"))
        if desc and rules.grade_of(level) is None:
            prob("隐患等级", level, levels)
        inspected = dates["检查日期"]
        order = [("检查日期", inspected), ("整改完成日期", dates["整改完成日期"]), ("复查日期", dates["复查日期"]),
                 ("销号日期", dates["销号日期"])]
        last = None
        for col, d in order:
            if d is not None and last is not None and d < last[1]:
                prob(col, d.isoformat(), f"不早于{last[0]}（{last[1].isoformat()}）")
            if d is not None:
                last = (col, d)
        if inspected and dates["整改期限"] and dates["整改期限"] < inspected:
            prob("整改期限", dates["整改期限"].isoformat(), f"不早于检查日期（{inspected.isoformat()}）")
        if not desc and (state or "found") != "found":
            prob("隐患描述", "", "有整改情况的行须写明隐患描述")
        if _s(r.get("专项行动")):
            campaign = campaign or _s(r.get("专项行动"))
        if len(problems) > bad or inspected is None or ent is None:
            continue
        # the events that lead to the row's state, checked by the engine
        plan = {"measures": _s(r.get("整改措施")) or None, "responsible_person": _s(r.get("整改责任人")) or None,
                "funds_wan": nums["整改资金（万元）"], "emergency_plan": _s(r.get("应急预案")) or None,
                "deadline": dates["整改期限"].isoformat() if dates["整改期限"] else None}
        evidence = _s(r.get("整改证明材料"))
        events: list[dict[str, Any]] = []
        rank = ("found", "rectifying", "submitted", "reinspected", "closed").index(state or "found")
        need: dict[int, list[tuple[str, object]]] = {
            1: [("整改措施", plan["measures"]), ("整改责任人", plan["responsible_person"])],
            2: [("整改完成日期", dates["整改完成日期"]), ("整改证明材料", evidence)],
            3: [("复查日期", dates["复查日期"]), ("复查人", _s(r.get("复查人")))], 4: [("销号日期", dates["销号日期"])]}
        for step in range(1, rank + 1):
            for col, given in need[step]:
                if given in (None, ""):
                    prob(col, "", f"整改情况为「{_s(r.get('整改情况'))}」时须填写")
        hz: dict[str, Any] | None = None
        if desc and len(problems) == bad:
            ev_note = f"导入自台账「{Path(path).name}」第 {n} 行"
            if rank >= 1:
                events.append({"kind": "rectify", "on": inspected, "payload": {k: v for k, v in plan.items() if v}})
            if rank >= 2:
                events.append({"kind": "submit", "on": dates["整改完成日期"], "payload": {"note": ev_note},
                               "evidence": [(evidence[:200], None, ev_note)]})
            if rank >= 3:
                events.append({"kind": "reinspect", "on": dates["复查日期"],
                               "payload": {"passed": True, "reviewer": _s(r.get("复查人")), "note": ev_note}})
            if rank >= 4:
                events.append({"kind": "close", "on": dates["销号日期"], "payload": {"note": ev_note}})
            hz = {"description": desc, "category": _s(r.get("隐患类别")) or None, "level": level,
                  "item": _s(r.get("判定标准条款")) or None, "deadline": plan["deadline"],
                  "plan": None, "events": events}
            try:  # the engine's own checks (deadline limits, 五落实, item codes …)
                h, _ = engine.found(0, level=level, found_date=inspected, rules=rules, deadline=dates["整改期限"],
                                    item=hz["item"])
                for ev in events:
                    h = engine.apply(h, {**ev, "evidence": len(ev.get("evidence") or [])}, rules)
            except Refused as e:
                for msg in e.problems:
                    prob("整改情况" if rank else "隐患等级", _s(r.get("整改情况")) or level, msg)
        if len(problems) > bad:
            continue
        key = (_s(r.get("检查编号")),) if _s(r.get("检查编号")) else (inspected, _s(r.get("检查组")), ent["enterprise_id"])
        rec = inspections.setdefault(key, {
            "on": inspected, "group": _s(r.get("检查组")), "mode": _s(r.get("检查方式")) or None,
            "inspectors": [x for x in _SPLIT.split(_s(r.get("检查人员"))) if x],
            "enterprise_id": ent["enterprise_id"], "enterprise_name": ent["name"], "hazards": [], "enforcement": [],
            "note": f"导入自台账第 {n} 行"})
        idx = None
        if hz is not None:
            rec["hazards"].append(hz)
            idx = len(rec["hazards"]) - 1
        article = _s(r.get("执法依据")) or None
        if flags.get("责令限期整改"):
            rec["enforcement"].append({"measure": "order", "on": inspected, "article": article, "hazard": idx})
        if nums["罚款（万元）"]:
            rec["enforcement"].append({"measure": "fine", "on": inspected, "amount_wan": nums["罚款（万元）"],
                                       "article": article, "hazard": idx})
        if flags.get("责令停产整顿"):
            rec["enforcement"].append({"measure": "stop", "on": inspected, "article": article, "hazard": idx})
        if flags.get("立案"):
            rec["enforcement"].append({"measure": "case", "on": inspected, "amount_wan": nums["拟处罚（万元）"],
                                       "article": article, "hazard": idx})
        for enf in rec["enforcement"]:
            try:
                engine.check_enforcement(enf["measure"], enf.get("amount_wan"), rules)
            except Refused as x:
                which = "罚款（万元）" if enf["measure"] == "fine" else "拟处罚（万元）"
                prob(which, enf.get("amount_wan"), x.message)
    return list(inspections.values()), problems, campaign


# --------------------------------------------------------------------------- export
def ledger_rows(hz: list[dict[str, Any]], events: dict[int, list[dict[str, Any]]],
                enforcement: list[dict[str, Any]], ins: dict[int, dict[str, Any]], campaign: str,
                credit: dict[str, str]) -> list[list[Any]]:
    """One row per hazard (and per inspection without hazards) in :data:`labels.HEADERS` order."""
    out: list[list[Any]] = []
    by_h: dict[int, list[dict[str, Any]]] = {}
    for e in enforcement:
        if e.get("hazard_id") is not None:
            by_h.setdefault(int(e["hazard_id"]), []).append(e)
    seen_ins = set()
    for h in hz:
        i = ins[h["inspection_id"]]
        seen_ins.add(h["inspection_id"])
        cur = h["current"]
        evs = {e["kind"]: e for e in events.get(h["hazard_id"], [])}
        files = [f["file_name"] for e in events.get(h["hazard_id"], []) for f in e["files"]]
        enf = by_h.get(h["hazard_id"], [])
        fine = sum(float(e.get("amount_wan") or 0) for e in enf if e["measure"] == "fine")
        case = [e for e in enf if e["measure"] == "case"]
        out.append([len(out) + 1, campaign, str(i["inspection_id"]), i["on"], i["group"], "、".join(i["inspectors"]),
                    i.get("mode"), i.get("enterprise"), credit.get(i.get("enterprise_id") or "", ""), h["description"],
                    h.get("category"), h["level"], h.get("item"), cur.get("measures"), cur.get("deadline"),
                    cur.get("responsible_person"), cur.get("funds_wan"), cur.get("emergency_plan"),
                    labels.STATE[h["state"]], evs.get("submit", {}).get("on"), cur.get("reinspected_on"),
                    cur.get("reviewer"), cur.get("closed_on"), "；".join(files),
                    "是" if any(e["measure"] == "order" for e in enf) else "否", round(fine, 4) if fine else None,
                    "是" if any(e["measure"] == "stop" for e in enf) else "否", "是" if case else "否",
                    sum(float(e.get("amount_wan") or 0) for e in case) or None,
                    "；".join(dict.fromkeys(e["article"] for e in enf)) or None])
    for iid, i in ins.items():
        if iid in seen_ins:
            continue
        enf = [e for e in enforcement if e.get("inspection_id") == iid and e.get("hazard_id") is None]
        fine = sum(float(e.get("amount_wan") or 0) for e in enf if e["measure"] == "fine")
        case = [e for e in enf if e["measure"] == "case"]
        out.append([len(out) + 1, campaign, str(iid), i["on"], i["group"], "、".join(i["inspectors"]), i.get("mode"),
                    i.get("enterprise"), credit.get(i.get("enterprise_id") or "", ""), None, None, None, None, None,
                    None, None, None, None, None, None, None, None, None, None,
                    "是" if any(e["measure"] == "order" for e in enf) else "否", round(fine, 4) if fine else None,
                    "是" if any(e["measure"] == "stop" for e in enf) else "否", "是" if case else "否",
                    sum(float(e.get("amount_wan") or 0) for e in case) or None,
                    "；".join(dict.fromkeys(e["article"] for e in enf)) or None])
    return out


def write_workbook(out: Path, ledger: list[list[Any]], stats_rows: list[tuple[str, Any]],
                   by: dict[str, list[list[Any]]]) -> Path:
    """台账 / 统计 / 分组统计 sheets; text through ``write_string``, numbers through ``write_number``."""
    from jiyue.workbook import open_workbook

    out.parent.mkdir(parents=True, exist_ok=True)
    wb = open_workbook(out)
    try:
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})

        def cell(ws: Any, r: int, c: int, v: Any) -> None:
            if v is None:
                return
            if isinstance(v, bool):
                ws.write_string(r, c, "是" if v else "否")
            elif isinstance(v, int | float):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))

        def sheet(name: str, header: list[str] | tuple[str, ...], rows: list[list[Any]]) -> None:
            ws = wb.add_worksheet(name)
            for c, h in enumerate(header):
                ws.write_string(0, c, h, head)
                ws.set_column(c, c, min(40, max(10, len(h) * 2 + 2)))
            for r, row in enumerate(rows, start=1):
                for c, v in enumerate(row):
                    cell(ws, r, c, v)
            ws.freeze_panes(1, 0)

        sheet("隐患排查治理台账", labels.HEADERS, ledger)
        sheet("统计", ["项目", "数值"], [list(x) for x in stats_rows])
        for name, rows in by.items():
            sheet(name, ["分组", *[label for _, label in labels.STAT_ROWS]], rows)
    finally:
        wb.close()
    return out
