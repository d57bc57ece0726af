"""Life-circle rule files: circles, services (which facility kinds serve which circle), network
tolerances, siting candidates and the 产城融合 indicator thresholds.

A rule file is TOML (``rulesets/<name>.toml`` built in, or any path), read by the one loader of
:mod:`jiyue.rulefiles` (built-in name or path, ``{ ref = "national-controls.…" }`` references).
:func:`load_rules` checks the whole file with a :class:`jiyue.rulefiles.Problems` collector and
reports every problem at once (a :class:`ProfileError` whose message lists them), so a planner
editing a copy sees all mistakes in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jiyue import codes
from jiyue.errors import ProfileError
from jiyue.rulefiles import Problems, builtin_names as _rule_files, parse_toml, read_text

__all__ = ["Circle", "Rules", "Service", "builtin_names", "load_rules", "DEFAULT_RULES", "FACILITY_LEVELS"]

DEFAULT_RULES = "gb50180-2018"
RULESETS = "jiyue.liveability.rulesets"

#: jiyue's extension of the contract: ``facilities.level`` (optional) — value → accepted spellings
FACILITY_LEVELS: dict[str, tuple[str, ...]] = {
    "primary": ("小学",),
    "middle": ("初中", "中学"),
    "nine_year": ("九年一贯制", "九年一贯制学校"),
    "high": ("高中",),
    "community": ("社区", "社区级", "社区卫生服务中心", "社区卫生服务站"),
    "general": ("综合", "综合医院", "城市级"),
}


@dataclass(frozen=True)
class Circle:
    key: str
    label: str
    minutes: float
    radius_m: float
    source: str


@dataclass(frozen=True)
class Service:
    key: str
    label: str
    circle: str
    kinds: tuple[str, ...]
    levels: tuple[str, ...]  # empty: any level
    radius_m: float
    source: str


@dataclass(frozen=True)
class Rules:
    name: str
    version: str
    title: str
    source: str
    circles: tuple[Circle, ...]
    services: tuple[Service, ...]
    facility_max_snap_m: float
    origin_max_snap_m: float
    walk_speed_m_per_min: float
    node_crossings: bool
    candidate_build_classes: tuple[str, ...]
    picks: int
    green_per_person_min_m2: float | None
    jobs_per_resident_band: tuple[float, float] | None
    sources: dict[str, str] = field(default_factory=dict)

    def circle(self, key: str) -> Circle:
        return next(c for c in self.circles if c.key == key)

    def service(self, key: str) -> Service:
        for s in self.services:
            if s.key == key:
                return s
        raise KeyError(key)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "title": self.title, "source": self.source}

    def with_radius(self, circle: str, radius_m: float) -> Rules:
        """A copy with one circle's radius changed (the services of that circle follow)."""
        from dataclasses import replace

        circles = tuple(replace(c, radius_m=radius_m) if c.key == circle else c for c in self.circles)
        services = tuple(replace(s, radius_m=radius_m) if s.circle == circle else s for s in self.services)
        return replace(self, circles=circles, services=services)


def builtin_names() -> list[str]:
    """Names of the built-in life-circle rule files."""
    return _rule_files(RULESETS)


def _fail(kind: str, **kw: Any) -> Exception:
    texts = {
        "missing_file": "生活圈规则文件不存在：{path}",
        "unknown_name": "没有内置生活圈规则「{name}」；可用：{names}，或给出 .toml 文件路径",
        "unreadable": "无法读取生活圈规则文件 {path}：{err}",
        "bad_toml": "生活圈规则文件「{source}」不是有效的 TOML：{err}",
    }
    return ProfileError(texts[kind].format(**kw))


def _read(spec: str | Path) -> tuple[dict[str, Any], str]:
    text, where = read_text(str(spec), package=RULESETS, names=builtin_names, fail=_fail)
    return parse_toml(text, where, fail=_fail), where


def load_rules(spec: str | Path | None = None) -> Rules:
    """Load and check a rule file (a built-in name or a path); every problem is reported at once."""
    data, where = _read(spec or DEFAULT_RULES)
    problems = Problems(where)

    def at(ctx: str, key: str = "") -> str:
        """The key path of a context: "[network] " → network, "第 2 个 [[circles]] " → circles[2]."""
        m = re.match(r"第 (\d+) 个 \[\[(\w+)\]\]", ctx)
        base = f"{m.group(2)}[{m.group(1)}]" if m else ctx.strip().strip("[]")
        return f"{base}.{key}" if key else base

    def num(tbl: dict[str, Any], key: str, ctx: str, *, positive: bool = True, required: bool = True) -> float | None:
        v = tbl.get(key)
        if v is None:
            if required:
                problems.add(at(ctx, key), None, "数值", message=f"{ctx}缺少「{key}」")
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            problems.add(at(ctx, key), v, "数字", message=f"{ctx}「{key}」应为数字，实为「{v}」")
            return None
        if positive and not v > 0:
            problems.add(at(ctx, key), v, "大于 0 的数字", message=f"{ctx}「{key}」应大于 0，实为 {v}")
            return None
        return float(v)

    def text(tbl: dict[str, Any], key: str, ctx: str) -> str:
        v = tbl.get(key)
        if not isinstance(v, str) or not v.strip():
            problems.add(at(ctx, key), v, "文字", message=f"{ctx}缺少「{key}」（文字）")
            return ""
        return v

    rs = data.get("ruleset") or {}
    name, version, title = text(rs, "name", "[ruleset] "), str(rs.get("version", "")), text(rs, "title", "[ruleset] ")
    if not version:
        problems.add("ruleset.version", None, "版本文字", message="[ruleset] 缺少「version」")
    net = data.get("network") or {}
    fsnap = num(net, "facility_max_snap_m", "[network] ") or 0.0
    osnap = num(net, "origin_max_snap_m", "[network] ") or 0.0
    speed = num(net, "walk_speed_m_per_min", "[network] ") or 66.7
    for k in ("facility_max_snap_m_source", "origin_max_snap_m_source"):
        text(net, k, "[network] ")
    node = net.get("node_crossings", True)
    if not isinstance(node, bool):
        problems.add("network.node_crossings", node, "true 或 false",
                     message=f"[network]「node_crossings」应为 true 或 false，实为「{node}」")
        node = True

    circles: list[Circle] = []
    seen: set[str] = set()
    for i, c in enumerate(data.get("circles") or [], start=1):
        ctx = f"第 {i} 个 [[circles]] "
        key = text(c, "key", ctx)
        if key in seen:
            problems.add(at(ctx, "key"), key, "不重复的 key", message=f"{ctx}「key」重复：{key}")
        seen.add(key)
        r = num(c, "radius_m", ctx)
        rng = c.get("radius_range_m")
        if r is not None and rng is not None:
            if (not isinstance(rng, list) or len(rng) != 2 or not all(isinstance(x, (int, float)) for x in rng)):
                problems.add(at(ctx, "radius_range_m"), rng, "[下限, 上限]",
                             message=f"{ctx}「radius_range_m」应为两个数字 [下限, 上限]")
            elif not rng[0] <= r <= rng[1]:
                problems.add(at(ctx, "radius_m"), r, f"{rng[0]:g}–{rng[1]:g}",
                             message=f"{ctx}半径 {r:g} m 不在标准给出的范围 {rng[0]:g}–{rng[1]:g} m 内")
        src = text(c, "source", ctx)
        circles.append(Circle(key, text(c, "label", ctx), num(c, "minutes", ctx) or 0.0, r or 0.0, src))
    if not circles:
        problems.add("circles", None, "至少一个 [[circles]]", message="没有任何 [[circles]]（生活圈）")

    services: list[Service] = []
    skeys: set[str] = set()
    for i, s in enumerate(data.get("services") or [], start=1):
        ctx = f"第 {i} 个 [[services]] "
        key = text(s, "key", ctx)
        if key in skeys:
            problems.add(at(ctx, "key"), key, "不重复的 key", message=f"{ctx}「key」重复：{key}")
        skeys.add(key)
        circle = text(s, "circle", ctx)
        cobj = next((c for c in circles if c.key == circle), None)
        if circle and cobj is None:
            problems.add(at(ctx, "circle"), circle, "、".join(c.key for c in circles),
                         message=f"{ctx}「circle」为「{circle}」，没有这个生活圈；应为：{'、'.join(c.key for c in circles)}")
        kinds = s.get("kinds")
        if not isinstance(kinds, list) or not kinds:
            problems.add(at(ctx, "kinds"), kinds, "非空的设施类型列表", message=f"{ctx}「kinds」应为非空的设施类型列表")
            kinds = []
        for k in kinds:
            if k not in codes.FACILITY_KINDS:
                problems.add(at(ctx, "kinds"), k, "、".join(codes.FACILITY_KINDS),
                             message=f"{ctx}设施类型「{k}」未知；应为：{'、'.join(codes.FACILITY_KINDS)}")
        levels = s.get("levels") or []
        for lv in levels:
            if lv not in FACILITY_LEVELS:
                problems.add(at(ctx, "levels"), lv, "、".join(FACILITY_LEVELS),
                             message=f"{ctx}设施等级「{lv}」未知；应为：{'、'.join(FACILITY_LEVELS)}")
        radius = num(s, "radius_m", ctx, required=False)
        services.append(Service(key, text(s, "label", ctx), circle, tuple(kinds), tuple(levels),
                                radius or (cobj.radius_m if cobj else 0.0), text(s, "source", ctx)))
    if not services:
        problems.add("services", None, "至少一个 [[services]]", message="没有任何 [[services]]（配套设施）")

    siting = data.get("siting") or {}
    cands = siting.get("candidate_build_classes") or []
    for bc in cands:
        if bc not in codes.BUILD_CLASSES:
            problems.add("siting.candidate_build_classes", bc, "建设状况代码", message=f"[siting] 建设状况代码「{bc}」未知")
    picks = siting.get("picks", 3)
    if not isinstance(picks, int) or isinstance(picks, bool) or picks < 1:
        problems.add("siting.picks", picks, "正整数", message=f"[siting]「picks」应为正整数，实为「{picks}」")
        picks = 3

    ind = data.get("indicators") or {}
    green = num(ind, "green_per_person_min_m2", "[indicators] ", required=False)
    band = ind.get("jobs_per_resident_band")
    if band is not None and (not isinstance(band, list) or len(band) != 2 or not all(
            isinstance(x, (int, float)) for x in band) or band[0] > band[1]):
        problems.add("indicators.jobs_per_resident_band", band, "[下限, 上限]",
                     message=f"[indicators]「jobs_per_resident_band」应为 [下限, 上限]，实为「{band}」")
        band = None
    problems.raise_if_any(lambda ps: ProfileError(
        f"生活圈规则「{where}」有 {len(ps)} 处问题：\n" + "\n".join(f"  - {p.text()}" for p in ps)))
    sources = {k: v for tbl in (net, ind, siting) for k, v in tbl.items() if k.endswith("source")}
    return Rules(name, version, title, str(rs.get("source", "")), tuple(circles), tuple(services), fsnap, osnap,
                 speed, bool(node), tuple(cands), int(picks), green,
                 (float(band[0]), float(band[1])) if band else None, sources)
