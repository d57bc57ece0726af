"""Evaluation profiles: versioned TOML files holding the indicator tree, weights and ideals.

A profile names, per zone type, the tree target → sub-target → indicator with weights, the
ideal value (理想值) of each indicator with its basis, and the scoring rules (realisation
cap, negative-indicator rule, missing-indicator policy). Weights must sum to 1 at every node;
a profile that breaks this is refused with the node named — with every problem of the file
listed (:class:`jiyue.rulefiles.Problems`). Built-in profiles live in ``jiyue/profiles/``;
``--profile FILE`` takes a user's own; reading is :mod:`jiyue.rulefiles`'s.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jiyue.errors import ProfileError
from jiyue.evaluation.indicators import INDICATORS
from jiyue.rulefiles import Problem, Problems, Value, builtin_names, parse_toml, read_text

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


#: An ideal value with its basis (and tag / source where the file gives them) — the one value
#: shape of every rule file (:class:`jiyue.rulefiles.Value`).
Ideal = Value


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
    return builtin_names("jiyue.profiles")


def _cannot_read(message: str) -> ProfileError:
    """A profile that cannot be found or parsed: the argument is wrong (exit code 2)."""
    e = ProfileError(message)
    e.exit_code = 2
    return e


def _fail(kind: str, **kw: Any) -> ProfileError:
    if kind == "missing_file":
        return _cannot_read(f"找不到评价方案文件：{kw['path']}")
    if kind == "unknown_name":
        return _cannot_read(f"没有名为「{kw['name']}」的内置评价方案；可用：{kw['names']}，或给出 .toml 文件路径")
    if kind == "unreadable":
        return _cannot_read(f"无法读取评价方案文件 {kw['path']}：{kw['err']}")
    return _cannot_read(f"评价方案 {kw['source']} 不是有效的 TOML：{kw['err']}")


def load_profile(name_or_path: str | Path | None = None) -> Profile:
    """Load a built-in profile by name, or a profile file; validate it."""
    text, source = read_text(str(name_or_path or "tdt1029-2017"), package="jiyue.profiles", names=builtin_profiles,
                             fail=_fail)
    data = parse_toml(text, source, fail=_fail)
    return dataclasses.replace(parse_profile(data, source),
                               sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def _refuse(source: str) -> Any:
    """The exception of a profile with problems: one problem is its own message, several are listed."""
    def make(items: list[Problem]) -> ProfileError:
        if len(items) == 1:
            return ProfileError(items[0].text())
        return ProfileError(f"评价方案 {source} 有 {len(items)} 处问题：\n" + "\n".join(f"  - {p.text()}" for p in items))
    return make


def parse_profile(data: dict[str, Any], source: str = "") -> Profile:
    """Build and check a :class:`Profile` from parsed TOML; every problem is listed at once."""
    ps = Problems(source)
    meta = data.get("profile") or {}
    for k in ("name", "version"):
        if not meta.get(k):
            ps.add(f"[profile] {k}", None, "必填", f"评价方案 {source} 的 [profile] 缺少 {k}")
    rules = data.get("rules") or {}
    tol = float(rules.get("weight_tolerance", 1e-6))
    cap = rules.get("realisation_cap", 100.0)
    cap_v = None if cap in (False, None, 0, 0.0) else float(cap)
    neg = str(rules.get("negative_rule", "complement"))
    if neg not in NEGATIVE_RULES:
        ps.add("[rules] negative_rule", neg, "/".join(NEGATIVE_RULES),
               f"评价方案 {source}：negative_rule 应为 {'/'.join(NEGATIVE_RULES)}，实际为「{neg}」")
    miss = str(rules.get("missing_indicator", "renormalise"))
    if miss not in MISSING_POLICIES:
        ps.add("[rules] missing_indicator", miss, "/".join(MISSING_POLICIES),
               f"评价方案 {source}：missing_indicator 应为 {'/'.join(MISSING_POLICIES)}，实际为「{miss}」")
    trees_raw = data.get("tree") or {}
    ideals_raw = data.get("ideal") or {}
    trees: dict[str, tuple[Node, ...]] = {}
    ideals: dict[str, dict[str, Ideal]] = {}
    for zt in ZONE_TYPES:
        if zt not in trees_raw:
            ps.add(f"[[tree.{zt}]]", None, "指标体系",
                   f"评价方案 {source} 缺少评价类型「{zt}」的指标体系 [[tree.{zt}]]")
            continue
        nodes = tuple(n for n in (_node(n, f"tree.{zt}", source, ps) for n in trees_raw[zt]) if n is not None)
        _check_weights(nodes, f"tree.{zt}", tol, source, ps)
        trees[zt] = nodes
        ideals[zt] = {}
        for key, v in (ideals_raw.get(zt) or {}).items():
            if key not in INDICATORS:
                ps.add(f"[ideal.{zt}] {key}", key, "、".join(INDICATORS),
                       f"评价方案 {source}：[ideal.{zt}] 中的指标「{key}」未定义；可用指标：{'、'.join(INDICATORS)}")
                continue
            if isinstance(v, dict):
                ideals[zt][key] = Ideal(float(v["value"]), str(v.get("tag", "")), str(v.get("source", "")),
                                        str(v.get("basis", "")))
            else:
                ideals[zt][key] = Ideal(float(v))
        prof_keys = _leaf_keys(nodes)
        lacking = sorted(prof_keys - set(ideals[zt]))
        if lacking:
            ps.add(f"[ideal.{zt}]", None, "、".join(lacking),
                   f"评价方案 {source}：评价类型「{zt}」的指标 {'、'.join(lacking)} 没有理想值 [ideal.{zt}]")
        for k in sorted(prof_keys - set(lacking)):
            if k in INDICATORS and INDICATORS[k].direction == "positive" and ideals[zt][k].value <= 0:
                ps.add(f"[ideal.{zt}] {k}", ideals[zt][k].value, "大于0",
                       f"评价方案 {source}：[ideal.{zt}] {k} 的理想值应大于0")
    ps.raise_if_any(_refuse(source))
    return Profile(name=str(meta["name"]), version=str(meta["version"]), title=str(meta.get("title", "")),
                   trees=trees, ideals=ideals, realisation_cap=cap_v, negative_rule=neg,
                   negative_zero_at=float(rules.get("negative_zero_at", 10.0)), missing_indicator=miss,
                   weight_tolerance=tol, source=source, raw=data)


def _leaf_keys(nodes: tuple[Node, ...]) -> set[str]:
    """The indicator keys under ``nodes``."""
    keys: set[str] = set()
    for n in nodes:
        keys.update(k for k, _ in n.indicators)
        keys |= _leaf_keys(n.children)
    return keys


def _node(d: dict[str, Any], path: str, source: str, ps: Problems) -> Node | None:
    key = str(d.get("key") or "")
    if not key:
        ps.add(path, None, "key", f"评价方案 {source}：{path} 中有节点缺少 key")
        return None
    here = f"{path}/{key}"
    if "weight" not in d:
        ps.add(here, None, "weight", f"评价方案 {source}：节点 {here}（{d.get('name', '')}）缺少 weight")
    children = tuple(c for c in (_node(c, here, source, ps) for c in d.get("children", [])) if c is not None)
    inds = tuple((str(k), float(w)) for k, w in (d.get("indicators") or {}).items())
    for k, _ in inds:
        if k not in INDICATORS:
            ps.add(f"{here} {k}", k, "、".join(INDICATORS),
                   f"评价方案 {source}：节点 {here} 中的指标「{k}」未定义；可用指标：{'、'.join(INDICATORS)}")
    if children and inds:
        ps.add(here, None, "下级节点或指标之一", f"评价方案 {source}：节点 {here} 不能同时有下级节点和指标")
    if not children and not inds and not d.get("children"):
        ps.add(here, None, "下级节点或指标", f"评价方案 {source}：节点 {here} 既没有下级节点也没有指标")
    return Node(key, str(d.get("name", key)), float(d.get("weight", 0.0)), children, inds)


def _check_weights(nodes: tuple[Node, ...], path: str, tol: float, source: str, ps: Problems) -> None:
    total = sum(n.weight for n in nodes)
    negative = [n.key for n in nodes if n.weight < 0]
    if negative:
        ps.add(path, "、".join(negative), "0 到 1 之间的权重",
               f"评价方案 {source}：节点 {path} 下的 {'、'.join(negative)} 权重为负数；权重应在 0 到 1 之间")
    elif not math.isclose(total, 1.0, abs_tol=tol):
        detail = " + ".join(f"{n.key} {n.weight:g}" for n in nodes)
        ps.add(path, total, "权重之和为 1",
               f"评价方案 {source}：节点 {path} 下的权重之和为 {total:.6g}（{detail}），应为 1")
    for n in nodes:
        here = f"{path}/{n.key}"
        if n.children:
            _check_weights(n.children, here, tol, source, ps)
        elif n.indicators:
            s = sum(w for _, w in n.indicators)
            negative = [k for k, w in n.indicators if w < 0]
            if negative:
                ps.add(here, "、".join(negative), "0 到 1 之间的权重",
                       f"评价方案 {source}：节点 {here}（{n.name}）的指标 {'、'.join(negative)} "
                       "权重为负数；权重应在 0 到 1 之间")
            elif not math.isclose(s, 1.0, abs_tol=tol):
                detail = " + ".join(f"{k} {w:g}" for k, w in n.indicators)
                ps.add(here, s, "权重之和为 1",
                       f"评价方案 {source}：节点 {here}（{n.name}）的指标权重之和为 {s:.6g}（{detail}），应为 1")
