"""Normalisation: each thing copiers do leaves the token stream (nearly) unchanged, independent solutions stay
apart, and what does not count (template, comments, prints, dead code) is not in the stream."""

from __future__ import annotations

import pytest

from grader.demo import plant
from grader.similarity.extract import Cell, Source, template_lines
from grader.similarity.normalize import normalize
from grader.similarity.run import Params, compare_documents
from similarity.classroom import INDEPENDENT, REFERENCE, STUB, TEMPLATE, indent, method_body

API = frozenset({"column_stats", "moving_average", "Vocabulary"})


def cell_code(cid: str, body: str) -> str:
    head, pad = TEMPLATE[cid]
    if cid == "vocab" and body != STUB:
        body = method_body(body)
    return head + indent(body, pad)


def source(name: str, codes: dict[str, str]) -> Source:
    release = {cid: cell_code(cid, STUB) for cid in TEMPLATE}
    cells = tuple(Cell(cid, code, template_lines(code, release[cid])) for cid, code in codes.items())
    return Source(name, "student", cells, frozenset({"column_stats", "moving_average", "Vocabulary"}))


def release_doc():  # type: ignore[no-untyped-def]
    return normalize(Source("release", "release", tuple(Cell(c, cell_code(c, STUB), frozenset()) for c in TEMPLATE),
                            frozenset()), API)


def similarity(a: dict[str, str], b: dict[str, str]) -> tuple[float, float, float]:
    ranked, _ = compare_documents([normalize(source("a", a), API), normalize(source("b", b), API)],
                                  Params(kgram=8, window=4), release_doc())
    return (ranked[0].similarity, ranked[0].share_a, ranked[0].share_b) if ranked else (0.0, 0.0, 0.0)


REFERENCE_CODE = {cid: cell_code(cid, body) for cid, body in REFERENCE.items()}


@pytest.mark.parametrize("transform", ["identical", "rename", "reorder", "reformat", "comment", "prints",
                                       "dead_code", "all"])
def test_a_transformed_copy_still_matches(transform: str) -> None:
    copy = {cid: plant.apply(transform, code, API, seed=3) for cid, code in REFERENCE_CODE.items()}
    if transform != "identical":
        assert copy != REFERENCE_CODE, "the transformation changed nothing: the test would prove nothing"
    score, _, _ = similarity(REFERENCE_CODE, copy)
    assert score >= 0.85, f"{transform}: {score}"


def test_independent_solutions_stay_apart() -> None:
    students = [REFERENCE_CODE] + [{cid: cell_code(cid, body) for cid, body in s.items()} for s in INDEPENDENT]
    for i, a in enumerate(students):
        for b in students[i + 1:]:
            assert similarity(a, b)[0] < 0.25


def test_a_half_copy_shows_on_both_sides() -> None:
    other = {cid: cell_code(cid, body) for cid, body in INDEPENDENT[0].items()}
    half = {**other, "vocab": plant.apply("all", REFERENCE_CODE["vocab"], API, seed=1)}
    score, share_a, share_b = similarity(REFERENCE_CODE, half)
    assert 0.3 <= share_a <= 0.8 and 0.3 <= share_b <= 0.8 and score >= 0.35


def tokens(code: str) -> tuple[str, ...]:
    return normalize(Source("x", "student", (Cell("c", code, frozenset()),), frozenset({"f"}))).tokens


def test_names_literals_and_layout_do_not_count() -> None:
    assert tokens("def f(a, b):\n    return a * 2 + b['k']\n") == \
        tokens("def f( first,second, ) :\n    # double it\n    return (first * 7) + second[\"other\"]\n")


def test_docstrings_prints_imports_and_dead_code_are_dropped() -> None:
    plain = tokens("def f(a):\n    b = a + 1\n    return b\n")
    noisy = tokens('import os\n\ndef f(a):\n    """Doc."""\n    print("a is", a)\n    b = a + 1\n    unused = 3\n'
                   '    if False:\n        b = 0\n    pass\n    return b\n    b += 1\n\n\ndef helper(x):\n'
                   '    return x * 2\n')
    assert noisy == plain


def test_a_function_the_tests_call_is_kept_though_nobody_calls_it_here() -> None:
    assert "def" in tokens("def f(a):\n    return a\n") and "def" not in tokens("def g(a):\n    return a\n")


def test_reordered_definitions_give_the_same_stream() -> None:
    one = "def f(a):\n    return g(a) + 1\n\ndef g(b):\n    return b * b\n"
    two = "def g(b):\n    return b * b\n\ndef f(a):\n    return g(a) + 1\n"
    assert tokens(one) == tokens(two)


def test_calls_keep_their_parentheses_grouping_does_not() -> None:
    assert tokens("def f(a):\n    return a, 1\n") == tokens("def f(a):\n    return (a, 1)\n")
    assert "(" in tokens("def f(a):\n    return len(a)\n")


def test_half_finished_code_keeps_its_tokens() -> None:
    broken = tokens("def f(a):\n    total = sum(a\n")
    assert broken[:4] == ("def", "V", "(", "V") and "sum" in broken


def test_every_token_points_at_its_line() -> None:
    doc = normalize(source("a", REFERENCE_CODE), API)
    lines = doc.text.splitlines()
    for token, line in zip(doc.tokens, doc.lines, strict=True):
        if token not in ("V", "N", "S") and token.isidentifier():
            assert token in lines[line - 1], (token, lines[line - 1])
