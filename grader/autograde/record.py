"""Recording a job's outcome: the course's gradebook (nbgrader's rows), the autograded notebook, and the
outcome row in the grader's database, written by one process only (the orchestrator)."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader import lifecycle
from grader.autograde.records import JobOutcome
from grader.course import CourseFolder
from grader.store.db import session_scope
from grader.store.models import GradingResult, Submission


def _write_gradebook(course: CourseFolder, outcome: JobOutcome) -> None:
    if outcome.status in ("missing", "waiting_gpu"):
        return
    timestamp = datetime.fromisoformat(outcome.timestamp) if outcome.timestamp else None
    with Gradebook(course.gradebook_url) as gb:
        try:
            gb.find_student(outcome.student)
        except MissingEntry:
            gb.add_student(outcome.student)
        kwargs = {"timestamp": timestamp} if timestamp else {}
        submission = gb.update_or_create_submission(outcome.assignment, outcome.student, **kwargs)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                cell = outcome.cells.get(grade.name)
                score = None if cell is None else cell["score"]
                if score is None and grade.cell.cell_type == "code" and not _is_solution(gb, grade, notebook.name,
                                                                                        outcome.assignment):
                    score = 0.0  # a test that never ran (dead kernel, invalid notebook): 0, the status says why
                grade.auto_score = score
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        gb.db.commit()


def _is_solution(gb: Gradebook, grade: object, notebook: str, assignment: str) -> bool:
    """A manually graded answer (a graded solution cell) waits for a person: it is never zeroed here."""
    try:
        gb.find_solution_cell(grade.name, notebook, assignment)  # type: ignore[attr-defined]
    except MissingEntry:
        return False
    return True


def _write_notebooks(course: CourseFolder, outcome: JobOutcome) -> None:
    if not outcome.notebooks:
        return
    target = course.autograded(outcome.student, outcome.assignment)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in outcome.notebooks.items():
        with warnings.catch_warnings():  # nbformat's notes on old notebooks (no cell ids) are not the user's news
            warnings.simplefilter("ignore")
            nbformat.write(nbformat.reads(text, as_version=4), target / name)


def record_outcome(course: CourseFolder, outcome: JobOutcome) -> None:
    """Store one outcome everywhere it belongs; the result row is written last (it marks the job done)."""
    _write_gradebook(course, outcome)
    _write_notebooks(course, outcome)
    with session_scope(course.database_url) as session:
        row = session.get(GradingResult, (outcome.assignment, outcome.student))
        if row is None:
            row = GradingResult(assignment=outcome.assignment, student=outcome.student)
            session.add(row)
        row.status, row.reason = outcome.status, outcome.reason[:4000]
        row.flags, row.evidence = json.dumps(outcome.flags), json.dumps(outcome.evidence)[:16000]
        row.cells = json.dumps(outcome.cells)
        row.device, row.worker, row.wall_seconds = outcome.device, outcome.worker, outcome.wall_seconds
        row.input_hash, row.graded_at = outcome.input_hash, datetime.now(UTC)
        row.log_path = outcome.log_path
        _record_life(session, outcome)


def _record_life(session: Session, outcome: JobOutcome) -> None:
    """The active submission's transition (``grader.lifecycle``), in the same transaction as the outcome."""
    active = session.scalar(select(Submission).where(
        Submission.student_id == outcome.student, Submission.assignment == outcome.assignment,
        Submission.active.is_(True)))
    if active is not None:
        state = "graded" if outcome.status == "graded" else "grade_failed"
        lifecycle.record(session, active.id, state, "" if state == "graded" else outcome.status)


def results(course: CourseFolder, assignment: str | None = None) -> dict[tuple[str, str], GradingResult]:
    with session_scope(course.database_url) as session:
        query = select(GradingResult)
        if assignment is not None:
            query = query.where(GradingResult.assignment == assignment)
        return {(r.assignment, r.student): r for r in session.scalars(query)}
