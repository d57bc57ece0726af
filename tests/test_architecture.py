"""The layering rules, checked on the source text (``ast``; nothing is imported).

1. No import cycle among the modules of ``jiyue``. **Function-local imports count**: a lazy
   import hides a cycle from Python's import machinery, not from the design — the lower
   module still depends on the upper one. Imports under ``if TYPE_CHECKING:`` do not count
   (they never run; annotations only).
2. No module imports a private name (``_x``) of another module, nor a private module
   (``jiyue.web.routes._x``), nor reads one as an attribute of an imported jiyue module
   (``store._insert``). Importing a public name under a private alias
   (``from x import y as _y``) is allowed.

docs/architecture.md ("Layers") describes the rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def modules(src: Path = SRC) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``)."""
    out = {}
    for p in sorted((src / "jiyue").rglob("*.py")):
        parts = list(p.relative_to(src).with_suffix("").parts)
        pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if pkg else parts)] = (p, pkg)
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            skip.update(id(k) for k in ast.walk(n))
    return skip


def imports(tree: ast.AST, module: str, is_pkg: bool) -> Iterator[tuple[ast.AST, str, list[ast.alias]]]:
    """Every executed import of a module (top level and inside functions): (node, absolute
    module imported from, names)."""
    skip = _type_checking_nodes(tree)
    package = module if is_pkg else module.rpartition(".")[0]
    for n in ast.walk(tree):
        if id(n) in skip:
            continue
        if isinstance(n, ast.Import):
            for a in n.names:
                yield n, a.name, []
        elif isinstance(n, ast.ImportFrom):
            if n.level:
                base = package.split(".")
                base = base[:len(base) - (n.level - 1)]
                name = ".".join([*base, *([n.module] if n.module else [])])
            else:
                name = n.module or ""
            yield n, name, list(n.names)


def graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> the jiyue modules it imports (``from pkg import mod`` is an edge to ``pkg.mod``)."""
    mods = modules(src)

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    out: dict[str, set[str]] = {m: set() for m in mods}
    for m, (path, is_pkg) in mods.items():
        for _, name, names in imports(ast.parse(path.read_text(encoding="utf-8")), m, is_pkg):
            if name != "jiyue" and not name.startswith("jiyue."):
                continue
            targets = [f"{name}.{a.name}" if f"{name}.{a.name}" in mods else resolve(name) for a in names] \
                or [resolve(name)]
            out[m].update(t for t in targets if t and t != m)
    return out


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(g):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def private_uses(src: Path = SRC) -> list[str]:
    """Every import of another module's private name or private module, and every
    ``module._name`` read on an imported jiyue module: "file:line what"."""
    mods = modules(src)
    found = []
    for m, (path, is_pkg) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(src).as_posix()
        aliases: dict[str, str] = {}  # local name -> imported jiyue module
        for node, name, names in imports(tree, m, is_pkg):
            if name != "jiyue" and not name.startswith("jiyue."):
                continue
            if any(_private(part) for part in name.split(".")):
                found.append(f"{where}:{node.lineno} imports the private module {name}")
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            for a in names:
                if _private(a.name):
                    found.append(f"{where}:{node.lineno} imports {a.name} from {name}")
                elif f"{name}.{a.name}" in mods:
                    aliases[a.asname or a.name] = f"{name}.{a.name}"
        for n in ast.walk(tree):
            if isinstance(n, ast.Attribute) and _private(n.attr) and isinstance(n.value, ast.Name) \
                    and n.value.id in aliases and aliases[n.value.id] != m:
                found.append(f"{where}:{n.lineno} reads {n.value.id}.{n.attr} of {aliases[n.value.id]}")
    return found


# --------------------------------------------------------------------------- the rules
def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles (move the shared piece to the lower module): " + "; ".join(
        " ↔ ".join(c) for c in found)


def test_no_private_names_across_modules():
    found = private_uses()
    assert not found, "private names used across modules (make them public or move them):\n" + "\n".join(found)


# --------------------------------------------------------------------------- the checker itself
def _tree(tmp: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = tmp / "jiyue" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp


def test_a_cycle_through_a_function_local_import_is_found(tmp_path):
    src = _tree(tmp_path, {
        "__init__.py": "",
        "a.py": "from jiyue.b import f\n",
        "b.py": "def f():\n    from jiyue import a\n    return a\n",
        "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jiyue.d import X\n",
        "d.py": "import jiyue.c\n",
        "pkg/__init__.py": "",
        "pkg/e.py": "from . import f\n",
        "pkg/f.py": "from .e import g\n",
    })
    assert cycles(graph(src)) == [["jiyue.a", "jiyue.b"], ["jiyue.pkg.e", "jiyue.pkg.f"]]


def test_private_imports_of_every_form_are_found(tmp_path):
    src = _tree(tmp_path, {
        "__init__.py": "",
        "low.py": "_x = 1\ny = 2\n",
        "_hidden.py": "",
        "one.py": "from jiyue.low import (\n    y,\n    _x as z,\n)\n",
        "two.py": "def f():\n    from jiyue import _hidden\n",
        "three.py": "from jiyue import low\nprint(low._x)\n",
        "four.py": "from jiyue.low import y as _y\nimport jiyue.low as L\nprint(L.y)\n",
        "five.py": "_own = 1\nclass K:\n    _a = 1\nprint(K._a, _own)\n",
    })
    assert private_uses(src) == [
        "jiyue/one.py:1 imports _x from jiyue.low",
        "jiyue/three.py:2 reads low._x of jiyue.low",
        "jiyue/two.py:2 imports _hidden from jiyue",
    ]
