"""The static scan of the student's own cells: each pattern of tampering is named with its cell and line;
ordinary code, test cells and locked cells give nothing."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from grader.autograde.static_scan import scan_notebook


def student_cell(source: str, name: str = "answer") -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": name}})


def scan(*sources: str) -> list[str]:
    return scan_notebook(new_notebook(cells=[student_cell(s, f"c{i}") for i, s in enumerate(sources)]))


def test_ordinary_code_gives_nothing() -> None:
    assert scan("import torch\nx = torch.ones(3)\nassert torch.allclose(x, x)\n",
                "class A:\n    def __eq__(self, other):\n        return self.v == other.v\n",
                "%matplotlib inline\n!ls\ny = 1\n") == []


def test_transformers_and_the_guard_are_named_with_cell_and_line() -> None:
    hits = scan("a = 1\nget_ipython().input_transformers_post.append(f)\n", "print(__grader_guard__)\n")
    assert hits[0].startswith("c0, line 2: changes IPython's input/AST transformers")
    assert hits[1].startswith("c1, line 1: touches the grader's guard")


def test_an_always_true_eq_is_named() -> None:
    assert scan("class A:\n    def __eq__(self, other):\n        return True\n") == [
        "c0, line 2: __eq__ that always returns True"]
    assert scan("class A:\n    __eq__ = lambda self, o: True\n") == ["c0, line 2: __eq__ = lambda ...: True"]


def test_patching_a_check_function_is_named() -> None:
    hits = scan("import math, torch\nmath.isclose = lambda *a, **k: True\nsetattr(torch, 'allclose', f)\n")
    assert hits == ["c0, line 2: assigns math.isclose (monkeypatching a function tests rely on)",
                    "c0, line 3: setattr on torch (monkeypatching)"]


def test_looking_for_the_gradebook_is_named() -> None:
    assert scan("open('../../gradebook.db')\n")[0].startswith("c0, line 1: looks for the gradebook or the source")


def test_test_and_locked_cells_are_not_scanned() -> None:
    test = new_code_cell("math.isclose = f", metadata={"nbgrader": {"grade": True, "solution": False,
                                                                     "grade_id": "t", "points": 1}})
    locked = new_code_cell("math.isclose = f", metadata={"nbgrader": {"locked": True, "grade_id": "l"}})
    assert scan_notebook(new_notebook(cells=[test, locked])) == []


def test_a_cell_that_does_not_parse_is_still_scanned_by_pattern() -> None:
    assert scan("def broken(:\n    __grader_guard__\n") == ["c0, line 2: touches the grader's guard "
                                                            "('__grader_guard__')"]
