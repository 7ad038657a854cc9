"""Plain-text tables for the commands' output."""

from __future__ import annotations

from collections.abc import Sequence


def table_lines(rows: Sequence[Sequence[object]], indent: str = "") -> list[str]:
    """Rows (the first is usually the heading) as columns two spaces apart, each as wide as its
    widest cell; None shows as an empty cell and trailing spaces are dropped."""
    text = [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in text) for i in range(len(text[0]))]
    return [
        (indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))).rstrip()
        for r in text
    ]
