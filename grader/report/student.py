"""A student's own report, as plain text the bot can send as it is (no parse mode; one Telegram message for a
course of eight homeworks): their marks, what is pending, what was flagged, and the grade so far."""

from __future__ import annotations

from datetime import tzinfo

from grader.bot.texts import reason, say
from grader.course import CourseFolder
from grader.errors import RosterError
from grader.lifecycle import Event, active_states
from grader.report.build import build_report
from grader.report.model import Report
from grader.result import Result, result_of

LABELS = {
    "ru": {
        "title": "Оценки", "student": "Студент", "homework": "Домашние задания (выполнено → оценка 0–8)",
        "missing": "не сдано", "ungraded": "получено, ещё не проверено", "pending": "ждёт ручной проверки, пока",
        "late": "опоздание {days:.1f} дн., ×{mult:g}", "status": "требует проверки преподавателем",
        "h": "Среднее H = {h} → {w}·H = {points}", "project": "Проект", "defence": "защита {mark} → {points}",
        "defence_pending": "защита: оценки ещё нет", "no_project": "проект не зарегистрирован",
        "bonuses": "бонусы: {names}", "no_bonus": "бонусов пока нет",
        "total": "Итог: {exact} → оценка {grade}", "provisional": " (предварительно)",
        "pending_list": "Ожидает", "flags": "Отмечено", "manual": "ручная проверка", "defence_word": "защита проекта",
        "gpu": "ячейки для GPU не запускались и не учитываются",
    },
    "en": {
        "title": "Grades", "student": "Student", "homework": "Homework (completion → mark 0–8)",
        "missing": "not submitted", "ungraded": "received, not graded yet", "pending": "manual grading pending, so far",
        "late": "{days:.1f} days late, ×{mult:g}", "status": "the instructor will look at it",
        "h": "Mean H = {h} → {w}·H = {points}", "project": "Project", "defence": "defence {mark} → {points}",
        "defence_pending": "defence: not marked yet", "no_project": "no project registered",
        "bonuses": "bonuses: {names}", "no_bonus": "no bonus yet",
        "total": "Total: {exact} → grade {grade}", "provisional": " (provisional)",
        "pending_list": "Pending", "flags": "Flagged", "manual": "manual grading", "defence_word": "project defence",
        "gpu": "GPU cells were not run and do not count",
    },
}


def _n(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def homework_text(result: Result, lang: str, tz: tzinfo) -> str:
    """One assignment's result as the student reads it (``grader.result``: the same words in every view)."""
    percent = round(100 * (result.completion or 0.0))
    mark = _n(result.mark or 0.0)
    if result.status == "not_due":
        deadline = result.deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M") if result.deadline else "—"
        return say(lang, "res_not_due", deadline=deadline)
    if result.status == "graded":
        return say(lang, "res_graded_pending" if result.pending_manual else "res_graded", percent=percent, mark=mark)
    if result.status == "failed":
        return say(lang, "res_failed", percent=percent, mark=mark, reason=reason(lang, result.reason,
                                                                                    result.params))
    if result.status == "fetch_failed":
        text = say(lang, "res_fetch_failed", reason=reason(lang, result.reason, result.params))
        return text + ("" if result.due else f"; {say(lang, 'res_fix')}")
    text = say(lang, f"res_{result.status}")
    return text + (f" ({reason(lang, result.reason, result.params)})" if result.reason else "")


def _homework(result: Result, t: dict[str, str], lang: str, tz: tzinfo) -> str:
    notes = []
    if result.days_late > 0:
        notes.append(t["late"].format(days=result.days_late, mult=result.multiplier))
    if result.gpu_skipped:
        notes.append(t["gpu"])
    return f"- {result.assignment}: {homework_text(result, lang, tz)}" + (f" ({'; '.join(notes)})" if notes else "")


def results_of(report: Report, student: str, events: dict[str, Event] | None = None) -> dict[str, Result]:
    """The student's ``Result`` per assignment at the report's moment (``events``: the current lifecycle state
    of their active submissions, by assignment)."""
    events = events or {}
    return {hw: result_of(report.outcomes[student][hw], report.deadline(student, hw), report.generated_at,
                          report.policy, events.get(hw)) for hw in report.assignments}


def render_student(report: Report, student: str, language: str = "ru",
                   events: dict[str, Event] | None = None) -> str:
    t = LABELS.get(language, LABELS["en"])
    lang = "ru" if language == "ru" else "en"
    row = report.row(student)
    policy = report.policy
    results = results_of(report, student, events)
    lines = [f"{report.course_name} — {t['title']}",
             f"{t['student']}: {report.name(student) or student} ({student})", "", t["homework"]]
    lines += [_homework(results[hw], t, lang, report.timezone) for hw in report.assignments]
    lines.append(t["h"].format(h=_n(row.homework_mean), w=_n(policy.homework_weight), points=_n(row.homework_points)))
    lines.append("")
    project = report.project_of(student)
    parts = [f"#{project.id} {project.repo}" if project else t["no_project"]]
    parts.append(t["defence_pending"] if "defence" in row.pending
                 else t["defence"].format(mark=_n(row.defence), points=_n(row.project_points)))
    parts.append(t["bonuses"].format(names=", ".join(f"{b} +{_n(policy.bonus_points[b])}" for b in row.bonuses))
                 if row.bonuses else t["no_bonus"])
    lines.append(f"{t['project']}: " + "; ".join(parts))
    lines.append(t["total"].format(exact=_n(row.exact), grade=_n(row.grade))
                 + (t["provisional"] if row.pending else ""))
    if row.pending:
        pending = [f"{hw} ({t['manual']})" for hw in row.pending if hw != "defence"]
        pending += [t["defence_word"]] if "defence" in row.pending else []
        lines += ["", f"{t['pending_list']}: " + ", ".join(pending)]
    flagged = [r for r in results.values() if r.flags or r.reason in ("tampering", "kernel_died", "memory_limit")]
    if flagged:
        lines += ["", f"{t['flags']}:"] + [f"- {r.assignment}: {t['status']}" for r in flagged]
    return "\n".join(lines)


def student_report(course: CourseFolder, student_id: str, language: str = "ru") -> str:
    """The text the bot sends a student who asks for their grades (``language``: 'ru' or 'en')."""
    report = build_report(course, students=[student_id])
    if not report.rows:
        raise RosterError(f"no student {student_id!r} on the roster (grader roster import adds students)")
    return render_student(report, student_id, language, active_states(course.database_url, student_id))

