"""Open datasets: Hugging Face ids and links, other open-data links; counted once each, listed with places."""

from __future__ import annotations

import json

from grader.project.config import DEFAULT_DATASET_LINKS
from grader.project.datasets import find_datasets


def found(files: dict[str, str]) -> list[str]:
    return [str(d) for d in find_datasets(sorted(files.items()), DEFAULT_DATASET_LINKS)]


def test_one_hugging_face_dataset_is_one_dataset() -> None:
    assert found({"train.py": 'from datasets import load_dataset\nds = load_dataset("stanfordnlp/imdb")\n'}) == [
        "stanfordnlp/imdb"]


def test_two_datasets_from_code_and_readme_links_are_two() -> None:
    files = {"train.py": "ds = load_dataset('stanfordnlp/imdb', split='train')\n",
             "README.md": "Also [emotion](https://huggingface.co/datasets/dair-ai/emotion/viewer) data.\n"}
    assert found(files) == ["dair-ai/emotion", "stanfordnlp/imdb"]


def test_the_same_dataset_in_code_and_link_counts_once_with_every_place() -> None:
    files = {"README.md": "https://huggingface.co/datasets/stanfordnlp/imdb\n",
             "train.py": "\n\nload_dataset(path='stanfordnlp/imdb')\n"}
    refs = find_datasets(sorted(files.items()), DEFAULT_DATASET_LINKS)
    assert len(refs) == 1 and refs[0].found_in == ("README.md:1", "train.py:3")
    assert refs[0].url == "https://huggingface.co/datasets/stanfordnlp/imdb"


def test_loading_local_files_is_not_an_open_dataset() -> None:
    assert found({"a.py": 'load_dataset("csv", data_files="my.csv")\nload_dataset("imagefolder", data_dir=".")\n'}) \
        == []


def test_other_open_data_hosts_and_library_datasets_count() -> None:
    files = {"README.md": "Data: https://www.kaggle.com/datasets/owner/flowers and "
                          "https://archive.ics.uci.edu/dataset/53/iris.\n",
             "vision.py": "torchvision.datasets.CIFAR10(root='.', download=True)\n"}
    assert found(files) == ["kaggle.com/datasets/owner/flowers", "archive.ics.uci.edu/dataset/53/iris",
                            "torchvision:CIFAR10"]


def test_notebook_cells_are_scanned() -> None:
    from grader.project.text import notebook_text

    notebook = json.dumps({"cells": [{"cell_type": "code", "source": ["x = 1\n", "load_dataset('mozilla/cv')\n"]}]})
    assert found({"eda.ipynb": notebook_text(notebook)}) == ["mozilla/cv"]
