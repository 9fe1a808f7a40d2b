"""Stage 'datasets': which open datasets the project uses, counted and listed.

Found in code, notebooks and text files at the pinned commit:
  * Hugging Face: ``load_dataset("owner/name")``, ``huggingface.co/datasets/owner/name``, ``hf://datasets/…``
  * torchvision / torchaudio dataset classes (``torchvision.datasets.CIFAR10(...)``), ``tfds.load("name")``,
    scikit-learn ``fetch_*()`` downloaders
  * links to other open-data hosts (``ProjectChecks.dataset_links``: Kaggle, UCI, Zenodo, …)
The same dataset found twice (a link in the README and ``load_dataset`` in the code) counts once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LOAD_DATASET = re.compile(r"""load_dataset\(\s*(?:path\s*=\s*)?["']([^"'\s]+)["']""")
HF_LINK = re.compile(r"(?:huggingface\.co|hf\.co)/datasets/([\w.-]+)(?:/([\w.-]+))?|hf://datasets/([\w.-]+/[\w.-]+)")
VISION = re.compile(r"\b(torchvision|torchaudio)\.datasets\.([A-Z][\w]+)\s*\(")
TFDS = re.compile(r"""\btfds\.load\(\s*["']([\w/.:-]+)["']""")
SKLEARN = re.compile(r"\b(fetch_(?:20newsgroups(?:_vectorized)?|california_housing|covtype|kddcup99|lfw_people|"
                     r"lfw_pairs|olivetti_faces|rcv1|species_distributions))\s*\(")
# load_dataset builders that read the project's own files, not an open dataset.
LOCAL_BUILDERS = frozenset({"csv", "json", "parquet", "text", "arrow", "pandas", "sql", "generator", "imagefolder",
                            "audiofolder", "videofolder", "webdataset", "xml"})
HF_PAGES = frozenset({"viewer", "tree", "blob", "resolve", "discussions", "commits", "raw", "edit", "settings"})


@dataclass(frozen=True)
class DatasetRef:
    """One open dataset: ``source`` (huggingface, torchvision, tfds, sklearn, link), its id, where it was seen."""

    source: str
    id: str
    found_in: tuple[str, ...]

    @property
    def url(self) -> str:
        if self.source == "huggingface":
            return f"https://huggingface.co/datasets/{self.id}"
        return f"https://{self.id}" if self.source == "link" else ""

    def __str__(self) -> str:
        return self.id if self.source in ("huggingface", "link") else f"{self.source}:{self.id}"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _found(text: str, link_patterns: Sequence[re.Pattern[str]]) -> Iterable[tuple[str, str, int]]:
    for match in LOAD_DATASET.finditer(text):
        name = match.group(1).strip("/")
        if name.lower() not in LOCAL_BUILDERS and not name.startswith((".", "/")):
            yield "huggingface", name, match.start()
    for match in HF_LINK.finditer(text):
        if match.group(3):
            yield "huggingface", match.group(3), match.start()
            continue
        owner, name = match.group(1), match.group(2)
        yield "huggingface", owner if not name or name in HF_PAGES else f"{owner}/{name}", match.start()
    for match in VISION.finditer(text):
        yield match.group(1), match.group(2), match.start()
    for match in TFDS.finditer(text):
        yield "tfds", match.group(1).split(":")[0], match.start()
    for match in SKLEARN.finditer(text):
        yield "sklearn", match.group(1), match.start()
    for pattern in link_patterns:
        for match in pattern.finditer(text):
            yield "link", match.group(0).rstrip("/.)"), match.start()


def find_datasets(texts: Iterable[tuple[str, str]], link_patterns: Sequence[str]) -> tuple[DatasetRef, ...]:
    """Distinct open datasets, in the order first seen, each with every place (``path:line``) it appears."""
    compiled = [re.compile(p, re.IGNORECASE) for p in link_patterns]
    names: dict[tuple[str, str], str] = {}
    places: dict[tuple[str, str], list[str]] = {}
    for path, text in texts:
        for source, name, offset in _found(text, compiled):
            key = (source, name.lower())
            names.setdefault(key, name)
            where = places.setdefault(key, [])
            place = f"{path}:{_line(text, offset)}"
            if place not in where:
                where.append(place)
    return tuple(DatasetRef(key[0], name, tuple(places[key])) for key, name in names.items())
