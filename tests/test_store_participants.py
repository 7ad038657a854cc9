"""Participants, release-date history, workers, programmes, enrolments and activities."""

from __future__ import annotations

import datetime as dt

import pytest

from recoverycap.errors import InvalidRecord, NotFound
from recoverycap.store import Store

pytest_plugins = ["store_fixtures"]


@pytest.mark.parametrize("code", ["ALT-0042", "alt_7", "A1", "X" * 32, "0042", "P-1-a_b"])
def test_pseudonymous_codes_are_accepted(mem_store: Store, code: str) -> None:
    """Letters, digits, '-' and '_' up to 32 characters."""
    assert mem_store.add_participant(code).code == code


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("John Smith", "looks like a name"),
        ("Smith, J", "looks like a name"),
        ("A1234BC", "looks like a prison number"),
        ("a1234bc", "looks like a prison number"),
        ("X" * 33, "at most 32"),
        ("ALT/0042", "not a code"),
        ("-ALT", "not a code"),
        ("ALT-0042é", "not a code"),
        ("", "a code is required"),
    ],
)
def test_names_prison_numbers_and_bad_codes_are_refused(
    mem_store: Store, code: str, says: str
) -> None:
    """Anything that is not a pseudonymous code is refused with a reason, and nothing is written."""
    before = mem_store.counts()
    with pytest.raises(InvalidRecord, match=says):
        mem_store.add_participant(code)
    assert mem_store.counts() == before


def test_codes_are_unique_ignoring_case(mem_store: Store) -> None:
    """ALT-0042 and alt-0042 are the same person; finding them ignores case too."""
    mem_store.add_participant("ALT-0042", site="HMP A")
    with pytest.raises(InvalidRecord, match="registered already"):
        mem_store.add_participant("alt-0042")
    assert mem_store.participant("alt-0042").code == "ALT-0042"


def test_unknown_participant_is_not_found(mem_store: Store) -> None:
    """NotFound names the code and how to register it."""
    with pytest.raises(NotFound, match="participant add ALT-9"):
        mem_store.participant("ALT-9")


def test_participants_filtered_by_site_and_cohort(mem_store: Store) -> None:
    """participants() filters by site and cohort and orders by code."""
    mem_store.add_participant("B-2", site="HMP A", cohort="c1")
    mem_store.add_participant("A-1", site="HMP A", cohort="c2")
    mem_store.add_participant("C-3", site="HMP B", cohort="c1")
    assert [p.code for p in mem_store.participants()] == ["A-1", "B-2", "C-3"]
    assert [p.code for p in mem_store.participants(site="HMP A")] == ["A-1", "B-2"]
    assert [p.code for p in mem_store.participants(site="HMP A", cohort="c1")] == ["B-2"]


def test_release_date_history_keeps_every_move(mem_store: Store) -> None:
    """Each release date recorded is kept with its reason, who and when; the latest is current,
    even when it moves earlier; setting the same date again records nothing."""
    mem_store.add_participant("ALT-1", release_date="2025-06-01", by="PW-1")
    mem_store.set_release_date("ALT-1", "2025-04-15", "HDC granted", by="PW-2")
    mem_store.set_release_date("ALT-1", dt.date(2025, 9, 1), "recalled")
    mem_store.set_release_date("ALT-1", "2025-09-01", "again")
    history = mem_store.release_history("ALT-1")
    assert [(str(h.release_date), h.reason, h.recorded_by) for h in history] == [
        ("2025-06-01", "registered", "PW-1"),
        ("2025-04-15", "HDC granted", "PW-2"),
        ("2025-09-01", "recalled", "tester"),
    ]
    assert [h.recorded_at for h in history] == sorted(h.recorded_at for h in history)
    assert mem_store.participant("ALT-1").release_date == dt.date(2025, 9, 1)
    entries = mem_store.audit_log(table="release_dates")
    assert [e.new_value for e in entries] == ["2025-06-01", "2025-04-15", "2025-09-01"]


@pytest.mark.parametrize(
    "bad", ["2025-13-01", "01/06/2025", "2025-6-1", "soon", "2025-06-01T10:00"]
)
def test_release_dates_must_be_iso_dates(mem_store: Store, bad: str) -> None:
    """Dates are ISO 8601 (YYYY-MM-DD); anything else is refused naming the format."""
    mem_store.add_participant("ALT-1")
    with pytest.raises(InvalidRecord, match="YYYY-MM-DD"):
        mem_store.set_release_date("ALT-1", bad, "x")
    assert mem_store.release_history("ALT-1") == []


def test_update_participant_logs_each_change(mem_store: Store) -> None:
    """Site and status changes are logged with old value, new value and reason."""
    p = mem_store.add_participant("ALT-1", site="HMP A")
    mem_store.update_participant(
        "ALT-1", site="Community North", status="released", reason="released on licence"
    )
    changes = [
        (e.field, e.old_value, e.new_value, e.reason)
        for e in mem_store.history("participants", p.id)
        if e.action == "update"
    ]
    assert changes == [
        ("site", "HMP A", "Community North", "released on licence"),
        ("status", "active", "released", "released on licence"),
    ]
    with pytest.raises(InvalidRecord, match="status"):
        mem_store.update_participant("ALT-1", status="escaped")


def test_workers(mem_store: Store) -> None:
    """Workers are registered by code with site, role and start date, and listed by site."""
    mem_store.add_worker("PW-01", site="HMP A", role="peer mentor", started="2024-09-01")
    mem_store.add_worker("PW-02", site="HMP B")
    assert mem_store.worker("pw-01").started == dt.date(2024, 9, 1)
    assert [w.code for w in mem_store.workers(site="HMP A")] == ["PW-01"]
    with pytest.raises(InvalidRecord, match="looks like a name"):
        mem_store.add_worker("Jane Doe")
    mem_store.set_worker_status("PW-02", "left", "moved on")
    assert mem_store.worker("PW-02").status == "left"


def test_programmes_are_configurable(mem_store: Store) -> None:
    """The defaults are there and an organisation can add its own."""
    mem_store.add_programme("women_in_recovery", "Women in recovery group")
    assert "women_in_recovery" in [p.code for p in mem_store.programmes()]
    with pytest.raises(InvalidRecord, match="lowercase"):
        mem_store.add_programme("Bad Code", "x")
    with pytest.raises(NotFound, match="ttg"):
        mem_store.programme("nope")


def test_enrolment_life(mem_store: Store) -> None:
    """Enrol, refuse a second ongoing enrolment, end it with outcome, reason and substance outcome."""
    mem_store.add_participant("ALT-1")
    e = mem_store.enrol("ALT-1", "ttg", "2025-01-06")
    assert (e.outcome, e.ended) == ("ongoing", None)
    with pytest.raises(InvalidRecord, match="ongoing ttg enrolment"):
        mem_store.enrol("ALT-1", "ttg", "2025-02-01")
    ended = mem_store.end_enrolment(
        "ALT-1", "ttg", "2025-03-01", "not_completed", "regime_disruption", "ost_reduced"
    )
    assert (ended.ended, ended.outcome, ended.reason, ended.substance_outcome) == (
        dt.date(2025, 3, 1),
        "not_completed",
        "regime_disruption",
        "ost_reduced",
    )
    assert [x.field for x in mem_store.history("enrolments", e.id) if x.action == "update"] == [
        "ended",
        "outcome",
        "reason",
        "substance_outcome",
    ]
    with pytest.raises(NotFound, match="no ongoing ttg"):
        mem_store.end_enrolment("ALT-1", "ttg", "2025-03-02", "completed")
    mem_store.enrol(
        "ALT-1",
        "twelve_step",
        "2024-01-01",
        ended="2024-03-01",
        outcome="completed",
        substance_outcome="none",
    )
    assert [(x.programme, x.outcome) for x in mem_store.enrolments(participant="ALT-1")] == [
        ("twelve_step", "completed"),
        ("ttg", "not_completed"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"ended": "2024-12-01", "outcome": "completed"}, "before the start"),
        ({"outcome": "completed"}, "needs the date it ended"),
        (
            {"outcome": "ongoing", "reason": "health"},
            "only given when the outcome is not_completed",
        ),
        (
            {"ended": "2025-02-01", "outcome": "not_completed", "reason": "bored"},
            "'bored' is not one of released",
        ),
        ({"ended": "2025-02-01", "outcome": "done"}, "'done' is not one of completed"),
        (
            {"ended": "2025-02-01", "outcome": "not_completed"},
            "not completed needs a reason for non-completion: one of released, transferred",
        ),
        (
            {"ended": "2025-02-01", "outcome": "not_completed", "reason": "  "},
            "not completed needs a reason",
        ),
        (
            {"ended": "2025-02-01", "outcome": "completed", "substance_outcome": "better"},
            "'better' is not one of abstinent",
        ),
    ],
)
def test_enrolment_values_are_checked(mem_store: Store, kwargs: dict[str, str], says: str) -> None:
    """Outcome, reason, substance outcome and dates are checked together; nothing is written."""
    mem_store.add_participant("ALT-1")
    before = mem_store.counts()
    with pytest.raises(InvalidRecord, match=says):
        mem_store.enrol("ALT-1", "ttg", "2025-01-01", **kwargs)  # type: ignore[arg-type]
    assert mem_store.counts() == before


def test_activities(mem_store: Store) -> None:
    """Each kind with the results it allows; follow-up attempts keep mode, result and time point."""
    mem_store.add_participant("ALT-1")
    mem_store.add_activity("ALT-1", "gate_pickup", "2025-06-01", "successful", programme="ttg")
    mem_store.add_activity("ALT-1", "recovery_pack", "2025-06-01")
    mem_store.add_activity(None, "one_to_one", "2025-06-02", notes="drop-in")
    mem_store.add_activity(
        "ALT-1",
        "followup_attempt",
        "2025-07-01",
        "no_answer",
        mode="phone",
        timepoint="post_release_4w",
    )
    rows = mem_store.activities(participant="ALT-1")
    assert [(a.kind, a.result, a.mode, a.programme, a.timepoint) for a in rows] == [
        ("gate_pickup", "successful", None, "ttg", None),
        ("recovery_pack", "delivered", None, None, None),
        ("followup_attempt", "no_answer", "phone", None, "post_release_4w"),
    ]
    assert len(mem_store.activities(date_from="2025-06-02")) == 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("gate_pickup", "2025-06-01", None), "needs a result"),
        (("gate_pickup", "2025-06-01", "late"), "'late' is not one of successful, unsuccessful"),
        (("followup_attempt", "2025-06-01", "maybe"), "'maybe' is not one of reached"),
        (("one_to_one", "2025-06-01", "good"), "has no result"),
        (("haircut", "2025-06-01", None), "'haircut' is not one of gate_pickup"),
        (
            ("recovery_pack", "2030-01-01", None),
            "the date 2030-01-01 is in the future; record an activity once it has happened",
        ),
    ],
)
def test_activity_values_are_checked(
    mem_store: Store, args: tuple[str, str, str | None], says: str
) -> None:
    """Kind and result are checked together; nothing is written."""
    mem_store.add_participant("ALT-1")
    with pytest.raises(InvalidRecord, match=says):
        mem_store.add_activity("ALT-1", *args)
    assert mem_store.activities() == []


def test_ending_an_enrolment_not_completed_needs_a_reason(mem_store: Store) -> None:
    """end_enrolment refuses not_completed without a reason, naming the reasons; nothing changes."""
    mem_store.add_participant("ALT-1")
    mem_store.enrol("ALT-1", "ttg", "2025-01-06")
    before = mem_store.counts()
    with pytest.raises(InvalidRecord, match="reason: an enrolment that was not completed needs"):
        mem_store.end_enrolment("ALT-1", "ttg", "2025-03-01", "not_completed")
    assert mem_store.counts() == before
    assert mem_store.enrolments(participant="ALT-1")[0].outcome == "ongoing"


def test_an_activity_dated_today_is_accepted_and_tomorrow_refused(mem_store: Store) -> None:
    """Activities record what has happened: today is the last date allowed."""
    today = dt.date.today()
    mem_store.add_activity(None, "one_to_one", today)
    with pytest.raises(InvalidRecord, match="is in the future"):
        mem_store.add_activity(None, "one_to_one", today + dt.timedelta(days=1))
    assert [a.date for a in mem_store.activities()] == [today]


@pytest.mark.parametrize(
    "notes",
    [
        "A1234BC",
        "moved to healthcare, prison number a1234bc",
        "see (B9876XY) on the wing",
        "A1234BC.",
    ],
)
def test_notes_holding_a_prison_number_are_refused(mem_store: Store, notes: str) -> None:
    """Anything shaped like a prison number (one letter, four digits, two letters) in notes is
    refused, saying why; nothing is written."""
    with pytest.raises(InvalidRecord, match="looks like a prison number.*must never be stored"):
        mem_store.add_activity(None, "one_to_one", "2025-06-01", notes=notes)
    assert mem_store.activities() == []


@pytest.mark.parametrize(
    "notes",
    ["housing appointment A1234 made", "ALT-0042 and AB1234CD", "code X12345YZ", "room A1234B"],
)
def test_notes_with_other_letters_and_numbers_are_kept(mem_store: Store, notes: str) -> None:
    """Only the exact shape is refused: codes and longer or shorter runs are fine."""
    a = mem_store.add_activity(None, "one_to_one", "2025-06-01", notes=notes)
    assert a.notes == notes
