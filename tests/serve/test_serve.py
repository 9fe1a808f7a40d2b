"""``grader serve`` as a process, against the fake Telegram and GitHub: every submission is checked against the
visible tests as it arrives and the student told (nothing of the hidden tests), graded in full after the
deadline and the result sent; ``kill -9`` at each stage loses nothing, redoes nothing finished, sends nothing
twice."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import SOLUTIONS, Term

pytestmark = pytest.mark.slow
VISIBLE = "Открытые тесты"
RESULT = "баллов"


def visible_told(term: Term) -> bool:
    return all(term.texts(s, VISIBLE) for s in SOLUTIONS)


def test_visible_results_before_the_deadline_then_the_grade_after_it(term: Term) -> None:
    term.start()
    for student in SOLUTIONS:
        term.submit(student)
    term.wait(lambda: visible_told(term), "visible-test messages")
    right, hidden_wrong, visible_wrong = (term.texts(s, VISIBLE)[0] for s in SOLUTIONS)
    # right on the visible tests, wrong on a hidden one: the very same message as a correct solution
    assert hidden_wrong == right
    assert "test_add " in visible_wrong or "test_add:" in visible_wrong, visible_wrong
    assert "test_add" not in right.replace("test_add_warns", "").replace("test_add_gpu", "")
    assert "скрыт" in right.lower()  # the hidden tests and the mark come after the deadline
    assert not term.events("graded")  # nothing graded before the deadline
    term.stop()

    time.sleep(1.1)
    term.set_deadline(datetime.now(UTC) - timedelta(seconds=1))  # the deadline has passed: every one on time
    term.start()
    term.wait(lambda: all(term.texts(s, RESULT) for s in SOLUTIONS), "the graded results")
    assert term.events("graded") == {s: 1 for s in SOLUTIONS}
    results = {s: term.texts(s, RESULT) for s in SOLUTIONS}
    assert all(len(r) == 1 for r in results.values()), results
    assert "tiny проверено: 3/4 баллов" in results["s01"][0], results  # the GPU cell left out, as nbgrader's 3
    assert results["s02"][0] != results["s01"][0]  # the hidden test counts now
    for student in SOLUTIONS:
        assert (term.course.root / "feedback" / student / "tiny" / "tiny.html").is_file()


@pytest.mark.parametrize("stage", ["fetch", "check"])
def test_killed_while_a_stage_runs_it_is_done_once_and_told_once(term: Term, stage: str) -> None:
    term.start()
    for student in SOLUTIONS:
        term.submit(student)
    if stage == "check":
        term.wait(lambda: term.in_flight(stage), "a check in flight")
    # 'fetch': killed as soon as the last link is answered, its fetch not started, running or just done (the
    # notebook is read from the commit the bot's check already fetched: too quick to be caught in flight)
    term.kill()
    term.start()
    term.wait(lambda: visible_told(term), "visible-test messages after the restart")
    time.sleep(1.0)  # anything that would be sent twice has had its chance
    assert term.events("checked") == {s: 1 for s in SOLUTIONS}
    assert term.events("fetched") == {s: 1 for s in SOLUTIONS}
    assert {s: len(term.texts(s, VISIBLE)) for s in SOLUTIONS} == {s: 1 for s in SOLUTIONS}


def test_killed_with_a_message_owed_it_is_sent_once_after_the_restart(term: Term) -> None:
    term.start()
    term.submit("s01")
    term.tg.fail("sendMessage", 500, times=10_000)  # Telegram refuses everything from now on
    term.wait(lambda: term.outbox("checked").get("s01") == 1, "the visible report owed")
    term.wait(lambda: term.tg_refusals() >= 3, "refused attempts to send it")
    term.kill()
    assert term.outbox_attempts("s01") == 0  # Telegram being down is not the chat's fault: never given up
    assert not term.texts("s01", VISIBLE)
    term.tg.heal()
    term.start()
    term.wait(lambda: len(term.texts("s01", VISIBLE)) == 1, "the visible report sent")
    time.sleep(1.5)
    assert len(term.texts("s01", VISIBLE)) == 1
    assert term.events("checked") == {"s01": 1}  # the check was not run again


def test_killed_while_grading_after_the_deadline_grades_once(term: Term) -> None:
    term.set_deadline(datetime.now(UTC) + timedelta(seconds=4))
    term.start()
    for student in SOLUTIONS:
        term.submit(student)
    time.sleep(max(0.0, 4.5))
    term.wait(lambda: term.in_flight("grade"), "a grading job in flight")
    term.kill()
    term.start()
    term.wait(lambda: term.events("graded") == {s: 1 for s in SOLUTIONS}, "every submission graded")
    term.wait(lambda: all(term.outbox("released").get(s) == 1 for s in SOLUTIONS), "the results owed")
    time.sleep(1.5)
    assert term.events("graded") == {s: 1 for s in SOLUTIONS}
