"""Change between two time points, checked against R (tests/reference/analysis_reference.R)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference.r_reference import R, agrees

from recoverycap.analysis import CHANGE_COLUMNS, change_table, paired_change
from recoverycap.analysis.change import wilcoxon_signed_rank
from recoverycap.errors import AnalysisError, RecoveryCapWarning

REF = Path(__file__).parent / "reference"

R_FIELDS = (
    "n",
    "mean_before",
    "sd_before",
    "mean_after",
    "sd_after",
    "t",
    "df",
    "p_t",
    "mean_change",
    "ci_low",
    "ci_high",
    "wilcoxon_v",
    "p_wilcoxon",
    "d_z",
    "d_z_ci_low",
    "d_z_ci_high",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
)


@pytest.fixture(scope="module")
def ties() -> pd.DataFrame:
    return pd.read_csv(REF / "change_ties.csv")


@pytest.fixture(scope="module")
def exact() -> pd.DataFrame:
    return pd.read_csv(REF / "change_exact.csv")


@pytest.mark.parametrize("name", ["ties", "exact"])
@pytest.mark.parametrize("field", R_FIELDS)
def test_change_matches_r(name: str, field: str, request: pytest.FixtureRequest) -> None:
    """Checked against R 4.2: t.test(after, before, paired = TRUE) (t, df, p, CI, mean change),
    wilcox.test(after, before, paired = TRUE) (V, p), d_z with its noncentral-t CI (uniroot on
    pt) and Hedges' g_av with its CI (by formula), to the digits R printed."""
    data = request.getfixturevalue(name)
    result = paired_change(data, before="intake", after="release")
    value = result.n_pairs if field == "n" else getattr(result, field)
    assert agrees(value, R[f"{name}.{field}"]), (field, value, R[f"{name}.{field}"])


def test_wilcoxon_method_follows_r(ties: pd.DataFrame, exact: pd.DataFrame) -> None:
    """R used the normal approximation for the data with ties and zeros and the exact test for
    the data without; so do we (R's wilcoxon_exact flag: 0 and 1)."""
    assert R["ties.wilcoxon_exact"] == "0"
    assert R["exact.wilcoxon_exact"] == "1"
    assert (
        paired_change(ties, before="intake", after="release").wilcoxon_method
        == "normal approximation"
    )
    assert paired_change(exact, before="intake", after="release").wilcoxon_method == "exact"


def test_unpaired_people_are_counted_not_used(ties: pd.DataFrame) -> None:
    """Two people seen only at intake are left out of every statistic and counted."""
    result = paired_change(ties, before="intake", after="release")
    assert result.n_pairs == 24
    assert result.n_unpaired == 2


@pytest.mark.parametrize("site", ["north", "south"])
def test_subgroups_match_r(ties: pd.DataFrame, site: str) -> None:
    """Checked against R 4.2: t.test on each site's pairs; change_table puts everyone first."""
    table = change_table(ties, before="intake", after="release", by="site")
    assert list(table.columns) == list(CHANGE_COLUMNS)
    assert table["group"].tolist() == ["all", "north", "south"]
    row = table[table["group"] == site].iloc[0]
    assert row["n_pairs"] == int(R[f"ties.{site}.n"])
    assert agrees(row["t"], R[f"ties.{site}.t"])
    assert agrees(row["p_t"], R[f"ties.{site}.p_t"])


def test_two_timepoints_need_not_be_named(exact: pd.DataFrame) -> None:
    """With exactly two time points in the data, they are compared in schedule order."""
    result = paired_change(exact)
    assert (result.before, result.after) == ("intake", "release")
    assert result.mean_change > 0


def test_unknown_timepoint_is_a_clear_error(exact: pd.DataFrame) -> None:
    """An unknown time point names itself and what the data hold."""
    with pytest.raises(AnalysisError, match=r"'post_release_4w'.*intake, release"):
        paired_change(exact, before="intake", after="post_release_4w")


def test_missing_column_is_a_clear_error(exact: pd.DataFrame) -> None:
    """A missing column is named with the columns present."""
    with pytest.raises(AnalysisError, match="no column 'score'"):
        paired_change(exact.drop(columns="score"), before="intake", after="release")


def test_several_instruments_need_one_named(exact: pd.DataFrame) -> None:
    """A frame with two instruments needs the instrument named."""
    both = pd.concat([exact, exact.assign(instrument="who5")])
    with pytest.raises(AnalysisError, match="more than one instrument"):
        paired_change(both, before="intake", after="release")
    assert paired_change(both, before="intake", after="release", instrument="who5").n_pairs == 12


def test_latest_score_is_used_when_repeated(exact: pd.DataFrame) -> None:
    """A second BARC-10 at the same time point: the later one is used, with a warning."""
    extra = exact[(exact["subject"] == "ALT-0101") & (exact["timepoint"] == "release")].assign(
        score=60, administered_at="2024-06-20"
    )
    with pytest.warns(RecoveryCapWarning, match="more than one score"):
        result = paired_change(pd.concat([exact, extra]), before="intake", after="release")
    assert result.mean_after == pytest.approx(
        (exact.loc[exact["timepoint"] == "release", "score"].sum() - 33 + 60) / 12
    )


# -- degenerate data ---------------------------------------------------------------------------


def _frame(before: list[float], after: list[float]) -> pd.DataFrame:
    rows = []
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        rows.append({"subject": f"P{i}", "timepoint": "intake", "score": a})
        rows.append({"subject": f"P{i}", "timepoint": "release", "score": b})
    return pd.DataFrame(rows)


def test_fewer_than_three_pairs_warns_and_gives_nan() -> None:
    """Two pairs: a warning, descriptive statistics, NaN tests."""
    with pytest.warns(RecoveryCapWarning, match="only 2 people"):
        result = paired_change(_frame([30, 40], [35, 41]), before="intake", after="release")
    assert result.n_pairs == 2
    assert result.mean_change == 3
    for field in ("t", "p_t", "ci_low", "p_wilcoxon", "d_z", "hedges_g"):
        assert math.isnan(getattr(result, field)), field


def test_one_timepoint_is_an_error_naming_what_is_there() -> None:
    """One time point in the data: nothing to compare, and the error says so."""
    data = _frame([30, 40, 35], [1, 2, 3])
    data = data[data["timepoint"] == "intake"]
    with pytest.raises(AnalysisError, match="the data hold: intake"):
        paired_change(data, before="intake", after="release")


def test_one_timepoint_in_a_subgroup_warns() -> None:
    """A subgroup seen only at intake: a warning and NaN for it, results for the others."""
    data = _frame([30, 40, 35, 31], [33, 45, 36, 38]).assign(site="a")
    data = pd.concat(
        [data, pd.DataFrame([{"subject": "Q", "timepoint": "intake", "score": 30, "site": "b"}])]
    )
    with pytest.warns(RecoveryCapWarning, match="b: only 0 people"):
        table = change_table(data, before="intake", after="release", by="site")
    assert table.loc[table["group"] == "b", "n_pairs"].item() == 0
    assert math.isnan(table.loc[table["group"] == "b", "t"].item())
    assert not math.isnan(table.loc[table["group"] == "a", "t"].item())


def test_identical_changes_warn_and_give_nan_t() -> None:
    """Everyone changed by exactly 2: no variance in the changes, so t and d_z are NaN; the
    Wilcoxon test still runs (every change is positive)."""
    with pytest.warns(RecoveryCapWarning, match="no variance"):
        result = paired_change(
            _frame([30, 40, 35, 20], [32, 42, 37, 22]), before="intake", after="release"
        )
    assert math.isnan(result.t) and math.isnan(result.d_z)
    assert result.mean_change == 2
    assert result.wilcoxon_v == 10  # ranks 1..4 tied at 2.5, all positive


def test_no_change_at_all_warns_and_gives_nan() -> None:
    """No one's score changed: every test is NaN, with warnings, and nothing raises."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = paired_change(_frame([30, 40, 35], [30, 40, 35]), before="intake", after="release")
    assert any(issubclass(w.category, RecoveryCapWarning) for w in caught)
    assert result.mean_change == 0
    assert math.isnan(result.t) and math.isnan(result.p_wilcoxon)


def test_wilcoxon_statistic_is_rs_v() -> None:
    """V is the sum of the ranks of the positive changes: changes +1, -2, +3 give ranks 1, 2, 3
    and V = 1 + 3 = 4 (worked by hand)."""
    v, p, method = wilcoxon_signed_rank(np.array([10.0, 10, 10]), np.array([11.0, 8, 13]))
    assert v == 4
    assert method == "exact"
    assert 0 < p <= 1
