"""The grading policy page, example by example, plus properties that must hold for every input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.errors import PolicyInputError
from grader.policy.grade import (
    GradePolicy,
    ProjectMarks,
    StudentGradeInput,
    band_mark,
    final_grade,
    grade_class,
    project_marks_by_student,
    round_grade,
)

POLICY = GradePolicy()
HW = POLICY.assignments


def everyone_at(p: float, defence: float | None = 0.0, bonuses: frozenset[str] = frozenset()) -> StudentGradeInput:
    return StudentGradeInput("s1", {hw: p for hw in HW}, defence, bonuses)


# --- worked examples of grading-policy.md ------------------------------------------------------------------

def test_all_complete_defence_8_both_bonuses_is_10() -> None:
    result = final_grade(everyone_at(1.0, 8.0, frozenset({"open_datasets", "gradio_space"})), POLICY)
    assert (result.homework_points, result.project_points, result.bonus_points) == (4.0, 4.0, 2.0)
    assert result.exact == 10.0 and result.grade == 10.0


def test_seven_complete_one_missing_defence_8_is_7_5_rounded_to_8() -> None:
    completions = {hw: 1.0 for hw in HW[:7]}
    result = final_grade(StudentGradeInput("s1", completions, 8.0), POLICY)
    assert result.homework_mean == 7.0
    assert result.exact == pytest.approx(7.5)
    assert result.grade == 8.0


def test_every_homework_at_0_8_gives_marks_6_and_3_points() -> None:
    result = final_grade(everyone_at(0.8), POLICY)
    assert set(result.marks.values()) == {6.0}
    assert result.homework_points == pytest.approx(3.0)


def test_every_homework_at_0_81_gives_marks_7_and_3_5_points() -> None:
    result = final_grade(everyone_at(0.81), POLICY)
    assert set(result.marks.values()) == {7.0}
    assert result.homework_points == pytest.approx(3.5)


@pytest.mark.parametrize(("p", "mark"), [(0.4, 3.0), (0.1, 1.0), (0.0, 0.0), (1.0, 8.0), (0.5, 4.0), (0.6, 5.0)])
def test_band_marks_of_the_policy_page(p: float, mark: float) -> None:
    assert band_mark(p, POLICY) == mark


def test_four_fifths_computed_in_floats_lands_in_good() -> None:
    assert band_mark(4 / 5, POLICY) == 6.0
    assert band_mark(0.1 + 0.7, POLICY) == 6.0  # 0.7999999999999999


@pytest.mark.parametrize(("exact", "half_up", "ceil"), [(6.5, 7, 7), (6.49, 6, 7), (7.0, 7, 7), (0.0, 0, 0)])
def test_rounding_modes(exact: float, half_up: int, ceil: int) -> None:
    assert round_grade(exact, "half_up") == half_up
    assert round_grade(exact, "ceil") == ceil
    assert round_grade(exact, "none") == exact


def test_pair_partners_share_the_project_marks() -> None:
    pair = ProjectMarks(members=("a", "b"), defence=6.0, bonuses=frozenset({"gradio_space"}))
    by_student = project_marks_by_student([pair, ProjectMarks(members=("c",), defence=8.0)])
    grades = {s: final_grade(StudentGradeInput(s, {}, p.defence, p.bonuses), POLICY) for s, p in by_student.items()}
    assert grades["a"].exact == grades["b"].exact == 0.5 * 6 + 1
    assert grades["c"].project_points == 4.0


def test_a_student_in_two_projects_is_refused() -> None:
    with pytest.raises(PolicyInputError, match="'a'.*two projects"):
        project_marks_by_student([ProjectMarks(("a", "b")), ProjectMarks(("a",))])


# --- invalid input names the student and the field -----------------------------------------------------------

@pytest.mark.parametrize("bad", [1.01, -0.1, math.nan, "0.5", None.__class__])
def test_completion_outside_0_1_or_not_a_number_is_refused(bad: object) -> None:
    with pytest.raises(PolicyInputError, match=r"student 'ivanov', field 'hw3'"):
        final_grade(StudentGradeInput("ivanov", {"hw3": bad}, 8.0), POLICY)  # type: ignore[dict-item]


def test_unknown_assignment_is_refused() -> None:
    with pytest.raises(PolicyInputError, match=r"student 'ivanov', field 'hw9'.*unknown assignment"):
        final_grade(StudentGradeInput("ivanov", {"hw9": 1.0}), POLICY)


def test_duplicate_student_is_refused() -> None:
    with pytest.raises(PolicyInputError, match=r"student 'ivanov'.*twice"):
        grade_class([StudentGradeInput("ivanov", {}), StudentGradeInput("ivanov", {})], POLICY)


@pytest.mark.parametrize("defence", [9.0, -1.0, math.nan])
def test_defence_outside_the_scale_is_refused(defence: float) -> None:
    with pytest.raises(PolicyInputError, match=r"field 'defence'"):
        final_grade(StudentGradeInput("ivanov", {}, defence), POLICY)


def test_unknown_bonus_is_refused() -> None:
    with pytest.raises(PolicyInputError, match=r"field 'bonuses'"):
        final_grade(StudentGradeInput("ivanov", {}, 8.0, frozenset({"charisma"})), POLICY)


def test_ungraded_defence_counts_zero_and_is_pending() -> None:
    result = final_grade(StudentGradeInput("s", {hw: 1.0 for hw in HW}, None), POLICY)
    assert result.project_points == 0 and "defence" in result.pending


# --- properties ----------------------------------------------------------------------------------------------

fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
maybe_fraction = st.one_of(st.none(), fraction)
defences = st.floats(min_value=0.0, max_value=8.0, allow_nan=False)
bonus_sets = st.sets(st.sampled_from(sorted(POLICY.bonus_points))).map(frozenset)
completions = st.fixed_dictionaries({hw: maybe_fraction for hw in HW})
roundings = st.sampled_from(["half_up", "ceil", "none"])


@settings(max_examples=300, deadline=None)
@given(completions, defences, bonus_sets, roundings)
def test_final_grade_stays_within_0_and_10(comp: dict, defence: float, bonuses: frozenset, rounding: str) -> None:
    policy = GradePolicy(rounding=rounding)
    result = final_grade(StudentGradeInput("s", comp, defence, bonuses), policy)
    assert 0.0 <= result.exact <= 10.0
    assert 0.0 <= result.grade <= 10.0


@settings(max_examples=300, deadline=None)
@given(completions, defences, bonus_sets, st.sampled_from(HW), fraction, st.floats(0, 8), roundings)
def test_grade_never_decreases_when_an_input_increases(comp: dict, defence: float, bonuses: frozenset, hw: str,
                                                       more: float, more_defence: float, rounding: str) -> None:
    policy = GradePolicy(rounding=rounding)
    base = final_grade(StudentGradeInput("s", comp, defence, bonuses), policy)
    higher_p = max(comp[hw] or 0.0, more)
    up = final_grade(StudentGradeInput("s", {**comp, hw: higher_p}, defence, bonuses), policy)
    assert up.exact >= base.exact and up.grade >= base.grade
    up_def = final_grade(StudentGradeInput("s", comp, max(defence, more_defence), bonuses), policy)
    assert up_def.exact >= base.exact and up_def.grade >= base.grade
    all_bonuses = final_grade(StudentGradeInput("s", comp, defence, frozenset(policy.bonus_points)), policy)
    assert all_bonuses.exact >= base.exact and all_bonuses.grade >= base.grade


@settings(max_examples=300, deadline=None)
@given(completions)
def test_homework_part_reaches_4_only_with_all_eight_complete(comp: dict) -> None:
    result = final_grade(StudentGradeInput("s", comp, 0.0), POLICY)
    all_complete = all(v is not None and v >= 1.0 - 1e-9 for v in comp.values())
    assert (result.homework_points == 4.0) == all_complete


@settings(max_examples=300, deadline=None)
@given(completions, defences, bonus_sets, roundings)
def test_rounded_grade_is_the_exact_value_rounded_as_configured(comp: dict, defence: float, bonuses: frozenset,
                                                                 rounding: str) -> None:
    result = final_grade(StudentGradeInput("s", comp, defence, bonuses), GradePolicy(rounding=rounding))
    if rounding == "none":
        assert result.grade == result.exact
    elif rounding == "ceil":
        assert result.grade == math.ceil(result.exact - 1e-9)
    else:
        assert result.grade == math.floor(result.exact + 0.5 + 1e-9)
    assert result.grade >= result.exact - 0.5 - 1e-9
