"""PHQ-9: scoring, severity bands, the item-9 safeguarding alert and the wording.

Scoring rule (Kroenke, Spitzer & Williams 2001, J Gen Intern Med 16:606–613): items 1–9 are scored
0 (Not at all) to 3 (Nearly every day) and summed, 0–27; "PHQ-9 scores of 5, 10, 15, and 20
represented mild, moderate, moderately severe, and severe depression". No missing-item rule is
published, so a missing item leaves the total missing. Expected values are worked out by hand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from recoverycap import Instrument, InvalidResponse, Library, Missing, score
from recoverycap.vectorised import score_frame

ITEMS = [f"q{n}" for n in range(1, 10)]


@pytest.fixture(scope="module")
def phq9(library: Library) -> Instrument:
    return library.get("phq9")


def answers(codes: tuple[int, ...], **extra: object) -> dict[str, object]:
    """Items q1..q9 in order, plus any extra answers (e.g. the difficulty item)."""
    return {**dict(zip(ITEMS, codes, strict=True)), **extra}


# (codes for items 1–9, hand-worked total, band) -- each total worked out in the comment.
CASES = [
    ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "minimal"),  # 0 x 9 = 0, the minimum
    ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "minimal"),  # 1+1+1+1 = 4: top of 0–4
    ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "mild"),  # 1 x 5 = 5: bottom of 5–9
    ((3, 3, 3, 0, 0, 0, 0, 0, 0), 9, "mild"),  # 3+3+3 = 9: top of 5–9
    ((2, 2, 2, 2, 2, 0, 0, 0, 0), 10, "moderate"),  # 2 x 5 = 10: bottom of 10–14
    ((2, 2, 2, 2, 2, 2, 2, 0, 0), 14, "moderate"),  # 2 x 7 = 14: top of 10–14
    ((3, 3, 3, 3, 3, 0, 0, 0, 0), 15, "moderately severe"),  # 3 x 5 = 15: bottom of 15–19
    ((3, 3, 3, 3, 3, 2, 2, 0, 0), 19, "moderately severe"),  # 15 + 2 + 2 = 19: top of 15–19
    ((3, 3, 3, 3, 2, 2, 2, 2, 0), 20, "severe"),  # 12 + 8 = 20: bottom of 20–27
    ((3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "severe"),  # 3 x 9 = 27, the maximum
]


@pytest.mark.parametrize(("codes", "total", "band"), CASES, ids=[str(c[1]) for c in CASES])
def test_total_and_band(phq9: Instrument, codes: tuple[int, ...], total: int, band: str) -> None:
    """Hand-worked sums land in Kroenke et al. (2001) bands 0–4/5–9/10–14/15–19/20–27, edges on both sides."""
    result = score(phq9, answers(codes))["total"]
    assert result.score == total
    assert result.raw == total
    assert result.band == band
    assert result.answered == 9
    assert not result.prorated


def test_difficulty_item_is_not_scored(phq9: Instrument) -> None:
    """The functioning question is stored but adds nothing: 0 x 9 = 0 whatever its answer (Kroenke 2001)."""
    for code in (0, 1, 2, 3):
        assert score(phq9, answers((0,) * 9, difficulty=code))["total"].score == 0
    # Four 1s and "Extremely difficult" is still 4, not 7.
    assert score(phq9, answers((1, 1, 1, 1, 0, 0, 0, 0, 0), difficulty=3))["total"].score == 4


def test_difficulty_item_is_optional(phq9: Instrument) -> None:
    """Skipping the functioning question leaves the total intact: 2 x 9 = 18."""
    assert phq9.item("difficulty").required is False
    assert all(phq9.item(i).required for i in ITEMS)
    for missing in (None, Missing("declined")):
        result = score(phq9, answers((2,) * 9, difficulty=missing))["total"]
        assert result.score == 18
        assert result.band == "moderately severe"


@pytest.mark.parametrize("missing", [Missing("declined"), Missing("dont_know"), None, "absent"])
def test_missing_item_leaves_total_missing(phq9: Instrument, missing: object) -> None:
    """One missing item among 3s leaves the total missing -- never 24 (a missing answer is not 0)."""
    given = answers((3,) * 9)
    if missing == "absent":
        del given["q5"]
    else:
        given["q5"] = missing
    result = score(phq9, given)["total"]
    assert result.score is None
    assert result.raw is None
    assert result.band is None
    assert result.answered == 8


@pytest.mark.parametrize("code", [1, 2, 3])
def test_item9_alert_fires_above_zero(phq9: Instrument, code: int) -> None:
    """Item 9 above "Not at all" raises the safeguarding alert, even with every other item missing."""
    for given in (answers((0,) * 8 + (code,)), {"q9": code}):
        hits = score(phq9, given).alerts
        assert len(hits) == 1
        hit = hits[0]
        assert hit.alert == "self_harm"
        assert hit.kind == "safeguarding"
        assert hit.item == "q9"
        assert hit.value == code
        assert "safeguarding procedure now" in hit.message


@pytest.mark.parametrize("value", [0, Missing("declined"), Missing("not_asked"), None, "absent"])
def test_item9_alert_silent_for_zero_or_missing(phq9: Instrument, value: object) -> None:
    """Item 9 answered "Not at all", or not answered, raises no alert (even when other items are 3)."""
    given = answers((3,) * 8 + (0,))
    if value == "absent":
        del given["q9"]
    else:
        given["q9"] = value
    assert score(phq9, given).alerts == ()


def test_alert_definition(phq9: Instrument) -> None:
    """The file defines exactly one alert: item q9, code > 0, safeguarding."""
    (alert,) = phq9.alerts
    assert (alert.item, alert.op, alert.threshold, alert.kind) == ("q9", ">", 0, "safeguarding")
    assert [alert.triggered(c) for c in (0, 1, 2, 3)] == [False, True, True, True]


def test_out_of_range_answer_is_rejected(phq9: Instrument) -> None:
    """4 is not a PHQ-9 code; the error names the item and the allowed codes."""
    with pytest.raises(InvalidResponse, match=r"q3.*one of 0–3"):
        score(phq9, answers((0, 0, 4, 0, 0, 0, 0, 0, 0)))


def test_scale_definition(phq9: Instrument) -> None:
    """Range 0–27, higher is worse, no prorating, α .89 (Kroenke et al. 2001)."""
    total = phq9.scale("total")
    assert phq9.scale_range(total) == (0, 27)
    assert total.items == tuple(ITEMS)
    assert total.higher_is == "worse"
    assert total.prorate is False
    assert total.min_answered == 9
    assert total.reliability is not None
    assert total.reliability.value == 0.89


def test_wording_matches_research_notes(phq9: Instrument) -> None:
    """Spot-checks against /work/wording/phq9.md (CamCOPS phq9.xml = the current form)."""
    assert phq9.instructions == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert [o.label for o in phq9.response_scales["phq_freq"].options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert [o.code for o in phq9.response_scales["phq_freq"].options] == [0, 1, 2, 3]
    assert phq9.item("q2").text == "Feeling down, depressed, or hopeless"
    # Items 6 and 8: an em dash (U+2014) with spaces; item 8 keeps "noticed?".
    assert " \u2014 or that you are a failure" in phq9.item("q6").text
    assert phq9.item("q8").text.startswith(
        "Moving or speaking so slowly that other people could have noticed? Or the opposite \u2014 "
    )
    # Current form, not the 1999 form ("better off dead, or of hurting yourself").
    assert phq9.item("q9").text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert phq9.item("difficulty").text.startswith("If you checked off any problems, how difficult")
    assert [o.label for o in phq9.response_scales["phq_difficulty"].options] == [
        "Not difficult at all",
        "Somewhat difficult",
        "Very difficult",
        "Extremely difficult",
    ]
    assert (
        "No permission required to reproduce, translate, display or distribute." in phq9.copyright
    )


def test_vectorised_agrees_on_examples(phq9: Instrument) -> None:
    """score_frame gives the hand-worked totals and bands, NaN for a missing item, for every example."""
    rows = [answers(codes, difficulty=3) for codes, _, _ in CASES]
    rows.append({**answers((3,) * 9), "q5": "declined"})
    rows.append({**answers((3,) * 9), "q5": math.nan})
    frame = pd.DataFrame(rows)
    out = score_frame(phq9, frame)
    expected = [total for _, total, _ in CASES]
    assert out["phq9_total"].iloc[: len(CASES)].tolist() == expected
    assert out["phq9_total_band"].iloc[: len(CASES)].tolist() == [band for _, _, band in CASES]
    assert out["phq9_total"].iloc[len(CASES) :].isna().all()
    assert out["phq9_total_answered"].iloc[len(CASES) :].tolist() == [8, 8]
    for i, codes in enumerate(rows[: len(CASES)]):
        assert score(phq9, codes)["total"].score == out["phq9_total"].iloc[i]
