"""The idle-land campaign (专项整治) on the generic ledger: inventory, plans, progress, closing, statistics.

The service layer behind ``jiyue ledger …`` (and later the web UI): every function takes the
store path and plain values, opens one connection, does one transaction and returns a
JSON-ready dict.

* :func:`inventory` — a campaign from the store: every industrial parcel granted since a year
  (up to ``as_of``), each with its findings (the ``jiyue idle`` entry) and whether it is in
  breach (``[inventory] breach_if``);
* :func:`plan` — a disposal plan per parcel (一宗一策), checked against the parcel's findings
  (:func:`jiyue.idle.plans.check_plan`); an invalid plan is refused with every reason;
* :func:`progress` — a dated progress record (area revitalised, fee or penalty collected …);
* :func:`close` — 销号 with evidence files and a reviewer; :func:`reopen` undoes it (logged);
* :func:`show`, :func:`history`, :func:`stats` — reading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jiyue import store
from jiyue.errors import UsageError
from jiyue.idle import labels
from jiyue.idle.calendar import parse_date
from jiyue.idle.facts import ParcelFacts
from jiyue.idle.plans import check_plan, normalise_plan
from jiyue.idle.rules import Rules, load_rules
from jiyue.idle.service import assess_parcel, facts_of, load_for, resolve_as_of
from jiyue.idle.supplements import KIND
from jiyue.idle.supplements import read_only as _ro
from jiyue.landrules import M2_PER_HA
from jiyue.ledger import labels as ledger_labels
from jiyue.ledger import service as ledger
from jiyue.ledger.schema import ensure_schema, has_ledger

PROGRESS_FIGURES = ("area_revitalised_m2", "fee_collected_wan", "penalty_collected_wan", "recovered_area_m2",
                    "invested_wan")


# --------------------------------------------------------------------------- selection
def granted_on(f: ParcelFacts) -> dt.date | None:
    """When the parcel was granted: the contract's signing date, else the parcel's supply date."""
    return f.signed_date or f.supply_date


def is_industrial(f: ParcelFacts, rules: Rules) -> bool:
    """Industrial by land-use code prefix, or (no code) by TD/T build class."""
    inv = rules.inventory
    if f.land_use_code:
        return any(f.land_use_code.startswith(p) for p in inv.industrial_land_use_prefixes)
    return (f.build_class or "") in inv.industrial_build_classes


def inventory_selection(facts: Sequence[ParcelFacts], rules: Rules, since: int, as_of: dt.date) -> list[ParcelFacts]:
    """Industrial parcels granted (出让) from 1 January of ``since`` up to ``as_of``."""
    out = []
    for f in facts:
        d = granted_on(f)
        if d is None or d.year < since or d > as_of:
            continue
        if f.supply_method is not None and f.supply_method not in rules.inventory.granted_methods:
            continue
        if is_industrial(f, rules):
            out.append(f)
    return out


def _campaign_rules(params: dict[str, Any], override: str | Path | None) -> Rules:
    """The rules a campaign was built with (its source), unless others are named."""
    if override:
        return load_rules(override)
    src = str((params or {}).get("rules", {}).get("source") or "")
    ref = src.removeprefix("builtin:") if src.startswith("builtin:") else src
    try:
        rules = load_rules(ref or None)
    except Exception:  # noqa: BLE001 - a user's rule file moved away: fall back to the default
        rules = load_rules(None)
    active = (params or {}).get("low_efficiency_rule_sets")
    return rules.with_low_efficiency(list(active)) if active else rules


# --------------------------------------------------------------------------- inventory
def inventory(db: str | Path, *, since: int, as_of: Any = None, rules: str | Path | Rules | None = None,
              name: str | None = None, zone: str | None = None, year: int | None = None, user: str,
              exist_ok: bool = False, low_efficiency: list[str] | None = None) -> dict[str, Any]:
    """Create the campaign: every industrial parcel granted since ``since``, with its findings."""
    if not store.exists(db):
        raise UsageError(f"数据库文件不存在：{db}（请先用 jiyue import 导入数据包）")
    tables, r, sups = load_for(None, db, zone=zone, year=year, rules=rules, low_efficiency=low_efficiency)
    day = resolve_as_of(as_of, tables)
    facts = inventory_selection(facts_of(tables, sups), r, int(since), day)
    ent = tables.get("enterprises")
    names = dict(zip(ent["enterprise_id"].astype(str), ent["name"])) if len(ent) else {}
    items = []
    for f in facts:
        entry = assess_parcel(f, r, day)
        items.append({"subject": f.parcel_id, "ref": f.contract_no, "area_m2": f.area_m2,
                      "title": names.get(f.enterprise_id or "", None), "in_breach": entry["in_breach"],
                      "findings": entry})
    zone_code = zone or (tables.zones[0] if len(tables.zones) == 1 else None)
    title = name or labels.TEXT["campaign_default_name"].format(zone=zone_code or "全部开发区", since=since,
                                                               as_of=day.isoformat())
    params = {"since": int(since), "as_of": day.isoformat(), "rules": r.header(),
              "low_efficiency_rule_sets": list(r.low_efficiency.active), "provenance": tables.provenance,
              "year": int(tables.year), "selection": {
                  "industrial_land_use_prefixes": list(r.inventory.industrial_land_use_prefixes),
                  "industrial_build_classes": list(r.inventory.industrial_build_classes),
                  "granted_methods": list(r.inventory.granted_methods),
                  "breach_if": list(r.inventory.breach_if)}}
    with store.open_store(db) as con:
        cid, created = ledger.create_campaign(con, kind=KIND, name=title, zone_code=zone_code, params=params,
                                              items=items, user=user, exist_ok=exist_ok)
        camp = ledger.get_campaign(con, cid, KIND)
        breach = int(store.scalar(con, "SELECT count(*) FROM ledger_items WHERE campaign_id = ? AND in_breach",
                                  [cid]))
    return {"campaign_id": cid, "created": created, "name": camp["name"], "as_of": camp["params"]["as_of"],
            "since": camp["params"]["since"], "items": camp["items"], "in_breach": breach,
            "by_state": camp["by_state"]}


# --------------------------------------------------------------------------- changes
def _rw(db: str | Path) -> Any:
    """The store opened for a change (it must exist: the ledger works on imported data)."""
    if not store.exists(db, file=True):
        raise UsageError(f"数据库文件不存在：{db}（请先用 jiyue import 导入数据包，再用 jiyue ledger inventory 建立台账）")
    return store.open_store(db)


def _open_item(con: Any, campaign: int | None, parcel: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ensure_schema(con)
    camp = ledger.get_campaign(con, campaign, KIND)
    return camp, ledger.find_item(con, camp["campaign_id"], parcel)


def plan(db: str | Path, *, parcel: str, option: str, fields: dict[str, Any] | None = None,
         campaign: int | None = None, user: str, rules: str | Path | None = None) -> dict[str, Any]:
    """Record the disposal plan of a parcel; refused (with every reason) when the option is not allowed."""
    raw = {"option": option, **{k: v for k, v in (fields or {}).items() if v not in (None, "")}}
    with _rw(db) as con:
        camp, item = _open_item(con, campaign, parcel)
        r = _campaign_rules(camp["params"], rules)
        norm, problems = normalise_plan(raw)
        if option == "extend" and norm.get("agreement_date") and norm.get("start") and not norm.get("new_start"):
            norm["new_start"] = norm["start"]  # the agreement's start date re-starts the clock
        problems += check_plan(norm, item["findings"] or {}, r)
        if problems:
            raise ledger.LedgerRefused(labels.TEXT["plan_refused"].format(
                parcel=parcel, problems="\n".join(f"  - {p}" for p in dict.fromkeys(problems))))
        norm["option_label"] = labels.PLAN_OPTIONS[option]
        out = ledger.record_plan(con, item, norm, user=user)
    return {"campaign_id": camp["campaign_id"], **out}


def progress(db: str | Path, *, parcel: str, date: Any, note: str | None = None, campaign: int | None = None,
             user: str, figures: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record progress of a parcel's disposal (dated; optional figures in m² and 万元)."""
    day = parse_date(date) if date not in (None, "") else dt.date.today()
    if day is None:
        raise UsageError(f"--date 不是有效日期：「{date}」")
    rec: dict[str, Any] = {"date": day.isoformat(), "note": note}
    for k, v in (figures or {}).items():
        if v is None:
            continue
        if k not in PROGRESS_FIGURES:
            raise UsageError(f"不认识的进展数据「{k}」，可用：{'、'.join(PROGRESS_FIGURES)}")
        if float(v) < 0:
            raise UsageError(f"进展数据「{k}」不能为负数：{v}")
        rec[k] = float(v)
    with _rw(db) as con:
        camp, item = _open_item(con, campaign, parcel)
        out = ledger.record_progress(con, item, rec, user=user)
    return {"campaign_id": camp["campaign_id"], **out}


def close(db: str | Path, *, parcel: str, evidence: Sequence[str | Path], reviewer: str | None, user: str,
          outcome: str = "rectified", note: str | None = None, campaign: int | None = None) -> dict[str, Any]:
    """销号: close a parcel's item with evidence files and a reviewer."""
    with _rw(db) as con:
        camp, item = _open_item(con, campaign, parcel)
        out = ledger.close_item(con, item, evidence=evidence, reviewer=reviewer, user=user, outcome=outcome,
                                note=note, outcomes=tuple(labels.OUTCOMES))
    return {"campaign_id": camp["campaign_id"], **out}


def reopen(db: str | Path, *, parcel: str, reason: str | None, user: str, campaign: int | None = None
           ) -> dict[str, Any]:
    """Re-open a closed item (logged with the reason)."""
    with _rw(db) as con:
        camp, item = _open_item(con, campaign, parcel)
        out = ledger.reopen_item(con, item, reason=reason, user=user)
    return {"campaign_id": camp["campaign_id"], **out}


# --------------------------------------------------------------------------- reading
def _require_ledger(con: Any) -> None:
    if not has_ledger(con):
        raise ledger.LedgerRefused(ledger_labels.TEXT["no_campaign"])


def campaigns(db: str | Path) -> list[dict[str, Any]]:
    """Every idle-land campaign in the store."""
    with _ro(db) as con:
        if not has_ledger(con):
            return []
        return ledger.campaigns(con, KIND)


def _progress_totals(events: list[dict[str, Any]]) -> dict[int, dict[str, float]]:
    tot: dict[int, dict[str, float]] = {}
    for e in events:
        if e["kind"] == "progress_recorded" and e["item_id"] is not None:
            t = tot.setdefault(e["item_id"], {k: 0.0 for k in PROGRESS_FIGURES})
            for k in PROGRESS_FIGURES:
                t[k] += float((e["payload"] or {}).get(k) or 0.0)
    return tot


def _show(con: Any, campaign: int | None, parcel: str | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    _require_ledger(con)
    camp = ledger.get_campaign(con, campaign, KIND)
    its = ledger.items(con, camp["campaign_id"])
    events = ledger.history(con, camp["campaign_id"])
    if parcel is not None:
        its = [i for i in its if i["subject"] == parcel]
        if not its:
            raise ledger.LedgerRefused(ledger_labels.TEXT["unknown_item"].format(campaign=camp["campaign_id"],
                                                                                 subject=parcel))
    tot = _progress_totals(events)
    n_events: dict[int, int] = {}
    for e in events:
        if e["item_id"] is not None:
            n_events[e["item_id"]] = n_events.get(e["item_id"], 0) + 1
    rows = []
    for i in its:
        f = i["findings"] or {}
        rows.append({
            "item_id": i["item_id"], "parcel_id": i["subject"], "contract_no": i["ref"], "holder": i["title"],
            "area_m2": i["area_m2"], "in_breach": i["in_breach"], "state": i["state"],
            "status": f.get("status"), "cause": f.get("cause"), "route": f.get("route"), "fee_wan": f.get("fee_wan"),
            "penalties_wan": f.get("penalties_wan"), "stock_category": f.get("stock_category"),
            "low_efficiency": [h["code"] for h in f.get("low_efficiency", [])],
            "penalty_kinds": [p["kind"] for p in f.get("penalties", [])],
            "plan": i["plan"], "progress": tot.get(i["item_id"], {k: 0.0 for k in PROGRESS_FIGURES}),
            "outcome": i["outcome"], "version": i["version"], "events": n_events.get(i["item_id"], 0),
            "updated_at": i["updated_at"], "updated_by": i["updated_by"], "findings": f,
        })
    return {"campaign": camp, "items": rows}, events


def show(db: str | Path, *, campaign: int | None = None, parcel: str | None = None) -> dict[str, Any]:
    """The ledger: campaign header and every item (or one) with findings, plan, totals and state."""
    with _ro(db) as con:
        return _show(con, campaign, parcel)[0]


def _history(con: Any, campaign: int | None, parcel: str | None) -> dict[str, Any]:
    _require_ledger(con)
    camp = ledger.get_campaign(con, campaign, KIND)
    item_id = None
    if parcel is not None:
        item_id = ledger.find_item(con, camp["campaign_id"], parcel)["item_id"]
    events = ledger.history(con, camp["campaign_id"], item_id)
    diffs = ledger.verify(con, camp["campaign_id"])
    return {"campaign": {k: camp[k] for k in ("campaign_id", "name", "kind")}, "parcel_id": parcel,
            "events": events, "consistent": not diffs, "inconsistent_items": diffs}


def history(db: str | Path, *, campaign: int | None = None, parcel: str | None = None) -> dict[str, Any]:
    """Every event of the campaign (or of one parcel), oldest first, and whether the ledger replays."""
    with _ro(db) as con:
        return _history(con, campaign, parcel)


def _stats(doc: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    its = doc["items"]
    breach = [i for i in its if i["in_breach"]]
    closed = [i for i in its if i["state"] == "closed"]

    def total(rows: list[dict[str, Any]], key: str) -> float:
        return float(sum(r["progress"][key] for r in rows))

    recovered = [i for i in closed if (i["outcome"] or {}).get("result") == "recovered"]
    others = [i for i in its if i not in recovered]
    latest: dict[str, dict[str, Any]] = {}
    for e in events:  # the latest record of each case
        if e["kind"] == "recovery_recorded":
            latest[str((e["payload"] or {}).get("name"))] = e["payload"] or {}
    cases = list(latest.values())
    by_option: dict[str, int] = {}
    for i in its:
        if i["plan"]:
            by_option[i["plan"]["option"]] = by_option.get(i["plan"]["option"], 0) + 1
    by_outcome: dict[str, int] = {}
    for i in closed:
        res = (i["outcome"] or {}).get("result", "other")
        by_outcome[res] = by_outcome.get(res, 0) + 1
    idle = [i for i in its if i["status"] not in (None, "not_idle")]
    area_rev = total(its, "area_revitalised_m2")
    return {
        "campaign": {k: doc["campaign"][k] for k in ("campaign_id", "name", "zone_code", "created_at")},
        "as_of": doc["campaign"]["params"].get("as_of"),
        "since": doc["campaign"]["params"].get("since"),
        "parcels_checked": len(its),
        "area_checked_m2": float(sum(i["area_m2"] or 0.0 for i in its)),
        "found_in_breach": len(breach),
        "rectified": sum(1 for i in breach if i["state"] == "closed"),
        "open": sum(1 for i in breach if i["state"] != "closed"),
        "closed": len(closed),
        "by_state": doc["campaign"]["by_state"],
        "by_plan_option": by_option,
        "by_outcome": by_outcome,
        "idle": {"count": len(idle), "area_m2": float(sum(i["area_m2"] or 0.0 for i in idle))},
        "area_revitalised_m2": area_rev,
        "area_revitalised_wan_m2": area_rev / 1e4,
        "fees": {"assessed_wan": float(sum(i["fee_wan"] or 0.0 for i in its)),
                 "collected_wan": total(its, "fee_collected_wan")},
        "penalties": {"assessed_wan": float(sum(i["penalties_wan"] or 0.0 for i in its)),
                      "collected_wan": total(its, "penalty_collected_wan")},
        "recoveries": {
            # parcels closed as recovered count whole; elsewhere the recovered area recorded in progress
            "parcels": len(recovered),
            "area_m2": float(sum(i["area_m2"] or 0.0 for i in recovered)) + total(others, "recovered_area_m2"),
            "cases": len(cases),
            "cases_area_ha": float(sum(c.get("area_m2") or 0.0 for c in cases)) / M2_PER_HA,
            "cases_cost_wan": float(sum(c.get("cost_wan") or 0.0 for c in cases)),
            "cases_revenue_wan": float(sum(c.get("revenue_wan") or 0.0 for c in cases)),
            "cases_net_gain_wan": float(sum(c.get("net_gain_wan") or 0.0 for c in cases)),
            "case_names": [c.get("name") for c in cases],
        },
    }


def stats(db: str | Path, *, campaign: int | None = None) -> dict[str, Any]:
    """Campaign statistics: checked, in breach, rectified, area revitalised, fees, penalties, recoveries."""
    with _ro(db) as con:
        doc, events = _show(con, campaign, None)
    return _stats(doc, events)


def workbook_parts(db: str | Path, *, campaign: int | None = None, parcel: str | None = None
                   ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(show, history, stats) read through one connection, for the ledger workbook."""
    with _ro(db) as con:
        doc, events = _show(con, campaign, parcel)
        cid = doc["campaign"]["campaign_id"]
        hist = _history(con, cid, parcel)
        st = _stats(_show(con, cid, None)[0], events)
    return doc, hist, st


# --------------------------------------------------------------------------- links to other commands
def record_recovery(db: str | Path, doc: dict[str, Any], *, campaign: int | None = None, user: str) -> dict[str, Any]:
    """Keep a recovery-economics result in the store, as an event of a campaign.

    Recording the same file (same name and SHA-256) again changes nothing; a changed file is a
    new event, and the statistics use the latest record of each case name.
    """
    t = doc["totals"]
    payload = {"name": doc["name"], "pathway": doc.get("pathway"), "area_m2": doc.get("area_m2"),
               "cost_wan": t["cost_wan"], "revenue_wan": t["revenue_wan"], "net_gain_wan": t["net_gain_wan"],
               "holders": [h.get("name") for h in doc.get("holders", [])], "source": doc.get("source"),
               "sha256": doc.get("sha256")}
    with _rw(db) as con:
        ensure_schema(con)
        camp = ledger.get_campaign(con, campaign, KIND)
        for e in ledger.history(con, camp["campaign_id"]):
            p = e["payload"] or {}
            if e["kind"] == "recovery_recorded" and p.get("name") == payload["name"] \
                    and p.get("sha256") == payload["sha256"] and payload["sha256"]:
                return {"campaign_id": camp["campaign_id"], "event_id": e["event_id"], "created": False, **payload}
        eid = ledger.record_campaign_event(con, camp["campaign_id"], kind="recovery_recorded", payload=payload,
                                           user=user)
    return {"campaign_id": camp["campaign_id"], "event_id": eid, "created": True, **payload}
