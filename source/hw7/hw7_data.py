"""Data for homework 7: synthetic coloured-shape images and their captions.

Everything is generated offline from a seed: an image is a small RGB picture of one coloured shape (circle,
square, triangle or cross) of random size and position on a noisy dark background; its caption describes the
colour and the shape in one of several sentence templates. The same seed always gives the same data.

Public API (imported by the notebook and its tests):
- ``COLORS``, ``SHAPES``, ``CLASS_NAMES``: the attribute vocabularies and the 16 "colour shape" class names;
- ``TRAIN_TEMPLATES``: caption templates (``{color}``, ``{shape}``); ``UNSEEN_PROMPTS``: zero-shot prompt
  templates (``{}`` for a class name) that no training caption uses;
- ``make_shapes(n, seed)``: images, captions and labels (``ShapesData``);
- ``make_matching_pairs(data, seed)``: image-caption pairs, half of them mismatched (``MatchingPairs``);
- ``build_vocab()``, ``tokenize(texts, vocab)``: word ids padded with ``PAD_ID``;
- ``show_examples(data)``: a matplotlib grid of images with their captions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

IMAGE_SIZE = 16
COLORS: dict[str, tuple[float, float, float]] = {
    "red": (0.95, 0.15, 0.10),
    "green": (0.10, 0.85, 0.20),
    "blue": (0.15, 0.35, 1.00),
    "yellow": (0.95, 0.90, 0.10),
}
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "cross")
CLASS_NAMES: tuple[str, ...] = tuple(f"{c} {s}" for c in COLORS for s in SHAPES)

TRAIN_TEMPLATES: tuple[str, ...] = (
    "a {color} {shape}",
    "a photo of a {color} {shape}",
    "the {shape} is {color}",
    "there is a {color} {shape} in the picture",
    "a small {color} {shape} on a dark background",
    "this picture shows one {shape} and it is {color}",
)
# Zero-shot prompts (one ``{}`` for a class name such as "red circle"): sentences that no training caption
# uses, made of words that the training captions do use.
UNSEEN_PROMPTS: tuple[str, ...] = (
    "the picture shows a {}",
    "a dark photo of one small {}",
    "this is the {}",
)

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1


@dataclass(frozen=True)
class ShapesData:
    """``images``: float32 (n, 3, IMAGE_SIZE, IMAGE_SIZE) in [0, 1]; ``captions``: n strings;
    ``colors`` / ``shapes``: int64 (n,) indices into ``COLORS`` / ``SHAPES``;
    ``labels``: int64 (n,) index into ``CLASS_NAMES`` (= color * len(SHAPES) + shape)."""

    images: torch.Tensor
    captions: list[str]
    colors: torch.Tensor
    shapes: torch.Tensor

    @property
    def labels(self) -> torch.Tensor:
        return self.colors * len(SHAPES) + self.shapes

    def __len__(self) -> int:
        return len(self.captions)


@dataclass(frozen=True)
class MatchingPairs:
    """``images``: float32 (n, 3, H, W); ``captions``: n strings; ``labels``: float32 (n,), 1.0 where the
    caption describes the image and 0.0 where it does not (then exactly one of colour / shape is wrong)."""

    images: torch.Tensor
    captions: list[str]
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.captions)


def _shape_mask(shape: str, size: float, cx: float, cy: float) -> np.ndarray:
    yy, xx = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE].astype(np.float64) + 0.5
    dx, dy = xx - cx, yy - cy
    r = size / 2
    if shape == "circle":
        return dx**2 + dy**2 <= r**2
    if shape == "square":
        return (np.abs(dx) <= r * 0.85) & (np.abs(dy) <= r * 0.85)
    if shape == "triangle":  # apex up: the half-width grows from 0 at the top to r at the bottom
        return (dy >= -r) & (dy <= r) & (np.abs(dx) <= (dy + r) / 2)
    if shape == "cross":
        arm = max(r / 3, 0.75)
        return ((np.abs(dx) <= arm) & (np.abs(dy) <= r)) | ((np.abs(dy) <= arm) & (np.abs(dx) <= r))
    raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")


def render(color: str, shape: str, rng: np.random.Generator) -> np.ndarray:
    """One float32 (3, IMAGE_SIZE, IMAGE_SIZE) image of a ``color`` ``shape`` at a random size and place."""
    size = rng.uniform(8.0, 12.0)
    margin = size / 2 + 0.5
    cx, cy = rng.uniform(margin, IMAGE_SIZE - margin, size=2)
    mask = _shape_mask(shape, size, cx, cy)
    rgb = np.clip(np.asarray(COLORS[color]) * rng.uniform(0.8, 1.0) + rng.normal(0, 0.04, 3), 0, 1)
    image = np.full((3, IMAGE_SIZE, IMAGE_SIZE), rng.uniform(0.0, 0.25))
    image[:, mask] = rgb[:, None]
    image += rng.normal(0, 0.06, image.shape)
    return np.clip(image, 0, 1).astype(np.float32)


def caption(color: str, shape: str, template: str) -> str:
    return template.format(color=color, shape=shape)


def make_shapes(n: int, seed: int, templates: tuple[str, ...] = TRAIN_TEMPLATES) -> ShapesData:
    """``n`` random images with captions; colours and shapes uniform, templates drawn from ``templates``."""
    rng = np.random.default_rng(seed)
    names = list(COLORS)
    colors = rng.integers(0, len(names), n)
    shapes = rng.integers(0, len(SHAPES), n)
    images = np.stack([render(names[c], SHAPES[s], rng) for c, s in zip(colors, shapes, strict=True)])
    picks = rng.integers(0, len(templates), n)
    captions = [caption(names[c], SHAPES[s], templates[t])
                for c, s, t in zip(colors, shapes, picks, strict=True)]
    return ShapesData(torch.from_numpy(images), captions, torch.from_numpy(colors).long(),
                      torch.from_numpy(shapes).long())


def make_matching_pairs(data: ShapesData, seed: int, templates: tuple[str, ...] = TRAIN_TEMPLATES
                        ) -> MatchingPairs:
    """Each image of ``data`` with a new caption: its own (label 1) or, with probability 1/2, one whose colour
    or shape (one of the two, at random) is replaced by another (label 0). Neither the image alone nor the
    caption alone says anything about the label: only the pair does."""
    rng = np.random.default_rng(seed)
    names = list(COLORS)
    captions, labels = [], []
    for c, s in zip(data.colors.tolist(), data.shapes.tolist(), strict=True):
        match = rng.random() < 0.5
        if not match:
            if rng.random() < 0.5:
                c = (c + rng.integers(1, len(names))) % len(names)
            else:
                s = (s + rng.integers(1, len(SHAPES))) % len(SHAPES)
        captions.append(caption(names[c], SHAPES[s], templates[rng.integers(0, len(templates))]))
        labels.append(float(match))
    return MatchingPairs(data.images, captions, torch.tensor(labels, dtype=torch.float32))


def build_vocab() -> dict[str, int]:
    """Word -> id: ``PAD`` = 0, ``UNK`` = 1, then every word of the templates, colours and shapes, sorted."""
    words: set[str] = set(COLORS) | set(SHAPES)
    for template in TRAIN_TEMPLATES + UNSEEN_PROMPTS:
        words.update(w for w in template.split() if not w.startswith("{"))
    return {PAD: PAD_ID, UNK: UNK_ID, **{w: i + 2 for i, w in enumerate(sorted(words))}}


def tokenize(texts: list[str] | str, vocab: dict[str, int], max_len: int | None = None) -> torch.Tensor:
    """Lower-cased whitespace words -> int64 (n, L) ids, right-padded with ``PAD_ID``; unknown words map to
    ``UNK_ID``. ``L`` is the longest text's length (or ``max_len``: longer texts are cut)."""
    if isinstance(texts, str):
        texts = [texts]
    rows = [[vocab.get(w, UNK_ID) for w in t.lower().split()] for t in texts]
    length = max((len(r) for r in rows), default=0) if max_len is None else max_len
    ids = torch.full((len(rows), max(length, 1)), PAD_ID, dtype=torch.long)
    for i, row in enumerate(rows):
        row = row[:length]
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
    return ids


def show_examples(data: ShapesData, n: int = 8):  # pragma: no cover - plotting only
    """A row of ``n`` images with their captions (matplotlib figure)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, n, figsize=(2 * n, 2.4))
    for ax, image, text in zip(axes, data.images[:n], data.captions[:n], strict=False):
        ax.imshow(image.permute(1, 2, 0).numpy())
        ax.set_title(text.replace(" ", "\n", 2), fontsize=7)
        ax.axis("off")
    fig.tight_layout()
    return fig
