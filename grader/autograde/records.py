"""The records of one grading job: what a worker is asked to do (``Job``), what it reports (``JobOutcome``), and
the status a submission ends with (``Status``). Plain data: this module imports nothing of the grader, so the
orchestrator, the worker, the runner and the views can all share it without an import circle."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum

TESTS = ("all", "visible")  # Job.tests: every test (the grade), or the release's visible tests only
GPU_TAG = "requires-gpu"  # the default cell tag of GPU-only test cells (GpuPolicy.tag and GpuCellGate.tag)
SANDBOX_UID_BASE = 61000  # worker slot N runs its kernel as uid SANDBOX_UID_BASE + N (as root)


class Status(StrEnum):
    """How a submission's grading ended. A ``StrEnum``: each member equals its string, as stored."""

    GRADED = "graded"
    TIMEOUT = "timeout"
    KERNEL_DIED = "kernel_died"
    MEMORY_LIMIT = "memory_limit"
    TAMPERING = "tampering"
    INVALID_NOTEBOOK = "invalid_notebook"
    MISSING = "missing"
    WAITING_GPU = "waiting_gpu"


STATUSES = tuple(s.value for s in Status)


@dataclass(frozen=True)
class Job:
    """One submission to grade, as the worker receives it (JSON-serialisable: it travels to Dask workers)."""

    course_root: str
    assignment: str
    student: str
    notebooks: tuple[str, ...]
    gradebook_path: str
    gpu: bool = False
    sandbox: bool = True
    slot: int = 0
    wall_seconds: float = 1800.0
    cell_timeout: int = 120
    limits: dict[str, int] = field(default_factory=dict)
    gpu_tag: str = GPU_TAG
    input_hash: str = ""  # submission_hash of the folder, when the planner already computed it
    tests: str = "all"  # "visible": the release's test cells are the master versions, no hidden test runs


@dataclass
class JobOutcome:
    """What one job found: the status and its reason, per-cell scores, flags and evidence, where it ran."""

    assignment: str
    student: str
    status: str
    reason: str = ""
    cells: dict[str, dict[str, float | bool | None]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    device: str = "cpu"
    worker: str = ""
    wall_seconds: float = 0.0
    input_hash: str = ""
    timestamp: str | None = None
    notebooks: dict[str, str] = field(default_factory=dict)
    log_path: str = ""  # the job's log: the kernel's own output, nbgrader's log, warnings (gradebook/logs/…)

    def to_json(self) -> str:
        return json.dumps(asdict(self))
