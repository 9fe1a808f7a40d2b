"""Tables for running a term: who left the class, refused registration attempts, per-student deadline
extensions, regrade appeals, reminders sent and students who muted them, assignments whose grades are
released. Same ``Base`` as ``models.py`` (``db.py`` imports this module so that ``create_all`` makes them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from grader.store.models import Base


class Withdrawal(Base):
    """A student removed from the class (``grader roster remove``): kept in history, left out of reports."""

    __tablename__ = "withdrawals"

    student_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    removed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(2000), default="")


class RegistrationAttempt(Base):
    """A refused ``/register`` with a valid code (used already, or the account is linked to someone else):
    who tried it, so that ``grader bot unlink`` can tell that account its code works again."""

    __tablename__ = "registration_attempts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(String(128), index=True)
    telegram_id: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Extension(Base):
    """A per-student deadline for one assignment (``grader extend``); it replaces the course deadline."""

    __tablename__ = "extensions"

    student_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    assignment: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(2000), default="")
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Appeal(Base):
    """A regrade request (``/appeal hwN TEXT``) and the instructor's answer (``grader appeals answer``).

    notified_at: when the answer reached the student through the bot (None: not yet)."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(String(128), index=True)
    assignment: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(4000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(String(4000), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ReminderSent(Base):
    """A deadline reminder claimed for (student, assignment, deadline): written before sending, so a restart
    never sends it twice (a crash between the claim and the send loses that one reminder, never doubles it)."""

    __tablename__ = "reminders_sent"

    student_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    assignment: Mapped[str] = mapped_column(String(64), primary_key=True)
    deadline: Mapped[str] = mapped_column(String(40), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Muted(Base):
    """A student who turned reminders off with ``/mute`` (``/unmute`` deletes the row)."""

    __tablename__ = "muted"

    student_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    muted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReleasedGrades(Base):
    """Whether an assignment's hidden-test results and marks reach the students (``grader.grade_release``).

    state: released | withheld (``grader release-grades hwN --undo``: no policy releases it until released by
    hand); how: deadline | manual_done | by_hand; announced_at: when the serving loop told everyone (None: not yet).
    """

    __tablename__ = "grade_releases"

    assignment: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="released")
    how: Mapped[str] = mapped_column(String(16), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
