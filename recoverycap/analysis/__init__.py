"""Outcome analysis on tidy long DataFrames of scores, with pingouin-style arguments.

Every function takes the frame ``Store.scores_frame(**filters)`` returns (one row per
administration and scale; see :data:`SCORE_COLUMNS`) and the column names as ``dv`` (the score),
``within`` (the time point), ``subject`` (the person) and ``by`` (a subgroup column: programme,
site or cohort). Results are frozen attrs classes or DataFrames with stable column names.
Degenerate but legal data (one time point, fewer than three pairs, no variance) gives a
:class:`~recoverycap.errors.RecoveryCapWarning` and NaN, never an error.

Modules, one concept each:

- :mod:`.frames`: long and wide frames, filters, subgroups (a person on two programmes counts
  in each and once in "all"), item answers in wide form;
- :mod:`.change`: two time points (paired t, Wilcoxon, d_z, Hedges' g);
- :mod:`.reliable`: Jacobson–Truax reliable and clinically significant change per person;
- :mod:`.repeated`: three or more time points on complete cases (rm-ANOVA, Friedman, pairwise);
- :mod:`.growth`: the mixed growth model that keeps everyone with any data;
- :mod:`.attrition`: follow-up of the people due (schedule statuses from
  :func:`due_frame`), reasons for loss and a baseline comparison;
- :mod:`.reliability`: Cronbach's α and item-total correlations in the sample;
- :mod:`.wellbeing`: peer-worker wellbeing by team, groups of five or more only;
- :mod:`.plots`: profile, trajectory and Jacobson plots (PNG or SVG).

Statistics are checked against R (``tests/reference/analysis_reference.R``).
"""

from __future__ import annotations

from .attrition import Attrition, attrition, due_frame
from .change import CHANGE_COLUMNS, PairedChange, change_table, paired_change
from .frames import (
    DEFAULT_TIMEPOINTS,
    SCORE_COLUMNS,
    add_programme,
    check_timepoints,
    everyone,
    filter_scores,
    first_administrations,
    items_wide,
    outcome_instrument,
    select_scale,
    split,
    timepoint_order,
    wide,
)
from .growth import GrowthModel, growth_model, growth_table
from .plots import plot_jacobson, plot_profile, plot_trajectories
from .reliability import ScaleReliability, reliability_table, scale_reliability
from .reliable import CATEGORIES, Inputs, ReliableChange, reliable_change
from .repeated import RepeatedMeasures, repeated_measures, timepoint_summary
from .wellbeing import TeamWellbeing, team_wellbeing

__all__ = [
    "CATEGORIES",
    "CHANGE_COLUMNS",
    "DEFAULT_TIMEPOINTS",
    "SCORE_COLUMNS",
    "Attrition",
    "GrowthModel",
    "Inputs",
    "PairedChange",
    "ReliableChange",
    "RepeatedMeasures",
    "ScaleReliability",
    "TeamWellbeing",
    "add_programme",
    "attrition",
    "change_table",
    "check_timepoints",
    "due_frame",
    "everyone",
    "filter_scores",
    "first_administrations",
    "growth_model",
    "growth_table",
    "items_wide",
    "outcome_instrument",
    "paired_change",
    "plot_jacobson",
    "plot_profile",
    "plot_trajectories",
    "reliability_table",
    "reliable_change",
    "repeated_measures",
    "scale_reliability",
    "select_scale",
    "split",
    "team_wellbeing",
    "timepoint_order",
    "timepoint_summary",
    "wide",
]
