"""``submit_many`` called directly (no Telegram): a batch of /submit requests, each answered as if it had come
alone, with one read and one write of the database and one GitHub request of each kind per repository."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.github_api import TOKEN, FakeGitHub, notebook
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from grader.bot import service
from grader.bot.service import Refused, StoredSubmission, SubmitRequest, register, submit, submit_many
from grader.course import CourseFolder, open_course
from grader.errors import ServerError
from grader.github import GitHub
from grader.store.db import session_scope
from grader.store.models import Submission

from .conftest import repo_files

DEADLINE = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)  # hw1's; tiny has none
NOTEBOOK = notebook(["answer"])


@dataclass
class Batch:
    course: CourseFolder
    gh: FakeGitHub
    github: GitHub
    codes: dict[str, str]
    _tg: dict[str, int]

    def login(self, student: str) -> str:
        return f"{student}-gh"

    def repo(self, student: str, name: str = "dl") -> str:
        """The student's own repository on the fake GitHub (made on first use); returns its link."""
        full = f"{self.login(student)}/{name}"
        if full.lower() not in self.gh.repos:
            self.gh.add_repo(full, repo_files())
        return f"https://github.com/{full}"

    def tg(self, student: str) -> int:
        """The student's Telegram id, registered with their code and GitHub login on first use."""
        if student not in self._tg:
            self._tg[student] = 5000 + len(self._tg)
            register(self.course, self._tg[student], self.codes[student], self.login(student), "en")
        return self._tg[student]

    def request(self, student: str, assignment: str, link: str, *, key: str | None = None,
                at: datetime | None = None) -> SubmitRequest:
        return SubmitRequest(self.tg(student), assignment, link, at or datetime.now(UTC), key)

    def rows(self, student: str | None = None, assignment: str | None = None) -> list[Submission]:
        query = select(Submission).order_by(Submission.id)
        if student is not None:
            query = query.where(Submission.student_id == student)
        if assignment is not None:
            query = query.where(Submission.assignment == assignment)
        with session_scope(self.course.database_url) as session:
            return list(session.scalars(query))

    def many(self, requests: list[SubmitRequest], pool: Executor | None = None) -> list[StoredSubmission | Exception]:
        results = submit_many(self.course, self.github, requests, hosts=("github.com",), instructor="instructor",
                              pool=pool)
        assert len(results) == len(requests)
        return results


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGitHub]:
    with FakeGitHub(tmp_path_factory.mktemp("github")) as server:
        yield server


@pytest.fixture
def batch(tmp_path: Path, class_template: Path, fake_server: FakeGitHub,
          monkeypatch: pytest.MonkeyPatch) -> Batch:
    """A fresh copy of the class (roster s001… with codes), the fake GitHub emptied, a new boundary aimed at it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    gh = fake_server
    gh.reset(tmp_path / "github")
    root = tmp_path / "course"
    shutil.copytree(class_template, root)
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(f"""
c.Course.assignments = ["tiny", "hw1", "hw2"]
c.Deadlines.deadlines = {{"hw1": {DEADLINE.isoformat(timespec="seconds")!r}}}
c.LatePolicy.kind = "per_day"
c.LatePolicy.penalty_per_day = 0.1
c.GitHubSettings.api_url = {gh.api_url!r}
c.GitHubSettings.clone_url = {gh.clone_url!r}
c.GitHubSettings.instructor_login = "instructor"
c.GitHubSettings.timeout = 5
c.GitHubSettings.retries = 1
c.GitHubSettings.backoff = 0.0
""")
    with (root / "codes.csv").open(encoding="utf-8-sig") as handle:
        codes = {row["id"]: row["code"] for row in csv.DictReader(handle)}
    course = open_course(root)
    github = GitHub.from_course(course, token=TOKEN)
    return Batch(course, gh, github, codes, {})


def refused(result: StoredSubmission | Exception) -> Refused:
    assert isinstance(result, Refused), result
    return result


def submitted(result: StoredSubmission | Exception) -> StoredSubmission:
    assert isinstance(result, StoredSubmission), result
    return result


def test_a_mixed_batch_answers_each_request_on_its_own_and_stores_only_the_good_ones(batch: Batch) -> None:
    good1, good2 = batch.repo("s001"), batch.repo("s002")
    other = batch.repo("s003")  # s003's repository; s004 is not a collaborator on it
    requests = [
        batch.request("s001", "tiny", good1, key="tg:1"),
        SubmitRequest(424242, "tiny", good1, datetime.now(UTC), "tg:2"),  # never registered
        batch.request("s002", "hw9", good2, key="tg:3"),  # no such assignment
        batch.request("s004", "tiny", other, key="tg:4"),  # someone else's repository
        batch.request("s002", "1", good2, key="tg:5", at=DEADLINE - timedelta(days=1)),  # "1" means hw1
    ]
    with ThreadPoolExecutor(4) as pool:
        results = batch.many(requests, pool=pool)

    first, fifth = submitted(results[0]), submitted(results[4])
    assert (first.assignment, first.repo_full_name, first.commit_sha) == ("tiny", "s001-gh/dl",
                                                                           batch.gh.head("s001-gh/dl"))
    assert (fifth.assignment, fifth.repo_full_name, fifth.commit_sha) == ("hw1", "s002-gh/dl",
                                                                          batch.gh.head("s002-gh/dl"))
    assert not first.replaced and not first.duplicate and fifth.days_late == 0 and fifth.multiplier == 1
    assert refused(results[1]).reason == "not_registered"
    assert (refused(results[2]).reason, refused(results[2]).fields["name"]) == ("unknown_assignment", "hw9")
    assert refused(results[3]).reason == "repo_not_yours"
    assert refused(results[3]).fields == {"repo": "s003-gh/dl", "login": "s004-gh"}
    stored = batch.rows()
    assert [(r.student_id, r.assignment, r.source_key, r.active) for r in stored] == [
        ("s001", "tiny", "tg:1", True), ("s002", "hw1", "tg:5", True)]
    assert stored[0].commit_sha == batch.gh.head("s001-gh/dl")
    assert batch.gh.count("/repos/s003-gh/dl/commits") == 0  # not pinned for someone who may not submit it


def test_the_same_assignment_twice_in_one_batch_keeps_both_and_the_later_one_is_active(batch: Batch) -> None:
    link = batch.repo("s010")
    t0 = datetime.now(UTC)
    results = batch.many([batch.request("s010", "tiny", link, key="tg:10", at=t0),
                          batch.request("s010", "tiny", f"{link}/tree/main", key="tg:11",
                                        at=t0 + timedelta(seconds=1))])
    first, second = submitted(results[0]), submitted(results[1])
    assert (first.replaced, second.replaced) == (False, True)
    assert not first.duplicate and not second.duplicate
    rows = batch.rows("s010", "tiny")
    assert [(r.source_key, r.active) for r in rows] == [("tg:10", False), ("tg:11", True)]
    # a later batch replaces the active one again; its first request reports it
    again = batch.many([batch.request("s010", "tiny", link, key="tg:12")])
    assert submitted(again[0]).replaced
    assert [(r.source_key, r.active) for r in batch.rows("s010", "tiny")] == [
        ("tg:10", False), ("tg:11", False), ("tg:12", True)]


def test_a_repository_missing_on_github_refuses_only_its_own_request(batch: Batch) -> None:
    good = batch.repo("s020")
    missing = "https://github.com/s021-gh/never-made"
    other = batch.repo("s022")
    results = batch.many([batch.request("s020", "tiny", good, key="tg:20"),
                          batch.request("s021", "tiny", missing, key="tg:21"),
                          batch.request("s022", "tiny", other, key="tg:22")])
    submitted(results[0])
    assert refused(results[1]).reason == "repo_not_found"
    assert refused(results[1]).fields["repo"] == "s021-gh/never-made"
    submitted(results[2])
    assert [(r.student_id, r.source_key) for r in batch.rows()] == [("s020", "tg:20"), ("s022", "tg:22")]


def test_a_github_server_error_is_returned_for_its_own_request_not_raised(batch: Batch) -> None:
    good, broken = batch.repo("s025"), batch.repo("s026")
    batch.gh.fail(502, path="/repos/s026-gh/dl")
    results = batch.many([batch.request("s025", "tiny", good, key="tg:25"),
                          batch.request("s026", "tiny", broken, key="tg:26")])
    batch.gh.clear_failures()
    submitted(results[0])
    assert isinstance(results[1], ServerError), results[1]
    assert [r.source_key for r in batch.rows()] == ["tg:25"]


def test_the_deadline_is_checked_again_inside_the_batch(batch: Batch) -> None:
    link = batch.repo("s030")
    on_time = batch.request("s030", "hw1", link, key="tg:30", at=DEADLINE - timedelta(hours=1))
    late = batch.request("s030", "hw1", link, key="tg:31", at=DEADLINE + timedelta(hours=1))
    results = batch.many([on_time, late])
    kept = submitted(results[0])
    assert kept.days_late == 0 and kept.deadline == DEADLINE
    head = batch.gh.head("s030-gh/dl")
    assert head is not None and kept.commit_sha == head
    later = refused(results[1])
    assert later.reason == "keep_on_time"
    assert (later.fields["sha"], later.fields["received"]) == (head[:7], on_time.received_at)
    rows = batch.rows("s030", "hw1")
    assert [(r.source_key, r.active) for r in rows] == [("tg:30", True)]


def test_late_then_on_time_in_one_batch_stores_both_and_a_late_one_alone_is_accepted_with_its_penalty(
        batch: Batch) -> None:
    link = batch.repo("s031")
    late = batch.request("s031", "hw1", link, key="tg:32", at=DEADLINE + timedelta(days=1, hours=1))
    on_time = batch.request("s031", "hw1", link, key="tg:33", at=DEADLINE - timedelta(hours=1))
    results = batch.many([late, on_time])
    first, second = submitted(results[0]), submitted(results[1])
    assert first.days_late > 1 and first.multiplier == pytest.approx(0.8)  # two started days at 0.1 each
    assert second.replaced and second.days_late == 0
    assert [(r.source_key, r.active) for r in batch.rows("s031", "hw1")] == [("tg:32", False), ("tg:33", True)]
    # far too late: the penalty has reached zero
    closed = batch.many([batch.request("s032", "hw1", batch.repo("s032"), key="tg:34",
                                       at=DEADLINE + timedelta(days=30))])
    assert refused(closed[0]).reason == "deadline_closed"


def test_the_same_batch_again_stores_nothing_and_answers_duplicate(batch: Batch) -> None:
    a, b = batch.repo("s040"), batch.repo("s041")
    requests = [batch.request("s040", "tiny", a, key="tg:40"),
                batch.request("s040", "tiny", a, key="tg:41"),
                batch.request("s041", "hw2", b, key="tg:42")]
    first = [submitted(r) for r in batch.many(requests)]
    assert not any(r.duplicate for r in first)
    before = [(r.id, r.source_key, r.active, r.commit_sha) for r in batch.rows()]
    assert len(before) == 3
    batch.gh.push("s040-gh/dl", {"tiny.ipynb": NOTEBOOK, "v2.txt": "new"})  # a new head must not be pinned
    batch.gh.reset_counts()
    again = [submitted(r) for r in batch.many(requests)]
    assert all(r.duplicate for r in again)
    assert not any(r.replaced for r in again)
    assert [(r.assignment, r.commit_sha) for r in again] == [(r.assignment, r.commit_sha) for r in first]
    assert [(r.id, r.source_key, r.active, r.commit_sha) for r in batch.rows()] == before
    assert batch.gh.count() == 0  # a redelivery is answered from the database


def test_a_redelivery_inside_the_same_batch_is_stored_once(batch: Batch) -> None:
    link = batch.repo("s045")
    request = batch.request("s045", "tiny", link, key="tg:45")
    results = batch.many([request, request])
    assert [submitted(r).duplicate for r in results] == [False, True]
    assert [(r.source_key, r.active) for r in batch.rows("s045")] == [("tg:45", True)]


def test_github_is_asked_once_per_repository_in_a_batch(batch: Batch) -> None:
    link = batch.repo("s050")
    batch.gh.reset_counts()
    results = batch.many([batch.request("s050", name, link, key=f"tg:5{i}", at=DEADLINE - timedelta(days=1))
                          for i, name in enumerate(["tiny", "hw1", "hw2"])])
    head = batch.gh.head("s050-gh/dl")
    assert [submitted(r).commit_sha for r in results] == [head, head, head]
    assert [r.path for r in batch.gh.requests] == ["/repos/s050-gh/dl/commits/HEAD"]  # one pin, nothing else
    assert batch.gh.count() == 1  # no description of the repository; the owner needs no collaborator check
    assert [r.assignment for r in batch.rows("s050")] == ["tiny", "hw1", "hw2"]


def test_github_is_asked_once_per_repository_also_with_a_pool(batch: Batch) -> None:
    links = {s: batch.repo(s) for s in ("s060", "s061")}
    batch.gh.reset_counts()
    requests = [batch.request(s, name, links[s], key=f"tg:{s}:{name}") for s in links for name in ("tiny", "hw2")]
    with ThreadPoolExecutor(4) as pool:
        results = batch.many(requests, pool=pool)
    assert [submitted(r).commit_sha for r in results] == [batch.gh.head("s060-gh/dl")] * 2 + [
        batch.gh.head("s061-gh/dl")] * 2
    for s in links:
        assert batch.gh.count(f"/repos/{s}-gh/dl/commits/HEAD") == 1
    assert batch.gh.count() == 2  # one pin per repository, nothing else


def test_submit_is_the_batch_of_one(batch: Batch) -> None:
    link = batch.repo("s070")
    done = submit(batch.course, batch.github, batch.request("s070", "tiny", link, key="tg:70"))
    assert done.commit_sha == batch.gh.head("s070-gh/dl") and not done.duplicate
    assert submit(batch.course, batch.github, batch.request("s070", "tiny", link, key="tg:70")).duplicate
    with pytest.raises(Refused) as refused:
        submit(batch.course, batch.github, batch.request("s070", "tiny", batch.repo("s071"), key="tg:71"))
    assert refused.value.reason == "repo_not_yours"
    assert [r.source_key for r in batch.rows()] == ["tg:70"]


def test_one_read_and_one_transaction_for_the_whole_batch(batch: Batch, monkeypatch: pytest.MonkeyPatch) -> None:
    links = {s: batch.repo(s) for s in ("s080", "s081")}
    requests = [batch.request(s, name, links[s], key=f"tg:{s}:{name}") for s in links for name in ("tiny", "hw2")]
    requests.append(batch.request("s080", "hw7", links["s080"], key="tg:bad"))
    opened: list[str] = []
    stored: list[int] = []
    real_scope, real_store = service.session_scope, service.store_submissions

    def scope(url: str) -> Any:
        opened.append(url)
        return real_scope(url)

    def store(course: CourseFolder, new: list[Any]) -> list[Submission]:
        stored.append(len(new))
        return real_store(course, new)

    monkeypatch.setattr(service, "session_scope", scope)
    monkeypatch.setattr(service, "store_submissions", store)
    results = batch.many(requests)
    assert [isinstance(r, StoredSubmission) for r in results] == [True] * 4 + [False]
    assert len(opened) == 1 and stored == [4]
    assert len(batch.rows()) == 4


def test_a_database_failure_fails_the_whole_batch(batch: Batch, monkeypatch: pytest.MonkeyPatch) -> None:
    link = batch.repo("s090")
    requests = [batch.request("s090", "tiny", link, key="tg:90"), batch.request("s090", "hw2", link, key="tg:91")]

    def broken(course: CourseFolder, new: list[Any]) -> list[Submission]:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "store_submissions", broken)
    with pytest.raises(OperationalError):
        batch.many(requests)
    assert batch.rows() == []


def test_github_unreachable_for_the_notebook_check_keeps_the_link_and_says_so(
        batch: Batch, monkeypatch: pytest.MonkeyPatch) -> None:
    from zoneinfo import ZoneInfo

    from grader import lifecycle
    from grader.bot.answers import submitted

    link = batch.repo("s050")

    def unreachable(*_: object) -> None:
        raise ServerError("git did not finish within 300 s")

    monkeypatch.setattr(batch.github, "tree", unreachable)
    [result] = batch.many([batch.request("s050", "tiny", link)])
    assert isinstance(result, StoredSubmission) and not result.checked
    [row] = batch.rows("s050", "tiny")
    assert row.active and lifecycle.latest(batch.course.database_url, [row.id])[row.id].state == "fetch_retry"
    assert "Проверить тетрадь сейчас не удалось" in submitted("ru", result, ZoneInfo("UTC"))
