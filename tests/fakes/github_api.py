"""A fake GitHub for tests: a real threaded HTTP server on 127.0.0.1 that PyGithub talks to through its
``base_url``, backed by real bare git repositories (cloned through ``file://`` URLs).

The server itself is ``grader.demo.fake_github.FakeGitHub`` (it ships with the package because ``grader demo`` runs
against it when no token is set); this module re-exports it with the helpers tests need.

    from fakes.github_api import FakeGitHub, Symlink, configure_course, notebook

    with FakeGitHub(tmp_path / "gh") as fake:                 # start() / stop() also work
        configure_course(course_root, fake, timeout=2)       # c.GitHubSettings.* → the fake, cache in the course
        sha = fake.add_repo("alice/hw", {"hw1.ipynb": notebook(["a", "b"])})      # returns the head SHA
        fake.add_repo("bob/empty")                            # an empty repository
        fake.push("alice/hw", files, date=datetime(2099, 1, 1, tzinfo=UTC))      # forged commit date
        fake.push("alice/hw", files, force=True)             # force-push: old SHA still fetchable by SHA
        fake.delete_repo("alice/hw"); fake.set_private("alice/hw"); fake.set_size("alice/hw", 10**7)  # KB
        fake.add_collaborator("alice/hw", "bob"); fake.invite("alice/hw", "instructor")
        fake.fail(500, times=2); fake.fail(404, path="/repos/alice/hw"); fake.fail(429, retry_after=1)
        fake.fail(403, retry_after=2)                         # 403 rate limit with a reset 2 s away
        fake.set_rate_limit(remaining=3, reset_in=3600)       # X-RateLimit-* headers; 403 once used up
        fake.latency = 0.05; fake.hang = True                 # slow answers; no answer at all
        fake.count("/repos/alice/hw", status=200); fake.requests; fake.reset_counts(); fake.reset()

The accepted token is ``TOKEN`` (``fake.token``); requests without a token are anonymous (public repositories
only); a wrong token gets 401 Bad credentials. ``fake.login`` ("instructor") is the token's user.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.demo.fake_git import Symlink
from grader.demo.fake_github import FakeGitHub, FakeRepo, Request

TOKEN = "fake-token"

__all__ = ["TOKEN", "FakeGitHub", "FakeRepo", "Request", "Symlink", "configure_course", "notebook"]


def notebook(grade_ids: list[str], source: str = "x = 1", extra_cells: int = 0) -> str:
    """A minimal valid notebook whose code cells carry the given nbgrader ``grade_id``s."""
    cells: list[dict[str, Any]] = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "outputs": [], "source": source,
         "metadata": {"nbgrader": {"grade": False, "grade_id": gid, "locked": False, "schema_version": 3,
                                   "solution": True}}}
        for i, gid in enumerate(grade_ids)]
    cells += [{"cell_type": "markdown", "id": f"m{i}", "metadata": {}, "source": "notes"} for i in range(extra_cells)]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                    "language": "python"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)


def configure_course(course_root: Path, fake: FakeGitHub, **settings: Any) -> None:
    """Point the course's GitHubSettings at ``fake`` (appended to its nbgrader_config.py), plus ``settings``."""
    values: dict[str, Any] = {**fake.config(), "backoff": 0.0, **settings}
    lines = [f"c.GitHubSettings.{key} = {value!r}" for key, value in values.items()]
    with (course_root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# --- fake GitHub (tests) ---\n" + "\n".join(lines) + "\n")
