"""Peer-worker wellbeing over time, for teams only.

Workers' own results are private; a team's result is shown only when at least
:data:`~recoverycap.privacy.MIN_GROUP` workers contributed to it (per team and time point), so no
one can be singled out. Groups held back are named, never sized, in the result's note.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import pandas as pd

from ..privacy import MIN_GROUP, drop_small_groups
from ._common import NAN, num
from .frames import latest_per_cell, require_columns, select_scale, timepoint_order

WELLBEING_COLUMNS = ("team", "timepoint", "n_workers", "mean", "sd", "ci_low", "ci_high")
"""The stable columns of :attr:`TeamWellbeing.table`."""


@attrs.frozen(eq=False)
class TeamWellbeing:
    """Team-level wellbeing of peer workers over time.

    Attributes:
        instrument: Instrument id.
        scale: Scale id.
        by: The column teams are formed by (e.g. ``"site"``), or ``""`` for all workers together.
        table: One row per team and time point with at least ``min_group`` workers
            (:data:`WELLBEING_COLUMNS`); the CI is the t-based 95% CI of the mean.
        min_group: The small-group threshold used.
        note: What was held back and why ("" if nothing was).
    """

    instrument: str
    scale: str
    by: str
    table: pd.DataFrame
    min_group: int
    note: str


def team_wellbeing(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    by: str | None = "site",
    instrument: str | None = None,
    scale: str | None = None,
    min_group: int = MIN_GROUP,
) -> TeamWellbeing:
    """Mean wellbeing (or burnout) score per team and time point, for groups of five or more.

    Args:
        data: A long scores frame; where it has a ``subject_type`` column only ``worker`` rows
            are used.
        dv: The score column.
        within: The time-point (or period) column.
        subject: The worker column.
        by: The team column (``site`` by default), or None for all workers together.
        instrument: The instrument (e.g. ``cbi``), where the frame holds several.
        scale: The scale (e.g. ``personal``), where the instrument has several.
        min_group: The smallest group shown (never lower than :data:`MIN_GROUP` by default).

    Returns:
        A :class:`TeamWellbeing`; groups under ``min_group`` workers are dropped and named in
        its ``note``.
    """
    from scipy import stats

    rows = data
    if "subject_type" in rows.columns:
        rows = rows[rows["subject_type"] == "worker"]
    rows = select_scale(rows, instrument, scale)
    require_columns(rows, [dv, within, subject] + ([by] if by else []))
    rows = rows.dropna(subset=[dv])
    team_col = by or "_team"
    if by is None:
        rows = rows.assign(_team="all workers")
    rows = latest_per_cell(rows, [subject, within], what="score")
    kept = drop_small_groups(rows, [team_col, within], subject, min_group, what="workers")
    order = {t: i for i, t in enumerate(timepoint_order(rows, within))} if len(rows) else {}
    out = []
    for (team, tp), part in kept.frame.groupby([team_col, within], sort=False):
        y = part[dv].astype(float).to_numpy()
        n = int(part[subject].nunique())
        sd = float(np.std(y, ddof=1)) if y.size > 1 else NAN
        half = float(stats.t.ppf(0.975, y.size - 1)) * sd / math.sqrt(y.size) if y.size > 1 else NAN
        out.append({
            "team": str(team), "timepoint": str(tp), "n_workers": n, "mean": num(y.mean()),
            "sd": num(sd), "ci_low": num(y.mean() - half), "ci_high": num(y.mean() + half),
        })
    table = pd.DataFrame(out, columns=list(WELLBEING_COLUMNS))
    if len(table):
        table = (
            table.assign(_o=table["timepoint"].map(order))
            .sort_values(["team", "_o"])
            .drop(columns="_o")
            .reset_index(drop=True)
        )
    inst = str(rows["instrument"].iloc[0]) if "instrument" in rows.columns and len(rows) else ""
    sc = str(rows["scale"].iloc[0]) if "scale" in rows.columns and len(rows) else ""
    return TeamWellbeing(
        instrument=inst, scale=sc, by=by or "", table=table, min_group=min_group, note=kept.note
    )
