"""``recoverycap administer`` and ``recoverycap enter``, driven keystroke by keystroke.

Prompts are tested the way questionary tests itself: a prompt_toolkit pipe input and a
DummyOutput, passed to every question through ``AppContext(input=..., output=...)`` as click's
``obj``. What click prints (progress, question wording, alerts, results) is in the runner's
output; the database is checked directly.

Every key sequence ends with Ctrl-C: a survey that finished ignores it, and one that wanted more
keys stops (exit 130) instead of waiting for ever, so a wrong sequence fails rather than hangs.
Scores asserted are worked by hand from the instrument files.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from recoverycap import Library, Missing
from recoverycap.administer import enter_paper_form
from recoverycap.cli import main
from recoverycap.cli.administer import alert_box
from recoverycap.cli.context import AppContext
from recoverycap.scoring import AlertHit
from recoverycap.store import Store

DATA = Path(__file__).parent / "data"
CODE = "ALT-0001"
INSTRUCTION = "Stop the session and phone the duty manager on extension 4455 now."


class KeyInputs:
    """Keystrokes, as a terminal sends them."""

    DOWN = "\x1b[B"
    UP = "\x1b[A"
    ENTER = "\r"
    CONTROLC = "\x03"
    BACKSPACE = "\x7f"

    @staticmethod
    def pick(key: str) -> str:
        """A number (shortcut) key, then Enter."""
        return key + KeyInputs.ENTER

    @staticmethod
    def type(text: str) -> str:
        """Text typed into a text prompt, then Enter."""
        return text + KeyInputs.ENTER


K = KeyInputs
FINISH = K.ENTER  # the review's first choice is "Finish"
SKIP = K.pick("s")
BACK = K.pick("b")


@pytest.fixture
def env(tmp_path: Path):
    """A database with one participant and a configuration with our own instruction."""
    db = tmp_path / "rc.db"
    with Store.open(db, actor="test") as store:
        store.add_participant(CODE)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[safeguarding]\ninstruction = "{INSTRUCTION}"\n\n[wording]\nfriends = "family"\n', "utf-8"
    )
    return db, config


def run(env, args: list[str], *keys: str) -> Result:
    """Invoke ``recoverycap`` with the keystrokes fed to its prompts."""
    db, config = env
    with create_pipe_input() as inp:
        inp.send_text("".join(keys) + K.CONTROLC)
        app = AppContext(input=inp, output=DummyOutput())
        return CliRunner().invoke(
            main,
            ["--db", str(db), "--config", str(config), "--instruments-dir", str(DATA), *args],
            obj=app,
        )


def store(env) -> Store:
    return Store.open(env[0], library=Library([DATA], include_env=False), actor="test")


def administrations(env) -> list:
    with store(env) as s:
        return s.administrations(subject=CODE)


def answers(env, instrument: str) -> dict:
    with store(env) as s:
        [adm] = [
            a
            for a in s.administrations(subject=CODE)
            if a.instrument == instrument and a.status != "abandoned"
        ]
        return s.answers(adm.id)


TINY = ["administer", CODE, "--timepoint", "intake", "--instrument", "tiny"]


def test_full_battery(env):
    """The programme-end battery (BARC-10, WHO-5, PHQ-9, GAD-7) from start to results.

    Hand-worked: BARC-10 ten 5s = 50 (47+ is at or above the cut-off); WHO-5 five 3s = 15 × 4 = 60
    (50 or above); PHQ-9 items 1–8 at 1 and item 9 at 0 = 8 (mild, 5–9); GAD-7 seven 2s = 14
    (moderate, 10–14).
    """
    keys = [K.pick("5")] * 10 + [FINISH]
    keys += [K.pick("3")] * 5 + [FINISH]
    keys += [K.pick("1")] * 8 + [K.pick("0"), K.pick("1"), FINISH]
    keys += [K.pick("2")] * 7 + [FINISH]
    result = run(
        env,
        ["administer", CODE, "-t", "programme_end", "--battery", "programme_end", "-w", "PW-03"],
        *keys,
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Question 3 of 10 · BARC-10 (instrument 1 of 4)" in out
    assert "Question 5 of 5 · WHO-5 (instrument 2 of 4)" in out
    assert (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
        in out
    )
    assert "with an educational grant from Pfizer Inc. No permission required to reproduce" in out
    assert "WHO-5 Well-Being Index. Psychiatric Research Unit" in out  # the on-screen credit line
    assert "not confirmed" not in out and "UNVERIFIED" not in out  # licence notes stay off screen
    assert "Results:" in out
    for line in (
        "BARC-10 Recovery capital: 50 (at or above the recovery cut-off)",
        "WHO-5 Wellbeing index (0–100): 60 (50 or above)",
        "PHQ-9 Depression severity: 8 (mild)",
        "GAD-7 Anxiety severity: 14 (moderate)",
    ):
        assert line in out, line
    adms = administrations(env)
    assert [a.instrument for a in adms] == ["barc10", "who5", "phq9", "gad7"]
    assert {(a.status, a.mode, a.administered_by, a.timepoint) for a in adms} == {
        ("complete", "self", "PW-03", "programme_end")
    }
    assert len({a.session for a in adms}) == 1
    assert answers(env, "phq9")["q9"] == 0
    assert answers(env, "who5") == {f"q{i}": 3 for i in range(1, 6)}


def test_results_compare_with_previous_time_point(env):
    """After an intake BARC-10 of 30 on paper, a programme-end 50 reads 'up 20 (better)'."""
    with store(env) as s:
        enter_paper_form(
            s,
            CODE,
            s.library.get("barc10"),
            "intake",
            {f"q{i}": 3 for i in range(1, 11)},
            "2025-01-10",
        )
    result = run(
        env,
        ["administer", CODE, "-t", "programme_end", "-i", "barc10"],
        *[K.pick("5")] * 10,
        FINISH,
    )
    assert result.exit_code == 0, result.output
    assert (
        "BARC-10 Recovery capital: 50 (at or above the recovery cut-off); at intake it was 30: up 20 (better)"
        in " ".join(result.output.split())
    )


def test_arrow_keys_choose_too(env):
    """Down twice from 'Always' then Enter chooses 'Sometimes' (code 3)."""
    result = run(env, TINY, K.DOWN + K.DOWN + K.ENTER, K.CONTROLC)
    assert result.exit_code == 130
    assert answers(env, "tiny") == {"a1": 3}


def test_wording_uses_the_configured_word(env):
    """tiny's [friends] token is replaced by the configured word."""
    result = run(env, TINY, K.pick("2"), K.pick("2"), K.CONTROLC)
    assert "How often do you have energy for family?" in result.output


def test_back_to_change_an_answer(env):
    """Back from question 3, change question 2 from 3 to 4: stored 4, the old 3 in the audit log."""
    result = run(env, TINY, K.pick("2"), K.pick("3"), BACK, K.pick("4"), K.CONTROLC)
    assert result.exit_code == 130
    assert answers(env, "tiny") == {"a1": 2, "a2": 4}
    with store(env) as s:
        changes = [
            (e.old_value, e.new_value) for e in s.audit_log(table="answers", action="update")
        ]
    assert changes == [(3, 4)]
    assert result.output.count("How often do you feel worn out?") == 2


def test_back_from_a_typed_answer(env):
    """'<' in a number prompt goes back to the previous question."""
    result = run(
        env,
        TINY,
        K.pick("1"),
        K.ENTER,
        K.pick("2"),
        K.pick("3"),
        K.type("<"),
        K.pick("5"),
        K.type("4"),
        K.CONTROLC,
    )
    assert result.exit_code == 130
    assert answers(env, "tiny") == {"a1": 1, "a2": 2, "a3": 5, "days": 4}


def test_skip_with_a_reason(env):
    """Skip a choice question ('does not know') and a number question (empty, then 'declined')."""
    # a1 -> alert (Enter acknowledges); a2 skipped: don't know (2nd reason); a3 = 4; days empty -> declined
    result = run(
        env,
        TINY,
        K.pick("1"),
        K.ENTER,
        SKIP,
        K.pick("2"),
        K.pick("4"),
        K.ENTER,
        K.pick("1"),
        K.CONTROLC,
    )
    assert result.exit_code == 130
    stored = answers(env, "tiny")
    assert stored["a2"] == Missing("dont_know")
    assert stored["days"] == Missing("declined")
    assert "Skipped (dont_know)." in result.output


def test_skip_can_be_cancelled(env):
    """'Back to the question' from the reasons asks the question again; nothing is stored."""
    result = run(env, TINY, SKIP, K.pick("b"), K.pick("2"), K.CONTROLC)
    assert answers(env, "tiny") == {"a1": 2}
    assert result.output.count("How often do you feel tired?") == 2


def test_rejected_input(env):
    """9 for a 0–7 day count is refused in the prompt; after correcting it to 3, 3 is stored."""
    keys = [K.pick("2")] * 3 + [K.type("9"), K.BACKSPACE + K.type("3"), K.CONTROLC]
    result = run(env, TINY, *keys)
    assert result.exit_code == 130
    assert answers(env, "tiny")["days"] == 3
    with store(env) as s:
        values = [e.new_value for e in s.audit_log(table="answers") if e.field == "days"]
    assert values == [3]  # 9 was never written


def test_ctrl_c_then_resume_with_nothing_lost(env):
    """Ctrl-C after two answers: both are kept; the next run offers to resume and carries on."""
    first = run(env, TINY, K.pick("2"), K.pick("3"), K.CONTROLC)
    assert first.exit_code == 130
    assert "Every answer given so far is saved" in first.output
    assert "administer ALT-0001" in first.output
    assert [a.status for a in administrations(env)] == ["in_progress"]
    assert answers(env, "tiny") == {"a1": 2, "a2": 3}

    # resume: y, then the remaining three questions, review, finish
    second = run(
        env, ["administer", CODE], "y", K.pick("4"), K.type("5"), K.ENTER, K.pick("3"), FINISH
    )
    assert second.exit_code == 0, second.output
    assert "unfinished survey at intake: Tiny test instrument (2 of 5 answered)" in second.output
    assert "Question 3 of 5" in second.output
    assert "Question 1 of 5" not in second.output
    assert [a.status for a in administrations(env)] == ["complete"]
    stored = answers(env, "tiny")
    assert stored == {"a1": 2, "a2": 3, "a3": 4, "days": 5, "note": Missing("not_applicable")}
    # strain: pct 75, 50, reversed 4 -> 2 -> 75: mean 66.67 (high); sum 2 + 3 + 2 + 5 = 12
    assert "Strain: 66.67 (high)" in second.output
    assert "Sum of codes: 12" in second.output


def test_decline_resume_then_abandon_and_start_again(env):
    """Not resuming and abandoning keeps the old answers, marked abandoned, and starts anew."""
    run(env, TINY, K.pick("2"), K.CONTROLC)
    result = run(env, TINY, "n", "y", K.pick("5"), K.CONTROLC)
    assert "Abandoned the unfinished survey." in result.output
    adms = administrations(env)
    assert [a.status for a in adms] == ["abandoned", "in_progress"]
    with store(env) as s:
        assert s.answers(adms[0].id) == {"a1": 2}
        assert s.answers(adms[1].id) == {"a1": 5}


def test_decline_resume_and_keep_it(env):
    """Neither resuming nor abandoning changes nothing."""
    run(env, TINY, K.pick("2"), K.CONTROLC)
    result = run(env, TINY, "n", "n")
    assert result.exit_code == 0
    assert "nothing was changed" in result.output
    assert [a.status for a in administrations(env)] == ["in_progress"]


def test_ctrl_c_at_the_resume_question_keeps_everything(env):
    """Ctrl-C while asked whether to resume changes nothing and says how to carry on."""
    run(env, TINY, K.pick("2"), K.CONTROLC)
    result = run(env, ["administer", CODE], K.CONTROLC)
    assert result.exit_code == 130
    assert "Every answer given so far is saved" in result.output
    assert [a.status for a in administrations(env)] == ["in_progress"]
    assert answers(env, "tiny") == {"a1": 2}


def test_alert_shown_at_once_and_recorded(env):
    """tiny's a1 alert: the box with the configured instruction appears before question 2."""
    result = run(env, TINY, K.pick("1"), K.ENTER, K.CONTROLC)
    out = result.output
    assert "SAFEGUARDING ALERT" in out
    assert "Tell the duty manager." in out
    assert INSTRUCTION in " ".join(out.replace("║", " ").split())
    assert out.index("SAFEGUARDING ALERT") < out.index("Question 2 of 5")
    with store(env) as s:
        [adm] = s.administrations(subject=CODE)
        assert [(a.alert, a.value) for a in s.alerts(adm.id)] == [("a1_always", 1.0)]


def test_phq9_item9_alert(env):
    """PHQ-9 item 9 answered 'Several days' shows the safeguarding box at once and records it."""
    keys = [K.pick("0")] * 8 + [K.pick("1"), K.ENTER, K.CONTROLC]
    result = run(env, ["administer", CODE, "-t", "intake", "-i", "phq9"], *keys)
    out = " ".join(result.output.replace("║", " ").split())
    assert "SAFEGUARDING ALERT" in out
    assert "PHQ-9 item 9" in out and INSTRUCTION in out
    assert "This alert has been recorded." in out
    with store(env) as s:
        [adm] = s.administrations(subject=CODE)
        assert [(a.alert, a.item, a.value) for a in s.alerts(adm.id)] == [("self_harm", "q9", 1.0)]
        assert s.answers(adm.id)["q9"] == 1


def test_a_number_key_does_not_dismiss_the_alert(env):
    """Only Enter closes the alert: a number typed for the next question is ignored there."""
    result = run(env, TINY, K.pick("1"), "3", K.ENTER, K.pick("4"), K.CONTROLC)
    assert result.exit_code == 130
    assert answers(env, "tiny") == {"a1": 1, "a2": 4}


def test_review_change_then_finish(env):
    """In the review, choose question 2 (two down from Finish), change it, then finish."""
    keys = [K.pick("2"), K.pick("3"), K.pick("4"), K.type("5"), K.type("nothing")]
    keys += [K.DOWN + K.DOWN + K.ENTER, K.pick("1"), FINISH]
    result = run(env, TINY, *keys)
    assert result.exit_code == 0, result.output
    assert answers(env, "tiny") == {"a1": 2, "a2": 1, "a3": 4, "days": 5, "note": "nothing"}
    assert result.output.count("Review: Tiny test instrument") == 2


def test_read_aloud_mode(env):
    """read_aloud is stored and the worker is told to read the answers aloud."""
    result = run(env, [*TINY, "--mode", "read_aloud"], K.CONTROLC)
    assert "Read each question and all its answers aloud" in result.output
    assert administrations(env)[0].mode == "read_aloud"


def test_licensed_instrument_without_wording(env):
    """SWEMWBS without local wording: the licence message, no question, nothing written."""
    result = run(env, ["administer", CODE, "-t", "intake", "-i", "barc10", "-i", "swemwbs"])
    assert result.exit_code == 1
    assert "swemwbs.text.toml" in result.output
    assert "Question" not in result.output
    assert "Traceback" not in result.output
    assert administrations(env) == []


def test_worker_name_refused(env):
    """--worker takes a pseudonymous code: a name is refused before anything is written."""
    result = run(env, [*TINY, "--worker", "Jane Smith"])
    assert result.exit_code == 1
    assert "looks like a name" in result.output
    assert administrations(env) == []


def test_unknown_participant(env):
    """An unregistered code says how to register it."""
    result = run(env, ["administer", "ALT-9999", "-t", "intake", "-i", "tiny"])
    assert result.exit_code == 1
    assert "recoverycap participant add ALT-9999" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-i", "tiny"], "--timepoint"),
        (["-t", "intake"], "--battery or at least one --instrument"),
        (["-t", "intake", "-b", "intake", "-i", "tiny"], "not both"),
        (["-t", "intake", "-i", "nosuch"], "no instrument with id 'nosuch'"),
        (["-t", "intake", "-i", "cbi"], "wellbeing check"),
    ],
)
def test_usage_errors(env, args, message):
    """Missing or contradictory options are explained, without a traceback."""
    result = run(env, ["administer", CODE, *args])
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert administrations(env) == []


def test_results_after_resuming_cover_the_whole_battery(env):
    """Stop after finishing the first instrument, carry on: the second is "instrument 2 of 2" and
    the results list both (hand-worked: tiny 2, 3, 4, 5 and note skipped: strain 66.67 high, sum
    12; BARC-10 ten 5s = 50)."""
    args = ["administer", CODE, "-t", "intake", "-i", "tiny", "-i", "barc10"]
    keys = [K.pick("2"), K.pick("3"), K.pick("4"), K.type("5"), K.ENTER, K.pick("3"), FINISH]
    first = run(env, args, *keys)
    assert first.exit_code == 130
    assert [a.status for a in administrations(env)][:2] == ["complete", "in_progress"]
    second = run(env, ["administer", CODE], "y", *[K.pick("5")] * 10, FINISH)
    assert second.exit_code == 0, second.output
    out = " ".join(second.output.split())
    assert "at intake: Tiny test instrument (finished), BARC-10 (not started)" in out
    assert "Question 1 of 10 · BARC-10 (instrument 2 of 2)" in out
    for line in (
        "Tiny test instrument Strain: 66.67 (high)",
        "Tiny test instrument Sum of codes: 12",
        "BARC-10 Recovery capital: 50 (at or above the recovery cut-off)",
    ):
        assert line in out, line


def test_going_back_to_a_skipped_question_shows_it_was_skipped(env):
    """Skip question 1 (declined), then go back from question 2: question 1 says so."""
    result = run(env, TINY, SKIP, K.pick("1"), BACK, K.CONTROLC)
    assert result.exit_code == 130
    assert answers(env, "tiny") == {"a1": Missing("declined")}
    out = result.output
    assert out.count("How often do you feel tired?") == 2
    assert "currently: skipped (declined)" in out
    assert out.index("currently: skipped (declined)") > out.rindex("How often do you feel tired?")


def test_going_back_to_an_answered_question_shows_the_answer(env):
    result = run(env, TINY, K.pick("2"), BACK, K.CONTROLC)
    assert "currently: 2 Often" in result.output


def test_carry_on_hint_keeps_the_worker_and_options(env):
    """The command printed after Ctrl-C carries on as the same worker, with the same database,
    instrument folder and configuration."""
    db, config = env
    result = run(env, [*TINY, "--worker", "PW-03"], K.pick("2"), K.CONTROLC)
    assert result.exit_code == 130
    hint = next(line for line in result.output.splitlines() if "To carry on" in line)
    assert hint.endswith(
        f"recoverycap --db {db} --instruments-dir {DATA} --config {config} "
        "administer ALT-0001 --worker PW-03"
    )


@pytest.mark.parametrize(
    "command", [["administer", CODE, "-t"], ["enter", CODE, "-d", "2025-02-03", "-t"]]
)
def test_timepoint_typo_is_refused_before_anything_is_written(env, command):
    """The reported typo 'intke': refused with the known time points and a suggestion."""
    result = run(env, [*command, "intke", "-i", "barc10"])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "unknown time point 'intke'; did you mean 'intake'?" in out
    assert "Known time points: intake, programme_end, release" in out
    assert "Question" not in out and "Entering" not in out
    assert administrations(env) == []


def test_timepoint_from_the_configuration_is_accepted(env, tmp_path):
    """An organisation's own time point, added with a [[schedule]] entry, can be given."""
    config = tmp_path / "own.toml"
    config.write_text(
        '[[schedule]]\ntimepoint = "mid_programme"\nanchor = "enrolment_start"\noffset_days = 42\n'
    )
    result = run((env[0], config), ["administer", CODE, "-t", "mid_programme", "-i", "tiny"])
    assert result.exit_code == 130  # stopped at question 1 by the final Ctrl-C
    assert [a.timepoint for a in administrations(env)] == ["mid_programme"]


@pytest.mark.parametrize(
    "command",
    [
        ["administer", CODE, "-t", "intake", "-i", "tiny"],
        ["enter", CODE, "-t", "intake", "-i", "barc10", "-d", "2025-02-03"],
        ["wellbeing", "check", "PW-03"],
    ],
)
def test_refuses_without_a_terminal_before_creating_anything(env, tmp_path, command):
    """stdin and stdout redirected (CliRunner's are not terminals) and no prompt input injected:
    a clear message, exit 1, no database created, no survey started."""
    fresh = tmp_path / "new" / "rc.db"
    for db in (fresh, env[0]):
        result = CliRunner().invoke(
            main,
            ["--db", str(db), "--config", str(env[1]), "--instruments-dir", str(DATA), *command],
        )
        assert result.exit_code == 1, result.output
        out = " ".join(result.output.split())
        assert (
            f"'recoverycap {' '.join(command[:2] if command[0] == 'wellbeing' else command[:1])}' needs a terminal"
            in out
        )
        assert "standard input and output are not a terminal" in out
        assert "recoverycap import responses FILE" in out and "recoverycap enter" in out
        assert "Stopped" not in out and "Warning" not in out
    assert not fresh.exists() and not fresh.parent.exists()
    assert administrations(env) == []


def test_a_named_config_file_that_does_not_exist_stops_administer(env, tmp_path):
    """--config naming a missing file: refused before anything is asked (the configured
    safeguarding instruction would otherwise be replaced by the default one)."""
    result = run((env[0], tmp_path / "missing.toml"), TINY)
    assert result.exit_code == 1
    assert "configuration file not found" in result.output
    assert administrations(env) == []


# -- enter (paper forms) ---------------------------------------------------------------------------
PAPER = ["enter", CODE, "--timepoint", "intake", "--instrument", "barc10", "--date", "2025-02-03"]


def test_enter_paper_form(env):
    """Codes typed one per item, q5 left blank (declined), then Save: paper, back-dated, scored.

    Hand-worked: nine items 4, 4, 5, 5, -, 6, 2, 3, 4, 4 with q5 missing: BARC-10 has no
    prorating, so the total is not scored.
    """
    codes = ["4", "4", "5", "5", "", "6", "2", "3", "4", "4"]
    keys = [K.type(c) for c in codes[:4]] + [K.ENTER, K.pick("1")] + [K.type(c) for c in codes[5:]]
    result = run(env, PAPER, *keys, K.ENTER)
    assert result.exit_code == 0, result.output
    [adm] = administrations(env)
    assert (adm.mode, adm.administered_at, adm.status) == ("paper", "2025-02-03", "complete")
    stored = answers(env, "barc10")
    assert stored["q5"] == Missing("declined")
    assert [stored[f"q{i}"] for i in (1, 2, 3, 4, 6, 7, 8, 9, 10)] == [4, 4, 5, 5, 6, 2, 3, 4, 4]
    assert "not scored (9 of 10 questions answered" in " ".join(result.output.split())


def test_enter_rejects_a_bad_code_and_goes_back(env):
    """7 is refused for a 1–6 item; '<' goes back to correct the previous code; sum 10×3 = 30."""
    keys = [K.type("3"), K.type("7"), K.BACKSPACE + K.type("<"), K.BACKSPACE + K.type("3")]
    keys += [K.type("3")] * 9
    result = run(env, PAPER, *keys, K.ENTER)
    assert result.exit_code == 0, result.output
    assert answers(env, "barc10") == {f"q{i}": 3 for i in range(1, 11)}
    assert "BARC-10 Recovery capital: 30 (below the recovery cut-off)" in result.output


def test_enter_explains_a_refused_code_just_above_the_prompt(env):
    """7 for a 1–6 item: the reason is printed (not left in prompt_toolkit's bottom toolbar) and
    the prompt comes back with the 7 typed in; corrected to 4, then nine 3s: 4 + 27 = 31."""
    keys = [K.type("7"), K.BACKSPACE + K.type("4")] + [K.type("3")] * 9
    result = run(env, PAPER, *keys, K.ENTER)
    assert result.exit_code == 0, result.output
    refused = next(line for line in result.output.splitlines() if "Not accepted" in line)
    assert "7 is not one of 1–6" in refused and "('<' goes back)" in refused
    assert answers(env, "barc10")["q1"] == 4
    assert "Recovery capital: 31" in result.output


def test_enter_alert_speaks_of_the_form_not_a_session(env):
    """A paper PHQ-9 dated 2025-02-03 with item 9 at 2: the box says to follow up now on the form
    of that date, not "before the session ends"."""
    keys = [K.type("0")] * 8 + [K.type("2"), K.ENTER, K.type("0"), K.ENTER]
    result = run(env, ["enter", CODE, "-t", "intake", "-i", "phq9", "-d", "2025-02-03"], *keys)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.replace("║", " ").split())
    assert "This answer is on a paper form dated 2025-02-03" in out and "follow up now" in out
    assert "before the session ends" not in out
    assert "Alert recorded:" in out


def test_enter_change_from_review(env):
    """In the review, choose q10 and type a new code before saving."""
    keys = [K.type("2")] * 10 + [K.DOWN * 10 + K.ENTER, K.BACKSPACE + K.type("6"), K.ENTER]
    result = run(env, PAPER, *keys)
    assert result.exit_code == 0, result.output
    assert answers(env, "barc10")["q10"] == 6
    assert "Recovery capital: 24" in result.output  # 9 × 2 + 6


def test_enter_ctrl_c_saves_nothing(env):
    """Stopping a paper entry part way writes nothing."""
    result = run(env, PAPER, K.type("2"), K.type("2"), K.CONTROLC)
    assert result.exit_code == 130
    assert "nothing was saved" in result.output
    assert administrations(env) == []


def test_enter_cancel_from_review_saves_nothing(env):
    """'Cancel without saving' (the last choice in the review) writes nothing."""
    keys = [K.type("2")] * 10 + [K.UP + K.ENTER]
    result = run(env, PAPER, *keys)
    assert result.exit_code == 0
    assert "Cancelled: nothing was saved." in result.output
    assert administrations(env) == []


def test_enter_phq9_alert_shown_and_recorded_on_save(env):
    """A paper PHQ-9 with item 9 at 2: the box at once, the alert stored with the form."""
    keys = [K.type("0")] * 8 + [K.type("2"), K.ENTER, K.type("0"), K.ENTER]
    result = run(env, ["enter", CODE, "-t", "intake", "-i", "phq9", "-d", "2025-02-03"], *keys)
    assert result.exit_code == 0, result.output
    assert "It will be recorded when the form is saved." in " ".join(
        result.output.replace("║", " ").split()
    )
    with store(env) as s:
        [adm] = s.administrations(subject=CODE)
        assert [(a.alert, a.value) for a in s.alerts(adm.id)] == [("self_harm", 2.0)]


def test_enter_future_date_refused(env):
    """A date after today is refused before anything is asked."""
    result = run(env, ["enter", CODE, "-t", "intake", "-i", "barc10", "-d", "2999-01-01"])
    assert result.exit_code == 2
    assert "in the future" in result.output


def test_alert_box_wraps_every_line_inside_the_frame():
    """Every line of the box is the same width, so the frame is unbroken."""
    hit = AlertHit("x", "safeguarding", "A long message " * 10, 1.0, item="q9")
    lines = alert_box(hit, INSTRUCTION).splitlines()
    assert len({len(line) for line in lines}) == 1
    assert lines[0].startswith("╔") and lines[-1].startswith("╚")


def test_commands_have_help():
    """Both commands explain themselves."""
    for command in ("administer", "enter"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "PARTICIPANT" in result.output


def test_database_holds_no_abandoned_leftovers_after_a_full_run(env):
    """A completed survey leaves nothing in progress to resume."""
    keys = [K.pick("2")] * 3 + [K.type("1"), K.type("x"), FINISH]
    result = run(env, TINY, *keys)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(env[0]) as conn:
        assert conn.execute("SELECT status FROM administrations").fetchall() == [("complete",)]
