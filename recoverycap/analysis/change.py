"""Change between two time points: paired t-test, Wilcoxon signed-rank test and effect sizes.

Every statistic is for the change ``after - before`` in the people scored at both time points
(complete pairs). Checked against R 4.2 (``t.test``, ``wilcox.test``, and the effect sizes by
formula) in ``tests/reference/analysis_reference.R``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._common import NAN, fmt, fmt_p, num, warn
from .frames import ALL, no_scores_at, select_scale, split, timepoint_order, wide

MIN_PAIRS = 3
"""Fewer complete pairs than this give NaN tests and a warning."""

EXACT_WILCOXON_BELOW = 50
"""As R: the exact Wilcoxon test when fewer than 50 non-zero changes, none tied and none zero."""

CHANGE_COLUMNS = (
    "group",
    "instrument",
    "scale",
    "before",
    "after",
    "n_pairs",
    "n_unpaired",
    "mean_before",
    "sd_before",
    "mean_after",
    "sd_after",
    "mean_change",
    "sd_change",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p_t",
    "wilcoxon_v",
    "p_wilcoxon",
    "wilcoxon_method",
    "d_z",
    "d_z_ci_low",
    "d_z_ci_high",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
)
"""The stable columns of :func:`change_table` (and the fields of :class:`PairedChange`)."""


@attrs.frozen
class PairedChange:
    """The change between two time points in the people scored at both.

    Attributes:
        group: The subgroup label, or ``"all"``.
        instrument: Instrument id ("" where the data do not say).
        scale: Scale id ("" where the data do not say).
        before: The first time point.
        after: The second time point.
        n_pairs: People scored at both time points.
        n_unpaired: People scored at only one of them (left out of every statistic).
        mean_before: Mean at ``before`` of the paired people.
        sd_before: SD (n - 1) at ``before`` of the paired people.
        mean_after: Mean at ``after`` of the paired people.
        sd_after: SD at ``after`` of the paired people.
        mean_change: Mean of ``after - before``.
        sd_change: SD of the changes.
        ci_low: Lower 95% limit of the mean change (t distribution).
        ci_high: Upper 95% limit.
        t: Paired t statistic.
        df: Its degrees of freedom (``n_pairs - 1``).
        p_t: Two-sided p-value of the t-test.
        wilcoxon_v: Sum of the ranks of the positive changes (R's ``V``).
        p_wilcoxon: Two-sided p-value of the Wilcoxon signed-rank test.
        wilcoxon_method: ``"exact"`` or ``"normal approximation"`` (R's choice, see
            :func:`wilcoxon_signed_rank`).
        d_z: Cohen's d_z, mean change / SD of the changes.
        d_z_ci_low: Lower 95% limit of d_z (noncentral t).
        d_z_ci_high: Upper limit.
        hedges_g: Hedges' g_av, bias-corrected mean change in units of the average SD.
        g_ci_low: Lower 95% limit of g (normal approximation).
        g_ci_high: Upper limit.
    """

    group: str
    instrument: str
    scale: str
    before: str
    after: str
    n_pairs: int
    n_unpaired: int
    mean_before: float
    sd_before: float
    mean_after: float
    sd_after: float
    mean_change: float
    sd_change: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p_t: float
    wilcoxon_v: float
    p_wilcoxon: float
    wilcoxon_method: str
    d_z: float
    d_z_ci_low: float
    d_z_ci_high: float
    hedges_g: float
    g_ci_low: float
    g_ci_high: float

    def as_dict(self) -> dict[str, Any]:
        """The result as a dict with the keys of :data:`CHANGE_COLUMNS`, in that order."""
        return {name: getattr(self, name) for name in CHANGE_COLUMNS}

    def describe(self, label: str | None = None) -> str:
        """A short plain-language summary; ``label`` names the score (e.g. "BARC-10 total")."""
        what = label or " ".join(p for p in (self.instrument, self.scale) if p) or "the score"
        if self.n_pairs == 0:
            return f"No one was scored on {what} at both {self.before} and {self.after}."
        direction = (
            "rose" if self.mean_change > 0 else "fell" if self.mean_change < 0 else "did not change"
        )
        head = (
            f"{self.n_pairs} people were scored on {what} at both {self.before} and {self.after}. "
            f"The mean {direction} from {_f2(self.mean_before)} to {_f2(self.mean_after)}"
        )
        if math.isnan(self.ci_low):
            return head + "."
        return (
            f"{head} (change {_f2(self.mean_change)}, 95% CI {_f2(self.ci_low)} to "
            f"{_f2(self.ci_high)}; paired t({fmt(self.df)}) = {_f2(self.t)}, "
            f"{fmt_p(self.p_t)}; Wilcoxon V = {fmt(self.wilcoxon_v)}, {fmt_p(self.p_wilcoxon)}; "
            f"d_z = {_f2(self.d_z)}, g = {_f2(self.hedges_g)})."
        )


def _f2(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


# -- the statistics on arrays ------------------------------------------------------------------


def paired_t(before: np.ndarray, after: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """Paired t-test of ``after - before`` with the CI of the mean change.

    Returns NaN for fewer than :data:`MIN_PAIRS` pairs (the caller warns) and, with a warning,
    for changes with no variance. Uses scipy.stats.ttest_rel: pingouin's ``ttest`` rounds its CI to two decimals.

    Notes:
        t = mean(d) / (sd(d) / sqrt(n)), df = n - 1; CI = mean(d) -/+ t_{.975, df} sd(d)/sqrt(n).
        Checked against R 4.2 ``t.test(after, before, paired = TRUE)``.
    """
    from scipy import stats

    diff = np.asarray(after, float) - np.asarray(before, float)
    n = diff.size
    out = {
        "t": NAN,
        "df": float(n - 1) if n >= 2 else NAN,
        "p_t": NAN,
        "ci_low": NAN,
        "ci_high": NAN,
    }
    if n < MIN_PAIRS:
        return out
    if np.ptp(diff) == 0:
        warn(
            f"every one of the {n} changes is the same ({fmt(diff[0])}): the changes have no "
            "variance, so the t-test and d_z cannot be computed (NaN)"
        )
        return out
    res = stats.ttest_rel(after, before)
    ci = res.confidence_interval(confidence)
    out.update(
        t=num(res.statistic),
        df=num(res.df),
        p_t=num(res.pvalue),
        ci_low=num(ci.low),
        ci_high=num(ci.high),
    )
    return out


def wilcoxon_signed_rank(before: np.ndarray, after: np.ndarray) -> tuple[float, float, str]:
    """Wilcoxon signed-rank test of ``after - before``, choosing the method as R does.

    Zero changes are dropped (Wilcoxon's method, R's and scipy's ``zero_method="wilcox"``). With
    fewer than 50 non-zero changes and no ties and no zeros, the exact distribution is used;
    otherwise the normal approximation with the tie-corrected variance and a continuity
    correction (R's ``wilcox.test`` defaults; scipy ``method="approx", correction=True``).

    Returns:
        ``(V, p, method)``: V is the sum of the ranks of the positive changes (R's statistic),
        ``method`` is ``"exact"`` or ``"normal approximation"``. NaN where no change is non-zero.

    Notes:
        Checked against R 4.2 ``wilcox.test(after, before, paired = TRUE)``, one dataset with
        ties and zeros (normal approximation) and one without (exact).
    """
    from scipy import stats

    diff = np.asarray(after, float) - np.asarray(before, float)
    nonzero = diff[diff != 0]
    n = nonzero.size
    if n == 0:
        if diff.size:
            warn("no one's score changed, so the Wilcoxon test cannot be computed (NaN)")
        return NAN, NAN, ""
    ranks = stats.rankdata(np.abs(nonzero))
    v = float(ranks[nonzero > 0].sum())
    ties = np.unique(np.abs(nonzero)).size < n
    zeros = nonzero.size < diff.size
    exact = n < EXACT_WILCOXON_BELOW and not ties and not zeros
    method = "exact" if exact else "normal approximation"
    res = stats.wilcoxon(
        diff, zero_method="wilcox", correction=True, method="exact" if exact else "approx"
    )
    return v, num(res.pvalue), method


def d_z_interval(t: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The CI of Cohen's d_z by inverting the noncentral t distribution.

    Finds the noncentrality parameters whose t distributions put the observed ``t`` at the upper
    and lower ``(1 - confidence)/2`` points, then divides by sqrt(n).

    References:
        Cumming, G. (2012). Understanding the New Statistics, ch. 11. Routledge.
        Checked against R 4.2 (``uniroot`` on ``pt(t, df, ncp)``).
    """
    from scipy import optimize, stats

    if n < MIN_PAIRS or not math.isfinite(t):
        return NAN, NAN
    df = n - 1
    upper_p = (1 + confidence) / 2

    def limit(p: float) -> float:
        f = lambda ncp: stats.nct.cdf(t, df, ncp) - p  # noqa: E731
        width = 4.0
        while f(t - width) * f(t + width) > 0 and width < 1e3:
            width *= 2
        return float(optimize.brentq(f, t - width, t + width, xtol=1e-12))

    return limit(upper_p) / math.sqrt(n), limit(1 - upper_p) / math.sqrt(n)


def hedges_g_av(
    before: np.ndarray, after: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Hedges' g_av for a pre-post design, with a normal-approximation CI.

    Returns:
        ``(g, lower, upper)``; NaN where the SDs or the correlation are undefined.

    Notes:
        d_av = mean(after - before) / sqrt((sd_before^2 + sd_after^2) / 2) (Cumming 2012;
        Lakens 2013); J = 1 - 3 / (4 (n - 1) - 1); g = J d_av.
        var(d) = (1/n + d^2 / (2n)) 2 (1 - r), with r the before-after correlation; var(g) =
        J^2 var(d) (Borenstein, Hedges, Higgins & Rothstein 2009, ch. 4); CI g -/+ z se.
        Checked against R 4.2 by the same formula.

    References:
        Lakens, D. (2013). Frontiers in Psychology 4:863.
        Borenstein, M. et al. (2009). Introduction to Meta-Analysis, ch. 4. Wiley.
    """
    from scipy import stats

    x1 = np.asarray(before, float)
    x2 = np.asarray(after, float)
    n = x1.size
    if n < MIN_PAIRS:
        return NAN, NAN, NAN
    s1, s2 = x1.std(ddof=1), x2.std(ddof=1)
    pooled = math.sqrt((s1**2 + s2**2) / 2)
    if pooled == 0:
        warn(
            "the scores have no variance at either time point, so Hedges' g cannot be computed (NaN)"
        )
        return NAN, NAN, NAN
    d = float(np.mean(x2 - x1)) / pooled
    j = 1 - 3 / (4 * (n - 1) - 1)
    g = j * d
    if s1 == 0 or s2 == 0:
        warn(
            "the scores have no variance at one time point, so the CI of Hedges' g cannot be computed (NaN)"
        )
        return g, NAN, NAN
    r = float(np.corrcoef(x1, x2)[0, 1])
    var_d = (1 / n + d**2 / (2 * n)) * 2 * (1 - r)
    se = math.sqrt(max(j**2 * var_d, 0.0))
    z = float(stats.norm.ppf((1 + confidence) / 2))
    return g, g - z * se, g + z * se


def change_from_pairs(
    before: Sequence[float],
    after: Sequence[float],
    *,
    group: str = ALL,
    instrument: str = "",
    scale: str = "",
    before_label: str = "before",
    after_label: str = "after",
    n_unpaired: int = 0,
    confidence: float = 0.95,
) -> PairedChange:
    """:class:`PairedChange` from two aligned arrays of paired scores (no missing values)."""
    x1 = np.asarray(before, float)
    x2 = np.asarray(after, float)
    if x1.shape != x2.shape:
        raise AnalysisError(
            f"before and after must have the same length; got {x1.size} and {x2.size}"
        )
    if np.isnan(x1).any() or np.isnan(x2).any():
        raise AnalysisError("before and after must be complete pairs (no missing values)")
    n = int(x1.size)
    what = " ".join(p for p in (instrument, scale) if p) or "the score"
    if n < MIN_PAIRS:
        warn(
            f"{group}: only {n} {'person has' if n == 1 else 'people have'} {what} at both {before_label} and {after_label}; at "
            f"least {MIN_PAIRS} are needed to test the change, so the tests are NaN"
        )
    diff = x2 - x1

    def mean(a: np.ndarray) -> float:
        return float(a.mean()) if a.size else NAN

    def sd(a: np.ndarray) -> float:
        return float(a.std(ddof=1)) if a.size >= 2 else NAN

    t = paired_t(x1, x2, confidence)
    if n >= MIN_PAIRS:
        v, p_w, method = wilcoxon_signed_rank(x1, x2)
        g, g_lo, g_hi = hedges_g_av(x1, x2, confidence)
    else:
        v, p_w, method = NAN, NAN, ""
        g, g_lo, g_hi = NAN, NAN, NAN
    sd_change = sd(diff)
    d_z = mean(diff) / sd_change if n >= MIN_PAIRS and sd_change > 0 else NAN
    dz_lo, dz_hi = d_z_interval(t["t"], n, confidence)
    return PairedChange(
        group=group,
        instrument=instrument,
        scale=scale,
        before=before_label,
        after=after_label,
        n_pairs=n,
        n_unpaired=int(n_unpaired),
        mean_before=mean(x1),
        sd_before=sd(x1),
        mean_after=mean(x2),
        sd_after=sd(x2),
        mean_change=mean(diff),
        sd_change=sd_change,
        ci_low=t["ci_low"],
        ci_high=t["ci_high"],
        t=t["t"],
        df=t["df"],
        p_t=t["p_t"],
        wilcoxon_v=v,
        p_wilcoxon=p_w,
        wilcoxon_method=method,
        d_z=d_z,
        d_z_ci_low=dz_lo,
        d_z_ci_high=dz_hi,
        hedges_g=g,
        g_ci_low=g_lo,
        g_ci_high=g_hi,
    )


# -- on the long scores frame ------------------------------------------------------------------


def choose_timepoints(
    data: pd.DataFrame, within: str, before: str | None, after: str | None
) -> tuple[str, str]:
    """The two time points to compare: as named, or the only two present.

    Raises:
        AnalysisError: when a named time point is absent (listing those present and the closest
            name), or they are not named and the data hold other than two time points.
    """
    present = timepoint_order(data, within)
    for name, value in (("before", before), ("after", after)):
        if value is not None and value not in present:
            raise AnalysisError(f"{name}: {no_scores_at(value, present)}")
    if before is not None and after is not None:
        if before == after:
            raise AnalysisError(
                f"before and after are both {before!r}; name two different time points"
            )
        return before, after
    if len(present) == 2 and before in (None, present[0]) and after in (None, present[1]):
        return present[0], present[1]
    raise AnalysisError(
        "name the two time points to compare (before and after); the data hold: "
        + (", ".join(present) or "none")
    )


def _labels(data: pd.DataFrame) -> tuple[str, str]:
    inst = str(data["instrument"].iloc[0]) if "instrument" in data.columns and len(data) else ""
    scale = str(data["scale"].iloc[0]) if "scale" in data.columns and len(data) else ""
    return inst, scale


def paired_frame(
    data: pd.DataFrame,
    dv: str,
    within: str,
    subject: str,
    before: str,
    after: str,
) -> tuple[pd.DataFrame, int]:
    """The complete pairs (columns ``before``, ``after``; index subject) and the unpaired count."""
    table = wide(data, dv, within, subject, [before, after])
    for col in (before, after):
        if col not in table.columns:
            table[col] = np.nan
    table = table[[before, after]]
    has_any = table.notna().any(axis=1)
    complete = table.dropna()
    return complete, int(has_any.sum() - len(complete))


def paired_change(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    before: str | None = None,
    after: str | None = None,
    instrument: str | None = None,
    scale: str | None = None,
    confidence: float = 0.95,
    group: str = ALL,
) -> PairedChange:
    """Change between two time points in the people scored at both.

    Args:
        data: A long scores frame (one row per administration and scale).
        dv: The score column.
        within: The time-point column.
        subject: The person column.
        before: The first time point (may be left out when the data hold exactly two).
        after: The second time point.
        instrument: The instrument to analyse, where the frame holds several.
        scale: The scale to analyse, where the instrument has several.
        confidence: Level of the confidence intervals.
        group: A label for the result (used by :func:`change_table`).

    Returns:
        A :class:`PairedChange`. Fewer than three pairs or changes with no variance give a
        :class:`~recoverycap.errors.RecoveryCapWarning` and NaN, never an error.

    Raises:
        AnalysisError: for a missing column, an unknown time point or an ambiguous scale.

    Notes:
        Checked against R 4.2 ``t.test(paired = TRUE)`` and ``wilcox.test(paired = TRUE)``; d_z
        and Hedges' g against R by formula (``tests/reference/analysis_reference.R``).
    """
    data = select_scale(data, instrument, scale)
    before, after = choose_timepoints(data, within, before, after)
    return _change(data, dv, within, subject, before, after, confidence, group)


def _change(
    data: pd.DataFrame,
    dv: str,
    within: str,
    subject: str,
    before: str,
    after: str,
    confidence: float,
    group: str,
) -> PairedChange:
    complete, unpaired = paired_frame(data, dv, within, subject, before, after)
    inst, sc = _labels(data)
    return change_from_pairs(
        complete[before].to_numpy(),
        complete[after].to_numpy(),
        group=group,
        instrument=inst,
        scale=sc,
        before_label=before,
        after_label=after,
        n_unpaired=unpaired,
        confidence=confidence,
    )


def change_table(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    before: str | None = None,
    after: str | None = None,
    instrument: str | None = None,
    scale: str | None = None,
    by: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`paired_change` for everyone and, with ``by``, for each subgroup.

    Returns:
        A DataFrame with the columns :data:`CHANGE_COLUMNS`: the first row is everyone (``group``
        "all"); with ``by`` (e.g. ``"site"``, ``"cohort"``, ``"programme"``) one row per subgroup
        follows. A person listed under several subgroups (on two programmes, see
        :func:`~recoverycap.analysis.frames.add_programme`) counts in each of them and once in
        "all" (:func:`~recoverycap.analysis.frames.split`, with a warning). Subgroups with fewer
        than three pairs give NaN tests and a warning.
    """
    data = select_scale(data, instrument, scale)
    before, after = choose_timepoints(data, within, before, after)
    rows = [
        _change(part, dv, within, subject, before, after, confidence, label).as_dict()
        for label, part in split(data, by, subject)
    ]
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
