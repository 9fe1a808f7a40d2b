"""``grader serve``: the term's long-running service; ``grader serve status``: how it is doing.

    grader serve [--workers N | --scheduler ADDRESS] [--verbose]
    grader serve status
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from grader.course import open_course

console = Console()


def cmd_serve(args: argparse.Namespace) -> int:
    course = open_course(args.course)
    if args.action == "status":
        from grader.serve.config import serve_settings
        from grader.serve.status import render, snapshot

        snap = snapshot(course, serve_settings(course.config).failures_shown)
        console.print(render(snap), highlight=False, markup=False)
        return 0 if snap.running else 1
    from grader.serve.run import run_service

    console.print(f"grader serve: the bot and the grading pipeline for {course.root} (Ctrl-C stops it); "
                  "'grader serve status' shows the queue")
    path = run_service(course, workers=args.workers, scheduler=args.scheduler, verbose=args.verbose)
    console.print(f"stopped; the log is {path}")
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve", help="run the bot and grade every submission as it arrives (the term's service)",
        description="One long-running process for the term: the Telegram bot, and a pipeline that takes every new "
        "submission through fetch, the visible tests (before the deadline: the student is told which passed), the "
        "full grading with hidden tests (after the deadline, on the final submission), feedback, and a message "
        "to the student when the grades are released (c.GradeRelease.policy). Safe to stop at any moment and "
        "start again. Needs TELEGRAM_BOT_TOKEN (and GITHUB_TOKEN). Settings: c.ServeSettings in "
        "nbgrader_config.py; docs/serve.md has a systemd unit.")
    p.add_argument("action", nargs="?", choices=["run", "status"], default="run",
                   help="run (default): serve until Ctrl-C or SIGTERM; status: the queue, jobs in flight, workers "
                   "and the last failures (exit 1 when the service is not running)")
    p.add_argument("--workers", type=int, metavar="N", help="grading processes on this machine "
                   "(default: c.ServeSettings.workers, else one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask cluster instead (GPU jobs go to "
                   "workers started with --resources GPU=1)")
    p.add_argument("--verbose", action="store_true", help="log to the terminal too (the token is never logged)")
    p.set_defaults(func=cmd_serve)
