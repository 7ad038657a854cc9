"""Frames: filters, time-point order, wide frames and subgroups."""

from __future__ import annotations

import pandas as pd
import pytest

from recoverycap import Library
from recoverycap.analysis import (
    add_programme,
    check_timepoints,
    everyone,
    filter_scores,
    first_administrations,
    outcome_instrument,
    select_scale,
    split,
    timepoint_order,
    wide,
)
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


def test_everyone_counts_a_record_once_however_many_programmes_list_it() -> None:
    """After add_programme, A (on two programmes) has each score twice; everyone() keeps each
    once, so it equals the frame before, apart from the programme column."""
    enrolments = pd.DataFrame(
        {"participant": ["A", "A", "B"], "programme": ["ttg", "twelve_step", "ttg"]}
    )
    data = add_programme(_scores(), enrolments)
    assert len(data) == 7
    once = everyone(data, "programme")
    pd.testing.assert_frame_equal(
        once.drop(columns="programme").sort_values(["subject", "timepoint"]).reset_index(drop=True),
        _scores().sort_values(["subject", "timepoint"]).reset_index(drop=True),
    )
    assert everyone(data, None) is data


def test_everyone_keeps_rows_repeated_within_one_group() -> None:
    """Two identical rows under the same site are two records (not one listed twice): kept."""
    data = pd.concat([_scores(), _scores().iloc[[4]]])
    assert len(everyone(data, "site")) == 6


def test_split_gives_everyone_then_groups_and_says_who_is_in_several() -> None:
    """split(): "all" first with each record once, then each programme; a warning names how many
    people are listed under more than one."""
    enrolments = pd.DataFrame(
        {"participant": ["A", "A", "B", "C"], "programme": ["ttg", "twelve_step", "ttg", "ttg"]}
    )
    data = add_programme(_scores(), enrolments)
    with pytest.warns(RecoveryCapWarning, match="1 person is listed under more than one programme"):
        parts = split(data, "programme")
    assert [label for label, _ in parts] == ["all", "ttg", "twelve_step"]
    assert len(parts[0][1]) == 5 and len(parts[1][1]) == 5 and len(parts[2][1]) == 2
    assert [label for label, _ in split(_scores(), None)] == ["all"]


def test_split_by_site_does_not_warn() -> None:
    """Each person at one site: nothing is listed twice, so no warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RecoveryCapWarning)
        parts = split(_scores(), "site")
    assert [label for label, _ in parts] == ["all", "n", "s"]


def test_check_timepoints_lists_what_the_data_hold_and_suggests() -> None:
    """A misspelt time point: the error lists every time point present and the closest name;
    one not close to any gets no suggestion."""
    assert check_timepoints(_scores(), ["intake", None]) == ["intake", "release", "follow_up_9m"]
    with pytest.raises(
        AnalysisError,
        match=r"^--to: no scores at time point 'relase' \(did you mean 'release'\?\); "
        r"the data hold: intake, release, follow_up_9m$",
    ):
        check_timepoints(_scores(), {"--from": "intake", "--to": "relase"})
    with pytest.raises(AnalysisError) as info:
        check_timepoints(_scores(), ["post_release_26w"])
    assert "did you mean" not in str(info.value)
    assert str(info.value).endswith("the data hold: intake, release, follow_up_9m")


def test_first_administrations_one_per_person() -> None:
    """Each person's earliest administration, whatever the row order; all rows of it (one per
    scale or item) stay together."""
    data = _scores().assign(administration_id=["a1", "a2", "b1", "b2", "c1"])
    data = pd.concat([data, data.iloc[[1]].assign(scale="other", score=9.0)])
    first = first_administrations(data)
    assert sorted(first["administration_id"]) == ["a2", "a2", "b1", "c1"]
    assert set(first_administrations(_scores())["timepoint"]) == {"intake"}


def test_outcome_instrument_refuses_a_worker_questionnaire() -> None:
    """The CBI is answered by peer workers: outcome analysis refuses it and points to the team
    summary; participant questionnaires pass."""
    library = Library(include_env=False)
    with pytest.raises(AnalysisError, match="covers participants only.*wellbeing summary"):
        outcome_instrument(library.get("cbi"))
    assert outcome_instrument(library.get("phq9")).id == "phq9"
