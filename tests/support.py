"""Helpers shared by the test modules: running the CLI, picking problems out of reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the installed console script (what a user runs), next to the interpreter of the venv
JIYUE = Path(sys.executable).with_name("jiyue")


@dataclass
class Run:
    """The outcome of one CLI run."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_jiyue(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run the installed ``jiyue`` script in a subprocess (tracebacks would really show)."""
    p = subprocess.run([str(JIYUE), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                       cwd=cwd, env=_env(), timeout=120)
    return Run(p.returncode, p.stdout, p.stderr)


def run_jiyue_many(arg_lists: dict[str, list[str | Path]], cwd: Path | None = None,
                   parallel: int = 2) -> dict[str, Run]:
    """Several runs of the script, ``parallel`` at a time (the machine has two cores)."""
    pending = list(arg_lists.items())
    running: list[tuple[str, subprocess.Popen[str]]] = []
    out: dict[str, Run] = {}
    while pending or running:
        while pending and len(running) < parallel:
            key, args = pending.pop(0)
            running.append((key, subprocess.Popen([str(JIYUE), *map(str, args)], stdout=subprocess.PIPE,
                                                  stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                                  cwd=cwd, env=_env())))
        key, proc = running.pop(0)
        so, se = proc.communicate(timeout=120)
        out[key] = Run(proc.returncode, so, se)
    return out


def problems_of(report_or_dict: Any, code: str | None = None) -> list[dict[str, Any]]:
    """Problems (as dicts) of a Report or of the CLI's JSON, optionally of one code."""
    if isinstance(report_or_dict, dict):
        probs = report_or_dict["problems"]
    else:
        probs = [p.to_dict() for p in report_or_dict.problems]
    return [p for p in probs if code is None or p["code"] == code]


def keyed(probs: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """(severity, code, layer, row_id, field) of each problem: what the tests compare."""
    return {(p["severity"], p["code"], p["layer"], p["row_id"], p["field"]) for p in probs}
