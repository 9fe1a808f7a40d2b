"""From nbgrader's gradebook to the policy's inputs: completion per homework, lateness, GPU cells, pending.

Stages, in order, for each (student, assignment):
  1. gradebook   nbgrader's submission and its per-cell scores (manual score over auto score; none = pending)
  2. gpu         GPU cells not run for this submission leave both the score and the maximum
  3. lateness    received time (never a commit date) against the deadline → the late multiplier
  4. autograde   the autograde outcome (``GradingResult``: status, reason, flags) and the bot's submission
                 row, so that a timeout or a waiting submission is shown as such, never as a silent 0
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.api import (
    Assignment,
    Grade,
    Gradebook,
    GradeCell,
    MissingEntry,
    Notebook,
    SubmittedAssignment,
    SubmittedNotebook,
)
from sqlalchemy import select

from grader.autograde.verdict import gpu_skipped_cells
from grader.course import CourseFolder
from grader.extensions import deadline_for
from grader.policy.grade import ProjectMarks, StudentGradeInput
from grader.policy.lateness import days_late, late_multiplier
from grader.store.db import session_scope
from grader.store.models import GradingResult, Submission
from grader.timeutil import aware

# Autograde statuses that need a person to look (``GradingResult.status`` other than 'graded').
ATTENTION_STATUSES = ("timeout", "kernel_died", "memory_limit", "tampering", "invalid_notebook", "missing",
                      "waiting_gpu")


@dataclass(frozen=True)
class CellMark:
    """One graded cell of a submission. score None = manual grading pending; gpu_skipped = not run, not counted."""

    name: str
    kind: str
    score: float | None
    max_score: float
    gpu_skipped: bool = False


@dataclass(frozen=True)
class Autograde:
    """What the grader's database says about a submission: the autograde outcome and the bot's record."""

    status: str = ""
    reason: str = ""
    flags: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    device: str = ""
    received: datetime | None = None
    submission_status: str = ""
    submission_reason: str = ""


@dataclass(frozen=True)
class HomeworkOutcome:
    """One student's result on one assignment, with everything the completion was computed from.

    status: where the submission stands in the gradebook: 'graded', 'missing' (nothing submitted) or 'ungraded'
    (submitted, not autograded yet); ``shown_status`` is what the report shows, the autograde status folded in.
    completion: score / max_score after the late multiplier, GPU-skipped cells left out of both.
    pending: cells whose manual grade is not entered yet (they count 0 until then: the mark can only rise).
    over_max: cells whose score is above their maximum (the completion is capped at 1; listed for a look).
    """

    student: str
    assignment: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    raw_completion: float = 0.0
    completion: float = 0.0
    received: datetime | None = None
    days_late: float = 0.0
    late_multiplier: float = 1.0
    gpu_skipped: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    cells: tuple[CellMark, ...] = ()
    over_max: tuple[str, ...] = ()
    autograde: Autograde = Autograde()

    @property
    def shown_status(self) -> str:
        """What the report shows for this homework: an autograde status that needs a look (``autograde.status``:
        timeout, tampering, …), else the gradebook's ``status`` made finer (pending manual grading, graded,
        missing, ungraded, fetch failed)."""
        if self.autograde.status in ATTENTION_STATUSES and not (self.autograde.status == "missing"
                                                                and self.status == "missing"):
            return self.autograde.status
        if self.status == "graded" and self.pending:
            return "pending"
        if self.status == "ungraded" and self.autograde.submission_status == "failed":
            return "fetch_failed"  # the collector could not use it: its reason is in the submission's record
        return self.status


def _gpu_skipped(course: CourseFolder, student: str, assignment: str) -> set[str]:
    """GPU cells not run for this submission, read from the autograded notebooks (the record of the run)."""
    notebooks = (nbformat.read(path, as_version=4)
                 for path in Path(course.autograded(student, assignment)).glob("*.ipynb"))
    return set(gpu_skipped_cells(notebooks, course.settings.gpu_tag))




def _skipped_in_result(cells: dict[str, dict[str, object]]) -> set[str]:
    """GPU cells the autograde outcome (``GradingResult.cells``) says were not run."""
    return {name for name, cell in cells.items() if isinstance(cell, dict) and cell.get("gpu_skipped")}


@dataclass(frozen=True)
class GradebookRow:
    """One graded cell of one submission, as nbgrader's gradebook holds it."""

    name: str
    cell_type: str
    max_score: float
    auto_score: float | None
    manual_score: float | None


@dataclass(frozen=True)
class GradebookSubmission:
    """nbgrader's submission of one assignment by one student: its timestamp and graded cells."""

    timestamp: datetime | None
    cells: tuple[GradebookRow, ...]


def _submitted(gb: Gradebook, student: str, assignment: str) -> GradebookSubmission | None:
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        return None
    return GradebookSubmission(submission.timestamp, tuple(
        GradebookRow(g.name, g.cell.cell_type, float(g.max_score), g.auto_score, g.manual_score)
        for notebook in submission.notebooks for g in notebook.grades))


def gradebook_rows(gb: Gradebook) -> dict[tuple[str, str], GradebookSubmission]:
    """Every submission of the gradebook in one query: (student, assignment) -> what nbgrader holds."""
    query = (gb.db.query(SubmittedAssignment.student_id, Assignment.name, SubmittedAssignment.timestamp,
                         GradeCell.name, GradeCell.cell_type, GradeCell.max_score, Grade.auto_score,
                         Grade.manual_score)
             .select_from(SubmittedAssignment)
             .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
             .outerjoin(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
             .outerjoin(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
             .outerjoin(Grade, Grade.notebook_id == SubmittedNotebook.id)
             .outerjoin(GradeCell, Grade.cell_id == GradeCell.id)
             .order_by(SubmittedAssignment.student_id, Assignment.name, Notebook.name, GradeCell.name))
    stamps: dict[tuple[str, str], datetime | None] = {}
    cells: dict[tuple[str, str], list[GradebookRow]] = {}
    for student, assignment, stamp, name, cell_type, top, auto, manual in query:
        key = (student, assignment)
        stamps[key] = stamp
        if name is not None:
            cells.setdefault(key, []).append(GradebookRow(name, cell_type, float(top), auto, manual))
    return {key: GradebookSubmission(stamp, tuple(cells.get(key, ()))) for key, stamp in stamps.items()}


def homework_outcome(course: CourseFolder, gb: Gradebook, student: str, assignment: str,
                     autograde: Autograde | None = None, result_cells: dict[str, dict[str, object]] | None = None
                     ) -> HomeworkOutcome:
    """One student's outcome on one assignment, read from an open gradebook."""
    return outcome_from(course, student, assignment, _submitted(gb, student, assignment), autograde, result_cells)


def outcome_from(course: CourseFolder, student: str, assignment: str, submitted: GradebookSubmission | None,
                 autograde: Autograde | None = None, result_cells: dict[str, dict[str, object]] | None = None
                 ) -> HomeworkOutcome:
    autograde = autograde or Autograde()
    if submitted is None:
        received = autograde.received
        late = days_late(received, deadline_for(course, student, assignment)) if received else 0.0
        status = "ungraded" if received is not None or autograde.status else "missing"
        return HomeworkOutcome(student, assignment, status, received=received, days_late=late,
                               late_multiplier=late_multiplier(late, course.settings.late), autograde=autograde)
    received = aware(submitted.timestamp) or autograde.received
    late = days_late(received, deadline_for(course, student, assignment)) if received else 0.0
    multiplier = late_multiplier(late, course.settings.late)
    skipped = _gpu_skipped(course, student, assignment) | _skipped_in_result(result_cells or {})
    score = max_score = 0.0
    pending: list[str] = []
    cells: list[CellMark] = []
    over: list[str] = []
    graded_any = False
    for grade in submitted.cells:
        kind = "auto" if grade.cell_type == "code" else "manual"
        value = grade.manual_score if grade.manual_score is not None else grade.auto_score
        top = grade.max_score
        cells.append(CellMark(grade.name, kind, None if value is None else float(value), top, grade.name in skipped))
        if grade.name in skipped:
            continue
        max_score += top
        if value is None:
            pending.append(grade.name)
            continue
        graded_any = True
        score += float(value)
        if float(value) > top + 1e-9:
            over.append(grade.name)
    if not graded_any and not pending:
        return HomeworkOutcome(student, assignment, "ungraded", received=received, days_late=late,
                               late_multiplier=multiplier, cells=tuple(cells), autograde=autograde)
    raw = score / max_score if max_score else 0.0
    return HomeworkOutcome(
        student, assignment, "graded", score=score, max_score=max_score, raw_completion=raw,
        completion=min(1.0, max(0.0, raw * multiplier)), received=received, days_late=late,
        late_multiplier=multiplier, gpu_skipped=tuple(sorted(skipped)), pending=tuple(pending),
        cells=tuple(cells), over_max=tuple(over), autograde=autograde,
    )


def _strings(text: str | None) -> tuple[str, ...]:
    """A JSON list of strings from the database (anything else: empty)."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _cells(text: str | None) -> dict[str, dict[str, object]]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, dict)} if isinstance(value, dict) else {}


@dataclass(frozen=True)
class DatabaseRecords:
    """The grader's own rows about homework: autograde outcomes and the bot's active submissions."""

    results: dict[tuple[str, str], Autograde]
    cells: dict[tuple[str, str], dict[str, dict[str, object]]]
    submitted: dict[tuple[str, str], Autograde]

    def autograde(self, student: str, assignment: str) -> Autograde:
        key = (student, assignment)
        result, bot = self.results.get(key), self.submitted.get(key)
        if result is None:
            return bot or Autograde()
        if bot is None:
            return result
        return Autograde(result.status, result.reason, result.flags, result.evidence, result.device, bot.received,
                         bot.submission_status, bot.submission_reason)


def database_records(course: CourseFolder, student: str | None = None) -> DatabaseRecords:
    """The grader's rows about homework, of the whole class or of one ``student``."""
    results: dict[tuple[str, str], Autograde] = {}
    cells: dict[tuple[str, str], dict[str, dict[str, object]]] = {}
    submitted: dict[tuple[str, str], Autograde] = {}
    graded, active = select(GradingResult), select(Submission).where(Submission.active.is_(True))
    if student is not None:
        graded = graded.where(GradingResult.student == student)
        active = active.where(Submission.student_id == student)
    with session_scope(course.database_url) as session:
        for row in session.scalars(graded):
            key = (row.student, row.assignment)
            results[key] = Autograde(row.status, row.reason or "", _strings(row.flags), _strings(row.evidence),
                                     row.device or "")
            cells[key] = _cells(row.cells)
        for sub in session.scalars(active):
            submitted[(sub.student_id, sub.assignment)] = Autograde(
                received=aware(sub.received_at), submission_status=sub.status, submission_reason=sub.reason or "")
    return DatabaseRecords(results, cells, submitted)


def source_order(course: CourseFolder, assignment: str) -> dict[str, int]:
    """grade_id -> position in the instructor's notebooks (source/hwN/*.ipynb), to list cells as students see
    them; empty when the source is not here (cells are then listed by name)."""
    order: dict[str, int] = {}
    for path in sorted(course.source(assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id and grade_id not in order:
                order[grade_id] = len(order)
    return order


Rows = dict[tuple[str, str], GradebookSubmission]


def _in_source_order(course: CourseFolder, rows: Rows) -> Rows:
    orders = {hw: source_order(course, hw) for hw in {hw for _, hw in rows}}
    return {key: GradebookSubmission(sub.timestamp,
                                     tuple(sorted(sub.cells, key=lambda c: orders[key[1]].get(c.name, 1 << 30))))
            for key, sub in rows.items()}


def class_outcomes(course: CourseFolder, records: DatabaseRecords | None = None
                   ) -> dict[str, dict[str, HomeworkOutcome]]:
    """student -> assignment -> outcome, for every student on the roster and every course assignment."""
    records = records or database_records(course)
    with Gradebook(course.gradebook_url) as gb:
        students = sorted(s.id for s in gb.students)
        rows = _in_source_order(course, gradebook_rows(gb))
    return {student: {hw: outcome_from(course, student, hw, rows.get((student, hw)), records.autograde(student, hw),
                                       records.cells.get((student, hw)))
                      for hw in course.settings.assignments}
            for student in students}


def grade_inputs(outcomes: dict[str, dict[str, HomeworkOutcome]],
                 projects: dict[str, ProjectMarks] | None = None) -> list[StudentGradeInput]:
    projects = projects or {}
    inputs = []
    for student, per_hw in outcomes.items():
        project = projects.get(student)
        inputs.append(StudentGradeInput(
            student=student,
            completions={hw: (o.completion if o.status == "graded" else None) for hw, o in per_hw.items()},
            defence=project.defence if project else None,
            bonuses=project.bonuses if project else frozenset(),
            pending=frozenset(hw for hw, o in per_hw.items() if o.pending),
        ))
    return inputs
