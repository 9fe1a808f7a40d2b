"""``grader autograde``: plan the jobs of one assignment, fan them out, record each outcome as it arrives.

Stages, in order:
  1. plan      every submission folder (or the --student list) → a Job; skip those whose recorded outcome
               matches the submission's current hash (resumable; --force regrades everything)
  2. route     GPU-tagged assignments to workers that declare a GPU (Dask resource 'GPU', or local CUDA);
               where none is, the course's GpuPolicy decides: 'skip' (run on CPU without them) or 'require'
               (recorded as waiting_gpu)
  3. dispatch  a local pool of worker processes, or a dask.distributed cluster (--scheduler ADDRESS)
  4. record    each outcome as it completes (one writer), with a progress bar; a summary at the end
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

import nbformat

from grader.autograde.job import run_job
from grader.autograde.nbgrader_api import cuda_available
from grader.autograde.preprocessors import cell_tags
from grader.autograde.record import record_outcome, results
from grader.autograde.records import Job, JobOutcome
from grader.autograde.staging import submission_hash
from grader.collect.releases import in_gradebook
from grader.course import CourseFolder
from grader.errors import GraderError, SandboxError
from grader.sandbox.bwrap import sandbox_problem

DEFAULT_CELL_TIMEOUT = 120  # seconds per cell, unless the course sets c.Execute.timeout


@dataclass
class BatchSummary:
    planned: int = 0
    skipped_done: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    flagged: list[str] = field(default_factory=list)
    outcomes: list[JobOutcome] = field(default_factory=list)


def needs_gpu(course: CourseFolder, assignment: str, notebooks: Iterable[str]) -> bool:
    for name in notebooks:
        path = course.release(assignment) / name
        if path.is_file() and any(course.settings.gpu_tag in cell_tags(c)
                                  for c in nbformat.read(path, as_version=4).cells):
            return True
    return False


def plan(course: CourseFolder, assignment: str, students: list[str] | None, *, force: bool, sandbox: bool,
         wall_seconds: float, cell_timeout: int, limits: dict[str, int] | None = None) -> tuple[list[Job], int]:
    course.check_assignment(assignment)
    notebooks = tuple(sorted(p.name for p in course.release(assignment).glob("*.ipynb")))
    if not notebooks or not in_gradebook(course, assignment):
        raise GraderError(f"{assignment} is not released (release/{assignment} or the gradebook lacks it): run "
                          f"'grader release {assignment}' first")
    submitted = course.root / "submitted"
    found = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())
    names = students if students else found
    done = {} if force else results(course, assignment)
    jobs, skipped = [], 0
    for student in names:
        folder = course.submitted(student, assignment)
        record = done.get((assignment, student))
        input_hash = submission_hash(folder)
        if record is not None and record.status != "waiting_gpu" and record.input_hash == input_hash:
            skipped += 1
            continue
        jobs.append(Job(course_root=str(course.root), assignment=assignment, student=student, notebooks=notebooks,
                        gradebook_path=course.gradebook_url.removeprefix("sqlite:///"), sandbox=sandbox,
                        wall_seconds=wall_seconds, cell_timeout=cell_timeout, limits=dict(limits or {}),
                        gpu_tag=course.settings.gpu_tag, input_hash=input_hash))
    return jobs, skipped


def course_cell_timeout(course: CourseFolder) -> int:
    """Seconds per cell: the course's own nbgrader setting (c.Execute.timeout), as plain nbgrader would use it."""
    return int(course.config.get("Execute", {}).get("timeout", None) or DEFAULT_CELL_TIMEOUT)


def _run_local(jobs: list[Job], workers: int, on_outcome: Callable[[JobOutcome], None]) -> None:
    gpu = cuda_available()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
        futures = [pool.submit(run_job, replace(job, gpu=gpu)) for job in jobs]
        for future in as_completed(futures):
            on_outcome(future.result())


def _gpu_workers(client: object) -> int:
    info = client.scheduler_info()  # type: ignore[attr-defined]
    return sum(1 for w in info.get("workers", {}).values() if w.get("resources", {}).get("GPU", 0) >= 1)


def _run_dask(jobs: list[Job], scheduler: str, needs_gpu: bool, gpu_mode: str,
              on_outcome: Callable[[JobOutcome], None]) -> None:
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(scheduler, timeout="30s") as client:
        gpu_present = _gpu_workers(client) > 0
        futures = []
        for index, job in enumerate(jobs):
            if needs_gpu and gpu_present:
                futures.append(client.submit(run_job, replace(job, gpu=True), resources={"GPU": 1},
                                             pure=False, key=f"grade-{job.assignment}-{job.student}-{index}"))
            elif needs_gpu and gpu_mode == "require":
                on_outcome(JobOutcome(job.assignment, job.student, "waiting_gpu",
                                      "this assignment requires a GPU worker and the cluster has none"))
            else:
                futures.append(client.submit(run_job, replace(job, gpu=False), pure=False,
                                             key=f"grade-{job.assignment}-{job.student}-{index}"))
        for future in dask_completed(futures):
            on_outcome(future.result())


def autograde(course: CourseFolder, assignment: str, *, students: list[str] | None = None, workers: int | None = None,
              scheduler: str | None = None, force: bool = False, sandbox: bool = True, wall_seconds: float = 1800,
              cell_timeout: int | None = None, limits: dict[str, int] | None = None,
              progress: Callable[[JobOutcome, int, int], None] | None = None) -> BatchSummary:
    """Grade every submission of ``assignment`` that is not graded yet (all of them with ``force``)."""
    if sandbox:
        problem = sandbox_problem()
        if problem:
            raise SandboxError(problem)
    if cell_timeout is None:
        cell_timeout = course_cell_timeout(course)
    jobs, skipped = plan(course, assignment, students, force=force, sandbox=sandbox, wall_seconds=wall_seconds,
                         cell_timeout=cell_timeout, limits=limits)
    summary = BatchSummary(planned=len(jobs), skipped_done=skipped)
    gpu_needed = bool(jobs) and needs_gpu(course, assignment, jobs[0].notebooks)

    def on_outcome(outcome: JobOutcome) -> None:
        record_outcome(course, outcome)
        summary.statuses[outcome.status] += 1
        summary.outcomes.append(outcome)
        if outcome.flags or outcome.evidence:
            summary.flagged.append(outcome.student)
        if progress is not None:
            progress(outcome, len(summary.outcomes), len(jobs))

    if scheduler:
        _run_dask(jobs, scheduler, gpu_needed, course.settings.gpu_mode, on_outcome)
    else:
        if gpu_needed and not cuda_available() and course.settings.gpu_mode == "require":
            for job in jobs:
                on_outcome(JobOutcome(job.assignment, job.student, "waiting_gpu",
                                      "this assignment requires a GPU and this machine has none: run with "
                                      "--scheduler pointing to a cluster with a GPU worker"))
        else:
            _run_local(jobs, workers or os.cpu_count() or 1, on_outcome)
    return summary
