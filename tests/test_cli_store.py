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


# -- read-only commands never create a database --------------------------------------------------------
READ_ONLY = [
    ["participant", "list"],
    ["participant", "show", "ALT-1"],
    ["participant", "release", "ALT-1", "2025-01-01"],
    ["participant", "update", "ALT-1", "--site", "HMP B"],
    ["worker", "list"],
    ["programme", "list"],
    ["enrol", "list"],
    ["activity", "list"],
    ["alerts", "list"],
    ["alerts", "ack", "0123456789", "--by", "PW-1"],
    ["export", "scores", "-o", "OUT/scores.csv"],
    ["backup", "OUT/backup.db"],
    ["audit"],
    ["due"],
    ["wellbeing", "summary"],
    ["analyse", "change", "--instrument", "barc10", "--from", "intake", "--to", "release"],
    ["analyse", "trajectory", "--instrument", "barc10"],
    ["analyse", "reliability", "--instrument", "barc10"],
    ["analyse", "attrition"],
    [
        "analyse",
        "plot",
        "profile",
        "--instrument",
        "barc10",
        "--participant",
        "ALT-1",
        "-o",
        "OUT/p.png",
    ],
]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_commands_that_only_read_refuse_a_missing_database(tmp_path: Path, args: list[str]) -> None:
    """A mistyped --db is an error naming the path (not an empty database that looks like data
    loss), and no file or folder is created."""
    out = tmp_path / "out"
    out.mkdir()
    typo = tmp_path / "typo" / "orgg.db"
    env = ENV | {"RECOVERYCAP_CONFIG": None, "XDG_CONFIG_HOME": str(out)}  # default config: none
    result = CliRunner().invoke(
        main, ["--db", str(typo), *[a.replace("OUT", str(out)) for a in args]], env=env
    )
    assert result.exit_code == 1, result.output
    assert f"no database at {typo}; check --db (or RECOVERYCAP_DB)" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and not any(out.iterdir())


def test_commands_that_write_create_every_missing_folder_owner_only(tmp_path: Path) -> None:
    """The database's folders are all created 0700, not only the last one."""
    db = tmp_path / "a" / "b" / "c" / "org.db"
    result = run(db, "participant", "add", "ALT-1")
    assert result.exit_code == 0, result.output
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert mode(folder) == 0o700, folder
    assert mode(db) == 0o600


# -- exports: participants only unless asked; formats; existing files ----------------------------------
@pytest.fixture
def with_worker(loaded: Path, tmp_path: Path) -> Path:
    """``loaded`` plus a peer worker's own (BARC-10) answers under their code."""
    with Store.open(loaded, actor="test") as store:
        store.add_worker("PW-07", site="HMP A")
        adm = store.start_administration(
            "PW-07", "barc10", "quarterly", subject_type="worker", by="PW-07"
        )
        for i in range(1, 11):
            store.record_answer(adm.id, f"q{i}", 3 if i != 4 else 5, by="PW-07")
        store.complete_administration(adm.id, by="PW-07")
    return loaded


@pytest.mark.parametrize("kind", ["scores", "responses"])
def test_export_leaves_workers_out_unless_asked(
    with_worker: Path, tmp_path: Path, kind: str
) -> None:
    """No --subject-type: participants only, no warning. --subject-type worker: the workers'
    rows, with a warning that worker-level data must not leave the organisation."""
    out = tmp_path / f"{kind}.csv"
    result = run(with_worker, "export", kind, "-o", str(out), "--quiet")
    assert result.exit_code == 0 and "Warning" not in result.output
    assert {r["subject"] for r in read_csv(out)} == {"ALT-1", "ALT-2"}
    out = tmp_path / f"{kind}-workers.csv"
    result = run(with_worker, "export", kind, "-o", str(out), "--subject-type", "worker", "--quiet")
    assert result.exit_code == 0, result.output
    assert "Warning: " in result.output and "must not leave the organisation" in result.output
    assert {r["subject"] for r in read_csv(out)} == {"PW-07"}
    out = tmp_path / f"{kind}-all.csv"
    result = run(with_worker, "export", kind, "-o", str(out), "--subject-type", "all", "--quiet")
    assert "must not leave the organisation" in result.output
    assert {r["subject"] for r in read_csv(out)} == {"ALT-1", "ALT-2", "PW-07"}


def test_export_refuses_an_unknown_extension_and_an_existing_file(
    loaded: Path, tmp_path: Path
) -> None:
    """out.json is not silently written as CSV; an existing file is kept unless --force."""
    result = run(loaded, "export", "scores", "-o", str(tmp_path / "out.json"))
    assert result.exit_code == 1 and "'.json' is not .csv or .xlsx" in result.output
    assert "--format" in result.output and not (tmp_path / "out.json").exists()
    assert (
        run(
            loaded, "export", "scores", "-o", str(tmp_path / "out.json"), "--format", "csv"
        ).exit_code
        == 0
    )
    target = tmp_path / "scores.csv"
    target.write_text("keep me")
    result = run(loaded, "export", "scores", "-o", str(target))
    assert result.exit_code == 1 and f"{target} exists already" in result.output
    assert target.read_text() == "keep me"
    assert run(loaded, "export", "scores", "-o", str(target), "--force").exit_code == 0
    assert read_csv(target)[0]["subject"] == "ALT-1"
    result = run(
        loaded, "export", "enrolments", "-o", str(tmp_path / "e.csv"), "--subject-type", "worker"
    )
    assert result.exit_code == 2 and "participants' records" in result.output


def test_backup_refuses_an_existing_file_unless_forced(loaded: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("yesterday")
    result = run(loaded, "backup", str(target))
    assert result.exit_code == 1 and f"{target} exists already" in result.output
    assert target.read_text() == "yesterday"
    assert run(loaded, "backup", str(target), "--force").exit_code == 0
    with Store.open(target, create=False) as copy:
        assert len(copy.participants()) == 2


# -- the audit log: workers' values hidden; a person's entries --------------------------------------------
def test_audit_hides_workers_own_answers_and_scores(with_worker: Path) -> None:
    """A manager browsing the log sees that PW-07 answered, not what; --show-worker-values
    shows the values; participants' answers are shown as before."""
    result = run(with_worker, "audit", "--actor", "PW-07", "--limit", "0")
    assert result.exit_code == 0
    answers = [ln for ln in result.output.splitlines() if " insert answers " in ln]
    assert len(answers) == 10
    assert all(ln.endswith(": (worker's answer: hidden)") for ln in answers)
    assert "q4: 5" not in result.output
    assert "10 value(s) of peer workers' own answers and scores hidden" in result.output
    shown = run(with_worker, "audit", "--actor", "PW-07", "--limit", "0", "--show-worker-values")
    assert " q4: 5" in shown.output and "hidden" not in shown.output
    with Store.open(with_worker) as store:  # the log itself is complete
        assert 5 in [e.new_value for e in store.audit_log(actor="PW-07", table="answers")]
    run(with_worker, "participant", "update", "ALT-1", "--cohort", "c9")
    assert "cohort: c9" in run(with_worker, "audit", "--limit", "1").output


def test_audit_by_participant_and_worker(with_worker: Path) -> None:
    """--participant CODE lists the entries of that person's records; --record with a code says
    what to use instead."""
    run(with_worker, "enrol", "start", "ALT-1", "ttg", "--date", "2025-01-01")
    run(with_worker, "activity", "add", "ALT-1", "one_to_one", "--date", "2025-01-03")
    result = run(with_worker, "audit", "--participant", "ALT-1", "--limit", "0")
    assert result.exit_code == 0
    tables = {ln.split()[4] for ln in result.output.splitlines()}
    assert tables == {"participants", "enrolments", "activities", "administrations"}
    assert "ALT-2" not in result.output
    result = run(with_worker, "audit", "--worker", "PW-07", "--limit", "0")
    assert {ln.split()[4] for ln in result.output.splitlines() if ln[:2] == "20"} == {
        "workers",
        "administrations",
        "answers",
    }
    result = run(with_worker, "audit", "--record", "ALT-1")
    assert "No entries." in result.output and "--participant ALT-1" in result.output
    result = run(with_worker, "audit", "--participant", "ALT-9")
    assert result.exit_code == 1 and "no participant with code 'ALT-9'" in result.output


# -- who is at the keyboard ----------------------------------------------------------------------------------
def test_a_recoverycap_user_that_is_not_a_code_is_not_logged(db: Path) -> None:
    """RECOVERYCAP_USER="Jo Bloggs" (a name) falls back to the login name, with a warning."""
    import getpass

    env = ENV | {"RECOVERYCAP_USER": "Jo Bloggs"}
    result = CliRunner().invoke(main, ["--db", str(db), "participant", "add", "ALT-1"], env=env)
    assert result.exit_code == 0, result.output
    assert "Warning: RECOVERYCAP_USER is not a code like a worker code" in result.output
    with Store.open(db) as store:
        [entry] = store.audit_log(table="participants")
    assert entry.actor == getpass.getuser() != "Jo Bloggs"
