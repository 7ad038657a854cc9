"""End to end in a real pseudo-terminal: the installed ``recoverycap administer`` is killed
mid-survey (SIGKILL: no clean-up of any kind runs), started again, resumed and completed, and the
database is checked.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from recoverycap import Library, Missing
from recoverycap.store import Store

pexpect = pytest.importorskip("pexpect")

DATA = Path(__file__).parent / "data"
CODE = "ALT-0042"
ENTER = "\r"


def recoverycap_command() -> str:
    """The installed console script (next to this Python first, then on PATH)."""
    here = Path(sys.executable).with_name("recoverycap")
    found = str(here) if here.exists() else shutil.which("recoverycap")
    assert found, "the recoverycap console script is not installed (pip install -e .)"
    return found


def command_env(tmp_path: Path) -> dict[str, str]:
    """The environment: no extra instruments, an empty configuration file (the defaults)."""
    config = tmp_path / "empty-config.toml"
    config.touch()
    env = dict(os.environ)
    env.pop("RECOVERYCAP_INSTRUMENTS", None)
    env.update(RECOVERYCAP_CONFIG=str(config))
    return env


def spawn(db: Path, tmp_path: Path, *args: str):
    env = command_env(tmp_path)
    env.update(
        PROMPT_TOOLKIT_NO_CPR="1",  # pexpect does not answer cursor-position requests
        TERM="xterm",
        COLUMNS="100",
        LINES="40",
    )
    child = pexpect.spawn(
        recoverycap_command(),
        ["--db", str(db), "--instruments-dir", str(DATA), "administer", CODE, *args],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
    )
    return child


def answer(child, question: str, keys: str) -> None:
    """Wait for a question and its answer prompt, then type the keys."""
    child.expect_exact(question)
    child.expect_exact("Answer")
    child.send(keys)


def test_kill_mid_survey_then_resume_and_complete(tmp_path: Path):
    """SIGKILL after three answers loses none of them; the second run resumes at question 4."""
    db = tmp_path / "rc.db"
    with Store.open(db, actor="test") as store:
        store.add_participant(CODE)

    first = spawn(
        db, tmp_path, "--timepoint", "intake", "--instrument", "tiny", "--instrument", "barc10"
    )
    answer(first, "Question 1 of 5 · Tiny test instrument (instrument 1 of 2)", "2")
    first.send(ENTER)
    answer(first, "Question 2 of 5", "3")
    first.send(ENTER)
    answer(first, "Question 3 of 5", "4")
    first.send(ENTER)
    first.expect_exact("Question 4 of 5")
    first.expect_exact("Answer")
    first.kill(signal.SIGKILL)
    first.close(force=True)
    assert first.signalstatus == signal.SIGKILL

    second = spawn(db, tmp_path)  # no options: it finds the unfinished survey itself
    second.expect_exact("unfinished survey at intake")
    second.expect_exact("Carry on where you left off?")
    second.send("y")
    answer(second, "Question 4 of 5", "6")
    second.send(ENTER)
    second.expect_exact("Question 5 of 5")
    second.expect_exact("Answer")
    second.send(ENTER)  # empty free text: asked why
    second.expect_exact("Why is it skipped?")
    second.send("3" + ENTER)  # does not apply
    second.expect_exact("Review: Tiny test instrument")
    second.expect_exact("Finish")
    second.send(ENTER)
    for n in range(1, 11):
        answer(second, f"Question {n} of 10 · BARC-10 (instrument 2 of 2)", "5")
        second.send(ENTER)
    second.expect_exact("Review: BARC-10")
    second.expect_exact("Finish")
    second.send(ENTER)
    second.expect_exact("Results:")
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 0

    with Store.open(db, library=Library([DATA], include_env=False), actor="test") as store:
        adms = store.administrations(subject=CODE)
        assert [(a.instrument, a.status) for a in adms] == [
            ("tiny", "complete"),
            ("barc10", "complete"),
        ]
        assert store.answers(adms[0].id) == {
            "a1": 2,
            "a2": 3,
            "a3": 4,
            "days": 6,
            "note": Missing("not_applicable"),
        }
        assert store.answers(adms[1].id) == {f"q{i}": 5 for i in range(1, 11)}
        # hand-worked: tiny strain = mean(pct 75, 50, reversed 4 -> 2 -> 75) = 66.67, high;
        # sum 2 + 3 + 2 + 6 = 13; BARC-10 ten 5s = 50, at or above the cut-off of 47
        tiny = store.scores(adms[0].id)
        assert tiny["strain"].score == pytest.approx(200 / 3)
        assert tiny["strain"].band == "high"
        assert tiny["sum"].score == 13
        barc = store.scores(adms[1].id)
        assert (barc["total"].score, barc["total"].band) == (50, "at or above the recovery cut-off")


def test_without_a_terminal_the_real_command_refuses_and_creates_nothing(tmp_path: Path):
    """The installed command with stdin from /dev/null and stdout to a pipe: a message saying it
    needs a terminal, exit 1, and no database (before the fix: "Input is not a terminal", then
    "Stopped... nothing is lost", exit 130 and an unfinished survey)."""
    db = tmp_path / "new" / "rc.db"
    proc = subprocess.run(
        [recoverycap_command(), "--db", str(db), "administer", CODE, "-t", "intake", "-i", "who5"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=command_env(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    err = " ".join(proc.stderr.split())
    assert "'recoverycap administer' needs a terminal" in err
    assert "standard input and output are not a terminal" in err
    assert "Warning" not in proc.stdout + proc.stderr and "Stopped" not in proc.stdout
    assert not db.exists()
