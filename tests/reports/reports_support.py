"""Helpers of the report tests: the CLI in-process, and looking at rendered PDFs the way a reader
would — page images (pdftoppm) and the text layer (pdftotext)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from support import Run


@pytest.fixture
def report_cli():
    """Run ``jiyue report …`` in-process (fast; for argument errors). Escaped exceptions fail the test."""
    from click.testing import CliRunner

    import jiyue.cli.report  # noqa: F401  (registers the report group)
    from jiyue.cli import cli

    def _invoke(*args: object) -> Run:
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert "Traceback" not in result.stderr
        return Run(result.exit_code, result.stdout, result.stderr)

    return _invoke


def pdf_text(pdf: Path) -> str:
    """The PDF's text layer (pdftotext, layout off), with line breaks removed so phrases match."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.replace("\n", "")


def page_ink(pdf: Path, workdir: Path, dpi: int = 40) -> list[float]:
    """Fraction of non-white pixels on every page (rendered with pdftoppm at ``dpi``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    prefix = workdir / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    fractions = []
    for png in sorted(workdir.glob(f"{pdf.stem}-*.png")):
        img = Image.open(png).convert("L")
        hist = img.histogram()
        total = sum(hist)
        fractions.append(1 - sum(hist[245:]) / total)  # pixels darker than near-white
    return fractions


def pdf_fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
