"""The side-by-side page: self-contained, escaped, and rendered by a real browser (Debian's chromium, headless,
started by the report's own helper) with both sides and the matching lines highlighted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report.test_html import chromium, png_pixels

from grader.cli import main
from similarity.classroom import INDEPENDENT, submit


@pytest.fixture
def page(course_root: Path) -> Path:
    submit(course_root, "s05", {**INDEPENDENT[1], "vocab": INDEPENDENT[0]["vocab"]})  # half of s02's
    submit(course_root, "s06", {"stats": "return '</td><script>alert(1)</script>'", "windows": "return []",
                                "vocab": "def fit(self, texts):\n    return self"})
    assert main(["--course", str(course_root), "similarity", "hw1", "--threshold", "0.5"]) == 0
    return course_root / "gradebook" / "similarity" / "hw1.html"


def test_page_is_self_contained_and_escaped(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and not re.search(r"""(src|href)=['"]https?:""", text)


def test_browser_shows_each_flagged_pair_side_by_side(page: Path, tmp_path: Path) -> None:
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path / "profile").stdout
    assert "Similarity between submissions: hw1" in dom and "Nothing is penalised" in dom
    sections = re.findall(r"<section class=\"pair\" id=\"pair-(\d+)\">(.*?)</section>", dom, re.S)
    titles = [re.search(r"<h2>(.*?)</h2>", body).group(1) for _, body in sections]  # type: ignore[union-attr]
    assert titles == ["1. s01 ↔ reference", "2. s02 ↔ s05"]  # s03 ↔ s05 (40 %) is listed, not shown
    half = sections[1][1]
    assert half.count("<div class=\"side\">") == 2
    marked = re.findall(r"<tr class=\"[a-z]*\" data-match=\"1\"><td class=\"n\">\d+</td><td class=\"c\" "
                        r"style=\"background:[^\"]+\">(.*?)</td>", half)
    assert any("setdefault" in line for line in marked)  # s02's vocabulary code, highlighted on both sides
    assert not any("fsum" in line for line in marked)  # s02's own column_stats, not copied: not highlighted


def test_screenshot_shows_highlighted_code(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    chromium([f"--screenshot={shot}", "--window-size=1200,1600", "--hide-scrollbars", page.as_uri()],
             tmp_path / "profile")
    width, _, rows = png_pixels(shot)
    step = 4 if len(rows[0]) == width * 4 else 3
    pixels = {row[x:x + 3] for row in rows[::3] for x in range(0, len(row), step * 3)}
    assert bytes.fromhex("ffe08a") in pixels or bytes.fromhex("b5e3ff") in pixels, "no highlighted region"
