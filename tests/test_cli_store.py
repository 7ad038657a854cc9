"""``recoverycap import|export|backup|restore|audit``: thin commands over the store."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from store_helpers import read_csv, write_csv

from recoverycap.cli import main
from recoverycap.store import Store

ENV = {
    "RECOVERYCAP_INSTRUMENTS": "",
    "RECOVERYCAP_USER": "PW-1",
    "RECOVERYCAP_CONFIG": "/nonexistent/config.toml",
}
LONG = [
    "participant",
    "timepoint",
    "instrument",
    "item",
    "value",
    "missing_reason",
    "administered_at",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "recoverycap.db"


def run(db: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], env=ENV, input=input)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loaded(db: Path, tmp_path: Path) -> Path:
    people = write_csv(
        tmp_path / "people.csv", [["participant", "site"], ["ALT-1", "HMP A"], ["ALT-2", "HMP B"]]
    )
    assert run(db, "import", "participants", str(people)).exit_code == 0
    rows = [LONG] + [
        [code, "intake", "barc10", f"q{i}", 1 + (i + n) % 6, "", "2025-01-02"]
        for n, code in enumerate(["ALT-1", "ALT-2"])
        for i in range(1, 11)
    ]
    result = run(db, "import", "responses", str(write_csv(tmp_path / "r.csv", rows)))
    assert result.exit_code == 0, result.output
    return db


def test_import_reports_what_it_did_and_is_idempotent(loaded: Path, tmp_path: Path) -> None:
    result = run(loaded, "import", "responses", str(tmp_path / "r.csv"))
    assert result.exit_code == 0
    assert "0 administrations created, 0 updated, 2 unchanged, 0 answers written" in result.output


def test_import_problems_are_listed_and_nothing_written(loaded: Path, tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            LONG,
            ["ALT-1", "release", "barc10", "q1", "9", "", "2025-05-01"],
            ["ALT-1", "release", "barc10", "q2", "3", "", "1 May"],
        ],
    )
    with Store.open(loaded) as store:
        before = store.counts()
    result = run(loaded, "import", "responses", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bad.csv row 2, value: 9 is not one of 1–6" in result.output
    assert "bad.csv row 3, administered_at:" in result.output
    assert "nothing was imported" in result.output
    with Store.open(loaded) as store:
        assert store.counts() == before


def test_dry_run(loaded: Path, tmp_path: Path) -> None:
    more = write_csv(tmp_path / "more.csv", [["participant"], ["ALT-3"]])
    result = run(loaded, "import", "participants", str(more), "--dry-run")
    assert "1 participants created" in result.output and "dry run, nothing written" in result.output
    with Store.open(loaded) as store:
        assert len(store.participants()) == 2


def test_export_wide_csv_and_xlsx_owner_only(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    result = run(loaded, "export", "scores", "--wide", "-o", str(out), "--site", "HMP A")
    assert result.exit_code == 0 and "Wrote 1 rows (scores, wide, csv)" in result.output
    [row] = read_csv(out)
    assert row["subject"] == "ALT-1" and "barc10_total" in row
    assert mode(out) == 0o600
    xlsx = tmp_path / "responses.xlsx"
    assert run(loaded, "export", "responses", "-o", str(xlsx)).exit_code == 0
    assert mode(xlsx) == 0o600
    result = run(
        loaded, "export", "enrolments", "-o", str(tmp_path / "e.csv"), "--instrument", "barc10"
    )
    assert result.exit_code == 2 and "are for responses and scores" in result.output


def test_backup_and_restore(loaded: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    result = run(loaded, "backup", str(backup))
    assert result.exit_code == 0 and "checked: integrity ok, row counts equal" in result.output
    assert mode(backup) == 0o600
    run(loaded, "participant", "add", "ALT-3")
    result = run(loaded, "restore", str(backup), input="n\n")
    assert result.exit_code == 1  # declined: nothing done
    result = run(loaded, "restore", str(backup), "--yes")
    assert result.exit_code == 0 and "Kept the replaced database as" in result.output
    with Store.open(loaded) as store:
        assert [p.code for p in store.participants()] == ["ALT-1", "ALT-2"]


def test_audit_shows_changes_newest_first(loaded: Path) -> None:
    run(loaded, "participant", "update", "ALT-1", "--site", "Community", "--reason", "released")
    result = run(loaded, "audit", "--table", "participants", "--limit", "1")
    assert result.exit_code == 0
    [line] = result.output.splitlines()
    assert "PW-1  update participants" in line and "site: HMP A -> Community (released)" in line
    assert "import responses" in run(loaded, "audit", "--action", "import").output


@pytest.mark.parametrize("command", ["import", "export", "backup", "restore", "audit"])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"], env=ENV)
    assert result.exit_code == 0 and "Usage:" in result.output
