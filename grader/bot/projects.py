"""``/project LINK [partner]``: registering the final project repository, alone or as a pair.

A pair is confirmed when both partners have sent the same repository naming each other; until then the project
waits for the partner. A student's new registration replaces their earlier, unconfirmed ones; a confirmed pair is
changed only by the instructor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from grader.course import CourseFolder
from grader.store.db import session_scope
from grader.store.models import Project, Registration

from .service import GitHubPort, Refused, Student, pin_one, repository


@dataclass(frozen=True)
class ProjectState:
    """state: 'solo' | 'waiting' (for ``waiting_for``) | 'confirmed' (a pair, both confirmed)."""

    state: str
    repo_full_name: str
    repo_url: str
    commit_sha: str
    members: tuple[str, ...]
    waiting_for: tuple[str, ...]
    partner_telegram_id: int | None = None
    defence: float | None = None


def _ids(text: str) -> list[str]:
    return [s for s in text.split(",") if s]


def project_state(project: Project, partner_telegram_id: int | None = None) -> ProjectState:
    members = tuple(_ids(project.members))
    waiting = tuple(m for m in members if m not in _ids(project.confirmed))
    state = "solo" if len(members) == 1 else ("waiting" if waiting else "confirmed")
    return ProjectState(state, project.repo_full_name, project.repo_url, project.commit_sha, members, waiting,
                        partner_telegram_id, project.defence)


def project_of(course: CourseFolder, student_id: str) -> Project | None:
    """The student's project: a confirmed one first, else the latest they are in."""
    with session_scope(course.database_url) as session:
        rows = [p for p in session.scalars(select(Project).order_by(Project.id.desc()))
                if student_id in _ids(p.members)]
        confirmed = [p for p in rows if set(_ids(p.members)) <= set(_ids(p.confirmed))]
        return (confirmed or rows or [None])[0]


def _locked(project: Project) -> bool:
    members = _ids(project.members)
    return len(members) == 2 and set(members) <= set(_ids(project.confirmed))


def register_project(course: CourseFolder, gh: GitHubPort, student: Student, link: str, partner: str | None, *,
                     hosts: tuple[str, ...] = ("github.com",), instructor: str = "",
                     now: datetime | None = None) -> ProjectState:
    repo = repository(link, hosts)
    partner = partner.strip() if partner else None
    if partner == student.student_id:
        raise Refused("partner_self")
    partner_telegram: int | None = None
    with session_scope(course.database_url) as session:
        mine = [p for p in session.scalars(select(Project)) if student.student_id in _ids(p.members)]
        locked = next((p for p in mine if _locked(p)), None)
        if locked is not None and not (partner and set(_ids(locked.members)) == {student.student_id, partner}
                                       and locked.repo_full_name == repo.full_name):
            raise Refused("project_locked", repo=locked.repo_full_name)
        if partner:
            other = session.get(Registration, partner)
            if other is None:
                raise Refused("partner_unknown", partner=partner[:64])
            partner_telegram = other.telegram_id
            theirs = [p for p in session.scalars(select(Project)) if partner in _ids(p.members)]
            if any(_locked(p) and student.student_id not in _ids(p.members) for p in theirs):
                raise Refused("partner_taken", partner=partner)
        members = sorted({student.student_id, *([partner] if partner else [])})
        confirming = any(sorted(_ids(p.members)) == members and p.repo_full_name == repo.full_name
                         and _ids(p.confirmed) for p in mine)
    # the partner who confirms need not own the repository: the one who registered it does
    pinned = pin_one(gh, repo, None if confirming else student.github_login, instructor)
    now = now or datetime.now(UTC)
    with session_scope(course.database_url) as session:
        projects = list(session.scalars(select(Project)))
        match = next((p for p in projects if sorted(_ids(p.members)) == members
                      and p.repo_full_name == repo.full_name), None)
        for project in projects:  # earlier registrations of this student that this one replaces
            if project is match or student.student_id not in _ids(project.members) or _locked(project):
                continue
            confirmed = [m for m in _ids(project.confirmed) if m != student.student_id]
            if confirmed and len(_ids(project.members)) == 2 and project.repo_full_name != repo.full_name:
                project.members = ",".join(confirmed)  # the partner's own registration stays as a solo one
                project.confirmed = ",".join(confirmed)
            else:
                session.delete(project)
        if match is None:
            match = Project(repo_url=repo.html_url, repo_full_name=repo.full_name, members=",".join(members),
                            confirmed="", registered_at=now, checks="{}")
            session.add(match)
        confirmed = sorted(set(_ids(match.confirmed)) | {student.student_id})
        match.confirmed, match.commit_sha = ",".join(confirmed), pinned.sha
        if set(members) <= set(confirmed) and partner:  # a confirmed pair replaces the partner's other plans
            for project in projects:
                if project is not match and partner in _ids(project.members) and not _locked(project):
                    session.delete(project)
        session.flush()
        return project_state(match, partner_telegram)
