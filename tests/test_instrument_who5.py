"""WHO-5: the raw sum, the ×4 index, its bands and the wording.

Scoring rule (WHO 1998 form; Topp et al. 2015, Psychother Psychosom 84:167–176): the five items are
scored 0 (At no time) to 5 (All of the time) and summed, raw 0–25; the index is raw × 4, 0–100,
higher is better. An index of 28 or below suggests depression; below 50 is poor wellbeing. Because
the index moves in steps of 4, the band edges that can occur are 28 | 32 and 48 | 52. No
missing-item rule is published, so a missing item leaves the index missing. Expected values are
worked out by hand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from recoverycap import Instrument, InvalidResponse, Library, Missing, score
from recoverycap.vectorised import score_frame

ITEMS = [f"q{n}" for n in range(1, 6)]
DEPRESSION = "28 or below: suggests depression"
POOR = "below 50: poor wellbeing"
ABOVE = "50 or above"


@pytest.fixture(scope="module")
def who5(library: Library) -> Instrument:
    return library.get("who5")


def answers(codes: tuple[int, ...]) -> dict[str, object]:
    return dict(zip(ITEMS, codes, strict=True))


# (codes for items 1–5, hand-worked raw, hand-worked index = raw x 4, band)
CASES = [
    ((0, 0, 0, 0, 0), 0, 0, DEPRESSION),  # 0 x 4 = 0, the minimum
    ((2, 2, 1, 1, 1), 7, 28, DEPRESSION),  # 2+2+1+1+1 = 7; 7 x 4 = 28: "28 or below"
    ((2, 2, 2, 1, 1), 8, 32, POOR),  # 8 x 4 = 32: the next index above 28
    ((3, 3, 2, 2, 2), 12, 48, POOR),  # 12 x 4 = 48: the highest index below 50
    ((3, 3, 3, 2, 2), 13, 52, ABOVE),  # 13 x 4 = 52: the lowest index of 50 or more
    ((5, 5, 5, 5, 5), 25, 100, ABOVE),  # 25 x 4 = 100, the maximum
]


@pytest.mark.parametrize(("codes", "raw", "index", "band"), CASES, ids=[str(c[2]) for c in CASES])
def test_index_and_band(
    who5: Instrument, codes: tuple[int, ...], raw: int, index: int, band: str
) -> None:
    """Hand-worked raw sums times 4 land in the bands ≤28 / <50 / ≥50 (Topp et al. 2015)."""
    result = score(who5, answers(codes))["index"]
    assert result.raw == raw
    assert result.score == index
    assert result.band == band
    assert result.answered == 5


def test_index_is_raw_times_four_not_raw_minus_five(who5: Instrument) -> None:
    """Raw 13 gives 13 x 4 = 52, not the wrong (13 - 5) x 4 = 32 of calculator.dev."""
    result = score(who5, answers((3, 3, 3, 2, 2)))["index"]
    assert result.raw == 13
    assert result.score == 52
    assert result.score != (13 - 5) * 4
    assert result.band == ABOVE  # the wrong formula would put this person in "poor wellbeing"
    # And all "At no time" is 0, not the wrong formula's -20.
    assert score(who5, answers((0,) * 5))["index"].score == 0
    assert who5.scale("index").factor == 4


@pytest.mark.parametrize(
    ("value", "band"),
    [(28, DEPRESSION), (29, POOR), (49, POOR), (50, ABOVE)],
)
def test_band_edges_on_the_index(who5: Instrument, value: float, band: str) -> None:
    """The file's bands put 28 in "28 or below", 49 in "below 50" and 50 in "50 or above"."""
    assert who5.scale("index").band_for(value) == band


@pytest.mark.parametrize("missing", [Missing("declined"), Missing("not_asked"), None, "absent"])
def test_missing_item_leaves_index_missing(who5: Instrument, missing: object) -> None:
    """One missing item among 5s leaves the index missing -- never 80 (a missing answer is not 0)."""
    given = answers((5,) * 5)
    if missing == "absent":
        del given["q3"]
    else:
        given["q3"] = missing
    result = score(who5, given)["index"]
    assert result.score is None
    assert result.raw is None
    assert result.band is None
    assert result.answered == 4


def test_out_of_range_answer_is_rejected(who5: Instrument) -> None:
    """6 is not a WHO-5 code."""
    with pytest.raises(InvalidResponse, match=r"q2: 6 is not one of 0–5"):
        score(who5, answers((0, 6, 0, 0, 0)))


def test_scale_definition(who5: Instrument) -> None:
    """Range 0–100, higher is better, no reverse-keyed items, no prorating."""
    index = who5.scale("index")
    assert who5.scale_range(index) == (0, 100)
    assert index.higher_is == "better"
    assert index.prorate is False
    assert not any(item.reverse for item in who5.items)


def test_wording_matches_research_notes(who5: Instrument) -> None:
    """Spot-checks against /work/wording/who5.md: the 1998 form's items, labels and instruction."""
    assert [item.text for item in who5.items] == [
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
    ]
    assert [(o.code, o.label) for o in who5.response_scales["who5_freq"].options] == [
        (5, "All of the time"),  # not jsPsych's "All the time"
        (4, "Most of the time"),
        (3, "More than half of the time"),
        (2, "Less than half of the time"),
        (1, "Some of the time"),
        (0, "At no time"),
    ]
    assert who5.instructions.startswith(
        "Please indicate for each of the five statements which is closest to how you have been"
        " feeling over the last two weeks."
    )
    assert who5.instructions.endswith("Notice that higher numbers mean better well-being.")


def test_vectorised_agrees_on_examples(who5: Instrument) -> None:
    """score_frame gives the hand-worked indexes and bands, and NaN when an item is missing."""
    rows = [answers(codes) for codes, _, _, _ in CASES]
    rows.append({**answers((5,) * 5), "q3": "declined"})
    rows.append({**answers((5,) * 5), "q3": math.nan})
    out = score_frame(who5, pd.DataFrame(rows))
    n = len(CASES)
    assert out["who5_index"].iloc[:n].tolist() == [index for _, _, index, _ in CASES]
    assert out["who5_index_band"].iloc[:n].tolist() == [band for _, _, _, band in CASES]
    assert out["who5_index"].iloc[n:].isna().all()
    assert out["who5_index_answered"].iloc[n:].tolist() == [4, 4]
