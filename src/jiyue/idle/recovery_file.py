"""The input file of ``jiyue recovery``: a recovery and re-grant case in TOML or JSON.

Every problem in the file is collected and reported at once (``[[costs]] #2 amount_wan: …``).
Format (TOML shown; JSON has the same keys; money in 万元 via ``amount_wan`` or in 元 via
``amount_yuan``; dates as ``2020-08-15``)::

    [recovery]
    name = "…"                       # required
    pathway = "low_efficiency_buyback"  # free_recovery | paid_recovery | protocol_purchase |
                                     # public_interest | allocated_unused | low_efficiency_buyback
    area_m2 = 54300                  # or area_ha / area_mu (1 ha = 15 亩)
    zone_code = "…"                  # optional; also note, source (free text)

    [[holders]]                      # optional: the land users whose land is recovered
    name = "…"; area_m2 = 12000; parcel_id = "…"

    [[costs]]                        # one per cost item (required: item, date, amount)
    item = "holder_compensation"     # see COST_ITEMS
    date = 2019-06-30
    amount_wan = 1850.0
    holder = "…"; label = "…"        # optional

    [[revenues]]                     # required: item, date and an amount, or a price basis:
    item = "regrant"                 # regrant | idle_fee | value_increment | other
    date = 2020-08-15
    amount_wan = 33700               # or: area_m2|area_mu|area_ha + far + floor_price_yuan_per_m2
                                     # or: area… + unit_price_wan_per_mu | unit_price_yuan_per_m2

    [[allocations]]                  # optional statutory earmarks (reported; subtracted if subtract = true)
    item = "education_fund"; rate = 0.10; base = "revenue"   # or "net_gain"

    [waterfall]                      # optional, free recovery (B.3): proceeds_wan defaults to the re-grant revenue
    disposal_costs_wan = 30; unpaid_compensation_wan = 200; unpaid_grant_price_wan = 0

    [compensation_floor]             # optional, negotiated recovery (B.1 Hainan floor)
    acquisition_cost_wan = 1500; deed_tax_wan = 45; direct_losses_wan = 100
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from jiyue.errors import JiyueError, UsageError
from jiyue.idle.calendar import to_date
from jiyue.idle.recovery import (
    ALLOCATION_BASES,
    COST_ITEMS,
    PATHWAYS,
    REVENUE_ITEMS,
    Allocation,
    Case,
    Flow,
    floor_revenue_wan,
)
from jiyue.landrules import M2_PER_HA, M2_PER_MU


class RecoveryFileError(JiyueError):
    """The recovery file is malformed (every problem listed); exit 2."""

    exit_code = 2


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _area(d: dict[str, Any], where: str, errors: list[str], required: bool = False) -> float | None:
    given = [k for k in ("area_m2", "area_ha", "area_mu") if k in d]
    if not given:
        if required:
            errors.append(f"{where}：缺少面积（area_m2、area_ha 或 area_mu 之一）")
        return None
    if len(given) > 1:
        errors.append(f"{where}：面积只能给一种（现为 {'、'.join(given)}）")
    k = given[0]
    v = _num(d[k])
    if v is None or v <= 0:
        errors.append(f"{where}：{k} 应为正数，实际为 {d[k]!r}")
        return None
    return v * {"area_m2": 1.0, "area_ha": M2_PER_HA, "area_mu": M2_PER_MU}[k]


def _date(d: dict[str, Any], where: str, errors: list[str]) -> dt.date | None:
    if "date" not in d:
        errors.append(f"{where}：缺少日期 date（现金流按年度列出，每笔都须注明日期）")
        return None
    try:
        v = to_date(d["date"])
    except (ValueError, TypeError):
        v = None
    if v is None:
        errors.append(f"{where}：date 不是有效日期：{d['date']!r}，应为如 2020-08-15 的日期")
    return v


def _amount(d: dict[str, Any], where: str, errors: list[str]) -> tuple[float | None, str]:
    if "amount_wan" in d and "amount_yuan" in d:
        errors.append(f"{where}：amount_wan 与 amount_yuan 只能给一个")
    if "amount_wan" in d or "amount_yuan" in d:
        k = "amount_wan" if "amount_wan" in d else "amount_yuan"
        v = _num(d[k])
        if v is None or v < 0:
            errors.append(f"{where}：{k} 应为非负数，实际为 {d[k]!r}")
            return None, ""
        return (v if k == "amount_wan" else v / 1e4), ""
    return None, ""


def _revenue_amount(d: dict[str, Any], where: str, errors: list[str]) -> tuple[float | None, str]:
    amount, basis = _amount(d, where, errors)
    if amount is not None or "amount_wan" in d or "amount_yuan" in d:
        return amount, basis
    area = _area(d, where, errors)
    if area is None:
        errors.append(f"{where}：缺少金额（amount_wan / amount_yuan）或计价依据（面积 + 价格）")
        return None, ""
    if "floor_price_yuan_per_m2" in d:
        far, price = _num(d.get("far")), _num(d["floor_price_yuan_per_m2"])
        if far is None or far <= 0 or price is None or price < 0:
            errors.append(f"{where}：按楼面价计价需要正数 far 和非负 floor_price_yuan_per_m2")
            return None, ""
        return floor_revenue_wan(area, far, price), f"{area:,.2f} m² × 容积率 {far:g} × 楼面价 {price:,.2f} 元/m²"
    if "unit_price_wan_per_mu" in d:
        p = _num(d["unit_price_wan_per_mu"])
        if p is None or p < 0:
            errors.append(f"{where}：unit_price_wan_per_mu 应为非负数")
            return None, ""
        return area / M2_PER_MU * p, f"{area / M2_PER_MU:,.4f} 亩 × {p:,.4f} 万元/亩"
    if "unit_price_yuan_per_m2" in d:
        p = _num(d["unit_price_yuan_per_m2"])
        if p is None or p < 0:
            errors.append(f"{where}：unit_price_yuan_per_m2 应为非负数")
            return None, ""
        return area * p / 1e4, f"{area:,.2f} m² × {p:,.2f} 元/m²"
    errors.append(f"{where}：给了面积但没有价格（floor_price_yuan_per_m2 + far、unit_price_wan_per_mu 或 "
                  "unit_price_yuan_per_m2）")
    return None, ""


def _table_list(data: dict[str, Any], key: str, errors: list[str], where: str) -> list[dict[str, Any]]:
    v = data.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
        errors.append(f"{where}：[[{key}]] 应为表的列表")
        return []
    return v


def parse_case(data: dict[str, Any], source: str = "") -> Case:
    """Build a :class:`Case` from parsed TOML/JSON; every problem reported at once."""
    errors: list[str] = []
    where = source or "收储测算文件"
    known = {"recovery", "holders", "costs", "revenues", "allocations", "waterfall", "compensation_floor"}
    for k in data:
        if k not in known:
            errors.append(f"{where}：不认识的部分 [{k}]（可用：{'、'.join(sorted(known))}）")
    head = data.get("recovery")
    if not isinstance(head, dict) or not str(head.get("name") or "").strip():
        errors.append(f"{where}：缺少 [recovery] 表中的 name")
        head = head if isinstance(head, dict) else {}
    pathway = head.get("pathway")
    if pathway is not None and pathway not in PATHWAYS:
        errors.append(f"{where}：[recovery] pathway「{pathway}」不存在，应为：{'、'.join(PATHWAYS)}")
    area = _area(head, f"{where} [recovery]", errors) if any(k in head for k in ("area_m2", "area_ha", "area_mu")) \
        else None
    holders = []
    for i, h in enumerate(_table_list(data, "holders", errors, where), 1):
        w = f"{where} [[holders]] 第{i}条"
        if not str(h.get("name") or "").strip():
            errors.append(f"{w}：缺少 name")
        ha = _area(h, w, errors) if any(k in h for k in ("area_m2", "area_ha", "area_mu")) else None
        holders.append({"name": h.get("name"), "area_m2": ha, "parcel_id": h.get("parcel_id"),
                        "enterprise_id": h.get("enterprise_id")})
    costs = []
    for i, c in enumerate(_table_list(data, "costs", errors, where), 1):
        w = f"{where} [[costs]] 第{i}条"
        item = c.get("item")
        if item not in COST_ITEMS:
            errors.append(f"{w}：item「{item}」不存在，应为：{'、'.join(COST_ITEMS)}")
        d = _date(c, w, errors)
        amount, basis = _amount(c, w, errors)
        if amount is None and "amount_wan" not in c and "amount_yuan" not in c:
            errors.append(f"{w}：缺少金额 amount_wan 或 amount_yuan")
        if item in COST_ITEMS and d is not None and amount is not None:
            costs.append(Flow(item, amount, d, str(c.get("label") or ""), c.get("holder"), basis))
    revenues = []
    for i, r in enumerate(_table_list(data, "revenues", errors, where), 1):
        w = f"{where} [[revenues]] 第{i}条"
        item = r.get("item")
        if item not in REVENUE_ITEMS:
            errors.append(f"{w}：item「{item}」不存在，应为：{'、'.join(REVENUE_ITEMS)}")
        d = _date(r, w, errors)
        amount, basis = _revenue_amount(r, w, errors)
        if item in REVENUE_ITEMS and d is not None and amount is not None:
            revenues.append(Flow(item, amount, d, str(r.get("label") or ""), None, basis))
    allocations = []
    for i, a in enumerate(_table_list(data, "allocations", errors, where), 1):
        w = f"{where} [[allocations]] 第{i}条"
        rate = _num(a.get("rate"))
        base = a.get("base", "revenue")
        if rate is None or not 0 <= rate <= 1:
            errors.append(f"{w}：rate 应为 0 与 1 之间的数")
        if base not in ALLOCATION_BASES:
            errors.append(f"{w}：base 应为 {' 或 '.join(ALLOCATION_BASES)}")
        if not a.get("item"):
            errors.append(f"{w}：缺少 item")
        if rate is not None and base in ALLOCATION_BASES:
            allocations.append(Allocation(str(a.get("item")), rate, base, bool(a.get("subtract", False)),
                                          str(a.get("label") or "")))
    wf = _money_table(data, "waterfall", ("proceeds_wan", "disposal_costs_wan", "unpaid_compensation_wan",
                                          "unpaid_grant_price_wan"), errors, where)
    cf = _money_table(data, "compensation_floor", ("acquisition_cost_wan", "deed_tax_wan", "direct_losses_wan"),
                      errors, where)
    if cf is not None and "acquisition_cost_wan" not in cf:
        errors.append(f"{where}：[compensation_floor] 缺少 acquisition_cost_wan")
    if not costs and not revenues and not errors:
        errors.append(f"{where}：没有任何成本 [[costs]] 或收入 [[revenues]]")
    if errors:
        raise RecoveryFileError(f"收储测算文件 {where} 有 {len(errors)} 处问题：\n"
                                + "\n".join(f"  - {e}" for e in errors))
    meta = {k: head.get(k) for k in ("zone_code", "note", "source") if head.get(k) is not None}
    return Case(name=str(head["name"]), pathway=pathway, area_m2=area, holders=holders, costs=costs,
                revenues=revenues, allocations=allocations, waterfall=wf, compensation_floor=cf, meta=meta)


def _money_table(data: dict[str, Any], key: str, fields: tuple[str, ...], errors: list[str], where: str
                 ) -> dict[str, float] | None:
    if key not in data:
        return None
    t = data[key]
    if not isinstance(t, dict):
        errors.append(f"{where}：[{key}] 应为表")
        return None
    out = {}
    for k, v in t.items():
        if k not in fields:
            errors.append(f"{where}：[{key}] 中不认识的 {k}（可用：{'、'.join(fields)}）")
            continue
        n = _num(v)
        if n is None or n < 0:
            errors.append(f"{where}：[{key}] {k} 应为非负数，实际为 {v!r}")
            continue
        out[k] = n
    return out


def load_case(path: str | Path) -> tuple[Case, str]:
    """Read a TOML (.toml) or JSON (.json) recovery file; returns (case, sha256 of the file)."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"找不到收储测算文件：{p}")
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise RecoveryFileError(f"无法读取收储测算文件 {p}：{e}") from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        kind = "JSON" if p.suffix.lower() == ".json" else "TOML"
        raise RecoveryFileError(f"收储测算文件 {p} 不是有效的 {kind}：{e}") from None
    if not isinstance(data, dict):
        raise RecoveryFileError(f"收储测算文件 {p} 的顶层应为表（对象）")
    return parse_case(data, str(p)), hashlib.sha256(raw).hexdigest()
