"""Helpers for hw5 (speech: Mamba, xLSTM): seeded synthesis of speech-like vowel pairs, WAV input/output,
and a small training loop.

Everything is generated offline from seeds: no downloads.

The signals imitate the source-filter model of speech: a glottal pulse train (the pitch, f0) is filtered by
vocal-tract resonances (the formants F1, F2, F3; their positions tell vowels apart). One recording holds two
vowels, one after the other, joined by a short cross-fade at a random moment. The class of a recording is the
ordered pair (first vowel, second vowel): ("a", "i") and ("i", "a") are different classes, though they hold
the same sounds. A model that averages over time cannot tell them apart; a model that knows order can.
"""

from __future__ import annotations

import wave
from itertools import permutations
from pathlib import Path

import numpy as np
import torch

SAMPLE_RATE = 8000          # Hz
DURATION = 0.4              # seconds per recording
N_SAMPLES = int(SAMPLE_RATE * DURATION)
N_FFT = 256
HOP_LENGTH = 128
N_MELS = 32
# Keyword arguments of ``log_mel_spectrogram`` used throughout the homework.
MEL_KW = {"sample_rate": SAMPLE_RATE, "n_fft": N_FFT, "hop_length": HOP_LENGTH, "n_mels": N_MELS}

# Average formants (Hz) of adult male speakers (Peterson & Barney, 1952) and their bandwidths.
VOWEL_FORMANTS: dict[str, tuple[float, float, float]] = {
    "a": (730.0, 1090.0, 2440.0),
    "i": (270.0, 2290.0, 3010.0),
    "u": (300.0, 870.0, 2240.0),
    "e": (530.0, 1840.0, 2480.0),
    "o": (570.0, 840.0, 2410.0),
}
BANDWIDTHS = (90.0, 110.0, 170.0)
VOWELS = ("a", "i", "u")


def pair_classes(vowels: tuple[str, ...] = VOWELS) -> list[tuple[str, str]]:
    """All ordered pairs of different vowels: the class names, index = label."""
    return list(permutations(vowels, 2))


def formant_envelope(freqs: np.ndarray, formants: np.ndarray) -> np.ndarray:
    """Magnitude response of a cascade of resonators. freqs: (F,), formants: (n, 3) -> (n, F)."""
    f = freqs[None, :]
    env = np.ones((formants.shape[0], freqs.shape[0]))
    for j, bw in enumerate(BANDWIDTHS):
        fc = formants[:, j:j + 1]
        num = fc ** 2 + (bw / 2) ** 2
        env *= num / np.sqrt((num - f ** 2) ** 2 + (f * bw) ** 2)
    return env


def _pulse_trains(f0: np.ndarray, n_samples: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """Glottal pulse trains (n, n_samples) with a slowly drifting pitch."""
    n = f0.shape[0]
    t = np.arange(n_samples) / sample_rate
    drift = 1.0 + rng.uniform(-0.08, 0.08, (n, 1)) * t[None, :] / t[-1]
    phase = np.cumsum(f0[:, None] * drift / sample_rate, axis=1) + rng.uniform(0, 1, (n, 1))
    cycles = np.floor(phase)
    pulses = np.zeros((n, n_samples))
    pulses[:, 1:] = (cycles[:, 1:] > cycles[:, :-1]).astype(float)
    return pulses


def _vocal_tract(source: np.ndarray, formants: np.ndarray, sample_rate: int) -> np.ndarray:
    spec = np.fft.rfft(source, axis=1)
    freqs = np.fft.rfftfreq(source.shape[1], 1.0 / sample_rate)
    tilt = 1.0 / np.sqrt(1.0 + (freqs / 300.0) ** 2)           # glottal roll-off
    return np.fft.irfft(spec * formant_envelope(freqs, formants) * tilt, n=source.shape[1], axis=1)


def make_vowel_pairs(n: int, seed: int, vowels: tuple[str, ...] = VOWELS, sample_rate: int = SAMPLE_RATE,
                     n_samples: int = N_SAMPLES) -> tuple[torch.Tensor, torch.Tensor, list[tuple[str, str]]]:
    """``n`` recordings of two vowels in a row, balanced over the ordered pairs.

    Returns ``(waves, labels, classes)``: waves float32 (n, n_samples) with peak amplitude <= 1,
    labels int64 (n,) indexing ``classes`` (the ordered pairs, see ``pair_classes``).
    Random per recording: speaker (formant scale), pitch f0 in 90..220 Hz, the moment of the switch
    (uniform in 35..65 % of the duration, the same distribution for both orders), loudness,
    noise (SNR 15..30 dB).
    The same ``seed`` gives the same data.
    """
    rng = np.random.default_rng(seed)
    classes = pair_classes(vowels)
    labels = rng.permutation(np.arange(n) % len(classes))
    table = np.array([VOWEL_FORMANTS[v] for v in vowels])
    first = np.array([vowels.index(classes[k][0]) for k in labels])
    second = np.array([vowels.index(classes[k][1]) for k in labels])
    speaker = rng.uniform(0.88, 1.12, (n, 1))
    f0 = rng.uniform(90.0, 220.0, n) * speaker[:, 0]
    source = _pulse_trains(f0, n_samples, sample_rate, rng)
    f_first = table[first] * speaker * rng.uniform(0.96, 1.04, (n, 3))
    f_second = table[second] * speaker * rng.uniform(0.96, 1.04, (n, 3))
    seg1 = _vocal_tract(source, f_first, sample_rate)
    seg2 = _vocal_tract(source, f_second, sample_rate)
    switch = rng.uniform(0.35, 0.65, (n, 1)) * n_samples
    width = 0.01 * sample_rate                                  # 10 ms cross-fade
    mix = 1.0 / (1.0 + np.exp(-(np.arange(n_samples)[None, :] - switch) / width))
    edge = np.minimum(np.arange(n_samples), np.arange(n_samples)[::-1])
    ramp = np.minimum(1.0, edge / (0.02 * sample_rate))                # 20 ms fade in / out
    signal = ((1.0 - mix) * seg1 + mix * seg2) * ramp[None, :]
    signal /= np.sqrt((signal ** 2).mean(axis=1, keepdims=True)) + 1e-12
    snr_db = rng.uniform(15.0, 30.0, (n, 1))
    signal = signal + rng.standard_normal(signal.shape) * 10.0 ** (-snr_db / 20.0)
    signal *= rng.uniform(0.2, 0.9, (n, 1)) / np.abs(signal).max(axis=1, keepdims=True)
    return (torch.tensor(signal, dtype=torch.float32), torch.tensor(labels, dtype=torch.int64), classes)


def random_scan_inputs(batch: int, length: int, d_inner: int, d_state: int, *, seed: int,
                       dtype: torch.dtype = torch.float32, max_delta: float = 0.5, max_decay: float = 2.0
                       ) -> tuple[torch.Tensor, ...]:
    """Random arguments ``(x, delta, A, B, C, D)`` of a selective scan (shapes as in the notebook).

    delta in (0.01, max_delta + 0.01), A in (-max_decay - 0.1, -0.1): the decays exp(delta * A) lie in (0, 1).
    """
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, length, d_inner, generator=g, dtype=dtype)
    delta = torch.rand(batch, length, d_inner, generator=g, dtype=dtype) * max_delta + 0.01
    A = -torch.rand(d_inner, d_state, generator=g, dtype=dtype) * max_decay - 0.1
    B = torch.randn(batch, length, d_state, generator=g, dtype=dtype)
    C = torch.randn(batch, length, d_state, generator=g, dtype=dtype)
    D = torch.randn(d_inner, generator=g, dtype=dtype)
    return x, delta, A, B, C, D


def save_wav(path: str | Path, wave_: torch.Tensor, sample_rate: int = SAMPLE_RATE) -> None:
    """Write a mono float waveform in [-1, 1] as 16-bit PCM WAV (the standard library's ``wave``)."""
    pcm = (wave_.detach().cpu().clamp(-1, 1).numpy() * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sample_rate)
        f.writeframes(pcm.tobytes())


def load_wav(path: str | Path) -> tuple[torch.Tensor, int]:
    """Read a 16-bit PCM WAV: ``(waveform float32 (n_samples,) in [-1, 1], sample_rate)``, first channel."""
    with wave.open(str(path), "rb") as f:
        if f.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM is supported")
        channels, rate = f.getnchannels(), f.getframerate()
        data = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2").reshape(-1, channels)[:, 0]
    return torch.tensor(data.astype(np.float32) / 32767.0), rate


def fit_classifier(model: torch.nn.Module, features: torch.Tensor, labels: torch.Tensor, *, epochs: int = 15,
                   lr: float = 3e-3, batch_size: int = 32, weight_decay: float = 0.0, seed: int = 0
                   ) -> list[float]:
    """Train ``model`` (features -> logits) with Adam and cross-entropy on shuffled mini-batches.

    Seeded: the same model initialisation, data and ``seed`` give the same result. Returns the mean loss of
    every epoch. Leaves the model in eval mode.
    """
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(features.shape[0], generator=gen)
        total = 0.0
        for start in range(0, features.shape[0], batch_size):
            idx = order[start:start + batch_size]
            loss = torch.nn.functional.cross_entropy(model(features[idx]), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
        history.append(total / features.shape[0])
    model.eval()
    return history


@torch.no_grad()
def accuracy(model: torch.nn.Module, features: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of correct argmax predictions (model in eval mode)."""
    model.eval()
    return (model(features).argmax(dim=-1) == labels).float().mean().item()
