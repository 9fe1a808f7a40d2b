"""nbgrader's own test notebooks (shipped in the installed package, ``nbgrader/tests/apps/files``), graded by plain
``nbgrader autograde`` and by ``grader autograde``: per-cell scores are equal, except where they differ on purpose,
and then this file says which way and why."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from .harness import FILES, Case, Graded, grade_both

pytestmark = pytest.mark.slow
UNCHANGED = FILES / "submitted-unchanged.ipynb"


def without_test_cells(path: Path) -> str:
    """A submission whose test cells were all deleted (a student's accident): nbgrader puts them back."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not (c.metadata.get("nbgrader", {}).get("grade")
                                           and not c.metadata.get("nbgrader", {}).get("solution"))]
    return nbformat.writes(nb)


SOURCES = {
    "ps1": {"p1.ipynb": UNCHANGED},
    "old": {"p1.ipynb": FILES / "test.ipynb"},
}
CASES = [
    Case("unchanged", "ps1", {"p1.ipynb": UNCHANGED}),
    Case("changed", "ps1", {"p1.ipynb": FILES / "submitted-changed.ipynb"}),
    Case("locked_changed", "ps1", {"p1.ipynb": FILES / "submitted-locked-cell-changed.ipynb"}),
    Case("grade_changed", "ps1", {"p1.ipynb": FILES / "submitted-grade-cell-changed.ipynb"}),
    Case("deleted_tests", "ps1", {"p1.ipynb": without_test_cells(UNCHANGED)}),
    Case("cheat", "ps1", {"p1.ipynb": FILES / "submitted-cheat-attempt.ipynb"}),
    Case("cheat_alternative", "ps1", {"p1.ipynb": FILES / "submitted-cheat-attempt-alternative.ipynb"}),
    Case("metadata_v2", "old", {"p1.ipynb": FILES / "test-v2.ipynb"}),
    Case("no_metadata", "old", {"p1.ipynb": FILES / "test-no-metadata.ipynb"}),
    Case("metadata_v0", "old", {"p1.ipynb": FILES / "test-v0.ipynb"}),
    Case("metadata_v1", "old", {"p1.ipynb": FILES / "test-v1.ipynb"}),
    Case("too_new", "old", {"p1.ipynb": FILES / "too-new.ipynb"}),
]
EQUAL = ["unchanged", "changed", "locked_changed", "grade_changed", "deleted_tests"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    return grade_both(tmp_path_factory.mktemp("files"), SOURCES, CASES)


@pytest.mark.parametrize("student", EQUAL)
def test_scores_equal_plain_nbgrader(graded: tuple, student: str) -> None:
    plain, ours, outcomes = graded
    assert plain[student] is not None
    assert ours[student] == plain[student]
    assert outcomes[student].status == "graded"


def test_deleted_test_cells_are_put_back_graded_and_flagged(graded: tuple) -> None:
    _, ours, outcomes = graded
    outcome = outcomes["deleted_tests"]
    assert outcome.status == "graded" and outcome.reason == ""
    assert sorted(f.split(":")[1].split()[0] for f in outcome.flags if f.startswith("deleted_cell_restored")) == [
        "bar", "foo"]
    assert ours["deleted_tests"]["foo"] == 1.0  # the honest student's passing test keeps its point


@pytest.mark.parametrize("student", ["cheat", "cheat_alternative"])
def test_hiding_tracebacks_is_caught_and_never_scores_above_nbgrader(graded: tuple, student: str) -> None:
    """On purpose: the cell that silences IPython's tracebacks (``showtraceback``) is tampering; every test cell
    after it scores 0 here (nbgrader leaves 'foo', a print, its point). Never more than nbgrader gives."""
    plain, ours, outcomes = graded
    assert outcomes[student].status == "tampering"
    assert any("showtraceback" in line for line in outcomes[student].evidence)
    for cell, score in ours[student].items():
        assert plain[student][cell] is None or (score or 0.0) <= plain[student][cell], cell
    assert ours[student]["bar"] == plain[student]["bar"] == 0.0


@pytest.mark.parametrize("student", ["metadata_v0", "metadata_v1", "metadata_v2", "no_metadata", "too_new"])
def test_a_notebook_nbgrader_cannot_take_is_invalid_with_a_reason(graded: tuple, student: str) -> None:
    """On purpose: plain nbgrader stops with a traceback and leaves the submission ungraded; here it is recorded
    as invalid_notebook with one sentence saying what to do, and its tests count 0 (never above nbgrader)."""
    plain, ours, outcomes = graded
    assert plain[student] is None or all(v is None for v in plain[student].values())
    outcome = outcomes[student]
    assert outcome.status == "invalid_notebook"
    assert outcome.reason and "\n" not in outcome.reason and "Traceback" not in outcome.reason
    assert all(score in (0.0, None) for score in ours[student].values())
