"""The project's own records: the through-the-gate follow-up and the peer worker questions.

Both are written by recoverycap (not validated scales). Their rules are the project's own and are
stated in the files: yes/no items are reported through one-item 0–1 scales, the offending item as
0 none / 1 arrested or charged / 2 recalled, housing through "no fixed abode or sleeping rough"
indicators, and free text is stored but never scored. Expected values are worked out by hand.
"""

from __future__ import annotations

import tomllib

import pytest

from recoverycap import Instrument, InstrumentError, InvalidResponse, Library, Missing, score
from recoverycap.registry import bundled_dir
from recoverycap.scoring import check_answers

NOTE = "Met at the gate by Kris; driven to probation, then to the recovery house. On methadone 5mg."


@pytest.fixture(scope="module")
def ttg(library: Library) -> Instrument:
    return library.get("ttg_followup")


@pytest.fixture(scope="module")
def pwe(library: Library) -> Instrument:
    return library.get("peer_worker_experience")


@pytest.mark.parametrize("iid", ["ttg_followup", "peer_worker_experience"])
def test_records_load_as_unvalidated_project_records(library: Library, iid: str) -> None:
    """Both are the project's own wording under the code's MIT licence, citing the paper."""
    inst = library.get(iid)
    assert not inst.validated
    assert inst.text_bundled
    assert inst.licence.startswith("MIT")
    assert "recoverycap" in inst.wording_source
    assert any(c.startswith("Best") for c in inst.citations)
    assert all(item.text for item in inst.items)


def test_audiences(ttg: Instrument, pwe: Instrument) -> None:
    """The follow-up is about a participant; the experience questions are for peer workers."""
    assert ttg.audience == "participant"
    assert pwe.audience == "worker"


def test_every_follow_up_field_is_reportable(ttg: Instrument) -> None:
    """Every coded follow-up item appears in at least one scale; only the notes are in none."""
    in_scales = {i for s in ttg.scales for i in s.items}
    unscored = {item.id for item in ttg.items if item.id not in in_scales}
    assert unscored == {"notes"}


# (answers, scale, hand-worked score, band)
FOLLOW_UP = [
    ({"met_at_gate": "yes"}, "met_at_gate", 1, "Yes"),
    ({"met_at_gate": "no"}, "met_at_gate", 0, "No"),
    ({"abstinent_since_release": "yes"}, "abstinent_since_release", 1, "Yes"),
    ({"family_contact": "no"}, "family_contact", 0, "No"),
    ({"housing_on_release": 3}, "nfa_on_release", 0, "Housed"),  # supported or recovery housing
    ({"housing_now": 6}, "nfa_now", 1, "No fixed abode or sleeping rough"),
    ({"housing_now": 7}, "nfa_now", 0, "Housed"),  # "Other" is not counted as no fixed abode
    ({"offending_or_recall": 0}, "offending_or_recall", 0, "None"),
    ({"offending_or_recall": 2}, "offending_or_recall", 2, "Recalled to prison"),
    ({"mutual_aid_days": 12}, "mutual_aid_days", 12, None),
]


@pytest.mark.parametrize(("answers", "scale", "expected", "band"), FOLLOW_UP)
def test_follow_up_scoring(
    ttg: Instrument, answers: dict[str, object], scale: str, expected: int, band: str | None
) -> None:
    """Yes/no as 1/0, the offending level as coded, housing as a no-fixed-abode indicator."""
    result = score(ttg, answers)[scale]
    assert result.score == expected
    assert result.band == band


def test_skipped_follow_up_question_is_missing_not_zero(ttg: Instrument) -> None:
    """Mutual-aid days skipped as not applicable leave that field missing."""
    sheet = score(ttg, {"mutual_aid": "no", "mutual_aid_days": Missing("not_applicable")})
    assert sheet["mutual_aid"].score == 0
    assert sheet["mutual_aid_days"].score is None


def test_follow_up_rejects_more_than_28_days(ttg: Instrument) -> None:
    """The past four weeks have at most 28 days."""
    with pytest.raises(InvalidResponse, match=r"mutual_aid_days.*0 to 28"):
        score(ttg, {"mutual_aid_days": 29})


def test_follow_up_notes_are_stored_but_never_scored(ttg: Instrument) -> None:
    """The notes are kept exactly as written and do not change any score."""
    base = {"met_at_gate": "yes", "housing_now": 3, "offending_or_recall": 0}
    coerced, problems = check_answers(ttg, {**base, "notes": NOTE})
    assert problems == []
    assert coerced["notes"] == NOTE
    with_note, without = score(ttg, {**base, "notes": NOTE}), score(ttg, base)
    assert with_note.scales == without.scales
    assert all("notes" not in s.items for s in ttg.scales)


def test_peer_worker_questions_are_open_and_unscored(pwe: Instrument) -> None:
    """Seven open questions, one per area of the paper's questionnaire, and no scales."""
    assert [item.kind for item in pwe.items] == ["text"] * 7
    assert pwe.scales == ()
    answers = {item.id: f"answer to {item.id}" for item in pwe.items}
    coerced, problems = check_answers(pwe, answers)
    assert problems == []
    assert coerced == answers
    assert score(pwe, answers).scales == ()


def test_peer_worker_answers_may_be_skipped(pwe: Instrument) -> None:
    """No question is compulsory; a skipped one is stored as missing with its reason."""
    assert pwe.allow_skip
    assert not any(item.required for item in pwe.items)
    coerced, problems = check_answers(pwe, {"background": "declined"})
    assert problems == []
    assert coerced["background"] == Missing("declined")


def test_free_text_cannot_be_added_to_a_scale() -> None:
    """Putting the notes into a scale is refused when the file is loaded, naming the item."""
    data = tomllib.loads((bundled_dir() / "ttg_followup.toml").read_text("utf-8"))
    data["scales"].append({"id": "bad", "name": "Bad", "items": ["notes"], "method": "sum"})
    with pytest.raises(InstrumentError, match="'notes' is free text"):
        Instrument.from_dict(data, source="ttg_followup.toml")
