"""`recoverycap score`: batch scoring of a wide CSV, with pass-through columns and all-or-nothing errors."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

from click.testing import CliRunner

from recoverycap.cli import main

DATA = Path(__file__).parent / "data"


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        main, list(args), env=env or {"RECOVERYCAP_INSTRUMENTS": ""}, catch_exceptions=False
    )


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_scores_barc10_and_passes_other_columns_through(tmp_path: Path) -> None:
    """Other columns come back unchanged (leading zeros kept); each scale adds score, band, answered."""
    src = write(
        tmp_path / "in.csv",
        [
            ["participant", "date", *[f"q{i}" for i in range(1, 11)]],
            ["ALT-0007", "2026-01-05", *["6", "5", "4", "5", "6", "5", "4", "6", "5", "5"]],
            ["ALT-0008", "2026-01-06", "", *["1", "1", "1", "1", "1", "1", "1", "1", "1"]],
            ["007", "2026-01-07", "declined", *["1", "1", "1", "1", "1", "1", "1", "1", "1"]],
        ],
    )
    out = tmp_path / "out.csv"
    res = run("score", "barc10", str(src), "-o", str(out))
    assert res.exit_code == 0, res.output
    rows = read(out)
    assert rows[0]["participant"] == "ALT-0007" and rows[0]["date"] == "2026-01-05"
    assert rows[0]["barc10_total"] == "51"
    assert rows[0]["barc10_total_band"] == "at or above the recovery cut-off"
    assert rows[0]["barc10_total_answered"] == "10"
    assert rows[1]["barc10_total"] == "" and rows[1]["barc10_total_answered"] == "9"
    assert rows[2]["participant"] == "007" and rows[2]["q1"] == "declined"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_invalid_value_stops_run_and_writes_nothing(tmp_path: Path) -> None:
    """Every invalid value is listed (row, column, allowed, given), exit code 1, and no output file."""
    src = write(
        tmp_path / "in.csv",
        [
            ["id", "q1", "q2"],
            ["a", "7", "1"],
            ["b", "1", "0"],
            ["c", "x", "1"],
        ],
    )
    out = tmp_path / "out.csv"
    res = run("score", "barc10", str(src), "-o", str(out))
    assert res.exit_code == 1
    assert "in.csv row 2, q1: '7' is not one of 1–6" in res.output
    assert "in.csv row 3, q2: '0' is not one of 1–6" in res.output
    assert "in.csv row 4, q1: 'x' is not one of 1–6" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_invalid_value_in_a_later_chunk_writes_nothing(tmp_path: Path) -> None:
    """Streaming in chunks still writes nothing when a late row is bad."""
    from recoverycap import InvalidResponse, Library
    from recoverycap.batch import score_csv

    rows = [["q1"]] + [["3"]] * 50 + [["9"]]
    src = write(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    inst = Library(include_env=False).get("barc10")
    try:
        score_csv(inst, src, out, chunk_rows=7)
    except InvalidResponse as exc:
        assert "row 52" in str(exc)
    else:
        raise AssertionError("expected InvalidResponse")
    assert not out.exists()


def test_user_defined_instrument_from_instruments_dir(tmp_path: Path) -> None:
    """An instrument in a folder given with --instruments-dir scores through `recoverycap score`.

    Hand-worked (tests/data/tiny.toml): a1=1 (100), a2=3 (50), a3=2 reversed to 4 (25): strain
    = 175/3 = 58.33 (high); sum = 1+3+4+5 = 13.
    """
    src = write(tmp_path / "in.csv", [["a1", "a2", "a3", "days"], ["1", "3", "2", "5"]])
    res = run("--instruments-dir", str(DATA), "score", "tiny", str(src))
    assert res.exit_code == 0, res.output
    row = next(iter(csv.DictReader(res.output.splitlines())))
    assert row["tiny_strain"] == "58.33333333" and row["tiny_strain_band"] == "high"
    assert row["tiny_sum"] == "13"


def test_instruments_dir_from_environment(tmp_path: Path) -> None:
    """RECOVERYCAP_INSTRUMENTS works like --instruments-dir."""
    res = run("instruments", "show", "tiny", env={"RECOVERYCAP_INSTRUMENTS": str(DATA)})
    assert res.exit_code == 0 and "Tiny test instrument" in res.output


def test_instrument_given_as_path(tmp_path: Path) -> None:
    """INSTRUMENT may be a path to an instrument file."""
    src = write(tmp_path / "in.csv", [["a1", "a2", "a3"], ["5", "5", "1"]])
    res = run("score", str(DATA / "tiny.toml"), str(src))
    assert res.exit_code == 0, res.output
    assert "tiny_strain" in res.stdout.splitlines()[0]


def test_unknown_instrument_lists_known_ones(tmp_path: Path) -> None:
    """A wrong id says which ids exist, without a traceback."""
    src = write(tmp_path / "in.csv", [["q1"], ["1"]])
    res = run("score", "barc11", str(src))
    assert res.exit_code == 1
    assert "no instrument with id 'barc11'" in res.output and "barc10" in res.output


def test_file_without_item_columns(tmp_path: Path) -> None:
    """A CSV with no item columns says which columns were expected."""
    src = write(tmp_path / "in.csv", [["name", "score"], ["x", "1"]])
    res = run("score", "barc10", str(src))
    assert res.exit_code == 1 and "expected columns named q1, q2" in res.output


def test_absent_item_columns_are_named(tmp_path: Path) -> None:
    """Scoring a file that lacks some item columns says which ones count as missing."""
    src = write(tmp_path / "in.csv", [["q1", "q2", "q3", "q4", "q5"], ["1", "2", "3", "0", "1"]])
    res = CliRunner().invoke(main, ["score", "gad7", str(src)], env={"RECOVERYCAP_INSTRUMENTS": ""})
    assert res.exit_code == 0
    assert "has no column for q6, q7: those items count as missing" in res.output
