"""``GitHub.pin_head``: one conditional request per pin, ``GET /repos/{o}/{r}/commits/HEAD`` (GitHub resolves HEAD
to the repository's default branch). An unchanged head is answered 304 from the ETag cache (free of the rate
limit); a moved head, a switched default branch, a deleted, emptied or hidden repository is seen at once, since
nothing about the repository is remembered between pins but that conditional answer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.github_api import TOKEN, FakeGitHub
from fakes.github_fixtures import *  # noqa: F403 (pytest fixtures: fake, fake_server, local_only)

from grader.errors import NotFoundError
from grader.github import GitHub, GitHubSettings, RepoRef

REPO = RepoRef("alice", "hw")
HEAD = "/repos/alice/hw/commits/HEAD"


def _client(fake: FakeGitHub, tmp_path: Path, **overrides: object) -> GitHub:
    values: dict[str, object] = {**fake.config(), "timeout": 2, "retries": 1, "backoff": 0.0, "max_wait": 3.0}
    values.update(overrides)
    return GitHub(GitHubSettings(**values), token=TOKEN, cache_dir=tmp_path / "c")


def _asked(fake: FakeGitHub) -> list[tuple[str, int]]:
    """(path, status) of the requests since the last reset_counts(), in order."""
    return [(r.path, r.status) for r in fake.requests]


def test_a_pin_is_one_request_and_an_unchanged_head_is_answered_304(fake: FakeGitHub, tmp_path: Path) -> None:
    sha = fake.add_repo("alice/hw", {"a.txt": "one"})
    gh = _client(fake, tmp_path)
    first = gh.pin_head(REPO)
    assert (first.sha, first.branch, first.repo) == (sha, "HEAD", REPO)
    assert _asked(fake) == [(HEAD, 200)] and (gh.requests, gh.not_modified) == (1, 0)
    assert not fake.requests[0].conditional  # nothing cached yet
    fake.reset_counts()
    second = gh.pin_head(REPO)
    assert (second.sha, second.branch) == (sha, "HEAD")
    assert _asked(fake) == [(HEAD, 304)] and fake.requests[0].conditional
    assert (gh.requests, gh.not_modified) == (2, 1)
    fake.reset_counts()
    assert gh.pin_head(RepoRef("Alice", "HW")).sha == sha  # GitHub's names are case-insensitive
    assert [(p.lower(), s) for p, s in _asked(fake)] == [(HEAD.lower(), 200)]


def test_a_304_keeps_the_commit_and_takes_a_fresh_received_time(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "one"}, date=datetime(2001, 1, 1, tzinfo=UTC))
    gh = _client(fake, tmp_path)
    first = gh.pin_head(REPO)
    before = datetime.now(UTC)
    second = gh.pin_head(REPO)
    assert gh.not_modified == 1
    assert second.sha == first.sha == fake.head("alice/hw")
    assert before <= second.received_at <= datetime.now(UTC)  # our clock now, not the cached answer's time


def test_each_repository_is_pinned_at_its_own_default_branch(fake: FakeGitHub, tmp_path: Path) -> None:
    main = fake.add_repo("alice/hw", {"a.txt": "a"})
    trunk = fake.add_repo("bob/hw", {"b.txt": "b"}, branch="trunk")
    gh = _client(fake, tmp_path)
    for _ in range(2):
        alice, bob = gh.pin_head(REPO), gh.pin_head(RepoRef("bob", "hw"))
        assert (alice.sha, bob.sha) == (main, trunk)
    assert _asked(fake) == [(HEAD, 200), ("/repos/bob/hw/commits/HEAD", 200),
                            (HEAD, 304), ("/repos/bob/hw/commits/HEAD", 304)]


def test_a_new_commit_between_two_pins_is_what_the_second_pin_returns(fake: FakeGitHub, tmp_path: Path) -> None:
    first = fake.add_repo("alice/hw", {"a.txt": "one"})
    gh = _client(fake, tmp_path)
    assert gh.pin_head(REPO).sha == first
    fake.reset_counts()
    second = fake.push("alice/hw", {"a.txt": "two"})
    assert second != first
    assert gh.pin_head(REPO).sha == second  # a fresh answer, not the cached one
    forced = fake.push("alice/hw", {"a.txt": "rewritten"}, force=True)
    assert gh.pin_head(REPO).sha == forced
    assert _asked(fake) == [(HEAD, 200)] * 2 and gh.not_modified == 0
    fake.reset_counts()
    assert gh.pin_head(REPO).sha == forced  # and the newest answer is the one cached
    assert _asked(fake) == [(HEAD, 304)]


def test_a_switched_default_branch_is_followed_while_the_old_one_still_exists(fake: FakeGitHub,
                                                                             tmp_path: Path) -> None:
    old = fake.add_repo("alice/hw", {"a.txt": "one"})
    gh = _client(fake, tmp_path)
    assert gh.pin_head(REPO).sha == old
    new = fake.push("alice/hw", {"a.txt": "two"}, branch="trunk")
    assert gh.pin_head(REPO).sha == old  # another branch pushed: the default branch's head has not moved
    fake.repo("alice/hw").default_branch = "trunk"  # switched in the repository's settings on GitHub
    fake.reset_counts()
    pin = gh.pin_head(REPO)
    assert (pin.sha, pin.branch) == (new, "HEAD")
    assert fake.head("alice/hw") == new and fake.head("alice/hw") != old
    assert _asked(fake) == [(HEAD, 200)]
    fake.repo("alice/hw").default_branch = "main"  # and back: 'main' was there all along
    assert gh.pin_head(REPO).sha == old


def test_a_deleted_repository_is_not_found_not_empty(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "one"})
    gh = _client(fake, tmp_path)
    gh.pin_head(REPO)
    fake.delete_repo("alice/hw")
    fake.reset_counts()
    with pytest.raises(NotFoundError, match="not found on GitHub") as error:
        gh.pin_head(REPO)
    assert "no commits" not in str(error.value)
    assert _asked(fake) == [(HEAD, 404)]  # the cached answer is not taken for a 404
    head = fake.add_repo("alice/hw", {"a.txt": "back"})
    assert gh.pin_head(REPO).sha == head


def test_an_empty_repository_says_push_first(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw")
    gh = _client(fake, tmp_path)
    with pytest.raises(NotFoundError, match="no commits on its default branch: push your notebook first") as error:
        gh.pin_head(REPO)
    assert "not found on GitHub" not in str(error.value)
    assert _asked(fake) == [(HEAD, 409)]


def test_a_repository_emptied_after_a_pin_still_says_push_first(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "one"})
    gh = _client(fake, tmp_path)
    gh.pin_head(REPO)
    fake.add_repo("alice/hw")  # made again, empty
    fake.reset_counts()
    with pytest.raises(NotFoundError, match="no commits .* push your notebook first"):
        gh.pin_head(REPO)
    assert _asked(fake) == [(HEAD, 409)]


def test_a_repository_made_private_is_reported_as_such(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "one"})
    gh = _client(fake, tmp_path, instructor_login="instructor")
    gh.pin_head(REPO)
    fake.set_private("alice/hw")
    fake.reset_counts()
    with pytest.raises(NotFoundError, match="private and not shared with the course account 'instructor'") as error:
        gh.pin_head(REPO)
    assert "no commits" not in str(error.value)
    assert _asked(fake) == [(HEAD, 404)]
    fake.add_collaborator("alice/hw", "instructor")  # shared: pinned again, from the cached answer
    assert gh.pin_head(REPO).sha == fake.head("alice/hw")
