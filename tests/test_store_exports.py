"""Exports: long and wide, CSV and XLSX, missing reasons in their own columns, files 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from store_helpers import read_csv

from recoverycap import Missing
from recoverycap.errors import InvalidRecord, StoreError
from recoverycap.store import Store
from recoverycap.store import exports as exports_module

pytest_plugins = ["store_fixtures"]


def give(
    store: Store, code: str, instrument: str, timepoint: str, day: str, answers: dict[str, object]
) -> str:
    adm = store.start_administration(code, instrument, timepoint, mode="paper", administered_at=day)
    for item, value in answers.items():
        store.record_answer(adm.id, item, value)
    store.complete_administration(adm.id)
    return adm.id


@pytest.fixture
def filled(mem_store: Store) -> Store:
    mem_store.add_participant("ALT-1", site="HMP A", cohort="c1")
    mem_store.add_participant("ALT-2", site="HMP B", cohort="c1")
    barc = {f"q{i}": 1 + i % 6 for i in range(1, 11)}
    give(mem_store, "ALT-1", "barc10", "release", "2025-04-01", barc | {"q2": Missing("declined")})
    give(mem_store, "ALT-1", "barc10", "intake", "2025-01-01", barc)
    give(mem_store, "ALT-1", "tiny", "intake", "2025-01-01", {"a1": 2, "note": "fine, thanks"})
    give(mem_store, "ALT-2", "barc10", "intake", "2025-01-05", barc | {"q10": Missing("dont_know")})
    return mem_store


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_long_responses(filled: Store, tmp_path: Path) -> None:
    """One row per answer, items in the instrument's order, missing reasons in their own column."""
    report = filled.export("responses", tmp_path / "long.csv")
    rows = read_csv(report.path)
    assert report.rows == len(rows) == 10 + 10 + 5 + 10
    first = [r for r in rows if r["subject"] == "ALT-1" and r["timepoint"] == "release"]
    assert [r["item"] for r in first] == [f"q{i}" for i in range(1, 11)]
    assert (first[1]["value"], first[1]["missing_reason"]) == ("", "declined")
    assert (first[0]["value"], first[0]["missing_reason"]) == ("2", "")
    assert mode(report.path) == 0o600


def test_wide_responses_one_row_per_person_per_time_point(filled: Store, tmp_path: Path) -> None:
    report = filled.export("responses", tmp_path / "wide.csv", wide=True)
    rows = read_csv(report.path)
    assert [(r["subject"], r["timepoint"]) for r in rows] == [
        ("ALT-1", "intake"),
        ("ALT-1", "release"),
        ("ALT-2", "intake"),
    ]
    assert report.columns[:5] == ("subject_type", "subject", "site", "cohort", "timepoint")
    assert (
        "barc10_q1" in report.columns
        and "barc10_q1_missing" in report.columns
        and "tiny_note" in report.columns
    )
    release = rows[1]
    assert (release["barc10_q2"], release["barc10_q2_missing"]) == ("", "declined")
    assert (release["barc10_q1"], release["barc10_q1_missing"]) == ("2", "")
    assert release["tiny_a1"] == "" and release["tiny_a1_missing"] == ""  # no tiny at release
    assert rows[0]["tiny_note"] == "fine, thanks" and rows[0]["tiny_a2_missing"] == "not_asked"
    assert (rows[2]["barc10_q10"], rows[2]["barc10_q10_missing"]) == ("", "dont_know")
    assert mode(report.path) == 0o600


def test_wide_scores_and_filters(filled: Store, tmp_path: Path) -> None:
    """Scores wide: <instrument>_<scale>, _band, _answered; filters narrow the rows."""
    report = filled.export(
        "scores", tmp_path / "s.csv", wide=True, instrument="barc10", site="HMP A"
    )
    rows = read_csv(report.path)
    assert [(r["subject"], r["timepoint"]) for r in rows] == [
        ("ALT-1", "intake"),
        ("ALT-1", "release"),
    ]
    # by hand: codes 1 + i % 6 for i = 1..10 are 2,3,4,5,6,1,2,3,4,5 (sum 35); release lacks q2 (3)
    assert rows[0]["barc10_total"] in ("35", "35.0") and rows[0]["barc10_total_answered"] == "10"
    assert rows[1]["barc10_total_answered"] == "9"
    assert "tiny_strain" not in report.columns
    with pytest.raises(TypeError, match="unknown filter"):
        filled.export("scores", tmp_path / "x.csv", colour="red")


def test_latest_administration_wins_in_wide_and_is_reported(filled: Store, tmp_path: Path) -> None:
    give(filled, "ALT-2", "barc10", "intake", "2025-01-09", {f"q{i}": 6 for i in range(1, 11)})
    report = filled.export("responses", tmp_path / "w.csv", wide=True, subject="ALT-2")
    [row] = read_csv(report.path)
    assert row["barc10_administered_at"] == "2025-01-09" and row["barc10_q10"] == "6"
    assert row["barc10_q10_missing"] == ""
    assert report.duplicates == 1 and "latest was used" in report.notes[0]


def test_xlsx_matches_csv(filled: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    csv_report = filled.export("responses", tmp_path / "w.csv", wide=True)
    xlsx_report = filled.export("responses", tmp_path / "w.xlsx", wide=True)
    assert xlsx_report.format == "xlsx" and mode(xlsx_report.path) == 0o600
    sheet = load_workbook(xlsx_report.path, read_only=True)["responses"]
    cells = [
        ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
    ]
    rows = read_csv(csv_report.path)
    assert cells[0] == list(csv_report.columns)
    width = len(cells[0])  # read-only openpyxl leaves off empty cells at the end of a row
    assert [
        dict(zip(cells[0], r + [""] * (width - len(r)), strict=True)) for r in cells[1:]
    ] == rows


def test_a_failed_export_leaves_the_old_file_and_no_partial(
    filled: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "long.xlsx"
    target.write_text("the previous export")
    monkeypatch.setattr(exports_module, "XLSX_MAX_ROWS", 5)
    with pytest.raises(StoreError, match="more than an XLSX sheet holds; use --format csv"):
        filled.export("responses", target)
    assert target.read_text() == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.xlsx"]


def test_enrolments_and_activities(mem_store: Store, tmp_path: Path) -> None:
    mem_store.add_participant("ALT-1", site="HMP A")
    mem_store.enrol(
        "ALT-1", "ttg", "2025-01-01", ended="2025-02-01", outcome="not_completed", reason="health"
    )
    mem_store.add_activity(
        "ALT-1",
        "followup_attempt",
        "2025-05-01",
        "declined",
        mode="phone",
        timepoint="post_release_4w",
    )
    [enrolment] = read_csv(mem_store.export("enrolments", tmp_path / "e.csv").path)
    assert (
        enrolment["participant"],
        enrolment["programme"],
        enrolment["outcome"],
        enrolment["reason"],
    ) == ("ALT-1", "ttg", "not_completed", "health")
    [activity] = read_csv(mem_store.export("activities", tmp_path / "a.csv").path)
    assert (activity["activity"], activity["result"], activity["mode"], activity["timepoint"]) == (
        "followup_attempt",
        "declined",
        "phone",
        "post_release_4w",
    )
    with pytest.raises(StoreError, match="--wide is for responses and scores"):
        mem_store.export("enrolments", tmp_path / "e.csv", wide=True)


def test_enrolment_and_activity_exports_filter_by_date(mem_store: Store, tmp_path: Path) -> None:
    """date_from and date_to are inclusive (enrolments by start, activities by date); a date that
    is not YYYY-MM-DD is refused naming the filter."""
    mem_store.add_participant("ALT-1")
    mem_store.enrol("ALT-1", "ttg", "2025-01-01", ended="2025-02-01", outcome="completed")
    mem_store.enrol("ALT-1", "twelve_step", "2025-03-01")
    for day in ("2025-05-01", "2025-05-02", "2025-05-03"):
        mem_store.add_activity("ALT-1", "one_to_one", day)
    enrolments = read_csv(
        mem_store.export("enrolments", tmp_path / "e.csv", date_from="2025-03-01").path
    )
    assert [e["programme"] for e in enrolments] == ["twelve_step"]
    activities = read_csv(
        mem_store.export(
            "activities", tmp_path / "a.csv", date_from="2025-05-02", date_to="2025-05-02"
        ).path
    )
    assert [a["date"] for a in activities] == ["2025-05-02"]
    with pytest.raises(InvalidRecord, match="date_to.*'03/05/2025' is not a date"):
        mem_store.export("activities", tmp_path / "a.csv", date_to="03/05/2025")
