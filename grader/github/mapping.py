"""PyGithub and requests exceptions → the project's errors (``grader.errors``). The only place that knows both.

    PyGithub / requests                          grader.errors
    BadCredentialsException, TwoFactorException  BadCredentialsError
    GithubException 401                          BadCredentialsError
    RateLimitExceededException (+ExceedsMaxWait) RateLimitedError(retry_after)
    GithubException 429, 403 with remaining 0    RateLimitedError(retry_after)
    UnknownObjectException, 404, 410, 409, 422   NotFoundError      (GitHub answers 404 for a private repository
                                                                     the token cannot see, too)
    BadUserAgentException, 403, 451              AccessDeniedError
    GithubException >= 500                       ServerError
    other GithubException (4xx)                  ExternalServiceError
    IncompletableObject, BadAttributeException   ServerError        (an answer the grader cannot use)
    requests Timeout / ConnectionError / other   ServerError        (no answer: retried, then reported)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import github as gh
import requests

from grader.errors import (
    AccessDeniedError,
    BadCredentialsError,
    ExternalServiceError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)

# Everything the boundary catches around a PyGithub call.
CAUGHT: tuple[type[BaseException], ...] = (gh.GithubException, gh.BadAttributeException,
                                           requests.exceptions.RequestException)
TOKEN_HINT = ("create a token at https://github.com/settings/tokens (read access to repositories is enough) "
              "and export it: export GITHUB_TOKEN=...")


def retry_after(headers: Mapping[str, Any] | None, now: float | None = None) -> float:
    """Seconds until GitHub lets us in again: Retry-After, else X-RateLimit-Reset, else one minute."""
    headers = {str(k).lower(): v for k, v in (headers or {}).items()}
    now = time.time() if now is None else now
    try:
        if headers.get("retry-after") is not None:
            return max(1.0, float(headers["retry-after"]))
        if headers.get("x-ratelimit-reset") is not None:
            return max(1.0, float(headers["x-ratelimit-reset"]) - now + 1.0)
    except (TypeError, ValueError):
        pass
    return 60.0


def _message(exc: gh.GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    return str(data.get("message") or exc.message or "").strip()


def _is_rate_limit(exc: gh.GithubException) -> bool:
    headers = {str(k).lower(): v for k, v in (exc.headers or {}).items()}
    text = _message(exc).lower()
    return (exc.status == 429 or "rate limit" in text
            or (exc.status == 403 and str(headers.get("x-ratelimit-remaining", "")) == "0"))


def translate(exc: BaseException, what: str, instructor: str = "") -> ExternalServiceError:
    """The project's error for a failed GitHub request about ``what`` (e.g. 'repository alice/hw')."""
    account = f"the course account {instructor!r}" if instructor else "the course's GitHub account"
    if isinstance(exc, gh.BadCredentialsException | gh.TwoFactorException):
        return BadCredentialsError(f"GitHub refused the token in GITHUB_TOKEN (bad credentials): {TOKEN_HINT}")
    if isinstance(exc, gh.RateLimitExceededException) or (isinstance(exc, gh.GithubException) and
                                                          _is_rate_limit(exc)):
        wait = retry_after(exc.headers)  # type: ignore[union-attr]
        return RateLimitedError(f"GitHub's rate limit is exhausted while reading {what}: try again in "
                                f"{wait:.0f} s (nothing was lost)", retry_after=wait)
    if isinstance(exc, gh.UnknownObjectException):
        return NotFoundError(f"{what} not found on GitHub: it does not exist (deleted or renamed?) or it is "
                             f"private and not shared with {account}")
    if isinstance(exc, gh.BadUserAgentException):
        return AccessDeniedError(f"GitHub refused the request for {what}: {_message(exc) or 'access denied'}")
    if isinstance(exc, gh.IncompletableObject):
        return ServerError(f"GitHub's answer about {what} lacks what the grader needs: {_message(exc)}")
    if isinstance(exc, gh.GithubException):
        status, text = exc.status, _message(exc)
        if status == 401:
            return BadCredentialsError(f"GitHub refused the token in GITHUB_TOKEN ({text}): {TOKEN_HINT}")
        if status in (404, 410):
            return NotFoundError(f"{what} not found on GitHub: it does not exist (deleted or renamed?) or it is "
                                 f"private and not shared with {account}")
        if status == 409:
            return NotFoundError(f"{what}: {text or 'the repository is empty'} (push your work first)")
        if status == 422:
            return NotFoundError(f"{what}: {text or 'no such commit'}")
        if status in (403, 451):
            return AccessDeniedError(f"no access to {what}: {text or 'forbidden'} (make it readable by "
                                     f"{account}: add it as a collaborator)")
        if status is not None and status >= 500:
            return ServerError(f"GitHub failed while reading {what} (HTTP {status}{': ' + text if text else ''}); "
                               "it is usually temporary: try again in a few minutes")
        return ExternalServiceError(f"GitHub refused the request for {what} (HTTP {status}): {text}")
    if isinstance(exc, gh.BadAttributeException):
        return ServerError(f"GitHub answered about {what} with data the grader cannot read")
    if isinstance(exc, requests.exceptions.Timeout):
        return ServerError(f"GitHub did not answer in time while reading {what} (GitHubSettings.timeout); "
                           "try again later")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return ServerError(f"cannot reach GitHub while reading {what}: {type(exc).__name__} "
                           "(check the network and GitHubSettings.api_url)")
    if isinstance(exc, requests.exceptions.RequestException):
        return ServerError(f"the request to GitHub for {what} failed: {type(exc).__name__}")
    raise TypeError(f"not a GitHub client exception: {type(exc).__name__}") from exc
