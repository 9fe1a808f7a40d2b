"""The ``grader`` command: parse, call one library function, format the answer."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from grader import __version__
from grader.course import CourseFolder, open_course
from grader.errors import GraderError

# Every verb of ``grader``, in the order ``grader --help`` lists them, and the function that adds its parser
# (``module:function``; it calls ``set_defaults(func=...)``). The core verbs are defined below; the others next
# to the subsystem they drive.
VERBS: tuple[tuple[str, str], ...] = (
    ("release", "grader.cli:register_release"),
    ("roster", "grader.cli:register_roster"),
    ("collect", "grader.collect.cli:register"),
    ("extend", "grader.cli:register_extend"),
    ("release-grades", "grader.cli:register_release_grades"),
    ("autograde", "grader.cli:register_autograde"),
    ("feedback", "grader.cli:register_feedback"),
    ("bot", "grader.bot.cli:register"),
    ("serve", "grader.serve.cli:register"),
    ("appeals", "grader.cli:register_appeals"),
    ("project", "grader.project.cli:register"),
    ("report", "grader.report.cli:register"),
    ("similarity", "grader.similarity.cli:register"),
    ("lab", "grader.lab.cli:register"),
    ("gradesheet", "grader.report.gradesheet:register"),
    ("demo", "grader.cli:register_demo"),
)

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
    count = issue_codes(course, out, students=args.student)
    what = "new codes (the old ones no longer work)" if args.student else "registration codes"
    console.print(f"issued {count} {what} → {out}, merged with the codes already there (mode 600: hand them out "
                  "privately; each works once)")
    return 0


def cmd_roster_list(args: argparse.Namespace) -> int:
    from rich.table import Table

    from grader.enrolment import roster_lines

    course = _course(args)
    lines = roster_lines(course)
    table = Table("id", "name", "code", "Telegram", "GitHub", "last submission", "removed")
    for line in lines:
        last = (f"{line.last_assignment} {line.last_received.astimezone(course.settings.timezone):%Y-%m-%d %H:%M}"
                if line.last_received else "")
        table.add_row(line.student, line.name, line.code, str(line.telegram_id or ""), line.github_login, last,
                      ("yes" + (f": {line.removed_reason}" if line.removed_reason else "")) if line.removed else "")
    console.print(table)
    registered = sum(1 for line in lines if line.telegram_id and not line.removed)
    active = sum(1 for line in lines if not line.removed)
    console.print(f"{active} students in the class ({len(lines) - active} removed), {registered} registered "
                  "with the bot")
    return 0


def cmd_roster_remove(args: argparse.Namespace) -> int:
    from grader.enrolment import remove_student

    changed = remove_student(_course(args), args.student, args.reason or "", undo=args.undo)
    if args.undo:
        console.print(f"{args.student} is back in the class" if changed else f"{args.student} was not removed")
    else:
        console.print(f"{args.student} removed from the class: kept in history, left out of reports (undo: "
                      f"grader roster remove {args.student} --undo)" if changed else
                      f"{args.student} was already removed")
    return 0


def cmd_autograde(args: argparse.Namespace) -> int:
    from grader.autograde.orchestrate import autograde
    from grader.progress import progress_bar

    course = _course(args)
    if args.no_sandbox:
        err.print("[bold red]WARNING: --no-sandbox: student code runs with your user's rights, your files and "
                  "the network. Use it only for trusted submissions.[/bold red]")
    with progress_bar(console, f"autograding {args.assignment}") as tick:
        summary = autograde(course, args.assignment, students=args.student, workers=args.workers,
                            scheduler=args.scheduler, force=args.force, sandbox=not args.no_sandbox,
                            wall_seconds=args.wall_seconds, progress=tick)
    counts = ", ".join(f"{status} {n}" for status, n in sorted(summary.statuses.items())) or "nothing to do"
    console.print(f"{args.assignment}: {summary.planned} graded now ({counts}); "
                  f"{summary.skipped_done} already graded and unchanged (use --force to regrade)")
    for outcome in summary.outcomes:
        if args.verbose or outcome.status != "graded" or outcome.evidence:
            colour = "green" if outcome.status == "graded" and not outcome.evidence else "yellow"
            console.print(f"  [{colour}]{outcome.student}[/{colour}] {outcome.status}"
                          + (f": {outcome.reason}" if outcome.reason else ""), highlight=False)
            for line in outcome.evidence[:None if args.verbose else 5]:
                console.print(f"      evidence: {line}", highlight=False, markup=False)
            if args.verbose:
                for flag in outcome.flags:
                    console.print(f"      flag: {flag}", highlight=False, markup=False)
                if outcome.log_path:
                    console.print(f"      log: {outcome.log_path}", highlight=False, markup=False)
    if summary.outcomes and not args.verbose:
        console.print(f"each job's kernel output and nbgrader's log: gradebook/logs/{args.assignment}/ "
                      "(--verbose lists every submission)", highlight=False)
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from grader.feedback import generate_feedback

    course = _course(args)
    names = generate_feedback(course, args.assignment, args.student)
    console.print(f"feedback for {len(names)} students → {course.root / 'feedback'} (hidden tests removed)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from grader.demo.run import run_demo

    run_demo(source_course=_course(args), workdir=Path(args.dir), students=args.students,
             assignments=args.assignments, console=console)
    return 0


def register_release(sub: Any) -> None:
    p = sub.add_parser("release", help="generate release/hwN from source/hwN with nbgrader and check that no "
                       "solution or hidden test leaked", description="Generate the student version of "
                       "assignments (nbgrader generate_assignment) and verify it: no solution region, no hidden "
                       "test line, no instructor-only file.")
    p.add_argument("assignments", nargs="*", metavar="hwN", help="assignments to release")
    p.add_argument("--all", action="store_true", help="release every assignment that has a source folder")
    p.set_defaults(func=cmd_release)


def register_roster(sub: Any) -> None:
    p = sub.add_parser("roster", help="the class list: import, registration codes, list, remove",
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
                        "hashed) and merge id, names, email, code into a CSV for mailing (mode 600; rows already "
                        "there are kept). --student ID reissues one student's code.")
    q.add_argument("--out", metavar="FILE.csv", help="where to write the codes "
                   "(default: gradebook/registration_codes.csv)")
    q.add_argument("--student", action="append", metavar="ID", help="give this student a new code (repeatable): "
                   "the old one stops working; a linked Telegram account stays linked until the new code is used")
    q.set_defaults(func=cmd_roster_codes)
    q = rsub.add_parser("list", help="who is in the class: code, Telegram account, GitHub login, last submission",
                        description="Every student of the roster: name, registration code (none/issued/used), "
                        "the linked Telegram account and GitHub login, the newest submission, and whether the "
                        "student was removed.")
    q.set_defaults(func=cmd_roster_list)
    q = rsub.add_parser("remove", help="remove a student from the class (kept in history, left out of reports)",
                        description="Mark a student as removed: submissions, results and registration stay as "
                        "history; reports and new codes leave them out. --undo brings them back.")
    q.add_argument("student", metavar="ID")
    q.add_argument("--reason", help="why (shown by 'grader roster list')")
    q.add_argument("--undo", action="store_true", help="bring a removed student back into the class")
    q.set_defaults(func=cmd_roster_remove)


def cmd_extend(args: argparse.Namespace) -> int:
    from grader.extensions import extensions, grant, revoke

    course = _course(args)
    tz = course.settings.timezone
    if args.list:
        if args.assignment or args.student or args.until or args.revoke:
            raise GraderError("--list takes no other argument: grader extend --list")
        rows = extensions(course)
        for e in rows:
            base = f"{e.course_deadline.astimezone(tz):%Y-%m-%d %H:%M}" if e.course_deadline else "none"
            console.print(f"{e.assignment} {e.student}: until {e.until.astimezone(tz):%Y-%m-%d %H:%M %Z} (course "
                          f"deadline {base}) — {e.reason}")
        console.print(f"{len(rows)} extension(s)")
        return 0
    if not (args.assignment and args.student):
        raise GraderError("name the assignment and the student: grader extend hw2 ivanov --until '2026-10-12 "
                          "23:59' --reason '…' (or --revoke, or --list)")
    if args.revoke:
        if args.until:
            raise GraderError("--revoke and --until do not go together")
        done = revoke(course, args.assignment, args.student)
        console.print(f"{args.assignment} {args.student}: back to the course deadline" if done else
                      f"{args.assignment} {args.student}: had no extension")
        return 0
    if not args.until:
        raise GraderError("--until is needed: the student's own deadline, e.g. --until '2026-10-12 23:59'")
    done = grant(course, args.assignment, args.student, args.until, args.reason or "")
    console.print(f"{done.assignment} {done.student}: deadline {done.until.astimezone(tz):%Y-%m-%d %H:%M %Z} "
                  f"({done.reason}); the bot, collect, marks and the report use it")
    return 0


def register_extend(sub: Any) -> None:
    p = sub.add_parser("extend", help="give one student their own deadline for an assignment",
                       description="A per-student deadline: lateness everywhere (the bot's /submit, /status and "
                       "/deadlines, marks, the report) is measured against it instead of Deadlines.deadlines. "
                       "The report lists every extension with its reason.")
    p.add_argument("assignment", metavar="hwN", nargs="?")
    p.add_argument("student", metavar="STUDENT", nargs="?")
    p.add_argument("--until", metavar="TIME", help="the new deadline: '2026-10-12 23:59' in Course.timezone, or "
                   "with an offset ('2026-10-12T23:59+03:00')")
    p.add_argument("--reason", help="why (required with --until; shown in the report)")
    p.add_argument("--revoke", action="store_true", help="remove the extension: the course deadline applies again")
    p.add_argument("--list", action="store_true", help="list every extension")
    p.set_defaults(func=cmd_extend)


def cmd_release_grades(args: argparse.Namespace) -> int:
    from grader.grade_release import policy_of, release_by_hand, withhold

    course = _course(args)
    tz = course.settings.timezone
    if args.undo:
        withhold(course, args.assignment)
        console.print(f"{args.assignment}: grades withheld; students see only the visible tests until 'grader "
                      f"release-grades {args.assignment}'", highlight=False, soft_wrap=True)
        return 0
    done, now = release_by_hand(course, args.assignment)
    if now:
        console.print(f"{args.assignment}: grades released; the hidden tests' results and the marks reach every "
                      "student (grader serve tells them)", highlight=False, soft_wrap=True)
    else:
        console.print(f"{args.assignment}: grades already released on {done.at.astimezone(tz):%Y-%m-%d %H:%M %Z} "
                      f"({done.how}; c.GradeRelease.policy = {policy_of(course)!r})", highlight=False, soft_wrap=True)
    return 0


def register_release_grades(sub: Any) -> None:
    p = sub.add_parser("release-grades", help="show an assignment's hidden-test results and marks to the students",
                       description="Before its grades are released a student sees only which visible tests passed. "
                       "c.GradeRelease.policy in nbgrader_config.py releases them at the deadline ('deadline'), "
                       "once manual grading is done ('manual_done'), or only by this command ('by_hand'). Never "
                       "before the deadline, nor before a student's extended deadline.")
    p.add_argument("assignment", metavar="hwN")
    p.add_argument("--undo", action="store_true", help="withhold them again (no policy releases them until this "
                   "command is run without --undo)")
    p.set_defaults(func=cmd_release_grades)


def cmd_appeals_list(args: argparse.Namespace) -> int:
    from grader.appeals import list_appeals

    course = _course(args)
    tz = course.settings.timezone
    rows = list_appeals(course, everything=args.all)
    for a in rows:
        console.print(f"#{a.id} {a.student} {a.assignment} {a.created_at.astimezone(tz):%Y-%m-%d %H:%M}: {a.text}",
                      markup=False, soft_wrap=True)
        if a.answer is not None:
            sent = "sent" if a.notified_at else "not sent yet"
            console.print(f"    answer ({sent}): {a.answer}", markup=False, soft_wrap=True)
    console.print(f"{len(rows)} {'appeals' if args.all else 'open appeals'}")
    return 0


def cmd_appeals_answer(args: argparse.Namespace) -> int:
    from grader.appeals import answer_appeal
    from grader.bot.appeal_notify import send_answers

    course = _course(args)
    record = answer_appeal(course, args.id, args.text)
    console.print(f"appeal #{record.id} ({record.student}, {record.assignment}) answered")
    try:
        summary = send_answers(course)
    except GraderError as exc:  # no token, Telegram down: the answer is stored and goes out with the next answer
        err.print(f"[yellow]not sent through the bot:[/yellow] {exc}; it goes out with the next "
                  "'grader appeals answer' (or 'grader appeals send')", highlight=False, soft_wrap=True)
        return 0
    _print_sent(summary)
    return 0


def cmd_appeals_send(args: argparse.Namespace) -> int:
    from grader.bot.appeal_notify import send_answers

    _print_sent(send_answers(_course(args)))
    return 0


def _print_sent(summary: Any) -> None:
    console.print(f"answers sent through the bot: {len(summary.sent)}"
                  + (f"; students not registered with the bot (appeals {', '.join(map(str, summary.not_registered))})"
                     if summary.not_registered else "")
                  + (f"; not delivered: {', '.join(f'#{i}: {why}' for i, why in summary.failed.items())}"
                     if summary.failed else ""))


def register_appeals(sub: Any) -> None:
    p = sub.add_parser("appeals", help="students' regrade requests (/appeal): list and answer them",
                       description="Regrade requests students sent with /appeal hwN TEXT. Open ones are also in the "
                       "report's 'needs attention'. An answer goes to the student through the bot "
                       "(TELEGRAM_BOT_TOKEN).")
    asub = p.add_subparsers(dest="appeals_command", metavar="ACTION", parser_class=Parser)
    asub.required = True
    q = asub.add_parser("list", help="open appeals (--all: answered ones too)",
                        description="List the appeals, oldest first: open ones, or every one with --all.")
    q.add_argument("--all", action="store_true", help="answered appeals too, with their answers")
    q.set_defaults(func=cmd_appeals_list)
    q = asub.add_parser("answer", help="answer an appeal; the bot tells the student",
                        description="Store the answer to appeal ID and send it to the student through the bot. "
                        "Without TELEGRAM_BOT_TOKEN the answer is stored and sent later (grader appeals send).")
    q.add_argument("id", type=int, metavar="ID")
    q.add_argument("text", metavar="TEXT", help="the answer, as the student will read it")
    q.set_defaults(func=cmd_appeals_answer)
    q = asub.add_parser("send", help="send answers not yet delivered",
                        description="Send every stored answer that has not reached its student yet.")
    q.set_defaults(func=cmd_appeals_send)


def register_autograde(sub: Any) -> None:
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
    p.add_argument("--verbose", action="store_true", help="every submission with its status, flags, evidence "
                   "and log file (the kernel's own output, nbgrader's log)")
    p.set_defaults(func=cmd_autograde)


def register_feedback(sub: Any) -> None:
    p = sub.add_parser("feedback", help="per-student HTML feedback without the hidden tests",
                       description="Generate feedback/<student>/hwN/*.html from the autograded notebooks, with "
                       "hidden tests and the grader's guard lines removed.")
    p.add_argument("assignment", metavar="hwN")
    p.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    p.set_defaults(func=cmd_feedback)


def register_demo(sub: Any) -> None:
    p = sub.add_parser("demo", help="run the whole pipeline on a synthetic class in a scratch course",
                       description="Copy the course into a scratch folder, make a synthetic class (complete, "
                       "partial, missing and late submissions), release, grade, and print the grade table. "
                       "Needs no token and no network.")
    p.add_argument("--dir", default="demo", help="scratch folder, wiped first (default: ./demo)")
    p.add_argument("--students", type=int, default=4, help="class size (default 4; at least 4)")
    p.add_argument("--assignments", nargs="*", metavar="hwN",
                   help="assignments to grade (default: every one with a source folder)")
    p.set_defaults(func=cmd_demo)


def build_parser() -> Parser:
    parser = Parser(prog="grader", description="Autograding and grading for 'Fundamentals of Deep Learning': "
                    "release homeworks, import the roster, grade, and report final grades "
                    "(0.5·HW + 0.5·project + bonuses).")
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    parser.add_argument("--course", metavar="DIR", help="the course folder (holding nbgrader_config.py); "
                        "default: the current folder or its nearest parent that has one")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for verb, where in VERBS:
        module, function = where.split(":")
        getattr(importlib.import_module(module), function)(sub)
        if verb not in sub.choices:
            raise RuntimeError(f"{where} did not add the verb {verb!r}")
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
