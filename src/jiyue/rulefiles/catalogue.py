"""The rule catalogue (``docs/rules.md``), generated from the built-in rule files.

Every value of every built-in rule file, one row each: its key path, the default value the
built-in file gives, its confidence tag and its source (the entry's own ``source`` / ``basis``,
else the nearest enclosing table's, plus the comment written next to it in the file). A value
taken from the shared national controls says so. Run::

    python -m jiyue.rulefiles.catalogue --out docs/rules.md     # or: make rules-doc

``tests/test_rulefiles.py`` regenerates the page and fails when it differs from the file.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from jiyue.rulefiles import NATIONAL_CONTROLS, PACKAGE, lookup, resolve_refs

#: (title, package, path shown) of each family of built-in rule files, in the page's order
FAMILIES = (
    ("国家控制指标（共用）", PACKAGE, "src/jiyue/rulefiles"),
    ("开发区土地集约利用评价方案（TD/T 1029）", "jiyue.profiles", "src/jiyue/profiles"),
    ("通报与排名设置", "jiyue.reports.rulesets", "src/jiyue/reports/rulesets"),
    ("亩均效益评价方案与差别化政策表", "jiyue.mujun.rulesets", "src/jiyue/mujun/rulesets"),
    ("闲置低效用地规则", "jiyue.idle.rulesets", "src/jiyue/idle/rulesets"),
    ("标准地规则", "jiyue.standard_land.rulesets", "src/jiyue/standard_land/rulesets"),
    ("生活圈规则（产城融合）", "jiyue.liveability.rulesets", "src/jiyue/liveability/rulesets"),
    ("安全生产隐患排查治理规则", "jiyue.safety.rulesets", "src/jiyue/safety/rulesets"),
)
META = {"tag", "tags", "confidence", "source", "basis", "used_by", "notes"}
LABELS = {"key", "name", "label", "title"}  # names of a node, not values
HEADS = ("profile", "scheme", "policy", "ruleset", "rules", "file")

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*([A-Za-z0-9_"\-.]+)\s*=\s*(.*)$')


@dataclass
class Row:
    path: str
    value: str
    tag: str
    source: str


def _comment(rest: str) -> str:
    """The trailing ``# comment`` of a value, outside strings."""
    quote = ""
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return rest[i + 1:].strip()
    return ""


def comments(text: str) -> dict[str, str]:
    """Comments written next to each key (the block above it and the one after it), by key path."""
    out: dict[str, str] = {}
    table = ""
    counts: dict[str, int] = {}
    block: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            c = s.lstrip("#").strip()
            if c and not set(c) <= set("-=─ "):
                block.append(c)
            continue
        if not s:
            block = []
            continue
        m = _HEADER.match(line)
        if m and not _KEY.match(line):
            name = m.group(2).replace('"', "")
            if m.group(1) == "[[":
                counts[name] = counts.get(name, 0) + 1
                table = f"{name}[{counts[name]}]"
            else:
                parts = name.split(".")
                # a sub-table of the last array element: [a.b] after [[a]]
                for j in range(len(parts), 0, -1):
                    head = ".".join(parts[:j])
                    if head in counts:
                        name = f"{head}[{counts[head]}]" + ("." + ".".join(parts[j:]) if parts[j:] else "")
                        break
                table = name
            note = " ".join(block + ([m.group(3).lstrip("#").strip()] if m.group(3) else []))
            if note:
                out[table] = note
            block = []
            continue
        k = _KEY.match(line)
        if k:
            key = k.group(1).replace('"', "")
            note = " ".join(block + ([_comment(k.group(2))] if _comment(k.group(2)) else []))
            if note:
                out[f"{table}.{key}" if table else key] = note
        block = []
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str):
        return f"“{v}”"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_fmt(x)}" for k, x in v.items()) + "}"
    return str(v)


def _cell(s: str, limit: int = 0) -> str:
    s = " ".join(str(s).split()).replace("|", "\\|")
    if limit and len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


def _refs(raw: Any, path: str = "") -> dict[str, str]:
    """Key paths whose value is a reference to a shared file, and what they refer to."""
    out: dict[str, str] = {}
    if isinstance(raw, dict):
        if isinstance(raw.get("ref"), str):
            return {path: raw["ref"]}
        for k, v in raw.items():
            out.update(_refs(v, f"{path}.{k}" if path else k))
    elif isinstance(raw, list):
        for i, v in enumerate(raw, 1):
            out.update(_refs(v, f"{path}[{i}]"))
    return out


def _head_key(data: dict[str, Any]) -> str:
    """The table holding the file's name and version."""
    for k in HEADS:
        if isinstance(data.get(k), dict) and data[k].get("name"):
            return k
    return ""


def rows(text: str) -> list[Row]:
    """One row per value of a rule file (a value without its own source takes the file's)."""
    raw = tomllib.loads(text)
    data = resolve_refs(raw)
    head = _head_key(data)
    file_source = str(data[head].get("source", "") or data[head].get("basis", "")) if head else ""
    notes = comments(text)
    refs = _refs(raw)
    out: list[Row] = []

    def tag_of(table: dict[str, Any], key: str) -> str:
        tags = table.get("tags")
        if isinstance(tags, dict):
            for k in (key, re.sub(r"_(start|completion)", "", key)):
                if k in tags:
                    return str(tags[k])
        return str(table.get("tag", ""))

    def sibling_source(node: dict[str, Any], key: str) -> str:
        """A ``<stem>_source`` text beside a key starting with ``<stem>`` (the life-circle files)."""
        for k, v in node.items():
            if k.endswith("_source") and isinstance(v, str) and key.startswith(k[:-len("_source")]):
                return v
        return ""

    def walk(node: Any, path: str, tag: str, source: str) -> None:
        if isinstance(node, dict):
            tag = str(node.get("tag", "") or node.get("confidence", "")) or tag
            own = str(node.get("source", "") or node.get("basis", ""))
            source = own or source
            if "value" in node and not isinstance(node["value"], dict):
                leaf(path, node["value"], tag, source)
                return
            for k, v in node.items():
                if k in META or (not path and k == head) or (k in LABELS and isinstance(v, str)):
                    continue
                if k.endswith("_source") and isinstance(v, str):  # the source of a sibling, not a value
                    continue
                sub = f"{path}.{k}" if path else k
                if isinstance(v, dict) or (isinstance(v, list) and v and all(isinstance(x, dict) for x in v)):
                    walk(v, sub, tag_of(node, k) or tag, source)
                else:
                    leaf(sub, v, tag_of(node, k) or tag, sibling_source(node, k) or source)
        elif isinstance(node, list):
            for i, v in enumerate(node, 1):
                name = v.get("key") if isinstance(v, dict) and isinstance(v.get("key"), str) else i
                walk(v, f"{path}[{name}]", tag, source)

    def leaf(path: str, value: Any, tag: str, source: str) -> None:
        note = notes.get(path, "")
        parts = [p for p in ("见文件来源" if source and source == file_source else source, note) if p]
        ref = refs.get(path) or next((refs[r] for r in refs if path.startswith(r + ".")), None)
        if ref:
            tag, shared = _shared_meta(ref, tag)
            parts = [f"共享值：{ref}", shared, note]
        out.append(Row(path, _fmt(value), tag, "；".join(p for p in dict.fromkeys(parts) if p)))

    walk(data, "", "", file_source)
    return out


def _shared_meta(ref: str, tag: str) -> tuple[str, str]:
    """(tag, source) of the shared entry a reference points into (the nearest table that has them)."""
    parts = ref.split(".")
    for j in range(len(parts), 1, -1):
        try:
            node = lookup(".".join(parts[:j]))
        except KeyError:
            continue
        if isinstance(node, dict) and (node.get("source") or node.get("tag")):
            return str(node.get("tag", tag)), str(node.get("source", ""))
    return tag, ""


def _files(package: str) -> list[tuple[str, str]]:
    files = sorted(p.name for p in resources.files(package).iterdir() if p.name.endswith(".toml"))
    return [(f, (resources.files(package) / f).read_text(encoding="utf-8")) for f in files]


def _head(data: dict[str, Any]) -> dict[str, Any]:
    k = _head_key(data)
    return data[k] if k else {}


def render() -> str:
    """The whole catalogue page (Markdown)."""
    lines = [
        "# 规则目录（rule catalogue）",
        "",
        "<!-- generated by `python -m jiyue.rulefiles.catalogue --out docs/rules.md` (make rules-doc);"
        " do not edit by hand: tests/test_rulefiles.py checks it -->",
        "",
        "Every value of every built-in rule file of jiyue: its key, the default the built-in file gives,",
        "its confidence tag and its source — the public document (standard and clause, law and article,",
        "notice number, URL), with the facts in `docs/sources/`. A value marked 共享值 comes from the",
        f"shared `{NATIONAL_CONTROLS}.toml`. Copy a file, change it and pass it with the engine's",
        "`--profile` / `--scheme` / `--policy` / `--rules` option to use your own values.",
        "",
    ]
    for title, package, shown in FAMILIES:
        lines += [f"## {title}", ""]
        for name, text in _files(package):
            data = tomllib.loads(text)
            head = _head(data)
            lines.append(f"### `{shown}/{name}`")
            lines.append("")
            desc = [f"{k}：{_cell(head[k])}" for k in ("name", "version", "title", "jurisdiction") if head.get(k)]
            if head.get("source") or head.get("basis"):
                desc.append(f"来源：{_cell(str(head.get('source') or head.get('basis')))}")
            if desc:
                lines += ["；".join(desc), ""]
            lines += ["| 键 | 默认值 | 标签 | 来源 / 依据 |", "|---|---|---|---|"]
            for r in rows(text):
                lines.append(f"| `{_cell(r.path)}` | {_cell(r.value, 80)} | {_cell(r.tag)} | {_cell(r.source)} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate the rule catalogue (docs/rules.md) from the rule files.")
    ap.add_argument("--out", help="write to this file (default: standard output)")
    ap.add_argument("--check", action="store_true", help="exit 1 when --out differs from what would be written")
    a = ap.parse_args(argv)
    page = render()
    if a.out and a.check:
        same = Path(a.out).is_file() and Path(a.out).read_text(encoding="utf-8") == page
        if not same:
            print(f"{a.out} is out of date: run make rules-doc", file=sys.stderr)
        return 0 if same else 1
    if a.out:
        Path(a.out).write_text(page, encoding="utf-8")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
