"""A scratch course for proving an assignment's tests: grade the reference solution, the released notebook
and variants of the reference through the production path of ``grader autograde`` (one job: nbgrader's
autograde, sandboxed kernel, guard; then its record), and read per-cell scores back.

Used by every homework's tests (``tests/homeworks/``), by ``grader lab mutate`` and by any course author checking
their hidden tests. Nothing in the course itself is touched: the assignment is copied into ``workdir``."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from grader.authoring import Edit, build_submission, grade_id
from grader.autograde.job import run_job
from grader.autograde.nbgrader_api import cuda_available
from grader.autograde.orchestrate import autograde, plan
from grader.autograde.record import record_outcome
from grader.autograde.records import JobOutcome
from grader.course import CONFIG_NAME, CourseFolder, open_course
from grader.errors import GraderError
from grader.gradebook import SubmissionScores, read_submission
from grader.release import release_assignment
from grader.sandbox.bwrap import sandbox_problem

SUBMITTED_AT = "2026-09-01 12:00:00.000000 UTC\n"  # any time: the lab never applies a late policy


@dataclass(frozen=True)
class Graded:
    """One graded variant: nbgrader's per-cell scores, the wall time, and the job's outcome."""

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
    """One assignment copied from ``source_root`` (a course folder) into a scratch course, released once,
    graded per variant."""

    def __init__(self, assignment: str, workdir: Path, *, source_root: Path,
                 gpu_available: bool | None = None) -> None:
        self.assignment = assignment
        self.workdir = workdir
        self.gpu_available = gpu_available
        if not (source_root / "source" / assignment).is_dir():
            raise GraderError(f"{source_root / 'source' / assignment} does not exist: name an assignment of the "
                              "course")
        shutil.copy(source_root / CONFIG_NAME, workdir / CONFIG_NAME)
        shutil.copytree(source_root / "source" / assignment, workdir / "source" / assignment)
        (workdir / "gradebook").mkdir(exist_ok=True)
        self.course: CourseFolder = open_course(workdir)
        release_assignment(self.course, assignment)
        self.release_dir = self.course.release(assignment)
        self.notebooks = sorted(p.name for p in self.release_dir.glob("*.ipynb"))
        self._cache: dict[str, Graded] = {}

    @property
    def gpu(self) -> bool:
        """Whether GPU-tagged cells run here (CUDA present, unless the lab was told otherwise)."""
        return cuda_available() if self.gpu_available is None else self.gpu_available

    def source_notebook(self, name: str | None = None) -> nbformat.NotebookNode:
        return nbformat.read(self.course.source(self.assignment) / (name or self.notebooks[0]), as_version=4)

    def released_notebook(self, name: str | None = None) -> nbformat.NotebookNode:
        return nbformat.read(self.release_dir / (name or self.notebooks[0]), as_version=4)

    def grade_ids(self) -> list[str]:
        return [g for g in (grade_id(c) for c in self.source_notebook().cells) if g]

    def variant(self, edits: Mapping[str, Edit] | None = None) -> nbformat.NotebookNode:
        """The reference solution with ``edits`` applied (None: the reference itself), as a student's notebook."""
        return build_submission(self.source_notebook(), self.released_notebook(), edits)

    def submit(self, student: str, notebook: nbformat.NotebookNode) -> None:
        """Put ``notebook`` (with the release's other files) in ``submitted/<student>/<assignment>``."""
        target = self.course.submitted(student, self.assignment)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.release_dir, target)
        nbformat.write(notebook, target / self.notebooks[0])
        (target / "timestamp.txt").write_text(SUBMITTED_AT)

    def grade_notebook(self, student: str, notebook: nbformat.NotebookNode) -> Graded:
        """Submit ``notebook`` as ``student`` and autograde it."""
        self.submit(student, notebook)
        start = time.perf_counter()
        # The production path: one job of 'grader autograde' (sandbox and guard included), then its record.
        jobs, _ = plan(self.course, self.assignment, [student], force=True, sandbox=sandbox_problem() is None,
                       wall_seconds=600, cell_timeout=120)
        outcome = run_job(replace(jobs[0], gpu=self.gpu))
        record_outcome(self.course, outcome)
        seconds = time.perf_counter() - start
        scores = read_submission(self.course.gradebook_url, self.assignment, student)
        if scores is None:
            raise GraderError(f"nbgrader recorded no submission for {student}: {outcome.status}, {outcome.reason}")
        return Graded(scores, seconds, outcome)

    def grade_batch(self, notebooks: Mapping[str, nbformat.NotebookNode], *, workers: int, wall_seconds: float,
                    progress: Callable[[JobOutcome, int, int], None] | None = None) -> dict[str, JobOutcome]:
        """Grade many submissions (student → notebook) as ``grader autograde`` does: its local process pool of
        ``workers``, each job sandboxed (where bubblewrap works) and recorded. GPU cells run only where CUDA is."""
        for student, notebook in notebooks.items():
            self.submit(student, notebook)
        if not notebooks:
            return {}
        summary = autograde(self.course, self.assignment, students=list(notebooks), workers=workers, force=True,
                            sandbox=sandbox_problem() is None, wall_seconds=wall_seconds, progress=progress)
        return {outcome.student: outcome for outcome in summary.outcomes}

    def grade(self, student: str, edits: Mapping[str, Edit] | None = None) -> Graded:
        """Grade the reference solution with ``edits`` applied (None: the reference itself). Cached by name."""
        if student not in self._cache:
            self._cache[student] = self.grade_notebook(student, self.variant(edits))
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
    return set() if lab.gpu else gpu_cells(lab)
