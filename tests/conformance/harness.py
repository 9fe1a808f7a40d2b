"""One scratch course graded twice: by plain ``nbgrader autograde`` (unsandboxed, nbgrader's own stages, in this
process) and by ``grader autograde`` (the production path: sandbox, guard, this course's stages), so that the
per-cell scores of the two can be compared cell by cell.

    case = Case("unchanged", "ps1", {"p1.ipynb": FILES / "submitted-unchanged.ipynb"})
    plain, ours = grade_both(tmp_path, sources={"ps1": {"p1.ipynb": ...}}, cases=[case, ...])
    plain["unchanged"] == ours["unchanged"]          # {cell name: score}
"""

from __future__ import annotations

import copy
import shutil
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbgrader
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from grader.autograde.orchestrate import autograde
from grader.course import open_course
from grader.gradebook import read_submission
from grader.release import release_assignment

FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"
CONFIG = '''import os
c = get_config()  # noqa: F821
here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "conformance"
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook", "gradebook.db")
c.Course.assignments = {assignments!r}
c.OverwriteCells.add_missing_cells = True
{extra}
'''
Scores = dict[str, float | None]
# what grade_both returns: plain nbgrader's scores, the grader's scores, the grader's outcome per student
Graded = tuple[dict[str, Scores | None], dict[str, Scores | None], dict[str, object]]
# a file's content: a path to copy, bytes or text, or a function of the course folder (after release) giving it
Content = Path | bytes | str | Callable[[Path], bytes | str]


@dataclass(frozen=True)
class Case:
    """One submission: ``files`` maps a file name in submitted/<student>/<assignment>/ to a path or bytes."""

    student: str
    assignment: str
    files: Mapping[str, Content] = field(default_factory=dict)


def _write(target: Path, content: Content, root: Path | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if callable(content) and not isinstance(content, Path):
        assert root is not None
        content = content(root)
    if isinstance(content, Path):
        shutil.copyfile(content, target)
    elif isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")


def make_course(root: Path, sources: Mapping[str, Mapping[str, Path | bytes | str]], cases: list[Case],
                extra_config: str = "", course_files: Mapping[str, Path | bytes | str] | None = None) -> Path:
    """A course with each assignment released the grader's way and every case's files laid out."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(CONFIG.format(assignments=sorted(sources), extra=extra_config),
                                             encoding="utf-8")
    for name, content in (course_files or {}).items():
        _write(root / name, content)
    for assignment, files in sources.items():
        for name, content in files.items():
            _write(root / "source" / assignment / name, content)
    course = open_course(root)
    for assignment in sources:
        release_assignment(course, assignment)
    with Gradebook(course.gradebook_url) as gb:
        for case in cases:
            try:
                gb.find_student(case.student)
            except MissingEntry:
                gb.add_student(case.student)
    for case in cases:
        for name, content in case.files.items():
            _write(root / "submitted" / case.student / case.assignment / name, content, root)
    return root


def _scores(db_url: str, assignment: str, student: str) -> Scores | None:
    result = read_submission(db_url, assignment, student)
    return None if result is None else {name: cell.score for name, cell in result.cells.items()}


def grade_plain(root: Path, cases: list[Case]) -> dict[str, Scores | None]:
    """Plain nbgrader: its own autograde stages, kernels unsandboxed, nothing of this project's in the run."""
    course = open_course(root)
    config = copy.deepcopy(course.config)
    config.Exchange.root = str(root / "exchange")
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(root)
    api = NbGraderAPI(coursedir=coursedir, config=Config(config))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in cases:
            api.autograde(case.assignment, case.student, force=True, create=True)
    return {case.student: _scores(course.gradebook_url, case.assignment, case.student) for case in cases}


def grade_ours(root: Path, cases: list[Case]) -> tuple[dict[str, Scores | None], dict[str, object]]:
    """``grader autograde`` for every assignment of the cases: scores, and each student's outcome."""
    course = open_course(root)
    outcomes: dict[str, object] = {}
    for assignment in sorted({c.assignment for c in cases}):
        students = [c.student for c in cases if c.assignment == assignment]
        summary = autograde(course, assignment, students=students, workers=2, force=True)
        outcomes.update({o.student: o for o in summary.outcomes})
    return {case.student: _scores(course.gradebook_url, case.assignment, case.student) for case in cases}, outcomes


def grade_both(tmp_path: Path, sources: Mapping[str, Mapping[str, Path | bytes | str]], cases: list[Case],
               extra_config: str = "", course_files: Mapping[str, Path | bytes | str] | None = None
               ) -> Graded:
    """The same course graded both ways (two copies made before any grading)."""
    ours_root = make_course(tmp_path / "ours", sources, cases, extra_config, course_files)
    plain_root = tmp_path / "plain"
    shutil.copytree(ours_root, plain_root)
    plain = grade_plain(plain_root, cases)
    ours, outcomes = grade_ours(ours_root, cases)
    return plain, ours, outcomes
