"""One submission's grading job, run on a worker (a local process or a Dask worker).

Stages, in order:
  1. inspect   the submission folder: missing, or a notebook that is not a notebook → a result, no run
  2. stage     a private scratch course: the submission, a snapshot of the gradebook, a kernel folder
  3. execute   nbgrader's autograde in this worker process (imports stay warm), the kernel in the sandbox,
               under a wall-clock limit: a watchdog kills this job's sandbox when it runs out
  4. collect   per-cell scores from the snapshot, the autograded notebook, and the status with its evidence

The worker never writes the course's gradebook: it returns a ``JobOutcome`` and the orchestrator records it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import nbformat

from grader.autograde.preprocessors import GPU_SKIP_MESSAGE, cell_tags
from grader.gradebook import read_submission

STATUSES = ("graded", "timeout", "kernel_died", "memory_limit", "tampering", "invalid_notebook", "missing",
            "waiting_gpu")
SANDBOX_UID_BASE = 61000


@dataclass(frozen=True)
class Job:
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
    gpu_tag: str = "requires-gpu"
    input_hash: str = ""  # submission_hash of the folder, when the planner already computed it


@dataclass
class JobOutcome:
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

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def submission_hash(folder: Path) -> str:
    """Hash of every file of a submission (names and bytes), to regrade only what changed."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _inspect(job: Job, folder: Path) -> JobOutcome | None:
    if not folder.is_dir():
        return JobOutcome(job.assignment, job.student, "missing", f"nothing submitted in {folder}")
    for name in job.notebooks:
        path = folder / name
        if not path.is_file():
            return JobOutcome(job.assignment, job.student, "invalid_notebook",
                              f"{name} is not in the submission (found: "
                              f"{', '.join(sorted(p.name for p in folder.glob('*.ipynb'))) or 'no notebook'})")
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the submission's problem
            return JobOutcome(job.assignment, job.student, "invalid_notebook",
                              f"{name} is not a valid notebook: {type(exc).__name__}: {str(exc)[:300]}")
    return None


def _snapshot(source: Path, target: Path) -> None:
    """A consistent copy of the gradebook (SQLite's backup API; safe while others read it)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _stage(job: Job, folder: Path, scratch: Path) -> Path:
    course = scratch / "course"
    shutil.copytree(folder, course / "submitted" / job.student / job.assignment)
    _snapshot(Path(job.gradebook_path), scratch / "gradebook.db")
    return course


def _error_texts(cell: nbformat.NotebookNode) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            texts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return texts


def _collect(job: Job, scratch: Path, outcome: JobOutcome) -> None:
    course = scratch / "course"
    build = course / "autograded" / job.student / job.assignment
    for name in job.notebooks:
        path = build / name
        if path.is_file():
            outcome.notebooks[name] = path.read_text(encoding="utf-8")
    scores = read_submission(f"sqlite:///{scratch / 'gradebook.db'}", job.assignment, job.student)
    skipped: set[str] = set()
    memory: list[str] = []
    timeouts: list[str] = []
    tamper: list[str] = []
    for text in outcome.notebooks.values():
        nb = nbformat.reads(text, as_version=4)
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
            if job.gpu_tag in cell_tags(cell) and GPU_SKIP_MESSAGE in cell.source:
                skipped.add(grade_id)
            for text_err in _error_texts(cell):
                if "MemoryError" in text_err or "can't allocate memory" in text_err or "out of memory" in text_err:
                    memory.append(grade_id)
                if "CellTimeoutError" in text_err or "Timeout" in text_err.split(":")[0]:
                    timeouts.append(grade_id)
                if "Resource temporarily unavailable" in text_err and "process_limit" not in outcome.flags:
                    outcome.flags.append("process_limit")
                if "File too large" in text_err and "file_size_limit" not in outcome.flags:
                    outcome.flags.append("file_size_limit")
                if "GRADER-TAMPERING" in text_err:
                    tamper.append(f"{grade_id}: {text_err.split('GRADER-TAMPERING:', 1)[-1].strip()}")
    if scores is not None:
        outcome.timestamp = scores.timestamp.isoformat() if scores.timestamp else None
        for name, cell in scores.cells.items():
            outcome.cells[name] = {"score": cell.score, "max_score": cell.max_score, "auto": cell.auto,
                                   "gpu_skipped": name in skipped}
    outcome.evidence += tamper
    if skipped:
        outcome.flags.append(f"gpu_skipped: {len(skipped)} GPU cell(s) not run, excluded from max_score")
    if tamper:
        outcome.status, outcome.reason = "tampering", f"tampering detected in {len(tamper)} test cell(s)"
    elif memory:
        outcome.status, outcome.reason = "memory_limit", f"memory limit hit in cell(s) {', '.join(memory)}"
    elif timeouts:
        outcome.status, outcome.reason = "timeout", f"cell time limit hit in cell(s) {', '.join(timeouts)}"


@contextlib.contextmanager
def worker_slot(base: Path, slots: int = 256) -> Iterator[int]:
    """A slot number no other job on this host holds while this one runs: one sandbox uid per slot."""
    folder = base / "slots"
    folder.mkdir(parents=True, exist_ok=True)
    for slot in range(slots):
        handle = (folder / f"slot-{slot}.lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield slot
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    raise RuntimeError(f"all {slots} sandbox slots are busy")


def run_job(job: Job) -> JobOutcome:
    """Grade one submission; every failure becomes an outcome with a status and a reason."""
    started = time.perf_counter()
    folder = Path(job.course_root) / "submitted" / job.student / job.assignment
    outcome = _inspect(job, folder)
    worker = f"{os.uname().nodename}:{os.getpid()}"
    try:
        from distributed import get_worker

        worker = str(get_worker().name)
    except (ImportError, ValueError):
        pass
    input_hash = job.input_hash or submission_hash(folder)
    if outcome is not None:
        outcome.input_hash, outcome.worker = input_hash, worker
        return outcome
    outcome = JobOutcome(job.assignment, job.student, "graded", input_hash=input_hash,
                         device="cuda" if job.gpu else "cpu", worker=worker)
    base = Path(job.course_root) / "gradebook" / "runs"
    base.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{job.assignment}-{job.student}-", dir=base))
    with worker_slot(base) as slot:
        _execute(replace(job, slot=slot), folder, scratch, outcome)
    outcome.wall_seconds = round(time.perf_counter() - started, 3)
    return outcome


def _kill_kernel(kernel_dir: Path) -> None:
    """Kill this job's sandbox (found by its private kernel folder on the command line), nothing else."""
    import psutil

    for proc in psutil.Process().children(recursive=True):
        try:
            if str(kernel_dir) in " ".join(proc.cmdline()):
                proc.kill()
        except psutil.Error:
            continue


def _execute(job: Job, folder: Path, scratch: Path, outcome: JobOutcome) -> None:
    from grader.autograde.runner import autograde_staged, kernel_folder

    kernel_dir = kernel_folder()
    finished = threading.Event()
    timed_out = threading.Event()

    def watchdog() -> None:
        if not finished.wait(job.wall_seconds):
            timed_out.set()
            while not finished.wait(0.5):  # the kernel may not have started yet: keep trying
                _kill_kernel(kernel_dir)

    try:
        _stage(job, folder, scratch)
        threading.Thread(target=watchdog, daemon=True).start()
        try:
            ok, log_text = autograde_staged(scratch, job, kernel_dir)
        finally:
            finished.set()
        (scratch / "runner.log").write_text(log_text)
        _collect(job, scratch, outcome)
        outcome.flags += _integrity_flags(job, folder)
        if timed_out.is_set():
            outcome.status = "timeout"
            outcome.reason = f"the notebook ran past its wall-clock limit of {job.wall_seconds:g} s"
        elif not ok:
            died = any(s in log_text for s in ("DeadKernelError", "Kernel died", "kernel died"))
            tail = " | ".join(log_text.strip().splitlines()[-3:])[-600:]
            outcome.status = "kernel_died"
            outcome.reason = ("the kernel died during execution (os._exit, a crash or a signal)" if died
                              else f"the kernel could not run the notebook: {tail}")
        outcome.evidence += _static_evidence(folder, job)
        if outcome.evidence and outcome.status == "graded":
            outcome.status, outcome.reason = "tampering", "suspicious code in the submission (see evidence)"
    finally:
        shutil.rmtree(kernel_dir, ignore_errors=True)
        if not os.environ.get("GRADER_KEEP_SCRATCH"):
            shutil.rmtree(scratch, ignore_errors=True)


def _integrity_flags(job: Job, folder: Path) -> list[str]:
    """Test and locked cells are restored from the gradebook by nbgrader; say which ones the student deleted
    or edited (compared with the released notebook the student was given)."""
    flags = []
    release = Path(job.course_root) / "release" / job.assignment
    for name in job.notebooks:
        try:
            released = nbformat.read(release / name, as_version=4)
            submitted = nbformat.read(folder / name, as_version=4)
        except Exception:  # noqa: BLE001 - invalid notebooks are reported by _inspect
            continue
        theirs = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in submitted.cells}
        for cell in released.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not meta.get("locked") or not meta.get("grade_id"):
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
        except Exception:  # noqa: BLE001 - already reported by _inspect
            continue
    return evidence
