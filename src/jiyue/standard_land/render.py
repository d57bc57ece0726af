"""Plain-text (Chinese) renderings of the standard-land documents for ``--format table``."""

from __future__ import annotations

from typing import Any

from jiyue.standard_land import labels
from jiyue.standard_land.indicators import ALL


def _v(indicator: str, v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if indicator in ALL and ALL[indicator].percent:
            return f"{v * 100:.2f}%"
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    return str(v)


def _money(v: Any) -> str:
    return "—" if v is None else f"{v:,.2f}"


def check_table(doc: dict[str, Any]) -> str:
    """The check document as text: one block per contract, then the zone summary."""
    T = labels.TEXT
    lines = [T["table_head"].format(as_of=doc["as_of"], rules=f"{doc['rules']['name']} {doc['rules']['version']}")]
    for c in doc["contracts"]:
        lines.append("")
        lines.append(T["contract_line"].format(contract_no=c["contract_no"], parcel_id=c["parcel_id"] or "—",
                                               enterprise_id=c["enterprise_id"] or "—",
                                               stage=labels.STAGE.get(c["stage"], c["stage"]),
                                               penalty=_money(c["penalty_total_wan"])))
        for k in [*c["checks"], *c["controls"]]:
            lines.append(labels.TABLE["check_row"].format(
                name=labels.SHORT[k["indicator"]], verdict=labels.VERDICT[k["verdict"]],
                committed=_v(k["indicator"], k["committed"]), actual=_v(k["indicator"], k["actual"]),
                penalty=_money(k["penalty_wan"])))
            lines.append(f"      {k['basis']}")
        for state in ("overdue", "due"):
            for m in c[state]:
                lines.append(T["due_line"].format(state=labels.STATE[state], milestone=labels.MILESTONE[m["milestone"]],
                                                  due=m["due"], days=m["days"]))
        for q in c["consequences"]:
            amount = (labels.TABLE["amount"].format(amount=_money(q["amount_wan"]))
                      if q.get("amount_wan") is not None else "")
            lines.append(T["consequence_line"].format(kind=labels.CONSEQUENCE[q["kind"]], amount=amount,
                                                      basis=q["basis"]))
    lines.append("")
    for z in doc["summary"]:
        lines.append(T["summary_line"].format(zone_code=z["zone_code"], contracts=z["contracts"],
                                              failed_contracts=z["failed_contracts"],
                                              penalty=_money(z["penalty_total_wan"]), due=z["due"],
                                              overdue=z["overdue"], idle=z["idle_referrals"]))
    return "\n".join(lines)


def due_table(doc: dict[str, Any]) -> str:
    """Due and overdue milestones across contracts, overdue first."""
    T = labels.TEXT
    lines = [T["due_head"].format(as_of=doc["as_of"], within=doc["within_days"])]
    for state in ("overdue", "due"):
        for m in doc[state]:
            lines.append(labels.TABLE["due_row"].format(
                state=labels.STATE[state], contract_no=m["contract_no"], parcel_id=m["parcel_id"] or "—",
                milestone=labels.MILESTONE[m["milestone"]], due=m["due"], days=m["days"]))
    if not doc["overdue"] and not doc["due"]:
        lines.append("  " + T["no_items"])
    return "\n".join(lines)


def offer_table(doc: dict[str, Any]) -> str:
    """An offer as text."""
    T = labels.TEXT
    lines = [T["offer_head"].format(parcel_id=doc["parcel_id"], zone_code=doc["zone_code"],
                                    area_m2=_money(doc["area_m2"]), mu=_v("", doc["area_mu"]),
                                    industry=doc["industry"], tier=labels.TIER.get(doc["tier"], doc["tier"])),
             T["offer_row"].format(rules=doc["rules"]["name"], row=doc["library_row"].get("row") or "—",
                                   industry=(labels.MISC["any_industry"] if doc["library_row"]["industry"] == "*"
                                             else doc["library_row"]["industry"]),
                                   tier=labels.TIER.get(doc["library_row"]["tier"], doc["library_row"]["tier"]),
                                   source=labels.TAG.get(doc["library_row"]["tag"], doc["library_row"]["tag"]))]
    for i in doc["indicators"]:
        total = labels.TABLE["total"].format(total=_money(i["total_wan"])) if i.get("total_wan") is not None else ""
        value = _v(i["indicator"], i["value"]) + (f"～{_v(i['indicator'], i['max'])}" if "max" in i else "")
        lines.append(T["offer_ind"].format(name=i["name"], op="≥", value=value, unit=i["unit"], total=total,
                                           stage=labels.CHECK_STAGE[i["stage"]], penalty=i["penalty_formula"]))
    for c in doc["controls"]:
        lines.append(T["offer_ctrl"].format(name=c["name"], op="≥" if c["bound"] == "min" else "≤",
                                            value=_v(c["indicator"], c["value"])))
    d = doc["deadlines"]
    TB = labels.TABLE
    for key, n, date_key in (("start", d["start_after_delivery_months"], "start"),
                             ("completion", d["build_years"], "completion"),
                             ("review", d["review_after_completion_years"], "production_review")):
        when = TB[f"{key}_when"].format(n=n)
        if "dates" in d:
            when += TB["date_suffix"].format(date=d["dates"][date_key])
        lines.append(T["offer_deadline"].format(what=TB[key], when=when))
    lines.append(T["offer_deadline"].format(what=TB["late"], when=TB["late_when"].format(
        a=f"{d['late_start_permille']:g}", b=f"{d['late_completion_permille']:g}")))
    for w in doc["warnings"]:
        lines.append(TB["warning"].format(w=w))
    return "\n".join(lines)


def history_table(doc: dict[str, Any]) -> str:
    """A contract's history as text: the events, then the ledger log."""
    T = labels.TEXT
    lines = [T["history_head"].format(contract=doc["contract_no"], n=len(doc["events"]))]
    for e in doc["events"]:
        who = f"{e.get('user') or ''} {e.get('recorded_at') or ''}".strip()
        extra = labels.TABLE["ledger_id"].format(id=e["event_id"]) if e.get("event_id") is not None else ""
        lines.append(T["history_line"].format(date=e["date"], event=labels.EVENT.get(e["event"], e["event"]),
                                              source=labels.SOURCE.get(e["source"], e["source"]), who=who,
                                              extra=extra))
    if doc["ledger"]:
        TB = labels.TABLE
        lines.append(TB["ledger_head"])
        for r in doc["ledger"]:
            target = TB["void_target"].format(id=r["target_id"]) if r.get("target_id") is not None else ""
            lines.append(TB["ledger_row"].format(
                event_id=r["event_id"], action=TB["void" if r["action"] == "void" else "record"], target=target,
                date=r["date"], event=labels.EVENT.get(r["event"], r["event"]), who=r["recorded_by"],
                when=r["recorded_at"], note=r.get("note") or "").rstrip())
    return "\n".join(lines)
