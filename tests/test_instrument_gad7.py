"""GAD-7: scoring, severity bands and the wording.

Scoring rule (Spitzer, Kroenke, Williams & Löwe 2006, Arch Intern Med 166:1092–1097): the seven
items are scored 0 (Not at all) to 3 (Nearly every day) and summed, 0–21; scores of 5, 10 and 15
are the cut points for mild, moderate and severe anxiety. No missing-item rule is published, so a
missing item leaves the total missing. Expected values are worked out by hand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from recoverycap import Instrument, InvalidResponse, Library, Missing, score
from recoverycap.vectorised import score_frame

ITEMS = [f"q{n}" for n in range(1, 8)]


@pytest.fixture(scope="module")
def gad7(library: Library) -> Instrument:
    return library.get("gad7")


def answers(codes: tuple[int, ...]) -> dict[str, object]:
    return dict(zip(ITEMS, codes, strict=True))


# (codes for items 1–7, hand-worked total, band)
CASES = [
    ((0, 0, 0, 0, 0, 0, 0), 0, "minimal"),  # 0 x 7 = 0, the minimum
    ((1, 1, 1, 1, 0, 0, 0), 4, "minimal"),  # 1 x 4 = 4: top of 0–4
    ((1, 1, 1, 1, 1, 0, 0), 5, "mild"),  # 1 x 5 = 5: bottom of 5–9
    ((3, 3, 3, 0, 0, 0, 0), 9, "mild"),  # 3 x 3 = 9: top of 5–9
    ((2, 2, 2, 2, 2, 0, 0), 10, "moderate"),  # 2 x 5 = 10: bottom of 10–14
    ((2, 2, 2, 2, 2, 2, 2), 14, "moderate"),  # 2 x 7 = 14: top of 10–14
    ((3, 3, 3, 3, 3, 0, 0), 15, "severe"),  # 3 x 5 = 15: bottom of 15–21
    ((3, 3, 3, 3, 3, 3, 3), 21, "severe"),  # 3 x 7 = 21, the maximum
]


@pytest.mark.parametrize(("codes", "total", "band"), CASES, ids=[str(c[1]) for c in CASES])
def test_total_and_band(gad7: Instrument, codes: tuple[int, ...], total: int, band: str) -> None:
    """Hand-worked sums land in Spitzer et al. (2006) bands 0–4/5–9/10–14/15–21, edges on both sides."""
    result = score(gad7, answers(codes))["total"]
    assert result.score == total
    assert result.band == band
    assert result.answered == 7


@pytest.mark.parametrize(
    "missing", [Missing("declined"), Missing("not_applicable"), None, "absent"]
)
def test_missing_item_leaves_total_missing(gad7: Instrument, missing: object) -> None:
    """One missing item among 3s leaves the total missing -- never 18 (a missing answer is not 0)."""
    given = answers((3,) * 7)
    if missing == "absent":
        del given["q7"]
    else:
        given["q7"] = missing
    result = score(gad7, given)["total"]
    assert result.score is None
    assert result.band is None
    assert result.answered == 6


def test_no_alerts(gad7: Instrument) -> None:
    """The GAD-7 has no safeguarding item, so even a maximum score raises no alert."""
    assert gad7.alerts == ()
    assert score(gad7, answers((3,) * 7)).alerts == ()


def test_out_of_range_answer_is_rejected(gad7: Instrument) -> None:
    """4 is not a GAD-7 code."""
    with pytest.raises(InvalidResponse, match=r"q1.*one of 0–3"):
        score(gad7, answers((4, 0, 0, 0, 0, 0, 0)))


def test_scale_definition(gad7: Instrument) -> None:
    """Range 0–21, higher is worse, no prorating; no reliability recorded (Spitzer 2006 not read)."""
    total = gad7.scale("total")
    assert gad7.scale_range(total) == (0, 21)
    assert total.items == tuple(ITEMS)
    assert total.higher_is == "worse"
    assert total.prorate is False
    assert total.reliability is None


def test_anchor_zero_is_not_at_all(gad7: Instrument) -> None:
    """Anchor 0 is exactly "Not at all", not the common misprint "Not at all sure" (Zorowitz et al. 2021)."""
    options = gad7.response_scales["gad_freq"].options
    assert options[0].code == 0
    assert options[0].label == "Not at all"
    assert [o.label for o in options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert all("sure" not in o.label for o in options)


def test_wording_matches_research_notes(gad7: Instrument) -> None:
    """Spot-checks against /work/wording/gad7.md: the form's stem and its comma-free items."""
    # The printed form's stem, without the "any of" that CamCOPS adds.
    assert gad7.instructions == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )
    assert gad7.item("q1").text == "Feeling nervous, anxious or on edge"
    assert gad7.item("q5").text == "Being so restless that it is hard to sit still"
    assert gad7.item("q7").text == "Feeling afraid as if something awful might happen"
    assert len(gad7.items) == 7  # no unverified functioning question


def test_vectorised_agrees_on_examples(gad7: Instrument) -> None:
    """score_frame gives the hand-worked totals and bands, and NaN when an item is missing."""
    rows = [answers(codes) for codes, _, _ in CASES]
    rows.append({**answers((3,) * 7), "q7": "declined"})
    rows.append({**answers((3,) * 7), "q7": math.nan})
    out = score_frame(gad7, pd.DataFrame(rows))
    n = len(CASES)
    assert out["gad7_total"].iloc[:n].tolist() == [total for _, total, _ in CASES]
    assert out["gad7_total_band"].iloc[:n].tolist() == [band for _, _, band in CASES]
    assert out["gad7_total"].iloc[n:].isna().all()
    assert out["gad7_total_answered"].iloc[n:].tolist() == [6, 6]
