"""``grader similarity``: help, the ranked table and files, and one-line errors with the CLI's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli import build_parser, main
from grader.demo import plant
from similarity.classroom import INDEPENDENT, REFERENCE, TEMPLATE, indent, make_course, method_body, notebook, submit


def copy_of(bodies: dict[str, str]) -> dict[str, str]:
    """Bodies disguised by everything copiers do (renamed, reordered, reformatted, comments, dead code)."""
    out = {}
    for cid, body in bodies.items():
        code = method_body(body) if cid == "vocab" else body
        wrapped = f"def _wrap(self):\n{indent(code, '    ')}\n"
        disguised = plant.apply("all", wrapped, seed=2)
        lines = disguised.splitlines()[1:]
        out[cid] = "\n".join(line[2:] if line.startswith("  ") else line for line in lines)
    return out


def test_help_explains_the_verb(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["similarity", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "hwN" in out and "--threshold" in out and "Nothing is penalised" in out


def test_ranked_table_and_files(course_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    submit(course_root, "s07", INDEPENDENT[1])
    submit(course_root, "s05", {**INDEPENDENT[0], "stats": INDEPENDENT[1]["stats"],
                                "windows": INDEPENDENT[1]["windows"]})
    assert main(["--course", str(course_root), "similarity", "hw1"]) == 0
    out = capsys.readouterr().out
    assert "Similarity in hw1: 6 submissions" in out and "side by side:" in out
    data = json.loads((course_root / "gradebook" / "similarity" / "hw1.json").read_text())
    pairs = {(p["a"], p["b"]) for p in data["flagged"]}
    assert ("s03", "s07") in pairs and ("s01", "reference") in pairs
    assert ("s02", "s05") in pairs  # a partial copy: s05 took s02's vocabulary class, the rest from s07
    assert (course_root / "gradebook" / "similarity" / "hw1.html").is_file()


def test_threshold_from_the_config_and_the_command_line(course_root: Path) -> None:
    (course_root / "nbgrader_config.py").open("a").write("c.Similarity.threshold = 1.0\n")
    assert main(["--course", str(course_root), "similarity", "hw1"]) == 0
    assert len(json.loads((course_root / "gradebook/similarity/hw1.json").read_text())["flagged"]) == 1
    submit(course_root, "s05", {**INDEPENDENT[1], "vocab": INDEPENDENT[0]["vocab"]})
    assert main(["--course", str(course_root), "similarity", "hw1", "--threshold", "0.3"]) == 0
    flagged = json.loads((course_root / "gradebook/similarity/hw1.json").read_text())["flagged"]
    assert {(p["a"], p["b"]) for p in flagged} == {("s01", "reference"), ("s02", "s05"), ("s03", "s05")}


def test_archive_of_earlier_terms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import nbformat

    root = make_course(tmp_path / "course", "c.Similarity.archive_dir = 'archive'")
    submit(root, "s01", copy_of(INDEPENDENT[2]))
    submit(root, "s02", INDEPENDENT[0])
    for term, student, bodies in (("2024", "x1", INDEPENDENT[2]), ("2025", "x2", INDEPENDENT[1]),
                                  ("2025", "x3", INDEPENDENT[2])):
        folder = root / "archive" / term / student / "hw1"
        folder.mkdir(parents=True)
        nbformat.write(notebook(bodies), folder / "hw1.ipynb")
    assert main(["--course", str(root), "similarity", "hw1"]) == 0
    data = json.loads((root / "gradebook/similarity/hw1.json").read_text())
    pairs = {(p["a"], p["b"], p["kind_b"]) for p in data["flagged"]}
    assert pairs == {("s01", "archive:2024/x1", "archive"), ("s01", "archive:2025/x3", "archive")}


@pytest.mark.parametrize(("setup", "args", "message"), [
    ("nothing", ["similarity", "hw1"], "nothing collected for hw1"),
    ("course", ["similarity", "hw9"], "unknown assignment 'hw9'"),
    ("course", ["similarity", "hw2"], "run 'grader release hw2' first"),
    ("archive", ["similarity", "hw1"], "Similarity.archive_dir"),
    ("bad_config", ["similarity", "hw1"], "Similarity.kgram"),
])
def test_user_errors_are_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str,
                                            args: list[str], message: str) -> None:
    extra = {"archive": "c.Similarity.archive_dir = 'no-such-folder'", "bad_config": "c.Similarity.kgram = 0"}
    root = make_course(tmp_path / "course", extra.get(setup, ""))
    if setup != "nothing":
        submit(root, "s01", REFERENCE)
    assert main(["--course", str(root), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2


@pytest.mark.parametrize("args", [["similarity"], ["similarity", "hw1", "--threshold", "2"],
                                  ["similarity", "hw1", "--threshold", "lots"]])
def test_bad_arguments_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert "grader similarity --help" in capsys.readouterr().err


def test_release_template_is_never_flagged_and_empty_submissions_are_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_course(tmp_path / "course")
    for student in ("s01", "s02", "s03"):
        submit(root, student, dict(zip(TEMPLATE, ["# YOUR CODE HERE\nraise NotImplementedError()"] * 3,
                                       strict=True)))
    (root / "submitted" / "s04" / "hw1").mkdir(parents=True)
    (root / "submitted" / "s04" / "hw1" / "hw1.ipynb").write_text("{ not a notebook")
    assert main(["--course", str(root), "similarity", "hw1"]) == 0
    assert json.loads((root / "gradebook/similarity/hw1.json").read_text())["flagged"] == []
    out = capsys.readouterr().out
    assert "4 submissions have no code of their own" in out and "s01, s02, s03, s04" in out
