"""For analysts: a growth model that keeps the people who drop out after release.

    python examples/analyst_growth.py

Follow-up after prison is hard: many people are never scored again after release. Tests on
complete cases (repeated-measures ANOVA, Friedman) use only people scored at every time point, so
they throw most of the data away and describe an unusual group. A mixed growth model keeps
everyone with any score. This example does from Python what ``recoverycap analyse trajectory``
and ``recoverycap analyse attrition`` do:

1. builds a made-up organisation in a temporary folder (intake, programme end and two follow-ups
   after release) and reads the WHO-5 wellbeing scores with ``Store.scores_frame``;
2. shows how many people were scored at each time point, and how few at all of them;
3. compares complete-case tests (:func:`recoverycap.analysis.repeated_measures`) with the growth
   model (:func:`recoverycap.analysis.growth_model`), in weeks since each person's first score and
   in schedule order, printing the fixed effects, variance components and plain-language notes;
4. checks who was lost to follow-up and whether they differed at intake
   (:func:`recoverycap.analysis.attrition`): the growth model's estimate is fair when drop-out
   depends on what was measured, not on the unmeasured later scores.

Nothing in it is real. It needs no arguments and no network; the folder is deleted at the end.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pandas as pd

from recoverycap import Library, RecoveryCapWarning, Store
from recoverycap.analysis import attrition, growth_model, repeated_measures, timepoint_summary
from recoverycap.demo import build

TIMEPOINTS = ["intake", "programme_end", "post_release_4w", "post_release_12w"]


def main(folder: Path) -> None:
    library = Library()
    with Store.open(folder / "demo.db", library=library, actor="analyst") as store:
        build(store, participants=120)
        scores = store.scores_frame(subject_type="participant", timepoint=TIMEPOINTS)
        outcomes = pd.DataFrame(
            [
                {
                    "participant": a.participant,
                    "timepoint": a.timepoint,
                    "result": a.result,
                    "date": str(a.date),
                }
                for a in store.activities(kind="followup_attempt")
            ]
        )
    who5 = scores[(scores["instrument"] == "who5") & (scores["scale"] == "index")]
    label = "WHO-5 wellbeing (0–100)"

    print(f"{label}: people scored at each time point")
    print(timepoint_summary(who5, timepoints=TIMEPOINTS).round(2).to_string(index=False))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RecoveryCapWarning)
        rm = repeated_measures(who5, timepoints=TIMEPOINTS)
        by_weeks = growth_model(who5, time="weeks")
        by_order = growth_model(who5, time="order")
    print("\nComplete cases only (scored at all four time points):")
    print(
        rm.tests[["group", "n_complete", "n_excluded", "F", "p", "friedman_q", "friedman_p"]]
        .round(4)
        .to_string(index=False)
    )
    for note in rm.notes:
        print(f"  {note}")

    print(
        "\nGrowth model, time in weeks since each person's first score (everyone with any score):"
    )
    print(by_weeks.describe(label))
    print(by_weeks.fixed.round(4).to_string(index=False))
    print(by_weeks.random.round(4).to_string(index=False))

    print("\nGrowth model, time as schedule position (0 = intake, 1 = programme end, ...):")
    print(by_order.describe(label))
    for w in caught:
        print(f"note: {w.message}")

    result = attrition(
        scores,
        baseline="intake",
        timepoints=TIMEPOINTS[1:],
        outcomes=outcomes,
        compare_at="post_release_12w",
    )
    print("\nWho was followed up, and why not (last recorded follow-up outcome):")
    print(result.followed.round(1).to_string(index=False))
    print(result.reasons.round(1).to_string(index=False))
    print("\nIntake scores of those followed up at post_release_12w against those lost:")
    cols = [
        "instrument",
        "scale",
        "n_followed",
        "mean_followed",
        "n_lost",
        "mean_lost",
        "p_t",
        "hedges_g",
    ]
    print(result.comparison[cols].round(3).to_string(index=False))
    for note in result.notes:
        print(f"  {note}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="recoverycap-example-") as tmp:
        main(Path(tmp))
