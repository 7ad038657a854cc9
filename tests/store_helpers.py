"""Plain helpers for the store tests (no fixtures: see store_fixtures.py)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from recoverycap import Library

DATA = Path(__file__).parent / "data"


def make_library() -> Library:
    """The bundled instruments plus tests/data (the tiny test instrument), environment ignored."""
    return Library([DATA], include_env=False)


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
