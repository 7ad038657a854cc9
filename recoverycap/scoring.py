"""Scoring one administration, exactly as the instrument file says.

This module is on the survey path, so it imports nothing heavy (no numpy, no pandas). The
vectorised scorer in :mod:`recoverycap.vectorised` performs the same floating-point operations in
the same order, so both paths give identical results (a property test checks this).

Scoring a scale (see :class:`~recoverycap.instrument.Scale`): each answered item's code is
reverse-keyed if the item says so, then recoded; items are accumulated in the order the scale lists
them. Fewer than ``min_answered`` answers leave the score missing; a missing answer is never 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from .errors import InvalidResponse, Problem
from .instrument import MISSING_REASONS, Instrument, Item, Scale


@attrs.frozen
class Missing:
    """A missing answer and why it is missing (one of ``MISSING_REASONS``)."""

    reason: str = "not_asked"

    def __attrs_post_init__(self) -> None:
        if self.reason not in MISSING_REASONS:
            raise InvalidResponse(
                "unknown missing reason",
                [
                    Problem(
                        "",
                        "missing_reason",
                        f"{self.reason!r} is not one of {', '.join(MISSING_REASONS)}",
                    )
                ],
            )


Answer = int | float | str | Missing
"""A stored answer: a code or number, free text, or :class:`Missing`."""


@attrs.frozen
class ScaleScore:
    """The score of one scale for one administration.

    Attributes:
        scale: Scale id.
        raw: The sum or mean before any factor or lookup (None when missing).
        score: The reported score (None when too few items were answered).
        answered: How many of the scale's items were answered.
        n_items: How many items the scale has.
        prorated: True when a sum was prorated over missing items.
        band: The band label, or None.
    """

    scale: str
    raw: float | None
    score: float | None
    answered: int
    n_items: int
    prorated: bool
    band: str | None


@attrs.frozen
class AlertHit:
    """An alert condition met by an answer or a score."""

    alert: str
    kind: str
    message: str
    value: float
    item: str | None = None
    scale: str | None = None


@attrs.frozen
class ScoreSheet:
    """All scale scores and alerts of one administration."""

    instrument: str
    version: str
    scales: tuple[ScaleScore, ...]
    alerts: tuple[AlertHit, ...] = ()

    def __getitem__(self, scale_id: str) -> ScaleScore:
        for s in self.scales:
            if s.scale == scale_id:
                return s
        raise KeyError(scale_id)

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def format_score(value: float, decimals: int = 2) -> str:
    """A score as people read it: whole numbers without decimals, others to ``decimals`` places
    with trailing zeros dropped (32.14, 7.5, 30)."""
    return (
        f"{value:.{decimals}f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    )


def round_half_up(value: float, places: int) -> float:
    """Round half up (2.5 -> 3), the way scoring manuals round prorated scores."""
    scale = 10**places
    return math.floor(value * scale + 0.5) / scale


def coerce_answer(instrument: Instrument, item: Item, raw: Any) -> Answer:
    """Turn a raw value (from a prompt, a CSV cell, Python) into a stored answer.

    Empty values and ``None`` become ``Missing("not_asked")``; a missing-reason word such as
    ``declined`` becomes ``Missing`` with that reason. Raises InvalidResponse naming the item,
    what is allowed and what was given.
    """
    if isinstance(raw, Missing):
        return raw
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return Missing("not_asked")
    if isinstance(raw, str):
        text = raw.strip()
        if text == "":
            return Missing("not_asked")
        if text.lower() in MISSING_REASONS:
            return Missing(text.lower())
        if item.kind == "text":
            return raw
        if item.kind == "yesno" and text.lower() in ("yes", "y", "no", "n"):
            return 1 if text.lower().startswith("y") else 0
        try:
            raw = float(text)
        except ValueError:
            raise InvalidResponse(
                "invalid answer",
                [Problem(instrument.id, item.id, f"{raw!r} is not {allowed(instrument, item)}")],
            ) from None
    if item.kind == "text":
        return str(raw)
    if isinstance(raw, bool):
        raw = int(raw)
    if not isinstance(raw, int | float):
        raise InvalidResponse(
            "invalid answer",
            [Problem(instrument.id, item.id, f"{raw!r} is not {allowed(instrument, item)}")],
        )
    problem = check_value(instrument, item, float(raw))
    if problem:
        raise InvalidResponse("invalid answer", [Problem(instrument.id, item.id, problem)])
    if item.kind == "number":
        return float(raw)
    return int(raw)


def allowed(instrument: Instrument, item: Item) -> str:
    """A short description of the values an item allows, for error messages."""
    if item.kind == "text":
        return "free text"
    opts = instrument.options(item)
    if opts:
        codes = sorted(o.code for o in opts)
        if codes == list(range(min(codes), max(codes) + 1)):
            return f"one of {min(codes)}–{max(codes)}"
        return "one of " + ", ".join(str(c) for c in codes)
    lo, hi = instrument.value_range(item)
    kind = "a whole number" if item.kind == "integer" else "a number"
    return f"{kind} from {lo:g} to {hi:g}"


def check_value(instrument: Instrument, item: Item, value: float) -> str | None:
    """None if ``value`` is allowed for ``item``, else a message saying what is allowed."""
    if math.isnan(value):
        return None
    opts = instrument.options(item)
    if opts:
        ok = any(value == o.code for o in opts)
    else:
        lo, hi = instrument.value_range(item)
        ok = lo <= value <= hi and (item.kind != "integer" or float(value).is_integer())
    if ok:
        return None
    return f"{value:g} is not {allowed(instrument, item)}"


def check_answers(
    instrument: Instrument, answers: Mapping[str, Any], where: str = ""
) -> tuple[dict[str, Answer], list[Problem]]:
    """Coerce every answer; return the answers and every problem found."""
    out: dict[str, Answer] = {}
    problems: list[Problem] = []
    known = set(instrument.item_ids)
    for key in answers:
        if key not in known:
            problems.append(
                Problem(where or instrument.id, key, f"{instrument.id} has no item {key!r}")
            )
    for item in instrument.items:
        try:
            out[item.id] = coerce_answer(instrument, item, answers.get(item.id))
        except InvalidResponse as exc:
            problems.extend(Problem(where or p.where, p.field, p.message) for p in exc.problems)
    return out, problems


def item_value(instrument: Instrument, item: Item, scale: Scale, code: float) -> float:
    """The value an answered item contributes to a scale: reverse key, then recode."""
    if item.reverse:
        lo, hi = instrument.value_range(item)
        code = lo + hi - code
    if scale.recode is not None:
        return scale.recode[int(code)]
    return float(code)


def finish_scale(scale: Scale, total: float, count: int) -> tuple[float | None, float | None, bool]:
    """raw, score and prorated from the accumulated total and count (the shared arithmetic)."""
    n = len(scale.items)
    if count < scale.min_answered or count == 0:
        return None, None, False
    prorated = False
    if scale.method == "mean":
        raw = total / count
    elif count == n:
        raw = total
    else:
        raw = total / count * n
        prorated = True
    score = scale.lookup[int(raw)] if scale.lookup is not None else raw * scale.factor
    if scale.round is not None:
        score = round_half_up(score, scale.round)
    return raw, score, prorated


def score_scale(instrument: Instrument, scale: Scale, answers: Mapping[str, Answer]) -> ScaleScore:
    """Score one scale from coerced answers."""
    total = 0.0
    count = 0
    for item_id in scale.items:
        value = answers.get(item_id)
        if value is None or isinstance(value, Missing | str):
            continue
        total += item_value(instrument, instrument.item(item_id), scale, float(value))
        count += 1
    raw, score, prorated = finish_scale(scale, total, count)
    return ScaleScore(
        scale.id, raw, score, count, len(scale.items), prorated, scale.band_for(score)
    )


def item_alerts(instrument: Instrument, item_id: str, value: Any) -> list[AlertHit]:
    """Alerts raised by one answer, checked as soon as it is given."""
    hits = []
    for alert in instrument.alerts:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if alert.item == item_id and numeric and alert.triggered(float(value)):
            hits.append(AlertHit(alert.id, alert.kind, alert.message, float(value), item=item_id))
    return hits


def score(instrument: Instrument, answers: Mapping[str, Any], where: str = "") -> ScoreSheet:
    """Score one administration.

    Args:
        instrument: The instrument.
        answers: Item id to code, number, text, ``Missing(reason)``, ``None`` or a missing-reason
            word. Items not given are missing (``not_asked``).
        where: Where the answers came from, for error messages.

    Returns:
        A ScoreSheet with every scale's score and every alert raised.

    Raises:
        InvalidResponse: listing every answer that is not allowed.
    """
    coerced, problems = check_answers(instrument, answers, where)
    if problems:
        raise InvalidResponse(
            f"{where or instrument.id}: {len(problems)} invalid answer(s)", problems
        )
    scales = tuple(score_scale(instrument, s, coerced) for s in instrument.scales)
    hits: list[AlertHit] = []
    for item in instrument.items:
        hits.extend(item_alerts(instrument, item.id, coerced[item.id]))
    by_id = {s.scale: s for s in scales}
    for alert in instrument.alerts:
        if alert.scale is not None:
            value = by_id[alert.scale].score
            if alert.triggered(value):
                assert value is not None
                hits.append(AlertHit(alert.id, alert.kind, alert.message, value, scale=alert.scale))
    return ScoreSheet(instrument.id, instrument.version, scales, tuple(hits))
