"""The standard-land indicators as declared data.

Two families (docs/sources/standard-land.md §B.2, B.5):

* **commitments** — the five a contract carries (``contracts.commit_*``): fixed-asset investment
  intensity and FAR, checked at acceptance (竣工验收); tax per mu and value added per unit of
  energy and of emission, checked at the production review (达产复核). All are minimums.
* **controls** — the national control indicators (工业项目建设用地控制指标) every industrial
  parcel must keep: building coefficient (minimum), administrative-land share and green ratio
  (maximums). They bound the indicator library and are checked at acceptance.

The two time checks (``start``, ``completion``) are not indicators of the library; they live in
:mod:`jiyue.standard_land.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """One standard-land indicator."""

    key: str
    unit: str
    direction: str  # "min": the actual must reach the value; "max": must not exceed it
    kind: str  # "physical" (measured at acceptance) or "output" (annual figures at the review)
    commit_field: str | None = None  # the contracts column holding the commitment
    percent: bool = False  # a share (0–1) shown as %


COMMITMENTS: dict[str, Indicator] = {i.key: i for i in (
    Indicator("fai_per_mu", "万元/亩", "min", "physical", "commit_fai_per_mu"),
    Indicator("far", "", "min", "physical", "commit_far"),
    Indicator("tax_per_mu", "万元/亩·年", "min", "output", "commit_tax_per_mu"),
    Indicator("va_per_energy", "万元/吨标准煤", "min", "output", "commit_va_per_energy"),
    Indicator("va_per_emission", "万元/吨", "min", "output", "commit_va_per_emission"),
)}

CONTROLS: dict[str, Indicator] = {i.key: i for i in (
    Indicator("building_coefficient", "%", "min", "physical", percent=True),
    Indicator("admin_share", "%", "max", "physical", percent=True),
    Indicator("green_ratio", "%", "max", "physical", percent=True),
)}

ALL: dict[str, Indicator] = {**COMMITMENTS, **CONTROLS}

#: the time checks of a contract, in the order they are reported
TIME_CHECKS = ("start", "completion")

#: every key that may appear in a contract's ``checks`` (the public JSON interface)
CHECK_KEYS = (*COMMITMENTS, *TIME_CHECKS)

#: check stages of the agreement
STAGES = ("acceptance", "production_review")
