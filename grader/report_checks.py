"""Consistency checks before export: everything that needs a human look, as one list ("needs attention").

Nothing is dropped: a submission from someone not on the roster, a score above its maximum, a timeout, a pending
manual grade — each becomes an ``Attention`` line in the terminal, the CSV's flags, the Excel flags sheet, the HTML
page and (for their own lines) the student's report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.marks import DatabaseRecords, HomeworkOutcome
from grader.project.store import ProjectRecord

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
    "project": "projects to look at",
    "bonus_suggested": "bonuses suggested, not confirmed",
    "defence_pending": "defence marks not entered",
    "similarity": "similar code (grader similarity; nothing is penalised: look and decide)",
}
# These change a student's grade or mean it cannot be trusted yet; the others are information.
BLOCKING = frozenset({"not_on_roster", "autograde", "over_max", "pending_manual", "ungraded"})


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


def homework_attention(outcome: HomeworkOutcome) -> list[Attention]:
    """The lines one homework outcome produces."""
    out: list[Attention] = []
    who, hw, result = outcome.student, outcome.assignment, outcome.autograde

    def add(kind: str, message: str) -> None:
        out.append(Attention(kind, who, hw, message))

    if result.status and result.status != "graded":
        add("autograde", f"{result.status}: {result.reason}" if result.reason else result.status)
        for line in result.evidence[:3]:
            add("autograde", f"evidence: {line}")
    if outcome.over_max:
        add("over_max", f"score above the maximum in {', '.join(outcome.over_max)} (completion capped at 1)")
    if outcome.pending:
        add("pending_manual", f"manual grading pending: {', '.join(outcome.pending)} (counted 0 until graded)")
    if outcome.status == "ungraded" and not result.status:
        why = f" ({result.submission_status}: {result.submission_reason})" if result.submission_reason else ""
        add("ungraded", f"submitted, not graded yet{why}")
    if outcome.gpu_skipped:
        add("flag", f"GPU cells not run ({len(outcome.gpu_skipped)}): {', '.join(outcome.gpu_skipped)}")
    for flag in result.flags:
        if not (flag.startswith("gpu_skipped") and outcome.gpu_skipped):
            add("flag", flag)
    if outcome.days_late > 0:
        add("late", f"{outcome.days_late:.1f} days late (x{outcome.late_multiplier:g})")
    return out


def _project_attention(project: ProjectRecord, policy_bonuses: Iterable[str]) -> list[Attention]:
    who = " + ".join(project.members)
    out = [Attention("project", who, "project", f"#{project.id} {line}")
           for line in (project.check.problems() if project.check else [f"not checked yet (grader project check "
                                                                        f"{project.id})"])]
    if project.unconfirmed_members:
        out.append(Attention("project", who, "project", f"#{project.id} partner(s) "
                             f"{', '.join(project.unconfirmed_members)} have not confirmed the pair"))
    for name, why in project.suggested.items():
        if name in policy_bonuses and name not in project.bonuses:
            out.append(Attention("bonus_suggested", who, "project", f"#{project.id} {name} suggested ({why}); "
                                 f"confirm: grader project grade {project.id} --bonus {name}"))
    if project.defence is None:
        out.append(Attention("defence_pending", who, "project", f"#{project.id} defence mark not entered "
                             f"(grader project grade {project.id} --defence MARK)"))
    return out


def consistency_checks(roster: Iterable[str], outcomes: Mapping[str, Mapping[str, HomeworkOutcome]],
                       records: DatabaseRecords, projects: list[ProjectRecord], twice: Mapping[str, list[int]],
                       submitted_dir: Path | None, policy_bonuses: Iterable[str],
                       marked: Iterable[str] = ()) -> list[Attention]:
    """Every line of the "needs attention" section, in the order of ``KINDS``. ``marked``: students whose
    project marks come from elsewhere than ``projects`` (they have a project too)."""
    on_roster = set(roster)
    lines: list[Attention] = []
    # 1. data whose student is not on the roster: grading results, bot submissions, project members, folders
    strangers: dict[str, set[str]] = {}
    for student, hw in [*records.results, *records.submitted]:
        strangers.setdefault(student, set()).add(hw)
    for project in projects:
        for member in project.members:
            strangers.setdefault(member, set()).add("project")
    if submitted_dir is not None and submitted_dir.is_dir():
        for folder in submitted_dir.iterdir():
            if folder.is_dir():
                strangers.setdefault(folder.name, set()).update(p.name for p in folder.iterdir() if p.is_dir())
    for student in sorted(set(strangers) - on_roster):
        lines.append(Attention("not_on_roster", student, "", f"not on the roster, yet has data for "
                               f"{', '.join(sorted(strangers[student]))} (import them with grader roster import, "
                               "or remove the data)"))
    # 2. roster students with nothing at all
    with_project = {m for p in projects for m in p.members} | set(marked)
    for student in sorted(on_roster):
        per_hw = outcomes.get(student, {})
        if all(o.status == "missing" and not o.autograde.status for o in per_hw.values()) \
                and student not in with_project:
            lines.append(Attention("roster_no_data", student, "", "on the roster, but no submission and no project"))
    # 3. per homework
    for student in sorted(outcomes):
        for outcome in outcomes[student].values():
            lines += homework_attention(outcome)
    # 4. projects
    for student, ids in sorted(twice.items()):
        lines.append(Attention("project", student, "project", f"member of projects {', '.join(f'#{i}' for i in ids)}"
                               ": project marks withheld until one registration is removed"))
    for project in projects:
        lines += _project_attention(project, policy_bonuses)
    for student in sorted(on_roster - with_project):
        if outcomes.get(student) and any(o.status != "missing" for o in outcomes[student].values()):
            lines.append(Attention("defence_pending", student, "project", "no project registered"))
    order = list(KINDS)
    return sorted(lines, key=lambda a: order.index(a.kind) if a.kind in order else len(order))


def for_student(lines: Iterable[Attention], student: str) -> list[Attention]:
    """The lines about one student (a pair's project lines belong to both partners)."""
    return [a for a in lines if a.student == student or student in a.student.split(" + ")]
