"""``recoverycap participant|worker|programme|enrol|activity``: thin commands over the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from recoverycap.cli import main
from recoverycap.store import Store

ENV = {
    "RECOVERYCAP_INSTRUMENTS": "",
    "RECOVERYCAP_USER": "PW-1",
    "RECOVERYCAP_CONFIG": "/nonexistent/config.toml",
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "recoverycap.db"


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], env=ENV)


def test_participant_add_list_show_release(db: Path) -> None:
    result = run(
        db, "participant", "add", "ALT-0042", "--site", "HMP A", "--release-date", "2025-06-01"
    )
    assert result.exit_code == 0, result.output
    assert "Registered ALT-0042 at HMP A, release date 2025-06-01" in result.output
    assert (db.parent.stat().st_mode & 0o777) == 0o700  # the database folder is created owner-only
    result = run(db, "participant", "release", "ALT-0042", "2025-04-20", "--reason", "HDC granted")
    assert (
        result.exit_code == 0
        and "Moved ALT-0042's release date from 2025-06-01 to 2025-04-20" in result.output
    )
    result = run(db, "participant", "list")
    assert result.output.splitlines()[1].split() == ["ALT-0042", "HMP", "A", "active", "2025-04-20"]
    result = run(db, "participant", "show", "alt-0042")
    assert result.exit_code == 0
    history = result.output.split("Release-date history (oldest first):")[1].splitlines()
    assert history[1].strip().startswith("2025-06-01") and history[2].strip().startswith(
        "2025-04-20"
    )
    assert "by PW-1: HDC granted" in history[2]
    with Store.open(db) as store:
        assert [e.actor for e in store.audit_log(table="release_dates")] == ["PW-1", "PW-1"]


def test_a_name_is_refused_without_a_traceback(db: Path) -> None:
    result = run(db, "participant", "add", "John Smith")
    assert result.exit_code == 1
    assert "looks like a name" in result.output and "Traceback" not in result.output


def test_unknown_participant(db: Path) -> None:
    run(db, "participant", "add", "ALT-1")
    result = run(db, "participant", "show", "ALT-9")
    assert result.exit_code == 1 and "no participant with code 'ALT-9'" in result.output


def test_participant_update(db: Path) -> None:
    run(db, "participant", "add", "ALT-1", "--site", "HMP A")
    result = run(
        db,
        "participant",
        "update",
        "ALT-1",
        "--status",
        "released",
        "--reason",
        "released on licence",
    )
    assert result.exit_code == 0 and "status released" in result.output


def test_workers(db: Path) -> None:
    assert (
        run(db, "worker", "add", "PW-07", "--site", "HMP A", "--role", "peer mentor").exit_code == 0
    )
    result = run(db, "worker", "list")
    assert "PW-07" in result.output and "peer mentor" in result.output
    assert run(db, "worker", "add", "A1234BC").exit_code == 1


def test_programmes_enrolments_and_activities(db: Path) -> None:
    run(db, "participant", "add", "ALT-1")
    assert "ttg" in run(db, "programme", "list").output
    assert run(db, "programme", "add", "womens_group", "Women's recovery group").exit_code == 0
    result = run(db, "enrol", "start", "ALT-1", "ttg", "--date", "2025-01-06")
    assert result.exit_code == 0 and "Enrolled ALT-1 in ttg from 2025-01-06" in result.output
    result = run(
        db,
        "enrol",
        "end",
        "ALT-1",
        "ttg",
        "--date",
        "2025-03-01",
        "--outcome",
        "not_completed",
        "--reason",
        "transferred",
    )
    assert result.exit_code == 0 and "not_completed (transferred)" in result.output
    assert "not_completed" in run(db, "enrol", "list", "--participant", "ALT-1").output
    result = run(
        db,
        "activity",
        "add",
        "ALT-1",
        "gate_pickup",
        "--date",
        "2025-06-01",
        "--result",
        "successful",
    )
    assert result.exit_code == 0, result.output
    result = run(
        db, "activity", "add", "ALT-1", "gate_pickup", "--date", "2025-06-01", "--result", "maybe"
    )
    assert (
        result.exit_code == 1 and "'maybe' is not one of successful, unsuccessful" in result.output
    )
    assert "gate_pickup" in run(db, "activity", "list").output


@pytest.mark.parametrize(
    "command",
    [
        ["participant", "add"],
        ["participant", "list"],
        ["participant", "show"],
        ["participant", "release"],
        ["participant", "update"],
        ["worker", "add"],
        ["worker", "list"],
        ["programme", "list"],
        ["programme", "add"],
        ["enrol", "start"],
        ["enrol", "end"],
        ["enrol", "list"],
        ["activity", "add"],
        ["activity", "list"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"], env=ENV)
    assert result.exit_code == 0 and "Usage:" in result.output


def test_enrol_end_not_completed_needs_a_reason(db: Path) -> None:
    run(db, "participant", "add", "ALT-1")
    run(db, "enrol", "start", "ALT-1", "ttg", "--date", "2025-01-06")
    result = run(
        db, "enrol", "end", "ALT-1", "ttg", "--date", "2025-03-01", "--outcome", "not_completed"
    )
    assert result.exit_code == 1 and "not completed needs a reason" in result.output
    assert "ongoing" in run(db, "enrol", "list").output


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--date", "2030-01-01"], "the date 2030-01-01 is in the future"),
        (
            ["--date", "2025-01-01", "--notes", "transferred, prison no. A1234BC"],
            "looks like a prison number",
        ),
    ],
)
def test_activity_add_refuses_future_dates_and_prison_numbers(
    db: Path, extra: list[str], says: str
) -> None:
    run(db, "participant", "add", "ALT-1")
    result = run(db, "activity", "add", "ALT-1", "one_to_one", *extra)
    assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output
    assert "No activities." in run(db, "activity", "list").output


def _phq9(db: Path, code: str, q9: int) -> str:
    with Store.open(db, actor="test") as store:
        adm = store.start_administration(code, "phq9", "intake", by="PW-03")
        for i in range(1, 10):
            store.record_answer(adm.id, f"q{i}", q9 if i == 9 else 0, by="PW-03")
        store.complete_administration(adm.id, by="PW-03")
        return adm.id


def test_alerts_list_ack_and_participant_show(db: Path) -> None:
    """An alert is listed until acknowledged; acknowledging is logged with the note; the
    participant's page lists their alerts, acknowledged or not."""
    run(db, "participant", "add", "ALT-1")
    run(db, "participant", "add", "ALT-2")
    assert run(db, "alerts", "list").output == "No unacknowledged alerts.\n"
    _phq9(db, "ALT-1", 2)
    _phq9(db, "ALT-2", 1)
    result = run(db, "alerts", "list")
    assert result.exit_code == 0, result.output
    heading, first, second = result.output.splitlines()
    assert heading.split()[:6] == ["id", "raised", "participant", "instrument", "item", "value"]
    assert first.split()[3:7] == ["ALT-1", "phq9", "q9", "2"] and "safeguarding" in first
    assert second.split()[3:7] == ["ALT-2", "phq9", "q9", "1"]
    short = first.split()[0]
    result = run(db, "alerts", "list", "--participant", "ALT-2")
    assert len(result.output.splitlines()) == 2 and "ALT-1" not in result.output
    result = run(db, "alerts", "ack", short, "--by", "PW-03", "--note", "safeguarding lead told")
    assert (
        result.exit_code == 0
        and f"Acknowledged alert {short} (ALT-1, phq9 q9 = 2) by PW-03" in result.output
    )
    assert "already acknowledged" in run(db, "alerts", "ack", short, "--by", "PW-04").output
    assert "ALT-1" not in run(db, "alerts", "list").output
    everything = run(db, "alerts", "list", "--all").output
    assert "ALT-1" in everything and "by PW-03" in everything
    audit = run(db, "audit", "--table", "alerts", "--limit", "0").output.splitlines()
    assert len(audit) == 3  # two raised, one acknowledged
    assert "acknowledged_by: PW-03 (safeguarding lead told)" in audit[0]
    show = run(db, "participant", "show", "ALT-1").output
    assert "Alerts:" in show and "acknowledged" in show.split("Alerts:")[1]
    assert "NOT ACKNOWLEDGED" in run(db, "participant", "show", "ALT-2").output
    result = run(db, "alerts", "ack", short, "--by", "Jo Bloggs")
    assert result.exit_code == 1 and "looks like a name" in result.output


@pytest.mark.parametrize("command", [["alerts", "list"], ["alerts", "ack"]])
def test_alerts_commands_have_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"], env=ENV)
    assert result.exit_code == 0 and "Usage:" in result.output
