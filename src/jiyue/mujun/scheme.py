"""Per-mu evaluation schemes: versioned TOML files, loaded into frozen dataclasses and checked.

A scheme says, for one jurisdiction and evaluation year, which enterprises are evaluated
(scope), how they are split into groups (规上 / 规下 / tenants / land-size bands), which
indicators each group is scored on (formula, unit, direction, weight, scoring method,
benchmark method, cap, floor, missing-data and zero-denominator policies), which bonus and
deduction items apply, and how scores become classes (quota or thresholds, rounding, ties,
vetoes, protections, deferred class T). Built-in schemes live in ``jiyue/mujun/rulesets/``;
``--scheme FILE`` takes a user's own. Every problem names the file, the node and the field;
a file is refused with every problem listed, one per indicator, group, adjustment and table
(:class:`jiyue.rulefiles.Problems`). Reading is :mod:`jiyue.rulefiles`'s.
"""

from __future__ import annotations

import builtins
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from jiyue.errors import ProfileError
from jiyue.mujun import labels
from jiyue.rulefiles import Problems, builtin_names, parse_toml, read_text

METHODS = ("ratio", "minmax", "lower_ratio")
BENCHMARK_METHODS = ("fixed", "mean", "pooled", "max", "prev_mean", "prev_pooled")
MISSING_POLICIES = ("group_mean", "zero", "band_floor")
ZERO_DEN_POLICIES = ("missing", "zero")
DIRECTIONS = ("higher", "lower")
ROUNDING = ("floor", "ceil", "round")
TIES = ("shared", "break")
CLASS_METHODS = ("quota", "thresholds")
VETO_EFFECTS = ("demote", "force")
TAGS = ("S", "S-m", "S-code", "D", "U", "LOCAL")


class SchemeError(ProfileError):
    """A scheme or policy file is malformed (names the file, node and field)."""


class SchemeNotFound(SchemeError):
    """No built-in scheme / policy of that name, or no such file (a usage error: exit code 2)."""

    exit_code = 2


def _err(what: str, source: str, where: str, fld: str, problem: str) -> SchemeError:
    e = SchemeError(labels.ERR["field"].format(what=what, source=source, where=where, field=fld,
                                               problem=problem))
    e.path = f"{where} {fld}".strip() or "（文件）"  # type: ignore[attr-defined]
    e.expected = problem  # type: ignore[attr-defined]
    return e


T = TypeVar("T")


class Collect:
    """Runs the parse of one part (an indicator, a group, an adjustment …) and keeps its problem,
    so a file is refused with every problem listed (one per part)."""

    def __init__(self, what: str, source: str) -> None:
        self.what, self.source = what, source
        self.problems = Problems(source)
        self.errors: list[SchemeError] = []

    def __call__(self, fn: Callable[..., T], *a: Any, **kw: Any) -> T | None:
        try:
            return fn(*a, **kw)
        except SchemeError as e:
            self.errors.append(e)
            self.problems.add(getattr(e, "path", ""), None, getattr(e, "expected", ""), e.message)
            return None

    def raise_if_any(self) -> None:
        """One problem: its own exception, unchanged; several: one exception listing them all."""
        if len(self.errors) == 1:
            e = self.errors[0]
            e.problems = [p.as_dict() for p in self.problems]
            raise e
        self.problems.raise_if_any(lambda ps: SchemeError(
            f"{self.what} {self.source} 有 {len(ps)} 处问题：\n" + "\n".join(f"  - {p.text()}" for p in ps)))


# --------------------------------------------------------------------------- formulas
_NUM = re.compile(r"^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


@dataclass(frozen=True)
class Formula:
    """``c₁ × a × b … / (c₂ × x × y …)``: a ratio of two products of constants and variables."""

    text: str
    num_const: float
    num_vars: tuple[str, ...]
    den_const: float
    den_vars: tuple[str, ...]

    @property
    def variables(self) -> tuple[str, ...]:
        return self.num_vars + self.den_vars


def parse_formula(text: str, where: str = "", source: str = "") -> Formula:
    """Parse ``"tax_wan * 10000 / electricity_kwh"``; variables must be known input variables."""
    parts = text.split("/")
    if len(parts) != 2:
        raise _err("评价方案", source, where, "formula",
                   f"应为「分子 / 分母」（各为常数与变量的乘积），实际为「{text}」")

    def side(s: str) -> tuple[float, tuple[str, ...]]:
        const, names = 1.0, []
        toks = [t.strip() for t in s.split("*")]
        for t in toks:
            if not t:
                raise _err("评价方案", source, where, "formula", f"「{text}」中有空项")
            if _NUM.match(t):
                const *= float(t)
            elif t in labels.VARIABLES:
                names.append(t)
            else:
                raise _err("评价方案", source, where, "formula",
                           f"中的变量「{t}」未定义；可用变量：{'、'.join(labels.VARIABLES)}")
        return const, tuple(names)

    nc, nv = side(parts[0])
    dc, dv = side(parts[1])
    if not dv and dc == 0:
        raise _err("评价方案", source, where, "formula", "的分母为常数0")
    return Formula(text.strip(), nc, nv, dc, dv)


# --------------------------------------------------------------------------- dataclasses
@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    formula: Formula
    unit: str
    direction: str = "higher"
    tag: str = ""
    note: str = ""


@dataclass(frozen=True)
class Benchmark:
    method: str = "fixed"
    value: float | None = None
    k: float = 1.0
    basis: str = ""


@dataclass(frozen=True)
class Item:
    indicator: str
    weight: float
    method: str = "ratio"
    benchmark: Benchmark = field(default_factory=Benchmark)
    band: tuple[float, float] = (20.0, 100.0)
    zero_at: float = 2.0
    cap_multiple: float | None = None
    floor: float | None = 0.0
    missing: str = "zero"
    zero_denominator: str = "missing"


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    items: tuple[Item, ...]
    scale: tuple[str, ...] | None = None
    tenant: bool | None = None
    min_land_mu: float | None = None
    max_land_mu: float | None = None

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.indicator == key)


@dataclass(frozen=True)
class Adjustment:
    key: str
    label: str
    points: float
    flags: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    groups: tuple[str, ...] | None = None
    tag: str = ""


@dataclass(frozen=True)
class Rule:
    """A veto (cannot be ``cannot_be``; becomes ``becomes``) or a protection."""

    events: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    founded_within_years: int = 0
    cannot_be: tuple[str, ...] = ()
    becomes: str = ""
    effect: str = "demote"  # vetoes only: demote (if in cannot_be) | force (always becomes)

    @property
    def active(self) -> bool:
        return bool(self.events or self.flags or self.founded_within_years)


@dataclass(frozen=True)
class Classes:
    method: str
    order: tuple[str, ...]
    labels: dict[str, str]
    quota: dict[str, Fraction]
    thresholds: dict[str, float]
    rounding: str = "floor"
    ties: str = "shared"
    tie_break: tuple[str, ...] = ()
    refill: bool = False
    veto: Rule = field(default_factory=Rule)
    protection: Rule = field(default_factory=Rule)
    deferred: str = "T"

    def cumulative(self, n: int) -> list[int]:
        """Last rank (inclusive) of each class but the worst for ``n`` rated firms."""
        out, acc = [], Fraction(0)
        for c in self.order[:-1]:
            acc += self.quota[c]
            x = acc * n
            if self.rounding == "floor":
                v = math.floor(x)
            elif self.rounding == "ceil":
                v = math.ceil(x)
            else:  # half up
                v = math.floor(x + Fraction(1, 2))
            out.append(min(n, int(v)))
        return out


@dataclass(frozen=True)
class Scope:
    industry_ranges: tuple[tuple[int, int], ...] = ()
    exclude_flags: tuple[str, ...] = ("exempt",)
    defer_flags: tuple[str, ...] = ("deferred",)
    defer_founded_within_years: int = 0
    default_scale: str = "below"


@dataclass(frozen=True)
class Scheme:
    name: str
    version: str
    title: str
    indicators: dict[str, Indicator]
    groups: tuple[Group, ...]
    classes: Classes
    scope: Scope = field(default_factory=Scope)
    adjustments: tuple[Adjustment, ...] = ()
    deduct_leased_out: bool = True
    weight_total: float = 100.0
    jurisdiction: str = ""
    data_year: int | None = None
    policy: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()
    origin: str = ""
    sha256: str = ""
    text: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def group(self, key: str) -> Group:
        return next(g for g in self.groups if g.key == key)

    @property
    def needs_previous_year(self) -> bool:
        return any(i.benchmark.method.startswith("prev_") for g in self.groups for i in g.items)

    def meta(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "title": self.title,
                "jurisdiction": self.jurisdiction, "data_year": self.data_year, "source": self.source,
                "origin": self.origin, "sha256": self.sha256}


# --------------------------------------------------------------------------- loading
RULESETS = "jiyue.mujun.rulesets"


def builtin_files(prefix: str) -> list[str]:
    return builtin_names(RULESETS, prefix=prefix, exclude_prefix=None if prefix else "policy-")


def builtin_schemes() -> list[str]:
    """Names of the schemes shipped with jiyue."""
    return builtin_files("")


def read_rule_text(ref: str | Path, *, prefix: str, what: str, unknown_key: str,
                   names: list[str]) -> tuple[str, str]:
    """The text and origin of a built-in rule file (by name) or of a user's file."""

    def fail(kind: str, **kw: Any) -> Exception:
        if kind in ("missing_file", "unreadable"):
            return SchemeNotFound(labels.ERR["scheme_missing"].format(path=kw["path"]))
        return SchemeNotFound(labels.ERR[unknown_key].format(name=kw["name"], names=kw["names"]))

    return read_text(ref, package=RULESETS, prefix=prefix, names=lambda: names, fail=fail)


def toml_data(text: str, origin: str, what: str) -> dict[str, Any]:
    """Parsed TOML of a scheme or policy file (references to shared files resolved)."""

    def fail(kind: str, **kw: Any) -> Exception:
        return SchemeError(labels.ERR["toml"].format(what=what, source=kw["source"], err=kw["err"]))

    return parse_toml(text, origin, fail=fail)


def load_scheme(ref: str | Path) -> Scheme:
    """Load a built-in scheme by name, or a scheme file; check it."""
    text, origin = read_rule_text(ref, prefix="", what="评价方案", unknown_key="scheme_unknown",
                                  names=builtin_schemes())
    return scheme_from_text(text, origin)


def scheme_from_text(text: str, origin: str = "") -> Scheme:
    s = parse_scheme(toml_data(text, origin, "评价方案"), origin)
    return _with_text(s, text)


def _with_text(s: Scheme, text: str) -> Scheme:
    from dataclasses import replace

    return replace(s, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


class Reader:
    """Typed access to one TOML table, raising errors that name file, node and field."""

    def __init__(self, d: Any, where: str, source: str, what: str = "评价方案") -> None:
        if not isinstance(d, dict):
            raise _err(what, source, where, "", "应为一个表（table）")
        self.d, self.where, self.source, self.what = d, where, source, what

    def err(self, fld: str, problem: str) -> SchemeError:
        return _err(self.what, self.source, self.where, fld, problem)

    def has(self, k: str) -> bool:
        return k in self.d

    def str(self, k: str, default: str | None = None, choices: tuple[str, ...] | None = None) -> str:
        if k not in self.d:
            if default is None:
                raise self.err(k, "缺失")
            return default
        v = self.d[k]
        if not isinstance(v, str) or (not v and default is None):
            raise self.err(k, f"应为文字，实际为「{v!r}」")
        if choices and v not in choices:
            raise self.err(k, f"应为 {'/'.join(choices)} 之一，实际为「{v}」")
        return v

    def num(self, k: builtins.str, default: float | None = None, *, positive: builtins.bool = False, minimum: float | None = None,
            optional: builtins.bool = False) -> float | None:
        if k not in self.d:
            if default is None and not optional:
                raise self.err(k, "缺失")
            return default
        v = self.d[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
            raise self.err(k, f"应为数值，实际为「{v!r}」")
        v = float(v)
        if positive and v <= 0:
            raise self.err(k, f"应大于0，实际为 {v:g}")
        if minimum is not None and v < minimum:
            raise self.err(k, f"应不小于 {minimum:g}，实际为 {v:g}")
        return v

    def strs(self, k: builtins.str, default: tuple[builtins.str, ...] = ()) -> tuple[builtins.str, ...]:
        if k not in self.d:
            return default
        v = self.d[k]
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.err(k, f"应为文字列表，实际为「{v!r}」")
        return tuple(v)

    def bool(self, k: builtins.str, default: builtins.bool) -> builtins.bool:
        if k not in self.d:
            return default
        v = self.d[k]
        if not isinstance(v, bool):
            raise self.err(k, f"应为 true/false，实际为「{v!r}」")
        return v

    def sub(self, k: builtins.str, required: builtins.bool = False) -> Reader:
        if k not in self.d:
            if required:
                raise self.err(k, "缺失（应为一个表）")
            return Reader({}, f"{self.where}.{k}", self.source, self.what)
        return Reader(self.d[k], f"{self.where}.{k}", self.source, self.what)


def _ranges(r: Reader) -> tuple[tuple[int, int], ...]:
    out = []
    for t in r.strs("industry_divisions"):
        m = re.fullmatch(r"\s*(\d{2})\s*(?:-\s*(\d{2}))?\s*", t)
        if not m:
            raise r.err("industry_divisions", f"中的「{t}」应为两位行业大类代码或范围，如 \"06-43\"")
        lo = int(m.group(1))
        hi = int(m.group(2) or m.group(1))
        if hi < lo:
            raise r.err("industry_divisions", f"中的范围「{t}」上下限颠倒")
        out.append((lo, hi))
    return tuple(out)


def _item(key: str, v: Any, g: Reader, defaults: Reader, indicators: dict[str, Indicator]) -> Item:
    where = f"{g.where}.items.{key}"
    if key not in indicators:
        raise _err("评价方案", g.source, where, key, f"未在 [indicators] 中定义；已定义：{'、'.join(indicators)}")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = {"weight": v}
    r = Reader(v, where, g.source)

    def pick(name: str) -> Reader:
        return r if r.has(name) else defaults

    method = pick("method").str("method", "ratio", METHODS)
    ind = indicators[key]
    if method == "ratio" and ind.direction != "higher":
        raise r.err("method", f"为 ratio（越大越好），但指标 {key} 的 direction 为 lower；应使用 lower_ratio 或 minmax")
    if method == "lower_ratio" and ind.direction != "lower":
        raise r.err("method", f"为 lower_ratio（越小越好），但指标 {key} 的 direction 为 higher")
    weight = r.num("weight", minimum=0.0)
    bench = Benchmark(method="fixed")
    if method != "minmax":
        b = r.d.get("benchmark")
        if b is None:
            raise r.err("benchmark", "缺失（固定值写数字；或写 { method = \"mean\" } 等）")
        if isinstance(b, (int, float)) and not isinstance(b, bool):
            if b <= 0:
                raise r.err("benchmark", f"应大于0，实际为 {b:g}")
            bench = Benchmark("fixed", float(b))
        else:
            br = r.sub("benchmark")
            bm = br.str("method", "fixed", BENCHMARK_METHODS)
            val = br.num("value", positive=True) if bm == "fixed" else None
            k = br.num("k", 1.0, positive=True)
            bench = Benchmark(bm, val, float(k or 1.0), br.str("basis", ""))
    band = (20.0, 100.0)
    bsrc = pick("band")
    if bsrc.has("band"):
        bv = bsrc.d["band"]
        if (not isinstance(bv, list) or len(bv) != 2 or not all(isinstance(x, (int, float)) for x in bv)
                or not 0 <= bv[0] <= bv[1]):
            raise bsrc.err("band", f"应为 [下限, 上限]（百分数，0 ≤ 下限 ≤ 上限），实际为「{bv!r}」")
        band = (float(bv[0]), float(bv[1]))
    cap = pick("cap_multiple").num("cap_multiple", 0.0, minimum=0.0)
    floor_src = pick("floor")
    floor: float | None
    if floor_src.has("floor") and floor_src.d["floor"] is False:
        floor = None  # no floor: negative item scores are kept
    else:
        floor = floor_src.num("floor", 0.0)
    missing = pick("missing").str("missing", "zero", MISSING_POLICIES)
    zden = pick("zero_denominator").str("zero_denominator", "missing", ZERO_DEN_POLICIES)
    zero_at = pick("zero_at").num("zero_at", 2.0, positive=True)
    if zero_at is not None and zero_at <= 1.0 and method == "lower_ratio":
        raise r.err("zero_at", f"应大于1（基准值的倍数），实际为 {zero_at:g}")
    return Item(key, float(weight or 0.0), method, bench, band, float(zero_at or 2.0),
                cap if cap else None, floor, missing, zden)


def _rule(r: Reader, *, veto: bool, order: tuple[str, ...]) -> Rule:
    if not r.d:
        return Rule()
    cannot = r.strs("cannot_be", ("A", "B") if veto else (order[-1],))
    becomes = r.str("becomes", "C" if veto else (order[-2] if len(order) > 1 else order[0]))
    for c in (*cannot, becomes):
        if c not in order:
            raise r.err("cannot_be/becomes", f"中的类别「{c}」不在 classes.order（{'、'.join(order)}）中")
    effect = r.str("effect", "demote", VETO_EFFECTS) if veto else "demote"
    founded = int(r.num("founded_within_years", 0.0, minimum=0.0) or 0)
    return Rule(r.strs("events"), r.strs("flags"), founded, cannot, becomes, effect)


def _classes(r: Reader) -> Classes:
    method = r.str("method", "quota", CLASS_METHODS)
    order = r.strs("order", ("A", "B", "C", "D"))
    if len(order) < 2 or len(set(order)) != len(order):
        raise r.err("order", f"应为至少两个互不相同的类别，实际为「{order!r}」")
    lab = r.sub("labels")
    names = {c: str(lab.d.get(c, f"{c}类")) for c in (*order, "T")}
    quota: dict[str, Fraction] = {}
    thresholds: dict[str, float] = {}
    if method == "quota":
        q = r.sub("quota", required=True)
        for c in order:
            v = q.num(c, minimum=0.0)
            quota[c] = Fraction(str(v))
        if sum(quota.values()) != 1:
            raise q.err("", f"各类别比例之和为 {float(sum(quota.values())):g}，应为 1")
    else:
        t = r.sub("thresholds", required=True)
        prev = math.inf
        for c in order[:-1]:
            v = float(t.num(c) or 0.0)
            if v > prev:
                raise t.err(c, f"分数线应逐级降低（{c} = {v:g} 高于上一级 {prev:g}）")
            thresholds[c] = prev = v
    ties = r.str("ties", "shared", TIES)
    return Classes(method, order, names, quota, thresholds, r.str("rounding", "floor", ROUNDING), ties,
                   r.strs("tie_break"), r.bool("refill", False), _rule(r.sub("veto"), veto=True, order=order),
                   _rule(r.sub("protection"), veto=False, order=order), r.str("deferred", "T"))


def parse_scheme(data: dict[str, Any], source: str = "") -> Scheme:
    """Build and check a :class:`Scheme` from parsed TOML; every problem is listed at once."""
    c = Collect("评价方案", source)
    top = Reader(data, "", source)

    def header() -> tuple[Reader, str, str, float]:
        meta = top.sub("scheme", required=True)
        return meta, meta.str("name"), meta.str("version"), float(meta.num("weight_total", 100.0, positive=True)
                                                                  or 100.0)

    head = c(header)
    meta = head[0] if head else Reader({}, ".scheme", source)
    weight_total = head[3] if head else 100.0
    indicators: dict[str, Indicator] = {}

    def indicator(ind_r: Reader, key: str) -> None:
        r = ind_r.sub(key)
        f = parse_formula(r.str("formula"), r.where, source)
        indicators[key] = Indicator(key, r.str("label", key), f, r.str("unit", ""),
                                    r.str("direction", "higher", DIRECTIONS), r.str("tag", ""), r.str("note", ""))

    def indicator_table() -> Reader:
        ind_r = top.sub("indicators", required=True)
        if not ind_r.d:
            raise ind_r.err("", "没有定义任何指标")
        return ind_r

    ind_r = c(indicator_table)
    for key in (ind_r.d if ind_r else ()):
        c(indicator, ind_r, key)
    defaults = top.sub("defaults")
    groups: list[Group] = []

    def group(g_r: Reader, gkey: str) -> None:
        g = g_r.sub(gkey)
        when = g.sub("when")
        scale = when.strs("scale") or None
        for s in scale or ():
            if s not in labels.SCALE:
                raise when.err("scale", f"应为 above/below，实际为「{s}」")
        tenant = when.bool("tenant", False) if when.has("tenant") else None
        items_r = g.sub("items", required=True)
        items = tuple(_item(k, v, g, defaults, indicators) for k, v in items_r.d.items())
        if not items:
            raise items_r.err("", "没有指标")
        total = sum(i.weight for i in items)
        if not math.isclose(total, weight_total, abs_tol=1e-6):
            detail = " + ".join(f"{i.indicator} {i.weight:g}" for i in items)
            e = SchemeError(labels.ERR["weights"].format(source=source, group=gkey, total=total,
                                                         detail=detail, expected=weight_total))
            e.path, e.expected = f"groups.{gkey}.items", f"权重之和为 {weight_total:g}"  # type: ignore[attr-defined]
            raise e
        groups.append(Group(gkey, g.str("label", gkey), items, scale, tenant,
                            when.num("min_land_mu", optional=True, minimum=0.0),
                            when.num("max_land_mu", optional=True, minimum=0.0)))

    def group_table() -> Reader:
        g_r = top.sub("groups", required=True)
        if not g_r.d:
            raise g_r.err("", "没有定义任何评价分组")
        return g_r

    g_r = c(group_table)
    for gkey in (g_r.d if g_r else ()):
        c(group, g_r, gkey)

    def tie_break(classes: Classes) -> None:
        for k in classes.tie_break:
            if k not in indicators:
                raise top.sub("classes").err("tie_break", f"中的指标「{k}」未定义")

    classes = c(lambda: _classes(top.sub("classes", required=True)))
    if classes is not None:
        c(tie_break, classes)
    adjustments = []

    def adjustment(i: int, a: Any) -> None:
        r = Reader(a, f"adjustments[{i + 1}]", source)
        grp = r.strs("groups") or None
        for gk in grp or ():
            if gk not in {g.key for g in groups}:
                raise r.err("groups", f"中的分组「{gk}」未定义")
        adj = Adjustment(r.str("key"), r.str("label", r.d.get("key", "")), float(r.num("points") or 0.0),
                         r.strs("flags"), r.strs("events"), grp, r.str("tag", ""))
        if not adj.flags and not adj.events:
            raise r.err("flags/events", "至少给出一个触发条件（flags 或 events）")
        adjustments.append(adj)

    raw_adj = data.get("adjustments", [])
    if not isinstance(raw_adj, list):
        def not_a_list() -> None:
            raise top.err("adjustments", "应为 [[adjustments]] 表数组")

        c(not_a_list)
        raw_adj = []
    for i, a in enumerate(raw_adj):
        c(adjustment, i, a)

    def scope_and_rest() -> Scheme:
        sc = top.sub("scope")
        scope = Scope(_ranges(sc), sc.strs("exclude_flags", ("exempt",)), sc.strs("defer_flags", ("deferred",)),
                      int(sc.num("defer_founded_within_years", 0.0, minimum=0.0) or 0),
                      sc.str("default_scale", "below", tuple(labels.SCALE)))
        land = top.sub("land")
        dy = meta.num("data_year", optional=True)
        return Scheme(name=head[1] if head else "", version=head[2] if head else "", title=meta.str("title", ""),
                      indicators=indicators, groups=tuple(groups), classes=classes,  # type: ignore[arg-type]
                      scope=scope, adjustments=tuple(adjustments),
                      deduct_leased_out=land.bool("deduct_leased_out", True), weight_total=weight_total,
                      jurisdiction=meta.str("jurisdiction", ""), data_year=int(dy) if dy else None,
                      policy=meta.str("policy", ""), source=meta.str("source", ""), notes=meta.strs("notes"),
                      origin=source, raw=data)

    scheme = c(scope_and_rest)
    c.raise_if_any()
    assert scheme is not None
    return scheme
