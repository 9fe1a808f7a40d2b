"""Before the deadline: a submission's visible tests, run as the batch runs them, as a report for the student.

    visible_job(course, student, assignment, ...) -> Job              the batch's job, ``tests="visible"``
    run_visible(job) -> VisibleReport                                 on a worker: ``run_job``, then ``report_of``
    check_visible(course, student, assignment, ...) -> VisibleReport  both, in this process
    report_of(outcome, released) -> VisibleReport                     (pure)

The job is the batch's own (sandbox, guard, limits, ``job.run_job``), with the release's test cells as the master
versions (``staging.visible_masters``): the hidden tests are not in the run at all, so no status, message or
duration can depend on one. Nothing is recorded: the course's gradebook is not written (no grade exists before
the deadline); the caller keeps the report (``to_json``/``from_json``). The report names the visible tests and
says passed, failed (with the test's own error, trimmed) or not run; never points, never a total of points.
``grader.bot.texts.visible_result`` words it for the student.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from grader.autograde.job import run_job
from grader.autograde.preprocessors import GPU_SKIP_MESSAGE, TAMPER_PREFIX, grade_id_of, is_test_cell
from grader.autograde.records import Job, JobOutcome
from grader.autograde.staging import submission_hash
from grader.course import CourseFolder
from grader.errors import GraderError, SandboxError

STATES = ("passed", "failed", "not_run")
MESSAGE_CHARS = 300  # a test's error as the student reads it: its last line, at most this long
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class VisibleTest:
    """One visible test cell: ``state`` is one of ``STATES``; ``message`` the test's own error when it failed
    (``AssertionError: add(2, 2) should be 4``), empty otherwise."""

    grade_id: str
    state: str
    message: str = ""


@dataclass(frozen=True)
class VisibleReport:
    """What the visible run found. ``status`` is the run's ``Status`` code (graded, timeout, kernel_died, …);
    ``detail`` the job's English reason, for the instructor's log only (the student reads ``status`` worded by
    ``grader.bot.texts``). ``tests`` are in notebook order."""

    assignment: str
    student: str
    status: str
    tests: tuple[VisibleTest, ...] = ()
    detail: str = ""
    input_hash: str = ""
    wall_seconds: float = 0.0
    log_path: str = ""

    @property
    def passed(self) -> int:
        return sum(1 for t in self.tests if t.state == "passed")

    @property
    def total(self) -> int:
        return len(self.tests)

    @property
    def failed(self) -> tuple[VisibleTest, ...]:
        return tuple(t for t in self.tests if t.state == "failed")

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> VisibleReport:
        data: dict[str, Any] = json.loads(text)
        data["tests"] = tuple(VisibleTest(**t) for t in data.get("tests", ()))
        return cls(**data)


def has_code(source: str) -> bool:
    """Whether a released test cell runs anything (a cell that was all hidden tests is empty in the release)."""
    return any(line.strip() and not line.strip().startswith("#") for line in source.splitlines())


def visible_cells(released: Sequence[NotebookNode]) -> list[str]:
    """The grade ids of the visible tests: the released notebooks' test cells that hold code, in order."""
    return [grade_id_of(cell, index) for nb in released for index, cell in enumerate(nb.cells)
            if is_test_cell(cell) and has_code(cell.source)]


def error_message(output: dict[str, Any]) -> str:
    """``ename: the last line of evalue``, trimmed; the guard's evidence (tampering) is the instructor's, not
    shown (the status says tampering)."""
    name = str(output.get("ename") or "Error")
    value = ANSI.sub("", str(output.get("evalue") or ""))
    if TAMPER_PREFIX in value:
        return ""
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    text = f"{name}: {lines[-1]}" if lines else name
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 1] + "…"


def _test(grade_id: str, cell: NotebookNode | None, score: dict[str, Any] | None) -> VisibleTest:
    """One visible test as its graded cell shows it (absent, never executed or a GPU cell not run: not run)."""
    if cell is None or GPU_SKIP_MESSAGE in cell.get("source", ""):
        return VisibleTest(grade_id, "not_run")
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        return VisibleTest(grade_id, "failed", error_message(errors[0]))
    if cell.get("execution_count") is None or score is None or score.get("score") is None:
        return VisibleTest(grade_id, "not_run")
    if float(score["score"] or 0) < float(score.get("max_score") or 0):  # partial credit: not all of it passed
        return VisibleTest(grade_id, "failed")
    return VisibleTest(grade_id, "passed")


def report_of(outcome: JobOutcome, released: Sequence[NotebookNode]) -> VisibleReport:
    """The student's report of a visible run: each visible test of ``released`` (the release's notebooks) as the
    graded notebooks of ``outcome`` show it."""
    graded: dict[str, NotebookNode] = {}
    for text in outcome.notebooks.values():
        nb = nbformat.reads(text, as_version=4)
        graded.update({grade_id_of(cell, index): cell for index, cell in enumerate(nb.cells) if is_test_cell(cell)})
    tests = [_test(grade_id, graded.get(grade_id), outcome.cells.get(grade_id)) for grade_id in visible_cells(released)]
    return VisibleReport(outcome.assignment, outcome.student, str(outcome.status), tuple(tests), outcome.reason,
                         outcome.input_hash, outcome.wall_seconds, outcome.log_path)


def _released(job: Job) -> list[NotebookNode]:
    release = Path(job.course_root) / "release" / job.assignment
    return [nbformat.read(release / name, as_version=4) for name in job.notebooks if (release / name).is_file()]


def run_visible(job: Job) -> VisibleReport:
    """Run a visible job (on a worker: a local process or a Dask worker) and report it."""
    if job.tests != "visible":
        raise GraderError(f"run_visible takes a visible job (tests='visible'), not tests={job.tests!r}")
    return report_of(run_job(job), _released(job))


def visible_job(course: CourseFolder, student: str, assignment: str, *, sandbox: bool = True, gpu: bool = False,
                wall_seconds: float = 1800.0, cell_timeout: int | None = None,
                limits: dict[str, int] | None = None) -> Job:
    """The batch's job for ``student``'s submission in submitted/<student>/<hwN>, running the visible tests only."""
    from grader.autograde.orchestrate import course_cell_timeout
    from grader.collect.releases import in_gradebook

    course.check_assignment(assignment)
    notebooks = tuple(sorted(p.name for p in course.release(assignment).glob("*.ipynb")))
    if not notebooks or not in_gradebook(course, assignment):
        raise GraderError(f"{assignment} is not released (release/{assignment} or the gradebook lacks it): run "
                          f"'grader release {assignment}' first")
    return Job(course_root=str(course.root), assignment=assignment, student=student, notebooks=notebooks,
               gradebook_path=course.gradebook_url.removeprefix("sqlite:///"), gpu=gpu, sandbox=sandbox,
               wall_seconds=wall_seconds, limits=dict(limits or {}), gpu_tag=course.settings.gpu_tag,
               cell_timeout=cell_timeout if cell_timeout is not None else course_cell_timeout(course),
               input_hash=submission_hash(course.submitted(student, assignment)), tests="visible")


def check_visible(course: CourseFolder, student: str, assignment: str, *, sandbox: bool = True,
                  gpu: bool | None = None, wall_seconds: float = 1800.0, cell_timeout: int | None = None,
                  limits: dict[str, int] | None = None) -> VisibleReport:
    """Run ``student``'s submission of ``assignment`` against the visible tests, in this process. ``gpu`` None:
    whether this process sees a CUDA device."""
    from grader.autograde.nbgrader_api import cuda_available
    from grader.sandbox.bwrap import sandbox_problem

    if sandbox and (problem := sandbox_problem()):
        raise SandboxError(problem)
    return run_visible(visible_job(course, student, assignment, sandbox=sandbox,
                                   gpu=cuda_available() if gpu is None else gpu, wall_seconds=wall_seconds,
                                   cell_timeout=cell_timeout, limits=limits))

