"""Drop-out: follow-up counts, reasons from follow-up outcomes and the baseline comparison."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from recoverycap.analysis import attrition
from recoverycap.analysis.attrition import (
    COMPARISON_COLUMNS,
    FOLLOWED_COLUMNS,
    NONE_RECORDED,
    REASON_COLUMNS,
)
from recoverycap.errors import AnalysisError, RecoveryCapWarning


def _frame() -> pd.DataFrame:
    """Eight people at intake; six at release; three at 12 weeks. Intake scores 20..55 by 5."""
    rows = []
    for i in range(8):
        who = f"ALT-{i:04d}"
        site = "north" if i < 4 else "south"
        rows.append(
            {
                "subject": who,
                "site": site,
                "timepoint": "intake",
                "instrument": "barc10",
                "scale": "total",
                "score": 20 + 5 * i,
            }
        )
        if i < 6:
            rows.append(
                {
                    "subject": who,
                    "site": site,
                    "timepoint": "release",
                    "instrument": "barc10",
                    "scale": "total",
                    "score": 30 + i,
                }
            )
        if i in (0, 2, 4):
            rows.append(
                {
                    "subject": who,
                    "site": site,
                    "timepoint": "post_release_12w",
                    "instrument": "barc10",
                    "scale": "total",
                    "score": 40,
                }
            )
    return pd.DataFrame(rows)


OUTCOMES = pd.DataFrame(
    {
        "participant": ["ALT-0006", "ALT-0007", "ALT-0007", "ALT-0001", "ALT-0003", "ALT-0005"],
        "timepoint": [
            "release",
            "release",
            "release",
            "post_release_12w",
            "post_release_12w",
            "post_release_12w",
        ],
        "result": ["recalled", "no_answer", "uncontactable", "declined", "reached", "recalled"],
        "date": [
            "2024-05-01",
            "2024-05-01",
            "2024-06-01",
            "2024-08-01",
            "2024-08-02",
            "2024-08-03",
        ],
    }
)


def test_followed_counts() -> None:
    """8 at baseline; 6 (75%) followed at release and 3 (37.5%) at 12 weeks."""
    result = attrition(_frame(), outcomes=OUTCOMES)
    assert list(result.followed.columns) == list(FOLLOWED_COLUMNS)
    table = result.followed.set_index("timepoint")
    assert table.loc["release", ["n_baseline", "n_followed", "n_lost"]].tolist() == [8, 6, 2]
    assert table.loc["release", "percent_followed"] == 75
    assert table.loc["post_release_12w", "n_followed"] == 3
    assert result.baseline == "intake" and result.compare_at == "post_release_12w"


def test_reasons_from_the_last_outcome() -> None:
    """Reasons are the last outcome recorded for that person and time point: ALT-0007's
    uncontactable (June) replaces its no_answer (May); 'reached' without scores and people with no
    outcome are named as such."""
    result = attrition(_frame(), outcomes=OUTCOMES)
    assert list(result.reasons.columns) == list(REASON_COLUMNS)
    release = (
        result.reasons[result.reasons["timepoint"] == "release"].set_index("reason")["n"].to_dict()
    )
    assert release == {"recalled": 1, "uncontactable": 1}
    week12 = (
        result.reasons[result.reasons["timepoint"] == "post_release_12w"]
        .set_index("reason")["n"]
        .to_dict()
    )
    # lost at 12 weeks: 1 (declined), 3 (reached), 5 (recalled), 6 and 7 (nothing for 12 weeks)
    assert week12 == {"declined": 1, "reached_no_scores": 1, "recalled": 1, NONE_RECORDED: 2}


def test_no_outcomes_means_none_recorded() -> None:
    """Without outcomes every reason is none_recorded, and a note says so."""
    result = attrition(_frame())
    assert set(result.reasons["reason"]) == {NONE_RECORDED}
    assert any("No follow-up outcomes" in n for n in result.notes)


def test_baseline_comparison_by_hand() -> None:
    """Followed at 12 weeks: intake 20, 30, 40 (mean 30); lost: 25, 35, 45, 50, 55 (mean 42).
    Welch's t-test as scipy computes it; Mann–Whitney exact (no ties, both under 50)."""
    result = attrition(_frame())
    row = result.comparison.iloc[0]
    assert list(result.comparison.columns) == list(COMPARISON_COLUMNS)
    assert (row["n_followed"], row["n_lost"]) == (3, 5)
    assert row["mean_followed"] == 30 and row["mean_lost"] == 42
    assert row["difference"] == -12
    welch = stats.ttest_ind([20, 30, 40], [25, 35, 45, 50, 55], equal_var=False)
    assert row["t"] == pytest.approx(welch.statistic) and row["p_t"] == pytest.approx(welch.pvalue)
    mw = stats.mannwhitneyu([20, 30, 40], [25, 35, 45, 50, 55], method="exact")
    assert row["p_mannwhitney"] == pytest.approx(mw.pvalue)
    assert row["hedges_g"] < 0


def test_by_site() -> None:
    """Follow-up per site after everyone."""
    result = attrition(_frame(), by="site")
    north = result.followed[
        (result.followed["group"] == "north") & (result.followed["timepoint"] == "release")
    ].iloc[0]
    south = result.followed[
        (result.followed["group"] == "south") & (result.followed["timepoint"] == "release")
    ].iloc[0]
    assert (north["n_baseline"], north["n_followed"]) == (4, 4)
    assert (south["n_baseline"], south["n_followed"]) == (4, 2)


def test_only_baseline_warns() -> None:
    """One time point: a warning and empty tables, not an error."""
    data = _frame()
    data = data[data["timepoint"] == "intake"]
    with pytest.warns(RecoveryCapWarning, match="only the baseline"):
        result = attrition(data)
    assert result.followed.empty and result.comparison.empty


def test_unknown_baseline_is_an_error() -> None:
    """A baseline time point not in the data is named."""
    with pytest.raises(AnalysisError, match="'release_day'"):
        attrition(_frame(), baseline="release_day")


def test_degenerate_comparison_is_nan() -> None:
    """Fewer than two people in a group: means where possible, NaN tests."""
    data = _frame()
    data = data[~((data["timepoint"] == "post_release_12w") & (data["subject"] != "ALT-0000"))]
    result = attrition(data)
    row = result.comparison.iloc[0]
    assert row["n_followed"] == 1
    assert math.isnan(row["t"]) and math.isnan(row["sd_followed"])
    assert not np.isnan(row["mean_lost"])
