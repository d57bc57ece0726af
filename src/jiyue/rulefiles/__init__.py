"""The rule-file framework: one loader, one collect-every-problem validator, one value shape.

Every rule file of jiyue — the evaluation profile (``jiyue/profiles/``), the per-mu schemes and
policy tables (``jiyue/mujun/rulesets/``), the idle-land rules (``jiyue/idle/rulesets/``), the
standard-land library (``jiyue/standard_land/rulesets/``), the circular settings
(``jiyue/reports/rulesets/``), the life-circle rules (``jiyue/liveability/rulesets/``), the
safety-ledger rules (``jiyue/safety/rulesets/``) and the shared national controls
(``national-controls.toml`` here, read by :mod:`jiyue.landrules` too) — is a versioned TOML file
read by :func:`read_rule_file`:

* ``ref`` is a built-in name (looked up in the engine's package) or a path (``*.toml`` or an
  existing file); the result :class:`RuleText` holds the text, the parsed data, the origin
  (``builtin:NAME`` or the path) and the SHA-256 of the text;
* a value may be a reference ``{ ref = "national-controls.building_coefficient_min" }`` to the
  shared national controls: :func:`resolve_refs` replaces it with the entry (a dotted path into
  the file; ``….value`` gives the bare number; other keys beside ``ref`` replace the entry's
  fields), so a value used by several engines lives in one place;
* the engine's own parser then checks everything with a :class:`Problems` collector and refuses
  the file with every problem listed (file, key path, what was found, what was expected, in
  Chinese);
* a value with its provenance has one shape, :class:`Value` (value, tag, source, basis).

Each engine keeps its own exception types and message texts (they are part of its interface):
it passes a ``fail(kind, **kw)`` callable that builds the exception for ``missing_file``,
``unknown_name``, ``unreadable`` and ``bad_toml``.
"""

from __future__ import annotations

import copy
import hashlib
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jiyue.errors import ProfileError

__all__ = ["NATIONAL_CONTROLS", "Problem", "Problems", "RuleText", "Value", "builtin_names", "lookup", "national_controls",
           "parse_toml", "read_rule_file", "resolve_refs"]

PACKAGE = "jiyue.rulefiles"
NATIONAL_CONTROLS = "national-controls"
#: files a ``{ ref = "FILE.path" }`` may point into, and the package that holds each
SHARED_FILES = {NATIONAL_CONTROLS: PACKAGE}

Fail = Callable[..., Exception]


# --------------------------------------------------------------------------- the value shape
@dataclass(frozen=True)
class Value:
    """A rule value with its provenance: the number (or text), its confidence tag, the public
    document it comes from (``source``) and, where the value is a choice, the reason (``basis``)."""

    value: Any
    tag: str = ""
    source: str = ""
    basis: str = ""

    @classmethod
    def of(cls, raw: Any) -> Value:
        """A bare value, or a table ``{ value = …, tag = …, source = …, basis = … }``."""
        if isinstance(raw, dict):
            return cls(raw.get("value"), str(raw.get("tag", "")), str(raw.get("source", "")),
                       str(raw.get("basis", "")))
        return cls(raw)


# --------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class Problem:
    """One problem of a rule file: where it is, what was found, what was expected, in Chinese."""

    file: str
    path: str
    found: Any = None
    expected: str = ""
    message: str = ""

    def text(self) -> str:
        if self.message:
            return self.message
        found = "（缺少）" if self.found is None else f"「{self.found}」"
        return f"{self.path}：实际为{found}，应为 {self.expected}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "path": self.path, "found": self.found, "expected": self.expected,
                "message": self.text()}


@dataclass
class Problems:
    """Collects every problem of one rule file before it is refused (never stops at the first)."""

    file: str = ""
    items: list[Problem] = field(default_factory=list)

    def add(self, path: str, found: Any = None, expected: str = "", message: str = "") -> None:
        self.items.append(Problem(self.file, path, found, expected, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def texts(self) -> list[str]:
        return [p.text() for p in self.items]

    def raise_if_any(self, make: Callable[[list[Problem]], ProfileError]) -> None:
        """Raise ``make(problems)`` (with ``.problems`` set) when anything was collected."""
        if self.items:
            exc = make(list(self.items))
            exc.problems = [p.as_dict() for p in self.items]
            raise exc


# --------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class RuleText:
    """A rule file as read: its text, the parsed data (references resolved), origin and hash."""

    text: str
    data: dict[str, Any]
    source: str
    sha256: str

    @property
    def builtin(self) -> bool:
        return self.source.startswith("builtin:")


def builtin_names(package: str, *, prefix: str = "", exclude_prefix: str | None = None) -> list[str]:
    """Names of the built-in rule files of a package (``prefix`` stripped)."""
    names = []
    for p in resources.files(package).iterdir():
        n = p.name
        if not n.endswith(".toml") or not n.startswith(prefix):
            continue
        if exclude_prefix and n.startswith(exclude_prefix):
            continue
        names.append(n[len(prefix):-5])
    return sorted(names)


def _default_fail(kind: str, **kw: Any) -> Exception:
    texts = {
        "missing_file": "找不到规则文件：{path}",
        "unknown_name": "没有名为「{name}」的内置规则文件；可用：{names}",
        "unreadable": "无法读取规则文件 {path}：{err}",
        "bad_toml": "规则文件 {source} 不是有效的 TOML：{err}",
    }
    return ProfileError(texts[kind].format(**kw))


def is_path(ref: str | Path) -> bool:
    """A reference is a file path when it ends in .toml or names an existing file."""
    p = Path(ref)
    return p.suffix.lower() == ".toml" or p.exists()


def read_text(ref: str | Path, *, package: str, prefix: str = "", names: Callable[[], list[str]] | None = None,
              fail: Fail = _default_fail, missing_if_dir: bool = True) -> tuple[str, str]:
    """The text and origin (``builtin:NAME`` or the path) of a built-in rule file or a user's file."""
    if is_path(ref):
        p = Path(ref)
        if not p.exists() or (missing_if_dir and p.is_dir()):
            raise fail("missing_file", path=p)
        try:
            return p.read_text(encoding="utf-8"), str(p)
        except (OSError, UnicodeDecodeError) as e:
            raise fail("unreadable", path=p, err=e) from None
    res = resources.files(package) / f"{prefix}{ref}.toml"
    if not res.is_file():
        known = names() if names else builtin_names(package, prefix=prefix)
        raise fail("unknown_name", name=str(ref), names="、".join(known))
    return res.read_text(encoding="utf-8"), f"builtin:{ref}"


def parse_toml(text: str, source: str, *, fail: Fail = _default_fail, refs: bool = True) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes ``fail("bad_toml", …)``; references are resolved."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise fail("bad_toml", source=source, err=e) from None
    return resolve_refs(data, source) if refs else data


def read_rule_file(ref: str | Path, *, package: str, prefix: str = "",
                   names: Callable[[], list[str]] | None = None, fail: Fail = _default_fail) -> RuleText:
    """Read, parse and resolve one rule file (see the module docstring)."""
    text, source = read_text(ref, package=package, prefix=prefix, names=names, fail=fail)
    data = parse_toml(text, source, fail=fail)
    return RuleText(text, data, source, hashlib.sha256(text.encode("utf-8")).hexdigest())


# --------------------------------------------------------------------------- shared values
_SHARED: dict[str, dict[str, Any]] = {}


def shared_file(name: str) -> dict[str, Any]:
    """A shared rule file (parsed once)."""
    if name not in _SHARED:
        text = (resources.files(SHARED_FILES[name]) / f"{name}.toml").read_text(encoding="utf-8")
        _SHARED[name] = tomllib.loads(text)
    return _SHARED[name]


def national_controls() -> dict[str, Any]:
    """The shared national control values (``national-controls.toml``), parsed."""
    return copy.deepcopy(shared_file(NATIONAL_CONTROLS))


def lookup(ref: str) -> Any:
    """The value at ``FILE.dotted.path`` of a shared file (KeyError when there is none)."""
    name, _, path = ref.partition(".")
    if name not in SHARED_FILES or not path:
        raise KeyError(ref)
    node: Any = shared_file(name)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(ref)
        node = node[part]
    return copy.deepcopy(node)


def _is_ref(v: Any) -> bool:
    return isinstance(v, dict) and isinstance(v.get("ref"), str)


def resolve_refs(data: dict[str, Any], source: str = "") -> dict[str, Any]:
    """Replace every ``{ ref = "FILE.path" }`` by the value it names; a wrong reference is refused
    with every wrong one listed."""
    problems = Problems(source)

    def walk(v: Any, path: str) -> Any:
        if _is_ref(v):
            try:
                target = lookup(v["ref"])
                if len(v) > 1:  # { ref = "…", value = … }: the shared entry with some fields replaced
                    if not isinstance(target, dict):
                        raise KeyError(v["ref"])
                    target.update({k: x for k, x in v.items() if k != "ref"})
                return target
            except KeyError:
                problems.add(path, v["ref"], "共享规则文件中的条目，如 national-controls.building_coefficient_min",
                             f"{path}：引用「{v['ref']}」不存在（可引用 {'、'.join(SHARED_FILES)} 中的条目）")
                return v
        if isinstance(v, dict):
            return {k: walk(x, f"{path}.{k}" if path else k) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x, f"{path}[{i}]") for i, x in enumerate(v)]
        return v

    out = walk(data, "")
    problems.raise_if_any(lambda ps: ProfileError(
        f"规则文件 {source or '（未命名）'} 有 {len(ps)} 处引用错误：\n" + "\n".join(f"  - {p.text()}" for p in ps)))
    return out
