"""Fixtures shared by the store tests, loaded with ``pytest_plugins = ["store_fixtures"]``.

- ``lib``: the bundled instruments plus ``tests/data`` (the ``tiny`` test instrument);
- ``mem_store``: an in-memory store; ``file_store``: a store in a file (``db_path``) under
  ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import make_library

from recoverycap import Library
from recoverycap.store import Store


@pytest.fixture(scope="session")
def lib() -> Library:
    """Bundled instruments and tests/data (tiny.toml), environment ignored."""
    return make_library()


@pytest.fixture
def mem_store(lib: Library) -> Iterator[Store]:
    """A fresh in-memory store."""
    with Store.open(":memory:", library=lib, actor="tester") as store:
        yield store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "recoverycap.db"


@pytest.fixture
def file_store(lib: Library, db_path: Path) -> Iterator[Store]:
    """A fresh store in a file under tmp_path."""
    with Store.open(db_path, library=lib, actor="tester") as store:
        yield store
