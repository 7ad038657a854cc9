"""Administering questionnaires one question at a time: the survey session.

A :class:`SurveySession` walks a list of instruments for one subject at one time point. It knows
where it is (question 3 of 10, instrument 2 of 4), records every answer through the store *as it
is given* (so an interrupted survey loses nothing), lets the worker go back and change an answer
(the change goes through the store, so the audit log keeps the old value), skip with a reason,
review an instrument's answers before it is completed, and resume an unfinished survey at its
first unanswered item. Safeguarding alerts are raised the moment the answer is given and recorded
at once. At the end it describes the scores in plain words and compares them with the previous
time point.

There is no user interface here (``cli/administer.py`` is one) and nothing heavy is imported:
this module is on the survey path, which must start instantly on an offline laptop.

Typical use::

    session = SurveySession.start(store, "ALT-0042", "intake", [barc10, who5], mode="read_aloud")
    while not session.done:
        question = session.current
        if question is None:                 # every item answered: review, then finish
            session.finish()
            continue
        hits = session.answer(4)             # or session.skip("declined"), session.back()
    print("\\n".join(session.summary_lines()))
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .errors import InvalidResponse, Problem, SessionError
from .instrument import Instrument, Item, Option, Scale
from .scoring import (
    AlertHit,
    Answer,
    Missing,
    ScaleScore,
    ScoreSheet,
    allowed,
    coerce_answer,
    format_score,
    item_alerts,
)
from .store.fields import MODES, check_code

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Library
    from .store import Administration, Store

SKIP_REASONS = ("declined", "dont_know", "not_applicable")
"""Reasons a question may be skipped during a survey (``not_asked`` is for items never reached)."""

REASON_LABELS = {
    "declined": "Prefers not to answer",
    "dont_know": "Does not know",
    "not_applicable": "Does not apply",
    "not_asked": "Not asked",
}

TIMEPOINT_PHRASES = {
    "intake": "at intake",
    "programme_end": "at programme end",
    "release": "at release",
    "post_release_4w": "4 weeks after release",
    "post_release_12w": "12 weeks after release",
    "post_release_26w": "26 weeks after release",
}


def timepoint_phrase(timepoint: str) -> str:
    """A time point in words: ``intake`` -> "at intake", ``my_point`` -> "at my point"."""
    return TIMEPOINT_PHRASES.get(timepoint, "at " + timepoint.replace("_", " "))


# -- questions -------------------------------------------------------------------------------
@attrs.frozen
class Question:
    """The question a session is on, with everything a user interface needs to show it.

    Attributes:
        instrument: The instrument the item belongs to.
        item: The item.
        text: The wording with the organisation's licence-permitted substitutions applied.
        number: The item's position in its instrument, from 1.
        count: How many items the instrument has.
        instrument_number: The instrument's position in the session, from 1.
        instrument_count: How many instruments the session has.
        answer: The answer already recorded, if any (after going back or resuming).
        skip_reasons: The reasons it may be skipped with (empty: it must be answered).
        can_go_back: Whether :meth:`SurveySession.back` can move to an earlier item.
    """

    instrument: Instrument
    item: Item
    text: str
    number: int
    count: int
    instrument_number: int
    instrument_count: int
    answer: Answer | None
    skip_reasons: tuple[str, ...]
    can_go_back: bool

    @property
    def progress(self) -> str:
        """E.g. ``Question 3 of 10 · BARC-10 (instrument 2 of 4)``."""
        where = f"Question {self.number} of {self.count} · {self.instrument.label}"
        if self.instrument_count > 1:
            where += f" (instrument {self.instrument_number} of {self.instrument_count})"
        return where

    @property
    def options(self) -> tuple[Option, ...]:
        """The response options (choice and yes/no items; empty for numbers and text)."""
        return self.instrument.options(self.item)

    @property
    def allowed(self) -> str:
        """What the item accepts, in words, e.g. "a whole number from 0 to 7"."""
        return allowed(self.instrument, self.item)

    def check(self, raw: Any) -> Answer:
        """Coerce a typed answer; raise InvalidResponse saying what is allowed."""
        value = coerce_answer(self.instrument, self.item, raw)
        if isinstance(value, Missing):
            raise InvalidResponse(
                "no answer given",
                [
                    Problem(
                        self.instrument.id,
                        self.item.id,
                        f"nothing was given; expected {self.allowed}",
                    )
                ],
            )
        return value

    def describe(self, answer: Answer | None = None) -> str:
        """An answer in words: its response label, number with unit, text or missing reason."""
        return describe_answer(
            self.instrument, self.item, self.answer if answer is None else answer
        )


def describe_answer(instrument: Instrument, item: Item, answer: Answer | None) -> str:
    """An answer as a person reads it: "4 Somewhat Agree", "3 days", "skipped: does not know"."""
    if answer is None:
        return "(not answered yet)"
    if isinstance(answer, Missing):
        return f"skipped: {REASON_LABELS[answer.reason].lower()}"
    for option in instrument.options(item):
        if option.code == answer:
            return f"{option.code} {option.label}"
    if isinstance(answer, str):
        return answer if answer.strip() else "(blank)"
    return f"{answer:g}{(' ' + item.unit) if item.unit else ''}"


@attrs.frozen
class ReviewRow:
    """One line of the review list before an instrument is completed."""

    item_id: str
    number: int
    text: str
    answer: Answer | None
    shown: str


# -- results ---------------------------------------------------------------------------------
@attrs.frozen
class ScaleResult:
    """One scale's score, in words, with the previous time point's score for comparison.

    Attributes:
        instrument: The instrument.
        scale: The scale.
        score: This administration's score.
        previous: The score at the previous time point, if there is one.
        previous_timepoint: That time point's id.
    """

    instrument: Instrument
    scale: Scale
    score: ScaleScore
    previous: float | None = None
    previous_timepoint: str | None = None

    @property
    def change(self) -> float | None:
        if self.previous is None or self.score.score is None:
            return None
        return self.score.score - self.previous

    def sentence(self) -> str:
        """E.g. "BARC-10 Recovery capital: 45 (at or above the recovery cut-off); at intake it
        was 31: up 14 (better)"."""
        name = f"{self.instrument.label} {self.scale.name}"
        s = self.score
        if s.score is None:
            return f"{name}: {self.not_scored()}"
        text = f"{name}: {format_score(s.score)}"
        if s.band:
            text += f" ({s.band})"
        if s.prorated:
            text += f" [estimated from {s.answered} of {s.n_items} answers]"
        if self.previous is not None and self.previous_timepoint is not None:
            text += f"; {timepoint_phrase(self.previous_timepoint)} it was {format_score(self.previous)}: "
            text += direction_words(self.change or 0.0, self.scale.higher_is)
        return text

    def not_scored(self) -> str:
        """Why there is no score, e.g. "not scored (2 of 6 questions answered; at least 3
        needed)"."""
        s = self.score
        need = self.scale.min_answered or s.n_items
        return (
            f"not scored ({s.answered} of {s.n_items} questions answered; at least {need} needed)"
        )


def direction_words(change: float, higher_is: str) -> str:
    """ "up 14 (better)", "down 3 (worse)" or "no change", reading the scale's ``higher_is``."""
    if change == 0:
        return "no change"
    up = change > 0
    better = up == (higher_is == "better")
    return (
        f"{'up' if up else 'down'} {format_score(abs(change))} ({'better' if better else 'worse'})"
    )


@attrs.define
class _Part:
    """One instrument of a session and its administration."""

    instrument: Instrument
    administration_id: str
    answers: dict[str, Answer]
    finished: bool = False
    sheet: ScoreSheet | None = None


# -- the session -----------------------------------------------------------------------------
class SurveySession:
    """Walks a list of instruments for one subject at one time point, one question at a time.

    Build one with :meth:`start` (a new survey) or :meth:`resume` (an unfinished one). Each
    instrument is completed (scored) after its own review, so an interrupted battery keeps the
    instruments already finished; the rest stay in progress and :meth:`resume` carries on with
    them.
    """

    def __init__(
        self,
        store: Store,
        subject: str,
        timepoint: str,
        parts: Sequence[_Part],
        *,
        subject_type: str = "participant",
        mode: str = "self",
        by: str | None = None,
        substitutions: Mapping[str, str] | None = None,
    ):
        self.store = store
        self.subject = subject
        self.subject_type = subject_type
        self.timepoint = timepoint
        self.mode = mode
        self.by = by
        self.substitutions: Mapping[str, str] = dict(substitutions or {})
        self._parts = list(parts)
        self._alerted: set[tuple[str, str]] = set()
        self._part = 0
        self._pos: int | None = None  # None: reviewing the current instrument
        self._settle()

    # construction ---------------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        store: Store,
        subject: str,
        timepoint: str,
        instruments: Sequence[Instrument],
        *,
        mode: str = "self",
        by: str | None = None,
        subject_type: str = "participant",
        administered_at: Any = None,
        substitutions: Mapping[str, str] | None = None,
    ) -> SurveySession:
        """Start a new survey: one administration (in progress) per instrument, created now and
        sharing a session id, so an interrupted battery can be resumed as a whole.

        Args:
            store: An open :class:`recoverycap.store.Store`.
            subject: The participant's (or worker's) pseudonymous code.
            timepoint: The time point, e.g. ``intake``.
            instruments: The instruments, in the order they are asked.
            mode: One of :data:`MODES`.
            by: The code of the worker administering it (default: the store's actor).
            subject_type: ``participant`` or ``worker``.
            administered_at: When (default: now).
            substitutions: The organisation's licence-permitted word substitutions.

        Raises:
            WordingNotAvailable: an instrument's licensed wording has not been supplied; raised
                before anything is written.
            SessionError: no instruments, one named twice, an unknown mode, or an instrument
                meant for the other kind of subject.
            InvalidRecord: ``by`` is not a pseudonymous code.
            NotFound: no such participant (or worker).
        """
        check_instruments(instruments, subject_type)
        if mode not in MODES:
            raise SessionError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        by = check_worker(by)
        session_id = uuid.uuid4().hex
        parts = []
        with store.transaction():  # the whole battery is started, or none of it
            for inst in instruments:
                adm = store.start_administration(
                    subject,
                    inst,
                    timepoint,
                    mode=mode,
                    by=by,
                    subject_type=subject_type,
                    administered_at=administered_at,
                    session=session_id,
                )
                parts.append(_Part(inst, adm.id, {}))
        return cls(
            store,
            subject,
            timepoint,
            parts,
            subject_type=subject_type,
            mode=mode,
            by=by,
            substitutions=substitutions,
        )

    @classmethod
    def unfinished(
        cls, store: Store, subject: str, subject_type: str = "participant"
    ) -> list[Administration]:
        """The administrations of the subject's oldest unfinished survey, in the order asked.

        A survey is the administrations started together (one session id); administrations
        without one (e.g. started through the Python API) are grouped by time point.
        """
        records = store.in_progress(subject, subject_type=subject_type)
        if not records:
            return []
        first = records[0]
        if first.session:
            return [r for r in records if r.session == first.session]
        return [r for r in records if r.session is None and r.timepoint == first.timepoint]

    @classmethod
    def resume(
        cls,
        store: Store,
        library: Library,
        subject: str,
        subject_type: str = "participant",
        *,
        by: str | None = None,
        substitutions: Mapping[str, str] | None = None,
    ) -> SurveySession | None:
        """Carry on with the subject's unfinished survey, or None if there is none.

        Every answer already given is kept; the session continues at the first unanswered item
        of the first unfinished instrument, with the instrument versions the survey was started
        with. The instruments of the same survey (session id) completed before it was
        interrupted are part of the resumed session too, so its progress ("instrument 2 of 4")
        and its results cover the whole survey. Where more than one survey is unfinished, the
        oldest is resumed.

        Raises:
            WordingNotAvailable: an instrument's licensed wording is no longer available.
        """
        records = cls.unfinished(store, subject, subject_type)
        if not records:
            return None
        if records[0].session:  # the whole survey: completed instruments too, in the order asked
            records = [
                r
                for r in store.administrations(subject=subject, subject_type=subject_type)
                if r.session == records[0].session and r.status in ("in_progress", "complete")
            ]
        parts = []
        for rec in records:
            inst = library.get(rec.instrument, rec.version)
            if rec.status == "complete":
                sheet = store.scores(rec.id)
                parts.append(_Part(inst, rec.id, store.answers(rec.id), True, sheet))
                continue
            inst.require_wording()
            parts.append(_Part(inst, rec.id, store.answers(rec.id)))
        return cls(
            store,
            subject,
            records[0].timepoint,
            parts,
            subject_type=subject_type,
            mode=records[0].mode or "self",
            by=check_worker(by),
            substitutions=substitutions,
        )

    # where we are ---------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """True when every instrument has been completed (or the survey abandoned)."""
        return self._part >= len(self._parts)

    @property
    def in_review(self) -> bool:
        """True when every item of the current instrument has an answer and it awaits finishing."""
        return not self.done and self._pos is None

    @property
    def instruments(self) -> list[Instrument]:
        return [p.instrument for p in self._parts]

    @property
    def administration_ids(self) -> list[str]:
        return [p.administration_id for p in self._parts]

    @property
    def current_instrument(self) -> Instrument | None:
        return None if self.done else self._parts[self._part].instrument

    @property
    def current_administration(self) -> str | None:
        return None if self.done else self._parts[self._part].administration_id

    @property
    def current(self) -> Question | None:
        """The question to ask now, or None when reviewing or done."""
        if self.done or self._pos is None:
            return None
        return self._question(self._part, self._pos)

    def answers(self, instrument_number: int | None = None) -> dict[str, Answer]:
        """The answers recorded so far for an instrument (default: the current one)."""
        index = self._part if instrument_number is None else instrument_number - 1
        return dict(self._parts[index].answers)

    def describe(self) -> str:
        """The survey in words, e.g. "at intake: BARC-10 (finished), PHQ-9 (4 of 9 answered),
        WHO-5 (not started)"."""
        bits = []
        for part in self._parts:
            if part.finished:
                bits.append(f"{part.instrument.label} (finished)")
                continue
            n = sum(1 for i in part.instrument.items if i.id in part.answers)
            total = len(part.instrument.items)
            bits.append(
                f"{part.instrument.label} ({n} of {total} answered)"
                if n
                else f"{part.instrument.label} (not started)"
            )
        return f"{timepoint_phrase(self.timepoint)}: " + ", ".join(bits)

    # answering ------------------------------------------------------------------------------
    def answer(self, raw: Any) -> list[AlertHit]:
        """Record an answer to the current question and move on.

        Args:
            raw: A response code, number or text (strings are converted as typed).

        Returns:
            The alerts the answer raises (already recorded in the store). Shown to the worker at
            once.

        Raises:
            InvalidResponse: the answer is not allowed; nothing is recorded and the session stays
                on the question.
        """
        question = self._require_question()
        value = question.check(raw)
        hits = self._record(question, value)
        self._advance()
        return hits

    def skip(self, reason: str) -> None:
        """Skip the current question with a reason (one of ``question.skip_reasons``)."""
        question = self._require_question()
        if reason not in question.skip_reasons:
            can = ", ".join(question.skip_reasons) or "none: it must be answered"
            raise InvalidResponse(
                "cannot skip",
                [
                    Problem(
                        question.instrument.id,
                        question.item.id,
                        f"{reason!r} is not a reason this question can be skipped for; allowed: {can}",
                    )
                ],
            )
        self._record(question, Missing(reason))
        self._advance()

    def back(self) -> bool:
        """Go to the previous item of this instrument (from the review: to its last item).

        Returns:
            False if there is nowhere to go back to (the first item of an instrument; earlier
            instruments are already completed).
        """
        if self.done:
            return False
        if self._pos is None:
            self._pos = len(self._parts[self._part].instrument.items) - 1
            return True
        if self._pos == 0:
            return False
        self._pos -= 1
        return True

    def go_to(self, item_id: str) -> None:
        """Go to an item of the current instrument (from the review list, to change it)."""
        if self.done:
            raise SessionError("the survey is finished")
        ids = self._parts[self._part].instrument.item_ids
        if item_id not in ids:
            raise SessionError(f"{self._parts[self._part].instrument.id} has no item {item_id!r}")
        self._pos = ids.index(item_id)

    def review(self) -> list[ReviewRow]:
        """Every item of the current instrument with its answer, for the review screen."""
        if self.done:
            return []
        part = self._parts[self._part]
        rows = []
        for n, item in enumerate(part.instrument.items, start=1):
            ans = part.answers.get(item.id)
            rows.append(
                ReviewRow(
                    item.id,
                    n,
                    self._text(part.instrument, item.text),
                    ans,
                    describe_answer(part.instrument, item, ans),
                )
            )
        return rows

    def finish(self) -> ScoreSheet:
        """Complete the current instrument (it is scored) and move to the next one.

        Returns:
            The score sheet. Score-based alerts on it are recorded in the store.

        Raises:
            SessionError: an item has not been answered or skipped yet.
        """
        if self.done:
            raise SessionError("the survey is already finished")
        part = self._parts[self._part]
        missing = [i.id for i in part.instrument.items if i.id not in part.answers]
        if missing:
            raise SessionError(
                f"{part.instrument.label}: not yet answered or skipped: {', '.join(missing)}"
            )
        sheet = self.store.complete_administration(part.administration_id, by=self.by)
        for hit in sheet.alerts:
            if hit.scale is not None:
                self._alert(part.administration_id, hit)
        part.finished = True
        part.sheet = sheet
        self._part += 1
        self._settle()
        return sheet

    def abandon(self, reason: str) -> None:
        """Abandon every unfinished instrument (the answers stay stored, marked abandoned)."""
        for part in self._parts:
            if not part.finished:
                self.store.abandon_administration(part.administration_id, reason, by=self.by)
                part.finished = True
        self._part = len(self._parts)
        self._pos = None

    # results --------------------------------------------------------------------------------
    def results(self) -> list[tuple[Instrument, ScoreSheet]]:
        """The instruments completed in this survey with their score sheets (after resuming:
        those completed before the interruption too)."""
        return [(p.instrument, p.sheet) for p in self._parts if p.sheet is not None]

    def scale_results(self) -> list[ScaleResult]:
        """Every reported scale completed in this survey (after resuming: before the
        interruption too), compared with the previous time point."""
        out: list[ScaleResult] = []
        for part in self._parts:
            if part.sheet is None:
                continue
            out.extend(
                compare_with_previous(
                    self.store,
                    part.instrument,
                    part.sheet,
                    self.subject,
                    self.timepoint,
                    exclude=part.administration_id,
                    subject_type=self.subject_type,
                )
            )
        return out

    def summary_lines(self) -> list[str]:
        """The end-of-survey summary: one plain sentence per scale."""
        return [r.sentence() for r in self.scale_results()]

    # internals ------------------------------------------------------------------------------
    def _text(self, instrument: Instrument, text: str) -> str:
        return instrument.text(text, self.substitutions)

    def _question(self, part_index: int, pos: int) -> Question:
        part = self._parts[part_index]
        inst = part.instrument
        item = inst.items[pos]
        return Question(
            instrument=inst,
            item=item,
            text=self._text(inst, item.text),
            number=pos + 1,
            count=len(inst.items),
            instrument_number=part_index + 1,
            instrument_count=len(self._parts),
            answer=part.answers.get(item.id),
            skip_reasons=skip_reasons(inst, item),
            can_go_back=pos > 0,
        )

    def _require_question(self) -> Question:
        question = self.current
        if question is None:
            raise SessionError("there is no question to answer now (the review, or the end)")
        return question

    def _record(self, question: Question, value: Answer) -> list[AlertHit]:
        part = self._parts[self._part]
        old = part.answers.get(question.item.id)
        if old is not None and type(old) is type(value) and old == value:
            return []  # unchanged: nothing to write, any alert was raised when it was given
        self.store.record_answer(part.administration_id, question.item.id, value, by=self.by)
        part.answers[question.item.id] = value
        hits = item_alerts(question.instrument, question.item.id, value)
        for hit in hits:
            self._alert(part.administration_id, hit)
        return hits

    def _alert(self, adm_id: str, hit: AlertHit) -> None:
        key = (adm_id, hit.alert)
        if key in self._alerted:
            return
        self.store.record_alert(adm_id, hit, by=self.by)
        self._alerted.add(key)

    def _advance(self) -> None:
        """After an answer: the next unanswered item after this one, else the first unanswered
        one, else the review."""
        part = self._parts[self._part]
        ids = part.instrument.item_ids
        start = 0 if self._pos is None else self._pos + 1
        for i in list(range(start, len(ids))) + list(range(0, start)):
            if ids[i] not in part.answers:
                self._pos = i
                return
        self._pos = None

    def _settle(self) -> None:
        """Point at the first unanswered item of the first unfinished instrument."""
        while self._part < len(self._parts) and self._parts[self._part].finished:
            self._part += 1
        if self.done:
            self._pos = None
            return
        part = self._parts[self._part]
        unanswered = [
            i for i, iid in enumerate(part.instrument.item_ids) if iid not in part.answers
        ]
        self._pos = unanswered[0] if unanswered else None


def check_worker(code: str | None) -> str | None:
    """The administering worker's code, checked like every stored code (no names).

    Raises:
        InvalidRecord: not a pseudonymous code (e.g. a name with a space, or a prison number).
    """
    if code is None:
        return None
    return check_code(code, "worker")


def skip_reasons(instrument: Instrument, item: Item) -> tuple[str, ...]:
    """The reasons an item may be skipped for.

    Every reason where the instrument allows skipping (``allow_skip``, the default) or the item is
    optional; otherwise only ``declined``: nobody is made to answer a question.
    """
    if instrument.allow_skip or not item.required:
        return SKIP_REASONS
    return ("declined",)


def check_instruments(instruments: Sequence[Instrument], subject_type: str = "participant") -> None:
    """Check a survey's instruments before anything is asked or written.

    Raises:
        WordingNotAvailable: a licensed instrument's wording has not been supplied locally.
        SessionError: no instruments, one twice, or one meant for another kind of subject.
    """
    if not instruments:
        raise SessionError("no instruments to give: name a battery or at least one instrument")
    seen: set[str] = set()
    for inst in instruments:
        if inst.id in seen:
            raise SessionError(f"{inst.id} is named twice; give each instrument once")
        seen.add(inst.id)
        if inst.audience != subject_type:
            raise SessionError(
                f"{inst.label} ({inst.id}) is for a {inst.audience}, not a {subject_type}"
                + (
                    "; peer workers' checks are run with 'recoverycap wellbeing check'"
                    if inst.audience == "worker"
                    else ""
                )
            )
    for inst in instruments:
        inst.require_wording()


# -- comparison with the previous time point -------------------------------------------------------
def previous_administration(
    store: Store,
    subject: str,
    instrument_id: str,
    timepoint: str,
    *,
    exclude: str | None = None,
    before: str | None = None,
    subject_type: str = "participant",
) -> Administration | None:
    """The subject's latest completed administration of an instrument at another time point.

    Args:
        store: The store.
        subject: Participant (or worker) code.
        instrument_id: The instrument id (any version).
        timepoint: This administration's time point; administrations at it are not "previous".
        exclude: An administration id to leave out (this one).
        before: Only administrations given on or before this date or timestamp (ISO text).
        subject_type: ``participant`` or ``worker``.
    """
    candidates = [
        rec
        for rec in store.administrations(
            subject=subject, subject_type=subject_type, instrument=instrument_id, status="complete"
        )
        if rec.id != exclude
        and rec.timepoint != timepoint
        and (before is None or rec.administered_at[:10] <= before[:10])
    ]
    return candidates[-1] if candidates else None  # oldest first, so the last is the latest


def compare_with_previous(
    store: Store,
    instrument: Instrument,
    sheet: ScoreSheet,
    subject: str,
    timepoint: str,
    *,
    exclude: str | None = None,
    subject_type: str = "participant",
) -> list[ScaleResult]:
    """This administration's reported scales, each with the previous time point's score.

    The previous score is the one stored for that administration (scored with the instrument
    version it was given with, and rescored after any correction). Only the stored tables are
    read: no pandas.

    Args:
        store: The store.
        instrument: The instrument of this administration.
        sheet: This administration's scores.
        subject: Participant (or worker) code.
        timepoint: This administration's time point.
        exclude: This administration's id: it is left out, and only earlier administrations
            count as previous.
        subject_type: ``participant`` or ``worker``.
    """
    before = store.administration(exclude).administered_at if exclude is not None else None
    prev = previous_administration(
        store,
        subject,
        instrument.id,
        timepoint,
        exclude=exclude,
        before=before,
        subject_type=subject_type,
    )
    prev_scores: dict[str, float | None] = {}
    if prev is not None:
        prev_scores = {s.scale: s.score for s in store.scores(prev.id).scales}
    out = []
    for scale in instrument.scales:
        if not scale.report:
            continue
        earlier = prev_scores.get(scale.id)
        out.append(
            ScaleResult(
                instrument,
                scale,
                sheet[scale.id],
                earlier,
                prev.timepoint if prev is not None and earlier is not None else None,
            )
        )
    return out


# -- paper forms ---------------------------------------------------------------------------------
@attrs.frozen
class PaperEntry:
    """The result of entering a completed paper form."""

    administration_id: str
    sheet: ScoreSheet
    alerts: tuple[AlertHit, ...]
    results: tuple[ScaleResult, ...]


_IN_SESSION = re.compile(r",?\s*before the (?:session|survey) (?:ends|is over)", re.IGNORECASE)


def paper_alert_message(message: str, form_date: dt.date, today: dt.date | None = None) -> str:
    """An alert's message for an answer typed in from a paper form.

    The instrument's message is written for a survey in progress ("... now, before the session
    ends"); a paper form was filled in on its own date, perhaps weeks ago, so that clause is
    dropped and the form's date and what to do are added.

    Args:
        message: The alert's message from the instrument file.
        form_date: The date on the form.
        today: Today (default: this computer's date).
    """
    days = ((today or dt.date.today()) - form_date).days
    ago = "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"
    text = _IN_SESSION.sub("", message).strip()
    return f"{text} This answer is on a paper form dated {form_date.isoformat()} ({ago}): follow up now."


def check_paper_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Answer]:
    """Every answer of a paper form, checked; items not given are ``not_asked``.

    Raises:
        InvalidResponse: listing every answer that is not allowed and every unknown item.
    """
    coerced: dict[str, Answer] = {}
    problems: list[Problem] = []
    for key in answers:
        if key not in instrument.item_ids:
            problems.append(Problem(instrument.id, key, f"{instrument.id} has no item {key!r}"))
    for item in instrument.items:
        try:
            coerced[item.id] = coerce_answer(instrument, item, answers.get(item.id))
        except InvalidResponse as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidResponse(
            f"{instrument.label}: {len(problems)} invalid answer(s); nothing was saved", problems
        )
    return coerced


def enter_paper_form(
    store: Store,
    subject: str,
    instrument: Instrument,
    timepoint: str,
    answers: Mapping[str, Any],
    administered_at: Any,
    *,
    by: str | None = None,
    subject_type: str = "participant",
) -> PaperEntry:
    """Record a completed paper form (mode ``paper``, back-dated) and score it, all or nothing.

    The wording is not needed (the form has it), so a licensed instrument whose wording is not
    supplied can still be entered.

    Args:
        store: The store.
        subject: Participant (or worker) code.
        instrument: The instrument on the form.
        timepoint: The time point it was completed at.
        answers: Item id to code (or text, ``Missing``, a missing-reason word); items not given
            are recorded as ``not_asked``.
        administered_at: The date on the form.
        by: Who gave the form (default: the store's actor).
        subject_type: ``participant`` or ``worker``.

    Raises:
        InvalidResponse: listing every answer that is not allowed; nothing is written.
        SessionError: the instrument is for another kind of subject.
        InvalidRecord: the same form is recorded already (same instrument, time point and date).
    """
    if instrument.audience != subject_type:
        raise SessionError(
            f"{instrument.label} ({instrument.id}) is for a {instrument.audience}, not a {subject_type}"
        )
    coerced = check_paper_answers(instrument, answers)
    by = check_worker(by)
    hits: list[AlertHit] = []
    with store.transaction():  # one transaction: the whole form is saved, or nothing
        adm = store.start_administration(
            subject,
            instrument,
            timepoint,
            mode="paper",
            by=by,
            subject_type=subject_type,
            administered_at=administered_at,
        )
        for item in instrument.items:
            store.record_answer(adm.id, item.id, coerced[item.id], by=by)
            hits.extend(item_alerts(instrument, item.id, coerced[item.id]))
        sheet = store.complete_administration(adm.id, by=by)
        hits.extend(h for h in sheet.alerts if h.scale is not None)
        for hit in hits:
            store.record_alert(adm.id, hit, by=by)
    results = compare_with_previous(
        store, instrument, sheet, subject, timepoint, exclude=adm.id, subject_type=subject_type
    )
    return PaperEntry(adm.id, sheet, tuple(hits), tuple(results))
