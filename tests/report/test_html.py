"""The HTML page: self-contained, and rendered by a real browser (Debian's chromium, headless) with its table,
its attention section and its three plots."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from grader.course import CourseFolder
from grader.report.build import build_report
from grader.report.html import render_html, write_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: 'make setup' installs the Debian package (APT_PACKAGES)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB(A) PNG (enough to count colours; no Pillow)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    idat = b""
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IDAT":
            idat += body
        else:
            chunks[kind] = body
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up = previous[x]
            corner = previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


@pytest.fixture(scope="module")
def page(class_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grader.course import open_course

    return write_html(build_report(open_course(class_template)), tmp_path_factory.mktemp("html") / "grades.html")


def test_page_is_self_contained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and not re.search(r"""(src|href)=['"]https?:""", text)
    assert text.count("data:image/png;base64,") == 3


def test_browser_renders_table_attention_plots_and_breakdown(page: Path, tmp_path: Path) -> None:
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path / "profile").stdout
    for expected in ("final grades", "Анна Иванова", "Дарья Соколова", "Needs attention",
                     "students on the roster with no data (1)", "x99", "Grade distribution",
                     "Completion per homework", "Submissions over time against deadlines", "Per-student breakdown",
                     "DmitryRyumin not invited"):
        assert expected in dom, expected
    assert dom.count("<img") == 3 and "id=\"grades\"" in dom
    assert re.search(r"<td class=\"grade\">10</td>", dom) and "4.125" in dom


def ink(page: Path, tmp_path: Path) -> tuple[int, float, float]:
    """Screenshot ``page``: distinct colours, the share of dark pixels and of white ones (sampled)."""
    shot = tmp_path / "page.png"
    chromium([f"--screenshot={shot}", "--window-size=1200,1600", "--hide-scrollbars", page.as_uri()],
             tmp_path / "profile")
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1200, 1600)
    step = 4 if len(rows[0]) == width * 4 else 3
    samples = [row[x:x + 3] for row in rows[::4] for x in range(0, len(row), step * 4)]
    dark = sum(1 for pixel in samples if sum(pixel) < 200) / len(samples)
    white = sum(1 for pixel in samples if pixel == b"\xff\xff\xff") / len(samples)
    return len(set(samples)), dark, white


def test_screenshot_is_not_blank(page: Path, tmp_path: Path) -> None:
    colours, dark, white = ink(page, tmp_path)
    assert colours > 50, "the page looks blank"  # text, table shading, the plots' colours
    assert dark > 0.005 and white < 0.97, f"hardly any ink on the page (dark {dark:.3%}, white {white:.1%})"


def test_the_blank_check_would_catch_an_empty_page(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    colours, dark, white = ink(empty, tmp_path)
    assert colours <= 2 and dark == 0 and white > 0.99


def test_html_escapes_what_students_typed(fixed_class: CourseFolder) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(fixed_class.gradebook_url) as gb:
        gb.update_or_create_student("s06", first_name="<script>alert(1)</script>")
        gb.db.commit()
    text = render_html(build_report(fixed_class))
    assert "<script>" not in text and "&lt;script&gt;" in text
