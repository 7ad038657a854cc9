"""Frames: filters, time-point order, wide frames and subgroups."""

from __future__ import annotations

import pandas as pd
import pytest

from recoverycap.analysis import add_programme, filter_scores, select_scale, timepoint_order, wide
from recoverycap.analysis.frames import groups, weeks_since_first
from recoverycap.errors import AnalysisError, RecoveryCapWarning


def _scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subject": ["A", "A", "B", "B", "C"],
            "site": ["n", "n", "s", "s", "n"],
            "cohort": ["c1", "c1", "c2", "c2", "c1"],
            "instrument": "barc10",
            "scale": "total",
            "timepoint": ["release", "intake", "intake", "follow_up_9m", "intake"],
            "administered_at": pd.to_datetime(
                ["2024-04-01", "2024-01-01", "2024-01-03", "2024-10-01", "2024-01-05"], utc=True
            ),
            "score": [40.0, 30, 35, 45, 20],
        }
    )


def test_timepoint_order_is_the_schedule_then_by_date() -> None:
    """Default time points in schedule order; others after them by median date."""
    assert timepoint_order(_scores()) == ["intake", "release", "follow_up_9m"]
    assert timepoint_order(_scores(), order=["release", "intake"]) == ["release", "intake"]


def test_wide_by_timepoint() -> None:
    """One row per person, one column per time point, NaN where not scored."""
    table = wide(_scores())
    assert table.columns.tolist() == ["intake", "release", "follow_up_9m"]
    assert table.loc["A"].tolist()[:2] == [30.0, 40.0]
    assert pd.isna(table.loc["C", "release"])


def test_filters() -> None:
    """Filters take one value or a list; dates are inclusive."""
    data = _scores()
    assert set(filter_scores(data, site="n")["subject"]) == {"A", "C"}
    assert len(filter_scores(data, timepoint=["intake", "release"])) == 4
    assert len(filter_scores(data, date_from="2024-01-03", date_to="2024-04-01")) == 3
    with pytest.raises(AnalysisError, match="'programme'"):
        filter_scores(data, programme="ttg")
    with pytest.raises(AnalysisError, match="not a date"):
        filter_scores(data, date_from="last week")


def test_select_scale_names_the_choices() -> None:
    """Two scales and none named: the error lists them."""
    data = pd.concat([_scores(), _scores().assign(scale="other")])
    with pytest.raises(AnalysisError, match="other, total"):
        select_scale(data)
    assert len(select_scale(data, scale="other")) == 5


def test_mixed_versions_warn() -> None:
    """Scores from two versions of an instrument are analysed together, with a warning."""
    data = _scores().assign(version=["1", "1", "2", "2", "2"])
    with pytest.warns(RecoveryCapWarning, match="more than one version"):
        select_scale(data)


def test_add_programme_and_groups() -> None:
    """A person on two programmes counts in both; no enrolment is 'none'."""
    enrolments = pd.DataFrame(
        {"participant": ["A", "A", "B"], "programme": ["ttg", "twelve_step", "ttg"]}
    )
    data = add_programme(_scores(), enrolments)
    labels = {label: set(part["subject"]) for label, part in groups(data, "programme")}
    assert labels == {"none": {"C"}, "ttg": {"A", "B"}, "twelve_step": {"A"}}
    with pytest.raises(AnalysisError, match="add_programme"):
        list(groups(_scores(), "programme"))


def test_weeks_since_first() -> None:
    """Weeks from each person's first administration: A's release is 91 days = 13 weeks on."""
    weeks = weeks_since_first(_scores())
    assert weeks.tolist() == pytest.approx(
        [13.0, 0.0, 0.0, (pd.Timestamp("2024-10-01") - pd.Timestamp("2024-01-03")).days / 7, 0.0]
    )
