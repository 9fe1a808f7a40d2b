"""The demo's GitHub stage: links → pinned commits → collected submissions, on one machine.

The submissions already laid out in ``submitted/`` are pushed to repositories on a local fake GitHub (a real
HTTP server on 127.0.0.1 with real git repositories; ``grader.demo.fake_github``), each notebook in a folder as
students do; each link is submitted with its original received time, the folder is removed, one student
force-pushes after submitting, and ``collect_assignment`` brings everything back from the pinned commits.
No token is used and nothing leaves the machine.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader.collect.batch import collect_assignment
from grader.collect.layout import TIMESTAMP
from grader.collect.submit import submit_link
from grader.course import CourseFolder
from grader.demo.fake_github import FakeGitHub
from grader.github import GitHub, GitHubSettings

REPO = "dl-homeworks"


def _received(folder: Path) -> datetime:
    try:
        return datetime.fromisoformat((folder / TIMESTAMP).read_text().strip())
    except (OSError, ValueError):
        return datetime.now(UTC)


def collect_stage(course: CourseFolder, console: Console) -> None:
    """Round-trip every laid-out submission through the local fake GitHub (see the module docstring)."""
    if shutil.which("git") is None:
        console.print("[yellow]git is not installed: the GitHub stage is skipped[/yellow]")
        return
    submitted = {(folder.parent.name, folder.name): folder
                 for folder in sorted((course.root / "submitted").glob("*/*")) if folder.is_dir()}
    if not submitted:
        console.print("no submissions to push")
        return
    with FakeGitHub(course.root / ".demo-github") as fake:
        settings = GitHubSettings(config=course.config)
        settings.api_url, settings.clone_url = fake.api_url, fake.clone_url
        gh = GitHub(settings, token=fake.token, cache_dir=course.root / ".cache" / "github-demo")
        students = sorted({student for student, _ in submitted})
        for student in students:
            files = {f"{hw}/{path.name}": path.read_bytes() for (who, hw), folder in submitted.items()
                     if who == student for path in folder.glob("*.ipynb")}
            fake.add_repo(f"{student}/{REPO}", files, message="homework")
        for (student, hw), folder in submitted.items():
            submit_link(course, student, hw, f"https://github.com/{student}/{REPO}", _received(folder),
                        source_key=f"demo:{student}:{hw}", github=gh)
            shutil.rmtree(folder)
        fake.push(f"{students[0]}/{REPO}", {"README.md": "history rewritten after submitting"}, force=True)
        console.print(f"{len(submitted)} links submitted to a local fake GitHub ({fake.api_url}) and pinned; "
                      f"{students[0]} force-pushed afterwards")
        table = Table(title="collected from GitHub at the pinned commits")
        for column in ("assignment", "collected", "failed", "API requests", "git fetches"):
            table.add_column(column)
        for hw in sorted({hw for _, hw in submitted}):
            summary = collect_assignment(course, hw, github=gh)
            table.add_row(hw, str(summary.statuses.get("collected", 0)), str(summary.statuses.get("failed", 0)),
                          str(summary.api_requests), str(summary.fetches))
            for outcome in summary.outcomes:
                if outcome.status != "collected":
                    console.print(f"  [red]{outcome.student}/{hw}[/red] {outcome.status}: {outcome.reason}")
        console.print(table)
