"""Drop-out: follow-up counts, reasons from follow-up outcomes and the baseline comparison."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from recoverycap.analysis import add_programme, attrition, due_frame
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
    # without schedule statuses everyone at baseline is due, and not-yet-due is unknown
    assert table.loc["release", "n_due"] == 8
    assert math.isnan(table.loc["release", "n_not_yet_due"])
    assert any("No schedule statuses were given" in n for n in result.notes)


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


def _eligible() -> pd.DataFrame:
    """Schedule statuses at release (everyone's window closed; ALT-0006 closed by a recall) and
    at 12 weeks: 0, 2 and 4 done; 1 missed; 3 closed (deceased); 5 overdue; 6 not yet due
    (upcoming); 7 has no row (no release date: unscheduled)."""
    rows = [(f"ALT-{i:04d}", "release", "done", "") for i in range(6)]
    rows += [("ALT-0006", "release", "closed", "recalled"), ("ALT-0007", "release", "missed", "")]
    rows += [
        ("ALT-0000", "post_release_12w", "done", ""),
        ("ALT-0001", "post_release_12w", "missed", ""),
        ("ALT-0002", "post_release_12w", "done", ""),
        ("ALT-0003", "post_release_12w", "closed", "deceased"),
        ("ALT-0004", "post_release_12w", "done", ""),
        ("ALT-0005", "post_release_12w", "overdue", ""),
        ("ALT-0006", "post_release_12w", "upcoming", ""),
    ]
    return pd.DataFrame(rows, columns=["participant", "timepoint", "status", "reason"])


def test_only_people_whose_window_closed_count_as_lost() -> None:
    """At 12 weeks: of 8 at baseline, 1 is not yet due and 1 unscheduled, so 6 are due; 3 of
    them were followed up (50%, not 3 of 8 = 37.5%) and 3 lost."""
    result = attrition(_frame(), outcomes=OUTCOMES, eligible=_eligible())
    week12 = result.followed.set_index("timepoint").loc["post_release_12w"]
    assert week12[["n_baseline", "n_not_yet_due", "n_unscheduled", "n_due"]].tolist() == [
        8,
        1,
        1,
        6,
    ]
    assert week12[["n_followed", "n_lost"]].tolist() == [3, 3]
    assert week12["percent_followed"] == 50
    release = result.followed.set_index("timepoint").loc["release"]
    assert release[["n_due", "n_followed", "n_lost", "percent_followed"]].tolist() == [8, 6, 2, 75]
    assert any("not counted as lost" in n for n in result.notes)


def test_closed_time_points_give_their_reason() -> None:
    """What closed a time point is the reason (ALT-0003: deceased, though its last outcome was
    'reached'); otherwise the last outcome (ALT-0001 declined, ALT-0005 recalled); people not
    yet due or unscheduled are not among the lost."""
    result = attrition(_frame(), outcomes=OUTCOMES, eligible=_eligible())
    week12 = result.reasons[result.reasons["timepoint"] == "post_release_12w"]
    assert week12.set_index("reason")["n"].to_dict() == {
        "declined": 1,
        "deceased": 1,
        "recalled": 1,
    }
    no_outcomes = attrition(_frame(), eligible=_eligible())
    release = no_outcomes.reasons[no_outcomes.reasons["timepoint"] == "release"]
    assert release.set_index("reason")["n"].to_dict() == {"recalled": 1, NONE_RECORDED: 1}


def test_comparison_leaves_out_people_not_yet_due() -> None:
    """Lost at 12 weeks are 1, 3 and 5 only (intake 25, 35, 45), not 6 and 7 as well."""
    row = attrition(_frame(), eligible=_eligible()).comparison.iloc[0]
    assert (row["n_followed"], row["n_lost"]) == (3, 3)
    assert row["mean_lost"] == 35 and row["difference"] == -5


def test_time_point_outside_the_schedule_counts_everyone() -> None:
    """Statuses for release only: at 12 weeks everyone counts as due, with a note."""
    eligible = _eligible()
    result = attrition(_frame(), eligible=eligible[eligible["timepoint"] == "release"])
    week12 = result.followed.set_index("timepoint").loc["post_release_12w"]
    assert (week12["n_due"], week12["n_not_yet_due"], week12["n_lost"]) == (8, 0, 5)
    assert any("post_release_12w is not in the schedule" in n for n in result.notes)


def test_bad_status_is_an_error() -> None:
    """A status that is not a schedule status is named with the ones allowed."""
    eligible = _eligible().assign(status="late")
    with pytest.raises(AnalysisError, match="status must be one of done, .*; got 'late'"):
        attrition(_frame(), eligible=eligible)


def test_enrolment_statuses_count_only_in_their_programme() -> None:
    """ALT-0000 is on ttg and twelve_step; only the ttg enrolment has ended (its programme end
    missed). In "all" and ttg they are lost at programme end; in twelve_step, unscheduled."""
    data = _frame()
    data.loc[data["timepoint"] == "release", "timepoint"] = "programme_end"
    data = data[data["subject"].isin(["ALT-0000", "ALT-0001"])]
    data = data[~((data["subject"] == "ALT-0000") & (data["timepoint"] == "programme_end"))]
    enrolments = pd.DataFrame(
        {
            "participant": ["ALT-0000", "ALT-0000", "ALT-0001"],
            "programme": ["ttg", "twelve_step", "ttg"],
        }
    )
    eligible = pd.DataFrame(
        {
            "participant": ["ALT-0000", "ALT-0001"],
            "timepoint": "programme_end",
            "status": ["missed", "done"],
            "programme": ["ttg", "ttg"],
        }
    )
    with pytest.warns(RecoveryCapWarning, match="1 person is listed under more than one"):
        result = attrition(
            add_programme(data, enrolments),
            timepoints=["programme_end"],
            by="programme",
            eligible=eligible,
        )
    table = result.followed.set_index("group")
    assert table.loc["all", ["n_due", "n_lost"]].tolist() == [2, 1]
    assert table.loc["ttg", ["n_due", "n_lost"]].tolist() == [2, 1]
    assert table.loc["twelve_step", ["n_unscheduled", "n_due", "n_lost"]].tolist() == [1, 0, 0]


def test_due_frame_from_the_schedule_rules() -> None:
    """due_frame turns recoverycap.due items into statuses with the closing reason: a recall
    closes the post-release time points still open; a withdrawn participant's open ones are
    closed with that status as the reason."""
    from recoverycap.due import Anchors, Attempt, compute_due
    from recoverycap.schedule import Schedule

    schedule = Schedule.default()
    released = dt.date(2024, 1, 10)
    as_of = dt.date(2024, 6, 1)
    recalled = compute_due(
        "ALT-0001",
        schedule,
        Anchors(release=released),
        attempts=[Attempt(dt.date(2024, 2, 20), "recalled")],
        as_of=as_of,
    )
    withdrawn = compute_due(
        "ALT-0002", schedule, Anchors(release=as_of), as_of=as_of, status="withdrawn"
    )
    frame = due_frame([*recalled, *withdrawn]).set_index(["participant", "timepoint"])
    assert frame.loc[("ALT-0001", "post_release_12w"), "status"] == "closed"
    assert frame.loc[("ALT-0001", "post_release_12w"), "reason"] == "recalled"
    assert frame.loc[("ALT-0002", "post_release_4w"), "reason"] == "withdrawn"
    assert frame.loc[("ALT-0001", "release"), "reason"] == ""  # missed, not closed
