"""Idle-land rules as versioned data: the TOML rule files and their loader.

A rule file holds every parameter of the idle-land engine (start date, commencement test,
idle tests, fee, penalties, stock chain, inventory, disposal options, low-efficiency rule
sets). Built-in files live in ``jiyue/idle/rulesets/``; ``--rules FILE`` takes a user's own.
A user file may leave keys out (they keep the built-in default, which equals
``order53-2012.toml``); an unknown key or a wrong value is refused, every problem named
at once (file, ``[section] key``, what was found, what was expected).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from jiyue.codes import CAUSES, SUPPLY_CLASSES, SUPPLY_METHODS, VETO_EVENTS
from jiyue.errors import ProfileError
from jiyue.rulefiles import Problems, builtin_names, lookup, parse_toml, read_text, resolve_refs
from jiyue.idle import labels
from jiyue.landrules import LEAP_RULES

DEFAULT_RULES = "order53-2012"
LOW_EFFICIENCY_SETS = ("L1", "L2", "benchmark")


def share(value: Any) -> Fraction:
    """An exact share from ``"1/3"``, ``0.25`` or ``1``; used for the boundary tests."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return Fraction(value.strip())
    return Fraction(repr(float(value)))


@dataclass(frozen=True)
class StartDate:
    use_supplementary: bool = True
    no_start_date: str = "delivery_plus_1y"
    leap_day: str = "feb28"


@dataclass(frozen=True)
class Commencement:
    require_permit: bool = True
    other_foundation_share: Fraction = Fraction(1, 3)


@dataclass(frozen=True)
class Idle:
    unstarted_years: int = 1
    halt_years: int = 1
    partial_dev_test: str = "either_short"
    area_share: Fraction = Fraction(1, 3)
    investment_share: Fraction = Fraction(1, 4)
    area_basis: str = "land"
    default_cause: str = "enterprise"
    infer_gov1_from_late_delivery: bool = True
    fee_years: int = 1
    recovery_years: int = 2
    fee_rate: float = 0.20
    fee_mode: str = "one_off"
    fee_monthly_rate: float = 0.0
    fee_cap_rate: float = 0.20
    fee_also_when_recovery: bool = True


@dataclass(frozen=True)
class Investment:
    contract_total_includes_land_price: bool = True


@dataclass(frozen=True)
class Penalties:
    default_late_start_permille: float = 0.0
    default_late_completion_permille: float = 0.0
    late_start_max_days: int = 0
    late_completion_max_days: int = 0
    approved_halts_extend_completion: bool = True
    investment_shortfall_basis: str = "total_incl_land"
    investment_shortfall_tolerance: float = 0.0
    far_shortfall_tolerance: float = 0.0


@dataclass(frozen=True)
class Stock:
    unsupplied_supply_classes: tuple[str, ...] = ("E1", "E21", "E22")
    target_share: float = 1.0


@dataclass(frozen=True)
class Inventory:
    industrial_land_use_prefixes: tuple[str, ...] = ("0601",)
    industrial_build_classes: tuple[str, ...] = ("A2", "B11")
    granted_methods: tuple[str, ...] = ("agreement", "tender", "auction", "listing")
    breach_if: tuple[str, ...] = ("idle", "penalty")


@dataclass(frozen=True)
class Plans:
    extend_max_years: int = 1
    temporary_use_max_years: int = 2
    swap_causes: tuple[str, ...] = ("gov_2",)


@dataclass(frozen=True)
class L1:
    title: str = ""
    source: str = ""
    completion_overdue_years: int = 2
    completed_years: int = 2
    intensity_share: float = 0.5
    output_share: float = 0.5
    output_per_mu_standard_wan: float = 0.0
    stopped_years: int = 1
    prohibited_industry_prefixes: tuple[str, ...] = ()
    veto_events: tuple[str, ...] = ("safety_accident", "env_accident")


@dataclass(frozen=True)
class L2:
    title: str = ""
    source: str = ""
    unfinished_halt_years: int = 1
    no_output_years: int = 2
    tax_share: float = 1.0
    low_intensity_uses_benchmark: bool = True


@dataclass(frozen=True)
class Benchmark:
    title: str = ""
    source: str = ""
    # national controls shared with the standard-land engine (jiyue/rulefiles/national-controls.toml)
    building_coverage_min: float = field(
        default_factory=lambda: float(lookup("national-controls.building_coefficient_min.value")))
    far_min: dict[str, float] = field(default_factory=lambda: {
        str(k): float(v) for k, v in lookup("national-controls.far_min_by_industry.values").items()})

    def far_min_for(self, industry_code: str | None) -> tuple[str, float] | None:
        """(matched prefix, minimum FAR) of an industry code; the longest prefix wins."""
        if not industry_code:
            return None
        code = str(industry_code).strip().upper()
        hits = [p for p in self.far_min if code.startswith(p.upper())]
        if not hits:
            return None
        best = max(hits, key=len)
        return best, self.far_min[best]


@dataclass(frozen=True)
class LowEfficiency:
    active: tuple[str, ...] = ("L1", "benchmark")
    L1: L1 = field(default_factory=L1)
    L2: L2 = field(default_factory=L2)
    benchmark: Benchmark = field(default_factory=Benchmark)


@dataclass(frozen=True)
class Rules:
    """Every parameter of the idle-land engine (see ``order53-2012.toml`` for sources)."""

    name: str = DEFAULT_RULES
    version: str = ""
    title: str = ""
    jurisdiction: str = ""
    source: str = ""
    start_date: StartDate = field(default_factory=StartDate)
    commencement: Commencement = field(default_factory=Commencement)
    idle: Idle = field(default_factory=Idle)
    investment: Investment = field(default_factory=Investment)
    penalties: Penalties = field(default_factory=Penalties)
    stock: Stock = field(default_factory=Stock)
    inventory: Inventory = field(default_factory=Inventory)
    plans: Plans = field(default_factory=Plans)
    low_efficiency: LowEfficiency = field(default_factory=LowEfficiency)

    def header(self) -> dict[str, str]:
        """The ``rules`` object of the JSON documents."""
        return {"name": self.name, "version": self.version, "title": self.title, "source": self.source}

    def with_low_efficiency(self, active: list[str]) -> Rules:
        """A copy applying other low-efficiency rule sets."""
        bad = [a for a in active if a not in LOW_EFFICIENCY_SETS]
        if bad:
            raise ProfileError(labels.TEXT["rules_bad_lowe"].format(
                found="、".join(bad), expected="、".join(LOW_EFFICIENCY_SETS)))
        le = dataclasses.replace(self.low_efficiency, active=tuple(active))
        return dataclasses.replace(self, low_efficiency=le)


# --------------------------------------------------------------------------- value checks
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("start_date", "no_start_date"): ("delivery_plus_1y", "signed_plus_1y", "none"),
    ("start_date", "leap_day"): LEAP_RULES,
    ("idle", "partial_dev_test"): ("either_short", "both_short"),
    ("idle", "area_basis"): ("land", "floor"),
    ("idle", "default_cause"): tuple(CAUSES),
    ("idle", "fee_mode"): ("one_off", "monthly"),
    ("penalties", "investment_shortfall_basis"): ("total_incl_land", "net_of_land", "as_given"),
}
LIST_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("stock", "unsupplied_supply_classes"): tuple(SUPPLY_CLASSES),
    ("inventory", "granted_methods"): tuple(SUPPLY_METHODS),
    ("inventory", "breach_if"): ("idle", "penalty", "low_efficiency"),
    ("plans", "swap_causes"): tuple(CAUSES),
    ("low_efficiency", "active"): LOW_EFFICIENCY_SETS,
    ("L1", "veto_events"): tuple(VETO_EVENTS),
}
SHARES = {("commencement", "other_foundation_share"), ("idle", "area_share"), ("idle", "investment_share")}


def _convert(section: str, key: str, value: Any, default: Any, errors: Problems, where: str) -> Any:
    """Convert one TOML value to the type of its default; append a message when it does not fit."""
    path = f"[{section}] {key}"

    def bad(expected: str) -> None:
        errors.add(path, value, expected, labels.TEXT["rules_bad_value"].format(
            where=where, path=path, found=repr(value), expected=expected))

    if (section, key) in SHARES:
        try:
            v = share(value)
        except (ValueError, ZeroDivisionError, TypeError):
            bad("0 与 1 之间的比例，如 \"1/3\" 或 0.25")
            return default
        if not 0 < v <= 1:
            bad("0 与 1 之间的比例，如 \"1/3\" 或 0.25")
            return default
        return v
    if isinstance(default, bool):
        if not isinstance(value, bool):
            bad("true 或 false")
            return default
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            bad("非负整数")
            return default
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            bad("非负数")
            return default
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            bad("文字")
            return default
        allowed = CHOICES.get((section, key))
        if allowed and value not in allowed:
            bad(" / ".join(allowed))
            return default
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            bad("文字列表，如 [\"A\", \"B\"]")
            return default
        allowed = LIST_CHOICES.get((section, key))
        if allowed:
            wrong = [v for v in value if v not in allowed]
            if wrong:
                bad(f"取值应在 {' / '.join(allowed)} 之中（不认识：{'、'.join(wrong)}）")
                return default
        return tuple(value)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            bad("表，如 { C26 = 0.6 }")
            return default
        out = {}
        for k, v in value.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
                errors.add(f"{path}.{k}", v, "正数", labels.TEXT["rules_bad_value"].format(
                    where=where, path=f"{path}.{k}", found=repr(v), expected="正数"))
                continue
            out[str(k)] = float(v)
        return out
    return value  # pragma: no cover


def _section(cls: type, data: Any, section: str, errors: Problems, where: str) -> Any:
    """Fill the dataclass ``cls`` from a TOML table; unknown keys are errors."""
    base = cls()
    if data is None:
        return base
    if not isinstance(data, dict):
        errors.add(f"[{section}]", data, "一个表（[section]）", labels.TEXT["rules_bad_value"].format(
            where=where, path=f"[{section}]", found=repr(data), expected="一个表（[section]）"))
        return base
    names = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            errors.add(f"[{section}] {key}", key, "、".join(names), labels.TEXT["rules_unknown_key"].format(
                where=where, path=f"[{section}] {key}", expected="、".join(names)))
            continue
        values[key] = _convert(section, key, value, getattr(base, key), errors, where)
    return dataclasses.replace(base, **values)


SECTIONS: dict[str, type] = {"start_date": StartDate, "commencement": Commencement, "idle": Idle,
                             "investment": Investment, "penalties": Penalties, "stock": Stock,
                             "inventory": Inventory, "plans": Plans}


def parse_rules(data: dict[str, Any], source: str = "") -> Rules:
    """Build and check :class:`Rules` from parsed TOML; every problem is reported at once."""
    data = resolve_refs(data, source)
    where = source or "规则文件"
    errors = Problems(where)
    head = data.get("rules")
    if not isinstance(head, dict) or not head.get("name") or not head.get("version"):
        errors.add("[rules]", head, "name 与 version", labels.TEXT["rules_no_header"].format(where=where))
        head = head if isinstance(head, dict) else {}
    known = {"rules", "low_efficiency", *SECTIONS}
    for key in data:
        if key not in known:
            errors.add(f"[{key}]", key, "、".join(sorted(known)), labels.TEXT["rules_unknown_key"].format(
                where=where, path=f"[{key}]", expected="、".join(sorted(known))))
    sections = {name: _section(cls, data.get(name), name, errors, where) for name, cls in SECTIONS.items()}
    le_raw = data.get("low_efficiency") or {}
    if not isinstance(le_raw, dict):
        le_raw = {}
    le_known = {"active", *LOW_EFFICIENCY_SETS}
    for key in le_raw:
        if key not in le_known:
            errors.add(f"[low_efficiency] {key}", key, "、".join(sorted(le_known)), labels.TEXT["rules_unknown_key"]
                       .format(where=where, path=f"[low_efficiency] {key}", expected="、".join(sorted(le_known))))
    active = LowEfficiency().active
    if "active" in le_raw:
        active = _convert("low_efficiency", "active", le_raw["active"], active, errors, where)
    le = LowEfficiency(
        active=active,
        L1=_section(L1, le_raw.get("L1"), "L1", errors, f"{where} [low_efficiency]"),
        L2=_section(L2, le_raw.get("L2"), "L2", errors, f"{where} [low_efficiency]"),
        benchmark=_section(Benchmark, le_raw.get("benchmark"), "benchmark", errors, f"{where} [low_efficiency]"),
    )
    idle = sections["idle"]
    if idle.recovery_years < idle.fee_years:
        errors.add("[idle] recovery_years", idle.recovery_years, f"不小于 fee_years（{idle.fee_years}）",
                   labels.TEXT["rules_bad_value"].format(where=where, path="[idle] recovery_years",
                                                         found=idle.recovery_years,
                                                         expected=f"不小于 fee_years（{idle.fee_years}）"))
    errors.raise_if_any(lambda ps: ProfileError(labels.TEXT["rules_invalid"].format(where=where, n=len(ps))
                                                + "\n" + "\n".join(f"  - {e.text()}" for e in ps)))
    return Rules(name=str(head["name"]), version=str(head["version"]), title=str(head.get("title", "")),
                 jurisdiction=str(head.get("jurisdiction", "")), source=source, low_efficiency=le, **sections)


def builtin_rules() -> list[str]:
    """Names of the rule files shipped with jiyue."""
    return builtin_names(RULESETS)


RULESETS = "jiyue.idle.rulesets"


def _fail(kind: str, **kw: Any) -> Exception:
    key = {"missing_file": "rules_missing_file", "unknown_name": "rules_unknown_name",
           "unreadable": "rules_unreadable", "bad_toml": "rules_bad_toml"}[kind]
    if kind == "bad_toml":
        kw = {"where": kw["source"], "err": kw["err"]}
    return ProfileError(labels.TEXT[key].format(**kw))


def load_rules(name_or_path: str | Path | None = None) -> Rules:
    """Load a built-in rule file by name, or a rule file by path; validate it."""
    text, source = read_text(str(name_or_path or DEFAULT_RULES), package=RULESETS, names=builtin_rules, fail=_fail)
    return parse_rules(parse_toml(text, source, fail=_fail), source)
