"""The small-group rule: results about fewer than ``MIN_GROUP`` people are never shown.

Peer-worker wellbeing is reported for teams only, and commissioner reports show counts under five
as ``*`` (as England's NDTMS public tables do), so that no result can single anyone out. Every
function here says what it held back, so a report can print the note beside the table.

Primary suppression hides each group of fewer than ``min_group`` people. Secondary suppression
(:func:`plan_suppression`) hides more: wherever a shown total minus the shown groups under it
would leave fewer than ``min_group`` people, the smallest shown group under it is hidden too (and
a hidden total gets a hidden group under it), repeated until nothing small can be worked out by
subtraction. :func:`secondary_suppression` plans a two-way table (sites by roles, with every
margin); :func:`drop_small_groups` plans a long DataFrame whose groups add up to totals shown
elsewhere (teams at each time point, beside all workers at each time point).

This module imports nothing heavy at import time (pandas is imported inside the functions that take
a DataFrame), so the survey path may use :func:`reportable`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .errors import AnalysisError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MIN_GROUP = 5
"""The smallest number of people a reported group may describe."""

SUPPRESSED = "*"
"""What a suppressed count is shown as."""


Cell = tuple[str, ...]
"""A group of a two-way table: ``("all",)``, ``("site", s)``, ``("role", r)`` or
``("cell", s, r)`` (role ``r`` within site ``s``)."""

G = TypeVar("G", bound=Hashable)


def reportable(n: int, min_group: int = MIN_GROUP) -> bool:
    """Whether a group of ``n`` people may be reported (``n >= min_group``)."""
    return n >= min_group


def threshold(min_group: int = MIN_GROUP) -> int:
    """The smallest group to show: ``min_group`` (e.g. the configuration's), never below
    :data:`MIN_GROUP`."""
    return max(int(min_group), MIN_GROUP)


def plan_suppression(
    sizes: Mapping[G, int],
    nesting: Sequence[tuple[G, Sequence[G]]],
    min_group: int = MIN_GROUP,
) -> tuple[set[G], set[G]]:
    """Plan which groups to hide, so that no group under ``min_group`` is shown or can be worked
    out by subtraction.

    Args:
        sizes: People in each group a table (or several tables) can show; the groups must be
            sortable (e.g. tuples of text): ties are broken by the group.
        nesting: ``(total, parts)`` pairs, where the parts add up to the total (each person is in
            one part), e.g. all workers and each site.
        min_group: The smallest group shown.

    Returns:
        ``(primary, secondary)``: the groups hidden because they are small, and the groups hidden
        so that a small one cannot be worked out by subtracting shown groups from a shown total.

    Notes:
        For each total and its parts, until nothing changes: if the total is shown and its hidden
        parts add up to between 1 and ``min_group - 1`` people, the smallest shown part is hidden
        too; if the total is hidden and every part is shown (the total would be their sum), the
        smallest shown part is hidden.
    """
    primary = {g for g, v in sizes.items() if v > 0 and not reportable(v, min_group)}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for parent, children in nesting:
            kids = [c for c in children if sizes.get(c, 0) > 0]
            hid = [c for c in kids if c in hidden]
            shown = sorted((c for c in kids if c not in hidden), key=lambda c: (sizes[c], c))
            if not shown:
                continue
            if parent not in hidden:
                leak = bool(hid) and not reportable(sum(sizes[c] for c in hid), min_group)
            else:
                leak = not hid  # a hidden total whose groups are all shown is their sum
            if leak:
                hidden.add(shown[0])
                changed = True
    return primary, hidden - primary


def secondary_suppression(
    counts: Mapping[tuple[str, str], int], min_group: int
) -> tuple[set[Cell], set[Cell]]:
    """Plan which groups of a sites-by-roles table to hide, with every margin: the whole team,
    each site, each role and each role within a site (see :func:`plan_suppression`).

    Args:
        counts: People (with a score) per ``(site, role)``.
        min_group: The smallest group shown.

    Returns:
        ``(primary, secondary)``: the :data:`Cell` s hidden because they are small, and those
        hidden so that a small one cannot be worked out by subtracting shown groups from a shown
        total.
    """
    n: dict[Cell, int] = {}
    sites = sorted({s for s, _ in counts})
    roles = sorted({r for _, r in counts})
    n[("all",)] = sum(counts.values())
    for s in sites:
        n[("site", s)] = sum(v for (cs, _), v in counts.items() if cs == s)
    for r in roles:
        n[("role", r)] = sum(v for (_, cr), v in counts.items() if cr == r)
    for (s, r), v in counts.items():
        n[("cell", s, r)] = v
    nesting: list[tuple[Cell, list[Cell]]] = [
        (("all",), [("site", s) for s in sites]),
        (("all",), [("role", r) for r in roles]),
    ]
    nesting += [(("site", s), [("cell", s, r) for r in roles]) for s in sites]
    nesting += [(("role", r), [("cell", s, r) for s in sites]) for r in roles]
    return plan_suppression(n, nesting, min_group)


@attrs.frozen(eq=False)
class Suppression:
    """A table with its small groups removed, and what was removed.

    Attributes:
        frame: The rows of the groups that may be reported.
        dropped: The keys of the groups held back (tuples, one value per ``by`` column).
        min_group: The threshold used.
        note: A plain-language sentence saying what was held back and why ("" if nothing was).
        secondary: The keys of those groups held back only so that a smaller one cannot be
            worked out from a total (secondary suppression; also in ``dropped``).
    """

    frame: pd.DataFrame
    dropped: tuple[tuple[Any, ...], ...]
    min_group: int
    note: str
    secondary: tuple[tuple[Any, ...], ...] = ()


def drop_small_groups(
    data: pd.DataFrame,
    by: str | Sequence[str],
    subject: str = "subject",
    min_group: int = MIN_GROUP,
    what: str = "people",
    totals_by: str | Sequence[str] | None = None,
) -> Suppression:
    """Remove every group with fewer than ``min_group`` distinct people (and, with
    ``totals_by``, every group that would let one be worked out from a total).

    Args:
        data: A long DataFrame with one or more rows per person.
        by: The column or columns that define a group (e.g. ``["site", "timepoint"]``).
        subject: The column naming the person; people are counted once per group however many
            rows they have.
        min_group: The threshold (default :data:`MIN_GROUP`).
        what: The word for the people counted, for the note ("workers").
        totals_by: Some of the ``by`` columns (e.g. ``"timepoint"``) when a total for each of
            their values is shown elsewhere (e.g. all workers at each time point, beside this
            table of sites at each time point). Each person must be in one group per total.
            Groups are then also held back wherever the total minus the groups shown would leave
            fewer than ``min_group`` people (:func:`plan_suppression`).

    Returns:
        A :class:`Suppression` with the rows of the groups kept and a note naming the groups held
        back (by their labels only, never their sizes).
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    if data.empty:
        return Suppression(data.copy(), (), min_group, "")
    grouped = data.groupby(by_cols, dropna=False, observed=True)
    sizes = grouped[subject].nunique()
    keys = [_as_tuple(k) for k in sizes.index]
    small = {i for i, n in enumerate(sizes.tolist()) if not reportable(n, min_group)}
    extra: set[int] = set()
    if totals_by is not None:
        extra = _secondary(data, by_cols, keys, sizes.tolist(), subject, totals_by, min_group)
    if not small and not extra:
        return Suppression(data.copy(), (), min_group, "")
    kept = data[~grouped.ngroup().isin(small | extra).to_numpy()].copy()
    notes = []
    if small:
        notes.append(
            f"{_groups_phrase(len(small))} with fewer than {min_group} {what} not shown, so that no "
            f"one can be identified: {_labels(keys, small)}."
        )
    if extra:
        notes.append(
            f"{_groups_phrase(len(extra), 'more ' if small else '')} not shown, so that a group of "
            f"fewer than {min_group} {what} cannot be worked out by subtracting the groups shown "
            f"from the total: {_labels(keys, extra)}."
        )
    dropped = tuple(k for i, k in enumerate(keys) if i in small | extra)
    secondary = tuple(k for i, k in enumerate(keys) if i in extra)
    return Suppression(kept, dropped, min_group, " ".join(notes), secondary)


def _secondary(
    data: pd.DataFrame,
    by_cols: list[str],
    keys: list[tuple[Any, ...]],
    sizes: list[int],
    subject: str,
    totals_by: str | Sequence[str],
    min_group: int,
) -> set[int]:
    """The positions in ``keys`` of the groups hidden by secondary suppression."""
    total_cols = [totals_by] if isinstance(totals_by, str) else list(totals_by)
    unknown = [c for c in total_cols if c not in by_cols]
    if unknown:
        raise AnalysisError(
            f"totals_by must name columns of by ({', '.join(by_cols)}); got {', '.join(unknown)}"
        )
    at = [by_cols.index(c) for c in total_cols]
    # Plan on text labels so that any values (NaN, numbers, text) sort for tie-breaking.
    group_ids = [("group", *map(str, k)) for k in keys]
    plan_sizes: dict[tuple[str, ...], int] = dict(zip(group_ids, sizes, strict=True))
    parts: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for key, gid in zip(keys, group_ids, strict=True):
        parts.setdefault(("total", *(str(key[i]) for i in at)), []).append(gid)
    totals = data.groupby(total_cols, dropna=False, observed=True)[subject].nunique()
    for key, n in zip(totals.index, totals.tolist(), strict=True):
        plan_sizes[("total", *map(str, _as_tuple(key)))] = n
    _, secondary = plan_suppression(plan_sizes, list(parts.items()), min_group)
    return {i for i, gid in enumerate(group_ids) if gid in secondary}


def _groups_phrase(n: int, more: str = "") -> str:
    return f"{n} {more}{'group' if n == 1 else 'groups'}"


def _labels(keys: list[tuple[Any, ...]], chosen: set[int]) -> str:
    return ", ".join(" / ".join(str(v) for v in k) for i, k in enumerate(keys) if i in chosen)


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
        out[col] = [SUPPRESSED if _is_small(v, min_group) else v for v in values.tolist()]
    return out


def _is_small(value: Any, min_group: int) -> bool:
    try:
        n = float(value)
    except (TypeError, ValueError):
        return False
    return 0 < n < min_group


def _as_tuple(key: Hashable) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)
