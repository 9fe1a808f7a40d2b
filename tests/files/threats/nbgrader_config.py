"""nbgrader's settings and the course policy, in one file.

Every policy knob below is a traitlets setting declared in ``grader/settings.py``; its ``help`` text is its
documentation (``grader config --help-all`` is not needed: read the class).  Values are validated when the
course is opened: a wrong one stops every command with the key's name.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when the file is loaded)
here = os.path.dirname(os.path.abspath(__file__))

# --- nbgrader -----------------------------------------------------------------------------------------------
c.CourseDirectory.course_id = "hse-fundamentals-of-dl"
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook", "gradebook.db")
# Instructor-only material that may sit in source/hwN/ but never reaches release/.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "instructor", "*.instructor.*",
]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "ВАШ ОТВЕТ ЗДЕСЬ / YOUR ANSWER HERE"
c.Execute.timeout = 120  # seconds per cell

# --- course policy (grader/settings.py) ---------------------------------------------------------------------
c.Course.name = "Основы глубокого обучения / Fundamentals of Deep Learning (HSE)"
c.Course.assignments = [f"hw{i}" for i in range(1, 9)]
c.Course.timezone = "Europe/Moscow"

c.GradeFormula.homework_weight = 0.5
c.GradeFormula.project_weight = 0.5
c.GradeFormula.rounding = "half_up"  # or "ceil", "none"

c.CompletionBands.bands = [
    {"name": "Excellent", "min": 1.0, "low": 8, "high": 8},
    {"name": "Good", "min": 0.8, "low": 6, "high": 7},
    {"name": "Satisfactory", "min": 0.5, "low": 4, "high": 5},
    {"name": "Unsatisfactory", "min": 0.0, "low": 0, "high": 3},
]

c.Bonuses.criteria = {"open_datasets": 1.0, "gradio_space": 1.0}
c.Bonuses.min_open_datasets = 2

c.Deadlines.deadlines = {
    "hw1": "2026-09-21 23:59", "hw2": "2026-10-05 23:59", "hw3": "2026-10-19 23:59", "hw4": "2026-11-02 23:59",
    "hw5": "2026-11-16 23:59", "hw6": "2026-11-30 23:59", "hw7": "2026-12-14 23:59", "hw8": "2026-12-28 23:59",
}
c.LatePolicy.kind = "none"  # or "per_day" (c.LatePolicy.penalty_per_day), "cutoff", "module:function"

c.GpuPolicy.mode = "skip"  # or "require"
c.GpuPolicy.tag = "requires-gpu"

# --- fixture course: the threat-model submissions ---
c.Course.assignments = ["threats"]
c.Deadlines.deadlines = {"threats": "2026-09-21 23:59"}
