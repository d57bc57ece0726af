"""Standard-land commands: ``jiyue standard-land check | offer | events | void | history | due``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from jiyue.cli import DATE, cli, guarded
from jiyue.cli.dbparam import DB


def _emit(doc: dict[str, Any], text: str | None, out: Path | None) -> None:
    from jiyue.standard_land import labels

    body = text if text is not None else json.dumps(doc, ensure_ascii=False, indent=1, default=str)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body + "\n", encoding="utf-8")
        click.echo(labels.TEXT["written"].format(out=out))
    else:
        click.echo(body)


def _db_option(f: Any) -> Any:
    return click.option("--db", type=DB, help="The DuckDB store (instead of a package).")(f)


@cli.group("standard-land", context_settings={"help_option_names": ["-h", "--help"]})
def standard_land() -> None:
    """Standard land (标准地): indicator library, agreements, life-cycle checks, penalties.

    \b
    Examples:
      jiyue standard-land check data/demo.gpkg --as-of 2020-12-31
      jiyue standard-land check --db data/jiyue.duckdb --as-of 2024-06-30 --format xlsx --out sl.xlsx
      jiyue standard-land offer LC-000681 --industry C3670 --db data/jiyue.duckdb
      jiyue standard-land events 3715002019B00023 --db data/jiyue.duckdb --event completed \\
            --date 2022-04-30 --user 王科长
      jiyue standard-land history 3715002019B00023 --db data/jiyue.duckdb
      jiyue standard-land due --db data/jiyue.duckdb --as-of 2024-06-30 --within 60
    """


@standard_land.command("check")
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@_db_option
@click.option("--as-of", "as_of", type=DATE, help="Date of the check (default: today).")
@click.option("--zone", help="Only contracts on parcels of this zone (zone_code).")
@click.option("--contract", "contracts", multiple=True, help="Only this contract (repeatable); taken even "
              "when it carries no commitment.")
@click.option("--all", "include_all", is_flag=True, help="Every contract, not only standard-land ones "
              "(those with a commitment or a production-review date).")
@click.option("--within", type=int, help="Milestones due within N days are listed (default from the rules).")
@click.option("--skip-invalid", is_flag=True, help="Leave out contracts whose events are out of order (listed "
              "under 'invalid') instead of stopping.")
@click.option("--rules", default="default", show_default=True, help="Built-in rules name or a rules .toml file.")
@click.option("--format", "fmt", type=click.Choice(["json", "table", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of standard output (xlsx needs it).")
@guarded(internal_exit=2)
def check(pkg: Path | None, db: Path | None, as_of: dt.date | None, zone: str | None,
          contracts: tuple[str, ...], include_all: bool, within: int | None, skip_invalid: bool, rules: str,
          fmt: str, out: Path | None) -> None:
    """Check standard-land contracts: verdicts, penalties, due and overdue milestones."""
    from jiyue.errors import UsageError
    from jiyue.standard_land import labels
    from jiyue.standard_land.service import check as run

    if fmt == "xlsx" and out is None:
        raise UsageError(labels.ERR["xlsx_needs_out"])
    doc = run(pkg, db, as_of=as_of, zone=zone, contracts=contracts, include_all=include_all,
              within=within, rules=rules, skip_invalid=skip_invalid)
    if fmt == "xlsx" and out is not None:  # (a missing --out was refused above)
        from jiyue.standard_land.workbook import write

        write(doc, out)
        click.echo(labels.TEXT["xlsx_written"].format(out=out))
        return
    if fmt == "table":
        from jiyue.standard_land.render import check_table

        _emit(doc, check_table(doc), out)
    else:
        _emit(doc, None, out)


@standard_land.command("offer")
@click.argument("parcel")
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@_db_option
@click.option("--industry", required=True, help="GB/T 4754-2017 industry code of the project, e.g. C3670.")
@click.option("--tier", help="Park tier of the library (default: from the zone's level).")
@click.option("--delivery", type=DATE, help="Planned delivery date: deadlines are given as dates.")
@click.option("--rules", default="default", show_default=True, help="Built-in rules name or a rules .toml file.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path))
@guarded(internal_exit=2)
def offer(parcel: str, pkg: Path | None, db: Path | None, industry: str, tier: str | None,
          delivery: dt.date | None, rules: str, fmt: str, out: Path | None) -> None:
    """Propose a parcel's indicator set and agreement terms (PARCEL [PKG] or PARCEL --db FILE)."""
    from jiyue.standard_land.render import offer_table
    from jiyue.standard_land.service import offer as run

    doc = run(parcel, industry, pkg, db, tier=tier, delivery=delivery, rules=rules)
    _emit(doc, offer_table(doc) if fmt == "table" else None, out)


@standard_land.command("events")
@click.argument("contract")
@_db_option
@click.option("--event", "event", required=True, help="delivered/permit/commenced/delayed/halted/resumed/"
              "completed/accepted/in_production/reviewed (or 交地/施工许可/动工/…).")
@click.option("--date", "date", required=True, type=DATE, help="Date of the event.")
@click.option("--user", required=True, help="Who records it (name or staff number).")
@click.option("--note", help="Free text (document number, remarks).")
@click.option("--invested-wan", type=float, help="Investment so far, excluding land price and taxes (万元).")
@click.option("--developed-area-m2", type=float, help="Area developed so far (m²).")
@click.option("--approved/--not-approved", default=None, help="For a halt: approved or not.")
@click.option("--cause", help="For a delay or halt: enterprise, gov_1…gov_6, force_majeure, prelim_work.")
@click.option("--green-area-m2", type=float, help="At acceptance: measured green area (m²).")
@click.option("--admin-area-m2", type=float, help="At acceptance: measured admin and living-service land (m²).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@guarded(internal_exit=2)
def events(contract: str, db: Path | None, event: str, date: dt.date, user: str, note: str | None,
           invested_wan: float | None, developed_area_m2: float | None, approved: bool | None, cause: str | None,
           green_area_m2: float | None, admin_area_m2: float | None, fmt: str) -> None:
    """Record a life-cycle event of a contract in the store's append-only ledger."""
    from jiyue.errors import UsageError
    from jiyue.standard_land import labels
    from jiyue.standard_land.service import record_event

    if db is None:
        raise UsageError(labels.ERR["needs_db"])
    entry = record_event(db, contract, event, date, user=user, note=note, invested_wan=invested_wan,
                         developed_area_m2=developed_area_m2, approved=approved, cause=cause,
                         green_area_m2=green_area_m2, admin_area_m2=admin_area_m2)
    if fmt == "json":
        click.echo(json.dumps(entry, ensure_ascii=False, indent=1, default=str))
    else:
        click.echo(labels.TEXT["recorded"].format(contract=entry["contract_no"], event=labels.EVENT[entry["event"]],
                                                  date=entry["date"], event_id=entry["event_id"], user=entry["user"]))


@standard_land.command("void")
@click.argument("event_id", type=int)
@_db_option
@click.option("--user", required=True, help="Who voids it.")
@click.option("--reason", required=True, help="Why (kept in the ledger).")
@guarded(internal_exit=2)
def void(event_id: int, db: Path | None, user: str, reason: str) -> None:
    """Void a recorded ledger event (a correction row is appended; nothing is deleted)."""
    from jiyue.errors import UsageError
    from jiyue.standard_land import labels
    from jiyue.standard_land.service import void_event

    if db is None:
        raise UsageError(labels.ERR["needs_db"])
    r = void_event(db, event_id, user=user, reason=reason)
    click.echo(labels.TEXT["voided"].format(event_id=r["voided"], contract=r["contract_no"],
                                            event=labels.EVENT.get(r["event"], r["event"]), date=r["date"],
                                            user=r["user"], reason=r["reason"]))


@standard_land.command("history")
@click.argument("contract")
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@_db_option
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@guarded(internal_exit=2)
def history(contract: str, pkg: Path | None, db: Path | None, fmt: str) -> None:
    """A contract's events (package and ledger, with who and when) — never rewritten."""
    from jiyue.standard_land.render import history_table
    from jiyue.standard_land.service import history as run

    doc = run(contract, pkg, db)
    _emit(doc, history_table(doc) if fmt == "table" else None, None)


@standard_land.command("due")
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@_db_option
@click.option("--as-of", "as_of", type=DATE, help="Date (default: today).")
@click.option("--within", type=int, help="Days ahead (default from the rules).")
@click.option("--zone", help="Only this zone.")
@click.option("--all", "include_all", is_flag=True, help="Every contract, not only standard-land ones.")
@click.option("--skip-invalid", is_flag=True, help="Leave out contracts whose events are out of order.")
@click.option("--rules", default="default", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@guarded(internal_exit=2)
def due(pkg: Path | None, db: Path | None, as_of: dt.date | None, within: int | None, zone: str | None,
        include_all: bool, skip_invalid: bool, rules: str, fmt: str) -> None:
    """Milestones due within N days and overdue ones, with a summary per zone."""
    from jiyue.standard_land.render import due_table
    from jiyue.standard_land.service import due as run

    doc = run(pkg, db, as_of=as_of, zone=zone, within=within, include_all=include_all, rules=rules,
              skip_invalid=skip_invalid)
    _emit(doc, due_table(doc) if fmt == "table" else None, None)
