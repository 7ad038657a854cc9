"""Frames: the tidy long scores frame, wide-by-time-point frames, filters and subgroups.

Every analysis takes the long frame ``Store.scores_frame(**filters)`` returns: one row per
administration and scale, with the columns in :data:`SCORE_COLUMNS`. Functions take
pingouin-style arguments (``data``, ``dv``, ``within``, ``subject``, ``between``/``by``), so a
DataFrame built by hand, or read from an export, works the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..store.fields import DATE_HINT, iso_date
from ..store.fields import DEFAULT_TIMEPOINTS as STORE_DEFAULT_TIMEPOINTS
from ..store.frames import ID_COLUMNS
from ..store.frames import SCORE_COLUMNS as STORE_SCORE_COLUMNS
from ._common import warn

SCORE_COLUMNS = STORE_SCORE_COLUMNS
"""The columns of the long scores frame (``Store.scores_frame``)."""

DEFAULT_TIMEPOINTS = STORE_DEFAULT_TIMEPOINTS
"""The default schedule's time points, in order. Others sort after these by date."""

GROUPINGS = ("programme", "site", "cohort")
"""The columns subgroups are usually formed by (``by=``)."""

ALL = "all"
"""The group label used when results are not split into subgroups."""


def require_columns(data: pd.DataFrame, columns: Sequence[str], what: str = "the data") -> None:
    """Raise AnalysisError naming any of ``columns`` that ``data`` lacks.

    Raises:
        AnalysisError: naming the missing columns and the columns present.
    """
    if not isinstance(data, pd.DataFrame):
        raise AnalysisError(f"{what} must be a pandas DataFrame; got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns)) or "none"
        raise AnalysisError(
            f"{what} has no column {', '.join(repr(m) for m in missing)}; its columns are: {have}"
        )


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def filter_scores(
    data: pd.DataFrame,
    *,
    instrument: str | Sequence[str] | None = None,
    scale: str | Sequence[str] | None = None,
    subject_type: str | None = None,
    site: str | Sequence[str] | None = None,
    cohort: str | Sequence[str] | None = None,
    programme: str | Sequence[str] | None = None,
    timepoint: str | Sequence[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> pd.DataFrame:
    """The rows of a long scores frame that match every filter given.

    Each filter takes one value or a list of values. ``date_from`` and ``date_to`` are ISO dates
    compared with ``administered_at`` and are inclusive (``date_to="2024-06-30"`` keeps the whole
    of 30 June), as ``Store.scores_frame`` takes them. ``programme`` needs a ``programme`` column
    (see :func:`add_programme`).

    Raises:
        AnalysisError: when a filter names a column the frame does not have.
    """
    out = data
    for column, value in (
        ("instrument", instrument),
        ("scale", scale),
        ("subject_type", subject_type),
        ("site", site),
        ("cohort", cohort),
        ("programme", programme),
        ("timepoint", timepoint),
    ):
        if value is None:
            continue
        require_columns(out, [column], "the scores frame")
        out = out[out[column].isin(_as_list(value))]
    if date_from is not None or date_to is not None:
        require_columns(out, ["administered_at"], "the scores frame")
        when = _dates(out["administered_at"])
        keep = pd.Series(True, index=out.index)
        if date_from is not None:
            keep &= when >= _parse_date(date_from, "date_from")
        if date_to is not None:
            keep &= when < _parse_date(date_to, "date_to") + pd.Timedelta(days=1)
        out = out[keep.to_numpy()]
    return out.copy()


def _parse_date(value: Any, name: str) -> pd.Timestamp:
    try:
        day = iso_date(value, time_ok=True)
    except ValueError as exc:
        raise AnalysisError(f"{name}: {exc}") from None
    if day is None:
        raise AnalysisError(f"{name}: a date is required ({DATE_HINT})")
    return pd.Timestamp(day)


def _dates(values: pd.Series) -> pd.Series:
    """Timestamps without a time zone (UTC where one is given)."""
    stamps = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    return stamps.dt.tz_convert(None)


def outcome_instrument(instrument: Any) -> Any:
    """``instrument``, if participants answer it: outcome analysis is of participants.

    Raises:
        AnalysisError: for a peer-worker questionnaire (``audience = "worker"``, e.g. the CBI),
            saying that workers' wellbeing is reported only for teams.
    """
    if getattr(instrument, "audience", "participant") == "worker":
        raise AnalysisError(
            f"{instrument.label} ({instrument.id}) is a peer-worker questionnaire. Outcome "
            "analysis ('recoverycap analyse') covers participants only; peer workers' wellbeing "
            "is reported only at team level, for groups of five or more, so that no one's "
            "answers can be picked out: use 'recoverycap wellbeing summary'"
        )
    return instrument


def select_scale(
    data: pd.DataFrame, instrument: str | None = None, scale: str | None = None
) -> pd.DataFrame:
    """Narrow a long frame to one instrument and one scale.

    Where the frame has no ``instrument``/``scale`` columns it is returned as it is. Where only
    one instrument (or scale) is present it is chosen without being named.

    Raises:
        AnalysisError: when the frame holds several instruments or scales and none was named, or
            the one named is not there.
    """
    out = data
    for column, wanted in (("instrument", instrument), ("scale", scale)):
        if column not in out.columns:
            continue
        present = sorted(map(str, out[column].dropna().unique()))
        if wanted is None:
            if len(present) > 1:
                raise AnalysisError(
                    f"the data hold more than one {column} ({', '.join(present)}); "
                    f"name the {column} to analyse"
                )
            continue
        if wanted not in present:
            raise AnalysisError(
                f"no scores for {column} {wanted!r}; the data hold: {', '.join(present) or 'none'}"
            )
        out = out[out[column] == wanted]
    if "version" in out.columns and out["version"].nunique() > 1:
        versions = ", ".join(sorted(map(str, out["version"].dropna().unique())))
        warn(
            f"the scores come from more than one version of the instrument ({versions}); "
            "they are analysed together"
        )
    return out


def timepoint_order(
    data: pd.DataFrame, within: str = "timepoint", order: Sequence[str] | None = None
) -> list[str]:
    """The time points present in ``data``, in schedule order.

    The default schedule's time points come first in their order (:data:`DEFAULT_TIMEPOINTS`);
    any others follow, ordered by their median ``administered_at`` where there is one, else by
    name. With ``order`` given, that order is used and time points not in it are left out.
    """
    require_columns(data, [within])
    present = [str(t) for t in data[within].dropna().unique()]
    if order is not None:
        return [t for t in order if t in present]
    known = [t for t in DEFAULT_TIMEPOINTS if t in present]
    others = [t for t in present if t not in DEFAULT_TIMEPOINTS]
    if others and "administered_at" in data.columns:
        when = _dates(data["administered_at"])
        medians = {t: when[(data[within] == t).to_numpy()].median() for t in others}
        others.sort(
            key=lambda t: (pd.isna(medians[t]), medians[t] if not pd.isna(medians[t]) else 0, t)
        )
    else:
        others.sort()
    return known + others


def did_you_mean(value: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'programme_end'?)`` for the closest of ``choices`` (difflib), or ""."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def no_scores_at(value: str, present: Sequence[str]) -> str:
    """The message for a time point the data hold no scores at: the time points they hold, and
    the closest name where one is close ("did you mean 'programme_end'?")."""
    return (
        f"no scores at time point {value!r}{did_you_mean(value, present)}; "
        f"the data hold: {', '.join(present) or 'none'}"
    )


def check_timepoints(
    data: pd.DataFrame,
    timepoints: Sequence[str | None] | Mapping[str, str | None],
    within: str = "timepoint",
) -> list[str]:
    """The time points present in ``data`` in schedule order, after checking every one of
    ``timepoints`` (None is skipped) is among them.

    Check before cutting the data to the time points asked for, so that the error lists every
    time point the data hold.

    Args:
        data: A long scores frame (or any frame with the ``within`` column).
        timepoints: The time points asked for; or a mapping from what each is called (an option
            such as ``"--to"``, which then starts the message) to the time point.
        within: The time-point column.

    Raises:
        AnalysisError: naming the first time point with no scores, the time points present and
            the closest name.
    """
    present = timepoint_order(data, within)
    named = (
        list(timepoints.items())
        if isinstance(timepoints, Mapping)
        else [("", t) for t in timepoints]
    )
    for name, value in named:
        if value is not None and value not in present:
            prefix = f"{name}: " if name else ""
            raise AnalysisError(prefix + no_scores_at(value, present))
    return present


def first_administrations(
    data: pd.DataFrame, subject: str = "subject", when: str = "administered_at"
) -> pd.DataFrame:
    """The rows of each person's first administration: the earliest ``when`` (rows without a
    date come after dated ones; where dates tie, the first row).

    Rows sharing an ``administration_id`` (one per scale or item in the long frames) stay
    together; without that column each row is an administration.
    """
    require_columns(data, [subject])
    if len(data) == 0:
        return data
    order = (
        np.argsort(_dates(data[when]).to_numpy(), kind="stable")
        if when in data.columns
        else np.arange(len(data))
    )
    firsts = order[~data[subject].iloc[order].duplicated().to_numpy()]
    if "administration_id" in data.columns:
        ids = data["administration_id"]
        keep = ids.isin(set(ids.iloc[firsts])).to_numpy()
    else:
        keep = np.zeros(len(data), bool)
        keep[firsts] = True
    return data[keep]


def latest_per_cell(data: pd.DataFrame, keys: Sequence[str], what: str = "score") -> pd.DataFrame:
    """One row per ``keys`` combination: the latest administration where there are several.

    "Latest" is by ``administered_at`` where the frame has it, else the last row. A warning says
    how many were resolved.
    """
    dup = data.duplicated(list(keys), keep=False).to_numpy()
    if not dup.any():
        return data
    n = int(data.loc[dup, list(keys)].drop_duplicates().shape[0])
    if "administered_at" in data.columns:
        order = _dates(data["administered_at"]).to_numpy()
        data = data.iloc[np.argsort(order, kind="stable")]
    out = data.drop_duplicates(list(keys), keep="last")
    warn(f"{n} person/time-point pair(s) had more than one {what}; the latest of each was used")
    return out


def wide(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    timepoints: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A wide frame: one row per person, one column per time point (in schedule order).

    Where a person has more than one score at a time point, the latest is used (with a warning).
    Missing scores are NaN.
    """
    require_columns(data, [dv, within, subject])
    order = timepoint_order(data, within, timepoints)
    rows = data[data[within].isin(order)]
    rows = latest_per_cell(rows, [subject, within])
    table = rows.pivot(index=subject, columns=within, values=dv)
    table = table.reindex(columns=order).astype(float)
    table.columns.name = within
    return table.sort_index()


def add_programme(
    data: pd.DataFrame,
    enrolments: pd.DataFrame,
    subject: str = "subject",
    participant: str = "participant",
) -> pd.DataFrame:
    """Add a ``programme`` column from an enrolments frame.

    A person enrolled on two programmes appears once under each (their scores count towards both
    programmes' results); people with no enrolment get ``programme`` "none". The analyses split
    by ``programme`` compute their "all" results on :func:`everyone`, which counts each of those
    rows once.

    Args:
        data: A long scores frame.
        enrolments: One row per enrolment with the person (``participant`` or ``subject``
            column) and ``programme``.
    """
    person = participant if participant in enrolments.columns else subject
    require_columns(enrolments, [person, "programme"], "the enrolments frame")
    programmes = (
        enrolments[[person, "programme"]].drop_duplicates().rename(columns={person: subject})
    )
    base = data.drop(columns=["programme"]) if "programme" in data.columns else data
    out = base.merge(programmes, on=subject, how="left")
    out["programme"] = out["programme"].fillna("none")
    return out


def everyone(data: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """The rows for the "all" results: each record once, however many groups of ``by`` list it.

    :func:`add_programme` lists a person on two programmes once under each, so their rows appear
    twice, differing only in ``programme``. Rows that are the same in every column but ``by`` are
    kept once (those of the first group that lists them); rows repeated within one group are left
    as they are. Without ``by``, or where it is not a column, ``data`` is returned unchanged.
    """
    if by is None or by not in data.columns or len(data) == 0:
        return data
    key, label = _record_keys(data, by)
    first = label.groupby(key).transform("first")
    return data[(label == first).to_numpy()]


def _record_keys(data: pd.DataFrame, by: str) -> tuple[np.ndarray, pd.Series]:
    """A hash of every column but ``by`` for each row, and the ``by`` label as text."""
    rest = data.drop(columns=[by])
    try:
        key = pd.util.hash_pandas_object(rest, index=False).to_numpy()
    except TypeError:  # unhashable cells (lists, dicts): compare their text
        key = pd.util.hash_pandas_object(rest.astype(str), index=False).to_numpy()
    return key, data[by].astype(str).where(data[by].notna(), "")


def split(
    data: pd.DataFrame, by: str | None, subject: str = "subject"
) -> list[tuple[str, pd.DataFrame]]:
    """``("all", everyone)`` followed, with ``by``, by ``(label, rows)`` for each subgroup.

    The "all" rows come from :func:`everyone`, so a person listed under two groups (enrolled on
    two programmes) counts once there and once in each group's results. When anyone is listed
    under more than one group a :class:`~recoverycap.errors.RecoveryCapWarning` says how many.

    Raises:
        AnalysisError: when ``by`` is not a column (``programme`` needs :func:`add_programme`).
    """
    if by is None:
        return [(ALL, data)]
    parts = list(groups(data, by))
    if len(data):
        key, label = _record_keys(data, by)
        several = (label.groupby(key).transform("nunique") > 1).to_numpy()
        if several.any():
            n = (
                int(data.loc[several, subject].nunique())
                if subject in data.columns
                else int(pd.unique(key[several]).size)
            )
            who = "person is" if n == 1 else "people are"
            warn(
                f"{n} {who} listed under more than one {by} (e.g. enrolled on two programmes): "
                f"each {by}'s results include them, and the 'all' results count them once"
            )
    return [(ALL, everyone(data, by)), *parts]


def groups(data: pd.DataFrame, by: str | None) -> Iterator[tuple[str, pd.DataFrame]]:
    """``(label, rows)`` for each subgroup of ``by`` in sorted order, or ``("all", data)``.

    Raises:
        AnalysisError: when ``by`` is not a column (``programme`` needs :func:`add_programme`).
    """
    if by is None:
        yield ALL, data
        return
    if by not in data.columns:
        hint = (
            " (add it from enrolments with recoverycap.analysis.add_programme)"
            if by == "programme"
            else ""
        )
        require_columns(data, [by], f"the data{hint}")
    for label in sorted(data[by].dropna().astype(str).unique()):
        yield label, data[data[by].astype(str) == label]


def weeks_since_first(
    data: pd.DataFrame, subject: str = "subject", when: str = "administered_at"
) -> pd.Series:
    """Weeks from each person's first administration in ``data`` to each row (days / 7)."""
    require_columns(data, [subject, when])
    stamps = _dates(data[when])
    if stamps.isna().any():
        bad = data.loc[stamps.isna().to_numpy(), when].iloc[0]
        raise AnalysisError(f"{when}: {bad!r} is not a date or date-time")
    first = stamps.groupby(data[subject].to_numpy()).transform("min")
    return (stamps - first).dt.total_seconds() / (7 * 86400)


ITEM_ID_COLUMNS = ID_COLUMNS


def items_wide(answers: pd.DataFrame, instrument: str | None = None) -> pd.DataFrame:
    """Item answers in wide form: one row per administration, one column per item.

    Args:
        answers: The long answers frame (``Store.answers_frame``): one row per administration
            and item with ``value`` and ``missing_reason``.
        instrument: Keep only this instrument's administrations.

    Returns:
        The identifying columns present (``administration_id``, ``subject``, ``timepoint`` ...)
        then one numeric column per item; a missing answer (with or without a reason) and free
        text are NaN, never 0.
    """
    require_columns(answers, ["administration_id", "item", "value"], "the answers frame")
    rows = answers
    if instrument is not None and "instrument" in rows.columns:
        rows = rows[rows["instrument"] == instrument]
    values = pd.to_numeric(rows["value"], errors="coerce")
    if "missing_reason" in rows.columns:
        values = values.where(rows["missing_reason"].isna())
    rows = rows.assign(value=values.astype(float))
    ids = [c for c in ITEM_ID_COLUMNS if c in rows.columns]
    table = rows.pivot_table(
        index="administration_id", columns="item", values="value", aggfunc="last", dropna=False
    )
    items = list(dict.fromkeys(rows["item"]))
    table = table.reindex(columns=items)
    table.columns.name = None
    meta = rows[ids].drop_duplicates("administration_id").set_index("administration_id")
    out = meta.join(table, how="left").reset_index()
    return out
