"""Internal consistency in the sample: Cronbach's α with its 95% CI and item-total correlations.

Item answers come as a wide frame: one row per administration, one column per item id. With an
instrument, each scale's items are first turned into the values the scale sums (reverse keys and
recoding maps applied, exactly as scoring does), so α describes the scale as scored.

Checked against R 4.2 ``psych::alpha`` (raw_alpha, r.cor, r.drop, alpha if an item is dropped) and
``psych::alpha.ci`` (Feldt limits) in ``tests/reference/analysis_reference.R``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..instrument import Instrument, Scale
from ._common import NAN, num, warn

NAN_POLICIES = ("pairwise", "listwise")

ITEM_COLUMNS = ("item", "n", "mean", "sd", "r_cor", "r_drop", "alpha_if_dropped")
"""The stable columns of :attr:`ScaleReliability.items`."""

RELIABILITY_COLUMNS = (
    "group",
    "instrument",
    "scale",
    "k",
    "n",
    "nan_policy",
    "alpha",
    "ci_low",
    "ci_high",
)
"""The stable columns of :func:`reliability_table`."""


@attrs.frozen(eq=False)
class ScaleReliability:
    """Cronbach's α of one scale in the sample.

    Attributes:
        instrument: Instrument id ("" where not given).
        scale: Scale id ("" where not given).
        group: Subgroup label, or ``"all"``.
        k: Number of items.
        n: Administrations used: with ``listwise``, those with every item answered; with
            ``pairwise``, those with at least one item answered.
        nan_policy: ``"pairwise"`` (each covariance from the people who answered both items, as
            ``psych::alpha``'s default) or ``"listwise"`` (complete answers only).
        alpha: Cronbach's α (raw, from covariances).
        ci_low: Lower limit of the Feldt confidence interval.
        ci_high: Upper limit.
        items: One row per item with :data:`ITEM_COLUMNS`: ``r_cor`` is the item-total
            correlation corrected for item overlap and reliability, ``r_drop`` the correlation of
            the item with the total of the other items (psych's definitions).
    """

    instrument: str
    scale: str
    group: str
    k: int
    n: int
    nan_policy: str
    alpha: float
    ci_low: float
    ci_high: float
    items: pd.DataFrame

    def as_dict(self) -> dict[str, Any]:
        """The scale-level result with the keys of :data:`RELIABILITY_COLUMNS`."""
        return {name: getattr(self, name) for name in RELIABILITY_COLUMNS}


def item_values(items: pd.DataFrame, instrument: Instrument, scale: Scale) -> pd.DataFrame:
    """The values each item contributes to ``scale`` (reverse keys and recodes applied).

    Missing answers (empty, NaN or a missing-reason word) are NaN.

    Raises:
        AnalysisError: when an item column is missing.
        InvalidResponse: when a value is not allowed for its item.
    """
    from ..errors import Problem
    from ..vectorised import item_codes, scale_values

    missing = [i for i in scale.items if i not in items.columns]
    if missing:
        raise AnalysisError(
            f"the item data have no column for {instrument.id} item(s) {', '.join(missing)}"
        )
    problems: list[Problem] = []
    out = {}
    for item_id in scale.items:
        item = instrument.item(item_id)
        codes = item_codes(instrument, item, items[item_id], problems)
        out[item_id] = scale_values(instrument, item, scale, codes)
    if problems:
        from ..errors import InvalidResponse

        raise InvalidResponse(f"{instrument.id}: invalid answers in the item data", problems)
    return pd.DataFrame(out, index=items.index)


def cronbach_alpha(
    values: pd.DataFrame, nan_policy: str = "pairwise", confidence: float = 0.95
) -> tuple[float, float, float, int]:
    """Cronbach's α of the columns of ``values``, with its Feldt confidence interval.

    Returns:
        ``(alpha, lower, upper, n)``. NaN with a warning for fewer than two items, fewer than
        two administrations, or items with no variance.

    Notes:
        α = k/(k - 1) (1 - tr(C) / sum(C)), C the item covariance matrix (pingouin's
        ``cronbach_alpha``). Feldt limits: 1 - (1 - α) F_{1-p/2}(n - 1, (n - 1)(k - 1)) and
        1 - (1 - α) F_{p/2}(...), computed here at full precision (pingouin rounds them to 3
        decimals). Checked against R 4.2 ``psych::alpha`` and ``psych::alpha.ci``.
    """
    import pingouin as pg
    from scipy import stats

    _check_policy(nan_policy)
    data = values.astype(float).dropna(axis=0, how="all")
    if nan_policy == "listwise":
        data = data.dropna(axis=0, how="any")
    n, k = data.shape
    if k < 2 or n < 2:
        warn(f"Cronbach's α needs at least 2 items and 2 administrations; got {k} and {n} (NaN)")
        return NAN, NAN, NAN, int(n)
    cov = data.cov()
    if not np.isfinite(cov.to_numpy()).all() or float(cov.to_numpy().sum()) <= 0:
        warn("the item answers have no variance (or too few overlap), so Cronbach's α is NaN")
        return NAN, NAN, NAN, int(n)
    alpha = num(pg.cronbach_alpha(data=data, nan_policy=nan_policy)[0])
    p = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * float(stats.f.isf(p / 2, df1, df2))
    upper = 1 - (1 - alpha) * float(stats.f.isf(1 - p / 2, df1, df2))
    return alpha, lower, upper, int(n)


def item_total(values: pd.DataFrame, nan_policy: str = "pairwise") -> pd.DataFrame:
    """Item statistics with psych's definitions: ``r_cor``, ``r_drop``, α if the item is dropped.

    Notes:
        From the item covariance matrix C (pairwise or listwise) and its correlation matrix R:
        r_drop_i = (sum_j C_ij - C_ii) / sqrt(C_ii sum(C without row and column i));
        r_cor_i = sum_j RC_ij / sqrt(sum(RC)), RC = R with its diagonal replaced by the squared
        multiple correlations 1 - 1/diag(R^-1); α if dropped = α of C without item i.
        Checked against R 4.2 ``psych::alpha`` (``item.stats`` r.cor and r.drop, ``alpha.drop``).
    """
    _check_policy(nan_policy)
    data = values.astype(float).dropna(axis=0, how="all")
    if nan_policy == "listwise":
        data = data.dropna(axis=0, how="any")
    names = [str(c) for c in data.columns]
    k = len(names)
    rows = {
        "item": names,
        "n": [int(v) for v in data.notna().sum().to_numpy()],
        "mean": [num(v) for v in data.mean().to_numpy()],
        "sd": [num(v) for v in data.std(ddof=1).to_numpy()],
    }
    r_cor = [NAN] * k
    r_drop = [NAN] * k
    if_dropped = [NAN] * k
    C = data.cov().to_numpy()
    flat = [names[i] for i in range(k) if np.isfinite(C[i, i]) and C[i, i] == 0]
    if flat:
        warn(
            f"everyone gave the same answer to {', '.join(flat)}, so the item-total correlations "
            "are NaN (an item with no variance correlates with nothing)"
        )
    if k >= 2 and len(data) >= 2 and np.isfinite(C).all() and (np.diag(C) > 0).all():
        sd = np.sqrt(np.diag(C))
        R = C / np.outer(sd, sd)
        col = C.sum(axis=0)
        for i in range(k):
            keep = [j for j in range(k) if j != i]
            rest = C[np.ix_(keep, keep)]
            r_drop[i] = num((col[i] - C[i, i]) / math.sqrt(C[i, i] * rest.sum()))
            if k >= 3:
                if_dropped[i] = _alpha_from_cov(rest)
        try:
            smc = 1 - 1 / np.diag(np.linalg.inv(R))
            RC = R.copy()
            np.fill_diagonal(RC, smc)
            r_cor = [num(v) for v in RC.sum(axis=0) / math.sqrt(RC.sum())]
        except (np.linalg.LinAlgError, ValueError):
            warn("the item correlation matrix is singular, so r_cor is NaN")
    rows.update(r_cor=r_cor, r_drop=r_drop, alpha_if_dropped=if_dropped)
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def _alpha_from_cov(C: np.ndarray) -> float:
    k = C.shape[0]
    total = C.sum()
    if total <= 0:
        return NAN
    return num(k / (k - 1) * (1 - np.trace(C) / total))


def _check_policy(nan_policy: str) -> None:
    if nan_policy not in NAN_POLICIES:
        raise AnalysisError(
            f"nan_policy must be one of {', '.join(NAN_POLICIES)}; got {nan_policy!r}"
        )


def scale_reliability(
    items: pd.DataFrame,
    instrument: Instrument | None = None,
    scale: str | None = None,
    columns: Sequence[str] | None = None,
    nan_policy: str = "pairwise",
    confidence: float = 0.95,
    group: str = "all",
) -> ScaleReliability:
    """Cronbach's α and item statistics for one scale.

    Args:
        items: Item answers, one row per administration, one column per item id.
        instrument: The instrument; with ``scale``, its items are reverse-keyed and recoded as
            the scale scores them.
        scale: The scale id (default: the instrument's only or first scale).
        columns: Without an instrument: the item columns to use (default: every numeric column).
        nan_policy: ``"pairwise"`` (psych's default) or ``"listwise"``.
        confidence: Level of the Feldt interval.
        group: A label for the result.

    Raises:
        AnalysisError: for an unknown scale, a missing item column or a bad ``nan_policy``.
    """
    _check_policy(nan_policy)
    if instrument is not None:
        try:
            sc = instrument.scale(scale) if scale else instrument.scales[0]
        except KeyError as exc:
            raise AnalysisError(str(exc.args[0])) from None
        values = item_values(items, instrument, sc)
        inst_id, scale_id = instrument.id, sc.id
    else:
        cols = (
            list(columns)
            if columns is not None
            else [
                c
                for c in items.columns
                if items[c].dtype.kind in "biuf" and c != "administration_id"
            ]
        )
        missing = [c for c in cols if c not in items.columns]
        if missing:
            raise AnalysisError(f"the item data have no column {', '.join(map(repr, missing))}")
        values = items[cols].apply(pd.to_numeric, errors="coerce")
        inst_id, scale_id = "", scale or ""
    alpha, lo, hi, n = cronbach_alpha(values, nan_policy, confidence)
    return ScaleReliability(
        instrument=inst_id,
        scale=scale_id,
        group=group,
        k=values.shape[1],
        n=n,
        nan_policy=nan_policy,
        alpha=alpha,
        ci_low=lo,
        ci_high=hi,
        items=item_total(values, nan_policy),
    )


def scale_reliabilities(
    items: pd.DataFrame,
    instrument: Instrument,
    scales: Sequence[str] | None = None,
    nan_policy: str = "pairwise",
    by: str | None = None,
    confidence: float = 0.95,
) -> list[ScaleReliability]:
    """:func:`scale_reliability` for each scale, for everyone and, with ``by``, each subgroup.

    Args:
        items: Item answers (one row per administration, one column per item id); with ``by``, a
            column of that name too.
        instrument: The instrument.
        scales: Scale ids (default: every scale with at least two items).
        nan_policy: ``"pairwise"`` or ``"listwise"``.
        by: A column to split by (e.g. ``"site"``): everyone first (each administration once,
            however many programmes list it: :func:`~recoverycap.analysis.frames.split`), then
            each subgroup.
        confidence: Level of the Feldt interval.
    """
    from .frames import split

    chosen = (
        [instrument.scale(s) for s in scales]
        if scales
        else [s for s in instrument.scales if len(s.items) >= 2]
    )
    parts = split(items, by)
    return [
        scale_reliability(
            part, instrument, sc.id, nan_policy=nan_policy, confidence=confidence, group=label
        )
        for label, part in parts
        for sc in chosen
    ]


def reliability_table(
    items: pd.DataFrame,
    instrument: Instrument,
    scales: Sequence[str] | None = None,
    nan_policy: str = "pairwise",
    by: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's α with its CI for each scale of ``instrument`` (of two or more items).

    Args:
        items: Item answers (one row per administration, one column per item id); with ``by``, a
            column of that name too.
        instrument: The instrument.
        scales: Scale ids (default: every scale with at least two items).
        nan_policy: ``"pairwise"`` or ``"listwise"``.
        by: A column to split by (e.g. ``"site"``): rows for everyone, then each subgroup.
        confidence: Level of the Feldt interval.

    Returns:
        A DataFrame with :data:`RELIABILITY_COLUMNS`.
    """
    results = scale_reliabilities(items, instrument, scales, nan_policy, by, confidence)
    return results_table(results)


def results_table(results: Sequence[ScaleReliability]) -> pd.DataFrame:
    """Scale-level results as a DataFrame with :data:`RELIABILITY_COLUMNS`."""
    return pd.DataFrame([r.as_dict() for r in results], columns=list(RELIABILITY_COLUMNS))


def item_table(results: Sequence[ScaleReliability], group: str = "all") -> pd.DataFrame:
    """The item statistics of one group's scales in one frame: ``scale``, then
    :data:`ITEM_COLUMNS`, one block of rows per scale."""
    frames = [
        r.items.assign(scale=r.scale)[["scale", *ITEM_COLUMNS]] for r in results if r.group == group
    ]
    if not frames:
        return pd.DataFrame(columns=["scale", *ITEM_COLUMNS])
    return pd.concat(frames, ignore_index=True)
