"""Scaling out: the same jobs on a dask.distributed cluster; GPU-tagged work goes only to GPU workers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from distributed import Scheduler, SpecCluster, Worker

from grader.autograde.orchestrate import autograde
from grader.course import CourseFolder

from .conftest import ASSIGNMENT, CORRECT, make_course, requires_sandbox

pytestmark = [pytest.mark.slow, requires_sandbox]


@contextmanager
def cluster(gpu: bool) -> Iterator[str]:
    workers = {"cpu-worker": {"cls": Worker, "options": {"nthreads": 1, "name": "cpu-worker"}}}
    if gpu:
        workers["gpu-worker"] = {"cls": Worker, "options": {"nthreads": 1, "name": "gpu-worker",
                                                             "resources": {"GPU": 1}}}
    spec = {"cls": Scheduler, "options": {"host": "127.0.0.1", "dashboard_address": None}}
    with SpecCluster(workers=workers, scheduler=spec, asynchronous=False) as running:
        yield running.scheduler_address


@pytest.fixture
def course(tmp_path_factory: pytest.TempPathFactory) -> CourseFolder:
    from .conftest import submit

    course = make_course(tmp_path_factory.mktemp("dask") / "course")
    for student in ("d1", "d2", "d3"):
        submit(course, student, CORRECT)
    return course


def test_gpu_tagged_work_lands_only_on_the_gpu_worker(course: CourseFolder) -> None:
    with cluster(gpu=True) as address:
        summary = autograde(course, ASSIGNMENT, scheduler=address, cell_timeout=20)
    assert {o.worker for o in summary.outcomes} == {"gpu-worker"}
    assert {o.device for o in summary.outcomes} == {"cuda"}


def test_without_gpu_worker_skip_policy_grades_on_cpu_and_flags(course: CourseFolder) -> None:
    with cluster(gpu=False) as address:
        summary = autograde(course, ASSIGNMENT, scheduler=address, cell_timeout=20)
    assert {o.worker for o in summary.outcomes} == {"cpu-worker"}
    assert summary.statuses == {"graded": 3}
    assert all(any(f.startswith("gpu_skipped") for f in o.flags) for o in summary.outcomes)


def test_without_gpu_worker_require_policy_waits(course: CourseFolder) -> None:
    with (course.root / "nbgrader_config.py").open("a") as handle:
        handle.write('\nc.GpuPolicy.mode = "require"\n')
    from grader.course import open_course

    required = open_course(course.root)
    with cluster(gpu=False) as address:
        summary = autograde(required, ASSIGNMENT, scheduler=address)
    assert summary.statuses == {"waiting_gpu": 3}
    assert all("GPU worker" in o.reason for o in summary.outcomes)
