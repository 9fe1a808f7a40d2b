from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grader.cli import main
from grader.course import open_course
from grader.enrolment import roster_lines
from grader.errors import RosterError
from grader.report.build import build_report
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
    assert [r["code"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))] == codes  # nothing overwritten


def test_codes_need_a_roster(tiny_course: Path) -> None:
    with pytest.raises(RosterError, match="roster import"):
        issue_codes(open_course(tiny_course), tiny_course / "codes.csv")


def test_late_enrolment_merges_into_the_codes_file_which_only_its_owner_reads(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    import_roster(course, write(tiny_course / "r.csv", "id\na\nb\n"))
    out = tiny_course / "codes.csv"
    issue_codes(course, out)
    first = {r["id"]: r["code"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    import_roster(course, write(tiny_course / "late.csv", "id,last_name\nc,Поздний\n"))
    assert issue_codes(course, out) == 1
    rows = {r["id"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert {k: rows[k]["code"] for k in ("a", "b")} == first and rows["c"]["last_name"] == "Поздний"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_reissue_for_one_student_replaces_only_their_code(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    import_roster(course, write(tiny_course / "r.csv", "id\na\nb\n"))
    out = tiny_course / "codes.csv"
    out.write_text("id,first_name,last_name,email,code\n", encoding="utf-8")
    out.chmod(0o644)
    issue_codes(course, out)
    before = {r["id"]: r["code"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert issue_codes(course, out, students=["b"]) == 1
    after = {r["id"]: r["code"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert after["a"] == before["a"] and after["b"] != before["b"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with pytest.raises(RosterError, match="not on the roster: zz"):
        issue_codes(course, out, students=["zz"])


@pytest.mark.parametrize(("text", "message"), [
    ("id,surname\na,X\n", "unknown column 'surname'"),
    ("id,frist_name\na,X\n", "'frist_name' \\(did you mean 'first_name'\\?\\)"),
    ("name;email\nx;y\n", "separated by ';'"),
])
def test_roster_header_problems_name_the_column_or_the_separator(tiny_course: Path, text: str,
                                                                 message: str) -> None:
    with pytest.raises(RosterError, match=message):
        import_roster(open_course(tiny_course), write(tiny_course / "r.csv", text))


def test_semicolon_roster_from_excel_is_read(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    import_roster(course, write(tiny_course / "r.csv", "id;first_name;last_name;email\nivanov;Иван;Иванов;i@x.ru\n"))
    assert [(s.id, s.first_name, s.email) for s in roster(course)] == [("ivanov", "Иван", "i@x.ru")]


def test_removed_student_is_listed_gets_no_code_and_leaves_the_report(tiny_course: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    course = open_course(tiny_course)
    import_roster(course, write(tiny_course / "r.csv", "id,first_name\na,Анна\nb,Борис\n"))
    root = str(tiny_course)
    assert main(["--course", root, "roster", "remove", "b", "--reason", "left the course"]) == 0
    assert main(["--course", root, "roster", "remove", "b"]) == 0
    assert "already removed" in capsys.readouterr().out
    assert issue_codes(course, tiny_course / "codes.csv") == 1
    assert [s.student for s in build_report(course).rows] == ["a"]
    assert [(line.removed, line.removed_reason) for line in roster_lines(course)] == [
        (False, ""), (True, "left the course")]
    assert main(["--course", root, "roster", "list"]) == 0
    out = capsys.readouterr().out
    assert "Анна" in out and "1 students in the class (1 removed)" in out
    assert main(["--course", root, "roster", "remove", "b", "--undo"]) == 0
    assert [s.student for s in build_report(course).rows] == ["a", "b"]


def test_roster_verbs_refuse_unknown_students_and_bad_arguments(tiny_course: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    course = open_course(tiny_course)
    import_roster(course, write(tiny_course / "r.csv", "id\na\n"))
    root = str(tiny_course)
    assert main(["--course", root, "roster", "remove", "nobody"]) == 1
    assert "'nobody' is not on the roster" in capsys.readouterr().err
    assert main(["--course", root, "roster", "codes", "--student", "nobody"]) == 1
    assert "not on the roster: nobody" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["--course", root, "roster", "remove"])
    assert info.value.code == 2
    for verb in (["roster", "list"], ["roster", "remove"], ["roster", "codes"], ["bot", "unlink"]):
        with pytest.raises(SystemExit) as info:
            main([*verb, "--help"])
        assert info.value.code == 0
