"""Data for homework 4 (transformers from scratch): real word lists of several languages.

The words come from the word-frequency lists that ship with ``pyspellchecker`` (no download): for every
language the most frequent purely alphabetic lowercase words are taken, words that occur in more than one
language are dropped (their label would be ambiguous), and the rest is split into train and test with a seed.

Characters are encoded as integers: ``PAD`` (0) fills short words up to the batch length, ``UNK`` (1) stands for
a character that never occurs in the training words.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from functools import cache
from importlib import resources

import torch

LANGUAGES = ("en", "de", "es", "fr", "ru")
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "es": "Español", "fr": "Français", "ru": "Русский"}
PAD, UNK = 0, 1
CANDIDATES = 20_000  # how many of the most frequent words per language are looked at


@cache
def _frequencies(language: str) -> tuple[tuple[str, int], ...]:
    """``pyspellchecker``'s word list for ``language``, most frequent first (ties alphabetically)."""
    path = resources.files("spellchecker") / "resources" / f"{language}.json.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        counts = json.load(f)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def load_word_list(language: str, n_words: int = CANDIDATES, min_len: int = 3, max_len: int = 12) -> list[str]:
    """The ``n_words`` most frequent words of ``language`` that are alphabetic, lowercase and of a length in
    ``[min_len, max_len]``, most frequent first."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: choose from {LANGUAGES}")
    words = []
    for word, _ in _frequencies(language):
        if word.isalpha() and word == word.lower() and min_len <= len(word) <= max_len:
            words.append(word)
            if len(words) == n_words:
                break
    return words


@dataclass(frozen=True)
class LanguageDataset:
    """Words with language labels, split into train and test, and their character encoding.

    ``X_*``: LongTensor (N, max_len) of character ids, right-padded with ``PAD``;
    ``y_*``: LongTensor (N,) of indices into ``languages``; ``vocab``: character -> id (ids 0 and 1 reserved).
    """

    languages: tuple[str, ...]
    vocab: dict[str, int]
    max_len: int
    train_words: list[str]
    test_words: list[str]
    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def vocab_size(self) -> int:
        return len(self.vocab) + 2

    @property
    def n_classes(self) -> int:
        return len(self.languages)

    def encode(self, words: list[str] | str) -> torch.Tensor:
        return encode_words([words] if isinstance(words, str) else words, self.vocab, self.max_len)


def build_vocab(words: list[str]) -> dict[str, int]:
    """Every character of ``words`` -> an id from 2 on, in sorted order (0 = PAD and 1 = UNK are reserved)."""
    return {ch: i + 2 for i, ch in enumerate(sorted(set("".join(words))))}


def encode_words(words: list[str], vocab: dict[str, int], max_len: int | None = None) -> torch.Tensor:
    """LongTensor (len(words), max_len): character ids, right-padded with PAD; unknown characters -> UNK.
    ``max_len`` defaults to the longest word; longer words are cut."""
    width = max_len if max_len is not None else max((len(w) for w in words), default=1)
    out = torch.full((len(words), width), PAD, dtype=torch.long)
    for i, word in enumerate(words):
        ids = [vocab.get(ch, UNK) for ch in word[:width]]
        out[i, : len(ids)] = torch.tensor(ids, dtype=torch.long)
    return out


def decode_ids(ids: torch.Tensor, vocab: dict[str, int]) -> str:
    """The word of one row of ids (PAD dropped, UNK shown as '?')."""
    inverse = {i: ch for ch, i in vocab.items()}
    return "".join(inverse.get(int(i), "?") for i in ids if int(i) != PAD)


def unambiguous_words(languages: tuple[str, ...] = LANGUAGES, min_len: int = 3, max_len: int = 12
                      ) -> dict[str, list[str]]:
    """language -> its words (most frequent first) that occur in no other language's list."""
    lists = {lang: load_word_list(lang, CANDIDATES, min_len, max_len) for lang in languages}
    seen: dict[str, int] = {}
    for words in lists.values():
        for word in set(words):
            seen[word] = seen.get(word, 0) + 1
    return {lang: [w for w in words if seen[w] == 1] for lang, words in lists.items()}


def make_language_dataset(languages: tuple[str, ...] = LANGUAGES, n_per_language: int = 1200,
                          test_fraction: float = 0.25, min_len: int = 3, max_len: int = 12,
                          seed: int = 0) -> LanguageDataset:
    """The ``n_per_language`` most frequent unambiguous words of each language, shuffled with ``seed`` and split
    (per language) into train and test. The vocabulary is built from the training words only."""
    lists = unambiguous_words(languages, min_len, max_len)
    rng = random.Random(seed)
    train: list[tuple[str, int]] = []
    test: list[tuple[str, int]] = []
    for label, lang in enumerate(languages):
        words = lists[lang][:n_per_language]
        rng.shuffle(words)
        n_test = round(len(words) * test_fraction)
        test += [(w, label) for w in words[:n_test]]
        train += [(w, label) for w in words[n_test:]]
    rng.shuffle(train)
    rng.shuffle(test)
    vocab = build_vocab([w for w, _ in train])
    return LanguageDataset(
        languages=tuple(languages), vocab=vocab, max_len=max_len,
        train_words=[w for w, _ in train], test_words=[w for w, _ in test],
        X_train=encode_words([w for w, _ in train], vocab, max_len),
        y_train=torch.tensor([y for _, y in train], dtype=torch.long),
        X_test=encode_words([w for w, _ in test], vocab, max_len),
        y_test=torch.tensor([y for _, y in test], dtype=torch.long),
    )


def rare_words(data: LanguageDataset, n_per_language: int = 300, skip: int = 1200
               ) -> tuple[list[str], torch.Tensor]:
    """Less frequent words than any in ``data`` (ranks ``skip`` .. ``skip + n_per_language`` of each language's
    unambiguous list, ``skip`` at least the dataset's ``n_per_language``) and their labels: a second held-out set."""
    lists = unambiguous_words(data.languages, 3, data.max_len)
    known = set(data.train_words) | set(data.test_words)
    words: list[str] = []
    labels: list[int] = []
    for label, lang in enumerate(data.languages):
        fresh = [w for w in lists[lang][skip:] if w not in known][:n_per_language]
        words += fresh
        labels += [label] * len(fresh)
    return words, torch.tensor(labels, dtype=torch.long)


def plot_attention(attn: torch.Tensor, word: str, title: str = "") -> None:
    """Heat map of one attention matrix (L, L) over the characters of ``word`` (matplotlib, imported here)."""
    import matplotlib.pyplot as plt

    n = len(word)
    weights = attn[:n, :n].detach().float().cpu().numpy()
    fig, ax = plt.subplots(figsize=(3 + 0.25 * n, 3 + 0.25 * n))
    ax.imshow(weights, cmap="viridis", vmin=0.0)
    ax.set_xticks(range(n), list(word))
    ax.set_yticks(range(n), list(word))
    ax.set_xlabel("key")
    ax.set_ylabel("query")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    plt.show()
