"""Stage 4: an inverted index fingerprint -> documents, and the pairs that share fingerprints.

The cost grows with the postings of shared fingerprints, not with the number of pairs: a pair that shares
nothing is never looked at (the pair counts are one sparse product over the posting lists, see ``overlap_arrays``).
A fingerprint found in more than ``max_documents`` documents is an idiom everyone writes, not a copy (MOSS's
``-m``), and is ignored on both sides. Only pairs with a current student on one side
are counted (archive against archive, or archive against the reference, is nobody's business this term).
``brute_force`` computes the same numbers pair by pair; the tests hold the two equal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import sparse

from grader.similarity.winnow import Fingerprints


@dataclass(frozen=True)
class Overlap:
    """Two documents (by position) that share ``shared`` distinct fingerprints."""

    a: int
    b: int
    shared: int


@dataclass(frozen=True)
class Index:
    postings: dict[int, tuple[int, ...]]   # fingerprint -> documents holding it (each once, ascending)
    distinct: tuple[int, ...]             # per document: distinct fingerprints not ignored as common
    ignored: frozenset[int]               # fingerprints in more than max_documents documents


def comparable(kinds: Sequence[str], a: int, b: int) -> bool:
    return kinds[a] == "student" or kinds[b] == "student"


def build_index(prints: Sequence[Fingerprints], max_documents: int) -> Index:
    postings: dict[int, list[int]] = {}
    for doc, fp in enumerate(prints):
        for value in set(fp.hashes):
            postings.setdefault(value, []).append(doc)
    ignored = frozenset(h for h, docs in postings.items() if len(docs) > max_documents)
    distinct = tuple(len(set(fp.hashes) - ignored) for fp in prints)
    return Index({h: tuple(d) for h, d in postings.items() if h not in ignored}, distinct, ignored)


@dataclass(frozen=True)
class Overlaps:
    """Comparable pairs sharing fingerprints, as arrays (positions ``a < b``, ordered by ``a`` then ``b``)."""

    a: np.ndarray
    b: np.ndarray
    shared: np.ndarray


def overlap_arrays(index: Index, kinds: Sequence[str]) -> Overlaps:
    """Every comparable pair sharing at least one fingerprint, from the postings alone.

    The postings are the columns of a sparse document x fingerprint matrix M; ``M @ M.T`` (scipy, in C) adds
    up, for each posting list, every pair in it: the same work as a loop over the lists, without Python's
    per-pair cost. Fingerprints held by one document only are dropped first."""
    shared = [docs for docs in index.postings.values() if len(docs) > 1]
    if not shared:
        empty = np.zeros(0, dtype=np.int64)
        return Overlaps(empty, empty, empty)
    rows = np.fromiter((d for docs in shared for d in docs), dtype=np.int32)
    cols = np.repeat(np.arange(len(shared), dtype=np.int32), [len(docs) for docs in shared])
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                               shape=(len(index.distinct), len(shared)))
    counts = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    student = np.array([k == "student" for k in kinds], dtype=bool)
    keep = student[counts.row] | student[counts.col]
    a, b, n = counts.row[keep].astype(np.int64), counts.col[keep].astype(np.int64), counts.data[keep].astype(np.int64)
    order = np.lexsort((b, a))
    return Overlaps(a[order], b[order], n[order])


def overlaps(index: Index, kinds: Sequence[str]) -> list[Overlap]:
    """``overlap_arrays`` as records (what ``brute_force`` returns)."""
    arrays = overlap_arrays(index, kinds)
    return [Overlap(int(a), int(b), int(n)) for a, b, n in zip(arrays.a, arrays.b, arrays.shared, strict=True)]


def brute_force(prints: Sequence[Fingerprints], kinds: Sequence[str], max_documents: int) -> list[Overlap]:
    """The same as ``overlaps(build_index(...))``, by intersecting every pair (for tests; quadratic)."""
    sets = [set(fp.hashes) for fp in prints]
    frequency = Counter(h for s in sets for h in s)
    common = {h for h, n in frequency.items() if n > max_documents}
    out = []
    for a, b in combinations(range(len(prints)), 2):
        shared = len((sets[a] & sets[b]) - common)
        if shared and comparable(kinds, a, b):
            out.append(Overlap(a, b, shared))
    return out
