"""ProQOL 5 (instruments/proqol5.toml): scoring checked by hand.

Rules (Stamm 2010, The Concise ProQOL Manual; subscale lists and reverse items as in the ProQOL 5
copies named in the file, e.g. eval.health: "items 1, 4, 15, 17, and 29 are reverse-scored before
summing"; raw-score bands from the form copy at form.jotform.com/210527859280056: "22 or less Low",
"Between 23 and 41 Moderate", "42 or more High"): each subscale is the sum of its ten 1-5 answers,
reversed items scoring 6 - x. No missing-item rule is published, so a missing item leaves that
subscale missing (project default).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
import pytest

import recoverycap
from recoverycap import Instrument, Missing
from recoverycap.registry import bundled_dir
from recoverycap.vectorised import score_frame

CS = [3, 6, 12, 16, 18, 20, 22, 24, 27, 30]
BO = [1, 4, 8, 10, 15, 17, 19, 21, 26, 29]
STS = [2, 5, 7, 9, 11, 13, 14, 23, 25, 28]
REVERSED = [1, 4, 15, 17, 29]
SCALE_ITEMS = {"compassion_satisfaction": CS, "burnout": BO, "secondary_traumatic_stress": STS}


@pytest.fixture(scope="module")
def proqol(library: recoverycap.Library) -> Instrument:
    return library.get("proqol5")


def _ids(numbers: list[int]) -> list[str]:
    return [f"q{n}" for n in numbers]


def answers_for(scale_id: str, target: int) -> dict[str, int]:
    """Answers to one subscale whose scored values sum to ``target`` (10-50).

    Values are spread as evenly as possible (e.g. 22 = eight 2s and two 3s); a reversed item
    scoring v is answered 6 - v.
    """
    numbers = SCALE_ITEMS[scale_id]
    base, extra = divmod(target, 10)
    values = [base + 1] * extra + [base] * (10 - extra)
    return {f"q{n}": (6 - v if n in REVERSED else v) for n, v in zip(numbers, values, strict=True)}


def test_subscales_and_reversed_items_as_published(proqol: Instrument) -> None:
    """Thirty items in three ten-item sums; only 1, 4, 15, 17 and 29 are reversed."""
    assert proqol.item_ids == tuple(f"q{n}" for n in range(1, 31))
    for scale_id, numbers in SCALE_ITEMS.items():
        scale = proqol.scale(scale_id)
        assert scale.items == tuple(_ids(numbers))
        assert scale.method == "sum"
        assert scale.min_answered == 10 and not scale.prorate
        assert proqol.scale_range(scale) == (10.0, 50.0)
    assert [i.id for i in proqol.items if i.reverse] == _ids(REVERSED)
    assert proqol.scale("compassion_satisfaction").higher_is == "better"
    assert proqol.scale("burnout").higher_is == "worse"
    assert proqol.scale("secondary_traumatic_stress").higher_is == "worse"
    assert proqol.audience == "worker"


def test_all_never_hand_worked(proqol: Instrument) -> None:
    """Every item answered 1 (Never).

    CS = 10 x 1 = 10 (low). STS = 10 x 1 = 10 (low). Burnout: items 1, 4, 15, 17, 29 reversed
    6 - 1 = 5 each = 25, items 8, 10, 19, 21, 26 = 1 each = 5; 25 + 5 = 30 (moderate).
    """
    sheet = recoverycap.score(proqol, dict.fromkeys(proqol.item_ids, 1))
    assert (sheet["compassion_satisfaction"].score, sheet["compassion_satisfaction"].band) == (
        10,
        "low",
    )
    assert (
        sheet["secondary_traumatic_stress"].score,
        sheet["secondary_traumatic_stress"].band,
    ) == (10, "low")
    assert (sheet["burnout"].score, sheet["burnout"].band) == (30, "moderate")


def test_all_very_often_hand_worked(proqol: Instrument) -> None:
    """Every item answered 5 (Very Often).

    CS = STS = 10 x 5 = 50 (high). Burnout: reversed items 6 - 5 = 1 each = 5, others 5 each = 25;
    5 + 25 = 30 (moderate).
    """
    sheet = recoverycap.score(proqol, dict.fromkeys(proqol.item_ids, 5))
    assert sheet["compassion_satisfaction"].score == 50
    assert sheet["secondary_traumatic_stress"].score == 50
    assert sheet["burnout"].score == 30
    assert sheet["compassion_satisfaction"].band == "high"


@pytest.mark.parametrize("item", REVERSED)
@pytest.mark.parametrize("code", [1, 2, 3, 4, 5])
def test_each_reversed_item(proqol: Instrument, item: int, code: int) -> None:
    """A reversed burnout item scores 6 - x.

    Every other burnout item answered 3 (9 x 3 = 27); the item under test answered x adds 6 - x,
    so burnout = 27 + 6 - x: x = 1 -> 32, x = 5 -> 28.
    """
    answers = dict.fromkeys(_ids(BO), 3)
    answers[f"q{item}"] = code
    assert recoverycap.score(proqol, answers)["burnout"].score == 27 + 6 - code


@pytest.mark.parametrize("item", [8, 10, 19, 21, 26])
def test_unreversed_burnout_items_score_as_answered(proqol: Instrument, item: int) -> None:
    """Burnout items other than 1, 4, 15, 17, 29 count as answered: 9 x 3 + 5 = 32."""
    answers = dict.fromkeys(_ids(BO), 3)
    answers[f"q{item}"] = 5
    assert recoverycap.score(proqol, answers)["burnout"].score == 32


EDGES = [(10, "low"), (22, "low"), (23, "moderate"), (41, "moderate"), (42, "high"), (50, "high")]


@pytest.mark.parametrize("scale_id", list(SCALE_ITEMS))
@pytest.mark.parametrize(("target", "band"), EDGES)
def test_band_edges_on_raw_sums(proqol: Instrument, scale_id: str, target: int, band: str) -> None:
    """22 or less low, 23-41 moderate, 42 or more high, on each subscale's raw sum.

    E.g. 22 = eight items at 2 + two at 3 (16 + 6); 23 = seven at 2 + three at 3 (14 + 9);
    41 = nine at 4 + one at 5 (36 + 5); 42 = eight at 4 + two at 5 (32 + 10). Burnout's reversed
    items are answered 6 - v to score v.
    """
    result = recoverycap.score(proqol, answers_for(scale_id, target))[scale_id]
    assert (result.score, result.band) == (target, band)


def test_burnout_band_edge_with_reversal_written_out(proqol: Instrument) -> None:
    """Burnout 22 vs 23 built by hand, not by the helper.

    22: all ten answered so each scores 2 except items 8 and 10 scoring 3: reversed items
    1, 4, 15, 17, 29 answered 4 (6 - 4 = 2) -> 10; 19, 21, 26 answered 2 -> 6; 8, 10 answered 3 ->
    6; 10 + 6 + 6 = 22 (low). Answering item 1 with 3 instead (6 - 3 = 3) gives 23 (moderate).
    """
    answers = {
        "q1": 4,
        "q4": 4,
        "q15": 4,
        "q17": 4,
        "q29": 4,
        "q19": 2,
        "q21": 2,
        "q26": 2,
        "q8": 3,
        "q10": 3,
    }
    low = recoverycap.score(proqol, answers)["burnout"]
    assert (low.score, low.band) == (22, "low")
    moderate = recoverycap.score(proqol, {**answers, "q1": 3})["burnout"]
    assert (moderate.score, moderate.band) == (23, "moderate")


@pytest.mark.parametrize("scale_id", list(SCALE_ITEMS))
def test_any_missing_item_leaves_the_subscale_missing(proqol: Instrument, scale_id: str) -> None:
    """One declined item: that subscale has no score (never scored as 0); the others are scored."""
    answers: dict[str, Any] = dict.fromkeys(proqol.item_ids, 3)
    answers[f"q{SCALE_ITEMS[scale_id][0]}"] = Missing("declined")
    sheet = recoverycap.score(proqol, answers)
    for s in sheet.scales:
        if s.scale == scale_id:
            assert (s.score, s.band, s.answered) == (None, None, 9)
        else:
            assert s.score == 30


def test_substitutions_cover_every_bracketed_word(proqol: Instrument) -> None:
    """Every [word] in the items and instructions is a declared substitution, and no other."""
    corpus = proqol.instructions + "\n" + "\n".join(i.text for i in proqol.items)
    tokens = set(re.findall(r"\[[a-z]+\]", corpus))
    assert tokens == {"[help]", "[helper]", "[helping]", "[helped]", "[work]"}
    assert {s.token for s in proqol.substitutions} == tokens
    for item in proqol.items:
        assert "[" not in proqol.text(item.text), item.id


def test_substitution_of_helper(proqol: Instrument) -> None:
    """The worker's own term replaces [helper]; other bracketed words fall back to the default."""
    subs = {"helper": "peer mentor", "help": "support"}
    assert (
        proqol.text(proqol.item("q10").text, subs) == "I feel trapped by my job as a peer mentor."
    )
    assert proqol.text(proqol.item("q2").text, subs) == (
        "I am preoccupied with more than one person I support."
    )
    assert proqol.text(proqol.item("q21").text) == (
        "I feel overwhelmed because my case work load seems endless."
    )
    # item 20's second "help" is not bracketed on the form, so it is not replaced
    assert proqol.text(proqol.item("q20").text, subs) == (
        "I have happy thoughts and feelings about those I support and how I could help them."
    )


def test_notice_file_ships_with_the_copyright_line(proqol: Instrument) -> None:
    """NOTICE-proqol5.txt sits beside the instrument and holds ProQOL's © line and CVT terms."""
    notice = (bundled_dir() / "NOTICE-proqol5.txt").read_text(encoding="utf-8")
    assert "© B. Hudnall Stamm, 2009-2012." in notice
    assert (
        "You credit The Center for Victims of Torture and provide a link to www.ProQOL.org"
        in notice
    )
    assert proqol.copyright.startswith("© B. Hudnall Stamm, 2009-2012.")
    assert "www.ProQOL.org" in proqol.copyright


EXAMPLES: list[dict[str, Any]] = [
    {i: 1 for i in (f"q{n}" for n in range(1, 31))},
    {i: 5 for i in (f"q{n}" for n in range(1, 31))},
    {
        **answers_for("compassion_satisfaction", 22),
        **answers_for("burnout", 41),
        **answers_for("secondary_traumatic_stress", 42),
    },
    {
        **answers_for("compassion_satisfaction", 23),
        **answers_for("burnout", 42),
        **answers_for("secondary_traumatic_stress", 10),
    },
    {**dict.fromkeys((f"q{n}" for n in range(1, 31)), 3), "q1": "declined", "q2": None},
]


def test_vectorised_scorer_agrees_on_the_examples(proqol: Instrument) -> None:
    """score_frame gives the same scores and bands as score() on the worked examples."""
    out = score_frame(proqol, pd.DataFrame(EXAMPLES, columns=list(proqol.item_ids)))
    expected = [
        {"compassion_satisfaction": 10, "burnout": 30, "secondary_traumatic_stress": 10},
        {"compassion_satisfaction": 50, "burnout": 30, "secondary_traumatic_stress": 50},
        {"compassion_satisfaction": 22, "burnout": 41, "secondary_traumatic_stress": 42},
        {"compassion_satisfaction": 23, "burnout": 42, "secondary_traumatic_stress": 10},
        {"compassion_satisfaction": 30, "burnout": None, "secondary_traumatic_stress": None},
    ]
    for row, (answers, want) in enumerate(zip(EXAMPLES, expected, strict=True)):
        sheet = recoverycap.score(proqol, answers)
        for scale_id, value in want.items():
            got = out[f"proqol5_{scale_id}"].iloc[row]
            band = out[f"proqol5_{scale_id}_band"].iloc[row]
            if value is None:
                assert math.isnan(got) and pd.isna(band)
                assert sheet[scale_id].score is None
            else:
                assert got == value == sheet[scale_id].score, (row, scale_id)
                assert band == sheet[scale_id].band, (row, scale_id)
