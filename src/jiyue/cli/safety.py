"""Safety-production hazard ledger commands (``jiyue safety …``, 安全生产隐患排查治理).

campaign · import · inspect · rectify · submit · reinspect · close · escalate · enforce · show ·
stats · export · demo. Every change is one transaction and one event (who: ``--user``; when:
now; the business date: ``--date``). Refused changes exit 1 with every reason, nothing changed;
an unreadable file exits 2. The work is done by :mod:`jiyue.safety`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import click

from jiyue.cli import DATE, cli, emit_text, guarded
from jiyue.cli.ledger import GreedyOption, default_user

_db = click.option("--db", required=True, type=click.Path(path_type=Path), help="The DuckDB store.")
_campaign = click.option("--campaign", "campaign_id", type=int, help="Campaign id (default: the latest).")
_user = click.option("--user", default=default_user, show_default="login name", help="Who makes the change.")
_fmt = click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
_date = click.option("--date", "on", type=DATE, default=None, help="Date of the event (default: today).")
_hazard = click.argument("hazard_id", type=int)


def _emit(doc: Any, fmt: str, line: Any) -> None:
    click.echo(json.dumps(doc, ensure_ascii=False, indent=1, default=str) if fmt == "json" else line(doc))


def _state_line(r: dict[str, Any]) -> str:
    from jiyue.safety import labels

    return f"隐患 {r['hazard_id']}：{labels.STATE[r['state']]}（事件 {r['event_id']}）"


@cli.group()
def safety() -> None:
    """Safety-production hazard ledger (安全生产隐患排查治理): inspections, hazards, rectification, closing, statistics.

    \b
    jiyue safety demo --db data/jiyue.duckdb
    jiyue safety campaign --db data/jiyue.duckdb --name 2021年春节前安全检查 --start 2021-01-10 --end 2021-02-02
    jiyue safety inspect --db data/jiyue.duckdb --date 2021-01-12 --group 第一检查组 --inspectors 张三、李四 \\
        --enterprise 乖宝宠物食品集团股份有限公司 --hazard 疏散通道堆放杂物 --level 一般
    jiyue safety rectify 1 --db data/jiyue.duckdb --measures 清理通道 --responsible 王五 --deadline 2021-01-20
    jiyue safety submit 1 --db data/jiyue.duckdb --evidence 整改后.jpg
    jiyue safety reinspect 1 --db data/jiyue.duckdb --reviewer 李四
    jiyue safety close 1 --db data/jiyue.duckdb
    jiyue safety stats --db data/jiyue.duckdb --by enterprise
    jiyue safety import 台账.xlsx --db data/jiyue.duckdb
    jiyue safety export --db data/jiyue.duckdb --out out/safety.xlsx
    """


@safety.command()
@_db
@click.option("--name", required=True, help="Campaign name (专项行动名称).")
@click.option("--start", type=DATE, help="First day of the campaign.")
@click.option("--end", type=DATE, help="Last day of the campaign.")
@click.option("--zone", help="Zone code.")
@click.option("--rules", help="Rule file: a built-in name or a .toml path (default work-safety-2021).")
@click.option("--exist-ok", is_flag=True, help="A campaign of that name exists: use it, change nothing.")
@_user
@_fmt
@guarded(internal_exit=2)
def campaign(db: Path, name: str, start: dt.date | None, end: dt.date | None, zone: str | None, rules: str | None,
             exist_ok: bool, user: str, fmt: str) -> None:
    """Create a campaign (专项行动)."""
    from jiyue.safety import commands

    res = commands.campaign(db, name=name, start=start, end=end, zone=zone, rules=rules, user=user, exist_ok=exist_ok)
    _emit(res, fmt, lambda r: f"专项行动 {r['campaign_id']}「{r['name']}」" + ("已建立" if r["created"] else "已存在，未修改"))


@safety.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@_db
@_campaign
@click.option("--name", help="Name of the new campaign (default: the 专项行动 column or the file name).")
@click.option("--rules", help="Rule file (default work-safety-2021).")
@_user
@_fmt
@guarded(internal_exit=2)
def import_(path: Path, db: Path, campaign_id: int | None, name: str | None, rules: str | None, user: str,
            fmt: str) -> None:
    """Import a zone's Excel hazard ledger (Chinese headers); nothing is imported if any row is bad."""
    from jiyue.safety import commands

    res = commands.import_ledger(db, path, name=name, campaign_id=campaign_id, rules=rules, user=user)
    _emit(res, fmt, lambda r: (f"已导入专项行动 {r['campaign_id']}：检查 {r['inspections']} 次，隐患 {r['hazards']} 项，"
                               f"执法措施 {r['enforcement']} 起"))


@safety.command()
@_db
@_campaign
@_date
@click.option("--group", required=True, help="Inspection group (检查组).")
@click.option("--inspectors", required=True, help="Inspectors, separated by 、 or commas.")
@click.option("--enterprise", required=True, help="Enterprise name, credit code or id (must be in the store).")
@click.option("--mode", help="四不两直 / 明查 / 回头看 / 专项 / 日常 / 异地执法.")
@click.option("--hazard", "hazards", multiple=True, help="A hazard found (repeat for several).")
@click.option("--level", "levels", multiple=True, help="Level of each --hazard (一般 / 重大; one value: all).")
@click.option("--category", help="Category of the hazards (消防安全, 电气安全 …).")
@click.option("--item", "items", multiple=True, help="判定标准 item of each major hazard, e.g. 第十一条第（一）项.")
@click.option("--deadline", type=DATE, help="Rectification deadline (default: by level, from the rules).")
@_user
@_fmt
@guarded(internal_exit=2)
def inspect(db: Path, campaign_id: int | None, on: dt.date | None, group: str, inspectors: str, enterprise: str,
            mode: str | None, hazards: tuple[str, ...], levels: tuple[str, ...], category: str | None,
            items: tuple[str, ...], deadline: dt.date | None, user: str, fmt: str) -> None:
    """Record an inspection and the hazards it found."""
    from jiyue.errors import UsageError
    from jiyue.safety import commands

    if hazards and len(levels) not in (1, len(hazards)):
        raise UsageError(f"给了 {len(hazards)} 项隐患、{len(levels)} 个等级；请为每项隐患给一个 --level，或只给一个适用于全部")
    if hazards and not levels:
        raise UsageError("请用 --level 给出隐患等级（一般 或 重大）")
    hz = [{"description": d, "level": levels[0] if len(levels) == 1 else levels[i], "category": category,
           "item": items[i] if i < len(items) else None, "deadline": deadline} for i, d in enumerate(hazards)]
    names = [x for x in re.split(r"[、,，;；\s]+", inspectors) if x]
    res = commands.inspect(db, campaign_id=campaign_id, on=on or dt.date.today(), group=group, inspectors=names,
                           enterprise=enterprise, mode=mode, hazards=hz, user=user)
    _emit(res, fmt, lambda r: f"检查 {r['inspection_id']} 已登记（专项行动 {r['campaign_id']}）"
          + (f"，隐患编号：{'、'.join(map(str, r['hazards']))}" if r["hazards"] else "，未发现隐患"))


@safety.command()
@_hazard
@_db
@_date
@click.option("--measures", help="Rectification measures (整改措施).")
@click.option("--responsible", help="Responsible person (整改责任人).")
@click.option("--deadline", type=DATE, help="Deadline (整改期限).")
@click.option("--funds", type=float, help="Funds (万元), required for a major hazard (五落实).")
@click.option("--emergency-plan", help="Emergency plan, required for a major hazard (五落实).")
@_user
@_fmt
@guarded(internal_exit=2)
def rectify(hazard_id: int, db: Path, on: dt.date | None, measures: str | None, responsible: str | None,
            deadline: dt.date | None, funds: float | None, emergency_plan: str | None, user: str, fmt: str) -> None:
    """Set the rectification measures of a hazard (found → rectifying)."""
    from jiyue.safety import commands

    plan = {"measures": measures, "responsible_person": responsible, "deadline": deadline, "funds_wan": funds,
            "emergency_plan": emergency_plan}
    _emit(commands.change(db, "rectify", hazard_id, on=on or dt.date.today(), plan=plan, user=user), fmt, _state_line)


@safety.command()
@_hazard
@_db
@_date
@click.option("--evidence", cls=GreedyOption, multiple=True, type=click.Path(path_type=Path),
              help="Evidence file(s): --evidence a.jpg b.pdf (required).")
@click.option("--note")
@_user
@_fmt
@guarded(internal_exit=2)
def submit(hazard_id: int, db: Path, on: dt.date | None, evidence: tuple[Path, ...], note: str | None, user: str,
           fmt: str) -> None:
    """Submit the rectification with evidence (rectifying → submitted)."""
    from jiyue.safety import commands, service

    files = service.read_evidence(evidence)
    _emit(commands.change(db, "submit", hazard_id, on=on or dt.date.today(), evidence=files, note=note, user=user),
          fmt, _state_line)


@safety.command()
@_hazard
@_db
@_date
@click.option("--reviewer", help="Who re-inspected (复查人).")
@click.option("--fail", is_flag=True, help="The re-inspection failed (back to rectifying).")
@click.option("--note")
@_user
@_fmt
@guarded(internal_exit=2)
def reinspect(hazard_id: int, db: Path, on: dt.date | None, reviewer: str | None, fail: bool, note: str | None,
              user: str, fmt: str) -> None:
    """Record the re-inspection (submitted → re-inspected, or back to rectifying with --fail)."""
    from jiyue.safety import commands

    _emit(commands.change(db, "reinspect", hazard_id, on=on or dt.date.today(), passed=not fail, reviewer=reviewer,
                          note=note, user=user), fmt, _state_line)


@safety.command()
@_hazard
@_db
@_date
@click.option("--evidence", cls=GreedyOption, multiple=True, type=click.Path(path_type=Path),
              help="Further evidence file(s) (optional when the submission had evidence).")
@click.option("--note")
@_user
@_fmt
@guarded(internal_exit=2)
def close(hazard_id: int, db: Path, on: dt.date | None, evidence: tuple[Path, ...], note: str | None, user: str,
          fmt: str) -> None:
    """Close (销号) a hazard: needs a passed re-inspection and evidence."""
    from jiyue.safety import commands, service

    files = service.read_evidence(evidence)
    _emit(commands.change(db, "close", hazard_id, on=on or dt.date.today(), evidence=files, note=note, user=user),
          fmt, _state_line)


@safety.command()
@_hazard
@_db
@_date
@click.option("--note")
@_user
@_fmt
@guarded(internal_exit=2)
def escalate(hazard_id: int, db: Path, on: dt.date | None, note: str | None, user: str, fmt: str) -> None:
    """Escalate an overdue hazard (逾期升级)."""
    from jiyue.safety import commands

    _emit(commands.change(db, "escalate", hazard_id, on=on or dt.date.today(), note=note, user=user), fmt,
          _state_line)


@safety.command()
@_db
@_date
@click.option("--measure", required=True, type=click.Choice(["order", "fine", "stop", "case"]),
              help="order 责令限期整改 / fine 罚款 / stop 停产停业整顿 / case 立案.")
@click.option("--hazard", "hazard_id", type=int, help="The hazard it concerns.")
@click.option("--inspection", "inspection_id", type=int, help="The inspection it concerns.")
@click.option("--amount", type=float, help="Fine, or proposed penalty of a case (万元).")
@click.option("--article", help="Legal article (default: the rule file's).")
@click.option("--note")
@_user
@_fmt
@guarded(internal_exit=2)
def enforce(on: dt.date | None, db: Path, measure: str, hazard_id: int | None, inspection_id: int | None,
            amount: float | None, article: str | None, note: str | None, user: str, fmt: str) -> None:
    """Record an enforcement measure (with its article of the Work Safety Law)."""
    from jiyue.safety import commands

    res = commands.enforce(db, measure=measure, on=on or dt.date.today(), hazard_id=hazard_id,
                           inspection_id=inspection_id, amount_wan=amount, article=article, note=note, user=user)
    _emit(res, fmt, lambda r: f"已登记{r['label']}" + (f" {r['amount_wan']} 万元" if r["amount_wan"] else "")
          + f"（{r['article']}）")


@safety.command()
@_hazard
@_db
@guarded(internal_exit=2)
def show(hazard_id: int, db: Path) -> None:
    """A hazard with its inspection and every event (JSON)."""
    from jiyue.safety import commands

    click.echo(json.dumps(commands.show(db, hazard_id), ensure_ascii=False, indent=1, default=str))


@safety.command()
@_db
@_campaign
@click.option("--all", "all_", is_flag=True, help="Every campaign (a period across campaigns).")
@click.option("--as-of", "as_of", type=DATE, help="State of the hazards at this date (default: the period's end).")
@click.option("--from", "start", type=DATE, help="Period start (default: the campaign's).")
@click.option("--to", "end", type=DATE, help="Period end (default: the campaign's).")
@click.option("--by", type=click.Choice(["enterprise", "industry", "level"]), help="Also a table by group.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Output file (required for xlsx).")
@guarded(internal_exit=2)
def stats(db: Path, campaign_id: int | None, all_: bool, as_of: dt.date | None, start: dt.date | None,
          end: dt.date | None, by: str | None, fmt: str, out: Path | None) -> None:
    """Statistics in the campaign report's form: groups, person-times, hazards found/rectified, fines …"""
    from jiyue.errors import UsageError
    from jiyue.safety import commands, render

    if fmt == "xlsx":
        if out is None:
            raise UsageError("--format xlsx 须用 --out 给出输出文件")
        commands.export(db, out, campaign_id=campaign_id, as_of=as_of)
        click.echo(f"已写入：{out}")
        return
    doc = commands.stats(db, campaign_id=0 if all_ else campaign_id, as_of=as_of, start=start, end=end)
    emit_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str) if fmt == "json"
              else render.stats_table(doc, by), out)


@safety.command()
@_db
@_campaign
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The workbook to write (.xlsx).")
@click.option("--as-of", "as_of", type=DATE, help="Statistics as of this date.")
@guarded(internal_exit=2)
def export(db: Path, campaign_id: int | None, out: Path, as_of: dt.date | None) -> None:
    """Export the ledger (Chinese headers, re-importable) with its statistics sheets."""
    from jiyue.safety import commands

    commands.export(db, out, campaign_id=campaign_id, as_of=as_of)
    click.echo(f"已写入：{out}")


@safety.command()
@_db
@_user
@guarded(internal_exit=2)
def demo(db: Path, user: str) -> None:
    """Add the demo campaign calibrated to the seed (494 groups, 1,611 person-times, 1,090 hazards …)."""
    from jiyue.safety import commands

    res = commands.load_demo(db, user=user)
    click.echo(f"安全生产演示专项行动 {res['campaign_id']}" + ("已生成" if res["created"] else "已存在，未修改"))
