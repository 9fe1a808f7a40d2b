from __future__ import annotations

from pathlib import Path

import pytest

from similarity.classroom import INDEPENDENT, REFERENCE, make_course, submit


@pytest.fixture
def course_root(tmp_path: Path) -> Path:
    """A course with hw1 released and four students who each wrote their own solution (s01 the reference's)."""
    root = make_course(tmp_path / "course")
    submit(root, "s01", REFERENCE)
    for number, bodies in enumerate(INDEPENDENT, start=2):
        submit(root, f"s{number:02d}", bodies)
    return root
