"""The in-kernel guard in a real IPython shell (a fresh interpreter, no sandbox needed): it leaves a test cell's
value alone, ends each test cell with the HMAC marker, and reports tampering instead of the marker."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.autograde.preprocessors import source_digest
from grader.sandbox.kernel import GUARD_FILE

pytestmark = pytest.mark.slow  # each test starts an interpreter that imports numpy and torch, as a kernel does
KEY = bytes(range(32))
TEST = "checks = [x == 3, x > 0]\nsum(checks)"
SCRIPT = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
sys.path.insert(0, sys.argv[1])
import guard
guard.install()
values = []
for source in json.loads(sys.argv[2]):
    result = shell.run_cell(source, store_history=True)
    values.append(repr(result.result))
print("VALUES " + json.dumps(values))
"""


def run(tmp_path: Path, cells: list[str]) -> tuple[list[str], list[str]]:
    (tmp_path / "key").write_bytes(KEY)
    (tmp_path / "cells.json").write_text(json.dumps({source_digest(TEST): ["t1"]}))
    env = {"GRADER_GUARD_KEY_FILE": str(tmp_path / "key"), "GRADER_GUARD_CELLS_FILE": str(tmp_path / "cells.json"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(GUARD_FILE.parent), json.dumps(cells)],
                          capture_output=True, text=True, timeout=120, env=env, check=True)
    lines = done.stdout.splitlines()
    values = json.loads(next(line for line in lines if line.startswith("VALUES "))[7:])
    assert not (tmp_path / "key").exists() and not (tmp_path / "cells.json").exists()  # read, then deleted
    return [line for line in lines if line.startswith("GRADER-")], values


def test_a_test_cell_keeps_its_value_and_ends_with_the_marker(tmp_path: Path) -> None:
    printed, values = run(tmp_path, ["x = 20", TEST, "y = 1"])
    mac = hmac.new(KEY, b"t1", hashlib.sha256).hexdigest()[:32]
    assert printed == [f"GRADER-END t1 {mac}"]
    assert values == ["None", "1", "None"]  # the partial credit nbgrader reads: the cell's own value


def test_a_transformer_added_before_the_test_is_reported_instead_of_the_marker(tmp_path: Path) -> None:
    printed, _ = run(tmp_path, ["x = 3\nget_ipython().ast_transformers.append(__import__('ast').NodeTransformer())",
                                TEST])
    assert len(printed) == 1 and printed[0].startswith("GRADER-TAMPERING: ")
    assert "ast_transformers" in printed[0]


def test_a_printer_that_changes_the_shown_score_is_reported(tmp_path: Path) -> None:
    printed, values = run(tmp_path, ["x = 20\nget_ipython().display_formatter.formatters['text/plain'].for_type("
                                     "int, lambda v, p, cycle: p.text('3'))", TEST])
    assert values[1] == "1" and printed[0].startswith("GRADER-TAMPERING: ")
    assert "display printer registered for int" in printed[0]


def test_silencing_tracebacks_is_reported(tmp_path: Path) -> None:
    printed, _ = run(tmp_path, ["x = 3\nimport IPython.core.interactiveshell as s\n"
                                "s.InteractiveShell.showtraceback = lambda *a, **k: None", TEST])
    assert printed[0].startswith("GRADER-TAMPERING: ") and "showtraceback" in printed[0]
