#!/usr/bin/env python3
"""Per-mu evaluation benchmark: 100,000 synthetic enterprises scored with every built-in scheme,
the vectorised engine against the plain per-enterprise Python reference, in one run.

Usage: ``.venv/bin/python bench/bench_mujun.py [--n 100000] [--seed 42] [--schemes a,b] [--document]``

Every measured task runs in its own child process (this script with ``--task``), so each peak
RSS (``ru_maxrss`` from ``os.wait4``) belongs to that task alone. Each child regenerates the same
seeded enterprises (``jiyue.mujun.inputs.synthetic_frame``: plausible figures, 3 % missing
values, 1 % zero denominators, vetoes, flags, ties) and reports:

- ``compute``: wall seconds spent scoring, after the data exists (``cpu``: its CPU seconds — on a
  shared, loaded machine the CPU figure is the stable one) — engine: scope, indicators,
  benchmarks, item scores, ranks, classes, vetoes/protections, measures and aggregates
  (``service.evaluate_frame``); reference: ``reference.evaluate`` on the list of records (the
  DataFrame → records conversion is timed separately as ``records``);
- ``process``: wall seconds of the whole child (Python start and imports included), with its
  CPU seconds (user + system, from ``os.wait4``);
- ``peak``: peak RSS of the child in MiB.

The parent then checks that both agree: scores to 1e-9, ranks, classes and measure amounts
exactly. ``--document`` also times building the JSON enterprise records for 100,000 firms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def child(task: str, scheme_name: str, n: int, seed: int, out: str) -> None:
    import numpy as np

    from jiyue.mujun import inputs, reference, service
    from jiyue.mujun.policy import load_policy
    from jiyue.mujun.scheme import load_scheme

    s = load_scheme(scheme_name)
    p = load_policy(s.policy)
    f = inputs.synthetic_frame(n, 2022, seed=seed)
    past = {e: ["D", "D"] for e in f["enterprise_id"].iloc[::9]}
    info: dict = {"task": task, "scheme": scheme_name, "n": n}
    if task == "engine":
        t0, c0 = time.perf_counter(), time.process_time()
        ev = service.evaluate_frame(f, s, p, 2022, {"past_classes": past})
        info["compute"], info["cpu"] = time.perf_counter() - t0, time.process_time() - c0
        score = ev.result.table["score"].to_numpy(dtype=float)
        rank = ev.classes["rank"].to_numpy(dtype=float)
        cls = np.array([service.clean(c) or "" for c in ev.classes["class"].to_numpy()], dtype=object)
        amount = np.nansum(np.column_stack([m["amount_wan"].to_numpy(dtype=float) for m in ev.measures.values()])
                           if ev.measures else np.zeros((n, 1)), axis=1)
        info["rated"] = int((ev.scope["status"] == "rated").sum())
        info["classes"] = {k: int(v) for k, v in zip(*np.unique(cls, return_counts=True))}
        if os.environ.get("MUJUN_BENCH_DOCUMENT"):
            t1, c1 = time.perf_counter(), time.process_time()
            recs = service.enterprise_records(ev, s, p)
            info["document"], info["document_cpu"] = time.perf_counter() - t1, time.process_time() - c1
            info["document_records"] = len(recs)
    else:
        t0 = time.perf_counter()
        records = f.to_dict("records")
        info["records"] = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        res = reference.evaluate(records, s, p, 2022, past=past)["enterprises"]
        info["compute"], info["cpu"] = time.perf_counter() - t0, time.process_time() - c0
        ids = f["enterprise_id"].to_numpy()
        score = np.array([res[e].get("score", np.nan) for e in ids], dtype=float)
        rank = np.array([res[e].get("rank", np.nan) for e in ids], dtype=float)
        cls = np.array([res[e]["class"] or "" for e in ids], dtype=object)
        amount = np.array([sum(m["amount_wan"] for m in res[e]["measures"].values() if m["amount_wan"] is not None)
                           for e in ids], dtype=float)
    np.savez(out, score=score, rank=rank, cls=cls.astype(str), amount=amount)
    print(json.dumps(info, ensure_ascii=False))


def run_child(task: str, scheme: str, n: int, seed: int, out: str, document: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    if document:
        env["MUJUN_BENCH_DOCUMENT"] = "1"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--task", task, "--scheme", scheme, "--n", str(n),
                             "--seed", str(seed), "--out", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stdout, stderr = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{task} {scheme} failed:\n{stderr}")
    info = json.loads(stdout.strip().splitlines()[-1])
    info["process"] = wall
    info["process_cpu"] = usage.ru_utime + usage.ru_stime
    info["peak_mib"] = usage.ru_maxrss / 1024.0
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--schemes", default="")
    ap.add_argument("--document", action="store_true", help="also time the JSON enterprise records (engine)")
    ap.add_argument("--task", help=argparse.SUPPRESS)
    ap.add_argument("--scheme", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.task:
        child(a.task, a.scheme, a.n, a.seed, a.out)
        return
    import numpy as np

    from jiyue.mujun.scheme import builtin_schemes

    names = [x for x in a.schemes.split(",") if x] or builtin_schemes()
    print(f"per-mu benchmark: {a.n:,} enterprises, seed {a.seed}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at start: {load:.1f}")
    print(f"{'scheme':<15}{'task':<10}{'compute s':>10}{'cpu s':>8}{'process s':>11}{'cpu s':>8}{'peak MiB':>10}  notes")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            got = {}
            for task in ("engine", "reference"):
                out = str(Path(tmp) / f"{name}-{task}.npz")
                info = run_child(task, name, a.n, a.seed, out, a.document and task == "engine")
                got[task] = (info, np.load(out, allow_pickle=False))
                note = ""
                if task == "engine":
                    note = f"rated {info['rated']:,}; classes {info['classes']}"
                    if "document" in info:
                        note += f"; JSON records {info['document']:.2f} s ({info['document_cpu']:.2f} s CPU)"
                else:
                    note = f"records {info['records']:.2f} s"
                print(f"{name:<15}{task:<10}{info['compute']:>10.3f}{info['cpu']:>8.2f}{info['process']:>11.2f}"
                      f"{info['process_cpu']:>8.2f}{info['peak_mib']:>10.0f}  {note}")
            e, r = got["engine"][1], got["reference"][1]
            both = ~np.isnan(e["score"]) & ~np.isnan(r["score"])
            same_nan = bool((np.isnan(e["score"]) == np.isnan(r["score"])).all())
            dmax = float(np.max(np.abs(e["score"][both] - r["score"][both]))) if both.any() else 0.0
            ranks = bool(np.array_equal(np.nan_to_num(e["rank"], nan=-1), np.nan_to_num(r["rank"], nan=-1)))
            cls = bool((e["cls"] == r["cls"]).all())
            amt = float(np.max(np.abs(e["amount"] - r["amount"])))
            ok = same_nan and dmax <= 1e-9 and ranks and cls and amt <= 1e-9
            speed = got["reference"][0]["cpu"] / got["engine"][0]["cpu"]
            print(f"{'':<15}{'agree':<10} max |Δscore| {dmax:.2e}; ranks {'=' if ranks else '≠'}; "
                  f"classes {'=' if cls else '≠'}; max |Δamount| {amt:.2e}; engine {speed:.1f}× less CPU"
                  + ("" if ok else "  ** MISMATCH **"))
            if not ok:
                raise SystemExit(1)


if __name__ == "__main__":
    main()
