"""Differentiated-allocation policy tables: per class, the measures an enterprise receives.

A policy is a versioned TOML file (``rulesets/policy-<name>.toml``) holding a list of
measures. Each measure applies to some classes and is one of:

- ``surcharge``: a price add-on (元 per unit of ``base``, e.g. 元/kWh on electricity), either a
  flat ``rate`` or ``rates_by_consecutive_years`` (year 1, 2, 3+ in the class); with
  ``no_stacking_with`` naming an input variable holding a surcharge already charged, only the
  highest applies (Shandong: "highest only, no stacking"). A surcharge without a rate is listed
  with the note that the local price authority sets it;
- ``eligibility`` / ``priority``: a text per class (new land first for A, none for D …);
- ``relief``: a share of a money base (e.g. 城镇土地使用税 relief), amount = share × base.

``managed_as`` maps the deferred class (T) to a class whose measures it receives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jiyue.mujun import labels
from jiyue.mujun.scheme import Collect, Reader, builtin_files, read_rule_text, toml_data

KINDS = ("surcharge", "eligibility", "priority", "relief")
POLICY_VARIABLES = {**{k: v for k, v in labels.VARIABLES.items()},
                    "other_surcharge_yuan_kwh": ("已执行的其他电价加价", "元/千瓦时"),
                    "land_use_tax_wan": ("城镇土地使用税", "万元")}
YUAN_PER_WAN = 10_000.0


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    kind: str
    classes: tuple[str, ...]
    base: str | None = None
    rate: float | None = None
    rates_by_consecutive_years: tuple[float, ...] = ()
    rate_unit: str = ""
    share: float | None = None
    no_stacking_with: str | None = None
    text: dict[str, str] = field(default_factory=dict)
    note: str = ""
    tag: str = ""
    source: str = ""


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    title: str
    measures: tuple[Measure, ...]
    managed_as: dict[str, str] = field(default_factory=dict)
    source: str = ""
    origin: str = ""
    sha256: str = ""
    text: str = ""

    @property
    def max_streak(self) -> int:
        return max((len(m.rates_by_consecutive_years) for m in self.measures), default=0)

    def meta(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "title": self.title, "source": self.source,
                "origin": self.origin, "sha256": self.sha256}


def builtin_policies() -> list[str]:
    """Names of the policy tables shipped with jiyue."""
    return builtin_files("policy-")


def load_policy(ref: str | Path) -> Policy:
    """Load a built-in policy table by name (``shandong-2022``) or a policy file."""
    text, origin = read_rule_text(ref, prefix="policy-", what="差别化政策表", unknown_key="policy_unknown",
                                  names=builtin_policies())
    return policy_from_text(text, origin)


def policy_from_text(text: str, origin: str = "") -> Policy:
    p = parse_policy(toml_data(text, origin, "差别化政策表"), origin)
    return replace(p, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def parse_policy(data: dict[str, Any], source: str = "") -> Policy:
    """Build and check a :class:`Policy`; every problem is listed at once (one per measure and table)."""
    what = "差别化政策表"
    c = Collect(what, source)
    top = Reader(data, "", source, what)
    meta = c(top.sub, "policy", required=True)
    measures = []
    raw = data.get("measure", [])
    if not isinstance(raw, list):
        raise top.err("measure", "应为 [[measure]] 表数组")

    def measure(i: int, m: Any) -> None:
        r = Reader(m, f"measure[{i + 1}]", source, what)
        kind = r.str("kind", None, KINDS)
        base = r.str("base", "") or None
        if base is not None and base not in POLICY_VARIABLES:
            raise r.err("base", f"「{base}」不是可用变量；可用：{'、'.join(POLICY_VARIABLES)}")
        nsw = r.str("no_stacking_with", "") or None
        if nsw is not None and nsw not in POLICY_VARIABLES:
            raise r.err("no_stacking_with", f"「{nsw}」不是可用变量")
        rates = r.d.get("rates_by_consecutive_years", [])
        if not isinstance(rates, list) or not all(isinstance(x, (int, float)) and x >= 0 for x in rates):
            raise r.err("rates_by_consecutive_years", f"应为非负数列表，实际为「{rates!r}」")
        text = r.sub("text").d
        if kind in ("eligibility", "priority") and not text:
            raise r.err("text", "缺失（应给出每个类别的措施文字，如 { A = \"优先供地\" }）")
        classes = r.strs("classes", tuple(text) if text else ())
        if not classes:
            raise r.err("classes", "缺失（适用的类别）")
        if kind == "surcharge" and base is None:
            raise r.err("base", "缺失（加价的计费基数，如 electricity_kwh）")
        measures.append(Measure(
            key=r.str("key"), label=r.str("label", r.d.get("key", "")), kind=kind, classes=classes, base=base,
            rate=r.num("rate", optional=True, minimum=0.0), rates_by_consecutive_years=tuple(float(x) for x in rates),
            rate_unit=r.str("rate_unit", ""), share=r.num("share", optional=True, minimum=0.0),
            no_stacking_with=nsw, text={str(k): str(v) for k, v in text.items()}, note=r.str("note", ""),
            tag=r.str("tag", ""), source=r.str("source", "")))

    for i, m in enumerate(raw):
        c(measure, i, m)
    managed_r = c(top.sub, "managed_as")
    managed = {str(k): str(v) for k, v in managed_r.d.items()} if managed_r else {}

    def build(m: Reader) -> Policy:
        return Policy(m.str("name"), m.str("version"), m.str("title", ""), tuple(measures), managed,
                      m.str("source", ""), source)

    policy = c(build, meta) if meta is not None else None
    c.raise_if_any()
    assert policy is not None
    return policy
