"""``GitHub``: the one boundary to GitHub. REST through PyGithub's requester, content through ``git``.

Every request goes through ``_get``: it takes a slot from the shared rate-limit gate, sends a conditional
request when an ETag is known (a 304 costs no rate limit), learns the limit from the answer's headers, retries
server errors, timeouts and dropped connections with exponential back-off and jitter, waits out a 403/429 rate
limit when the reset is near (``max_wait``), and translates every PyGithub/requests exception into
``grader.errors`` (``mapping.translate``). Every request has a timeout (``GitHubSettings.timeout``).

Thread-safe: each thread has its own PyGithub client (PyGithub's connection object is not shareable); the rate
gate, the ETag cache and the clone cache are shared.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import github as pygithub
from github.Requester import Requester

from grader.configurable import configured
from grader.errors import (
    AccessDeniedError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from grader.github.cache import ApiCache
from grader.github.git import GitCache, TreeEntry
from grader.github.links import RepoRef
from grader.github.mapping import CAUGHT, translate
from grader.github.ratelimit import RateGate, backoff_delay
from grader.github.settings import GitHubSettings

USER_AGENT = "grader-autograder (PyGithub)"
SHA_MEDIA_TYPE = "application/vnd.github.sha"  # "Get a commit" answers the SHA alone, as text
SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")  # SHA-1, or SHA-256 repositories
MAX_RATE_WAITS = 3  # a request that meets the rate limit this many times in a row gives up


@dataclass(frozen=True)
class PinnedCommit:
    """The head of a repository's default branch at the moment the system received a link.

    ``received_at`` is the system's own clock (UTC): it decides lateness, never a commit date, because commit
    dates are whatever the student's machine (or ``git commit --date``) said.
    """

    repo: RepoRef
    sha: str
    branch: str  # the ref pinned: "HEAD", the repository's default branch whatever its name
    received_at: datetime


@dataclass(frozen=True)
class RepoInfo:
    """What the grader needs to know about a repository before fetching it."""

    full_name: str
    default_branch: str
    private: bool
    size_kb: int
    html_url: str


@dataclass(frozen=True)
class _Answer:
    status: int
    data: Any
    etag: str | None = None  # of a fresh answer (None when it came from the cache through a 304)


class GitHub:
    """The boundary. ``token`` defaults to the ``GITHUB_TOKEN`` environment variable; ``""`` means none."""

    def __init__(self, settings: GitHubSettings, token: str | None = None, cache_dir: Path | None = None) -> None:
        self.settings = settings
        self._token = (os.environ.get("GITHUB_TOKEN") or None) if token is None else (token or None)
        root = Path(settings.cache_dir) if cache_dir is None else cache_dir
        self.cache_dir = root.resolve()
        self.gate = RateGate(reserve=settings.rate_limit_reserve, max_wait=settings.max_wait)
        self.api_cache = ApiCache(self.cache_dir / "api.json")
        self.git = GitCache(self.cache_dir / "repos", settings.clone_url_for, self._token, settings.fetch_timeout)
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self.requests = 0  # API requests sent (including 304s)
        self.not_modified = 0  # of which answered 304 (free of rate limit)

    @classmethod
    def from_course(cls, course: Any, token: str | None = None) -> GitHub:
        """The boundary configured by the course's ``nbgrader_config.py`` (``c.GitHubSettings....``)."""
        settings = configured(GitHubSettings, course.config)
        cache = Path(settings.cache_dir)
        return cls(settings, token=token, cache_dir=cache if cache.is_absolute() else course.root / cache)

    @property
    def has_token(self) -> bool:
        return self._token is not None

    def __repr__(self) -> str:  # never shows the token
        return f"GitHub(api_url={self.settings.api_url!r}, token={'set' if self._token else 'none'})"

    # -- transport -------------------------------------------------------------------------------------------
    def _requester(self) -> Requester:
        client = getattr(self._local, "client", None)
        if client is None:
            auth = pygithub.Auth.Token(self._token) if self._token else None
            client = pygithub.Github(auth=auth, base_url=self.settings.api_url, timeout=self.settings.timeout,
                                     user_agent=USER_AGENT, retry=None, seconds_between_requests=None,
                                     seconds_between_writes=None, per_page=100)
            self._local.client = client
        return client.requester

    def _get(self, path: str, what: str, ok: tuple[int, ...] = (200,), conditional: bool = True,
             accept: str | None = None) -> _Answer:
        """GET ``path`` (relative to the API URL) with the gate, retries and translation; 304 → cached data.
        ``accept``: a GitHub media type whose answer is text, not JSON (the answer's data is then that text)."""
        key = self.settings.api_url + path
        cached = self.api_cache.get(key) if conditional else None
        rate_waits = 0
        attempt = 0
        while True:
            try:
                return self._once(path, ok, cached, accept)
            except CAUGHT as exc:
                error = translate(exc, what, self.settings.instructor_login)
                cause: BaseException = exc
            if isinstance(error, RateLimitedError) and rate_waits < MAX_RATE_WAITS:
                rate_waits += 1
                self.gate.blocked(error.retry_after)  # the next acquire() waits for the reset, or raises
                continue
            if isinstance(error, ServerError) and attempt < self.settings.retries:
                time.sleep(backoff_delay(attempt, self.settings.backoff))
                attempt += 1
                continue
            raise error from cause

    def _once(self, path: str, ok: tuple[int, ...], cached: tuple[str, Any] | None,
              accept: str | None = None) -> _Answer:
        self.gate.acquire()
        headers = {"If-None-Match": cached[0]} if cached else {}
        if accept is not None:
            headers["Accept"] = accept
        try:
            status, response_headers, body = self._requester().requestJson("GET", path, headers=headers)
        except BaseException:
            self.gate.end_probe()
            raise
        with self._count_lock:
            self.requests += 1
            self.not_modified += status == 304
        self.gate.observe(response_headers)
        if status == 304 and cached is not None:
            return _Answer(200, cached[1])
        data: Any = None
        if body:
            try:
                data = json.loads(body)
            except ValueError:
                data = body.strip() if accept is not None and status in ok else {"message": body[:200]}
        if status in ok:
            etag = {k.lower(): v for k, v in response_headers.items()}.get("etag")
            return _Answer(status, data, str(etag) if etag else None)
        raise Requester.createException(status, response_headers, data if isinstance(data, dict) else {})

    # -- repositories ----------------------------------------------------------------------------------------
    def repo_info(self, repo: RepoRef) -> RepoInfo:
        """Exists and is readable with the token; its default branch and size (a conditional request)."""
        path = f"/repos/{quote(repo.owner)}/{quote(repo.name)}"
        answer = self._get(path, f"repository {repo.full_name}")
        data = answer.data if isinstance(answer.data, dict) else {}
        info = {"full_name": str(data.get("full_name") or repo.full_name),
                "default_branch": str(data.get("default_branch") or "main"),
                "private": bool(data.get("private", False)), "size_kb": int(data.get("size") or 0),
                "html_url": str(data.get("html_url") or repo.html_url)}
        self._remember(path, answer, {"full_name": info["full_name"], "default_branch": info["default_branch"],
                                      "private": info["private"], "size": info["size_kb"],
                                      "html_url": info["html_url"]})
        return RepoInfo(**info)

    def _remember(self, path: str, answer: _Answer, trimmed: Any) -> None:
        """Keep only the fields used (same shape as GitHub's answer) under a fresh answer's ETag."""
        if answer.etag is not None:
            self.api_cache.put(self.settings.api_url + path, answer.etag, trimmed)

    def pin_head(self, repo: RepoRef) -> PinnedCommit:
        """The default branch's head commit now, in one request: ``GET /repos/{o}/{r}/commits/HEAD`` with the
        ``sha`` media type (GitHub resolves HEAD to the default branch and answers the SHA alone, not the
        commit's diff; conditional, so an unmoved head is answered 304, free of the rate limit).
        ``received_at`` is this machine's clock (UTC)."""
        path = f"/repos/{quote(repo.owner)}/{quote(repo.name)}/commits/HEAD"
        answer = self._get(path, f"repository {repo.full_name}", ok=(200, 409), accept=SHA_MEDIA_TYPE)
        if answer.status == 409:  # GitHub: "Git Repository is empty."
            raise NotFoundError(f"repository {repo.full_name} has no commits on its default branch: push your "
                                "notebook first, then send the link again")
        sha = answer.data if isinstance(answer.data, str) else ""
        if not SHA.match(sha):
            raise ServerError(f"GitHub did not report the head commit of {repo.full_name}; try again")
        self._remember(path, answer, sha)
        return PinnedCommit(repo=RepoRef(repo.owner, repo.name, repo.host), sha=sha, branch="HEAD",
                            received_at=datetime.now(UTC))

    def can_submit(self, repo: RepoRef, login: str) -> bool:
        """Whether ``login`` may hand in this repository: its owner, or a collaborator on it."""
        if repo.owner.lower() == login.lower():
            return True
        return self._is_collaborator(repo, login)

    def _is_collaborator(self, repo: RepoRef, login: str) -> bool:
        path = f"/repos/{quote(repo.owner)}/{quote(repo.name)}/collaborators/{quote(login)}"
        try:
            answer = self._get(path, f"collaborator {login!r} of {repo.full_name}", ok=(204, 404),
                               conditional=False)
        except AccessDeniedError:
            return False  # the token cannot see the collaborators: nothing shows that login is one
        return answer.status == 204

    def is_invited(self, repo: RepoRef, login: str) -> bool:
        """Whether ``login`` is a collaborator or has a pending invitation (e.g. the instructor, for a project)."""
        if self._is_collaborator(repo, login):
            return True
        base = f"/repos/{quote(repo.owner)}/{quote(repo.name)}/invitations"
        try:
            invitations = self._pages(base, f"invitations of {repo.full_name}")
            return any(str((i.get("invitee") or {}).get("login", "")).lower() == login.lower() for i in invitations)
        except (AccessDeniedError, NotFoundError):
            pass  # only the repository's admins see its invitations: ask from the invitee's side instead
        if login.lower() != self.whoami().lower():
            raise AccessDeniedError(f"cannot see the invitations of {repo.full_name}: only its owner can, or "
                                    f"{login!r} itself (run this with {login!r}'s token)")
        mine = self._pages("/user/repository_invitations", "your repository invitations")
        return any(str((i.get("repository") or {}).get("full_name", "")).lower() == repo.full_name.lower()
                   for i in mine)

    def _pages(self, path: str, what: str, limit: int = 10) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, limit + 1):
            answer = self._get(f"{path}?per_page=100&page={page}", what, conditional=False)
            batch = answer.data if isinstance(answer.data, list) else []
            items.extend(i for i in batch if isinstance(i, dict))
            if len(batch) < 100:
                break
        return items

    def whoami(self) -> str:
        """The login the token belongs to (BadCredentialsError when GitHub refuses it)."""
        answer = self._get("/user", "the token's account", conditional=False)
        return str((answer.data or {}).get("login", ""))

    def rate_limit(self) -> tuple[int, int, datetime]:
        """(remaining, limit, reset time) of the core REST limit; asking costs nothing."""
        answer = self._get("/rate_limit", "the rate limit", conditional=False)
        core = ((answer.data or {}).get("resources") or {}).get("core") or (answer.data or {}).get("rate") or {}
        return (int(core.get("remaining", 0)), int(core.get("limit", 0)),
                datetime.fromtimestamp(float(core.get("reset", 0)), UTC))

    # -- content ---------------------------------------------------------------------------------------------
    def has_commit(self, repo: RepoRef, sha: str) -> bool:
        """Whether the commit is in the local clone cache already (then fetching needs no network)."""
        return self.git.has(repo, sha)

    def tree(self, repo: RepoRef, sha: str) -> list[TreeEntry]:
        """The pinned commit's tree (shallow-fetched into the cache first if needed)."""
        return self.git.tree(repo, sha)

    def read(self, repo: RepoRef, entry: TreeEntry) -> bytes:
        return self.git.read(repo, entry)

    def fetch(self, repo: RepoRef, sha: str, dest: Path) -> Path:
        """The repository's regular files at commit ``sha`` written under ``dest`` (works after a force-push)."""
        return self.git.export(repo, sha, dest)

    def close(self) -> None:
        """Persist the ETag cache."""
        self.api_cache.save()
