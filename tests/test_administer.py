"""The survey session (recoverycap.administer): answers stored as given, back, skip, review,
resume, alerts and the comparison with the previous time point.

Scores asserted here are worked by hand from the instrument files (tests/data/tiny.toml, the
BARC-10 file's sum of ten 1–6 items), never copied from the code's output.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
import pytest

from recoverycap import InvalidResponse, Library, Missing, WordingNotAvailable
from recoverycap.administer import (
    ScaleResult,
    SessionError,
    SurveySession,
    direction_words,
    enter_paper_form,
    paper_alert_message,
    timepoint_phrase,
)
from recoverycap.store import Store

DATA = Path(__file__).parent / "data"
CODE = "ALT-0001"


@pytest.fixture
def lib() -> Library:
    return Library([DATA], include_env=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "rc.db"
    with Store.open(path, actor="test") as store:
        store.add_participant(CODE)
    return path


@pytest.fixture
def store(db: Path, lib: Library):
    s = Store.open(db, library=lib, actor="test")
    yield s
    s.close()


def fresh_answers(db: Path, lib: Library, adm_id: str) -> dict:
    """Answers read through a second connection: proof that they were committed."""
    with Store.open(db, library=lib, actor="reader") as other:
        return other.answers(adm_id)


def test_each_answer_is_committed_as_it_is_given(db, store, lib):
    """An answer is in the database, visible to another connection, before the next question."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    session.answer(2)
    adm = session.current_administration
    assert fresh_answers(db, lib, adm) == {"a1": 2}
    session.answer("3")
    assert fresh_answers(db, lib, adm) == {"a1": 2, "a2": 3}


def test_progress_names_question_and_instrument(store, lib):
    """Progress reads 'Question n of N · label (instrument j of m)'."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny"), lib.get("barc10")])
    assert session.current.progress == "Question 1 of 5 · Tiny test instrument (instrument 1 of 2)"
    for code in (1, 2, 3, 4):
        session.answer(code)
    session.skip("not_applicable")
    assert session.in_review
    session.finish()
    session.answer(5)
    session.answer(5)
    assert session.current.progress == "Question 3 of 10 · BARC-10 (instrument 2 of 2)"


def test_substitutions_are_applied_to_the_wording(store, lib):
    """The organisation's word replaces the licence-permitted token."""
    session = SurveySession.start(
        store, CODE, "intake", [lib.get("tiny")], substitutions={"friends": "family"}
    )
    session.answer(1)
    session.answer(1)
    assert session.current.text == "How often do you have energy for family?"


def test_back_and_change_goes_through_the_store_and_keeps_the_old_value(store, lib):
    """Changing an answer updates it in the store; the audit log keeps the old value."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    adm = session.current_administration
    session.answer(2)
    session.answer(3)
    assert session.current.item.id == "a3"
    assert session.back()
    q = session.current
    assert q.item.id == "a2" and q.answer == 3
    session.answer(4)
    assert store.answers(adm)["a2"] == 4
    changes = [e for e in store.audit_log(table="answers", action="update") if e.field == "a2"]
    assert [(e.old_value, e.new_value) for e in changes] == [(3, 4)]
    assert session.current.item.id == "a3"  # carries on at the next unanswered item


def test_back_stops_at_the_first_question(store, lib):
    """There is nothing before the first question of an instrument."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    assert not session.current.can_go_back
    assert session.back() is False
    assert session.current.item.id == "a1"


def test_unchanged_answer_writes_nothing(store, lib):
    """Going back and giving the same answer adds no audit entry."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    session.answer(2)
    session.back()
    before = len(store.audit_log(table="answers"))
    session.answer(2)
    assert len(store.audit_log(table="answers")) == before


def test_skip_with_a_reason_is_stored_as_missing(store, lib):
    """A skipped question is stored missing with its reason, never as 0."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    session.answer(1)
    session.skip("dont_know")
    assert store.answers(session.current_administration)["a2"] == Missing("dont_know")


def test_skip_reason_must_be_allowed(store, lib):
    """An unknown reason is refused and nothing is written."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    with pytest.raises(InvalidResponse, match="allowed: declined, dont_know, not_applicable"):
        session.skip("bored")
    assert store.answers(session.current_administration) == {}


def test_instrument_without_skipping_still_allows_declining(store, lib):
    """allow_skip = false: a required item can still be declined, but not 'don't know'."""
    strict = attrs.evolve(lib.get("tiny"), allow_skip=False)
    session = SurveySession.start(store, CODE, "intake", [strict])
    assert session.current.skip_reasons == ("declined",)
    with pytest.raises(InvalidResponse):
        session.skip("dont_know")
    session.skip("declined")
    assert store.answers(session.current_administration)["a1"] == Missing("declined")


def test_rejected_answer_writes_nothing_and_says_what_is_allowed(store, lib):
    """9 for a 0–7 day count is refused with what is allowed; the session stays put."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    for code in (1, 1, 1):
        session.answer(code)
    assert session.current.item.id == "days"
    with pytest.raises(InvalidResponse, match="9 is not a whole number from 0 to 7"):
        session.answer("9")
    with pytest.raises(InvalidResponse, match="2.5 is not a whole number from 0 to 7"):
        session.answer("2.5")
    assert "days" not in store.answers(session.current_administration)
    assert session.current.item.id == "days"
    session.answer("7")
    assert store.answers(session.current_administration)["days"] == 7


def test_empty_answer_is_refused(store, lib):
    """An empty answer is not an answer: skipping needs a reason."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    with pytest.raises(InvalidResponse, match="nothing was given"):
        session.answer("")


def test_alert_is_returned_and_recorded_at_once(db, store, lib):
    """The tiny a1 'Always' alert is raised by the answer itself and is already stored."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    hits = session.answer(1)
    assert [(h.alert, h.item, h.value) for h in hits] == [("a1_always", "a1", 1.0)]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT alert, item, value, message FROM alerts").fetchall()
    assert rows == [("a1_always", "a1", 1.0, "Tell the duty manager.")]


def test_no_alert_below_threshold(store, lib):
    """An answer that does not meet the condition raises nothing."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    assert session.answer(2) == []
    assert store.alerts(session.current_administration) == []


def test_phq9_item9_alert(store, lib):
    """PHQ-9 item 9 above 0 ('Several days', code 1) raises the safeguarding alert at once."""
    phq9 = lib.get("phq9")
    session = SurveySession.start(store, CODE, "intake", [phq9])
    for _ in range(8):
        assert session.answer(0) == []
    assert session.current.item.id == "q9"
    hits = session.answer(1)
    assert [(h.kind, h.item) for h in hits] == [("safeguarding", "q9")]
    assert [a.alert for a in store.alerts(session.current_administration)] == ["self_harm"]


def test_review_lists_every_answer_and_finish_scores(store, lib):
    """The review shows each answer in words; finishing stores the hand-worked scores.

    tiny: a1=2 (pct 75), a2=3 (50), a3=4 reversed to 2 (75): strain mean 66.67, band high;
    sum of codes 2 + 3 + 2 + 5 days = 12.
    """
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    for value in (2, 3, 4, "5"):
        session.answer(value)
    with pytest.raises(SessionError, match="not yet answered or skipped: note"):
        session.finish()
    session.skip("declined")
    rows = session.review()
    assert [r.shown for r in rows] == [
        "2 Often",
        "3 Sometimes",
        "4 Seldom",
        "5",
        "skipped: prefers not to answer",
    ]
    sheet = session.finish()
    assert sheet["strain"].score == pytest.approx(200 / 3)
    assert sheet["strain"].band == "high"
    assert sheet["sum"].score == 12
    assert session.done
    adm = store.administrations(subject=CODE)[0]
    assert adm.status == "complete"
    assert store.scores(adm.id)["sum"].score == 12


def test_change_from_the_review_returns_to_the_review(store, lib):
    """Choosing an answer in the review, then answering, comes back to the review."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
    for value in (2, 3, 4, 5):
        session.answer(value)
    session.skip("declined")
    session.go_to("a2")
    assert session.current.item.id == "a2"
    session.answer(1)
    assert session.in_review
    assert session.review()[1].shown == "1 Always"


def test_resume_keeps_answers_and_continues_at_first_unanswered(db, lib):
    """After the program stops, resume finds the battery, keeps every answer and carries on."""
    with Store.open(db, library=lib, actor="test") as store:
        session = SurveySession.start(store, CODE, "intake", [lib.get("tiny"), lib.get("barc10")])
        session.answer(2)
        session.answer(3)
        ids = session.administration_ids
    # a new process: nothing survives but the database
    with Store.open(db, library=lib, actor="test") as store:
        resumed = SurveySession.resume(store, lib, CODE)
        assert resumed is not None
        assert resumed.administration_ids == ids
        assert resumed.timepoint == "intake"
        assert (
            resumed.describe()
            == "at intake: Tiny test instrument (2 of 5 answered), BARC-10 (not started)"
        )
        q = resumed.current
        assert (q.item.id, q.number) == ("a3", 3)
        assert resumed.answers() == {"a1": 2, "a2": 3}


def test_resume_fills_a_gap_first(db, lib):
    """An unanswered item before answered ones is asked first when resuming."""
    with Store.open(db, library=lib, actor="test") as store:
        session = SurveySession.start(store, CODE, "intake", [lib.get("tiny")])
        session.answer(2)
        session.go_to("a3")
        session.answer(4)
    with Store.open(db, library=lib, actor="test") as store:
        resumed = SurveySession.resume(store, lib, CODE)
        assert resumed.current.item.id == "a2"
        resumed.answer(1)
        assert resumed.current.item.id == "days"


def test_resume_after_first_instrument_finished(db, lib):
    """A finished instrument stays complete; resume continues with the next."""
    with Store.open(db, library=lib, actor="test") as store:
        session = SurveySession.start(store, CODE, "intake", [lib.get("tiny"), lib.get("barc10")])
        for value in (2, 3, 4, 5):
            session.answer(value)
        session.skip("declined")
        session.finish()
        session.answer(6)
    with Store.open(db, library=lib, actor="test") as store:
        resumed = SurveySession.resume(store, lib, CODE)
        assert [i.id for i in resumed.instruments] == ["tiny", "barc10"]
        assert resumed.current.progress == "Question 2 of 10 · BARC-10 (instrument 2 of 2)"
        assert resumed.describe() == (
            "at intake: Tiny test instrument (finished), BARC-10 (1 of 10 answered)"
        )


def test_results_after_resuming_include_instruments_finished_before(db, lib):
    """The reported bug: stop after finishing the first instrument, carry on, finish the second:
    the results cover both (tiny's strain and sum, BARC-10's total), not just the second.

    Hand-worked: tiny a1..a3 = 2, 3, 4 and days 5 with note declined: strain = mean(pct 75, 50,
    reversed 4 -> 2 -> 75) = 66.67 (high); sum 2 + 3 + 2 + 5 = 12. BARC-10 ten 4s = 40.
    """
    with Store.open(db, library=lib, actor="test") as store:
        session = SurveySession.start(store, CODE, "intake", [lib.get("tiny"), lib.get("barc10")])
        for value in (2, 3, 4, 5):
            session.answer(value)
        session.skip("declined")
        session.finish()
    with Store.open(db, library=lib, actor="test") as store:
        resumed = SurveySession.resume(store, lib, CODE)
        assert resumed.current.progress == "Question 1 of 10 · BARC-10 (instrument 2 of 2)"
        for _ in range(10):
            resumed.answer(4)
        resumed.finish()
        assert resumed.done
        assert [inst.id for inst, _ in resumed.results()] == ["tiny", "barc10"]
        lines = resumed.summary_lines()
    assert any(line.startswith("Tiny test instrument Strain: 66.67 (high)") for line in lines)
    assert any(line.startswith("Tiny test instrument Sum of codes: 12") for line in lines)
    assert any(line.startswith("BARC-10 Recovery capital: 40") for line in lines)


def test_resume_does_not_bring_back_another_surveys_instruments(db, lib):
    """Only the interrupted survey's completed instruments come back, not an earlier survey's."""
    with Store.open(db, library=lib, actor="test") as store:
        earlier = SurveySession.start(store, CODE, "intake", [lib.get("barc10")])
        for _ in range(10):
            earlier.answer(3)
        earlier.finish()
        later = SurveySession.start(store, CODE, "release", [lib.get("tiny")])
        later.answer(2)
    with Store.open(db, library=lib, actor="test") as store:
        resumed = SurveySession.resume(store, lib, CODE)
        assert [i.id for i in resumed.instruments] == ["tiny"]
        assert resumed.results() == []


def test_nothing_to_resume(store, lib):
    """No unfinished survey: resume gives None."""
    assert SurveySession.resume(store, lib, CODE) is None


def test_abandon_keeps_answers(store, lib):
    """Abandoning marks every unfinished instrument abandoned; answers stay; nothing to resume."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("tiny"), lib.get("barc10")])
    session.answer(2)
    session.abandon("participant moved wing")
    statuses = [a.status for a in store.administrations(subject=CODE)]
    assert statuses == ["abandoned", "abandoned"]
    assert store.answers(session.administration_ids[0]) == {"a1": 2}
    assert SurveySession.resume(store, lib, CODE) is None


def test_licensed_instrument_without_wording_stops_before_writing(store, lib):
    """SWEMWBS without local wording: WordingNotAvailable, and no administration is created."""
    with pytest.raises(WordingNotAvailable, match=r"swemwbs\.text\.toml"):
        SurveySession.start(store, CODE, "intake", [lib.get("barc10"), lib.get("swemwbs")])
    assert store.administrations(subject=CODE) == []


def test_worker_instrument_refused_for_a_participant(store, lib):
    """The CBI is a worker's instrument: refused for a participant, pointing to wellbeing."""
    with pytest.raises(SessionError, match="wellbeing check"):
        SurveySession.start(store, CODE, "intake", [lib.get("cbi")])


def test_instrument_named_twice_refused(store, lib):
    """Each instrument once per survey."""
    with pytest.raises(SessionError, match="named twice"):
        SurveySession.start(store, CODE, "intake", [lib.get("barc10"), lib.get("barc10")])


def barc_at(store, lib, timepoint: str, codes: list[int]) -> SurveySession:
    session = SurveySession.start(store, CODE, timepoint, [lib.get("barc10")])
    for code in codes:
        session.answer(code)
    session.finish()
    return session


def test_summary_compares_with_previous_time_point(store, lib):
    """BARC-10: intake 4 + 9×3 = 31; programme end 8×5 + 2×4 = 48 (47 or more is at or above the
    cut-off, Vilsaint et al. 2017); up 17, and higher is better."""
    first = barc_at(store, lib, "intake", [4] + [3] * 9)
    assert first.summary_lines() == ["BARC-10 Recovery capital: 31 (below the recovery cut-off)"]
    second = barc_at(store, lib, "programme_end", [5] * 8 + [4, 4])
    assert second.summary_lines() == [
        "BARC-10 Recovery capital: 48 (at or above the recovery cut-off); at intake it was 31: up 17 (better)"
    ]


def test_summary_uses_the_latest_earlier_time_point(store, lib):
    """With intake and programme end recorded, release is compared with programme end."""
    barc_at(store, lib, "intake", [1] * 10)  # 10
    barc_at(store, lib, "programme_end", [2] * 10)  # 20
    third = barc_at(store, lib, "release", [2] * 9 + [1])  # 19
    assert third.scale_results()[0].previous == 20
    assert third.summary_lines()[0].endswith("at programme end it was 20: down 1 (worse)")


def test_summary_reads_higher_is_worse(store, lib):
    """tiny strain (higher is worse): 100 at intake, 75 at release is down 25, better.

    intake: a1=a2=a3 codes 1, 1, 5 -> pct 100, 100, reversed 5 -> 1 -> 100: mean 100.
    release: codes 2, 2, 4 -> 75, 75, reversed 4 -> 2 -> 75: mean 75.
    """
    for tp, codes in (("intake", (1, 1, 5)), ("release", (2, 2, 4))):
        session = SurveySession.start(store, CODE, tp, [lib.get("tiny")])
        for code in (*codes, 0):
            session.answer(code)
        session.skip("not_applicable")
        session.finish()
    strain = session.scale_results()[0]
    assert (strain.score.score, strain.previous) == (75, 100)
    assert (
        strain.sentence()
        == "Tiny test instrument Strain: 75 (high); at intake it was 100: down 25 (better)"
    )


def test_summary_says_when_not_scored(store, lib):
    """A skipped BARC-10 item leaves the sum missing (no prorating rule): said in words."""
    session = SurveySession.start(store, CODE, "intake", [lib.get("barc10")])
    session.skip("declined")
    for _ in range(9):
        session.answer(4)
    session.finish()
    assert session.summary_lines() == [
        "BARC-10 Recovery capital: not scored (9 of 10 questions answered; at least 10 needed)"
    ]


@pytest.mark.parametrize(
    ("change", "higher_is", "words"),
    [
        (14, "better", "up 14 (better)"),
        (-3, "better", "down 3 (worse)"),
        (5, "worse", "up 5 (worse)"),
        (-2.5, "worse", "down 2.5 (better)"),
        (0, "better", "no change"),
    ],
)
def test_direction_words(change, higher_is, words):
    """Up or down, better or worse, read from the scale's direction."""
    assert direction_words(change, higher_is) == words


@pytest.mark.parametrize(
    ("timepoint", "phrase"),
    [
        ("intake", "at intake"),
        ("post_release_12w", "12 weeks after release"),
        ("week_two", "at week two"),
    ],
)
def test_timepoint_phrase(timepoint, phrase):
    """Time points in words, including an organisation's own."""
    assert timepoint_phrase(timepoint) == phrase


def test_scale_result_without_previous(lib):
    """No previous time point: the score and band only."""
    barc = lib.get("barc10")
    from recoverycap.scoring import score

    sheet = score(barc, {f"q{i}": 5 for i in range(1, 11)})
    result = ScaleResult(barc, barc.scale("total"), sheet["total"])
    assert result.sentence() == "BARC-10 Recovery capital: 50 (at or above the recovery cut-off)"


def test_paper_form_is_back_dated_and_scored(store, lib):
    """A paper form: mode paper, the date on the form, every answer, scores and comparison."""
    barc_at(store, lib, "intake", [3] * 10)  # 30, recorded today
    entry = enter_paper_form(
        store,
        CODE,
        lib.get("barc10"),
        "programme_end",
        {f"q{i}": 4 for i in range(1, 10)} | {"q10": "6"},
        _yesterday(),
        by="PW-03",
    )
    adm = store.administration(entry.administration_id)
    assert (adm.mode, adm.administered_at, adm.administered_by, adm.status) == (
        "paper",
        _yesterday(),
        "PW-03",
        "complete",
    )
    assert store.answers(adm.id)["q10"] == 6
    assert entry.sheet["total"].score == 9 * 4 + 6
    # the intake was recorded today, after the form's date: it is not "previous"
    assert entry.results[0].previous is None


def test_paper_form_compares_with_earlier_form(store, lib):
    """Two paper forms: the later one is compared with the earlier one."""
    barc = lib.get("barc10")
    enter_paper_form(store, CODE, barc, "intake", {f"q{i}": 2 for i in range(1, 11)}, "2025-01-10")
    entry = enter_paper_form(
        store, CODE, barc, "release", {f"q{i}": 3 for i in range(1, 11)}, "2025-06-10"
    )
    assert entry.results[0].sentence() == (
        "BARC-10 Recovery capital: 30 (below the recovery cut-off); at intake it was 20: up 10 (better)"
    )


def test_paper_form_with_an_invalid_code_writes_nothing(store, lib):
    """Every bad code is reported at once, and nothing is written."""
    with pytest.raises(InvalidResponse) as info:
        enter_paper_form(
            store,
            CODE,
            lib.get("barc10"),
            "intake",
            {f"q{i}": 4 for i in range(1, 11)} | {"q2": 7, "q5": "x", "q11": 1},
            "2025-01-10",
        )
    messages = [str(p) for p in info.value.problems]
    assert any("q2: 7 is not one of 1–6" in m for m in messages)
    assert any("q5" in m for m in messages)
    assert any("no item 'q11'" in m for m in messages)
    assert store.administrations(subject=CODE) == []


def test_paper_form_alerts_are_recorded(store, lib):
    """PHQ-9 item 9 on a paper form is recorded as an alert."""
    entry = enter_paper_form(
        store,
        CODE,
        lib.get("phq9"),
        "intake",
        {f"q{i}": 0 for i in range(1, 9)} | {"q9": 2},
        "2025-01-10",
    )
    assert [h.alert for h in entry.alerts] == ["self_harm"]
    assert [a.value for a in store.alerts(entry.administration_id)] == [2.0]


@pytest.mark.parametrize(
    ("days_ago", "when"), [(0, "today"), (1, "yesterday"), (23, "23 days ago")]
)
def test_paper_alert_message_does_not_speak_of_a_session(lib, days_ago, when):
    """An alert on a paper form dated earlier drops "before the session ends" and says to
    follow up now, with the form's date."""
    import datetime as dt

    [alert] = lib.get("phq9").alerts
    assert "before the session ends" in alert.message  # the instrument's wording, for a survey
    today = dt.date(2026, 11, 27)
    form = today - dt.timedelta(days=days_ago)
    text = paper_alert_message(alert.message, form, today)
    assert "session" not in text
    assert text.startswith("PHQ-9 item 9 (thoughts of being better off dead")
    assert "Follow your organisation's safeguarding procedure now." in text
    assert text.endswith(
        f"This answer is on a paper form dated {form.isoformat()} ({when}): follow up now."
    )


def _yesterday() -> str:
    import datetime as dt

    return (dt.date.today() - dt.timedelta(days=1)).isoformat()
