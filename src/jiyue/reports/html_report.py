"""HTML and PDF rendering of the circular and the zone report (Jinja2 + WeasyPrint).

* :func:`render_circular` and :func:`render_zone` are pure: documents in, one self-contained
  HTML string out (CSS inlined, charts and maps as PNG data URIs), so the web app can serve
  the same page;
* :func:`write_pdf` renders such HTML to an A4 PDF with WeasyPrint, with a URL fetcher that only
  accepts ``data:`` URLs — a report never makes a network request or reads a file;
* :func:`write` puts ``<stem>.html`` and ``<stem>.pdf`` into a folder.

Templates live in ``reports/templates/``, the stylesheet in ``reports/static/report.css``; the
font is WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``), found by fontconfig; :func:`write_pdf`
first checks its file is there (:func:`jiyue.reports.fonts.cjk_font_path`), so a missing font is a
clear error, not a PDF of empty boxes.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from jiyue.evaluation.profile import Profile
from jiyue.ranking.regions import REGION_ORDER
from jiyue.reports import charts, maps
from jiyue.reports import labels as L
from jiyue.reports.circular import Rules, circular_context
from jiyue.reports.fonts import cjk_font_path
from jiyue.reports.numbers import fmt, signed
from jiyue.reports.zone_report import zone_context

__all__ = ["data_uri", "render_circular", "render_zone", "write", "write_pdf"]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    root = resources.files("jiyue.reports") / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(root)), autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt
    env.filters["signed"] = signed
    env.globals["N"] = L.NUMERALS
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The report stylesheet (inlined into every page)."""
    return (resources.files("jiyue.reports") / "static" / "report.css").read_text(encoding="utf-8")


def data_uri(png: bytes | None) -> str | None:
    """A PNG as a ``data:`` URI (None stays None)."""
    if png is None:
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _today(generated: str | None) -> str:
    if generated is not None:
        return generated
    d = dt.date.today()
    return f"{d.year}年{d.month}月{d.day}日"


def render_circular(doc: dict[str, Any], *, rules: Rules | None = None, top: int | None = None,
                    generated: str | None = None) -> str:
    """The circular (通报) as one HTML page, from a ranking document with its ``zones``."""
    ctx = circular_context(doc, rules=rules, top=top, generated=_today(generated))
    sc = ctx["scores"]
    images: dict[str, str | None] = {"distribution": None, "regions": None}
    if any(b["count"] for bands in sc["distribution"].values() for b in bands):
        images["distribution"] = data_uri(charts.score_distribution(sc["distribution"]))
    if sc["figure_regions"]:
        present = [g for g in REGION_ORDER if any(g in m for m in sc["region_means"].values())]
        images["regions"] = data_uri(charts.region_scores(sc["region_means"], present))
    return _env().get_template("circular.html").render(c=ctx, images=images, css=stylesheet())


def render_zone(zone: dict[str, Any], ranking: dict[str, Any], *, profile: Profile,
                whatif: Sequence[dict[str, Any]] = (), whatif_reason: str | None = None,
                parcels: pd.DataFrame | None = None, boundary: Any = None, crs: str | None = None,
                generated: str | None = None, liveability: dict[str, Any] | None = None) -> str:
    """The zone report as one HTML page (inputs as :func:`jiyue.reports.zone_report.zone_context`)."""
    ctx = zone_context(zone, ranking, profile=profile, whatif=whatif, whatif_reason=whatif_reason,
                       parcels=parcels, boundary=boundary, crs=crs, generated=_today(generated),
                       liveability=liveability)
    ind = ctx["indicators"]
    images: dict[str, str | None] = {
        "versus": data_uri(charts.versus_average(ind["versus"])) if ind["versus"] else None,
        "realisation": data_uri(charts.realisation_bars(ind["realisation"])) if ind["realisation"] else None,
        "classes": None, "flags": None,
    }
    p = ctx["parcels"]
    if p is not None:
        images["classes"] = data_uri(maps.class_map(p["flagged"], boundary=boundary, crs=crs))
        images["flags"] = data_uri(maps.flag_map(p["flagged"], far_threshold=p["threshold"], boundary=boundary,
                                                 crs=crs))
    images["liveability"] = data_uri(liveability.get("map")) if liveability and liveability.get("ok") else None
    return _env().get_template("zone.html").render(c=ctx, images=images, css=stylesheet())


def write_pdf(html: str, path: str | Path) -> Path:
    """Render report HTML to an A4 PDF; only ``data:`` URLs are fetched (no network, no files)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    cjk_font_path()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(out)
    return out


def write(html: str, out_dir: str | Path, stem: str, *, pdf: bool = True) -> tuple[Path, Path | None]:
    """Write ``<stem>.html`` (and ``<stem>.pdf``) into ``out_dir``; return their paths."""
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    h = d / f"{stem}.html"
    h.write_text(html, encoding="utf-8")
    return h, (write_pdf(html, d / f"{stem}.pdf") if pdf else None)
