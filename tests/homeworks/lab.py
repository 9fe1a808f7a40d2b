"""A scratch course for proving an assignment's tests: grade the reference solution, the released notebook
and variants of the reference through nbgrader's real autograde, and read per-cell scores back.

Used by every homework's tests (and by any course author checking their hidden tests)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from grader.authoring import Edit, build_submission, grade_id
from grader.autograde.job import run_job
from grader.autograde.nbgrader_api import cuda_available
from grader.autograde.orchestrate import plan
from grader.autograde.record import record_outcome
from grader.autograde.records import JobOutcome
from grader.course import CONFIG_NAME, CourseFolder, open_course
from grader.gradebook import SubmissionScores, read_submission
from grader.release import release_assignment
from grader.sandbox.bwrap import sandbox_problem

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Graded:
    scores: SubmissionScores
    seconds: float
    outcome: JobOutcome

    def score(self, cell: str) -> float | None:
        return self.scores.cells[cell].score

    def full(self, cell: str) -> bool:
        c = self.scores.cells[cell]
        return c.score is not None and abs(c.score - c.max_score) < 1e-9

    def zero(self, cell: str) -> bool:
        return self.scores.cells[cell].score == 0

    @property
    def auto_cells(self) -> list[str]:
        return [name for name, c in self.scores.cells.items() if c.auto]

    @property
    def auto_total(self) -> float:
        return sum(c.score or 0.0 for c in self.scores.cells.values() if c.auto)


class AssignmentLab:
    """One assignment copied into a scratch course, released once, graded per variant."""

    def __init__(self, assignment: str, workdir: Path, *, source_root: Path = REPO,
                 gpu_available: bool | None = None) -> None:
        self.assignment = assignment
        self.workdir = workdir
        self.gpu_available = gpu_available
        shutil.copy(source_root / CONFIG_NAME, workdir / CONFIG_NAME)
        shutil.copytree(source_root / "source" / assignment, workdir / "source" / assignment)
        (workdir / "gradebook").mkdir(exist_ok=True)
        self.course: CourseFolder = open_course(workdir)
        release_assignment(self.course, assignment)
        self.release_dir = self.course.release(assignment)
        self.notebooks = sorted(p.name for p in self.release_dir.glob("*.ipynb"))
        self._cache: dict[str, Graded] = {}

    def source_notebook(self, name: str | None = None) -> nbformat.NotebookNode:
        return nbformat.read(self.course.source(self.assignment) / (name or self.notebooks[0]), as_version=4)

    def released_notebook(self, name: str | None = None) -> nbformat.NotebookNode:
        return nbformat.read(self.release_dir / (name or self.notebooks[0]), as_version=4)

    def grade_ids(self) -> list[str]:
        return [g for g in (grade_id(c) for c in self.source_notebook().cells) if g]

    def grade_notebook(self, student: str, notebook: nbformat.NotebookNode) -> Graded:
        """Submit ``notebook`` (with the release's other files) as ``student`` and autograde it."""
        target = self.course.submitted(student, self.assignment)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.release_dir, target)
        nbformat.write(notebook, target / self.notebooks[0])
        (target / "timestamp.txt").write_text("2026-09-01 12:00:00.000000 UTC\n")
        start = time.perf_counter()
        # The production path: one job of 'grader autograde' (sandbox and guard included), then its record.
        jobs, _ = plan(self.course, self.assignment, [student], force=True, sandbox=sandbox_problem() is None,
                       wall_seconds=600, cell_timeout=120)
        gpu = cuda_available() if self.gpu_available is None else self.gpu_available
        outcome = run_job(replace(jobs[0], gpu=gpu))
        record_outcome(self.course, outcome)
        seconds = time.perf_counter() - start
        scores = read_submission(self.course.gradebook_url, self.assignment, student)
        assert scores is not None, f"nbgrader recorded no submission for {student}: {outcome.reason}"
        return Graded(scores, seconds, outcome)

    def grade(self, student: str, edits: Mapping[str, Edit] | None = None) -> Graded:
        """Grade the reference solution with ``edits`` applied (None: the reference itself). Cached by name."""
        if student not in self._cache:
            nb = build_submission(self.source_notebook(), self.released_notebook(), edits)
            self._cache[student] = self.grade_notebook(student, nb)
        return self._cache[student]

    def reference(self) -> Graded:
        return self.grade("reference")

    def unchanged_release(self) -> Graded:
        if "release" not in self._cache:
            self._cache["release"] = self.grade_notebook("release", self.released_notebook())
        return self._cache["release"]


def gpu_cells(lab: AssignmentLab) -> set[str]:
    """Grade ids of the test cells tagged ``requires-gpu``."""
    tag = lab.course.settings.gpu_tag
    return {gid for c in lab.source_notebook().cells
            if (gid := grade_id(c)) and tag in c.get("metadata", {}).get("tags", [])}


def skipped_here(lab: AssignmentLab) -> set[str]:
    """GPU cells that cannot pass on this machine (no CUDA): excluded from 'full marks' checks."""
    gpu = cuda_available() if lab.gpu_available is None else lab.gpu_available
    return set() if gpu else gpu_cells(lab)


def assert_full_marks(lab: AssignmentLab, graded: Graded) -> None:
    """Every autograded cell (but GPU cells where no GPU is) at full marks, graded with nothing flagged."""
    assert graded.outcome.status == "graded", (graded.outcome.status, graded.outcome.reason)
    assert not graded.outcome.evidence, graded.outcome.evidence
    skip = skipped_here(lab)
    failed = {c: graded.score(c) for c in graded.auto_cells if c not in skip and not graded.full(c)}
    assert not failed, f"cells below full marks: {failed}"


def assert_only_lost(lab: AssignmentLab, graded: Graded, lost: set[str]) -> None:
    """The cells in ``lost`` score below full (0 or partial); every other autograded cell keeps full marks."""
    skip = skipped_here(lab)
    unknown = lost - set(graded.auto_cells)
    assert not unknown, f"not autograded cells: {unknown}"
    kept = {c for c in lost if graded.full(c)}
    assert not kept, f"these cells should have lost points but kept them: {kept}"
    broken = {c: graded.score(c) for c in graded.auto_cells if c not in lost | skip and not graded.full(c)}
    assert not broken, f"cells that should have kept full marks lost points: {broken}"
