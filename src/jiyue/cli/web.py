"""The ``jiyue serve`` command: the web application on a store."""

from __future__ import annotations

from pathlib import Path

import click

from jiyue.cli import cli, guarded
from jiyue.cli.dbparam import DB


@cli.command()
@click.option("--db", type=DB, default=Path("data/jiyue.duckdb"), show_default=True,
              help="The store to serve (made by `jiyue import`).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (more than 1 needs a PostgreSQL --db: a DuckDB file is written by one process).")
@click.option("--demo-users", is_flag=True,
              help="Also create demo accounts (clerk, inspector, viewer, two enterprises) once, and print them.")
@guarded(internal_exit=2)
def serve(db: Path, host: str, port: int, workers: int, demo_users: bool) -> None:
    """Serve the web UI (dashboard, map, per-mu results, ledger, upload, reports) on a store.

    Prints the address and how to log in: the first admin password comes from the environment
    variable JIYUE_ADMIN_PASSWORD, or is generated and printed once. Stop with Ctrl+C.

    \b
    Example:
      jiyue serve --db data/jiyue.duckdb
      JIYUE_ADMIN_PASSWORD='…' jiyue serve --db data/jiyue.duckdb --port 8080
      jiyue serve --db postgresql://jiyue@dbhost/jiyue --workers 4   (docs/server-store.md)
    """
    import uvicorn

    from jiyue.errors import UsageError
    from jiyue.web.app import UVICORN_OPTIONS, create_app
    from jiyue.web.bootstrap import bootstrap_admin
    from jiyue.web.bootstrap import demo_users as make_demo_users
    from jiyue.web.labels import ROLE_LABELS
    from jiyue.web.settings import Settings

    from jiyue import store as jstore
    from jiyue import store_pg

    if workers > 1 and not store_pg.is_url(db):
        raise UsageError("--workers 大于 1 需要 PostgreSQL 数据库（--db postgresql://…）："
                         "DuckDB 数据库文件同一时间只能由一个进程写入。详见 docs/server-store.md。")
    if not jstore.exists(db):
        raise UsageError(f"数据库文件不存在：{db}。请先用 jiyue import 导入数据包（或 make run 生成演示数据）。")
    settings = Settings.from_env(db=db, host=host, port=port)
    app = create_app(settings)
    store = app.state.ctx.store
    admin = bootstrap_admin(store, settings)
    demo = make_demo_users(store) if demo_users else []
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "localhost") else host
    url = f"http://{shown}:{port}/"
    lines = ["", "=" * 64, f"  jiyue 网页服务：{url}", f"  数据库：{db}"
             + (f"（{workers} 个进程）" if workers > 1 else ""), "",
             f"  管理员账号：{admin.username}",
             f"  管理员密码：{admin.password}" if admin.password else "  管理员密码：（未改变）",
             f"  （{admin.note}）"]
    if demo:
        lines += ["", "  演示账号（首次创建时显示密码）："]
        for c in demo:
            role = ROLE_LABELS.get(c.role, c.role)
            lines.append(f"    {c.username:<10} {c.password or '（已存在，密码未改变）':<20} {role}"
                         + (f"：{c.note}" if c.note else ""))
    if host not in ("127.0.0.1", "localhost", "::1"):
        lines += ["", "  注意：正在对本机以外的地址提供服务；请在 HTTPS 之后使用并设置 JIYUE_COOKIE_SECURE=1。"]
    lines += ["  按 Ctrl+C 停止服务。", "=" * 64, ""]
    click.echo("\n".join(lines))
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", **UVICORN_OPTIONS)
        return
    # several processes (PostgreSQL): each worker builds its app from the environment; they share
    # the signing key, so a form or session made by one worker is accepted by another
    import os

    store.close()
    os.environ.update({"JIYUE_DB": str(db), "JIYUE_HOST": host, "JIYUE_PORT": str(port),
                       "JIYUE_SECRET_KEY": settings.secret_key})
    uvicorn.run("jiyue.web.app:create_app", factory=True, workers=workers, host=host, port=port,
                log_level="warning", **UVICORN_OPTIONS)
