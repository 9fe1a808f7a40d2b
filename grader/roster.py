"""The class list: nbgrader's student CSV into the gradebook, and one-time registration codes for the bot."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nbgrader.api import Gradebook, Student
from sqlalchemy import select

from grader.course import CourseFolder
from grader.errors import RosterError
from grader.store.db import session_scope
from grader.store.models import RegistrationCode

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
FIELDS = ("first_name", "last_name", "email")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@dataclass(frozen=True)
class RosterEntry:
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RosterError("the file is not UTF-8 (save it as 'CSV UTF-8' and import again); nothing was "
                          "imported", line=line) from exc


def parse_roster(raw: bytes) -> list[RosterEntry]:
    """Validate a whole roster CSV before anything is written. Errors name the line."""
    text = _decode(raw)
    if not text.strip():
        raise RosterError("the file is empty: it needs a header line with an 'id' column and one line per "
                          "student", line=1)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "id" not in header:
        raise RosterError(f"no 'id' column in the header (found: {', '.join(header) or 'nothing'}); nbgrader's "
                          "student CSV needs id and may have first_name, last_name, email", line=1)
    reader.fieldnames = header
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise RosterError("more values than header columns (a comma inside a name needs quotes)", line=line)
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        student = values.get("id", "")
        if not STUDENT_ID.match(student):
            raise RosterError(f"student id {student!r} is empty or has characters other than letters, digits, "
                              "'.', '_' and '-'", line=line)
        if student in seen:
            raise RosterError(f"duplicate id {student!r} (first on line {seen[student]})", line=line)
        seen[student] = line
        entries.append(RosterEntry(student, *(values.get(f) or None for f in FIELDS)))
    if not entries:
        raise RosterError("the file has a header but no students", line=2)
    return entries


def import_roster(course: CourseFolder, path: Path) -> list[RosterEntry]:
    """Import (or update) every student of ``path`` into the gradebook, all or nothing."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RosterError(f"cannot read {path}: {exc.strerror}") from exc
    entries = parse_roster(raw)
    course.gradebook_dir.mkdir(parents=True, exist_ok=True)
    with Gradebook(course.gradebook_url) as gb:
        try:
            for entry in entries:
                student = gb.db.query(Student).filter(Student.id == entry.id).one_or_none()
                if student is None:
                    student = Student(id=entry.id)
                    gb.db.add(student)
                for name in FIELDS:
                    value = getattr(entry, name)
                    if value is not None:
                        setattr(student, name, value)
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise
    return entries


def roster(course: CourseFolder) -> list[RosterEntry]:
    with Gradebook(course.gradebook_url) as gb:
        return [RosterEntry(s.id, s.first_name, s.last_name, s.email) for s in gb.students]


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def issue_codes(course: CourseFolder, out: Path, *, reissue: bool = False) -> int:
    """Give every student without a code (all unused ones with ``reissue``) a new one-time code and write
    ``out`` (id, names, email, code) for mailing. Codes are stored only as hashes. Returns how many."""
    students = roster(course)
    if not students:
        raise RosterError("the roster is empty: run 'grader roster import FILE.csv' first")
    now = datetime.now(UTC)
    rows = []
    with session_scope(course.database_url) as session:
        existing = {c.student_id: c for c in session.scalars(select(RegistrationCode))}
        for student in students:
            current = existing.get(student.id)
            if current is not None and (current.used_at is not None or not reissue):
                continue
            code = new_code()
            if current is None:
                session.add(RegistrationCode(student_id=student.id, code_hash=hash_code(code), issued_at=now))
            else:
                current.code_hash, current.issued_at = hash_code(code), now
            rows.append((student, code))
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "first_name", "last_name", "email", "code"])
            for student, code in rows:
                writer.writerow([student.id, student.first_name or "", student.last_name or "", student.email or "",
                                 code])
    return len(rows)
