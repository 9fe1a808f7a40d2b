"""The report's "needs attention" lines for similar code, read from what ``grader similarity hwN`` wrote
(``gradebook/similarity/hwN.json``): the report never recomputes. A pair of students is one line that belongs
to both (``"s01 + s07"``, like a pair's project); a match with the archive or the reference names the student."""

from __future__ import annotations

import json

from grader.course import CourseFolder
from grader.report.model import Attention

KIND = "similarity"


def _pct(value: float) -> str:
    return f"{float(value) * 100:.0f} %"


def similarity_attention(course: CourseFolder) -> list[Attention]:
    folder = course.gradebook_dir / "similarity"
    out: list[Attention] = []
    for assignment in course.settings.assignments:
        path = folder / f"{assignment}.json"
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            pairs = list(data["flagged"])
            page = f"gradebook/similarity/{data.get('page', assignment + '.html')}"
        except (OSError, ValueError, KeyError, TypeError):
            out.append(Attention(KIND, "", assignment, f"{path} cannot be read: run grader similarity {assignment} "
                                 "again"))
            continue
        for pair in pairs:
            a, b, kind = str(pair["a"]), str(pair["b"]), str(pair.get("kind_b", "student"))
            other = {"reference": "the reference solution", "archive": f"an earlier term's {b.removeprefix('archive:')}"
                     }.get(kind, b)
            who = f"{a} + {b}" if kind == "student" else a
            out.append(Attention(KIND, who, assignment, f"similar code: {a} and {other}, {_pct(pair['similarity'])} "
                                 f"({_pct(pair['share_a'])} of {a}'s code and {_pct(pair['share_b'])} of the other's "
                                 f"match); side by side in {page}"))
    return out
