"""Small helpers shared by the analysis modules: warnings, NaN handling, the mean with its CI and
number formatting."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

from ..errors import RecoveryCapWarning

NAN = float("nan")


def warn(message: str, stacklevel: int = 3) -> None:
    """Warn about degenerate but legal data (a :class:`RecoveryCapWarning`)."""
    warnings.warn(message, RecoveryCapWarning, stacklevel=stacklevel)


def num(value: Any) -> float:
    """``value`` as a float; NaN for None, infinities and anything not numeric."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return NAN
    return out if math.isfinite(out) else NAN


def mean_ci(values: Sequence[float] | Any) -> tuple[int, float, float, float, float]:
    """``(n, mean, sd, ci_low, ci_high)`` of a sample: the SD with n - 1, and the t-based 95% CI
    of the mean (mean ± t(0.975, n - 1) · sd / √n); NaN where there are too few values.
    """
    import numpy as np
    from scipy import stats

    y = np.asarray(values, dtype=float)
    n = int(y.size)
    mean = float(y.mean()) if n else NAN
    sd = float(y.std(ddof=1)) if n > 1 else NAN
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n) if n > 1 else NAN
    return n, mean, sd, mean - half, mean + half


def fmt(value: Any, digits: int = 3) -> str:
    """A number for a sentence or a table: whole numbers without decimals, others rounded."""
    x = num(value)
    if math.isnan(x):
        return "–"
    if x == round(x) and abs(x) < 1e15:
        return str(round(x))
    return f"{x:.{digits}g}" if abs(x) < 1e-3 else f"{round(x, digits):g}"


def fmt_p(p: Any) -> str:
    """A p-value as journals print it: ``p < .001`` or ``p = .034``."""
    x = num(p)
    if math.isnan(x):
        return "p –"
    if x < 0.001:
        return "p < .001"
    return "p = " + f"{x:.3f}".lstrip("0")
