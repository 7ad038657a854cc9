"""Three or more time points, complete cases: repeated-measures ANOVA, Friedman test and
Holm-corrected pairwise tests.

Only people scored at every time point analysed are used (complete cases); the growth model in
:mod:`recoverycap.analysis.growth` keeps everyone. Checked against R 4.2 in
``tests/reference/analysis_reference.R``: ``aov(score ~ timepoint + Error(subject/timepoint))``,
the Greenhouse–Geisser epsilon and p from ``anova.mlm(test = "Spherical")``, ``friedman.test``,
``pairwise.t.test(paired = TRUE)`` and ``pairwise.wilcox.test(paired = TRUE)`` with Holm's
correction.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._common import NAN, mean_ci, num, warn
from .change import change_from_pairs
from .frames import ALL, no_scores_at, require_columns, select_scale, split, timepoint_order, wide

STATISTICS = (
    "F",
    "df1",
    "df2",
    "p",
    "eps_gg",
    "p_gg",
    "ng2",
    "friedman_q",
    "friedman_df",
    "friedman_p",
    "kendall_w",
)
"""The statistics the omnibus tests report (NaN where they cannot be computed)."""
TESTS_COLUMNS = (
    "group",
    "instrument",
    "scale",
    "timepoints",
    "n_complete",
    "n_excluded",
    *STATISTICS,
)
"""The stable columns of :attr:`RepeatedMeasures.tests`."""

PAIRWISE_COLUMNS = (
    "group",
    "a",
    "b",
    "n",
    "mean_a",
    "mean_b",
    "mean_change",
    "t",
    "df",
    "p_t",
    "p_t_holm",
    "wilcoxon_v",
    "p_wilcoxon",
    "p_wilcoxon_holm",
    "wilcoxon_method",
    "d_z",
    "hedges_g",
)
"""The stable columns of :attr:`RepeatedMeasures.pairwise` (change is ``b - a``)."""

MIN_COMPLETE = 3


@attrs.frozen(eq=False)
class RepeatedMeasures:
    """Tests across three or more time points on complete cases.

    Attributes:
        instrument: Instrument id.
        scale: Scale id.
        timepoints: The time points, in order.
        tests: One row per group (everyone first) with :data:`TESTS_COLUMNS`: the
            repeated-measures ANOVA (F, df, p; Greenhouse–Geisser epsilon and corrected p;
            generalised eta squared ``ng2``) and the Friedman test (Q, df, p, Kendall's W).
        pairwise: One row per group and pair of time points (:data:`PAIRWISE_COLUMNS`): paired
            t-tests and Wilcoxon tests with Holm-corrected p-values (corrected within group).
        notes: Plain-language notes (people excluded for missing a time point).
    """

    instrument: str
    scale: str
    timepoints: tuple[str, ...]
    tests: pd.DataFrame
    pairwise: pd.DataFrame
    notes: tuple[str, ...]


def _get(row: pd.Series, *names: str) -> float:
    for name in names:
        if name in row.index:
            return num(row[name])
    return NAN


def _omnibus(complete: pd.DataFrame, order: Sequence[str]) -> dict[str, float]:
    """rm-ANOVA and Friedman (pingouin) on a wide frame of complete cases."""
    import pingouin as pg

    out = dict.fromkeys(STATISTICS, NAN)
    n, k = complete.shape
    if n < MIN_COMPLETE or k < 3:
        return out
    long = complete.reset_index().melt(
        id_vars=complete.index.name or "index", var_name="_tp", value_name="_y"
    )
    long = long.rename(columns={complete.index.name or "index": "_subject"})
    if float(np.nanvar(complete.to_numpy() - complete.to_numpy().mean(axis=1, keepdims=True))) == 0:
        warn("no one's score changed between time points, so the repeated-measures tests are NaN")
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pingouin's own RuntimeWarnings and pandas deprecations
        aov = pg.rm_anova(data=long, dv="_y", within="_tp", subject="_subject", correction=True)
        fr = pg.friedman(data=long, dv="_y", within="_tp", subject="_subject")
    row = aov.iloc[0]
    out.update(
        F=_get(row, "F"),
        df1=_get(row, "ddof1", "DF1"),
        df2=_get(row, "ddof2", "DF2"),
        p=_get(row, "p_unc", "p-unc"),
        eps_gg=_get(row, "eps"),
        p_gg=_get(row, "p_GG_corr", "p-GG-corr"),
        ng2=_get(row, "ng2", "np2"),
    )
    frow = fr.iloc[0]
    out.update(
        friedman_q=_get(frow, "Q"),
        friedman_df=_get(frow, "ddof1", "DF"),
        friedman_p=_get(frow, "p_unc", "p-unc"),
        kendall_w=_get(frow, "W"),
    )
    if np.isnan(out["p_gg"]):
        out["p_gg"] = out["p"]  # pingouin leaves it out when epsilon is 1
    return out


def _pairwise(complete: pd.DataFrame, order: Sequence[str], group: str) -> list[dict[str, Any]]:
    import pingouin as pg

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate pairs were already reported by the omnibus
        for a, b in itertools.combinations(order, 2):
            res = change_from_pairs(
                complete[a].to_numpy(), complete[b].to_numpy(), before_label=a, after_label=b
            )
            rows.append(
                {
                    "group": group,
                    "a": a,
                    "b": b,
                    "n": res.n_pairs,
                    "mean_a": res.mean_before,
                    "mean_b": res.mean_after,
                    "mean_change": res.mean_change,
                    "t": res.t,
                    "df": res.df,
                    "p_t": res.p_t,
                    "p_t_holm": NAN,
                    "wilcoxon_v": res.wilcoxon_v,
                    "p_wilcoxon": res.p_wilcoxon,
                    "p_wilcoxon_holm": NAN,
                    "wilcoxon_method": res.wilcoxon_method,
                    "d_z": res.d_z,
                    "hedges_g": res.hedges_g,
                }
            )
    for raw, adjusted in (("p_t", "p_t_holm"), ("p_wilcoxon", "p_wilcoxon_holm")):
        pvals = np.array([r[raw] for r in rows], float)
        if rows and not np.isnan(pvals).all():
            _, corrected = pg.multicomp(pvals, method="holm")
            for r, p in zip(rows, corrected, strict=True):
                r[adjusted] = num(p)
    return rows


def repeated_measures(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    timepoints: Sequence[str] | None = None,
    instrument: str | None = None,
    scale: str | None = None,
    by: str | None = None,
) -> RepeatedMeasures:
    """Repeated-measures ANOVA, Friedman test and pairwise tests on complete cases.

    Args:
        data: A long scores frame.
        dv: The score column.
        within: The time-point column.
        subject: The person column.
        timepoints: The time points to compare, in order (default: every one present, in
            schedule order).
        instrument: The instrument, where the frame holds several.
        scale: The scale, where the instrument has several.
        by: A column to split by (``site``, ``cohort``, ``programme``): everyone first (each
            person once, :func:`~recoverycap.analysis.frames.split`), then one set of results
            per subgroup.

    Returns:
        A :class:`RepeatedMeasures`. Fewer than three time points or three complete cases, or
        scores that never change, give a warning and NaN.

    Raises:
        AnalysisError: for missing columns or an unknown time point.

    Notes:
        rm-ANOVA and Friedman by pingouin (``rm_anova`` with the Greenhouse–Geisser correction,
        ``friedman``); pairwise tests as :func:`~recoverycap.analysis.change.paired_change`,
        Holm-corrected with ``pingouin.multicomp``. Checked against R 4.2 (see module doc).
    """
    data = select_scale(data, instrument, scale)
    require_columns(data, [dv, within, subject])
    present = timepoint_order(data, within)
    if timepoints is not None:
        unknown = [t for t in timepoints if t not in present]
        if unknown:
            raise AnalysisError(no_scores_at(unknown[0], present))
        order = list(timepoints)
    else:
        order = present
    if len(order) < 3:
        warn(
            f"repeated-measures tests need three or more time points; the data hold {len(order)} "
            f"({', '.join(order) or 'none'}), so they are NaN (use the two-time-point change instead)"
        )
    inst = str(data["instrument"].iloc[0]) if "instrument" in data.columns and len(data) else ""
    sc = str(data["scale"].iloc[0]) if "scale" in data.columns and len(data) else ""
    test_rows, pair_rows, notes = [], [], []
    parts = split(data, by, subject)
    for label, part in parts:
        table = wide(part, dv, within, subject, order) if len(part) else pd.DataFrame(columns=order)
        for tp in order:
            if tp not in table.columns:
                table[tp] = np.nan
        table = table[order]
        table = table[table.notna().any(axis=1)]
        complete = table.dropna()
        excluded = len(table) - len(complete)
        if len(order) >= 3 and len(complete) < MIN_COMPLETE:
            warn(
                f"{label}: only {len(complete)} {'person was' if len(complete) == 1 else 'people were'} scored at every one of "
                f"{', '.join(order)}; at least {MIN_COMPLETE} are needed, so the tests are NaN"
            )
        if excluded and label == ALL:
            notes.append(
                f"{excluded} of {len(table)} people missed at least one time point and are left out "
                "of these complete-case tests (the growth model keeps them)."
            )
        omnibus = (
            _omnibus(complete, order) if len(order) >= 3 else _omnibus(complete.iloc[:0], order)
        )
        test_rows.append(
            {
                "group": label,
                "instrument": inst,
                "scale": sc,
                "timepoints": " > ".join(order),
                "n_complete": len(complete),
                "n_excluded": excluded,
                **omnibus,
            }
        )
        if len(order) >= 2:
            pair_rows += _pairwise(complete, order, label)
    return RepeatedMeasures(
        instrument=inst,
        scale=sc,
        timepoints=tuple(order),
        tests=pd.DataFrame(test_rows, columns=list(TESTS_COLUMNS)),
        pairwise=pd.DataFrame(pair_rows, columns=list(PAIRWISE_COLUMNS)),
        notes=tuple(notes),
    )


SUMMARY_COLUMNS = ("group", "timepoint", "n", "mean", "sd", "ci_low", "ci_high")
"""The stable columns of :func:`timepoint_summary`."""


def timepoint_summary(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    timepoints: Sequence[str] | None = None,
    instrument: str | None = None,
    scale: str | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """n, mean, SD and the t-based 95% CI of the mean at each time point (everyone scored there).

    Returns:
        A DataFrame with :data:`SUMMARY_COLUMNS`: everyone first (each person once), then each
        subgroup of ``by``.
    """
    data = select_scale(data, instrument, scale)
    require_columns(data, [dv, within, subject])
    order = timepoint_order(data, within, timepoints)
    rows = []
    parts = split(data, by, subject)
    for label, part in parts:
        table = wide(part, dv, within, subject, order) if len(part) else pd.DataFrame(columns=order)
        for tp in order:
            y = table[tp].dropna().to_numpy(float) if tp in table.columns else np.array([])
            n, mean, sd, lo, hi = mean_ci(y)
            rows.append(
                {
                    "group": label,
                    "timepoint": tp,
                    "n": n,
                    "mean": mean,
                    "sd": sd,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
