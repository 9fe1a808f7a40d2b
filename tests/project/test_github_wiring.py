"""The checks through the real GitHub boundary (``grader.github``) against the fake GitHub server on 127.0.0.1:
the pinned commit is fetched with git, the invitation asked through the REST API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.github_api import TOKEN, FakeGitHub, configure_course

from grader.course import CourseFolder, open_course
from grader.project.grading import check_project
from grader.project.store import add_project

from .conftest import README_RU


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with FakeGitHub(tmp_path / "gh") as server:
        yield server


@pytest.fixture
def wired(course: CourseFolder, fake: FakeGitHub) -> CourseFolder:
    configure_course(course.root, fake, timeout=2, retries=0, max_wait=5.0)
    with (course.root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:  # the token's owner
        handle.write(f"\nc.ProjectChecks.instructor_login = {fake.login!r}\n")
    return open_course(course.root)


def test_pinned_commit_is_fetched_and_the_invitation_asked_through_github(wired: CourseFolder,
                                                                          fake: FakeGitHub) -> None:
    sha = fake.add_repo("anna/project", {"README.md": README_RU, "app.py": "import gradio as gr\n",
                                         "train.py": "load_dataset('a/one')\nload_dataset('b/two')\n"})
    fake.push("anna/project", {"README.md": "# rewritten after the deadline\n"})
    fake.invite("anna/project", fake.login)  # a pending invitation counts
    project = add_project(wired, "https://github.com/anna/project", "anna/project", ("s1", "s2"), sha)
    check = check_project(wired, project)
    assert check.error == "" and check.readme.complete  # the pinned README, not the later one
    assert check.invitation.invited is True and [str(d) for d in check.datasets] == ["a/one", "b/two"]
    assert set(check.suggested) == {"open_datasets"}  # gradio, but no Space link


def test_instructor_absent_is_reported(wired: CourseFolder, fake: FakeGitHub) -> None:
    sha = fake.add_repo("anna/project", {"README.md": README_RU})
    project = add_project(wired, "https://github.com/anna/project", "anna/project", ("s1",), sha)
    check = check_project(wired, project)
    assert check.invitation.invited is False
    assert check.problems() == [f"{fake.login} not invited to the repository"]


def test_a_deleted_repository_is_a_recorded_problem(wired: CourseFolder, fake: FakeGitHub) -> None:
    sha = fake.add_repo("anna/project", {"README.md": README_RU})
    fake.delete_repo("anna/project")
    project = add_project(wired, "https://github.com/anna/project", "anna/project", ("s1",), sha)
    check = check_project(wired, project)
    assert check.error and check.problems()[0].startswith("not checked: ")
