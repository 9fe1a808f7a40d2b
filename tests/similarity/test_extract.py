"""What counts: solution cells only, the release's template subtracted."""

from __future__ import annotations

from pathlib import Path

from grader.course import open_course
from grader.similarity.extract import collect_sources, template_lines
from grader.similarity.run import compare_assignment
from similarity.classroom import REFERENCE, STUB, TEMPLATE, submit


def test_two_students_who_kept_only_the_template_score_zero(course_root: Path) -> None:
    submit(course_root, "s08", dict.fromkeys(TEMPLATE, STUB))
    submit(course_root, "s09", dict.fromkeys(TEMPLATE, STUB))
    outcome = compare_assignment(open_course(course_root), "hw1")
    assert not [s for s in outcome.scores if {s.a, s.b} & {"s08", "s09"}]
    assert outcome.document("s08").tokens == ()


def test_the_reference_solution_is_found_in_a_copy_of_it(course_root: Path) -> None:
    outcome = compare_assignment(open_course(course_root), "hw1")
    top = outcome.scores[0]
    assert (top.a, top.b, top.kind_b, top.similarity) == ("s01", "reference", "reference", 1.0)
    assert [(m.score.a, m.score.b) for m in outcome.matches] == [("s01", "reference")]


def test_template_lines_survive_renamed_parameters_and_spacing() -> None:
    template = 'def f(rows, width):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n'
    code = 'def f(data,  w):\n    """Doc."""\n    total = 0\n    return total\n'
    assert template_lines(code, template) == {1, 2}


def test_only_solution_cells_count(course_root: Path) -> None:
    sources = collect_sources(course_root / "submitted", "hw1", course_root / "release" / "hw1",
                              course_root / "source" / "hw1", None)
    assert [s.id for s in sources] == ["s01", "s02", "s03", "s04", "reference"]
    assert [c.name for c in sources[0].cells] == list(TEMPLATE)
    assert "assert column_stats" not in "".join(c.code for c in sources[0].cells)
    assert "column_stats" in sources[0].names_used  # read by the test cell: never dropped as unused
    assert REFERENCE["stats"].splitlines()[0] in sources[-1].cells[0].code  # solution markers removed


def test_template_lines_are_found_in_reordered_code() -> None:
    template = ("def first(a):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\n\n"
                "def second(b, c):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    code = "def second(b, c):\n    return b * c\n\n\ndef first(a):\n    return a + 1\n"
    assert template_lines(code, template) == {1, 5}
