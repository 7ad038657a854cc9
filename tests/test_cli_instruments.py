"""`recoverycap instruments list|show|check|overlay`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverycap import Library, WordingNotAvailable
from recoverycap.cli import main

ROOT = Path(__file__).resolve().parents[1]
ENV = {"RECOVERYCAP_INSTRUMENTS": ""}


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=ENV)


def test_check_bundled_folder_is_clean() -> None:
    """The whole instruments/ folder (instruments and batteries) checks clean."""
    res = run("instruments", "check", str(ROOT / "instruments"))
    assert res.exit_code == 0, res.output
    assert "barc10.toml: ok (instrument)" in res.output
    assert "batteries/intake.toml: ok (battery)" in res.output


def test_check_reports_an_incomplete_overlay(tmp_path: Path) -> None:
    """An overlay template not yet filled in, or naming an unknown item, is reported, not skipped."""
    template = run("instruments", "overlay", "swemwbs").output
    overlay = tmp_path / "swemwbs.text.toml"
    overlay.write_text(template.replace('q1 = ""', 'q1 = "wording of item 1"') + 'q99 = "extra"\n')
    res = run("instruments", "check", str(overlay))
    assert res.exit_code == 1
    assert "q99: swemwbs has no item 'q99'" in res.output
    assert "q2: no wording yet" in res.output
    assert "q1: no wording yet" not in res.output


def test_check_reports_a_battery_with_an_unknown_instrument(tmp_path: Path) -> None:
    """A battery naming an instrument that does not exist is reported."""
    folder = tmp_path / "batteries"
    folder.mkdir()
    (folder / "b.toml").write_text('[battery]\nid = "b"\ninstruments = ["barc10", "barc11"]\n')
    res = run("instruments", "check", str(folder / "b.toml"))
    assert res.exit_code == 1 and "unknown instrument 'barc11'" in res.output


def test_partly_filled_overlay_names_the_missing_items(tmp_path: Path) -> None:
    """A local wording file with some items still empty says which ones, instead of 'not bundled'."""
    (tmp_path / "swemwbs.text.toml").write_text('[items]\nq1 = "wording of item 1"\n')
    inst = Library([tmp_path], include_env=False).get("swemwbs")
    try:
        inst.require_wording()
    except WordingNotAvailable as exc:
        assert "has no text yet for q2, q3, q6, q7, q9, q11" in str(exc)
    else:
        raise AssertionError("expected WordingNotAvailable")


@pytest.mark.parametrize("iid", Library(include_env=False).ids())
def test_show_gives_licence_copyright_and_citation(iid: str) -> None:
    """`instruments show` prints every instrument's licence, copyright line, citation and credit."""
    inst = Library(include_env=False).get(iid)
    res = run("instruments", "show", iid)
    assert res.exit_code == 0
    assert f"Licence: {inst.licence.strip().splitlines()[0]}" in res.output
    assert "Copyright:" in res.output and "Shown when administering:" in res.output
    for citation in inst.citations:
        assert f"Citation: {citation}" in res.output
