"""Peer-worker wellbeing over time, for teams only.

Workers' own results are private; a team's result is shown only when at least
:data:`~recoverycap.privacy.MIN_GROUP` workers contributed to it (per team and time point), so no
one can be singled out. The teams at a time point add up to all workers at that time point (the
table with ``by=None``), so secondary suppression holds back more teams wherever the total minus
the teams shown would reveal a group under the threshold, as the wellbeing summary does
(:mod:`recoverycap.privacy`). Groups held back are named, never sized, in the result's note.
"""

from __future__ import annotations

import attrs
import pandas as pd

from ..privacy import MIN_GROUP, drop_small_groups, threshold
from ._common import mean_ci, num
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
        table: One row per team and time point that may be shown (:data:`WELLBEING_COLUMNS`);
            the CI is the t-based 95% CI of the mean.
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
        min_group: The smallest group shown; raised to :data:`MIN_GROUP` if lower.

    Returns:
        A :class:`TeamWellbeing`. Teams of fewer than ``min_group`` workers at a time point are
        dropped, and so are teams that, subtracted from all workers at that time point with the
        teams shown, would reveal a smaller group; its ``note`` names them.
    """
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
    min_group = threshold(min_group)
    kept = drop_small_groups(
        rows, [team_col, within], subject, min_group, what="workers", totals_by=within
    )
    order = {t: i for i, t in enumerate(timepoint_order(rows, within))} if len(rows) else {}
    out = []
    for (team, tp), part in kept.frame.groupby([team_col, within], sort=False):
        _, mean, sd, lo, hi = mean_ci(part[dv].astype(float).to_numpy())
        out.append(
            {
                "team": str(team),
                "timepoint": str(tp),
                "n_workers": int(part[subject].nunique()),
                "mean": num(mean),
                "sd": num(sd),
                "ci_low": num(lo),
                "ci_high": num(hi),
            }
        )
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
