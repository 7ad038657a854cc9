"""K10: scoring, bands and the wording.

Scoring rule (ABS Information Paper 4817.0.55.001, 2012, Table D; Kessler et al. 2002): each item
is scored 1 (None of the time) to 5 (All of the time) and the ten are summed, 10–50. Bands: the
primary-care groupings (CRUfAD/GPcare) under 20 likely to be well, 20–24 mild, 25–29 moderate,
30 and over severe psychological distress. No missing-item rule is used, so a missing item leaves
the total missing. Expected values are worked out by hand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from recoverycap import Instrument, InvalidResponse, Library, Missing, score
from recoverycap.vectorised import score_frame

ITEMS = [f"q{n}" for n in range(1, 11)]


@pytest.fixture(scope="module")
def k10(library: Library) -> Instrument:
    return library.get("k10")


def answers(codes: tuple[int, ...]) -> dict[str, object]:
    return dict(zip(ITEMS, codes, strict=True))


# (codes for items 1a–1j, hand-worked total, band)
MILD = "mild psychological distress"
MODERATE = "moderate psychological distress"
SEVERE = "severe psychological distress"
CASES = [
    ((1,) * 10, 10, "likely to be well"),  # 1 x 10 = 10, the minimum
    ((2, 2, 2, 2, 2, 2, 2, 2, 2, 1), 19, "likely to be well"),  # 2 x 9 + 1 = 19: top of 10–19
    ((2,) * 10, 20, MILD),  # 2 x 10 = 20: bottom of 20–24
    ((3, 3, 3, 3, 2, 2, 2, 2, 2, 2), 24, MILD),  # 3 x 4 + 2 x 6 = 24: top of 20–24
    ((3, 3, 3, 3, 3, 2, 2, 2, 2, 2), 25, MODERATE),  # 3 x 5 + 2 x 5 = 25: bottom of 25–29
    ((3, 3, 3, 3, 3, 3, 3, 3, 3, 2), 29, MODERATE),  # 3 x 9 + 2 = 29: top of 25–29
    ((3,) * 10, 30, SEVERE),  # 3 x 10 = 30: bottom of 30–50
    ((5,) * 10, 50, SEVERE),  # 5 x 10 = 50, the maximum
]


@pytest.mark.parametrize(("codes", "total", "band"), CASES, ids=[str(c[1]) for c in CASES])
def test_total_and_band(k10: Instrument, codes: tuple[int, ...], total: int, band: str) -> None:
    """Hand-worked sums land in the bands 10–19/20–24/25–29/30–50, edges on both sides."""
    result = score(k10, answers(codes))["total"]
    assert result.score == total
    assert result.band == band
    assert result.answered == 10


def test_items_are_not_scored_from_zero(k10: Instrument) -> None:
    """Codes run 1–5 (ABS Table D), not the US 0–4: 0 is rejected and all "None of the time" is 10."""
    with pytest.raises(InvalidResponse, match=r"q1.*one of 1–5"):
        score(k10, answers((0,) + (1,) * 9))
    assert score(k10, answers((1,) * 10))["total"].score == 10


@pytest.mark.parametrize("missing", [Missing("declined"), Missing("dont_know"), None, "absent"])
def test_missing_item_leaves_total_missing(k10: Instrument, missing: object) -> None:
    """One missing item among 5s leaves the total missing -- never 45 (a missing answer is not 0)."""
    given = answers((5,) * 10)
    if missing == "absent":
        del given["q10"]
    else:
        given["q10"] = missing
    result = score(k10, given)["total"]
    assert result.score is None
    assert result.band is None
    assert result.answered == 9


def test_scale_definition(k10: Instrument) -> None:
    """Range 10–50, higher is worse, no prorating, no alerts."""
    total = k10.scale("total")
    assert k10.scale_range(total) == (10, 50)
    assert total.items == tuple(ITEMS)
    assert total.higher_is == "worse"
    assert total.prorate is False
    assert k10.alerts == ()


def test_wording_matches_research_notes(k10: Instrument) -> None:
    """Spot-checks against /work/wording/k10.md: CLOSER wiki items 1a–1j in the standard order."""
    stems = [
        "tired out for no good reason",
        "nervous",
        "so nervous that nothing could calm you down",
        "hopeless",
        "restless or fidgety",
        "so restless that you could not sit still",
        "depressed",
        "so depressed that nothing could cheer you up",
        "that everything was an effort",
        "worthless",
    ]
    for item, stem in zip(k10.items, stems, strict=True):
        assert item.text == f"During the past 30 days, about how often did you feel {stem}?"
    assert [(o.code, o.label) for o in k10.response_scales["k10_freq"].options] == [
        (1, "None of the time"),
        (2, "A little of the time"),
        (3, "Some of the time"),
        (4, "Most of the time"),
        (5, "All of the time"),
    ]
    # No publisher's instruction sentence was found, so none is given.
    assert k10.instructions == ""


def test_vectorised_agrees_on_examples(k10: Instrument) -> None:
    """score_frame gives the hand-worked totals and bands, and NaN when an item is missing."""
    rows = [answers(codes) for codes, _, _ in CASES]
    rows.append({**answers((5,) * 10), "q10": "declined"})
    rows.append({**answers((5,) * 10), "q10": math.nan})
    out = score_frame(k10, pd.DataFrame(rows))
    n = len(CASES)
    assert out["k10_total"].iloc[:n].tolist() == [total for _, total, _ in CASES]
    assert out["k10_total_band"].iloc[:n].tolist() == [band for _, _, band in CASES]
    assert out["k10_total"].iloc[n:].isna().all()
    assert out["k10_total_answered"].iloc[n:].tolist() == [9, 9]
