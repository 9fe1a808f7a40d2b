"""Before a job runs: is there a notebook to grade at all (``inspect``), and a private scratch course with the
submission and a consistent snapshot of the gradebook (``stage``), under a sandbox slot no other job on this
host holds (``worker_slot``). ``submission_hash`` says whether a submission changed since it was graded.

A visible-only job (``Job.tests == "visible"``, before the deadline) gets the release's test cells as the master
versions in its snapshot (``visible_masters``): nbgrader's OverwriteCells then restores the test cells the student
was given, from which ``generate_assignment`` removed the hidden tests, so no hidden test is in the run at all."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import nbformat

from grader.autograde.records import Job, JobOutcome, Status

HIDDEN_ONLY = "# this cell's tests are hidden: they run after the deadline"  # a visible run's all-hidden test cell


def submission_hash(folder: Path) -> str:
    """Hash of every file of a submission (names and bytes), to regrade only what changed."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def inspect(job: Job, folder: Path) -> JobOutcome | None:
    """An outcome without running anything when there is nothing to grade (missing) or a notebook is not one
    (invalid_notebook); None when the job should run."""
    if not folder.is_dir():
        return JobOutcome(job.assignment, job.student, Status.MISSING, f"nothing submitted in {folder}")
    for name in job.notebooks:
        path = folder / name
        if not path.is_file():
            return JobOutcome(job.assignment, job.student, Status.INVALID_NOTEBOOK,
                              f"{name} is not in the submission (found: "
                              f"{', '.join(sorted(p.name for p in folder.glob('*.ipynb'))) or 'no notebook'})")
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the submission's problem
            return JobOutcome(job.assignment, job.student, Status.INVALID_NOTEBOOK,
                              f"{name} is not a valid notebook: {type(exc).__name__}: {str(exc)[:300]}")
    return None


def snapshot(source: Path, target: Path) -> None:
    """A consistent copy of the gradebook (SQLite's backup API; safe while others read it)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def stage(job: Job, folder: Path, scratch: Path) -> Path:
    """SCRATCH/course/submitted/<student>/<hwN> (the submission), SCRATCH/gradebook.db (a snapshot), and the
    release's other files as SCRATCH/course/source/<hwN>: nbgrader overwrites a submission's copies of them with
    these "master versions" (a student's edited data file does not count), exactly as in the course itself."""
    course = scratch / "course"
    shutil.copytree(folder, course / "submitted" / job.student / job.assignment)
    release = Path(job.course_root) / "release" / job.assignment
    master = course / "source" / job.assignment
    master.mkdir(parents=True)
    if release.is_dir():
        for path in release.rglob("*"):
            if path.is_file() and path.suffix != ".ipynb":
                (master / path.relative_to(release)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, master / path.relative_to(release))
    snapshot(Path(job.gradebook_path), scratch / "gradebook.db")
    if job.tests == "visible":
        visible_masters(scratch / "gradebook.db", release, job.assignment, job.notebooks)
    return course


def visible_masters(db_path: Path, release: Path, assignment: str, notebooks: tuple[str, ...]) -> None:
    """Make the released test cells the master versions in the gradebook at ``db_path`` (a job's snapshot, never
    the course's): each autograder test cell's source and checksum become the released cell's. A cell that was all
    hidden tests (blank in the release) or that the release lacks gets ``HIDDEN_ONLY``, a comment: the kernel
    runs it (a blank cell is skipped, and the guard would miss its end marker) and no hidden test is left."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.utils import compute_checksum

    from grader.autograde.preprocessors import grade_id_of, is_test_cell

    with Gradebook(f"sqlite:///{db_path}") as gb:
        for name in notebooks:
            path = release / name
            released = nbformat.read(path, as_version=4) if path.is_file() else nbformat.v4.new_notebook()
            cells = {grade_id_of(cell, index): cell for index, cell in enumerate(released.cells)
                     if is_test_cell(cell)}
            try:
                notebook = gb.find_notebook(name.removesuffix(".ipynb"), assignment)
            except MissingEntry:
                continue
            answers = {cell.name for cell in notebook.solution_cells}
            for graded in notebook.grade_cells:
                if graded.cell_type != "code" or graded.name in answers:
                    continue
                master = gb.find_source_cell(graded.name, notebook.name, assignment)
                cell = cells.get(graded.name) or nbformat.v4.new_code_cell("", metadata={"nbgrader": {
                    "grade": True, "solution": False, "locked": master.locked, "grade_id": graded.name,
                    "points": graded.max_score, "schema_version": 3}})
                if not cell.source.strip():
                    cell = nbformat.from_dict({**cell, "source": HIDDEN_ONLY})
                master.source, master.checksum = cell.source, compute_checksum(cell)
        gb.db.commit()


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
