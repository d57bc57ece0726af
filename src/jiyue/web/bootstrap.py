"""First start: the admin account (and, on request, demo accounts), created once.

The first admin's password comes from ``JIYUE_ADMIN_PASSWORD`` or is generated; either way it is
returned once so ``jiyue serve`` can print it. Later starts leave the admin alone — except that a
``JIYUE_ADMIN_PASSWORD`` that no longer matches resets it (the way back in after a lost password),
recorded in the audit log.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from jiyue.errors import UsageError
from jiyue.web import audit, security, users
from jiyue.web.db import Store
from jiyue.web.settings import Settings

SYSTEM = audit.Actor(None, "system", None, None)


@dataclass
class Credential:
    username: str
    role: str
    password: str | None  # None: unchanged (not shown)
    note: str = ""


def bootstrap_admin(store: Store, settings: Settings) -> Credential:
    """Make sure an admin exists; returns what to print."""
    name = settings.admin_username
    with store.write() as w:
        found = users.find_user(w, name)
        if found is None:
            pw = settings.admin_password or security.generate_password()
            u = users.insert_user(w, username=name, display_name="系统管理员", role=users.ADMIN, enterprise_id=None,
                                  password_hash=security.hash_password(pw))
            audit.record(w, SYSTEM, "user.bootstrap", f"user:{u.user_id}", None,
                         {**u.public(), "password_from": "environment" if settings.admin_password else "generated"})
            note = "来自环境变量 JIYUE_ADMIN_PASSWORD" if settings.admin_password else "随机生成，只显示这一次，请妥善保存"
            return Credential(name, users.ADMIN, pw, note)
        user, stored = found
        if settings.admin_password and not security.verify_password(stored, settings.admin_password):
            users.update_user(w, user.user_id, password_hash=security.hash_password(settings.admin_password),
                              active=True, role=users.ADMIN)
            audit.record(w, SYSTEM, "user.reset_from_env", f"user:{user.user_id}", {"password": "（旧密码）"},
                         {"password": "（按 JIYUE_ADMIN_PASSWORD 重置）"})
            return Credential(name, users.ADMIN, settings.admin_password, "已按环境变量 JIYUE_ADMIN_PASSWORD 重置")
        if settings.admin_password:
            return Credential(name, users.ADMIN, settings.admin_password, "来自环境变量 JIYUE_ADMIN_PASSWORD")
    return Credential(name, users.ADMIN, None,
                      "已存在（密码见首次启动时的输出；忘记时设置 JIYUE_ADMIN_PASSWORD 后重新启动即可重置）")


def demo_users(store: Store) -> list[Credential]:
    """Demo accounts for each role (created once): a bureau clerk, an inspector, a viewer and two
    enterprises (the two holding the most land). Passwords from ``JIYUE_DEMO_PASSWORD`` or generated."""
    shared = os.environ.get("JIYUE_DEMO_PASSWORD") or None
    out: list[Credential] = []
    with store.write() as w:
        ents = w.execute("""
            SELECT e.enterprise_id, arg_max(e.name, e.import_id) AS name, sum(p.area_eff_m2) AS land
            FROM enterprises e JOIN parcels p ON p.user_id = e.enterprise_id AND p.import_id = e.import_id
            GROUP BY e.enterprise_id ORDER BY land DESC, e.enterprise_id LIMIT 2""").fetchall()
        wanted: list[tuple[str, str, str, str | None]] = [
            ("clerk", "分局工作人员", users.BUREAU, None),
            ("inspector", "核查人员", users.INSPECTOR, None),
            ("viewer", "只读用户", users.VIEWER, None),
        ]
        for i, (eid, name, _) in enumerate(ents, 1):
            wanted.append((f"qiye{i}", str(name), users.ENTERPRISE, str(eid)))
        for username, display, role, eid in wanted:
            if users.find_user(w, username) is not None:
                out.append(Credential(username, role, None, "已存在"))
                continue
            why = security.password_problem(shared, username) if shared else None
            if why:
                raise UsageError(f"JIYUE_DEMO_PASSWORD 不能用作演示账号「{username}」的密码：{why}")
            pw = shared or security.generate_password()
            u = users.insert_user(w, username=username, display_name=display, role=role, enterprise_id=eid,
                                  password_hash=security.hash_password(pw))
            audit.record(w, SYSTEM, "user.create", f"user:{u.user_id}", None, u.public())
            out.append(Credential(username, role, pw, f"{display}（企业编号 {eid}）" if eid else ""))
    return out


def describe(creds: list[Credential]) -> list[dict[str, Any]]:
    return [c.__dict__ for c in creds]
