"""Reliable and clinically significant change per person (Jacobson & Truax, 1991).

For each person scored at both time points::

    S_diff = sqrt(2) * SD * sqrt(1 - r)          (standard error of the difference)
    RC     = (after - before) / S_diff           (reliable change index)

A change is reliable when |RC| > 1.96: larger than measurement error alone would produce in 95%
of cases. Whether a reliable change is an improvement depends on the scale's direction
(``Scale.higher_is``). A person has *recovered* when the change is a reliable improvement and
their score moved from the dysfunctional to the functional side of a cut-off: a published one
(``Scale.cutoff``, e.g. BARC-10 47) or Jacobson–Truax criterion a, b or c. A score equal to a
cut-off counts as on its higher side, as bands do (BARC-10: "47 or more").

The SD and reliability come from the user, the instrument file (``Scale.norm``,
``Scale.reliability``) or the sample (the SD of the baseline scores; Cronbach's α of the
baseline item answers), and the result says which was used.

References:
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach to defining
    meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology,
    59(1), 12–19.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..instrument import Instrument, Scale
from ._common import NAN, fmt, warn
from .frames import ALL, require_columns, select_scale, split, wide

RC_THRESHOLD = 1.96
"""|RC| above this is a reliable change (two-sided 95%)."""

CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated")
"""The categories, best first."""

NOT_ASSESSED = "not_assessed"
"""The category of a person whose RC could not be computed (no usable SD or reliability)."""

CRITERIA = ("auto", "cutoff", "a", "b", "c", "none")
"""How the clinical cut-off is chosen (see :func:`clinical_cutoff`)."""

SOURCES = ("auto", "instrument", "sample")
"""Where the SD and reliability come from when the user gives none."""

PEOPLE_COLUMNS = (
    "group",
    "subject",
    "before",
    "after",
    "change",
    "rc",
    "reliable",
    "functional_before",
    "functional_after",
    "category",
    "sentence",
)
"""The stable columns of :attr:`ReliableChange.people`."""

SUMMARY_COLUMNS = ("group", "category", "n", "percent")
"""The stable columns of :attr:`ReliableChange.summary`."""

_KIND_NAMES = {
    "cronbach_alpha": "Cronbach's α",
    "test_retest": "test–retest r",
    "omega": "McDonald's ω",
}

MEASUREMENT_ERROR = "more than could be expected from measurement error alone"


# -- the formulas ------------------------------------------------------------------------------


def check_sd(sd: Any) -> float:
    """``sd`` as a float if it is a positive finite number.

    Raises:
        AnalysisError: otherwise, naming what was given.
    """
    if isinstance(sd, bool) or not isinstance(sd, int | float) or not math.isfinite(sd) or sd <= 0:
        raise AnalysisError(f"the SD for reliable change must be a positive number; got {sd!r}")
    return float(sd)


def check_reliability(reliability: Any) -> float:
    """``reliability`` as a float if it is at least 0 and less than 1.

    Raises:
        AnalysisError: otherwise, naming what was given.
    """
    if (
        isinstance(reliability, bool)
        or not isinstance(reliability, int | float)
        or not 0 <= reliability < 1
    ):
        raise AnalysisError(
            f"the reliability for reliable change must be at least 0 and less than 1; got {reliability!r}"
        )
    return float(reliability)


def s_diff(sd: float, reliability: float) -> float:
    """The standard error of the difference, sqrt(2) * SD * sqrt(1 - r).

    Raises:
        AnalysisError: for an SD that is not positive or a reliability outside [0, 1).
    """
    return math.sqrt(2) * check_sd(sd) * math.sqrt(1 - check_reliability(reliability))


def reliable_change_index(before: Any, after: Any, sd: float, reliability: float) -> np.ndarray:
    """RC = (after - before) / S_diff for each person (NaN where either score is missing)."""
    x1 = np.asarray(before, float)
    x2 = np.asarray(after, float)
    return (x2 - x1) / s_diff(sd, reliability)


def clinical_cutoff(
    criterion: str,
    higher_is: str,
    mean_dysfunctional: float,
    sd_dysfunctional: float,
    mean_functional: float | None = None,
    sd_functional: float | None = None,
) -> float:
    """A Jacobson–Truax cut-off between the dysfunctional and functional populations.

    The dysfunctional population is the sample at baseline; the functional one is a published
    norm.

    Args:
        criterion: ``"a"``: two SDs beyond the dysfunctional mean, in the better direction;
            ``"b"``: two SDs of the functional mean, towards the dysfunctional side;
            ``"c"``: the point between the two means weighted by their SDs,
            (SD_dys * M_func + SD_func * M_dys) / (SD_dys + SD_func).
        higher_is: ``"better"`` or ``"worse"``.
        mean_dysfunctional: Sample baseline mean.
        sd_dysfunctional: Sample baseline SD.
        mean_functional: Normative mean (b and c).
        sd_functional: Normative SD (b and c).

    Raises:
        AnalysisError: when b or c lack a normative mean and SD, or the criterion is unknown.
    """
    sign = 1.0 if higher_is == "better" else -1.0
    if criterion == "a":
        return mean_dysfunctional + sign * 2 * sd_dysfunctional
    if criterion in ("b", "c"):
        if mean_functional is None or sd_functional is None:
            raise AnalysisError(
                f"Jacobson–Truax criterion {criterion} needs a normative (functional) mean and SD; "
                "give them, or use criterion a or a published cut-off"
            )
        if criterion == "b":
            return mean_functional - sign * 2 * sd_functional
        return (sd_dysfunctional * mean_functional + sd_functional * mean_dysfunctional) / (
            sd_dysfunctional + sd_functional
        )
    raise AnalysisError(f"criterion must be one of a, b, c; got {criterion!r}")


def functional(score: Any, cutoff: float | None, higher_is: str) -> np.ndarray:
    """Whether each score is on the functional side of ``cutoff`` (False where unknown).

    A score equal to the cut-off is on its higher side: functional when higher is better.
    """
    x = np.asarray(score, float)
    if cutoff is None or not math.isfinite(cutoff):
        return np.zeros(x.shape, bool)
    with np.errstate(invalid="ignore"):
        return (x >= cutoff) if higher_is == "better" else (x < cutoff)


def categorise(
    rc: Any,
    before: Any,
    after: Any,
    higher_is: str = "better",
    cutoff: float | None = None,
    threshold: float = RC_THRESHOLD,
) -> np.ndarray:
    """The category of each person (one of :data:`CATEGORIES`).

    * recovered: a reliable improvement from the dysfunctional to the functional side of the
      cut-off;
    * improved: a reliable improvement that is not a recovery (no cut-off, already functional at
      baseline, or still dysfunctional);
    * unchanged: |RC| at most ``threshold``;
    * deteriorated: a reliable change for the worse;
    * not_assessed: RC is NaN (no usable SD or reliability).
    """
    rc = np.asarray(rc, float)
    better = rc if higher_is == "better" else -rc
    improved = better > threshold
    worse = better < -threshold
    crossed = ~functional(before, cutoff, higher_is) & functional(after, cutoff, higher_is)
    out = np.full(rc.shape, "unchanged", dtype=object)
    out[np.isnan(rc)] = NOT_ASSESSED
    out[improved] = "improved"
    out[improved & crossed] = "recovered"
    out[worse] = "deteriorated"
    return out


def sentence(
    subject: str,
    label: str,
    before: float,
    after: float,
    category: str,
    cutoff: float | None = None,
) -> str:
    """The plain-language sentence for one person.

    >>> sentence("ALT-0042", "BARC-10 recovery capital", 31, 45, "improved")
    'ALT-0042: BARC-10 recovery capital rose from 31 to 45, a reliable improvement (more than could be expected from measurement error alone).'
    """
    if after > before:
        moved = f"rose from {fmt(before)} to {fmt(after)}"
    elif after < before:
        moved = f"fell from {fmt(before)} to {fmt(after)}"
    else:
        moved = f"stayed at {fmt(before)}"
    if category == "recovered":
        cut = fmt(cutoff) if cutoff is not None else ""
        what = f"a reliable improvement ({MEASUREMENT_ERROR}) that crossed the cut-off of {cut}: recovered"
    elif category == "improved":
        what = f"a reliable improvement ({MEASUREMENT_ERROR})"
    elif category == "deteriorated":
        what = f"a reliable deterioration ({MEASUREMENT_ERROR})"
    elif category == NOT_ASSESSED:
        what = "but whether that is a reliable change could not be assessed"
    elif after == before:
        what = "no change"
    else:
        what = "not a reliable change (measurement error alone could explain it)"
    return f"{subject}: {label} {moved}, {what}."


# -- the inputs --------------------------------------------------------------------------------


@attrs.frozen
class Inputs:
    """What reliable change was computed with, and where each number came from.

    Attributes:
        sd: The SD used in S_diff.
        sd_source: Where it came from ("given by the user", "instrument file: ...",
            "sample: ...").
        reliability: The reliability coefficient r.
        reliability_source: Where it came from.
        s_diff: sqrt(2) * SD * sqrt(1 - r).
        threshold: |RC| above this is reliable (1.96).
        reliable_difference: The smallest change that counts as reliable, threshold * S_diff.
        higher_is: ``"better"`` or ``"worse"``.
        cutoff: The clinical cut-off, or None.
        cutoff_source: Where it came from (or why there is none).
        criterion: ``"cutoff"``, ``"a"``, ``"b"``, ``"c"`` or ``"none"``.
    """

    sd: float
    sd_source: str
    reliability: float
    reliability_source: str
    s_diff: float
    threshold: float
    reliable_difference: float
    higher_is: str
    cutoff: float | None
    cutoff_source: str
    criterion: str

    def describe(self) -> str:
        """Two plain sentences naming every input and its source."""
        text = (
            f"Reliable change used SD {fmt(self.sd)} ({self.sd_source}) and reliability "
            f"{fmt(self.reliability)} ({self.reliability_source}), so S_diff = "
            f"{fmt(self.s_diff)} and a change of more than {fmt(self.reliable_difference)} "
            f"points (|RC| > {fmt(self.threshold)}) is reliable; higher scores are {self.higher_is}."
        )
        if self.cutoff is None:
            return text + f" No clinical cut-off was used ({self.cutoff_source})."
        return text + f" Clinical cut-off {fmt(self.cutoff)} ({self.cutoff_source})."


@attrs.frozen(eq=False)
class ReliableChange:
    """Reliable change for everyone scored at both time points.

    Attributes:
        instrument: Instrument id.
        scale: Scale id.
        label: What the sentences call the score (e.g. "BARC-10 recovery capital").
        before: The first time point.
        after: The second time point.
        inputs: The SD, reliability and cut-off used, with their sources.
        people: One row per person (:data:`PEOPLE_COLUMNS`), including their sentence, with
            group "all"; with ``by``, then one row per person and subgroup (a person on two
            programmes has a row under each).
        summary: Counts and percentages per category (:data:`SUMMARY_COLUMNS`), for everyone
            (group "all", each person once) and, with ``by``, each subgroup; every category
            appears, with 0 where no one is in it. People whose RC is NaN (``not_assessed``) are
            not counted.
        notes: Plain-language notes (people left out, inputs taken from the sample, ...).
        scale_range: The lowest and highest score the scale can take (from the instrument, when
            it was given as an :class:`~recoverycap.instrument.Instrument`), else None.
    """

    instrument: str
    scale: str
    label: str
    before: str
    after: str
    inputs: Inputs
    people: pd.DataFrame
    summary: pd.DataFrame
    notes: tuple[str, ...]
    scale_range: tuple[float, float] | None = None

    def describe(self) -> str:
        """The inputs, the notes and the counts per category, in plain words."""
        lines = [self.inputs.describe(), *self.notes]
        everyone = self.summary[self.summary["group"] == ALL]
        n = int(everyone["n"].sum())
        parts = [f"{int(r.n)} {r.category} ({fmt(r.percent, 1)}%)" for r in everyone.itertuples()]
        lines.append(f"Of {n} people: " + ", ".join(parts) + ".")
        return "\n".join(lines)


def _scale_meta(
    instrument: Instrument | str | None, scale: str | None
) -> tuple[str, Scale | None, str]:
    """(instrument id, Scale or None, label for sentences)."""
    if isinstance(instrument, Instrument):
        try:
            sc = instrument.scale(scale) if scale else instrument.scales[0]
        except KeyError as exc:
            raise AnalysisError(str(exc.args[0])) from None
        if not scale and len(instrument.scales) > 1:
            raise AnalysisError(
                f"{instrument.id} has several scales ({', '.join(s.id for s in instrument.scales)}); name one"
            )
        name = sc.name[:1].lower() + sc.name[1:] if sc.name else sc.id
        return instrument.id, sc, f"{instrument.label} {name}"
    inst = instrument or ""
    return inst, None, " ".join(p for p in (inst, scale or "") if p) or "score"


def _sample_alpha(
    items: pd.DataFrame,
    instrument: Instrument | str | None,
    sc: Scale | None,
    within: str,
    before: str,
) -> tuple[float, int]:
    from .reliability import cronbach_alpha, item_values

    rows = items[items[within] == before] if within in items.columns else items
    if isinstance(instrument, Instrument) and sc is not None:
        values = item_values(rows, instrument, sc)
    else:
        cols = (
            list(sc.items)
            if sc is not None
            else [
                c for c in rows.columns if rows[c].dtype.kind in "biuf" and c != "administration_id"
            ]
        )
        values = rows[cols].apply(pd.to_numeric, errors="coerce")
    alpha, _, _, n = cronbach_alpha(values)
    return alpha, n


def resolve_inputs(
    baseline: np.ndarray,
    *,
    before: str,
    scale: Scale | None,
    instrument: Instrument | str | None = None,
    sd: float | None = None,
    reliability: float | None = None,
    source: str = "auto",
    items: pd.DataFrame | None = None,
    within: str = "timepoint",
    criterion: str = "auto",
    cutoff: float | None = None,
    norm_mean: float | None = None,
    norm_sd: float | None = None,
    higher_is: str | None = None,
    threshold: float = RC_THRESHOLD,
) -> tuple[Inputs, list[str]]:
    """Choose the SD, reliability and cut-off, and say where each came from.

    Order for the SD and the reliability: a value given by the user; with ``source="sample"``,
    the sample; otherwise the instrument file, falling back to the sample (with a note) where the
    file has none; with ``source="instrument"`` no fallback.

    Raises:
        AnalysisError: when a value cannot be found (e.g. no reliability in the file and no item
            data to compute α from).
    """
    if source not in SOURCES:
        raise AnalysisError(f"source must be one of {', '.join(SOURCES)}; got {source!r}")
    if criterion not in CRITERIA:
        raise AnalysisError(f"criterion must be one of {', '.join(CRITERIA)}; got {criterion!r}")
    notes: list[str] = []
    base = baseline[~np.isnan(baseline)]
    n_base = int(base.size)
    base_sd = float(base.std(ddof=1)) if n_base >= 2 else NAN
    base_mean = float(base.mean()) if n_base else NAN
    where = "the scale" if scale is None else f"{scale.id}"

    def sample_sd() -> tuple[float, str]:
        if not (base_sd > 0):
            warn(
                f"the sample's {before} scores (n = {n_base}) have no spread, so their SD cannot be "
                "used for reliable change: RC is NaN (give an SD)"
            )
            return NAN, f"sample: SD of the {before} scores, n = {n_base}, not usable"
        return base_sd, f"sample: SD of the {before} scores, n = {n_base}"

    # the SD
    if sd is not None:
        sd_value, sd_source = check_sd(sd), "given by the user"
    elif source == "sample":
        sd_value, sd_source = sample_sd()
    elif scale is not None and scale.norm is not None:
        norm = scale.norm
        sd_value = norm.sd
        sd_source = f"instrument file: normative SD{' (' + norm.population + ')' if norm.population else ''}, {norm.source.rstrip('.')}"
    elif source == "instrument":
        raise AnalysisError(
            f"the instrument file gives no normative SD for {where}; give an SD or use the sample"
        )
    else:
        sd_value, sd_source = sample_sd()
        notes.append(
            f"The instrument file gives no normative SD for {where}, so the SD of the sample's "
            f"{before} scores was used."
        )

    # the reliability
    if reliability is not None:
        r_value, r_source = check_reliability(reliability), "given by the user"
    elif source == "sample" or (
        source == "auto" and (scale is None or scale.reliability is None) and items is not None
    ):
        if items is None:
            raise AnalysisError(
                "the sample's reliability needs the item answers (to compute Cronbach's α); "
                "give item data or a reliability"
            )
        alpha, n_items = _sample_alpha(items, instrument, scale, within, before)
        if not (0 <= alpha < 1):
            warn(
                f"Cronbach's α of the sample's {before} answers is {fmt(alpha)}, which cannot be "
                "used for reliable change: RC is NaN (give a reliability)"
            )
            alpha = NAN
        r_value, r_source = (
            alpha,
            f"sample: Cronbach's α of the {before} item answers, n = {n_items}",
        )
        if source == "auto":
            notes.append(
                f"The instrument file gives no reliability for {where}, so Cronbach's α of the "
                f"sample's {before} answers was used."
            )
    elif scale is not None and scale.reliability is not None:
        rel = scale.reliability
        r_value = rel.value
        kind = _KIND_NAMES.get(rel.kind, rel.kind.replace("_", " "))
        r_source = f"instrument file: {kind} {rel.value:.2f}, {rel.source.rstrip('.')}"
    else:
        raise AnalysisError(
            f"no reliability for {where}: the instrument file gives none; give a reliability "
            "(e.g. a published Cronbach's α) or item data to compute it from the sample"
        )

    direction = higher_is or (scale.higher_is if scale is not None else "better")
    if direction not in ("better", "worse"):
        raise AnalysisError(f"higher_is must be 'better' or 'worse'; got {direction!r}")

    # the clinical cut-off
    n_mean = (
        norm_mean
        if norm_mean is not None
        else (scale.norm.mean if scale is not None and scale.norm is not None else None)
    )
    n_sd = (
        norm_sd
        if norm_sd is not None
        else (scale.norm.sd if scale is not None and scale.norm is not None else None)
    )
    chosen = criterion
    if chosen == "auto":
        if cutoff is not None or (scale is not None and scale.cutoff is not None):
            chosen = "cutoff"
        elif n_mean is not None and n_sd is not None:
            chosen = "c"
        else:
            chosen = "none"
    cut: float | None
    if chosen == "cutoff":
        if cutoff is not None:
            cut, cut_source = float(cutoff), "given by the user"
        elif scale is not None and scale.cutoff is not None:
            cut, cut_source = (
                float(scale.cutoff),
                f"instrument file: {(scale.cutoff_source or 'published cut-off').rstrip('.')}",
            )
        else:
            raise AnalysisError(
                f"no published cut-off for {where}; give one or use criterion a, b or c"
            )
    elif chosen == "none":
        cut, cut_source = (
            None,
            "no published cut-off or normative mean, so 'recovered' is not assessed",
        )
    else:
        cut = clinical_cutoff(chosen, direction, base_mean, base_sd, n_mean, n_sd)
        cut_source = {
            "a": f"Jacobson–Truax criterion a: 2 SDs beyond the sample's {before} mean",
            "b": "Jacobson–Truax criterion b: within 2 SDs of the normative mean",
            "c": f"Jacobson–Truax criterion c: between the sample's {before} mean and the normative mean",
        }[chosen]
    usable = math.isfinite(sd_value) and math.isfinite(r_value)
    sdiff = s_diff(sd_value, r_value) if usable else NAN
    inputs = Inputs(
        sd=sd_value,
        sd_source=sd_source,
        reliability=r_value,
        reliability_source=r_source,
        s_diff=sdiff,
        threshold=threshold,
        reliable_difference=threshold * sdiff,
        higher_is=direction,
        cutoff=cut,
        cutoff_source=cut_source,
        criterion=chosen,
    )
    return inputs, notes


# -- on the long scores frame ------------------------------------------------------------------


def _summary(people: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    rows = []
    for label in labels:
        part = people[people["group"] == label]
        part = part[part["category"] != NOT_ASSESSED]
        n = len(part)
        for cat in CATEGORIES:
            k = int((part["category"] == cat).sum())
            rows.append(
                {"group": label, "category": cat, "n": k, "percent": 100 * k / n if n else NAN}
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def reliable_change(
    data: pd.DataFrame,
    dv: str = "score",
    within: str = "timepoint",
    subject: str = "subject",
    before: str | None = None,
    after: str | None = None,
    instrument: Instrument | str | None = None,
    scale: str | None = None,
    reliability: float | None = None,
    sd: float | None = None,
    source: str = "auto",
    items: pd.DataFrame | None = None,
    criterion: str = "auto",
    cutoff: float | None = None,
    norm_mean: float | None = None,
    norm_sd: float | None = None,
    higher_is: str | None = None,
    by: str | None = None,
    threshold: float = RC_THRESHOLD,
) -> ReliableChange:
    """Jacobson–Truax reliable change and clinical significance for each person.

    Args:
        data: A long scores frame.
        dv: The score column.
        within: The time-point column.
        subject: The person column.
        before: The first time point (may be left out when the data hold exactly two).
        after: The second time point.
        instrument: The :class:`~recoverycap.instrument.Instrument` (its file supplies the
            reliability, normative SD, direction and cut-off) or just its id.
        scale: The scale id.
        reliability: A reliability coefficient to use instead of the file's.
        sd: An SD to use instead of the file's.
        source: ``"auto"`` (the user's values, else the file's, else the sample's),
            ``"instrument"`` (the file's, no fallback) or ``"sample"`` (baseline SD and α).
        items: Item answers for the sample's α: one row per administration, a column per item
            and, where it has a ``within`` column, only the ``before`` rows are used.
        criterion: ``"auto"`` (a published cut-off, else criterion c where a norm is known, else
            none), ``"cutoff"``, ``"a"``, ``"b"``, ``"c"`` or ``"none"``.
        cutoff: A cut-off to use instead of the file's.
        norm_mean: Normative (functional) mean for criteria b and c.
        norm_sd: Normative SD for criteria b and c.
        higher_is: ``"better"`` or ``"worse"``, overriding the scale's direction.
        by: A column to split the summary by (``site``, ``cohort``, ``programme``). The SD,
            reliability and cut-off are the same for every subgroup. A person listed under
            several subgroups (on two programmes) counts in each and once in "all"
            (:func:`~recoverycap.analysis.frames.split`).
        threshold: |RC| above this is reliable.

    Returns:
        A :class:`ReliableChange`. People without both scores are left out, with a note.

    Raises:
        AnalysisError: for missing columns, unknown time points or no usable reliability.

    Notes:
        RC = (x2 - x1) / S_diff, S_diff = sqrt(2) SD sqrt(1 - r) (Jacobson & Truax 1991).
        Worked by hand in ``tests/test_analysis_reliable.py``.
    """
    from .change import choose_timepoints, paired_frame

    inst_id, sc, label = _scale_meta(instrument, scale)
    data = select_scale(data, inst_id or None, sc.id if sc is not None else scale)
    require_columns(data, [dv, within, subject])
    before, after = choose_timepoints(data, within, before, after)
    parts = split(data, by, subject)  # everyone first, each record once
    baseline = wide(parts[0][1], dv, within, subject, [before])[before].to_numpy(float)
    inputs, notes = resolve_inputs(
        baseline,
        before=before,
        scale=sc,
        instrument=instrument,
        sd=sd,
        reliability=reliability,
        source=source,
        items=items,
        within=within,
        criterion=criterion,
        cutoff=cutoff,
        norm_mean=norm_mean,
        norm_sd=norm_sd,
        higher_is=higher_is,
        threshold=threshold,
    )
    if sc is None and len(data):
        parts_ = [
            str(data[c].iloc[0]) if c in data.columns else "" for c in ("instrument", "scale")
        ]
        label = " ".join(p for p in parts_ if p) or label
    frames = []
    unpaired = 0
    for glabel, part in parts:
        complete, n_unpaired = paired_frame(part, dv, within, subject, before, after)
        if glabel == ALL:
            unpaired = n_unpaired
        x1 = complete[before].to_numpy()
        x2 = complete[after].to_numpy()
        rc = (x2 - x1) / inputs.s_diff
        cats = categorise(rc, x1, x2, inputs.higher_is, inputs.cutoff, threshold)
        frames.append(
            pd.DataFrame(
                {
                    "group": glabel,
                    "subject": complete.index.astype(str),
                    "before": x1,
                    "after": x2,
                    "change": x2 - x1,
                    "rc": rc,
                    "reliable": np.abs(rc) > threshold,
                    "functional_before": functional(x1, inputs.cutoff, inputs.higher_is),
                    "functional_after": functional(x2, inputs.cutoff, inputs.higher_is),
                    "category": cats,
                    "sentence": [
                        sentence(s, label, a, b, c, inputs.cutoff)
                        for s, a, b, c in zip(complete.index.astype(str), x1, x2, cats, strict=True)
                    ],
                },
                columns=list(PEOPLE_COLUMNS),
            )
        )
    people = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=list(PEOPLE_COLUMNS))
    )
    if unpaired:
        notes.append(
            f"{unpaired} {'person was' if unpaired == 1 else 'people were'} scored at only one of "
            f"{before} and {after} and {'is' if unpaired == 1 else 'are'} not included."
        )
    if len(people) == 0:
        warn(
            f"no one was scored at both {before} and {after}, so there is no reliable change to report"
        )
    summary = _summary(people, [g for g, _ in parts])
    return ReliableChange(
        instrument=inst_id
        or (str(data["instrument"].iloc[0]) if "instrument" in data.columns and len(data) else ""),
        scale=sc.id
        if sc is not None
        else (
            scale or (str(data["scale"].iloc[0]) if "scale" in data.columns and len(data) else "")
        ),
        label=label,
        before=before,
        after=after,
        inputs=inputs,
        people=people,
        summary=summary,
        notes=tuple(notes),
        scale_range=(
            instrument.scale_range(sc)
            if isinstance(instrument, Instrument) and sc is not None
            else None
        ),
    )
