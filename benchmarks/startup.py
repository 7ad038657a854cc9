"""Start-up of ``recoverycap administer``: time to the first question against a bare import.

    python benchmarks/startup.py [--repeat 7] [--instrument barc10]

In the same run, each measured ``--repeat`` times in a fresh process (the median is reported):

- **bare**: ``python -c "import click, questionary"``, the floor any click + questionary
  command pays;
- **first question**: the installed ``recoverycap administer`` in a real pseudo-terminal
  (pexpect), from launch until the first question's answer prompt is on screen (opening the
  database, finding the participant, loading the instrument library and starting the
  administration included); each run uses a new participant so none has a survey to resume;
- **--help**: ``recoverycap administer --help`` to exit.

It prints the medians and the ratio *first question / bare* (and *--help / bare*), then whether
pandas, pingouin, statsmodels, matplotlib, numpy or scipy were imported on the way (they must
not be), found with ``python -X importtime``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("pandas", "pingouin", "statsmodels", "matplotlib", "numpy", "scipy")


def console_script() -> str:
    here = Path(sys.executable).with_name("recoverycap")
    found = str(here) if here.exists() else shutil.which("recoverycap")
    if not found:
        sys.exit("the recoverycap console script is not installed (pip install -e .)")
    return found


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def to_first_question(script: str, args: list[str], env: dict[str, str]) -> float:
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(script, args, env=env, encoding="utf-8", timeout=60, dimensions=(40, 100))
    child.expect_exact("Question 1 of")
    child.expect_exact("Answer")
    elapsed = time.perf_counter() - start
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def heavy_imports(args: list[str], env: dict[str, str]) -> list[str]:
    """Top-level heavy packages imported by ``recoverycap administer`` up to the first question,
    read from ``python -X importtime`` in a pseudo-terminal."""
    import pexpect

    code = "import sys; from recoverycap.cli import run; sys.argv[0] = 'recoverycap'; run()"
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", f'exec "$0" -X importtime -c "$@" 2>{log}', sys.executable, code, *args],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 100),
    )
    child.expect_exact("Answer")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    names = set()
    for line in log.read_text().splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name.split(".")[0] in HEAVY:
                names.add(name.split(".")[0])
    log.unlink()
    return sorted(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--instrument", default="barc10")
    opts = parser.parse_args()

    from recoverycap.store import Store

    script = console_script()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "startup.db"
        with Store.open(db, actor="benchmark") as store:
            for i in range(opts.repeat + 1):
                store.add_participant(f"BENCH-{i}")
        env = {k: v for k, v in os.environ.items() if k != "RECOVERYCAP_INSTRUMENTS"}
        (Path(tmp) / "none.toml").touch()  # an empty configuration: the defaults
        env.update(
            PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", RECOVERYCAP_CONFIG=str(Path(tmp) / "none.toml")
        )

        def survey(i: int) -> list[str]:
            return [
                "--db",
                str(db),
                "administer",
                f"BENCH-{i}",
                "-t",
                "intake",
                "-i",
                opts.instrument,
            ]

        bare, first, helps = [], [], []
        for i in range(opts.repeat):  # interleaved, so drift affects all three alike
            bare.append(wall([sys.executable, "-c", "import click, questionary"], env))
            first.append(to_first_question(script, survey(i), env))
            helps.append(wall([script, "administer", "--help"], env))
        heavy = heavy_imports(survey(opts.repeat), env)

    b, f, h = (statistics.median(x) for x in (bare, first, helps))
    print(
        f"recoverycap administer start-up ({opts.repeat} runs each, medians; Python {sys.version.split()[0]})"
    )
    print(f"  bare 'import click, questionary':        {b * 1000:7.0f} ms")
    print(f"  administer to its first question (pty):  {f * 1000:7.0f} ms   ratio {f / b:.2f}x")
    print(f"  administer --help:                       {h * 1000:7.0f} ms   ratio {h / b:.2f}x")
    print(f"  heavy packages imported on the way: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
