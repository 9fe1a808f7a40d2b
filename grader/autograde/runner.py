"""nbgrader's autograde for one staged submission, kernel in the sandbox.

``autograde_staged(scratch, job, kernel_dir)`` autogrades the submission staged in SCRATCH/course against the
gradebook snapshot SCRATCH/gradebook.db; the worker calls it in its own process (imports stay warm between jobs)
and enforces the wall-clock limit by killing the job's kernel. ``python -m grader.autograde.runner SCRATCH``
runs the same for SCRATCH/job.json, for debugging a job by hand.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from grader.autograde.preprocessors import CheckGuardMarkers, GpuCellGate, GuardTestCells, StderrIsNotFailure
from grader.autograde.records import SANDBOX_UID_BASE, Job
from grader.course import open_course
from grader.sandbox.kernel import GUARD_FILE, SandboxedExecute, guard_lines

# nbgrader's own stages with this course's inserted, in order (nbgrader runs SANITIZE, then AUTOGRADE). The order
# is fixed, not configuration: GuardTestCells must wrap the restored test cells after OverwriteCells and the GPU
# gate, CheckGuardMarkers must read the outputs before anything trims them, SandboxedExecute is the only execution
# allowed. nbgrader's AssignLatePenalties is left out: lateness is the grader's LatePolicy from the received time.
# A course setting Autograde.*_preprocessors or LateSubmissionPlugin.penalty_method is stopped (config_check.FIXED).
SANITIZE = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata, GpuCellGate,
            GuardTestCells]
AUTOGRADE = [SandboxedExecute, StderrIsNotFailure, CheckGuardMarkers, IgnorePattern, ClearMetadataPreprocessor,
             LimitOutput, SaveAutoGrades, CheckCellMetadata]


def kernel_folder() -> Path:
    """IPC socket paths must stay under the 108 bytes of a Unix socket address: a short private folder."""
    return Path(tempfile.mkdtemp(prefix="gk-"))


def autograde_staged(scratch: Path, job: Job, kernel_dir: Path, log_file: Path | None = None) -> tuple[bool, str]:
    """Run nbgrader's autograde on the staged submission; returns (success, nbgrader's log). The kernel's own
    output goes to ``log_file`` when given."""
    course = open_course(job.course_root)
    root = scratch / "course"
    run_dir = root / "autograded" / job.student / job.assignment
    key = secrets.token_bytes(32)
    key_file = kernel_dir / "guard.key"
    uid = SANDBOX_UID_BASE + job.slot if (job.sandbox and os.geteuid() == 0) else -1
    if uid >= 0:
        os.chown(kernel_dir, uid, uid)
    config = copy.deepcopy(course.config)
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{scratch / 'gradebook.db'}"
    config.Exchange.root = str(scratch / "exchange")
    config.Autograde.sanitize_preprocessors = SANITIZE
    config.Autograde.autograde_preprocessors = AUTOGRADE
    config.GpuCellGate.gpu_available = job.gpu
    config.GpuCellGate.tag = job.gpu_tag
    config.Execute.timeout = job.cell_timeout
    config.OverwriteCells.add_missing_cells = True
    config.CheckGuardMarkers.key = key.hex()
    config.GuardTestCells.cells_file = str(kernel_dir / "guard.cells.json")
    guard_dir = None if job.sandbox else str(GUARD_FILE.parent)
    config.SandboxedExecute.extra_arguments = [f"--IPKernelApp.exec_lines={json.dumps(guard_lines(guard_dir))}"]
    config.SandboxedKernelManager.run_dir = str(run_dir)
    config.SandboxedKernelManager.kernel_dir = str(kernel_dir)
    config.SandboxedKernelManager.uid = uid
    config.SandboxedKernelManager.limits = job.limits
    config.SandboxedKernelManager.sandbox = job.sandbox
    config.SandboxedKernelManager.log_file = str(log_file or "")
    config.SandboxedKernelManager.guard_key_file = str(key_file)
    config.SandboxedKernelManager.guard_key = key.hex()
    config.SandboxedKernelManager.guard_cells_file = str(kernel_dir / "guard.cells.json")
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(root)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    result = api.autograde(job.assignment, job.student, force=True, create=True)
    return bool(result.get("success")), str(result.get("log", "")) + str(result.get("error", "") or "")


def main(scratch: Path) -> int:
    job = Job(**json.loads((scratch / "job.json").read_text()))
    kernel_dir = kernel_folder()
    try:
        ok, log = autograde_staged(scratch, job, kernel_dir)
    finally:
        shutil.rmtree(kernel_dir, ignore_errors=True)
    sys.stdout.write(log)
    return 0 if ok else 1


if __name__ == "__main__":
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session handling
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main(Path(sys.argv[1])))
