"""A local stand-in for GitHub: a real threaded HTTP server on 127.0.0.1 speaking the REST API subset the grader
uses, backed by real bare git repositories (cloned through ``file://`` URLs). The demo uses it when no token is
set; the tests use it through ``tests/fakes/github_api.py``.

    fake = FakeGitHub(tmp_path).start()          # or: with FakeGitHub(tmp_path) as fake:
    fake.config()                                 # {"api_url": ..., "clone_url": "file:///.../{full_name}.git"}
    sha = fake.add_repo("alice/hw", {"hw1.ipynb": text}, private=False, date=None)
    fake.push("alice/hw", files, date=datetime(2030, 1, 1, tzinfo=UTC))   # a new commit (forged date)
    fake.push("alice/hw", files, force=True)      # rewritten history; the old commit stays fetchable by SHA
    fake.add_collaborator("alice/hw", "bob"); fake.invite("alice/hw", "instructor")
    fake.delete_repo("alice/hw"); fake.set_private("alice/hw", True); fake.set_size("alice/hw", 10**7)
    fake.fail(500, times=2, path="/repos/alice/hw")   # also 403, 404, 429 (retry_after=), 401 ...
    fake.set_rate_limit(remaining=5, reset_in=3600)   # 403 "API rate limit exceeded" once used up
    fake.latency = 0.05; fake.hang = True            # every request waits; or never answers (until stop())
    fake.count(path="/repos/alice/hw", status=200); fake.requests; fake.reset_counts()
    fake.stop()

Endpoints: GET /repos/{o}/{r}, /repos/{o}/{r}/branches/{b}, /repos/{o}/{r}/commits/{ref},
/repos/{o}/{r}/collaborators/{user} (204/404), /repos/{o}/{r}/invitations, /user, /user/repository_invitations,
/rate_limit. Every answer has X-RateLimit-* headers; JSON answers an ETag, and If-None-Match → 304 (not counted
against the limit, like GitHub). Private repositories are 404 to anyone but the owner and collaborators.
The token the server accepts is ``fake.token`` (``None``: any); its user is ``fake.login``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from grader.demo import fake_git
from grader.demo.fake_git import FileContent
from grader.demo.loopback import LoopbackServer


@dataclass
class FakeRepo:
    owner: str
    name: str
    private: bool = False
    default_branch: str = "main"
    collaborators: set[str] = field(default_factory=set)
    invitations: set[str] = field(default_factory=set)
    size_kb: int | None = None  # reported size override

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class Failure:
    status: int
    path: str | None
    times: int | None
    message: str | None
    retry_after: float | None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    status: int
    conditional: bool


class FakeGitHub:
    def __init__(self, root: Path, *, token: str | None = "fake-token", login: str = "instructor",
                 latency: float = 0.0, limit: int = 5000) -> None:
        self.root = Path(root)
        self.token = token
        self.login = login
        self.latency = latency
        self.hang = False
        self.limit = limit
        self.remaining = limit
        self.reset_at = time.time() + 3600
        self.repos: dict[str, FakeRepo] = {}
        self.failures: list[Failure] = []
        self.requests: list[Request] = []
        self._lock = threading.RLock()
        self._release = threading.Event()
        self._server: LoopbackServer | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        self.root.mkdir(parents=True, exist_ok=True)
        self._release.clear()
        self._server = LoopbackServer(_handler(self))
        threading.Thread(target=self._server.serve_forever, name="fake-github", daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()  # let hanging handlers go
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self, root: Path | None = None) -> None:
        """Forget every repository, failure, limit and count (for a server shared by several tests)."""
        with self._lock:
            if root is not None:
                self.root = Path(root)
            self.repos.clear()
            self.failures.clear()
            self.requests.clear()
            self.latency, self.hang = 0.0, False
            self.remaining, self.reset_at = self.limit, time.time() + 3600

    @property
    def api_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def clone_url(self) -> str:
        return self.root.resolve().as_uri() + "/{full_name}.git"

    def config(self) -> dict[str, str]:
        """GitHubSettings values that point the grader here."""
        return {"api_url": self.api_url, "clone_url": self.clone_url}

    # -- repositories ----------------------------------------------------------------------------------------
    def git_dir(self, full_name: str) -> Path:
        return self.root / f"{full_name}.git"

    def add_repo(self, full_name: str, files: dict[str, FileContent] | None = None, *, private: bool = False,
                 branch: str = "main", date: datetime | None = None, message: str = "homework") -> str | None:
        """A repository (empty when ``files`` is None); returns the head SHA."""
        owner, name = full_name.split("/")
        with self._lock:
            fake_git.remove(self.git_dir(full_name))
            fake_git.init_bare(self.git_dir(full_name), branch)
            self.repos[full_name.lower()] = FakeRepo(owner, name, private=private, default_branch=branch)
        return None if files is None else self.push(full_name, files, date=date, message=message)

    def push(self, full_name: str, files: dict[str, FileContent], *, date: datetime | None = None,
             force: bool = False, message: str = "work", branch: str | None = None) -> str:
        repo = self.repo(full_name)
        return fake_git.commit(self.git_dir(full_name), branch or repo.default_branch, files, message=message,
                               date=date, force=force)

    def repo(self, full_name: str) -> FakeRepo:
        return self.repos[full_name.lower()]

    def head(self, full_name: str) -> str | None:
        repo = self.repo(full_name)
        return fake_git.head(self.git_dir(full_name), repo.default_branch)

    def delete_repo(self, full_name: str) -> None:
        with self._lock:
            self.repos.pop(full_name.lower(), None)
            fake_git.remove(self.git_dir(full_name))

    def set_private(self, full_name: str, private: bool = True) -> None:
        self.repo(full_name).private = private

    def set_size(self, full_name: str, size_kb: int | None) -> None:
        self.repo(full_name).size_kb = size_kb

    def add_collaborator(self, full_name: str, login: str) -> None:
        self.repo(full_name).collaborators.add(login.lower())

    def invite(self, full_name: str, login: str) -> None:
        self.repo(full_name).invitations.add(login.lower())

    # -- failures and limits ---------------------------------------------------------------------------------
    def fail(self, status: int, *, path: str | None = None, times: int | None = None, message: str | None = None,
             retry_after: float | None = None) -> None:
        """Answer requests (under ``path``, if given) with ``status``: ``times`` times, or until cleared."""
        with self._lock:
            self.failures.append(Failure(status, path, times, message, retry_after))

    def clear_failures(self) -> None:
        with self._lock:
            self.failures.clear()

    def set_rate_limit(self, remaining: int, reset_in: float = 3600.0) -> None:
        with self._lock:
            self.remaining, self.reset_at = remaining, time.time() + reset_in

    # -- accounting ------------------------------------------------------------------------------------------
    def count(self, path: str | None = None, status: int | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if (path is None or r.path.startswith(path))
                       and (status is None or r.status == status))

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- serving (called from the handler threads) -----------------------------------------------------------
    def _failure_for(self, path: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.path is None or path.startswith(failure.path):
                    if failure.times is not None:
                        failure.times -= 1
                        if failure.times <= 0:
                            self.failures.remove(failure)
                    return failure
        return None

    def _rate_headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(max(0, self.remaining)),
                "X-RateLimit-Reset": str(int(self.reset_at)), "X-RateLimit-Used": str(self.limit - self.remaining),
                "X-RateLimit-Resource": "core"}

    def _take_rate(self) -> bool:
        """One request from the budget; False when it is used up."""
        with self._lock:
            if time.time() >= self.reset_at:
                self.remaining, self.reset_at = self.limit, time.time() + 3600
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True

    def _visible(self, repo: FakeRepo | None, user: str | None) -> bool:
        if repo is None:
            return False
        return not repo.private or (user is not None and (user.lower() == repo.owner.lower()
                                                          or user.lower() in repo.collaborators))

    def _route(self, path: str, user: str | None) -> tuple[int, Any]:
        """(status, JSON body or None) for a GET of ``path``."""
        base = "http://127.0.0.1" if self._server is None else self.api_url
        if path == "/user":
            return (200, {"login": self.login, "id": 1, "type": "User"}) if user else \
                (401, {"message": "Requires authentication"})
        if path == "/user/repository_invitations":
            if not user:
                return 401, {"message": "Requires authentication"}
            return 200, [{"id": i, "repository": {"full_name": r.full_name}, "invitee": {"login": user}}
                         for i, r in enumerate(self.repos.values()) if user.lower() in r.invitations]
        m = re.match(r"^/repos/([^/]+)/([^/]+)(?:/(branches|commits|collaborators|invitations)(?:/(.+))?)?$", path)
        if not m:
            return 404, {"message": "Not Found"}
        owner, name, kind, rest = m.groups()
        repo = self.repos.get(f"{owner}/{name}".lower())
        if not self._visible(repo, user):
            return 404, {"message": "Not Found"}
        assert repo is not None
        git_dir = self.git_dir(repo.full_name)
        if kind is None:
            size = repo.size_kb if repo.size_kb is not None else fake_git.size_kb(git_dir)
            return 200, {"id": abs(hash(repo.full_name)) % 10**8, "name": repo.name, "full_name": repo.full_name,
                         "owner": {"login": repo.owner}, "private": repo.private, "size": size,
                         "html_url": f"https://github.com/{repo.full_name}", "default_branch": repo.default_branch,
                         "url": f"{base}/repos/{repo.full_name}", "clone_url": self.clone_url.format(
                             full_name=repo.full_name)}
        if kind == "branches" and rest:
            sha = fake_git.head(git_dir, rest)
            if sha is None:
                return 404, {"message": "Branch not found"}
            return 200, {"name": rest, "commit": self._commit_json(git_dir, sha, base, repo), "protected": False}
        if kind == "commits" and rest:
            if fake_git.head(git_dir, repo.default_branch) is None:
                return 409, {"message": "Git Repository is empty."}
            sha = fake_git.head(git_dir, repo.default_branch if rest == "HEAD" else rest) or rest  # HEAD: default
            try:
                return 200, self._commit_json(git_dir, sha, base, repo)
            except RuntimeError:
                return 422, {"message": f"No commit found for SHA: {rest}"}
        if kind == "collaborators" and rest:
            if user is None or (user.lower() != repo.owner.lower() and user.lower() not in repo.collaborators):
                return 403, {"message": "Must have push access to view repository collaborators."}
            return (204, None) if rest.lower() in repo.collaborators | {repo.owner.lower()} else (404, None)
        if kind == "invitations" and not rest:
            if user is None or user.lower() != repo.owner.lower():
                return 403, {"message": "Must have admin rights to Repository."}
            return 200, [{"id": i, "invitee": {"login": login}, "repository": {"full_name": repo.full_name}}
                         for i, login in enumerate(sorted(repo.invitations))]
        return 404, {"message": "Not Found"}

    @staticmethod
    def _commit_json(git_dir: Path, sha: str, base: str, repo: FakeRepo) -> dict[str, Any]:
        when = fake_git.commit_date(git_dir, sha).strftime("%Y-%m-%dT%H:%M:%SZ")
        person = {"name": "Student", "email": "student@example.com", "date": when}
        return {"sha": sha, "url": f"{base}/repos/{repo.full_name}/commits/{sha}",
                "commit": {"author": person, "committer": person, "message": "work"}}


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeGitHub/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = unquote(urlsplit(self.path).path).rstrip("/") or "/"
            if fake.latency:
                time.sleep(fake.latency)
            if fake.hang:
                fake._release.wait(60)
                self.close_connection = True
                return
            status, body, extra = self._answer(path)
            conditional = "If-None-Match" in self.headers
            with fake._lock:
                fake.requests.append(Request("GET", path, status, conditional))
            self._send(status, body, extra)

        def _answer(self, path: str) -> tuple[int, Any, dict[str, str]]:
            failure = fake._failure_for(path)
            if failure is not None:
                return self._failure(failure)
            auth = self.headers.get("Authorization", "")
            token = auth.split(None, 1)[1] if " " in auth else None
            if token is not None and fake.token is not None and token != fake.token:
                return 401, {"message": "Bad credentials"}, {}
            user = fake.login if token is not None else None
            if path == "/rate_limit":
                core = {"limit": fake.limit, "remaining": max(0, fake.remaining), "reset": int(fake.reset_at),
                        "used": fake.limit - fake.remaining}
                return 200, {"resources": {"core": core}, "rate": core}, {}
            status, body = fake._route(path, user)
            if status == 200 and "/commits/" in path and "vnd.github.sha" in self.headers.get("Accept", ""):
                body = body["sha"]  # the "sha" media type: the commit's SHA as plain text
            etag = None
            if status == 200:
                etag = 'W/"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return 304, None, {"ETag": etag}  # free of rate limit, like GitHub
            if not fake._take_rate():
                return 403, {"message": "API rate limit exceeded for user ID 1.",
                             "documentation_url": "https://docs.github.com/rest/rate-limit"}, {}
            return status, body, {"ETag": etag} if etag else {}

        def _failure(self, failure: Failure) -> tuple[int, Any, dict[str, str]]:
            extra: dict[str, str] = {}
            message = failure.message
            if failure.status == 429:
                extra["Retry-After"] = str(int(failure.retry_after or 1))
                message = message or "You have exceeded a secondary rate limit."
            elif failure.status == 403 and failure.retry_after is not None:
                fake.set_rate_limit(0, failure.retry_after)
                message = message or "API rate limit exceeded for user ID 1."
            elif failure.status == 401:
                message = message or "Bad credentials"
            default = {404: "Not Found", 403: "Resource not accessible by personal access token",
                       451: "Repository access blocked"}.get(failure.status, "Server Error")
            return failure.status, {"message": message or default}, extra

        def _send(self, status: int, body: Any, extra: dict[str, str]) -> None:
            text = isinstance(body, str)
            data = b"" if body is None or status in (204, 304) else body.encode() if text else json.dumps(body).encode()
            self.send_response(status)
            for key, value in {**fake._rate_headers(), **extra}.items():
                self.send_header(key, value)
            if data:
                self.send_header("Content-Type", "text/plain; charset=utf-8" if text else
                                 "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

    return Handler
