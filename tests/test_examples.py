"""The examples in examples/ run and print what they say they print."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_every_example_runs(tmp_path: Path) -> None:
    """Each example script exits 0 (run from a scratch folder so nothing is left behind)."""
    scripts = sorted(EXAMPLES.glob("*.py"))
    assert scripts
    for script in scripts:
        res = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300
        )
        assert res.returncode == 0, f"{script.name}\n{res.stdout}\n{res.stderr}"


def test_score_a_file_matches_the_scoring_engine() -> None:
    """The scoring example's totals equal recoverycap.score on the same rows."""
    import csv

    from recoverycap import Library, score

    module = runpy.run_path(str(EXAMPLES / "score_a_file.py"))
    scored = module["main"](EXAMPLES / "barc10_responses.csv")
    barc10 = Library().get("barc10")
    with (EXAMPLES / "barc10_responses.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    for row, got in zip(rows, scored["barc10_total"], strict=True):
        expected = score(barc10, {k: v for k, v in row.items() if k.startswith("q")})["total"].score
        if expected is None:
            assert got != got  # NaN
        else:
            assert got == pytest.approx(expected)
