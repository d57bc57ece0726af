"""The national demo set: ``jiyue demo-national``."""

from __future__ import annotations

from pathlib import Path

import click

from jiyue.cli import cli, guarded


@cli.command("demo-national")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--demo", "demo_pkg", type=click.Path(path_type=Path),
              help="The demo zone's package (default: built in memory).")
@click.option("--year", type=int, default=2020, show_default=True, help="2020, or 2019 for the year before.")
@click.option("--seed", type=int, default=2020, show_default=True)
@guarded()
def demo_national(out: Path, demo_pkg: Path | None, year: int, seed: int) -> None:
    """Write 540 synthetic zones calibrated to the 2020 national figures (the demo zone is the 541st).

    Rank them with the demo:  jiyue rank OUT DEMO.gpkg
    """
    import tempfile

    from jiyue.evaluation.service import evaluate
    from jiyue.national_demo import write_national

    if demo_pkg is None:
        from jiyue.demo import write_demo

        with tempfile.TemporaryDirectory() as tmp:
            demo_zone = evaluate(write_demo(Path(tmp) / "demo.gpkg"))["zones"][0]
    else:
        demo_zone = evaluate(demo_pkg)["zones"][0]
    out.parent.mkdir(parents=True, exist_ok=True)
    target = out if out.suffix.lower() == ".gpkg" else out / f"national-{year}.gpkg"
    write_national(target, demo_zone=demo_zone, year=year, seed=seed)
    click.echo(f"全国模拟监测数据（{year}年度，540个开发区）已写入：{target}")
