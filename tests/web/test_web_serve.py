"""``jiyue serve``: prints the address and the admin credentials, serves, stops; bad input is one line."""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request

from support import JIYUE
from web_factories import copy_store, free_port


def test_serve_prints_login_and_serves(small_store, tmp_path):
    db = copy_store(small_store, tmp_path / "s.duckdb")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "JIYUE_ADMIN_PASSWORD"}
    proc = subprocess.Popen([str(JIYUE), "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    try:
        lines = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            lines.append(line)
            if "Ctrl+C" in line:
                break
        out = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in out and "管理员账号：admin" in out
        pw = re.search(r"管理员密码：(\S+)", out).group(1)  # generated, printed once
        assert len(pw) >= 12 and "只显示这一次" in out
        for _ in range(100):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        assert b'"ok":true' in body
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # a second start finds the admin: the password is not shown again (nor changed)
    from jiyue.web.bootstrap import bootstrap_admin
    from jiyue.web.db import Store
    from jiyue.web.settings import Settings

    store = Store(db)
    try:
        again = bootstrap_admin(store, Settings(db=db))
    finally:
        store.close()
    assert again.password is None and "已存在" in again.note


def test_serve_on_a_missing_store_is_one_line(tmp_path):
    r = subprocess.run([str(JIYUE), "serve", "--db", str(tmp_path / "none.duckdb")], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "数据库文件不存在" in r.stderr and "Traceback" not in r.stderr


def test_settings_refuse_unsafe_values():
    import pytest

    from jiyue.errors import UsageError
    from jiyue.web.settings import Settings

    with pytest.raises(UsageError, match="至少 8 个字符"):
        Settings(admin_password="short").check()
    with pytest.raises(UsageError, match="JIYUE_TILE_URL"):
        Settings(tile_url="ftp://tiles.example/{z}/{x}/{y}.png").check()
    s = Settings(tile_url="http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png").check()
    assert s.tile_origin == "http://10.1.2.3:8080"
