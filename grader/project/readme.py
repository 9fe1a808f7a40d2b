"""Stage 'readme': is there a README, and does it cover the parts the course asks for?

Headings are Markdown (``# …``, setext ``===``/``---``), HTML (``<h2>…</h2>``) or a bold lead-in at the start
of a line or list item (``- **Цель работы.** …``), in Russian or English. Code blocks are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

README_NAMES = ("README.md", "README.MD", "Readme.md", "readme.md", "README.rst", "README.txt", "README")
ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.IGNORECASE | re.DOTALL)
BOLD_LEAD = re.compile(r"^\s{0,3}(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)(.+?)(?:\*\*|__)[.:]?\s*(.*)$")
TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Section:
    heading: str
    line: int
    words: int


@dataclass(frozen=True)
class ReadmeCheck:
    """path: the README found (relative), or '' when there is none.
    parts: required part -> the heading that covers it ('' when missing).
    thin: parts whose heading is there but whose text is shorter than the minimum."""

    path: str = ""
    parts: dict[str, str] = field(default_factory=dict)
    thin: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return bool(self.path)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(part for part, heading in self.parts.items() if not heading)

    @property
    def complete(self) -> bool:
        return self.present and not self.missing and not self.thin


def find_readme(root: Path) -> Path | None:
    names = {p.name: p for p in root.iterdir() if p.is_file()} if root.is_dir() else {}
    for name in README_NAMES:
        if name in names:
            return names[name]
    for name, path in sorted(names.items()):
        if name.lower().startswith("readme"):
            return path
    return None


def _strip_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                return [""] * (index + 1) + lines[index + 1:]
    return lines


def sections(text: str, soft: Callable[[str], bool] = lambda _title: True) -> list[Section]:
    """Every heading with the number of words under it (up to the next heading). A bold lead-in counts as a
    heading only when ``soft(title)`` says so (bold words inside ordinary text do not cut a section)."""
    lines = _strip_front_matter(text.splitlines())
    found: list[tuple[str, int]] = []
    body: dict[int, list[str]] = {}
    fenced = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = None
        rest = ""
        if match := ATX.match(line):
            heading = match.group(1)
        elif line.strip() and index + 1 < len(lines) and SETEXT.match(lines[index + 1]):
            heading = line
        elif match := HTML_HEADING.search(line):
            heading = match.group(1)
        elif (match := BOLD_LEAD.match(line)) and soft(TAGS.sub("", match.group(1))):
            heading, rest = match.group(1), match.group(2)
        if heading is not None:
            found.append((TAGS.sub("", heading).strip(" *_:#."), index + 1))
            body[len(found) - 1] = [rest]
        elif found:
            body[len(found) - 1].append(line)
    return [Section(title, line, len(re.findall(r"\w+", TAGS.sub(" ", " ".join(body[i])))))
            for i, (title, line) in enumerate(found)]


def check_readme(root: Path, required: Mapping[str, Sequence[str]], min_words: int) -> ReadmeCheck:
    path = find_readme(root)
    if path is None:
        return ReadmeCheck("", {part: "" for part in required})
    text = path.read_text(encoding="utf-8", errors="replace")
    compiled = {part: [re.compile(p, re.IGNORECASE) for p in patterns] for part, patterns in required.items()}
    parts = {part: "" for part in required}
    words: dict[str, int] = {}
    def names_a_part(title: str) -> bool:
        return any(p.search(title) for patterns in compiled.values() for p in patterns)

    for section in sections(text, names_a_part):
        for part, patterns in compiled.items():
            if any(p.search(section.heading) for p in patterns):
                if not parts[part] or (words[part] < min_words <= section.words):
                    parts[part], words[part] = section.heading, section.words
                break
    thin = tuple(part for part, heading in parts.items() if heading and words[part] < min_words)
    return ReadmeCheck(path.name, parts, thin)
