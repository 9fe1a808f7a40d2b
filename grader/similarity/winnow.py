"""Stage 3: k-gram hashes of a token stream, winnowed (Schleimer, Wilkerson, Aiken, "Winnowing: local algorithms
for document fingerprinting", SIGMOD 2003 — the algorithm behind MOSS).

Every run of ``k`` consecutive tokens is hashed; in each window of ``window`` consecutive hashes the smallest is
kept (the rightmost on a tie; robust winnowing). Guarantee: any match of at least ``k + window - 1`` tokens shares
a fingerprint; no match shorter than ``k`` tokens does. Each fingerprint keeps the index of its first token, so
it maps back to source lines through ``Document.lines``. Hashes are deterministic (CRC-32 per token, a
polynomial over 64-bit integers per k-gram), computed with numpy.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BASE = np.uint64(1_000_003)
TEMPLATE = 2**64 - 1  # a k-gram of the release: never the minimum of a window that has anything else


@dataclass(frozen=True)
class Fingerprints:
    """A document's selected k-gram hashes and the token index where each k-gram starts."""

    hashes: tuple[int, ...]
    starts: tuple[int, ...]
    k: int

    def __len__(self) -> int:
        return len(self.hashes)


_TOKEN_IDS: dict[str, int] = {}


def _token_id(text: str) -> int:
    value = _TOKEN_IDS.get(text)
    if value is None:
        value = _TOKEN_IDS[text] = zlib.crc32(text.encode("utf-8")) | 1
    return value


def kgram_hashes(tokens: Sequence[str], k: int) -> np.ndarray:
    """The hash of every k-gram of ``tokens`` (length ``len(tokens) - k + 1``; empty when shorter than k)."""
    count = len(tokens) - k + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    ids = np.fromiter((_token_id(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    out = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            out = out * BASE + ids[j:j + count]
    return out


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Indices of the selected hashes: the rightmost minimum of each window, each index once, in order."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(hashes) <= window:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))], dtype=np.int64)
    views = np.lib.stride_tricks.sliding_window_view(hashes, window)
    chosen = np.arange(len(views)) + (window - 1 - np.argmin(views[:, ::-1], axis=1))
    keep = np.ones(len(chosen), dtype=bool)
    keep[1:] = chosen[1:] != chosen[:-1]
    return chosen[keep]


def fingerprint(tokens: Sequence[str], k: int, window: int, base: frozenset[int] = frozenset()) -> Fingerprints:
    """The winnowed fingerprints of ``tokens``; k-grams in ``base`` (the release's own code, MOSS's base file)
    are never selected."""
    hashes = kgram_hashes(tokens, k)
    if base:
        template = np.isin(hashes, np.fromiter(base, dtype=np.uint64, count=len(base)))
        hashes = np.where(template, np.uint64(TEMPLATE), hashes)
    chosen = winnow(hashes, window)
    if base:
        chosen = chosen[hashes[chosen] != np.uint64(TEMPLATE)]
    return Fingerprints(hashes=tuple(int(h) for h in hashes[chosen]), starts=tuple(int(i) for i in chosen), k=k)
