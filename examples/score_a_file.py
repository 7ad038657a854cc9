"""Score a wide CSV of BARC-10 answers from Python, the way `recoverycap score` does.

    python examples/score_a_file.py [examples/barc10_responses.csv]

The file holds synthetic answers (one row per participant and time point). Empty cells and
'declined' are missing answers, never zeros: a total with a missing item stays missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from recoverycap import Library, score_frame

HERE = Path(__file__).parent


def main(path: Path) -> pd.DataFrame:
    barc10 = Library().get("barc10")
    answers = pd.read_csv(path, dtype=str, keep_default_na=False)
    scores = score_frame(barc10, answers)
    scored = pd.concat([answers[["participant", "timepoint"]], scores], axis=1)
    summary = scored.groupby("timepoint", sort=False)["barc10_total"].agg(["count", "mean", "std"])
    print(f"{barc10.label}: {barc10.name}")
    print(summary.round(1).to_string())
    at_cutoff = scored.groupby("timepoint", sort=False)["barc10_total_band"].value_counts()
    print()
    print(at_cutoff.to_string())
    return scored


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "barc10_responses.csv")
