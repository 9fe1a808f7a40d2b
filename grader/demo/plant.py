"""What copiers do to a solution, as functions on one cell's code: for the tests, the benchmark and the demo's
planted copy. Each keeps the code valid Python (when it was) and changes only what it says."""

from __future__ import annotations

import ast
import io
import random
import tokenize
from collections.abc import Callable

from grader.similarity.normalize import KEEP_NAMES


def _defined(tree: ast.Module, keep: frozenset[str]) -> list[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg) and node.arg not in ("self", "cls"):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("__"):
            names.add(node.name)
    return sorted(names - keep - KEEP_NAMES)


def rename(code: str, keep: frozenset[str] = frozenset(), seed: int = 0) -> str:
    """Every name the code defines (variables, parameters, helpers; not ``keep``, the names tests call) renamed."""
    tree = ast.parse(code)
    rng = random.Random(seed)
    mapping = {n: f"{rng.choice(['val', 'tmp', 'my', 'q', 'z'])}_{i}" for i, n in enumerate(_defined(tree, keep))}
    lines = code.splitlines(keepends=True)
    edits = []
    previous = ""
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.NAME and tok.string in mapping and previous != ".":
            edits.append((tok.start, tok.end, mapping[tok.string]))
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            previous = tok.string
    for (row, col), (_, end), new in reversed(edits):
        lines[row - 1] = lines[row - 1][:col] + new + lines[row - 1][end:]
    return "".join(lines)


def _chunks(code: str) -> tuple[list[str], ast.Module]:
    tree = ast.parse(code)
    lines = code.splitlines()
    chunks = []
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        chunks.append("\n".join(lines[first - 1:stmt.end_lineno]))
    return chunks, tree


def reorder(code: str) -> str:
    """Top-level statements in reverse order (definitions first where imports led)."""
    chunks, _ = _chunks(code)
    return "\n\n\n".join(reversed(chunks)) + "\n"


def reformat(code: str) -> str:
    """Re-printed by ``ast.unparse``: other quotes, parentheses, line breaks, spacing; comments gone."""
    return ast.unparse(ast.parse(code)).replace("    ", "  ") + "\n"


def _insert(code: str, where: Callable[[ast.stmt], list[tuple[int, str]]]) -> str:
    """Insert (after line n, text) pairs, indented like the statement they follow."""
    tree = ast.parse(code)
    lines = code.splitlines()
    inserts: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            inserts += where(node)
    for line, text in sorted(inserts, key=lambda x: -x[0]):
        lines.insert(line, text)
    return "\n".join(lines) + "\n"


def _indent(node: ast.stmt) -> str:
    return " " * node.col_offset


def comment(code: str) -> str:
    """A comment before every statement inside functions, and a docstring in each function."""
    def where(node: ast.stmt) -> list[tuple[int, str]]:
        if isinstance(node, ast.FunctionDef):
            body = node.body[0]
            return [(body.lineno - 1, f'{_indent(body)}"""Compute {node.name} step by step (my own notes)."""'),
                    *((s.lineno - 1, f"{_indent(s)}# step {i}: here we do the next part") for i, s in
                      enumerate(node.body[1:], 1))]
        return []
    return _insert(code, where)


def prints(code: str) -> str:
    """A debugging print after every assignment."""
    def where(node: ast.stmt) -> list[tuple[int, str]]:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            return [(node.end_lineno or node.lineno, f"{_indent(node)}print('debug', {node.targets[0].id!r})")]
        return []
    return _insert(code, where)


def dead_code(code: str) -> str:
    """Unreachable blocks, unused variables and an unused helper function."""
    def where(node: ast.stmt) -> list[tuple[int, str]]:
        if isinstance(node, ast.FunctionDef):
            body = node.body[0]
            pad = _indent(body)
            return [(body.lineno - 1, f"{pad}if False:\n{pad}    scratch = [i * i for i in range(10)]\n"
                     f"{pad}    total = sum(scratch)\n{pad}unused_counter = 0")]
        return []
    extra = ("\n\ndef _unused_helper(values, factor=2):\n    result = []\n    for value in values:\n"
             "        result.append(value * factor + 1)\n    return result\n")
    return _insert(code, where) + extra


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "identical": lambda code: code,
    "rename": rename,
    "reorder": reorder,
    "reformat": reformat,
    "comment": comment,
    "prints": prints,
    "dead_code": dead_code,
}


def disguise(code: str, keep: frozenset[str] = frozenset(), seed: int = 0) -> str:
    """Everything at once: renamed, reordered, reformatted, commented, with prints and dead code."""
    code = rename(code, keep, seed)
    return dead_code(prints(comment(reformat(reorder(code)))))


def apply(name: str, code: str, keep: frozenset[str] = frozenset(), seed: int = 0) -> str:
    """Transformation ``name`` on one cell's code; code that does not parse is returned unchanged."""
    try:
        if name == "rename":
            return rename(code, keep, seed)
        if name == "all":
            return disguise(code, keep, seed)
        return TRANSFORMS[name](code)
    except SyntaxError:
        return code
