"""The class list: nbgrader's student CSV into the gradebook, and one-time registration codes for the bot."""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import os
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


def _delimiter(header: str) -> str:
    """',' (nbgrader's) or ';' (what Excel writes in a Russian locale), whichever the header line uses."""
    return ";" if header.count(";") > header.count(",") else ","


def parse_roster(raw: bytes) -> list[RosterEntry]:
    """Validate a whole roster CSV before anything is written. Errors name the line."""
    text = _decode(raw)
    if not text.strip():
        raise RosterError("the file is empty: it needs a header line with an 'id' column and one line per "
                          "student", line=1)
    delimiter = _delimiter(text.splitlines()[0])
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "id" not in header:
        raise RosterError(f"no 'id' column in the header (found: {', '.join(header) or 'nothing'}, separated by "
                          f"{delimiter!r}); nbgrader's student CSV needs id and may have first_name, last_name, "
                          "email, separated by ',' or ';'", line=1)
    unknown = [h for h in header if h not in ("id", *FIELDS)]
    if unknown:
        hints = [f"{h!r} (did you mean {near[0]!r}?)" if (near := difflib.get_close_matches(h, FIELDS, 1)) else
                 repr(h) for h in unknown]
        raise RosterError(f"unknown column {', '.join(hints)}: the roster may have only id, first_name, last_name "
                          "and email; rename or delete it and import again (nothing was imported)", line=1)
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


CODES_HEADER = ["id", "first_name", "last_name", "email", "code"]


def issue_codes(course: CourseFolder, out: Path, *, students: list[str] | None = None) -> int:
    """Give every student without a code a one-time code, or with ``students`` a new code to each of them (the
    old one stops working; a registered account stays linked until the new code is used), and merge them into
    ``out`` (id, names, email, code; readable only by its owner): rows already there are kept, a reissued
    student's row replaced. Students removed from the class get none. Codes are stored only as hashes.
    Returns how many were issued."""
    from grader.store.term import Withdrawal

    everyone = {s.id: s for s in roster(course)}
    if not everyone:
        raise RosterError("the roster is empty: run 'grader roster import FILE.csv' first")
    unknown = [s for s in students or [] if s not in everyone]
    if unknown:
        raise RosterError(f"not on the roster: {', '.join(unknown)} (see 'grader roster list')")
    now = datetime.now(UTC)
    rows = []
    with session_scope(course.database_url) as session:
        removed = {w.student_id for w in session.scalars(select(Withdrawal))}
        existing = {c.student_id: c for c in session.scalars(select(RegistrationCode))}
        for student in everyone.values():
            current = existing.get(student.id)
            if students is not None:
                if student.id not in students:
                    continue
            elif current is not None or student.id in removed:
                continue
            code = new_code()
            if current is None:
                session.add(RegistrationCode(student_id=student.id, code_hash=hash_code(code), issued_at=now))
            else:
                current.code_hash, current.issued_at = hash_code(code), now
                current.used_at, current.telegram_id = None, None
            rows.append((student, code))
        session.flush()
        _merge_codes(out, [[s.id, s.first_name or "", s.last_name or "", s.email or "", code] for s, code in rows])
    return len(rows)


def _merge_codes(out: Path, new_rows: list[list[str]]) -> None:
    """``out`` with ``new_rows`` merged in by id, written whole to a private file (mode 600), then renamed."""
    merged: dict[str, list[str]] = {}
    if out.exists():
        try:
            with out.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    if row.get("id"):
                        merged[row["id"]] = [row.get(k) or "" for k in CODES_HEADER]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise RosterError(f"cannot read the codes already in {out} ({exc}); move it away or name another "
                              "file with --out: nothing was issued") from exc
    for row in new_rows:
        merged[row[0]] = row
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(CODES_HEADER)
        writer.writerows(merged.values())
    os.replace(temporary, out)
