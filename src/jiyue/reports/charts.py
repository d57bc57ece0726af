"""Charts of the reports, drawn with matplotlib (Agg canvas, no pyplot state) as PNG bytes.

Chinese text needs a CJK font: every chart is drawn inside :func:`style`, which registers the
font *file* of WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``, found by
:mod:`jiyue.reports.fonts`, so a stale matplotlib font cache does not matter), puts its family
first in ``font.family`` and sets ``axes.unicode_minus = False`` (the font has no U+2212 glyph).
Without the font file :func:`style` raises :class:`jiyue.reports.fonts.CjkFontMissing`. Figures are built with
:class:`matplotlib.figure.Figure` and an Agg canvas directly, so nothing touches pyplot's
global state and the functions are safe in a web server. Inputs are plain numbers and labels;
the report modules decide what to plot.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from jiyue.reports import labels as L
from jiyue.reports.fonts import CJK_FAMILY, cjk_family
from jiyue.reports.numbers import fmt

__all__ = ["FONT", "png", "realisation_bars", "region_scores", "score_distribution", "style", "versus_average"]

FONT = CJK_FAMILY
DPI = 150
TYPE_COLORS = {"industrial": "#8c5a2b", "integrated": "#2b6c8c"}
BAR = "#4a78a8"
GOOD = "#3c8d5a"
BAD = "#c0504d"


@contextmanager
def style() -> Iterator[None]:
    """The report style: the CJK font (registered from its file), no unicode minus, small clean axes."""
    with matplotlib.rc_context({
        "font.family": [cjk_family(), "DejaVu Sans"], "axes.unicode_minus": False,
        "font.size": 9, "axes.titlesize": 10, "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": False, "svg.fonttype": "none",
    }):
        yield


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (no timestamp metadata, so equal input gives equal bytes)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight", pad_inches=0.08)
    return buf.getvalue()


def score_distribution(distribution: dict[str, list[dict[str, float]]]) -> bytes:
    """Grouped bars: number of zones per 10-point score band, one colour per evaluation type."""
    with style():
        fig = Figure(figsize=(7.2, 2.8))
        ax = fig.add_subplot()
        types = [t for t in ("industrial", "integrated") if t in distribution]
        bands = distribution[types[0]] if types else []
        width = 0.8 / max(1, len(types))
        for i, t in enumerate(types):
            xs = [j + (i - (len(types) - 1) / 2) * width for j in range(len(bands))]
            counts = [b["count"] for b in distribution[t]]
            bars = ax.bar(xs, counts, width=width * 0.95, color=TYPE_COLORS[t], label=L.EVAL_TYPE_LABELS[t])
            for b, c in zip(bars, counts):
                if c:
                    ax.annotate(str(c), (b.get_x() + b.get_width() / 2, c), ha="center", va="bottom", fontsize=7,
                                xytext=(0, 1), textcoords="offset points")
        ax.set_xticks(range(len(bands)))
        ax.set_xticklabels([f"{b['from']:g}–{b['to']:g}" for b in bands], fontsize=8)
        ax.set_xlabel(L.CHART["distribution_x"])
        ax.set_ylabel(L.CHART["distribution_y"])
        locator = ax.yaxis.get_major_locator()
        if isinstance(locator, MaxNLocator):  # matplotlib's default AutoLocator is one
            locator.set_params(integer=True)
        if types:
            ax.legend(frameon=False, fontsize=8, loc="upper left")
        return png(fig)


def region_scores(means: dict[str, dict[str, float]], regions: Sequence[str]) -> bytes:
    """Grouped bars: mean score per region, one colour per evaluation type."""
    with style():
        fig = Figure(figsize=(7.2, 2.6))
        ax = fig.add_subplot()
        types = [t for t in ("industrial", "integrated") if means.get(t)]
        width = 0.8 / max(1, len(types))
        for i, t in enumerate(types):
            xs, ys = [], []
            for j, g in enumerate(regions):
                if g in means[t]:
                    xs.append(j + (i - (len(types) - 1) / 2) * width)
                    ys.append(means[t][g])
            bars = ax.bar(xs, ys, width=width * 0.95, color=TYPE_COLORS[t], label=L.EVAL_TYPE_LABELS[t])
            for b, v in zip(bars, ys):
                ax.annotate(fmt(v, 1), (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom", fontsize=7,
                            xytext=(0, 1), textcoords="offset points")
        ax.set_xticks(range(len(regions)))
        ax.set_xticklabels(list(regions))
        ax.set_ylabel(L.CHART["region_y"])
        ax.set_ylim(0, 112)
        ax.legend(frameon=False, fontsize=8, loc="upper center", ncol=len(types), bbox_to_anchor=(0.5, 1.12))
        return png(fig)


def realisation_bars(rows: Sequence[tuple[str, float | None, float]]) -> bytes:
    """Horizontal bars of the realisation degree (0–100) of each scored indicator.

    ``rows`` are (indicator name, realisation or None, weight in the total score).
    """
    with style():
        fig = Figure(figsize=(7.2, 0.23 * len(rows) + 0.7))
        ax = fig.add_subplot()
        names = [f"{n}（权重{w:.3f}）" for n, _, w in rows]
        vals = [v if v is not None else 0.0 for _, v, _ in rows]
        ys = list(range(len(rows)))[::-1]
        ax.barh(ys, [100] * len(rows), color="#eeeeee", height=0.6)
        colors = [GOOD if v >= 90 else BAR if v >= 60 else BAD for v in vals]
        ax.barh(ys, vals, color=colors, height=0.6)
        for y, (_, v, _) in zip(ys, rows):
            ax.text(min(v or 0, 100) + 1.5, y, "无法计算" if v is None else fmt(v, 1), va="center", fontsize=8)
        ax.set_yticks(ys)
        ax.set_yticklabels(names)
        ax.set_xlim(0, 112)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_xlabel(L.CHART["realisation_x"])
        return png(fig)


def versus_average(rows: Sequence[tuple[str, float, str, bool]]) -> bytes:
    """Horizontal bars of the zone's value as a percentage of the reference average (100 = average).

    ``rows`` are (indicator name, value ÷ average × 100, value label, lower-is-better).
    """
    with style():
        fig = Figure(figsize=(7.2, 0.23 * len(rows) + 0.75))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))[::-1]
        shown = [min(r[1], 300.0) for r in rows]
        colors = [(GOOD if (r[1] <= 100) == r[3] or r[1] == 100 else BAD) for r in rows]
        ax.barh(ys, shown, color=colors, height=0.6)
        ax.axvline(100, color="#333333", lw=0.8, ls="--")
        for y, r, s in zip(ys, rows, shown):
            ax.text(s + 3, y, f"{r[2]}（{fmt(r[1], 0)}）", va="center", fontsize=7.5)
        ax.set_yticks(ys)
        ax.set_yticklabels([r[0] + (L.CHART["versus_note"] if r[3] else "") for r in rows])
        ax.set_xlim(0, max(160.0, max(shown, default=100) * 1.35))
        ax.set_xlabel(L.CHART["versus_x"])
        return png(fig)
