"""docs/reason-codes.md cannot drift from the code: every code, its examples, its tolerances."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jiyue import messages, normalize, validate
from jiyue.errors import ReasonCode

DOC = Path(__file__).resolve().parents[1] / "docs" / "reason-codes.md"
HEADING = re.compile(r"^### `([a-z_]+)` — (error|warning|refused)", re.M)


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    heads = list(HEADING.finditer(text))
    out = {}
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out[m.group(1)] = text[m.start():end]
    return out


def test_every_reason_code_is_documented_and_nothing_else():
    documented = sections()
    codes = {c.value for c in ReasonCode}
    assert codes - set(documented) == set(), "undocumented reason codes"
    assert set(documented) - codes == set(), "documented codes that do not exist"
    text = DOC.read_text(encoding="utf-8")
    for c in codes:
        assert f"`{c}`" in text


@pytest.mark.parametrize("code", [c.value for c in ReasonCode])
def test_each_section_says_when_example_and_fix(code):
    sec = sections()[code]
    for part in ("**When:**", "**Example:**", "**Fix:**"):
        assert part in sec, (code, part)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile(".*?".join(re.escape(p) for p in parts) + "$", re.S)


@pytest.mark.parametrize("code", [c for c in ReasonCode])
def test_examples_are_what_the_program_says(code):
    sec = sections()[code.value]
    example = re.search(r"\*\*Example:\*\* (.+)", sec).group(1).strip()
    templates = [messages.TEMPLATES[code]]
    if code in messages.LAYER_TEMPLATES:
        templates.append(messages.LAYER_TEMPLATES[code])
    if code == ReasonCode.PACKAGE_UNREADABLE:
        templates += [messages.TEXT["not_package"], messages.TEXT["not_found"]]
    if code == ReasonCode.ALREADY_IMPORTED:
        templates.append(messages.TEXT["import_conflict"])
    assert any(_pattern(t).match(example) for t in templates), (code, example)


def test_severities_in_the_doc():
    heads = {m.group(1): m.group(2) for m in HEADING.finditer(DOC.read_text(encoding="utf-8"))}
    warnings = {"duplicate_field", "reference_unchecked", "bad_credit_code", "inconsistent_class",
                "area_mismatch", "building_outside_parcels", "building_straddles_parcels",
                "building_parcel_mismatch", "unknown_field", "ignored_source", "no_buildings",
                "no_zone_years"}
    assert {c for c, s in heads.items() if s == "warning"} == warnings
    assert {c for c, s in heads.items() if s == "refused"} == {"already_imported"}


def test_tolerances_in_the_doc_are_the_constants():
    text = DOC.read_text(encoding="utf-8")
    assert validate.OVERLAP_TOLERANCE_M2 == 0.5 and validate.OVERLAP_TOLERANCE_SHARE == 0.001
    assert "larger of 0.5 m² and 0.1 % of the smaller parcel" in text
    assert normalize.AREA_MISMATCH_TOLERANCE == 0.01 and "more than 1 %" in text
    assert validate.STRADDLE_TOLERANCE_SHARE == 0.01 and validate.STRADDLE_TOLERANCE_M2 == 0.5
    assert "more than 1 % of the footprint and more than 0.5 m²" in text
