#!/usr/bin/env python3
"""Benchmark of the web application on a store of 200,000 parcels (loopback only).

1. Data: one zone of N parcels and 3N buildings made by ``bench/gen.py`` (seeded), imported with
   ``jiyue import`` into ``bench/_data/web/web_<N>.duckdb`` (both cached between runs).
2. The server: ``jiyue serve`` in its own process on a free loopback port.
3. Measured, each request over HTTP/1.1 keep-alive from this process:
   - the dashboard API ``/api/zones/{zone}/dashboard``: the first (cold) request evaluates the
     zone; then ``--requests`` sequential requests → p50 / p95 / max;
   - map tiles ``/api/zones/{zone}/tiles/…``: ``--tiles`` distinct random tiles at zooms 12–16
     inside the zone (each cut by DuckDB, none cached) → p50 / p95 / max per zoom and overall;
     then the same tiles again (served from the tile cache);
   - 20 concurrent clients, each making ``--per-client`` requests (dashboard, tiles, parcel cards,
     pages) → errors (must be 0), throughput and p95 under load.
   Every request loop is bounded; only 127.0.0.1 is contacted.

Usage: .venv/bin/python bench/bench_web.py [--parcels 200000] [--requests 200] [--tiles 300]
       [--clients 20] [--per-client 40] [--out bench/_data/web/results.json]
Targets (issue 8): dashboard p95 < 100 ms, tile p95 < 50 ms, 20 concurrent clients without errors.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx  # the test client's HTTP library (httpx2), also used here

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "_data" / "web"
JIYUE = Path(sys.executable).with_name("jiyue")
PASSWORD = "bench-admin-password-1"
TARGETS = {"dashboard_p95_ms": 100.0, "tile_p95_ms": 50.0}


def log(*a: Any) -> None:
    print(*a, flush=True)


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]


def summary(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(pct(ms, 95), 2),
            "max_ms": round(max(ms), 2), "mean_ms": round(statistics.fmean(ms), 2)}


# --------------------------------------------------------------------------- data
def store(parcels: int) -> tuple[Path, dict[str, Any]]:
    DATA.mkdir(parents=True, exist_ok=True)
    pkg = DATA / f"pkg_{parcels}"
    db = DATA / f"web_{parcels}.duckdb"
    meta_path = DATA / f"web_{parcels}.json"
    if db.exists() and meta_path.exists():
        log(f"store cached: {db}")
        return db, json.loads(meta_path.read_text())
    sys.path.insert(0, str(BENCH))
    from gen import generate  # the benchmarks' seeded generator

    t0 = time.perf_counter()
    gen = generate(pkg, 1, parcels, 3 * parcels, seed=42, zone_years=True)
    t_gen = time.perf_counter() - t0
    for f in (db, db.with_name(db.name + ".wal")):
        f.unlink(missing_ok=True)
    t0 = time.perf_counter()
    subprocess.run([str(JIYUE), "import", str(pkg), "--db", str(db)], check=True)
    meta = {"parcels": parcels, "buildings": 3 * parcels, "gen_s": round(t_gen, 1),
            "import_s": round(time.perf_counter() - t0, 1), "gen": gen}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str))
    return db, meta


# --------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    def __init__(self, db: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "JIYUE_ADMIN_PASSWORD": PASSWORD, "JIYUE_SESSION_IDLE_MINUTES": "600"}
        self.proc = subprocess.Popen([str(JIYUE), "serve", "--db", str(db), "--port", str(self.port)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def __enter__(self) -> Serve:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(self.base + "/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
            if self.proc.poll() is not None:
                raise SystemExit("jiyue serve exited:\n" + (self.proc.stdout.read() if self.proc.stdout else ""))
        raise SystemExit("jiyue serve did not start in 120 s")

    def __exit__(self, *exc: Any) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def client(base: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    page = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    if r.status_code not in (200, 303) or "jiyue_session" not in c.cookies:
        raise SystemExit(f"login failed: {r.status_code}")
    return c


def timed(c: httpx.Client, url: str) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    r = c.get(url)
    return (time.perf_counter() - t0) * 1000, r.status_code, len(r.content)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def random_tiles(bounds: list[float], k: int, rng: random.Random) -> list[tuple[int, int, int]]:
    lon0, lat0, lon1, lat1 = bounds
    seen: set[tuple[int, int, int]] = set()
    out = []
    zooms = [12, 13, 14, 15, 16]
    tries = 0
    while len(out) < k and tries < k * 50:
        tries += 1
        z = zooms[len(out) % len(zooms)]
        x, y = tile_of(rng.uniform(lon0, lon1), rng.uniform(lat0, lat1), z)
        if (z, x, y) not in seen:
            seen.add((z, x, y))
            out.append((z, x, y))
    return out


# --------------------------------------------------------------------------- the measurements
def run(args: argparse.Namespace) -> dict[str, Any]:
    db, meta = store(args.parcels)
    rng = random.Random(42)
    with Serve(db) as srv:
        c = client(srv.base)
        zone = c.get("/api/zones").json()["zones"][0]
        code, imp = zone["zone_code"], zone["import_id"]
        res: dict[str, Any] = {"parcels": args.parcels, "buildings": meta["buildings"], "zone": code,
                               "store_mb": round(db.stat().st_size / 1e6, 1), "import_s": meta.get("import_s")}
        cold, st, _ = timed(c, f"/api/zones/{code}/dashboard")
        assert st == 200, st
        res["dashboard_cold_ms"] = round(cold, 1)
        t_map, st, _ = timed(c, f"/map?zone={code}")  # builds the Web Mercator copy of the parcels once
        assert st == 200, st
        res["map_page_first_ms"] = round(t_map, 1)
        bounds = c.get(f"/api/zones/{code}/outline").json()["bounds"]
        log(f"cold dashboard {cold:.0f} ms; first map page {t_map:.0f} ms")

        ms = []
        for _ in range(args.requests):
            t, st, _ = timed(c, f"/api/zones/{code}/dashboard")
            assert st == 200, st
            ms.append(t)
        res["dashboard_api"] = summary(ms)
        ms = []
        for _ in range(max(20, args.requests // 4)):
            t, st, _ = timed(c, f"/dashboard?zone={code}")
            assert st == 200, st
            ms.append(t)
        res["dashboard_page"] = summary(ms)
        log(f"dashboard API {res['dashboard_api']}")

        tiles = random_tiles(bounds, args.tiles, rng)
        by_zoom: dict[int, list[float]] = {}
        sizes = []
        for z, x, y in tiles:
            t, st, n = timed(c, f"/api/zones/{code}/tiles/{imp}/{z}/{x}/{y}.pbf")
            assert st == 200, st
            by_zoom.setdefault(z, []).append(t)
            sizes.append(n)
        allms = [t for v in by_zoom.values() for t in v]
        res["tiles_uncached"] = {**summary(allms), "mean_kb": round(statistics.fmean(sizes) / 1024, 1),
                                 "by_zoom": {str(z): summary(v) for z, v in sorted(by_zoom.items())}}
        ms = [timed(c, f"/api/zones/{code}/tiles/{imp}/{z}/{x}/{y}.pbf")[0] for z, x, y in tiles]
        res["tiles_cached"] = summary(ms)
        log(f"tiles uncached {res['tiles_uncached']['p95_ms']} ms p95; cached {res['tiles_cached']['p95_ms']} ms")

        res["concurrency"] = concurrent(srv.base, code, imp, tiles, args, rng)
        c.close()
        res["targets"] = TARGETS
        res["verdict"] = {
            "dashboard_p95": res["dashboard_api"]["p95_ms"] < TARGETS["dashboard_p95_ms"],
            "tile_p95": res["tiles_uncached"]["p95_ms"] < TARGETS["tile_p95_ms"],
            "concurrent_errors": res["concurrency"]["errors"] == 0,
        }
    return res


def concurrent(base: str, code: str, imp: int, tiles: list[tuple[int, int, int]], args: argparse.Namespace,
               rng: random.Random) -> dict[str, Any]:
    """``--clients`` threads, each with its own session, ``--per-client`` requests of mixed kinds."""
    urls_per_client = []
    for i in range(args.clients):
        r = random.Random(1000 + i)
        urls = []
        for k in range(args.per_client):
            kind = k % 4
            if kind == 0:
                urls.append(("dashboard", f"/api/zones/{code}/dashboard"))
            elif kind == 1:
                z, x, y = r.choice(tiles)
                urls.append(("tile", f"/api/zones/{code}/tiles/{imp}/{z}/{x}/{y}.pbf"))
            elif kind == 2:
                zz, xx, yy = r.choice(tiles)
                urls.append(("tile_new", f"/api/zones/{code}/tiles/{imp}/{zz}/{xx + r.randint(-2, 2)}/{yy + r.randint(-2, 2)}.pbf"))
            else:
                urls.append(("page", r.choice(["/dashboard", "/reports", "/api/me", f"/api/zones/{code}/outline"])))
        urls_per_client.append(urls)
    clients = [client(base) for _ in range(args.clients)]
    results: list[list[tuple[str, float, int]]] = [[] for _ in range(args.clients)]
    errors: list[str] = []
    barrier = threading.Barrier(args.clients)

    def work(i: int) -> None:
        barrier.wait()
        for kind, url in urls_per_client[i]:
            try:
                t, st, _ = timed(clients[i], url)
            except httpx.HTTPError as e:
                errors.append(f"{url}: {type(e).__name__}")
                continue
            results[i].append((kind, t, st))
            if st != 200:
                errors.append(f"{url}: HTTP {st}")

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    for c in clients:
        c.close()
    flat = [x for r in results for x in r]
    by_kind: dict[str, list[float]] = {}
    for kind, t, _ in flat:
        by_kind.setdefault(kind, []).append(t)
    out = {"clients": args.clients, "requests": len(flat), "errors": len(errors), "error_samples": errors[:5],
           "wall_s": round(wall, 2), "throughput_rps": round(len(flat) / wall, 1),
           "all": summary([t for _, t, _ in flat]), "by_kind": {k: summary(v) for k, v in sorted(by_kind.items())}}
    log(f"{args.clients} clients: {len(flat)} requests in {wall:.1f} s, errors {len(errors)}, "
        f"p95 {out['all']['p95_ms']} ms")
    return out


def markdown(res: dict[str, Any]) -> str:
    d, t, tc, cc = res["dashboard_api"], res["tiles_uncached"], res["tiles_cached"], res["concurrency"]
    ok = {True: "met", False: "**missed**"}
    lines = [
        f"Store: {res['parcels']:,} parcels, {res['buildings']:,} buildings, one zone ({res['store_mb']} MB).",
        "",
        "| measure | p50 ms | p95 ms | max ms | target |",
        "|---|---|---|---|---|",
        f"| dashboard API, cached evaluation ({d['n']} requests) | {d['p50_ms']} | {d['p95_ms']} | {d['max_ms']} | "
        f"p95 < 100 ms: {ok[res['verdict']['dashboard_p95']]} |",
        f"| dashboard page (HTML) | {res['dashboard_page']['p50_ms']} | {res['dashboard_page']['p95_ms']} | "
        f"{res['dashboard_page']['max_ms']} | |",
        f"| map tile, cut by DuckDB ({t['n']} distinct tiles, z12–16, {t['mean_kb']} KB avg) | {t['p50_ms']} | "
        f"{t['p95_ms']} | {t['max_ms']} | p95 < 50 ms: {ok[res['verdict']['tile_p95']]} |",
    ]
    for z, s in t["by_zoom"].items():
        lines.append(f"| — zoom {z} ({s['n']}) | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} | |")
    lines += [
        f"| map tile, from the tile cache | {tc['p50_ms']} | {tc['p95_ms']} | {tc['max_ms']} | |",
        f"| {cc['clients']} concurrent clients, {cc['requests']} mixed requests | {cc['all']['p50_ms']} | "
        f"{cc['all']['p95_ms']} | {cc['all']['max_ms']} | no errors: {ok[res['verdict']['concurrent_errors']]} "
        f"({cc['errors']} errors, {cc['throughput_rps']} req/s) |",
        "",
        f"First (cold) dashboard request, evaluating the zone: {res['dashboard_cold_ms']:.0f} ms; first map page "
        f"(builds the Web Mercator copy of the parcels): {res['map_page_first_ms']:.0f} ms.",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parcels", type=int, default=200_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--tiles", type=int, default=300)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--per-client", type=int, default=40)
    ap.add_argument("--out", type=Path, default=DATA / "results.json")
    args = ap.parse_args()
    res = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(markdown(res))
    print("BENCH_RESULT " + json.dumps(res, ensure_ascii=False))
    return 0 if all(res["verdict"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
