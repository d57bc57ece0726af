"""Monitoring commands: rank, whatif."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from jiyue.cli import cli, guarded, emit_text
from jiyue.cli.dbparam import DB
from jiyue.errors import UsageError
from jiyue.codes import EVAL_TYPE_LABELS as TYPE_LABELS



def _f(v: Any, d: int = 2) -> str:
    return "—" if v is None else (f"{v:,.{d}f}" if isinstance(v, float) else str(v))


def rank_table(doc: dict[str, Any]) -> str:
    prof = doc["profile"]
    lines = [f"{doc['year']}年度 开发区土地集约利用排名（评价方案 {prof['name']}（{prof.get('version_label', prof['version'])}））"]
    for t in ("industrial", "integrated"):
        rows = [r for r in doc["rankings"] if r["eval_type"] == t]
        if not rows:
            continue
        lines.append("")
        lines.append(f"{TYPE_LABELS[t]}（{len(rows)} 个）")
        lines.append(f"  {'全国':>8} {'省内':>8}  {'分值':>7}  开发区")
        for r in rows:
            nat = f"{r['rank_national']}/{r['of_national']}" if r["rank_national"] else "未排名"
            prov = f"{r['rank_province']}/{r['of_province']}" if r["rank_province"] else "—"
            flag = "（指标不全）" if r["incomplete"] else ""
            lines.append(f"  {nat:>8} {prov:>8}  {_f(r['score']):>7}  {r['zone_code']} {r['name']}（{r['province']}）{flag}")
    return "\n".join(lines)


@cli.command()
@click.argument("pkgs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--db", type=DB, help="Also rank the zones in this store.")
@click.option("--year", type=int)
@click.option("--profile", default="tdt1029-2017", show_default=True)
@click.option("--base", "base", multiple=True, type=click.Path(path_type=Path),
              help="Package(s) of the earlier time point, for year on year (repeatable).")
@click.option("--base-year", type=int, help="Earlier year in the store (--db), for year on year.")
@click.option("--format", "fmt", type=click.Choice(["json", "table", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path))
@click.option("--no-zones", is_flag=True, help="JSON: leave out the zones' full evaluation documents.")
@guarded(internal_exit=2)
def rank(pkgs: tuple[Path, ...], db: Path | None, year: int | None, profile: str, base: tuple[Path, ...],
         base_year: int | None, fmt: str, out: Path | None, no_zones: bool) -> None:
    """Rank zones nationally and within provinces, per evaluation type; averages; year on year."""
    from jiyue.ranking.service import rank as run

    if fmt == "xlsx" and out is None:
        raise UsageError("xlsx 格式需要用 --out 指定输出文件")
    doc = run(list(pkgs), db, year=year, profile=profile, base=list(base) or None, base_year=base_year,
              include_zones=not no_zones and fmt == "json")
    if fmt == "xlsx" and out is not None:  # (a missing --out was refused above)
        from jiyue.reports.ranking_xlsx import write

        write(doc, out)
        click.echo(f"排名表已写入：{out}")
        return
    text = json.dumps(doc, ensure_ascii=False, indent=1) if fmt == "json" else rank_table(doc)
    emit_text(text, out)


@cli.command()
@click.argument("pkg", type=click.Path(path_type=Path))
@click.option("--zone", required=True)
@click.option("--scenario", type=click.Path(path_type=Path),
              help="A scenario file (.toml/.json); without it, jiyue proposes scenarios itself.")
@click.option("--against", multiple=True, type=click.Path(path_type=Path),
              help="Packages of the zones to rank against (repeatable).")
@click.option("--db", type=DB, help="Rank against the zones in this store.")
@click.option("--year", type=int)
@click.option("--profile", default="tdt1029-2017", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path))
@guarded(internal_exit=2)
def whatif(pkg: Path, zone: str, scenario: Path | None, against: tuple[Path, ...], db: Path | None,
           year: int | None, profile: str, fmt: str, out: Path | None) -> None:
    """What would move a zone up: apply parcel changes and show new indicators, score and rank."""
    from jiyue.evaluation.indicators import INDICATORS
    from jiyue.ranking.whatif import whatif as run

    doc = run(pkg, zone=zone, scenario=scenario, against=list(against) or None, db=db, year=year, profile=profile)
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=1)
    else:
        b = doc["before"]
        lines = [f"{zone} {doc['year']}年度  现状分值 {_f(b['score'])}  全国 {b['rank_national'] or '—'}/{b['of_national'] or '—'}"
                 f"  省内 {b['rank_province'] or '—'}/{b['of_province'] or '—'}", "", "各指标尚可提升的分值："]
        for k, h in doc["headroom"].items():
            lines.append(f"  {h['name']:<14} 权重 {h['weight']:.3f}  实现度 {_f(h['realisation'])}  可提升 {_f(h['points_available'])}")
        for s in doc["scenarios"]:
            a = s["after"]
            lines.append("")
            lines.append(f"情景：{s['title']}（{s['changes']} 项变更）→ 分值 {_f(a['score'])}（{_f(s['score_change'])}），"
                         f"全国 {a['rank_national'] or '—'}/{a['of_national'] or '—'}，省内 {a['rank_province'] or '—'}/{a['of_province'] or '—'}")
            for k, v in a["indicators"].items():
                old = b["indicators"].get(k)
                if _f(v) != _f(old):  # only what changes at the shown precision
                    lines.append(f"    {INDICATORS[k].name}: {_f(old)} → {_f(v)}")
            if s.get("parcels"):
                more = f" …共{len(s['parcels'])}宗" if len(s["parcels"]) > 10 else ""
                lines.append(f"    地块：{'、'.join(map(str, s['parcels'][:10]))}{more}")
        text = "\n".join(lines)
    emit_text(text, out)
