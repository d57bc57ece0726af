"""The idle-land assessment of a package or the store: the service behind ``jiyue idle``, the ledger and the web.

:func:`assess` loads the tables (``jiyue.sources.load_tables``), builds per-parcel facts,
applies the rules and returns the JSON document::

    {"as_of", "rules": {"name", "version", "title", "source"}, "jiyue_version", "provenance",
     "year", "zones", "parcels": [...], "summary": {...}}

The parcels assessed are every parcel with a grant contract plus every parcel of an
unsupplied class (批而未供) — or every parcel with ``all_parcels``; the ledger's inventory assesses its own selection through
:func:`assess_facts`. From the store, disposal plans that re-set the start date (recorded in
the ledger) count as supplementary agreements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

import jiyue
from jiyue.errors import UsageError
from jiyue.idle import labels
from jiyue.idle.calendar import iso, to_date
from jiyue.idle.facts import ParcelFacts, Supplement, parcel_facts
from jiyue.idle.idleness import ROUTES, STATUSES, assess_idle, round_money
from jiyue.idle.low_efficiency import low_efficiency
from jiyue.idle.penalties import KINDS, contract_penalties
from jiyue.idle.rules import Rules, load_rules
from jiyue.idle.stock import CATEGORIES, LABELS as STOCK_LABELS, stock_category
from jiyue.sources import Tables, load_tables
from jiyue.landrules import M2_PER_HA


def _ratio(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def in_breach(entry: Mapping[str, Any], rules: Rules) -> bool:
    """Whether a parcel's findings put it in breach (``[inventory] breach_if``)."""
    tests = {"idle": entry["status"] != "not_idle", "penalty": bool(entry["penalties"]),
             "low_efficiency": bool(entry["low_efficiency"])}
    return any(tests[k] for k in rules.inventory.breach_if)


def assess_parcel(f: ParcelFacts, rules: Rules, as_of: dt.date) -> dict[str, Any]:
    """The JSON entry of one parcel (pure)."""
    res = assess_idle(f, rules, as_of)
    pens = [{**p, "amount_wan": round_money(p["amount_wan"])} for p in contract_penalties(f, rules, as_of)]
    stock = stock_category(f, rules, as_of)
    entry: dict[str, Any] = {
        "parcel_id": f.parcel_id,
        "contract_no": f.contract_no,
        "zone_code": f.zone_code,
        "enterprise_id": f.enterprise_id,
        "area_m2": f.area_m2,
        "land_price_wan": f.land_price_wan,
        "status": res.status,
        "cause": res.cause,
        "cause_basis": res.cause_basis,
        "start_date_effective": iso(res.start_date_effective),
        "start_date_basis": res.start_date_basis,
        "commenced_date": iso(res.commenced_date),
        "completed_date": iso(res.completed_date),
        "halt_start": iso(res.halt_start),
        "idle_since": iso(res.idle_since),
        "years_idle": res.years_idle,
        "route": res.route,
        "fee_wan": round_money(res.fee_wan),
        "fee_basis": res.fee_basis,
        "recovery_eligible_from": iso(res.recovery_eligible_from),
        "area_ratio": _ratio(res.area_ratio),
        "investment_ratio": _ratio(res.investment_ratio),
        "stock_category": STOCK_LABELS.get(stock) if stock else None,
        "stock_category_code": stock,
        "low_efficiency": low_efficiency(f, rules, as_of, idle=res.idle),
        "penalties": pens,
        "penalties_wan": round_money(sum(p["amount_wan"] for p in pens)),
        "notes": [labels.NOTES.get(n, n) for n in res.notes if not (stock == "unsupplied" and n == "no_contract")]
        + ([labels.NOTES["unsupplied"]] if stock == "unsupplied" else []),
    }
    entry["in_breach"] = in_breach(entry, rules)
    return entry


def summary(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts, areas and money totals over the parcels."""
    def area(es: Iterable[dict[str, Any]]) -> float:
        return float(sum(e["area_m2"] or 0.0 for e in es))

    idle = [e for e in entries if e["status"] != "not_idle"]
    pens: dict[str, dict[str, Any]] = {k: {"count": 0, "amount_wan": 0.0} for k in KINDS}
    for e in entries:
        for p in e["penalties"]:
            pens[p["kind"]]["count"] += 1
            pens[p["kind"]]["amount_wan"] += p["amount_wan"]
    for v in pens.values():
        v["amount_wan"] = round_money(v["amount_wan"])
    stock: dict[str, dict[str, Any]] = {}
    for code in CATEGORIES:
        es = [e for e in entries if e["stock_category_code"] == code]
        stock[STOCK_LABELS[code]] = {"count": len(es), "area_m2": area(es)}
    by_code: dict[str, int] = {}
    for e in entries:
        for code in sorted({h["code"] for h in e["low_efficiency"]}):
            by_code[code] = by_code.get(code, 0) + 1
    causes: dict[str, int] = {}
    for e in idle:
        causes[e["cause"]] = causes.get(e["cause"], 0) + 1
    return {
        "parcels": len(entries),
        "area_m2": area(entries),
        "by_status": {s: sum(e["status"] == s for e in entries) for s in STATUSES},
        "idle": {"count": len(idle), "area_m2": area(idle), "area_ha": area(idle) / M2_PER_HA},
        "by_route": {r: sum(e["route"] == r for e in entries) for r in ROUTES},
        "idle_by_cause": causes,
        "fee_wan": round_money(sum(e["fee_wan"] or 0.0 for e in entries)),
        "penalties": pens,
        "penalties_wan": round_money(sum(e["penalties_wan"] or 0.0 for e in entries)),
        "stock": stock,
        "low_efficiency": {"parcels": sum(bool(e["low_efficiency"]) for e in entries), "by_code": by_code},
        "in_breach": sum(e["in_breach"] for e in entries),
    }


def default_selection(facts: list[ParcelFacts], rules: Rules) -> list[ParcelFacts]:
    """Parcels with a grant contract, and parcels of an unsupplied class (批而未供)."""
    return [f for f in facts if f.contract_no is not None
            or f.supply_class in rules.stock.unsupplied_supply_classes]


def assess_facts(facts: list[ParcelFacts], rules: Rules, as_of: dt.date) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(parcel entries, summary) of the given parcels."""
    entries = [assess_parcel(f, rules, as_of) for f in facts]
    return entries, summary(entries)


def rule_set_titles(rules: Rules) -> dict[str, str]:
    """The Chinese title of each active low-efficiency rule set (the rules file's, else the default)."""
    out = {}
    for name in rules.low_efficiency.active:
        title = str(getattr(getattr(rules.low_efficiency, name, None), "title", "") or "")
        out[name] = title or labels.RULE_SETS.get(name, name)
    return out


def resolve_as_of(as_of: Any, tables: Tables) -> dt.date:
    """The assessment date: given, else 31 December of the data's year."""
    if as_of is None or as_of == "":
        return dt.date(int(tables.year), 12, 31)
    try:
        d = to_date(as_of)
    except (ValueError, TypeError):
        d = None
    if d is None:
        raise UsageError(f"--as-of 不是有效日期：「{as_of}」，应为如 2020-12-31 的日期")
    return d


def load_for(pkg: str | Path | None, db: str | Path | None, *, zone: str | None = None, year: int | None = None,
             rules: str | Path | Rules | None = None, low_efficiency: list[str] | None = None
             ) -> tuple[Tables, Rules, dict[str, list[Supplement]]]:
    """Tables, rules and the ledger's supplementary agreements (from the store only)."""
    r = rules if isinstance(rules, Rules) else load_rules(rules)
    if low_efficiency:
        r = r.with_low_efficiency(low_efficiency)
    tables = load_tables(pkg=pkg, db=db, zone=zone, year=year, geometry=False)
    sups: dict[str, list[Supplement]] = {}
    if db is not None and r.start_date.use_supplementary:
        from jiyue.idle.supplements import store_supplements  # the ledger's reading, below this module

        sups = store_supplements(db)
    return tables, r, sups


def facts_of(tables: Tables, supplements: Mapping[str, list[Supplement]] | None = None,
             parcel_ids: Iterable[str] | None = None) -> list[ParcelFacts]:
    """Parcel facts of the zones selected in ``tables``."""
    layers = dict(tables.layers)
    p = tables.get("parcels")
    if "zone_code" in p.columns:
        layers["parcels"] = p[p["zone_code"].isin(tables.zones)]
    for name in ("contracts", "progress", "buildings", "enterprises", "enterprise_years"):
        layers.setdefault(name, tables.get(name))
    return parcel_facts(layers, parcel_ids=parcel_ids, supplements=supplements)


def assess(pkg: str | Path | None = None, db: str | Path | None = None, *, as_of: Any = None,
           rules: str | Path | Rules | None = None, zone: str | None = None, year: int | None = None,
           low_efficiency: list[str] | None = None, all_parcels: bool = False) -> dict[str, Any]:
    """The document of ``jiyue idle`` (``all_parcels``: every parcel, not only the default selection)."""
    tables, r, sups = load_for(pkg, db, zone=zone, year=year, rules=rules, low_efficiency=low_efficiency)
    day = resolve_as_of(as_of, tables)
    facts = facts_of(tables, sups)
    if not all_parcels:
        facts = default_selection(facts, r)
    entries, summ = assess_facts(facts, r, day)
    return {
        "as_of": day.isoformat(),
        "rules": r.header(),
        "low_efficiency_rule_sets": list(r.low_efficiency.active),
        "low_efficiency_titles": rule_set_titles(r),
        "jiyue_version": jiyue.__version__,
        "provenance": tables.provenance,
        "year": int(tables.year),
        "zones": list(tables.zones),
        "parcels": entries,
        "summary": summ,
    }


def as_frame(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """The parcel entries as a flat table (lists joined), for xlsx and text output."""
    rows = []
    for e in entries:
        rows.append({**{k: v for k, v in e.items() if k not in ("penalties", "low_efficiency", "notes")},
                     "low_efficiency": "；".join(f"{h['code']} {h['label']}" for h in e["low_efficiency"]),
                     "notes": "；".join(e["notes"])})
    return pd.DataFrame(rows)
