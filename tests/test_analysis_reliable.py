"""Jacobson–Truax reliable change and clinical significance, worked by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from recoverycap import Instrument
from recoverycap.analysis import CATEGORIES, reliable_change
from recoverycap.analysis.reliable import (
    NOT_ASSESSED,
    PEOPLE_COLUMNS,
    SUMMARY_COLUMNS,
    categorise,
    clinical_cutoff,
    s_diff,
    sentence,
)
from recoverycap.errors import AnalysisError, RecoveryCapWarning


def long_frame(
    pairs: dict[str, tuple[float, float]], instrument: str = "barc10", scale: str = "total"
) -> pd.DataFrame:
    rows = []
    for who, (a, b) in pairs.items():
        rows.append(
            {
                "subject": who,
                "timepoint": "intake",
                "score": a,
                "instrument": instrument,
                "scale": scale,
                "site": "north",
            }
        )
        rows.append(
            {
                "subject": who,
                "timepoint": "release",
                "score": b,
                "instrument": instrument,
                "scale": scale,
                "site": "north",
            }
        )
    return pd.DataFrame(rows)


HAND = {
    "ALT-0042": (31, 45),
    "ALT-0043": (40, 50),
    "ALT-0044": (38, 43),
    "ALT-0045": (44, 36),
    "ALT-0046": (46, 48),
    "ALT-0047": (48, 56),
}


def test_worked_example_barc10(barc10: Instrument) -> None:
    """Worked by hand (Jacobson & Truax 1991), BARC-10 with α = .90 from its instrument file
    (Vilsaint et al. 2017) and an SD of 8 given by the user; cut-off 47 ("47 or more").

    S_diff = √2 × 8 × √(1 − 0.90) = 1.4142136 × 8 × 0.3162278 = 3.5777088;
    a reliable change is more than 1.96 × 3.5777088 = 7.0123092 points.

    ALT-0042  31 → 45: RC = 14 / 3.5777088 =  3.913 > 1.96, up; 45 < 47 → improved
    ALT-0043  40 → 50: RC = 10 / 3.5777088 =  2.795 > 1.96, up; 40 < 47 ≤ 50 → recovered
    ALT-0044  38 → 43: RC =  5 / 3.5777088 =  1.398 ≤ 1.96 → unchanged
    ALT-0045  44 → 36: RC = −8 / 3.5777088 = −2.236 < −1.96 → deteriorated
    ALT-0046  46 → 48: RC =  2 / 3.5777088 =  0.559: crossed 47 but not reliably → unchanged
    ALT-0047  48 → 56: RC =  8 / 3.5777088 =  2.236, up, but already ≥ 47 → improved

    Counts of 6: recovered 1 (16.7%), improved 2 (33.3%), unchanged 2 (33.3%), deteriorated 1.
    """
    result = reliable_change(long_frame(HAND), instrument=barc10, sd=8)
    assert result.inputs.s_diff == pytest.approx(3.5777088, abs=1e-7)
    assert result.inputs.reliable_difference == pytest.approx(7.0123092, abs=1e-7)
    people = result.people.set_index("subject")
    assert list(result.people.columns) == list(PEOPLE_COLUMNS)
    expected_rc = {
        "ALT-0042": 3.913,
        "ALT-0043": 2.795,
        "ALT-0044": 1.398,
        "ALT-0045": -2.236,
        "ALT-0046": 0.559,
        "ALT-0047": 2.236,
    }
    for who, rc in expected_rc.items():
        assert people.loc[who, "rc"] == pytest.approx(rc, abs=5e-4), who
    assert people["category"].to_dict() == {
        "ALT-0042": "improved",
        "ALT-0043": "recovered",
        "ALT-0044": "unchanged",
        "ALT-0045": "deteriorated",
        "ALT-0046": "unchanged",
        "ALT-0047": "improved",
    }
    summary = result.summary.set_index("category")
    assert list(result.summary.columns) == list(SUMMARY_COLUMNS)
    assert summary["n"].to_dict() == {
        "recovered": 1,
        "improved": 2,
        "unchanged": 2,
        "deteriorated": 1,
    }
    assert summary.loc["improved", "percent"] == pytest.approx(100 * 2 / 6)


def test_sentence_in_plain_language(barc10: Instrument) -> None:
    """The sentence for ALT-0042 reads as a peer worker would say it."""
    result = reliable_change(long_frame(HAND), instrument=barc10, sd=8)
    sentences = result.people.set_index("subject")["sentence"]
    assert sentences["ALT-0042"] == (
        "ALT-0042: BARC-10 recovery capital rose from 31 to 45, a reliable improvement "
        "(more than could be expected from measurement error alone)."
    )
    assert sentences["ALT-0043"].endswith("crossed the cut-off of 47: recovered.")
    assert "fell from 44 to 36, a reliable deterioration" in sentences["ALT-0045"]
    assert "not a reliable change" in sentences["ALT-0044"]


def test_sources_are_named(barc10: Instrument) -> None:
    """The reliability comes from the instrument file, the SD from the sample (BARC-10 has no
    published normative SD), and the result says so."""
    result = reliable_change(long_frame(HAND), instrument=barc10)
    inputs = result.inputs
    assert inputs.reliability == 0.90
    assert inputs.reliability_source.startswith("instrument file: Cronbach's α 0.90, Vilsaint")
    baseline = np.array([a for a, _ in HAND.values()], float)
    assert inputs.sd == pytest.approx(baseline.std(ddof=1))
    assert inputs.sd_source == "sample: SD of the intake scores, n = 6"
    assert any("no normative SD" in note for note in result.notes)
    assert inputs.cutoff == 47 and inputs.criterion == "cutoff"
    assert "Vilsaint" in inputs.cutoff_source
    assert "sample: SD of the intake scores" in result.describe()


def test_user_values_override_the_file(barc10: Instrument) -> None:
    """A reliability and SD given by the user are used and reported as the user's."""
    inputs = reliable_change(long_frame(HAND), instrument=barc10, reliability=0.8, sd=10).inputs
    assert (inputs.reliability, inputs.sd) == (0.8, 10)
    assert inputs.reliability_source == inputs.sd_source == "given by the user"
    assert inputs.s_diff == pytest.approx(math.sqrt(2) * 10 * math.sqrt(0.2))


def test_sample_source_uses_alpha_from_item_answers(barc10: Instrument) -> None:
    """With source="sample", the SD of the baseline scores and Cronbach's α of the baseline item
    answers are used. α by hand for three items over four people (all items equal to the
    person's level, then one item off by one): checked against pingouin's formula k/(k−1)(1 −
    Σvar/var(total))."""
    items = pd.DataFrame(
        {
            "timepoint": ["intake"] * 4 + ["release"] * 4,
            **{f"q{i}": [1, 2, 3, 4, 6, 6, 6, 6] for i in range(1, 11)},
        }
    )
    items.loc[0, "q1"] = 2
    values = items[items["timepoint"] == "intake"][[f"q{i}" for i in range(1, 11)]].astype(float)
    k = 10
    alpha = k / (k - 1) * (1 - values.var(ddof=1).sum() / values.sum(axis=1).var(ddof=1))
    result = reliable_change(long_frame(HAND), instrument=barc10, source="sample", items=items)
    assert result.inputs.reliability == pytest.approx(alpha)
    assert (
        result.inputs.reliability_source == "sample: Cronbach's α of the intake item answers, n = 4"
    )
    assert result.inputs.sd_source.startswith("sample: SD")


def test_instrument_source_without_a_norm_is_an_error(barc10: Instrument) -> None:
    """source="instrument" takes nothing from the sample: BARC-10 has no normative SD."""
    with pytest.raises(AnalysisError, match="no normative SD"):
        reliable_change(long_frame(HAND), instrument=barc10, source="instrument")


def test_no_reliability_anywhere_is_an_error() -> None:
    """Without an instrument file, a reliability or item data there is nothing to use."""
    with pytest.raises(AnalysisError, match="no reliability"):
        reliable_change(long_frame(HAND))


@pytest.mark.parametrize(
    ("sd", "r"), [(0, 0.9), (-1, 0.9), (8, 1.0), (8, -0.1), (float("nan"), 0.9)]
)
def test_bad_user_values_are_rejected(sd: float, r: float) -> None:
    """An SD that is not positive or a reliability outside [0, 1) is refused, naming the value."""
    with pytest.raises(AnalysisError, match="must be"):
        reliable_change(long_frame(HAND), sd=sd, reliability=r)


def test_higher_is_worse_reverses_direction() -> None:
    """Worked by hand, a higher-is-worse scale (SD 5, r = .89, cut-off 10, "10 or more" is the
    clinical range): S_diff = √2 × 5 × √0.11 = 2.3452079.

    15 → 5:  RC = −10 / 2.3452079 = −4.264: reliable, down is better, 15 ≥ 10 > 5 → recovered
    12 → 16: RC =   4 / 2.3452079 =  1.706 → unchanged
    8 → 14:  RC =   6 / 2.3452079 =  2.558: reliable, up is worse → deteriorated
    """
    data = long_frame({"A": (15, 5), "B": (12, 16), "C": (8, 14)}, instrument="phq9")
    result = reliable_change(data, sd=5, reliability=0.89, cutoff=10, higher_is="worse")
    assert result.inputs.s_diff == pytest.approx(2.3452079, abs=1e-7)
    people = result.people.set_index("subject")
    assert people.loc["A", "rc"] == pytest.approx(-4.264, abs=5e-4)
    assert people["category"].to_dict() == {"A": "recovered", "B": "unchanged", "C": "deteriorated"}
    assert "fell from 15 to 5" in people.loc["A", "sentence"]


def test_jacobson_truax_criteria_by_hand() -> None:
    """Baseline (dysfunctional) mean 30, SD 10; norm (functional) mean 50, SD 5; higher better:
    a = 30 + 2 × 10 = 50; b = 50 − 2 × 5 = 40; c = (10 × 50 + 5 × 30) / (10 + 5) = 43.333.
    Higher worse: a = 30 − 20 = 10; b = 50 + 10 = 60 (Jacobson & Truax 1991, p. 13)."""
    assert clinical_cutoff("a", "better", 30, 10) == 50
    assert clinical_cutoff("b", "better", 30, 10, 50, 5) == 40
    assert clinical_cutoff("c", "better", 30, 10, 50, 5) == pytest.approx(43.3333333)
    assert clinical_cutoff("a", "worse", 30, 10) == 10
    assert clinical_cutoff("b", "worse", 30, 10, 50, 5) == 60
    with pytest.raises(AnalysisError, match="normative"):
        clinical_cutoff("c", "better", 30, 10)


def test_criterion_a_from_the_sample(barc10: Instrument) -> None:
    """Criterion a uses the sample's baseline mean and SD. Baseline 31, 40, 38, 44, 46, 48:
    mean 247 / 6 = 41.1667; squared deviations 103.361 + 1.361 + 10.028 + 8.028 + 23.361 +
    46.694 = 192.833, SD = √(192.833 / 5) = 6.2102; cut-off 41.1667 + 2 × 6.2102 = 53.5871."""
    result = reliable_change(long_frame(HAND), instrument=barc10, sd=8, criterion="a")
    assert result.inputs.cutoff == pytest.approx(53.5871, abs=1e-4)
    assert result.inputs.criterion == "a"
    categories = result.people.set_index("subject")["category"]
    assert categories["ALT-0047"] == "recovered"  # 48 < 53.59 ≤ 56, RC 2.236
    assert categories["ALT-0043"] == "improved"  # 50 is now below the cut-off


def test_criterion_c_needs_a_norm(barc10: Instrument) -> None:
    """Criterion c without a normative mean is a clear error; with one it is used."""
    with pytest.raises(AnalysisError, match="normative"):
        reliable_change(long_frame(HAND), instrument=barc10, sd=8, criterion="c")
    result = reliable_change(
        long_frame(HAND), instrument=barc10, sd=8, criterion="c", norm_mean=50, norm_sd=8
    )
    assert result.inputs.criterion == "c"


def test_no_cutoff_means_recovered_is_not_assessed() -> None:
    """Without a cut-off no one is 'recovered'; the source says why."""
    result = reliable_change(long_frame(HAND), sd=8, reliability=0.9)
    assert result.inputs.cutoff is None
    assert "not assessed" in result.inputs.cutoff_source
    assert (result.people["category"] == "recovered").sum() == 0
    assert (result.people["category"] == "improved").sum() == 3


def test_by_gives_counts_per_group(barc10: Instrument) -> None:
    """Subgroups share the inputs; the summary has every category for every group."""
    data = long_frame(HAND)
    data.loc[data["subject"].isin(["ALT-0042", "ALT-0043"]), "site"] = "south"
    result = reliable_change(data, instrument=barc10, sd=8, by="site")
    assert result.summary["group"].unique().tolist() == ["all", "north", "south"]
    assert len(result.summary) == 3 * len(CATEGORIES)
    south = result.summary[result.summary["group"] == "south"].set_index("category")["n"]
    assert south.to_dict() == {"recovered": 1, "improved": 1, "unchanged": 0, "deteriorated": 0}


def test_people_with_one_score_are_noted(barc10: Instrument) -> None:
    """Someone seen only at intake is not in the people table, and a note says so."""
    data = pd.concat(
        [
            long_frame(HAND),
            pd.DataFrame(
                [
                    {
                        "subject": "ALT-0099",
                        "timepoint": "intake",
                        "score": 30,
                        "instrument": "barc10",
                        "scale": "total",
                        "site": "north",
                    }
                ]
            ),
        ]
    )
    result = reliable_change(data, instrument=barc10, sd=8)
    assert "ALT-0099" not in set(result.people["subject"])
    assert any("1 person was scored at only one" in n for n in result.notes)


def test_zero_spread_at_baseline_warns_and_gives_nan(barc10: Instrument) -> None:
    """Everyone scored 30 at intake and no SD is given: a warning, RC NaN, not assessed."""
    data = long_frame({"A": (30, 40), "B": (30, 31), "C": (30, 30)})
    with pytest.warns(RecoveryCapWarning, match="no spread"):
        result = reliable_change(data, instrument=barc10)
    assert result.people["rc"].isna().all()
    assert set(result.people["category"]) == {NOT_ASSESSED}
    assert result.summary["n"].sum() == 0
    assert "could not be assessed" in result.people["sentence"].iloc[0]


def test_no_pairs_warns() -> None:
    """No one at both time points: a warning and empty tables, no error."""
    data = long_frame(HAND)
    data.loc[data["timepoint"] == "release", "subject"] += "-x"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = reliable_change(data, sd=8, reliability=0.9)
    assert any("no one was scored at both" in str(w.message) for w in caught)
    assert len(result.people) == 0


def test_formulas_on_arrays() -> None:
    """s_diff and categorise work on plain numbers: S_diff(10, .75) = √2 × 10 × 0.5 = 7.0711."""
    assert s_diff(10, 0.75) == pytest.approx(7.0710678)
    cats = categorise([2.5, -2.5, 0.0, 2.5], [30, 30, 30, 30], [50, 10, 30, 40], "better", 47)
    assert cats.tolist() == ["recovered", "deteriorated", "unchanged", "improved"]
    assert sentence("X", "Scale", 20, 20, "unchanged") == "X: Scale stayed at 20, no change."
