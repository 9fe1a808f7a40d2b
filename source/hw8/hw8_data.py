"""Data for homework 8 (regularization, reliability, hyperparameter optimization).

Everything here is offline and seeded:
- ``make_language_data``: language identification of single words (en / de / fr / es), built from the
  word-frequency lists that ship with ``pyspellchecker``; words become hashed character n-gram counts;
- ``branin``, ``forrester``: analytic test functions for hyperparameter-search experiments.
"""

from __future__ import annotations

import gzip
import json
import math
import zlib
from functools import cache
from pathlib import Path

import torch

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es")
N_FEATURES = 512

BRANIN_BOUNDS = torch.tensor([[-5.0, 0.0], [10.0, 15.0]], dtype=torch.float64)  # [[low...], [high...]]
BRANIN_MIN = 0.397887357729738
FORRESTER_BOUNDS = torch.tensor([[0.0], [1.0]], dtype=torch.float64)


@cache
def _frequencies(language: str) -> dict[str, int]:
    """The word -> frequency list of ``language`` as shipped with pyspellchecker (read once per process)."""
    import spellchecker

    path = Path(spellchecker.__file__).parent / "resources" / f"{language}.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


@cache
def _top_words(languages: tuple[str, ...], n_per_language: int, min_len: int) -> tuple[tuple[str, int], ...]:
    lists = {}
    for lang in languages:
        words = [w for w in _frequencies(lang) if w.isalpha() and w == w.lower() and len(w) >= min_len]
        words.sort(key=lambda w: (-_frequencies(lang)[w], w))
        lists[lang] = words[: 4 * n_per_language]
    seen: dict[str, int] = {}
    for lang in languages:
        for w in lists[lang]:
            seen[w] = seen.get(w, 0) + 1
    pairs = []
    for label, lang in enumerate(languages):
        unique = [w for w in lists[lang] if seen[w] == 1][:n_per_language]
        if len(unique) < n_per_language:
            raise ValueError(f"only {len(unique)} unambiguous words for {lang!r}")
        pairs.extend((w, label) for w in unique)
    return tuple(pairs)


def load_words(languages: tuple[str, ...] = LANGUAGES, n_per_language: int = 1500, min_len: int = 3,
               seed: int = 0) -> tuple[list[str], torch.Tensor]:
    """The ``n_per_language`` most frequent lower-case alphabetic words (length >= ``min_len``) of each
    language that occur in no other of the chosen languages' lists, shuffled with ``seed``.

    Returns ``(words, labels)``: a list of N strings and an int64 tensor [N] with the language index."""
    pairs = _top_words(tuple(languages), n_per_language, min_len)
    order = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(seed)).tolist()
    words = [pairs[i][0] for i in order]
    labels = torch.tensor([pairs[i][1] for i in order], dtype=torch.int64)
    return words, labels


def char_ngrams(word: str, orders: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    """Character n-grams of ``^word$`` (``^``/``$`` mark the word's boundaries)."""
    padded = f"^{word}$"
    return [padded[i:i + n] for n in orders for i in range(len(padded) - n + 1)]


def featurize(words: list[str], n_features: int = N_FEATURES) -> torch.Tensor:
    """Hashed bag of character 1-3-grams: float32 [N, n_features], ``log1p`` of the counts, each row scaled to
    unit L2 norm. The hash (crc32) is stable across processes."""
    rows, cols = [], []
    for row, word in enumerate(words):
        for gram in char_ngrams(word):
            rows.append(row)
            cols.append(zlib.crc32(gram.encode("utf-8")) % n_features)
    X = torch.zeros(len(words), n_features)
    X.index_put_((torch.tensor(rows, dtype=torch.int64), torch.tensor(cols, dtype=torch.int64)),
                 torch.ones(len(rows)), accumulate=True)
    X = torch.log1p(X)
    return X / X.norm(dim=1, keepdim=True).clamp_min(1e-12)


def make_language_data(seed: int = 0, n_per_language: int = 1500, n_features: int = N_FEATURES,
                       val_fraction: float = 0.2, test_fraction: float = 0.2) -> dict:
    """Language identification of single words, split into train / validation / test.

    Returns a dict with float32 features ``X_train``, ``X_val``, ``X_test`` [n, n_features], int64 labels
    ``y_train``, ``y_val``, ``y_test`` [n], the matching word lists ``words_train`` / ``words_val`` /
    ``words_test`` and ``classes`` (language codes, index = label). Same seed, same split."""
    words, labels = load_words(LANGUAGES, n_per_language, seed=seed)
    X = featurize(words, n_features)
    n = len(words)
    n_test, n_val = int(round(test_fraction * n)), int(round(val_fraction * n))
    parts = {"test": slice(0, n_test), "val": slice(n_test, n_test + n_val),
             "train": slice(n_test + n_val, n)}
    data: dict = {"classes": list(LANGUAGES)}
    for name, part in parts.items():
        data[f"X_{name}"] = X[part].clone()
        data[f"y_{name}"] = labels[part].clone()
        data[f"words_{name}"] = words[part]
    return data


def branin(x: torch.Tensor) -> torch.Tensor:
    """The Branin function on [-5, 10] x [0, 15]; x: [..., 2] -> [...]. Global minimum 0.397887 (three
    minimizers: (-pi, 12.275), (pi, 2.275), (9.42478, 2.475))."""
    x1, x2 = x[..., 0], x[..., 1]
    a, b, c = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * torch.cos(x1) + s


def forrester(x: torch.Tensor) -> torch.Tensor:
    """The 1-D Forrester function on [0, 1]; x: [..., 1] -> [...]. Minimum about -6.0207 at x = 0.7572."""
    x = x[..., 0]
    return (6 * x - 2) ** 2 * torch.sin(12 * x - 4)
