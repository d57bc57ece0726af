"""Life-circle rule files: circles, services (which facility kinds serve which circle), network
tolerances, siting candidates and the 产城融合 indicator thresholds.

A rule file is TOML (``rulesets/<name>.toml`` built in, or any path). :func:`load_rules`
checks the whole file and reports every problem at once (a :class:`ProfileError` whose message
lists them), so a planner editing a copy sees all mistakes in one go.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jiyue import codes
from jiyue.errors import ProfileError

__all__ = ["Circle", "Rules", "Service", "builtin_names", "load_rules", "DEFAULT_RULES", "FACILITY_LEVELS"]

DEFAULT_RULES = "gb50180-2018"

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
    root = resources.files("jiyue.liveability") / "rulesets"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def _read(spec: str | Path) -> tuple[dict[str, Any], str]:
    p = Path(str(spec))
    if p.suffix.lower() == ".toml" or p.exists():
        if not p.is_file():
            raise ProfileError(f"生活圈规则文件不存在：{p}")
        text, where = p.read_text(encoding="utf-8"), str(p)
    else:
        name = str(spec)
        if name not in builtin_names():
            raise ProfileError(f"没有内置生活圈规则「{name}」；可用：{'、'.join(builtin_names())}，或给出 .toml 文件路径")
        text = (resources.files("jiyue.liveability") / "rulesets" / f"{name}.toml").read_text(encoding="utf-8")
        where = f"内置规则 {name}"
    try:
        return tomllib.loads(text), where
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(f"生活圈规则文件「{where}」不是有效的 TOML：{e}") from None


def load_rules(spec: str | Path | None = None) -> Rules:
    """Load and check a rule file (a built-in name or a path); every problem is reported at once."""
    data, where = _read(spec or DEFAULT_RULES)
    problems: list[str] = []

    def num(tbl: dict[str, Any], key: str, ctx: str, *, positive: bool = True, required: bool = True) -> float | None:
        v = tbl.get(key)
        if v is None:
            if required:
                problems.append(f"{ctx}缺少「{key}」")
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            problems.append(f"{ctx}「{key}」应为数字，实为「{v}」")
            return None
        if positive and not v > 0:
            problems.append(f"{ctx}「{key}」应大于 0，实为 {v}")
            return None
        return float(v)

    def text(tbl: dict[str, Any], key: str, ctx: str) -> str:
        v = tbl.get(key)
        if not isinstance(v, str) or not v.strip():
            problems.append(f"{ctx}缺少「{key}」（文字）")
            return ""
        return v

    rs = data.get("ruleset") or {}
    name, version, title = text(rs, "name", "[ruleset] "), str(rs.get("version", "")), text(rs, "title", "[ruleset] ")
    if not version:
        problems.append("[ruleset] 缺少「version」")
    net = data.get("network") or {}
    fsnap = num(net, "facility_max_snap_m", "[network] ") or 0.0
    osnap = num(net, "origin_max_snap_m", "[network] ") or 0.0
    speed = num(net, "walk_speed_m_per_min", "[network] ") or 66.7
    for k in ("facility_max_snap_m_source", "origin_max_snap_m_source"):
        text(net, k, "[network] ")
    node = net.get("node_crossings", True)
    if not isinstance(node, bool):
        problems.append(f"[network]「node_crossings」应为 true 或 false，实为「{node}」")
        node = True

    circles: list[Circle] = []
    seen: set[str] = set()
    for i, c in enumerate(data.get("circles") or [], start=1):
        ctx = f"第 {i} 个 [[circles]] "
        key = text(c, "key", ctx)
        if key in seen:
            problems.append(f"{ctx}「key」重复：{key}")
        seen.add(key)
        r = num(c, "radius_m", ctx)
        rng = c.get("radius_range_m")
        if r is not None and rng is not None:
            if (not isinstance(rng, list) or len(rng) != 2 or not all(isinstance(x, (int, float)) for x in rng)):
                problems.append(f"{ctx}「radius_range_m」应为两个数字 [下限, 上限]")
            elif not rng[0] <= r <= rng[1]:
                problems.append(f"{ctx}半径 {r:g} m 不在标准给出的范围 {rng[0]:g}–{rng[1]:g} m 内")
        src = text(c, "source", ctx)
        circles.append(Circle(key, text(c, "label", ctx), num(c, "minutes", ctx) or 0.0, r or 0.0, src))
    if not circles:
        problems.append("没有任何 [[circles]]（生活圈）")

    services: list[Service] = []
    skeys: set[str] = set()
    for i, s in enumerate(data.get("services") or [], start=1):
        ctx = f"第 {i} 个 [[services]] "
        key = text(s, "key", ctx)
        if key in skeys:
            problems.append(f"{ctx}「key」重复：{key}")
        skeys.add(key)
        circle = text(s, "circle", ctx)
        cobj = next((c for c in circles if c.key == circle), None)
        if circle and cobj is None:
            problems.append(f"{ctx}「circle」为「{circle}」，没有这个生活圈；应为：{'、'.join(c.key for c in circles)}")
        kinds = s.get("kinds")
        if not isinstance(kinds, list) or not kinds:
            problems.append(f"{ctx}「kinds」应为非空的设施类型列表")
            kinds = []
        for k in kinds:
            if k not in codes.FACILITY_KINDS:
                problems.append(f"{ctx}设施类型「{k}」未知；应为：{'、'.join(codes.FACILITY_KINDS)}")
        levels = s.get("levels") or []
        for lv in levels:
            if lv not in FACILITY_LEVELS:
                problems.append(f"{ctx}设施等级「{lv}」未知；应为：{'、'.join(FACILITY_LEVELS)}")
        radius = num(s, "radius_m", ctx, required=False)
        services.append(Service(key, text(s, "label", ctx), circle, tuple(kinds), tuple(levels),
                                radius or (cobj.radius_m if cobj else 0.0), text(s, "source", ctx)))
    if not services:
        problems.append("没有任何 [[services]]（配套设施）")

    siting = data.get("siting") or {}
    cands = siting.get("candidate_build_classes") or []
    for bc in cands:
        if bc not in codes.BUILD_CLASSES:
            problems.append(f"[siting] 建设状况代码「{bc}」未知")
    picks = siting.get("picks", 3)
    if not isinstance(picks, int) or isinstance(picks, bool) or picks < 1:
        problems.append(f"[siting]「picks」应为正整数，实为「{picks}」")
        picks = 3

    ind = data.get("indicators") or {}
    green = num(ind, "green_per_person_min_m2", "[indicators] ", required=False)
    band = ind.get("jobs_per_resident_band")
    if band is not None and (not isinstance(band, list) or len(band) != 2 or not all(
            isinstance(x, (int, float)) for x in band) or band[0] > band[1]):
        problems.append(f"[indicators]「jobs_per_resident_band」应为 [下限, 上限]，实为「{band}」")
        band = None
    if problems:
        raise ProfileError(f"生活圈规则「{where}」有 {len(problems)} 处问题：\n" + "\n".join(f"  - {p}" for p in problems))
    sources = {k: v for tbl in (net, ind, siting) for k, v in tbl.items() if k.endswith("source")}
    return Rules(name, version, title, str(rs.get("source", "")), tuple(circles), tuple(services), fsnap, osnap,
                 speed, bool(node), tuple(cands), int(picks), green,
                 (float(band[0]), float(band[1])) if band else None, sources)
