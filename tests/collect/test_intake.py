"""The notebook check at intake (pure: entries and their contents, no server)."""

from __future__ import annotations

from fakes.github_api import notebook

from grader.collect.intake import Accepted, Refusal, Release, check_tree, matches
from grader.github import TreeEntry

HW1 = frozenset({"setup", "blur", "test_blur"})
HW2 = frozenset({"setup", "mlp", "test_mlp"})
RELEASE = Release("hw2.ipynb", HW2, {"hw1": HW1})


def _check(files: dict[str, str], pattern: str = "{assignment}.ipynb", max_bytes: int = 10**6) -> Accepted | Refusal:
    entries = [TreeEntry(path=p, mode="100644", kind="blob", object=f"o{i}", size=len(c.encode()))
               for i, (p, c) in enumerate(files.items())]
    blobs = {e.object: files[e.path].encode() for e in entries}
    return check_tree(entries, lambda e: blobs[e.object], "hw2", RELEASE, pattern, max_bytes)


def test_the_homeworks_notebook_anywhere_is_accepted() -> None:
    assert _check({"hw1/hw1.ipynb": notebook(sorted(HW1)), "course/hw2/hw2.ipynb": notebook(sorted(HW2))}) == \
        Accepted("course/hw2/hw2.ipynb")


def test_each_refusal_has_its_code_and_the_fields_of_its_text() -> None:
    cases = {
        "notebook_missing": {"README.md": "hi"},
        "notebook_not_json": {"hw2.ipynb": "{oops"},
        "notebook_other_assignment": {"hw1/hw1.ipynb": notebook(sorted(HW1))},
        "notebook_foreign": {"hw2.ipynb": notebook(["unrelated"])},
        "notebook_ambiguous": {"a/hw2.ipynb": notebook(sorted(HW2)), "b/hw2.ipynb": notebook(sorted(HW2), "y = 2")},
        "notebook_elsewhere": {"work/mine.ipynb": notebook(sorted(HW2))},
    }
    for code, files in cases.items():
        verdict = _check(files)
        assert isinstance(verdict, Refusal) and verdict.code == code, (code, verdict)
        assert verdict.params["assignment"] == "hw2"
    other = _check(cases["notebook_other_assignment"])
    assert isinstance(other, Refusal) and other.params["other"] == "hw1"


def test_a_notebook_over_the_limit_is_refused_unread() -> None:
    verdict = _check({"hw2.ipynb": notebook(sorted(HW2), extra_cells=50)}, max_bytes=200)
    assert isinstance(verdict, Refusal) and verdict.code == "notebook_too_large"


def test_the_pattern_names_the_file_anywhere_or_the_whole_path() -> None:
    assert matches("{assignment}.ipynb", "hw2", "deep/er/HW2.ipynb")
    assert not matches("{assignment}.ipynb", "hw2", "hw2-final.ipynb")
    assert matches("{assignment}/*.ipynb", "hw2", "hw2/solution.ipynb")
    assert not matches("{assignment}/*.ipynb", "hw2", "other/hw2/solution.ipynb")
    assert _check({"hw2/solution.ipynb": notebook(sorted(HW2))}, pattern="{assignment}/*.ipynb") == \
        Accepted("hw2/solution.ipynb")
