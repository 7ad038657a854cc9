"""WEMWBS and SWEMWBS (instruments/wemwbs.toml, swemwbs.toml): scoring, no bundled wording, overlays.

Rules: WEMWBS is the sum of 14 items scored 1-5, 14-70 (Tennant et al. 2007; warwick.ac.uk WEMWBS
scoring guidance); below 40 = high risk of depression; a change of about 3 points is meaningful
(project reference sheet). SWEMWBS is WEMWBS items 1, 2, 3, 6, 7, 9, 11; its raw sum 7-35 is
converted to the metric score by the published Rasch conversion table (Stewart-Brown et al. 2009;
table as copied in the project reference sheet), which applies to complete responses only.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import recoverycap
from recoverycap import Instrument, Library, Missing, WordingNotAvailable
from recoverycap.registry import bundled_dir
from recoverycap.vectorised import score_frame

SWEMWBS_ITEMS = ["q1", "q2", "q3", "q6", "q7", "q9", "q11"]

# The conversion table exactly as printed in the project reference sheet (instruments.md),
# "SWEMWBS raw → metric", parsed below rather than retyped as numbers.
SHEET_TABLE = (
    "7 7.00 · 8 9.51 · 9 11.25 · 10 12.40 · 11 13.33 · 12 14.08 · 13 14.75 · 14 15.32 · "
    "15 15.84 · 16 16.36 · 17 16.88 · 18 17.43 · 19 17.98 · 20 18.59 · 21 19.25 · 22 19.98 · "
    "23 20.73 · 24 21.54 · 25 22.35 · 26 23.21 · 27 24.11 · 28 25.03 · 29 26.02 · 30 27.03 · "
    "31 28.13 · 32 29.31 · 33 30.70 · 34 32.55 · 35 35.00"
)
METRIC = {int(raw): float(v) for raw, v in (p.split() for p in SHEET_TABLE.split(" · "))}


@pytest.fixture(scope="module")
def wemwbs(library: Library) -> Instrument:
    return library.get("wemwbs")


@pytest.fixture(scope="module")
def swemwbs(library: Library) -> Instrument:
    return library.get("swemwbs")


def codes_summing_to(raw: int, n: int) -> list[int]:
    """n codes from 1-5, spread as evenly as possible, summing to raw (n <= raw <= 5n)."""
    base, extra = divmod(raw, n)
    return [base + 1] * extra + [base] * (n - extra)


# ---------------------------------------------------------------------------- no bundled wording
@pytest.mark.parametrize("name", ["wemwbs.toml", "swemwbs.toml"])
def test_files_hold_no_item_text(name: str) -> None:
    """The licence forbids sharing the wording: no item has a text key, no instructions."""
    data = tomllib.loads((bundled_dir() / name).read_text(encoding="utf-8"))
    assert data["source"]["text_bundled"] is False
    assert all("text" not in item for item in data["items"])
    assert data["instrument"]["instructions"] == ""


def test_item_ids(wemwbs: Instrument, swemwbs: Instrument) -> None:
    """WEMWBS q1-q14; SWEMWBS keeps the WEMWBS numbers of its seven items."""
    assert wemwbs.item_ids == tuple(f"q{n}" for n in range(1, 15))
    assert swemwbs.item_ids == tuple(SWEMWBS_ITEMS)
    assert set(swemwbs.item_ids) <= set(wemwbs.item_ids)
    for inst in (wemwbs, swemwbs):
        assert not inst.text_bundled and not inst.has_wording
        labels = inst.response_scales["frequency"].options
        assert (labels[0].code, labels[0].label) == (1, "None of the time")
        assert (labels[-1].code, labels[-1].label) == (5, "All of the time")


def test_copyright_lines(wemwbs: Instrument, swemwbs: Instrument) -> None:
    """The copyright lines to display are the owners' (project reference sheet)."""
    assert wemwbs.copyright == (
        "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS) © NHS Health Scotland, University of "
        "Warwick and University of Edinburgh, 2006, all rights reserved."
    )
    assert swemwbs.copyright.startswith(
        "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) ©"
    )
    assert "2008, all rights reserved." in swemwbs.copyright


def test_require_wording_without_overlay(wemwbs: Instrument) -> None:
    """Without a local overlay, asking for the wording explains how to supply it."""
    with pytest.raises(WordingNotAvailable) as info:
        wemwbs.require_wording()
    message = str(info.value)
    assert "wemwbs.text.toml" in message
    assert "--instruments-dir" in message
    assert "recoverycap instruments overlay wemwbs" in message


def _write_overlay(folder: Path, version: str | None = None) -> None:
    """A test fixture overlay with placeholder strings (not the licensed wording)."""
    lines = [f'version = "{version}"'] if version else []
    lines += ['instructions = "placeholder instructions"', "", "[items]"]
    lines += [f'q{n} = "item {n} text"' for n in range(1, 15)]
    (folder / "wemwbs.text.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_local_overlay_supplies_the_wording(tmp_path: Path, wemwbs: Instrument) -> None:
    """A wemwbs.text.toml in an extra folder fills in every item; scoring is unchanged."""
    _write_overlay(tmp_path)
    local = Library([tmp_path], include_env=False).get("wemwbs")
    local.require_wording()  # does not raise
    assert local.item("q1").text == "item 1 text"
    assert local.item("q14").text == "item 14 text"
    assert local.instructions == "placeholder instructions"
    assert local.scales == wemwbs.scales
    answers = dict(zip(local.item_ids, codes_summing_to(40, 14), strict=True))
    assert recoverycap.score(local, answers)["total"].score == 40
    # the overlay is for WEMWBS only: SWEMWBS still has no wording
    with pytest.raises(WordingNotAvailable):
        Library([tmp_path], include_env=False).get("swemwbs").require_wording()


def test_overlay_for_another_version_is_not_applied(tmp_path: Path) -> None:
    """An overlay that names a different version leaves the wording missing."""
    _write_overlay(tmp_path, version="1999")
    local = Library([tmp_path], include_env=False).get("wemwbs")
    with pytest.raises(WordingNotAvailable):
        local.require_wording()


# ---------------------------------------------------------------------------- WEMWBS scoring
@pytest.mark.parametrize(
    ("raw", "band"),
    [
        (14, "below 40: high risk of depression"),
        (39, "below 40: high risk of depression"),
        (40, "40 or more"),
        (70, "40 or more"),
    ],
)
def test_wemwbs_sum_and_band_edges(wemwbs: Instrument, raw: int, band: str) -> None:
    """Sum of 14 items; 39 is below 40 (high risk of depression), 40 is not.

    E.g. 39 = eleven items at 3 + three at 2 (33 + 6); 40 = twelve at 3 + two at 2 (36 + 4).
    """
    answers = dict(zip(wemwbs.item_ids, codes_summing_to(raw, 14), strict=True))
    result = recoverycap.score(wemwbs, answers)["total"]
    assert (result.score, result.band) == (raw, band)


def test_wemwbs_hand_worked(wemwbs: Instrument) -> None:
    """Items 1-7 answered Often (4), items 8-14 Some of the time (3): 28 + 21 = 49."""
    answers = {f"q{n}": (4 if n <= 7 else 3) for n in range(1, 15)}
    assert recoverycap.score(wemwbs, answers)["total"].score == 49


def test_wemwbs_missing_item_leaves_score_missing(wemwbs: Instrument) -> None:
    """No published prorating rule: one declined item, no score (project default)."""
    answers: dict[str, Any] = dict.fromkeys(wemwbs.item_ids, 5)
    answers["q7"] = Missing("declined")
    result = recoverycap.score(wemwbs, answers)["total"]
    assert (result.score, result.answered) == (None, 13)


def test_wemwbs_psychometrics(wemwbs: Instrument) -> None:
    """mcid 3 points; one-week retest .83 (Tennant et al. 2007); cut-off 40."""
    total = wemwbs.scale("total")
    assert total.mcid == 3
    assert total.reliability is not None and total.reliability.value == 0.83
    assert total.cutoff == 40
    assert total.higher_is == "better"
    assert wemwbs.scale_range(total) == (14.0, 70.0)


# ---------------------------------------------------------------------------- SWEMWBS scoring
def test_lookup_table_matches_the_published_table(swemwbs: Instrument) -> None:
    """Every raw score 7-35 converts as in the published table; raw 29 is 26.02, not 25.99."""
    metric = swemwbs.scale("metric")
    assert dict(metric.lookup or {}) == METRIC
    assert sorted(METRIC) == list(range(7, 36))
    assert METRIC[29] == 26.02


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (7, 7.00),
        (8, 9.51),
        (14, 15.32),
        (21, 19.25),
        (28, 25.03),
        (29, 26.02),
        (34, 32.55),
        (35, 35.00),
    ],
)
def test_swemwbs_metric_at_raw_scores(swemwbs: Instrument, raw: int, expected: float) -> None:
    """Seven answers summing to raw convert to the published metric score.

    E.g. raw 7 = all None of the time (7 x 1) -> 7.00; raw 29 = one 5 and six 4s (5 + 24) ->
    26.02; raw 35 = all All of the time (7 x 5) -> 35.00.
    """
    answers = dict(zip(SWEMWBS_ITEMS, codes_summing_to(raw, 7), strict=True))
    result = recoverycap.score(swemwbs, answers)["metric"]
    assert result.raw == raw
    assert result.score == expected


@pytest.mark.parametrize("missing_item", SWEMWBS_ITEMS)
def test_any_missing_swemwbs_item_leaves_metric_missing(
    swemwbs: Instrument, missing_item: str
) -> None:
    """The table converts complete raw sums only: one missing item, no metric score, no prorating."""
    answers: dict[str, Any] = dict.fromkeys(SWEMWBS_ITEMS, 4)
    answers[missing_item] = Missing("declined")
    result = recoverycap.score(swemwbs, answers)["metric"]
    assert (result.raw, result.score, result.answered) == (None, None, 6)
    del answers[missing_item]  # absent rather than declined: the same
    assert recoverycap.score(swemwbs, answers)["metric"].score is None


def test_swemwbs_scores_only_its_seven_items(swemwbs: Instrument) -> None:
    """SWEMWBS answers given with WEMWBS numbering score only items 1, 2, 3, 6, 7, 9, 11."""
    with pytest.raises(recoverycap.InvalidResponse):
        recoverycap.score(swemwbs, {"q4": 3})  # not a SWEMWBS item


# ---------------------------------------------------------------------------- vectorised
def test_vectorised_scorer_agrees(wemwbs: Instrument, swemwbs: Instrument) -> None:
    """score_frame agrees with score() and the published table on every raw score and on gaps."""
    rows: list[dict[str, Any]] = [
        dict(zip(SWEMWBS_ITEMS, codes_summing_to(raw, 7), strict=True)) for raw in range(7, 36)
    ]
    rows.append({**dict.fromkeys(SWEMWBS_ITEMS, 3), "q11": "declined"})
    rows.append({**dict.fromkeys(SWEMWBS_ITEMS, 3), "q1": None})
    out = score_frame(swemwbs, pd.DataFrame(rows, columns=SWEMWBS_ITEMS))
    for n, answers in enumerate(rows):
        got = out["swemwbs_metric"].iloc[n]
        want = recoverycap.score(swemwbs, answers)["metric"].score
        if n < 29:
            assert got == want == METRIC[n + 7]
        else:
            assert math.isnan(got) and want is None

    wem_rows: list[dict[str, Any]] = [
        dict(zip(wemwbs.item_ids, codes_summing_to(raw, 14), strict=True))
        for raw in (14, 39, 40, 70)
    ]
    wem_rows.append({**dict.fromkeys(wemwbs.item_ids, 2), "q14": "declined"})
    wem_out = score_frame(wemwbs, pd.DataFrame(wem_rows, columns=list(wemwbs.item_ids)))
    assert wem_out["wemwbs_total"].iloc[:4].tolist() == [14, 39, 40, 70]
    assert math.isnan(wem_out["wemwbs_total"].iloc[4])
    for n, answers in enumerate(wem_rows[:4]):
        assert (
            wem_out["wemwbs_total_band"].iloc[n] == recoverycap.score(wemwbs, answers)["total"].band
        )
