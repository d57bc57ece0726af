"""Builders for the web tests: stores, a running server, signed-in clients, bad uploads."""

from __future__ import annotations

import io
import re
import shutil
import socket
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ADMIN_PASSWORD = "admin-test-pass-1"
DEMO_PASSWORD = "demo-test-pass-1"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_ZONE = "371500-ETDZ"


def import_into(pkg: Path, db: Path) -> Path:
    """Validate and import a package into a new store (all or nothing)."""
    from jiyue.store import import_package
    from jiyue.validate import validate_path

    report = validate_path(pkg)
    assert report.ok, [p.message for p in report.errors][:5]
    import_package(db, report)
    return db


def copy_store(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def make_app(db: Path, **overrides: Any) -> Any:
    """The app over ``db`` with the admin and demo accounts made (passwords known to the tests)."""
    import os

    from jiyue.web.app import create_app
    from jiyue.web.bootstrap import bootstrap_admin, demo_users
    from jiyue.web.settings import Settings

    settings = Settings.from_env(db=db, admin_password=ADMIN_PASSWORD, secret_key="test-secret-key-0123456789",
                                 **overrides)
    app = create_app(settings)
    old = os.environ.get("JIYUE_DEMO_PASSWORD")
    os.environ["JIYUE_DEMO_PASSWORD"] = DEMO_PASSWORD
    try:
        bootstrap_admin(app.state.ctx.store, settings)
        demo_users(app.state.ctx.store)
    finally:
        if old is None:
            os.environ.pop("JIYUE_DEMO_PASSWORD", None)
        else:
            os.environ["JIYUE_DEMO_PASSWORD"] = old
    return app


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Client:
    """A TestClient signed in as one user, with that session's CSRF token."""

    http: Any
    csrf: str
    username: str

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any) -> Any:
        payload = dict(data or {})
        if csrf:
            payload["csrf_token"] = self.csrf
        kw.setdefault("follow_redirects", False)
        return self.http.post(url, data=payload, **kw)


def login_form_token(http: Any) -> str:
    r = http.get("/login")
    assert r.status_code == 200
    m = CSRF.search(r.text)
    assert m
    return m.group(1)


def sign_in(app: Any, username: str, password: str) -> Client:
    from fastapi.testclient import TestClient

    http = TestClient(app, raise_server_exceptions=False)
    token = login_form_token(http)
    r = http.post("/login", data={"username": username, "password": password, "csrf_token": token},
                  follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    page = http.get("/account")
    m = CSRF.search(page.text)
    assert m
    return Client(http, m.group(1), username)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """uvicorn serving an app in a background thread on a free loopback port."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        from jiyue.web.app import UVICORN_OPTIONS

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    **UVICORN_OPTIONS))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


# --------------------------------------------------------------------------- bad uploads
def broken_package(tmp: Path) -> Path:
    """The small clean package with two errors: an unknown build class and a duplicate parcel id."""
    from factories import clean_package, edit, write_gpkg

    layers = edit(clean_package(), "parcels", 1, build_class="Z9")
    layers = edit(layers, "parcels", 2, parcel_id="P1")
    return write_gpkg(layers, tmp / "broken.gpkg")


def traversal_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../evil.txt", "x")
    return buf.getvalue()


# --------------------------------------------------------------------------- reading vector tiles
def _read_varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def _fields(buf: bytes) -> list[tuple[int, Any]]:
    """(field number, value) of a protobuf message: ints for varints, bytes for length-delimited."""
    out, i = [], 0
    while i < len(buf):
        key, i = _read_varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _read_varint(buf, i)
        elif wire == 2:
            n, i = _read_varint(buf, i)
            v, i = buf[i:i + n], i + n
        else:
            raise ValueError(f"unexpected wire type {wire}")
        out.append((field, v))
    return out


def _packed(buf: bytes) -> list[int]:
    out, i = [], 0
    while i < len(buf):
        v, i = _read_varint(buf, i)
        out.append(v)
    return out


def decode_tile(data: bytes) -> dict[str, dict[str, Any]]:
    """A minimal MVT reader written from the specification (independent of jiyue.web.mvt)."""
    layers = {}
    for field, layer in _fields(data):
        assert field == 3
        f = _fields(layer)
        name = next(v for k, v in f if k == 1).decode()
        keys = [v.decode() for k, v in f if k == 3]
        values = [_fields(v)[0][1].decode() for k, v in f if k == 4]
        version = next(v for k, v in f if k == 15)
        extent = next((v for k, v in f if k == 5), 4096)
        feats = []
        for k, v in f:
            if k != 2:
                continue
            ff = dict(_fields(v))
            tags = _packed(ff.get(2, b""))
            props = {keys[tags[j]]: values[tags[j + 1]] for j in range(0, len(tags), 2)}
            cmds = _packed(ff[4])
            rings, ring, x, y, j = [], [], 0, 0, 0
            while j < len(cmds):
                cid, count = cmds[j] & 7, cmds[j] >> 3
                j += 1
                if cid == 7:
                    rings.append(ring)
                    ring = []
                    continue
                for _ in range(count):
                    dx, dy = cmds[j], cmds[j + 1]
                    j += 2
                    x += (dx >> 1) ^ -(dx & 1)
                    y += (dy >> 1) ^ -(dy & 1)
                    ring.append((x, y))
            feats.append({"type": ff.get(3), "props": props, "rings": rings})
        layers[name] = {"version": version, "extent": extent, "keys": keys, "features": feats}
    return layers


def ring_area(ring: list[tuple[int, int]]) -> float:
    """Surveyor's formula on tile coordinates (positive = exterior ring in MVT)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2
