"""A static look at the student's own cells for code that tampers with grading.

The runtime guard catches tampering as it happens; this scan catches the intent even where the guard could be
evaded, and names the line. Only high-confidence patterns are listed: each hit flags the submission for review.
"""

from __future__ import annotations

import ast
import re

from nbformat.notebooknode import NotebookNode

PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(input_transformers_(post|cleanup)|input_transformer_manager|ast_transformers)\b"),
     "changes IPython's input/AST transformers"),
    (re.compile(r"\b__grader_guard__\b|\bGRADER-(END|TAMPERING)\b|\bguard\._state\b|\bmodules\[.guard.\]"),
     "touches the grader's guard"),
    (re.compile(r"\bevents\.(unregister|callbacks)\b"), "changes IPython's cell events"),
    (re.compile(r"\b(display_formatter|displayhook)\b"), "changes how a cell's value is shown (its partial credit)"),
    (re.compile(r"\b(gradebook\.db|nbgrader_config\.py|/source/hw\d)"), "looks for the gradebook or the source"),
    (re.compile(r"\bsys\.modules\[.(math|torch|numpy)"), "swaps a module that tests rely on"),
]
WATCHED_TARGETS = re.compile(
    r"^(math\.(isclose|isnan|isfinite)|np\.|numpy\.|torch\.(allclose|isclose|equal|all|any|testing|Tensor\.)"
    r"|builtins\.|F\.)")


def _is_true_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _always_true_eq(tree: ast.AST) -> list[str]:
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "__eq__":
            returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
            if returns and all(r.value is not None and _is_true_constant(r.value) for r in returns):
                hits.append(f"line {node.lineno}: __eq__ that always returns True")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "__eq__" and isinstance(node.value, ast.Lambda) \
                        and _is_true_constant(node.value.body):
                    hits.append(f"line {node.lineno}: __eq__ = lambda ...: True")
    return hits


def _patches(tree: ast.AST) -> list[str]:
    hits = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute):
                text = ast.unparse(target)
                if WATCHED_TARGETS.match(text):
                    hits.append(f"line {node.lineno}: assigns {text} (monkeypatching a function tests rely on)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                and node.args and ast.unparse(node.args[0]) in ("math", "torch", "np", "numpy", "builtins",
                                                                "torch.Tensor", "F", "torch.testing"):
            hits.append(f"line {node.lineno}: setattr on {ast.unparse(node.args[0])} (monkeypatching)")
    return hits


def scan_notebook(nb: NotebookNode) -> list[str]:
    """Evidence lines for every student-editable code cell (test and locked cells are restored anyway)."""
    evidence = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")) or meta.get("locked"):
            continue
        cell_name = meta.get("grade_id") or "unnamed cell"
        for pattern, what in PATTERNS:
            for match in pattern.finditer(cell.source):
                line = cell.source[: match.start()].count("\n") + 1
                evidence.append(f"{cell_name}, line {line}: {what} ({match.group(0)!r})")
        try:
            tree = ast.parse("\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        evidence += [f"{cell_name}, {hit}" for hit in _always_true_eq(tree) + _patches(tree)]
    return evidence
