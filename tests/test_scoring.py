"""The scoring engine, one method at a time, on hand-worked examples.

Engine features are checked here on small instruments whose arithmetic is worked by hand in each
docstring; each bundled instrument is checked against its own manual in tests/test_instrument_*.py.
"""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path

import pytest

from recoverycap import Instrument, InvalidResponse, Missing, score

DATA = Path(__file__).parent / "data"
BASE = tomllib.loads((DATA / "tiny.toml").read_text())


def variant(**scale_changes: object) -> Instrument:
    """tiny.toml with its 'sum' scale changed."""
    data = copy.deepcopy(BASE)
    data["scales"][1].update(scale_changes)
    for key, value in scale_changes.items():
        if value is None:
            del data["scales"][1][key]
    return Instrument.from_dict(data, "variant")


def test_sum_of_codes_barc10(barc10: Instrument) -> None:
    """BARC-10 is the plain sum of ten 1–6 items (Vilsaint et al. 2017): 6+5+4+5+6+5+4+6+5+5 = 51."""
    answers = dict(zip(barc10.item_ids, [6, 5, 4, 5, 6, 5, 4, 6, 5, 5], strict=True))
    sheet = score(barc10, answers)
    assert sheet["total"].score == 51
    assert sheet["total"].answered == 10
    assert sheet["total"].band == "at or above the recovery cut-off"


@pytest.mark.parametrize(
    ("total", "band"),
    [(46, "below the recovery cut-off"), (47, "at or above the recovery cut-off")],
)
def test_barc10_cutoff_edges(barc10: Instrument, total: int, band: str) -> None:
    """Cut-off 47 (Vilsaint et al. 2017): 46 is below it, 47 at it. Nine 5s = 45, plus 1 or 2."""
    answers = dict.fromkeys(barc10.item_ids, 5)
    answers["q10"] = total - 45
    assert score(barc10, answers)["total"].band == band


def test_missing_item_is_never_zero(barc10: Instrument) -> None:
    """With no prorating rule published, one missing BARC-10 item leaves the total missing, not 45."""
    answers = dict.fromkeys(barc10.item_ids, 5)
    answers["q3"] = Missing("declined")
    result = score(barc10, answers)["total"]
    assert result.score is None and result.raw is None
    assert result.answered == 9
    assert result.band is None


def test_mean_of_recoded_items_with_reverse_key(tiny: Instrument) -> None:
    """Hand-worked: codes a1=1 (100), a2=3 (50), a3=2 reversed to 4 (25); mean (100+50+25)/3 = 58.33."""
    result = score(tiny, {"a1": 1, "a2": 3, "a3": 2, "days": 0})["strain"]
    assert result.score == pytest.approx(175 / 3)
    assert result.band == "high"


def test_reverse_then_recode_equals_hundred_minus_recoded(tiny: Instrument) -> None:
    """Reverse keying then recoding a 1–5 item equals 100 − the recoded value (CBI rule)."""
    recode = {1: 100, 2: 75, 3: 50, 4: 25, 5: 0}
    for code in range(1, 6):
        result = score(tiny, {"a1": 5, "a2": 5, "a3": code})["strain"]
        # mean of (0, 0, 100 - recode[code])
        assert result.score == pytest.approx((100 - recode[code]) / 3)


def test_minimum_answered_for_a_mean(tiny: Instrument) -> None:
    """min_answered = 2: two answers give the mean of those two, one answer gives no score."""
    two = score(tiny, {"a1": 2, "a2": 4})["strain"]
    assert two.score == pytest.approx((75 + 25) / 2)
    assert two.answered == 2
    one = score(tiny, {"a1": 2})["strain"]
    assert one.score is None and one.answered == 1


@pytest.mark.parametrize(
    ("score_value", "band"), [(0.0, "low"), (49.99, "low"), (50.0, "high"), (100.0, "high")]
)
def test_touching_bands_give_boundary_to_higher_band(
    tiny: Instrument, score_value: float, band: str
) -> None:
    """Bands 0–50 and 50–100: exactly 50 is 'high' ("50 or more is high")."""
    assert tiny.scale("strain").band_for(score_value) == band


def test_prorated_sum_rounds_half_up(tiny: Instrument) -> None:
    """Hand-worked: 'sum' has 4 items, min 3, prorate, round 0. a1=1, a2=2, a3=4 (reversed 2), days
    missing: (1+2+2)/3×4 = 6.67 → 7. All four: 1+2+2+3 = 8, not prorated."""
    three = score(tiny, {"a1": 1, "a2": 2, "a3": 4})["sum"]
    assert three.prorated and three.raw == pytest.approx(20 / 3) and three.score == 7
    four = score(tiny, {"a1": 1, "a2": 2, "a3": 4, "days": 3})["sum"]
    assert not four.prorated and four.score == 8


def test_round_half_up_not_to_even() -> None:
    """2.5 rounds to 3 and 3.5 to 4 (half up), not to the even neighbour as round() would."""
    from recoverycap.scoring import round_half_up

    assert round_half_up(2.5, 0) == 3
    assert round_half_up(3.5, 0) == 4
    assert round_half_up(0.125, 2) == 0.13


def test_factor() -> None:
    """Factor multiplies the raw sum (as WHO-5's ×4): codes 1+2+4+3 = 10 → 40."""
    inst = variant(factor=4, prorate=False, min_answered=4, round=None)
    assert score(inst, {"a1": 1, "a2": 2, "a3": 2, "days": 3})["sum"].score == 40


def test_lookup_table() -> None:
    """A lookup converts a complete raw sum: table value for raw 2+2+2 = 6 is 60."""
    data = copy.deepcopy(BASE)
    data["lookups"] = {"conv": {str(k): k * 10.0 for k in range(3, 16)}}
    data["scales"].append(
        {"id": "conv", "name": "Converted", "items": ["a1", "a2", "a3"], "lookup": "conv"}
    )
    inst = Instrument.from_dict(data, "lookup")
    sheet = score(inst, {"a1": 2, "a2": 2, "a3": 4})
    assert sheet["conv"].raw == 6 and sheet["conv"].score == 60
    assert score(inst, {"a1": 2, "a2": 2})["conv"].score is None


def test_item_alert_fires_at_once_and_only_on_condition(tiny: Instrument) -> None:
    """The a1 == 1 alert fires for 1 and not for 2 or a missing answer."""
    assert [h.alert for h in score(tiny, {"a1": 1}).alerts] == ["a1_always"]
    assert score(tiny, {"a1": 2}).alerts == ()
    assert score(tiny, {"a1": Missing("declined")}).alerts == ()


def test_scale_alert() -> None:
    """A scale alert compares the score: strain ≥ 75 fires for mean 75, not for 62.5."""
    data = copy.deepcopy(BASE)
    data["alerts"].append(
        {"id": "high", "scale": "strain", "op": ">=", "value": 75, "message": "Offer supervision."}
    )
    inst = Instrument.from_dict(data, "alert")
    assert "high" in [h.alert for h in score(inst, {"a1": 2, "a2": 2, "a3": 4}).alerts]
    assert "high" not in [h.alert for h in score(inst, {"a1": 2, "a2": 3, "a3": 4}).alerts]


def test_free_text_is_stored_never_scored(tiny: Instrument) -> None:
    """A free-text answer is accepted and does not change any score."""
    with_text = score(tiny, {"a1": 1, "a2": 2, "a3": 3, "days": 4, "note": "feeling 5/5"})
    without = score(tiny, {"a1": 1, "a2": 2, "a3": 3, "days": 4})
    assert with_text.scales == without.scales


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ({"a1": 6}, "a1: 6 is not one of 1–5"),
        ({"a1": 0}, "a1: 0 is not one of 1–5"),
        ({"days": 8}, "days: 8 is not a whole number from 0 to 7"),
        ({"days": 2.5}, "days: 2.5 is not a whole number from 0 to 7"),
        ({"a1": "often"}, "a1: 'often' is not one of 1–5"),
        ({"zz": 1}, "tiny has no item 'zz'"),
    ],
)
def test_invalid_answers_say_what_is_allowed(
    tiny: Instrument, answers: dict, fragment: str
) -> None:
    """Invalid answers raise InvalidResponse naming the item, what was given and what is allowed."""
    with pytest.raises(InvalidResponse) as err:
        score(tiny, answers)
    assert fragment in str(err.value)


def test_every_invalid_answer_is_listed(tiny: Instrument) -> None:
    """All problems are reported at once, not just the first."""
    with pytest.raises(InvalidResponse) as err:
        score(tiny, {"a1": 9, "a2": 9, "days": -1})
    assert len(err.value.problems) == 3


def test_missing_reason_words_and_unknown_reason(tiny: Instrument) -> None:
    """'declined' etc. are missing answers; an unknown reason is refused."""
    assert score(tiny, {"a1": "declined", "a2": "dont_know", "a3": 1})["strain"].answered == 1
    with pytest.raises(InvalidResponse, match="not one of declined"):
        Missing("forgot")


def test_substitution(tiny: Instrument) -> None:
    """Licence-permitted substitutions replace the token, with the default when unset."""
    item = tiny.item("a3")
    assert tiny.text(item.text) == "How often do you have energy for friends?"
    assert tiny.text(item.text, {"friends": "family"}) == "How often do you have energy for family?"


def test_nan_answer_is_missing(barc10: Instrument) -> None:
    """A float NaN (as pandas gives for an empty cell) is a missing answer."""
    answers = dict.fromkeys(barc10.item_ids, 3)
    answers["q1"] = math.nan
    assert score(barc10, answers)["total"].score is None
