"""Report commands: ``jiyue report circular`` and ``jiyue report zone`` (HTML + PDF)."""

from __future__ import annotations

from pathlib import Path

import click

from jiyue.cli import cli, guarded
from jiyue.cli.dbparam import DB


@cli.group()
def report() -> None:
    """Chinese HTML and PDF reports: the circular (通报) of a set of zones, one zone's report."""


@report.command()
@click.argument("pkgs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--db", type=DB, help="Also include the zones in this store.")
@click.option("--year", type=int, help="Year (default: each source's latest).")
@click.option("--base", "base", multiple=True, type=click.Path(path_type=Path),
              help="Package(s) of the earlier time point, for year on year (repeatable).")
@click.option("--base-year", type=int, help="Earlier year in the store (--db), for year on year.")
@click.option("--profile", default="tdt1029-2017", show_default=True, help="Evaluation profile (name or .toml).")
@click.option("--rules", type=click.Path(path_type=Path), help="Circular rule file (.toml); default: built-in.")
@click.option("--top", type=click.IntRange(min=1), help="Length of the top/bottom lists (default: by the rules).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for circular.html and .pdf.")
@click.option("--no-pdf", is_flag=True, help="Write the HTML only.")
@guarded(internal_exit=2)
def circular(pkgs: tuple[Path, ...], db: Path | None, year: int | None, base: tuple[Path, ...],
             base_year: int | None, profile: str, rules: Path | None, top: int | None, out: Path,
             no_pdf: bool) -> None:
    """The circular (通报) of a set of zones: counts, averages, scores, top/bottom lists, problems.

    \b
    Example:
      jiyue report circular a.gpkg b.gpkg --base a2019.gpkg --base b2019.gpkg --out out/
      jiyue report circular --db data/jiyue.duckdb --year 2020 --base-year 2019 --out out/
    """
    from jiyue.errors import UsageError

    _check_out(out)
    if not pkgs and db is None:
        raise UsageError("请至少给出一个数据包，或用 --db 指定数据库")
    from jiyue.reports.circular import load_rules

    r = load_rules(rules)
    from jiyue.ranking.service import rank
    from jiyue.reports.html_report import render_circular, write

    doc = rank(list(pkgs), db, year=year, profile=profile, base=list(base) or None, base_year=base_year)
    html = render_circular(doc, rules=r, top=top)
    h, p = write(html, out, "circular", pdf=not no_pdf)
    click.echo(f"通报已写入：{h}" + (f"、{p}" if p else ""))


@report.command()
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@click.option("--zone", required=True, help="zone_code of the zone.")
@click.option("--db", type=DB,
              help="With PKG: rank against the zones in this store; without PKG: read the zone from it.")
@click.option("--against", multiple=True, type=click.Path(path_type=Path),
              help="Packages of the zones to rank against (repeatable).")
@click.option("--scenario", type=click.Path(path_type=Path), help="A what-if scenario file (.toml/.json) to add.")
@click.option("--year", type=int)
@click.option("--profile", default="tdt1029-2017", show_default=True, help="Evaluation profile (name or .toml).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for <zone>.html and .pdf.")
@click.option("--no-pdf", is_flag=True, help="Write the HTML only.")
@guarded(internal_exit=2)
def zone(pkg: Path | None, zone: str, db: Path | None, against: tuple[Path, ...], scenario: Path | None,
         year: int | None, profile: str, out: Path, no_pdf: bool) -> None:
    """One zone's report: rank card, indicators against averages, score, potentials, maps, what-if.

    \b
    Example:
      jiyue report zone data/demo.gpkg --zone 371500-ETDZ --against other.gpkg --out out/
      jiyue report zone --db data/jiyue.duckdb --zone 371500-ETDZ --out out/
    """
    from jiyue.errors import UsageError

    _check_out(out)
    if pkg is None and db is None:
        raise UsageError("请给出开发区的数据包 PKG，或用 --db 指定数据库")
    if pkg is None and (against or scenario):
        raise UsageError("--against 和 --scenario 需要开发区的数据包 PKG")
    if scenario is not None and not scenario.is_file():
        raise UsageError(f"找不到情景文件：{scenario}")
    from jiyue.reports.html_report import render_zone, write
    from jiyue.reports.zone_report import zone_documents

    d = zone_documents(pkg, db, zone=zone, year=year, against=against, scenario=scenario, profile=profile)
    html = render_zone(d["zone"], d["ranking"], profile=d["profile"], whatif=d["whatif"],
                       whatif_reason=d["whatif_reason"], parcels=d["parcels"], boundary=d["boundary"], crs=d["crs"],
                       liveability=d.get("liveability"))
    h, p = write(html, out, _stem(zone), pdf=not no_pdf)
    click.echo(f"开发区报告已写入：{h}" + (f"、{p}" if p else ""))


def _check_out(out: Path) -> None:
    from jiyue.errors import UsageError

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out 应为文件夹，但「{out}」是一个文件")


def _stem(zone_code: str) -> str:
    """A file name from a zone code (path separators and odd characters replaced)."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in zone_code) or "zone"
