"""Standard-land service: package or store in, JSON documents out (used by the CLI and reports).

* :func:`check` — every standard-land contract at a date: stage, checks, controls, due and overdue
  milestones, penalties, consequences, and a summary per zone;
* :func:`offer` — a parcel's proposed indicator set and agreement terms;
* :func:`record_event` / :func:`void_event` — append to the store's ledger (one transaction);
* :func:`history` — a contract's events from the package and the ledger, with who and when.

A contract is a *standard-land* contract when it carries at least one commitment (``commit_*``)
or a production-review date; ``include_all`` (``--all``) takes every contract, and contracts named
explicitly are always taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import jiyue
from jiyue import store
from jiyue.errors import UsageError
from jiyue.sources import Tables, load_tables
from jiyue.standard_land import labels, ledger
from jiyue.standard_land.assess import assess_contract
from jiyue.standard_land.errors import EventOrderError, StandardLandError
from jiyue.standard_land.indicators import COMMITMENTS
from jiyue.standard_land.library import offer as make_offer
from jiyue.standard_land.library import zone_tier
from jiyue.standard_land.lifecycle import (EVENTS, NEEDS, Event, events_from_frame, merge_events,
                                           new_event_problems, sequence_problems, timeline)
from jiyue.values import to_date
from jiyue.standard_land.measures import site as measure_site
from jiyue.standard_land.rules import CAUSES, Rules, load_rules
from jiyue.standard_land.supervision import zone_summary

#: English and Chinese names accepted for an event (the codes of the data contract come first)
EVENT_NAMES: dict[str, str] = {
    **{e: e for e in EVENTS},
    "delivery": "delivered", "commencement": "commenced", "start": "commenced", "halt": "halted",
    "resumption": "resumed", "completion": "completed", "acceptance": "accepted", "production": "in_production",
    "production_review": "reviewed", "production-review": "reviewed", "review": "reviewed",
    **{zh: e for e, zh in labels.EVENT.items()},
    **labels.EVENT_SYNONYMS,
}


def _rules(rules: str | Path | Rules | None) -> Rules:
    return rules if isinstance(rules, Rules) else load_rules(rules)


def is_standard_land(contract: dict[str, Any]) -> bool:
    """A contract with at least one commitment or a production-review date."""
    for ind in COMMITMENTS.values():
        v = contract.get(ind.commit_field) if ind.commit_field is not None else None
        if v is not None and not (isinstance(v, float) and v != v):
            return True
    return to_date(contract.get("production_review_date")) is not None


def _ledger_events(db: str | Path | None) -> pd.DataFrame:
    if db is None:
        return pd.DataFrame(columns=ledger.COLUMNS)
    with store.open_store(db, read_only=True) as con:
        return ledger.log(con)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT else v)
             for k, v in r.items()} for r in df.to_dict(orient="records")]


class _Data:
    """The tables a standard-land command needs, with the ledger's effective events."""

    def __init__(self, tables: Tables, log: pd.DataFrame) -> None:
        self.tables = tables
        self.contracts = tables.get("contracts")
        self.parcels = tables.get("parcels")
        self.buildings = tables.layers.get("buildings")
        self.enterprises = tables.get("enterprises")
        self.enterprise_years = tables.get("enterprise_years")
        self.zones = tables.get("zones")
        self.package_events = events_from_frame(tables.get("progress"), "package")
        self.log = log
        self.ledger_events = events_from_frame(ledger.effective(log), "ledger")
        self._parcel_rows: dict[str, dict[str, Any]] | None = None
        self._building_groups: dict[str, pd.DataFrame] | None = None

    def buildings_on(self, parcel_id: Any) -> pd.DataFrame | None:
        """The buildings assigned to a parcel (None when there is no buildings layer)."""
        if self.buildings is None:
            return None
        if self._building_groups is None:
            key = "parcel_eff" if "parcel_eff" in self.buildings.columns else "parcel_id"
            b = self.buildings.drop(columns=["geometry", "geom"], errors="ignore")
            self._building_groups = {str(k): g for k, g in b.groupby(b[key].astype("string"), dropna=True)}
        return self._building_groups.get(str(parcel_id), self.buildings.iloc[0:0])

    def contract(self, contract_no: str) -> dict[str, Any]:
        rows = self.contracts[self.contracts["contract_no"].astype(str) == str(contract_no)]
        if rows.empty:
            known = self.contracts["contract_no"].astype(str).tolist()
            shown = "、".join(known[:10]) if known else labels.MISC["none"]
            if len(known) > 10:
                shown = labels.MISC["and_more"].format(shown=shown, n=len(known))
            raise UsageError(labels.ERR["no_contract"].format(contract=contract_no, known=shown))
        return _records(rows.head(1))[0]

    def events(self, contract: dict[str, Any]) -> list[Event]:
        return merge_events(str(contract["contract_no"]), contract.get("delivery_date"), self.package_events,
                            self.ledger_events)

    def parcel(self, parcel_id: Any) -> dict[str, Any] | None:
        if self._parcel_rows is None:
            p = self.parcels.drop(columns=["geometry", "geom"], errors="ignore")
            self._parcel_rows = {}
            for r in _records(p):
                self._parcel_rows.setdefault(str(r["parcel_id"]), r)
        return self._parcel_rows.get(str(parcel_id))

    def zone(self, zone_code: Any) -> dict[str, Any] | None:
        rows = self.zones[self.zones["zone_code"].astype(str) == str(zone_code)]
        return _records(rows.drop(columns=["geometry", "geom"], errors="ignore").head(1))[0] if len(rows) else None

    def enterprise(self, enterprise_id: Any) -> dict[str, Any] | None:
        if enterprise_id is None:
            return None
        rows = self.enterprises[self.enterprises["enterprise_id"].astype(str) == str(enterprise_id)]
        return _records(rows.head(1))[0] if len(rows) else None


def _load(pkg: str | Path | None, db: str | Path | None, zone: str | None = None) -> _Data:
    tables = load_tables(pkg=pkg, db=db, zone=zone)
    return _Data(tables, _ledger_events(db))


# --------------------------------------------------------------------------- check
def check(pkg: str | Path | None = None, db: str | Path | None = None, *, as_of: dt.date | None = None,
          zone: str | None = None, contracts: Sequence[str] = (), include_all: bool = False,
          within: int | None = None, rules: str | Path | Rules | None = None,
          skip_invalid: bool = False) -> dict[str, Any]:
    """The document of ``jiyue standard-land check``.

    Contracts whose events are out of order stop the check with every problem listed
    (:class:`EventOrderError`), unless ``skip_invalid``: they are then left out and listed under
    ``invalid`` with their problems.
    """
    r = _rules(rules)
    as_of = as_of or dt.date.today()
    within = r.timing.due_window_days if within is None else int(within)
    if within < 0:
        raise UsageError(labels.MISC["within_negative"])
    data = _load(pkg, db, zone)
    if data.contracts.empty:
        raise StandardLandError(labels.ERR["no_contracts"])
    selected = [data.contract(no) for no in contracts] if contracts else [
        c for c in _records(data.contracts) if include_all or is_standard_land(c)]
    if zone is not None and not contracts:
        p = data.parcels
        in_zone = set(p.loc[p["zone_code"].astype(str) == str(zone), "parcel_id"].astype(str))
        selected = [c for c in selected if str(c.get("parcel_id")) in in_zone]
    problems: list[str] = []
    invalid: list[dict[str, Any]] = []
    merged = {}
    for c in selected:
        evs = data.events(c)
        found = sequence_problems(str(c["contract_no"]), evs, c.get("signed_date"))
        if found:
            invalid.append({"contract_no": str(c["contract_no"]), "parcel_id": c.get("parcel_id"), "problems": found})
            problems += found
        else:
            merged[str(c["contract_no"])] = evs
    if problems and not skip_invalid:
        raise EventOrderError(labels.ERR["events_invalid"].format(
            n=len(problems), items="\n".join(f"  - {p}" for p in problems)), problems)
    out = []
    for c in sorted(selected, key=lambda x: str(x["contract_no"])):
        if str(c["contract_no"]) in merged:
            out.append(_assess(c, merged[str(c["contract_no"])], data, r, as_of, within))
    return {
        "as_of": as_of.isoformat(),
        "rules": r.describe(),
        "jiyue_version": jiyue.__version__,
        "provenance": data.tables.provenance,
        "within_days": within,
        "contracts": out,
        "invalid": invalid,
        "summary": zone_summary(out),
    }


def _assess(c: dict[str, Any], events: list[Event], data: _Data, r: Rules, as_of: dt.date,
            within: int) -> dict[str, Any]:
    parcel = data.parcel(c.get("parcel_id"))
    enterprise_id = c.get("enterprise_id") or (parcel or {}).get("user_id")
    enterprise_id = str(enterprise_id) if enterprise_id is not None else None
    zone_code = (parcel or {}).get("zone_code")
    row = None
    ent = data.enterprise(enterprise_id)
    if ent and ent.get("industry_code"):
        zone = data.zone(zone_code)
        level = str((zone or {}).get("level") or "")
        if level in r.zone_tier:
            row = r.library_row(str(ent["industry_code"]), zone_tier(r, zone, None))
    site = measure_site(str(c.get("parcel_id")), parcel, data.buildings_on(c.get("parcel_id")))
    return assess_contract(c, events, as_of, site=site, enterprise_id=enterprise_id,
                           enterprise_years=data.enterprise_years, parcels=data.parcels, control_row=row,
                           rules=r, within=within, zone_code=str(zone_code) if zone_code is not None else None)


# --------------------------------------------------------------------------- offer
def offer(parcel_id: str, industry: str, pkg: str | Path | None = None, db: str | Path | None = None, *,
          tier: str | None = None, delivery: dt.date | None = None,
          rules: str | Path | Rules | None = None) -> dict[str, Any]:
    """The document of ``jiyue standard-land offer``."""
    r = _rules(rules)
    tables = load_tables(pkg=pkg, db=db)
    data = _Data(tables, pd.DataFrame(columns=ledger.COLUMNS))
    parcel = data.parcel(parcel_id)
    if parcel is None:
        raise UsageError(labels.ERR["no_parcel"].format(parcel=parcel_id))
    doc = make_offer(parcel, data.zone(parcel.get("zone_code")), industry, r, tier=tier, delivery=delivery)
    doc["jiyue_version"] = jiyue.__version__
    doc["provenance"] = tables.provenance
    return doc


# --------------------------------------------------------------------------- ledger
def parse_event(name: str) -> str:
    """An event code from its English code, an English word or its Chinese name."""
    key = str(name or "").strip()
    code = EVENT_NAMES.get(key) or EVENT_NAMES.get(key.lower().replace(" ", "_"))
    if code is None:
        raise UsageError(labels.ERR["unknown_event"].format(
            event=name, expected="、".join(f"{e}（{labels.EVENT[e]}）" for e in EVENTS)))
    return code


def record_event(db: str | Path, contract_no: str, event: str, date: dt.date, *, user: str,
                 note: str | None = None, invested_wan: float | None = None,
                 developed_area_m2: float | None = None, approved: bool | None = None, cause: str | None = None,
                 green_area_m2: float | None = None, admin_area_m2: float | None = None,
                 today: dt.date | None = None) -> dict[str, Any]:
    """Validate and append one life-cycle event to the ledger; returns the recorded entry."""
    if db is None:
        raise UsageError(labels.ERR["needs_db"])
    if not str(user or "").strip():
        raise UsageError(labels.ERR["no_user"])
    code = parse_event(event)
    if not store.exists(db):
        raise UsageError(labels.ERR["store_missing"].format(path=db))
    for name, v in (("invested_wan", invested_wan), ("developed_area_m2", developed_area_m2),
                    ("green_area_m2", green_area_m2), ("admin_area_m2", admin_area_m2)):
        if v is not None and v < 0:
            raise UsageError(labels.ERR["negative"].format(what=labels.FIELD[name], value=v))
    if code != "accepted" and (green_area_m2 is not None or admin_area_m2 is not None):
        raise UsageError(labels.ERR["bad_measure"].format(what=labels.MISC["measures"]))
    if cause is not None:
        if cause not in CAUSES:
            raise UsageError(labels.ERR["unknown_cause"].format(cause=cause, expected="、".join(CAUSES)))
    tables = load_tables(db=db)
    data = _Data(tables, pd.DataFrame(columns=ledger.COLUMNS))
    contract = data.contract(contract_no)
    new = Event(str(contract["contract_no"]), date, code, source="ledger", developed_area_m2=developed_area_m2,
                invested_wan=invested_wan, approved=approved, cause=cause, green_area_m2=green_area_m2,
                admin_area_m2=admin_area_m2, user=str(user).strip(), note=note, recorded_at=dt.datetime.now())
    with store.open_store(db) as con:
        con.execute("BEGIN")
        try:
            ledger.ensure_schema(con, str(db))
            log = ledger.log(con, str(contract["contract_no"]))
            existing = merge_events(str(contract["contract_no"]), contract.get("delivery_date"),
                                    data.package_events, events_from_frame(ledger.effective(log), "ledger"))
            problems = new_event_problems(str(contract["contract_no"]), existing, new, contract.get("signed_date"),
                                          today)
            if problems:
                raise EventOrderError(labels.ERR["refused"].format(
                    contract=new.contract_no, event=labels.EVENT[new.event], date=new.date,
                    items="\n".join(f"  - {p}" for p in problems)), problems)
            horizon = max([date, today or dt.date.today(), *(e.date for e in existing)])
            before = timeline(new.contract_no, existing, horizon).stage
            after = timeline(new.contract_no, [*existing, new], horizon).stage
            event_id = ledger.record(con, new, before=before, after=after)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return {**new.to_dict(), "event_id": event_id, "stage_before": before, "stage_after": after}


def void_event(db: str | Path, event_id: int, *, user: str, reason: str) -> dict[str, Any]:
    """Append a void row cancelling a recorded ledger event (the row itself is kept)."""
    if not str(user or "").strip():
        raise UsageError(labels.ERR["no_user"])
    if not str(reason or "").strip():
        raise UsageError(labels.ERR["no_reason"])
    if not store.exists(db):
        raise UsageError(labels.ERR["store_missing"].format(path=db))
    tables = load_tables(db=db)
    data = _Data(tables, pd.DataFrame(columns=ledger.COLUMNS))
    with store.open_store(db) as con:
        con.execute("BEGIN")
        try:
            ledger.ensure_schema(con, str(db))
            log = ledger.log(con)
            rows = log[(log["event_id"] == int(event_id)) & (log["action"] == "record")]
            if rows.empty:
                raise StandardLandError(labels.ERR["no_event_any"].format(event_id=event_id))
            target = _records(rows)[0]
            target["date"] = to_date(target["date"])
            voids = log[(log["action"] == "void") & (log["target_id"] == int(event_id))]
            if len(voids):
                v = _records(voids)[0]
                raise StandardLandError(labels.ERR["already_void"].format(event_id=event_id, when=v["recorded_at"],
                                                                          who=v["recorded_by"]))
            no = str(target["contract_no"])
            contract = data.contract(no)
            rest = ledger.effective(log[log["contract_no"] == no])
            rest = rest[rest["event_id"] != int(event_id)]
            remaining = merge_events(no, contract.get("delivery_date"), data.package_events,
                                     events_from_frame(rest, "ledger"))
            reasons = sequence_problems(no, remaining, contract.get("signed_date"))
            gone = str(target["event"])
            for e in remaining:
                if NEEDS.get(e.event) == gone and not any(x.event == gone for x in remaining):
                    reasons.append(labels.ERR["needs"].format(contract=no, event=labels.EVENT[e.event], date=e.date,
                                                              other=labels.EVENT[gone]))
            if reasons:
                raise StandardLandError(labels.ERR["void_breaks"].format(event_id=event_id, contract=no,
                                                                         reason="；".join(reasons)))
            void_id = ledger.void(con, target, user=str(user).strip(), reason=str(reason).strip())
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return {"event_id": void_id, "voided": int(event_id), "contract_no": no, "event": target["event"],
            "date": to_date(target["date"]).isoformat(), "user": str(user).strip(),  # type: ignore[union-attr]
            "reason": str(reason).strip()}


# --------------------------------------------------------------------------- history
def history(contract_no: str, pkg: str | Path | None = None, db: str | Path | None = None, *,
            as_of: dt.date | None = None) -> dict[str, Any]:
    """A contract's events (package, contract, ledger) and the ledger's full log (records and voids)."""
    data = _load(pkg, db)
    contract = data.contract(contract_no)
    no = str(contract["contract_no"])
    evs = data.events(contract)
    imports = _imports(db, data.tables.provenance.get("imports", []))
    who_pkg = (labels.MISC["imported"].format(ids="、".join(str(i) for i in data.tables.provenance.get("imports", [])))
               if db else labels.MISC["package"].format(path=data.tables.provenance.get("package", "")))
    events = []
    for e in evs:
        d = e.to_dict()
        if e.source == "package":
            d["user"] = who_pkg
            d["recorded_at"] = imports
        elif e.source == "contract":
            d["user"] = labels.MISC["contract_delivery"]
        events.append({k: v for k, v in d.items() if v is not None or k in ("user", "recorded_at")})
    log = _records(data.log[data.log["contract_no"] == no]) if len(data.log) else []
    for row in log:
        if row.get("date") is not None:
            row["date"] = to_date(row["date"]).isoformat()  # type: ignore[union-attr]
        if row.get("recorded_at") is not None:
            row["recorded_at"] = pd.Timestamp(row["recorded_at"]).isoformat(timespec="seconds")
        if row.get("event_id") is not None:
            row["event_id"] = int(row["event_id"])
        if row.get("target_id") is not None:
            row["target_id"] = int(row["target_id"])
    tl = timeline(no, evs, as_of or dt.date.today())
    return {"contract_no": no, "parcel_id": contract.get("parcel_id"), "stage": tl.stage,
            "events": events, "ledger": log, "provenance": data.tables.provenance}


def _imports(db: str | Path | None, ids: list[int]) -> str | None:
    if db is None or not ids:
        return None
    with store.open_store(db, read_only=True) as con:
        rows = con.execute(f"SELECT max(imported_at) FROM imports WHERE import_id IN ({','.join('?' * len(ids))})",
                           list(ids)).fetchone()
    return rows[0].isoformat(timespec="seconds") if rows and rows[0] is not None else None


# --------------------------------------------------------------------------- due
def due(pkg: str | Path | None = None, db: str | Path | None = None, *, as_of: dt.date | None = None,
        zone: str | None = None, within: int | None = None, include_all: bool = False,
        rules: str | Path | Rules | None = None, skip_invalid: bool = False) -> dict[str, Any]:
    """Due and overdue milestones across contracts (overdue: most days first; due: soonest first)."""
    doc = check(pkg, db, as_of=as_of, zone=zone, within=within, include_all=include_all, rules=rules,
                skip_invalid=skip_invalid)
    items: dict[str, list[dict[str, Any]]] = {"due": [], "overdue": []}
    for c in doc["contracts"]:
        for state in items:
            for m in c[state]:
                items[state].append({"contract_no": c["contract_no"], "parcel_id": c["parcel_id"],
                                     "zone_code": c["zone_code"], **m})
    items["overdue"].sort(key=lambda m: (-m["days"], m["contract_no"]))
    items["due"].sort(key=lambda m: (m["days"], m["contract_no"]))
    return {"as_of": doc["as_of"], "within_days": doc["within_days"], "rules": doc["rules"],
            "due": items["due"], "overdue": items["overdue"], "invalid": doc["invalid"], "summary": doc["summary"]}
