"""The inverted index finds exactly the pairs, and the counts, that intersecting every pair finds; winnowing
keeps its guarantee."""

from __future__ import annotations

import random

import numpy as np
import pytest

from grader.demo import plant
from grader.similarity.extract import Cell, Source
from grader.similarity.index import brute_force, build_index, overlaps
from grader.similarity.normalize import normalize
from grader.similarity.winnow import fingerprint, kgram_hashes, winnow
from similarity.classroom import INDEPENDENT, REFERENCE, TEMPLATE, indent


def corpus() -> tuple[list, list[str]]:  # type: ignore[type-arg]
    bodies = [REFERENCE, *INDEPENDENT]
    docs, kinds = [], []
    rng = random.Random(7)
    for n in range(24):
        chosen = {cid: bodies[rng.randrange(len(bodies))][cid] for cid in TEMPLATE}
        codes = {cid: TEMPLATE[cid][0] + indent(body, TEMPLATE[cid][1]) for cid, body in chosen.items()}
        if n % 3 == 0:
            codes = {cid: plant.apply("all", code, seed=n) for cid, code in codes.items()}
        kind = "student" if n < 16 else ("archive" if n < 22 else "reference")
        cells = tuple(Cell(cid, code, frozenset()) for cid, code in codes.items())
        docs.append(normalize(Source(f"d{n}", kind, cells, frozenset())))
        kinds.append(kind)
    return docs, kinds


@pytest.mark.parametrize("max_documents", [3, 6, 100])
def test_index_equals_brute_force(max_documents: int) -> None:
    docs, kinds = corpus()
    prints = [fingerprint(d.tokens, 8, 4) for d in docs]
    fast = overlaps(build_index(prints, max_documents), kinds)
    slow = brute_force(prints, kinds, max_documents)
    assert fast == slow
    assert len(fast) > (20 if max_documents == 100 else 5)  # a corpus where pairs do share code
    assert not any(kinds[o.a] != "student" and kinds[o.b] != "student" for o in fast)


def test_common_fingerprints_are_ignored_on_both_sides() -> None:
    docs, kinds = corpus()
    prints = [fingerprint(d.tokens, 8, 4) for d in docs]
    few = build_index(prints, 3)
    many = build_index(prints, 100)
    assert few.ignored and not many.ignored
    assert all(len(docs_) <= 3 for docs_ in few.postings.values())
    assert sum(few.distinct) < sum(many.distinct)


def test_winnowing_keeps_a_fingerprint_in_every_window() -> None:
    rng = np.random.default_rng(1)
    hashes = rng.integers(0, 2**63, size=500, dtype=np.uint64)
    chosen = winnow(hashes, 5)
    assert all(np.diff(chosen) <= 5) and chosen[0] <= 4 and chosen[-1] >= len(hashes) - 5
    assert len(chosen) < len(hashes) / 2  # density about 2 / (window + 1)


def test_a_long_enough_match_always_shares_a_fingerprint() -> None:
    rng = random.Random(3)
    words = [f"w{rng.randrange(50)}" for _ in range(400)]
    shared = words[100:100 + 8 + 4 - 1]  # k + window - 1 tokens
    other = [f"x{rng.randrange(50)}" for _ in range(150)] + shared + [f"y{rng.randrange(50)}" for _ in range(150)]
    assert set(fingerprint(words, 8, 4).hashes) & set(fingerprint(other, 8, 4).hashes)


def test_release_kgrams_are_never_fingerprints() -> None:
    rng = random.Random(5)
    tokens = [f"t{rng.randrange(40)}" for _ in range(300)]
    base = frozenset(int(h) for h in kgram_hashes(tokens[:100], 8))
    prints = fingerprint(tokens, 8, 4, base)
    assert prints.hashes and not set(prints.hashes) & base
