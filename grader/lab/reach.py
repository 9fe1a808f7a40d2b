"""Which test cells can see a line of the reference: a static, conservative map of names.

Every top-level statement of every code cell is a unit that defines names (``def``, ``class``, assignments,
imports) and uses names (anywhere inside it, function bodies included); a test cell is one unit. A test cell
reaches a unit when it uses a name the unit defines, or uses a unit that does, and so on. A name defined in
several places reaches all of them, and a local variable that shares a global's name counts as a use: the map
errs on the side of "reached", so a line is called GPU-only only when no CPU test cell can reach it at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from grader.lab.operators import mask_magics


@dataclass
class Unit:
    cell: str
    first: int
    last: int
    defines: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Cell:
    """A code cell as the map sees it: its grade id (or position), source, and what kind of test it is."""

    name: str
    source: str
    test: str = ""  # "cpu", "gpu" or "" (not a test cell)


def _defined(node: ast.AST) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _units(cell: Cell) -> list[Unit]:
    try:
        tree = ast.parse(mask_magics(cell.source))
    except SyntaxError:
        return []
    if cell.test:
        return [Unit(cell.name, 1, cell.source.count("\n") + 1, set(), _used(tree))]
    return [Unit(cell.name, stmt.lineno, stmt.end_lineno or stmt.lineno, _defined(stmt), _used(stmt))
            for stmt in tree.body]


class ReachMap:
    """Which kinds of test cell ("cpu", "gpu") reach each line of each cell."""

    def __init__(self, cells: Iterable[Cell]) -> None:
        cells = list(cells)
        self.units: list[Unit] = []
        kinds: list[str] = []
        for cell in cells:
            for unit in _units(cell):
                self.units.append(unit)
                kinds.append(cell.test)
        by_name: dict[str, list[int]] = {}
        for index, unit in enumerate(self.units):
            for name in unit.defines:
                by_name.setdefault(name, []).append(index)
        self.reached: dict[int, set[str]] = {i: set() for i in range(len(self.units))}
        for start, kind in enumerate(kinds):
            if not kind:
                continue
            seen, stack = {start}, [start]
            while stack:
                for name in self.units[stack.pop()].uses:
                    for other in by_name.get(name, ()):
                        if other not in seen:
                            seen.add(other)
                            stack.append(other)
            for index in seen:
                self.reached[index].add(kind)

    def kinds(self, cell: str, line: int) -> set[str]:
        """The kinds of test cell that reach ``line`` of ``cell`` (empty: no test cell reaches it)."""
        for index, unit in enumerate(self.units):
            if unit.cell == cell and unit.first <= line <= unit.last:
                return self.reached[index]
        return set()

    def gpu_only(self, cell: str, line: int) -> bool:
        return self.kinds(cell, line) == {"gpu"}
