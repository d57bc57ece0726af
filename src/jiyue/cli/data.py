"""Data commands: validate, import, demo, summary."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import click

from jiyue import messages
from jiyue.cli import echo_err as _echo_err, cli, guarded
from jiyue.cli.dbparam import DB


# --------------------------------------------------------------------------- validate
ZONE_LIST_MAX = 12  # a national set names hundreds of zones: show the first and last few


def zone_list(codes: list[str]) -> str:
    """Zone codes for a message: all of them, or for a national set "540 个（N0001、… N0540）"."""
    codes = [c for c in codes if c]
    if len(codes) <= ZONE_LIST_MAX:
        return "、".join(codes)
    return f"{len(codes)} 个（{'、'.join(codes[:3])} …… {'、'.join(codes[-2:])}）"


def _problem_lines(problems: list[dict[str, Any]], limit: int | None) -> list[str]:
    lines = []
    shown = problems if limit is None else problems[:limit]
    for p in shown:
        sev = messages.SEVERITY_LABELS.get(p["severity"], p["severity"])
        where = " ".join(x for x in (p["layer"], p.get("row_id") or "", p.get("field") or "") if x)
        lines.append(f"[{sev}] {p['code']:<28} {where}: {p['message']}")
    if limit is not None and len(problems) > limit:
        lines.append(f"…… 另有 {len(problems) - limit} 条问题未显示（用 --format json 或 --all 查看全部）")
    return lines


def _read_report(pkg: Path, fmt: str, extra: dict[str, Any] | None = None, *, keep: bool = False,
                 general: bool = False) -> Any:
    """Validate ``pkg``; an unreadable package still gives JSON on stdout with ``--format json``.

    The JSON then has the usual shape with one ``package_unreadable`` problem; the sentence
    also goes to stderr, and the exit code stays 2.
    """
    from jiyue.errors import PackageUnreadable
    from jiyue.validate_parquet import validate_package as validate_path

    debug = bool(click.get_current_context().find_root().params.get("debug"))
    try:
        with warnings.catch_warnings():
            if not debug:  # library chatter (GDAL, pandas) is no message for a clerk
                warnings.simplefilter("ignore")
            if general:  # the general path (a server store takes its rows from a Package)
                from jiyue.validate import validate_path as validate_general

                return validate_general(pkg)
            return validate_path(pkg, keep=keep)
    except PackageUnreadable as e:
        if fmt == "json":
            problem = {"severity": "error", "code": e.code.value if e.code else "package_unreadable",
                       "layer": None, "row_id": None, "field": None, "found": str(pkg),
                       "expected": "GeoPackage 文件、按图层命名的文件夹或 .zip 压缩包",
                       "message": e.message, "row": None}
            counts = {"errors": 1, "warnings": 0, "rows": {}, "by_code": {problem["code"]: 1}}
            click.echo(json.dumps({"ok": False, **(extra or {}), "counts": counts, "problems": [problem]},
                                  ensure_ascii=False, indent=1))
        raise


@cli.command()
@click.argument("pkg", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Text format: list every problem (default: first 200).")
@click.option("--out", type=click.Path(path_type=Path), help="Also write the problem table (.csv or .xlsx).")
@guarded(internal_exit=2)
def validate(pkg: Path, fmt: str, show_all: bool, out: Path | None) -> None:
    """Validate a data package; exit 0 = no errors, 1 = errors, 2 = unreadable."""
    report = _read_report(pkg, fmt)
    d = report.to_dict()
    if out is not None:
        from jiyue.tables import write_problems

        write_problems(report.problems, out)
    if fmt == "json":
        click.echo(json.dumps(d, ensure_ascii=False, indent=1))
    else:
        c = d["counts"]
        rows = "，".join(f"{messages.layer_label(k)} {v} 条" for k, v in c["rows"].items())
        click.echo(f"数据包：{pkg}")
        click.echo(f"读取：{rows}")
        for line in _problem_lines(d["problems"], None if show_all else 200):
            click.echo(line)
        if not report.ok:
            click.echo(messages.TEXT["validate_failed"].format(errors=c["errors"], warnings=c["warnings"]))
        elif c["warnings"]:
            click.echo(messages.TEXT["validate_warnings"].format(warnings=c["warnings"]))
        else:
            click.echo(messages.TEXT["validate_ok"])
    sys.exit(0 if report.ok else 1)


# --------------------------------------------------------------------------- import
@cli.command("import")
@click.argument("pkg", type=click.Path(path_type=Path))
@click.option("--db", type=DB, default=Path("data/jiyue.duckdb"), show_default=True)
@click.option("--replace", is_flag=True, help="Replace the zone(s) and year already in the store.")
@click.option("--year", type=int, help="The package's year (time point); default: see the user guide.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded(internal_exit=2)
def import_cmd(pkg: Path, db: Path, replace: bool, year: int | None, fmt: str) -> None:
    """Validate a package and import it into the DuckDB store, all or nothing."""

    from jiyue import store_pg

    # a GeoParquet folder goes straight from the vectorised validation into a DuckDB file; a server
    # store (postgresql://) is written from the general path's Package
    report = _read_report(pkg, fmt, {"imported": None}, keep=True, general=store_pg.is_url(db))
    try:
        _import_report(report, db, replace, year, fmt)
    finally:
        if hasattr(report, "close"):
            report.close()


def _import_report(report: Any, db: Path, replace: bool, year: int | None, fmt: str) -> None:
    from jiyue.store import import_package
    from jiyue.store_parquet import import_validated_parquet

    if not report.ok:
        d = report.to_dict()
        if fmt == "json":
            click.echo(json.dumps({"ok": False, "imported": None, **{k: d[k] for k in ("counts", "problems")}},
                                  ensure_ascii=False, indent=1))
        else:
            for line in _problem_lines(d["problems"], 200):
                _echo_err(line)
        _echo_err(messages.TEXT["import_refused"].format(errors=len(report.errors)))
        sys.exit(1)
    if hasattr(report, "con"):  # a plain GeoParquet folder, validated on the vectorised path
        res = import_validated_parquet(db, report, replace=replace, year=year)
    else:
        res = import_package(db, report, replace=replace, year=year)
    if fmt == "json":
        click.echo(json.dumps({"ok": True, "imported": res.to_dict()}, ensure_ascii=False, indent=1))
    else:
        click.echo(messages.TEXT["import_done"].format(zones=zone_list(res.zones), year=res.year,
                                                       import_id=res.import_id))
        if res.replaced:
            click.echo(f"已替换此前的导入批次：{'、'.join(map(str, res.replaced))}")
        if res.warnings:
            click.echo(f"（{res.warnings} 个警告已随本批次保存在数据库中）")


# --------------------------------------------------------------------------- demo
@cli.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--seed", type=int, default=2020, show_default=True)
@guarded()
def demo(out: Path, seed: int) -> None:
    """Write the demo package (聊城经济技术开发区（演示数据）) as a GeoPackage.

    OUT ending in .gpkg is the file; any other OUT is a folder that receives demo.gpkg.
    """
    from jiyue.demo import write_demo

    target = out if out.suffix.lower() == ".gpkg" else out / "demo.gpkg"
    target.parent.mkdir(parents=True, exist_ok=True)
    path = write_demo(target, seed=seed)
    click.echo(f"演示数据包已写入：{path}")


# --------------------------------------------------------------------------- summary
@cli.command()
@click.option("--db", type=DB, default=Path("data/jiyue.duckdb"), show_default=True)
@click.option("--zone", help="Only this zone's snapshots (the imports are all listed).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded()
def summary(db: Path, zone: str | None, fmt: str) -> None:
    """Show what the store holds: imports (provenance) and zones by year."""
    from jiyue.store import summary as store_summary

    s = store_summary(db)
    if zone is not None:
        s["snapshots"] = [z for z in s["snapshots"] if z["zone_code"] == zone]
    if fmt == "json":
        click.echo(json.dumps(s, ensure_ascii=False, indent=1, default=str))
        return
    from jiyue.codes import EVAL_TYPES

    click.echo(f"数据库：{db}")
    for imp in s["imports"]:
        click.echo(f"  导入批次 {imp['import_id']}：{zone_list(str(imp['zones']).split(','))} {imp['year']}年度，"
                   f"时间 {str(imp['imported_at']).replace('T', ' ')[:19]}，文件哈希 {str(imp['sha256'])[:12]}…，警告 {imp['warnings']} 个")
    for z in s["snapshots"]:
        eval_type = EVAL_TYPES.get(z["eval_type"], (z["eval_type"] or "评价类型未填",))[0]
        click.echo(f"  {z['zone_code']} {z['name']}（{z['year']}年度，{eval_type}）："
                   f"宗地 {z['parcels']} 宗，{z['area_ha']:.2f} 公顷，建筑 {z['buildings']} 栋")
