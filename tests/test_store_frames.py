"""scores_frame and answers_frame: the long frames analysis reads, and their filters."""

from __future__ import annotations

import pytest

from recoverycap import Library, Missing, score
from recoverycap.store import Store

pytest_plugins = ["store_fixtures"]

SCORE_COLUMNS = [
    "administration_id",
    "subject_type",
    "subject",
    "site",
    "cohort",
    "instrument",
    "version",
    "timepoint",
    "administered_at",
    "mode",
    "scale",
    "raw",
    "score",
    "band",
    "answered",
    "n_items",
    "prorated",
]


def give(
    store: Store, code: str, timepoint: str, day: str, answers: dict[str, object], **kw: str
) -> str:
    adm = store.start_administration(code, "tiny", timepoint, administered_at=day, **kw)  # type: ignore[arg-type]
    for item, value in answers.items():
        store.record_answer(adm.id, item, value)
    store.complete_administration(adm.id)
    return adm.id


@pytest.fixture
def data(mem_store: Store) -> Store:
    mem_store.add_participant("ALT-1", site="HMP A", cohort="c1")
    mem_store.add_participant("ALT-2", site="HMP B", cohort="c2")
    mem_store.add_worker("PW-1", site="HMP A")
    mem_store.enrol("ALT-1", "ttg", "2025-01-01")
    give(mem_store, "ALT-1", "intake", "2025-01-02", {"a1": 1, "a2": 2, "a3": 3, "days": 4})
    give(mem_store, "ALT-1", "release", "2025-05-02", {"a1": 4, "a2": Missing("declined"), "a3": 3})
    give(mem_store, "ALT-2", "intake", "2025-02-02", {"a1": 5, "a2": 5, "a3": 5, "days": 0})
    give(
        mem_store,
        "PW-1",
        "quarterly",
        "2025-03-01",
        {"a1": 2, "a2": 2, "a3": 2, "days": 2},
        subject_type="worker",
    )
    unfinished = mem_store.start_administration(
        "ALT-2", "tiny", "release", administered_at="2025-06-01"
    )
    mem_store.record_answer(unfinished.id, "a1", 1)
    return mem_store


def test_scores_frame_columns_types_and_values(data: Store, lib: Library) -> None:
    """Exactly the agreed columns, one row per completed administration and scale, values as
    recoverycap.score gives them."""
    frame = data.scores_frame(subject_type=None)
    assert list(frame.columns) == SCORE_COLUMNS
    assert (
        len(frame) == 4 * 2
    )  # four completed administrations, two scales (the unfinished one is left out)
    assert (
        str(frame["administered_at"].dtype).startswith("datetime64")
        and str(frame["administered_at"].dt.tz) == "UTC"
    )
    assert (
        frame["prorated"].dtype == bool
        and frame["answered"].dtype == "int64"
        and frame["score"].dtype == "float64"
    )
    release = frame[(frame.subject == "ALT-1") & (frame.timepoint == "release")].set_index("scale")
    expected = score(lib.get("tiny"), {"a1": 4, "a2": Missing("declined"), "a3": 3})["strain"]
    strain = release.loc["strain"]
    assert (strain.raw, strain.score, strain.band, strain.answered) == (
        expected.raw,
        expected.score,
        expected.band,
        expected.answered,
    )
    assert strain.score == 37.5  # by hand: a1 4 -> 25; a3 3 reversed (1+5-3=3) -> 50; mean 37.5
    assert release.loc["sum"].isna()[["raw", "score"]].all()  # the sum needs 3 of 4 items and has 2
    assert (strain["site"], strain["cohort"], strain["mode"]) == ("HMP A", "c1", "self")


@pytest.mark.parametrize(
    ("filters", "subjects"),
    [
        ({"site": "HMP A"}, {"ALT-1"}),
        ({"site": "HMP A", "subject_type": "participant"}, {"ALT-1"}),
        ({"site": "HMP A", "subject_type": "worker"}, {"PW-1"}),
        ({"site": "HMP A", "subject_type": None}, {"ALT-1", "PW-1"}),
        ({"cohort": "c2"}, {"ALT-2"}),
        ({"programme": "ttg"}, {"ALT-1"}),
        ({"timepoint": ["intake", "release"]}, {"ALT-1", "ALT-2"}),
        ({"date_from": "2025-02-01", "date_to": "2025-03-01"}, {"ALT-2"}),
        (
            {"date_from": "2025-02-01", "date_to": "2025-03-01", "subject_type": None},
            {"ALT-2", "PW-1"},
        ),
        ({"instrument": "barc10"}, set()),
        ({"subject": "ALT-2"}, {"ALT-2"}),
    ],
)
def test_filters(data: Store, filters: dict[str, object], subjects: set[str]) -> None:
    assert set(data.scores_frame(**filters)["subject"]) == subjects
    assert set(data.answers_frame(**filters)["subject"]) == subjects


def test_frames_hold_participants_only_unless_asked(data: Store) -> None:
    """Privacy by default: a worker's own answers and scores are in the frames only when
    subject_type asks for them."""
    for frame in (data.scores_frame(), data.answers_frame()):
        assert set(frame["subject_type"]) == {"participant"} and "PW-1" not in set(frame["subject"])
    for frame in (
        data.scores_frame(subject_type="worker"),
        data.answers_frame(subject_type="worker"),
    ):
        assert set(frame["subject"]) == {"PW-1"}


def test_answers_frame_keeps_each_answers_type(data: Store) -> None:
    frame = data.answers_frame(subject="ALT-1", timepoint="release")
    assert list(frame["item"]) == ["a1", "a2", "a3", "days", "note"]
    values = dict(zip(frame["item"], frame["value"], strict=True))
    reasons = dict(zip(frame["item"], frame["missing_reason"], strict=True))
    assert values["a1"] == 4 and type(values["a1"]) is int
    assert values["a2"] is None and reasons["a2"] == "declined"
    assert reasons["note"] == "not_asked"


def test_empty_frames_have_the_columns(mem_store: Store) -> None:
    assert list(mem_store.scores_frame().columns) == SCORE_COLUMNS
    assert len(mem_store.answers_frame()) == 0
