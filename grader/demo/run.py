"""``grader demo``: the whole term on a synthetic class, in a scratch copy of the course.

Stages, in order: course → roster → release → the term through ``grader serve`` (the bot and the pipeline
against a local fake Telegram and GitHub: links handed in, fetched, checked or graded in the sandbox, students
told; ``serve_stage.py``) → manual grades → similarity → report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from rich.console import Console

from grader.authoring import build_submission, is_solution_cell
from grader.autograde.record import results
from grader.course import CONFIG_NAME, CourseFolder, open_course
from grader.errors import GraderError
from grader.policy.grade import ProjectMarks, project_marks_by_student
from grader.release import release_assignment
from grader.report.build import build_report
from grader.report.files import write_all
from grader.report.table import write_csv
from grader.report.terminal import render_table
from grader.roster import import_roster, issue_codes

MARKER = ".grader-demo"
NAMES = [("Анна", "Иванова"), ("Борис", "Петров"), ("Вера", "Смирнова"), ("Глеб", "Кузнецов"),
         ("Дарья", "Соколова"), ("Егор", "Попов"), ("Жанна", "Лебедева"), ("Захар", "Козлов")]
PROFILES = ("complete", "partial", "late", "missing")
DEMO_POLICY = """

# --- demo class (written by 'grader demo') ---
c.LatePolicy.kind = "per_day"
c.LatePolicy.penalty_per_day = 0.1
"""


def _prepare(source_course: CourseFolder, workdir: Path, assignments: list[str]) -> CourseFolder:
    if workdir.exists():
        if not (workdir / MARKER).exists():
            raise GraderError(f"{workdir} exists and is not a demo folder: choose another --dir")
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / MARKER).write_text("scratch course made by 'grader demo'; safe to delete\n")
    config = (source_course.root / CONFIG_NAME).read_text(encoding="utf-8")
    (workdir / CONFIG_NAME).write_text(config + DEMO_POLICY, encoding="utf-8")
    for name in assignments:
        shutil.copytree(source_course.source(name), workdir / "source" / name)
    return open_course(workdir)


def _roster(course: CourseFolder, count: int) -> list[str]:
    lines = ["id,first_name,last_name,email"]
    ids = []
    for index in range(count):
        first, last = NAMES[index % len(NAMES)]
        sid = f"s{index + 1:02d}"
        ids.append(sid)
        lines.append(f"{sid},{first},{last},{sid}@edu.example")
    path = course.root / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_roster(course, path)
    issue_codes(course, course.gradebook_dir / "registration_codes.csv")
    return ids


def _notebooks(course: CourseFolder, student: str, assignment: str, profile: str) -> dict[str, bytes] | None:
    """A synthetic student's notebooks of one assignment; None when this profile skips the assignment."""
    order = course.settings.assignments.index(assignment)
    if profile == "missing" and order % 2 == 1:
        return None
    out = {}
    for path in sorted(course.release(assignment).glob("*.ipynb")):
        source_nb = nbformat.read(course.source(assignment) / path.name, as_version=4)
        release_nb = nbformat.read(path, as_version=4)
        edits = {}
        if profile == "partial":  # the student answered only the first half of the tasks
            solutions = [c for c in release_nb.cells if is_solution_cell(c) and c.cell_type == "code"]
            edits = {c.metadata.nbgrader.grade_id: c.source for c in solutions[len(solutions) // 2:]}
        out[path.name] = nbformat.writes(build_submission(source_nb, release_nb, edits)).encode()
    return out


def _broken(course: CourseFolder, assignment: str) -> dict[str, bytes]:
    """A notebook whose first solution cell kills the kernel (what a stray ``os._exit`` does)."""
    out = {}
    for path in sorted(course.release(assignment).glob("*.ipynb")):
        source_nb = nbformat.read(course.source(assignment) / path.name, as_version=4)
        release_nb = nbformat.read(path, as_version=4)
        first = next(c for c in release_nb.cells if is_solution_cell(c) and c.cell_type == "code")
        edits = {first.metadata.nbgrader.grade_id: "import os\nos._exit(1)"}
        out[path.name] = nbformat.writes(build_submission(source_nb, release_nb, edits)).encode()
    return out


def _manual_grades(course: CourseFolder, profiles: dict[str, str]) -> None:
    """What the instructor does in formgrader: grade the written 'conclusions' answers."""
    with Gradebook(course.gradebook_url) as gb:
        for assignment in course.settings.assignments:
            for student, profile in profiles.items():
                try:
                    sub = gb.find_submission(assignment, student)
                except MissingEntry:
                    continue
                for notebook in sub.notebooks:
                    for grade in notebook.grades:
                        if grade.auto_score is None and grade.manual_score is None:
                            grade.manual_score = grade.max_score * (0.5 if profile == "partial" else 1.0)
        gb.db.commit()


def run_demo(source_course: CourseFolder, workdir: Path, students: int, assignments: list[str] | None,
             console: Console) -> Path:
    if students < len(PROFILES):
        raise GraderError(f"--students must be at least {len(PROFILES)} (one per profile: {', '.join(PROFILES)})")
    names = assignments or [a for a in source_course.settings.assignments if source_course.source(a).is_dir()]
    for name in names:
        source_course.check_assignment(name)
        if not source_course.source(name).is_dir():
            raise GraderError(f"{source_course.source(name)} does not exist")
    if not names:
        raise GraderError("the course has no assignment in source/ yet: nothing to demonstrate")
    workdir = workdir.resolve()
    console.rule("[bold]1. course[/bold]")
    course = _prepare(source_course, workdir, names)
    console.print(f"scratch course: {workdir} (assignments: {', '.join(names)})")
    console.rule("[bold]2. roster[/bold]")
    ids = _roster(course, students)
    profiles = {sid: PROFILES[i % len(PROFILES)] for i, sid in enumerate(ids)}
    console.print(f"{len(ids)} students imported; registration codes → gradebook/registration_codes.csv")
    console.print(", ".join(f"{sid}: {p}" for sid, p in profiles.items()))
    console.rule("[bold]3. release[/bold]")
    for name in names:
        report = release_assignment(course, name)
        console.print(f"released {name}: {len(report.files)} files, leak check passed")
    console.rule("[bold]4. the term through grader serve: bot → GitHub → sandbox → the student told[/bold]")
    from grader.demo.serve_stage import received_moment, serve_stage  # loads the local fakes only here

    submissions = {(sid, hw): received_moment(course.settings.deadlines.get(hw), profiles[sid])
                   for hw in names for sid in ids if _notebooks(course, sid, hw, profiles[sid]) is not None}
    console.print(f"{len(submissions)} submissions to hand in ({len(names) * len(ids) - len(submissions)} "
                  "missing on purpose)")
    course = serve_stage(course, ids, submissions, lambda sid, hw: _notebooks(course, sid, hw, profiles[sid]),
                         lambda hw: _broken(course, hw), console)
    graded = results(course)
    failed = [r for r in graded.values() if r.status != "graded"]
    console.print(f"graded {len(graded) - len(failed)}, failed {len(failed)} (grader serve, 2 workers)")
    for row in failed:
        console.print(f"  [red]{row.student}/{row.assignment}[/red] {row.status}: {row.reason[:300]}")
    console.rule("[bold]5. manual grades[/bold]")
    _manual_grades(course, profiles)
    console.print("written 'conclusions' answers graded (as the instructor would in formgrader)")
    console.rule("[bold]6. similarity: who wrote the same code (one planted copy)[/bold]")
    from grader.demo.similarity_stage import similarity_stage

    similarity_stage(course, names, console)
    console.rule("[bold]7. report[/bold]")
    defence = {"complete": 8.0, "partial": 6.0, "late": 7.0, "missing": 5.0}
    projects = [ProjectMarks(members=(sid,), defence=defence[p],
                             bonuses=frozenset({"open_datasets"}) if p == "complete" else frozenset())
                for sid, p in profiles.items()]
    report = build_report(course, project_marks_by_student(projects))
    render_table(report, console)
    paths = write_all(report, course)  # GradeReport.formats: CSV, XLSX and HTML by default
    for fmt, written in paths.items():
        console.print(f"{fmt.upper()}: {written}")
    return paths.get("csv") or write_csv(report, course.gradebook_dir / "grades.csv")
