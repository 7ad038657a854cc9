"""Plots as PNG or SVG files: a participant's profile, cohort trajectories and a Jacobson plot.

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot, no window, no global
state), so they work on a server or in a test. Colours are the Okabe–Ito palette, readable with
colour-blindness, and every category also has its own marker shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..instrument import Instrument
from ..paths import open_private
from ._common import fmt
from .frames import ALL, groups, latest_per_cell, require_columns, select_scale, timepoint_order

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .reliable import ReliableChange

FORMATS = ("png", "svg")
KINDS = ("profile", "trajectory", "jacobson")

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CATEGORY_STYLE = {
    "recovered": ("#009E73", "o"),
    "improved": ("#0072B2", "^"),
    "unchanged": ("#999999", "s"),
    "deteriorated": ("#D55E00", "v"),
}


def _figure(width: float = 7.0, height: float = 4.5) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    fmt_ = path.suffix.lower().lstrip(".")
    if fmt_ not in FORMATS:
        raise AnalysisError(
            f"{path}: the plot file must end in .png or .svg; got {path.suffix or 'no extension'!r}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(path, "wb") as fh:  # a plot of people's scores is readable by its owner only
        fig.savefig(fh, format=fmt_, dpi=150 if fmt_ == "png" else None)
    return path


def _title(data: pd.DataFrame, instrument: Instrument | None) -> str:
    if instrument is not None:
        return instrument.label
    return str(data["instrument"].iloc[0]) if "instrument" in data.columns and len(data) else ""


def _scale_name(instrument: Instrument | None, scale_id: str) -> str:
    if instrument is not None:
        try:
            return instrument.scale(scale_id).name
        except KeyError:
            return scale_id
    return scale_id


def _reference_lines(ax: Axes, instrument: Instrument | None, scale_id: str) -> None:
    if instrument is None:
        return
    try:
        sc = instrument.scale(scale_id)
    except KeyError:
        return
    if sc.cutoff is not None:
        ax.axhline(sc.cutoff, color="#555555", linestyle="--", linewidth=1)
        ax.annotate(
            f"cut-off {fmt(sc.cutoff)}",
            xy=(1, sc.cutoff),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=8,
            color="#555555",
        )
    lo, hi = instrument.scale_range(sc)
    ax.set_ylim(lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo))


def plot_profile(
    data: pd.DataFrame,
    person: str,
    path: str | Path,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    instrument: Instrument | str | None = None,
    scale: str | None = None,
) -> Path:
    """One participant's scores over time: one panel per scale, with the cut-off where published.

    Args:
        data: A long scores frame.
        person: The participant code (e.g. ``ALT-0042``).
        path: Where to write the figure (``.png`` or ``.svg``).
        dv: The score column.
        within: The time-point column.
        subject: The person column.
        instrument: The instrument (object for cut-offs, ranges and names, or its id).
        scale: One scale only (default: every scale of the instrument the person has).

    Returns:
        The path written.

    Raises:
        AnalysisError: when the person has no scores.
    """
    inst_obj = instrument if isinstance(instrument, Instrument) else None
    inst_id = instrument.id if isinstance(instrument, Instrument) else instrument
    rows = data[data[subject].astype(str) == person]
    if inst_id is not None and "instrument" in rows.columns:
        rows = rows[rows["instrument"] == inst_id]
    if scale is not None and "scale" in rows.columns:
        rows = rows[rows["scale"] == scale]
    require_columns(data, [dv, within, subject])
    if rows.empty:
        raise AnalysisError(f"no scores for {person}{' on ' + str(inst_id) if inst_id else ''}")
    order = timepoint_order(data, within)
    keys = [k for k in ("instrument", "scale") if k in rows.columns]
    panels = list(rows.groupby(keys, sort=True)) if keys else [(("", ""), rows)]
    fig = _figure(7.0, 2.2 + 2.3 * len(panels))
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (key, part) in zip(axes, panels, strict=True):
        key = key if isinstance(key, tuple) else (key,)
        scale_id = str(key[-1]) if "scale" in keys else ""
        part = latest_per_cell(part, [within])
        x = [order.index(t) for t in part[within]]
        y = part[dv].astype(float).to_numpy()
        sort = np.argsort(x)
        ax.plot(np.array(x)[sort], y[sort], marker="o", color=OKABE_ITO[0], linewidth=2)
        for xi, yi in zip(np.array(x)[sort], y[sort], strict=True):
            ax.annotate(
                fmt(yi),
                (xi, yi),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=9,
            )
        ax.set_xticks(
            range(len(order)), [t.replace("_", " ") for t in order], rotation=20, ha="right"
        )
        ax.set_xlim(-0.5, len(order) - 0.5)
        ax.set_ylabel(_scale_name(inst_obj, scale_id) or dv)
        _reference_lines(ax, inst_obj, scale_id)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{person}: {_title(rows, inst_obj)}".rstrip(": "))
    return _save(fig, path)


def plot_trajectories(
    data: pd.DataFrame,
    path: str | Path,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    instrument: Instrument | str | None = None,
    scale: str | None = None,
    by: str | None = None,
) -> Path:
    """Mean score at each time point with its 95% CI, one line per group.

    Each point uses everyone scored at that time point (n shown under the axis labels for
    everyone together), so later points may describe fewer people.
    """
    inst_obj = instrument if isinstance(instrument, Instrument) else None
    inst_id = instrument.id if isinstance(instrument, Instrument) else instrument
    data = select_scale(data, inst_id, scale)
    require_columns(data, [dv, within, subject])
    if data.empty:
        raise AnalysisError("no scores to plot")
    from .repeated import timepoint_summary

    order = timepoint_order(data, within)
    scale_id = str(data["scale"].iloc[0]) if "scale" in data.columns else (scale or "")
    summary = timepoint_summary(data, dv, within, subject, order, by=by)
    fig = _figure()
    ax = fig.add_subplot()
    labels = [label for label, _ in groups(data, by)]
    offsets = np.linspace(-0.08, 0.08, len(labels)) if len(labels) > 1 else [0.0]
    counts = summary[summary["group"] == ALL].set_index("timepoint")["n"]
    for i, (label, off) in enumerate(zip(labels, offsets, strict=True)):
        part = summary[summary["group"] == label].set_index("timepoint").reindex(order)
        x = np.arange(len(order)) + off
        mean = part["mean"].to_numpy(float)
        lo = part["ci_low"].to_numpy(float)
        hi = part["ci_high"].to_numpy(float)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ok = ~np.isnan(mean)
        ax.plot(
            x[ok],
            mean[ok],
            marker="o",
            color=colour,
            linewidth=2,
            label=str(label) if by else "mean",
        )
        err = ~np.isnan(lo)
        ax.errorbar(
            x[err],
            mean[err],
            yerr=[mean[err] - lo[err], hi[err] - mean[err]],
            fmt="none",
            ecolor=colour,
            capsize=4,
            linewidth=1.2,
        )
    ax.set_xticks(
        range(len(order)),
        [f"{t.replace('_', ' ')}\n(n = {int(counts.get(t, 0))})" for t in order],
        rotation=0,
        fontsize=8,
    )
    ax.set_xlim(-0.5, len(order) - 0.5)
    ax.set_ylabel(f"{_scale_name(inst_obj, scale_id) or dv}: mean and 95% CI")
    _reference_lines(ax, inst_obj, scale_id)
    ax.grid(axis="y", alpha=0.3)
    if by:
        ax.legend(title=by, fontsize=8, frameon=False)
    ax.set_title(_title(data, inst_obj))
    return _save(fig, path)


AXIS_PADDING = 8.0
"""Points between the plotting area and the axes of a Jacobson plot, so that scores at the ends
of the scale are not drawn on the axis lines. The axis limits stay at the scale's range."""


def plot_jacobson(result: ReliableChange, path: str | Path, title: str | None = None) -> Path:
    """Baseline against follow-up for each person, with the line of no change, the
    reliable-change band around it and the clinical cut-off.

    Points inside the grey band changed by no more than measurement error; points beyond it in
    the better direction improved reliably. Each category has its own colour and marker. Both
    axes run over the scale's range (``result.scale_range``, from the instrument) and no
    further, so no impossible score is marked; without a range, over the scores and the cut-off.
    """
    return _save(jacobson_figure(result, title), path)


def jacobson_limits(result: ReliableChange) -> tuple[float, float]:
    """The axis limits of a Jacobson plot: the scale's range (widened only to include any score
    outside it), else the lowest and highest score and the cut-off."""
    people = result.people
    values = np.concatenate([people["before"].to_numpy(float), people["after"].to_numpy(float)])
    values = values[np.isfinite(values)]
    if result.scale_range is not None:
        lo, hi = (float(v) for v in result.scale_range)
    elif values.size:
        lo, hi = float(values.min()), float(values.max())
        if result.inputs.cutoff is not None:
            lo, hi = min(lo, result.inputs.cutoff), max(hi, result.inputs.cutoff)
    else:
        lo, hi = 0.0, 1.0
    if values.size:
        lo, hi = min(lo, float(values.min())), max(hi, float(values.max()))
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    return lo, hi


def jacobson_figure(result: ReliableChange, title: str | None = None) -> Figure:
    """The Jacobson plot as a matplotlib figure (see :func:`plot_jacobson`)."""
    people = result.people
    if "group" in people.columns and (people["group"] == ALL).any():
        people = people[people["group"] == ALL]  # each person once
    inputs = result.inputs
    fig = _figure(6.0, 6.8)
    ax = fig.add_subplot()
    lo, hi = jacobson_limits(result)
    grid = np.array([lo, hi])
    band = inputs.reliable_difference
    ax.fill_between(
        grid,
        grid - band,
        grid + band,
        color="#DDDDDD",
        label=f"no reliable change (±{fmt(band, 1)})",
    )
    ax.plot(grid, grid, color="#555555", linewidth=1, label="no change")
    if inputs.cutoff is not None:
        ax.axvline(inputs.cutoff, color="#555555", linestyle="--", linewidth=1)
        ax.axhline(
            inputs.cutoff,
            color="#555555",
            linestyle="--",
            linewidth=1,
            label=f"cut-off {fmt(inputs.cutoff)}",
        )
    for cat, (colour, marker) in CATEGORY_STYLE.items():
        part = people[people["category"] == cat]
        if len(part):
            ax.scatter(
                part["before"],
                part["after"],
                color=colour,
                marker=marker,
                s=40,
                edgecolor="white",
                linewidth=0.5,
                label=f"{cat} ({len(part)})",
                zorder=3,
                clip_on=False,  # a score at the end of the scale is drawn whole
            )
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.margins(0)
    for side in ("left", "bottom"):
        ax.spines[side].set_position(("outward", AXIS_PADDING))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{result.before.replace('_', ' ')} score")
    ax.set_ylabel(f"{result.after.replace('_', ' ')} score")
    better = "above" if inputs.higher_is == "better" else "below"
    fig.suptitle(title or f"{result.label}: reliable change", fontsize=11)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=3,
        fontsize=8,
        frameon=False,
        title=f"Better is {better} the line of no change",
        title_fontsize=8,
    )
    ax.grid(alpha=0.2)
    return fig


def plot(kind: str, path: str | Path, **kwargs: Any) -> Path:
    """Dispatch to one of the plots by name: ``profile``, ``trajectory`` or ``jacobson``."""
    if kind == "profile":
        return plot_profile(path=path, **kwargs)
    if kind == "trajectory":
        return plot_trajectories(path=path, **kwargs)
    if kind == "jacobson":
        return plot_jacobson(path=path, **kwargs)
    raise AnalysisError(f"plot kind must be one of {', '.join(KINDS)}; got {kind!r}")
