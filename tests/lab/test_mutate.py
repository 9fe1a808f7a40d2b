"""The mutation check on the small fixture assignment 'mini' (tests/lab/files/mini): a known mutant is killed, a
known equivalent is reported equivalent and left out of the score, GPU-only lines are not testable here; the
verdicts and the equivalents file; the file never reaches release/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.autograde.records import JobOutcome
from grader.cli import main
from grader.course import open_course
from grader.errors import GraderError
from grader.lab.config import MutationCheck
from grader.lab.mutate import (
    Mutant,
    MutationReport,
    Verdict,
    equivalents_path,
    judge,
    load_equivalents,
    mutation_check,
)
from grader.release import verify_release

MINI = Path(__file__).resolve().parent / "files" / "mini"
EQUIVALENT = "positive_sum:cmp:6:11"  # x > 0 → x >= 0: adding zeros changes no sum
KILLED = "positive_sum:arith:7:12"  # total += x → total -= x


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(MINI, root)
    return root


REFERENCE = {"test_a": {"score": 2.0, "max_score": 2.0, "auto": True, "gpu_skipped": False},
             "test_gpu": {"score": 0.0, "max_score": 1.0, "auto": True, "gpu_skipped": True},
             "answer": {"score": None, "max_score": 1.0, "auto": False, "gpu_skipped": False}}
MUTANT = Mutant("c:cmp:1:0", "c", "cmp", 1, "c line 1: `<` → `<=`", "")


def outcome(status: str = "graded", score: float = 2.0, reason: str = "") -> JobOutcome:
    cells = {name: dict(cell) for name, cell in REFERENCE.items()}
    cells["test_a"]["score"] = score
    return JobOutcome("hw", "mutant0000", status, reason, cells=cells)  # type: ignore[arg-type]


def test_mutant_that_loses_points_is_killed() -> None:
    result = judge(MUTANT, outcome(score=1.0), REFERENCE, {})
    assert result.verdict == Verdict.KILLED and "test_a" in result.detail


def test_mutant_whose_notebook_fails_is_killed() -> None:
    result = judge(MUTANT, outcome(status="timeout", reason="ran past 120 s"), REFERENCE, {})
    assert result.verdict == Verdict.KILLED and "timeout" in result.detail


def test_full_marks_survive_unless_listed_equivalent() -> None:
    assert judge(MUTANT, outcome(), REFERENCE, {}).verdict == Verdict.SURVIVED
    listed = judge(MUTANT, outcome(), REFERENCE, {MUTANT.id: "same result"})
    assert listed.verdict == Verdict.EQUIVALENT and listed.detail == "same result"


def test_score_leaves_out_equivalent_and_not_testable() -> None:
    report = MutationReport("hw", 0, 10, results=[
        judge(MUTANT, outcome(score=0.0), REFERENCE, {}), judge(MUTANT, outcome(), REFERENCE, {}),
        judge(MUTANT, outcome(), REFERENCE, {MUTANT.id: "same"}),
        *[judge(MUTANT, outcome(score=0.0), REFERENCE, {})] * 2])
    assert (report.killed, report.survived, report.equivalent) == (3, 1, 1)
    assert report.score == pytest.approx(3 / 4)


def test_equivalents_file_is_read_and_a_bad_one_named(tmp_path: Path) -> None:
    assert load_equivalents(tmp_path / "missing.toml") == {}
    good = tmp_path / "good.toml"
    good.write_text('[equivalent]\n"a:cmp:1:0" = "same result"\n', encoding="utf-8")
    assert load_equivalents(good) == {"a:cmp:1:0": "same result"}
    bad = tmp_path / "bad.toml"
    bad.write_text('[equivalent]\n"a:cmp:1:0" = 3\n', encoding="utf-8")
    with pytest.raises(GraderError, match="bad.toml"):
        load_equivalents(bad)


def test_equivalents_file_that_would_be_released_is_refused(mini: Path) -> None:
    config = MutationCheck(equivalents="mutants.toml")
    with pytest.raises(GraderError, match="would be released"):
        equivalents_path(open_course(mini), "mini", config)


def test_release_leaves_the_equivalents_file_out(mini: Path) -> None:
    assert (mini / "source" / "mini" / "instructor" / "mutants.toml").is_file()
    assert main(["--course", str(mini), "release", "mini"]) == 0
    released = sorted(str(p.relative_to(mini / "release" / "mini")) for p in (mini / "release" / "mini").rglob("*"))
    assert released == ["mini.ipynb"]
    assert verify_release(open_course(mini), "mini").ok


def test_list_names_every_mutant_without_grading(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", str(mini), "lab", "mutate", "mini", "--list", "--all"]) == 0
    out = capsys.readouterr().out
    assert EQUIVALENT in out and KILLED in out and "6 of 6 mutants" in out
    assert not (mini / "release").exists() and not (mini / "submitted").exists()


@pytest.mark.slow
def test_known_mutant_is_killed_and_known_equivalent_left_out_of_the_score(mini: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in mini.rglob("*") if p.is_file()}
    report = mutation_check(open_course(mini), "mini", every=True, workers=2, scratch=tmp_path)
    verdicts = {r.mutant.id: r.verdict for r in report.results}
    assert verdicts[KILLED] == Verdict.KILLED
    assert verdicts[EQUIVALENT] == Verdict.EQUIVALENT
    assert {v for i, v in verdicts.items() if i.startswith("double:")} == {Verdict.NOT_TESTABLE}
    assert report.equivalent == 1 and report.survived == 0 and report.not_testable == 3
    assert report.score == 1.0 and report.killed == 2
    assert not report.stale
    assert {p: p.read_bytes() for p in mini.rglob("*") if p.is_file()} == before  # the course is untouched


def test_summary_lists_counts_score_and_each_survivor_with_its_description() -> None:
    from rich.console import Console

    from grader.lab.cli import render

    survivor = Mutant("c:swap:3:4", "c", "swap", 3, "c line 3: arguments `a` and `b` of `f` swapped", "")
    report = MutationReport("hw", 0, 40, equivalents_file="source/hw/instructor/mutants.toml", stale=["c:old:1:0"],
                            results=[judge(MUTANT, outcome(score=0.0), REFERENCE, {}),
                                     judge(survivor, outcome(), REFERENCE, {})])
    console = Console(record=True, width=200)
    render(report, console, verbose=False)
    text = console.export_text()
    assert "2 of 40 mutants" in text and "50 %" in text
    assert "c:swap:3:4" in text and "arguments `a` and `b` of `f` swapped" in text
    assert MUTANT.id not in text  # killed mutants only with --verbose
    assert "c:old:1:0 is listed as equivalent" in text
    render(report, console, verbose=True)
    assert MUTANT.id in console.export_text()
