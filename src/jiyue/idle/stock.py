"""The land-stock chain 批 → 供 → 用 → 建 → 投 → 达 (docs/sources/mlr-order-53.md §A.10), one category per parcel.

Working definitions (management categories, not statutory terms; configurable where a
threshold is involved):

============  ==================  ==========================================================
code          label               when
============  ==================  ==========================================================
unsupplied    批而未供            not supplied on ``as_of`` (supply class E…, or the contract /
                                  supply date lies after ``as_of``)
unused        供而未用            supplied, not commenced (permit + milestone)
unfinished    用而未尽            commenced, not completed
not_operating 建而未投            completed, no ``in_production`` event
below_target  投而未达            in production, below a contract target (investment,
                                  intensity, FAR, tax per mu after the production review)
normal        正常                in production, every known target met
============  ==================  ==========================================================

A parcel that is neither supplied nor in the unsupplied classes (e.g. class F) gets ``None``.
A supplied parcel without a contract and without progress records (older land) is placed by
its TD/T build class: A… (built) → ``normal``, otherwise → ``unused`` (供而未用).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiyue.idle import labels
from jiyue.idle.facts import ParcelFacts
from jiyue.idle.idleness import commenced_on, completed_on, exact, in_production_on, latest_value
from jiyue.idle.rules import Rules
from jiyue.landrules import M2_PER_MU

CATEGORIES = ("unsupplied", "unused", "unfinished", "not_operating", "below_target", "normal")
LABELS = labels.STOCK  # the Chinese label of each code (正常 for ``normal``)


def unsupplied_area(approved_m2: float, supplied_m2: list[float]) -> float:
    """批而未供 of an approval batch: approved area less the parts supplied (A24)."""
    return float(exact(approved_m2) - sum((exact(s) for s in supplied_m2), start=exact(0.0)))


def supplied(f: ParcelFacts, rules: Rules, as_of: dt.date) -> bool | None:
    """True when supplied on ``as_of``; False when unsupplied; None when outside the chain."""
    when = f.signed_date or f.supply_date
    if f.contract_no is not None or (f.supply_class or "").startswith("D"):
        return when is None or when <= as_of
    if f.supply_class in rules.stock.unsupplied_supply_classes:
        return False
    return None


def unmet_targets(f: ParcelFacts, rules: Rules, as_of: dt.date) -> list[dict[str, Any]]:
    """The contract targets an operating parcel misses (each {target, agreed, actual})."""
    share = rules.stock.target_share
    out: list[dict[str, Any]] = []
    invested = latest_value(f, as_of, "invested_wan")
    price = f.land_price_wan or 0.0
    if invested is not None and f.total_investment_wan:
        actual = invested + price if rules.investment.contract_total_includes_land_price else invested
        if actual < f.total_investment_wan * share:
            out.append({"target": "investment", "agreed": f.total_investment_wan, "actual": actual})
    if invested is not None and f.commit_fai_per_mu and f.area_m2:
        actual = (invested + price) / (f.area_m2 / M2_PER_MU)
        if actual < f.commit_fai_per_mu * share:
            out.append({"target": "intensity", "agreed": f.commit_fai_per_mu, "actual": actual})
    if f.commit_far and f.area_m2 and f.floor_area_m2 is not None:
        actual = f.floor_area_m2 / f.area_m2
        if actual < f.commit_far * share:
            out.append({"target": "far", "agreed": f.commit_far, "actual": actual})
    review = f.production_review_date
    if f.commit_tax_per_mu and review is not None and review <= as_of and f.enterprise_land_m2:
        years = [y for y in f.enterprise_years if y <= as_of.year and f.enterprise_years[y].get("tax_wan") is not None]
        if years:
            y = max(years)
            actual = f.enterprise_years[y]["tax_wan"] / (f.enterprise_land_m2 / M2_PER_MU)
            if actual < f.commit_tax_per_mu * share:
                out.append({"target": "tax_per_mu", "agreed": f.commit_tax_per_mu, "actual": actual, "year": y})
    return out


def stock_category(f: ParcelFacts, rules: Rules, as_of: dt.date) -> str | None:
    """The chain code of a parcel on ``as_of`` (see the module table), or None."""
    sup = supplied(f, rules, as_of)
    if sup is None:
        return None
    if not sup:
        return "unsupplied"
    if f.contract_no is None and not f.events:  # an older parcel without records: its TD/T build class
        return "normal" if (f.build_class or "").startswith("A") else "unused"
    if commenced_on(f, rules, as_of) is None:
        return "unused"
    if completed_on(f, as_of) is None:
        return "unfinished"
    if in_production_on(f, as_of) is None:
        return "not_operating"
    return "below_target" if unmet_targets(f, rules, as_of) else "normal"
