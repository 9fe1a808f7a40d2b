"""The report's model: everything the report shows, computed once by ``grader.report.build``; every writer
(terminal, CSV, Excel, HTML, the student's text) reads only this.

It imports nothing of the report package, so every writer can import it without an import circle; of the rest
of ``grader`` it needs only the policy's ``GradePolicy`` (a default) at run time, the other types for annotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import TYPE_CHECKING

from grader.policy.grade import GradePolicy

if TYPE_CHECKING:
    from grader.completion import HomeworkOutcome
    from grader.policy.grade import GradeBreakdown
    from grader.project.store import ProjectRecord
    from grader.roster import RosterEntry


# kind -> heading, in the order the sections are shown
KINDS: dict[str, str] = {
    "not_on_roster": "data from students not on the roster",
    "roster_no_data": "students on the roster with no data",
    "autograde": "submissions not graded normally (timeout, crash, tampering, ...)",
    "over_max": "scores above their maximum",
    "pending_manual": "manual grading pending (formgrader)",
    "ungraded": "submitted, not graded yet",
    "flag": "autograde flags",
    "late": "late submissions",
    "extension": "deadline extensions (grader extend)",
    "appeal": "open regrade requests (grader appeals answer ID TEXT)",
    "project": "projects to look at",
    "bonus_suggested": "bonuses suggested, not confirmed",
    "defence_pending": "defence marks not entered",
    "similarity": "similar code (grader similarity; nothing is penalised: look and decide)",
}
# These change a student's grade or mean it cannot be trusted yet; the others are information.
BLOCKING = frozenset({"not_on_roster", "autograde", "over_max", "pending_manual", "ungraded", "appeal"})


@dataclass(frozen=True)
class Attention:
    """One thing to look at. assignment: a homework name, 'project', or '' for the whole student."""

    kind: str
    student: str
    assignment: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.assignment}: {self.message}" if self.assignment else self.message




STATE_SHORT = {"pending": "≥", "timeout": "timeout", "kernel_died": "died", "memory_limit": "memory",
               "tampering": "tamper", "invalid_notebook": "invalid", "missing": "missing",
               "waiting_gpu": "GPU wait", "ungraded": "ungraded", "fetch_failed": "fetch failed"}


@dataclass(frozen=True)
class Report:
    """Everything the report shows, computed once; every writer reads only this."""

    assignments: tuple[str, ...]
    rows: list[GradeBreakdown]
    outcomes: dict[str, dict[str, HomeworkOutcome]]
    names: dict[str, RosterEntry] = field(default_factory=dict)
    projects: list[ProjectRecord] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)
    policy: GradePolicy = field(default_factory=GradePolicy)
    course_name: str = ""
    deadlines: dict[str, datetime] = field(default_factory=dict)
    timezone: tzinfo = UTC
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # (student, assignment) -> the student's own deadline (``grader extend``), where it differs from ``deadlines``
    student_deadlines: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def deadline(self, student: str, assignment: str) -> datetime | None:
        return self.student_deadlines.get((student, assignment), self.deadlines.get(assignment))

    @property
    def weighted_h(self) -> str:
        """The weighted homework component's column header, from the configured weight ("0.5·H")."""
        return f"{self.policy.homework_weight:g}·H"

    @property
    def formula(self) -> str:
        """The grade formula as configured ("0.5·H + 0.5·E + bonuses")."""
        return f"{self.weighted_h} + {self.policy.project_weight:g}·E + bonuses"

    def row(self, student: str) -> GradeBreakdown:
        return next(r for r in self.rows if r.student == student)

    def name(self, student: str) -> str:
        entry = self.names.get(student)
        return " ".join(x for x in (entry.first_name, entry.last_name) if x) if entry else ""

    def project_of(self, student: str) -> ProjectRecord | None:
        return next((p for p in self.projects if student in p.members), None)

    @cached_property
    def _attention_by_student(self) -> dict[str, list[Attention]]:
        index: dict[str, list[Attention]] = {}
        for item in self.attention:
            for who in dict.fromkeys([item.student, *item.student.split(" + ")]):
                index.setdefault(who, []).append(item)
        return index

    def attention_for(self, student: str) -> list[Attention]:
        """The lines about one student (a pair's project lines belong to both partners)."""
        return list(self._attention_by_student.get(student, []))

    def flags(self, student: str) -> list[str]:
        return [a.text for a in self.attention_for(student)]
