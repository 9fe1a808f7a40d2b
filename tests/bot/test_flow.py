"""End to end through the fake Telegram and GitHub servers: register, submit, resubmit, late, status, project,
instructor commands. Each test uses its own students of the shared class."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from grader.store.db import session_scope
from grader.store.models import GradingResult, Project, Registration, RegistrationCode, Submission

from .conftest import INSTRUCTOR_TG, World, grade, repo_files


def submissions(world: World, student: str, assignment: str) -> list[Submission]:
    with session_scope(world.course.database_url) as session:
        return list(session.scalars(select(Submission).where(
            Submission.student_id == student, Submission.assignment == assignment).order_by(Submission.id)))


def test_register_links_the_account_once_and_the_code_works_once(world: World) -> None:
    anna = world.user("s001")
    assert "s001" in anna.ask(f"/register {world.codes['s001'].lower()} @s001-gh")
    with session_scope(world.course.database_url) as session:
        row = session.get(Registration, "s001")
        assert row is not None and row.telegram_id == anna.id and row.github_login == "s001-gh"
        assert session.get(RegistrationCode, "s001").used_at is not None  # type: ignore[union-attr]
    assert "обновлён" in anna.ask(f"/register {world.codes['s001']} s001-new")
    thief = world.user("s002")
    assert "уже использован" in thief.ask(f"/register {world.codes['s001']} thief")
    assert "s001" in anna.ask(f"/register {world.codes['s003']} s003-gh")  # one account, one student
    assert "не найден" in thief.ask("/register ABCD-EFGH thief")
    assert "с ошибкой" in thief.ask("/register 0000-1111 thief")
    assert "не похоже на логин" in thief.ask(f"/register {world.codes['s002']} not/a/login!")


def test_submit_pins_the_head_commit_and_answers_before_it_is_lost(world: World) -> None:
    user = world.registered("s004")
    link = world.repo("s004")
    answer = user.ask(f"/submit tiny {link}")
    head = world.gh.head("s004-gh/dl")
    assert head is not None and head[:7] in answer and "Вовремя" in answer
    rows = submissions(world, "s004", "tiny")
    assert len(rows) == 1 and rows[0].commit_sha == head and rows[0].active and rows[0].source_key


def test_resubmission_before_the_deadline_replaces_the_active_one_and_keeps_history(world: World) -> None:
    user = world.registered("s005")
    link = world.repo("s005")
    user.ask(f"/submit tiny {link}")
    second = world.gh.push("s005-gh/dl", {**repo_files(), "more.txt": "v2"})
    answer = user.ask(f"/submit TINY {link}/tree/main")
    assert second[:7] in answer and "заменена" in answer
    rows = submissions(world, "s005", "tiny")
    assert [r.active for r in rows] == [False, True] and rows[1].commit_sha == second


def test_late_submission_is_accepted_with_its_multiplier_and_english_for_non_russian(world: World) -> None:
    user = world.registered("s006", language="en")
    answer = user.ask(f"/submit hw1 {world.repo('s006')}")
    assert answer.startswith("Received: hw1") and "Late by 2 d 1 h" in answer and "×0.7" in answer


def test_after_the_deadline_an_on_time_submission_is_not_replaced(world: World) -> None:
    user = world.registered("s007")
    link = world.repo("s007")
    user.ask(f"/submit hw2 {link}")
    deadline = world.course.settings.deadlines["hw2"]
    user.send(f"/submit hw2 {link}", date=deadline + timedelta(hours=1))
    assert "остаётся в силе" in user.wait_reply().text
    assert len(submissions(world, "s007", "hw2")) == 1


def test_a_closed_assignment_is_refused(world: World) -> None:
    user = world.registered("s008")
    assert "закрыт" in user.ask(f"/submit hw3 {world.repo('s008')}")
    assert submissions(world, "s008", "hw3") == []


def test_repository_must_exist_and_belong_to_the_registered_login(world: World) -> None:
    user = world.registered("s009")
    assert "не найден или закрыт" in user.ask("/submit tiny https://github.com/s009-gh/missing")
    world.gh.add_repo("someone/else", repo_files())
    assert "не принадлежит" in user.ask("/submit tiny https://github.com/someone/else")
    world.gh.add_collaborator("someone/else", "s009-gh")
    world.gh.add_collaborator("someone/else", "instructor")  # GitHub shows collaborators to collaborators only
    assert "Принято" in user.ask("/submit tiny git@github.com:someone/else.git")
    world.gh.add_repo("s009-gh/secret", {"tiny.ipynb": "{}"}, private=True)
    assert "instructor" in user.ask("/submit tiny https://github.com/s009-gh/secret")
    world.gh.add_repo("s009-gh/empty")
    assert "нет ни одного коммита" in user.ask("/submit tiny https://github.com/s009-gh/empty")


def test_status_shows_submissions_scores_marks_failures_and_the_homework_component(world: World) -> None:
    user = world.registered("s010")
    user.ask(f"/submit tiny {world.repo('s010')}")
    user.ask(f"/submit hw1 {world.repo('s010')}")
    grade(world, "s010", "tiny", 4.0, 5.0)
    with session_scope(world.course.database_url) as session:
        session.merge(GradingResult(assignment="hw1", student="s010", status="timeout",
                                    reason="the notebook ran over 1800 s", graded_at=datetime.now(UTC)))
    text = user.ask("/status")
    assert "tiny:" in text and "4/5" in text and "оценка 6 из 8" in text
    assert "hw1:" in text and "тетрадь не уложилась в лимит времени" in text and "опоздание 2 д" in text
    assert "timeout" not in text and "1800 s" not in text  # reasons are worded in Russian, not pasted in English
    assert "hw2: ещё не сдано (дедлайн" in text and "hw3: не сдано" in text  # hw2's deadline is tomorrow
    assert "H = 1.5 из 8" in text  # 6 / 4 assignments
    assert "Проект: не зарегистрирован" in text


def test_deadlines_lists_every_assignment_still_accepting_work_in_the_course_time_zone(world: World) -> None:
    text = world.user("s011").ask("/deadlines")
    assert "Europe/Moscow" in text and "tiny:" in text and "hw2:" in text and "MSK" in text
    assert "hw1: дедлайн прошёл" in text and "×0.7" in text  # 2 days 1 hour late: 3 started days at 0.1
    assert "hw3" not in text  # 15 days late: the multiplier is 0, closed
    lines = text.splitlines()
    assert [line.split(":")[0] for line in lines[1:]] == ["hw2", "tiny", "hw1"]


def test_project_with_a_partner_waits_for_both_to_confirm(world: World) -> None:
    lead, partner = world.registered("s012"), world.registered("s013")
    link = world.repo("s012", "project")
    assert "Ждём подтверждения от s013" in lead.ask(f"/project {link} s013")
    invite = partner.wait_reply().text
    assert "s012" in invite and f"/project {link} s012" in invite
    assert "подтверждён: s012, s013" in partner.ask(f"/project {link} s012")
    assert "подтверждён" in lead.wait_reply().text
    with session_scope(world.course.database_url) as session:
        rows = list(session.scalars(select(Project)))
        mine = [p for p in rows if "s012" in p.members.split(",")]
        assert len(mine) == 1 and mine[0].members == "s012,s013" and mine[0].confirmed == "s012,s013"
        assert mine[0].commit_sha == world.gh.head("s012-gh/project")
    assert "Проект: s012-gh/project" in lead.ask("/status")
    assert "Изменить его может только преподаватель" in lead.ask(f"/project {world.repo('s012')}")


def test_project_partner_must_be_registered_and_not_oneself(world: World) -> None:
    user = world.registered("s014")
    link = world.repo("s014", "project")
    assert "не зарегистрирован" in user.ask(f"/project {link} s040")
    assert "себя" in user.ask(f"/project {link} s014")
    assert "один" in user.ask(f"/project {link}")


def test_instructor_sees_stats_and_broadcasts_others_are_refused(world: World) -> None:
    student = world.registered("s015")
    student.ask(f"/submit hw1 {world.repo('s015')}")
    assert "только для преподавателей" in student.ask("/stats")
    assert "только для преподавателей" in student.ask("/broadcast hi")
    teacher = world.tg.user(INSTRUCTOR_TG, "Teacher", "en")
    stats = teacher.ask("/stats")
    hw1 = next(line for line in stats.splitlines() if line.startswith("hw1:"))
    submitted, late, _graded, _failed = (int(x) for x in hw1.split(":")[1].split("/"))
    assert submitted >= 1 and late == submitted
    assert "/broadcast" in teacher.ask("/help")
    done = teacher.ask("/broadcast Lecture moved to room 101")
    assert done.startswith("Sent: ") and "not delivered: 0" in done
    assert any("room 101" in s.text for s in student.replies())


def test_a_link_without_the_homeworks_notebook_is_refused_and_the_good_one_stays(world: World) -> None:
    from fakes.github_api import notebook

    from .conftest import HOMEWORK

    user = world.registered("s020")
    good = world.repo("s020")
    assert "Принято" in user.ask(f"/submit hw2 {good}")
    world.gh.add_repo("s020-gh/empty-ish", {"README.md": "nothing here"})
    assert "нет тетради hw2.ipynb" in user.ask("/submit hw2 https://github.com/s020-gh/empty-ish")
    world.gh.add_repo("s020-gh/all", {"hw1/hw1.ipynb": HOMEWORK["hw1"]})
    answer = user.ask("/submit hw2 https://github.com/s020-gh/all")
    assert "hw1/hw1.ipynb — это тетрадь hw1, а не hw2" in answer and "остаётся в силе" in answer
    world.gh.add_repo("s020-gh/broken", {"hw2.ipynb": '{"cells": [ oops'})
    assert "не тетрадь Jupyter" in user.ask("/submit hw2 https://github.com/s020-gh/broken")
    world.gh.add_repo("s020-gh/other", {"hw2.ipynb": notebook(["something_else"])})
    assert "нет ни одной ячейки задания hw2" in user.ask("/submit hw2 https://github.com/s020-gh/other")
    rows = submissions(world, "s020", "hw2")
    assert len(rows) == 1 and rows[0].active and rows[0].repo_full_name == "s020-gh/dl"


def test_an_unreleased_assignment_is_refused_in_the_students_language(world: World) -> None:
    release = world.course.release("hw2")
    aside = release.with_name("hw2.aside")
    release.rename(aside)
    try:
        assert "hw2 ещё не выдано" in world.registered("s021").ask(f"/submit hw2 {world.repo('s021')}")
        english = world.registered("s022", language="en")
        assert "hw2 has not been released yet" in english.ask(f"/submit hw2 {world.repo('s022')}")
        assert submissions(world, "s021", "hw2") == []
    finally:
        aside.rename(release)


def test_a_release_folder_the_gradebook_does_not_know_is_not_released(world: World) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(world.course.gradebook_url)

    def rename(old: str, new: str) -> None:
        with engine.begin() as connection:
            connection.execute(text("UPDATE assignment SET name = :new WHERE name = :old"), {"old": old, "new": new})

    rename("hw2", "hw2-not-yet")
    try:
        assert "hw2 ещё не выдано" in world.registered("s023").ask(f"/submit hw2 {world.repo('s023')}")
    finally:
        rename("hw2-not-yet", "hw2")
        engine.dispose()


def test_a_failure_after_intake_is_told_at_once_and_once(world: World) -> None:
    import time

    from grader import lifecycle
    from grader.store.models import OutboxMessage, Submission

    user = world.registered("s024")
    assert "Принято" in user.ask(f"/submit tiny {world.repo('s024')}")
    with session_scope(world.course.database_url) as session:
        row = session.scalar(select(Submission).where(Submission.student_id == "s024", Submission.active.is_(True)))
        assert row is not None
        row.status = "collected"
        lifecycle.record(session, row.id, "fetched", params={"path": "tiny.ipynb"})
        session.merge(GradingResult(assignment="tiny", student="s024", status="timeout", reason="ran over 1800 s",
                                    graded_at=datetime.now(UTC)))
        lifecycle.record(session, row.id, "grade_failed", "timeout")
    told = user.wait_reply().text
    assert told.startswith("tiny: проверка прервалась: тетрадь не уложилась в лимит времени") and "Исправьте" in told
    time.sleep(1.0)  # a few more looks at the outbox: nothing is sent twice
    assert len([s for s in user.replies() if s.reply_to is None]) == 1
    with session_scope(world.course.database_url) as session:
        [message] = session.scalars(select(OutboxMessage).where(OutboxMessage.student_id == "s024"))
        assert message.sent_at is not None and message.state == "grade_failed"
