"""Exports: long and wide, CSV and XLSX, missing reasons in their own columns, files 0600."""

from __future__ import annotations

import os
import re
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
        filled.export("responses", target, overwrite=True)
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
        mem_store.export("activities", tmp_path / "a2.csv", date_to="03/05/2025")


# -- privacy by default: participants only -------------------------------------------------------------
@pytest.fixture
def with_worker(filled: Store) -> Store:
    """``filled`` plus a peer worker's own (tiny) check, stored under their code."""
    filled.add_worker("PW-07", site="HMP A")
    adm = filled.start_administration(
        "PW-07", "tiny", "quarterly", subject_type="worker", administered_at="2025-03-01"
    )
    filled.record_answer(adm.id, "a1", 3)
    filled.complete_administration(adm.id)
    return filled


@pytest.mark.parametrize("kind", ["responses", "scores"])
@pytest.mark.parametrize("wide", [False, True])
def test_exports_hold_participants_only_by_default(
    with_worker: Store, tmp_path: Path, kind: str, wide: bool
) -> None:
    """Without subject_type, no worker row (and no worker code) is in the file, long or wide,
    and the report warns of nothing."""
    report = with_worker.export(kind, tmp_path / "out.csv", wide=wide)
    rows = read_csv(report.path)
    assert rows and {r["subject_type"] for r in rows} == {"participant"}
    assert "PW-07" not in report.path.read_text()
    assert (report.subject_type, report.warnings) == ("participant", ())


@pytest.mark.parametrize(
    ("subject_type", "types"), [("worker", {"worker"}), (None, {"participant", "worker"})]
)
def test_worker_data_only_when_asked_for_and_with_a_warning(
    with_worker: Store, tmp_path: Path, subject_type: str | None, types: set[str]
) -> None:
    """subject_type="worker" (or None, both) exports the workers' own results, and the report
    warns that worker-level data identifies individuals."""
    report = with_worker.export("scores", tmp_path / "w.csv", subject_type=subject_type)
    rows = read_csv(report.path)
    assert {r["subject_type"] for r in rows} == types
    assert "PW-07" in {r["subject"] for r in rows}
    [warning] = report.warnings
    assert "identifies individuals and must not leave the organisation" in warning


def test_subject_type_given_among_the_filters_counts_too(
    with_worker: Store, tmp_path: Path
) -> None:
    """Passed as a filter (as scores_frame takes it), subject_type chooses the same rows."""
    rows = read_csv(
        with_worker.export("scores", tmp_path / "w.csv", **{"subject_type": "worker"}).path
    )
    assert {r["subject"] for r in rows} == {"PW-07"}


def test_worker_data_is_not_asked_of_enrolments(mem_store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="enrolments are participants' records"):
        mem_store.export("enrolments", tmp_path / "e.csv", subject_type="worker")
    assert not (tmp_path / "e.csv").exists()


# -- formats and existing files -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "fmt", "says"),
    [
        ("out.json", None, "its extension '.json' is not .csv or .xlsx"),
        ("out", None, "it has no extension"),
        ("out.xlsx", "csv", "out.xlsx is named .xlsx but the format asked for is csv"),
        ("out.csv", "parquet", "format 'parquet' is not one of csv, xlsx"),
    ],
)
def test_a_format_that_cannot_be_told_or_contradicts_the_name_is_refused(
    filled: Store, tmp_path: Path, name: str, fmt: str | None, says: str
) -> None:
    """Nothing is written under a name that does not say what the file holds."""
    with pytest.raises(StoreError, match=re.escape(says)):
        filled.export("scores", tmp_path / name, format=fmt)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_extension_is_written_in_the_format_given(filled: Store, tmp_path: Path) -> None:
    report = filled.export("scores", tmp_path / "scores.txt", format="csv")
    assert report.format == "csv" and read_csv(report.path)


def test_an_existing_file_is_not_replaced_unless_asked(filled: Store, tmp_path: Path) -> None:
    """The error names the file, which keeps its contents; overwrite=True replaces it."""
    target = tmp_path / "scores.csv"
    target.write_text("last month's export")
    with pytest.raises(StoreError, match=f"{re.escape(str(target))} exists already"):
        filled.export("scores", target)
    assert target.read_text() == "last month's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]
    report = filled.export("scores", target, overwrite=True)
    assert read_csv(report.path)[0]["subject"] == "ALT-1" and mode(target) == 0o600


def test_a_file_appearing_during_an_export_is_not_replaced(
    filled: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The finished export is linked into place, which fails rather than replace a file made
    meanwhile by another program; the partial file is removed."""
    target = tmp_path / "scores.csv"
    real_finish = exports_module._Writer.finish

    def finish(self: exports_module._Writer, overwrite: bool) -> None:
        target.write_text("written by someone else meanwhile")
        real_finish(self, overwrite)

    monkeypatch.setattr(exports_module._Writer, "finish", finish)
    with pytest.raises(StoreError, match="exists already"):
        filled.export("scores", target)
    assert target.read_text() == "written by someone else meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]
