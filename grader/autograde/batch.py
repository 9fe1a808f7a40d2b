"""A batch of submissions of one assignment, graded by a local pool of worker processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from grader.autograde.pipeline import autograde_one, cuda_available
from grader.course import open_course


@dataclass(frozen=True)
class JobResult:
    student: str
    assignment: str
    ok: bool
    reason: str = ""


def _grade(root: str, assignment: str, student: str, gpu: bool) -> JobResult:
    try:
        autograde_one(open_course(Path(root)), assignment, student, gpu_available=gpu)
    except Exception as exc:  # one failed submission is a result, never a stopped batch
        return JobResult(student, assignment, False, f"{type(exc).__name__}: {str(exc)[-500:]}")
    return JobResult(student, assignment, True)


def autograde_batch(root: Path, jobs: Sequence[tuple[str, str]], *, workers: int = 2,
                    on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
    """Grade every (assignment, student) job; results come back in completion order."""
    gpu = cuda_available()
    results: list[JobResult] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
        futures = [pool.submit(_grade, str(root), hw, student, gpu) for hw, student in jobs]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            if on_done is not None:
                on_done(result)
    return results
