"""TOP (community and secure setting): weekly day counts, 28-day totals, ratings and yes/no fields.

Scoring rules from the forms themselves (community TOP form, studyres.com/doc/1236685/top-form;
secure-setting TOP form, vdocuments.mx/treatment-outcomes-profile-secure-setting.html): each week's
days are 0–7 and the "Total" / "Total for NDTMS return" column is their sum, 0–28; the 0–20 ratings
run from POOR (0) to GOOD (20) and are reported as given; the two sharing questions return "Y if
either is yes", otherwise "N"; there is no total score. Expected values are worked out by hand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from recoverycap import Instrument, InvalidResponse, Library, Missing, score
from recoverycap.vectorised import score_frame

SUBSTANCES = ["alcohol", "opiates", "crack", "cocaine", "amphetamines", "cannabis", "other"]
RATINGS = ["psychological_health", "physical_health", "quality_of_life"]


@pytest.fixture(scope="module", params=["top", "top_secure"])
def top(request: pytest.FixtureRequest, library: Library) -> Instrument:
    return library.get(request.param)


def weeks(prefix: str, w4: object, w3: object, w2: object, w1: object) -> dict[str, object]:
    return {f"{prefix}_w4": w4, f"{prefix}_w3": w3, f"{prefix}_w2": w2, f"{prefix}_w1": w1}


def test_is_a_validated_record_without_a_total(top: Instrument) -> None:
    """TOP is validated (Marsden et al. 2008), allows NA skips and has no total score."""
    assert top.validated
    assert top.allow_skip
    assert top.text_bundled
    assert any("Marsden" in c for c in top.citations)
    ids = {s.id for s in top.scales}
    assert "total" not in ids
    # Every scale is one row's 28-day total, one rating, or a yes/no field: none spans sections.
    for scale in top.scales:
        sections = {top.item(i).section for i in scale.items}
        assert len(sections) == 1, scale.id


# (Week 4, Week 3, Week 2, Week 1, hand-worked total)
WEEKS = [
    (7, 7, 0, 3, 17),  # 7 + 7 + 0 + 3 = 17
    (0, 0, 0, 0, 0),  # no use at all: a real 0, not missing
    (7, 7, 7, 7, 28),  # every day: the maximum 28
    (1, 2, 3, 4, 10),  # 1 + 2 + 3 + 4 = 10
]


@pytest.mark.parametrize(("w4", "w3", "w2", "w1", "total"), WEEKS)
@pytest.mark.parametrize("substance", SUBSTANCES)
def test_weekly_days_sum_to_the_28_day_total(
    top: Instrument, substance: str, w4: int, w3: int, w2: int, w1: int, total: int
) -> None:
    """The four weekly counts add up to the form's 0–28 total for each substance."""
    result = score(top, weeks(substance, w4, w3, w2, w1))[f"{substance}_days"]
    assert result.score == total
    assert result.answered == 4
    assert not result.prorated
    lo, hi = top.scale_range(top.scale(f"{substance}_days"))
    assert (lo, hi) == (0, 28)


@pytest.mark.parametrize("prefix", ["injected", "shoplifting", "drug_selling", "paid_work"])
def test_other_weekly_rows_total_the_same_way(top: Instrument, prefix: str) -> None:
    """Injecting, shoplifting, drug selling and paid work days total like substance days: 2+0+5+6 = 13."""
    assert score(top, weeks(prefix, 2, 0, 5, 6))[f"{prefix}_days"].score == 13


@pytest.mark.parametrize("missing", [None, "", Missing("declined"), "not_asked"])
def test_a_missing_week_leaves_the_total_missing(top: Instrument, missing: object) -> None:
    """7 + 7 + [missing] + 3 is not 17 and not prorated: the total is missing (never a 0)."""
    result = score(top, weeks("alcohol", 7, 7, missing, 3))["alcohol_days"]
    assert result.score is None
    assert result.raw is None
    assert result.answered == 3


def test_each_row_is_scored_on_its_own(top: Instrument) -> None:
    """A missing cannabis week does not touch the alcohol total, and there is nothing to combine them."""
    answers = {**weeks("alcohol", 7, 7, 0, 3), **weeks("cannabis", 1, None, 1, 1)}
    sheet = score(top, answers)
    assert sheet["alcohol_days"].score == 17
    assert sheet["cannabis_days"].score is None


@pytest.mark.parametrize("rating", RATINGS)
@pytest.mark.parametrize("value", [0, 13, 20])
def test_ratings_are_reported_as_given(top: Instrument, rating: str, value: int) -> None:
    """Each 0–20 rating is its own field, higher is better."""
    result = score(top, {rating: value})[rating]
    assert result.score == value
    assert top.scale(rating).higher_is == "better"
    assert top.scale_range(top.scale(rating)) == (0, 20)


@pytest.mark.parametrize("rating", RATINGS)
def test_a_rating_of_21_is_rejected_with_a_clear_error(top: Instrument, rating: str) -> None:
    """21 is off the 0–20 scale: the error names the item, what is allowed and what was given."""
    with pytest.raises(InvalidResponse) as err:
        score(top, {rating: 21})
    message = str(err.value)
    assert rating in message
    assert "21" in message
    assert "0 to 20" in message


@pytest.mark.parametrize("bad", [8, -1, 2.5])
def test_a_week_outside_0_to_7_is_rejected(top: Instrument, bad: float) -> None:
    """A week has at most 7 days, and days are whole numbers."""
    with pytest.raises(InvalidResponse, match=r"alcohol_w4.*0 to 7"):
        score(top, {"alcohol_w4": bad})


@pytest.mark.parametrize(
    ("answer", "code"), [("yes", 1), ("Y", 1), ("No", 0), ("n", 0), (True, 1), (0, 0)]
)
def test_yes_no_answers_are_coded_1_and_0(top: Instrument, answer: object, code: int) -> None:
    """Yes is stored as 1 and No as 0, whichever way it was typed."""
    result = score(top, {"acute_housing_problem": answer})["acute_housing_problem"]
    assert result.score == code
    assert result.band == ("Yes" if code else "No")


def test_a_yes_no_item_rejects_other_answers(top: Instrument) -> None:
    """2 is neither Yes (1) nor No (0)."""
    with pytest.raises(InvalidResponse, match="at_risk_of_eviction"):
        score(top, {"at_risk_of_eviction": 2})


@pytest.mark.parametrize(
    ("needle", "spoon", "raw", "band"),
    [("no", "no", 0, "N"), ("yes", "no", 1, "Y"), ("no", "yes", 1, "Y"), ("yes", "yes", 2, "Y")],
)
def test_sharing_returns_y_if_either_is_yes(
    top: Instrument, needle: str, spoon: str, raw: int, band: str
) -> None:
    """The form's return: 'Y' if either sharing answer is yes, otherwise 'N'."""
    answers = {"shared_needle_syringe": needle, "shared_spoon_water_filter": spoon}
    result = score(top, answers)["sharing"]
    assert result.raw == raw
    assert result.band == band


def test_sharing_with_one_answer_missing_is_left_missing(top: Instrument) -> None:
    """The format has no 'any yes' rule, so one Yes and one NA is not returned as Y (a stated limit)."""
    result = score(top, {"shared_needle_syringe": "yes", "shared_spoon_water_filter": None})
    assert result["sharing"].score is None


def test_average_amount_is_an_optional_number_with_a_unit(top: Instrument) -> None:
    """Average amount on a using day takes decimals, has a unit, and is not part of the total."""
    item = top.item("alcohol_average")
    assert item.kind == "number"
    assert not item.required
    assert item.unit == {"top": "units/day", "top_secure": "UNITS"}[top.id]
    sheet = score(top, {"alcohol_average": 12.5, **weeks("alcohol", 7, 7, 0, 3)})
    assert sheet["alcohol_days"].score == 17
    assert "alcohol_average" not in top.scale("alcohol_days").items


def test_free_text_substance_name_is_stored_not_scored(top: Instrument) -> None:
    """The other substance's name is free text: kept as written, in no scale."""
    assert top.item("other_name").kind == "text"
    assert all("other_name" not in s.items for s in top.scales)
    sheet = score(top, {"other_name": "pregabalin", **weeks("other", 0, 1, 0, 0)})
    assert sheet["other_days"].score == 1


def test_vectorised_scoring_agrees(top: Instrument) -> None:
    """score_frame gives 17 for 7+7+0+3 and NaN when a week is missing, as score() does."""
    frame = pd.DataFrame([weeks("alcohol", 7, 7, 0, 3), weeks("alcohol", 7, 7, None, 3)])
    out = score_frame(top, frame, scales=["alcohol_days"])
    assert out[f"{top.id}_alcohol_days"].iloc[0] == 17
    assert math.isnan(out[f"{top.id}_alcohol_days"].iloc[1])


def test_secure_setting_version_records_the_weeks_before_custody(library: Library) -> None:
    """The prison form asks about the four weeks prior to custody and adds tobacco."""
    secure, community = library.get("top_secure"), library.get("top")
    assert "prior to custody" in secure.recall_period
    assert community.recall_period == "past four weeks"
    assert "tobacco_days" in {s.id for s in secure.scales}
    assert "tobacco_days" not in {s.id for s in community.scales}
    assert score(secure, weeks("tobacco", 7, 7, 0, 3))["tobacco_days"].score == 17
