"""Golden files: compare with ``tests/report/files/``; ``UPDATE_GOLDEN=1`` rewrites them (review the diff)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

FILES = Path(__file__).resolve().parent / "files"


def workbook_as_json(path: Path) -> str:
    """Every sheet's cell values (floats to 9 digits, times as ISO text): what the golden file records."""
    book = load_workbook(path)

    def value(cell: object) -> object:
        if isinstance(cell, float):
            return round(cell, 9)
        if isinstance(cell, datetime):
            return cell.isoformat()
        return cell

    blocks = []
    for name in book.sheetnames:
        rows = [json.dumps([value(c) for c in row], ensure_ascii=False)
                for row in book[name].iter_rows(values_only=True)]
        blocks.append(f" {json.dumps(name)}: [\n  " + ",\n  ".join(rows) + "\n ]")
    return "{\n" + ",\n".join(blocks) + "\n}\n"  # one row per line: a readable diff


def assert_golden(name: str, actual: bytes) -> None:
    golden = FILES / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
    assert golden.is_file(), f"{golden} is missing: run the tests once with UPDATE_GOLDEN=1 and review it"
    expected = golden.read_bytes()
    if actual != expected:
        diff = [f"- {e}\n+ {a}" for e, a in zip(expected.decode().splitlines(), actual.decode().splitlines(),
                                                 strict=False) if e != a]
        raise AssertionError(f"{name} differs from the golden file (UPDATE_GOLDEN=1 to accept):\n"
                             + "\n".join(diff[:10]))
