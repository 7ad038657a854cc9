"""`recoverycap demo`: builds a synthetic organisation and runs the main jobs on it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from click.testing import CliRunner

from recoverycap import Store
from recoverycap.cli import main


def test_demo_builds_runs_every_step_and_keeps_files_private(tmp_path: Path) -> None:
    """The demo runs all its steps without an error and writes owner-only files."""
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        main, ["demo", "--out", str(out), "--participants", "60"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    for n in range(1, 10):
        assert f"[{n}] " in result.output
    assert "Error" not in result.output and "Traceback" not in result.output
    assert "Everyone:" in result.output  # the change analysis ran
    assert "Team wellbeing" in result.output
    for name in ("demo.db", "scores-wide.csv", "jacobson-barc10.png", ".recoverycap-demo"):
        assert stat.S_IMODE(os.stat(out / name).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700


def test_demo_is_reproducible_and_holds_no_names(tmp_path: Path) -> None:
    """The same seed builds the same organisation; participants are known by codes only."""
    counts = []
    for run in ("a", "b"):
        out = tmp_path / run
        result = CliRunner().invoke(
            main, ["demo", "--out", str(out), "--participants", "30", "--build-only"]
        )
        assert result.exit_code == 0, result.output
        with Store.open(out / "demo.db") as store:
            counts.append(store.counts())
            scores = store.scores_frame(subject_type="participant")
            assert {p.code[:3] for p in store.participants()} == {"NM-"}
    assert (
        counts[0]["answers"] == counts[1]["answers"]
        and counts[0]["administrations"] == counts[1]["administrations"]
    )
    assert len(scores) > 0


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    """An existing folder without the demo marker is never deleted."""
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "precious.txt").write_text("x")
    result = CliRunner().invoke(main, ["demo", "--out", str(keep)])
    assert result.exit_code == 1 and "was not made by 'recoverycap demo'" in result.output
    assert (keep / "precious.txt").exists()
