"""``grader similarity hwN``: thin — parse, call ``grader.similarity.run``, print a ranked table and the files."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from grader.course import open_course
from grader.similarity.run import Outcome, compare_assignment, flagged, write_results


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def render(outcome: Outcome, console: Console, show: int) -> None:
    students = sum(1 for d in outcome.documents if d.kind == "student")
    table = Table(title=f"Similarity in {outcome.assignment}: {students} submissions, "
                  f"{len(outcome.documents) - students} other documents, {outcome.seconds:.1f} s")
    for name, justify in (("#", "right"), ("student", "left"), ("with", "left"), ("similarity", "right"),
                          ("share of student", "right"), ("share of other", "right"), ("longest span", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    longest = {(m.score.a, m.score.b): m.longest for m in outcome.matches}
    for rank, score in enumerate(outcome.scores[:show], start=1):
        span = longest.get((score.a, score.b))
        style = "bold yellow" if flagged(score, outcome.params) else None
        table.add_row(str(rank), score.a, score.b, _pct(score.similarity), _pct(score.share_a),
                      _pct(score.share_b), f"{span.tokens} tokens" if span else "", style=style)
    if outcome.scores:
        console.print(table)
    console.print(f"{len(outcome.matches)} pairs flagged at similarity ≥ {_pct(outcome.params.threshold)} "
                  "(Similarity.threshold in nbgrader_config.py); nothing is penalised: look and decide")
    empty = [d.id for d in outcome.documents if d.kind == "student" and not d.tokens]
    if empty:
        console.print(f"{len(empty)} submissions have no code of their own to compare (only the template, or a "
                      f"notebook that cannot be read): {', '.join(empty[:20])}{' …' if len(empty) > 20 else ''}")


def cmd_similarity(args: argparse.Namespace) -> int:
    from grader.similarity.config import load_similarity_config

    console = Console(highlight=False, soft_wrap=True)
    course = open_course(args.course)
    config = load_similarity_config(course.config)
    if args.threshold is not None:
        config.threshold = args.threshold
    outcome = compare_assignment(course, args.assignment, config)
    data, page = write_results(course, outcome, config.page_pairs)
    render(outcome, console, args.show or config.show)
    console.print(f"side by side: {page}\nfor the report: {data}")
    return 0


def _share(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser("similarity", help="who wrote the same code: pairs of submissions ranked by similarity, "
                       "side by side", description="Compare the code each student wrote in the solution cells of "
                       "submitted/*/hwN (the release's template subtracted) with every other submission, the "
                       "archive of earlier terms (Similarity.archive_dir) and the reference solution. Robust to "
                       "renaming, reordering, reformatting, comments and dead code. Writes "
                       "gradebook/similarity/hwN.html (flagged pairs side by side) and hwN.json (read by "
                       "'grader report'). Nothing is penalised: the instructor looks and decides.")
    p.add_argument("assignment", metavar="hwN")
    p.add_argument("--threshold", type=_share, metavar="T", help="flag pairs at or above this similarity, 0-1 "
                   "(default: Similarity.threshold in nbgrader_config.py)")
    p.add_argument("--show", type=int, metavar="N", help="pairs listed here (default: Similarity.show)")
    p.set_defaults(func=cmd_similarity)
