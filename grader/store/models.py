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
