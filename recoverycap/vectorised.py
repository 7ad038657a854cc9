"""Vectorised scoring of a pandas DataFrame: one row per administration, one column per item.

It performs the same floating-point operations, in the same order, as
:func:`recoverycap.scoring.score`, so the two paths agree exactly: items are reverse-keyed, then
recoded, then accumulated column by column in the order the scale lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InvalidResponse, Problem
from .instrument import MISSING_REASONS, Instrument, Item, Scale
from .scoring import allowed

MAX_PROBLEMS = 1000


def column_names(instrument: Instrument, scale: Scale) -> tuple[str, str, str]:
    """The output column names for a scale's score, band and items answered."""
    base = f"{instrument.id}_{scale.id}"
    return base, f"{base}_band", f"{base}_answered"


def item_codes(
    instrument: Instrument,
    item: Item,
    column: pd.Series,
    problems: list[Problem],
    where: str = "",
    first_row: int = 1,
) -> np.ndarray:
    """A column of answers as float codes with NaN for missing; invalid values added to problems.

    Empty cells and missing-reason words (declined, dont_know, ...) are missing. ``first_row`` is
    the row number of the column's first value in the user's file, for messages.
    """
    if column.dtype.kind == "f" and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        values = column.to_numpy(dtype=np.float64)
        bad_text = None
    elif column.dtype.kind in "biuf":
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        bad_text = None
    else:
        text = column.astype("string").str.strip()
        lowered = text.str.lower()
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if item.kind == "yesno":
            values = np.where(lowered.isin(["yes", "y"]).to_numpy(bool), 1.0, values)
            values = np.where(lowered.isin(["no", "n"]).to_numpy(bool), 0.0, values)
        blank = text.isna().to_numpy(bool) | (text == "").fillna(True).to_numpy(bool)
        reason = lowered.isin(MISSING_REASONS).fillna(False).to_numpy(bool)
        bad_text = np.isnan(values) & ~blank & ~reason
    lo, hi = instrument.value_range(item)
    opts = instrument.options(item)
    gaps = bool(opts) and len(opts) != int(hi - lo) + 1
    if bad_text is None and not gaps and _all_valid(values, lo, hi, item.kind != "number"):
        return values  # the common case: two reductions, no per-value masks
    with np.errstate(invalid="ignore"):
        if item.kind == "number":
            ok = (values >= lo) & (values <= hi)
        else:
            ok = (values >= lo) & (values <= hi) & (np.floor(values) == values)
            if gaps:
                ok &= np.isin(values, [o.code for o in opts])
    bad = ~ok & ~np.isnan(values)
    if bad_text is not None:
        bad |= bad_text
    if bad.any() and len(problems) < MAX_PROBLEMS:
        original = column.to_numpy()
        for pos in np.flatnonzero(bad)[: MAX_PROBLEMS - len(problems)]:
            row = first_row + int(pos)
            problems.append(
                Problem(
                    f"{where}row {row}" if where else f"row {row}",
                    item.id,
                    f"{original[pos]!r} is not {allowed(instrument, item)} (or empty, or a missing reason: {', '.join(MISSING_REASONS)})",
                )
            )
    return values


def _all_valid(values: np.ndarray, lo: float, hi: float, whole: bool) -> bool:
    """True when every non-missing value lies in [lo, hi] (and is whole, if asked).

    Reductions and one scratch array only, so valid columns (the common case) cost a few passes.
    """
    if values.size == 0:
        return True
    with np.errstate(invalid="ignore"):
        low = np.fmin.reduce(values)  # NaN only if every value is NaN
        if np.isnan(low):
            return True
        high = np.fmax.reduce(values)
        if not (lo <= low and high <= hi):
            return False
        if not whole:
            return True
        scratch = np.floor(values)
        np.subtract(values, scratch, out=scratch)
        return not np.fmax.reduce(scratch) > 0


def scale_values(instrument: Instrument, item: Item, scale: Scale, codes: np.ndarray) -> np.ndarray:
    """The values one item contributes to a scale: reverse key, then recode; NaN stays NaN."""
    values = codes
    if item.reverse:
        lo, hi = instrument.value_range(item)
        values = lo + hi - values
    if scale.recode is not None:
        values = _look_up(scale.recode, values)
    return values


def _look_up(mapping: Mapping[int, float], values: np.ndarray) -> np.ndarray:
    """``mapping[value]`` for each value (a recode or lookup table), NaN staying NaN."""
    lo = min(mapping)
    table = np.full(max(mapping) - lo + 2, np.nan)  # the last cell is NaN's
    for code, v in mapping.items():
        table[code - lo] = v
    idx = np.where(np.isnan(values), len(table) - 1, values - lo).astype(np.intp)
    return table[idx]


def finish_scale_vec(scale: Scale, total: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The vectorised twin of :func:`recoverycap.scoring.finish_scale` (score only)."""
    n = len(scale.items)
    with np.errstate(invalid="ignore", divide="ignore"):
        if scale.method == "mean":
            raw = total / count
        elif scale.prorate:
            raw = np.where(count == n, total, total / count * n)
        else:
            raw = total.copy()
    raw[(count < scale.min_answered) | (count == 0)] = np.nan
    score = _look_up(scale.lookup, raw) if scale.lookup is not None else raw * scale.factor
    if scale.round is not None:
        factor = 10**scale.round
        score = np.floor(score * factor + 0.5) / factor
    return score


def band_labels(scale: Scale, score: np.ndarray) -> pd.Categorical:
    """Band label of each score (the higher band wins on a shared boundary)."""
    labels = [b.label for b in scale.bands]
    codes = np.full(score.shape, -1, dtype=np.int16)
    for i, band in enumerate(scale.bands):
        codes[(score >= band.min) & (score <= band.max)] = i
    unique = list(dict.fromkeys(labels))
    remap = np.array([unique.index(lbl) for lbl in labels] + [-1], dtype=np.int16)
    return pd.Categorical.from_codes(remap[codes], categories=unique)


def score_frame(
    instrument: Instrument,
    data: pd.DataFrame,
    scales: Sequence[str] | None = None,
    where: str = "",
    first_row: int = 1,
    bands: bool = True,
) -> pd.DataFrame:
    """Score every row of a wide DataFrame.

    Args:
        instrument: The instrument.
        data: One row per administration; columns named after item ids (others are ignored;
            absent item columns count as missing).
        scales: Scale ids to score (default: all).
        where: File name for error messages.
        first_row: Row number of the first row, for error messages.
        bands: Add a band column for scales with bands.

    Returns:
        A DataFrame with the same index and, per scale, ``<instrument>_<scale>`` (float, NaN when
        missing), ``..._band`` (categorical, where the scale has bands) and ``..._answered``.

    Raises:
        InvalidResponse: listing every invalid value (row, column, allowed, given).
    """
    problems: list[Problem] = []
    prefix = f"{where} " if where else ""
    codes: dict[str, np.ndarray] = {}
    missing_col = np.full(len(data), np.nan)
    for item in instrument.items:
        if not item.scored:
            continue
        if item.id in data.columns:
            codes[item.id] = item_codes(
                instrument, item, data[item.id], problems, prefix, first_row
            )
        else:
            codes[item.id] = missing_col
    if problems:
        raise InvalidResponse(
            f"{where or instrument.id}: invalid answers; nothing was written", problems
        )
    out: dict[str, object] = {}
    chosen = [instrument.scale(s) for s in scales] if scales else list(instrument.scales)
    for scale in chosen:
        total = np.zeros(len(data))
        count = np.zeros(len(data), dtype=np.int16)  # bool adds into int16 without conversion
        answered = np.empty(len(data), dtype=bool)
        for item_id in scale.items:
            values = scale_values(instrument, instrument.item(item_id), scale, codes[item_id])
            np.isnan(values, out=answered)
            np.logical_not(answered, out=answered)
            count += answered
            np.add(total, values, out=total, where=answered)
        score = finish_scale_vec(scale, total, count)
        name, band_name, answered_name = column_names(instrument, scale)
        out[name] = score
        if bands and scale.bands:
            out[band_name] = band_labels(scale, score)
        out[answered_name] = count
    return pd.DataFrame(out, index=data.index)
