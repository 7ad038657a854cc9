"""Drop-out: who was followed up at each time point, why the others were not, and whether the
people followed up differed at baseline from those lost.

A person counts as followed up at a time point when they have any administration there. The
reasons come from follow-up outcomes (``recoverycap followup ... --result``: reached, no_answer,
declined, recalled, transferred, deceased, uncontactable), which are data, not blanks: a person
lost with no outcome recorded is counted under ``none_recorded``.

People not yet due for a time point count as lost; analyse a frame limited to people whose
follow-up window has closed when that matters.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import attrs
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._common import NAN, num, warn
from .frames import ALL, _dates, groups, require_columns, timepoint_order

NONE_RECORDED = "none_recorded"
"""The reason given for a person lost with no follow-up outcome recorded."""

REACHED_NO_SCORES = "reached_no_scores"
"""The reason given for a person whose last outcome was ``reached`` but who has no scores."""

FOLLOWED_COLUMNS = ("group", "timepoint", "n_baseline", "n_followed", "percent_followed", "n_lost")
REASON_COLUMNS = ("group", "timepoint", "reason", "n", "percent")
COMPARISON_COLUMNS = (
    "timepoint",
    "instrument",
    "scale",
    "n_followed",
    "mean_followed",
    "sd_followed",
    "n_lost",
    "mean_lost",
    "sd_lost",
    "difference",
    "t",
    "df",
    "p_t",
    "p_mannwhitney",
    "hedges_g",
)
"""Stable columns of the three tables of :class:`Attrition`."""


@attrs.frozen(eq=False)
class Attrition:
    """Follow-up and drop-out against a baseline time point.

    Attributes:
        baseline: The baseline time point.
        timepoints: The follow-up time points, in order.
        followed: Per group and time point: people at baseline, followed up (with any
            administration), percent followed and lost (:data:`FOLLOWED_COLUMNS`).
        reasons: Per group, time point and reason: how many of those lost, and their percentage
            (:data:`REASON_COLUMNS`).
        comparison: Baseline scores of people followed up at ``compare_at`` against those lost,
            per instrument and scale: means, SDs, Welch's t-test, Mann–Whitney test and Hedges' g
            (:data:`COMPARISON_COLUMNS`).
        compare_at: The follow-up time point the comparison is for.
        notes: Plain-language notes.
    """

    baseline: str
    timepoints: tuple[str, ...]
    followed: pd.DataFrame
    reasons: pd.DataFrame
    comparison: pd.DataFrame
    compare_at: str
    notes: tuple[str, ...]


def _last_outcomes(
    outcomes: pd.DataFrame, subject: str, within: str
) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The last outcome per (person, time point) and per person."""
    person = (
        "participant"
        if "participant" in outcomes.columns and subject not in outcomes.columns
        else subject
    )
    require_columns(outcomes, [person, "result"], "the follow-up outcomes")
    out = outcomes.copy()
    for col in ("attempted_at", "date", "at", "when", "created_at"):
        if col in out.columns:
            out = out.iloc[np.argsort(_dates(out[col]).to_numpy(), kind="stable")]
            break
    by_tp: dict[tuple[str, str], str] = {}
    by_person: dict[str, str] = {}
    has_tp = within in out.columns
    for row in out.itertuples(index=False):
        rec = row._asdict()
        who = str(rec[person])
        result = str(rec["result"])
        by_person[who] = result
        if has_tp and pd.notna(rec[within]):
            by_tp[(who, str(rec[within]))] = result
    return by_tp, by_person


def _compare(
    data: pd.DataFrame,
    baseline: str,
    compare_at: str,
    followed: set[str],
    subject: str,
    within: str,
    dv: str,
) -> list[dict[str, object]]:
    import pingouin as pg
    from scipy import stats

    base = data[data[within] == baseline]
    rows = []
    keys = ["instrument", "scale"] if {"instrument", "scale"} <= set(base.columns) else []
    parts = base.groupby(keys, sort=True) if keys else [(("", ""), base)]
    for key, part in parts:
        inst, sc = (str(k) for k in key) if keys else ("", "")
        part = part.dropna(subset=[dv]).drop_duplicates(subject, keep="last")
        is_followed = part[subject].astype(str).isin(followed)
        x = part.loc[is_followed, dv].astype(float).to_numpy()
        y = part.loc[~is_followed, dv].astype(float).to_numpy()
        row: dict[str, object] = {
            "timepoint": compare_at,
            "instrument": inst,
            "scale": sc,
            "n_followed": int(x.size),
            "mean_followed": num(x.mean()) if x.size else NAN,
            "sd_followed": num(x.std(ddof=1)) if x.size > 1 else NAN,
            "n_lost": int(y.size),
            "mean_lost": num(y.mean()) if y.size else NAN,
            "sd_lost": num(y.std(ddof=1)) if y.size > 1 else NAN,
            "difference": NAN,
            "t": NAN,
            "df": NAN,
            "p_t": NAN,
            "p_mannwhitney": NAN,
            "hedges_g": NAN,
        }
        if x.size and y.size:
            row["difference"] = num(x.mean() - y.mean())
        if x.size >= 2 and y.size >= 2 and (np.ptp(x) > 0 or np.ptp(y) > 0):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = stats.ttest_ind(x, y, equal_var=False)
                pooled = np.concatenate([x, y])
                ties = np.unique(pooled).size < pooled.size
                exact = x.size < 50 and y.size < 50 and not ties
                mw = stats.mannwhitneyu(
                    x,
                    y,
                    alternative="two-sided",
                    use_continuity=True,
                    method="exact" if exact else "asymptotic",
                )
                g = pg.compute_effsize(x, y, paired=False, eftype="hedges")
            row.update(
                t=num(t.statistic),
                df=num(t.df),
                p_t=num(t.pvalue),
                p_mannwhitney=num(mw.pvalue),
                hedges_g=num(g),
            )
        rows.append(row)
    return rows


def attrition(
    data: pd.DataFrame,
    subject: str = "subject",
    within: str = "timepoint",
    baseline: str | None = None,
    timepoints: Sequence[str] | None = None,
    outcomes: pd.DataFrame | None = None,
    compare_at: str | None = None,
    dv: str = "score",
    by: str | None = None,
) -> Attrition:
    """Who was followed up at each time point, why the others were not, and a baseline
    comparison of those followed up against those lost.

    Args:
        data: A long scores frame (every instrument: any administration at a time point counts).
        subject: The person column.
        within: The time-point column.
        baseline: The baseline time point (default: the first in schedule order).
        timepoints: The follow-up time points (default: every later one present).
        outcomes: Follow-up outcomes: a person column (``subject`` or ``participant``), ``result``
            and optionally the time point (``within``) and a date (``attempted_at`` or ``date``).
            The last outcome for the person and time point (or, without a time-point column, for
            the person) gives the reason.
        compare_at: The follow-up time point for the baseline comparison (default: the last).
        dv: The score column compared at baseline.
        by: A column to split the follow-up and reason tables by (``site``, ``cohort``,
            ``programme``).

    Returns:
        An :class:`Attrition`. A single time point gives a warning and empty tables.

    Notes:
        Welch's t-test by scipy ``ttest_ind(equal_var=False)``; Mann–Whitney with R's choice of
        method (exact below 50 per group without ties, else the normal approximation with a
        continuity correction); Hedges' g by ``pingouin.compute_effsize``.
    """
    require_columns(data, [subject, within])
    order = timepoint_order(data, within)
    if baseline is None:
        if not order:
            raise AnalysisError("the data hold no time points")
        baseline = order[0]
    elif baseline not in order:
        raise AnalysisError(
            f"baseline: no scores at time point {baseline!r}; the data hold: {', '.join(order) or 'none'}"
        )
    if timepoints is None:
        follow = [t for t in order[order.index(baseline) + 1 :]]
    else:
        unknown = [t for t in timepoints if t not in order]
        if unknown:
            raise AnalysisError(
                f"no scores at time point {', '.join(map(repr, unknown))}; the data hold: {', '.join(order)}"
            )
        follow = [t for t in timepoints if t != baseline]
    notes: list[str] = []
    if not follow:
        warn(
            f"the data hold only the baseline time point ({baseline}), so there is no follow-up to report"
        )
    if compare_at is None:
        compare_at = follow[-1] if follow else ""
    elif compare_at not in follow:
        raise AnalysisError(
            f"compare_at must be one of the follow-up time points ({', '.join(follow)}); got {compare_at!r}"
        )
    by_tp, by_person = (
        _last_outcomes(outcomes, subject, within) if outcomes is not None else ({}, {})
    )

    seen = data.assign(_who=data[subject].astype(str)).groupby(within)["_who"].agg(lambda s: set(s))
    base_people = seen.get(baseline, set())
    followed_rows, reason_rows = [], []
    parts = [(ALL, data)] + (list(groups(data, by)) if by else [])
    for label, part in parts:
        people = {str(s) for s in part[subject]}
        cohort = base_people & people
        n_base = len(cohort)
        for tp in follow:
            got = cohort & seen.get(tp, set())
            lost = sorted(cohort - got)
            followed_rows.append(
                {
                    "group": label,
                    "timepoint": tp,
                    "n_baseline": n_base,
                    "n_followed": len(got),
                    "percent_followed": 100 * len(got) / n_base if n_base else NAN,
                    "n_lost": len(lost),
                }
            )
            counts: dict[str, int] = {}
            for who in lost:
                reason = (
                    by_tp.get((who, tp))
                    or (by_person.get(who) if not by_tp else None)
                    or NONE_RECORDED
                )
                if reason == "reached":
                    reason = REACHED_NO_SCORES
                counts[reason] = counts.get(reason, 0) + 1
            for reason in sorted(counts, key=lambda r: (-counts[r], r)):
                reason_rows.append(
                    {
                        "group": label,
                        "timepoint": tp,
                        "reason": reason,
                        "n": counts[reason],
                        "percent": 100 * counts[reason] / len(lost),
                    }
                )
    extra = len(set().union(*seen.to_list()) - base_people) if len(seen) else 0
    if extra:
        notes.append(
            f"{extra} {'person has' if extra == 1 else 'people have'} scores after {baseline} but "
            f"none at {baseline}; they are not in these counts."
        )
    if outcomes is None and follow:
        notes.append("No follow-up outcomes were given, so every reason is 'none_recorded'.")
    comparison = (
        _compare(data, baseline, compare_at, seen.get(compare_at, set()), subject, within, dv)
        if compare_at and dv in data.columns
        else []
    )
    return Attrition(
        baseline=baseline,
        timepoints=tuple(follow),
        followed=pd.DataFrame(followed_rows, columns=list(FOLLOWED_COLUMNS)),
        reasons=pd.DataFrame(reason_rows, columns=list(REASON_COLUMNS)),
        comparison=pd.DataFrame(comparison, columns=list(COMPARISON_COLUMNS)),
        compare_at=compare_at,
        notes=tuple(notes),
    )
