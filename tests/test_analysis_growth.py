"""The linear mixed growth model, checked against R's lme4 (tests/reference/analysis_reference.R)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference.r_reference import R, agrees

from recoverycap.analysis import growth_model, growth_table
from recoverycap.analysis.growth import (
    FIXED_COLUMNS,
    GROWTH_COLUMNS,
    slope_unsupported,
    time_column,
)
from recoverycap.errors import AnalysisError, RecoveryCapWarning

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def growth() -> pd.DataFrame:
    return pd.read_csv(REF / "growth.csv")


@pytest.fixture(scope="module")
def slope_model(growth: pd.DataFrame):  # type: ignore[no-untyped-def]
    return growth_model(growth)


@pytest.fixture(scope="module")
def intercept_model(growth: pd.DataFrame):  # type: ignore[no-untyped-def]
    return growth_model(growth, random_slope=False)


def _fixed(model, term: str, column: str) -> float:  # type: ignore[no-untyped-def]
    return float(model.fixed.set_index("term").loc[term, column])


def _random(model, component: str) -> float:  # type: ignore[no-untyped-def]
    return float(model.random.set_index("component").loc[component, "variance"])


def test_keeps_everyone(slope_model, growth: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """Everyone with any score is in the model (R: 119 rows, 40 people)."""
    assert slope_model.n_observations == int(R["growth.n_obs"]) == len(growth)
    assert slope_model.n_subjects == int(R["growth.n_subjects"])


@pytest.mark.parametrize(
    ("term", "column", "key"),
    [
        ("intercept", "estimate", "growth.slope.intercept"),
        ("intercept", "se", "growth.slope.intercept_se"),
        ("time", "estimate", "growth.slope.weeks"),
        ("time", "se", "growth.slope.weeks_se"),
    ],
)
def test_random_slope_fixed_effects_match_lme4(
    slope_model, term: str, column: str, key: str
) -> None:  # type: ignore[no-untyped-def]
    """Checked against R 4.2 lme4::lmer(score ~ weeks + (weeks | subject), REML = TRUE) (tight
    optimizer tolerance): fixed effects and SEs (vcov) to the 5 significant digits printed."""
    assert slope_model.random_slope
    assert agrees(_fixed(slope_model, term, column), R[key]), (term, column, R[key])


@pytest.mark.parametrize(
    ("component", "key"),
    [
        ("intercept", "growth.slope.var_intercept"),
        ("slope", "growth.slope.var_weeks"),
        ("intercept_slope_covariance", "growth.slope.cov_intercept_weeks"),
        ("residual", "growth.slope.residual_var"),
    ],
)
def test_random_slope_variances_match_lme4(slope_model, component: str, key: str) -> None:  # type: ignore[no-untyped-def]
    """Checked against R 4.2 lme4 VarCorr (variances and covariance), 5 significant digits."""
    assert agrees(_random(slope_model, component), R[key]), (component, R[key])


def test_reml_criterion_matches_lme4(slope_model, intercept_model) -> None:  # type: ignore[no-untyped-def]
    """Checked against R 4.2 lme4 REMLcrit (−2 × REML log-likelihood), in weeks."""
    assert agrees(-2 * slope_model.reml_loglik, R["growth.slope.reml_criterion"])
    assert agrees(-2 * intercept_model.reml_loglik, R["growth.intercept.reml_criterion"])


@pytest.mark.parametrize(
    ("term", "column", "key"),
    [
        ("intercept", "estimate", "growth.intercept.intercept"),
        ("intercept", "se", "growth.intercept.intercept_se"),
        ("time", "estimate", "growth.intercept.weeks"),
        ("time", "se", "growth.intercept.weeks_se"),
    ],
)
def test_intercept_only_matches_lme4(intercept_model, term: str, column: str, key: str) -> None:  # type: ignore[no-untyped-def]
    """Checked against R 4.2 lme4::lmer(score ~ weeks + (1 | subject), REML = TRUE)."""
    assert not intercept_model.random_slope
    assert agrees(_fixed(intercept_model, term, column), R[key])
    assert agrees(_random(intercept_model, "intercept"), R["growth.intercept.var_intercept"])
    assert agrees(_random(intercept_model, "residual"), R["growth.intercept.residual_var"])


def test_result_is_explained(slope_model) -> None:  # type: ignore[no-untyped-def]
    """The description says how many people were kept and the average change per week."""
    text = slope_model.describe("BARC-10 recovery capital")
    assert "40 people, 119 scores" in text
    assert "BARC-10 recovery capital rose on average by 0.445 points per week" in text
    assert list(slope_model.fixed.columns) == list(FIXED_COLUMNS)
    assert slope_model.converged
    assert slope_model.messages == ()


def test_falls_back_when_slopes_do_not_vary() -> None:
    """Everyone improves at exactly the same rate (plus noise): the slope variance is estimated
    at zero, so the model falls back to a random intercept and says why in plain words."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(30):
        level = rng.normal(30, 5)
        for j, week in enumerate((0, 6, 12, 26)):
            rows.append(
                {
                    "subject": f"P{i:02d}",
                    "timepoint": f"t{j}",
                    "week": week,
                    "score": level + 0.4 * week + rng.normal(0, 2),
                }
            )
    model = growth_model(pd.DataFrame(rows), time="week")
    assert not model.random_slope
    assert any("could not tell apart" in n or "did not converge" in n for n in model.notes)
    assert model.estimate("time") == pytest.approx(0.4, abs=0.05)


def test_too_few_scores_use_intercept_only() -> None:
    """10 scores from 8 people (two scored twice): a random slope needs more than 2 x 8 = 16
    scores, so none is tried, and the note states that rule with these numbers."""
    rows = [
        {"subject": f"P{i}", "timepoint": "intake", "t": 0.0, "score": 30.0 + i} for i in range(8)
    ]
    rows += [
        {"subject": "P0", "timepoint": "release", "t": 10.0, "score": 36.0},
        {"subject": "P1", "timepoint": "release", "t": 10.0, "score": 38.0},
    ]
    model = growth_model(pd.DataFrame(rows), time="t")
    assert not model.random_slope
    note = next(n for n in model.notes if "random slope" in n)
    assert "more scores than twice the number of people" in note
    assert "10 scores from 8 people, and more than 16 were needed" in note
    assert "Too few people had repeated scores" not in " ".join(model.notes)


def test_many_repeated_but_too_few_scores_says_so() -> None:
    """The case the old note got wrong: most people were scored twice (so "too few repeated
    scores" was untrue), but 2 scores each is exactly 2 x people, not more, so the note gives the
    real rule and the numbers (lme4 too refuses as many random effects as observations)."""
    rows = []
    for i in range(12):
        rows.append({"subject": f"P{i}", "timepoint": "intake", "t": 0.0, "score": 30.0 + i})
        rows.append({"subject": f"P{i}", "timepoint": "release", "t": 8.0, "score": 33.0 + i % 5})
    model = growth_model(pd.DataFrame(rows), time="t")
    assert not model.random_slope
    assert any("12 people were scored at two or more times" in n for n in model.notes)
    assert any("24 scores from 12 people, and more than 24 were needed" in n for n in model.notes)


@pytest.mark.parametrize(
    ("n_obs", "n_subjects", "repeated", "expected"),
    [
        (300, 150, 104, "more than 300 were needed"),
        (301, 150, 2, "at least 3 people scored at two or more different times; here there are 2"),
        (301, 150, 1, "here there is 1"),
        (301, 150, 3, ""),
    ],
)
def test_slope_rule(n_obs: int, n_subjects: int, repeated: int, expected: str) -> None:
    """A slope needs more scores than 2 x people and at least 3 people scored more than once."""
    reason = slope_unsupported(n_obs, n_subjects, repeated)
    assert expected in reason if expected else reason == ""


def test_one_timepoint_warns_and_gives_nan() -> None:
    """Everyone at one time: a warning and NaN estimates."""
    data = pd.DataFrame(
        {"subject": ["A", "B", "C"], "timepoint": "intake", "order": 0, "score": [30, 31, 35]}
    )
    with pytest.warns(RecoveryCapWarning, match="two or more different times"):
        model = growth_model(data, time="order")
    assert math.isnan(model.estimate("time"))


def test_constant_scores_warn_and_give_nan() -> None:
    """Every score the same: a warning and NaN, not a crash."""
    data = pd.DataFrame(
        {"subject": list("AABBCC"), "timepoint": ["intake", "release"] * 3, "score": 30.0}
    )
    with pytest.warns(RecoveryCapWarning, match="every score is the same"):
        model = growth_model(data, time="order")
    assert math.isnan(model.estimate("intercept"))


def test_order_time_uses_the_schedule(growth: pd.DataFrame) -> None:
    """time="order" numbers the time points in schedule order from 0."""
    t = time_column(growth, "order")
    mapping = dict(zip(growth["timepoint"], t, strict=True))
    assert mapping == {"intake": 0, "programme_end": 1, "release": 2, "post_release_12w": 3}


def test_unknown_time_variable_is_an_error(growth: pd.DataFrame) -> None:
    """A time variable that is neither built in nor a column is named in the error."""
    with pytest.raises(AnalysisError, match="'months'"):
        growth_model(growth, time="months")


def test_growth_table_by_site(growth: pd.DataFrame) -> None:
    """Separate models per site follow everyone's, with stable columns."""
    table, models = growth_table(growth, by="site")
    assert list(table.columns) == list(GROWTH_COLUMNS)
    assert table["group"].unique().tolist() == ["all", "north", "south"]
    assert [m.group for m in models] == ["all", "north", "south"]
    assert sum(m.n_subjects for m in models[1:]) == models[0].n_subjects


def test_convergence_failure_is_explained(
    growth: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When no optimizer converges, the model falls back, then says in plain words that the
    numbers are approximate, and warns; the raw messages are kept for the record."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    real_fit = sm.MixedLM.fit

    def failing_fit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_fit(self, *args, **kwargs)
        import warnings

        warnings.warn(
            "Maximum Likelihood optimization failed to converge.", ConvergenceWarning, stacklevel=2
        )
        result.converged = False
        return result

    monkeypatch.setattr(sm.MixedLM, "fit", failing_fit)
    monkeypatch.setattr("recoverycap.analysis.growth.OPTIMIZERS", (("lbfgs", {}), ("bfgs", {})))
    with pytest.warns(RecoveryCapWarning, match="did not converge"):
        model = growth_model(growth)
    assert not model.random_slope and not model.converged
    assert any("did not settle on a stable answer" in n for n in model.notes)
    assert any("did not converge, so it was refitted" in n for n in model.notes)
    assert any("failed to converge" in m for m in model.messages)
    assert not math.isnan(model.estimate("time"))
