"""Repository content through the ``git`` command: shallow fetches of one pinned commit into a local cache.

Each repository has one bare cache repository (``<cache_dir>/repos/<owner>/<name>.git``); a pinned commit is
fetched once with ``git fetch --depth=1 <url> <sha>`` and kept under ``refs/pins/<sha>``, so it survives a
force-push on GitHub's side and a re-run needs no network at all. Nothing from a student's tree is ever checked
out as-is: the tree is listed (``ls-tree``) and single blobs are read (``cat-file``); ``export`` writes regular
files only (no symbolic links, no submodules).

The token, for https clone URLs, travels in an ``http.extraHeader`` set through git's environment
(``GIT_CONFIG_*``): never on a command line, never in a file.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from grader.errors import AccessDeniedError, NotFoundError, ServerError
from grader.github.links import RepoRef

SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
REGULAR = ("100644", "100755")


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a commit's tree: ``kind`` is blob, tree or commit (a submodule); ``size`` for blobs."""

    path: str
    mode: str
    kind: str
    object: str
    size: int | None

    @property
    def is_file(self) -> bool:
        return self.kind == "blob" and self.mode in REGULAR


class GitCache:
    def __init__(self, root: Path, clone_url: Callable[[str], str], token: str | None, timeout: float) -> None:
        self.root = root
        self.clone_url = clone_url
        self._token = token
        self.timeout = timeout
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.fetches = 0  # network fetches made (for benchmarks)
        self._present: set[tuple[str, str]] = set()  # (repository, sha) known to be in the cache

    # -- running git -------------------------------------------------------------------------------------
    def _env(self, url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(GIT_TERMINAL_PROMPT="0", GCM_INTERACTIVE="never", GIT_CONFIG_NOSYSTEM="1",
                   GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")  # no user or system config (insteadOf, helpers)
        parts = urlsplit(url)
        if self._token and parts.scheme == "https":
            basic = base64.b64encode(f"x-access-token:{self._token}".encode()).decode()
            env.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0=f"http.{parts.scheme}://{parts.netloc}/.extraHeader",
                       GIT_CONFIG_VALUE_0=f"Authorization: Basic {basic}")
        return env

    def _git(self, git_dir: Path, *args: str, url: str = "", timeout: float | None = None,
             what: str = "") -> bytes:
        cmd = ["git", "--git-dir", str(git_dir), "-c", "credential.helper=", "-c", "core.hooksPath=/dev/null",
               "-c", "protocol.version=2", *args]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout or self.timeout, env=self._env(url),
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise ServerError(f"git did not finish within {timeout or self.timeout:.0f} s for {what} "
                              "(GitHubSettings.fetch_timeout); try again later") from exc
        except FileNotFoundError as exc:
            raise ServerError("the 'git' command is not installed: install git (apt-get install git)") from exc
        if done.returncode != 0:
            raise _git_error(done.stderr.decode("utf-8", "replace"), what)
        return done.stdout

    def _lock(self, repo: RepoRef) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(repo.full_name.lower(), threading.Lock())

    def git_dir(self, repo: RepoRef) -> Path:
        return self.root / repo.owner.lower() / f"{repo.name.lower()}.git"

    # -- the public surface ------------------------------------------------------------------------------
    def has(self, repo: RepoRef, sha: str) -> bool:
        """Whether the pinned commit is already in the local cache (then nothing needs GitHub)."""
        git_dir = self.git_dir(repo)
        key = (repo.full_name.lower(), sha)
        if key in self._present:
            return True
        if not SHA.match(sha) or not (git_dir / "HEAD").is_file():
            return False
        try:
            self._git(git_dir, "cat-file", "-e", f"{sha}^{{commit}}", what=repo.full_name)
        except (NotFoundError, ServerError, AccessDeniedError):
            return False
        self._present.add(key)
        return True

    def ensure(self, repo: RepoRef, sha: str) -> Path:
        """The cache repository holding commit ``sha``; fetched (shallow) if it is not there yet."""
        if not SHA.match(sha):
            raise NotFoundError(f"{sha!r} is not a commit SHA")
        git_dir = self.git_dir(repo)
        with self._lock(repo):
            if self.has(repo, sha):
                return git_dir
            if not (git_dir / "HEAD").is_file():
                git_dir.parent.mkdir(parents=True, exist_ok=True)
                self._git(git_dir, "init", "--quiet", "--bare", str(git_dir), timeout=60,
                          what=f"the local cache of {repo.full_name}")
            url = self.clone_url(repo.full_name)
            self.fetches += 1
            self._git(git_dir, "fetch", "--quiet", "--depth=1", "--no-tags", "--no-write-fetch-head", url,
                      f"+{sha}:refs/pins/{sha}", url=url, what=f"commit {sha[:12]} of {repo.full_name}")
            self._present.add((repo.full_name.lower(), sha))
        return git_dir

    def tree(self, repo: RepoRef, sha: str) -> list[TreeEntry]:
        """Every entry of the commit's tree (recursively), with blob sizes."""
        out = self._git(self.ensure(repo, sha), "ls-tree", "-r", "-l", "-z", "--full-tree", sha,
                        what=f"the tree of {repo.full_name} at {sha[:12]}")
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, obj, size = meta.decode().split(None, 3)
            entries.append(TreeEntry(path=raw_path.decode("utf-8", "surrogateescape"), mode=mode, kind=kind,
                                     object=obj, size=int(size) if size.strip().isdigit() else None))
        return entries

    def read(self, repo: RepoRef, entry: TreeEntry) -> bytes:
        """The content of one regular file of the tree."""
        if not entry.is_file:
            raise NotFoundError(f"{entry.path} in {repo.full_name} is not a regular file")
        return self._git(self.git_dir(repo), "cat-file", "blob", entry.object,
                         what=f"{entry.path} in {repo.full_name}")

    def export(self, repo: RepoRef, sha: str, dest: Path) -> Path:
        """Write the commit's regular files under ``dest`` (links and submodules are left out)."""
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        for entry in self.tree(repo, sha):
            relative = PurePosixPath(entry.path)
            if not entry.is_file or relative.is_absolute() or ".." in relative.parts:
                continue
            target = root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.read(repo, entry))
        return dest


def _git_error(stderr: str, what: str) -> NotFoundError | AccessDeniedError | ServerError:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    detail = "; ".join(lines[-2:])[:300]
    text = stderr.lower()
    if any(s in text for s in ("not our ref", "unadvertised object", "couldn't find remote ref",
                               "no such remote ref", "bad object", "not a valid object", "could not read",
                               "does not exist", "remote error: upload-pack")):
        if "authentication" in text or "username" in text:
            return AccessDeniedError(f"git was refused access to {what}: {detail}")
        return NotFoundError(f"{what} is not available: {detail}")
    if "repository not found" in text or "not found" in text or "does not appear to be a git repository" in text:
        return NotFoundError(f"{what}: the repository is gone or not readable ({detail})")
    if "authentication failed" in text or "permission denied" in text or "403" in text:
        return AccessDeniedError(f"git was refused access to {what}: {detail}")
    return ServerError(f"git failed for {what}: {detail}")
