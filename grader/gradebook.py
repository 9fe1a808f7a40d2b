"""Reading scores out of nbgrader's gradebook into plain records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from nbgrader.api import Gradebook, MissingEntry


@dataclass(frozen=True)
class CellScore:
    """One graded cell: ``score`` is None while a manual grade is pending."""

    name: str
    score: float | None
    max_score: float
    auto: bool


@dataclass(frozen=True)
class SubmissionScores:
    student: str
    assignment: str
    cells: dict[str, CellScore] = field(default_factory=dict)
    timestamp: datetime | None = None

    @property
    def pending(self) -> list[str]:
        return [c.name for c in self.cells.values() if c.score is None]


def read_submission(db_url: str, assignment: str, student: str) -> SubmissionScores | None:
    """Per-cell scores of one submission, or None when nbgrader has no submission for it."""
    with Gradebook(db_url) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        cells: dict[str, CellScore] = {}
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                auto = grade.cell.cell_type == "code"
                if grade.manual_score is not None:
                    score: float | None = float(grade.manual_score)
                elif grade.auto_score is not None:
                    score = float(grade.auto_score)
                else:
                    score = None
                cells[grade.name] = CellScore(grade.name, score, float(grade.max_score), auto)
        return SubmissionScores(student, assignment, cells, submission.timestamp)
