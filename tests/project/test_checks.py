"""A project checked end to end at its pinned commit: every stage, the invitation, the suggested bonuses,
stored with the project, and nothing awarded without the instructor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grader.course import CourseFolder, open_course
from grader.errors import NotFoundError, RateLimitedError
from grader.project.checks import ProjectCheck
from grader.project.grading import check_project
from grader.project.store import add_project, find_project

from .conftest import README_EN, README_RU, commit_files

TWO_DATASETS = {"train.py": "load_dataset('stanfordnlp/imdb')\nload_dataset('dair-ai/emotion')\n"}
GRADIO_SPACE = {"app.py": "import gradio as gr\n", "requirements.txt": "gradio\n",
                "SPACE.md": "https://huggingface.co/spaces/anna/demo\n"}


def invited_if(*logins: str) -> Callable[[str, str], bool]:
    return lambda repo, login: login in logins


def run(course: CourseFolder, files: dict[str, str], make_repo, local_fetch, invited=None,  # type: ignore[no-untyped-def]
        members: tuple[str, ...] = ("s1",)) -> ProjectCheck:
    _, sha = make_repo(files)
    project = add_project(course, "https://github.com/anna/project", "anna/project", members, sha)
    return check_project(course, project, fetch=local_fetch, invited=invited or invited_if("DmitryRyumin"))


def test_complete_project_meets_every_requirement_and_gets_both_suggestions(course, make_repo, local_fetch) -> None:
    check = run(course, {"README.md": README_RU, **TWO_DATASETS, **GRADIO_SPACE}, make_repo, local_fetch)
    assert check.problems() == [] and check.readme.complete
    assert [str(d) for d in check.datasets] == ["stanfordnlp/imdb", "dair-ai/emotion"]
    assert set(check.suggested) == {"open_datasets", "gradio_space"}
    stored = find_project(course, "s1")
    assert stored.check == check and stored.bonuses == () and stored.defence is None  # suggested, not awarded


def test_one_dataset_and_no_space_suggest_nothing(course, make_repo, local_fetch) -> None:
    check = run(course, {"README.md": README_EN, "train.py": "load_dataset('dair-ai/emotion')\n"}, make_repo,
                local_fetch)
    assert len(check.datasets) == 1 and not check.space.has_link and check.suggested == {}


def test_gradio_space_without_a_second_dataset_suggests_only_the_space(course, make_repo, local_fetch) -> None:
    check = run(course, {"README.md": README_EN, **GRADIO_SPACE}, make_repo, local_fetch)
    assert set(check.suggested) == {"gradio_space"}


def test_instructor_not_invited_is_a_problem(course, make_repo, local_fetch) -> None:
    check = run(course, {"README.md": README_RU}, make_repo, local_fetch, invited=invited_if("someone-else"))
    assert check.invitation.invited is False
    assert check.problems() == ["DmitryRyumin not invited to the repository"]


def test_invitation_unknown_when_github_refuses(course, make_repo, local_fetch) -> None:
    def refuse(repo: str, login: str) -> bool:
        raise RateLimitedError("GitHub rate limit", retry_after=60)

    check = run(course, {"README.md": README_RU}, make_repo, local_fetch, invited=refuse)
    assert check.invitation.invited is None and "rate limit" in check.invitation.note
    assert check.problems() == ["invitation unknown: GitHub: GitHub rate limit"]


def test_only_the_pinned_commit_is_checked(course, make_repo, local_fetch, tmp_path: Path) -> None:
    repo, pinned = make_repo({"README.md": "# Project\n\n## Цель работы\nОдна только цель, остального пока нет.\n"})
    commit_files(repo, {"README.md": README_RU, **TWO_DATASETS}, "after the deadline")
    project = add_project(course, "https://github.com/anna/project", "anna/project", ("s1",), pinned)
    check = check_project(course, project, fetch=local_fetch, invited=invited_if("DmitryRyumin"))
    assert check.commit == pinned and "results" in check.readme.missing and check.datasets == ()


def test_a_failed_fetch_is_recorded_not_raised(course) -> None:
    def gone(repo: str, sha: str, dest: Path) -> None:
        raise NotFoundError("anna/project: repository not found (deleted or private)")

    project = add_project(course, "https://github.com/anna/project", "anna/project", ("s1",), "f" * 40)
    check = check_project(course, project, fetch=gone)
    assert check.problems() == ["not checked: anna/project: repository not found (deleted or private)"]
    assert find_project(course, str(project.id)).check == check


def test_a_project_without_a_pinned_commit_says_how_to_fix_it(course) -> None:
    project = add_project(course, "https://github.com/anna/project", "anna/project", ("s1",), "")
    check = check_project(course, project, fetch=lambda *a: None)
    assert "no pinned commit" in check.error and "--from DIR" in check.error


def test_a_local_folder_can_be_checked_without_github(course, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "README.md").write_text(README_RU, encoding="utf-8")
    project = add_project(course, "https://github.com/anna/project", "anna/project", ("s1",), "")
    check = check_project(course, project, folder=folder)
    assert check.readme.complete and check.invitation.invited is None


def test_without_an_instructor_login_the_invitation_is_unknown_and_says_why(tiny_course: Path,
                                                                             tmp_path: Path) -> None:
    course = open_course(tiny_course)
    project = add_project(course, "https://github.com/anna/project", "anna/project", ("s1",), "")
    check = check_project(course, project, folder=tmp_path, invited=invited_if("DmitryRyumin"))
    assert check.invitation.invited is None and "c.ProjectChecks.instructor_login" in check.invitation.note


def test_check_round_trips_through_the_database_json() -> None:
    check = ProjectCheck("a/b", "c" * 40, "2027-01-01T00:00:00+00:00")
    assert ProjectCheck.from_json(check.to_json()) == check
    assert ProjectCheck.from_json("{}") is None and ProjectCheck.from_json("not json") is None
