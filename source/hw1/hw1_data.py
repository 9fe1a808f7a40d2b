"""Helpers for hw1 (augmentations and the data pipeline on scikit-learn's digits).

Everything here works offline: the digits ship with scikit-learn (1797 images of 8x8 pixels, values 0..16).
Imported by the notebook and by its tests: the one source of truth for the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

__all__ = ["Lambda", "load_digits_arrays", "make_generator", "random_images", "show_images"]


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The digits as numpy arrays: ``X`` of shape (1797, 64), float64 in 0..16 (row-major 8x8 pictures),
    and ``y`` of shape (1797,), int64 in 0..9."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return np.asarray(digits.data, dtype=np.float64), np.asarray(digits.target, dtype=np.int64)


def make_generator(seed: int) -> torch.Generator:
    """A CPU ``torch.Generator`` seeded with ``seed``: the source of randomness for the random transforms."""
    return torch.Generator().manual_seed(int(seed))


def random_images(n: int, channels: int = 1, size: int = 8, seed: int = 0) -> torch.Tensor:
    """``n`` random float32 images of shape (channels, size, size) with values in [0, 1), seeded."""
    return torch.rand(n, channels, size, size, generator=make_generator(seed))


class Lambda:
    """Turns a deterministic function ``fn(x) -> tensor`` into a transform with the course's signature
    ``t(x, generator=None)``; the generator is ignored."""

    def __init__(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
        self.fn = fn

    def __call__(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.fn(x)

    def __repr__(self) -> str:
        return f"Lambda({getattr(self.fn, '__name__', self.fn)!r})"


def show_images(images: torch.Tensor | Sequence[torch.Tensor], titles: Sequence[str] | None = None,
                ncols: int = 8, size: float = 1.2) -> None:
    """Draw 8x8 (or any HxW) single-channel images in a grid with matplotlib (imported only here)."""
    import matplotlib.pyplot as plt

    images = [img.detach().float().cpu().reshape(img.shape[-2], img.shape[-1]) for img in images]
    ncols = max(1, min(ncols, len(images)))
    nrows = (len(images) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k].numpy(), cmap="gray_r", vmin=0.0, vmax=1.0)
            if titles is not None and k < len(titles):
                ax.set_title(titles[k], fontsize=8)
    fig.tight_layout()
    plt.show()
