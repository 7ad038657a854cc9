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


def _phq9_pairs() -> pd.DataFrame:
    """Eight people's PHQ-9 at intake and release, reaching both ends of the scale (0 and 27)."""
    before = [27, 22, 18, 15, 12, 9, 6, 3]
    after = [20, 10, 0, 2, 14, 0, 8, 1]
    rows = []
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        rows.append({"subject": f"P{i}", "timepoint": "intake", "score": a})
        rows.append({"subject": f"P{i}", "timepoint": "release", "score": b})
    return pd.DataFrame(rows).assign(instrument="phq9", scale="total")


def test_jacobson_axes_stay_inside_the_scale(library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """PHQ-9 runs 0–27: both axes run from exactly 0 to 27 (before, about −5.5 to 32.5, with
    ticks at −5 and 30), so no impossible score is marked; scores of 0 and 27 are drawn whole
    (not clipped), with the space coming from the axes being set apart."""
    from recoverycap.analysis.plots import jacobson_figure

    phq9 = library.get("phq9")
    result = reliable_change(_phq9_pairs(), instrument=phq9, reliability=0.84, sd=5)
    assert result.scale_range == phq9.scale_range(phq9.scale("total")) == (0, 27)
    fig = jacobson_figure(result)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, 27) and ax.get_ylim() == (0, 27)
    fig.canvas.draw()
    shown = [t for t in ax.get_xticks() if 0 <= t <= 27]
    assert min(shown) == 0 and max(shown) <= 27
    assert all(not c.get_clip_on() for c in ax.collections[1:])  # the people's points
    assert ax.spines["left"].get_position() == ("outward", 8.0)
    _check(plot_jacobson(result, tmp_path / "phq9.png"), "png")


def test_jacobson_without_an_instrument_uses_the_scores() -> None:
    """With only an instrument id there is no scale range: the axes run over the scores."""
    from recoverycap.analysis.plots import jacobson_limits

    result = reliable_change(_phq9_pairs(), instrument="phq9", reliability=0.84, sd=5)
    assert result.scale_range is None
    assert jacobson_limits(result) == (0, 27)
    shifted = _phq9_pairs().assign(score=lambda d: d["score"] + 10)
    assert jacobson_limits(reliable_change(shifted, reliability=0.84, sd=5)) == (10, 37)
