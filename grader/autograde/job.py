"""One submission's grading job, run on a worker (a local process or a Dask worker).

Stages, in order:
  1. inspect   the submission folder: missing, or a notebook that is not a notebook → an outcome, no run
               (``staging.inspect``)
  2. stage     a private scratch course: the submission, a snapshot of the gradebook, a kernel folder
               (``staging.stage``, under a ``staging.worker_slot``)
  3. execute   nbgrader's autograde in this worker process (``runner.autograde_staged``; imports stay warm),
               the kernel in the sandbox, under the wall-clock ``watchdog.Watchdog``
  4. collect   per-cell scores from the snapshot and the autograded notebook
  5. decide    status, reason, flags and evidence from what the run left behind (``verdict.decide``)

The worker never writes the course's gradebook: it returns a ``JobOutcome`` and the orchestrator records it.
A visible-only job (``Job.tests == "visible"``) runs the same stages with the release's test cells as the master
versions (``staging.visible_masters``); ``grader.autograde.visible`` turns its outcome into the student's report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import nbformat

from grader.autograde.records import Job, JobOutcome, Status
from grader.autograde.staging import inspect, stage, submission_hash, worker_slot
from grader.autograde.verdict import Observation, cell_errors, decide, gpu_skipped_cells
from grader.autograde.watchdog import Watchdog
from grader.gradebook import read_submission

KERNEL_DIED_MARKS = ("DeadKernelError", "Kernel died", "kernel died")
OLD_METADATA_MARKS = ("SchemaTooOldError", "use an old version")


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return f"{os.uname().nodename}:{os.getpid()}"


def run_job(job: Job) -> JobOutcome:
    """Grade one submission; every failure becomes an outcome with a status and a reason."""
    started = time.perf_counter()
    folder = Path(job.course_root) / "submitted" / job.student / job.assignment
    outcome = inspect(job, folder)
    worker = _worker_name()
    input_hash = job.input_hash or submission_hash(folder)
    if outcome is not None:
        outcome.input_hash, outcome.worker = input_hash, worker
        return outcome
    outcome = JobOutcome(job.assignment, job.student, Status.GRADED, input_hash=input_hash,
                         device="cuda" if job.gpu else "cpu", worker=worker)
    base = Path(job.course_root) / "gradebook" / "runs"
    base.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{job.assignment}-{job.student}-", dir=base))
    with worker_slot(base) as slot:
        _execute(replace(job, slot=slot), folder, scratch, outcome)
    outcome.wall_seconds = round(time.perf_counter() - started, 3)
    return outcome


def _execute(job: Job, folder: Path, scratch: Path, outcome: JobOutcome) -> None:
    from grader.autograde.runner import autograde_staged, kernel_folder

    kernel_dir = kernel_folder()
    log_file = job_log(job)
    outcome.log_path = str(log_file.relative_to(job.course_root))
    try:
        stage(job, folder, scratch)
        with Watchdog(kernel_dir, job.wall_seconds) as watchdog, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ok, log_text = autograde_staged(scratch, job, kernel_dir, log_file)
        with log_file.open("a", encoding="utf-8") as log:
            log.write("\n--- nbgrader ---\n" + log_text)
            if caught:
                log.write("\n--- warnings ---\n" + "".join(
                    f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})\n" for w in caught))
        graded = _collect(job, scratch, outcome)
        verdict = decide(Observation(
            errors=cell_errors(graded), gpu_skipped=gpu_skipped_cells(graded, job.gpu_tag),
            wall_timeout=job.wall_seconds if watchdog.fired else None, finished=ok,
            kernel_died=any(mark in log_text for mark in KERNEL_DIED_MARKS), graded_notebook=bool(graded),
            old_metadata=any(mark in log_text for mark in OLD_METADATA_MARKS),
            static_evidence=tuple(_static_evidence(folder, job))))
        outcome.status, outcome.reason = verdict.status, verdict.reason
        outcome.flags += [*verdict.flags, *_integrity_flags(job, folder)]
        outcome.evidence += verdict.evidence
        skipped = set(gpu_skipped_cells(graded, job.gpu_tag))
        for name, cell in outcome.cells.items():
            cell["gpu_skipped"] = name in skipped
    finally:
        shutil.rmtree(kernel_dir, ignore_errors=True)
        if not os.environ.get("GRADER_KEEP_SCRATCH"):
            shutil.rmtree(scratch, ignore_errors=True)


def job_log(job: Job) -> Path:
    """gradebook/logs/<hwN>/<student>.log, emptied for this run: the kernel's own output (its start-up banner,
    warnings, a crash), nbgrader's log and the Python warnings of the run, kept out of the grader's terminal.
    A visible-only run writes gradebook/logs/<hwN>/visible/<student>.log (the grading's log stays)."""
    folder = Path(job.course_root) / "gradebook" / "logs" / job.assignment
    path = (folder / "visible" if job.tests == "visible" else folder) / f"{job.student}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{job.assignment}/{job.student}: kernel output\n", encoding="utf-8")
    return path


def _collect(job: Job, scratch: Path, outcome: JobOutcome) -> list[nbformat.NotebookNode]:
    """The autograded notebooks (kept on the outcome) and the per-cell scores of the gradebook snapshot."""
    build = scratch / "course" / "autograded" / job.student / job.assignment
    graded = []
    for name in job.notebooks:
        path = build / name
        if path.is_file():
            outcome.notebooks[name] = path.read_text(encoding="utf-8")
            graded.append(nbformat.reads(outcome.notebooks[name], as_version=4))
    scores = read_submission(f"sqlite:///{scratch / 'gradebook.db'}", job.assignment, job.student)
    if scores is not None:
        outcome.timestamp = scores.timestamp.isoformat() if scores.timestamp else None
        for name, cell in scores.cells.items():
            outcome.cells[name] = {"score": cell.score, "max_score": cell.max_score, "auto": cell.auto,
                                   "gpu_skipped": False}
    return graded


def _integrity_flags(job: Job, folder: Path) -> list[str]:
    """Test and locked cells are restored from the gradebook by nbgrader; say which ones the student deleted
    or edited (compared with the released notebook the student was given)."""
    flags = []
    release = Path(job.course_root) / "release" / job.assignment
    for name in job.notebooks:
        try:
            released = nbformat.read(release / name, as_version=4)
            submitted = nbformat.read(folder / name, as_version=4)
        except Exception:  # noqa: BLE001 - invalid notebooks are reported by inspect
            continue
        theirs = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in submitted.cells}
        for cell in released.cells:
            meta = cell.metadata.get("nbgrader", {})
            restored = meta.get("locked") or (meta.get("grade") and not meta.get("solution"))  # OverwriteCells
            if not restored or not meta.get("grade_id"):
                continue
            mine = theirs.get(meta["grade_id"])
            if mine is None:
                flags.append(f"deleted_cell_restored: {meta['grade_id']} was deleted and was put back")
            elif mine.source.strip() != cell.source.strip():
                flags.append(f"edited_cell_restored: {meta['grade_id']} was edited and was restored")
    return flags


def _static_evidence(folder: Path, job: Job) -> list[str]:
    from grader.autograde.static_scan import scan_notebook

    evidence = []
    for name in job.notebooks:
        try:
            evidence += [f"{name}: {hit}" for hit in scan_notebook(nbformat.read(folder / name, as_version=4))]
        except Exception:  # noqa: BLE001 - already reported by inspect
            continue
    return evidence
