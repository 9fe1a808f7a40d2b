"""From nbgrader's gradebook to the policy's inputs: completion per homework, lateness, GPU cells, pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from grader.autograde.preprocessors import GPU_SKIP_MESSAGE, cell_tags
from grader.course import CourseFolder
from grader.policy.grade import ProjectMarks, StudentGradeInput
from grader.policy.lateness import days_late, late_multiplier


@dataclass(frozen=True)
class HomeworkOutcome:
    """One student's result on one assignment, with everything the completion was computed from.

    status: 'graded', 'missing' (nothing submitted) or 'ungraded' (submitted, not autograded yet).
    completion: score / max_score after the late multiplier, GPU-skipped cells left out of both.
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


def _gpu_skipped(course: CourseFolder, student: str, assignment: str) -> set[str]:
    """GPU cells not run for this submission, read from the autograded notebooks (the record of the run)."""
    skipped: set[str] = set()
    for path in Path(course.autograded(student, assignment)).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if course.settings.gpu_tag in cell_tags(cell) and GPU_SKIP_MESSAGE in cell.source:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id:
                    skipped.add(grade_id)
    return skipped


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def homework_outcome(course: CourseFolder, gb: Gradebook, student: str, assignment: str) -> HomeworkOutcome:
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        return HomeworkOutcome(student, assignment, "missing")
    received = _aware(submission.timestamp)
    late = days_late(received, course.settings.deadlines.get(assignment)) if received else 0.0
    multiplier = late_multiplier(late, course.settings.late)
    skipped = _gpu_skipped(course, student, assignment)
    score = max_score = 0.0
    pending: list[str] = []
    graded_any = False
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            if grade.name in skipped:
                continue
            max_score += float(grade.max_score)
            if grade.manual_score is not None:
                score += float(grade.manual_score)
                graded_any = True
            elif grade.auto_score is not None:
                score += float(grade.auto_score)
                graded_any = True
            else:
                pending.append(grade.name)
    if not graded_any and not pending:
        return HomeworkOutcome(student, assignment, "ungraded", received=received)
    raw = score / max_score if max_score else 0.0
    return HomeworkOutcome(
        student, assignment, "graded", score=score, max_score=max_score, raw_completion=raw,
        completion=min(1.0, max(0.0, raw * multiplier)), received=received, days_late=late,
        late_multiplier=multiplier, gpu_skipped=tuple(sorted(skipped)), pending=tuple(pending),
    )


def class_outcomes(course: CourseFolder) -> dict[str, dict[str, HomeworkOutcome]]:
    """student -> assignment -> outcome, for every student on the roster and every course assignment."""
    out: dict[str, dict[str, HomeworkOutcome]] = {}
    with Gradebook(course.gradebook_url) as gb:
        for student in sorted(s.id for s in gb.students):
            out[student] = {hw: homework_outcome(course, gb, student, hw) for hw in course.settings.assignments}
    return out


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
