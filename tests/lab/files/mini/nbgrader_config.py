"""Fixture course 'mini' (the mutation check's own test): nbgrader's essentials only; every policy knob keeps its
default (grader/settings.py)."""

import os

c = get_config()  # noqa: F821
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "fixture-mini"
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook", "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "instructor", "*.instructor.*"]

c.Course.assignments = ["mini"]
c.Deadlines.deadlines = {"mini": "2026-09-21 23:59"}
