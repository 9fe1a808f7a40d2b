from __future__ import annotations

import csv
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grader.course import open_course
from grader.errors import RosterError
from grader.roster import hash_code, import_roster, issue_codes, roster


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_import_takes_nbgrader_student_csv_with_cyrillic_names(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    path = write(tiny_course / "r.csv", "\ufeffid,first_name,last_name,email\nivanov,Иван,Иванов,i@x.ru\npetrova,,,\n")
    import_roster(course, path)
    assert {(s.id, s.last_name) for s in roster(course)} == {("ivanov", "Иванов"), ("petrova", None)}


@pytest.mark.parametrize(("text", "encoding", "message", "line"), [
    ("", "utf-8", "empty", 1),
    ("name,email\nx,y\n", "utf-8", "no 'id' column", 1),
    ("id\na\nb\na\n", "utf-8", "duplicate id 'a' \\(first on line 2\\)", 4),
    ("id,last_name\na,Иванов\nb,Петров\n", "cp1251", "not UTF-8", 2),
    ("id\na\n../etc\n", "utf-8", "student id '../etc'", 3),
    ("id\n", "utf-8", "no students", 2),
])
def test_bad_file_is_refused_with_the_line_and_nothing_is_imported(tiny_course: Path, text: str, encoding: str,
                                                                   message: str, line: int) -> None:
    course = open_course(tiny_course)
    with pytest.raises(RosterError, match=message) as info:
        import_roster(course, write(tiny_course / "r.csv", text, encoding))
    assert info.value.line == line
    with Gradebook(course.gradebook_url) as gb:
        assert gb.students == []


def test_codes_are_one_per_student_stored_hashed_and_not_reissued(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    import_roster(course, write(tiny_course / "r.csv", "id\na\nb\n"))
    out = tiny_course / "codes.csv"
    assert issue_codes(course, out) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["id"] for r in rows] == ["a", "b"]
    codes = [r["code"] for r in rows]
    assert len(set(codes)) == 2
    db_bytes = b"".join(p.read_bytes() for p in course.gradebook_dir.glob("course.db*"))
    assert codes[0].encode() not in db_bytes and hash_code(codes[0]).encode() in db_bytes
    assert issue_codes(course, out) == 0
    assert issue_codes(course, out, reissue=True) == 2


def test_codes_need_a_roster(tiny_course: Path) -> None:
    with pytest.raises(RosterError, match="roster import"):
        issue_codes(open_course(tiny_course), tiny_course / "codes.csv")
