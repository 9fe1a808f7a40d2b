"""Results of the service functions turned into the texts students read (pure functions, no I/O)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from grader.result import Result

from .projects import ProjectState
from .queries import AssignmentStats, HomeworkLine, StudentStatus
from .service import Refused, StoredSubmission
from .texts import duration, moment, number, reason, say


def _fields(fields: dict[str, object], tz: ZoneInfo) -> dict[str, object]:
    return {k: moment(v, tz) if isinstance(v, datetime) else v for k, v in fields.items()}


def refusal(lang: str, refused: Refused, tz: ZoneInfo) -> str:
    return say(lang, refused.reason, **_fields(refused.fields, tz))


def submitted(lang: str, result: StoredSubmission, tz: ZoneInfo) -> str:
    if result.deadline is None:
        lateness = say(lang, "no_deadline")
    elif result.days_late > 0:
        lateness = say(lang, "late", late=duration(result.days_late * 86400, lang),
                       deadline=moment(result.deadline, tz), multiplier=number(result.multiplier))
    else:
        lateness = say(lang, "on_time", deadline=moment(result.deadline, tz))
    text = say(lang, "submitted", assignment=result.assignment, repo=result.repo_full_name,
               sha=result.commit_sha[:7], received=moment(result.received_at, tz),
               lateness=lateness)
    text += say(lang, "not_checked") if not result.checked else ""
    return text + (say(lang, "replaced") if result.replaced and not result.duplicate else "")


def project(lang: str, state: ProjectState) -> str:
    if state.state == "solo":
        return say(lang, "project_solo", repo=state.repo_full_name, sha=state.commit_sha[:7])
    if state.state == "waiting":
        partner = ", ".join(state.waiting_for)
        return say(lang, "project_waiting", repo=state.repo_full_name, partner=partner)
    return say(lang, "project_confirmed", repo=state.repo_full_name, members=", ".join(state.members))


def _homework(lang: str, line: HomeworkLine, tz: ZoneInfo) -> str:
    result = line.result
    if line.received_at is None:
        if result is not None and result.status == "not_due" and result.deadline is not None:
            return say(lang, "status_not_due", assignment=line.assignment, deadline=moment(result.deadline, tz))
        return say(lang, "status_none", assignment=line.assignment)
    late = say(lang, "status_late", late=duration(line.days_late * 86400, lang)) if line.days_late > 0 else ""
    head = say(lang, "status_sub", assignment=line.assignment, sha=line.commit_sha[:7],
               received=moment(line.received_at, tz), late=late)
    return f"{head} — {result_state(lang, result)}" if result is not None else head


def result_state(lang: str, result: Result) -> str:
    """A submitted assignment's ``grader.result.Result`` in a few words, with what to do when it failed."""
    why = reason(lang, result.reason, result.params)
    fix = "" if result.due else f" {say(lang, 'st_fix')}"
    if result.status in ("graded", "failed") and result.mark is not None and not result.released:
        return say(lang, "st_unreleased")
    if result.status in ("graded", "failed") and result.mark is not None:
        state = say(lang, "st_graded", score=number(result.points), max_score=number(result.max_points),
                    mark=number(result.mark))
        if result.pending_manual:
            state += "; " + say(lang, "st_graded_pending")
        if result.gpu_skipped:
            state += "; " + say(lang, "st_gpu_skipped")
        if result.status == "failed":
            state = say(lang, "st_problem", reason=why) + "; " + state + fix
        return state
    if result.status == "fetch_failed":
        return say(lang, "st_failed", reason=why) + fix
    if result.status == "collected" and result.reason == "checked":
        return say(lang, "st_checked", passed=result.params.get("passed", "?"), total=result.params.get("total", "?"))
    if result.status == "collected":
        return say(lang, "st_collected") + (f" ({why})" if result.reason else "")
    return say(lang, "st_pinned") + (f" ({why})" if result.reason else "")


def _project_line(lang: str, state: ProjectState | None) -> str:
    if state is None:
        return say(lang, "status_project_none")
    if state.waiting_for:
        status = say(lang, "project_state_waiting", who=", ".join(state.waiting_for))
    elif state.defence is not None:
        status = say(lang, "project_state_defended", defence=number(state.defence))
    else:
        status = say(lang, "project_state_confirmed")
    return say(lang, "status_project", repo=state.repo_full_name, members=", ".join(state.members), state=status)


def status(lang: str, report: StudentStatus, tz: ZoneInfo) -> str:
    lines = [say(lang, "status_head", student=report.student_id, login=report.github_login), ""]
    lines += [_homework(lang, line, tz) for line in report.homework]
    withheld = any(line.result is not None and not line.result.released for line in report.homework)
    lines += ["", say(lang, "status_h_withheld") if withheld else
              say(lang, "status_h", h=number(report.homework_mean), points=number(report.homework_points)),
              _project_line(lang, report.project)]
    return "\n".join(lines)


def stats(lang: str, registered: int, rows: list[AssignmentStats]) -> str:
    lines = [say(lang, "stats_head", registered=registered)]
    lines += [say(lang, "stats_line", assignment=r.assignment, submitted=r.submitted, late=r.late, graded=r.graded,
                  failed=r.failed) for r in rows]
    return "\n".join(lines)


def result_text(lang: str, result: Result) -> str:
    """One assignment's result as a message of its own."""
    extra = ""
    if result.days_late > 0:
        extra += say(lang, "result_late", late=duration(result.days_late * 86400, lang),
                     multiplier=number(result.multiplier))
    if result.pending_manual:
        extra += say(lang, "result_pending")
    if result.gpu_skipped:
        extra += say(lang, "result_gpu_skipped")
    fix = "" if result.due else " " + say(lang, "st_fix")
    why = reason(lang, result.reason, result.params)
    if result.status in ("graded", "failed") and result.mark is not None and not result.released:
        return say(lang, "result_unreleased", assignment=result.assignment)
    if result.status in ("graded", "failed") and result.mark is not None and result.max_points:
        text = say(lang, "result_graded", assignment=result.assignment, score=number(result.points),
                   max_score=number(result.max_points), mark=number(result.mark), extra=extra)
        if result.status == "failed":
            text = say(lang, "result_problem", assignment=result.assignment, reason=why) + " " + text + fix
        return text
    if result.status == "failed":
        return say(lang, "result_problem", assignment=result.assignment, reason=why) + fix
    if result.status == "fetch_failed":
        return say(lang, "result_fetch_failed", assignment=result.assignment, reason=why) + fix
    return say(lang, "result_waiting", assignment=result.assignment) + (f" ({why})" if result.reason else "")
