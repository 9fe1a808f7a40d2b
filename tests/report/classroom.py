"""A fixed class, written straight into nbgrader's gradebook with its API (no notebook is executed), plus the
grader's own rows (autograde outcomes, bot submissions, projects). The golden files are made from it.

Eight homeworks, one notebook each: 'tests' (code, 99 points) + 'conclusions' (markdown, 1 point, graded by hand);
hw7 also has a GPU-only 'gpu' cell (10 points) that CPU workers skip (left out of the maximum).

    s01 Анна Иванова     every homework p = 1, defence 8, both bonuses           → 4 + 4 + 2 = 10
    s02 Борис Петров     seven at p = 1, hw8 missing, defence 8 (pair with s03)  → 3.5 + 4 = 7.5 → 8
    s03 Вера Смирнова    every homework p = 0.8 → marks 6, defence 8 (pair)     → 3 + 4 = 7
    s04 Глеб Кузнецов    every homework p = 0.81 → marks 7, no project           → 3.5 → 4
    s05 Дарья Соколова   0.4 → 3, 0.1 → 1, 0 → 0, timeout, pending manual grade, 1.5 days late (×0.8),
                         waiting for a GPU worker, a score above its maximum; project with problems, defence 5
    s06 Егор Попов       on the roster, nothing else
    x99 (not on the roster) has an autograde result and a bot submission
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nbgrader.api import Gradebook

from grader.course import CourseFolder, open_course
from grader.project.checks import Invitation, ProjectCheck
from grader.project.datasets import DatasetRef
from grader.project.readme import ReadmeCheck
from grader.project.space import SpaceCheck
from grader.project.store import add_project, save_check, set_marks
from grader.store.db import session_scope
from grader.store.models import GradingResult, Submission

HOMEWORKS = [f"hw{i}" for i in range(1, 9)]
NAMES = {"s01": ("Анна", "Иванова"), "s02": ("Борис", "Петров"), "s03": ("Вера", "Смирнова"),
         "s04": ("Глеб", "Кузнецов"), "s05": ("Дарья", "Соколова"), "s06": ("Егор", "Попов")}
CONFIG = """
# --- fixed report class: eight homeworks, 10 % off per started day late ---
c.Course.assignments = [f"hw{i}" for i in range(1, 9)]
c.Deadlines.deadlines = {
    "hw1": "2026-09-21 23:59", "hw2": "2026-10-05 23:59", "hw3": "2026-10-19 23:59", "hw4": "2026-11-02 23:59",
    "hw5": "2026-11-16 23:59", "hw6": "2026-11-30 23:59", "hw7": "2026-12-14 23:59", "hw8": "2026-12-28 23:59",
}
c.LatePolicy.kind = "per_day"
c.LatePolicy.penalty_per_day = 0.1
c.ProjectChecks.instructor_login = "DmitryRyumin"
"""
FULL = {"tests": 99.0, "conclusions": 1.0}


@dataclass(frozen=True)
class Work:
    """One submission: cell scores (None = manual grade pending), days relative to the deadline."""

    scores: dict[str, float | None]
    days: float = -1.0


def _p(p: float) -> Work:
    """Scores giving completion p of 100 points (the conclusions point is earned whenever p > 0)."""
    if p == 0:
        return Work({"tests": 0.0, "conclusions": 0.0})
    return Work({"tests": round(100 * p) - 1.0, "conclusions": 1.0})


WORK: dict[str, dict[str, Work]] = {
    "s01": {hw: _p(1.0) for hw in HOMEWORKS},
    "s02": {hw: _p(1.0) for hw in HOMEWORKS[:7]},
    "s03": {hw: _p(0.8) for hw in HOMEWORKS},
    "s04": {hw: _p(0.81) for hw in HOMEWORKS},
    "s05": {"hw1": _p(0.4), "hw2": _p(0.1), "hw3": _p(0.0), "hw4": Work({"tests": 0.0, "conclusions": 1.0}),
            "hw5": Work({"tests": 99.0, "conclusions": None}), "hw6": Work(dict(FULL), days=1.5),
            "hw8": Work({"tests": 120.0, "conclusions": 1.0})},
}
# (student, assignment) -> autograde outcome other than a plain CPU 'graded'
RESULTS = {
    ("s05", "hw4"): ("timeout", "cell time limit hit in cell(s) tests"),
    ("s05", "hw7"): ("waiting_gpu", "GPU cells required; waiting for a GPU worker"),
    ("x99", "hw1"): ("graded", ""),
}


def deadline(course: CourseFolder, hw: str) -> datetime:
    return course.settings.deadlines[hw]


def _gradebook(course: CourseFolder) -> None:
    with Gradebook(course.gradebook_url) as gb:
        for hw in HOMEWORKS:
            gb.update_or_create_assignment(hw)
            gb.update_or_create_notebook(hw, hw)
            gb.update_or_create_grade_cell("tests", hw, hw, max_score=99, cell_type="code")
            if hw == "hw7":
                gb.update_or_create_grade_cell("gpu", hw, hw, max_score=10, cell_type="code")
            gb.update_or_create_grade_cell("conclusions", hw, hw, max_score=1, cell_type="markdown")
            gb.update_or_create_solution_cell("conclusions", hw, hw)
        for sid, (first, last) in NAMES.items():
            gb.update_or_create_student(sid, first_name=first, last_name=last, email=f"{sid}@edu.example")
        for sid, works in WORK.items():
            for hw, work in works.items():
                gb.add_submission(hw, sid, timestamp=deadline(course, hw) + timedelta(days=work.days))
                for cell, score in work.scores.items():
                    grade = gb.find_grade(cell, hw, hw, sid)
                    if cell == "conclusions":
                        grade.manual_score = score
                    else:
                        grade.auto_score = score
                if hw == "hw7":
                    gb.find_grade("gpu", hw, hw, sid).auto_score = 10.0 if sid == "s01" else 0.0
        gb.db.commit()


def _database(course: CourseFolder) -> None:
    graded_at = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
    with session_scope(course.database_url) as session:
        for sid, works in WORK.items():
            for hw in works:
                status, reason = RESULTS.get((sid, hw), ("graded", ""))
                on_gpu = sid == "s01"
                cells = {"gpu": {"score": 10.0 if on_gpu else None, "max_score": 10.0, "auto": True,
                                 "gpu_skipped": not on_gpu}} if hw == "hw7" else {}
                flags = [] if on_gpu or hw != "hw7" else ["gpu_skipped: 1 GPU cell(s) not run, excluded from max_score"]
                session.add(GradingResult(assignment=hw, student=sid, status=status, reason=reason,
                                          flags=json.dumps(flags), cells=json.dumps(cells),
                                          device="cuda" if on_gpu and hw == "hw7" else "cpu", graded_at=graded_at))
        for (sid, hw), (status, reason) in RESULTS.items():
            if hw not in WORK.get(sid, {}):
                session.add(GradingResult(assignment=hw, student=sid, status=status, reason=reason,
                                          graded_at=graded_at))
        session.add(Submission(student_id="x99", assignment="hw1", repo_url="https://github.com/x99/hw",
                               repo_full_name="x99/hw", commit_sha="a" * 40, received_at=graded_at))
        session.add(Submission(student_id="s05", assignment="hw7", repo_url="https://github.com/dasha/hw7",
                               repo_full_name="dasha/hw7", commit_sha="b" * 40,
                               received_at=deadline(course, "hw7") - timedelta(days=2), status="collected"))


def _check(repo: str, readme: ReadmeCheck, datasets: tuple[DatasetRef, ...], space: SpaceCheck, invited: bool,
           suggested: dict[str, str]) -> ProjectCheck:
    return ProjectCheck(repo, "c" * 40, "2027-01-15T10:00:00+00:00", readme, datasets, space,
                        Invitation("DmitryRyumin", invited), suggested)


def _projects(course: CourseFolder) -> None:
    parts = {p: h for p, h in (("quality", "Метрики"), ("results", "Результаты"), ("data", "Данные"),
                               ("algorithms", "Модели"), ("goal", "Цель работы"))}
    hf = (DatasetRef("huggingface", "stanfordnlp/imdb", ("train.py:3",)),
          DatasetRef("huggingface", "dair-ai/emotion", ("README.md:12",)))
    one = add_project(course, "https://github.com/anna/sentiment", "anna/sentiment", ("s01",), "c" * 40)
    save_check(course, one.id, _check("anna/sentiment", ReadmeCheck("README.md", dict(parts)), hf,
                                      SpaceCheck(("https://huggingface.co/spaces/anna/sentiment",),
                                                 ("app.py imports gradio",)), True,
                                      {"open_datasets": "2 open datasets", "gradio_space": "Space with app.py"}))
    set_marks(course, one.id, defence=8.0, bonuses=("gradio_space", "open_datasets"))
    pair = add_project(course, "https://github.com/boris/speech", "boris/speech", ("s02", "s03"), "c" * 40)
    save_check(course, pair.id, _check("boris/speech", ReadmeCheck("README.md", dict(parts)), hf[:1], SpaceCheck(),
                                       True, {}))
    set_marks(course, pair.id, defence=8.0)
    thin = dict(parts, quality="", results="")
    solo = add_project(course, "https://github.com/dasha/cv", "dasha/cv", ("s05",), "c" * 40)
    save_check(course, solo.id, _check("dasha/cv", ReadmeCheck("README.md", thin), hf[1:], SpaceCheck(), False, {}))
    set_marks(course, solo.id, defence=5.0)


def build_class(root: Path, template: Path) -> CourseFolder:
    """The fixed class in a fresh course folder ``root``, copied from ``template`` (the tiny course)."""
    shutil.copytree(template, root)
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(CONFIG)
    course = open_course(root)
    _gradebook(course)
    _database(course)
    _projects(course)
    return course
