"""``grader lab mutate hwN``: thin — parse, call ``grader.lab.mutate``, print a summary and the survivors."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from grader.course import open_course
from grader.lab.mutate import MutationReport, Verdict


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def render(report: MutationReport, console: Console, verbose: bool) -> None:
    table = Table(title=f"Mutation check of {report.assignment}: {len(report.results)} of {report.total} mutants "
                  f"(seed {report.seed}), {report.seconds:.0f} s")
    for name in ("killed", "survived", "equivalent", "not testable here", "score"):
        table.add_column(name, justify="right")
    table.add_row(str(report.killed), str(report.survived), str(report.equivalent), str(report.not_testable),
                  _pct(report.score))
    console.print(table)
    for result in report.results:
        if verbose or result.verdict == Verdict.SURVIVED:
            colour = {"killed": "green", "survived": "bold yellow"}.get(result.verdict, "cyan")
            console.print(f"  [{colour}]{result.verdict}[/{colour}] {result.mutant.id}", highlight=False)
            console.print(f"      {result.mutant.description}", markup=False, highlight=False)
            if verbose and result.detail:
                console.print(f"      {result.detail}", markup=False, highlight=False)
    if report.survived:
        console.print(f"each survivor: a hidden test that kills it, or a line in {report.equivalents_file} "
                      "(\"id\" = \"why no test can tell\") under [equivalent]", highlight=False)
    for stale in report.stale:
        console.print(f"[yellow]{report.equivalents_file}: {stale} is listed as equivalent but was killed or is no "
                      "longer a mutant of the reference: remove it[/yellow]", highlight=False)


def cmd_mutate(args: argparse.Namespace) -> int:
    from grader.lab.config import load_mutation_config
    from grader.lab.mutate import find_mutants, mutation_check, sample_mutants
    from grader.progress import progress_bar

    console = Console(highlight=False, soft_wrap=True)
    course = open_course(args.course)
    config = load_mutation_config(course.config)
    if args.list:
        import nbformat

        course.check_assignment(args.assignment)
        notebook = nbformat.read(sorted(course.source(args.assignment).glob("*.ipynb"))[0], as_version=4)
        mutants = find_mutants(notebook, course.settings.gpu_tag)
        seed = config.seed if args.seed is None else args.seed
        shown = mutants if args.all else sample_mutants(mutants, args.sample or config.sample, seed, args.assignment)
        for m in shown:
            console.print(f"{m.id}{'  [GPU only]' if m.gpu_only else ''}\n    {m.description}", markup=False)
        console.print(f"{len(shown)} of {len(mutants)} mutants" + ("" if args.all else f" (seed {seed})"))
        return 0
    console.print(f"grading the reference of {args.assignment} in a scratch course, then its mutants …")
    with progress_bar(console, f"mutants of {args.assignment}") as tick:
        report = mutation_check(course, args.assignment, sample=args.sample, every=args.all, seed=args.seed,
                                workers=args.workers, config=config, progress=tick)
    render(report, console, args.verbose)
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser("lab", help="authoring checks of an assignment's tests (mutation score)",
                       description="Tools for assignment authors; nothing in the course is changed.")
    lsub = p.add_subparsers(dest="lab_command", metavar="ACTION", parser_class=type(p))
    lsub.required = True
    q = lsub.add_parser("mutate", help="grade mutants of the reference solution: how many do the tests catch?",
                        description="Apply systematic mutations to the reference solution cells of source/hwN "
                        "(swapped comparison and arithmetic operators, ±1 on indices, a changed dim, a dropped "
                        ".eval()/.detach()/normalization/scale, swapped arguments, a transposed result, an in-place "
                        "update), grade each through the production path of 'grader autograde' in a scratch "
                        "course, and report killed, survived, equivalent (listed in "
                        "source/hwN/instructor/mutants.toml) and the score killed / (total − equivalent).")
    q.add_argument("assignment", metavar="hwN")
    q.add_argument("--all", action="store_true", help="every mutant, not a sample")
    q.add_argument("--sample", type=_positive, metavar="N", help="mutants in the seeded sample (default: "
                   "MutationCheck.sample, 30)")
    q.add_argument("--seed", type=int, metavar="S", help="seed of the sample (default: MutationCheck.seed, 0)")
    q.add_argument("--workers", type=_positive, metavar="W", help="mutants graded at once (default: "
                   "MutationCheck.workers, 2)")
    q.add_argument("--list", action="store_true", help="list the mutants (the sample, or every one with --all) "
                   "without grading")
    q.add_argument("--verbose", action="store_true", help="every mutant with its verdict and why")
    q.set_defaults(func=cmd_mutate)
