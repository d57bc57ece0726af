"""Users, roles, sessions and the web tables in the store (``ensure_schema``).

The web application's tables (users, sessions, uploads, confirmations, tiles, the audit
projection) are defined in the one migration registry (:mod:`jiyue.migrations`); objections
are the per-mu objection ledger's (:mod:`jiyue.mujun.ledger`). Nothing is deleted: users are
deactivated, sessions ended, and every change is an audit event (:mod:`jiyue.web.audit`).

Roles (a closed set) and what each may do are data (:data:`PERMISSIONS`), checked in one place
(:func:`can`); ``docs/web.md`` prints the matrix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from jiyue import migrations

SCHEMA_VERSION = migrations.LATEST

ADMIN, BUREAU, INSPECTOR, ENTERPRISE, VIEWER = "admin", "bureau", "inspector", "enterprise", "viewer"
ROLES = (ADMIN, BUREAU, INSPECTOR, ENTERPRISE, VIEWER)

#: permission -> roles holding it
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_zone": frozenset({ADMIN, BUREAU, INSPECTOR, VIEWER}),          # dashboard, map, parcel cards
    "view_enterprises": frozenset({ADMIN, BUREAU, INSPECTOR, VIEWER}),   # every enterprise's profile
    "view_ledger": frozenset({ADMIN, BUREAU, INSPECTOR, VIEWER}),
    "edit_ledger": frozenset({ADMIN, BUREAU, INSPECTOR}),                # open items, plans, progress, close
    "upload": frozenset({ADMIN, BUREAU}),                                # validate and import packages
    "reports": frozenset({ADMIN, BUREAU, INSPECTOR, VIEWER}),
    "answer_objections": frozenset({ADMIN, BUREAU}),
    "confirm_own": frozenset({ENTERPRISE}),                              # confirm own data and results
    "object_own": frozenset({ENTERPRISE}),                               # file objections on own results
    "manage_users": frozenset({ADMIN}),
    "view_audit": frozenset({ADMIN}),
    # safety-production hazard ledger (jiyue.safety; web/routes/safety.py)
    "view_safety": frozenset({ADMIN, BUREAU, INSPECTOR, VIEWER}),       # every enterprise's hazards, statistics
    "record_safety": frozenset({ADMIN, BUREAU, INSPECTOR}),             # inspections, hazards, measures, re-inspection
    "close_safety": frozenset({ADMIN, BUREAU}),                          # 销号
    "submit_rectification": frozenset({ENTERPRISE}),                     # own hazards only
}

def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    return migrations.schema_version(con)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the store to the current schema (idempotent); refuse a store from a newer jiyue."""
    return migrations.ensure(con)


@dataclass(frozen=True)
class User:
    """A signed-in (or looked-up) user."""

    user_id: int
    username: str
    display_name: str
    role: str
    enterprise_id: str | None
    active: bool = True

    def can(self, permission: str) -> bool:
        return can(self.role, permission)

    def owns(self, enterprise_id: str) -> bool:
        """An enterprise user's own enterprise."""
        return self.role == ENTERPRISE and self.enterprise_id is not None and self.enterprise_id == enterprise_id

    def public(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "username": self.username, "display_name": self.display_name,
                "role": self.role, "enterprise_id": self.enterprise_id, "active": self.active}


def can(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (unknown permissions are held by nobody)."""
    return role in PERMISSIONS.get(permission, frozenset())


_USER_COLS = "user_id, username, display_name, role, enterprise_id, active"


def _user(row: tuple[Any, ...] | None) -> User | None:
    if row is None:
        return None
    return User(int(row[0]), str(row[1]), str(row[2] or row[1]), str(row[3]), row[4], bool(row[5]))


def get_user(con: duckdb.DuckDBPyConnection, user_id: int) -> User | None:
    return _user(con.execute(f"SELECT {_USER_COLS} FROM web_users WHERE user_id = ?", [user_id]).fetchone())


def find_user(con: duckdb.DuckDBPyConnection, username: str) -> tuple[User, str] | None:
    """The user with this login name (case-insensitive) and their password hash."""
    row = con.execute(f"SELECT {_USER_COLS}, password_hash FROM web_users WHERE lower(username) = lower(?)",
                      [username.strip()]).fetchone()
    if row is None:
        return None
    user = _user(row[:6])
    assert user is not None
    return user, str(row[6])


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    rows = con.execute(f"SELECT {_USER_COLS} FROM web_users ORDER BY user_id").fetchall()
    return [u for u in (_user(r) for r in rows) if u is not None]


def count_admins(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM web_users WHERE role = ? AND active", [ADMIN]).fetchone()
    return int(row[0]) if row else 0


def insert_user(con: duckdb.DuckDBPyConnection, *, username: str, display_name: str, role: str,
                enterprise_id: str | None, password_hash: str) -> User:
    """Insert a user (the caller checked the name is free, inside its write transaction)."""
    now = dt.datetime.now()
    row = con.execute("SELECT nextval('web_user_seq')").fetchone()
    assert row is not None
    uid = int(row[0])
    con.execute("INSERT INTO web_users VALUES (?, ?, ?, ?, ?, ?, TRUE, ?, ?)",
                [uid, username, display_name, role, enterprise_id, password_hash, now, now])
    user = get_user(con, uid)
    assert user is not None
    return user


def update_user(con: duckdb.DuckDBPyConnection, user_id: int, *, role: str | None = None,
                enterprise_id: str | None = None, display_name: str | None = None,
                active: bool | None = None, password_hash: str | None = None,
                clear_enterprise: bool = False) -> None:
    sets: list[str] = []
    params: list[Any] = []
    for col, val in (("role", role), ("display_name", display_name), ("active", active),
                     ("password_hash", password_hash)):
        if val is not None:
            sets.append(f"{col} = ?")
            params.append(val)
    if enterprise_id is not None or clear_enterprise:
        sets.append("enterprise_id = ?")
        params.append(enterprise_id)
    if not sets:
        return
    sets.append("updated_at = ?")
    params.append(dt.datetime.now())
    con.execute(f"UPDATE web_users SET {', '.join(sets)} WHERE user_id = ?", [*params, user_id])


def end_sessions_of(con: duckdb.DuckDBPyConnection, user_id: int, keep: str | None = None) -> int:
    """End every live session of a user (but the one whose token hash is ``keep``); returns how many."""
    row = con.execute("SELECT count(*) FROM web_sessions WHERE user_id = ? AND ended_at IS NULL "
                      "AND token_hash IS DISTINCT FROM ?", [user_id, keep]).fetchone()
    con.execute("UPDATE web_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL "
                "AND token_hash IS DISTINCT FROM ?", [dt.datetime.now(), user_id, keep])
    return int(row[0]) if row else 0


# --------------------------------------------------------------------------- ledger reviewers
#: the permission a ledger closing's reviewer (复核人) must hold: whoever may inspect and close items
REVIEW_PERMISSION = "edit_ledger"


def has_users(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has any web user yet (the table exists in every migrated store; a store
    of an earlier release opened read-only may not have it)."""
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'web_users'").fetchone()
    if not row or not row[0]:
        return False
    row = con.execute("SELECT count(*) FROM web_users").fetchone()
    return bool(row and row[0])


def eligible_reviewers(con: duckdb.DuckDBPyConnection, closer_id: int | None) -> list[User]:
    """Who may review (复核) a ledger closing by ``closer_id``: every active user holding
    :data:`REVIEW_PERMISSION` other than the closer."""
    return [u for u in list_users(con) if u.active and u.can(REVIEW_PERMISSION) and u.user_id != closer_id]


def reviewer_label(user: User) -> str:
    """How a reviewer is recorded in the ledger: display name and login name (unambiguous)."""
    return f"{user.display_name}（{user.username}）"


def resolve_reviewer(con: duckdb.DuckDBPyConnection, username: str | None, closer: str) -> User:
    """The reviewer of a closing made from the command line: ``username`` must be an active user of
    the store's ``web_users`` holding :data:`REVIEW_PERMISSION`, and not ``closer`` (the ``--user``,
    compared with the login and the display name). Refused with one Chinese sentence otherwise."""
    from jiyue.ledger.service import LedgerRefused  # a refused closing: exit 1

    if not has_users(con):
        raise LedgerRefused("数据库中还没有用户：销号的复核人必须是系统中的核查人员、分局工作人员或管理员。"
                         "请先用 jiyue serve --db 数据库文件 启动网页服务（会建立管理员账号），在「用户管理」中"
                         "为复核人建立账号，再用 --reviewer 用户名 销号。")
    name = (username or "").strip()
    if not name:
        raise LedgerRefused("销号必须有复核人：请用 --reviewer 给出复核人的用户名（系统中的核查人员、分局工作人员或管理员）")
    found = find_user(con, name)
    if found is None:
        raise LedgerRefused(f"复核人「{name}」不是系统中的用户；--reviewer 应为网页「用户管理」中的用户名")
    user = found[0]
    if not user.active:
        raise LedgerRefused(f"复核人「{name}」的账号已停用，不能复核销号")
    if not user.can(REVIEW_PERMISSION):
        raise LedgerRefused(f"复核人「{name}」的角色无权核查销号（须为核查人员、分局工作人员或管理员）")
    me = closer.strip().lower()
    if me in (user.username.lower(), user.display_name.strip().lower()):
        raise LedgerRefused(f"复核人不能是操作人本人（{closer}）；销号须经他人复核")
    return user
