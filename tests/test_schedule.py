"""The release-anchored schedule: windows, moved release dates and follow-up outcomes.

Dates in these tests are worked out by hand from the rules in recoverycap/due.py's docstring
(window ``due ± 14``, late period 14 days, then missed), not taken from the code's output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoverycap.due import Administered, Anchors, Attempt, EnrolmentSpan, compute_due, unscheduled
from recoverycap.errors import ProblemsError, ScheduleError
from recoverycap.schedule import (
    Schedule,
    ScheduleFileError,
    TimePoint,
    check_known_timepoint,
    known_timepoints,
    parse_date,
)

D = dt.date
DEFAULT = Schedule.default()
RELEASE = D(2025, 3, 10)  # post_release_4w is due 2025-04-07 (28 days later)
DUE_4W = D(2025, 4, 7)


def by_tp(items, timepoint):
    found = [i for i in items if i.timepoint == timepoint]
    assert len(found) == 1, found
    return found[0]


def item(
    timepoint="post_release_4w",
    as_of=DUE_4W,
    release=RELEASE,
    admins=(),
    attempts=(),
    enrolments=(),
    schedule=DEFAULT,
):
    items = compute_due(
        "ALT-0042", schedule, Anchors(tuple(enrolments), release), admins, attempts, as_of
    )
    return by_tp(items, timepoint)


# -- the default schedule ---------------------------------------------------------------------
def test_default_schedule_is_the_issue_schedule():
    """Intake, programme end, release and 4/12/26 weeks after release, each ±14 days."""
    got = [(tp.id, tp.anchor, tp.offset_days, tp.window_days) for tp in DEFAULT]
    assert got == [
        ("intake", "enrolment_start", 0, 14),
        ("programme_end", "enrolment_end", 0, 14),
        ("release", "release", 0, 14),
        ("post_release_4w", "release", 28, 14),
        ("post_release_12w", "release", 84, 14),
        ("post_release_26w", "release", 182, 14),
    ]
    assert {tp.uncontactable_after for tp in DEFAULT} == {3}


def test_default_schedule_file_loads_through_from_path():
    """The shipped file is an ordinary schedule file."""
    path = Path(__file__).parents[1] / "recoverycap" / "data" / "schedule.toml"
    assert Schedule.from_path(path).timepoints == DEFAULT.timepoints


# -- window edges ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [
        (D(2025, 3, 23), "upcoming", 0),  # day -15
        (D(2025, 3, 24), "due", 0),  # day -14: the window opens
        (D(2025, 4, 7), "due", 0),  # day 0
        (D(2025, 4, 21), "due", 0),  # day +14: the window's last day
        (D(2025, 4, 22), "overdue", 1),  # day +15
        (D(2025, 5, 5), "overdue", 14),  # day +28: the late period's last day
        (D(2025, 5, 6), "missed", 15),  # day +29
    ],
)
def test_status_at_window_edges(as_of, status, days_late):
    """-15 upcoming, -14..+14 due, +15..+28 overdue, +29 missed."""
    got = item(as_of=as_of)
    assert (got.status, got.days_late) == (status, days_late)
    assert (got.due, got.window_start, got.window_end, got.late_until) == (
        DUE_4W,
        D(2025, 3, 24),
        D(2025, 4, 21),
        D(2025, 5, 5),
    )


@pytest.mark.parametrize(
    ("on", "late"),
    [
        (D(2025, 3, 24), False),  # day -14
        (D(2025, 4, 21), False),  # day +14
        (D(2025, 4, 22), True),  # day +15: done, late
        (D(2025, 5, 5), True),  # day +28
    ],
)
def test_administration_at_window_edges(on, late):
    """An administration counts from day -14 to day +28; after day +14 it is marked late."""
    got = item(as_of=D(2025, 5, 5), admins=[Administered("post_release_4w", on)])
    assert (got.status, got.done_on) == ("done", on)
    assert ("late" in got.why) is late


def test_administration_before_the_window_does_not_count():
    """Day -15 is too early: the time point is still due and the note says why."""
    got = item(as_of=D(2025, 4, 1), admins=[Administered("post_release_4w", D(2025, 3, 23))])
    assert got.status == "due"
    assert "2025-03-23" in got.why and "does not count" in got.why


def test_administration_after_late_period_does_not_count():
    """Day +29 is too late: the time point stays missed and says why."""
    got = item(as_of=D(2025, 5, 10), admins=[Administered("post_release_4w", D(2025, 5, 6))])
    assert got.status == "missed"
    assert "2025-05-06" in got.why and "outside this window" in got.why


def test_only_complete_administrations_count():
    """An administration in progress does not make it done, but is mentioned."""
    got = item(admins=[Administered("post_release_4w", D(2025, 4, 5), "in_progress")])
    assert got.status == "due"
    assert "not finished" in got.why
    abandoned = item(admins=[Administered("post_release_4w", D(2025, 4, 5), "abandoned")])
    assert abandoned.status == "due"


def test_other_timepoints_do_not_count():
    """A 12-week administration inside the 4-week window does not satisfy the 4-week point."""
    assert item(admins=[Administered("post_release_12w", D(2025, 4, 5))]).status == "due"


def test_events_after_as_of_are_ignored():
    """Reporting as of a past date uses only what had happened by then."""
    admins = [Administered("post_release_4w", D(2025, 4, 10))]
    assert item(as_of=D(2025, 4, 9), admins=admins).status == "due"
    assert item(as_of=D(2025, 4, 10), admins=admins).status == "done"


# -- anchors ---------------------------------------------------------------------------------
def test_enrolment_anchors_each_enrolment():
    """Each in-custody enrolment has its own intake; programme end only once it has ended."""
    enrolments = [
        EnrolmentSpan("twelve_step", D(2025, 1, 6), D(2025, 3, 3)),
        EnrolmentSpan("behaviour_change", D(2025, 2, 3), None),
    ]
    items = compute_due(
        "ALT-0042", DEFAULT, Anchors(tuple(enrolments), None), [], [], D(2025, 2, 10)
    )
    got = sorted((i.timepoint, i.programme, i.due) for i in items)
    assert got == [
        ("intake", "behaviour_change", D(2025, 2, 3)),
        ("intake", "twelve_step", D(2025, 1, 6)),
        ("programme_end", "twelve_step", D(2025, 3, 3)),
    ]


def test_default_intake_and_programme_end_are_for_the_in_custody_programmes():
    """The default schedule limits intake and programme end to twelve_step and
    behaviour_change; the release-anchored time points apply to everyone."""
    limited = {tp.id: tp.programmes for tp in DEFAULT if tp.programmes}
    assert limited == {
        "intake": ("twelve_step", "behaviour_change"),
        "programme_end": ("twelve_step", "behaviour_change"),
    }


def test_ttg_enrolment_after_an_intake_is_not_an_intake_of_its_own():
    """The reported case: twelve_step from 6 Jan with its intake done on 8 Jan; Through The Gate
    from 27 Jan, three weeks later, ended 10 Mar. As of 1 Apr the only enrolment time points are
    the twelve_step intake (done) and nothing for ttg: no overdue intake, no programme end."""
    enrolments = (
        EnrolmentSpan("twelve_step", D(2025, 1, 6)),
        EnrolmentSpan("ttg", D(2025, 1, 27), D(2025, 3, 10)),
    )
    items = compute_due(
        "ALT-0042",
        DEFAULT,
        Anchors(enrolments, D(2025, 3, 10)),
        [Administered("intake", D(2025, 1, 8))],
        [],
        D(2025, 4, 1),
    )
    enrolment_points = [(i.timepoint, i.programme, i.status) for i in items if i.programme]
    assert enrolment_points == [("intake", "twelve_step", "done")]
    assert not any(i.status == "overdue" and i.timepoint == "intake" for i in items)
    # the same enrolments under a schedule with no programmes key: every enrolment has an intake
    every = Schedule.from_dict([{"timepoint": "intake", "anchor": "enrolment_start"}])
    got = compute_due("ALT-0042", every, Anchors(enrolments), [], [], D(2025, 4, 1))
    assert [(i.programme, i.status) for i in got] == [("twelve_step", "missed"), ("ttg", "missed")]


def test_one_administration_can_serve_overlapping_windows():
    """Two programmes starting four days apart: one intake questionnaire counts for both."""
    enrolments = (
        EnrolmentSpan("twelve_step", D(2025, 1, 6)),
        EnrolmentSpan("behaviour_change", D(2025, 1, 10)),
    )
    items = compute_due(
        "ALT-0042",
        DEFAULT,
        Anchors(enrolments),
        [Administered("intake", D(2025, 1, 8))],
        [],
        D(2025, 1, 12),
    )
    assert [i.status for i in items] == ["done", "done"]


def test_unscheduled_names_missing_anchors():
    """No release date recorded: the release time points are named as not schedulable."""
    got = unscheduled("ALT-0042", DEFAULT, Anchors((EnrolmentSpan("ttg", D(2025, 1, 6)),), None))
    assert [(u.anchor, u.timepoints) for u in got] == [
        ("release", ("release", "post_release_4w", "post_release_12w", "post_release_26w"))
    ]
    assert "no release date" in got[0].message
    items = compute_due("ALT-0042", DEFAULT, Anchors((), None), [], [], D(2025, 1, 1))
    assert items == []


# -- moved release dates ------------------------------------------------------------------------
def test_parole_earlier_moves_the_schedule_and_keeps_an_administration_inside_the_new_window():
    """Release brought forward 12 days: the release questionnaire taken 4 days before the old date
    is 8 days after the new one, still inside its window, so it still counts."""
    admins = [Administered("release", D(2025, 5, 28))]
    old = item("release", as_of=D(2025, 5, 29), release=D(2025, 6, 1), admins=admins)
    new = item("release", as_of=D(2025, 5, 29), release=D(2025, 5, 20), admins=admins)
    assert old.status == new.status == "done"
    moved_4w = item("post_release_4w", as_of=D(2025, 5, 29), release=D(2025, 5, 20))
    assert moved_4w.due == D(2025, 6, 17)
    assert moved_4w.anchor_date == D(2025, 5, 20)


def test_release_brought_forward_a_long_way_drops_an_administration_outside_the_new_window():
    """Release moved from 1 September to 1 June: a release questionnaire dated 25 August is 85
    days after the new date, outside -14..+28, so the release time point is missed."""
    admins = [Administered("release", D(2025, 8, 25))]
    got = item("release", as_of=D(2025, 8, 30), release=D(2025, 6, 1), admins=admins)
    assert got.status == "missed"
    assert "2025-08-25" in got.why and "does not count" in got.why


def test_deferred_release_makes_an_early_administration_not_count():
    """Parole deferred two months: the questionnaire taken at the old date was taken inside, so it
    no longer stands for release, and the release time point is upcoming again."""
    admins = [Administered("release", D(2025, 5, 30))]
    assert (
        item("release", as_of=D(2025, 6, 5), release=D(2025, 6, 1), admins=admins).status == "done"
    )
    got = item("release", as_of=D(2025, 6, 5), release=D(2025, 8, 1), admins=admins)
    assert got.status == "upcoming"
    assert got.window_start == D(2025, 7, 18)


def test_recall_closes_the_remaining_post_release_time_points():
    """Released 10 Jan, recalled (logged 20 Feb): 4w, 12w and 26w are closed; the release point
    was already missed (late period ended 7 Feb) and stays missed; intake is untouched."""
    enrolments = (EnrolmentSpan("twelve_step", D(2024, 12, 2)),)
    attempts = [Attempt(D(2025, 2, 20), "recalled", "phone")]
    admins = [Administered("intake", D(2024, 12, 3))]
    items = compute_due(
        "ALT-0042", DEFAULT, Anchors(enrolments, D(2025, 1, 10)), admins, attempts, D(2025, 3, 1)
    )
    status = {i.timepoint: i.status for i in items}
    assert status == {
        "intake": "done",
        "release": "missed",
        "post_release_4w": "closed",
        "post_release_12w": "closed",
        "post_release_26w": "closed",
    }
    assert by_tp(items, "post_release_12w").why == "closed: recalled (logged 2025-02-20)"


def test_new_release_after_recall_starts_the_schedule_afresh():
    """After the recall a new release date (1 June) is recorded: the recall on 20 Feb is before the
    new release's first window (from 18 May), so it does not close it; the first release's 4-week
    questionnaire does not count for the new release."""
    attempts = [Attempt(D(2025, 2, 20), "recalled")]
    admins = [Administered("post_release_4w", D(2025, 2, 5))]
    items = compute_due(
        "ALT-0042",
        DEFAULT,
        Anchors((), D(2025, 6, 1), "recall", 1),
        admins,
        attempts,
        D(2025, 6, 20),
    )
    status = {i.timepoint: i.status for i in items}
    assert status == {
        "release": "overdue",  # window 18 May to 15 Jun
        "post_release_4w": "due",  # window 15 Jun to 13 Jul
        "post_release_12w": "upcoming",
        "post_release_26w": "upcoming",
    }


# -- follow-up outcomes -------------------------------------------------------------------------
@pytest.mark.parametrize("result", ["reached", "no_answer", "declined"])
def test_counted_attempts_leave_the_time_point_open(result):
    """reached, no_answer and declined are counted; the time point stays due."""
    attempts = [Attempt(D(2025, 4, 1), "no_answer"), Attempt(D(2025, 4, 3), result, "phone")]
    got = item(as_of=D(2025, 4, 5), attempts=attempts)
    assert (got.status, got.attempts, got.last_attempt, got.last_result) == (
        "due",
        2,
        D(2025, 4, 3),
        result,
    )


@pytest.mark.parametrize("result", ["recalled", "transferred"])
def test_recalled_and_transferred_close_only_release_anchored_points(result):
    """Logged after release: release-anchored points close; programme end does not."""
    enrolments = (EnrolmentSpan("behaviour_change", D(2025, 2, 3), D(2025, 4, 14)),)
    items = compute_due(
        "ALT-0042",
        DEFAULT,
        Anchors(enrolments, RELEASE),
        [Administered("release", D(2025, 3, 10))],
        [Attempt(D(2025, 4, 2), result)],
        D(2025, 4, 5),
    )
    status = {i.timepoint: i.status for i in items}
    assert status["release"] == "done"  # done before: stays done
    assert status["programme_end"] == "due"  # due 14 Apr, window opened 31 Mar
    for tp in ("post_release_4w", "post_release_12w", "post_release_26w"):
        assert status[tp] == "closed"
        assert by_tp(items, tp).why == f"closed: {result} (logged 2025-04-02)"


def test_transfer_before_release_does_not_close_post_release_points():
    """A transfer logged two months before release (before its first window) closes nothing."""
    got = item(as_of=D(2025, 4, 7), attempts=[Attempt(D(2025, 1, 10), "transferred")])
    assert got.status == "due"


def test_deceased_closes_every_remaining_time_point():
    """deceased closes programme end as well; done and already-missed points keep their status."""
    enrolments = (EnrolmentSpan("twelve_step", D(2025, 1, 6), D(2025, 4, 14)),)
    admins = [Administered("intake", D(2025, 1, 6))]
    attempts = [Attempt(D(2025, 4, 10), "deceased", "other")]
    items = compute_due(
        "ALT-0042", DEFAULT, Anchors(enrolments, D(2025, 2, 10)), admins, attempts, D(2025, 4, 20)
    )
    status = {i.timepoint: i.status for i in items}
    assert status == {
        "intake": "done",
        "programme_end": "closed",  # due 14 Apr: still to come on 10 Apr
        "release": "missed",  # late period ended 10 Mar, before the death was logged
        "post_release_4w": "missed",  # due 10 Mar, late period ended 7 Apr
        "post_release_12w": "closed",
        "post_release_26w": "closed",
    }


def test_closing_keeps_a_point_already_missed_as_uncontactable():
    """Uncontactable after 3 attempts by 4 Apr, recalled logged 6 Apr: the 4-week point stays
    missed (it was missed first); the 12-week point closes."""
    attempts = [
        Attempt(D(2025, 4, d), r)
        for d, r in ((1, "no_answer"), (2, "no_answer"), (4, "uncontactable"), (6, "recalled"))
    ]
    assert item(as_of=D(2025, 4, 8), attempts=attempts).status == "missed"
    assert item("post_release_12w", as_of=D(2025, 4, 8), attempts=attempts).status == "closed"


@pytest.mark.parametrize("status", ["withdrawn", "deceased"])
def test_participant_status_closes_what_is_still_open(status):
    """Withdrawn or deceased: upcoming, due and overdue points close; done and missed stay."""
    admins = [Administered("release", D(2025, 1, 12))]
    items = compute_due(
        "ALT-0042", DEFAULT, Anchors((), D(2025, 1, 10)), admins, [], D(2025, 3, 20), status=status
    )
    got = {i.timepoint: i.status for i in items}
    # release done 12 Jan; 4w due 7 Feb, late period to 7 Mar: missed;
    # 12w due 4 Apr (window from 21 Mar): upcoming -> closed; 26w closed
    assert got == {
        "release": "done",
        "post_release_4w": "missed",
        "post_release_12w": "closed",
        "post_release_26w": "closed",
    }
    assert by_tp(items, "post_release_12w").why == f"closed: the participant's status is {status}"
    active = compute_due(
        "ALT-0042",
        DEFAULT,
        Anchors((), D(2025, 1, 10)),
        admins,
        [],
        D(2025, 3, 20),
        status="active",
    )
    assert by_tp(active, "post_release_12w").status == "upcoming"


def test_uncontactable_before_enough_attempts_keeps_it_open():
    """uncontactable on the first attempt: counted, still due, and the note says 1 of 3."""
    got = item(as_of=D(2025, 4, 2), attempts=[Attempt(D(2025, 4, 1), "uncontactable")])
    assert (got.status, got.attempts) == ("due", 1)
    assert "1 of the 3 attempts" in got.why


def test_uncontactable_after_three_attempts_is_missed():
    """Two no-answers then uncontactable: missed with the reason, even while the window is open."""
    attempts = [
        Attempt(D(2025, 3, 28), "no_answer"),
        Attempt(D(2025, 4, 1), "declined"),
        Attempt(D(2025, 4, 4), "uncontactable", "visit"),
    ]
    got = item(as_of=D(2025, 4, 7), attempts=attempts)
    assert got.status == "missed"
    assert got.why == "missed: uncontactable after 3 attempts (last on 2025-04-04)"
    # the next time point is not affected
    assert item("post_release_12w", as_of=D(2025, 4, 7), attempts=attempts).status == "upcoming"


def test_uncontactable_threshold_is_configurable():
    """uncontactable_after = 1: a single uncontactable result marks it missed."""
    schedule = Schedule.from_dict(
        [
            {
                "timepoint": "post_release_4w",
                "anchor": "release",
                "offset_days": 28,
                "uncontactable_after": 1,
            }
        ]
    )
    got = item(
        as_of=D(2025, 4, 2), attempts=[Attempt(D(2025, 4, 1), "uncontactable")], schedule=schedule
    )
    assert got.status == "missed"


def test_administration_beats_uncontactable():
    """If the questionnaire was done after all, the time point is done."""
    attempts = [Attempt(D(2025, 4, d), "uncontactable") for d in (1, 2, 3)]
    got = item(
        as_of=D(2025, 4, 10),
        attempts=attempts,
        admins=[Administered("post_release_4w", D(2025, 4, 9))],
    )
    assert got.status == "done"


def test_attempt_with_named_timepoint_counts_there():
    """An attempt named for the 12-week point counts there even before its window opens."""
    attempts = [Attempt(D(2025, 4, 8), "no_answer", timepoint="post_release_12w")]
    assert item(as_of=D(2025, 4, 9), attempts=attempts).attempts == 0
    assert item("post_release_12w", as_of=D(2025, 4, 9), attempts=attempts).attempts == 1


def test_unnamed_attempt_prefers_the_point_that_is_on_time():
    """On 1 April the release point is overdue and the 4-week point on time: the attempt counts
    for the 4-week point."""
    attempts = [Attempt(D(2025, 4, 1), "no_answer")]
    assert item(as_of=D(2025, 4, 2), attempts=attempts).attempts == 1
    assert item("release", as_of=D(2025, 4, 2), attempts=attempts).attempts == 0


def test_unknown_result_is_refused():
    """A result outside the list is an error naming the allowed results."""
    with pytest.raises(ScheduleError, match="reached, no_answer"):
        item(attempts=[Attempt(D(2025, 4, 1), "gone")])


# -- schedule files and their errors ---------------------------------------------------------
def test_config_schedule_replaces_the_default():
    """The configuration's [[schedule]] entries replace the default list."""

    class Config:
        schedule = (
            {
                "timepoint": "post_release_52w",
                "anchor": "release",
                "offset_days": 364,
                "window_days": 28,
            },
        )
        path = "org.toml"

    s = Schedule.for_config(Config())
    assert s.timepoints == (TimePoint("post_release_52w", "release", 364, 28, 14, 3),)
    assert s.source == "org.toml [[schedule]]"
    assert Schedule.for_config(None) == DEFAULT


def test_schedule_errors_name_entry_key_allowed_and_given():
    """Every problem is reported with its entry, the key, what is allowed and what was given."""
    entries = [
        {"timepoint": "intake", "anchor": "enrolment_start", "ofset_days": 0},
        {"timepoint": "Week 4", "anchor": "release_date", "window_days": -1},
        {"timepoint": "intake", "anchor": "release", "offset_days": True, "uncontactable_after": 0},
    ]
    with pytest.raises(ScheduleFileError) as info:
        Schedule.from_dict(entries, "org.toml [[schedule]]")
    messages = [str(p) for p in info.value.problems]
    assert any(
        "entry 1 (intake), ofset_days: unknown key; allowed: timepoint, anchor, offset_days" in m
        for m in messages
    )
    assert any(
        "entry 2 (Week 4), timepoint: must be lowercase" in m and "'Week 4'" in m for m in messages
    )
    assert any(
        "anchor: must be one of enrolment_start, enrolment_end, release; got 'release_date'" in m
        for m in messages
    )
    assert any(
        "window_days: must be a whole number of days of at least 0; got -1" in m for m in messages
    )
    assert any("offset_days: must be a whole number of days; got True" in m for m in messages)
    assert any(
        "uncontactable_after: must be a whole number of attempts of at least 1; got 0" in m
        for m in messages
    )
    assert any("'intake' is listed twice" in m for m in messages)
    assert isinstance(info.value, ProblemsError) and isinstance(info.value, ScheduleError)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"programmes": "ttg"}, "must be a non-empty list of programme ids"),
        ({"programmes": []}, "must be a non-empty list of programme ids"),
        ({"programmes": ["Twelve Step"]}, "got ['Twelve Step']"),
        ({"programmes": ["ttg", "ttg"]}, "ttg listed twice; give each once"),
        (
            {"anchor": "release", "programmes": ["ttg"]},
            "only a time point anchored to an enrolment (enrolment_start, enrolment_end) can be "
            "limited to some programmes; this one hangs off 'release'",
        ),
    ],
)
def test_programmes_key_is_linted(entry, message):
    """programmes: a non-empty list of ids, each once, on an enrolment-anchored time point only."""
    with pytest.raises(ScheduleFileError) as info:
        Schedule.from_dict(
            [{"timepoint": "intake", "anchor": "enrolment_start", **entry}], "org.toml"
        )
    (problem,) = info.value.problems
    assert (problem.where, problem.field) == ("org.toml entry 1 (intake)", "programmes")
    assert message in problem.message


def test_programmes_key_is_read_and_written_back():
    """A [[schedule]] entry with programmes loads, applies only to them and prints back."""
    s = Schedule.from_dict(
        [{"timepoint": "intake", "anchor": "enrolment_start", "programmes": ["smart", "ttg"]}]
    )
    (tp,) = s.timepoints
    assert tp.programmes == ("smart", "ttg") and s.programmes == ("smart", "ttg")
    assert tp.applies_to("ttg") and not tp.applies_to("twelve_step")
    assert 'programmes = ["smart", "ttg"]' in s.as_toml()
    assert TimePoint("x", "release").applies_to(None)  # no programmes: every enrolment


def test_empty_schedule_and_bad_file(tmp_path):
    """An empty list and a file that is not TOML are refused with the file named."""
    with pytest.raises(ScheduleFileError, match="no time points"):
        Schedule.from_dict([])
    bad = tmp_path / "s.toml"
    bad.write_text("[[timepoints]\n")
    with pytest.raises(ScheduleFileError, match="s.toml: not valid TOML"):
        Schedule.from_path(bad)
    wrong = tmp_path / "w.toml"
    wrong.write_text('format = 2\ntimepoints = "intake"\n')
    with pytest.raises(ScheduleFileError) as info:
        Schedule.from_path(wrong)
    assert [p.field for p in info.value.problems] == ["format", "timepoints"]


def test_schedule_round_trips_as_config_toml():
    """as_toml prints [[schedule]] entries that load back to the same schedule."""
    import tomllib

    data = tomllib.loads(DEFAULT.as_toml())
    assert Schedule.from_dict(data["schedule"]).timepoints == DEFAULT.timepoints


def test_get_unknown_timepoint():
    with pytest.raises(ScheduleError, match="no time point 'week4'.*known: intake"):
        DEFAULT.get("week4")
    with pytest.raises(ScheduleError, match="did you mean 'post_release_12w'"):
        DEFAULT.get("post_release12w")


# -- known time points -----------------------------------------------------------------------------
class _Cfg:
    """A configuration with its own [[schedule]] (the attributes Schedule.for_config reads)."""

    path = "org.toml"
    schedule = (
        {"timepoint": "mid_programme", "anchor": "enrolment_start", "offset_days": 42},
        {"timepoint": "post_release_52w", "anchor": "release", "offset_days": 364},
    )


def test_known_timepoints_are_the_schedule_and_the_papers_six():
    """The default schedule's six; a [[schedule]] adds its own (the six stay known)."""
    six = (
        "intake",
        "programme_end",
        "release",
        "post_release_4w",
        "post_release_12w",
        "post_release_26w",
    )
    assert known_timepoints() == six
    assert known_timepoints(_Cfg()) == ("mid_programme", "post_release_52w", *six)
    assert known_timepoints(None, extra=["baseline"])[-1] == "baseline"


@pytest.mark.parametrize(
    "timepoint", ["intake", "post_release_26w", "check_2025_q2", "check_1999_q4"]
)
def test_check_known_timepoint_accepts_known_ones_and_worker_checks(timepoint):
    assert check_known_timepoint(timepoint) == timepoint


def test_check_known_timepoint_accepts_what_the_config_adds():
    assert check_known_timepoint("post_release_52w", _Cfg()) == "post_release_52w"
    with pytest.raises(ScheduleError):
        check_known_timepoint("post_release_52w")  # not without that configuration


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("intke", "intake"), ("Intake", "intake"), ("post_release_4", "post_release_4w")],
)
def test_unknown_timepoint_is_refused_with_a_suggestion(typo, suggestion):
    """The reported typo 'intke': refused, listing the known ones and the closest."""
    with pytest.raises(ScheduleError) as info:
        check_known_timepoint(typo)
    text = str(info.value)
    assert f"unknown time point {typo!r}; did you mean {suggestion!r}?" in text
    assert "Known time points: intake, programme_end, release" in text
    assert "[[schedule]]" in text


@pytest.mark.parametrize("timepoint", ["check_2025_q5", "zzz", "week"])
def test_unknown_timepoint_without_a_close_match(timepoint):
    with pytest.raises(ScheduleError, match=f"unknown time point '{timepoint}'"):
        check_known_timepoint(timepoint)


def test_worker_check_timepoints_are_known():
    """Whatever the quarter, wellbeing.check_timepoint gives a known time point."""
    from recoverycap.wellbeing import check_timepoint

    for month in range(1, 13):
        tp = check_timepoint(D(2026, month, 15))
        assert check_known_timepoint(tp) == tp


@pytest.mark.parametrize(
    ("text", "want"),
    [("2025-03-10", D(2025, 3, 10)), ("2025-03-10T09:30:00", D(2025, 3, 10)), ("", None)],
)
def test_parse_date(text, want):
    assert parse_date(text) == want


def test_parse_date_error_names_the_field():
    with pytest.raises(
        ScheduleError, match=r"--as-of: '10/03/2025' is not a date; give it as YYYY-MM-DD"
    ):
        parse_date("10/03/2025", "--as-of")


@pytest.mark.parametrize(
    ("text", "time_ok"),
    [
        ("2025-03-10xyz", True),
        ("20250310", True),
        ("2025-02-30", True),
        ("2025-03-10T09:30", False),
    ],
)
def test_parse_date_refuses_what_is_not_a_date(text, time_ok):
    """Trailing junk, compact or impossible dates are refused; a command option (time_ok=False)
    takes a date without a time."""
    with pytest.raises(ScheduleError, match=r"--date: '.*' is not a date; give it as YYYY-MM-DD"):
        parse_date(text, "--date", time_ok=time_ok)


# -- properties ----------------------------------------------------------------------------------


@given(
    offset=st.integers(-60, 400),
    window=st.integers(0, 40),
    late=st.integers(0, 40),
    days=st.lists(st.integers(-500, 900), min_size=2, max_size=6),
)
def test_status_only_moves_forward_with_time(offset, window, late, days):
    """With nothing recorded, a time point goes upcoming -> due -> overdue -> missed as the
    as-of date advances, never back; due exactly while the as-of date is inside the window."""
    schedule = Schedule((TimePoint("tp", "release", offset, window, late),))
    order = ["upcoming", "due", "overdue", "missed"]
    seen = []
    for d in sorted(days):
        as_of = RELEASE + dt.timedelta(days=d)
        (got,) = compute_due("X", schedule, Anchors((), RELEASE), [], [], as_of)
        seen.append(order.index(got.status))
        assert (got.status == "due") == (got.window_start <= as_of <= got.window_end)
        assert got.window_end - got.window_start == dt.timedelta(days=2 * window)
    assert seen == sorted(seen)


# -- what a closing follow-up result does to the participant's status --------------------------------
@pytest.mark.parametrize(
    ("result", "status", "on", "want"),
    [
        ("recalled", "released", D(2025, 4, 2), "active"),  # back in custody
        ("recalled", "active", D(2025, 4, 2), "active"),  # already so
        ("recalled", "withdrawn", D(2025, 4, 2), "withdrawn"),  # not the recall's to change
        ("recalled", "released", D(2025, 3, 1), "released"),  # before the current release
        ("transferred", "active", D(2025, 4, 2), "transferred"),
        ("deceased", "withdrawn", D(2025, 4, 2), "deceased"),
        ("no_answer", "released", D(2025, 4, 2), "released"),
    ],
)
def test_status_after_a_follow_up_result(result, status, on, want):
    from recoverycap.followup import status_after

    new, note = status_after(result, status, Anchors((), RELEASE), on)
    assert new == want
    if new == status:  # unchanged: said why, unless the result has nothing to do with status
        assert (note == "") is (result == "no_answer")


def test_recall_needs_an_earlier_release():
    """Refused with no release on or before the date; an earlier release in the history (a new
    date recorded since) is enough."""
    from types import SimpleNamespace

    from recoverycap.followup import check_recall

    def history(*dates):
        return [SimpleNamespace(release_date=d) for d in dates]

    with pytest.raises(ScheduleError, match="no release date is recorded"):
        check_recall("ALT-0042", D(2025, 4, 2), [])
    with pytest.raises(ScheduleError, match="the current release date is 2025-06-01"):
        check_recall("ALT-0042", D(2025, 4, 2), history(D(2025, 6, 1)))
    check_recall("ALT-0042", D(2025, 4, 2), history(D(2025, 4, 2)))  # the day of release
    check_recall("ALT-0042", D(2025, 4, 2), history(D(2025, 1, 10), D(2025, 6, 1)))
