"""The demo's GitHub stage: laid-out submissions go through links, pins and collect, and come back the same."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from fakes.github_fixtures import *  # noqa: F403 (pytest fixtures: course, fake, fake_server, released_notebook)
from rich.console import Console

from grader.course import CourseFolder
from grader.demo.collect_stage import collect_stage

ASSIGNMENT = "tiny"


def test_collect_stage_round_trips_submissions_through_the_local_fake(
        course: CourseFolder, released_notebook: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "a-real-looking-token-that-must-not-be-used")
    received = {"s01": datetime(2026, 9, 20, 10, tzinfo=UTC), "s02": datetime(2026, 9, 24, 8, tzinfo=UTC)}
    for student, moment in received.items():
        folder = course.submitted(student, ASSIGNMENT)
        folder.mkdir(parents=True)
        shutil.copy(course.release(ASSIGNMENT) / "tiny_data.py", folder)
        (folder / "tiny.ipynb").write_text(released_notebook.replace("return", f"return  # {student}"))
        (folder / "timestamp.txt").write_text(moment.astimezone().isoformat() + "\n")
    before = {s: (course.submitted(s, ASSIGNMENT) / "tiny.ipynb").read_text() for s in received}

    console = Console(record=True, width=200)
    collect_stage(course, console)

    text = console.export_text()
    assert "2 links submitted" in text and "force-pushed" in text
    for student, moment in received.items():
        folder = course.submitted(student, ASSIGNMENT)
        assert (folder / "tiny.ipynb").read_text() == before[student]
        stamp = datetime.fromisoformat((folder / "timestamp.txt").read_text().strip())
        assert stamp == moment and stamp.utcoffset() == timedelta(hours=3)
        assert (folder / "tiny_data.py").is_file()
