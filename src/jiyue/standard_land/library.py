"""The indicator library at work: propose a parcel's indicator set and agreement terms (``offer``).

The library row is the most specific one for the industry (GB/T 4754 code prefix) and the park
tier (from ``zones.level`` through ``[zone_tier]``, or given). The offer lists, per commitment,
the control value, the total it implies on this parcel, the check stage, the tolerance and the
penalty formula; the national controls with the library's tightening; the deadlines (dates when
a delivery date is given); and ``contract_fields`` — the values ready for the ``contracts`` table.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from jiyue.errors import UsageError
from jiyue.landrules import M2_PER_MU, add_months, add_years
from jiyue.standard_land import labels
from jiyue.standard_land.indicators import COMMITMENTS, CONTROLS
from jiyue.standard_land.rules import LibraryRow, Rules, Term

INDUSTRY_CODE = re.compile(r"^[A-T]\d{2,4}$")
INDUSTRIAL_CLASSES = ("A2", "B21", "B11")
_LIB_KEY = {"fai_per_mu": "fai_per_mu", "far": "far_min", "tax_per_mu": "tax_per_mu",
            "va_per_energy": "va_per_energy", "va_per_emission": "va_per_emission"}
_BOUND_KEY = {"building_coefficient": "building_coefficient_min", "admin_share": "admin_share_max",
              "green_ratio": "green_ratio_max"}


#: GB/T 4754-2017 sections (门类): letter → (name, first and last division 大类). The full list of
#: groups and classes is not shipped; a code is checked down to its division.
SECTIONS: dict[str, tuple[str, int, int]] = {
    "A": ("农、林、牧、渔业", 1, 5), "B": ("采矿业", 6, 12), "C": ("制造业", 13, 43),
    "D": ("电力、热力、燃气及水生产和供应业", 44, 46), "E": ("建筑业", 47, 50), "F": ("批发和零售业", 51, 52),
    "G": ("交通运输、仓储和邮政业", 53, 60), "H": ("住宿和餐饮业", 61, 62),
    "I": ("信息传输、软件和信息技术服务业", 63, 65), "J": ("金融业", 66, 69), "K": ("房地产业", 70, 70),
    "L": ("租赁和商务服务业", 71, 72), "M": ("科学研究和技术服务业", 73, 75),
    "N": ("水利、环境和公共设施管理业", 76, 79), "O": ("居民服务、修理和其他服务业", 80, 82), "P": ("教育", 83, 83),
    "Q": ("卫生和社会工作", 84, 85), "R": ("文化、体育和娱乐业", 86, 90), "S": ("公共管理、社会保障和社会组织", 91, 96),
    "T": ("国际组织", 97, 97),
}


def industry_problem(code: str) -> str | None:
    """Why a well-formed code is no GB/T 4754-2017 industry (its division is not in its section), or None."""
    name, lo, hi = SECTIONS[code[0]]
    division = int(code[1:3])
    if lo <= division <= hi:
        return None
    span = f"{lo:02d}" if lo == hi else f"{lo:02d}–{hi:02d}"
    return labels.MISC["unknown_industry"].format(code=code, letter=code[0], section=name, span=span,
                                                  division=f"{division:02d}")


def check_industry(code: str) -> str:
    """A normalised GB/T 4754-2017 code (letter + 2–4 digits), or a UsageError."""
    c = str(code or "").strip().upper()
    if not INDUSTRY_CODE.match(c):
        raise UsageError(labels.ERR["bad_industry"].format(code=code))
    return c


def zone_tier(rules: Rules, zone: dict[str, Any] | None, tier: str | None) -> str:
    """The park tier: given, else from the zone's level."""
    if tier is not None:
        if tier not in rules.tiers:
            raise UsageError(labels.ERR["unknown_tier"].format(tier=tier, known="、".join(rules.tiers)))
        return tier
    level = str((zone or {}).get("level") or "")
    if level not in rules.zone_tier:
        raise UsageError(labels.ERR["no_tier"].format(zone=(zone or {}).get("zone_code", "—"), level=level or labels.MISC["empty"],
                                                      known="、".join(rules.tiers)))
    return rules.zone_tier[level]


def term_text(term: Term) -> str:
    """The penalty formula of a term in words."""
    text = labels.PENALTY_KIND[term.penalty]
    if term.penalty == "permille":
        text = f"{term.permille:g}{text}"
    if term.penalty == "tax_difference" and term.years != 1:
        text += labels.MISC["years_suffix"].format(years=f"{term.years:g}")
    if term.tolerance:
        text += labels.MISC["tolerance_suffix"].format(tol=f"{term.tolerance * 100:g}")
    return text


def offer(parcel: dict[str, Any], zone: dict[str, Any] | None, industry: str, rules: Rules, *,
          tier: str | None = None, delivery: dt.date | None = None) -> dict[str, Any]:
    """The proposed indicator set and agreement terms of a parcel (pure)."""
    code = check_industry(industry)
    t = zone_tier(rules, zone, tier)
    row = rules.library_row(code, t)
    if row is None:
        raise UsageError(labels.ERR["no_library_row"].format(rules=rules.name, code=code, tier=t))
    area = _area(parcel)
    mu = area / M2_PER_MU if area else None
    indicators = []
    for key, ind in COMMITMENTS.items():
        value = row.values.get(_LIB_KEY[key])
        if value is None:
            continue
        term = rules.terms[key]
        total = None
        if key in ("fai_per_mu", "tax_per_mu") and mu is not None:
            total = round(value * mu, 2)
        entry = {"indicator": key, "name": labels.INDICATOR[key], "unit": ind.unit, "bound": "min", "value": value,
                 "total_wan": total, "stage": term.stage, "tolerance": term.tolerance, "penalty": term.penalty,
                 "penalty_formula": term_text(term), "tag": term.tag}
        if key == "far" and "far_max" in row.values:
            entry["max"] = row.values["far_max"]
        indicators.append(entry)
    controls = []
    for key in CONTROLS:
        bk = _BOUND_KEY[key]
        value = rules.bound(bk, row)
        controls.append({"indicator": key, "name": labels.INDICATOR[key], "bound": CONTROLS[key].direction,
                         "value": value, "national": rules.national[bk].value,
                         "stage": rules.terms[key].stage, "penalty": rules.terms[key].penalty,
                         "penalty_formula": term_text(rules.terms[key])})
    deadlines = _deadlines(row, rules, delivery)
    warnings = []
    bc = str(parcel.get("build_class") or "")
    if bc and bc not in INDUSTRIAL_CLASSES:
        warnings.append(labels.MISC["not_industrial"].format(parcel=parcel.get("parcel_id"), bc=bc))
    if parcel.get("contract_no"):
        warnings.append(labels.MISC["has_contract"].format(parcel=parcel.get("parcel_id"),
                                                           contract=parcel.get("contract_no")))
    unknown = industry_problem(code)
    if unknown is not None:
        warnings.append(unknown)
    row_no = next((i for i, r in enumerate(rules.library, 1) if r is row), None)
    if row.industry == "*":
        warnings.append(labels.MISC["generic_row"].format(code=code, row=row_no, rules=rules.name,
                                                          tier=labels.TIER.get(row.tier, row.tier)))
    fields = {i.commit_field: row.values.get(_LIB_KEY[k]) for k, i in COMMITMENTS.items()}
    fields.update({"late_start_permille": rules.timing.late_start_permille,
                   "late_completion_permille": rules.timing.late_completion_permille,
                   "parcel_id": parcel.get("parcel_id")})
    if deadlines.get("dates"):
        fields.update({"delivery_date": deadlines["dates"]["delivery"],
                       "start_agreed": deadlines["dates"]["start"],
                       "completion_agreed": deadlines["dates"]["completion"],
                       "production_review_date": deadlines["dates"]["production_review"]})
    if mu is not None and "fai_per_mu" in row.values:
        fields["total_investment_wan"] = round(row.values["fai_per_mu"] * mu, 2)
    return {
        "parcel_id": parcel.get("parcel_id"),
        "zone_code": parcel.get("zone_code"),
        "area_m2": round(area, 2) if area else None,
        "area_mu": round(mu, 4) if mu else None,
        "industry": code,
        "tier": t,
        "rules": rules.describe(),
        "industry_known": unknown is None,
        "library_row": {"row": row_no, "industry": row.industry, "tier": row.tier, "tag": row.tag,
                        "source": row.source, "specific": row.industry != "*"},
        "indicators": indicators,
        "controls": controls,
        "deadlines": deadlines,
        "contract_fields": fields,
        "warnings": warnings,
    }


def _area(parcel: dict[str, Any]) -> float | None:
    for k in ("area_eff_m2", "area_m2"):
        try:
            v = float(parcel.get(k))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if v == v and v > 0:
            return v
    return None


def _deadlines(row: LibraryRow, rules: Rules, delivery: dt.date | None) -> dict[str, Any]:
    months = rules.timing.start_after_delivery_months
    years = int(row.values.get("build_years", 2))
    review = rules.timing.review_after_years
    out: dict[str, Any] = {"start_after_delivery_months": months, "build_years": years,
                           "acceptance_within_days": rules.timing.acceptance_within_days,
                           "review_after_completion_years": review,
                           "late_start_permille": rules.timing.late_start_permille,
                           "late_completion_permille": rules.timing.late_completion_permille}
    if delivery is not None:
        start = add_months(delivery, months)
        completion = add_years(start, years)
        out["dates"] = {"delivery": delivery.isoformat(), "start": start.isoformat(),
                        "completion": completion.isoformat(),
                        "production_review": add_years(completion, review).isoformat()}
    return out
