"""Benchmark ``grader serve``: students submit hw1 at random moments through the bot (local fake Telegram with
Telegram's flood control, local fake GitHub); the pipeline fetches, runs the visible tests and tells each
student. Measures, from ``/submit`` to the visible-result message, p50, p95 and max; the pipeline's grading
throughput against one ``grader autograde`` batch of the same notebooks with the same workers; that nothing is
lost or sent twice; and a lone submission on an idle system against its own grading time.

    .venv/bin/python bench/serve.py [--students 300] [--window 600] [--workers 2] [--no-batch] [--no-write]

A mix of notebooks: correct (the reference), partly wrong (half the tasks left unsolved), broken (a syntax error
in every solution cell). Writes its section of bench/RESULTS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from results import write_section  # noqa: E402

from grader.authoring import build_submission, is_solution_cell  # noqa: E402
from grader.autograde.orchestrate import autograde  # noqa: E402
from grader.bot.service import register  # noqa: E402
from grader.course import CONFIG_NAME, open_course  # noqa: E402
from grader.demo.fake_github import FakeGitHub  # noqa: E402
from grader.demo.fake_telegram import FakeTelegram  # noqa: E402
from grader.demo.serve_stage import Service, fake_settings  # noqa: E402
from grader.github import GitHub, GitHubSettings  # noqa: E402
from grader.release import release_assignment  # noqa: E402
from grader.roster import import_roster, issue_codes  # noqa: E402

ASSIGNMENT = "hw1"
MARK = ("Открытые тесты", "проверка прервалась")
KINDS = ("correct", "partial", "broken")


def notebooks(root: Path) -> dict[str, str]:
    source = nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solutions = [c.metadata.nbgrader.grade_id for c in release.cells if is_solution_cell(c) and c.cell_type == "code"]
    partial = {cid: "raise NotImplementedError()" for cid in solutions[len(solutions) // 2:]}
    broken = {cid: "def oops(:\n    pass" for cid in solutions}
    return {"correct": nbformat.writes(build_submission(source, release)),
            "partial": nbformat.writes(build_submission(source, release, partial)),
            "broken": nbformat.writes(build_submission(source, release, broken))}


def make_course(root: Path, tg: FakeTelegram, gh: FakeGitHub, students: int) -> tuple[object, dict[str, str]]:
    root.mkdir(parents=True)
    deadline = datetime.now(UTC) + timedelta(days=7)
    config = (REPO / CONFIG_NAME).read_text(encoding="utf-8") + f"""
c.Course.assignments = [{ASSIGNMENT!r}]
c.Deadlines.deadlines = {{{ASSIGNMENT!r}: {deadline.isoformat(timespec="seconds")!r}}}
""" + fake_settings(tg, gh, pace=1.0)
    (root / CONFIG_NAME).write_text(config, encoding="utf-8")
    shutil.copytree(REPO / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    course = open_course(root)
    release_assignment(course, ASSIGNMENT)
    ids = [f"s{i:03d}" for i in range(1, students + 1)]
    (root / "roster.csv").write_text("id\n" + "".join(f"{s}\n" for s in ids), encoding="utf-8")
    import_roster(course, root / "roster.csv")
    issue_codes(course, root / "codes.csv")
    with (root / "codes.csv").open(encoding="utf-8-sig") as handle:
        codes = {row["id"]: row["code"] for row in csv.DictReader(handle)}
    return course, codes


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def run(students: int, window: float, workers: int, batch: bool) -> dict[str, object]:
    rng = random.Random(20261208)
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        with FakeTelegram(flood_control=True) as tg, FakeGitHub(tmp / "github") as gh:
            course, codes = make_course(tmp / "course", tg, gh, students + 1)
            texts = notebooks(course.root)  # type: ignore[attr-defined]
            kinds = {f"s{i:03d}": KINDS[i % 3] for i in range(1, students + 2)}
            settings = GitHubSettings(config=course.config)  # type: ignore[attr-defined]
            github = GitHub(settings, token=gh.token, cache_dir=tmp / "cache")
            users = {}
            for index, (student, kind) in enumerate(kinds.items()):
                gh.add_repo(f"{student}-gh/dl", {f"{ASSIGNMENT}.ipynb": texts[kind]})
                register(course, 10_000 + index, codes[student], f"{student}-gh", "ru")  # type: ignore[arg-type]
                users[student] = tg.user(10_000 + index, student, "ru")
            with Service(course, tg.token, github, workers):
                # a lone submission on an idle system
                lone = f"s{students + 1:03d}"
                start = time.monotonic()
                users[lone].send(f"/submit {ASSIGNMENT} https://github.com/{lone}-gh/dl")
                tg.wait_for(lambda: any(any(m in s.text for m in MARK) for s in users[lone].replies()), 600,
                            "the lone result")
                lone_latency = next(s.at for s in users[lone].replies() if any(m in s.text for m in MARK)) - start
                lone_grading = float(_wall(course, lone))
                # the class: each student once, at a random moment within the window
                moments = sorted((rng.uniform(0, window), s) for s in kinds if s != lone)
                sent_at: dict[str, float] = {}
                began = time.monotonic()
                for at, student in moments:
                    delay = began + at - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    sent_at[student] = time.monotonic()
                    users[student].send(f"/submit {ASSIGNMENT} https://github.com/{student}-gh/dl")

                def told() -> bool:
                    return all(any(any(m in s.text for m in MARK) for s in users[x].replies()) for x in sent_at)

                tg.wait_for(told, 6 * 3600, "every student's result")
                ended = time.monotonic()
                time.sleep(3)  # a duplicate would have been sent by now
            latencies, duplicates, lost = [], 0, 0
            for student, at in sent_at.items():
                results = [s for s in users[student].replies() if any(m in s.text for m in MARK)]
                duplicates += max(0, len(results) - 1)
                lost += 0 if results else 1
                if results:
                    latencies.append(results[0].at - at)
            first_sent = min(sent_at.values())
            pipeline_seconds = ended - first_sent
            walls = [float(_wall(course, s)) for s in sent_at]
            out: dict[str, object] = {
                "students": students, "window": window, "workers": workers, "p50": percentile(latencies, 0.5),
                "p95": percentile(latencies, 0.95), "max": max(latencies), "lost": lost, "duplicates": duplicates,
                "flood_refusals": tg.flood_refusals, "pipeline_seconds": pipeline_seconds,
                "lone_latency": lone_latency, "lone_grading": lone_grading, "mean_job": statistics.mean(walls),
                "kinds": {k: sum(1 for s in sent_at if kinds[s] == k) for k in KINDS}}
            if batch:
                out["batch_seconds"] = _batch(course, list(sent_at), workers)
            return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _wall(course, student: str) -> float:  # type: ignore[no-untyped-def]
    """The visible run's own wall time (the stored report)."""
    from sqlalchemy import select

    from grader.autograde.visible import VisibleReport
    from grader.store.db import session_scope
    from grader.store.models import Submission, VisibleCheck

    with session_scope(course.database_url) as session:
        row = session.scalar(select(VisibleCheck).join(Submission, Submission.id == VisibleCheck.submission_id)
                             .where(Submission.student_id == student))
        return VisibleReport.from_json(row.tests).wall_seconds if row is not None else 0.0


def _batch(course, students: list[str], workers: int) -> float:  # type: ignore[no-untyped-def]
    """One ``grader autograde`` batch of the same notebooks (already fetched into submitted/)."""
    start = time.monotonic()
    autograde(course, ASSIGNMENT, students=students, workers=workers, force=True)
    return time.monotonic() - start


def main() -> None:
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # raised inside nbgrader's gradebook, as the CLI does
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--window", type=float, default=600.0, help="seconds over which the class submits")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-batch", action="store_true", help="skip the batch comparison")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    r = run(args.students, args.window, args.workers, not args.no_batch)
    ratio = ""
    if "batch_seconds" in r:
        throughput = r["students"] / r["pipeline_seconds"]  # type: ignore[operator]
        batch = r["students"] / r["batch_seconds"]  # type: ignore[operator]
        ratio = (f"| pipeline throughput / batch throughput (target ≥ 0.9) | **{throughput / batch:.2f}** "
                 f"({throughput * 60:.1f} vs {batch * 60:.1f} notebooks/min; the batch graded in full) |\n")
    text = (f"`.venv/bin/python bench/serve.py --students {args.students} --window {args.window:.0f} --workers "
            f"{args.workers}` on {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{datetime.now(UTC):%Y-%m-%d}. {r['students']} students ({r['kinds']}) each submit hw1 once at a "
            f"random moment within {args.window:.0f} s through the bot (fake Telegram with flood control on, fake "
            f"GitHub); the pipeline fetches each submission, runs the visible tests in the sandbox and tells the "
            f"student.\n\n"
            f"| measure | value |\n|---|---|\n"
            f"| /submit → visible-result message: p50 / p95 / max | {r['p50']:.1f} s / {r['p95']:.1f} s / "
            f"{r['max']:.1f} s |\n"
            f"| mean visible run (sandboxed job) | {r['mean_job']:.1f} s |\n"
            f"| from the first /submit to the last message | {r['pipeline_seconds']:.0f} s |\n"
            + ratio +
            f"| lost / sent twice / refused by flood control | {r['lost']} / {r['duplicates']} / "
            f"{r['flood_refusals']} |\n"
            f"| a lone submission on an idle system: message after / its grading took (target: ≤ +10 s) | "
            f"{r['lone_latency']:.1f} s / {r['lone_grading']:.1f} s |\n")
    print(text)
    if not args.no_write:
        write_section("## grader serve: from /submit to the student's message",
                      "## grader serve: from /submit to the student's message (bench/serve.py)\n\n" + text)


if __name__ == "__main__":
    main()
