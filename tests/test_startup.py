"""``recoverycap administer`` reaches its first question without loading the analysis stack.

Each check runs in a fresh Python process, so modules imported by other tests do not count. The
driver invokes the real command with a pipe that sends Ctrl-C at the first question, then lists
the heavy modules that were imported on the way. Start-up times are measured by
``benchmarks/startup.py`` (not asserted here: timings vary between machines).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recoverycap.store import Store

DATA = Path(__file__).parent / "data"
HEAVY = ("pandas", "pingouin", "statsmodels", "matplotlib", "numpy", "scipy")

DRIVER = r"""
import json, sys
from click.testing import CliRunner
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from recoverycap.cli import main
from recoverycap.cli.context import AppContext

heavy = set(json.loads(sys.argv[1]))
with create_pipe_input() as inp:
    inp.send_text("\x03")  # Ctrl-C at the first question
    result = CliRunner().invoke(main, sys.argv[2:], obj=AppContext(input=inp, output=DummyOutput()))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
print(json.dumps({"output": result.output, "exit": result.exit_code, "heavy": loaded}))
"""


def drive(*args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "RECOVERYCAP_INSTRUMENTS"}
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(HEAVY), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "rc.db"
    with Store.open(path, actor="test") as store:
        store.add_participant("ALT-0001")
    (tmp_path / "none.toml").touch()  # an empty configuration: the defaults
    return path


@pytest.mark.parametrize("instruments", [["barc10"], ["phq9", "who5"]])
def test_administer_reaches_first_question_without_heavy_imports(db, tmp_path, instruments):
    """No pandas, pingouin, statsmodels, matplotlib (nor numpy, scipy) before question 1."""
    args = [
        "--db",
        str(db),
        "--config",
        str(tmp_path / "none.toml"),
        "administer",
        "ALT-0001",
        "-t",
        "intake",
    ]
    for inst in instruments:
        args += ["-i", inst]
    result = drive(*args)
    assert "Question 1 of" in result["output"]
    assert result["exit"] == 130  # stopped by the Ctrl-C at the first question
    assert result["heavy"] == []


def test_resume_prompt_without_heavy_imports(db, tmp_path):
    """Resuming (the confirm prompt and the store's in-progress lookup) loads nothing heavy."""
    base = [
        "--db",
        str(db),
        "--instruments-dir",
        str(DATA),
        "--config",
        str(tmp_path / "none.toml"),
    ]
    first = drive(*base, "administer", "ALT-0001", "-t", "intake", "-i", "tiny")
    assert first["exit"] == 130
    second = drive(*base, "administer", "ALT-0001")
    assert "unfinished survey at intake" in second["output"]
    assert second["heavy"] == []


def test_driver_would_see_heavy_imports(db, tmp_path):
    """The check can fail: a command that loads pandas is caught by the same driver."""
    code = "import pandas\n" + DRIVER
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(HEAVY), "--db", str(db), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "pandas" in json.loads(proc.stdout.strip().splitlines()[-1])["heavy"]
