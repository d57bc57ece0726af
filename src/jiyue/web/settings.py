"""The one settings object of the web application, read from the environment and the CLI.

Every setting has a default and an environment variable; ``jiyue serve`` overrides the store,
host and port from its options. Unsafe values are refused at start-up (:meth:`Settings.check`).

| setting | env | default |
|---|---|---|
| ``db`` | ``JIYUE_DB`` | ``data/jiyue.duckdb`` |
| ``host`` / ``port`` | ``JIYUE_HOST`` / ``JIYUE_PORT`` | ``127.0.0.1`` / ``8000`` |
| ``secret_key`` | ``JIYUE_SECRET_KEY`` | random per process (login forms then expire on restart) |
| ``admin_password`` | ``JIYUE_ADMIN_PASSWORD`` | none: generated and printed once |
| ``cookie_secure`` | ``JIYUE_COOKIE_SECURE`` | off (plain http on 127.0.0.1); turn on behind HTTPS |
| ``session_hours`` / ``session_idle_minutes`` | ``JIYUE_SESSION_HOURS`` / ``JIYUE_SESSION_IDLE_MINUTES`` | 12 / 120 |
| ``max_upload_mb`` | ``JIYUE_MAX_UPLOAD_MB`` | 100 (data packages) |
| ``max_evidence_mb`` | ``JIYUE_MAX_EVIDENCE_MB`` | 20 (one evidence file) |
| ``login_max_failures`` / ``login_window_minutes`` | ``JIYUE_LOGIN_MAX_FAILURES`` / ``JIYUE_LOGIN_WINDOW_MINUTES`` | 5 / 15 |
| ``tile_url`` | ``JIYUE_TILE_URL`` | none: blank-canvas basemap |
| ``tile_attribution`` | ``JIYUE_TILE_ATTRIBUTION`` | empty |
| ``profile`` | ``JIYUE_PROFILE`` | ``tdt1029-2017`` (zone evaluation profile) |
| ``mujun_scheme`` | ``JIYUE_MUJUN_SCHEME`` | ``shandong-2019`` (per-mu scheme; the demo zone is in Shandong) |
| ``files_dir`` | ``JIYUE_FILES_DIR`` | ``<db>.files/`` next to the store (uploads, evidence) |
| ``trusted_proxies`` | ``JIYUE_TRUSTED_PROXIES`` | none: ``X-Forwarded-For`` is ignored; addresses or networks of the reverse proxies whose header is believed |
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from jiyue import store_pg
from jiyue.errors import UsageError

#: data package uploads: suffix -> accepted leading bytes (magic numbers)
PACKAGE_TYPES: dict[str, tuple[bytes, ...]] = {
    ".gpkg": (b"SQLite format 3\x00",),
    ".zip": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}
#: evidence files of ledger items
EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise UsageError(f"环境变量 {name} 应为整数，实际为「{raw}」") from None


def _db(value: str) -> Path:
    """``JIYUE_DB``: a DuckDB file path, or a PostgreSQL URL kept as text (a Path would mangle it)."""
    return store_pg.strip_password(value) if store_pg.is_url(value) else Path(value)  # type: ignore[return-value]


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Everything the web application can be configured with (see the module table)."""

    db: Path = Path("data/jiyue.duckdb")
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    admin_username: str = "admin"
    admin_password: str | None = field(default=None, repr=False)
    cookie_secure: bool = False
    session_hours: int = 12
    session_idle_minutes: int = 120
    max_upload_mb: int = 100
    max_evidence_mb: int = 20
    max_zip_uncompressed_mb: int = 2000
    max_zip_entries: int = 5000
    login_max_failures: int = 5
    login_ip_max_failures: int = 30
    login_window_minutes: int = 15
    tile_url: str | None = None
    tile_attribution: str = ""
    profile: str = "tdt1029-2017"
    mujun_scheme: str = "shandong-2019"
    files_dir: Path | None = None
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``JIYUE_*`` environment variables, then ``overrides`` (non-None ones)."""
        env = os.environ
        s = cls(
            db=_db(env.get("JIYUE_DB", "data/jiyue.duckdb")),
            host=env.get("JIYUE_HOST", "127.0.0.1"),
            port=_env_int("JIYUE_PORT", 8000),
            secret_key=env.get("JIYUE_SECRET_KEY") or secrets.token_urlsafe(32),
            admin_password=env.get("JIYUE_ADMIN_PASSWORD") or None,
            cookie_secure=_env_bool("JIYUE_COOKIE_SECURE", False),
            session_hours=_env_int("JIYUE_SESSION_HOURS", 12),
            session_idle_minutes=_env_int("JIYUE_SESSION_IDLE_MINUTES", 120),
            max_upload_mb=_env_int("JIYUE_MAX_UPLOAD_MB", 100),
            max_evidence_mb=_env_int("JIYUE_MAX_EVIDENCE_MB", 20),
            login_max_failures=_env_int("JIYUE_LOGIN_MAX_FAILURES", 5),
            login_window_minutes=_env_int("JIYUE_LOGIN_WINDOW_MINUTES", 15),
            tile_url=env.get("JIYUE_TILE_URL") or None,
            tile_attribution=env.get("JIYUE_TILE_ATTRIBUTION", ""),
            profile=env.get("JIYUE_PROFILE", "tdt1029-2017"),
            mujun_scheme=env.get("JIYUE_MUJUN_SCHEME", "shandong-2019"),
            files_dir=Path(env["JIYUE_FILES_DIR"]) if env.get("JIYUE_FILES_DIR") else None,
            trusted_proxies=tuple(p for p in env.get("JIYUE_TRUSTED_PROXIES", "").replace(",", " ").split() if p),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(s, **given).check()  # type: ignore[arg-type]

    def check(self) -> Settings:
        """Refuse unsafe or meaningless values at start-up (one Chinese sentence each)."""
        if len(self.secret_key) < 16:
            raise UsageError("JIYUE_SECRET_KEY 太短：至少 16 个字符（建议用随机生成的 32 个以上字符）")
        if self.admin_password is not None:
            from jiyue.web.passwords import problem

            why = problem(self.admin_password, self.admin_username)
            if why:
                raise UsageError(f"JIYUE_ADMIN_PASSWORD 不能用作管理员密码：{why}")
        if not 0 < self.port < 65536:
            raise UsageError(f"端口应在 1–65535 之间，实际为 {self.port}")
        for name in ("session_hours", "session_idle_minutes", "max_upload_mb", "max_evidence_mb",
                     "login_max_failures", "login_window_minutes"):
            if getattr(self, name) <= 0:
                raise UsageError(f"设置 {name} 应为正数，实际为 {getattr(self, name)}")
        for p in self.trusted_proxies:
            try:
                ipaddress.ip_network(p, strict=False)
            except ValueError:
                raise UsageError(f"JIYUE_TRUSTED_PROXIES 中的「{p}」不是 IP 地址或网段（如 10.0.0.5 或 10.0.0.0/24）") from None
        if self.tile_url is not None:
            parts = urlsplit(self.tile_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or "{z}" not in self.tile_url:
                raise UsageError(f"JIYUE_TILE_URL 应为含 {{z}}/{{x}}/{{y}} 的 http(s) 瓦片地址，实际为「{self.tile_url}」")
        return self

    @property
    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The reverse proxies whose ``X-Forwarded-For`` is believed (none by default)."""
        return tuple(ipaddress.ip_network(p, strict=False) for p in self.trusted_proxies)

    @property
    def files_root(self) -> Path:
        """Where uploads and evidence files are kept (next to the store unless set)."""
        if self.files_dir is not None:
            return self.files_dir
        if store_pg.is_url(self.db):  # a server store: data/<database>.files (share it between hosts)
            return Path("data") / f"{store_pg.database_name(str(self.db))}.files"
        return self.db.with_name(self.db.name + ".files")

    @property
    def private_folders(self) -> tuple[Path, ...]:
        """This server's folders that messages must not show: the store's (a file store) and the files'."""
        if store_pg.is_url(self.db):
            return (self.files_root,)
        return (Path(self.db).parent, self.files_root)

    @property
    def tile_origin(self) -> str | None:
        """``scheme://host[:port]`` of the optional basemap tile service (for the CSP)."""
        if not self.tile_url:
            return None
        p = urlsplit(self.tile_url)
        return f"{p.scheme}://{p.netloc}"
