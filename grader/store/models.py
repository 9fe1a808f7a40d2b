"""Tables of the grader's own database. Students themselves live in nbgrader's gradebook."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RegistrationCode(Base):
    """A one-time code that links a Telegram account to a roster entry. Only the code's hash is stored."""

    __tablename__ = "registration_codes"

    student_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    telegram_id: Mapped[int | None] = mapped_column(nullable=True)


class GradingResult(Base):
    """The outcome of autograding one submission: never absent for a submission that was attempted.

    status: graded | timeout | kernel_died | memory_limit | tampering | invalid_notebook | missing | waiting_gpu
    """

    __tablename__ = "grading_results"

    assignment: Mapped[str] = mapped_column(String(64), primary_key=True)
    student: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(4000), default="")
    flags: Mapped[str] = mapped_column(String(4000), default="[]")
    evidence: Mapped[str] = mapped_column(String(16000), default="[]")
    cells: Mapped[str] = mapped_column(String(16000), default="{}")
    device: Mapped[str] = mapped_column(String(128), default="cpu")
    worker: Mapped[str] = mapped_column(String(256), default="")
    wall_seconds: Mapped[float] = mapped_column(default=0.0)
    input_hash: Mapped[str] = mapped_column(String(64), default="")
    graded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    log_path: Mapped[str] = mapped_column(String(1024), default="", server_default="")


class Registration(Base):
    """A Telegram account linked to a roster entry (one account per student, one student per account)."""

    __tablename__ = "registrations"

    student_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(unique=True)
    github_login: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="ru")
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    """One link a student sent for an assignment, pinned to the head commit when it was received.

    Only one submission per (student, assignment) is active; resubmitting deactivates the previous one and
    keeps it as history. ``received_at`` (the system's clock) decides lateness, never a commit date.
    ``source_key`` makes a retried delivery (the same Telegram update) idempotent.
    status: pinned | collected | failed (with ``reason``)
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(String(128), index=True)
    assignment: Mapped[str] = mapped_column(String(64), index=True)
    repo_url: Mapped[str] = mapped_column(String(512))
    repo_full_name: Mapped[str] = mapped_column(String(256))
    commit_sha: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(default=True, index=True)
    status: Mapped[str] = mapped_column(String(32), default="pinned")
    reason: Mapped[str] = mapped_column(String(2000), default="")
    source_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)


class Project(Base):
    """A final project: one repository, one or two members (both get the project's marks).

    members: comma-separated student ids; confirmed: comma-separated ids of members who confirmed.
    defence: the instructor's defence mark (0..8) or None; bonuses: comma-separated confirmed criteria.
    """

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    repo_url: Mapped[str] = mapped_column(String(512))
    repo_full_name: Mapped[str] = mapped_column(String(256))
    commit_sha: Mapped[str] = mapped_column(String(64), default="")
    members: Mapped[str] = mapped_column(String(512))
    confirmed: Mapped[str] = mapped_column(String(512), default="")
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    defence: Mapped[float | None] = mapped_column(nullable=True)
    bonuses: Mapped[str] = mapped_column(String(512), default="")
    checks: Mapped[str] = mapped_column(String(16000), default="{}")


class SubmissionEvent(Base):
    """One transition in a submission's life (``grader.lifecycle``): the state it entered, when, and why as a
    code with its parameters (JSON), so every view can say it in the reader's language."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    state: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(64), default="")
    params: Mapped[str] = mapped_column(String(2000), default="{}")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """A message owed to a student (``grader.outbox``): written in the same transaction as the transition that
    caused it, marked sent only when Telegram confirmed it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    student_id: Mapped[str] = mapped_column(String(128))
    assignment: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(default=0)


class ServeHeartbeat(Base):
    """What ``grader serve`` is doing, rewritten on every look at the queue (``grader.serve.status``): one row
    per course database; ``state`` is JSON (slots, jobs in flight, queue length)."""

    __tablename__ = "serve_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    pid: Mapped[int] = mapped_column(default=0)
    alive: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(64000), default="{}")


class VisibleCheck(Base):
    """The last visible-tests run of a submission before the deadline (``grader serve``'s check stage): what the
    student was told, and nothing of the hidden tests. ``tests`` is JSON."""

    __tablename__ = "visible_checks"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    tests: Mapped[str] = mapped_column(String(64000), default="[]")
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
