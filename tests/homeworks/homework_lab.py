"""The homework tests' view of the authoring lab (``grader/lab/course.py``): the same names, the repository as
the default course, and the two assertions every homework test makes."""

from __future__ import annotations

from pathlib import Path

from grader.lab import course as _course
from grader.lab.course import Graded, gpu_cells, skipped_here

REPO = Path(__file__).resolve().parents[2]

__all__ = ["REPO", "AssignmentLab", "Graded", "assert_full_marks", "assert_only_lost", "gpu_cells", "skipped_here"]


class AssignmentLab(_course.AssignmentLab):
    """``grader.lab.course.AssignmentLab`` with this repository as the default course."""

    def __init__(self, assignment: str, workdir: Path, *, source_root: Path = REPO,
                 gpu_available: bool | None = None) -> None:
        super().__init__(assignment, workdir, source_root=source_root, gpu_available=gpu_available)


def assert_full_marks(lab: _course.AssignmentLab, graded: Graded) -> None:
    """Every autograded cell (but GPU cells where no GPU is) at full marks, graded with nothing flagged."""
    assert graded.outcome.status == "graded", (graded.outcome.status, graded.outcome.reason)
    assert not graded.outcome.evidence, graded.outcome.evidence
    skip = skipped_here(lab)
    failed = {c: graded.score(c) for c in graded.auto_cells if c not in skip and not graded.full(c)}
    assert not failed, f"cells below full marks: {failed}"


def assert_only_lost(lab: _course.AssignmentLab, graded: Graded, lost: set[str]) -> None:
    """The cells in ``lost`` score below full (0 or partial); every other autograded cell keeps full marks."""
    skip = skipped_here(lab)
    unknown = lost - set(graded.auto_cells)
    assert not unknown, f"not autograded cells: {unknown}"
    kept = {c for c in lost if graded.full(c)}
    assert not kept, f"these cells should have lost points but kept them: {kept}"
    broken = {c: graded.score(c) for c in graded.auto_cells if c not in lost | skip and not graded.full(c)}
    assert not broken, f"cells that should have kept full marks lost points: {broken}"
