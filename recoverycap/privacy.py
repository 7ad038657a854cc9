"""The small-group rule: results about fewer than ``MIN_GROUP`` people are never shown.

Peer-worker wellbeing is reported for teams only, and commissioner reports show counts under five
as ``*`` (as England's NDTMS public tables do), so that no result can single anyone out. Every
function here says what it held back, so a report can print the note beside the table.

This module imports nothing heavy at import time (pandas is imported inside the functions that take
a DataFrame), so the survey path may use :func:`reportable`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MIN_GROUP = 5
"""The smallest number of people a reported group may describe."""

SUPPRESSED = "*"
"""What a suppressed count is shown as."""


def reportable(n: int, min_group: int = MIN_GROUP) -> bool:
    """Whether a group of ``n`` people may be reported (``n >= min_group``)."""
    return n >= min_group


@attrs.frozen(eq=False)
class Suppression:
    """A table with its small groups removed, and what was removed.

    Attributes:
        frame: The rows of the groups that may be reported.
        dropped: The keys of the groups held back (tuples, one value per ``by`` column).
        min_group: The threshold used.
        note: A plain-language sentence saying what was held back and why ("" if nothing was).
    """

    frame: pd.DataFrame
    dropped: tuple[tuple[Any, ...], ...]
    min_group: int
    note: str


def drop_small_groups(
    data: pd.DataFrame,
    by: str | Sequence[str],
    subject: str = "subject",
    min_group: int = MIN_GROUP,
    what: str = "people",
) -> Suppression:
    """Remove every group with fewer than ``min_group`` distinct people.

    Args:
        data: A long DataFrame with one or more rows per person.
        by: The column or columns that define a group (e.g. ``["site", "timepoint"]``).
        subject: The column naming the person; people are counted once per group however many
            rows they have.
        min_group: The threshold (default :data:`MIN_GROUP`).
        what: The word for the people counted, for the note ("workers").

    Returns:
        A :class:`Suppression` with the rows of the groups kept and a note naming the groups held
        back (by their labels only, never their sizes).
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    if data.empty:
        return Suppression(data.copy(), (), min_group, "")
    sizes = data.groupby(by_cols, dropna=False, observed=True)[subject].nunique()
    small = sizes[sizes < min_group]
    dropped = tuple(_as_tuple(k) for k in small.index)
    if not dropped:
        return Suppression(data.copy(), (), min_group, "")
    counts = data.groupby(by_cols, dropna=False, observed=True)[subject].transform("nunique")
    kept = data[counts >= min_group].copy()
    labels = ", ".join(" / ".join(str(v) for v in key) for key in dropped)
    plural = "group" if len(dropped) == 1 else "groups"
    note = (
        f"{len(dropped)} {plural} with fewer than {min_group} {what} not shown, so that no one "
        f"can be identified: {labels}."
    )
    return Suppression(kept, dropped, min_group, note)


def mask_small_counts(
    table: pd.DataFrame, columns: Sequence[str], min_group: int = MIN_GROUP
) -> pd.DataFrame:
    """A copy of ``table`` with counts from 1 to ``min_group - 1`` in ``columns`` shown as ``*``.

    Zero stays 0 (an empty cell identifies no one), as in NDTMS public tables. The masked columns
    become object columns holding ints and ``"*"``.
    """
    out = table.copy()
    for col in columns:
        values = out[col]
        out[col] = [
            SUPPRESSED if _is_small(v, min_group) else v for v in values.tolist()
        ]
    return out


def _is_small(value: Any, min_group: int) -> bool:
    try:
        n = float(value)
    except (TypeError, ValueError):
        return False
    return 0 < n < min_group


def _as_tuple(key: Hashable) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)
