"""Shared fixtures: the instrument library, a small test instrument, databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from recoverycap import Instrument, Library

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def library() -> Library:
    """The bundled instrument library (no extra folders, environment ignored)."""
    return Library(include_env=False)


@pytest.fixture(scope="session")
def tiny() -> Instrument:
    """A small instrument exercising every scoring feature (tests/data/tiny.toml)."""
    return Instrument.from_path(DATA / "tiny.toml")


@pytest.fixture(scope="session")
def barc10(library: Library) -> Instrument:
    return library.get("barc10")
