"""Plots: files are written as PNG and SVG, readable, with the Agg canvas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recoverycap import Instrument
from recoverycap.analysis import plot_jacobson, plot_profile, plot_trajectories, reliable_change
from recoverycap.errors import AnalysisError

REF = Path(__file__).parent / "reference"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def growth() -> pd.DataFrame:
    return pd.read_csv(REF / "growth.csv")


def _check(path: Path, suffix: str) -> None:
    assert path.exists() and path.stat().st_size > 5000
    head = path.read_bytes()[:200]
    if suffix == "png":
        assert head.startswith(PNG_MAGIC)
    else:
        assert b"<svg" in path.read_bytes()[:2000]


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_profile(growth: pd.DataFrame, barc10: Instrument, tmp_path: Path, suffix: str) -> None:
    """One participant's scores over time, with the cut-off."""
    path = plot_profile(growth, "ALT-0302", tmp_path / f"profile.{suffix}", instrument=barc10)
    _check(path, suffix)
    if suffix == "svg":
        text = path.read_text()
        assert "ALT-0302" in text or "ALT" in text


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_trajectories(
    growth: pd.DataFrame, barc10: Instrument, tmp_path: Path, suffix: str
) -> None:
    """Means with CIs per time point, one line per site."""
    _check(
        plot_trajectories(growth, tmp_path / f"traj.{suffix}", instrument=barc10, by="site"), suffix
    )


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_jacobson(barc10: Instrument, tmp_path: Path, suffix: str) -> None:
    """Baseline against follow-up with the band and the line of no change."""
    result = reliable_change(pd.read_csv(REF / "change_ties.csv"), instrument=barc10)
    _check(plot_jacobson(result, tmp_path / "sub" / f"jacobson.{suffix}"), suffix)


def test_bad_suffix_is_an_error(barc10: Instrument, tmp_path: Path) -> None:
    """Only .png and .svg are written; anything else is named in the error."""
    result = reliable_change(pd.read_csv(REF / "change_ties.csv"), instrument=barc10)
    with pytest.raises(AnalysisError, match=r"\.png or \.svg.*'\.pdf'"):
        plot_jacobson(result, tmp_path / "j.pdf")


def test_unknown_participant_is_an_error(growth: pd.DataFrame, tmp_path: Path) -> None:
    """A profile for someone with no scores names them."""
    with pytest.raises(AnalysisError, match="ALT-9999"):
        plot_profile(growth, "ALT-9999", tmp_path / "p.png")


def test_plots_do_not_touch_pyplot(growth: pd.DataFrame, tmp_path: Path) -> None:
    """Figures use the Agg canvas directly: no pyplot figures are left open."""
    import sys

    plot_trajectories(growth, tmp_path / "t.png")
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []
