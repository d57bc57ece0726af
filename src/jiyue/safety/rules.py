"""The safety rule file (TOML under ``rulesets/``): loaded, checked (every problem collected), frozen.

Every section names its ``source`` (the public document) and ``tag`` (C / R / L / own), which
the statistics and the docs print next to the figures they produced.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jiyue.errors import ProfileError

DEFAULT = "work-safety-2021"
TAGS = ("C", "R", "L", "own")
GRADES = ("general", "major")
MEASURES = ("order", "fine", "stop", "case")
STATES = ("found", "rectifying", "submitted", "reinspected", "closed", "escalated")


@dataclass(frozen=True)
class Rules:
    name: str
    version: str
    title: str
    grades: dict[str, dict[str, Any]]          # key -> {label, aliases, maps_to, source, tag}
    major_standard: dict[str, Any]
    deadlines: dict[str, dict[str, Any]]       # general/major -> {default_days, max_days, source, tag}
    five_in_place: list[str]
    reinspection_days: int
    closing: dict[str, Any]
    escalation: dict[str, Any]
    major_hazards: dict[str, Any]
    enforcement: dict[str, dict[str, Any]]
    statistics: dict[str, Any]
    closure: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)  # section -> {source, tag}

    def grade_of(self, text: str | None) -> str | None:
        """The national grade (general/major) of a level as written (一般, 重大隐患, 较大 …)."""
        t = (text or "").strip()
        for g in self.grades.values():
            if t == g["label"] or t in g["aliases"]:
                return str(g["maps_to"])
        return None

    def level_labels(self) -> list[str]:
        return [str(g["label"]) for g in self.grades.values()]

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "title": self.title, "sources": self.sources}


def _builtin(name: str) -> Path:
    return Path(str(resources.files("jiyue.safety") / "rulesets" / f"{name}.toml"))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in Path(str(resources.files("jiyue.safety") / "rulesets")).glob("*.toml"))


def load_rules(ref: str | Path | None = None) -> Rules:
    """A built-in rule file by name, or a TOML file by path; every problem is reported at once."""
    ref = ref or DEFAULT
    path = Path(ref)
    if not (path.suffix == ".toml" and path.exists()):
        if str(ref) not in builtin_names():
            raise ProfileError(f"隐患排查治理规则「{ref}」不存在；内置规则：{'、'.join(builtin_names())}，或给出 .toml 文件路径")
        path = _builtin(str(ref))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError(f"无法读取规则文件 {path}：{e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(f"规则文件 {path} 不是有效的 TOML：{e}") from None
    return parse_rules(data, str(path))


def _num(problems: list[str], sec: dict[str, Any], key: str, where: str, *, minimum: float = 0,
         integer: bool = False) -> Any:
    v = sec.get(key)
    ok = isinstance(v, int) if integer else isinstance(v, int | float)
    if isinstance(v, bool) or not ok or v < minimum:
        kind = "整数" if integer else "数值"
        problems.append(f"[{where}] {key} 应为不小于 {minimum} 的{kind}，实际为 {v!r}")
        return None
    return v


def _sourced(problems: list[str], sec: Any, where: str, sources: dict[str, dict[str, str]]) -> dict[str, Any]:
    if not isinstance(sec, dict):
        problems.append(f"缺少 [{where}] 一节")
        return {}
    src = sec.get("source") or sec.get("article")
    if not isinstance(src, str) or not src.strip():
        problems.append(f"[{where}] 缺少 source（依据的公开文件及条款）")
    elif src.startswith(("/", "./", "../", "~")):  # a path on some machine, not a public document
        problems.append(f"[{where}] source 应为公开文件本身，不能是本机路径：{src}")
    tag = sec.get("tag")
    if tag not in TAGS:
        problems.append(f"[{where}] tag 应为 {'/'.join(TAGS)} 之一，实际为 {tag!r}")
    sources[where] = {"source": str(src or ""), "tag": str(tag or "")}
    return sec


def parse_rules(data: dict[str, Any], where: str = "<rules>") -> Rules:
    problems: list[str] = []
    sources: dict[str, dict[str, str]] = {}
    head = data.get("rules") or {}
    for k in ("name", "version", "title"):
        if not isinstance(head.get(k), str) or not head.get(k):
            problems.append(f"[rules] 缺少 {k}")
    grades = data.get("grades") or {}
    if not isinstance(grades, dict) or not grades:
        problems.append("缺少 [grades]（隐患等级）")
        grades = {}
    seen: dict[str, str] = {}
    for key, g in grades.items():
        _sourced(problems, g, f"grades.{key}", sources)
        if not isinstance(g, dict):
            continue
        if g.get("maps_to") not in GRADES:
            problems.append(f"[grades.{key}] maps_to 应为 general 或 major，实际为 {g.get('maps_to')!r}")
        if not isinstance(g.get("label"), str) or not g.get("label"):
            problems.append(f"[grades.{key}] 缺少 label")
        aliases = g.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(f"[grades.{key}] aliases 应为文字列表")
            aliases = []
        g["aliases"] = aliases
        for a in {*aliases, g.get("label")}:
            if a in seen and seen[a] != key:
                problems.append(f"[grades.{key}] 等级名称「{a}」与 [grades.{seen[a]}] 重复")
            seen[str(a)] = key
    for gr in GRADES:
        if not any(isinstance(g, dict) and g.get("maps_to") == gr for g in grades.values()):
            problems.append(f"[grades] 没有映射到 {gr} 的等级")
    ms = _sourced(problems, data.get("major_standard"), "major_standard", sources)
    if ms:
        a = _num(problems, ms, "first_article", "major_standard", minimum=1, integer=True)
        b = _num(problems, ms, "last_article", "major_standard", minimum=1, integer=True)
        if a is not None and b is not None and a > b:
            problems.append(f"[major_standard] first_article {a} 大于 last_article {b}")
    deadlines: dict[str, dict[str, Any]] = {}
    for gr in GRADES:
        sec = _sourced(problems, (data.get("deadlines") or {}).get(gr), f"deadlines.{gr}", sources)
        if sec:
            d = _num(problems, sec, "default_days", f"deadlines.{gr}", integer=True)
            m = _num(problems, sec, "max_days", f"deadlines.{gr}", integer=True)
            if d is not None and m is not None and d > m:
                problems.append(f"[deadlines.{gr}] default_days {d} 大于 max_days {m}")
            deadlines[gr] = sec
    fip = _sourced(problems, data.get("five_in_place"), "five_in_place", sources)
    fields = fip.get("fields") if fip else []
    known = {"responsible_person", "measures", "funds_wan", "deadline", "emergency_plan"}
    if not isinstance(fields, list) or not set(fields) <= known:
        problems.append(f"[five_in_place] fields 只能取 {'、'.join(sorted(known))}，实际为 {fields!r}")
        fields = []
    re_ = _sourced(problems, data.get("reinspection"), "reinspection", sources)
    within = _num(problems, re_, "within_days", "reinspection", minimum=1, integer=True) if re_ else None
    closing = _sourced(problems, data.get("closing"), "closing", sources)
    esc = _sourced(problems, data.get("escalation"), "escalation", sources)
    if esc:
        _num(problems, esc, "after_days", "escalation", integer=True)
        _num(problems, esc, "fine_max_wan", "escalation")
    mh = _sourced(problems, data.get("major_hazards"), "major_hazards", sources)
    clo = _sourced(problems, data.get("closure"), "closure", sources)
    if clo:
        _num(problems, clo, "three_within_days", "closure", minimum=1, integer=True)
        _num(problems, clo, "four_within_days", "closure", minimum=1, integer=True)
    enf = data.get("enforcement") or {}
    for m in MEASURES:
        sec = _sourced(problems, enf.get(m), f"enforcement.{m}", sources)
        if sec and not sec.get("label"):
            problems.append(f"[enforcement.{m}] 缺少 label")
    st = _sourced(problems, data.get("statistics"), "statistics", sources)
    if st:
        if st.get("basis") not in ("cohort", "flow"):
            problems.append(f"[statistics] basis 应为 cohort 或 flow，实际为 {st.get('basis')!r}")
        rs = st.get("rectified_states")
        if not isinstance(rs, list) or not rs or not set(rs) <= set(STATES):
            problems.append(f"[statistics] rectified_states 只能取 {'、'.join(STATES)}，实际为 {rs!r}")
        if st.get("rate_rounding") not in ("half_up", "truncate"):
            problems.append(f"[statistics] rate_rounding 应为 half_up 或 truncate，实际为 {st.get('rate_rounding')!r}")
        _num(problems, st, "rate_decimals", "statistics", integer=True)
    if problems:
        raise ProfileError(f"规则文件 {where} 有 {len(problems)} 处问题：\n" + "\n".join(f"  - {p}" for p in problems))
    return Rules(name=head["name"], version=head["version"], title=head["title"], grades=grades,
                 major_standard=ms, deadlines=deadlines, five_in_place=list(fields), reinspection_days=int(within or 0),
                 closing=closing, escalation=esc, major_hazards=mh, enforcement={m: enf[m] for m in MEASURES},
                 statistics=st, closure=clo, sources=sources)
