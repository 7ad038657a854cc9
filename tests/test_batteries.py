"""The bundled batteries: each loads, names instruments that exist, and is for the right audience."""

from __future__ import annotations

import re

import pytest

from recoverycap import Library
from recoverycap.registry import bundled_dir

# (battery id, instruments in order, time points, audience), as the batteries were specified.
BATTERIES = [
    ("intake", ["barc10", "who5", "phq9", "gad7", "top_secure"], ["intake"], "participant"),
    ("programme_end", ["barc10", "who5", "phq9", "gad7"], ["programme_end"], "participant"),
    (
        "post_release",
        ["barc10", "who5", "phq9", "gad7", "ttg_followup", "top"],
        ["post_release_4w", "post_release_12w", "post_release_26w"],
        "participant",
    ),
    ("worker_check", ["cbi", "proqol5"], [], "worker"),
]


@pytest.mark.parametrize(
    ("battery_id", "instruments", "timepoints", "audience"),
    BATTERIES,
    ids=[b[0] for b in BATTERIES],
)
def test_battery_loads_with_its_instruments(
    library: Library, battery_id: str, instruments: list[str], timepoints: list[str], audience: str
) -> None:
    """library.battery(id) gives the instruments, time points and audience specified."""
    battery = library.battery(battery_id)
    assert list(battery.instruments) == instruments
    assert list(battery.timepoints) == timepoints
    assert battery.audience == audience


@pytest.mark.parametrize("battery_id", [b[0] for b in BATTERIES])
def test_every_instrument_named_exists_for_the_same_audience(
    library: Library, battery_id: str
) -> None:
    """Each instrument a battery names is in the library and is for the battery's audience."""
    battery = library.battery(battery_id)
    resolved = library.resolve(battery=battery_id)
    assert [inst.id for inst in resolved] == list(battery.instruments)
    for inst in resolved:
        assert inst.audience == battery.audience, inst.id


def test_the_bundled_batteries_are_the_four_specified(library: Library) -> None:
    """The bundled batteries are exactly the four specified."""
    assert sorted(b.id for b in library.batteries()) == sorted(b[0] for b in BATTERIES)


@pytest.mark.parametrize("battery_id", [b[0] for b in BATTERIES])
def test_battery_file_names_its_source(battery_id: str) -> None:
    """Every file in instruments/ names its source or citation, batteries included."""
    text = (bundled_dir() / "batteries" / f"{battery_id}.toml").read_text("utf-8")
    assert re.search("source|citation", text, re.IGNORECASE)


def test_catalogue_lists_every_instrument_and_battery(library: Library) -> None:
    """instruments/README.md has a catalogue row for every bundled instrument and battery."""
    readme = (bundled_dir() / "README.md").read_text("utf-8")
    rows = {m.group(1) for m in re.finditer(r"^\| `([a-z0-9_]+)` \|", readme, re.MULTILINE)}
    assert {inst.id for inst in library} <= rows
    assert {b.id for b in library.batteries()} <= rows
