"""Tables of the grader's own database. Students themselves live in nbgrader's gradebook."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
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
