"""Evaluation profiles: versioned TOML files holding the indicator tree, weights and ideals.

A profile names, per zone type, the tree target → sub-target → indicator with weights, the
ideal value (理想值) of each indicator with its basis, and the scoring rules (realisation
cap, negative-indicator rule, missing-indicator policy). Weights must sum to 1 at every node;
a profile that breaks this is refused with the node named. Built-in profiles live in
``jiyue/profiles/``; ``--profile FILE`` takes a user's own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jiyue.errors import ProfileError
from jiyue.evaluation.indicators import INDICATORS

ZONE_TYPES = ("industrial", "integrated")
NEGATIVE_RULES = ("complement", "linear")
MISSING_POLICIES = ("renormalise", "zero")


@dataclass(frozen=True)
class Node:
    key: str
    name: str
    weight: float
    children: tuple[Node, ...] = ()
    indicators: tuple[tuple[str, float], ...] = ()  # leaves: (indicator key, weight)


@dataclass(frozen=True)
class Ideal:
    value: float
    basis: str


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    title: str
    trees: dict[str, tuple[Node, ...]]
    ideals: dict[str, dict[str, Ideal]]
    realisation_cap: float | None = 100.0
    negative_rule: str = "complement"
    negative_zero_at: float = 10.0
    missing_indicator: str = "renormalise"
    weight_tolerance: float = 1e-6
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    sha256: str = ""  # of the TOML text: two files with one name and version still tell apart

    @property
    def builtin(self) -> bool:
        return self.source.startswith("builtin:")

    @property
    def version_label(self) -> str:
        """The version as every output shows it; a profile from a file also names the file and
        its hash, so an edited copy of a built-in profile never passes for the original."""
        if self.builtin or not self.source:
            return self.version
        return f"{self.version}，方案文件 {Path(self.source).name}，SHA-256 {self.sha256[:12]}"

    def describe(self) -> dict[str, Any]:
        """The profile block of every JSON document."""
        return {"name": self.name, "version": self.version, "title": self.title, "source": self.source,
                "sha256": self.sha256, "builtin": self.builtin, "version_label": self.version_label}

    def indicator_keys(self, zone_type: str) -> list[str]:
        keys: list[str] = []

        def walk(nodes: tuple[Node, ...]) -> None:
            for n in nodes:
                keys.extend(k for k, _ in n.indicators)
                walk(n.children)

        walk(self.trees[zone_type])
        return keys


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped with jiyue."""
    return sorted(p.name[:-5] for p in resources.files("jiyue.profiles").iterdir()
                  if p.name.endswith(".toml"))


def _cannot_read(message: str) -> ProfileError:
    """A profile that cannot be found or parsed: the argument is wrong (exit code 2)."""
    e = ProfileError(message)
    e.exit_code = 2
    return e


def load_profile(name_or_path: str | Path | None = None) -> Profile:
    """Load a built-in profile by name, or a profile file; validate it."""
    ref = str(name_or_path or "tdt1029-2017")
    p = Path(ref)
    if p.suffix.lower() == ".toml" or p.exists():
        if not p.exists():
            raise _cannot_read(f"找不到评价方案文件：{p}")
        text = p.read_text(encoding="utf-8")
        source = str(p)
    else:
        res = resources.files("jiyue.profiles") / f"{ref}.toml"
        if not res.is_file():
            raise _cannot_read(f"没有名为「{ref}」的内置评价方案；可用：{'、'.join(builtin_profiles())}，"
                               "或给出 .toml 文件路径")
        text = res.read_text(encoding="utf-8")
        source = f"builtin:{ref}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _cannot_read(f"评价方案 {source} 不是有效的 TOML：{e}") from None
    return dataclasses.replace(parse_profile(data, source),
                               sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def parse_profile(data: dict[str, Any], source: str = "") -> Profile:
    """Build and check a :class:`Profile` from parsed TOML."""
    meta = data.get("profile") or {}
    for k in ("name", "version"):
        if not meta.get(k):
            raise ProfileError(f"评价方案 {source} 的 [profile] 缺少 {k}")
    rules = data.get("rules") or {}
    tol = float(rules.get("weight_tolerance", 1e-6))
    cap = rules.get("realisation_cap", 100.0)
    cap_v = None if cap in (False, None, 0, 0.0) else float(cap)
    neg = str(rules.get("negative_rule", "complement"))
    if neg not in NEGATIVE_RULES:
        raise ProfileError(f"评价方案 {source}：negative_rule 应为 {'/'.join(NEGATIVE_RULES)}，实际为「{neg}」")
    miss = str(rules.get("missing_indicator", "renormalise"))
    if miss not in MISSING_POLICIES:
        raise ProfileError(f"评价方案 {source}：missing_indicator 应为 {'/'.join(MISSING_POLICIES)}，"
                           f"实际为「{miss}」")
    trees_raw = data.get("tree") or {}
    ideals_raw = data.get("ideal") or {}
    trees: dict[str, tuple[Node, ...]] = {}
    ideals: dict[str, dict[str, Ideal]] = {}
    for zt in ZONE_TYPES:
        if zt not in trees_raw:
            raise ProfileError(f"评价方案 {source} 缺少评价类型「{zt}」的指标体系 [[tree.{zt}]]")
        nodes = tuple(_node(n, f"tree.{zt}", source) for n in trees_raw[zt])
        _check_weights(nodes, f"tree.{zt}", tol, source)
        trees[zt] = nodes
        ideals[zt] = {}
        for key, v in (ideals_raw.get(zt) or {}).items():
            if key not in INDICATORS:
                raise ProfileError(f"评价方案 {source}：[ideal.{zt}] 中的指标「{key}」未定义；"
                                   f"可用指标：{'、'.join(INDICATORS)}")
            if isinstance(v, dict):
                ideals[zt][key] = Ideal(float(v["value"]), str(v.get("basis", "")))
            else:
                ideals[zt][key] = Ideal(float(v), "")
        prof_keys = set()

        def walk(ns: tuple[Node, ...]) -> None:
            for n in ns:
                prof_keys.update(k for k, _ in n.indicators)
                walk(n.children)

        walk(nodes)
        lacking = sorted(prof_keys - set(ideals[zt]))
        if lacking:
            raise ProfileError(f"评价方案 {source}：评价类型「{zt}」的指标 {'、'.join(lacking)} 没有理想值 [ideal.{zt}]")
        for k in prof_keys:
            if INDICATORS[k].direction == "positive" and ideals[zt][k].value <= 0:
                raise ProfileError(f"评价方案 {source}：[ideal.{zt}] {k} 的理想值应大于0")
    return Profile(name=str(meta["name"]), version=str(meta["version"]), title=str(meta.get("title", "")),
                   trees=trees, ideals=ideals, realisation_cap=cap_v, negative_rule=neg,
                   negative_zero_at=float(rules.get("negative_zero_at", 10.0)), missing_indicator=miss,
                   weight_tolerance=tol, source=source, raw=data)


def _node(d: dict[str, Any], path: str, source: str) -> Node:
    key = str(d.get("key") or "")
    if not key:
        raise ProfileError(f"评价方案 {source}：{path} 中有节点缺少 key")
    here = f"{path}/{key}"
    if "weight" not in d:
        raise ProfileError(f"评价方案 {source}：节点 {here}（{d.get('name', '')}）缺少 weight")
    children = tuple(_node(c, here, source) for c in d.get("children", []))
    inds = tuple((str(k), float(w)) for k, w in (d.get("indicators") or {}).items())
    for k, _ in inds:
        if k not in INDICATORS:
            raise ProfileError(f"评价方案 {source}：节点 {here} 中的指标「{k}」未定义；"
                               f"可用指标：{'、'.join(INDICATORS)}")
    if children and inds:
        raise ProfileError(f"评价方案 {source}：节点 {here} 不能同时有下级节点和指标")
    if not children and not inds:
        raise ProfileError(f"评价方案 {source}：节点 {here} 既没有下级节点也没有指标")
    return Node(key, str(d.get("name", key)), float(d["weight"]), children, inds)


def _check_weights(nodes: tuple[Node, ...], path: str, tol: float, source: str) -> None:
    total = sum(n.weight for n in nodes)
    negative = [n.key for n in nodes if n.weight < 0]
    if negative:
        raise ProfileError(f"评价方案 {source}：节点 {path} 下的 {'、'.join(negative)} 权重为负数；权重应在 0 到 1 之间")
    if not math.isclose(total, 1.0, abs_tol=tol):
        detail = " + ".join(f"{n.key} {n.weight:g}" for n in nodes)
        raise ProfileError(f"评价方案 {source}：节点 {path} 下的权重之和为 {total:.6g}（{detail}），应为 1")
    for n in nodes:
        here = f"{path}/{n.key}"
        if n.children:
            _check_weights(n.children, here, tol, source)
        else:
            s = sum(w for _, w in n.indicators)
            negative = [k for k, w in n.indicators if w < 0]
            if negative:
                raise ProfileError(f"评价方案 {source}：节点 {here}（{n.name}）的指标 {'、'.join(negative)} "
                                   "权重为负数；权重应在 0 到 1 之间")
            if not math.isclose(s, 1.0, abs_tol=tol):
                detail = " + ".join(f"{k} {w:g}" for k, w in n.indicators)
                raise ProfileError(f"评价方案 {source}：节点 {here}（{n.name}）的指标权重之和为 {s:.6g}"
                                   f"（{detail}），应为 1")
