"""Every command has help text and is documented in README.md or docs/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from recoverycap.cli import main

ROOT = Path(__file__).resolve().parents[1]


def command_paths(
    group: click.Group = main, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        path = (*prefix, name)
        yield path
        if isinstance(cmd, click.Group):
            yield from command_paths(cmd, path)


PATHS = list(command_paths())
DOCS = "\n".join(
    p.read_text(encoding="utf-8")
    for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
)


def test_there_are_commands() -> None:
    """The command tree is not empty (so the parametrised tests below test something)."""
    assert len(PATHS) > 20


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_command_has_help(path: tuple[str, ...]) -> None:
    """`--help` works and the command has a description."""
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    lines = [
        ln for ln in result.output.splitlines()[1:] if ln.strip() and not ln.strip().startswith("-")
    ]
    assert lines, f"recoverycap {' '.join(path)} has no description"


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_command_is_documented(path: tuple[str, ...]) -> None:
    """Each command appears as `recoverycap <path>` in README.md or docs/*.md."""
    assert f"recoverycap {' '.join(path)}" in DOCS, (
        f"recoverycap {' '.join(path)} is not documented"
    )
