from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TINY = Path(__file__).resolve().parent / "files" / "tiny"


@pytest.fixture
def tiny_course(tmp_path: Path) -> Path:
    """A scratch copy of the tiny fixture course (one assignment, no torch training)."""
    root = tmp_path / "course"
    shutil.copytree(TINY, root)
    return root


def write_config(root: Path, extra: str) -> None:
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write("\n" + extra + "\n")
