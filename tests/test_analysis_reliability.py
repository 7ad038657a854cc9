"""Cronbach's α and item-total correlations, checked against R's psych::alpha
(tests/reference/analysis_reference.R)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference.r_reference import R, agrees

from recoverycap import Instrument
from recoverycap.analysis import items_wide, reliability_table, scale_reliability
from recoverycap.analysis.reliability import ITEM_COLUMNS, RELIABILITY_COLUMNS, cronbach_alpha
from recoverycap.errors import AnalysisError, RecoveryCapWarning

REF = Path(__file__).parent / "reference"
ITEMS = [f"q{i}" for i in range(1, 11)]


@pytest.fixture(scope="module")
def answers() -> pd.DataFrame:
    return pd.read_csv(REF / "alpha_items.csv")


@pytest.fixture(scope="module")
def pairwise(answers: pd.DataFrame):  # type: ignore[no-untyped-def]
    return scale_reliability(answers, columns=ITEMS, nan_policy="pairwise")


@pytest.fixture(scope="module")
def listwise(answers: pd.DataFrame):  # type: ignore[no-untyped-def]
    return scale_reliability(answers, columns=ITEMS, nan_policy="listwise")


def test_alpha_matches_psych(pairwise, listwise) -> None:  # type: ignore[no-untyped-def]
    """Checked against R 4.2 psych::alpha: raw_alpha with pairwise covariances (psych's default)
    and after listwise deletion (54 complete of 60), and psych::alpha.ci's Feldt limits."""
    assert agrees(pairwise.alpha, R["alpha.pairwise.raw_alpha"])
    assert agrees(listwise.alpha, R["alpha.listwise.raw_alpha"])
    assert listwise.n == int(R["alpha.listwise.n"])
    assert agrees(listwise.ci_low, R["alpha.listwise.ci_low"])
    assert agrees(listwise.ci_high, R["alpha.listwise.ci_high"])


@pytest.mark.parametrize("item", ITEMS)
def test_item_statistics_match_psych(pairwise, listwise, item: str) -> None:  # type: ignore[no-untyped-def]
    """Checked against R 4.2 psych::alpha item.stats (r.cor, r.drop) and alpha.drop."""
    pw = pairwise.items.set_index("item").loc[item]
    lw = listwise.items.set_index("item").loc[item]
    assert agrees(pw["r_cor"], R[f"alpha.pairwise.{item}.r_cor"])
    assert agrees(pw["r_drop"], R[f"alpha.pairwise.{item}.r_drop"])
    assert agrees(pw["alpha_if_dropped"], R[f"alpha.pairwise.{item}.alpha_if_dropped"])
    assert agrees(lw["r_cor"], R[f"alpha.listwise.{item}.r_cor"])
    assert agrees(lw["r_drop"], R[f"alpha.listwise.{item}.r_drop"])


def test_stable_columns(pairwise) -> None:  # type: ignore[no-untyped-def]
    """Item and scale tables have fixed column names."""
    assert list(pairwise.items.columns) == list(ITEM_COLUMNS)
    assert list(pairwise.as_dict()) == list(RELIABILITY_COLUMNS)


def test_instrument_scales_use_scored_values(tiny: Instrument) -> None:
    """With an instrument, items are reverse-keyed and recoded as the scale scores them: the
    tiny instrument's 'strain' reverses a3 and recodes 1..5 to 100..0, so α of strain equals α
    of the recoded values computed by hand."""
    raw = pd.DataFrame(
        {"a1": [1, 2, 3, 4, 5, 2], "a2": [1, 3, 3, 5, 4, 2], "a3": [5, 4, 2, 2, 1, 4]}
    )
    pct = {1: 100, 2: 75, 3: 50, 4: 25, 5: 0}
    values = pd.DataFrame(
        {
            "a1": raw["a1"].map(pct),
            "a2": raw["a2"].map(pct),
            "a3": (6 - raw["a3"]).map(pct),
        }
    ).astype(float)
    k = 3
    by_hand = k / (k - 1) * (1 - values.var(ddof=1).sum() / values.sum(axis=1).var(ddof=1))
    result = scale_reliability(raw, tiny, "strain")
    assert result.alpha == pytest.approx(by_hand)
    assert (result.instrument, result.scale, result.k) == ("tiny", "strain", 3)


def test_reliability_table_by_group(barc10: Instrument, answers: pd.DataFrame) -> None:
    """One row per scale for everyone, then per subgroup."""
    data = answers.assign(site=["a"] * 30 + ["b"] * 30)
    table = reliability_table(data, barc10, by="site")
    assert list(table.columns) == list(RELIABILITY_COLUMNS)
    assert table["group"].tolist() == ["all", "a", "b"]
    assert agrees(table.iloc[0]["alpha"], R["alpha.pairwise.raw_alpha"])


def test_items_wide_keeps_missing_as_nan() -> None:
    """Long answers become one row per administration; a missing reason is NaN, never 0."""
    long = pd.DataFrame(
        {
            "administration_id": ["x", "x", "y", "y"],
            "subject": ["A", "A", "B", "B"],
            "timepoint": "intake",
            "instrument": "barc10",
            "item": ["q1", "q2", "q1", "q2"],
            "value": [3, 4, None, 5],
            "missing_reason": [None, None, "declined", None],
        }
    )
    wide = items_wide(long)
    assert wide.columns.tolist() == [
        "administration_id",
        "subject",
        "instrument",
        "timepoint",
        "q1",
        "q2",
    ]
    assert math.isnan(wide.set_index("administration_id").loc["y", "q1"])
    assert wide.set_index("administration_id").loc["x", "q2"] == 4


def test_degenerate_items_warn_and_give_nan() -> None:
    """One item, or items with no variance: a warning and NaN, not an error."""
    with pytest.warns(RecoveryCapWarning, match="at least 2 items"):
        assert math.isnan(cronbach_alpha(pd.DataFrame({"q1": [1, 2, 3]}))[0])
    flat = pd.DataFrame({"q1": [3, 3, 3], "q2": [3, 3, 3]})
    with pytest.warns(RecoveryCapWarning):
        result = scale_reliability(flat, columns=["q1", "q2"])
    assert math.isnan(result.alpha)
    assert result.items["r_drop"].isna().all()


def test_bad_nan_policy_is_rejected(answers: pd.DataFrame) -> None:
    """nan_policy must be pairwise or listwise."""
    with pytest.raises(AnalysisError, match="pairwise, listwise"):
        scale_reliability(answers, columns=ITEMS, nan_policy="mean")


def test_missing_item_column_is_named(barc10: Instrument) -> None:
    """Item data without a column for one of the scale's items: a clear error."""
    data = pd.DataFrame({f"q{i}": np.arange(5) % 6 + 1 for i in range(1, 10)})
    with pytest.raises(AnalysisError, match="q10"):
        scale_reliability(data, barc10)
