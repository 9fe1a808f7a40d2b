from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from course_helpers import TINY


@pytest.fixture
def tiny_course(tmp_path: Path) -> Path:
    """A scratch copy of the tiny fixture course (one assignment, no torch training)."""
    root = tmp_path / "course"
    shutil.copytree(TINY, root)
    return root
