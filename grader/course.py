"""The course folder: where it is, its configuration, and every path convention in one place."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

from grader.config_check import check_config
from grader.errors import CourseError
from grader.settings import Settings, load_settings

CONFIG_NAME = "nbgrader_config.py"


@dataclass(frozen=True)
class CourseFolder:
    """An nbgrader course folder and its validated policy."""

    root: Path
    config: Config
    settings: Settings

    # -- nbgrader's layout -------------------------------------------------------------------------------
    def source(self, assignment: str) -> Path:
        return self.root / "source" / assignment

    def release(self, assignment: str) -> Path:
        return self.root / "release" / assignment

    def submitted(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment

    def autograded(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment

    def feedback(self, student: str, assignment: str) -> Path:
        return self.root / "feedback" / student / assignment

    @property
    def gradebook_dir(self) -> Path:
        return self.root / "gradebook"

    @property
    def gradebook_url(self) -> str:
        """nbgrader's gradebook database (``CourseDirectory.db_url``; nbgrader's default otherwise)."""
        url = self.config.get("CourseDirectory", {}).get("db_url")
        return str(url) if url else f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def database_url(self) -> str:
        """The grader's own database (registrations, submissions, results) beside the gradebook."""
        url = self.config.get("GraderDatabase", {}).get("url")
        return str(url) if url else f"sqlite:///{self.gradebook_dir / 'course.db'}"

    def check_assignment(self, assignment: str) -> None:
        if assignment not in self.settings.assignments:
            raise CourseError(f"unknown assignment {assignment!r}; this course has "
                              f"{', '.join(self.settings.assignments)} (Course.assignments in {CONFIG_NAME})")


def find_course_root(start: Path) -> Path:
    """The folder holding ``nbgrader_config.py``: ``start`` or the nearest parent."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise CourseError(f"no {CONFIG_NAME} in {start} or its parents: run grader inside a course folder "
                      "or name one with --course DIR")


def load_config(root: Path) -> Config:
    try:
        config = PyFileConfigLoader(CONFIG_NAME, path=str(root)).load_config()
    except ConfigFileNotFound as exc:
        raise CourseError(f"{root / CONFIG_NAME} not found: is {root} an nbgrader course folder?") from exc
    except Exception as exc:  # the file is user code: any error in it is reported, not raised
        raise CourseError(f"{root / CONFIG_NAME} could not be loaded: {type(exc).__name__}: {exc}") from exc
    config.CourseDirectory.root = str(root)
    return config


def tools_on_path() -> None:
    """nbgrader runs ``alembic`` (and kernels) from PATH: make this interpreter's scripts folder visible."""
    scripts = os.path.dirname(sys.executable)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def open_course(path: Path | str | None = None) -> CourseFolder:
    """Open the course at ``path`` (a course folder) or around the current directory."""
    if path is not None:
        root = Path(path).resolve()
        if not (root / CONFIG_NAME).is_file():
            raise CourseError(f"{root} holds no {CONFIG_NAME}: --course must name an nbgrader course folder")
    else:
        root = find_course_root(Path(os.getcwd()))
    tools_on_path()
    config = load_config(root)
    check_config(config)  # a misspelt class or knob stops every command, naming the closest valid setting
    course = CourseFolder(root=root, config=config, settings=load_settings(config))
    for url in (course.gradebook_url, course.database_url):
        if url.startswith("sqlite:///"):  # SQLite creates the file, not its folder
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return course
