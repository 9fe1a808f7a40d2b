"""Which assignments are released, and the nbgrader cell ids (``grade_id``) of each release.

An assignment is released when ``grader release hwN`` ran: ``release/hwN`` holds its notebook and nbgrader's
gradebook knows it (``in_gradebook``; the release folder alone may be committed ahead of time). The cell ids
identify a student's notebook by its content: the collector and the bot's intake check take a notebook as
hwN's only when it carries hwN's own ids (``grader.collect.finder.owner``).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from grader.collect.finder import grade_ids
from grader.course import CourseFolder


def release_notebooks(course: CourseFolder, assignment: str) -> list[Path]:
    """The released notebooks of ``assignment`` (top level of ``release/hwN``); empty when not released."""
    folder = course.release(assignment)
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file()) if folder.is_dir() else []


def is_released(course: CourseFolder, assignment: str) -> bool:
    """Released to students: ``grader release`` ran in this course (its notebook in ``release/hwN`` and the
    assignment in the gradebook; ``release/`` alone may be committed ahead of time). A course with no gradebook
    yet has only its release folders to go by."""
    if assignment not in course.settings.assignments or not release_notebooks(course, assignment):
        return False
    return in_gradebook(course, assignment) is not False


def assignment_ids(course: CourseFolder, assignment: str) -> frozenset[str]:
    """The cell ids of every released notebook of ``assignment`` together."""
    return frozenset().union(*(grade_ids(p) for p in release_notebooks(course, assignment)))


def other_ids(course: CourseFolder, assignment: str) -> dict[str, frozenset[str]]:
    """Every other released assignment's cell ids, by name (what a notebook of ``assignment`` must not be)."""
    return {name: ids for name in course.settings.assignments if name != assignment
            for ids in [assignment_ids(course, name)] if ids}


def in_gradebook(course: CourseFolder, assignment: str) -> bool | None:
    """Whether nbgrader's gradebook has the assignment (``grader release`` puts it there); None when there is no
    gradebook to ask. Read-only, no migration."""
    url = course.gradebook_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT 1 FROM assignment WHERE name = :name"), {"name": assignment})
            return row.first() is not None
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()
