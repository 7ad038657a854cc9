"""Stateless batch scoring of a wide CSV file, streamed in chunks.

Columns named after item ids are answers; every other column passes through unchanged (read as
text, written back as text). The output adds, per scale, the score, band and items answered. The
whole input is checked: any invalid value stops the run with every problem listed and no output
written (the output is written to a temporary file that replaces the target only on success).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from .errors import InvalidResponse, Problem
from .instrument import Instrument
from .paths import open_private

CHUNK_ROWS = 200_000


def score_csv(
    instrument: Instrument,
    input_path: str | Path,
    output_path: str | Path | None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
    note: Callable[[str], None] | None = None,
) -> int:
    """Score a wide CSV file; returns the number of rows scored.

    Args:
        instrument: The instrument to score with.
        input_path: The CSV file, one row per administration.
        output_path: Where to write the scored CSV, or None for standard output.
        chunk_rows: Rows read at a time (memory stays flat on large files).
        progress: Called with the number of rows done after each chunk.
        note: Called with a sentence about anything the user should know (e.g. item columns
            absent from the file, which count as missing answers).

    Raises:
        InvalidResponse: every invalid value (row, column, allowed, given); nothing is written.
        FileNotFoundError: the input does not exist.
    """
    import sys

    import pandas as pd

    from .vectorised import MAX_PROBLEMS, score_frame

    input_path = Path(input_path)
    name = input_path.name
    problems: list[Problem] = []
    tmp: Path | None = None
    out = None
    if output_path is not None:
        output_path = Path(output_path)
        tmp = output_path.with_name(f".{output_path.name}.{os.getpid()}.partial")
        out = open_private(tmp, "w", newline="", encoding="utf-8")
    rows = 0
    try:
        reader = pd.read_csv(
            input_path, dtype=str, keep_default_na=False, chunksize=chunk_rows, encoding="utf-8-sig"
        )
        first = True
        for chunk in reader:
            if first:
                absent = _check_columns(instrument, list(chunk.columns), name)
                if absent and note is not None:
                    note(
                        f"{name} has no column for {', '.join(absent)}: those items count as "
                        f"missing, so scales that need them are left empty"
                    )
            try:
                scores = score_frame(instrument, chunk, where=name, first_row=rows + 2)
            except InvalidResponse as exc:
                problems.extend(exc.problems[: MAX_PROBLEMS - len(problems)])
                rows += len(chunk)
                first = False
                continue
            rows += len(chunk)
            if not problems:
                merged = pd.concat([chunk, _format(scores)], axis=1)
                merged.to_csv(out if out is not None else sys.stdout, index=False, header=first)
            first = False
            if progress is not None:
                progress(rows)
        if problems:
            raise InvalidResponse(
                f"{name}: {len(problems)} invalid value(s); no output was written", problems
            )
        if out is not None and tmp is not None and output_path is not None:
            out.close()
            out = None
            os.replace(tmp, output_path)
            tmp = None
        return rows
    finally:
        if out is not None:
            out.close()
        if tmp is not None and tmp.exists():
            tmp.unlink()


def _check_columns(instrument: Instrument, columns: list[str], name: str) -> list[str]:
    """Raise on a header with no item column or duplicate columns; return absent item ids."""
    items = [i.id for i in instrument.items if i.scored]
    if not set(items) & set(columns):
        raise InvalidResponse(
            f"{name}: no column is named after an item of {instrument.id}",
            [
                Problem(
                    name,
                    "header",
                    f"expected columns named {', '.join(items)}; got {', '.join(columns)}",
                )
            ],
        )
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise InvalidResponse(
            f"{name}: duplicate columns",
            [Problem(name, "header", f"columns appear twice: {', '.join(dupes)}")],
        )
    return [i for i in items if i not in columns]


def _format(scores: pd.DataFrame) -> pd.DataFrame:
    """Scores as text: whole numbers without '.0', others to 10 significant digits, NaN empty."""
    import numpy as np

    out = scores.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype.kind == "f":
            values = series.to_numpy()
            text = np.where(np.isnan(values), "", np.char.mod("%.10g", np.nan_to_num(values)))
            out[col] = text
        elif series.dtype.name == "category":
            out[col] = series.astype(object).where(series.notna(), "")
    return out
