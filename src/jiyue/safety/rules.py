"""The safety rule file (TOML under ``rulesets/``): loaded, checked (every problem collected), frozen.

Every section names its ``source`` (the public document) and ``tag`` (C / R / L / own), which
the statistics and the docs print next to the figures they produced. The file is read by the one
loader of :mod:`jiyue.rulefiles` (built-in name or path) and checked with its
:class:`~jiyue.rulefiles.Problems` collector: every problem is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jiyue.errors import ProfileError
from jiyue.rulefiles import Problems, Value, builtin_names as _rule_files, parse_toml, read_text

DEFAULT = "work-safety-2021"
RULESETS = "jiyue.safety.rulesets"
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
    return Path(str(resources.files(RULESETS) / f"{name}.toml"))


def builtin_names() -> list[str]:
    """Names of the built-in safety rule files."""
    return _rule_files(RULESETS)


def _fail(kind: str, **kw: Any) -> Exception:
    texts = {
        "missing_file": "隐患排查治理规则文件不存在：{path}",
        "unknown_name": "隐患排查治理规则「{name}」不存在；内置规则：{names}，或给出 .toml 文件路径",
        "unreadable": "无法读取规则文件 {path}：{err}",
        "bad_toml": "规则文件 {source} 不是有效的 TOML：{err}",
    }
    return ProfileError(texts[kind].format(**kw))


def load_rules(ref: str | Path | None = None) -> Rules:
    """A built-in rule file by name, or a TOML file by path; every problem is reported at once."""
    text, where = read_text(str(ref or DEFAULT), package=RULESETS, names=builtin_names, fail=_fail)
    return parse_rules(parse_toml(text, where, fail=_fail), where)


def _num(problems: Problems, sec: dict[str, Any], key: str, where: str, *, minimum: float = 0,
         integer: bool = False) -> Any:
    v = sec.get(key)
    if not (isinstance(v, int | float) and not isinstance(v, bool) and (isinstance(v, int) or not integer)
            and v >= minimum):
        kind = "整数" if integer else "数值"
        problems.add(f"{where}.{key}", v, f"不小于 {minimum} 的{kind}",
                     message=f"[{where}] {key} 应为不小于 {minimum} 的{kind}，实际为 {v!r}")
        return None
    return v


def _sourced(problems: Problems, sec: Any, where: str, sources: dict[str, dict[str, str]]) -> dict[str, Any]:
    if not isinstance(sec, dict):
        problems.add(where, None, f"[{where}] 一节",
                     message=f"缺少 [{where}] 一节")
        return {}
    v = Value.of(sec)  # the section's provenance: source (or article) and tag
    src = v.source or sec.get("article")
    if not isinstance(src, str) or not src.strip():
        problems.add(f"{where}.source", src, "公开文件及条款",
                     message=f"[{where}] 缺少 source（依据的公开文件及条款）")
    elif src.startswith(("/", "./", "../", "~")):  # a path on some machine, not a public document
        problems.add(f"{where}.source", src, "公开文件本身（不是本机路径）",
                     message=f"[{where}] source 应为公开文件本身，不能是本机路径：{src}")
    tag = v.tag or sec.get("tag")
    if tag not in TAGS:
        problems.add(f"{where}.tag", tag, "/".join(TAGS),
                     message=f"[{where}] tag 应为 {'/'.join(TAGS)} 之一，实际为 {tag!r}")
    sources[where] = {"source": str(src or ""), "tag": str(tag or "")}
    return sec


def parse_rules(data: dict[str, Any], where: str = "<rules>") -> Rules:
    problems = Problems(where)
    sources: dict[str, dict[str, str]] = {}
    head = data.get("rules") or {}
    for k in ("name", "version", "title"):
        if not isinstance(head.get(k), str) or not head.get(k):
            problems.add(f"rules.{k}", head.get(k), "文字",
                         message=f"[rules] 缺少 {k}")
    grades = data.get("grades") or {}
    if not isinstance(grades, dict) or not grades:
        problems.add("grades", None, "[grades]（隐患等级）",
                     message="缺少 [grades]（隐患等级）")
        grades = {}
    seen: dict[str, str] = {}
    for key, g in grades.items():
        _sourced(problems, g, f"grades.{key}", sources)
        if not isinstance(g, dict):
            continue
        if g.get("maps_to") not in GRADES:
            problems.add(f"grades.{key}.maps_to", g.get("maps_to"), "general 或 major",
                         message=f"[grades.{key}] maps_to 应为 general 或 major，实际为 {g.get('maps_to')!r}")
        if not isinstance(g.get("label"), str) or not g.get("label"):
            problems.add(f"grades.{key}.label", None, "文字",
                         message=f"[grades.{key}] 缺少 label")
        aliases = g.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.add(f"grades.{key}.aliases", aliases, "文字列表",
                         message=f"[grades.{key}] aliases 应为文字列表")
            aliases = []
        g["aliases"] = aliases
        for a in {*aliases, g.get("label")}:
            if a in seen and seen[a] != key:
                problems.add(f"grades.{key}.aliases", a, "不重复的等级名称",
                             message=f"[grades.{key}] 等级名称「{a}」与 [grades.{seen[a]}] 重复")
            seen[str(a)] = key
    for gr in GRADES:
        if not any(isinstance(g, dict) and g.get("maps_to") == gr for g in grades.values()):
            problems.add("grades", gr, f"映射到 {gr} 的等级",
                         message=f"[grades] 没有映射到 {gr} 的等级")
    ms = _sourced(problems, data.get("major_standard"), "major_standard", sources)
    if ms:
        a = _num(problems, ms, "first_article", "major_standard", minimum=1, integer=True)
        b = _num(problems, ms, "last_article", "major_standard", minimum=1, integer=True)
        if a is not None and b is not None and a > b:
            problems.add("major_standard.first_article", a, f"不大于 last_article {b}",
                         message=f"[major_standard] first_article {a} 大于 last_article {b}")
    deadlines: dict[str, dict[str, Any]] = {}
    for gr in GRADES:
        sec = _sourced(problems, (data.get("deadlines") or {}).get(gr), f"deadlines.{gr}", sources)
        if sec:
            d = _num(problems, sec, "default_days", f"deadlines.{gr}", integer=True)
            m = _num(problems, sec, "max_days", f"deadlines.{gr}", integer=True)
            if d is not None and m is not None and d > m:
                problems.add(f"deadlines.{gr}.default_days", d, f"不大于 max_days {m}",
                             message=f"[deadlines.{gr}] default_days {d} 大于 max_days {m}")
            deadlines[gr] = sec
    fip = _sourced(problems, data.get("five_in_place"), "five_in_place", sources)
    fields = fip.get("fields") if fip else []
    known = {"responsible_person", "measures", "funds_wan", "deadline", "emergency_plan"}
    if not isinstance(fields, list) or not set(fields) <= known:
        problems.add("five_in_place.fields", fields, "、".join(sorted(known)),
                     message=f"[five_in_place] fields 只能取 {'、'.join(sorted(known))}，实际为 {fields!r}")
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
            problems.add(f"enforcement.{m}.label", None, "文字",
                         message=f"[enforcement.{m}] 缺少 label")
    st = _sourced(problems, data.get("statistics"), "statistics", sources)
    if st:
        if st.get("basis") not in ("cohort", "flow"):
            problems.add("statistics.basis", st.get("basis"), "cohort 或 flow",
                         message=f"[statistics] basis 应为 cohort 或 flow，实际为 {st.get('basis')!r}")
        rs = st.get("rectified_states")
        if not isinstance(rs, list) or not rs or not set(rs) <= set(STATES):
            problems.add("statistics.rectified_states", rs, "、".join(STATES),
                         message=f"[statistics] rectified_states 只能取 {'、'.join(STATES)}，实际为 {rs!r}")
        if st.get("rate_rounding") not in ("half_up", "truncate"):
            problems.add("statistics.rate_rounding", st.get("rate_rounding"), "half_up 或 truncate",
                         message=f"[statistics] rate_rounding 应为 half_up 或 truncate，实际为 {st.get('rate_rounding')!r}")
        _num(problems, st, "rate_decimals", "statistics", integer=True)
    problems.raise_if_any(lambda ps: ProfileError(
        f"规则文件 {where} 有 {len(ps)} 处问题：\n" + "\n".join(f"  - {p.text()}" for p in ps)))
    return Rules(name=head["name"], version=head["version"], title=head["title"], grades=grades,
                 major_standard=ms, deadlines=deadlines, five_in_place=list(fields), reinspection_days=int(within or 0),
                 closing=closing, escalation=esc, major_hazards=mh, enforcement={m: enf[m] for m in MEASURES},
                 statistics=st, closure=clo, sources=sources)
