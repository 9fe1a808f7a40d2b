"""``grader collect hwN``: parse, call ``collect_assignment``, show a progress bar and the outcome."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from grader.progress import progress_bar

console = Console()


def cmd_collect(args: argparse.Namespace) -> int:
    from grader.collect import collect_assignment
    from grader.course import open_course
    from grader.github import GitHub

    course = open_course(args.course)
    gh = GitHub.from_course(course)
    if not gh.has_token:
        console.print("[yellow]GITHUB_TOKEN is not set: only public repositories can be read, at GitHub's "
                      "anonymous rate limit (60 requests an hour). See docs/github.md.[/yellow]")
    with progress_bar(console, f"collecting {args.assignment}") as tick:
        summary = collect_assignment(course, args.assignment, github=gh, students=args.student,
                                     workers=args.workers, retry_failed=args.retry_failed, progress=tick)
    counts = ", ".join(f"{status} {n}" for status, n in sorted(summary.statuses.items())) or "nothing new"
    console.print(f"{args.assignment}: {counts}; {summary.skipped} unchanged since the last run "
                  f"({summary.api_requests} GitHub API requests, {summary.fetches} fetches) "
                  f"→ {course.root / 'submitted'}")
    for outcome in summary.outcomes:
        if outcome.status != "collected":
            console.print(f"  [yellow]{outcome.student}[/yellow] {outcome.status}: {outcome.reason}",
                          highlight=False)
    if summary.stopped:
        console.print(f"[red]stopped early:[/red] {summary.stopped}\nWhat was collected stays collected: run "
                      f"'grader collect {args.assignment}' again to finish.", highlight=False)
        return 1
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "collect", help="fetch every active submission of hwN from GitHub at its pinned commit into submitted/",
        description="For every active submission of an assignment: fetch the student's repository at the commit "
        "pinned when the link was received (shallow, cached; works after a force-push), find the notebook (by "
        "the released name anywhere in the tree, or by the assignment's cell ids), and lay it out with the "
        "release's other files in submitted/<student>/<hwN>/ with timestamp.txt = the received time. Problems "
        "(repository gone, no access, notebook missing or not JSON, repository too large) are recorded per "
        "submission; the batch goes on. Re-running only does what is new. Needs GITHUB_TOKEN for private "
        "repositories.")
    p.add_argument("assignment", metavar="hwN")
    p.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    p.add_argument("--workers", type=int, metavar="N", help="repositories fetched at once "
                   "(default: GitHubSettings.workers)")
    p.add_argument("--retry-failed", action="store_true", help="try submissions that failed before again (e.g. "
                   "after a student made the repository readable)")
    p.set_defaults(func=cmd_collect)
