"""The ``grader`` command: parse, call one library function, format the answer."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from grader import __version__
from grader.course import CourseFolder, open_course
from grader.errors import GraderError

# Verbs defined next to the subsystem they drive: each module has register(subparsers), which adds its
# parser(s) with set_defaults(func=...). A module not present (yet) adds nothing.
PLUGIN_COMMANDS = ("grader.github.cli", "grader.bot.cli", "grader.project.cli", "grader.similarity.cli")

console = Console(stderr=False)
err = Console(stderr=True)


class Parser(argparse.ArgumentParser):
    """argparse that says what to type instead, and exits with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\nTry '{self.prog} --help' for what it accepts.\n")


def _course(args: argparse.Namespace) -> CourseFolder:
    return open_course(args.course)


def cmd_release(args: argparse.Namespace) -> int:
    from grader.release import release_assignment

    course = _course(args)
    names = [n for n in course.settings.assignments if course.source(n).is_dir()] if args.all else args.assignments
    if not names:
        raise GraderError("nothing to release: name assignments (grader release hw1 hw2) or use --all")
    for name in names:
        report = release_assignment(course, name)
        console.print(f"[green]released[/green] {name}: {len(report.files)} files, no solution or hidden test "
                      f"leaked → {course.release(name)}")
    return 0


def cmd_roster_import(args: argparse.Namespace) -> int:
    from grader.roster import import_roster

    entries = import_roster(_course(args), Path(args.file))
    console.print(f"imported {len(entries)} students from {args.file}")
    return 0


def cmd_roster_codes(args: argparse.Namespace) -> int:
    from grader.roster import issue_codes

    course = _course(args)
    out = Path(args.out) if args.out else course.gradebook_dir / "registration_codes.csv"
    count = issue_codes(course, out, reissue=args.reissue)
    console.print(f"issued {count} registration codes → {out} (hand them out privately; each works once)")
    return 0


def cmd_autograde(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.autograde.orchestrate import autograde

    course = _course(args)
    if args.no_sandbox:
        err.print("[bold red]WARNING: --no-sandbox: student code runs with your user's rights, your files and "
                  "the network. Use it only for trusted submissions.[/bold red]")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"autograding {args.assignment}", total=None)

        def tick(outcome, done: int, total: int) -> None:  # type: ignore[no-untyped-def]
            bar.update(task, completed=done, total=total,
                       description=f"autograding {args.assignment} ({outcome.student}: {outcome.status})")

        summary = autograde(course, args.assignment, students=args.student, workers=args.workers,
                            scheduler=args.scheduler, force=args.force, sandbox=not args.no_sandbox,
                            wall_seconds=args.wall_seconds, progress=tick)
    counts = ", ".join(f"{status} {n}" for status, n in sorted(summary.statuses.items())) or "nothing to do"
    console.print(f"{args.assignment}: {summary.planned} graded now ({counts}); "
                  f"{summary.skipped_done} already graded and unchanged (use --force to regrade)")
    for outcome in summary.outcomes:
        if outcome.status != "graded" or outcome.evidence:
            console.print(f"  [yellow]{outcome.student}[/yellow] {outcome.status}: {outcome.reason}")
            for line in outcome.evidence[:5]:
                console.print(f"      evidence: {line}")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from grader.feedback import generate_feedback

    course = _course(args)
    names = generate_feedback(course, args.assignment, args.student)
    console.print(f"feedback for {len(names)} students → {course.root / 'feedback'} (hidden tests removed)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from grader.demo import run_demo

    run_demo(source_course=_course(args), workdir=Path(args.dir), students=args.students,
             assignments=args.assignments, console=console)
    return 0


def build_parser() -> Parser:
    parser = Parser(prog="grader", description="Autograding and grading for 'Fundamentals of Deep Learning': "
                    "release homeworks, import the roster, grade, and report final grades "
                    "(0.5·HW + 0.5·project + bonuses).")
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    parser.add_argument("--course", metavar="DIR", help="the course folder (holding nbgrader_config.py); "
                        "default: the current folder or its nearest parent that has one")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    p = sub.add_parser("release", help="generate release/hwN from source/hwN with nbgrader and check that no "
                       "solution or hidden test leaked", description="Generate the student version of "
                       "assignments (nbgrader generate_assignment) and verify it: no solution region, no hidden "
                       "test line, no instructor-only file.")
    p.add_argument("assignments", nargs="*", metavar="hwN", help="assignments to release")
    p.add_argument("--all", action="store_true", help="release every assignment that has a source folder")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("roster", help="import the class list; issue registration codes",
                       description="Manage the class list in nbgrader's gradebook.")
    rsub = p.add_subparsers(dest="roster_command", metavar="ACTION", parser_class=Parser)
    rsub.required = True
    q = rsub.add_parser("import", help="import nbgrader's student CSV (id; first_name, last_name, email)",
                        description="Import or update students from a CSV with an 'id' column (first_name, "
                        "last_name, email optional), UTF-8. All or nothing: a bad line stops the import.")
    q.add_argument("file", metavar="FILE.csv")
    q.set_defaults(func=cmd_roster_import)
    q = rsub.add_parser("codes", help="issue one-time registration codes for the bot and export them as CSV",
                        description="Give each student without a code a one-time registration code (stored "
                        "hashed) and write id, names, email, code to a CSV for mailing.")
    q.add_argument("--out", metavar="FILE.csv", help="where to write the codes "
                   "(default: gradebook/registration_codes.csv)")
    q.add_argument("--reissue", action="store_true", help="replace every unused code with a new one")
    q.set_defaults(func=cmd_roster_codes)

    p = sub.add_parser("autograde", help="grade submitted/*/hwN in the sandbox, in parallel, resumable",
                       description="Autograde every submission of an assignment with nbgrader's autograde, each "
                       "kernel in a sandbox (bubblewrap: own unprivileged user, no network, resource limits, only "
                       "its own files). Records a status per submission; a rerun grades only what is new or "
                       "changed.")
    p.add_argument("assignment", metavar="hwN")
    p.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    p.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="send the jobs to a dask.distributed scheduler "
                   "(tcp://host:8786); GPU-tagged work goes to workers declaring a 'GPU' resource")
    p.add_argument("--force", action="store_true", help="regrade submissions already graded")
    p.add_argument("--wall-seconds", type=float, default=1800, help="wall-clock limit per notebook (default 1800)")
    p.add_argument("--no-sandbox", action="store_true", help="run kernels WITHOUT the sandbox (trusted "
                   "submissions only)")
    p.set_defaults(func=cmd_autograde)

    p = sub.add_parser("feedback", help="per-student HTML feedback without the hidden tests",
                       description="Generate feedback/<student>/hwN/*.html from the autograded notebooks, with "
                       "hidden tests and the grader's guard lines removed.")
    p.add_argument("assignment", metavar="hwN")
    p.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    p.set_defaults(func=cmd_feedback)

    for module in PLUGIN_COMMANDS:
        try:
            register = importlib.import_module(module).register
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise
            continue
        register(sub)

    p = sub.add_parser("demo", help="run the whole pipeline on a synthetic class in a scratch course",
                       description="Copy the course into a scratch folder, make a synthetic class (complete, "
                       "partial, missing and late submissions), release, grade, and print the grade table. "
                       "Needs no token and no network.")
    p.add_argument("--dir", default="demo", help="scratch folder, wiped first (default: ./demo)")
    p.add_argument("--students", type=int, default=4, help="class size (default 4; at least 4)")
    p.add_argument("--assignments", nargs="*", metavar="hwN",
                   help="assignments to grade (default: every one with a source folder)")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # raised inside nbgrader's gradebook, not ours
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except GraderError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted: nothing half-written; run the command again to continue")
        return 130


if __name__ == "__main__":
    sys.exit(main())
