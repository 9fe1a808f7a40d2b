"""Stage 'space': a Hugging Face Space link, and whether the Space is a Gradio app.

The link: ``huggingface.co/spaces/owner/name`` or ``https://owner-name.hf.space``. Gradio: the Space README's
front matter says ``sdk: gradio``, a Python file (``app.py`` first) imports gradio, or a requirements file lists it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SPACE_LINK = re.compile(r"(?:huggingface\.co|hf\.co)/spaces/([\w.-]+/[\w.-]+)|https?://([\w-]+)\.hf\.space")
IMPORTS_GRADIO = re.compile(r"^\s*(?:import\s+gradio\b|from\s+gradio\b)", re.MULTILINE)
LISTS_GRADIO = re.compile(r"""^\s*["']?gradio\b""", re.MULTILINE)
SDK_GRADIO = re.compile(r"^sdk:\s*gradio\s*$", re.MULTILINE)
REQUIREMENT_FILES = re.compile(r"(^|/)(requirements[\w.-]*\.txt|pyproject\.toml|environment\.ya?ml|setup\.cfg)$")


@dataclass(frozen=True)
class SpaceCheck:
    """links: Space addresses found; gradio_evidence: why the Space is taken to be a Gradio app."""

    links: tuple[str, ...] = ()
    gradio_evidence: tuple[str, ...] = ()

    @property
    def has_link(self) -> bool:
        return bool(self.links)

    @property
    def gradio(self) -> bool:
        return bool(self.gradio_evidence)


def _front_matter(text: str) -> str:
    if not text.startswith("---"):
        return ""
    end = text.find("\n---", 3)
    return text[3:end] if end > 0 else ""


def check_space(texts: Iterable[tuple[str, str]]) -> SpaceCheck:
    links: list[str] = []
    evidence: list[str] = []
    for path, text in texts:
        for match in SPACE_LINK.finditer(text):
            link = (f"https://huggingface.co/spaces/{match.group(1).rstrip('.')}" if match.group(1)
                    else f"https://{match.group(2)}.hf.space")
            if link not in links:
                links.append(link)
        name = path.rsplit("/", 1)[-1].lower()
        if name.startswith("readme") and SDK_GRADIO.search(_front_matter(text)):
            evidence.append(f"{path}: Space front matter 'sdk: gradio'")
        if path.endswith(".py") and IMPORTS_GRADIO.search(text):
            evidence.append(f"{path} imports gradio")
        if REQUIREMENT_FILES.search(path) and LISTS_GRADIO.search(text):
            evidence.append(f"{path} lists gradio")
    evidence.sort(key=lambda line: (not line.startswith("app.py"), line))
    return SpaceCheck(tuple(links), tuple(evidence))
