"""``grader collect``: every active submission at its pinned commit into submitted/<student>/<hwN>/."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fakes.github_api import FakeGitHub, Symlink, notebook
from fakes.github_fixtures import *  # noqa: F403 (pytest fixtures: course, fake, fake_server, released_notebook)
from sqlalchemy import select

from grader.cli import main
from grader.collect import collect_assignment, submit_link
from grader.course import CourseFolder
from grader.store.db import session_scope
from grader.store.models import Submission

ASSIGNMENT = "tiny"
BEFORE_DEADLINE = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)  # the tiny course's deadline: 2026-09-21 23:59 MSK


def _submit(course: CourseFolder, student: str, full_name: str, received: datetime = BEFORE_DEADLINE,
            key: str | None = None) -> Submission:
    return submit_link(course, student, ASSIGNMENT, f"https://github.com/{full_name}", received, source_key=key)


def _rows(course: CourseFolder) -> dict[str, Submission]:
    with session_scope(course.database_url) as session:
        rows = session.scalars(select(Submission).where(Submission.active.is_(True)))
        return {r.student_id: r for r in rows}


def test_collect_lays_out_the_notebook_the_release_files_and_the_received_time(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook, "tiny_data.py": "DATA = 'forged'\n"})
    _submit(course, "alice", "alice/dl")
    summary = collect_assignment(course, ASSIGNMENT)
    folder = course.submitted("alice", ASSIGNMENT)
    assert summary.statuses == {"collected": 1}
    assert (folder / "tiny.ipynb").read_text() == released_notebook
    assert (folder / "tiny_data.py").read_text() == "DATA = [1, 2, 3]\n"  # the release's, not the student's
    stamp = datetime.fromisoformat((folder / "timestamp.txt").read_text().strip())
    assert stamp == BEFORE_DEADLINE and stamp.utcoffset() == timedelta(hours=3)  # course time zone, with offset
    assert _rows(course)["alice"].status == "collected"
    assert summary.api_requests <= 2


def test_a_rerun_with_nothing_new_makes_no_request_and_no_fetch(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    for student in ("alice", "bob"):
        fake.add_repo(f"{student}/dl", {"tiny.ipynb": released_notebook})
        _submit(course, student, f"{student}/dl")
    first = collect_assignment(course, ASSIGNMENT)
    fake.reset_counts()
    again = collect_assignment(course, ASSIGNMENT)
    assert first.statuses == {"collected": 2}
    assert (again.planned, again.skipped, again.api_requests, again.fetches) == (0, 2, 0, 0)
    assert fake.requests == []


def test_a_force_push_after_submission_still_collects_the_pinned_commit(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    pinned = _submit(course, "alice", "alice/dl").commit_sha
    rewritten = fake.push("alice/dl", {"tiny.ipynb": notebook(["add"], source="cheated = True")}, force=True)
    assert rewritten != pinned
    assert collect_assignment(course, ASSIGNMENT).statuses == {"collected": 1}
    assert (course.submitted("alice", ASSIGNMENT) / "tiny.ipynb").read_text() == released_notebook


def test_a_repository_deleted_after_submission_is_a_recorded_failure_and_the_batch_goes_on(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    for student in ("alice", "bob"):
        fake.add_repo(f"{student}/dl", {"tiny.ipynb": released_notebook})
        _submit(course, student, f"{student}/dl")
    fake.delete_repo("alice/dl")
    summary = collect_assignment(course, ASSIGNMENT)
    rows = _rows(course)
    assert rows["alice"].status == "failed" and "alice/dl not found" in rows["alice"].reason
    assert rows["bob"].status == "collected"
    assert {o.student: o.kind for o in summary.outcomes}["alice"] == "repo_gone"
    assert not course.submitted("alice", ASSIGNMENT).exists()


def test_no_access_is_a_recorded_failure(course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    _submit(course, "alice", "alice/dl")
    (course.root / ".cache" / "github" / "api.json").unlink()
    fake.fail(403, path="/repos/alice/dl", message="Resource not accessible by personal access token")
    collect_assignment(course, ASSIGNMENT)
    row = _rows(course)["alice"]
    assert row.status == "failed" and "no access to repository alice/dl" in row.reason


@pytest.mark.parametrize("path", ["homework/tiny.ipynb", "Tiny.ipynb", "my work/tiny (final).ipynb"])
def test_a_renamed_or_moved_notebook_is_found(course: CourseFolder, fake: FakeGitHub, released_notebook: str,
                                              path: str) -> None:
    fake.add_repo("alice/dl", {path: released_notebook, "README.md": "hi"})
    _submit(course, "alice", "alice/dl")
    summary = collect_assignment(course, ASSIGNMENT)
    assert summary.statuses == {"collected": 1}
    assert (course.submitted("alice", ASSIGNMENT) / "tiny.ipynb").read_text() == released_notebook
    assert path in _rows(course)["alice"].reason


def test_of_two_notebooks_the_one_carrying_the_assignments_cells_is_chosen(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": notebook(["other_hw_cell"]),  # the obvious name, wrong content
                               "final/tiny.ipynb": released_notebook,
                               "scratch.ipynb": notebook(["add"])})
    _submit(course, "alice", "alice/dl")
    collect_assignment(course, ASSIGNMENT)
    assert (course.submitted("alice", ASSIGNMENT) / "tiny.ipynb").read_text() == released_notebook
    assert "final/tiny.ipynb" in _rows(course)["alice"].reason


def test_a_notebook_that_is_not_json_is_a_recorded_failure(course: CourseFolder, fake: FakeGitHub) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": '{"cells": [ oops'})
    _submit(course, "alice", "alice/dl")
    collect_assignment(course, ASSIGNMENT)
    row = _rows(course)["alice"]
    assert row.status == "failed" and "not valid JSON" in row.reason


def test_a_missing_notebook_is_a_recorded_failure_even_behind_a_symlink(course: CourseFolder,
                                                                      fake: FakeGitHub) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": Symlink("/etc/passwd"), "notes.ipynb": notebook(["x"])})
    _submit(course, "alice", "alice/dl")
    summary = collect_assignment(course, ASSIGNMENT)
    row = _rows(course)["alice"]
    assert row.status == "failed" and "no tiny.ipynb" in row.reason and "symbolic link" in row.reason
    assert summary.outcomes[0].kind == "notebook_missing"


def test_a_repository_too_large_is_refused_before_anything_is_downloaded(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    _submit(course, "alice", "alice/dl")
    fake.set_size("alice/dl", 5 * 2**20)  # 5 GB, as GitHub reports it (KB)
    (course.root / ".cache" / "github" / "api.json").unlink()  # the size changed: no 304 this time
    summary = collect_assignment(course, ASSIGNMENT)
    row = _rows(course)["alice"]
    assert row.status == "failed" and "over the 200 MB limit" in row.reason and summary.fetches == 0


def test_a_failure_after_a_resubmission_withdraws_the_old_collected_folder(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    _submit(course, "alice", "alice/dl")
    collect_assignment(course, ASSIGNMENT)
    fake.add_repo("alice/other", {"README.md": "nothing here"})
    _submit(course, "alice", "alice/other", received=BEFORE_DEADLINE + timedelta(hours=1))
    collect_assignment(course, ASSIGNMENT)
    assert _rows(course)["alice"].status == "failed"
    assert not course.submitted("alice", ASSIGNMENT).exists()  # the outdated work is not graded as the new one


def test_a_server_error_leaves_the_submission_pinned_for_the_next_run(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    _submit(course, "alice", "alice/dl")
    (course.root / ".cache" / "github" / "api.json").unlink()
    fake.fail(503)
    first = collect_assignment(course, ASSIGNMENT)
    assert first.statuses == {"pinned": 1} and "not collected yet" in _rows(course)["alice"].reason
    fake.clear_failures()
    assert collect_assignment(course, ASSIGNMENT).statuses == {"collected": 1}


def test_the_command_collects_and_reports(course: CourseFolder, fake: FakeGitHub, released_notebook: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    fake.add_repo("bob/dl", {"README.md": "no notebook"})
    _submit(course, "alice", "alice/dl")
    _submit(course, "bob", "bob/dl")
    assert main(["--course", str(course.root), "collect", ASSIGNMENT, "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "collected 1" in out and "failed 1" in out and "no tiny.ipynb" in out
    assert main(["--course", str(course.root), "collect", "hw9"]) == 1
    assert "unknown assignment" in capsys.readouterr().err


def test_collect_needs_the_release(course: CourseFolder, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    shutil.rmtree(course.release(ASSIGNMENT))
    assert main(["--course", str(course.root), "collect", ASSIGNMENT]) == 1
    assert "grader release tiny" in capsys.readouterr().err


def test_grade_ids_of_the_release_are_read(course: CourseFolder) -> None:
    from grader.collect.finder import grade_ids

    ids = grade_ids(course.release(ASSIGNMENT) / "tiny.ipynb")
    assert {"add", "test_add", "conclusions"} <= ids
    assert json.loads((course.release(ASSIGNMENT) / "tiny.ipynb").read_text())["cells"]


def test_a_refused_token_stops_the_batch_and_leaves_everything_pinned(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for student in ("alice", "bob"):
        fake.add_repo(f"{student}/dl", {"tiny.ipynb": released_notebook})
        _submit(course, student, f"{student}/dl")
    monkeypatch.setenv("GITHUB_TOKEN", "revoked-token")
    summary = collect_assignment(course, ASSIGNMENT)
    assert "bad credentials" in summary.stopped and "revoked-token" not in summary.stopped
    assert {r.status for r in _rows(course).values()} == {"pinned"}
    monkeypatch.setenv("GITHUB_TOKEN", "fake-token")
    assert collect_assignment(course, ASSIGNMENT).statuses == {"collected": 2}


def test_each_outcome_is_a_transition_of_the_submissions_life_with_its_code(course: CourseFolder,
                                                                           fake: FakeGitHub,
                                                                           released_notebook: str) -> None:
    from grader import lifecycle

    fake.add_repo("alice/dl", {"tiny.ipynb": '{"cells": [ oops'})
    failed = _submit(course, "alice", "alice/dl")
    fake.add_repo("bob/dl", {"work/tiny.ipynb": released_notebook})
    collected = _submit(course, "bob", "bob/dl")
    collect_assignment(course, ASSIGNMENT)
    states = lifecycle.latest(course.database_url, [failed.id, collected.id])
    assert (states[failed.id].state, states[failed.id].code) == ("fetch_failed", "notebook_not_json")
    assert states[failed.id].params == {"path": "tiny.ipynb"}
    assert (states[collected.id].state, states[collected.id].params) == ("fetched", {"path": "work/tiny.ipynb"})
    assert [e.state for e in lifecycle.history(course.database_url, failed.id)] == ["received", "fetch_failed"]
