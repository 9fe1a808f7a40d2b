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

# When the hidden tests' results and the marks reach the students (grader/grade_release.py); before that, only
# which visible tests passed. "deadline", "manual_done" (after the deadline, once formgrader grading is done) or
# "by_hand" ('grader release-grades hwN'); never before the deadline.
# c.GradeRelease.policy = "deadline"

# --- final project checks (grader/project/config.py) and the report files (grader/report_config.py) ---------
c.ProjectChecks.instructor_login = "DmitryRyumin"  # must be invited to every project repository
c.ProjectChecks.min_section_words = 5  # a README part needs this many words under its heading
c.GradeReport.formats = ["csv", "xlsx", "html"]  # written to gradebook/ by 'grader report'
c.GradeReport.csv_delimiter = ","  # ";" for Excel in a Russian locale
c.GradeSheet.columns = ["student_id", "last_name", "first_name", "grade", "grade_word"]  # grader gradesheet

# --- similarity between submissions (grader/similarity/config.py): 'grader similarity hwN' -------------------------
c.Similarity.threshold = 0.4  # flag a pair when this share of one side's code is in the other (bench/RESULTS.md)
c.Similarity.archive_dir = ""  # earlier terms' submissions, e.g. "archive" holding archive/2025/s17/hw1/*.ipynb
c.Similarity.reference = True  # also compare with the reference solution in source/ (a leaked solution)

# --- GitHub (grader/github/settings.py); the token comes only from the GITHUB_TOKEN environment variable -------
c.GitHubSettings.api_url = "https://api.github.com"  # GitHub Enterprise: "https://HOST/api/v3"
c.GitHubSettings.clone_url = "https://github.com/{full_name}.git"
c.GitHubSettings.instructor_login = ""  # the token's account; students add it as collaborator on private repos
c.GitHubSettings.workers = 8  # repositories fetched at once by 'grader collect'
c.GitHubSettings.max_repo_mb = 200  # larger repositories are refused (status 'failed')
c.GitHubSettings.max_wait = 120  # seconds to wait for a rate-limit reset; longer: the batch stops, rerun later

# --- Telegram bot (grader/bot/config.py); the token comes only from the TELEGRAM_BOT_TOKEN environment variable --
c.BotSettings.instructor_ids = []  # Telegram user ids allowed /stats and /broadcast (the bot shows yours in /start)
c.BotSettings.webhook_url = ""  # empty: long polling (no public address needed); else the public HTTPS URL
c.BotSettings.rate_limit_messages = 8  # a student's burst before "please slow down"
c.BotSettings.rate_limit_per_minute = 20  # sustained messages per minute per student
c.BotSettings.github_max_wait = 10  # seconds a command waits for GitHub's rate limit before "try again later"
c.Reminders.hours_before = 24  # the bot reminds students who have not submitted, once, this long before a deadline
