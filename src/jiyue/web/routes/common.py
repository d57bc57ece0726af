"""Helpers shared by the page routes: rendering with the common context, zone selection."""

from __future__ import annotations

from typing import Any

import duckdb
from fastapi import Request
from fastapi.responses import HTMLResponse

from jiyue.web import labels, queries
from jiyue.web.deps import ctx
from jiyue.web.errors import not_found, public
from jiyue.web.users import User

#: ``?done=KEY`` after a successful form post -> the message shown (no free text in URLs)
DONE = {
    "password": "密码已修改。",
    "user": "用户已保存。",
    "confirmed": "确认已记录。",
    "objection": "异议已提交，等待分局答复。",
    "answered": "异议已答复。",
    "plan": "处置方案已记录。",
    "progress": "进展已记录。",
    "closed": "已销号。",
    "campaign": "专项排查台账已建立。",
    "imported": "数据包已导入。",
}

NAV = [  # (path, label, permission or None for everyone signed in)
    ("/dashboard", "开发区总览", "view_zone"),
    ("/map", "宗地地图", "view_zone"),
    ("/ranking", "开发区排名", "view_zone"),
    ("/liveability", "产城融合·生活圈", "view_zone"),
    ("/enterprises", "亩均评价与企业档案", "view_enterprises"),
    ("/ledger", "闲置土地处置台账", "view_ledger"),
    ("/safety", "安全隐患排查治理", "view_safety"),
    ("/upload", "数据上传", "upload"),
    ("/reports", "报表下载", "reports"),
    ("/admin/users", "用户管理", "manage_users"),
    ("/admin/audit", "审计日志", "view_audit"),
]


def render(request: Request, template: str, user: User | None, status_code: int = 200, **context: Any
           ) -> HTMLResponse:
    c = ctx(request)
    nav = [(p, label) for p, label, perm in NAV if user is not None and (perm is None or user.can(perm))]
    if user is not None and user.role == "enterprise" and user.enterprise_id:
        nav.insert(0, (f"/enterprises/{user.enterprise_id}", "本企业档案"))
        if user.can("submit_rectification"):
            nav.insert(1, ("/safety", "本企业安全隐患"))
    done = request.query_params.get("done")
    for k, v in context.items():  # messages shown on the page: no server paths (jiyue.web.errors.scrub)
        if isinstance(v, str) and (k in ("error", "unavailable", "message") or k.endswith("_error")):
            context[k] = public(request, v)
    base = {"user": user, "csrf_token": getattr(request.state, "csrf_token", ""), "nav": nav,
            "path": request.url.path, "done": DONE.get(done or ""), "settings": c.settings,
            "engines": c.engines.available()}
    return c.templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def pick_zone(cur: duckdb.DuckDBPyConnection, zone: str | None, year: int | None = None
              ) -> tuple[tuple[int, str, int] | None, list[dict[str, Any]]]:
    """The selected snapshot (default: the first zone's latest year) and every zone of the store."""
    zones = queries.zones(cur)
    if not zones:
        return None, zones
    code = zone or zones[0]["zone_code"]
    snap = queries.snapshot_of(cur, code, year)
    if snap is None:
        if zone is not None and not any(z["zone_code"] == zone for z in zones):
            raise not_found(labels.MSG["zone_not_found"].format(zone=zone))
        raise not_found(f"开发区「{code}」没有 {year} 年度的数据。")
    return snap, zones
