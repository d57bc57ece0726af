"""Standard-land rules: versioned TOML files holding the indicator library and the agreement terms.

A rules file (``rulesets/default.toml`` is the built-in one) has the national control indicators
(bounds), the park tiers, the indicator library (control values by industry prefix × tier), the
agreement terms per indicator (check stage, tolerance, penalty formula), the time limits, the
idle-land referral thresholds and the output-figure conventions. Loading checks *everything*
and refuses the file with every problem listed, each naming its node (collect-all). Reading,
references to the shared national controls and the problem list are :mod:`jiyue.rulefiles`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jiyue.errors import ProfileError
from jiyue.rulefiles import Problems, Value, builtin_names, parse_toml, read_text, resolve_refs
from jiyue.standard_land import labels
from jiyue.standard_land.errors import RulesNotFound
from jiyue.standard_land.indicators import ALL, COMMITMENTS, CONTROLS, STAGES

PENALTY_KINDS = ("proportional", "tax_difference", "graduated", "fixed_per_mu", "permille", "none")
PENALTY_ON = ("full", "beyond_tolerance")
LAND_BASES = ("enterprise_land", "contract_parcel")
YEAR_RULES = ("last_full_year",)
LIBRARY_VALUES = ("fai_per_mu", "far_min", "far_max", "tax_per_mu", "va_per_energy", "va_per_emission",
                  "building_coefficient_min", "admin_share_max", "green_ratio_max", "build_years")
NATIONAL_KEYS = ("building_coefficient_min", "admin_share_max", "green_ratio_max")
INDUSTRY_PREFIX = re.compile(r"^[A-T](\d{0,4})$")
CAUSES = ("enterprise", "gov_1", "gov_2", "gov_3", "gov_4", "gov_5", "gov_6", "force_majeure", "prelim_work")


#: A national control indicator: its value (a fraction), confidence tag and source — the one
#: value shape of every rule file (the built-in file takes them from national-controls.toml).
Bound = Value


@dataclass(frozen=True)
class LibraryRow:
    """Control values for one industry prefix × park tier."""

    industry: str  # GB/T 4754 prefix or "*"
    tier: str  # tier key or "*"
    values: dict[str, float]
    tag: str = ""
    source: str = ""
    node: str = ""

    def matches(self, code: str, tier: str) -> bool:
        return (self.industry == "*" or code.upper().startswith(self.industry)) and self.tier in ("*", tier)

    @property
    def specificity(self) -> tuple[int, int]:
        return (0 if self.industry == "*" else len(self.industry), 0 if self.tier == "*" else 1)


@dataclass(frozen=True)
class Term:
    """The agreement term of one indicator: when it is checked and what a shortfall costs."""

    indicator: str
    stage: str
    tolerance: float = 0.0
    penalty: str = "proportional"
    factor: float = 1.0
    years: float = 1.0
    permille: float = 0.0
    amount_per_mu: float = 0.0
    steps: tuple[tuple[float, float], ...] = ()
    penalty_on: str = "full"
    tag: str = ""
    source: str = ""


@dataclass(frozen=True)
class Timing:
    late_start_permille: float = 1.0
    late_completion_permille: float = 1.0
    excused_causes: tuple[str, ...] = ()
    completion_from_acceptance: bool = True
    start_after_delivery_months: int = 6
    acceptance_within_days: int = 90
    review_after_years: int = 3
    due_window_days: int = 30


@dataclass(frozen=True)
class IdleRoute:
    fee_after_years: int = 1
    fee_share: float = 0.2
    recovery_after_years: int = 2
    halt_referral_years: int = 1


@dataclass(frozen=True)
class OutputRules:
    land_basis: str = "contract_parcel"
    year_rule: str = "last_full_year"


@dataclass(frozen=True)
class Rules:
    """A loaded, checked standard-land rules file."""

    name: str
    version: str
    title: str
    jurisdiction: str
    national: dict[str, Bound]
    tiers: dict[str, str]
    zone_tier: dict[str, str]
    library: tuple[LibraryRow, ...]
    terms: dict[str, Term]
    timing: Timing
    idle: IdleRoute
    output: OutputRules
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "title": self.title, "source": self.source}

    def library_row(self, code: str, tier: str) -> LibraryRow | None:
        """The most specific library row for an industry code and tier (None when none applies)."""
        rows = [r for r in self.library if r.matches(code, tier)]
        return max(rows, key=lambda r: r.specificity) if rows else None

    def bound(self, key: str, row: LibraryRow | None = None) -> float:
        """The control bound of ``key`` (a national key), tightened by the library row if it has one."""
        if row is not None and key in row.values:
            return row.values[key]
        return self.national[key].value


def builtin_rules() -> list[str]:
    """Names of the rules files shipped with jiyue."""
    return builtin_names(RULESETS)


RULESETS = "jiyue.standard_land.rulesets"


def _fail(kind: str, **kw: Any) -> Exception:
    if kind == "missing_file":
        return RulesNotFound(labels.RULES_ERR["not_found"].format(path=kw["path"]))
    if kind == "unknown_name":
        return RulesNotFound(labels.RULES_ERR["no_builtin"].format(name=kw["name"], known=kw["names"]))
    if kind == "unreadable":
        return RulesNotFound(f"{labels.RULES_ERR['not_found'].format(path=kw['path'])}（{kw['err']}）")
    return ProfileError(labels.RULES_ERR["toml"].format(source=kw["source"], err=kw["err"]))


def load_rules(name_or_path: str | Path | None = None) -> Rules:
    """Load a built-in rules file by name, or a rules file by path; check it."""
    text, source = read_text(str(name_or_path or "default"), package=RULESETS, names=builtin_rules, fail=_fail)
    return parse_rules(parse_toml(text, source, fail=_fail), source)


class _Collector:
    """Collects every problem of a rules file before refusing it (a :class:`jiyue.rulefiles.Problems`)."""

    EXPECTED = {"missing": "必填", "number": "数字", "positive": "大于0", "choice": "{choices} 之一",
                "range": "{lo} 到 {hi} 之间", "unknown_key": "{known} 之一", "tier": "{known} 之一"}

    def __init__(self, source: str = "") -> None:
        self.problems = Problems(source)

    def add(self, message: str, /, **kw: Any) -> None:
        path = kw.get("node", "") + (f".{kw['key']}" if "key" in kw and message != "missing" else "")
        if message == "missing":
            path = f"{path} {kw.get('key', '')}".strip()
        self.problems.add(path, kw.get("value"), self.EXPECTED.get(message, "").format(**kw),
                          labels.RULES_ERR[message].format(**kw))

    def number(self, d: dict[str, Any], key: str, node: str, *, default: float | None = None,
               lo: float | None = None, hi: float | None = None, positive: bool = False) -> float | None:
        if key not in d:
            if default is None:
                self.add("missing", node=node, key=key)
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.add("number", node=node, key=key, value=v)
            return default
        v = float(v)
        if positive and v <= 0:
            self.add("positive", node=node, key=key, value=v)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.add("range", node=node, key=key, value=v, lo=lo, hi=hi)
        return v

    def choice(self, d: dict[str, Any], key: str, node: str, choices: tuple[str, ...], default: str) -> str:
        v = str(d.get(key, default))
        if v not in choices:
            self.add("choice", node=node, key=key, value=v, choices="/".join(choices))
            return default
        return v


def parse_rules(data: dict[str, Any], source: str = "") -> Rules:
    """Build and check :class:`Rules` from parsed TOML; every problem is reported at once."""
    data = resolve_refs(data, source)
    c = _Collector(source)
    meta = data.get("ruleset") or {}
    for k in ("name", "version"):
        if not meta.get(k):
            c.add("missing", node="[ruleset]", key=k)
    national: dict[str, Bound] = {}
    nat_raw = data.get("national") or {}
    for key in NATIONAL_KEYS:
        node = f"[national.{key}]"
        entry = nat_raw.get(key)
        if entry is None:
            c.add("missing", node="[national]", key=key)
            continue
        entry = entry if isinstance(entry, dict) else {"value": entry}
        v = c.number(entry, "value", node, lo=0.0, hi=1.0)
        if v is not None:
            national[key] = Bound(v, str(entry.get("tag", "")), str(entry.get("source", "")))
    for key in nat_raw:
        if key not in NATIONAL_KEYS:
            c.add("unknown_key", node="[national]", key=key, known="、".join(NATIONAL_KEYS))
    tiers = {str(k): str(v) for k, v in (data.get("tiers") or {}).items()}
    if not tiers:
        c.add("missing", node="[tiers]", key=labels.MISC["at_least_one_tier"])
    zone_tier = {str(k): str(v) for k, v in (data.get("zone_tier") or {}).items()}
    for level, tier in zone_tier.items():
        if tier not in tiers:
            c.add("tier", node=f"[zone_tier].{level}", value=tier, known="、".join(tiers))
    library = tuple(_library_rows(data.get("library") or [], national, tiers, c))
    terms = _terms(data.get("terms") or {}, c)
    timing = _timing(data.get("timing") or {}, c)
    idle_raw = data.get("idle") or {}
    idle = IdleRoute(
        fee_after_years=int(c.number(idle_raw, "fee_after_years", "[idle]", default=1, lo=0)),  # type: ignore[arg-type]
        fee_share=float(c.number(idle_raw, "fee_share", "[idle]", default=0.2, lo=0, hi=1)),  # type: ignore[arg-type]
        recovery_after_years=int(c.number(idle_raw, "recovery_after_years", "[idle]", default=2,  # type: ignore[arg-type]
                                          lo=0)),
        halt_referral_years=int(c.number(idle_raw, "halt_referral_years", "[idle]", default=1, lo=0)),  # type: ignore[arg-type]
    )
    out_raw = data.get("output") or {}
    output = OutputRules(land_basis=c.choice(out_raw, "land_basis", "[output]", LAND_BASES, "contract_parcel"),
                         year_rule=c.choice(out_raw, "year_rule", "[output]", YEAR_RULES, "last_full_year"))
    c.problems.raise_if_any(lambda ps: ProfileError(labels.RULES_ERR["problems"].format(
        source=source, n=len(ps), items="\n".join(f"  - {p.text()}" for p in ps))))
    return Rules(name=str(meta["name"]), version=str(meta["version"]), title=str(meta.get("title", "")),
                 jurisdiction=str(meta.get("jurisdiction", "")), national=national, tiers=tiers,
                 zone_tier=zone_tier, library=library, terms=terms, timing=timing, idle=idle, output=output,
                 source=source, raw=data)


def _library_rows(rows: list[Any], national: dict[str, Bound], tiers: dict[str, str],
                  c: _Collector) -> list[LibraryRow]:
    out: list[LibraryRow] = []
    seen: dict[tuple[str, str], str] = {}
    for i, r in enumerate(rows, 1):
        node = f"[[library]] #{i}"
        if not isinstance(r, dict):
            c.add("missing", node=node, key="industry")
            continue
        industry = str(r.get("industry", "")).strip().upper() or "?"
        if industry != "*" and not INDUSTRY_PREFIX.match(industry):
            c.add("industry", node=node, value=r.get("industry", ""))
        node = f"[[library]] #{i}（{industry}）"
        tier = str(r.get("tier", "*"))
        if tier != "*" and tier not in tiers:
            c.add("tier", node=node, value=tier, known="、".join(tiers))
        key = (industry, tier)
        if key in seen:
            c.add("duplicate_row", node=node, other=seen[key], industry=industry, tier=tier)
        seen[key] = node
        values: dict[str, float] = {}
        for k in r:
            if k not in (*LIBRARY_VALUES, "industry", "tier", "tag", "source"):
                c.add("unknown_key", node=node, key=k, known="、".join(LIBRARY_VALUES))
        for k in LIBRARY_VALUES:
            if k in r:
                v = c.number(r, k, node, lo=0.0, hi=1.0 if k in NATIONAL_KEYS else None, positive=k != "far_max")
                if v is not None:
                    values[k] = v
        for k in ("fai_per_mu", "far_min", "tax_per_mu"):
            if k not in r:
                c.add("missing", node=node, key=k)
        if "far_max" in values and "far_min" in values and values["far_max"] < values["far_min"]:
            c.add("far_range", node=node, lo=values["far_min"], hi=values["far_max"])
        for k in NATIONAL_KEYS:
            if k in values and k in national:
                b = national[k].value
                if (k.endswith("_min") and values[k] < b) or (k.endswith("_max") and values[k] > b):
                    c.add("bound", node=node, key=k, value=values[k], bound_key=k,
                          op="≥" if k.endswith("_min") else "≤", bound=b)
        out.append(LibraryRow(industry, tier, values, str(r.get("tag", "")), str(r.get("source", "")), node))
    return out


def _terms(raw: dict[str, Any], c: _Collector) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for key in raw:
        if key not in ALL:
            c.add("unknown_key", node="[terms]", key=key, known="、".join(ALL))
    for key in (*COMMITMENTS, *CONTROLS):
        node = f"[terms.{key}]"
        t = raw.get(key)
        if t is None:
            c.add("missing", node="[terms]", key=key)
            continue
        default_stage = "production_review" if ALL[key].kind == "output" else "acceptance"
        stage = c.choice(t, "stage", node, STAGES, default_stage)
        penalty = c.choice(t, "penalty", node, PENALTY_KINDS, "proportional")
        steps: list[tuple[float, float]] = []
        if penalty == "graduated":
            raw_steps = t.get("steps")
            ok = isinstance(raw_steps, list) and raw_steps and all(
                isinstance(s, list) and len(s) == 2 and all(isinstance(x, (int, float)) for x in s) for s in raw_steps)
            if ok:
                steps = [(float(a), float(b)) for a, b in raw_steps]
                if [a for a, _ in steps] != sorted((a for a, _ in steps), reverse=True):
                    ok = False
            if not ok:
                c.add("steps", node=node)
        if penalty == "permille" and "permille" not in t:
            c.add("missing", node=node, key="permille")
        if penalty == "fixed_per_mu" and "amount_per_mu" not in t:
            c.add("missing", node=node, key="amount_per_mu")
        terms[key] = Term(
            indicator=key, stage=stage,
            tolerance=c.number(t, "tolerance", node, default=0.0, lo=0.0, hi=1.0) or 0.0,
            penalty=penalty,
            factor=c.number(t, "factor", node, default=1.0, lo=0.0) or 0.0,
            years=c.number(t, "years", node, default=1.0, lo=0.0) or 0.0,
            permille=c.number(t, "permille", node, default=0.0, lo=0.0) or 0.0,
            amount_per_mu=c.number(t, "amount_per_mu", node, default=0.0, lo=0.0) or 0.0,
            steps=tuple(steps),
            penalty_on=c.choice(t, "penalty_on", node, PENALTY_ON, "full"),
            tag=str(t.get("tag", "")), source=str(t.get("source", "")),
        )
    return terms


def _timing(t: dict[str, Any], c: _Collector) -> Timing:
    node = "[timing]"
    causes = t.get("excused_causes", [])
    if not isinstance(causes, list) or any(str(x) not in CAUSES for x in causes):
        c.add("choice", node=node, key="excused_causes", value=causes, choices="/".join(CAUSES))
        causes = []
    return Timing(
        late_start_permille=c.number(t, "late_start_permille", node, default=1.0, lo=0.0) or 0.0,
        late_completion_permille=c.number(t, "late_completion_permille", node, default=1.0, lo=0.0) or 0.0,
        excused_causes=tuple(str(x) for x in causes),
        completion_from_acceptance=bool(t.get("completion_from_acceptance", True)),
        start_after_delivery_months=int(c.number(t, "start_after_delivery_months", node, default=6, lo=0) or 0),
        acceptance_within_days=int(c.number(t, "acceptance_within_days", node, default=90, lo=0) or 0),
        review_after_years=int(c.number(t, "review_after_years", node, default=3, lo=0) or 0),
        due_window_days=int(c.number(t, "due_window_days", node, default=30, lo=0) or 0),
    )
