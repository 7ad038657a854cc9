"""Peer-worker wellbeing checks: the worker battery, and a private result for the worker.

``recoverycap wellbeing check`` gives the worker battery (``worker_check``: the Copenhagen Burnout
Inventory and the ProQOL 5) through the same survey session as ``administer``
(:class:`recoverycap.administer.SurveySession`, subject type ``worker``), then shows the worker
their own result in plain words (:class:`PersonalResult`) and suggests supervision when burnout is
high. What counts as high is read from each instrument file, not written here: a scale on which
higher is worse is high at or above its ``cutoff`` (CBI: 50), or, where it has no cut-off, in its
top band (ProQOL 5 burnout and secondary traumatic stress: "high", 42 or more).

Team results, for groups of five or more only, are in :mod:`recoverycap.wellbeing_summary`.
This module is on the survey path: nothing heavy is imported.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .administer import ScaleResult, direction_words
from .errors import NotFound, WellbeingError
from .instrument import Instrument, Scale
from .scoring import format_score

WORKER_BATTERY = "worker_check"
"""The battery a wellbeing check gives."""

DECIMALS = 1
"""Wellbeing scores are shown to one decimal place (:func:`recoverycap.scoring.format_score`)."""


# -- what "high" means, read from the instrument ---------------------------------------------
def is_high(scale: Scale, value: float | None) -> bool:
    """Whether a score is high: at or above the scale's cut-off, else in its top band."""
    if value is None:
        return False
    if scale.cutoff is not None:
        return value >= scale.cutoff
    if not scale.bands:
        return False
    top = max(scale.bands, key=lambda b: (b.max, b.min))
    return scale.band_for(value) == top.label


def high_rule(scale: Scale) -> str:
    """What "high" means for a scale, in words (e.g. "50 or more")."""
    if scale.cutoff is not None:
        return f"{format_score(scale.cutoff, DECIMALS)} or more"
    if not scale.bands:
        return "no high range defined"
    top = max(scale.bands, key=lambda b: (b.max, b.min))
    rule = f"{format_score(top.min, DECIMALS)} or more"
    return rule if top.label.lower() in ("high", rule) else f"{rule} ({top.label})"


def is_concern(scale: Scale, value: float | None) -> bool:
    """A high score on a scale where higher is worse (burnout, secondary traumatic stress)."""
    return scale.higher_is == "worse" and is_high(scale, value)


def check_timepoint(day: dt.date) -> str:
    """The time point a check is recorded at: its calendar quarter, e.g. ``check_2025_q2``."""
    return f"check_{day.year}_q{(day.month - 1) // 3 + 1}"


# -- the worker's own result -------------------------------------------------------------------
@attrs.frozen
class ScaleLine(ScaleResult):
    """One scale of a worker's own result: a :class:`~recoverycap.administer.ScaleResult`
    (instrument, scale, score, previous, previous_timepoint) told in the worker's words."""

    @property
    def high(self) -> bool:
        return is_high(self.scale, self.score.score)

    @property
    def concern(self) -> bool:
        return is_concern(self.scale, self.score.score)

    def lines(self) -> list[str]:
        """The scale in plain words: score, range and direction; its band; change since last."""
        s = self.score
        name = self.scale.name
        if s.score is None:
            return [f"{name}: {self.not_scored()}."]
        lo, hi = self.instrument.scale_range(self.scale)
        out = [
            f"{name}: {format_score(s.score, DECIMALS)} on a {format_score(lo, DECIMALS)}–{format_score(hi, DECIMALS)} scale, where higher means more {name.lower()}."
        ]
        band = next((b for b in self.scale.bands if b.label == s.band), None)
        if band is not None:
            out.append(band.description or f"That is {band.label}.")
        if self.previous is not None:
            when = (self.previous_timepoint or "your last check").replace("_", " ")
            change = direction_words(self.change or 0.0, self.scale.higher_is)
            out.append(f"At {when} it was {format_score(self.previous, DECIMALS)}: {change}.")
        return out


@attrs.frozen
class PersonalResult:
    """A worker's own result: shown to them privately, never reported per person.

    Attributes:
        worker: The worker's code (shown only to the worker).
        lines: One entry per scale, in instrument order.
        on: The date of the check.
    """

    worker: str
    lines: tuple[ScaleLine, ...]
    on: dt.date

    @property
    def concerns(self) -> tuple[ScaleLine, ...]:
        """The scales with high burnout or stress."""
        return tuple(line for line in self.lines if line.concern)

    @property
    def suggest_supervision(self) -> bool:
        return bool(self.concerns)

    def text(self, width: int | None = None) -> str:
        """The whole private message, in plain words, wrapped to ``width`` columns.

        Args:
            width: The screen width to wrap to (``recoverycap wellbeing check`` passes the
                terminal's); None (the default) leaves each paragraph on one line.
        """
        paras: list[tuple[str, str, str]] = [
            (
                "",
                "",
                f"Your wellbeing check of {self.on.isoformat()}. This is for you: it is shown only "
                "on this screen. Your organisation sees team results only for groups of at least "
                "five workers, never yours.",
            )
        ]
        current: Instrument | None = None
        for line in self.lines:
            if line.instrument is not current:
                current = line.instrument
                paras.append(("", "", ""))
                paras.append(("", "", f"{current.name} ({current.label}):"))
            first, *rest = line.lines()
            paras.append(("  ", "    ", first))
            paras += [("    ", "    ", r) for r in rest]
        paras.append(("", "", ""))
        if self.suggest_supervision:
            bits = "; ".join(
                f"{c.instrument.label} {c.scale.name.lower()} {format_score(c.score.score or 0, DECIMALS)} ({high_rule(c.scale)} is high)"
                for c in self.concerns
            )
            paras.append(
                (
                    "",
                    "",
                    f"Your answers show high burnout or stress: {bits}. It may help to talk this "
                    "through in supervision soon, or with your line manager or someone you trust. "
                    "This suggestion is for you: it is not sent to anyone.",
                )
            )
        else:
            paras.append(
                (
                    "",
                    "",
                    "None of your burnout or stress scores is in the high range. Supervision is "
                    "there whenever you want to talk things through.",
                )
            )
        out: list[str] = []
        for indent, hanging, text in paras:
            if not text:
                out.append("")
            elif width is None:
                out.append(indent + text)
            else:
                out += textwrap.wrap(
                    text,
                    max(width, 20),
                    initial_indent=indent,
                    subsequent_indent=hanging,
                    break_on_hyphens=False,
                )
        return "\n".join(out)


def personal_result(
    worker: str, results: Iterable[Any], on: dt.date | None = None
) -> PersonalResult:
    """A worker's result from a finished session's ``scale_results()``
    (:class:`recoverycap.administer.ScaleResult`: instrument, scale, score, previous)."""
    lines = tuple(
        ScaleLine(r.instrument, r.scale, r.score, r.previous, r.previous_timepoint) for r in results
    )
    return PersonalResult(worker, lines, on or dt.date.today())


def worker_instruments(library: Any) -> list[Instrument]:
    """The worker battery's instruments (wording checked before anything is asked)."""
    instruments: list[Instrument] = library.resolve(battery=WORKER_BATTERY)
    return instruments


def require_worker(store: Any, code: str) -> Any:
    """The worker record, or WellbeingError saying how to register them."""
    try:
        found = store.worker(code)
    except NotFound:
        found = None
    if found is None:
        raise WellbeingError(
            f"no peer worker with code {code!r}; register them first (recoverycap worker add {code} --site SITE)"
        )
    return found


def start_check(
    store: Any,
    library: Any,
    worker: str,
    *,
    on: dt.date | None = None,
    substitutions: Mapping[str, str] | None = None,
) -> Any:
    """Start a wellbeing check for ``worker``: a survey session of the worker battery.

    Returns:
        A :class:`recoverycap.administer.SurveySession` (subject type ``worker``).
    """
    from .administer import SurveySession

    require_worker(store, worker)
    day = on or dt.date.today()
    return SurveySession.start(
        store,
        worker,
        check_timepoint(day),
        worker_instruments(library),
        mode="self",
        by=worker,
        subject_type="worker",
        substitutions=substitutions,
        administered_at=on.isoformat() if on else None,
    )


def resume_check(
    store: Any, library: Any, worker: str, *, substitutions: Mapping[str, str] | None = None
) -> Any:
    """The worker's unfinished check as a survey session, or None."""
    from .administer import SurveySession

    return SurveySession.resume(
        store, library, worker, "worker", by=worker, substitutions=substitutions
    )


def complete_check(
    store: Any,
    library: Any,
    worker: str,
    answers: Mapping[str, Mapping[str, Any]],
    *,
    on: dt.date | None = None,
    substitutions: Mapping[str, str] | None = None,
) -> PersonalResult:
    """Run a whole check from answers given in code (for scripts and tests).

    Args:
        answers: ``{instrument id: {item id: code or missing reason}}``; an item not given is
            skipped as ``declined``.

    Returns:
        The worker's :class:`PersonalResult`.
    """
    from .instrument import MISSING_REASONS

    session = start_check(store, library, worker, on=on, substitutions=substitutions)
    while not session.done:
        question = session.current
        if question is None:
            session.finish()
            continue
        given = answers.get(question.instrument.id, {}).get(question.item.id)
        if given is None or given in MISSING_REASONS:
            session.skip(given or "declined")
        else:
            session.answer(given)
    return personal_result(worker, session.scale_results(), on)
