"""A linear mixed growth model that keeps everyone with any data.

``score ~ time`` with a random intercept per person and, where the data support it, a random
slope (each person their own rate of change), fitted by REML with statsmodels ``MixedLM``. People
seen only once still inform the average starting level, so drop-out does not throw data away as
the complete-case tests do.

Where the random slope cannot be estimated (no more scores than twice the number of people,
fewer than three people scored more than once, a fit that does not converge, or a slope variance
estimated at zero, which lme4 calls a singular fit) the model is fitted with a random intercept
only, and the result says why in plain words. Convergence
warnings are caught and explained rather than printed.

Checked against R 4.2 ``lme4::lmer(score ~ weeks + (weeks | subject), REML = TRUE)`` and the
intercept-only model in ``tests/reference/analysis_reference.R``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._common import NAN, fmt, num, warn
from .frames import (
    ALL,
    require_columns,
    select_scale,
    split,
    timepoint_order,
    weeks_since_first,
)

TIME_SCALES = ("weeks", "order")
"""Built-in time variables: weeks since each person's first administration, or the time point's
position in the schedule (0, 1, 2, ...). Any numeric column name also works."""

FIXED_COLUMNS = ("group", "term", "estimate", "se", "z", "p", "ci_low", "ci_high")
"""The stable columns of :attr:`GrowthModel.fixed` and :func:`growth_table`."""

RANDOM_COLUMNS = ("component", "variance", "sd")
"""The stable columns of :attr:`GrowthModel.random`."""

SINGULAR_TOL = 1e-4
"""As lme4's ``isSingular``: a relative Cholesky factor diagonal below this is a singular fit."""

OPTIMIZERS: tuple[tuple[str, dict[str, float]], ...] = (
    ("bfgs", {"gtol": 1e-10}),
    ("lbfgs", {}),
    ("powell", {}),
    ("nm", {}),
)
"""Tried in turn until one converges. BFGS with a tight gradient tolerance comes first: it reaches
the REML optimum that lme4 reaches with a tight tolerance, to 5 significant digits."""

NOT_CONVERGED = (
    "The fitting routine did not settle on a stable answer (it did not converge), so treat the "
    "numbers as approximate. More follow-up scores usually fix this."
)


@attrs.frozen(eq=False)
class GrowthModel:
    """A fitted growth model.

    Attributes:
        instrument: Instrument id.
        scale: Scale id.
        group: Subgroup label, or ``"all"``.
        time: The time variable (``"weeks"``, ``"order"`` or a column name).
        n_subjects: People in the model (everyone with at least one score).
        n_observations: Scores in the model.
        random_slope: True when each person has their own slope; False for intercept-only.
        converged: Whether the final fit converged.
        fixed: Fixed effects (:data:`FIXED_COLUMNS`): ``intercept`` (the average score at time 0)
            and ``time`` (the average change per unit of time). SEs are the model-based
            (X'V^-1X)^-1 ones that lme4's ``vcov`` reports; p and 95% CI are Wald (normal).
        random: Variance components (:data:`RANDOM_COLUMNS`): intercept, slope, their
            covariance (sd column holds the correlation) and the residual.
        reml_loglik: The REML log-likelihood in the original time units (lme4's REML criterion is
            -2 times this).
        notes: Plain-language notes: what the model kept, any fallback and why.
        messages: The raw warnings the fitting routine gave, for the record.
    """

    instrument: str
    scale: str
    group: str
    time: str
    n_subjects: int
    n_observations: int
    random_slope: bool
    converged: bool
    fixed: pd.DataFrame
    random: pd.DataFrame
    reml_loglik: float
    notes: tuple[str, ...]
    messages: tuple[str, ...]

    def estimate(self, term: str) -> float:
        """The fixed effect ``term`` (``"intercept"`` or ``"time"``)."""
        row = self.fixed[self.fixed["term"] == term]
        return num(row["estimate"].iloc[0]) if len(row) else NAN

    def describe(self, label: str | None = None) -> str:
        """A plain-language summary of the average trajectory, with the notes; ``label`` names
        the score (e.g. "BARC-10 recovery capital")."""
        what = label or " ".join(p for p in (self.instrument, self.scale) if p) or "the score"
        unit = {"weeks": "week", "order": "time point"}.get(self.time, f"unit of {self.time}")
        row = self.fixed[self.fixed["term"] == "time"]
        lines = []
        if len(row) and not math.isnan(num(row["estimate"].iloc[0])):
            r = row.iloc[0]
            way = "rose" if r.estimate > 0 else "fell"
            lines.append(
                f"Using everyone with any data ({self.n_subjects} people, {self.n_observations} "
                f"scores), {what} {way} on average by {fmt(abs(r.estimate), 3)} points per {unit} "
                f"(95% CI {fmt(r.ci_low, 3)} to {fmt(r.ci_high, 3)}), starting from "
                f"{fmt(self.estimate('intercept'), 3)}."
            )
        else:
            lines.append(f"No growth model could be fitted for {what}.")
        lines += self.notes
        return "\n".join(lines)


def _empty(
    instrument: str, scale: str, group: str, time: str, n_sub: int, n_obs: int, notes: list[str]
) -> GrowthModel:
    fixed = pd.DataFrame(
        [
            {
                "group": group,
                "term": t,
                "estimate": NAN,
                "se": NAN,
                "z": NAN,
                "p": NAN,
                "ci_low": NAN,
                "ci_high": NAN,
            }
            for t in ("intercept", "time")
        ],
        columns=list(FIXED_COLUMNS),
    )
    return GrowthModel(
        instrument=instrument,
        scale=scale,
        group=group,
        time=time,
        n_subjects=n_sub,
        n_observations=n_obs,
        random_slope=False,
        converged=False,
        fixed=fixed,
        random=pd.DataFrame(columns=list(RANDOM_COLUMNS)),
        reml_loglik=NAN,
        notes=tuple(notes),
        messages=(),
    )


def time_column(
    data: pd.DataFrame, time: str, within: str = "timepoint", subject: str = "subject"
) -> pd.Series:
    """The numeric time of each row: weeks since the person's first score, schedule position,
    or a numeric column.

    Raises:
        AnalysisError: for an unknown time variable or a non-numeric column.
    """
    if time == "weeks":
        if "administered_at" not in data.columns:
            raise AnalysisError(
                "time 'weeks' needs the administered_at column (dates of administration); "
                "use time 'order' (schedule position) or name a numeric column"
            )
        return weeks_since_first(data, subject)
    if time == "order":
        require_columns(data, [within])
        order = timepoint_order(data, within)
        return data[within].map({t: float(i) for i, t in enumerate(order)}).astype(float)
    if time not in data.columns:
        raise AnalysisError(
            f"time must be 'weeks', 'order' or a numeric column; the data have no column {time!r}"
        )
    values = pd.to_numeric(data[time], errors="coerce")
    if values.isna().all():
        raise AnalysisError(f"time column {time!r} holds no numbers")
    return values.astype(float)


@attrs.frozen
class _Fit:
    result: Any
    converged: bool
    boundary: bool


def _fit(model: Any, messages: list[str]) -> _Fit | None:
    """Fit by REML trying each optimizer in turn; keep the first that converges (else the one
    with the highest likelihood). ``boundary`` is statsmodels' warning, for the fit kept, that a
    variance may be at zero (what lme4 calls a singular fit)."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    best: _Fit | None = None
    for method, options in OPTIMIZERS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = model.fit(reml=True, method=method, **options)
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
                messages.append(f"{method}: {exc}")
                continue
        texts = [str(w.message) for w in caught]
        messages.extend(f"{method}: {t}" for t in texts)
        failed = any(
            issubclass(w.category, ConvergenceWarning) and "boundary" not in str(w.message)
            for w in caught
        )
        ok = (
            bool(getattr(result, "converged", False))
            and not failed
            and bool(np.isfinite(result.llf))
        )
        fit = _Fit(result, ok, any("boundary" in t for t in texts))
        if ok:
            return fit
        if best is None or (np.isfinite(result.llf) and result.llf > best.result.llf + 1e-9):
            best = fit
    return best


def _gls_se(
    X: np.ndarray, Z: np.ndarray, groups_idx: np.ndarray, G: np.ndarray, s2: float
) -> np.ndarray:
    """Model-based SEs of the fixed effects: sqrt(diag((sum_i X_i' V_i^-1 X_i)^-1))."""
    k = X.shape[1]
    info = np.zeros((k, k))
    for g in np.unique(groups_idx):
        rows = groups_idx == g
        Xi, Zi = X[rows], Z[rows]
        V = Zi @ G @ Zi.T + s2 * np.eye(int(rows.sum()))
        info += Xi.T @ np.linalg.solve(V, Xi)
    return np.sqrt(np.diag(np.linalg.inv(info)))


def _on_boundary(messages: list[str]) -> bool:
    """Whether statsmodels warned that the estimate may be on the boundary (a variance at 0)."""
    return any("boundary" in m for m in messages)


def _singular(G: np.ndarray, s2: float) -> bool:
    """lme4's test: a diagonal of the Cholesky factor of G / sigma^2 below SINGULAR_TOL."""
    try:
        L = np.linalg.cholesky(G / s2)
    except np.linalg.LinAlgError:
        return True
    return bool((np.abs(np.diag(L)) < SINGULAR_TOL).any())


MIN_REPEATED_FOR_SLOPE = 3
"""People scored at two or more different times needed before a random slope is tried."""


def slope_unsupported(n_obs: int, n_subjects: int, repeated: int) -> str:
    """Why the data cannot support a random slope per person, in plain words ("" if they can).

    A random intercept and slope give each person two random effects, so there must be more
    scores than twice the number of people (lme4 refuses a model with no more observations than
    random effects); and at least :data:`MIN_REPEATED_FOR_SLOPE` people must have been scored at
    two or more different times for their rates of change to differ.
    """
    if n_obs <= 2 * n_subjects:
        return (
            "needs more scores than twice the number of people, because each person adds two "
            f"unknowns (a starting level and a rate): here there are {n_obs} scores from "
            f"{n_subjects} people, and more than {2 * n_subjects} were needed"
        )
    if repeated < MIN_REPEATED_FOR_SLOPE:
        return (
            f"needs at least {MIN_REPEATED_FOR_SLOPE} people scored at two or more different "
            f"times; here there {'is' if repeated == 1 else 'are'} {repeated}"
        )
    return ""


def growth_model(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    time: str = "weeks",
    random_slope: bool | str = "auto",
    instrument: str | None = None,
    scale: str | None = None,
    group: str = ALL,
) -> GrowthModel:
    """Fit ``dv ~ time`` with a random intercept (and slope) per person, by REML.

    Args:
        data: A long scores frame; everyone with at least one score is kept.
        dv: The score column.
        within: The time-point column (used by ``time="order"``).
        subject: The person column.
        time: ``"weeks"`` (since each person's first administration, from ``administered_at``),
            ``"order"`` (schedule position) or a numeric column.
        random_slope: ``"auto"`` (try it where the data support it, else intercept-only), True
            (try it; fall back with a note if it fails) or False (intercept-only).
        instrument: The instrument, where the frame holds several.
        scale: The scale, where the instrument has several.
        group: A label for the result.

    Returns:
        A :class:`GrowthModel`. Too little data (fewer than two people or two distinct times)
        gives a warning and NaN.

    Notes:
        Time is divided by its SD for fitting (the REML fit is unchanged by rescaling time; the
        optimizer is better conditioned) and the estimates are scaled back. Checked against R 4.2
        ``lme4::lmer`` (fixed effects and SEs, variance components).
    """
    import statsmodels.api as sm

    data = select_scale(data, instrument, scale)
    require_columns(data, [dv, subject])
    inst = str(data["instrument"].iloc[0]) if "instrument" in data.columns and len(data) else ""
    sc = str(data["scale"].iloc[0]) if "scale" in data.columns and len(data) else ""
    frame = pd.DataFrame(
        {
            "y": pd.to_numeric(data[dv], errors="coerce").to_numpy(),
            "t": time_column(data, time, within, subject).to_numpy() if len(data) else np.array([]),
            "s": data[subject].astype(str).to_numpy(),
        }
    ).dropna()
    n_obs, n_sub = len(frame), frame["s"].nunique()
    notes: list[str] = []
    if n_sub < 2 or frame["t"].nunique() < 2:
        warn(
            f"{group}: a growth model needs scores from at least two people at two or more "
            f"different times; got {n_obs} score(s) from {n_sub} person/people, so it is NaN"
        )
        return _empty(inst, sc, group, time, n_sub, n_obs, notes)
    if frame["y"].nunique() < 2:
        warn(f"{group}: every score is the same, so a growth model cannot be fitted (NaN)")
        return _empty(inst, sc, group, time, n_sub, n_obs, notes)
    times_per_person = frame.groupby("s")["t"].nunique()
    repeated = int((times_per_person >= 2).sum())
    notes.append(
        f"The model keeps everyone with any score: {n_sub} people, {n_obs} scores; "
        f"{repeated} people were scored at two or more times."
    )
    t_scale = float(frame["t"].std(ddof=1)) or 1.0
    frame["ts"] = frame["t"] / t_scale
    X = np.column_stack([np.ones(n_obs), frame["ts"].to_numpy()])
    y = frame["y"].to_numpy()
    codes = pd.factorize(frame["s"])[0]

    want_slope = random_slope is True or random_slope == "auto"
    if random_slope not in (True, False, "auto"):
        raise AnalysisError(f"random_slope must be True, False or 'auto'; got {random_slope!r}")
    unsupported = slope_unsupported(n_obs, n_sub, repeated)
    messages: list[str] = []
    fit: _Fit | None = None
    slope = False
    if want_slope and unsupported:
        notes.append(
            f"Giving each person their own rate of change (a random slope) {unsupported}. So the "
            "model lets only their starting levels differ (random intercept); the average change "
            "still uses everyone's scores."
        )
    elif want_slope:
        fit = _fit(sm.MixedLM(y, X, groups=codes, exog_re=X), messages)
        if fit is None or not fit.converged:
            notes.append(
                "The model with a separate rate of change for each person did not converge, so "
                "it was refitted letting only starting levels differ (random intercept)."
            )
            fit = None
        elif fit.boundary or _singular(np.asarray(fit.result.cov_re), float(fit.result.scale)):
            notes.append(
                "The data could not tell apart how much people's rates of change differ from "
                "ordinary measurement noise (lme4 would call the fit singular), so the model was "
                "refitted letting only starting levels differ (random intercept). The average "
                "change still uses everyone's data."
            )
            fit = None
        else:
            slope = True
    if fit is None:
        fit = _fit(sm.MixedLM(y, X, groups=codes, exog_re=np.ones((n_obs, 1))), messages)
        if fit is None:
            warn(f"{group}: the growth model could not be fitted ({'; '.join(messages[-1:])}); NaN")
            return _empty(inst, sc, group, time, n_sub, n_obs, notes)
        if not fit.converged:
            notes.append(NOT_CONVERGED)
            warn(f"{group}: the growth model did not converge; treat it as approximate")
        if fit.boundary or _singular(np.asarray(fit.result.cov_re), float(fit.result.scale)):
            notes.append(
                "People's starting levels did not differ by more than measurement noise "
                "(the person-level variance is estimated at zero)."
            )
    result, converged = fit.result, fit.converged
    G = np.asarray(result.cov_re, float)
    s2 = float(result.scale)
    fe = np.asarray(result.fe_params, float)
    Z = X if slope else np.ones((n_obs, 1))
    se = _gls_se(X, Z, codes, G, s2)
    # back to the original time units
    unscale = np.array([1.0, 1.0 / t_scale])
    fe, se = fe * unscale, se * unscale
    from scipy import stats

    zcrit = float(stats.norm.ppf(0.975))
    rows = []
    for term, est, err in zip(("intercept", "time"), fe, se, strict=True):
        z = est / err if err > 0 else NAN
        rows.append(
            {
                "group": group,
                "term": term,
                "estimate": num(est),
                "se": num(err),
                "z": num(z),
                "p": num(2 * stats.norm.sf(abs(z))) if not math.isnan(z) else NAN,
                "ci_low": num(est - zcrit * err),
                "ci_high": num(est + zcrit * err),
            }
        )
    random_rows = [
        {"component": "intercept", "variance": num(G[0, 0]), "sd": num(math.sqrt(max(G[0, 0], 0)))}
    ]
    if slope:
        var_slope = G[1, 1] / t_scale**2
        cov = G[0, 1] / t_scale
        denom = math.sqrt(max(G[0, 0] * var_slope, 0))
        random_rows.append(
            {
                "component": "slope",
                "variance": num(var_slope),
                "sd": num(math.sqrt(max(var_slope, 0))),
            }
        )
        random_rows.append(
            {
                "component": "intercept_slope_covariance",
                "variance": num(cov),
                "sd": num(cov / denom) if denom else NAN,
            }
        )
    random_rows.append({"component": "residual", "variance": num(s2), "sd": num(math.sqrt(s2))})
    return GrowthModel(
        instrument=inst,
        scale=sc,
        group=group,
        time=time,
        n_subjects=n_sub,
        n_observations=n_obs,
        random_slope=slope,
        converged=converged,
        fixed=pd.DataFrame(rows, columns=list(FIXED_COLUMNS)),
        random=pd.DataFrame(random_rows, columns=list(RANDOM_COLUMNS)),
        reml_loglik=num(result.llf - math.log(t_scale)),
        notes=tuple(notes),
        messages=tuple(messages),
    )


GROWTH_COLUMNS = (*FIXED_COLUMNS, "random_slope", "n_subjects", "n_observations", "converged")
"""The stable columns of :func:`growth_table`."""


def growth_table(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    time: str = "weeks",
    random_slope: bool | str = "auto",
    instrument: str | None = None,
    scale: str | None = None,
    by: str | None = None,
) -> tuple[pd.DataFrame, list[GrowthModel]]:
    """Growth models for everyone and, with ``by``, each subgroup fitted separately.

    A person listed under several subgroups (on two programmes) is in each subgroup's model and
    once in everyone's (:func:`~recoverycap.analysis.frames.split`).

    Returns:
        ``(table, models)``: the fixed effects of every model (:data:`GROWTH_COLUMNS`) and the
        :class:`GrowthModel` objects (everyone first).
    """
    data = select_scale(data, instrument, scale)
    parts = split(data, by, subject)
    models = [
        growth_model(part, dv, within, subject, time, random_slope, group=label)
        for label, part in parts
    ]
    frames = []
    for m in models:
        f = m.fixed.copy()
        f["random_slope"] = m.random_slope
        f["n_subjects"] = m.n_subjects
        f["n_observations"] = m.n_observations
        f["converged"] = m.converged
        frames.append(f)
    return pd.concat(frames, ignore_index=True)[list(GROWTH_COLUMNS)], models
