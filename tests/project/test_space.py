"""Hugging Face Space: the link, and whether the Space is a Gradio app (front matter, app.py, requirements)."""

from __future__ import annotations

from grader.project.space import check_space

LINK = "Demo: https://huggingface.co/spaces/anna/sentiment-demo\n"


def test_no_space_link_means_no_space() -> None:
    result = check_space([("README.md", "# Project\n"), ("app.py", "import gradio as gr\n")])
    assert not result.has_link and result.gradio


def test_space_link_with_a_gradio_app_py_is_a_gradio_space() -> None:
    result = check_space([("README.md", LINK), ("app.py", "import numpy\nimport gradio as gr\n")])
    assert result.links == ("https://huggingface.co/spaces/anna/sentiment-demo",)
    assert result.gradio and result.gradio_evidence == ("app.py imports gradio",)


def test_space_link_without_gradio_is_not_a_gradio_space() -> None:
    result = check_space([("README.md", LINK), ("app.py", "import streamlit as st\n"),
                          ("requirements.txt", "streamlit\ngradio_client\n")])
    assert result.has_link and not result.gradio


def test_gradio_in_requirements_or_space_front_matter_counts() -> None:
    assert check_space([("requirements.txt", "torch\ngradio>=4.0\n")]).gradio
    assert check_space([("README.md", "---\ntitle: x\nsdk: gradio\n---\n# x\n")]).gradio
    assert not check_space([("README.md", "---\nsdk: docker\n---\n")]).gradio


def test_hf_space_subdomain_links_are_found() -> None:
    assert check_space([("README.md", "Try https://anna-sentiment.hf.space now")]).links == (
        "https://anna-sentiment.hf.space",)
