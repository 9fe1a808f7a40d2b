"""Cases nbgrader's shipped files miss, built here: partial credit as int, float, numpy scalar and 0-d tensor, a
number shown with display(), output before a number or an error, manual-graded markdown and code cells, two
notebooks in one assignment, a data file read by the notebook, nbformat 4.4 without cell ids and nbformat 3.
Per-cell scores equal plain nbgrader's, except stderr (not a failure here) and GPU cells (not run here), each
said below with the reason."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .harness import Case, Graded, grade_both

pytestmark = pytest.mark.slow


def meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
         points: float | None = None) -> dict:
    nb = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        nb["points"] = points
    return {"nbgrader": nb}


def checked(grade_id: str, source: str, points: float, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = new_code_cell(source, metadata=meta(grade_id, grade=True, locked=True, points=points))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


CHECKS = "checks = [x == 3, x > 0, x < 10]\n"
PARTIAL = [
    checked("p_int", CHECKS + "sum(int(c) for c in checks)", 3),
    checked("p_float", CHECKS + "1.5 * sum(checks) / len(checks)", 1.5),
    checked("p_numpy", "import numpy as np\n" + CHECKS + "np.float64(sum(checks))", 3),
    checked("p_tensor", "import torch\n" + CHECKS + "torch.tensor(float(sum(checks)))", 3),
    checked("p_display", "from IPython.display import display\n" + CHECKS + "display(sum(checks))", 3),
    checked("p_print_then_number", CHECKS + "print('checked', checks)\nsum(checks)", 3),
    checked("p_print_then_raise", "print('checking')\nassert x == 3, 'x should be 3'", 2),
    checked("p_semicolon", CHECKS + "sum(checks);", 3),
    checked("p_stderr", "import sys\nprint('a warning', file=sys.stderr)\nassert x > 0", 1),
    checked("p_gpu", "assert x > 0", 1, tags=("requires-gpu",)),
]


def source_notebook() -> nbformat.NotebookNode:
    return new_notebook(cells=[
        new_markdown_cell("# Generated", metadata=meta("intro", locked=True)),
        new_code_cell("x = 0\n### BEGIN SOLUTION\nx = 3\n### END SOLUTION", metadata=meta("answer", solution=True)),
        *PARTIAL,
        new_markdown_cell("YOUR ANSWER HERE", metadata=meta("essay", grade=True, solution=True, points=2)),
        new_code_cell("# YOUR CODE HERE\nraise NotImplementedError()",
                      metadata=meta("manual_code", grade=True, solution=True, points=2)),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def submission(x: int, *, answered: bool = True, minor: int = 5, version: int = 4):  # type: ignore[no-untyped-def]
    """The released notebook with ``x`` answered (and, if ``answered``, the manual cells written)."""

    def build(root: Path) -> str:
        nb = nbformat.read(root / "release" / "gen" / "gen.ipynb", as_version=4)
        for cell in nb.cells:
            name = cell.metadata.get("nbgrader", {}).get("grade_id")
            if name == "answer":
                cell.source = f"x = {x}"
            elif name == "essay" and answered:
                cell.source = "I learnt that partial credit is the cell's value."
            elif name == "manual_code" and answered:
                cell.source = "y = x * 2"
        if version == 3:
            return nbformat.writes(nbformat.convert(nb, 3), version=3)
        if minor < 5:
            nb.nbformat_minor = minor
            for cell in nb.cells:
                cell.pop("id", None)
        return nbformat.writes(nb)

    return build


def two_notebooks(first: int, second: int):  # type: ignore[no-untyped-def]
    def build(name: str, value: int):  # type: ignore[no-untyped-def]
        def read(root: Path) -> str:
            nb = nbformat.read(root / "release" / "two" / name, as_version=4)
            nb.cells[0].source = f"x = {value}"
            return nbformat.writes(nb)
        return read
    return {"a.ipynb": build("a.ipynb", first), "b.ipynb": build("b.ipynb", second)}


def small(value_cell: str, test_source: str, points: float, suffix: str) -> nbformat.NotebookNode:
    return new_notebook(cells=[new_code_cell(value_cell, metadata=meta(f"answer_{suffix}", solution=True)),
                               checked(f"check_{suffix}", test_source, points)])


DATA = "id,value\n1,10\n2,32\n"
SOURCES = {
    "gen": {"gen.ipynb": nbformat.writes(source_notebook())},
    "two": {"a.ipynb": nbformat.writes(small("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "x", 2, "a")),
            "b.ipynb": nbformat.writes(small("### BEGIN SOLUTION\nx = 2\n### END SOLUTION", "float(x)", 2, "b"))},
    "data": {"data.ipynb": nbformat.writes(small(
        "import csv\n### BEGIN SOLUTION\ntotal = sum(int(r['value']) for r in csv.DictReader(open('table.csv')))\n"
        "### END SOLUTION", "assert total == 42", 1, "data")), "table.csv": DATA},
}
CASES = [
    Case("right", "gen", {"gen.ipynb": submission(3)}),
    Case("partly", "gen", {"gen.ipynb": submission(20)}),
    Case("wrong", "gen", {"gen.ipynb": submission(-1, answered=False)}),
    Case("nbformat44", "gen", {"gen.ipynb": submission(20, minor=4)}),
    Case("nbformat3", "gen", {"gen.ipynb": submission(20, version=3)}),
    Case("two_notebooks", "two", two_notebooks(1, 0)),
    Case("data_right", "data", {"data.ipynb": lambda root: (root / "source" / "data" / "data.ipynb").read_text(),
                                "table.csv": DATA}),
    Case("data_wrong", "data", {"data.ipynb": lambda root: (root / "source" / "data" / "data.ipynb").read_text(),
                                "table.csv": "id,value\n1,1\n"}),
]
# Where the two differ on purpose: (cell, nbgrader's score, ours, why)
ON_PURPOSE = {
    "p_stderr": "nbgrader scores 0 any cell that wrote to stderr; torch writes warnings there from correct code, "
                "so here only an error fails a cell (StderrIsNotFailure)",
    "p_gpu": "a cell tagged requires-gpu is not run where there is no GPU: 0 here, left out of the maximum and "
             "flagged (GpuPolicy 'skip'); nbgrader runs it on the CPU",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    return grade_both(tmp_path_factory.mktemp("generated"), SOURCES, CASES)


@pytest.mark.parametrize("student", [c.student for c in CASES])
def test_scores_equal_plain_nbgrader_except_where_said(graded: tuple, student: str) -> None:
    plain, ours, outcomes = graded
    assert plain[student] is not None and ours[student] is not None
    same = {cell: score for cell, score in ours[student].items() if cell not in ON_PURPOSE}
    assert same == {cell: score for cell, score in plain[student].items() if cell not in ON_PURPOSE}
    assert outcomes[student].status == "graded", outcomes[student].reason


def test_partial_credit_is_the_cells_value(graded: tuple) -> None:
    _, ours, _ = graded
    assert {k: v for k, v in ours["partly"].items() if k.startswith("p_")} == {
        "p_int": 1.0, "p_float": 0.5, "p_print_then_number": 1.0,
        # nbgrader reads the value's text: 'np.float64(1.0)' (numpy 2) and 'tensor(1.)' are no numbers to it, so
        # full credit; a course author ends a partial-credit cell with float(...) (docs/authoring.md)
        "p_numpy": 3.0, "p_tensor": 3.0,
        "p_display": 3.0,  # display() is not the cell's value: full credit, as in nbgrader
        "p_print_then_raise": 0.0,
        "p_semicolon": 3.0,  # a trailing ';' hides the value: full credit, as in nbgrader
        "p_stderr": 1.0, "p_gpu": 0.0}
    assert ours["right"]["p_int"] == 3.0 and ours["wrong"]["p_int"] == 1.0


def test_manual_cells_wait_for_a_person_unless_left_unanswered(graded: tuple) -> None:
    plain, ours, _ = graded
    assert ours["right"]["essay"] is None and ours["right"]["manual_code"] is None
    assert ours["wrong"]["essay"] == plain["wrong"]["essay"] == 0.0
    assert ours["wrong"]["manual_code"] == plain["wrong"]["manual_code"] == 0.0


def test_the_differences_on_purpose_go_the_way_this_file_says(graded: tuple) -> None:
    plain, ours, outcomes = graded
    assert (plain["right"]["p_stderr"], ours["right"]["p_stderr"]) == (0.0, 1.0)
    assert (plain["right"]["p_gpu"], ours["right"]["p_gpu"]) == (1.0, 0.0)
    assert any(flag.startswith("gpu_skipped") for flag in outcomes["right"].flags)
    assert outcomes["right"].cells["p_gpu"]["gpu_skipped"] is True


def test_two_notebooks_and_a_data_file(graded: tuple) -> None:
    _, ours, _ = graded
    assert ours["two_notebooks"] == {"check_a": 1.0, "check_b": 0.0}
    # a data file the student changed does not count: nbgrader grades with the release's copy ("master version")
    assert ours["data_right"] == {"check_data": 1.0} and ours["data_wrong"] == {"check_data": 1.0}
