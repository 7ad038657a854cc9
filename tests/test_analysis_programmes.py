"""Results by programme: a person enrolled on two programmes counts in each programme's results
and once in "all", which therefore equals the analysis without ``by``."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recoverycap import Instrument
from recoverycap.analysis import (
    add_programme,
    attrition,
    change_table,
    growth_table,
    reliable_change,
    repeated_measures,
    timepoint_summary,
)
from recoverycap.analysis.reliability import scale_reliabilities
from recoverycap.errors import RecoveryCapWarning

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    """The growth dataset checked against R: 40 people, up to four time points."""
    return pd.read_csv(REF / "growth.csv")


@pytest.fixture(scope="module")
def enrolments(scores: pd.DataFrame) -> pd.DataFrame:
    """Everyone on ttg or twelve_step; the first ten people (in code order) on both."""
    people = sorted(scores["subject"].unique())
    rows = [
        {"participant": p, "programme": "ttg" if i % 2 else "twelve_step"}
        for i, p in enumerate(people)
    ]
    rows += [
        {"participant": p, "programme": "ttg" if i % 2 == 0 else "twelve_step"}
        for i, p in enumerate(people[:10])
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def by_programme(scores: pd.DataFrame, enrolments: pd.DataFrame) -> pd.DataFrame:
    data = add_programme(scores, enrolments)
    assert len(data) > len(scores)  # the ten people on two programmes are listed twice
    return data


def _run(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Call ``fn`` and return its result and the RecoveryCapWarning messages it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    return out, [str(w.message) for w in caught if issubclass(w.category, RecoveryCapWarning)]


def _says_listed_twice(messages: list[str]) -> bool:
    return any(
        "10 people are listed under more than one programme" in m
        and "the 'all' results count them once" in m
        for m in messages
    )


def test_change_all_row_counts_each_person_once(
    scores: pd.DataFrame, by_programme: pd.DataFrame
) -> None:
    """The "all" row equals the change without --by; the note names the ten people on two
    programmes; no "more than one score" warning from the duplicated rows."""
    alone = change_table(scores, before="intake", after="release")
    table, messages = _run(
        change_table, by_programme, before="intake", after="release", by="programme"
    )
    assert table["group"].tolist() == ["all", "ttg", "twelve_step"]
    pd.testing.assert_series_equal(table.iloc[0], alone.iloc[0], check_names=False)
    assert table.loc[1:, "n_pairs"].sum() > table.loc[0, "n_pairs"]  # the ten count in both
    assert _says_listed_twice(messages)
    assert not any("more than one score" in m for m in messages)


def test_reliable_change_all_row_counts_each_person_once(
    scores: pd.DataFrame, by_programme: pd.DataFrame, barc10: Instrument
) -> None:
    """Categories, the people left out and the baseline SD of "all" are those without --by."""
    alone = reliable_change(scores, before="intake", after="release", instrument=barc10)
    rc, messages = _run(
        reliable_change,
        by_programme,
        before="intake",
        after="release",
        instrument=barc10,
        by="programme",
    )
    everyone = rc.summary[rc.summary["group"] == "all"].reset_index(drop=True)
    pd.testing.assert_frame_equal(everyone, alone.summary)
    assert rc.inputs == alone.inputs  # the sample SD from each person's intake once
    assert rc.notes == alone.notes  # "N people were scored at only one of ..." counted once
    people = rc.people[rc.people["group"] == "all"].reset_index(drop=True)
    pd.testing.assert_frame_equal(people, alone.people)
    in_groups = rc.summary[rc.summary["group"] != "all"]["n"].sum()
    assert _both_paired(by_programme) > 0
    assert in_groups == everyone["n"].sum() + _both_paired(by_programme)
    assert _says_listed_twice(messages)


def _both_paired(data: pd.DataFrame) -> int:
    """People on two programmes scored at both intake and release (counted in two groups)."""
    both = data.groupby("subject")["programme"].nunique()
    both = set(both[both > 1].index)
    tps = data[data["subject"].isin(both)].groupby("subject")["timepoint"].agg(set)
    return int(sum({"intake", "release"} <= t for t in tps))


def test_trajectories_all_rows_count_each_person_once(
    scores: pd.DataFrame, by_programme: pd.DataFrame
) -> None:
    """Means per time point, complete-case tests and the growth model of "all" equal those
    without --by (before the fix the growth model of "all" had the ten people's scores twice)."""
    summary, messages = _run(timepoint_summary, by_programme, by="programme")
    pd.testing.assert_frame_equal(
        summary[summary["group"] == "all"].reset_index(drop=True), timepoint_summary(scores)
    )
    rm, _ = _run(repeated_measures, by_programme, by="programme")
    alone = repeated_measures(scores)
    pd.testing.assert_frame_equal(rm.tests.iloc[:1], alone.tests)
    assert rm.notes == alone.notes
    (_, models), _ = _run(growth_table, by_programme, time="order", by="programme")
    _, solo_models = growth_table(scores, time="order")
    assert models[0].n_observations == solo_models[0].n_observations == len(scores)
    assert models[0].estimate("time") == pytest.approx(solo_models[0].estimate("time"))
    assert _says_listed_twice(messages)
    assert not any("more than one score" in m for m in messages)


def test_attrition_all_rows_count_each_person_once(
    scores: pd.DataFrame, by_programme: pd.DataFrame
) -> None:
    """Follow-up counts and the baseline comparison of "all" equal those without --by."""
    result, _ = _run(attrition, by_programme, by="programme")
    alone = attrition(scores)
    followed = result.followed[result.followed["group"] == "all"].reset_index(drop=True)
    pd.testing.assert_frame_equal(followed, alone.followed)
    pd.testing.assert_frame_equal(result.comparison, alone.comparison)


def test_reliability_all_row_counts_each_administration_once(barc10: Instrument) -> None:
    """α of "all" uses each administration once however many programmes list its person."""
    rng = np.random.default_rng(5)
    level = rng.normal(3.5, 1, size=30)
    items = pd.DataFrame(
        {f"q{i}": np.clip(np.round(level + rng.normal(0, 0.7, 30)), 1, 6) for i in range(1, 11)}
    )
    items.insert(0, "subject", [f"P{i:02d}" for i in range(30)])
    items.insert(0, "administration_id", [f"a{i}" for i in range(30)])
    enrolments = pd.DataFrame(
        {
            "participant": [f"P{i:02d}" for i in range(30)] + [f"P{i:02d}" for i in range(12)],
            "programme": ["ttg"] * 15 + ["twelve_step"] * 15 + ["twelve_step"] * 12,
        }
    )
    alone = scale_reliabilities(items, barc10)[0]
    results, messages = _run(
        scale_reliabilities, add_programme(items, enrolments), barc10, by="programme"
    )
    assert [r.group for r in results] == ["all", "ttg", "twelve_step"]
    assert results[0].n == alone.n == 30
    assert results[0].alpha == pytest.approx(alone.alpha)
    assert results[2].n == 15 + 12
    assert any("12 people are listed under more than one programme" in m for m in messages)
