"""Three or more time points on complete cases, checked against R
(tests/reference/analysis_reference.R)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from reference.r_reference import R, agrees

from recoverycap.analysis import repeated_measures
from recoverycap.analysis.repeated import PAIRWISE_COLUMNS, TESTS_COLUMNS, timepoint_summary
from recoverycap.errors import AnalysisError, RecoveryCapWarning

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def repeated() -> pd.DataFrame:
    return pd.read_csv(REF / "repeated.csv")


@pytest.fixture(scope="module")
def result(repeated: pd.DataFrame):  # type: ignore[no-untyped-def]
    return repeated_measures(repeated)


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("n_complete", "rm.n_complete"),
        ("F", "rm.F"),
        ("df1", "rm.df1"),
        ("df2", "rm.df2"),
        ("p", "rm.p"),
        ("eps_gg", "rm.eps_gg"),
        ("p_gg", "rm.p_gg"),
        ("friedman_q", "friedman.chisq"),
        ("friedman_df", "friedman.df"),
        ("friedman_p", "friedman.p"),
    ],
)
def test_omnibus_matches_r(result, field: str, key: str) -> None:  # type: ignore[no-untyped-def]
    """Checked against R 4.2: summary(aov(score ~ timepoint + Error(subject/timepoint))) on the
    12 complete cases, the Greenhouse–Geisser epsilon (by formula) and its p-value from
    anova.mlm(test = "Spherical"), and friedman.test."""
    row = result.tests.iloc[0]
    assert agrees(float(row[field]), R[key]), (field, row[field], R[key])


PAIRS = [("intake", "release"), ("intake", "post_release_12w"), ("release", "post_release_12w")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
@pytest.mark.parametrize("field", ["p_t", "p_t_holm", "p_wilcoxon", "p_wilcoxon_holm"])
def test_pairwise_matches_r(result, a: str, b: str, field: str) -> None:  # type: ignore[no-untyped-def]
    """Checked against R 4.2: pairwise.t.test(paired = TRUE) and pairwise.wilcox.test(paired =
    TRUE), unadjusted and with p.adjust.method = "holm"."""
    row = result.pairwise[(result.pairwise["a"] == a) & (result.pairwise["b"] == b)].iloc[0]
    key = f"pairwise.{a}__{b}.{field}"
    assert agrees(float(row[field]), R[key]), (field, row[field], R[key])


def test_tables_have_stable_columns(result) -> None:  # type: ignore[no-untyped-def]
    """Column names are fixed; excluded people are counted and explained."""
    assert list(result.tests.columns) == list(TESTS_COLUMNS)
    assert list(result.pairwise.columns) == list(PAIRWISE_COLUMNS)
    assert result.tests.iloc[0]["n_excluded"] == 3
    assert "3 of 15 people" in result.notes[0]
    assert result.timepoints == ("intake", "release", "post_release_12w")


def test_subgroups_follow_everyone(repeated: pd.DataFrame) -> None:
    """With by, everyone comes first; a subgroup too small for the tests warns and is NaN."""
    data = repeated.assign(site=["a" if s < "ALT-0213" else "b" for s in repeated["subject"]])
    with pytest.warns(RecoveryCapWarning, match="b: only 2 people"):
        result = repeated_measures(data, by="site")
    assert result.tests["group"].tolist() == ["all", "a", "b"]
    b = result.tests[result.tests["group"] == "b"].iloc[0]
    assert math.isnan(b["F"])


def test_two_timepoints_warn_and_give_nan(repeated: pd.DataFrame) -> None:
    """Only two time points: a warning pointing to the change analysis, NaN omnibus tests."""
    data = repeated[repeated["timepoint"] != "post_release_12w"]
    with pytest.warns(RecoveryCapWarning, match="three or more time points"):
        result = repeated_measures(data)
    assert math.isnan(result.tests.iloc[0]["F"])
    assert len(result.pairwise) == 1


def test_no_change_warns_and_gives_nan() -> None:
    """Scores that never change: a warning and NaN, not an error."""
    rows = [
        {"subject": f"P{i}", "timepoint": tp, "score": 30 + i}
        for i in range(5)
        for tp in ("intake", "release", "post_release_12w")
    ]
    with pytest.warns(RecoveryCapWarning):
        result = repeated_measures(pd.DataFrame(rows))
    assert math.isnan(result.tests.iloc[0]["F"])


def test_unknown_timepoint_is_an_error(repeated: pd.DataFrame) -> None:
    """Naming a time point that is not in the data is a clear error."""
    with pytest.raises(AnalysisError, match="post_release_26w"):
        repeated_measures(repeated, timepoints=["intake", "post_release_26w", "release"])


def test_timepoint_summary_uses_everyone_scored(repeated: pd.DataFrame) -> None:
    """The per-time-point summary counts everyone scored there (not only complete cases), and its
    mean is the plain mean of those scores."""
    summary = timepoint_summary(repeated)
    release = summary[summary["timepoint"] == "release"].iloc[0]
    scores = repeated.loc[repeated["timepoint"] == "release", "score"]
    assert release["n"] == 14
    assert release["mean"] == pytest.approx(scores.mean())
    assert release["ci_low"] < release["mean"] < release["ci_high"]
