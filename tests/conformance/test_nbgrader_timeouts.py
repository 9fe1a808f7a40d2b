"""nbgrader's infinite-loop and timeout notebooks under a 2-second cell limit (``c.Execute.timeout``, read from
the course's own nbgrader_config.py by both): per-cell scores are equal, and the status says timeout."""

from __future__ import annotations

import pytest

from .harness import FILES, Case, Graded, grade_both

pytestmark = pytest.mark.slow

SOURCES = {"loop": {"p1.ipynb": FILES / "infinite-loop.ipynb"},
           "loopout": {"p1.ipynb": FILES / "infinite-loop-with-output.ipynb"},
           "timeout": {"p1.ipynb": FILES / "timeout.ipynb"}}
CASES = [Case("loop", "loop", {"p1.ipynb": FILES / "infinite-loop.ipynb"}),
         Case("loop_output", "loopout", {"p1.ipynb": FILES / "infinite-loop-with-output.ipynb"}),
         Case("slow_cell", "timeout", {"p1.ipynb": FILES / "timeout.ipynb"})]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    return grade_both(tmp_path_factory.mktemp("timeouts"), SOURCES, CASES, extra_config="c.Execute.timeout = 2")


@pytest.mark.parametrize("student", [c.student for c in CASES])
def test_scores_equal_plain_nbgrader(graded: tuple, student: str) -> None:
    plain, ours, _ = graded
    assert plain[student] is not None
    assert ours[student] == plain[student]


def test_a_cell_over_its_time_limit_scores_0_with_status_timeout(graded: tuple) -> None:
    _, ours, outcomes = graded
    assert ours["slow_cell"] == {"correct_squares": 0.0}
    assert outcomes["slow_cell"].status == "timeout" and "correct_squares" in outcomes["slow_cell"].reason
