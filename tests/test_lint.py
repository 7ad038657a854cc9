"""The instrument linter: every problem named with its file, id, what is wrong and what is allowed."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from recoverycap import Instrument, InstrumentError, lint_file
from recoverycap.lint import build_instrument

DATA = Path(__file__).parent / "data"
BASE = tomllib.loads((DATA / "tiny.toml").read_text())


def problems_after(change: Callable[[dict[str, Any]], None]) -> list[str]:
    data = copy.deepcopy(BASE)
    change(data)
    _, problems = build_instrument(data, "t.toml")
    return [str(p) for p in problems]


def test_base_is_clean() -> None:
    """The test instrument itself lints clean."""
    assert problems_after(lambda d: None) == []


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        target: Any = d
        keys = path.split(".")
        for k in keys[:-1]:
            target = target[int(k)] if k.isdigit() else target[k]
        last = keys[-1]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return change


CASES = [
    (
        "unknown response scale",
        _set("items.0.scale", "agree"),
        "item 'a1': unknown response scale 'agree'; defined: freq",
    ),
    ("duplicate item id", _set("items.1.id", "a1"), "item 'a1': duplicate item id"),
    (
        "reverse on free text",
        _set("items.4.reverse", True),
        "item 'note': a free-text item cannot be reverse-keyed",
    ),
    (
        "free text in a scale",
        _set("scales.0.items", ["a1", "note"]),
        "scale 'strain': item 'note' is free text and cannot be scored",
    ),
    (
        "unknown item in scale",
        _set("scales.0.items", ["a1", "zz"]),
        "scale 'strain': unknown item 'zz'",
    ),
    (
        "band gap",
        _set(
            "scales.0.bands",
            [{"min": 0, "max": 40, "label": "low"}, {"min": 50, "max": 100, "label": "high"}],
        ),
        "gap between bands 'low' (max 40) and 'high' (min 50)",
    ),
    (
        "band overlap",
        _set(
            "scales.0.bands",
            [{"min": 0, "max": 60, "label": "low"}, {"min": 50, "max": 100, "label": "high"}],
        ),
        "bands 'low' (0–60) and 'high' (50–100) overlap",
    ),
    (
        "bands short of range",
        _set(
            "scales.0.bands",
            [{"min": 0, "max": 50, "label": "low"}, {"min": 50, "max": 90, "label": "high"}],
        ),
        "bands must cover the score range 0–100; they cover 0–90",
    ),
    (
        "unknown key typo",
        _set("scales.0.higher_iss", "worse"),
        "scale 'strain': unknown key 'higher_iss'",
    ),
    (
        "bad direction",
        _set("scales.0.higher_is", "up"),
        "higher_is must be 'better' or 'worse'; got 'up'",
    ),
    (
        "sum without prorate",
        _set("scales.1.prorate", False),
        "must set prorate = true; a missing answer is never scored as 0",
    ),
    (
        "min_answered too big",
        _set("scales.0.min_answered", 4),
        "min_answered must be between 1 and 3",
    ),
    (
        "recode missing a code",
        _set("recodes.pct", {"1": 100, "2": 75, "3": 50, "4": 25}),
        "recode 'pct' has no value for code(s) [5] of item 'a1'",
    ),
    (
        "integer item without max",
        _set("items.3.max", KeyError),
        "item 'days': an integer item needs min and max",
    ),
    ("missing citation", _set("source.citations", []), "citations must be a non-empty list"),
    (
        "missing wording source",
        _set("source.wording_source", KeyError),
        "[source]: missing required key 'wording_source'",
    ),
    (
        "bundled but empty text",
        _set("items.0.text", ""),
        "text is empty but [source] text_bundled = true",
    ),
    (
        "not bundled but has text",
        _set("source.text_bundled", False),
        "the licensed wording must not be in this file",
    ),
    ("alert on unknown item", _set("alerts.0.item", "zz"), "alert 'a1_always': unknown item 'zz'"),
    ("alert bad op", _set("alerts.0.op", "=>"), "op must be one of"),
    (
        "substitution token unused",
        _set("substitutions.friends.token", "[family]"),
        "token '[family]' appears in no item text",
    ),
    ("bad id", _set("instrument.id", "Tiny-1"), "id must be lowercase letters"),
    (
        "duplicate option codes",
        _set(
            "response_scales.freq.options", [{"code": 1, "label": "A"}, {"code": 1, "label": "B"}]
        ),
        "duplicate option codes: [1]",
    ),
    (
        "bad kind",
        _set("items.0.kind", "likert"),
        "kind must be one of choice, integer, number, yesno, text; got 'likert'",
    ),
    ("wrong type", _set("scales.0.factor", "four"), "'factor' must be a number, got 'four'"),
]


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_linter_reports(name: str, change: Callable[[dict[str, Any]], None], expected: str) -> None:
    """Each broken file gives a problem that says what is wrong and what is allowed."""
    found = problems_after(change)
    assert any(expected in p for p in found), found


def test_lookup_must_cover_every_raw_score() -> None:
    """A lookup table missing raw score 9 of a 3–15 sum is reported with the missing value."""

    def change(d: dict[str, Any]) -> None:
        d["lookups"] = {"conv": {str(k): float(k) for k in range(3, 16) if k != 9}}
        d["scales"].append(
            {"id": "conv", "name": "c", "items": ["a1", "a2", "a3"], "lookup": "conv"}
        )

    found = problems_after(change)
    assert any("does not cover every possible raw score: missing [9]" in p for p in found), found


def test_all_problems_reported_together() -> None:
    """Several problems in one file are all listed."""

    def change(d: dict[str, Any]) -> None:
        d["items"][0]["scale"] = "nope"
        d["items"][4]["reverse"] = True
        d["scales"][0]["higher_is"] = "up"

    assert len(problems_after(change)) >= 3


def test_from_path_raises_with_every_problem(tmp_path: Path) -> None:
    """Loading a broken file raises InstrumentError carrying the problems, naming the file."""
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (DATA / "tiny.toml")
        .read_text()
        .replace('scale = "freq"\nreverse', 'scale = "nope"\nreverse')
    )
    with pytest.raises(InstrumentError) as err:
        Instrument.from_path(bad)
    assert "bad.toml" in str(err.value) and "unknown response scale 'nope'" in str(err.value)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    """A file that is not TOML gives one readable problem, not a traceback."""
    bad = tmp_path / "broken.toml"
    bad.write_text("[instrument\nid = 1")
    (problem,) = lint_file(bad)
    assert "not valid TOML" in str(problem) and "broken.toml" in str(problem)


def test_check_command_exit_codes(tmp_path: Path) -> None:
    """`recoverycap instruments check` exits 0 on clean files, 1 with the problems on broken ones."""
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (DATA / "tiny.toml").read_text().replace('higher_is = "worse"', 'higher_is = "up"')
    )
    ok = subprocess.run(
        [sys.executable, "-m", "recoverycap", "instruments", "check", str(DATA / "tiny.toml")],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    res = subprocess.run(
        [sys.executable, "-m", "recoverycap", "instruments", "check", str(bad)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1
    assert "higher_is must be 'better' or 'worse'; got 'up'" in res.stdout
    assert "Traceback" not in res.stdout + res.stderr
