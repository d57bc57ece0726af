"""The demo campaign, calibrated to the seed's figures (Liaocheng ETDZ, winter 2021):

"自1月10日以来，安委会成员单位共出动检查组494组，出动人员1611人次，检查问题1090项，目前已整改699项，
总计罚款1.45万元，停产停业整顿9起，立案2起，拟处罚5.1万元。"

Generated over the store's own enterprises (industrial ones first), deterministic for a seed.
The statistics of the campaign at 2021-02-02 reproduce those figures exactly (a test checks it).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TypedDict

from jiyue.safety.rules import Rules

NAME = "2021年岁末年初安全生产隐患排查整治（演示）"
START, END = dt.date(2021, 1, 10), dt.date(2021, 2, 2)


class Figures(TypedDict):
    """The campaign's published figures: counts, and amounts in 万元."""

    groups: int
    person_times: int
    found: int
    rectified: int
    fines_wan: float
    stops: int
    cases: int
    case_penalty_wan: float


SEED: Figures = {"groups": 494, "person_times": 1611, "found": 1090, "rectified": 699, "fines_wan": 1.45,
                 "stops": 9, "cases": 2, "case_penalty_wan": 5.1}
FINES_WAN = (0.2, 0.3, 0.25, 0.2, 0.3, 0.2)           # 6 fines, 1.45 万元
CASES_WAN = (3.0, 2.1)                                # 2 cases, 5.1 万元 proposed
MAJOR = 12                                            # major hazards among the 1,090 (demo value)

# (category, description, 判定标准 item for a major one or None)
HAZARDS: tuple[tuple[str, str, str | None], ...] = (
    ("消防安全", "灭火器压力不足或过期未检", None), ("消防安全", "疏散通道堆放杂物", None),
    ("消防安全", "应急照明灯损坏", None), ("电气安全", "配电箱未可靠接地", None),
    ("电气安全", "临时用电私拉乱接", None), ("机械安全", "传动部位防护罩缺失", None),
    ("特种设备", "叉车未按期检验", None), ("危险化学品", "危险化学品未分类分区储存", None),
    ("安全管理", "安全教育培训记录不全", None), ("安全管理", "隐患自查台账未建立", None),
    ("有限空间", "有限空间作业未履行审批", None), ("粉尘防爆", "除尘系统积尘未定期清理", None),
)
MAJORS: tuple[tuple[str, str, str | None], ...] = (
    ("粉尘防爆", "除尘器未设置泄爆装置", "第11条第（1）项"),
    ("涉氨制冷", "液氨车间未设置氨气泄漏报警装置", "第12条第（3）项"),
    ("有限空间", "有毒有害有限空间作业未进行气体检测", "第13条第（1）项"),
    ("安全管理", "未对承包单位进行安全生产统一协调管理", "第3条第（3）项"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞")
MODES = ("四不两直", "专项", "日常", "回头看")


def _people(rng: random.Random, n: int) -> list[str]:
    pool = sorted({s + g for s in SURNAMES for g in GIVEN})
    return rng.sample(pool, n)


def records(ents: list[dict[str, Any]], rules: Rules, seed: int = 2021) -> list[dict[str, Any]]:
    """494 inspections of the store's enterprises with 1,090 hazards and the seed's enforcement."""
    if not ents:
        from jiyue.safety.engine import Refused

        raise Refused("数据库中没有企业，无法生成安全生产演示台账；请先导入数据包（jiyue import）")
    rng = random.Random(seed)
    firms = sorted(ents, key=lambda e: (not str(e.get("industry_code") or "").startswith("C"), e["enterprise_id"]))
    firms = firms[:max(1, min(len(firms), 160))]
    inspectors = _people(rng, 60)
    days = (END - START).days + 1
    # person-times: 1611 = 494 × 3 + 129 → 129 groups of 4, 365 of 3
    sizes = [4] * 129 + [3] * 365
    rng.shuffle(sizes)
    # hazards: 1,090 spread over 494 inspections (some find nothing)
    per = [0] * 494
    for _ in range(SEED["found"]):
        per[rng.randrange(494)] += 1
    recs: list[dict[str, Any]] = []
    for i in range(494):
        on = START + dt.timedelta(days=rng.randrange(days))
        firm = firms[i % len(firms)] if i < len(firms) else rng.choice(firms)
        recs.append({"on": on, "group": f"安委会第{rng.randint(1, 24)}检查组", "mode": rng.choice(MODES),
                     "inspectors": rng.sample(inspectors, sizes[i]), "enterprise_id": firm["enterprise_id"],
                     "enterprise_name": firm["name"], "note": "演示数据", "hazards": [], "enforcement": []})
    slots = [(i, k) for i in range(494) for k in range(per[i])]
    major_slots = set(rng.sample(range(len(slots)), MAJOR))
    rectified = set(rng.sample(range(len(slots)), SEED["rectified"]))
    photo = [("整改后照片（演示）.jpg", None, "演示数据：整改前后照片")]
    for n, (i, _) in enumerate(slots):
        rec = recs[i]
        f = rec["on"]
        left = (END - f).days
        if n in major_slots:
            cat, desc, item = MAJORS[n % len(MAJORS)]
            level = "重大"
            plan = {"measures": f"停用相关设备，{desc[:-2] if desc.endswith('装置') else desc}整改", "funds_wan": 8.0,
                    "responsible_person": "企业主要负责人", "emergency_plan": "专项应急预案",
                    "deadline": (f + dt.timedelta(days=60)).isoformat()}
        else:
            cat, desc, item = HAZARDS[rng.randrange(len(HAZARDS))]
            level = "一般"
            plan = {"measures": f"立即整改：{desc}", "responsible_person": "车间主任",
                    "deadline": (f + dt.timedelta(days=rng.choice((3, 7, 15)))).isoformat()}
        events: list[dict[str, Any]] = []
        reviewer = rng.choice(inspectors)
        if n in rectified:
            sub = f + dt.timedelta(days=rng.randint(0, min(5, left)))
            rev = sub + dt.timedelta(days=rng.randint(0, min(3, (END - sub).days)))
            events += [{"kind": "rectify", "on": f, "payload": plan},
                       {"kind": "submit", "on": sub, "payload": {"note": "企业提交整改材料"}, "evidence": photo},
                       {"kind": "reinspect", "on": rev, "payload": {"passed": True, "reviewer": reviewer}}]
            if rng.random() < 0.6:
                events.append({"kind": "close", "on": rev, "payload": {"note": "复查合格，销号"}})
        else:
            r = rng.random()
            if r < 0.66:
                events.append({"kind": "rectify", "on": f, "payload": plan})
            if r < 0.33:
                sub = f + dt.timedelta(days=rng.randint(0, left))
                events.append({"kind": "submit", "on": sub, "payload": {"note": "企业提交整改材料"},
                               "evidence": photo})
        rec["hazards"].append({"description": desc, "category": cat, "level": level, "item": item,
                               "deadline": plan["deadline"], "events": events})
    # enforcement: fines, stop orders, cases on inspections that found hazards
    with_h = [i for i in range(494) if recs[i]["hazards"]]
    picks = rng.sample(with_h, len(FINES_WAN) + 9 + len(CASES_WAN))
    fine_at, stop_at, case_at = picks[:6], picks[6:15], picks[15:]
    for i, amount in zip(fine_at, FINES_WAN, strict=True):
        recs[i]["enforcement"].append({"measure": "fine", "on": recs[i]["on"], "amount_wan": amount, "hazard": 0})
    for i in stop_at:
        recs[i]["enforcement"].append({"measure": "stop", "on": recs[i]["on"], "hazard": 0})
    for i, amount in zip(case_at, CASES_WAN, strict=True):
        recs[i]["enforcement"].append({"measure": "case", "on": recs[i]["on"], "amount_wan": amount, "hazard": 0})
    for i in with_h[:40]:
        recs[i]["enforcement"].append({"measure": "order", "on": recs[i]["on"], "hazard": 0})
    recs.sort(key=lambda r: r["on"])
    return recs
