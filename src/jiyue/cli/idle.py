"""Idle-land command: ``jiyue idle PKG|--db FILE --as-of DATE [--rules NAME|FILE] [--format …]``."""

from __future__ import annotations

import json
from pathlib import Path

import click

import datetime as dt

from jiyue.cli import DATE, cli, emit_text, guarded
from jiyue.cli.dbparam import DB


def lowe_list(value: str | None) -> list[str] | None:
    """``L1,benchmark`` → ``["L1", "benchmark"]``."""
    if not value:
        return None
    return [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]


@cli.command()
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@click.option("--db", type=DB, help="Assess the store instead of a package.")
@click.option("--as-of", "as_of", type=DATE, help="Assessment date (default: 31 December of the data's year).")
@click.option("--rules", default="order53-2012", show_default=True, help="Built-in rule name or a rules .toml file.")
@click.option("--low-efficiency", "lowe", help="Low-efficiency rule sets to apply, e.g. L1,L2,benchmark "
                                                "(default: the rules file's [low_efficiency] active).")
@click.option("--all-parcels", is_flag=True, help="Every parcel (default: contract parcels and unsupplied ones).")
@click.option("--zone", help="Only this zone (zone_code).")
@click.option("--year", type=int, help="Snapshot year in the store (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(["json", "table", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of standard output (xlsx needs it).")
@guarded(internal_exit=2)
def idle(pkg: Path | None, db: Path | None, as_of: dt.date | None, rules: str, lowe: str | None, all_parcels: bool,
         zone: str | None, year: int | None, fmt: str, out: Path | None) -> None:
    """Idle land per MLR Order 53: status, cause, route, fee, penalties, stock chain, low-efficiency land."""
    from jiyue.errors import UsageError
    from jiyue.idle.service import assess

    if fmt == "xlsx" and out is None:
        raise UsageError("xlsx 格式需要用 --out 指定输出文件")
    doc = assess(pkg, db, as_of=as_of, rules=rules, zone=zone, year=year, low_efficiency=lowe_list(lowe),
                 all_parcels=all_parcels)
    if fmt == "xlsx" and out is not None:  # (a missing --out was refused above)
        from jiyue.idle.xlsx import idle_workbook

        idle_workbook(doc, out)
        click.echo(f"闲置土地判定表已写入：{out}")
        return
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=1)
    else:
        from jiyue.idle.render import idle_table

        text = idle_table(doc)
    emit_text(text, out)
