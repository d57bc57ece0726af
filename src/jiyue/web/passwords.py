"""The password rule (one place): what a new password must not be.

A new password — made by an admin, changed by its user, reset, or given at start-up in
``JIYUE_ADMIN_PASSWORD`` / ``JIYUE_DEMO_PASSWORD`` — is refused (one Chinese sentence) when it

- has fewer than :data:`MIN_LENGTH` characters (or more than :data:`MAX_LENGTH`),
- is all digits (a date, a phone number, ``12345678`` …),
- is the user name (any case), or
- is on the common-password list ``data/common-passwords.txt`` (compared in lower case): the
  19,640 passwords of Django 5.2's ``common-passwords.txt.gz`` (the 20,000 most common
  passwords compiled by Royce Williams from public breach corpora, lowercased and deduplicated),
  shipped under Django's BSD-3-Clause licence (``data/common-passwords.LICENSE``).

Generated passwords (:func:`generate`) always pass the rule.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from importlib import resources

MIN_LENGTH = 8
MAX_LENGTH = 256
LIST_FILE = "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common-password list (lower case), read once."""
    text = resources.files("jiyue.web").joinpath("data", LIST_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused as a new password (Chinese), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符"
    if password.strip().isdigit():
        return "密码不能全是数字（如日期、电话号码），请加入字母或符号"
    if username and password.strip().lower() == username.strip().lower():
        return "密码不能与用户名相同"
    if password.strip().lower() in common_passwords():
        return "这个密码太常见（在常用密码表中），容易被猜中，请换一个"
    return None


def generate() -> str:
    """A random password that is easy to type (about 96 bits) and passes :func:`problem`."""
    while True:
        pw = secrets.token_urlsafe(12)
        if problem(pw) is None:
            return pw
