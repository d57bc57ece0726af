"""Every rule and doc cites public documents and the facts kept in docs/sources/, never files a
user of the project does not have (the research notes the project was started from)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# paths outside the project, and the names of the research notes that only the first developers had
FORBIDDEN = re.compile(r"shared/spec|shared/seed|/work/|\.\./shared|zone-evaluation\.md|per-mu-and-standard-land\.md"
                       r"|idle-land-recovery-hazards\.md")
SOURCES = ROOT / "docs" / "sources"


def _tracked(*roots: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", *roots], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / f for f in out.split() if (ROOT / f).is_file()]


def test_no_file_cites_what_users_do_not_have():
    files = _tracked("src", "docs", "README.md", "Makefile", "scripts", "bench")
    assert len(files) > 50
    bad = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if FORBIDDEN.search(line):
                bad.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert not bad, "cite the public document and docs/sources/ instead:\n" + "\n".join(bad)


def test_rule_files_point_at_sources_that_exist():
    """Every docs/sources/<file>.md named in a rule file, a doc or the code exists."""
    named = set()
    for f in _tracked("src", "docs", "README.md"):
        if f.suffix in {".py", ".toml", ".md"}:
            named.update(re.findall(r"docs/sources/([\w.-]+\.md)", f.read_text(encoding="utf-8")))
    assert named
    missing = sorted(n for n in named if not (SOURCES / n).is_file())
    assert not missing, missing


def test_every_rule_file_cites_a_public_document():
    """Each built-in rule file names at least one public document: a standard, a numbered notice,
    a law with its article, or a URL."""
    public = re.compile(r"TD/T|GB[ /]|〔\d{4}〕|令第\d+号|第\d+条|art\. \d+|https?://")
    rule_files = [f for f in _tracked("src") if f.suffix == ".toml" and "examples" not in f.parts]
    assert len(rule_files) >= 10
    silent = [str(f.relative_to(ROOT)) for f in rule_files
              if not public.search(f.read_text(encoding="utf-8")) and f.name != "policy-none.toml"]
    assert not silent, silent
