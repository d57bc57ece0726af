"""Recovery-economics command: ``jiyue recovery FILE [--format json|table|xlsx]``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from jiyue.cli import cli, guarded, emit_text
from jiyue.cli.dbparam import DB


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "table", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of standard output (xlsx needs it).")
@click.option("--db", type=DB, help="Also record the result in this store's campaign ledger.")
@click.option("--campaign", type=int, help="Campaign to record it in (default: the latest).")
@click.option("--user", help="Who records it (with --db; default: the login name).")
@guarded(internal_exit=2)
def recovery(file: Path, fmt: str, out: Path | None, db: Path | None, campaign: int | None,
             user: str | None) -> None:
    """Recovery and re-grant economics (收储→再出让): costs, revenue, net gain, dated cash flow.

    FILE is a TOML or JSON case (format: docs/idle-land.md; example:
    src/jiyue/idle/examples/liaocheng-5.43ha.toml).
    """
    from jiyue.errors import UsageError
    from jiyue.idle.recovery import economics
    from jiyue.idle.recovery_file import load_case

    if fmt == "xlsx" and out is None:
        raise UsageError("xlsx 格式需要用 --out 指定输出文件")
    case, sha = load_case(file)
    doc = economics(case)
    doc["source"], doc["sha256"] = str(file), sha
    if db is not None:
        from jiyue.cli.ledger import default_user
        from jiyue.idle.campaign import record_recovery

        rec = record_recovery(db, doc, campaign=campaign, user=user or default_user())
        doc["recorded"] = {"campaign_id": rec["campaign_id"], "event_id": rec["event_id"], "created": rec["created"]}
    if fmt == "xlsx" and out is not None:  # (a missing --out was refused above)
        from jiyue.idle.xlsx import recovery_workbook

        recovery_workbook(doc, out)
        click.echo(f"收储测算表已写入：{out}")
        return
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=1)
    else:
        from jiyue.idle.render import recovery_table

        text = recovery_table(doc)
    emit_text(text, out)
