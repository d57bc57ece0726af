"""Jinja2 filters: numbers, percentages, dates and code labels as Chinese officials read them."""

from __future__ import annotations

import json
import math
from typing import Any

import jinja2
from markupsafe import Markup

from jiyue.units import m2_to_ha, m2_to_mu
from jiyue.web import labels


def num(v: Any, digits: int = 2, dash: str = "—") -> str:
    """``1234.5`` → ``1,234.50``; None/NaN → ``—``."""
    if v is None or v == "":
        return dash
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return dash
        return f"{v:,.{digits}f}"
    return str(v)


def pct(v: Any, digits: int = 2) -> str:
    s = num(v, digits)
    return s if s == "—" else f"{s} %"


def ha(m2: Any, digits: int = 2) -> str:
    return num(None if m2 is None else m2_to_ha(float(m2)), digits)


def mu(m2: Any, digits: int = 2) -> str:
    return num(None if m2 is None else m2_to_mu(float(m2)), digits)


def yesno(v: Any) -> str:
    if v is None:
        return "—"
    return "是" if v else "否"


def build_label(code: Any) -> str:
    if not code:
        return "—"
    return f"{code} {labels.BUILD_LABELS.get(str(code), '')}".strip()


def supply_label(code: Any) -> str:
    if not code:
        return "—"
    return f"{code} {labels.SUPPLY_LABELS.get(str(code), '')}".strip()


def method_label(code: Any) -> str:
    """Supply method code -> Chinese (划拨, 挂牌 …)."""
    from jiyue.codes import SUPPLY_METHODS

    if not code:
        return ""
    return SUPPLY_METHODS.get(str(code), (str(code),))[0]


def mujun_status(code: Any) -> str:
    """Per-mu evaluation status -> Chinese (from the per-mu engine's catalogue when installed)."""
    try:
        from jiyue.mujun.labels import STATUS
    except ImportError:
        return str(code or "")
    return STATUS.get(str(code), str(code or ""))


def tojson_script(v: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block (``<`` escaped so it cannot close the tag)."""
    text = json.dumps(v, ensure_ascii=False, default=str).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


def bar(v: Any, top: float = 100.0) -> str:
    """A width in % for a CSS bar (0–100)."""
    if v is None or not isinstance(v, (int, float)) or top <= 0:
        return "0"
    return f"{max(0.0, min(100.0, float(v) / top * 100.0)):.1f}"


def register(env: jinja2.Environment) -> None:
    env.filters.update(num=num, pct=pct, ha=ha, mu=mu, yesno=yesno, build_label=build_label,
                       supply_label=supply_label, tojson_script=tojson_script, bar=bar,
                       method_label=method_label, mujun_status=mujun_status)
