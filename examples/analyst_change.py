"""For analysts: change from intake to programme end, and reliable change per person.

    python examples/analyst_change.py

Does from Python what ``recoverycap analyse change`` does, step by step:

1. builds a made-up organisation in a temporary folder and reads its scores as a tidy long
   DataFrame with ``Store.scores_frame`` (one row per questionnaire and scale);
2. paired change in BARC-10 recovery capital (paired t, Wilcoxon, d_z, Hedges' g) with
   :func:`recoverycap.analysis.paired_change`, and by programme with
   :func:`recoverycap.analysis.change_table`;
3. Jacobson–Truax reliable change with :func:`recoverycap.analysis.reliable_change`: first with
   the instrument file's reliability (Cronbach's α 0.90 from the BARC-10 paper) and the sample's
   baseline SD, then with both taken from the sample; prints where each number came from, the
   count in each category (recovered, improved, unchanged, deteriorated) and the plain-language
   sentence for a few people in each.

Nothing in it is real. It needs no arguments and no network; the folder is deleted at the end.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pandas as pd

from recoverycap import Library, RecoveryCapWarning, Store
from recoverycap.analysis import (
    add_programme,
    change_table,
    items_wide,
    paired_change,
    reliable_change,
)
from recoverycap.demo import build

BEFORE, AFTER = "intake", "programme_end"


def main(folder: Path) -> None:
    library = Library()
    barc10 = library.get("barc10")
    label = "BARC-10 recovery capital"
    with Store.open(folder / "demo.db", library=library, actor="analyst") as store:
        build(store, participants=120)
        scores = store.scores_frame(subject_type="participant", instrument="barc10")
        answers = store.answers_frame(
            subject_type="participant", instrument="barc10", timepoint=BEFORE
        )
        enrolments = pd.DataFrame(
            [{"participant": e.participant, "programme": e.programme} for e in store.enrolments()]
        )
    print(f"scores_frame: {len(scores)} rows; columns: {', '.join(scores.columns)}\n")

    # Paired change, everyone scored at both time points.
    change = paired_change(scores, before=BEFORE, after=AFTER, instrument="barc10", scale="total")
    print(change.describe(label))

    # The same by programme. add_programme gives one row per enrolment, so a person on two
    # programmes (e.g. twelve_step, then ttg at release) counts in both groups; the "all" row
    # counts them once, and a warning says how many people are listed under more than one.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RecoveryCapWarning)
        table = change_table(
            add_programme(scores, enrolments),
            before=BEFORE,
            after=AFTER,
            instrument="barc10",
            scale="total",
            by="programme",
        )
    print("\nBy programme:")
    print(
        table[
            [
                "group",
                "n_pairs",
                "mean_before",
                "mean_after",
                "mean_change",
                "ci_low",
                "ci_high",
                "p_t",
                "d_z",
            ]
        ]
        .round(3)
        .to_string(index=False)
    )
    for w in caught:
        print(f"note: {w.message}")

    # Reliable change with the published reliability (from the instrument file) and, because the
    # file gives no normative SD for BARC-10, the SD of the sample's intake scores.
    rc = reliable_change(scores, before=BEFORE, after=AFTER, instrument=barc10, scale="total")
    print("\nReliable change (Jacobson–Truax), published reliability:")
    print(rc.describe())
    print(rc.summary.round(1).to_string(index=False))
    print("\nA few people in each category:")
    for category in ("recovered", "improved", "unchanged", "deteriorated"):
        for sentence in rc.people.loc[rc.people["category"] == category, "sentence"].head(2):
            print(f"  [{category}] {sentence}")

    # The same with the SD and Cronbach's α both from the sample at intake (like --sample).
    items = items_wide(answers, "barc10")
    own = reliable_change(
        scores,
        before=BEFORE,
        after=AFTER,
        instrument=barc10,
        scale="total",
        source="sample",
        items=items,
    )
    print("\nReliable change with the sample's own SD and α:")
    print(own.inputs.describe())
    counts = own.summary.set_index("category")["n"]
    print(", ".join(f"{cat} {int(n)}" for cat, n in counts.items()))

    # One person's numbers, for checking by hand: RC = (after - before) / S_diff.
    person = rc.people.iloc[0]
    print(
        f"\nBy hand for {person.subject}: ({person.after:g} - {person.before:g}) / {rc.inputs.s_diff:.3f} "
        f"= {person.rc:.2f}; |RC| {'>' if abs(person.rc) > 1.96 else '<='} 1.96, so {person.category}."
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="recoverycap-example-") as tmp:
        main(Path(tmp))
