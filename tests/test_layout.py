"""The house's map matches its rooms: no import circle between the package's modules, every package imports on
its own, and the README's module table names every module that exists."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "grader"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """Every module of the package that ``path`` imports, at the top or inside a function (a lazy import closes
    a circle as surely as a top-level one); imports only for type checkers are left out."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking(node):
            for child in getattr(node, "orelse", []):
                visit(child)
            return
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_the_cycle_finder_finds_a_circle_through_a_lazy_import(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from a import x\n")
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n")
    known = {"a", "b", "c"}
    graph = {n: imports_of(tmp_path / f"{n}.py", n, known) for n in known}
    assert graph["c"] == set()
    assert cycles(graph) == [["a", "b"]]


def test_no_import_circle_between_modules_of_the_package() -> None:
    mods = modules()
    graph = {name: imports_of(path, name, set(mods)) for name, path in mods.items()}
    # a package's __init__ re-exporting its modules is not a circle with them
    for name in graph:
        graph[name] = {m for m in graph[name] if not (m.startswith(name + ".") and mods[name].name == "__init__.py")}
    assert cycles(graph) == []


PACKAGES = sorted({module_name(p.parent / "__init__.py") for p in PACKAGE.rglob("__init__.py")})


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_imports_on_its_own(package: str) -> None:
    """Each package's modules, imported in a fresh interpreter with nothing else of the grader loaded first."""
    names = [n for n in modules() if n == package or (n.startswith(package + ".") and n.count(".") ==
                                                            package.count(".") + 1)]
    code = f"import importlib\nfor n in {names!r}:\n    importlib.import_module(n)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def module_table() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("Inside `grader/`")
    end = text.index("\n## ", start)
    return text[start:end]


def test_the_readme_module_table_names_every_module() -> None:
    """A row per package (its first cell `pkg/`) names each of its modules; a top-level module has its own row."""
    rows = [line for line in module_table().splitlines() if line.startswith("| `")]
    by_first_cell: dict[str, str] = {}
    for row in rows:
        first = row.split("|")[1]
        for cell in re.findall(r"`([^`]+)`", first):
            by_first_cell[cell] = row
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.name == "__init__.py":
            if rel.parent != Path(".") and f"{rel.parent.as_posix()}/" not in by_first_cell:
                missing.append(f"{rel.parent.as_posix()}/")
            continue
        if len(rel.parts) == 1:
            if rel.name not in by_first_cell:
                missing.append(rel.as_posix())
            continue
        row = by_first_cell.get(f"{rel.parent.as_posix()}/", "")
        if f"`{rel.name}`" not in row:
            missing.append(rel.as_posix())
    listed_packages = [c for c in by_first_cell if c.endswith("/")]
    gone = [c for c in listed_packages if not (PACKAGE / c).is_dir()]
    gone += [c for c in by_first_cell if c.endswith(".py") and not (PACKAGE / c).is_file()]
    assert (missing, gone) == ([], [])
