"""Campaign-ledger commands (``jiyue ledger …``): inventory, plan, progress, close, reopen, show, history, stats.

Every change is one transaction and one event (who: ``--user``, default the login name;
when: now). The work is done by :mod:`jiyue.idle.campaign`; this module only parses options
and prints.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from pathlib import Path
from typing import Any

import click

from jiyue.cli import DATE, cli, guarded
from jiyue.cli.dbparam import DB
from jiyue.idle.labels import OUTCOMES, PLAN_OPTIONS


def default_user() -> str:
    try:
        return os.environ.get("JIYUE_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


class GreedyOption(click.Option):
    """An option that also takes the existing files after it: ``--evidence a.pdf b.jpg``."""

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        for name in self.opts:
            opt = parser._long_opt.get(name) or parser._short_opt.get(name)  # noqa: SLF001
            if opt is None:
                continue
            original = opt.process

            def process(value: Any, state: Any, _orig: Any = original) -> None:
                _orig(value, state)
                while state.rargs and not state.rargs[0].startswith("-") and Path(state.rargs[0]).exists():
                    _orig(state.rargs.pop(0), state)

            opt.process = process


def _emit(doc: Any, fmt: str, table: Any = None) -> None:
    if fmt == "json" or table is None:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1, default=str))
    else:
        click.echo(table(doc))


def _parcel(arg: str | None, opt: str | None) -> str:
    from jiyue.errors import UsageError

    if arg and opt and arg != opt:
        raise UsageError(f"宗地编号给了两个不同的值：{arg} 和 {opt}")
    p = arg or opt
    if not p:
        raise UsageError("请给出宗地编号（PARCEL 或 --parcel）")
    return p


_db = click.option("--db", required=True, type=DB, help="The DuckDB store.")
_campaign = click.option("--campaign", type=int, help="Campaign id (default: the latest).")
_user = click.option("--user", default=default_user, show_default="login name", help="Who makes the change.")
_fmt = click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
_parcel_arg = click.argument("parcel_arg", metavar="[PARCEL]", required=False)
_parcel_opt = click.option("--parcel", "parcel_opt", help="Parcel id (parcel_id), instead of PARCEL.")


@cli.group()
def ledger() -> None:
    """The campaign ledger (台账): one plan per parcel, progress, closing (销号) with evidence.

    \b
    jiyue ledger inventory --db data/jiyue.duckdb --since 2016 --as-of 2020-12-31
    jiyue ledger plan LC-000123 --db data/jiyue.duckdb --option rectify --until 2021-06-30
    jiyue ledger progress LC-000123 --db data/jiyue.duckdb --date 2021-03-01 --note 已复工
    jiyue ledger close LC-000123 --db data/jiyue.duckdb --evidence 验收.pdf 照片.jpg --reviewer inspector
    jiyue ledger stats --db data/jiyue.duckdb --format table
    """


@ledger.command()
@_db
@click.option("--since", type=int, required=True, help="Parcels granted from 1 January of this year.")
@click.option("--as-of", "as_of", type=DATE, help="Assessment date (default: 31 December of the data's year).")
@click.option("--rules", default="order53-2012", show_default=True)
@click.option("--low-efficiency", "lowe", help="Low-efficiency rule sets, e.g. L1,L2,benchmark.")
@click.option("--name", help="Campaign name (default: zone, year and date).")
@click.option("--zone", help="Only this zone.")
@click.option("--year", type=int, help="Snapshot year (default: the latest).")
@click.option("--exist-ok", is_flag=True, help="A campaign of that name exists: use it, change nothing.")
@_user
@_fmt
@guarded(internal_exit=2)
def inventory(db: Path, since: int, as_of: dt.date | None, rules: str, lowe: str | None, name: str | None,
              zone: str | None, year: int | None, exist_ok: bool, user: str, fmt: str) -> None:
    """Create a campaign: every industrial parcel granted since a year, with its findings."""
    from jiyue.cli.idle import lowe_list
    from jiyue.idle import campaign

    res = campaign.inventory(db, since=since, as_of=as_of, rules=rules, name=name, zone=zone, year=year, user=user,
                             exist_ok=exist_ok, low_efficiency=lowe_list(lowe))
    _emit(res, fmt, lambda r: (f"台账 {r['campaign_id']}「{r['name']}」" + ("已建立" if r["created"] else "已存在，未修改")
                               + f"：排查宗地 {r['items']} 宗，发现问题 {r['in_breach']} 宗"))


@ledger.command()
@_parcel_arg
@_parcel_opt
@_db
@_campaign
@click.option("--option", "option", required=True, type=click.Choice(list(PLAN_OPTIONS)), help="Disposal option.")
@click.option("--start", type=DATE, help="Start of an extension / temporary use (the agreement's start date).")
@click.option("--until", type=DATE, help="End of the extension / temporary use / rectification deadline.")
@click.option("--agreement-date", type=DATE, help="Date the supplementary agreement was signed.")
@click.option("--new-start", type=DATE, help="New agreed start date (re-starts the idle clock).")
@click.option("--new-completion", type=DATE, help="New agreed completion date.")
@click.option("--new-use", help="New use / planning conditions (change_use).")
@click.option("--compensation-wan", type=float, help="Compensation (万元) for paid recovery / buy-back.")
@click.option("--price-paid", is_flag=True, help="Swap: the land price is fully paid.")
@click.option("--funds-in-place", is_flag=True, help="Swap: the project funds are in place.")
@click.option("--description", help="What the plan does (other_negotiated, joint_venture …).")
@click.option("--note")
@click.option("--rules", help="Check with these rules instead of the campaign's.")
@_user
@_fmt
@guarded(internal_exit=2)
def plan(parcel_arg: str | None, parcel_opt: str | None, db: Path, campaign: int | None, option: str,
         start: dt.date | None, until: dt.date | None, agreement_date: dt.date | None, new_start: dt.date | None,
         new_completion: dt.date | None, new_use: str | None, compensation_wan: float | None, price_paid: bool,
         funds_in_place: bool, description: str | None, note: str | None, rules: str | None, user: str,
         fmt: str) -> None:
    """Record the disposal plan of a parcel (一宗一策); refused when the option is not allowed."""
    from jiyue.idle import campaign as svc
    from jiyue.idle.render import change_line

    fields = {"start": start, "until": until, "agreement_date": agreement_date, "new_start": new_start,
              "new_completion": new_completion, "new_use": new_use, "compensation_wan": compensation_wan,
              "description": description, "note": note}
    if option == "swap":
        fields.update(price_paid=price_paid, funds_in_place=funds_in_place)
    res = svc.plan(db, parcel=_parcel(parcel_arg, parcel_opt), option=option, fields=fields, campaign=campaign,
                   user=user, rules=rules)
    _emit(res, fmt, lambda r: change_line("plan_recorded", r))


@ledger.command()
@_parcel_arg
@_parcel_opt
@_db
@_campaign
@click.option("--date", type=DATE, help="Date of the progress (default: today).")
@click.option("--note", help="What happened.")
@click.option("--area-revitalised", type=float, help="Plant floor area revitalised or rectified (m²).")
@click.option("--fee-collected", type=float, help="Idle fee collected (万元).")
@click.option("--penalty-collected", type=float, help="Contract penalty collected (万元).")
@click.option("--recovered-area", type=float, help="Land area recovered (m²).")
@click.option("--invested", type=float, help="Investment made so far (万元).")
@_user
@_fmt
@guarded(internal_exit=2)
def progress(parcel_arg: str | None, parcel_opt: str | None, db: Path, campaign: int | None, date: dt.date | None,
             note: str | None, area_revitalised: float | None, fee_collected: float | None,
             penalty_collected: float | None, recovered_area: float | None, invested: float | None, user: str,
             fmt: str) -> None:
    """Record progress of a parcel's disposal."""
    from jiyue.idle import campaign as svc
    from jiyue.idle.render import change_line

    figures = {"area_revitalised_m2": area_revitalised, "fee_collected_wan": fee_collected,
               "penalty_collected_wan": penalty_collected, "recovered_area_m2": recovered_area,
               "invested_wan": invested}
    res = svc.progress(db, parcel=_parcel(parcel_arg, parcel_opt), date=date, note=note, campaign=campaign,
                       user=user, figures=figures)
    _emit(res, fmt, lambda r: change_line("progress_recorded", r))


@ledger.command()
@_parcel_arg
@_parcel_opt
@_db
@_campaign
@click.option("--evidence", cls=GreedyOption, multiple=True, type=click.Path(path_type=Path),
              help="Evidence file(s): --evidence a.pdf b.jpg (required).")
@click.option("--reviewer", metavar="USERNAME",
              help="User name of the reviewer (required): an active user of the store (made in the web UI) who may "
                   "inspect and close ledger items, not the --user.")
@click.option("--outcome", type=click.Choice(list(OUTCOMES)), default="rectified", show_default=True)
@click.option("--note")
@_user
@_fmt
@guarded(internal_exit=2)
def close(parcel_arg: str | None, parcel_opt: str | None, db: Path, campaign: int | None, evidence: tuple[Path, ...],
          reviewer: str | None, outcome: str, note: str | None, user: str, fmt: str) -> None:
    """Close (销号) a parcel's item: needs --evidence FILE... and --reviewer USERNAME.

    The reviewer must be an active user of the store's web accounts (jiyue serve → 用户管理) whose role
    may inspect and close ledger items (admin, bureau, inspector), other than --user.
    """
    from jiyue import store
    from jiyue.errors import UsageError
    from jiyue.idle import campaign as svc
    from jiyue.idle.render import change_line
    from jiyue.web.users import resolve_reviewer, reviewer_label

    parcel = _parcel(parcel_arg, parcel_opt)
    if not db.exists():
        raise UsageError(f"数据库文件不存在：{db}（请先用 jiyue import 导入数据包，再用 jiyue ledger inventory 建立台账）")
    con = store.connect(db, read_only=True, spatial=False)
    try:
        who = resolve_reviewer(con, reviewer, user)
    finally:
        con.close()
    res = svc.close(db, parcel=parcel, evidence=list(evidence), reviewer=reviewer_label(who), user=user,
                    outcome=outcome, note=note, campaign=campaign)
    _emit(res, fmt, lambda r: change_line("item_closed", r))


@ledger.command()
@_parcel_arg
@_parcel_opt
@_db
@_campaign
@click.option("--reason", help="Why the closed item is re-opened (required).")
@_user
@_fmt
@guarded(internal_exit=2)
def reopen(parcel_arg: str | None, parcel_opt: str | None, db: Path, campaign: int | None, reason: str | None,
           user: str, fmt: str) -> None:
    """Re-open a closed item (its closing stays in the history)."""
    from jiyue.idle import campaign as svc
    from jiyue.idle.render import change_line

    res = svc.reopen(db, parcel=_parcel(parcel_arg, parcel_opt), reason=reason, user=user, campaign=campaign)
    _emit(res, fmt, lambda r: change_line("item_reopened", r))


@ledger.command()
@_parcel_arg
@_parcel_opt
@_db
@_campaign
@click.option("--format", "fmt", type=click.Choice(["json", "table", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Output file (xlsx needs it).")
@guarded(internal_exit=2)
def show(parcel_arg: str | None, parcel_opt: str | None, db: Path, campaign: int | None, fmt: str,
         out: Path | None) -> None:
    """Show the ledger (all items, or one parcel)."""
    from jiyue.errors import UsageError
    from jiyue.idle import campaign as svc
    from jiyue.idle.render import ledger_table

    parcel = parcel_arg or parcel_opt
    if fmt == "xlsx":
        if out is None:
            raise UsageError("xlsx 格式需要用 --out 指定输出文件")
        from jiyue.idle.xlsx import ledger_workbook

        ledger_workbook(*svc.workbook_parts(db, campaign=campaign, parcel=parcel), out)
        click.echo(f"台账已写入：{out}")
        return
    _emit(svc.show(db, campaign=campaign, parcel=parcel), fmt, ledger_table)


@ledger.command()
@_parcel_arg
@_parcel_opt
@_db
@_campaign
@_fmt
@guarded(internal_exit=2)
def history(parcel_arg: str | None, parcel_opt: str | None, db: Path, campaign: int | None, fmt: str) -> None:
    """Every change of the campaign (or one parcel): who, when, what, before and after."""
    from jiyue.idle import campaign as svc
    from jiyue.idle.render import history_table

    _emit(svc.history(db, campaign=campaign, parcel=parcel_arg or parcel_opt), fmt, history_table)


@ledger.command()
@_db
@_campaign
@_fmt
@guarded(internal_exit=2)
def stats(db: Path, campaign: int | None, fmt: str) -> None:
    """Campaign statistics: checked, in breach, rectified, area revitalised, fees, recoveries."""
    from jiyue.idle import campaign as svc
    from jiyue.idle.render import stats_table

    _emit(svc.stats(db, campaign=campaign), fmt, stats_table)


@ledger.command()
@_db
@_fmt
@guarded(internal_exit=2)
def campaigns(db: Path, fmt: str) -> None:
    """List the campaigns in the store."""
    from jiyue.idle import campaign as svc

    _emit(svc.campaigns(db), fmt, lambda cs: "\n".join(
        f"{c['campaign_id']:>3}  {c['name']}  （{c['created_at']} {c['created_by']}，{c['items']} 宗）" for c in cs)
        or "数据库中没有台账")


@ledger.command()
@_db
@click.argument("evidence_id", type=int)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Where to write the file.")
@guarded(internal_exit=2)
def evidence(db: Path, evidence_id: int, out: Path) -> None:
    """Export a stored evidence file (by its evidence_id from `history`)."""
    from jiyue import store
    from jiyue.ledger.service import evidence_file

    with store.open_store(db, read_only=True) as con:
        name, data, sha = evidence_file(con, evidence_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    click.echo(f"证明材料 {name}（sha256 {sha}）已写入：{out}")
