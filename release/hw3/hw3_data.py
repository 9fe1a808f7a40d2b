"""Данные и графики для ДЗ 3 (RNN, LSTM, GRU): синтетические сигналы из суммы синусоид с шумом.

Helpers for homework 3: seeded synthetic signals (sums of sines plus Gaussian noise) and small plots.
Everything is generated offline from a seed: the same seed gives the same signal on every machine.
"""

from __future__ import annotations

import math

import numpy as np
import torch

__all__ = ["make_signal", "naive_forecast", "assert_tensors_close", "plot_series", "plot_forecast",
           "plot_step_errors"]


def make_signal(n: int = 1000, seed: int = 0, *, n_components: int = 3, noise: float = 0.1,
                level: float = 10.0, scale: float = 2.0, min_period: float = 12.0, max_period: float = 60.0,
                dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A 1-D signal of length ``n``: ``level + scale * (sum of sines) + noise * N(0, 1)``.

    Periods are drawn uniformly from ``[min_period, max_period]`` samples, amplitudes from ``[0.5, 1.5]``,
    phases from ``[0, 2*pi)``; the sum of sines is normalized to unit variance before ``scale`` is applied.
    Deterministic given ``seed``. Returns a tensor of shape ``(n,)`` and dtype ``dtype`` on the CPU.
    """
    if n < 1 or n_components < 1:
        raise ValueError("n and n_components must be positive")
    rng = np.random.default_rng(seed)
    periods = rng.uniform(min_period, max_period, n_components)
    amplitudes = rng.uniform(0.5, 1.5, n_components)
    phases = rng.uniform(0.0, 2 * math.pi, n_components)
    t = np.arange(n, dtype=np.float64)[:, None]
    waves = (amplitudes * np.sin(2 * math.pi * t / periods + phases)).sum(axis=1)
    waves /= math.sqrt(float((amplitudes ** 2).sum()) / 2)
    values = level + scale * waves + noise * rng.standard_normal(n)
    return torch.tensor(values, dtype=dtype)


def naive_forecast(context: torch.Tensor, steps: int) -> torch.Tensor:
    """The naive ("last value") forecast: ``context`` of shape ``(B, T)`` -> ``(B, steps)``, every step equal
    to the last observed value ``context[:, -1]``."""
    return context[:, -1:].expand(-1, steps).clone()


_TOLERANCES = {  # dtype: (rtol, atol), the defaults of torch.testing.assert_close
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
}


def assert_tensors_close(actual: torch.Tensor, expected: torch.Tensor, *, rtol: float | None = None,
                         atol: float | None = None, msg: str = "") -> None:
    """Check ``|actual - expected| <= atol + rtol * |expected|`` element-wise (NaN never passes), with the
    same exact type (``torch.Tensor``), shape, dtype and device. Default tolerances by dtype as in
    ``torch.testing.assert_close``, which this replaces in the tests: its first call imports much of
    ``torch.distributed`` (seconds)."""
    prefix = f"{msg}: " if msg else ""
    if type(actual) is not torch.Tensor:
        raise AssertionError(f"{prefix}expected a torch.Tensor, got {type(actual).__name__}")
    if actual.shape != expected.shape:
        raise AssertionError(f"{prefix}shape {tuple(actual.shape)} != expected {tuple(expected.shape)}")
    if actual.dtype != expected.dtype:
        raise AssertionError(f"{prefix}dtype {actual.dtype} != expected {expected.dtype}")
    if actual.device != expected.device:
        raise AssertionError(f"{prefix}device {actual.device} != expected {expected.device}")
    default_rtol, default_atol = _TOLERANCES.get(actual.dtype, (0.0, 0.0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    a, e = actual.detach().double(), expected.detach().double()
    diff = (a - e).abs()
    bad = ~(diff <= atol + rtol * e.abs())
    if bool(bad.any()):
        worst = diff.nan_to_num(nan=float("inf")).max().item()
        raise AssertionError(f"{prefix}{int(bad.sum())} of {bad.numel()} elements differ; "
                             f"max |difference| {worst:.3g} (rtol={rtol}, atol={atol})")


def plot_series(series: torch.Tensor, split: int | None = None, title: str = "signal") -> None:
    """Plot a 1-D series; ``split`` marks the first test index with a vertical line."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 2.5))
    ax.plot(series.detach().cpu().numpy(), lw=0.8)
    if split is not None:
        ax.axvline(split, color="red", ls="--", label="train | test")
        ax.legend(loc="upper right")
    ax.set_title(title)
    ax.set_xlabel("t")
    fig.tight_layout()
    plt.show()


def plot_forecast(context: torch.Tensor, target: torch.Tensor, forecasts: dict[str, torch.Tensor],
                  title: str = "forecast") -> None:
    """Plot one context window (1-D), the true continuation (1-D) and several forecasts (each 1-D)."""
    import matplotlib.pyplot as plt

    t_ctx = np.arange(len(context))
    t_fut = np.arange(len(context), len(context) + len(target))
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.plot(t_ctx, context.detach().cpu().numpy(), color="black", lw=1, label="context")
    ax.plot(t_fut, target.detach().cpu().numpy(), color="black", lw=1, ls="--", label="truth")
    for name, values in forecasts.items():
        ax.plot(t_fut, values.detach().cpu().numpy(), marker=".", lw=1, label=name)
    ax.set_title(title)
    ax.legend(loc="best")
    fig.tight_layout()
    plt.show()


def plot_step_errors(errors: dict[str, torch.Tensor], title: str = "MSE by forecast step") -> None:
    """Plot per-step errors: ``errors`` maps a method's name to a 1-D tensor of MSE at steps 1..H."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    for name, values in errors.items():
        steps = np.arange(1, len(values) + 1)
        ax.plot(steps, values.detach().cpu().numpy(), marker="o", label=name)
    ax.set_xlabel("step ahead")
    ax.set_ylabel("MSE (scaled units)")
    ax.set_title(title)
    ax.legend(loc="best")
    fig.tight_layout()
    plt.show()
