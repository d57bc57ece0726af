"""Evaluation commands: evaluate, explain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from jiyue.cli import cli, guarded, emit_text
from jiyue.cli.dbparam import DB
from jiyue.evaluation.indicators import INDICATORS
from jiyue.tables import pad
from jiyue.codes import EVAL_TYPE_LABELS



def _fmt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def evaluation_table(doc: dict[str, Any]) -> str:
    """A plain-text rendering of an evaluation document (Chinese)."""
    lines = [f"评价方案：{doc['profile']['name']}（{doc['profile'].get('version_label', doc['profile']['version'])}）"]
    for z in doc["zones"]:
        lines.append("")
        lines.append(f"{z['zone_code']} {z['name']}（{z['year']}年度，{EVAL_TYPE_LABELS.get(z['eval_type'])}）"
                     f"  土地利用集约度分值：{_fmt(z['score'])}")
        if not z.get("score_complete", True):
            names = "、".join(INDICATORS[k].name for k in z.get("score_missing") or [])
            lines.append(f"  注意：分值未含缺失的指标（{names}），其权重按评价方案分给了其余指标；"
                         "与指标齐全的开发区不可直接比较")
        lines.append("  " + pad("指标", 26) + pad("现状值", 12, True) + pad("理想值", 10, True)
                     + pad("实现度", 8, True) + "  单位")
        for k, v in z["indicators"].items():
            i = INDICATORS[k]
            lines.append("  " + pad(i.name, 26) + pad(_fmt(v), 12, True) + pad(_fmt(z["ideals"].get(k)), 10, True)
                         + pad(_fmt(z["realisation"].get(k)), 8, True) + f"  {i.unit}"
                         + (f"  （缺失：{z['missing'][k]}）" if k in z["missing"] else ""))
        a = z["areas_ha"]
        lines.append(f"  面积(公顷)：总 {_fmt(a['total'])}  A {_fmt(a['A'])}  A2 {_fmt(a['A2'])}  "
                     f"B {_fmt(a['B'])}  B21 {_fmt(a['B21'])}  C {_fmt(a['C'])}  D {_fmt(a['D'])}  "
                     f"E {_fmt(a['E'])}  G {_fmt(a['G'])}")
        p = z["potential_ha"]
        lines.append(f"  潜力(公顷)：扩展 {_fmt(p['expansion'])}（工矿仓储 {_fmt(p['expansion_industrial'])}）  "
                     f"结构 {_fmt(p['structure'])}  管理 {_fmt(p['management'])}  强度 "
                     + "，".join(f"{INDICATORS[k].name} {_fmt(v)}" for k, v in p["intensity"].items()))
        y = z["years_of_supply"]
        lines.append(f"  尚可供地年数：I {_fmt(y['years_by_3yr_avg'])} 年，II {_fmt(y['years_by_5yr_max'])} 年")
    return "\n".join(lines)


@cli.command()
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@click.option("--db", type=DB, help="Evaluate zones in this store instead of a package.")
@click.option("--zone", help="Only this zone (zone_code).")
@click.option("--year", type=int, help="Year (default: the package's year / each zone's latest in the store).")
@click.option("--profile", "profile", default="tdt1029-2017", show_default=True,
              help="A built-in profile name or a profile .toml file.")
@click.option("--format", "fmt", type=click.Choice(["json", "table", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of standard output (xlsx needs it).")
@click.option("--no-validate", is_flag=True,
              help="GeoParquet folder from a trusted source: evaluate without validating it first.")
@guarded(internal_exit=2)
def evaluate(pkg: Path | None, db: Path | None, zone: str | None, year: int | None, profile: str, fmt: str,
             out: Path | None, no_validate: bool) -> None:
    """Evaluate zones per TD/T 1029: indicators, score, potentials.

    A GeoParquet folder (zones.parquet, parcels.parquet, buildings.parquet, zone_years.parquet with
    the contract's field names) is validated and evaluated on the vectorised national path."""
    from jiyue.errors import UsageError
    from jiyue.evaluation.service import evaluate as run

    if fmt == "xlsx" and out is None:
        raise UsageError("xlsx 格式需要用 --out 指定输出文件")
    doc = run(pkg, db, zone=zone, year=year, profile=profile, validate=not no_validate)
    if fmt == "xlsx":
        from jiyue.reports.evaluation_xlsx import write

        write(doc, out)  # type: ignore[arg-type]
        click.echo(f"评价表已写入：{out}")
        return
    text = json.dumps(doc, ensure_ascii=False, indent=1) if fmt == "json" else evaluation_table(doc)
    emit_text(text, out)


@cli.command()
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@click.option("--db", type=DB)
@click.option("--zone", required=True, help="zone_code of the zone.")
@click.option("--indicator", required=True, type=click.Choice(sorted(INDICATORS)))
@click.option("--year", type=int)
@click.option("--limit", type=int, default=None, help="Show only the N largest contributions.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@guarded(internal_exit=2)
def explain(pkg: Path | None, db: Path | None, zone: str, indicator: str, year: int | None, limit: int | None,
            fmt: str) -> None:
    """Show why an indicator has its value: numerator, denominator, contributing rows."""
    from jiyue.evaluation.explain import explain as run

    doc = run(pkg, db, zone=zone, indicator=indicator, year=year, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    click.echo(f"{doc['zone_code']} {doc['year']}年度  {doc['name']}（{indicator}）= {_fmt(doc['value'], 4)} "
               f"{doc['unit']}")
    if doc["missing_reason"]:
        click.echo(f"无法计算：{doc['missing_reason']}")
        return
    click.echo(f"公式：{doc['formula']}")
    num, den = doc["numerator"], doc["denominator"]
    click.echo("分子：" + " + ".join(f"{num['labels'][t]} {_fmt(v)}" for t, v in num["terms"].items())
               + f" = {_fmt(num['value'])}")
    click.echo("分母：" + " + ".join(f"{den['labels'][t]} {_fmt(v)}" for t, v in den["terms"].items())
               + f" = {_fmt(den['value'])}")
    click.echo(f"贡献（共 {doc['contributions_count']} 条，由大到小；各条贡献之和 = {_fmt(doc['contributions_total'], 4)}）：")
    for c in doc["contributions"]:
        extra = f" {c.get('build_class', '')}/{c.get('supply_class', '')}" if c["source"] == "parcels" else ""
        click.echo(f"  {c['source']:<16} {c['id']:<20}{extra}  分子部分 {_fmt(c['part'])}  贡献 {_fmt(c['contribution'], 4)}")
