"""One submission per threat-model case, graded for real in the sandbox: each gains nothing, gets the right
status or flag, and leaves every other student's gradebook rows as they were."""

from __future__ import annotations

import http.server
import json
import os
import threading
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader.autograde.orchestrate import BatchSummary, autograde
from grader.autograde.record import results
from grader.course import CourseFolder
from grader.gradebook import read_submission

from .conftest import ASSIGNMENT, CORRECT, WRONG, requires_sandbox, submit

pytestmark = [pytest.mark.slow, requires_sandbox]
SECRET_ENV = "ghp_FAKE_SECRET_FOR_TESTS_12345"
LIMITS = {"memory_bytes": 3 * 1024**3, "max_processes": 64, "max_file_bytes": 32 * 1024**2}


class Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        Counter.hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"answers")

    def log_message(self, *args: object) -> None:
        pass


def attacks(root: Path, port: int) -> dict[str, dict]:
    """student id -> how the submission is made (add-cell code, an edit of the notebook, or raw bytes)."""
    def delete_test(nb: nbformat.NotebookNode) -> None:
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_add"]

    def edit_test(nb: nbformat.NotebookNode) -> None:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_add":
                cell.source = "pass"

    return {
        "read_source": {"add_code": WRONG + f"""
for p in [{str(root / 'source' / ASSIGNMENT / 'threats.ipynb')!r}, {str(root / 'gradebook' / 'gradebook.db')!r},
          {str(root / 'submitted' / 'honest' / ASSIGNMENT / 'threats.ipynb')!r}, '/root/.bashrc']:
    try:
        print(open(p, errors='replace').read()[:5000])
    except Exception as e:
        print('blocked', type(e).__name__)
"""},
        "write_gradebook": {"add_code": WRONG + f"""
import sqlite3
try:
    db = sqlite3.connect({str(root / 'gradebook' / 'gradebook.db')!r})
    db.execute("UPDATE grade SET auto_score = 100, manual_score = 100")
    db.commit()
except Exception as e:
    print('blocked', type(e).__name__)
"""},
        "input_transformer": {"add_code": WRONG + "get_ipython().input_transformers_post.append("
                              "lambda lines: ['pass\\n'])\n"},
        "ast_transformer": {"add_code": WRONG + """
import ast
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(NoAsserts())
"""},
        "monkeypatch": {"add_code": WRONG + "math.isclose = lambda *a, **k: True\n"},
        "score_printer": {"add_code": WRONG + "get_ipython().display_formatter.formatters['text/plain']"
                          ".for_type(int, lambda value, p, cycle: p.text('3'))\n"},
        "always_equal": {"add_code": """
class Anything:
    def __eq__(self, other):
        return True
def add(a, b):
    return Anything()
"""},
        "os_exit": {"add_code": WRONG + "import os\nos._exit(0)\n"},
        "infinite_loop": {"add_code": WRONG + "while True:\n    pass\n"},
        "memory_bomb": {"add_code": WRONG + "blob = bytearray(16 * 1024**3)\n"},
        "fork_bomb": {"add_code": WRONG + """
import os, time
for _ in range(10000):
    if os.fork() == 0:
        time.sleep(30)
        os._exit(0)
"""},
        "huge_output": {"add_code": WRONG + "for i in range(300000):\n    print('x' * 100)\n"},
        "huge_file": {"add_code": WRONG + "with open('big.bin', 'wb') as f:\n"
                      "    for _ in range(100):\n        f.write(b'0' * 1024 * 1024)\n"},
        "env_secrets": {"add_code": WRONG + "import os\nprint(dict(os.environ))\n"},
        "network": {"add_code": WRONG + f"""
import urllib.request
try:
    print(urllib.request.urlopen('http://127.0.0.1:{port}/answers', timeout=5).read())
except Exception as e:
    print('blocked', type(e).__name__, e)
"""},
        "invalid_json": {"raw": "{ this is not a notebook"},
        "deleted_test_cell": {"add_code": WRONG, "edit": delete_test},
        "edited_test_cell": {"add_code": WRONG, "edit": edit_test},
    }


def gradebook_rows(course: CourseFolder, student: str) -> dict:
    scores = read_submission(course.gradebook_url, ASSIGNMENT, student)
    assert scores is not None
    return {name: (c.score, c.max_score) for name, c in scores.cells.items()}


def notebook_text(course: CourseFolder, student: str) -> str:
    path = course.autograded(student, ASSIGNMENT) / "threats.ipynb"
    return path.read_text() if path.exists() else ""


def cell_output(course: CourseFolder, student: str, grade_id: str = "add") -> str:
    nb = nbformat.read(course.autograded(student, ASSIGNMENT) / "threats.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "".join(str(o.get("text", "")) + str(o.get("evalue", "")) for o in cell.outputs)


@pytest.fixture(scope="module")
def graded(module_course: CourseFolder) -> tuple[CourseFolder, BatchSummary, dict, dict]:
    course = module_course
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    submit(course, "honest", CORRECT + "import torch, warnings\n"
           "torch.nn.functional.softmax(torch.ones(2, 3))  # implicit-dim warning on stderr\n"
           "warnings.warn('careful: this warns on stderr')\n")
    first = autograde(course, ASSIGNMENT, workers=2, cell_timeout=10, wall_seconds=120, limits=LIMITS)
    assert first.statuses == {"graded": 1}
    honest_before = gradebook_rows(course, "honest")
    for student, how in attacks(course.root, server.server_address[1]).items():
        submit(course, student, **how)
    os.environ["GITHUB_TOKEN"] = SECRET_ENV
    try:
        summary = autograde(course, ASSIGNMENT, workers=2, cell_timeout=10, wall_seconds=120, limits=LIMITS)
    finally:
        os.environ.pop("GITHUB_TOKEN", None)
        server.shutdown()
    return course, summary, honest_before, results(course, ASSIGNMENT)


def status(graded: tuple, student: str) -> str:
    return graded[3][(ASSIGNMENT, student)].status


def auto_points(course: CourseFolder, student: str) -> float:
    return sum(score or 0 for name, (score, _) in gradebook_rows(course, student).items() if name != "conclusions")


def test_honest_submission_with_torch_warnings_gets_full_marks(graded: tuple) -> None:
    course, *_ = graded
    rows = gradebook_rows(course, "honest")
    assert rows["test_add"] == (2.0, 2.0) and rows["test_close"] == (1.0, 1.0) and rows["test_type"] == (1.0, 1.0)
    assert rows["test_partial"] == (3.0, 3.0)  # partial credit: the cell's value, every check holding
    record = graded[3][(ASSIGNMENT, "honest")]
    assert record.status == "graded" and json.loads(record.evidence) == []
    assert "gpu_skipped" in record.flags


def test_every_attack_is_recorded_and_no_other_row_changed(graded: tuple) -> None:
    course, summary, honest_before, records = graded
    assert gradebook_rows(course, "honest") == honest_before
    expected = set(attacks(Path("/x"), 1)) | {"honest"}
    assert {student for (_, student) in records} == expected


@pytest.mark.parametrize("student", ["read_source", "write_gradebook", "input_transformer", "ast_transformer",
                                     "monkeypatch", "score_printer", "always_equal", "os_exit", "infinite_loop",
                                     "memory_bomb",
                                     "fork_bomb", "huge_output", "huge_file", "env_secrets", "network",
                                     "deleted_test_cell", "edited_test_cell"])
def test_attack_gains_no_points(graded: tuple, student: str) -> None:
    assert auto_points(graded[0], student) == 0


@pytest.mark.parametrize("student", ["read_source", "write_gradebook", "input_transformer", "ast_transformer",
                                     "monkeypatch", "score_printer", "always_equal", "os_exit", "infinite_loop",
                                     "memory_bomb",
                                     "fork_bomb", "huge_output", "huge_file", "env_secrets", "network",
                                     "deleted_test_cell", "edited_test_cell"])
def test_no_attack_gets_partial_credit(graded: tuple, student: str) -> None:
    """The partial-credit cell is worth what its checks give an implementation returning None: 0. An attack that
    blanks the cell, forges its value or makes every comparison true gets no more (nbgrader would give full
    points to a cell with no value and no error)."""
    score, maximum = gradebook_rows(graded[0], student)["test_partial"]
    assert (score, maximum) == (0.0, 3.0)


def test_reading_source_gradebook_and_other_students_is_blocked(graded: tuple) -> None:
    output = cell_output(graded[0], "read_source")
    assert output.count("blocked") == 4, output
    assert "SECRET-HIDDEN-CHECK" not in output
    assert status(graded, "read_source") == "tampering"  # the scan names the gradebook/source probing


def test_writing_the_gradebook_is_blocked(graded: tuple) -> None:
    assert "blocked OperationalError" in cell_output(graded[0], "write_gradebook")
    with Gradebook(graded[0].gradebook_url) as gb:
        assert all(g.auto_score != 100 for s in gb.find_assignment(ASSIGNMENT).submissions for n in s.notebooks
                   for g in n.grades)


@pytest.mark.parametrize(("student", "evidence"), [
    ("input_transformer", "input_transformers_post"),
    ("ast_transformer", "ast_transformers"),
    ("monkeypatch", "math.isclose"),
    ("score_printer", "display printer registered for int"),
    ("always_equal", "Anything"),
])
def test_in_kernel_tampering_is_flagged_with_evidence(graded: tuple, student: str, evidence: str) -> None:
    record = graded[3][(ASSIGNMENT, student)]
    assert record.status == "tampering"
    assert evidence in record.evidence


@pytest.mark.parametrize(("student", "expected"), [
    ("os_exit", "kernel_died"), ("infinite_loop", "timeout"), ("memory_bomb", "memory_limit"),
    ("invalid_json", "invalid_notebook"),
])
def test_failure_gets_its_status_and_a_reason(graded: tuple, student: str, expected: str) -> None:
    record = graded[3][(ASSIGNMENT, student)]
    assert record.status == expected
    assert record.reason


def test_kernel_death_keeps_the_submission_in_the_gradebook(graded: tuple) -> None:
    rows = gradebook_rows(graded[0], "os_exit")
    assert rows["test_add"] == (0.0, 2.0)


@pytest.mark.parametrize(("student", "flag"), [
    ("fork_bomb", "process_limit"), ("huge_file", "file_size_limit"),
    ("deleted_test_cell", "deleted_cell_restored"), ("edited_test_cell", "edited_cell_restored"),
])
def test_contained_attack_is_flagged(graded: tuple, student: str, flag: str) -> None:
    assert flag in graded[3][(ASSIGNMENT, student)].flags


def test_huge_output_is_capped(graded: tuple) -> None:
    text = notebook_text(graded[0], "huge_output")
    assert "output over" in text and len(text) < 3_000_000


def test_environment_holds_no_secret(graded: tuple) -> None:
    output = cell_output(graded[0], "env_secrets")
    assert "HOME" in output and SECRET_ENV not in output and "GITHUB_TOKEN" not in output


def test_network_cannot_reach_a_loopback_server(graded: tuple) -> None:
    assert "blocked" in cell_output(graded[0], "network")
    assert Counter.hits == 0
