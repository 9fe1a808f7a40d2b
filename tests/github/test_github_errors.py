"""Every PyGithub and requests exception becomes one of the project's errors, at the boundary."""

from __future__ import annotations

import inspect
import sys
import time
from pathlib import Path

import github
import pytest
import requests
from fakes.github_api import TOKEN, FakeGitHub
from fakes.github_fixtures import *  # noqa: F403 (pytest fixtures: course, fake, fake_server, released_notebook)

from grader.errors import (
    AccessDeniedError,
    BadCredentialsError,
    ExternalServiceError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from grader.github import GitHub, GitHubSettings, RepoRef
from grader.github.mapping import CAUGHT, translate

PYGITHUB_EXCEPTIONS = sorted(
    (cls for _, cls in inspect.getmembers(sys.modules["github.GithubException"], inspect.isclass)
     if issubclass(cls, Exception)), key=lambda c: c.__name__)
REQUESTS_EXCEPTIONS = sorted(
    (cls for _, cls in inspect.getmembers(requests.exceptions, inspect.isclass)
     if issubclass(cls, requests.exceptions.RequestException)), key=lambda c: c.__name__)
REPO = RepoRef("alice", "hw")


def _instance(cls: type[BaseException]) -> BaseException:
    if issubclass(cls, github.GithubException):
        return cls(418, {"message": "odd"}, {})
    if cls is github.BadAttributeException:
        return cls("x", int, ValueError("x"))
    if cls is requests.exceptions.JSONDecodeError:
        return cls("bad json", "{", 0)
    return cls("boom")


@pytest.mark.parametrize("cls", PYGITHUB_EXCEPTIONS + REQUESTS_EXCEPTIONS, ids=lambda c: c.__name__)
def test_every_client_exception_is_caught_and_mapped(cls: type[BaseException]) -> None:
    exc = _instance(cls)
    assert isinstance(exc, CAUGHT), f"{cls.__name__} would escape the boundary"
    mapped = translate(exc, "repository alice/hw")
    assert isinstance(mapped, ExternalServiceError) and str(mapped)


@pytest.mark.parametrize("exc, expected", [
    (github.BadCredentialsException(401, {"message": "Bad credentials"}, {}), BadCredentialsError),
    (github.TwoFactorException(401, {"message": "Must specify two-factor"}, {}), BadCredentialsError),
    (github.GithubException(401, {"message": "Requires authentication"}, {}), BadCredentialsError),
    (github.UnknownObjectException(404, {"message": "Not Found"}, {}), NotFoundError),
    (github.GithubException(410, {"message": "Gone"}, {}), NotFoundError),
    (github.GithubException(409, {"message": "Git Repository is empty."}, {}), NotFoundError),
    (github.GithubException(422, {"message": "No commit found"}, {}), NotFoundError),
    (github.GithubException(403, {"message": "Resource not accessible"}, {}), AccessDeniedError),
    (github.GithubException(451, {"message": "Repository access blocked"}, {}), AccessDeniedError),
    (github.BadUserAgentException(403, {"message": "Missing or invalid User Agent string"}, {}),
     AccessDeniedError),
    (github.RateLimitExceededException(403, {"message": "API rate limit exceeded"}, {}), RateLimitedError),
    (github.GithubException(429, {"message": "secondary rate limit"}, {"retry-after": "7"}), RateLimitedError),
    (github.GithubException(403, {"message": "x"}, {"x-ratelimit-remaining": "0"}), RateLimitedError),
    (github.GithubException(500, {"message": "Server Error"}, {}), ServerError),
    (github.GithubException(502, None, {}), ServerError),
    (github.IncompletableObject(400, "no url", {}), ServerError),
    (github.BadAttributeException("x", int, None), ServerError),
    (requests.exceptions.ReadTimeout("slow"), ServerError),
    (requests.exceptions.ConnectTimeout("slow"), ServerError),
    (requests.exceptions.ConnectionError("refused"), ServerError),
    (requests.exceptions.ChunkedEncodingError("cut"), ServerError),
    (requests.exceptions.TooManyRedirects("loop"), ServerError),
], ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v.__name__)
def test_each_exception_maps_to_its_project_error(exc: BaseException, expected: type[Exception]) -> None:
    assert type(translate(exc, "repository alice/hw")) is expected


def test_rate_limit_error_carries_the_wait_from_the_headers() -> None:
    reset = time.time() + 120
    exc = github.RateLimitExceededException(403, {"message": "API rate limit exceeded"},
                                            {"x-ratelimit-reset": str(int(reset)), "x-ratelimit-remaining": "0"})
    mapped = translate(exc, "repository alice/hw")
    assert isinstance(mapped, RateLimitedError) and 110 <= mapped.retry_after <= 122
    assert isinstance(translate(github.GithubException(429, {}, {"retry-after": "7"}), "x"), RateLimitedError)
    assert translate(github.GithubException(429, {}, {"retry-after": "7"}), "x").retry_after == 7  # type: ignore


def test_something_that_is_not_a_client_exception_is_not_swallowed() -> None:
    with pytest.raises(TypeError):
        translate(KeyError("x"), "x")


# -- through the wire, against the fake --------------------------------------------------------------------------

def _client(fake: FakeGitHub, tmp_path: Path, token: str = TOKEN, **overrides: object) -> GitHub:
    values: dict[str, object] = {**fake.config(), "timeout": 1, "retries": 1, "backoff": 0.0, "max_wait": 3.0}
    values.update(overrides)
    return GitHub(GitHubSettings(**values), token=token, cache_dir=tmp_path / "cache")


def test_missing_repository_is_not_found_with_the_pygithub_cause(fake: FakeGitHub, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="alice/hw not found") as info:
        _client(fake, tmp_path).pin_head(REPO)
    assert isinstance(info.value.__cause__, github.UnknownObjectException)


def test_a_wrong_token_is_bad_credentials_and_says_how_to_fix_it(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "a"})
    with pytest.raises(BadCredentialsError, match="GITHUB_TOKEN") as info:
        _client(fake, tmp_path, token="wrong-token").pin_head(REPO)
    assert "wrong-token" not in str(info.value)


def test_forbidden_is_access_denied(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "a"})
    fake.fail(403, path="/repos/alice/hw", message="Resource not accessible by personal access token")
    with pytest.raises(AccessDeniedError, match="not accessible"):
        _client(fake, tmp_path).pin_head(REPO)


def test_an_exhausted_rate_limit_far_from_reset_raises_with_retry_after(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "a"})
    fake.set_rate_limit(0, reset_in=3600)
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as info:
        _client(fake, tmp_path).pin_head(REPO)
    assert 3500 < info.value.retry_after <= 3602
    assert time.monotonic() - started < 3  # it did not sit out the hour


def test_a_403_rate_limit_with_a_near_reset_is_waited_out(fake: FakeGitHub, tmp_path: Path) -> None:
    sha = fake.add_repo("alice/hw", {"a.txt": "a"})
    fake.fail(403, path="/repos/alice/hw", times=1, retry_after=1)
    started = time.monotonic()
    assert _client(fake, tmp_path).pin_head(REPO).sha == sha
    assert time.monotonic() - started >= 0.5
    assert fake.count("/repos/alice/hw", status=403) == 1


def test_a_429_with_retry_after_is_waited_out(fake: FakeGitHub, tmp_path: Path) -> None:
    sha = fake.add_repo("alice/hw", {"a.txt": "a"})
    fake.fail(429, times=1, retry_after=1)
    assert _client(fake, tmp_path).pin_head(REPO).sha == sha
    assert fake.count(status=429) == 1


def test_a_server_error_is_retried_then_succeeds(fake: FakeGitHub, tmp_path: Path) -> None:
    sha = fake.add_repo("alice/hw", {"a.txt": "a"})
    fake.fail(502, times=1)
    assert _client(fake, tmp_path).pin_head(REPO).sha == sha


def test_a_lasting_server_error_is_a_server_error_after_the_retries(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "a"})
    fake.fail(500)
    with pytest.raises(ServerError, match="HTTP 500"):
        _client(fake, tmp_path, retries=2).pin_head(REPO)
    assert fake.count(status=500) == 3  # the first try and two retries


@pytest.mark.timeout(30)
def test_a_hanging_server_times_out_instead_of_hanging(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.add_repo("alice/hw", {"a.txt": "a"})
    fake.hang = True
    started = time.monotonic()
    with pytest.raises(ServerError, match="did not answer in time") as info:
        _client(fake, tmp_path, timeout=1, retries=1).pin_head(REPO)
    assert isinstance(info.value.__cause__, requests.exceptions.Timeout)
    assert time.monotonic() - started < 10
