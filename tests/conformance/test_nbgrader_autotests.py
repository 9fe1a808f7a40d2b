"""nbgrader's own notebooks for autotests, hidden tests, side effects, relative files and zero points, graded by
plain ``nbgrader autograde`` and by ``grader autograde``: per-cell scores are equal."""

from __future__ import annotations

import pytest

from .harness import FILES, Case, Graded, grade_both

pytestmark = pytest.mark.slow

SOURCES = {
    "simple": {"p1.ipynb": FILES / "autotest-simple.ipynb"},
    "hashed": {"p1.ipynb": FILES / "autotest-hashed.ipynb"},
    "multi": {"p1.ipynb": FILES / "autotest-multi.ipynb"},
    "hidden": {"p1.ipynb": FILES / "autotest-hidden.ipynb"},
    "hiddentests": {"p1.ipynb": FILES / "test-hidden-tests.ipynb"},
    "side": {"p1.ipynb": FILES / "side-effects.ipynb"},
    "relative": {"p1.ipynb": FILES / "open_relative_file.ipynb", "data.txt": FILES / "data.txt"},
    "zero": {"p1.ipynb": FILES / "validation-zero-points.ipynb"},
}
CASES = [
    Case("simple_unchanged", "simple", {"p1.ipynb": FILES / "autotest-simple-unchanged.ipynb"}),
    Case("simple_changed", "simple", {"p1.ipynb": FILES / "autotest-simple-changed.ipynb"}),
    Case("hashed_unchanged", "hashed", {"p1.ipynb": FILES / "autotest-hashed-unchanged.ipynb"}),
    Case("hashed_changed", "hashed", {"p1.ipynb": FILES / "autotest-hashed-changed.ipynb"}),
    Case("multi_unchanged", "multi", {"p1.ipynb": FILES / "autotest-multi-unchanged.ipynb"}),
    Case("multi_changed", "multi", {"p1.ipynb": FILES / "autotest-multi-changed.ipynb"}),
    Case("hidden_unchanged", "hidden", {"p1.ipynb": FILES / "autotest-hidden-unchanged.ipynb"}),
    Case("hidden_wrong", "hidden", {"p1.ipynb": FILES / "autotest-hidden-changed-wrong.ipynb"}),
    Case("hidden_right", "hidden", {"p1.ipynb": FILES / "autotest-hidden-changed-right.ipynb"}),
    Case("hidden_tests_solved", "hiddentests", {"p1.ipynb": FILES / "test-hidden-tests.ipynb"}),
    Case("side_effects", "side", {"p1.ipynb": FILES / "side-effects.ipynb"}),
    Case("relative_file", "relative", {"p1.ipynb": FILES / "open_relative_file.ipynb", "data.txt": FILES / "data.txt"}),
    Case("zero_points", "zero", {"p1.ipynb": FILES / "validation-zero-points.ipynb"}),
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    return grade_both(tmp_path_factory.mktemp("autotests"), SOURCES, CASES,
                      course_files={"autotests.yml": FILES / "autotests.yml"})


@pytest.mark.parametrize("student", [c.student for c in CASES])
def test_scores_equal_plain_nbgrader(graded: tuple, student: str) -> None:
    plain, ours, outcomes = graded
    assert plain[student] is not None
    assert ours[student] == plain[student]
    assert outcomes[student].status == "graded", outcomes[student].reason


def test_the_cases_can_tell_right_from_wrong(graded: tuple) -> None:
    """The comparison means something: these cases score differently from each other."""
    _, ours, _ = graded
    assert ours["simple_unchanged"] != ours["simple_changed"]
    assert ours["hidden_wrong"] != ours["hidden_right"]
