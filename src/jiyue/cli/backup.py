"""``jiyue backup`` and ``jiyue restore``: a whole store to one file and back (both backends)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from jiyue.cli import cli, guarded
from jiyue.cli.dbparam import DB


@cli.command()
@click.option("--db", type=DB, default=Path("data/jiyue.duckdb"), show_default=True,
              help="The store: a DuckDB file or postgresql://… (docs/server-store.md).")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded(internal_exit=2)
def backup(db: Path, out: Path, fmt: str) -> None:
    """Back up the whole store to the file OUT.

    A DuckDB store is copied (after a checkpoint, while no other program writes it); a
    PostgreSQL store is dumped with pg_dump (a consistent snapshot; the server keeps serving).

    \b
    Example:
      jiyue backup --db data/jiyue.duckdb backups/jiyue-2026-12-02.duckdb
      jiyue backup --db postgresql://jiyue@dbhost/jiyue backups/jiyue-2026-12-02.pgdump
    """
    from jiyue.backup import backup as run

    res = run(db, out)
    if fmt == "json":
        click.echo(json.dumps(res, ensure_ascii=False, indent=1))
    else:
        click.echo(f"已备份：{res['db']} → {res['backup']}（{res['bytes'] / 1e6:.1f} MB，"
                   f"{'pg_dump 归档' if res['kind'] == 'pgdump' else 'DuckDB 文件'}）")


@cli.command()
@click.argument("backup_file", metavar="BACKUP", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--db", type=DB, default=Path("data/jiyue.duckdb"), show_default=True,
              help="The store to restore into: a DuckDB file or postgresql://….")
@click.option("--replace", is_flag=True, help="Replace a store that already holds data (all or nothing).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded(internal_exit=2)
def restore(backup_file: Path, db: Path, replace: bool, fmt: str) -> None:
    """Restore the store from BACKUP (made by jiyue backup), all or nothing.

    A store that already holds data is only replaced with --replace. Stop `jiyue serve` on a
    DuckDB store first; a PostgreSQL store is replaced in one transaction.

    \b
    Example:
      jiyue restore backups/jiyue-2026-12-02.duckdb --db data/jiyue.duckdb --replace
      jiyue restore backups/jiyue-2026-12-02.pgdump --db postgresql://jiyue@dbhost/jiyue --replace
    """
    from jiyue.backup import restore as run

    res = run(backup_file, db, replace=replace)
    if fmt == "json":
        click.echo(json.dumps(res, ensure_ascii=False, indent=1))
    else:
        click.echo(f"已恢复：{res['backup']} → {res['db']}（导入批次 {res['imports']} 个）")
