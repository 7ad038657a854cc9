"""`recoverycap due`, `recoverycap followup` and `recoverycap config show|path`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverycap.cli import main
from recoverycap.followup import due_list
from recoverycap.store import Store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database with three participants at two sites.

    ALT-0001 (HMP Altcourse): twelve_step from 2025-01-06, intake done 2025-01-08, released
    2025-03-10, Through The Gate from 2025-03-17 (TTG has no intake of its own: were it given one,
    it would be overdue on 10 Apr, its window having closed on 31 Mar).
    ALT-0002 (HMP Altcourse): released 2025-02-20 (the 4-week point, due 20 Mar, is overdue on
    10 Apr: its window closed 3 Apr, 7 days before; its late period runs to 17 Apr).
    BAR-0003 (Barrow hub): no release date, enrolled 2025-04-01.
    """
    path = tmp_path / "rc.db"
    with Store.open(path, actor="tester") as store:
        store.add_participant("ALT-0001", site="HMP Altcourse", release_date="2025-03-10")
        store.enrol("ALT-0001", "twelve_step", "2025-01-06")
        store.enrol("ALT-0001", "ttg", "2025-03-17")
        adm = store.start_administration(
            "ALT-0001", "who5", "intake", mode="self", administered_at="2025-01-08"
        )
        for item in ("q1", "q2", "q3", "q4", "q5"):
            store.record_answer(adm.id, item, 3)
        store.complete_administration(adm.id)
        store.add_participant("ALT-0002", site="HMP Altcourse", release_date="2025-02-20")
        store.add_participant("BAR-0003", site="Barrow hub")
        store.enrol("BAR-0003", "twelve_step", "2025-04-01")
    return path


def run(db: Path, *args: str, config: Path | None = None):  # type: ignore[no-untyped-def]
    """Invoke recoverycap on ``db`` with ``config`` (default: an empty configuration file, so
    the defaults apply whatever the user running the tests has configured)."""
    env = {"RECOVERYCAP_INSTRUMENTS": "", "RECOVERYCAP_USER": "tester"}
    if config is None:
        config = db.parent / "empty.toml"
        config.touch()
    opts = ["--db", str(db), "--config", str(config)]
    return CliRunner().invoke(main, [*opts, *args], env=env, catch_exceptions=False)


def test_due_groups_overdue_due_and_upcoming(db: Path) -> None:
    """As of 10 Apr: ALT-0002's 4-week point is overdue (7 days late), ALT-0001's is due, and
    BAR-0003's intake (1 Apr) is due; ALT-0001's done intake is not listed."""
    result = run(db, "due", "--as-of", "2025-04-10")
    assert result.exit_code == 0, result.output
    out = result.output
    overdue = out.index("OVERDUE")
    due_now = out.index("DUE NOW")
    assert overdue < due_now
    lines = out.splitlines()
    late = next(line for line in lines if "ALT-0002" in line and "post_release_4w" in line)
    # due 20 Mar, window closed 3 Apr: on 10 Apr that is 21 days after the due date shown beside
    # it and 7 days after the window closed
    assert "21 days after the due date; window closed 7 days ago" in late
    assert "release 2025-02-20" in late
    assert lines.index(late) < lines.index(
        next(line for line in lines if line.startswith("DUE NOW"))
    )
    now = next(line for line in lines if "ALT-0001" in line and "post_release_4w" in line)
    assert "3 days past due" in now and "release 2025-03-10" in now
    assert any(
        "BAR-0003" in line and "intake" in line and "twelve_step start 2025-04-01" in line
        for line in lines
    )
    assert not any("ALT-0001" in line and "intake" in line for line in lines)  # done; no TTG one
    assert "2 participant(s) have time points that cannot be scheduled" in out  # ALT-0002, BAR-0003


def test_due_all_lists_done_and_unscheduled(db: Path) -> None:
    """--all adds done, missed and closed time points and names who cannot be scheduled."""
    out = run(db, "due", "--as-of", "2025-04-10", "--all").output
    assert "DONE" in out and "completed on 2025-01-08" in out
    assert "BAR-0003: no release date recorded, so release, post_release_4w" in out


def test_due_site_filter(db: Path) -> None:
    out = run(db, "due", "--as-of", "2025-04-10", "--site", "Barrow hub").output
    assert "BAR-0003" in out and "ALT-000" not in out
    assert out.startswith("Follow-ups at Barrow hub as of 2025-04-10")


def test_due_site_nobody_is_at_is_refused(db: Path) -> None:
    """A misspelt site is not "nothing is due": it is refused, naming the sites there are."""
    result = run(db, "due", "--as-of", "2025-04-10", "--site", "Barow hub")
    assert result.exit_code == 1
    assert "no participant is registered at site 'Barow hub'; did you mean 'Barrow hub'?" in (
        result.output
    )
    assert "Sites with participants: Barrow hub, HMP Altcourse." in result.output
    assert "Nothing is due" not in result.output


def test_due_site_is_checked_against_the_configured_sites(db: Path, tmp_path: Path) -> None:
    """With [organisation] sites, --site must be one of them (before the database is read)."""
    cfg = tmp_path / "sites.toml"
    cfg.write_text('[organisation]\nsites = ["HMP Altcourse", "Barrow hub"]\n')
    result = run(db, "due", "--site", "HMP Altcorse", config=cfg)
    assert result.exit_code == 1
    assert "no site 'HMP Altcorse' in the configuration's [organisation] sites" in result.output
    assert "did you mean 'HMP Altcourse'?" in result.output
    ok = run(db, "due", "--as-of", "2025-04-10", "--site", "HMP Altcourse", config=cfg)
    assert ok.exit_code == 0 and "ALT-0002" in ok.output


@pytest.mark.parametrize(
    ("as_of", "when"),
    [
        ("2025-04-06", "in 1 day, closes 2025-04-21"),
        ("2025-04-08", "1 day past due, closes 2025-04-21"),
        ("2025-04-09", "2 days past due, closes 2025-04-21"),
        ("2025-04-22", "15 days after the due date; window closed 1 day ago"),
    ],
)
def test_due_wording_counts_are_singular_and_plural(db: Path, as_of, when) -> None:
    """ALT-0001's 4-week point is due 7 Apr (10 Mar + 28), window to 21 Apr."""
    out = run(db, "due", "--as-of", as_of).output
    line = next(x for x in out.splitlines() if "ALT-0001" in x and "post_release_4w" in x)
    assert when in line
    assert not re.search(r"\b1 days\b", out)


def test_due_bad_date_is_a_plain_error(db: Path) -> None:
    result = run(db, "due", "--as-of", "10/04/2025")
    assert result.exit_code != 0
    assert "--as-of: '10/04/2025' is not a date; give it as YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


def test_followup_logs_an_attempt_for_the_open_time_point(db: Path) -> None:
    """No --timepoint: the 4-week point open on 1 Apr is recorded with the attempt."""
    result = run(
        db,
        "followup",
        "ALT-0001",
        "--result",
        "no_answer",
        "--mode",
        "phone",
        "--date",
        "2025-04-01",
    )
    assert result.exit_code == 0, result.output
    assert "no_answer for post_release_4w" in result.output
    assert "post_release_4w: 1 attempt so far; still due" in result.output
    with Store.open(db, actor="tester") as store:
        (act,) = store.activities(participant="ALT-0001", kind="followup_attempt")
        assert (act.date, act.result, act.mode, act.timepoint, act.recorded_by) == (
            dt.date(2025, 4, 1),
            "no_answer",
            "phone",
            "post_release_4w",
            "tester",
        )


def test_followup_uncontactable_after_three_attempts(db: Path) -> None:
    """Two no-answers and then uncontactable: the 4-week point is missed, and `due` shows 3
    attempts."""
    run(db, "followup", "ALT-0001", "-r", "no_answer", "-d", "2025-03-30")
    first = run(
        db, "followup", "ALT-0001", "-r", "uncontactable", "-d", "2025-04-01", "-m", "visit"
    )
    assert "uncontactable logged after 2 of the 3 attempts needed" in first.output
    last = run(
        db, "followup", "ALT-0001", "-r", "uncontactable", "-d", "2025-04-03", "-m", "letter"
    )
    assert (
        "post_release_4w: 3 attempts so far; missed: uncontactable after 3 attempts (last on 2025-04-03)."
        in last.output
    )
    out = run(db, "due", "--as-of", "2025-04-10").output
    missed = next(
        line for line in out.splitlines() if "ALT-0001" in line and "post_release_4w" in line
    )
    assert "3 (last 2025-04-03 uncontactable)" in missed
    assert out.index("MISSED") < out.index(missed)
    with Store.open(db, actor="tester") as store:
        modes = [a.mode for a in store.activities(participant="ALT-0001")]
    assert modes == [None, "in_person", "letter"]  # visit is stored as in_person


def test_followup_recalled_closes_post_release_points(db: Path) -> None:
    """Released 10 Mar, recalled 2 Apr: the release point (overdue until 7 Apr) and the three
    post-release points close; the done intake is untouched."""
    result = run(
        db,
        "followup",
        "ALT-0001",
        "-r",
        "recalled",
        "-d",
        "2025-04-02",
        "-n",
        "recalled on licence",
    )
    assert (
        "Closed (recalled): release, post_release_4w, post_release_12w, post_release_26w."
        in result.output
    )
    out = run(db, "due", "--as-of", "2025-04-10", "--all").output
    assert "closed: recalled (logged 2025-04-02)" in out
    assert "Status stays active." in result.output  # registered active; never marked released


def test_followup_recall_returns_a_released_participant_to_active(db: Path) -> None:
    """ALT-0001 marked released; the recall after release sets the status back to active (in
    custody), in the audit log with the reason, and says so."""
    with Store.open(db, actor="tester") as store:
        store.update_participant("ALT-0001", status="released")
    result = run(db, "followup", "ALT-0001", "-r", "recalled", "-d", "2025-04-02", "-w", "PW-03")
    assert result.exit_code == 0, result.output
    assert (
        "Status changed from released to active (back in custody after the recall)."
        in result.output
    )
    with Store.open(db, actor="tester") as store:
        assert store.participant("ALT-0001").status == "active"
        changes = [
            e for e in store.audit_log(table="participants", action="update") if e.field == "status"
        ]
        assert [(e.old_value, e.new_value) for e in changes] == [
            ("active", "released"),
            ("released", "active"),
        ]
        change = changes[-1]
        assert change.reason == "follow-up result recalled on 2025-04-02"


@pytest.mark.parametrize(
    ("code", "release", "known"),
    [
        ("BAR-0003", None, "no release date is recorded"),
        ("ALT-0009", "2025-06-01", "the current release date is 2025-06-01"),
    ],
)
def test_followup_recall_before_any_release_is_refused(db: Path, code, release, known) -> None:
    """The reported case: -r recalled for someone not yet released was accepted, closed nothing
    and left the post-release points upcoming. Now it is refused, saying why and what to do, and
    nothing is written."""
    if code == "ALT-0009":
        with Store.open(db, actor="tester") as store:
            store.add_participant(code, site="HMP Altcourse", release_date=release)
    result = run(db, "followup", code, "-r", "recalled", "-d", "2025-04-02")
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert f"{code} cannot be recalled on 2025-04-02" in out and known in out
    assert f"recoverycap participant release {code} YYYY-MM-DD" in out
    assert "Nothing was logged." in out and "Traceback" not in out
    with Store.open(db, actor="tester") as store:
        assert store.activities(participant=code) == []
        assert store.participant(code).status == "active"


def test_followup_transfer_before_release_says_nothing_closed_and_why(db: Path) -> None:
    """A transfer logged two months before release closes nothing (the release's time points
    open 14 days before it) and says so; the status becomes transferred."""
    with Store.open(db, actor="tester") as store:
        store.add_participant("ALT-0009", site="HMP Altcourse", release_date="2025-06-01")
    result = run(db, "followup", "ALT-0009", "-r", "transferred", "-d", "2025-04-02")
    assert result.exit_code == 0, result.output
    assert (
        "Nothing was closed: the time points of the release on 2025-06-01 open on 2025-05-18, "
        "after this transferred, so they stay scheduled." in result.output
    )
    assert "Status changed from active to transferred." in result.output


def test_followup_errors_are_plain(db: Path) -> None:
    """Unknown participant, unknown time point, future date, unknown result: messages, no traceback."""
    unknown = run(db, "followup", "ALT-9999", "-r", "reached", "-d", "2025-04-01")
    assert unknown.exit_code == 1 and "no participant with code 'ALT-9999'" in unknown.output
    tp = run(db, "followup", "ALT-0001", "-r", "reached", "-t", "week_4", "-d", "2025-04-01")
    assert (
        tp.exit_code == 1 and "no time point 'week_4' in the schedule; known: intake" in tp.output
    )
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    fut = run(db, "followup", "ALT-0001", "-r", "reached", "-d", future)
    assert fut.exit_code == 1 and "is in the future" in fut.output
    bad = run(db, "followup", "ALT-0001", "-r", "gone")
    assert bad.exit_code == 2 and "'gone' is not one of" in bad.output
    for r in (unknown, tp, fut, bad):
        assert "Traceback" not in r.output


def test_config_schedule_with_a_misspelt_programme_is_refused(db: Path, tmp_path: Path) -> None:
    """A [[schedule]] naming a programme the database does not have would give nobody that time
    point: due refuses, naming it and the closest."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[[schedule]]\ntimepoint = "intake"\nanchor = "enrolment_start"\n'
        'programmes = ["twelve_stpe"]\n'
    )
    result = run(db, "due", "--as-of", "2025-04-10", config=cfg)
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "programmes = [...] names 'twelve_stpe', not a programme in the database" in out
    assert "did you mean 'twelve_step'?" in out and "behaviour_change, ttg, twelve_step" in out


def test_config_schedule_is_used_by_due(db: Path, tmp_path: Path) -> None:
    """A configuration with its own [[schedule]] replaces the default one in `due`."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[[schedule]]\ntimepoint = "post_release_1w"\nanchor = "release"\noffset_days = 7\nwindow_days = 3\n'
    )
    out = run(db, "due", "--as-of", "2025-03-15", "--all", config=cfg).output
    line = next(
        line for line in out.splitlines() if "ALT-0001" in line and "post_release_1w" in line
    )
    assert "2025-03-17" in line  # 10 Mar + 7 days
    assert "post_release_4w" not in out


def test_config_show_and_path(tmp_path: Path, db: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[organisation]\nname = "The Well"\nsites = ["HMP Altcourse"]\n')
    out = run(db, "config", "show", config=cfg).output
    assert "organisation:       The Well" in out
    assert "follow-up schedule (the default):" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("post_release_12w"))
    assert row.split() == [
        "post_release_12w",
        "release",
        "date",
        "+84",
        "days",
        "±14",
        "days",
        "14",
        "days",
        "3",
        "attempts",
    ]
    intake = next(line for line in out.splitlines() if line.strip().startswith("intake"))
    assert intake.rstrip().endswith("twelve_step, behaviour_change")
    assert run(db, "config", "path", config=cfg).output.strip() == str(cfg)
    missing = run(db, "config", "path", config=tmp_path / "nope.toml").output
    assert "nope.toml  (does not exist: commands that read the configuration refuse" in missing


def test_a_named_config_file_that_does_not_exist_is_refused(tmp_path: Path, db: Path) -> None:
    """--config (or RECOVERYCAP_CONFIG) naming a missing file: config show and due refuse with
    the path, instead of running on the defaults."""
    missing = tmp_path / "cnofig.toml"
    for args in (("config", "show"), ("due", "--as-of", "2025-04-10")):
        result = run(db, *args, config=missing)
        assert result.exit_code == 1, result.output
        assert f"configuration file not found: {missing}" in result.output
        assert "Follow-ups" not in result.output and "organisation:" not in result.output
    env = {"RECOVERYCAP_INSTRUMENTS": "", "RECOVERYCAP_CONFIG": str(missing)}
    by_env = CliRunner().invoke(main, ["--db", str(db), "config", "show"], env=env)
    assert by_env.exit_code == 1 and "configuration file not found" in by_env.output


def test_the_default_config_location_may_be_absent(tmp_path: Path, db: Path) -> None:
    """No --config and no file at the default location: the defaults, said plainly."""
    env = {
        "RECOVERYCAP_INSTRUMENTS": "",
        "RECOVERYCAP_CONFIG": "",  # empty counts as unset
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }
    result = CliRunner().invoke(main, ["--db", str(db), "config", "show"], env=env)
    assert result.exit_code == 0, result.output
    assert "(that file does not exist yet: the defaults above are in use)" in result.output
    path = CliRunner().invoke(main, ["--db", str(db), "config", "path"], env=env).output
    assert path.strip().endswith("config.toml  (not created yet: defaults in use)")


def test_config_show_reports_errors_plainly(tmp_path: Path, db: Path) -> None:
    """An unknown key and min_group 3: both listed, exit 1, no traceback."""
    cfg = tmp_path / "config.toml"
    cfg.write_text("[privacy]\nmin_group = 3\n[organisation]\nnmae = 'x'\n")
    result = run(db, "config", "show", config=cfg)
    assert result.exit_code == 1
    assert (
        "unknown key 'nmae'" in result.output
        and "min_group: must be a whole number of at least 5; got 3" in result.output
    )
    assert "Traceback" not in result.output
    cfg.write_text("[[schedule]]\ntimepoint = 'x'\nanchor = 'parole'\n")
    bad = run(db, "config", "show", config=cfg)
    assert (
        bad.exit_code == 1
        and "anchor: must be one of enrolment_start, enrolment_end, release; got 'parole'"
        in bad.output
    )


def test_due_list_library_matches_the_cli(db: Path) -> None:
    """The library call gives the same statuses the command prints."""
    with Store.open(db, actor="tester") as store:
        result = due_list(store, dt.date(2025, 4, 10))
    status = {(i.participant, i.timepoint): i.status for i in result}
    assert status[("ALT-0002", "post_release_4w")] == "overdue"
    assert status[("ALT-0001", "post_release_4w")] == "due"
    assert status[("ALT-0001", "intake")] == "done"
    assert status[("BAR-0003", "intake")] == "due"
    assert [(u.participant, u.anchor) for u in result.unscheduled] == [
        ("ALT-0002", "enrolment_start"),
        ("BAR-0003", "release"),
    ]


def test_moving_the_release_date_moves_the_schedule(db: Path) -> None:
    """ALT-0001's release moves from 10 Mar to 24 Mar (HDC refused): the 4-week point moves from
    7 Apr to 21 Apr, and a release questionnaire of 12 Mar still counts (12 days before the new
    date, inside its window). Moved again to 1 Jun (recall): it no longer counts."""
    with Store.open(db, actor="tester") as store:
        adm = store.start_administration(
            "ALT-0001", "who5", "release", mode="self", administered_at="2025-03-12"
        )
        for item in ("q1", "q2", "q3", "q4", "q5"):
            store.record_answer(adm.id, item, 2)
        store.complete_administration(adm.id)
        store.set_release_date("ALT-0001", "2025-03-24", reason="HDC refused")
        moved = {
            i.timepoint: i for i in due_list(store, dt.date(2025, 4, 10), participants=["ALT-0001"])
        }
        assert moved["post_release_4w"].due == dt.date(2025, 4, 21)
        assert moved["release"].status == "done"
        store.set_release_date("ALT-0001", "2025-06-01", reason="recalled")
        again = {
            i.timepoint: i for i in due_list(store, dt.date(2025, 4, 10), participants=["ALT-0001"])
        }
    assert again["release"].status == "upcoming"
    assert "2025-03-12" in again["release"].why and "does not count" in again["release"].why
    out = run(db, "due", "--as-of", "2025-05-20").output
    line = next(line for line in out.splitlines() if "ALT-0001" in line and " release " in line)
    assert "release 2025-06-01" in line
