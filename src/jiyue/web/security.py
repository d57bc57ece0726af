"""Passwords, sessions, CSRF tokens and login throttling.

- Passwords: Argon2id with the OWASP minimum parameters (19 MiB, 2 passes, 1 lane: about
  0.2 s on a 2-core server, so a burst of logins cannot exhaust it); a missing user is checked
  against a dummy hash so timing does not tell which names exist; hashes are upgraded on login
  when the parameters change.
- Sessions: a random 256-bit token in an HttpOnly, SameSite=Strict cookie; the store keeps only
  its SHA-256, the user, an absolute expiry and an idle timeout. Logging out ends the row.
- CSRF: every unsafe request (POST …) carries the session's CSRF token, in the form field
  ``csrf_token`` or the header ``X-CSRF-Token``; the login form, before any session exists, uses
  an HMAC of a random cookie (double submit, signed with the secret key).
- Throttling: after ``login_max_failures`` failed logins for one user name (or
  ``login_ip_max_failures`` from one address) within ``login_window_minutes``, further attempts
  are refused with HTTP 429 until the window has passed. A name's count starts again after its
  successful login; an address's does not. Wrong current passwords on a password change count
  as failed logins of the name and address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from jiyue.web import passwords
from jiyue.web.settings import Settings
from jiyue.web.users import User, get_user

SESSION_COOKIE = "jiyue_session"
LOGIN_COOKIE = "jiyue_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MIN_PASSWORD = passwords.MIN_LENGTH

#: OWASP Password Storage Cheat Sheet, Argon2id minimum: m=19 MiB, t=2, p=1
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = _hasher.hash("jiyue-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant-effort check; ``stored_hash=None`` (no such user) still costs one hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused (Chinese), or None (the rule: :mod:`jiyue.web.passwords`)."""
    return passwords.problem(password, username)


def generate_password() -> str:
    """A random password that is easy to type (about 96 bits) and passes the rule."""
    return passwords.generate()


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------- sessions
@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    token_hash: str


def create_session(con: duckdb.DuckDBPyConnection, user: User, ip: str | None, settings: Settings) -> str:
    """A new session for ``user`` (inside the caller's write transaction); returns the cookie token."""
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now()
    con.execute("INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                [_sha(token), user.user_id, secrets.token_urlsafe(32), ip, now, now,
                 now + dt.timedelta(hours=settings.session_hours)])
    return token


def lookup_session(con: duckdb.DuckDBPyConnection, token: str | None, settings: Settings
                   ) -> tuple[Session | None, bool]:
    """The live session of a cookie token, and whether its last-seen time should be refreshed."""
    if not token or len(token) > 200:
        return None, False
    row = con.execute(
        "SELECT user_id, csrf_token, last_seen, expires_at, ended_at FROM web_sessions WHERE token_hash = ?",
        [_sha(token)]).fetchone()
    if row is None or row[4] is not None:
        return None, False
    now = dt.datetime.now()
    if now >= row[3] or now - row[2] > dt.timedelta(minutes=settings.session_idle_minutes):
        return None, False
    user = get_user(con, int(row[0]))
    if user is None or not user.active:
        return None, False
    refresh = now - row[2] > dt.timedelta(minutes=1)
    return Session(user, str(row[1]), _sha(token)), refresh


def touch_session(con: duckdb.DuckDBPyConnection, token_hash: str) -> None:
    con.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", [dt.datetime.now(), token_hash])


def end_session(con: duckdb.DuckDBPyConnection, token_hash: str) -> None:
    con.execute("UPDATE web_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                [dt.datetime.now(), token_hash])


# --------------------------------------------------------------------------- CSRF
def tokens_match(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def login_form_token(nonce: str, settings: Settings) -> str:
    """The CSRF token of the login form: HMAC of the login cookie's random nonce."""
    return hmac.new(settings.secret_key.encode(), f"login:{nonce}".encode(), hashlib.sha256).hexdigest()


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)


# --------------------------------------------------------------------------- throttling
def throttled(con: duckdb.DuckDBPyConnection, username: str, ip: str | None, settings: Settings
              ) -> int | None:
    """Minutes until another login may be tried, when the user name or address is locked out."""
    now = dt.datetime.now()
    since = now - dt.timedelta(minutes=settings.login_window_minutes)
    # (condition, value, limit, whether a successful login restarts the count)
    checks = [("lower(username) = lower(?)", username.strip(), settings.login_max_failures, True)]
    if ip:
        # an address's failures are not forgiven by a success from it: one working account must not
        # let an address go on guessing other users' passwords
        checks.append(("ip = ?", ip, settings.login_ip_max_failures, False))
    wait = 0
    for cond, value, limit, reset_on_success in checks:
        start = since
        if reset_on_success:  # a user name's failures count from its last successful login on
            last_ok = con.execute(f"SELECT max(attempted_at) FROM web_login_attempts WHERE {cond} AND ok",
                                  [value]).fetchone()
            start = max(since, last_ok[0]) if last_ok and last_ok[0] else since
        rows = con.execute(f"SELECT attempted_at FROM web_login_attempts WHERE {cond} AND NOT ok AND attempted_at > ? "
                           "ORDER BY attempted_at DESC LIMIT ?", [value, start, limit]).fetchall()
        if len(rows) >= limit:
            oldest = rows[-1][0]
            left = oldest + dt.timedelta(minutes=settings.login_window_minutes) - now
            wait = max(wait, int(left.total_seconds() // 60) + 1)
    return wait or None


def record_attempt(con: duckdb.DuckDBPyConnection, username: str, ip: str | None, ok: bool) -> None:
    con.execute("INSERT INTO web_login_attempts VALUES (?, ?, ?, ?)",
                [dt.datetime.now(), username.strip()[:100], ip, ok])
