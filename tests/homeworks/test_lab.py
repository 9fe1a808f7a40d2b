"""The authoring lab itself, on the tiny fixture assignment (no torch training, seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from homework_lab import AssignmentLab, assert_full_marks, assert_only_lost

from grader.authoring import Replace
from grader.errors import GraderError

TINY = Path(__file__).resolve().parents[1] / "files" / "tiny"
pytestmark = pytest.mark.slow  # grades real notebooks through nbgrader


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> AssignmentLab:
    return AssignmentLab("tiny", tmp_path_factory.mktemp("tiny"), source_root=TINY, gpu_available=False)


def test_reference_gets_full_marks_and_warnings_do_not_zero_a_cell(lab: AssignmentLab) -> None:
    graded = lab.reference()
    assert_full_marks(lab, graded)
    assert graded.full("test_add_warns")


def test_gpu_cell_is_not_run_without_a_gpu(lab: AssignmentLab) -> None:
    assert lab.reference().zero("test_add_gpu")


def test_manual_answer_is_pending_not_zero(lab: AssignmentLab) -> None:
    assert lab.reference().score("conclusions") is None


def test_unchanged_release_scores_zero(lab: AssignmentLab) -> None:
    assert lab.unchanged_release().auto_total == 0


def test_wrong_solution_loses_only_the_hidden_test(lab: AssignmentLab) -> None:
    graded = lab.grade("abs_bug", {"add": Replace("a + b", "abs(a) + b")})
    assert_only_lost(lab, graded, {"test_add"})


def test_edit_that_does_not_apply_is_an_error(lab: AssignmentLab) -> None:
    with pytest.raises(GraderError, match="does not apply"):
        lab.grade("bad_edit", {"add": Replace("a * b", "0")})
