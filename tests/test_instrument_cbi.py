"""Copenhagen Burnout Inventory (instruments/cbi.toml): scoring checked by hand.

Rules (source: "Copenhagen Burnout Inventory (English version) used in the PUMA study", Parts one and
two; Kristensen et al. 2005): every item scores Always/To a very high degree 100, Often/To a high
degree 75, Sometimes/Somewhat 50, Seldom/To a low degree 25, Never/almost never/To a very low degree
0; "Total score on the scale is the average of the scores on the items"; work-related item 7 is
reversed (100 minus its score); a respondent with fewer than 3 personal or fewer than 4 work-related
items answered is a non-responder. Client-related: fewer than 3 answered [unverified, project
reference sheet]. 50 or more = high burnout (PUMA, project reference sheet). Stored codes are
4 (Always) down to 0 (Never/almost never).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recoverycap
from recoverycap import Instrument, Missing
from recoverycap.vectorised import score_frame

PERSONAL = ["p1", "p2", "p3", "p4", "p5", "p6"]
WORK = ["w1", "w2", "w3", "w4", "w5", "w6", "w7"]
CLIENT = ["c1", "c2", "c3", "c4", "c5", "c6"]
HIGH = "high burnout (50 or more)"
LOW = "below 50"

# code -> published score (PUMA document, Part one: "Always: 100. Often: 75. Sometimes: 50.
# Seldom: 25. Never/almost never: 0."; degree items "Scoring as for the first scale").
PUBLISHED = {4: 100, 3: 75, 2: 50, 1: 25, 0: 0}


@pytest.fixture(scope="module")
def cbi(library: recoverycap.Library) -> Instrument:
    return library.get("cbi")


def _scores(inst: Instrument, answers: dict[str, Any]) -> dict[str, float | None]:
    sheet = recoverycap.score(inst, answers)
    return {s.scale: s.score for s in sheet.scales}


# (case id, answers, expected personal, work, client) -- each worked by hand in the comment.
CASES: list[tuple[str, dict[str, Any], float | None, float | None, float | None]] = [
    # Personal: Always, Sometimes, Never = (100 + 50 + 0) / 3 = 50.0 with 3 answered (minimum met).
    ("personal_3_answered", {"p1": 4, "p2": 2, "p3": 0}, 50.0, None, None),
    # Personal: 2 answered (< 3) -> non-responder, even though both say Always.
    ("personal_2_answered", {"p1": 4, "p2": 4}, None, None, None),
    # Personal: 3 Always + 3 declined = 300 / 3 = 100 (declined is missing, never 0: not 300/6 = 50).
    (
        "personal_declined_not_zero",
        {
            "p1": 4,
            "p2": 4,
            "p3": 4,
            "p4": Missing("declined"),
            "p5": Missing("declined"),
            "p6": Missing("declined"),
        },
        100.0,
        None,
        None,
    ),
    # Personal: 75 + 25 + 50 + 50 + 75 + 25 = 300; 300 / 6 = 50.0 exactly -> high band.
    ("personal_exactly_50", dict(zip(PERSONAL, [3, 1, 2, 2, 3, 1], strict=True)), 50.0, None, None),
    # Personal: 75 + 25 + 50 + 50 + 50 + 25 = 275; 275 / 6 = 45.8333... -> below 50.
    (
        "personal_below_50",
        dict(zip(PERSONAL, [3, 1, 2, 2, 2, 1], strict=True)),
        275 / 6,
        None,
        None,
    ),
    # Work: w1-w3 To a very low degree (0 each) + w7 Never/almost never enough energy:
    # reverse 0 -> 4 -> 100. (0 + 0 + 0 + 100) / 4 = 25.0, 4 answered (minimum met).
    ("work_4_answered_reversed", {"w1": 0, "w2": 0, "w3": 0, "w7": 0}, None, 25.0, None),
    # Work: 3 answered (< 4) -> non-responder.
    ("work_3_answered", {"w1": 4, "w2": 4, "w3": 4}, None, None, None),
    # Work: all seven Always/To a very high degree: 6 x 100 + reversed w7 (Always -> 0) = 600;
    # 600 / 7 = 85.714...
    ("work_all_always", dict.fromkeys(WORK, 4), None, 600 / 7, None),
    # Work: 75 x 3 (w1-w3) + 50 x 3 (w4-w6) + reversed w7 Sometimes (2 -> 2, 50) = 225 + 150 + 50
    # = 425; 425 / 7 = 60.714...
    ("work_mixed", dict(zip(WORK, [3, 3, 3, 2, 2, 2, 2], strict=True)), None, 425 / 7, None),
    # Work: w1-w6 Seldom/To a low degree (25 each) + w7 Seldom (1 -> reversed 3 -> 75)
    # = 150 + 75 = 225; 225 / 7 = 32.142...
    ("work_reversed_seldom", dict(zip(WORK, [1] * 7, strict=True)), None, 225 / 7, None),
    # Client: 3 answered, To a high degree / Somewhat / To a low degree = (75 + 50 + 25) / 3 = 50.0.
    ("client_3_answered", {"c1": 3, "c2": 2, "c3": 1}, None, None, 50.0),
    # Client: 2 answered (< 3) -> no score.
    ("client_2_answered", {"c1": 4, "c6": 4}, None, None, None),
    # Client: all six To a low degree / Seldom = 25 each; mean 25.0.
    ("client_all_low", dict.fromkeys(CLIENT, 1), None, None, 25.0),
]


@pytest.mark.parametrize(
    ("answers", "personal", "work", "client"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_hand_worked_examples(
    cbi: Instrument,
    answers: dict[str, Any],
    personal: float | None,
    work: float | None,
    client: float | None,
) -> None:
    """Each scale is the mean of its answered items; too few answered leaves it missing.

    Checked by hand against the PUMA document's rules (see each case's comment).
    """
    got = _scores(cbi, answers)
    for scale_id, expected in (("personal", personal), ("work", work), ("client", client)):
        if expected is None:
            assert got[scale_id] is None, scale_id
        else:
            assert got[scale_id] == pytest.approx(expected, abs=1e-12), scale_id


@pytest.mark.parametrize(("code", "value"), sorted(PUBLISHED.items()))
def test_every_frequency_code_scores_as_published(cbi: Instrument, code: int, value: int) -> None:
    """Personal items all answered with one code: the mean is that code's published score.

    PUMA document, Part one: Always 100, Often 75, Sometimes 50, Seldom 25, Never/almost never 0.
    """
    sheet = recoverycap.score(cbi, dict.fromkeys(PERSONAL, code))
    assert sheet["personal"].score == value


@pytest.mark.parametrize(("code", "value"), sorted(PUBLISHED.items()))
def test_every_degree_code_scores_as_published(cbi: Instrument, code: int, value: int) -> None:
    """Work items w1-w3 (degree set) and w4-w6 (frequency set) with one code: mean = its score.

    PUMA document, Part two: "Scoring as for the first scale" (To a very high degree 100 ... To a
    very low degree 0). Six items answered (>= 4), w7 left out, so no reversal is involved.
    """
    sheet = recoverycap.score(cbi, dict.fromkeys(WORK[:6], code))
    assert sheet["work"].score == value
    assert sheet["work"].answered == 6


@pytest.mark.parametrize(("code", "value"), sorted(PUBLISHED.items()))
def test_reversed_work_item_scores_100_minus_published(
    cbi: Instrument, code: int, value: int
) -> None:
    """w7 ("enough energy for family and friends") scores 100 minus its published value.

    PUMA document, Part two: "Reversed score for last question". With w1-w3 at 0 and w7 answered,
    the mean is (0 + 0 + 0 + (100 - value)) / 4; e.g. Always (100) -> 0 -> mean 0; Never (0) ->
    100 -> mean 25.
    """
    sheet = recoverycap.score(cbi, {"w1": 0, "w2": 0, "w3": 0, "w7": code})
    assert sheet["work"].score == pytest.approx((100 - value) / 4)


def test_only_w7_is_reverse_keyed(cbi: Instrument) -> None:
    """Exactly one CBI item is reverse-keyed, and it is the leisure-time energy item."""
    reversed_items = [i for i in cbi.items if i.reverse]
    assert [i.id for i in reversed_items] == ["w7"]
    assert "enough energy for family and friends during leisure time" in reversed_items[0].text


@pytest.mark.parametrize(
    ("scale_id", "items", "minimum"),
    [("personal", PERSONAL, 3), ("work", WORK, 4), ("client", CLIENT, 3)],
)
def test_minimum_answered_on_both_sides(
    cbi: Instrument, scale_id: str, items: list[str], minimum: int
) -> None:
    """At the minimum the scale is scored (all Sometimes: 50); one fewer leaves it missing."""
    at_min = recoverycap.score(cbi, dict.fromkeys(items[:minimum], 2))[scale_id]
    below = recoverycap.score(cbi, dict.fromkeys(items[: minimum - 1], 2))[scale_id]
    assert (at_min.score, at_min.answered) == (50.0, minimum)
    assert (below.score, below.band, below.answered) == (None, None, minimum - 1)


@pytest.mark.parametrize("scale_id", ["personal", "work", "client"])
@pytest.mark.parametrize(
    ("score", "band"),
    [(0.0, LOW), (49.99, LOW), (49.999999, LOW), (50.0, HIGH), (50.000001, HIGH), (100.0, HIGH)],
)
def test_band_edges(cbi: Instrument, scale_id: str, score: float, band: str) -> None:
    """50 or more is high burnout; anything below 50 is not (PUMA, project reference sheet)."""
    assert cbi.scale(scale_id).band_for(score) == band


def test_band_of_scored_examples(cbi: Instrument) -> None:
    """Exactly 50 (300 / 6) falls in the high band; 275 / 6 = 45.83 falls below it."""
    at_50 = recoverycap.score(cbi, dict(zip(PERSONAL, [3, 1, 2, 2, 3, 1], strict=True)))
    below = recoverycap.score(cbi, dict(zip(PERSONAL, [3, 1, 2, 2, 2, 1], strict=True)))
    assert (at_50["personal"].score, at_50["personal"].band) == (50.0, HIGH)
    assert below["personal"].band == LOW


def test_structure(cbi: Instrument) -> None:
    """Three scales of 6, 7 and 6 items, each a 0-100 mean, worse when higher; no total."""
    assert [s.id for s in cbi.scales] == ["personal", "work", "client"]
    assert [len(s.items) for s in cbi.scales] == [6, 7, 6]
    for scale in cbi.scales:
        assert scale.method == "mean"
        assert scale.higher_is == "worse"
        assert cbi.scale_range(scale) == (0.0, 100.0)
    assert cbi.audience == "worker"
    degree = {i.id for i in cbi.items if i.scale == "degree"}
    assert degree == {"w1", "w2", "w3", "c1", "c2", "c3", "c4"}


def test_client_substitution_replaces_the_word(cbi: Instrument) -> None:
    """The organisation's word replaces "clients" in every client-related item, and nowhere else."""
    subs = {"client": "prisoners"}
    assert cbi.text(cbi.item("c1").text, subs) == "Do you find it hard to work with prisoners?"
    assert cbi.text(cbi.item("c6").text, subs) == (
        "Do you sometimes wonder how long you will be able to continue working with prisoners?"
    )
    for item_id in CLIENT:
        text = cbi.text(cbi.item(item_id).text, subs)
        assert "prisoners" in text and "clients" not in text, item_id
    for item_id in PERSONAL + WORK:
        assert cbi.text(cbi.item(item_id).text, subs) == cbi.item(item_id).text
    # unset: the default word, i.e. the published text
    assert cbi.text(cbi.item("c1").text) == "Do you find it hard to work with clients?"


def test_invalid_code_is_rejected(cbi: Instrument) -> None:
    """A code outside 0-4 is an error naming the item, not a score."""
    with pytest.raises(recoverycap.InvalidResponse) as info:
        recoverycap.score(cbi, {"p1": 5})
    assert info.value.problems[0].field == "p1"


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows of answers as a wide DataFrame; Missing(reason) becomes the reason word."""
    clean = [
        {k: (v.reason if isinstance(v, Missing) else v) for k, v in row.items()} for row in rows
    ]
    return pd.DataFrame(clean, columns=columns)


def test_vectorised_scorer_agrees_on_the_examples(cbi: Instrument) -> None:
    """score_frame gives the same scores and bands as score() and the hand-worked values."""
    frame = _frame([c[1] for c in CASES], list(cbi.item_ids))
    out = score_frame(cbi, frame)
    for row, (case_id, answers, *expected) in enumerate(CASES):
        sheet = recoverycap.score(cbi, answers)
        for scale_id, want in zip(("personal", "work", "client"), expected, strict=True):
            got = out[f"cbi_{scale_id}"].iloc[row]
            band = out[f"cbi_{scale_id}_band"].iloc[row]
            if want is None:
                assert math.isnan(got), (case_id, scale_id)
                assert pd.isna(band), (case_id, scale_id)
            else:
                assert got == sheet[scale_id].score, (case_id, scale_id)
                assert got == pytest.approx(want, abs=1e-12), (case_id, scale_id)
                assert band == sheet[scale_id].band, (case_id, scale_id)


_answer = st.one_of(st.integers(0, 4), st.just(None), st.just("declined"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({i: _answer for i in PERSONAL + WORK + CLIENT}),
        min_size=1,
        max_size=5,
    )
)
def test_vectorised_matches_scalar_on_random_answers(
    library: recoverycap.Library, rows: list[dict[str, Any]]
) -> None:
    """On any valid answers the two scorers agree exactly and every score lies in 0-100."""
    cbi = library.get("cbi")
    out = score_frame(cbi, pd.DataFrame(rows))
    for n, answers in enumerate(rows):
        sheet = recoverycap.score(cbi, answers)
        for s in sheet.scales:
            got = out[f"cbi_{s.scale}"].iloc[n]
            if s.score is None:
                assert math.isnan(got)
            else:
                assert got == s.score
                assert 0 <= s.score <= 100
