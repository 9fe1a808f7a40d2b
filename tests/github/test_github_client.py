"""The boundary against the fake: pinning, permissions, conditional requests, the rate-limit gate, settings."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.github_api import TOKEN, FakeGitHub, Symlink
from fakes.github_fixtures import *  # noqa: F403 (pytest fixtures: course, fake, fake_server, released_notebook)

from grader.course import CourseFolder
from grader.errors import ConfigError, NotFoundError, RateLimitedError
from grader.github import GitHub, GitHubSettings, RepoRef
from grader.github.git import GitCache
from grader.github.ratelimit import RateGate

REPO = RepoRef("alice", "hw")


def _client(fake: FakeGitHub, tmp_path: Path, token: str | None = TOKEN, **overrides: object) -> GitHub:
    values: dict[str, object] = {**fake.config(), "timeout": 2, "retries": 1, "backoff": 0.0, "max_wait": 3.0}
    values.update(overrides)
    return GitHub(GitHubSettings(**values), token=token if token is not None else "", cache_dir=tmp_path / "c")


def test_pin_head_returns_the_default_branch_head_and_our_clock(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "one"})
    sha = fake.push("alice/hw", {"a.txt": "two"}, date=datetime(2001, 1, 1, tzinfo=UTC))
    before = datetime.now(UTC)
    pin = _client(fake, tmp_path).pin_head(REPO)
    assert (pin.sha, pin.branch, pin.repo) == (sha, "HEAD", REPO)
    assert before <= pin.received_at <= datetime.now(UTC)
    assert [r.path for r in fake.requests] == ["/repos/alice/hw/commits/HEAD"]  # one request, the SHA alone


def test_pin_head_follows_a_default_branch_that_is_not_main(fake: FakeGitHub, tmp_path: Path) -> None:
    sha = fake.add_repo("alice/hw", {"a.txt": "a"}, branch="trunk")
    fake.push("alice/hw", {"a.txt": "not the default"}, branch="main")  # a 'main' that is not the default
    pin = _client(fake, tmp_path).pin_head(REPO)
    assert (pin.branch, pin.sha) == ("HEAD", sha)
    assert [r.path for r in fake.requests] == ["/repos/alice/hw/commits/HEAD"]


def test_an_empty_repository_says_push_first(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw")
    with pytest.raises(NotFoundError, match="no commits .* push your notebook first"):
        _client(fake, tmp_path).pin_head(REPO)


def test_a_private_repository_is_invisible_without_access_and_visible_as_collaborator(
        fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "a"}, private=True)
    with pytest.raises(NotFoundError, match="private and not shared with the course account 'instructor'"):
        _client(fake, tmp_path, instructor_login="instructor").pin_head(REPO)
    fake.add_collaborator("alice/hw", "instructor")
    assert _client(fake, tmp_path).pin_head(REPO).sha == fake.head("alice/hw")


def test_unchanged_answers_come_back_as_304_from_the_etag_cache(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "a"})
    gh = _client(fake, tmp_path)
    first = gh.pin_head(REPO)
    gh.close()
    again = _client(fake, tmp_path)  # a new process, the same cache folder (the bot, then collect)
    assert again.pin_head(REPO).sha == first.sha
    assert fake.count("/repos/alice/hw/commits/HEAD", status=304) == 1 and fake.count(status=304) == 1
    assert (again.requests, again.not_modified) == (1, 1)
    new = fake.push("alice/hw", {"a.txt": "b"})
    assert again.pin_head(REPO).sha == new  # the head moved: a fresh answer, not the cached one
    assert again.not_modified == 1 and fake.count("/repos/alice/hw/commits/HEAD", status=200) == 2
    info = again.repo_info(REPO)  # the repository's description is cached the same way
    assert (again.repo_info(REPO), again.not_modified) == (info, 2)
    assert fake.count("/repos/alice/hw", status=304) == 2


def test_can_submit_owner_or_collaborator_only(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "a"})
    fake.add_collaborator("alice/hw", "instructor")  # so the token may list collaborators
    fake.add_collaborator("alice/hw", "bob")
    gh = _client(fake, tmp_path)
    assert gh.can_submit(REPO, "Alice") and gh.can_submit(REPO, "bob")
    assert not gh.can_submit(REPO, "mallory")


def test_is_invited_sees_a_collaborator_or_a_pending_invitation(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/project", {"README.md": "# p"})
    gh = _client(fake, tmp_path)
    project = RepoRef("alice", "project")
    assert not gh.is_invited(project, "instructor")
    fake.invite("alice/project", "instructor")
    assert gh.is_invited(project, "instructor")  # seen from the invitee's side (/user/repository_invitations)
    fake.add_collaborator("alice/project", "instructor")
    assert gh.is_invited(project, "instructor")


def test_fetch_writes_regular_files_only(fake: FakeGitHub, tmp_path: Path) -> None:
    sha = fake.add_repo("alice/hw", {"hw/a.ipynb": "{}", "link.ipynb": Symlink("/etc/passwd"), "b.txt": "b"})
    assert sha is not None
    out = _client(fake, tmp_path).fetch(REPO, sha, tmp_path / "out")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == ["b.txt", "hw/a.ipynb"]
    assert not (out / "link.ipynb").exists()


def test_the_token_travels_in_gits_environment_never_on_its_command_line(tmp_path: Path) -> None:
    cache = GitCache(tmp_path, "https://github.com/{full_name}.git".format, "secret-token", 10)
    env = cache._env("https://github.com/alice/hw.git")
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraHeader"
    assert env["GIT_CONFIG_VALUE_0"].startswith("Authorization: Basic ")
    assert "secret-token" not in env["GIT_CONFIG_VALUE_0"]  # base64, and only in the environment
    assert "GIT_CONFIG_KEY_0" not in cache._env("file:///tmp/alice/hw.git")  # never sent to other schemes


def test_the_token_is_never_shown(fake: FakeGitHub, tmp_path: Path) -> None:
    gh = _client(fake, tmp_path, token="ghp_supersecret")
    assert "supersecret" not in repr(gh) and "supersecret" not in str(vars(gh.settings))


def test_the_token_comes_from_the_environment(fake: FakeGitHub, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings = GitHubSettings(**fake.config())
    monkeypatch.setenv("GITHUB_TOKEN", "from-env")
    assert GitHub(settings, cache_dir=tmp_path).has_token
    monkeypatch.delenv("GITHUB_TOKEN")
    assert not GitHub(settings, cache_dir=tmp_path).has_token


def test_rate_limit_and_whoami(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.set_rate_limit(42, reset_in=600)
    gh = _client(fake, tmp_path)
    remaining, limit, reset = gh.rate_limit()
    assert (remaining, limit) == (42, 5000) and reset > datetime.now(UTC) + timedelta(minutes=9)
    assert gh.whoami() == "instructor"


def test_settings_come_from_the_course_and_are_validated(course: CourseFolder, fake: FakeGitHub) -> None:
    gh = GitHub.from_course(course)
    assert gh.settings.api_url == fake.api_url and gh.cache_dir == (course.root / ".cache" / "github").resolve()
    with (course.root / "nbgrader_config.py").open("a") as handle:
        handle.write("\nc.GitHubSettings.clone_url = 'https://github.com/repo.git'\n")
    from grader.course import open_course

    with pytest.raises(ConfigError, match=r"GitHubSettings.clone_url.*\{full_name\}"):
        GitHub.from_course(open_course(course.root))
    with pytest.raises(Exception, match="workers"):
        GitHubSettings(workers=0)
    with pytest.raises(Exception, match="api_url"):
        GitHubSettings(api_url="api.github.com")


def test_the_gate_hands_out_the_last_requests_one_at_a_time_then_waits() -> None:
    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = RateGate(reserve=1, max_wait=100, clock=lambda: now[0], sleep=sleep)
    gate.observe({"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "1050"})
    gate.acquire()
    gate.acquire()  # 3 → 1: the reserve is reached
    assert slept == []
    gate.acquire()  # waits for the reset, then goes on
    assert slept and 50 <= slept[0] <= 51
    far = RateGate(max_wait=10, clock=lambda: now[0], sleep=sleep)
    far.observe({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(now[0] + 3600)})
    with pytest.raises(RateLimitedError) as info:
        far.acquire()
    assert info.value.retry_after > 3000


def test_the_gate_is_shared_fairly_by_threads() -> None:
    gate = RateGate(max_wait=0)
    gate.observe({"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": str(time.time() + 3600)})
    passed, refused = [], []

    def worker() -> None:
        try:
            gate.acquire()
            passed.append(1)
        except RateLimitedError:
            refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert (len(passed), len(refused)) == (5, 7)
