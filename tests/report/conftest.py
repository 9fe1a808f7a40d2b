"""The fixed class (``classroom.py``), built once per test session and copied for each test that changes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.course import CourseFolder, open_course

from .classroom import build_class

TINY = Path(__file__).resolve().parents[1] / "files" / "tiny"


@pytest.fixture(scope="session")
def class_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fixed-class") / "course"
    build_class(root, TINY)
    return root


@pytest.fixture
def fixed_class(class_template: Path, tmp_path: Path) -> CourseFolder:
    """A private copy of the fixed class (safe to change)."""
    root = tmp_path / "course"
    shutil.copytree(class_template, root)
    return open_course(root)
