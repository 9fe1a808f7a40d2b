"""ДЗ 2 (hw2): данные и вспомогательные функции / data and helpers for homework 2.

- ``load_digits_split``: рукописные цифры 8x8 из scikit-learn (без скачивания), разбитые на train/val/test
  с фиксированным seed, как тензоры torch.
- ``builtins_forbidden``: контекстный менеджер, в котором готовые активации и функции потерь torch
  (``torch.sigmoid``, ``F.softmax``, ``F.cross_entropy`` ...) бросают ``AssertionError``. Тесты вызывают ваши
  функции внутри него: их нужно написать из элементарных операций (exp, log, log1p, max, sum, where ...).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

__all__ = ["FORBIDDEN", "builtins_forbidden", "load_digits_split"]

DigitsSplit = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


def load_digits_split(seed: int = 0, val_size: float = 0.15, test_size: float = 0.25) -> DigitsSplit:
    """Цифры sklearn (1797 изображений 8x8, 10 классов), стратифицированно разбитые на три части.

    Returns ``X_train, y_train, X_val, y_val, X_test, y_test``: X — float32 формы (N, 64) со значениями в [0, 1]
    (яркость / 16), y — int64 формы (N,) с метками 0..9. ``val_size`` и ``test_size`` — доли от всего набора.
    Одинаковый ``seed`` даёт одинаковое разбиение.
    """
    if not (0 < val_size < 1 and 0 < test_size < 1 and val_size + test_size < 1):
        raise ValueError(f"val_size={val_size} and test_size={test_size} must be in (0, 1) and sum below 1")
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=val_size / (1 - test_size), random_state=seed, stratify=y_rest)

    def as_tensors(features, labels) -> tuple[torch.Tensor, torch.Tensor]:
        return (torch.tensor(features, dtype=torch.float32), torch.tensor(labels, dtype=torch.int64))

    return (*as_tensors(X_train, y_train), *as_tensors(X_val, y_val), *as_tensors(X_test, y_test))


# Ready-made activations and losses that the homework asks you to write yourself.
FORBIDDEN: list[tuple[object, str]] = [
    (torch, "sigmoid"), (torch, "softmax"), (torch, "log_softmax"), (torch, "logsumexp"),
    (torch.special, "expit"), (torch.special, "softmax"), (torch.special, "log_softmax"),
    (torch.special, "logsumexp"),
    (torch.Tensor, "sigmoid"), (torch.Tensor, "softmax"), (torch.Tensor, "log_softmax"),
    (torch.Tensor, "logsumexp"),
    (F, "sigmoid"), (F, "softmax"), (F, "log_softmax"), (F, "softplus"), (F, "logsigmoid"),
    (F, "cross_entropy"), (F, "nll_loss"), (F, "binary_cross_entropy"), (F, "binary_cross_entropy_with_logits"),
]


def _blocked(qualname: str):
    def blocked(*args, **kwargs):
        raise AssertionError(f"{qualname} is not allowed here: write it from elementary operations "
                             f"(готовая функция запрещена в этом задании)")
    return blocked


@contextlib.contextmanager
def builtins_forbidden() -> Iterator[None]:
    """Inside the block, every function in ``FORBIDDEN`` raises ``AssertionError``; restored on exit."""
    saved = [(owner, name, getattr(owner, name)) for owner, name in FORBIDDEN if hasattr(owner, name)]
    try:
        for owner, name, _ in saved:
            label = getattr(owner, "__name__", str(owner))
            setattr(owner, name, _blocked(f"{label}.{name}"))
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
