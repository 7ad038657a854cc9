"""Team-level peer-worker wellbeing and the small-group rule (recoverycap.privacy)."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from recoverycap.analysis import team_wellbeing
from recoverycap.analysis.wellbeing import WELLBEING_COLUMNS
from recoverycap.privacy import (
    MIN_GROUP,
    SUPPRESSED,
    drop_small_groups,
    mask_small_counts,
    reportable,
)


def _workers() -> pd.DataFrame:
    """Site north: 6 workers at both time points; site south: 4 workers (too few)."""
    rows = []
    for site, n in (("north", 6), ("south", 4)):
        for i in range(n):
            for tp, base in (("q1", 40), ("q2", 50)):
                rows.append({"subject_type": "worker", "subject": f"W-{site}-{i}", "site": site, "timepoint": tp,
                             "instrument": "cbi", "scale": "personal", "score": base + 5 * i})
    rows.append({"subject_type": "participant", "subject": "ALT-0001", "site": "north", "timepoint": "q1",
                 "instrument": "cbi", "scale": "personal", "score": 99})
    return pd.DataFrame(rows)


def test_min_group_is_five() -> None:
    """The threshold is five, as NDTMS tables and the issue require."""
    assert MIN_GROUP == 5
    assert reportable(5) and not reportable(4)


def test_small_teams_are_dropped_and_named() -> None:
    """South has 4 workers: held back and named in the note (without its size); north shown."""
    result = team_wellbeing(_workers())
    assert list(result.table.columns) == list(WELLBEING_COLUMNS)
    assert set(result.table["team"]) == {"north"}
    assert "south / q1" in result.note and "south / q2" in result.note
    assert "fewer than 5 workers" in result.note
    assert "4" not in result.note


def test_team_means_by_hand() -> None:
    """North at q1: 40, 45, 50, 55, 60, 65: mean 52.5, SD 9.354, t-based 95% CI. Participants'
    rows are not counted."""
    result = team_wellbeing(_workers())
    row = result.table[(result.table["team"] == "north") & (result.table["timepoint"] == "q1")].iloc[0]
    values = [40, 45, 50, 55, 60, 65]
    assert row["n_workers"] == 6
    assert row["mean"] == pytest.approx(52.5)
    assert row["sd"] == pytest.approx(pd.Series(values).std())
    half = stats.t.ppf(0.975, 5) * pd.Series(values).std() / 6**0.5
    assert row["ci_low"] == pytest.approx(52.5 - half)
    assert result.table["timepoint"].tolist() == ["q1", "q2"]


def test_all_workers_together() -> None:
    """by=None pools every worker: 10 at each time point, nothing held back."""
    result = team_wellbeing(_workers(), by=None)
    assert result.table["n_workers"].tolist() == [10, 10]
    assert result.note == ""


def test_drop_small_groups_counts_people_not_rows() -> None:
    """A person with three rows counts once: a group of 4 people with 12 rows is still dropped."""
    data = pd.DataFrame({"team": ["a"] * 12 + ["b"] * 5, "subject": [f"p{i % 4}" for i in range(12)] + [f"q{i}" for i in range(5)]})
    kept = drop_small_groups(data, "team")
    assert set(kept.frame["team"]) == {"b"}
    assert kept.dropped == (("a",),)
    assert "1 group with fewer than 5 people" in kept.note


def test_mask_small_counts() -> None:
    """Counts 1–4 show as '*', 0 and 5+ are shown (NDTMS convention)."""
    table = pd.DataFrame({"what": ["a", "b", "c", "d"], "n": [0, 3, 5, 12]})
    masked = mask_small_counts(table, ["n"])
    assert masked["n"].tolist() == [0, SUPPRESSED, 5, 12]
    assert table["n"].tolist() == [0, 3, 5, 12]  # the original is untouched
