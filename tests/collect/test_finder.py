"""Choosing the student's notebook in a tree (pure: entries and their contents, no server)."""

from __future__ import annotations

from fakes.github_api import notebook

from grader.collect.finder import Found, Missing, find_notebook
from grader.github import TreeEntry

IDS = frozenset({"add", "test_add"})


def _tree(files: dict[str, str], mode: str = "100644") -> tuple[list[TreeEntry], dict[str, bytes]]:
    entries = [TreeEntry(path=p, mode=mode, kind="blob", object=f"o{i}", size=len(c.encode()))
               for i, (p, c) in enumerate(files.items())]
    return entries, {e.object: files[e.path].encode() for e in entries}


def _find(files: dict[str, str], max_bytes: int = 10**6) -> Found | Missing:
    entries, blobs = _tree(files)
    return find_notebook(entries, lambda e: blobs[e.object], "hw1.ipynb", IDS, max_bytes)


def test_the_exact_name_at_the_top_wins_over_a_deeper_copy() -> None:
    found = _find({"old/hw1.ipynb": notebook(["add", "test_add"]), "hw1.ipynb": notebook(["add", "test_add"])})
    assert isinstance(found, Found) and found.path == "hw1.ipynb"


def test_more_matching_cell_ids_beat_the_name() -> None:
    found = _find({"hw1.ipynb": notebook(["add"]), "work/copy.ipynb": notebook(["add", "test_add"])})
    assert isinstance(found, Found) and found.path == "work/copy.ipynb" and "saved as 'hw1.ipynb'" in found.note


def test_checkpoints_are_never_taken() -> None:
    found = _find({".ipynb_checkpoints/hw1-checkpoint.ipynb": notebook(["add", "test_add"]),
                   "hw1.ipynb": notebook(["add"])})
    assert isinstance(found, Found) and found.path == "hw1.ipynb"


def test_an_unrelated_notebook_is_not_taken_for_the_homework() -> None:
    missing = _find({"lecture.ipynb": notebook(["something_else"])})
    assert isinstance(missing, Missing) and missing.kind == "notebook_missing" and "lecture.ipynb" in missing.reason


def test_a_broken_copy_is_skipped_when_a_valid_one_exists() -> None:
    found = _find({"hw1.ipynb": "{not json", "final/hw1.ipynb": notebook(["add"])})
    assert isinstance(found, Found) and found.path == "final/hw1.ipynb"


def test_json_that_is_not_a_notebook_is_reported() -> None:
    missing = _find({"hw1.ipynb": "[1, 2, 3]"})
    assert isinstance(missing, Missing) and missing.kind == "notebook_not_json" and "not a Jupyter" in missing.reason


def test_an_oversized_notebook_is_not_read() -> None:
    missing = _find({"hw1.ipynb": notebook(["add"], extra_cells=50)}, max_bytes=100)
    assert isinstance(missing, Missing) and missing.kind == "notebook_too_large"


def test_the_repository_holding_no_notebook_says_so() -> None:
    missing = _find({"README.md": "hello"})
    assert isinstance(missing, Missing) and "holds no notebook at all" in missing.reason


HW1 = ["setup", "intro", "test_gpu", "blur", "test_blur"]  # the shared ids come first, as in the course
HW2 = ["setup", "intro", "test_gpu", "mlp", "test_mlp"]


def _find_hw2(files: dict[str, str]) -> Found | Missing:
    entries, blobs = _tree(files)
    return find_notebook(entries, lambda e: blobs[e.object], "hw2.ipynb", frozenset(HW2), 10**6,
                         {"hw1": frozenset(HW1)})


def test_another_homeworks_notebook_is_never_taken_for_this_one() -> None:
    missing = _find_hw2({"hw1/hw1.ipynb": notebook(HW1)})
    assert isinstance(missing, Missing) and missing.kind == "notebook_other_assignment"
    assert missing.other == "hw1" and missing.path == "hw1/hw1.ipynb"


def test_the_homework_is_found_beside_the_others_in_one_repository() -> None:
    found = _find_hw2({"hw1/hw1.ipynb": notebook(HW1), "hw2/hw2.ipynb": notebook(HW2)})
    assert isinstance(found, Found) and found.path == "hw2/hw2.ipynb"


def test_a_notebook_named_like_the_homework_but_of_another_is_refused() -> None:
    missing = _find_hw2({"hw2.ipynb": notebook(HW1)})
    assert isinstance(missing, Missing) and missing.kind == "notebook_other_assignment" and missing.other == "hw1"


def test_a_notebook_named_like_the_homework_with_none_of_its_cells_is_refused() -> None:
    missing = _find_hw2({"hw2.ipynb": notebook(["something_else"])})
    assert isinstance(missing, Missing) and missing.kind == "notebook_foreign"


def test_two_different_equally_good_notebooks_are_an_ambiguity_not_a_guess() -> None:
    missing = _find_hw2({"a/hw2.ipynb": notebook(HW2), "b/hw2.ipynb": notebook(HW2, source="y = 2")})
    assert isinstance(missing, Missing) and missing.kind == "notebook_ambiguous"
    assert "a/hw2.ipynb" in missing.reason and "b/hw2.ipynb" in missing.reason
