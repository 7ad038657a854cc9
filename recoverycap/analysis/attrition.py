"""Drop-out: who was followed up at each time point, why the others were not, and whether the
people followed up differed at baseline from those lost.

A person counts as followed up at a time point when they have any administration there. A person
counts as *lost* only once the time point was due for them and its window has closed: with
schedule statuses (``eligible``, e.g. :func:`due_frame` of ``recoverycap.followup.due_list(store,
as_of)``), people whose window has not closed yet (``upcoming``, ``due``) are counted as *not yet
due*, and people with no date for it yet (no release date recorded, a programme not ended) as
*unscheduled*; neither is lost. Without statuses everyone with a baseline counts as due, so people
not yet due count as lost.

The reasons come from the schedule (a time point closed by ``recalled``, ``transferred``,
``deceased`` or the participant's status ``withdrawn``) and from follow-up outcomes
(``recoverycap followup ... --result``: reached, no_answer, declined, recalled, transferred,
deceased, uncontactable), which are data, not blanks: a person lost with no outcome recorded is
counted under ``none_recorded``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._common import NAN, num, warn
from .frames import (
    ALL,
    _dates,
    did_you_mean,
    everyone,
    no_scores_at,
    require_columns,
    split,
    timepoint_order,
)

NONE_RECORDED = "none_recorded"
"""The reason given for a person lost with no follow-up outcome recorded."""

REACHED_NO_SCORES = "reached_no_scores"
"""The reason given for a person whose last outcome was ``reached`` but who has no scores."""

WINDOW_CLOSED = ("done", "overdue", "missed", "closed")
"""Schedule statuses (:data:`recoverycap.due.STATUSES`) of a time point that was due and whose
window has closed (or that was done): the person counts as followed up or lost."""

NOT_YET_DUE = ("upcoming", "due")
"""Schedule statuses of a time point whose window has not closed yet: the person is not lost."""

FOLLOWED_COLUMNS = (
    "group",
    "timepoint",
    "n_baseline",
    "n_not_yet_due",
    "n_unscheduled",
    "n_due",
    "n_followed",
    "percent_followed",
    "n_lost",
)
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
        followed: Per group and time point (:data:`FOLLOWED_COLUMNS`): people at baseline;
            of those, not yet due (window not closed), unscheduled (no date for the time point
            yet, e.g. no release date) and due (window closed, or followed up); followed up (any
            administration there), the percentage of those due, and lost (due, not followed
            up). Without schedule statuses ``n_not_yet_due`` and ``n_unscheduled`` are NaN and
            everyone at baseline counts as due.
        reasons: Per group, time point and reason: how many of those lost, and their percentage
            (:data:`REASON_COLUMNS`).
        comparison: Baseline scores of people followed up at ``compare_at`` against those lost
            there (not those not yet due),
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
    lost: set[str],
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
        who = part[subject].astype(str)
        x = part.loc[who.isin(followed).to_numpy(), dv].astype(float).to_numpy()
        y = part.loc[who.isin(lost).to_numpy(), dv].astype(float).to_numpy()
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


_CLOSED_WHY = re.compile(r"^closed: (?:the participant's status is )?([a-z_]+)")


def due_frame(items: Iterable[Any]) -> pd.DataFrame:
    """Schedule statuses as a frame for :func:`attrition` (``eligible=``).

    Args:
        items: :class:`recoverycap.due.DueItem` s, e.g. a ``DueList`` from
            ``recoverycap.followup.due_list(store, as_of)``.

    Returns:
        One row per item: ``participant``, ``timepoint``, ``status`` (due, overdue, upcoming,
        missed, done or closed), ``reason`` (for a closed time point, what closed it:
        ``recalled``, ``transferred``, ``deceased`` or the participant's status ``withdrawn``;
        else empty), ``programme`` (for time points that hang off an enrolment) and ``site``.
    """
    rows = []
    for item in items:
        reason = ""
        if item.status == "closed":
            match = _CLOSED_WHY.match(str(item.why))
            reason = match.group(1) if match else "closed"
        rows.append(
            {
                "participant": item.participant,
                "timepoint": item.timepoint,
                "status": item.status,
                "reason": reason,
                "programme": item.programme,
                "site": item.site,
            }
        )
    return pd.DataFrame(
        rows, columns=["participant", "timepoint", "status", "reason", "programme", "site"]
    )


_Status = tuple[str, str, str | None]
"""(status, reason, group) of one schedule row."""


def _statuses(
    eligible: pd.DataFrame, subject: str, within: str, by: str | None
) -> dict[tuple[str, str], list[_Status]]:
    """The schedule rows of each (person, time point)."""
    person = (
        "participant"
        if "participant" in eligible.columns and subject not in eligible.columns
        else subject
    )
    require_columns(eligible, [person, within, "status"], "the schedule statuses (eligible)")
    allowed = (*WINDOW_CLOSED, *NOT_YET_DUE)
    bad = sorted({str(v) for v in eligible["status"] if v not in allowed})
    if bad:
        raise AnalysisError(
            f"the schedule statuses (eligible): status must be one of {', '.join(allowed)}; "
            f"got {', '.join(map(repr, bad))}"
        )
    reasons = (
        eligible["reason"] if "reason" in eligible.columns else pd.Series("", index=eligible.index)
    )
    group = (
        eligible[by]
        if by is not None and by in eligible.columns
        else pd.Series(None, index=eligible.index)
    )
    out: dict[tuple[str, str], list[_Status]] = {}
    for who, tp, status, reason, label in zip(
        eligible[person].astype(str),
        eligible[within].astype(str),
        eligible["status"].astype(str),
        reasons,
        group,
        strict=True,
    ):
        text = str(reason) if isinstance(reason, str) and reason else ""
        out.setdefault((who, tp), []).append(
            (status, text, str(label) if pd.notna(label) and label != "" else None)
        )
    return out


def _standing(rows: list[_Status], label: str) -> tuple[str, str]:
    """``("due" | "not_yet_due" | "unscheduled", reason)`` of one person at one time point in
    the group ``label``: schedule rows for another group (an enrolment on another programme) do
    not count there."""
    if label != ALL:
        rows = [r for r in rows if r[2] is None or r[2] == label]
    if not rows:
        return "unscheduled", ""
    closed = [r for r in rows if r[0] in WINDOW_CLOSED]
    if closed:
        return "due", next((r[1] for r in closed if r[1]), "")
    return "not_yet_due", ""


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
    eligible: pd.DataFrame | None = None,
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
            ``programme``). A person listed under several groups (on two programmes) counts in
            each group and once in "all".
        eligible: Schedule statuses as of a date, one row per person and time point (several
            where a person has the time point more than once, e.g. one programme end per
            enrolment): a person column (``subject`` or ``participant``), the time point
            (``within``), ``status`` (:data:`WINDOW_CLOSED` or :data:`NOT_YET_DUE`), and
            optionally ``reason`` (what closed a closed time point) and the ``by`` column (a row
            with a value there counts only in that group). :func:`due_frame` builds it from
            ``recoverycap.followup.due_list``. A person counts as due at a time point when any
            of their rows has a window-closed status or they were followed up there; with only
            not-closed rows as not yet due; with no row as unscheduled. Time points with no rows
            at all (not in the schedule) count everyone as due, with a note. Without
            ``eligible`` everyone at baseline counts as due.

    Returns:
        An :class:`Attrition`. A single time point gives a warning and empty tables.

    Raises:
        AnalysisError: for an unknown time point (naming those present), a missing column or a
            status that is not a schedule status.

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
        raise AnalysisError(f"baseline: {no_scores_at(baseline, order)}")
    if timepoints is None:
        follow = [t for t in order[order.index(baseline) + 1 :]]
    else:
        unknown = [t for t in timepoints if t not in order]
        if unknown:
            raise AnalysisError(no_scores_at(unknown[0], order))
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
            f"compare_at must be one of the follow-up time points ({', '.join(follow)}); "
            f"got {compare_at!r}{did_you_mean(compare_at, follow)}"
        )
    by_tp, by_person = (
        _last_outcomes(outcomes, subject, within) if outcomes is not None else ({}, {})
    )
    schedule = _statuses(eligible, subject, within, by) if eligible is not None else None
    scheduled_tps = {tp for _, tp in schedule} if schedule is not None else set()

    seen = data.assign(_who=data[subject].astype(str)).groupby(within)["_who"].agg(lambda s: set(s))
    base_people = seen.get(baseline, set())
    followed_rows, reason_rows = [], []
    lost_at_compare: set[str] = set()
    parts = split(data, by, subject)
    for label, part in parts:
        people = {str(s) for s in part[subject]}
        cohort = base_people & people
        n_base = len(cohort)
        for tp in follow:
            got = cohort & seen.get(tp, set())
            closing: dict[str, str] = {}
            not_yet: set[str] = set()
            unscheduled: set[str] = set()
            if schedule is None or tp not in scheduled_tps:
                due = set(cohort)
            else:
                due = set(got)
                for who in cohort - got:
                    standing, why = _standing(schedule.get((who, tp), []), label)
                    if standing == "due":
                        due.add(who)
                        if why:
                            closing[who] = why
                    elif standing == "not_yet_due":
                        not_yet.add(who)
                    else:
                        unscheduled.add(who)
            lost = sorted(due - got)
            if label == ALL and tp == compare_at:
                lost_at_compare = set(lost)
            followed_rows.append(
                {
                    "group": label,
                    "timepoint": tp,
                    "n_baseline": n_base,
                    "n_not_yet_due": NAN if schedule is None else len(not_yet),
                    "n_unscheduled": NAN if schedule is None else len(unscheduled),
                    "n_due": len(due),
                    "n_followed": len(got),
                    "percent_followed": 100 * len(got) / len(due) if due else NAN,
                    "n_lost": len(lost),
                }
            )
            counts: dict[str, int] = {}
            for who in lost:
                reason = (
                    closing.get(who)
                    or by_tp.get((who, tp))
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
    if follow and schedule is None:
        notes.append(
            "No schedule statuses were given, so everyone with a baseline counts as due at every "
            "time point, and people not yet due count as lost."
        )
    elif follow and schedule is not None:
        notes.append(
            "Only people whose window for a time point has closed count as due there (or who were "
            "followed up there); people not yet due (window still open or not yet open) and "
            "people with no date for it yet (unscheduled: no release date recorded, or the "
            "programme not ended) are not counted as lost. percent_followed is of those due."
        )
        outside = [tp for tp in follow if tp not in scheduled_tps]
        if outside:
            notes.append(
                f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not in the schedule, "
                "so everyone with a baseline counts as due there."
            )
    if outcomes is None and follow:
        notes.append(
            "No follow-up outcomes were given, so every reason is 'none_recorded'."
            if schedule is None
            else "No follow-up outcomes were given, so the only reasons are what closed a time "
            "point in the schedule; the rest are 'none_recorded'."
        )
    comparison = (
        _compare(
            everyone(data, by),
            baseline,
            compare_at,
            seen.get(compare_at, set()),
            lost_at_compare,
            subject,
            within,
            dv,
        )
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
