"""Projects in the grader's database (``Project`` rows), as records; the marks every member gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from grader.course import CourseFolder
from grader.errors import ProjectError
from grader.policy.grade import ProjectMarks, project_marks_by_student
from grader.project.checks import ProjectCheck
from grader.store.db import session_scope
from grader.store.models import Project


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


@dataclass(frozen=True)
class ProjectRecord:
    """One registered project. ``members`` all get its marks; ``bonuses`` are the confirmed criteria."""

    id: int
    repo_url: str
    repo: str
    commit: str
    members: tuple[str, ...]
    confirmed: tuple[str, ...]
    defence: float | None
    bonuses: tuple[str, ...]
    check: ProjectCheck | None

    @property
    def suggested(self) -> dict[str, str]:
        return dict(self.check.suggested) if self.check else {}

    @property
    def unconfirmed_members(self) -> tuple[str, ...]:
        """Partners of a pair who have not confirmed it with the bot yet (a solo project needs no confirmation)."""
        return tuple(m for m in self.members if m not in self.confirmed) if len(self.members) > 1 else ()

    def marks(self) -> ProjectMarks:
        return ProjectMarks(self.members, self.defence, frozenset(self.bonuses))


def _record(row: Project) -> ProjectRecord:
    return ProjectRecord(row.id, row.repo_url, row.repo_full_name, row.commit_sha or "", _split(row.members),
                         _split(row.confirmed), row.defence, _split(row.bonuses), ProjectCheck.from_json(row.checks))


def list_projects(course: CourseFolder) -> list[ProjectRecord]:
    with session_scope(course.database_url) as session:
        return [_record(row) for row in session.scalars(select(Project).order_by(Project.id))]


def find_project(course: CourseFolder, key: str) -> ProjectRecord:
    """A project by its number, or by the id of one of its members."""
    projects = list_projects(course)
    for project in projects:
        if key == str(project.id) or key in project.members:
            return project
    known = ", ".join(f"#{p.id} ({'+'.join(p.members)})" for p in projects) or "none registered yet"
    raise ProjectError(f"no project {key!r}: give a project number or a member's student id (projects: {known})")


def save_check(course: CourseFolder, project_id: int, check: ProjectCheck) -> None:
    with session_scope(course.database_url) as session:
        row = session.get(Project, project_id)
        if row is None:
            raise ProjectError(f"project #{project_id} disappeared while it was checked")
        row.checks = check.to_json()


MarksChange = tuple[int, float | None, tuple[str, ...] | None]  # project id, defence, confirmed bonuses


def set_marks_many(course: CourseFolder, changes: list[MarksChange]) -> list[ProjectRecord]:
    """Store defence marks and/or confirmed bonuses of several projects in one transaction (None leaves a
    value as it is): all of them are written, or none."""
    out = []
    with session_scope(course.database_url) as session:
        for project_id, defence, bonuses in changes:
            row = session.get(Project, project_id)
            if row is None:
                raise ProjectError(f"no project #{project_id}")
            if defence is not None:
                row.defence = float(defence)
            if bonuses is not None:
                row.bonuses = ",".join(sorted(set(bonuses)))
            session.flush()
            out.append(_record(row))
    return out


def set_marks(course: CourseFolder, project_id: int, *, defence: float | None = None,
              bonuses: tuple[str, ...] | None = None) -> ProjectRecord:
    return set_marks_many(course, [(project_id, defence, bonuses)])[0]


def add_project(course: CourseFolder, repo_url: str, repo: str, members: tuple[str, ...], commit: str = "",
                registered_at: datetime | None = None) -> ProjectRecord:
    """Register a project directly (the bot does this for students; tests and manual entry use it too)."""
    with session_scope(course.database_url) as session:
        row = Project(repo_url=repo_url, repo_full_name=repo, commit_sha=commit, members=",".join(members),
                      confirmed=",".join(members), registered_at=registered_at or datetime.now(UTC))
        session.add(row)
        session.flush()
        return _record(row)


def project_marks(projects: list[ProjectRecord]) -> tuple[dict[str, ProjectMarks], dict[str, list[int]]]:
    """student -> their project's marks; and students found in more than one project (their marks are
    withheld until the instructor fixes the registration, and the report says so)."""
    owners: dict[str, list[int]] = {}
    for project in projects:
        for member in project.members:
            owners.setdefault(member, []).append(project.id)
    twice = {student: ids for student, ids in owners.items() if len(ids) > 1}
    marks = [ProjectMarks(tuple(m for m in p.members if m not in twice), p.defence, frozenset(p.bonuses))
             for p in projects]
    return project_marks_by_student([m for m in marks if m.members]), twice
