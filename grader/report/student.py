"""A student's own report, as plain text the bot can send as it is (no parse mode; one Telegram message for a
course of eight homeworks): their marks, what is pending, what was flagged, and the grade so far."""

from __future__ import annotations

from grader.completion import HomeworkOutcome
from grader.course import CourseFolder
from grader.errors import RosterError
from grader.policy.grade import GradeBreakdown
from grader.report.build import build_report
from grader.report.model import Report

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


def _homework(outcome: HomeworkOutcome, row: GradeBreakdown, t: dict[str, str]) -> str:
    hw = outcome.assignment
    mark = _n(row.marks[hw])
    if outcome.state == "missing" and outcome.status == "missing":
        text = f"{t['missing']} → 0"
    elif outcome.status == "ungraded":
        text = t["ungraded"]
    elif outcome.state == "pending":
        text = f"{round(100 * row.completions[hw])}% → {t['pending']} {mark}"
    else:
        text = f"{round(100 * row.completions[hw])}% → {mark}"
    notes = []
    if outcome.days_late > 0:
        notes.append(t["late"].format(days=outcome.days_late, mult=outcome.late_multiplier))
    if outcome.autograde.status and outcome.autograde.status != "graded":
        notes.append(f"{outcome.autograde.status}: {t['status']}")
    if outcome.gpu_skipped:
        notes.append(t["gpu"])
    return f"- {hw}: {text}" + (f" ({'; '.join(notes)})" if notes else "")


def render_student(report: Report, student: str, language: str = "ru") -> str:
    t = LABELS.get(language, LABELS["en"])
    row = report.row(student)
    policy = report.policy
    lines = [f"{report.course_name} — {t['title']}",
             f"{t['student']}: {report.name(student) or student} ({student})", "", t["homework"]]
    lines += [_homework(report.outcomes[student][hw], row, t) for hw in report.assignments]
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
    flagged = [a for a in report.attention_for(student)
               if a.kind in ("autograde", "over_max", "flag", "ungraded") and not a.message.startswith("evidence:")]
    if flagged:
        lines += ["", f"{t['flags']}:"] + [f"- {a.text}" for a in flagged]
    return "\n".join(lines)


def student_report(course: CourseFolder, student_id: str, language: str = "ru") -> str:
    """The text the bot sends a student who asks for their grades (``language``: 'ru' or 'en')."""
    report = build_report(course, students=[student_id])
    if not report.rows:
        raise RosterError(f"no student {student_id!r} on the roster (grader roster import adds students)")
    return render_student(report, student_id, language)
