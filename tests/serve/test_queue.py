"""The fair queue: students take turns, superseded work never runs, GPU work never blocks CPU work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from grader.serve.queue import Work, fair_order, pick
from grader.serve.work import stage_of

T0 = datetime(2026, 10, 1, 12, tzinfo=UTC)


def work(sid: int, student: str, minutes: float, stage: str = "check", gpu: bool = False,
         assignment: str = "hw1") -> Work:
    return Work(sid, student, assignment, stage, T0 + timedelta(minutes=minutes), gpu)


def test_students_take_turns_whatever_how_much_one_of_them_has_waiting() -> None:
    # anna has eight homeworks waiting, all older than boris's and vera's single items
    anna = [work(i, "anna", i, assignment=f"hw{i}") for i in range(1, 9)]
    order = fair_order([*anna, work(20, "boris", 30), work(21, "vera", 40)])
    assert [w.student for w in order[:3]] == ["anna", "boris", "vera"]
    assert [w.submission_id for w in order if w.student == "anna"] == list(range(1, 9))  # oldest first


def test_pick_fills_the_free_slots_in_turn_and_skips_what_already_runs() -> None:
    waiting = [work(1, "anna", 0), work(2, "anna", 1, assignment="hw2"), work(3, "boris", 2), work(4, "vera", 3)]
    chosen = pick(waiting, {3}, grade_slots=2, gpu_slots=0, fetch_slots=4)
    assert [w.submission_id for w in chosen] == [1, 4]


def test_gpu_work_without_a_gpu_slot_is_passed_over_and_cpu_work_behind_it_starts() -> None:
    waiting = [work(1, "anna", 0, stage="grade", gpu=True), work(2, "boris", 1, stage="grade")]
    assert [w.submission_id for w in pick(waiting, set(), grade_slots=2, gpu_slots=0, fetch_slots=2)] == [2]
    both = pick(waiting, set(), grade_slots=2, gpu_slots=1, fetch_slots=2)
    assert [w.submission_id for w in both] == [1, 2]


def test_fetches_use_their_own_slots() -> None:
    waiting = [work(1, "anna", 0, stage="fetch"), work(2, "boris", 1, stage="grade")]
    chosen = pick(waiting, set(), grade_slots=0, gpu_slots=0, fetch_slots=1)
    assert [w.submission_id for w in chosen] == [1]


def test_each_state_of_a_life_waits_for_its_stage() -> None:
    assert stage_of(None, "", False, visible_checks=True) == "fetch"
    assert stage_of("fetch_retry", "temporary", True, visible_checks=True) == "fetch"
    assert stage_of("fetched", "", False, visible_checks=True) == "check"
    assert stage_of("fetched", "", False, visible_checks=False) is None
    assert stage_of("checked", "graded", False, visible_checks=True) is None  # told; the grade after the deadline
    assert stage_of("checked", "graded", True, visible_checks=True) == "grade"
    assert stage_of("fetched", "", True, visible_checks=True) == "grade"
    assert stage_of("graded", "", True, visible_checks=True) is None
    assert stage_of("graded", "", True, visible_checks=True, feedback_missing=True) == "feedback"
    assert stage_of("grade_failed", "waiting_gpu", True, visible_checks=True) == "grade"
    assert stage_of("grade_failed", "timeout", True, visible_checks=True) is None
    assert stage_of("fetch_failed", "notebook_missing", False, visible_checks=True) is None
