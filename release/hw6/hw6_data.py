"""Data for hw6 (CNN, augmentation, fine-tuning): scikit-learn's 8x8 digits as image tensors.

Everything is offline and seeded: the images ship with scikit-learn (``load_digits``), every split is drawn
with a ``torch.Generator`` from the given seed.

- ``load_digit_images()``: all 1797 images, ``(N, 1, 8, 8)`` float32 in [0, 1], labels int64 0..9.
- ``digits_split(seed)``: a stratified train/test split of the 10-class task.
- ``pretrain_data()``: the source task, digits 0-4 (labels 0..4), for pre-training a backbone.
- ``few_shot_split(shots, seed)``: the target task, digits 5-9 relabelled 0..4 (label = digit - 5), with
  ``shots`` training images per class and every other image of 5-9 for testing.
"""

from __future__ import annotations

from functools import lru_cache

import torch
from sklearn.datasets import load_digits

NUM_SOURCE_CLASSES = 5  # digits 0..4
NUM_TARGET_CLASSES = 5  # digits 5..9
Split = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


@lru_cache(maxsize=1)
def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    bunch = load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0
    labels = torch.tensor(bunch.target, dtype=torch.int64)
    return images, labels


def load_digit_images() -> tuple[torch.Tensor, torch.Tensor]:
    """All digits: images ``(1797, 1, 8, 8)`` float32 in [0, 1] and labels ``(1797,)`` int64 in 0..9.
    Fresh copies: editing them changes nothing for a later call."""
    images, labels = _digits()
    return images.clone(), labels.clone()


def _stratified_pick(labels: torch.Tensor, per_class: dict[int, int], generator: torch.Generator) -> torch.Tensor:
    """Indices of ``per_class[c]`` random items of each class ``c`` (sorted), drawn with ``generator``."""
    picked = []
    for c, k in sorted(per_class.items()):
        idx = torch.nonzero(labels == c).flatten()
        if k > len(idx):
            raise ValueError(f"class {c} has {len(idx)} images, {k} were asked for")
        picked.append(idx[torch.randperm(len(idx), generator=generator)[:k]])
    return torch.cat(picked).sort().values


def _complement(n: int, idx: torch.Tensor) -> torch.Tensor:
    keep = torch.ones(n, dtype=torch.bool)
    keep[idx] = False
    return torch.nonzero(keep).flatten()


def digits_split(seed: int = 0, test_fraction: float = 0.25) -> Split:
    """The 10-class task: ``X_train, y_train, X_test, y_test``, stratified (``test_fraction`` of each class
    goes to the test set), drawn from ``seed``."""
    images, labels = load_digit_images()
    g = torch.Generator().manual_seed(seed)
    counts = torch.bincount(labels, minlength=10)
    test = _stratified_pick(labels, {c: int(round(test_fraction * int(n))) for c, n in enumerate(counts)}, g)
    train = _complement(len(labels), test)
    return images[train], labels[train], images[test], labels[test]


def pretrain_data() -> tuple[torch.Tensor, torch.Tensor]:
    """The source task: every image of digits 0..4 and its label (0..4)."""
    images, labels = load_digit_images()
    mask = labels < NUM_SOURCE_CLASSES
    return images[mask], labels[mask]


def few_shot_split(shots: int = 10, seed: int = 0) -> Split:
    """The target task, digits 5..9 relabelled 0..4: ``X_train, y_train`` hold ``shots`` images of each class
    (drawn from ``seed``), ``X_test, y_test`` every other image of digits 5..9."""
    images, labels = load_digit_images()
    mask = labels >= NUM_SOURCE_CLASSES
    images, labels = images[mask], labels[mask] - NUM_SOURCE_CLASSES
    g = torch.Generator().manual_seed(seed)
    train = _stratified_pick(labels, dict.fromkeys(range(NUM_TARGET_CLASSES), shots), g)
    test = _complement(len(labels), train)
    return images[train], labels[train], images[test], labels[test]


def show_digits(images: torch.Tensor, labels: torch.Tensor | None = None, n: int = 10) -> None:
    """Draw the first ``n`` images in a row (matplotlib), with their labels as titles."""
    import matplotlib.pyplot as plt

    n = min(n, len(images))
    fig, axes = plt.subplots(1, n, figsize=(1.2 * n, 1.5))
    for i, ax in enumerate(axes if n > 1 else [axes]):
        ax.imshow(images[i, 0].detach().cpu(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_axis_off()
        if labels is not None:
            ax.set_title(str(int(labels[i])))
    plt.show()
