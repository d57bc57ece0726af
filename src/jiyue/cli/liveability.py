"""Liveability (产城融合) command: life-circle coverage by walking distance along the roads.

\b
  jiyue liveability PKG|--db FILE [--zone Z] [--year Y] [--profile gb50180-2018|gb50180-93|FILE]
                    [--radius c15=800] [--site primary_school [--picks 3]] [--allow-disconnected]
                    [--format json|table|xlsx] [--out PATH] [--gaps gaps.geojson|gaps.gpkg]
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from jiyue.cli import cli, guarded


@cli.command("liveability")
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@click.option("--db", type=click.Path(path_type=Path), help="Analyse the zones in this store instead of a package.")
@click.option("--zone", help="Only this zone (zone_code).")
@click.option("--year", type=int, help="Year (default: each zone's latest).")
@click.option("--profile", default=None,
              help="Life-circle rules: gb50180-2018 (default), gb50180-93, or a .toml rule file.")
@click.option("--radius", multiple=True, metavar="CIRCLE=M",
              help="Override a circle's walking radius, e.g. c15=800 (repeatable).")
@click.option("--site", multiple=True, metavar="SERVICE",
              help="Where to put the next facility of this service (e.g. primary_school); repeatable.")
@click.option("--picks", type=click.IntRange(1, 50), help="How many sites to pick (default: the rule file's).")
@click.option("--allow-disconnected", is_flag=True,
              help="Go on when the road network is in several parts (residents there count as not covered).")
@click.option("--format", "fmt", type=click.Choice(["json", "table", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of standard output (xlsx needs it).")
@click.option("--gaps", type=click.Path(path_type=Path),
              help="Also write the gap map layer (residential parcels not covered) as .geojson or .gpkg.")
@guarded(internal_exit=2)
def liveability(pkg: Path | None, db: Path | None, zone: str | None, year: int | None, profile: str | None,
                radius: tuple[str, ...], site: tuple[str, ...], picks: int | None, allow_disconnected: bool,
                fmt: str, out: Path | None, gaps: Path | None) -> None:
    """Community life circles (社区生活圈), jobs–housing balance and siting (产城融合)."""
    from jiyue.errors import UsageError
    from jiyue.liveability import labels, render, service
    from jiyue.liveability.rules import load_rules

    if fmt == "xlsx" and out is None:
        raise UsageError(labels.ERR["xlsx_out"])
    rules = load_rules(profile)
    for r in radius:
        key, _, value = r.partition("=")
        keys = [c.key for c in rules.circles]
        if key not in keys:
            raise UsageError(f"--radius 的生活圈「{key}」不存在；应为：{'、'.join(keys)}（如 c15=800）")
        try:
            m = float(value)
        except ValueError:
            raise UsageError(f"--radius 的半径「{value}」不是数字（如 c15=800）") from None
        if not m > 0:
            raise UsageError(f"--radius 的半径应大于 0，实为 {value}")
        rules = rules.with_radius(key, m)
    doc = service.liveability(pkg, db, zone=zone, year=year, profile=rules, allow_disconnected=allow_disconnected,
                              site=list(site) or None, picks=picks, keep_arrays=gaps is not None)
    if gaps is not None:
        render.write_gaps(doc, gaps)
        for z in doc["zones"]:
            z.pop("_arrays", None)
        click.echo(labels.DONE["written"].format(out=gaps), err=out is None)
    if fmt == "xlsx" and out is not None:  # (a missing --out was refused above)
        render.write_xlsx(doc, out)
        click.echo(labels.DONE["xlsx"].format(out=out))
        return
    if fmt == "json":
        # indented for a zone of a few thousand parcels; compact (the C encoder, ~5× faster) beyond
        big = sum(len(z["parcels"]) for z in doc["zones"]) > 5000
        text = json.dumps(doc, ensure_ascii=False, indent=None if big else 1)
    else:
        text = render.table(doc)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(labels.DONE["written"].format(out=out))
    else:
        click.echo(text)
