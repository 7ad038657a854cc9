"""Administrations: answers stored one at a time and read back unchanged, completion and scoring,
corrections that never overwrite silently, abandoning, alerts, deletion."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverycap import Library, Missing, score
from recoverycap.errors import InvalidRecord, InvalidResponse, NotFound, StoreError
from recoverycap.instrument import MISSING_REASONS
from recoverycap.scoring import coerce_answer
from recoverycap.store import Store

pytest_plugins = ["store_fixtures"]

DATA = Path(__file__).parent / "data"
NUMBERS_TOML = """
format = 1

[instrument]
id = "numbers"
name = "Numbers test instrument"
version = "1"
validated = false
instructions = ""

[source]
citations = ["recoverycap test suite"]
licence = "MIT, as recoverycap"
copyright = ""
wording_source = "written for the recoverycap tests"
text_bundled = true

[[items]]
id = "units"
text = "Units a day?"
kind = "number"
min = 0
max = 1000

[[items]]
id = "days"
text = "Days?"
kind = "integer"
min = 0
max = 28

[[items]]
id = "ok"
text = "All right?"
kind = "yesno"

[[items]]
id = "said"
text = "Anything else?"
kind = "text"
required = false

[[scales]]
id = "units_total"
name = "Units"
items = ["units"]
"""


@pytest.fixture(scope="module")
def prop_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder = tmp_path_factory.mktemp("instruments")
    (folder / "numbers.toml").write_text(NUMBERS_TOML, encoding="utf-8")
    return Library([DATA, folder], include_env=False)


@pytest.fixture(scope="module")
def prop_db(
    tmp_path_factory: pytest.TempPathFactory, prop_library: Library
) -> Iterator[tuple[Store, Path]]:
    """One file store for the property tests (a new participant per example)."""
    path = tmp_path_factory.mktemp("prop") / "prop.db"
    with Store.open(path, library=prop_library, actor="tester") as store:
        yield store, path


_people = itertools.count()

choice = st.one_of(
    st.integers(1, 5), st.integers(1, 5).map(str), st.integers(1, 5).map(lambda i: f" {i}.0 ")
)
missing = st.sampled_from(MISSING_REASONS).map(Missing)
words = st.sampled_from(MISSING_REASONS)
texts = st.text(min_size=1, max_size=200).filter(
    lambda t: t.strip() != "" and t.strip().lower() not in MISSING_REASONS
)
tiny_answers = st.fixed_dictionaries(
    {},
    optional={
        "a1": st.one_of(choice, missing, words),
        "a2": st.one_of(choice, missing),
        "a3": st.one_of(choice, missing),
        "days": st.one_of(st.integers(0, 7), st.integers(0, 7).map(float), missing),
        "note": st.one_of(texts, missing),
    },
)
number_answers = st.fixed_dictionaries(
    {},
    optional={
        "units": st.one_of(st.floats(0, 1000, allow_nan=False), st.integers(0, 1000), missing),
        "days": st.one_of(st.integers(0, 28), missing),
        "ok": st.one_of(st.sampled_from([0, 1, True, False, "yes", "no", "Y", "n"]), missing),
        "said": st.one_of(
            texts, st.text(alphabet="\x00\t\n\u200b😀é中", min_size=1).filter(str.strip), missing
        ),
    },
)


def _round_trip(store: Store, path: Path, instrument: str, answers: dict[str, Any]) -> None:
    code = f"P-{next(_people)}"
    store.add_participant(code)
    adm = store.start_administration(code, instrument, "intake")
    inst = store._instrument(adm.instrument, adm.version)
    expected = {
        item: coerce_answer(inst, inst.item(item), value) for item, value in answers.items()
    }
    for item, value in answers.items():
        store.record_answer(adm.id, item, value)
    with Store.open(path, library=store.library) as other:  # a second connection: what is on disk
        stored = other.answers(adm.id)
    assert stored == expected
    assert {k: type(v) for k, v in stored.items()} == {k: type(v) for k, v in expected.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=tiny_answers)
def test_codes_text_and_missing_reasons_read_back_unchanged(
    prop_db: tuple[Store, Path], answers: dict[str, Any]
) -> None:
    """Whatever valid answer is stored (code, code as text, missing reason, free Unicode text)
    reads back exactly as coerced, with its type, from another connection."""
    _round_trip(*prop_db, "tiny", answers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=number_answers)
def test_numbers_yes_no_and_unusual_text_read_back_unchanged(
    prop_db: tuple[Store, Path], answers: dict[str, Any]
) -> None:
    """Real numbers keep every bit, yes/no are 1/0, text with NUL, emoji and newlines is kept."""
    _round_trip(*prop_db, "numbers", answers)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    item=st.sampled_from(["a1", "days", "nope"]),
    value=st.one_of(
        st.integers(8, 10**6),
        st.integers(-(10**6), -1),
        st.just(2.5),
        st.text(min_size=1).filter(
            lambda t: (
                t.strip() != "" and t.strip().lower() not in MISSING_REASONS and not _is_number(t)
            )
        ),
        st.just(float("inf")),
    ),
)
def test_invalid_answers_are_refused_and_write_nothing(
    prop_db: tuple[Store, Path], item: str, value: Any
) -> None:
    """A value the item does not allow raises InvalidResponse and no table changes."""
    store, _ = prop_db
    code = f"P-{next(_people)}"
    store.add_participant(code)
    adm = store.start_administration(code, "tiny", "intake")
    before = store.counts()
    with pytest.raises(InvalidResponse):
        store.record_answer(adm.id, item, value)
    assert store.counts() == before


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.fixture
def started(mem_store: Store) -> tuple[Store, str]:
    mem_store.add_participant("ALT-1")
    return mem_store, mem_store.start_administration("ALT-1", "tiny", "intake", by="PW-1").id


def test_invalid_answer_message_names_item_allowed_and_given(started: tuple[Store, str]) -> None:
    store, adm = started
    with pytest.raises(InvalidResponse, match=r"a1.*7 is not one of 1–5"):
        store.record_answer(adm, "a1", 7)
    with pytest.raises(
        InvalidResponse, match="tiny has no item 'zz'; its items are a1, a2, a3, days, note"
    ):
        store.record_answer(adm, "zz", 1)


def test_changing_an_answer_in_progress_is_logged(started: tuple[Store, str]) -> None:
    """Going back and changing an answer keeps the old one in the audit log."""
    store, adm = started
    store.record_answer(adm, "a2", 2)
    store.record_answer(adm, "a2", 2)  # the same again: nothing to log
    store.record_answer(adm, "a2", Missing("dont_know"))
    entries = [(e.action, e.old_value, e.new_value) for e in store.audit_log(table="answers")]
    assert entries == [("insert", None, 2), ("update", 2, Missing("dont_know"))]
    assert store.answers(adm) == {"a2": Missing("dont_know")}


def test_completion_stores_missing_items_and_scores(started: tuple[Store, str]) -> None:
    """Completing stores every unanswered item as not_asked and scores from the stored answers.

    Worked by hand from tests/data/tiny.toml: a1=1 -> 100, a2=2 -> 75, a3=4 reversed (1+5-4=2)
    -> 75; strain = mean(100, 75, 75) = 83.33..., band high (50-100). sum = 1 + 2 + 2 + days 3
    = 8, all four answered, no proration. a1 = 1 raises the a1_always alert.
    """
    store, adm = started
    for item, value in {"a1": 1, "a2": 2, "a3": 4, "days": 3}.items():
        store.record_answer(adm, item, value)
    sheet = store.complete_administration(adm)
    assert sheet["strain"].score == pytest.approx(250 / 3) and sheet["strain"].band == "high"
    assert (sheet["sum"].score, sheet["sum"].answered, sheet["sum"].prorated) == (8, 4, False)
    assert store.answers(adm)["note"] == Missing("not_asked")
    assert store.scores(adm) == sheet
    assert [a.alert for a in store.alerts(adm)] == ["a1_always"]
    assert store.administration(adm).status == "complete"
    with pytest.raises(StoreError, match="is complete; use correct_answer"):
        store.record_answer(adm, "a1", 2)
    with pytest.raises(StoreError, match="cannot complete it"):
        store.complete_administration(adm)


def test_scores_match_the_scoring_engine(started: tuple[Store, str], lib: Library) -> None:
    """Stored scores equal recoverycap.score of the same answers (prorated sum with one missing)."""
    store, adm = started
    answers = {"a1": 3, "a2": Missing("declined"), "a3": 5, "days": 7}
    for item, value in answers.items():
        store.record_answer(adm, item, value)
    sheet = store.complete_administration(adm)
    assert sheet == score(lib.get("tiny"), answers)
    assert sheet["sum"].prorated


def test_correction_keeps_the_old_value_and_rescores(
    started: tuple[Store, str], lib: Library
) -> None:
    """A correction needs a reason; the old value and the changed scores are logged."""
    store, adm = started
    for item, value in {"a1": 2, "a2": 2, "a3": 2, "days": 1}.items():
        store.record_answer(adm, item, value)
    before = store.complete_administration(adm)
    with pytest.raises(InvalidRecord, match="reason"):
        store.correct_answer(adm, "days", 6, "")
    after = store.correct_answer(adm, "days", 6, "typed 1 for 6", by="PW-2")
    assert after is not None
    assert after == score(lib.get("tiny"), {"a1": 2, "a2": 2, "a3": 2, "days": 6, "note": None})
    assert after["sum"].score == before["sum"].score + 5
    [entry] = store.audit_log(action="correct")
    assert (entry.field, entry.old_value, entry.new_value, entry.reason, entry.actor) == (
        "days",
        1,
        6,
        "typed 1 for 6",
        "PW-2",
    )
    [rescored] = [e for e in store.audit_log(table="scores") if e.field == "sum"]
    assert (rescored.old_value["score"], rescored.new_value["score"]) == (
        before["sum"].score,
        after["sum"].score,
    )
    assert store.scores(adm) == after


def test_abandoned_administration_keeps_answers_and_cannot_continue(
    started: tuple[Store, str],
) -> None:
    store, adm = started
    store.record_answer(adm, "a1", 2)
    store.abandon_administration(adm, "participant upset; stopped")
    assert store.in_progress("ALT-1") == []
    assert store.answers(adm) == {"a1": 2}
    assert store.administration(adm).abandoned_reason == "participant upset; stopped"
    with pytest.raises(StoreError, match="abandoned"):
        store.record_answer(adm, "a2", 2)
    # the same instrument and time point can be started again
    again = store.start_administration(
        "ALT-1", "tiny", "intake", administered_at=store.administration(adm).administered_at
    )
    assert again.status == "in_progress"


def test_in_progress_lists_what_to_resume(mem_store: Store) -> None:
    """in_progress(subject) gives the subject's unfinished administrations, oldest first."""
    mem_store.add_participant("ALT-1")
    mem_store.add_participant("ALT-2")
    first = mem_store.start_administration("ALT-1", "tiny", "intake", session="s1")
    second = mem_store.start_administration("ALT-1", "barc10", "intake", session="s1")
    mem_store.start_administration("ALT-2", "tiny", "intake")
    assert [a.id for a in mem_store.in_progress("alt-1")] == [first.id, second.id]
    assert {a.session for a in mem_store.in_progress("ALT-1")} == {"s1"}


def test_alerts_are_recorded_once_and_acknowledged(
    started: tuple[Store, str], lib: Library
) -> None:
    """An item alert is recorded as the answer is saved; recording it again is a no-op."""
    store, adm = started
    store.record_answer(adm, "a1", 1)
    from recoverycap.scoring import item_alerts

    [hit] = item_alerts(lib.get("tiny"), "a1", 1)
    stored = store.record_alert(adm, hit)
    assert len(store.alerts(adm)) == 1 and stored.alert == "a1_always"
    acknowledged = store.acknowledge_alert(stored.id, by="PW-9")
    assert acknowledged.acknowledged_by == "PW-9"
    assert store.alerts(unacknowledged=True) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"subject": "ALT-9"}, NotFound, "no participant"),
        ({"instrument": "nope"}, Exception, "no instrument with id 'nope'"),
        ({"timepoint": "Week 4"}, InvalidRecord, "not an id"),
        ({"mode": "phone"}, InvalidRecord, "'phone' is not one of self, read_aloud, paper"),
        ({"subject_type": "visitor"}, InvalidRecord, "not one of participant, worker"),
        ({"administered_at": "last tuesday"}, InvalidRecord, "ISO 8601"),
    ],
)
def test_start_checks_everything(
    mem_store: Store, kwargs: dict[str, str], error: type[Exception], says: str
) -> None:
    mem_store.add_participant("ALT-1")
    args = {"subject": "ALT-1", "instrument": "tiny", "timepoint": "intake"} | kwargs
    before = mem_store.counts()
    with pytest.raises(error, match=says):
        mem_store.start_administration(**args)  # type: ignore[arg-type]
    assert mem_store.counts() == before


def test_back_dated_paper_form_and_duplicate(mem_store: Store) -> None:
    """A paper form is dated by day; the same form entered twice is refused."""
    mem_store.add_participant("ALT-1")
    adm = mem_store.start_administration(
        "ALT-1", "tiny", "release", mode="paper", administered_at="2025-05-02"
    )
    assert (adm.administered_at, adm.mode) == ("2025-05-02", "paper")
    with pytest.raises(InvalidRecord, match="already has tiny at release recorded for 2025-05-02"):
        mem_store.start_administration(
            "ALT-1", "tiny", "release", mode="paper", administered_at="2025-05-02"
        )


def test_times_with_offsets_are_stored_in_utc(mem_store: Store) -> None:
    mem_store.add_participant("ALT-1")
    adm = mem_store.start_administration(
        "ALT-1", "tiny", "intake", administered_at="2025-07-01T14:05:00+01:00"
    )
    assert adm.administered_at == "2025-07-01T13:05:00.000000+00:00"


def test_workers_can_be_the_subject(mem_store: Store) -> None:
    mem_store.add_worker("PW-1")
    adm = mem_store.start_administration("PW-1", "tiny", "quarterly", subject_type="worker")
    assert (adm.subject_type, adm.subject) == ("worker", "PW-1")
    assert mem_store.administrations(subject="PW-1") == []  # participant by default
    assert [a.id for a in mem_store.administrations(subject="PW-1", subject_type="worker")] == [
        adm.id
    ]


def test_deleting_an_administration_is_logged_with_what_was_deleted(
    started: tuple[Store, str],
) -> None:
    store, adm = started
    store.record_answer(adm, "a1", 4)
    store.complete_administration(adm)
    store.delete_administration(adm, "entered for the wrong participant")
    with pytest.raises(NotFound):
        store.administration(adm)
    assert store.counts()["answers"] == 0 and store.counts()["scores"] == 0
    [entry] = store.audit_log(action="delete")
    assert entry.old_value["answers"]["a1"] == 4 and entry.old_value["subject"] == "ALT-1"
    assert entry.reason == "entered for the wrong participant"


# -- every stored alert is logged once -----------------------------------------------------------------
@pytest.fixture(scope="module")
def alert_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """tiny, plus ``alerty``: tiny with a scale alert too (strain >= 50, raised on scoring)."""
    folder = tmp_path_factory.mktemp("alerty")
    text = (DATA / "tiny.toml").read_text(encoding="utf-8")
    text = text.replace('id = "tiny"', 'id = "alerty"', 1)
    text += (
        '\n[[alerts]]\nid = "strain_high"\nscale = "strain"\nop = ">="\nvalue = 50\n'
        'message = "Talk it through before the session ends."\n'
    )
    (folder / "alerty.toml").write_text(text, encoding="utf-8")
    return Library([DATA, folder], include_env=False)


@pytest.fixture
def alerty(alert_library: Library) -> Iterator[tuple[Store, str]]:
    with Store.open(":memory:", library=alert_library, actor="laptop") as store:
        store.add_participant("ALT-1")
        yield store, store.start_administration("ALT-1", "alerty", "intake", by="PW-1").id


def alert_entries(store: Store) -> list[Any]:
    return store.audit_log(table="alerts", action="insert")


def test_an_alert_raised_by_an_answer_is_logged_once_with_who_and_when(
    alerty: tuple[Store, str],
) -> None:
    """record_answer stores the item alert and its audit entry (who was administering, when it
    was raised); recording it again through record_alert adds neither."""
    store, adm = alerty
    store.record_answer(adm, "a1", 1, by="PW-1")
    [stored] = store.alerts(adm)
    [entry] = alert_entries(store)
    assert (entry.record_id, entry.actor, entry.at) == (stored.id, "PW-1", stored.raised_at)
    assert entry.new_value == {
        "administration_id": adm,
        "alert": "a1_always",
        "kind": stored.kind,
        "item": "a1",
        "scale": None,
        "value": 1,
        "message": "Tell the duty manager.",
    }
    from recoverycap.scoring import item_alerts

    [hit] = item_alerts(store._instrument("alerty", "1"), "a1", 1)
    assert store.record_alert(adm, hit, by="PW-1").id == stored.id
    store.record_answer(adm, "a1", 2, by="PW-1")
    store.record_answer(adm, "a1", 1, by="PW-1")  # raised again: still one alert, one entry
    assert len(store.alerts(adm)) == 1 and len(alert_entries(store)) == 1


def test_alerts_raised_on_completion_and_rescoring_are_logged_once(
    alerty: tuple[Store, str],
) -> None:
    """A scale alert stored by complete_administration is logged (by whoever completed it); a
    correction that raises it again (rescoring) logs nothing new; one first raised by a
    correction is logged with the correction's author and reason.

    By hand (tests/data/tiny.toml): a1 = 4 -> 25, a2 = 4 -> 25, a3 = 4 reversed (1+5-4 = 2) -> 75;
    strain = mean = 41.67 < 50, no alert. Correcting a2 to 1 -> 100 gives strain 66.67 >= 50.
    """
    store, adm = alerty
    for item in ("a1", "a2", "a3"):
        store.record_answer(adm, item, 4, by="PW-1")
    sheet = store.complete_administration(adm, by="PW-1")
    assert sheet.alerts == () and alert_entries(store) == []
    store.correct_answer(adm, "a2", 1, "misread the form", by="PW-2")
    [alert] = store.alerts(adm)
    [entry] = alert_entries(store)
    assert (alert.alert, entry.record_id, entry.actor, entry.reason) == (
        "strain_high",
        alert.id,
        "PW-2",
        "misread the form",
    )
    store.correct_answer(adm, "a3", 5, "and this one", by="PW-2")  # strain still >= 50
    assert len(store.alerts(adm)) == 1 and len(alert_entries(store)) == 1

    store.add_participant("ALT-2")
    second = store.start_administration("ALT-2", "alerty", "intake").id
    for item in ("a1", "a2", "a3"):
        store.record_answer(second, item, 2, by="PW-3")
    store.complete_administration(second, by="PW-4")
    [raised] = [e for e in alert_entries(store) if e.new_value["administration_id"] == second]
    assert (raised.new_value["alert"], raised.actor) == ("strain_high", "PW-4")


def test_alerts_listed_by_participant_with_their_administration(alerty: tuple[Store, str]) -> None:
    store, adm = alerty
    store.record_answer(adm, "a1", 1)
    store.add_participant("ALT-2")
    [alert] = store.alerts(participant="alt-1")
    assert (alert.subject_type, alert.subject, alert.instrument, alert.timepoint) == (
        "participant",
        "ALT-1",
        "alerty",
        "intake",
    )
    assert store.alerts(participant="ALT-2") == []
    with pytest.raises(NotFound, match="no participant with code 'ALT-9'"):
        store.alerts(participant="ALT-9")


def test_acknowledging_an_alert_is_logged_with_the_note(alerty: tuple[Store, str]) -> None:
    """The acknowledgement is written once (a second one changes nothing) with who and the
    note; the alert is found by the start of its id; the acknowledger must be a code and the
    note may not hold a prison number."""
    store, adm = alerty
    store.record_answer(adm, "a1", 1)
    [alert] = store.alerts(adm)
    done = store.acknowledge_alert(alert.id[:8], by="PW-9", note="spoke to the duty manager")
    assert (done.id, done.acknowledged_by) == (alert.id, "PW-9")
    again = store.acknowledge_alert(alert.id, by="PW-5")
    assert (again.acknowledged_by, again.acknowledged_at) == ("PW-9", done.acknowledged_at)
    [entry] = store.audit_log(table="alerts", action="update")
    assert (entry.record_id, entry.field, entry.new_value, entry.actor, entry.reason) == (
        alert.id,
        "acknowledged_by",
        "PW-9",
        "PW-9",
        "spoke to the duty manager",
    )
    with pytest.raises(InvalidRecord, match="looks like a name"):
        store.acknowledge_alert(alert.id, by="Jo Bloggs")
    with pytest.raises(InvalidRecord, match="looks like a prison number"):
        store.acknowledge_alert(alert.id, by="PW-9", note="moved A1234BC to healthcare")
    with pytest.raises(NotFound, match="no alert with id 'abc'"):
        store.alert("abc")
