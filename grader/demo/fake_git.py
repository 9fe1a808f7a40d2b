"""Real bare git repositories for the local fake GitHub: commits written with ``git fast-import``.

A commit is a full snapshot (``files`` maps each path to its content); ``date`` sets both author and committer
dates, so a test can forge a commit far in the future or the past; ``force=True`` writes a commit with no parent
and moves the branch to it, exactly what ``git push --force`` with rewritten history leaves on GitHub (the old
commit stays in the object store, fetchable by SHA, as on GitHub).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Symlink:
    """A symbolic link in a fake repository (e.g. a notebook 'file' pointing at /etc/passwd)."""

    target: str


FileContent = str | bytes | Symlink


def _git(*args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(["git", *args], input=stdin, capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:3])} failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout


def init_bare(path: Path, branch: str = "main") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _git("init", "--quiet", "--bare", f"--initial-branch={branch}", str(path))
    # GitHub serves any commit by SHA, also one no branch reaches any more (after a force-push).
    _git("--git-dir", str(path), "config", "uploadpack.allowAnySHA1InWant", "true")
    _git("--git-dir", str(path), "config", "gc.auto", "0")


def head(path: Path, branch: str) -> str | None:
    done = subprocess.run(["git", "--git-dir", str(path), "rev-parse", "--verify", "--quiet",
                           f"refs/heads/{branch}"], capture_output=True, timeout=60, check=False)
    return done.stdout.decode().strip() or None


def commit(path: Path, branch: str, files: dict[str, FileContent], *, message: str = "work",
           date: datetime | None = None, force: bool = False, author: str = "Student <student@example.com>") -> str:
    """Write a snapshot commit on ``branch``; returns its SHA."""
    moment = date or datetime.now(UTC)
    stamp = f"{int(moment.timestamp())} +0000"
    parent = None if force else head(path, branch)
    msg = message.encode()
    chunks = [f"commit refs/heads/{branch}\nauthor {author} {stamp}\ncommitter {author} {stamp}\n".encode(),
              f"data {len(msg)}\n".encode(), msg, b"\n"]
    if parent:
        chunks.append(f"from {parent}\n".encode())
    chunks.append(b"deleteall\n")
    for name, content in sorted(files.items()):
        if isinstance(content, Symlink):
            mode, data = "120000", content.target.encode()
        else:
            mode, data = "100644", content.encode() if isinstance(content, str) else content
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        chunks += [f"M {mode} inline {quoted}\ndata {len(data)}\n".encode(), data, b"\n"]
    _git("--git-dir", str(path), "fast-import", "--quiet", "--force", stdin=b"".join(chunks))
    sha = head(path, branch)
    assert sha is not None
    return sha


def commit_date(path: Path, sha: str) -> datetime:
    out = _git("--git-dir", str(path), "show", "-s", "--format=%ct", sha).decode().strip()
    return datetime.fromtimestamp(int(out), UTC)


def size_kb(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) // 1024


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
