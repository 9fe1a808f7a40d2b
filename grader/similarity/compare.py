"""Stage 5: a score per pair, and for the pairs worth a look the matching regions and the longest shared span.

* ``share_a``: the share of A's fingerprints (not counting idioms everyone writes) that B has too; ``share_b``
  the other way round. ``similarity`` is the larger: a student who copied all of a neighbour's work and added
  their own is as visible as the neighbour.
* regions: matching k-grams at the same offset in both streams (one diagonal), merged where they overlap, each
  a stretch of shared tokens; the longest is the longest shared span. Their tokens map back to source lines.
Pure functions over the stages' records; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grader.similarity.index import Index, Overlaps
from grader.similarity.normalize import Document
from grader.similarity.winnow import Fingerprints


@dataclass(frozen=True)
class Region:
    """One stretch of shared tokens: the source lines it covers on each side."""

    tokens: int
    lines_a: tuple[int, ...]
    lines_b: tuple[int, ...]


@dataclass(frozen=True)
class Score:
    """How much two documents share (``a`` is the current student; ``b`` a student, archive or reference)."""

    a: str
    b: str
    kind_b: str
    similarity: float
    share_a: float
    share_b: float
    shared: int


@dataclass(frozen=True)
class Match:
    """A pair worth a look, with its matching regions."""

    score: Score
    regions: tuple[Region, ...]

    @property
    def longest(self) -> Region | None:
        return max(self.regions, key=lambda r: r.tokens, default=None)


def scores(pairs: Overlaps, index: Index, docs: Sequence[Document], *, threshold: float, min_shared: int,
           top: int) -> list[Score]:
    """The flagged pairs and the ``top`` most similar others as ``Score``, highest similarity first (ties by
    names). Shares are computed for every pair at once (numpy); only those kept become records."""
    distinct = np.maximum(np.asarray(index.distinct, dtype=float), 1.0)
    share_a = np.round(pairs.shared / distinct[pairs.a], 4)
    share_b = np.round(pairs.shared / distinct[pairs.b], 4)
    similarity = np.maximum(share_a, share_b)
    keep = (similarity >= threshold) & (pairs.shared >= min_shared)
    keep[np.argsort(-similarity, kind="stable")[:top]] = True
    out = []
    for i in np.flatnonzero(keep):
        a, b, sa, sb = int(pairs.a[i]), int(pairs.b[i]), float(share_a[i]), float(share_b[i])
        if docs[a].kind != "student" or (docs[b].kind == "student" and docs[b].id < docs[a].id):
            a, b, sa, sb = b, a, sb, sa
        out.append(Score(docs[a].id, docs[b].id, docs[b].kind, max(sa, sb), sa, sb, int(pairs.shared[i])))
    return sorted(out, key=lambda s: (-s.similarity, s.a, s.b))


def regions(doc_a: Document, doc_b: Document, fp_a: Fingerprints, fp_b: Fingerprints,
            ignored: frozenset[int]) -> tuple[Region, ...]:
    """Shared stretches of the two token streams, longest first."""
    where_b: dict[int, list[int]] = {}
    for value, start in zip(fp_b.hashes, fp_b.starts, strict=True):
        where_b.setdefault(value, []).append(start)
    diagonals: dict[int, list[int]] = {}
    for value, i in zip(fp_a.hashes, fp_a.starts, strict=True):
        if value in ignored:
            continue
        for j in where_b.get(value, ()):
            diagonals.setdefault(i - j, []).append(i)
    k = fp_a.k
    spans: list[tuple[int, int, int]] = []  # (start in a, end in a, diagonal)
    for diagonal, starts in diagonals.items():
        starts.sort()
        lo, hi = starts[0], starts[0] + k
        for i in starts[1:]:
            if i <= hi:
                hi = max(hi, i + k)
            else:
                spans.append((lo, hi, diagonal))
                lo, hi = i, i + k
        spans.append((lo, hi, diagonal))
    out = [Region(tokens=hi - lo, lines_a=_lines(doc_a, lo, hi), lines_b=_lines(doc_b, lo - d, hi - d))
           for lo, hi, d in spans]
    return tuple(sorted(out, key=lambda r: (-r.tokens, r.lines_a)))


def _lines(doc: Document, lo: int, hi: int) -> tuple[int, ...]:
    return tuple(sorted(set(doc.lines[max(lo, 0):hi])))
