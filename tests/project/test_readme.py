"""README check: present, and covering the five parts the course asks for, with Russian or English headings."""

from __future__ import annotations

from pathlib import Path

from grader.project.config import DEFAULT_SECTIONS
from grader.project.readme import check_readme, sections

from .conftest import README_EN, README_RU

PARTS = {"goal", "data", "algorithms", "quality", "results"}


def check(folder: Path, text: str | None, name: str = "README.md", min_words: int = 5):  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    if text is not None:
        (folder / name).write_text(text, encoding="utf-8")
    return check_readme(folder, DEFAULT_SECTIONS, min_words)


def test_russian_readme_with_every_part_is_complete(tmp_path: Path) -> None:
    result = check(tmp_path, README_RU)
    assert result.complete and set(result.parts) == PARTS
    assert result.parts["quality"] == "Как измерялось качество моделей"
    assert result.parts["algorithms"] == "Используемые алгоритмы с обоснованием"


def test_english_readme_with_setext_bold_and_front_matter_is_complete(tmp_path: Path) -> None:
    result = check(tmp_path, README_EN)
    assert result.complete, result
    assert result.parts["goal"] == "Goal" and result.parts["quality"] == "Evaluation metrics"


def test_readme_without_some_parts_names_the_missing_ones(tmp_path: Path) -> None:
    text = README_RU.split("## Как измерялось")[0]
    result = check(tmp_path, text)
    assert result.present and not result.complete
    assert set(result.missing) == {"quality", "results"}


def test_no_readme_is_reported_as_missing_everything(tmp_path: Path) -> None:
    result = check(tmp_path, None)
    assert not result.present and set(result.missing) == PARTS


def test_lowercase_readme_name_is_found(tmp_path: Path) -> None:
    assert check(tmp_path, README_RU, name="readme.md").path == "readme.md"


def test_a_bare_heading_does_not_count_as_a_written_part(tmp_path: Path) -> None:
    text = README_RU.replace("Доля верных ответов и F1 на отложенной выборке, пять запусков с разными зернами.", "")
    result = check(tmp_path, text)
    assert result.thin == ("quality",) and not result.complete


def test_headings_inside_code_blocks_are_ignored(tmp_path: Path) -> None:
    text = "# Project\n```bash\n# Цель работы\npython train.py\n```\n"
    assert check(tmp_path, text).parts["goal"] == ""


def test_the_course_readme_style_bold_list_items_count_as_headings() -> None:
    text = "- **Цель работы.** Четкое описание задачи, которую предстоит решить с помощью нейросети.\n"
    found = sections(text)
    assert [s.heading for s in found] == ["Цель работы"] and found[0].words >= 5


def test_bold_words_inside_ordinary_text_do_not_cut_a_section(tmp_path: Path) -> None:
    text = README_RU.replace("Логистическая регрессия", "**PyTorch** и логистическая регрессия")
    assert check(tmp_path, text).complete
