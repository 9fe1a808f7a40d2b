"""Fixture course 'visible': one assignment (hw1) whose tests are visible, hidden, and both (the visible-only run, the
release of grades); every policy knob keeps its default (grader/settings.py)."""

import os

c = get_config()  # noqa: F821
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "fixture-visible"
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook", "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "instructor", "*.instructor.*"]

c.Course.assignments = ["hw1"]
c.Deadlines.deadlines = {"hw1": "2026-09-21 23:59"}
