"""``grader feedback``: per-student HTML feedback from the autograded notebooks, with nothing secret in it.

nbgrader's GenerateFeedback, with two stages of ours before its HTML header stage:
  HideHiddenTests   a test cell's hidden region is removed from its source, and the outputs of a cell that
                    had hidden tests are reduced to pass/fail (a traceback would quote the hidden line)
  StripGuard        the grader's guard lines and markers are removed
  ResultHeader      the header's score is the student's result (``grader.result``: GPU cells left out, written
                    answers pending), and a first cell says it in the student's language, as the bot does
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor
from traitlets import Unicode

from grader.autograde.nbgrader_api import nbgrader_api
from grader.autograde.preprocessors import is_test_cell
from grader.bot.answers import result_text
from grader.course import CourseFolder, open_course
from grader.errors import GraderError
from grader.release import HIDDEN_REGION
from grader.result import student_results
from grader.store.db import session_scope
from grader.store.models import Registration

# test cells graded before the guard moved to IPython's cell events carry these lines; newer ones carry none
GUARD_LINE = re.compile(r"^__grader_guard__\.(enter|leave)\(.*\)\n?", re.M)
MARKER = re.compile(r"^GRADER-END .*\n?", re.M)


class HideHiddenTests(NbGraderPreprocessor):
    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type != "code" or not HIDDEN_REGION.search(cell.source):
            return cell, resources
        cell.source = HIDDEN_REGION.sub("# (hidden tests)\n", cell.source)
        failed = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        text = (f"Hidden tests: failed ({failed[0].get('ename')})\n" if failed else "Hidden tests: passed\n")
        cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=text)]
        return cell, resources


class StripGuard(NbGraderPreprocessor):
    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and is_test_cell(cell):
            cell.source = GUARD_LINE.sub("", cell.source).rstrip("\n")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    output.text = MARKER.sub("", output.get("text", ""))
                elif output.get("output_type") == "error":
                    output.traceback = ["\n".join(line for line in entry.split("\n") if "__grader_guard__" not in line)
                                        for entry in output.get("traceback", [])]
        return cell, resources


class ResultHeader(NbGraderPreprocessor):
    """The page shows the one result (``grader.result.student_results``), not nbgrader's own sum."""

    course_root = Unicode("", help="The course folder (set by generate_feedback).").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        info = resources.get("nbgrader", {})
        student, assignment = info.get("student"), info.get("assignment")
        if not self.course_root or not student or not assignment:
            return nb, resources
        course = open_course(self.course_root)
        results, _ = student_results(course, student)
        result = results.get(assignment)
        if result is None:
            return nb, resources
        # the page is the graded result itself: it reaches the student when the grades are released
        result = replace(result, released=True)
        info["score"], info["max_score"], info["late_penalty"] = result.points, result.max_points, 0.0
        lang = _language(course, student)
        nb.cells.insert(0, new_markdown_cell(result_text(lang, result)))
        return nb, resources


def _language(course: CourseFolder, student: str) -> str:
    with session_scope(course.database_url) as session:
        row = session.get(Registration, student)
        return row.language if row is not None and row.language == "en" else "ru"


def generate_feedback(course: CourseFolder, assignment: str, students: list[str] | None = None) -> list[str]:
    """Write feedback/<student>/<assignment>/*.html for each autograded student; returns the students."""
    course.check_assignment(assignment)
    graded = sorted(p.parent.name for p in (course.root / "autograded").glob(f"*/{assignment}") if p.is_dir())
    names = [s for s in (students or graded) if s in graded]
    if not names:
        raise GraderError(f"no autograded submission of {assignment}: run 'grader autograde {assignment}' first")
    config = copy.deepcopy(course.config)
    config.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, StripGuard, ResultHeader,
                                             CSSHTMLHeaderPreprocessor]
    config.ResultHeader.course_root = str(course.root)
    api = nbgrader_api(course, config)
    for student in names:
        result = api.generate_feedback(assignment, student, force=True)
        if not result.get("success"):
            raise GraderError(f"feedback for {student}/{assignment} failed:\n{result.get('log', '')[-2000:]}")
    return names
