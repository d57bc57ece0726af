"""Why an indicator has its value: numerator, denominator and the rows behind them.

Each contributing row (a parcel, an enterprise, or the zone's yearly statistics) gets
``contribution = its part of the numerator ÷ denominator × factor``; the contributions add
up to the indicator's value. Rows are listed largest first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from jiyue.errors import UsageError
from jiyue.evaluation import accounting
from jiyue.evaluation.indicators import INDICATORS, TERM_LABELS, compute
from jiyue.evaluation.results import clean
from jiyue.evaluation.service import open_source

# numerator terms measured per parcel: term -> SQL of the parcel's part (alias p = ev_parcels, pb = ev_pb)
_PARCEL_TERMS = {
    **{k: f"CASE WHEN {f} THEN p.area ELSE 0 END" for k, f in accounting.CLASS_FILTERS.items()},
    "FA_A": "CASE WHEN p.build_class LIKE 'A%' THEN COALESCE(pb.fa, 0) ELSE 0 END",
    "FP_A": "CASE WHEN p.build_class LIKE 'A%' THEN COALESCE(pb.fp, 0) ELSE 0 END",
    "FA_A2": "CASE WHEN p.build_class = 'A2' THEN COALESCE(pb.fa, 0) ELSE 0 END",
    "FPALL_A2": "CASE WHEN p.build_class = 'A2' THEN COALESCE(pb.fp_all, 0) ELSE 0 END",
}
_ZONE_TERMS = {"tax_total_wan", "population", "industrial_tax_wan", "industrial_fai_wan"}


def explain(pkg: str | Path | None = None, db: str | Path | None = None, *, zone: str, indicator: str,
            year: int | None = None, limit: int | None = None) -> dict[str, Any]:
    """The explanation document of ``jiyue explain``."""
    if indicator not in INDICATORS:
        raise UsageError(f"没有指标「{indicator}」；可用：{'、'.join(INDICATORS)}")
    with open_source(pkg, db, zone=zone, year=year) as src:
        return explain_selection(src.con, src.selection[0], indicator, limit=limit)


def explain_selection(con: duckdb.DuckDBPyConnection, snapshot: tuple[int, str, int], indicator: str,
                      *, limit: int | None = None) -> dict[str, Any]:
    ind = INDICATORS[indicator]
    accounting.select_snapshots(con, [snapshot])
    acc = {k: clean(v) for k, v in accounting.zone_accounting(con).iloc[0].to_dict().items()}
    values, missing = compute(acc, [indicator])
    value = values[indicator]
    num_terms = {t: acc.get(t) for t in ind.numerator}
    den_terms = {t: acc.get(t) for t in ind.denominator}
    den = sum(float(v) for v in den_terms.values() if v is not None)
    rows: list[dict[str, Any]] = []
    if value is not None:
        for term in ind.numerator:
            rows.extend(_term_rows(con, term, acc, den, ind.factor))
    rows.sort(key=lambda r: (-abs(r["contribution"]), str(r["id"])))
    total = sum(r["contribution"] for r in rows)
    n_rows = len(rows)
    shown = rows if limit is None else rows[:limit]
    return {
        "zone_code": snapshot[1], "year": snapshot[2], "indicator": indicator, "name": ind.name,
        "unit": ind.unit, "formula": ind.formula, "value": value, "missing_reason": missing.get(indicator),
        "numerator": {"terms": num_terms, "labels": {t: TERM_LABELS.get(t, t) for t in ind.numerator},
                      "value": sum(float(v) for v in num_terms.values() if v is not None)},
        "denominator": {"terms": den_terms, "labels": {t: TERM_LABELS.get(t, t) for t in ind.denominator},
                        "value": den},
        "factor": ind.factor,
        "contributions": shown,
        "contributions_total": total,
        "contributions_count": n_rows,
    }


def _term_rows(con: duckdb.DuckDBPyConnection, term: str, acc: dict[str, Any], den: float, factor: float
               ) -> list[dict[str, Any]]:
    if term in _PARCEL_TERMS:
        df = con.execute(f"""
            SELECT p.parcel_id AS id, p.build_class, p.supply_class, p.area, p.user_id,
                   ({_PARCEL_TERMS[term]}) AS part
            FROM ev_parcels p LEFT JOIN ev_pb pb ON pb.snap = p.snap AND pb.parcel_id = p.parcel_id
            WHERE ({_PARCEL_TERMS[term]}) <> 0""").fetchdf()
        return [{"source": "parcels", "id": r.id, "term": term, "build_class": r.build_class,
                 "supply_class": r.supply_class, "area_m2": float(r.area), "user_id": clean(r.user_id),
                 "part": float(r.part), "contribution": float(r.part) / den * factor}
                for r in df.itertuples()]
    if term in _ZONE_TERMS:
        src = acc.get(f"{term.replace('_wan', '')}_source") if term.startswith("industrial") else "zone_years"
        if src == "enterprise_years":
            col = "tax_wan" if term == "industrial_tax_wan" else "fixed_assets_wan"
            df = con.execute(f"""
                WITH a2 AS (SELECT p.import_id, p.user_id, SUM(p.area) a2 FROM ev_parcels p
                            WHERE p.build_class = 'A2' AND p.user_id IS NOT NULL GROUP BY ALL),
                     a2_all AS (SELECT import_id, user_id, SUM(area_eff_m2) a2_all FROM parcels
                                WHERE build_class = 'A2' AND user_id IS NOT NULL
                                  AND import_id IN (SELECT import_id FROM ev_sel) GROUP BY ALL)
                SELECT ey.enterprise_id AS id, ey.{col} AS amount, a2.a2 / a2_all.a2_all AS share
                FROM a2 JOIN a2_all USING (import_id, user_id)
                JOIN enterprise_years ey ON ey.import_id = a2.import_id AND ey.enterprise_id = a2.user_id
                     AND ey.year = (SELECT "year" FROM ev_sel)
                WHERE ey.{col} IS NOT NULL""").fetchdf()
            return [{"source": "enterprise_years", "id": r.id, "term": term, "amount": float(r.amount),
                     "share_of_a2_in_zone": float(r.share), "part": float(r.amount * r.share),
                     "contribution": float(r.amount * r.share) / den * factor} for r in df.itertuples()]
        v = acc.get(term)
        if v is None:
            return []
        return [{"source": "zone_years", "id": f"{acc['zone_code']}/{acc['year']}", "term": term,
                 "part": float(v), "contribution": float(v) / den * factor}]
    return []
