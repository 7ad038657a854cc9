"""Team-level peer-worker wellbeing and the small-group rule (recoverycap.privacy)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


def _workers(
    sites: tuple[tuple[str, int], ...] = (("north", 6), ("east", 5), ("south", 4)),
) -> pd.DataFrame:
    """At both time points: site north 6 workers, east 5, south 4 (too few). East is held back too:
    all workers (15) minus north (6) would otherwise leave south's 4 with east's 5, and minus
    north and east, south alone."""
    rows = []
    for site, n in sites:
        for i in range(n):
            for tp, base in (("q1", 40), ("q2", 50)):
                rows.append(
                    {
                        "subject_type": "worker",
                        "subject": f"W-{site}-{i}",
                        "site": site,
                        "timepoint": tp,
                        "instrument": "cbi",
                        "scale": "personal",
                        "score": base + 5 * i,
                    }
                )
    rows.append(
        {
            "subject_type": "participant",
            "subject": "ALT-0001",
            "site": "north",
            "timepoint": "q1",
            "instrument": "cbi",
            "scale": "personal",
            "score": 99,
        }
    )
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
    row = result.table[
        (result.table["team"] == "north") & (result.table["timepoint"] == "q1")
    ].iloc[0]
    values = [40, 45, 50, 55, 60, 65]
    assert row["n_workers"] == 6
    assert row["mean"] == pytest.approx(52.5)
    assert row["sd"] == pytest.approx(pd.Series(values).std())
    half = stats.t.ppf(0.975, 5) * pd.Series(values).std() / 6**0.5
    assert row["ci_low"] == pytest.approx(52.5 - half)
    assert result.table["timepoint"].tolist() == ["q1", "q2"]


def test_all_workers_together() -> None:
    """by=None pools every worker: 15 at each time point, nothing held back."""
    result = team_wellbeing(_workers(), by=None)
    assert result.table["n_workers"].tolist() == [15, 15]
    assert result.note == ""


def test_site_tables_cannot_be_subtracted_from_the_total() -> None:
    """North 6 and south 4: the team total (10) minus north would be south's 4, so north is held
    back as well (secondary suppression, as in the wellbeing summary) and named in the note."""
    data = _workers((("north", 6), ("south", 4)))
    assert team_wellbeing(data, by=None).table["n_workers"].tolist() == [10, 10]
    by_site = team_wellbeing(data)
    assert by_site.table.empty
    assert "south / q1, south / q2." in by_site.note
    assert "so that a group of fewer than 5 workers cannot be worked out" in by_site.note
    assert "north / q1, north / q2." in by_site.note


def test_secondary_suppression_holds_back_the_smallest_shown_team() -> None:
    """North 6, east 5, south 4: holding back east (the smallest shown) leaves 9 = 15 - 6, so
    north is shown and nothing under five can be worked out from the total."""
    result = team_wellbeing(_workers())
    assert set(result.table["team"]) == {"north"}
    assert "east / q1, east / q2." in result.note


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=5))
def test_total_minus_the_teams_shown_is_never_a_small_group(sizes: list[int]) -> None:
    """For any team sizes: every team shown has at least 5 workers, and wherever the total is
    shown, the total at that time point minus the teams shown is 0 or at least 5 workers."""
    data = _workers(tuple((f"site{i}", n) for i, n in enumerate(sizes)))
    totals = team_wellbeing(data, by=None).table
    shown = team_wellbeing(data).table
    assert (shown["n_workers"] >= MIN_GROUP).all()
    assert totals["n_workers"].tolist() == ([sum(sizes)] * 2 if sum(sizes) >= MIN_GROUP else [])
    for tp, total in zip(totals["timepoint"], totals["n_workers"], strict=True):
        rest = int(total) - int(shown.loc[shown["timepoint"] == tp, "n_workers"].sum())
        assert rest == 0 or rest >= MIN_GROUP, (sizes, tp, rest)


def test_min_group_is_never_below_five() -> None:
    """A min_group below 5 is raised to 5 (as in the wellbeing summary): south's 4 stay hidden."""
    result = team_wellbeing(_workers(), min_group=3)
    assert result.min_group == MIN_GROUP
    assert "south" not in set(result.table["team"])


def test_drop_small_groups_counts_people_not_rows() -> None:
    """A person with three rows counts once: a group of 4 people with 12 rows is still dropped."""
    data = pd.DataFrame(
        {
            "team": ["a"] * 12 + ["b"] * 5,
            "subject": [f"p{i % 4}" for i in range(12)] + [f"q{i}" for i in range(5)],
        }
    )
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
