"""Entry point of the process that runs nbgrader's autograde for one staged submission.

``python -m grader.autograde.runner SCRATCH``: reads SCRATCH/job.json, autogrades the submission staged in
SCRATCH/course against the gradebook snapshot SCRATCH/gradebook.db, kernel in the sandbox. The orchestrating
worker enforces the wall-clock limit by killing this process group.
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
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from grader.autograde.job import SANDBOX_UID_BASE, Job
from grader.autograde.pipeline import SANITIZE
from grader.autograde.preprocessors import CheckGuardMarkers, GuardTestCells, StderrIsNotFailure
from grader.course import open_course
from grader.sandbox.kernel import GUARD_FILE, SandboxedExecute, guard_lines

AUTOGRADE = [SandboxedExecute, StderrIsNotFailure, CheckGuardMarkers, IgnorePattern, ClearMetadataPreprocessor,
             LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]


def main(scratch: Path) -> int:
    job = Job(**json.loads((scratch / "job.json").read_text()))
    course = open_course(job.course_root)
    root = scratch / "course"
    run_dir = root / "autograded" / job.student / job.assignment
    # IPC socket paths must stay under the 108 bytes of a Unix socket address: a short private folder
    kernel_dir = Path(tempfile.mkdtemp(prefix="gk-"))
    key = secrets.token_bytes(32)
    key_file = kernel_dir / "guard.key"
    key_file.write_bytes(key)
    uid = SANDBOX_UID_BASE + job.slot if (job.sandbox and os.geteuid() == 0) else -1
    if uid >= 0:
        for path in (kernel_dir, key_file):
            os.chown(path, uid, uid)
    config = copy.deepcopy(course.config)
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{scratch / 'gradebook.db'}"
    config.Exchange.root = str(scratch / "exchange")
    config.Autograde.sanitize_preprocessors = [*SANITIZE, GuardTestCells]
    config.Autograde.autograde_preprocessors = AUTOGRADE
    config.GpuCellGate.gpu_available = job.gpu
    config.GpuCellGate.tag = job.gpu_tag
    config.Execute.timeout = job.cell_timeout
    config.OverwriteCells.add_missing_cells = True
    config.CheckGuardMarkers.key = key.hex()
    guard_dir = None if job.sandbox else str(GUARD_FILE.parent)
    config.SandboxedExecute.extra_arguments = [f"--IPKernelApp.exec_lines={json.dumps(guard_lines(guard_dir))}"]
    config.SandboxedKernelManager.run_dir = str(run_dir)
    config.SandboxedKernelManager.kernel_dir = str(kernel_dir)
    config.SandboxedKernelManager.uid = uid
    config.SandboxedKernelManager.limits = job.limits
    config.SandboxedKernelManager.sandbox = job.sandbox
    config.SandboxedKernelManager.guard_key_file = str(key_file)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(root)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    try:
        result = api.autograde(job.assignment, job.student, force=True, create=True)
    finally:
        shutil.rmtree(kernel_dir, ignore_errors=True)
    sys.stdout.write(result.get("log", ""))
    if not result.get("success"):
        sys.stdout.write(result.get("error", "") or "")
        return 1
    return 0


if __name__ == "__main__":
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session handling
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main(Path(sys.argv[1])))
