"""``grader serve status`` and /queue: the queue, jobs in flight, workers, the oldest waiting and the last
failures, from the heartbeat the pipeline writes; a service that stopped is said to be down."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader import lifecycle
from grader.bot.answers import result_state, result_text
from grader.cli import main
from grader.course import CourseFolder, open_course
from grader.result import Result
from grader.serve.status import Heartbeat, InFlight, render, snapshot, write_heartbeat
from grader.store.db import session_scope
from grader.store.models import Submission

TINY = Path(__file__).resolve().parents[1] / "files" / "tiny"
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def course(tmp_path: Path) -> CourseFolder:
    shutil.copytree(TINY, tmp_path / "course")
    return open_course(tmp_path / "course")


def beat(alive: bool = True, updated: datetime = NOW) -> Heartbeat:
    return Heartbeat(pid=4242, alive=alive, started=NOW - timedelta(hours=2), updated=updated, grade_slots=2,
                     gpu_slots=1, workers="dask tcp://scheduler:8786",
                     in_flight=[InFlight(1, "s01", "tiny", "grade", NOW - timedelta(seconds=40), gpu=True),
                                InFlight(2, "s02", "tiny", "fetch", NOW - timedelta(seconds=3))],
                     waiting=7, oldest=NOW - timedelta(minutes=5), done=120)


def failed_submission(course: CourseFolder) -> None:
    with session_scope(course.database_url) as session:
        row = Submission(student_id="s03", assignment="tiny", repo_url="https://github.com/s03/dl",
                         repo_full_name="s03/dl", commit_sha="a" * 40, received_at=NOW, status="failed")
        session.add(row)
        session.flush()
        lifecycle.record(session, row.id, "fetch_failed", "notebook_missing", at=NOW)


def test_status_shows_queue_flights_workers_and_failures(course: CourseFolder) -> None:
    write_heartbeat(course, beat())
    failed_submission(course)
    text = render(snapshot(course, now=NOW + timedelta(seconds=5)))
    assert "running (pid 4242, up 2 h 0 min)" in text
    assert "2 grading slot(s), 1 with a GPU (dask tcp://scheduler:8786)" in text
    assert "queue: 7 waiting, oldest for 5 min" in text
    assert "in flight: 2; done since start: 120" in text
    assert "grade    s01/tiny (GPU) for 45 s" in text and "fetch    s02/tiny for 8 s" in text
    assert "s03/tiny: fetch_failed (notebook_missing)" in text


def test_a_stopped_or_silent_service_is_said_to_be_down(course: CourseFolder) -> None:
    assert "never run" in render(snapshot(course, now=NOW))
    write_heartbeat(course, beat(alive=False))
    down = render(snapshot(course, now=NOW + timedelta(minutes=1)))
    assert "NOT running (last seen 60 s ago)" in down and "in flight when last seen: 2" in down
    assert "s01/tiny" not in down  # nothing runs now
    write_heartbeat(course, beat(alive=True))  # killed -9: alive, but its heartbeat stopped
    assert "NOT running" in render(snapshot(course, now=NOW + timedelta(minutes=10)))


def test_the_status_command_exits_1_when_the_service_is_down(course: CourseFolder,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", str(course.root), "serve", "status"]) == 1
    assert "never run" in capsys.readouterr().out
    write_heartbeat(course, beat(updated=datetime.now(UTC)))
    assert main(["--course", str(course.root), "serve", "status"]) == 0
    assert "queue: 7 waiting" in capsys.readouterr().out


def test_a_mark_not_released_yet_is_held_back_from_the_student() -> None:
    graded = Result(student="s01", assignment="tiny", status="graded", points=3, max_points=4, completion=0.75,
                    mark=6, released=False)
    for text in (result_state("ru", graded), result_text("ru", graded), result_text("en", graded)):
        assert "3/4" not in text and "6" not in text, text
    assert "опубликует" in result_text("ru", graded)
    shown = Result(**{**graded.__dict__, "released": True})
    assert "3/4" in result_text("ru", shown) and "оценка 6 из 8" in result_text("ru", shown)
