"""``recoverycap wellbeing check`` driven keystroke by keystroke, and ``wellbeing summary``.

Prompts are driven as in tests/test_cli_administer.py: a prompt_toolkit pipe input and a
DummyOutput passed through ``AppContext``; every key sequence ends with Ctrl-C so a wrong
sequence stops (exit 130) instead of hanging. Scores are worked by hand (see tests/test_wellbeing.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from recoverycap import Library
from recoverycap.cli import main
from recoverycap.cli.context import AppContext
from recoverycap.store import Store
from recoverycap.wellbeing import check_timepoint, complete_check

# The hand-scored answers of tests/test_wellbeing.py: CBI_HIGH scores personal 75, work 50,
# client 25; CBI_LOW personal 25, work 32.14, client 25; PROQOL_MIDDLE 30 on each scale.
CBI_HIGH = {
    **{f"p{i}": 3 for i in range(1, 7)},
    **{f"w{i}": 2 for i in range(1, 8)},
    **{f"c{i}": 1 for i in range(1, 7)},
}
CBI_LOW = {
    **{f"p{i}": 1 for i in range(1, 7)},
    **{f"w{i}": 1 for i in range(1, 8)},
    **{f"c{i}": 1 for i in range(1, 7)},
}
PROQOL_MIDDLE = {f"q{i}": 3 for i in range(1, 31)}

ENTER = "\r"
CONTROLC = "\x03"
WORKER = "PW-03"


def pick(key: str) -> str:
    return key + ENTER


CBI_KEYS = [pick("3")] * 6 + [pick("2")] * 7 + [pick("1")] * 6 + [ENTER]  # CBI_HIGH, then Finish
PROQOL_KEYS = [pick("3")] * 30 + [ENTER]  # PROQOL_MIDDLE, then Finish


@pytest.fixture
def env(tmp_path: Path):
    db = tmp_path / "rc.db"
    with Store.open(db, actor="test") as store:
        store.add_worker(WORKER, site="HMP Altcourse", role="mentor")
    config = tmp_path / "empty.toml"  # the defaults, whatever the user running the tests has
    config.touch()
    return db, config


def run(env, args: list[str], *keys: str, columns: int = 100) -> Result:
    db, config = env
    with create_pipe_input() as inp:
        inp.send_text("".join(keys) + CONTROLC)
        app = AppContext(input=inp, output=DummyOutput())
        return CliRunner().invoke(
            main,
            ["--db", str(db), "--config", str(config), *args],
            obj=app,
            env={
                "RECOVERYCAP_INSTRUMENTS": "",
                "RECOVERYCAP_USER": "test",
                "COLUMNS": str(columns),  # read by shutil.get_terminal_size
            },
        )


def checks(env) -> list:
    with Store.open(env[0], actor="test") as s:
        return s.administrations(subject=WORKER, subject_type="worker")


def test_check_runs_the_battery_and_shows_the_private_result(env):
    """CBI (personal 75, work 50, client 25) and ProQOL 5 (30, 30, 30): the result in words and a
    supervision suggestion naming the two high CBI scales."""
    result = run(env, ["wellbeing", "check", WORKER], *CBI_KEYS, *PROQOL_KEYS)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Question 1 of 19 · CBI (instrument 1 of 2)" in out
    assert "Question 30 of 30 · ProQOL 5 (instrument 2 of 2)" in out
    assert "Personal burnout: 75 on a 0–100 scale, where higher means more personal burnout." in out
    assert "Work-related burnout: 50 on a 0–100 scale" in out
    assert "Compassion satisfaction: 30 on a 10–50 scale" in out
    assert (
        "CBI personal burnout 75 (50 or more is high); CBI work-related burnout 50 (50 or more is high)"
        in out
    )
    assert "supervision" in out and "it is not sent to anyone" in out
    assert "Finished:" not in out  # not the participant summary of `administer`
    adms = checks(env)
    assert [(a.instrument, a.status, a.subject_type, a.timepoint) for a in adms] == [
        ("cbi", "complete", "worker", check_timepoint(dt.date.today())),
        ("proqol5", "complete", "worker", check_timepoint(dt.date.today())),
    ]


def test_check_stopped_then_carried_on(env):
    """Ctrl-C after three answers keeps them; the next check offers to carry on at question 4, and
    stopping again keeps all five answers (the full check is run in the test above)."""
    stopped = run(env, ["wellbeing", "check", WORKER], pick("3"), pick("3"), pick("3"))
    assert stopped.exit_code == 130
    assert "Every answer given so far is saved" in stopped.output
    hint = next(line for line in stopped.output.splitlines() if "To carry on" in line)
    assert hint.endswith(f"recoverycap --db {env[0]} --config {env[1]} wellbeing check PW-03")
    resumed = run(env, ["wellbeing", "check", WORKER], ENTER, pick("2"), pick("4"))
    assert resumed.exit_code == 130
    out = " ".join(resumed.output.split())
    assert "has an unfinished wellbeing check" in out and "CBI (3 of 19 answered)" in out
    assert "Question 4 of 19 · CBI" in out and "Question 1 of 19" not in out
    with Store.open(env[0], actor="test") as s:
        adms = s.administrations(subject=WORKER, subject_type="worker")
        assert len(adms) == 2  # carried on: no second check was started
        (cbi,) = [a for a in adms if a.instrument == "cbi"]
        assert s.answers(cbi.id) == {"p1": 3, "p2": 3, "p3": 3, "p4": 2, "p5": 4}


def test_result_after_resuming_includes_the_cbi_finished_before(env):
    """The reported bug: stop after finishing the CBI, carry on with the ProQOL 5: the result
    includes the CBI (personal 75 and work 50, high) and suggests supervision, rather than "None
    of your burnout or stress scores is in the high range"."""
    stopped = run(env, ["wellbeing", "check", WORKER], *CBI_KEYS)
    assert stopped.exit_code == 130
    resumed = run(env, ["wellbeing", "check", WORKER], ENTER, *PROQOL_KEYS)
    assert resumed.exit_code == 0, resumed.output
    out = " ".join(resumed.output.split())
    assert "CBI (finished), ProQOL 5 (not started)" in out
    assert "Question 1 of 30 · ProQOL 5 (instrument 2 of 2)" in out
    assert "Personal burnout: 75 on a 0–100 scale" in out
    assert "Compassion satisfaction: 30 on a 10–50 scale" in out
    assert "CBI personal burnout 75 (50 or more is high)" in out
    assert "None of your burnout or stress scores is in the high range" not in out


def test_result_is_wrapped_to_the_terminal_width(env):
    """With a 60-column terminal no line of the private result is wider than 59 characters."""
    result = run(env, ["wellbeing", "check", WORKER], *CBI_KEYS, *PROQOL_KEYS, columns=60)
    assert result.exit_code == 0, result.output
    text = result.output[result.output.index("Your wellbeing check of") :]
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 59, max(lines, key=len)
    assert any(len(line) > 50 for line in lines)  # wrapped, not cut short
    assert "It may help to talk this through in supervision soon" in " ".join(text.split())


def test_unknown_worker_is_a_plain_error(env):
    result = run(env, ["wellbeing", "check", "PW-99"])
    assert result.exit_code == 1
    assert "no peer worker with code 'PW-99'" in result.output
    assert "Traceback" not in result.output


# -- summary -----------------------------------------------------------------------------------
def add_checks(db: Path, people: list[tuple[str, str, str, dict]]) -> None:
    """Register workers and give each a complete check (library call, answers in code)."""
    lib = Library(include_env=False)
    with Store.open(db, library=lib, actor="test") as store:
        for code, site, role, cbi in people:
            if code != WORKER:
                store.add_worker(code, site=site, role=role)
            complete_check(
                store, lib, code, {"cbi": cbi, "proqol5": PROQOL_MIDDLE}, on=dt.date(2025, 5, 12)
            )


def summary(env, *args: str) -> Result:
    return run(env, ["wellbeing", "summary", *args])


def rows(out: str, scale: str) -> dict[str, list[str]]:
    """The group rows under a scale's heading: group label -> the cells after it."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {scale} (high:"))
    found = {}
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        label, _, rest = line.strip().partition("  ")
        found[label.strip()] = rest.split()
    return found


def test_summary_of_four_workers_is_suppressed(env):
    """Four workers: no figures, an explanation, no worker codes."""
    add_checks(
        env[0],
        [(WORKER, "", "", CBI_HIGH)]
        + [(f"PW-1{i}", "HMP Altcourse", "mentor", CBI_LOW) for i in range(3)],
    )
    out = summary(env).output
    assert rows(out, "Personal burnout") == {
        "all workers": ["*", "not", "shown:", "fewer", "than", "5", "workers"]
    }
    assert "Groups of fewer than 5 workers are not shown" in out
    assert "PW-" not in out
    assert "75" not in out and "43.75" not in out


def test_summary_of_five_workers_is_shown(env):
    """Five workers, personal burnout 75 (one) and 25 (four): mean 35, median 25, 20% high."""
    add_checks(
        env[0],
        [(WORKER, "", "", CBI_HIGH)]
        + [(f"PW-1{i}", "HMP Altcourse", "mentor", CBI_LOW) for i in range(4)],
    )
    result = summary(env)
    assert result.exit_code == 0, result.output
    assert rows(result.output, "Personal burnout") == {"all workers": ["5", "35", "25", "20%"]}
    assert "PW-" not in result.output


def test_summary_by_site_hides_a_small_site_and_its_complement(env):
    """Altcourse 6, Barrow 3: Barrow is small; Altcourse is hidden too (9 - 6 = 3); the total of 9
    is shown. Asking for Altcourse alone does not reveal it either."""
    people = [(WORKER, "", "", CBI_LOW)]
    people += [(f"PW-1{i}", "HMP Altcourse", "mentor", CBI_LOW) for i in range(5)]
    people += [(f"PW-2{i}", "Barrow hub", "mentor", CBI_HIGH) for i in range(3)]
    add_checks(env[0], people)
    out = summary(env, "--by", "site").output
    got = rows(out, "Personal burnout")
    # 6 workers at 25 and 3 at 75: mean (150 + 225) / 9 = 41.7, median 25, 33.3% high
    assert got["all workers"] == ["9", "41.7", "25", "33.3%"]
    assert " ".join(got["Barrow hub"]) == "* not shown: fewer than 5 workers"
    assert " ".join(got["HMP Altcourse"]) == "* not shown (see the note below)"
    assert "would let a group of fewer than 5 be worked out by subtraction" in out
    alone = summary(env, "--site", "HMP Altcourse").output
    assert (
        " ".join(rows(alone, "Personal burnout")["HMP Altcourse: all"])
        == "* not shown (see the note below)"
    )
    assert "41.7" not in alone and " 25 " not in alone


def test_summary_min_group_from_config(env, tmp_path):
    """min_group = 6 in the configuration: five workers are not enough."""
    add_checks(
        env[0],
        [(WORKER, "", "", CBI_LOW)]
        + [(f"PW-1{i}", "HMP Altcourse", "mentor", CBI_LOW) for i in range(4)],
    )
    cfg = tmp_path / "c.toml"
    cfg.write_text("[privacy]\nmin_group = 6\n")
    out = run((env[0], cfg), ["wellbeing", "summary"]).output
    assert "not shown: fewer than 6 workers" in out


def test_summary_of_a_site_nobody_is_at_says_so(env):
    """--site Nowhere: there is no such site (no worker is registered at it), not "(no checks
    recorded)"; a near miss is suggested."""
    result = summary(env, "--site", "Nowhere")
    assert result.exit_code == 1
    assert "no peer worker is registered at site 'Nowhere'" in result.output
    assert "Sites with workers: HMP Altcourse." in result.output
    assert "no checks recorded" not in result.output
    near = summary(env, "--site", "HMP Altcorse")
    assert "did you mean 'HMP Altcourse'?" in near.output


def test_summary_site_is_checked_against_the_configured_sites(env, tmp_path):
    """With [organisation] sites configured, --site must be one of them."""
    cfg = tmp_path / "sites.toml"
    cfg.write_text('[organisation]\nsites = ["HMP Altcourse", "Barrow hub"]\n')
    result = run((env[0], cfg), ["wellbeing", "summary", "--site", "Barow hub"])
    assert result.exit_code == 1
    assert "no site 'Barow hub' in the configuration's [organisation] sites" in result.output
    assert "did you mean 'Barrow hub'?" in result.output
