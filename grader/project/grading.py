"""What the instructor does with projects: check them, enter the defence mark, confirm bonuses (one by one on
the command line, or all at once from a CSV). Every value is validated before anything is written."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader.course import CourseFolder
from grader.errors import ExternalServiceError, ProjectError
from grader.project.checks import Fetch, Invited, ProjectCheck, check_folder, fetch_pinned
from grader.project.config import instructor_login, load_checks
from grader.project.store import ProjectRecord, find_project, list_projects, save_check, set_marks, set_marks_many

YES = frozenset({"1", "yes", "y", "true", "да", "д", "x", "+"})
NO = frozenset({"0", "no", "n", "false", "нет", "н", "-"})


def github_boundary(course: CourseFolder) -> tuple[Fetch | None, Invited | None, str]:
    """fetch and is_invited of the GitHub boundary (``grader.github``), taking ``owner/name``; or why not."""
    try:
        from grader.github import GitHub, RepoRef
    except ImportError:
        return None, None, "the GitHub boundary (grader.github) is not installed"
    github = GitHub.from_course(course)
    host = (github.settings.hosts or ("github.com",))[0]

    def ref(full_name: str) -> RepoRef:
        owner, _, name = full_name.partition("/")
        return RepoRef(owner, name, host)

    def fetch(repo: str, sha: str, dest: Path) -> object:
        return github.fetch(ref(repo), sha, dest)

    def invited(repo: str, login: str) -> bool:
        return github.is_invited(ref(repo), login)

    return fetch, invited, ""


def check_project(course: CourseFolder, project: ProjectRecord, *, folder: Path | None = None,
                  fetch: Fetch | None = None, invited: Invited | None = None) -> ProjectCheck:
    """Run every stage for one project and store the result; a failure is recorded, not raised."""
    checks = load_checks(course.config)
    settings = course.settings
    started = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        if folder is None:
            if fetch is None:
                fetch, invited_default, why = github_boundary(course)
                invited = invited or invited_default
                if fetch is None:
                    raise ProjectError(f"cannot fetch {project.repo}: {why}; check a local copy with --from DIR")
            folder = fetch_pinned(project.repo, project.commit,
                                  course.root / checks.checkout_dir / f"project-{project.id}", fetch)
        elif not folder.is_dir():
            raise ProjectError(f"{folder} is not a folder")
        result = check_folder(folder, repo=project.repo, commit=project.commit, checks=checks,
                              login=instructor_login(checks, course.config), invited=invited,
                              bonus_points=settings.grade.bonus_points, min_datasets=settings.min_open_datasets)
    except (ProjectError, ExternalServiceError, OSError) as exc:
        result = ProjectCheck(project.repo, project.commit, started, error=str(exc))
    save_check(course, project.id, result)
    return result


def _defence(value: float, course: CourseFolder, where: str) -> float:
    top = course.settings.grade.max_mark
    if math.isnan(value) or not 0.0 <= value <= top:
        raise ProjectError(f"{where}: the defence mark must be between 0 and {top:g}, got {value:g}")
    return float(value)


def _criteria(names: Iterable[str], course: CourseFolder, where: str) -> set[str]:
    known = course.settings.grade.bonus_points
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ProjectError(f"{where}: unknown bonus {unknown[0]!r}; the course has {', '.join(known)} "
                           "(Bonuses.criteria in nbgrader_config.py)")
    return set(names)


def grade_project(course: CourseFolder, key: str, *, defence: float | None = None, confirm: Iterable[str] = (),
                  withdraw: Iterable[str] = (), accept_suggested: bool = False) -> ProjectRecord:
    """Enter the defence mark and confirm or withdraw bonuses of one project (both partners get them)."""
    project = find_project(course, key)
    where = f"project #{project.id}"
    mark = None if defence is None else _defence(defence, course, where)
    add = _criteria(confirm, course, where) | (set(project.suggested) if accept_suggested else set())
    remove = _criteria(withdraw, course, where)
    if add & remove:
        raise ProjectError(f"{where}: {sorted(add & remove)[0]!r} is both confirmed and withdrawn")
    bonuses = None if not (add or remove) else tuple((set(project.bonuses) | add) - remove)
    return set_marks(course, project.id, defence=mark, bonuses=bonuses)


@dataclass(frozen=True)
class _Row:
    project: ProjectRecord
    defence: float | None
    bonuses: dict[str, bool]


def _flag(text: str, where: str) -> bool | None:
    value = text.strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise ProjectError(f"{where}: {text!r} is not yes/no (1/0, да/нет)")


def _parse(course: CourseFolder, path: Path) -> list[_Row]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ProjectError(f"{path.name} is not UTF-8: save it as 'CSV UTF-8' and import again") from exc
    sample = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if sample.count(";") > sample.count(",") else ",")
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    if "project" not in header and "student" not in header:
        raise ProjectError(f"{path.name}, line 1: needs a 'project' (number) or 'student' (a member's id) column; "
                           f"found: {', '.join(header) or 'nothing'}")
    criteria = [c for c in course.settings.grade.bonus_points if c in header]
    rows: list[_Row] = []
    seen: dict[int, int] = {}
    for record in reader:
        where = f"{path.name}, line {reader.line_num}"
        values = {k: (v or "").strip() for k, v in record.items() if k}
        key = values.get("project") or values.get("student", "")
        if not any(values.values()):
            continue
        try:
            project = find_project(course, key.lstrip("#"))
        except ProjectError as exc:
            raise ProjectError(f"{where}: {exc}") from exc
        if project.id in seen:
            raise ProjectError(f"{where}: project #{project.id} again (first on line {seen[project.id]})")
        seen[project.id] = reader.line_num
        defence = None
        if values.get("defence"):
            try:
                defence = _defence(float(values["defence"].replace(",", ".")), course, where)
            except ValueError as exc:
                raise ProjectError(f"{where}: defence {values['defence']!r} is not a number") from exc
        flags = {c: _flag(values.get(c, ""), f"{where}, column {c}") for c in criteria}
        rows.append(_Row(project, defence, {c: v for c, v in flags.items() if v is not None}))
    return rows


def import_marks(course: CourseFolder, path: Path) -> list[ProjectRecord]:
    """Defence marks and bonus decisions from a CSV (what ``export_marks`` writes), all or nothing."""
    changes = []
    for row in _parse(course, path):
        bonuses = None
        if row.bonuses:
            bonuses = tuple((set(row.project.bonuses) | {c for c, v in row.bonuses.items() if v})
                            - {c for c, v in row.bonuses.items() if not v})
        changes.append((row.project.id, row.defence, bonuses))
    return set_marks_many(course, changes)


def export_marks(course: CourseFolder, path: Path) -> Path:
    """A CSV to fill in: one line per project with its checks, suggestions and current marks."""
    criteria = list(course.settings.grade.bonus_points)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["project", "members", "repo", "commit", "defence", *criteria, "suggested", "problems"])
        for project in list_projects(course):
            problems = project.check.problems() if project.check else ["not checked yet"]
            writer.writerow([project.id, " ".join(project.members), project.repo, project.commit[:12],
                             "" if project.defence is None else f"{project.defence:g}",
                             *("yes" if c in project.bonuses else "no" for c in criteria),
                             "; ".join(f"{k}: {v}" for k, v in project.suggested.items()), "; ".join(problems)])
    return path
