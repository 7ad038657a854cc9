"""The vectorised scorer agrees exactly with the one-at-a-time scorer, and stays in range."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverycap import Instrument, InvalidResponse, Library, Missing, score
from recoverycap.instrument import MISSING_REASONS
from recoverycap.vectorised import column_names, score_frame

DATA = Path(__file__).parent / "data"
LIBRARY = Library(include_env=False)
INSTRUMENTS = [Instrument.from_path(DATA / "tiny.toml"), *LIBRARY]


def answer_strategy(instrument: Instrument, missing: bool = True) -> st.SearchStrategy[dict]:
    """Random valid answers for every scored item, with missing answers where allowed."""
    fields = {}
    for item in instrument.items:
        if not item.scored:
            continue
        opts = instrument.options(item)
        if opts:
            valid: st.SearchStrategy = st.sampled_from([o.code for o in opts])
        elif item.kind == "integer":
            lo, hi = instrument.value_range(item)
            valid = st.integers(int(lo), int(hi))
        else:
            lo, hi = instrument.value_range(item)
            valid = st.floats(lo, hi, allow_nan=False)
        if missing:
            valid = st.one_of(valid, valid, valid, st.sampled_from(MISSING_REASONS).map(Missing))
        fields[item.id] = valid
    return st.fixed_dictionaries(fields)


def frame_value(value: object) -> object:
    return np.nan if isinstance(value, Missing) else value


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.id)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_vectorised_equals_one_at_a_time(instrument: Instrument, data: st.DataObject) -> None:
    """On random answer sets with missing values, both paths give identical scores, bands and counts."""
    rows = data.draw(st.lists(answer_strategy(instrument), min_size=1, max_size=8))
    frame = pd.DataFrame([{k: frame_value(v) for k, v in r.items()} for r in rows])
    vec = score_frame(instrument, frame)
    for i, answers in enumerate(rows):
        sheet = score(instrument, answers)
        for result in sheet.scales:
            name, band_name, answered_name = column_names(
                instrument, instrument.scale(result.scale)
            )
            got = vec[name].iloc[i]
            if result.score is None:
                assert math.isnan(got)
            else:
                assert got == result.score  # exact, not approximate
            assert vec[answered_name].iloc[i] == result.answered
            if band_name in vec:
                band = vec[band_name].iloc[i]
                assert (None if pd.isna(band) else band) == result.band


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_complete_answers_score_inside_declared_range(
    instrument: Instrument, data: st.DataObject
) -> None:
    """Every complete valid answer set scores inside each scale's declared range, with a band."""
    answers = data.draw(answer_strategy(instrument, missing=False))
    for result in score(instrument, answers).scales:
        scale = instrument.scale(result.scale)
        lo, hi = instrument.scale_range(scale)
        assert result.score is not None
        assert lo - 1e-9 <= result.score <= hi + 1e-9
        if scale.bands:
            assert result.band is not None


def test_invalid_values_listed_with_rows(tiny: Instrument) -> None:
    """Invalid cells are reported with their row number, column, allowed values and the value given."""
    frame = pd.DataFrame({"a1": ["1", "9", "", "declined", "x"], "days": ["0", "3", "8", "", "2"]})
    with pytest.raises(InvalidResponse) as err:
        score_frame(tiny, frame, where="in.csv", first_row=2)
    text = str(err.value)
    assert "in.csv row 3, a1: '9' is not one of 1–5" in text
    assert "in.csv row 6, a1: 'x' is not one of 1–5" in text
    assert "in.csv row 4, days: '8' is not a whole number from 0 to 7" in text
    assert len(err.value.problems) == 3


def test_text_and_numeric_columns_agree(barc10: Instrument) -> None:
    """A column read as text ('5', '', 'declined') scores the same as numbers with NaN."""
    numbers = pd.DataFrame({i: [5.0, np.nan] for i in barc10.item_ids})
    text = pd.DataFrame({i: ["5", "declined"] for i in barc10.item_ids})
    pd.testing.assert_frame_equal(score_frame(barc10, numbers), score_frame(barc10, text))


def test_absent_item_columns_are_missing(barc10: Instrument) -> None:
    """Item columns left out of the frame count as missing, so the total is missing."""
    frame = pd.DataFrame({i: [5] for i in barc10.item_ids[:-1]})
    out = score_frame(barc10, frame)
    assert math.isnan(out["barc10_total"].iloc[0]) and out["barc10_total_answered"].iloc[0] == 9
