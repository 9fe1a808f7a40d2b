"""``grader lab mutate hwN``: how many plausible mistakes in the reference solution do the assignment's tests catch?

Stages, in order:
  1. find     every mutant of the reference: one site of one operator (``operators.py``) changed in the solution
              region of one solution cell; mutants that do not compile or repeat another's code are left out
  2. sample   a seeded sample (``MutationCheck.sample``), spread over the operators; ``--all``: every mutant
  3. grade    the reference, then each mutant, in a scratch course (``course.py``), through the production path
              of ``grader autograde`` (sandbox, guard, nbgrader's autograde), ``workers`` at a time
  4. judge    killed: an autograded cell scores less than the reference's, or the notebook failed (error,
              timeout, died); survived: full marks; equivalent: survived and listed, with its reason, in the
              assignment's equivalents file (``source/hwN/instructor/mutants.toml``); not testable here: the
              changed line is reached only by GPU-tagged test cells (``reach.py``) and this machine has no GPU,
              so the mutant is not graded
  5. score    killed / (graded − equivalent): "not testable here" is left out of the score as well
"""

from __future__ import annotations

import fnmatch
import random
import tempfile
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import nbformat

from grader.authoring import MARKER_LINE, grade_id, is_solution_cell
from grader.autograde.records import JobOutcome
from grader.course import CourseFolder
from grader.errors import GraderError
from grader.lab.config import MutationCheck, load_mutation_config
from grader.lab.course import AssignmentLab
from grader.lab.operators import OPERATORS, compiles, sites
from grader.lab.reach import Cell, ReachMap

BEGIN = "BEGIN SOLUTION"
END = "END SOLUTION"


class Verdict(StrEnum):
    KILLED = "killed"
    SURVIVED = "survived"
    EQUIVALENT = "equivalent"
    NOT_TESTABLE = "not testable here"


@dataclass(frozen=True)
class Mutant:
    """The reference with one change. ``id`` is ``cell:operator:line:column`` (plus ``+1``/``-1`` for an index,
    ``@k`` for the k-th operator of a chained comparison): lines and columns of the source notebook's cell."""

    id: str
    cell: str
    operator: str
    line: int
    description: str
    code: str  # the cell's code as the mutant student hands it in (solution markers removed)
    gpu_only: bool = False


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    verdict: Verdict
    detail: str = ""

    @property
    def student(self) -> str:  # what the progress bar shows
        return self.mutant.id

    @property
    def status(self) -> str:
        return str(self.verdict)


@dataclass
class MutationReport:
    assignment: str
    seed: int
    total: int  # mutants found
    results: list[MutantResult] = field(default_factory=list)
    seconds: float = 0.0
    reference_seconds: float = 0.0
    equivalents_file: str = ""
    stale: list[str] = field(default_factory=list)  # listed as equivalent, but no such mutant or killed

    def count(self, verdict: Verdict) -> int:
        return sum(1 for r in self.results if r.verdict == verdict)

    @property
    def killed(self) -> int:
        return self.count(Verdict.KILLED)

    @property
    def survived(self) -> int:
        return self.count(Verdict.SURVIVED)

    @property
    def equivalent(self) -> int:
        return self.count(Verdict.EQUIVALENT)

    @property
    def not_testable(self) -> int:
        return self.count(Verdict.NOT_TESTABLE)

    @property
    def score(self) -> float | None:
        """killed / (sampled − equivalent − not testable here); None when nothing counts."""
        counted = len(self.results) - self.equivalent - self.not_testable
        return self.killed / counted if counted else None

    @property
    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if r.verdict == Verdict.SURVIVED]


def solution_lines(source: str) -> set[int] | None:
    """Lines strictly inside the ``BEGIN SOLUTION``/``END SOLUTION`` regions (1-based); None without markers (the
    whole cell is the student's)."""
    lines, inside, found = set(), False, False
    for number, line in enumerate(source.split("\n"), start=1):
        if MARKER_LINE.match(line + "\n"):
            found = True
            inside = BEGIN in line
            continue
        if inside:
            lines.add(number)
    return lines if found else None


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def _reach(notebook: nbformat.NotebookNode, gpu_tag: str) -> ReachMap:
    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {})
        test = ""
        if meta.get("nbgrader", {}).get("grade") and not is_solution_cell(cell):
            test = "gpu" if gpu_tag in meta.get("tags", []) else "cpu"
        cells.append(Cell(grade_id(cell) or f"#{index}", cell.source, test))
    return ReachMap(cells)


def find_mutants(notebook: nbformat.NotebookNode, gpu_tag: str, operators: tuple[str, ...] = OPERATORS
                 ) -> list[Mutant]:
    """Every mutant of the notebook's solution code cells, in notebook and source order."""
    reach = _reach(notebook, gpu_tag)
    found: list[Mutant] = []
    for cell in notebook.cells:
        name = grade_id(cell)
        if cell.cell_type != "code" or not is_solution_cell(cell) or name is None:
            continue
        source = cell.source
        try:
            cell_sites = sites(source, solution_lines(source), operators)
        except SyntaxError as exc:
            raise GraderError(f"solution cell {name!r} is not valid Python ({exc.msg}, line {exc.lineno}): the "
                              "mutation check reads it with ast") from exc
        lines = source.split("\n")
        seen = {MARKER_LINE.sub("", source)}
        ids: dict[str, int] = {}
        for site in cell_sites:
            mutated = site.apply(source)
            code = MARKER_LINE.sub("", mutated)
            if code in seen or not compiles(mutated):
                continue
            seen.add(code)
            key = f"{name}:{site.key}"
            ids[key] = ids.get(key, 0) + 1
            if ids[key] > 1:  # nested sites that start at one column (`a - b + c`): the k-th gets `#k`
                key += f"#{ids[key]}"
            found.append(Mutant(
                id=key, cell=name, operator=site.operator, line=site.line,
                description=f"{name} line {site.line}: {site.what} in `{_short(lines[site.line - 1])}`",
                code=code, gpu_only=reach.gpu_only(name, site.line)))
    return found


def sample_mutants(mutants: list[Mutant], size: int, seed: int, assignment: str) -> list[Mutant]:
    """``size`` mutants, the same for the same seed, assignment and reference: each operator's mutants shuffled
    with the seed, then taken in turns (every operator present is represented), in notebook order."""
    if size >= len(mutants):
        return list(mutants)
    rng = random.Random(f"{assignment}:{seed}")
    groups = [[m for m in mutants if m.operator == op] for op in OPERATORS]
    for group in groups:
        rng.shuffle(group)
    chosen: list[Mutant] = []
    while len(chosen) < size:
        for group in groups:
            if group and len(chosen) < size:
                chosen.append(group.pop())
    order = {m.id: i for i, m in enumerate(mutants)}
    return sorted(chosen, key=lambda m: order[m.id])


def equivalents_path(course: CourseFolder, assignment: str, config: MutationCheck) -> Path:
    """The assignment's equivalents file; refused when ``CourseDirectory.ignore`` would not keep it out of
    release/ (it describes the hidden tests' blind spots)."""
    path = course.source(assignment) / config.equivalents
    ignore = list(course.config.get("CourseDirectory", {}).get("ignore", []))
    parts = Path(config.equivalents).parts
    if not any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in ignore):
        raise GraderError(f"MutationCheck.equivalents = {config.equivalents!r} would be released to students: put "
                          "it in a folder CourseDirectory.ignore lists (e.g. instructor/mutants.toml)")
    return path


def load_equivalents(path: Path) -> dict[str, str]:
    """``[equivalent]`` of the TOML file: mutant id → one-line reason (no file: none)."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise GraderError(f"{path}: not valid TOML ({exc})") from exc
    table = data.get("equivalent", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) and v.strip() for v in table.values()):
        raise GraderError(f"{path}: expected an [equivalent] table of \"mutant id\" = \"one-line reason\"")
    return {str(k): v.strip() for k, v in table.items()}


def judge(mutant: Mutant, outcome: JobOutcome, reference: Mapping[str, Mapping[str, object]],
          equivalents: Mapping[str, str]) -> MutantResult:
    """Killed when the notebook failed or any autograded cell that ran scores below the reference."""
    if outcome.status != "graded":
        return MutantResult(mutant, Verdict.KILLED, f"{outcome.status}: {outcome.reason}".rstrip(": "))
    lost = []
    for name, ref in reference.items():
        if not ref.get("auto") or ref.get("gpu_skipped"):
            continue
        score = outcome.cells.get(name, {}).get("score")
        if float(score or 0.0) < float(ref.get("score") or 0.0) - 1e-9:  # type: ignore[arg-type]
            lost.append(name)
    if lost:
        return MutantResult(mutant, Verdict.KILLED, "lost points in " + ", ".join(lost))
    if mutant.id in equivalents:
        return MutantResult(mutant, Verdict.EQUIVALENT, equivalents[mutant.id])
    return MutantResult(mutant, Verdict.SURVIVED, "full marks on every test cell that ran")


def _check_reference(lab: AssignmentLab) -> tuple[dict[str, dict[str, object]], float]:
    graded = lab.reference()
    outcome = graded.outcome
    below = [name for name, cell in outcome.cells.items()
             if cell.get("auto") and not cell.get("gpu_skipped")
             and float(cell.get("score") or 0.0) < float(cell.get("max_score") or 0.0) - 1e-9]  # type: ignore[arg-type]
    if outcome.status != "graded" or below:
        raise GraderError(f"the reference solution of {lab.assignment} does not get full marks here "
                          f"({outcome.status}{': ' + ', '.join(below) if below else ''}): mutants are measured "
                          "against it, so fix the reference or its tests first")
    return dict(outcome.cells), graded.seconds


def mutation_check(course: CourseFolder, assignment: str, *, sample: int | None = None, every: bool = False,
                   seed: int | None = None, workers: int | None = None, config: MutationCheck | None = None,
                   progress: Callable[[MutantResult, int, int], None] | None = None,
                   scratch: Path | None = None) -> MutationReport:
    """Grade a seeded sample of the reference's mutants (``every``: all of them) in a scratch course."""
    config = config or load_mutation_config(course.config)
    seed = config.seed if seed is None else seed
    course.check_assignment(assignment)
    source = course.source(assignment)
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise GraderError(f"{source} has no notebook: nothing to mutate")
    eq_path = equivalents_path(course, assignment, config)
    equivalents = load_equivalents(eq_path)
    mutants = find_mutants(nbformat.read(notebooks[0], as_version=4), course.settings.gpu_tag)
    chosen = mutants if every else sample_mutants(mutants, sample or config.sample, seed, assignment)
    report = MutationReport(assignment, seed, len(mutants), equivalents_file=str(eq_path.relative_to(course.root)))
    known = {m.id for m in mutants}
    report.stale = sorted(i for i in equivalents if i not in known)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"mutate-{assignment}-", dir=scratch) as tmp:
        lab = AssignmentLab(assignment, Path(tmp), source_root=course.root)
        reference, report.reference_seconds = _check_reference(lab)
        untestable = [m for m in chosen if m.gpu_only and not lab.gpu]
        graded = [m for m in chosen if m not in untestable]
        results = {m.id: MutantResult(m, Verdict.NOT_TESTABLE, "only GPU-tagged test cells reach this line, and "
                                      "this machine has no GPU") for m in untestable}
        students = {f"mutant{index:04d}": m for index, m in enumerate(graded)}
        done: list[MutantResult] = []

        def on_outcome(outcome: JobOutcome, _done: int, total: int) -> None:
            result = judge(students[outcome.student], outcome, reference, equivalents)
            results[result.mutant.id] = result
            done.append(result)
            if progress is not None:
                progress(result, len(done), total)

        lab.grade_batch({student: lab.variant({m.cell: m.code}) for student, m in students.items()},
                        workers=workers or config.workers,
                        wall_seconds=max(config.min_wall_seconds, config.wall_factor * report.reference_seconds),
                        progress=on_outcome)
    report.results = [results[m.id] for m in chosen]
    report.stale += sorted(r.mutant.id for r in report.results
                           if r.verdict == Verdict.KILLED and r.mutant.id in equivalents)
    report.seconds = time.perf_counter() - start
    return report
