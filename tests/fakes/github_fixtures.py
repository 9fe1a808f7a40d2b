"""Fixtures for tests/github: one fake GitHub server per test module (reset for each test), a tiny course
pointed at it. Each test module imports them (``from fakes.github_fixtures import *``): a conftest.py here
would be imported as the top-level module ``conftest`` (this folder cannot be a package: its name would shadow
PyGithub's ``github``) and hide tests/conftest.py from modules that import it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.github_api import TOKEN, FakeGitHub, configure_course

from grader.course import CourseFolder, open_course

TINY_SOURCE = Path(__file__).resolve().parents[1] / "files" / "tiny" / "source" / "tiny"
ASSIGNMENT = "tiny"

__all__ = ["course", "fake", "fake_server", "local_only", "released_notebook"]


@pytest.fixture(autouse=True)
def local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to 127.0.0.1 only: no proxy, and the fake's token."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGitHub]:
    with FakeGitHub(tmp_path_factory.mktemp("github")) as server:
        yield server


@pytest.fixture
def fake(fake_server: FakeGitHub, tmp_path: Path) -> FakeGitHub:
    fake_server.reset(tmp_path / "gh")
    return fake_server


@pytest.fixture
def released_notebook() -> str:
    """What a student starts from: the tiny assignment's notebook with its nbgrader cell ids."""
    return (TINY_SOURCE / "tiny.ipynb").read_text(encoding="utf-8")


@pytest.fixture
def course(tiny_course: Path, fake: FakeGitHub, released_notebook: str) -> CourseFolder:
    """The tiny course with a release (notebook + a helper file), its GitHub settings aimed at the fake."""
    release = tiny_course / "release" / ASSIGNMENT
    release.mkdir(parents=True)
    shutil.copy(TINY_SOURCE / "tiny.ipynb", release / "tiny.ipynb")
    (release / "tiny_data.py").write_text("DATA = [1, 2, 3]\n")
    configure_course(tiny_course, fake, timeout=2, retries=1, max_wait=5.0, workers=4)
    return open_course(tiny_course)
