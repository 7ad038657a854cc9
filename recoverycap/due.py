"""What is due, overdue, missed, done or closed for one participant as of a date.

Pure rules over ``datetime.date`` (no pandas, no database): :func:`compute_due` takes one
participant's anchors (enrolments, current release date), administrations and follow-up attempts
and a :class:`~recoverycap.schedule.Schedule`, and returns a :class:`DueItem` per scheduled time
point. :mod:`recoverycap.followup` reads those from a store.

The rules, for a time point due on day ``D`` with window ``w`` and late period ``L``:

- Status by date, as of day ``t``: ``upcoming`` while ``t < D - w``; ``due`` from ``D - w`` to
  ``D + w`` inclusive (so day -14 and day +14 are due, day -15 is upcoming); ``overdue`` from
  ``D + w + 1`` to ``D + w + L`` (still collectable, recorded as late); ``missed`` after that.
- ``done``: a *complete* administration with the time point's id, dated from ``D - w`` to
  ``D + w + L``. One dated in the late period is done but marked late. One dated outside that range
  does not count (it is mentioned in ``why``). When the release date moves, the windows are
  recomputed from the new date and an administration counts only if it falls inside the new range:
  a "release" questionnaire taken months before a deferred release measured someone still inside,
  so it must not stand for the release time point; one taken a few days off the new date still does.
- An enrolment-anchored time point that names ``programmes`` applies only to enrolments in those
  programmes (the default intake and programme end: not Through The Gate).
- Follow-up attempts are data. ``recalled`` and ``transferred`` close every release-anchored time
  point of the current release that is not done and not already missed on the attempt's date;
  ``deceased`` closes every remaining time point. A closing outcome belongs to the current release
  only if it is dated on or after the opening of that release's first window (``R - 14`` days by
  default), so a recall before a newly recorded release date starts the schedule afresh, and a
  transfer logged months before release closes nothing.
- A participant whose status is ``withdrawn`` or ``deceased`` has every time point still open
  (upcoming, due or overdue) closed with that reason.
- Each attempt belongs to one time point: the one named with it, else one not yet done whose
  window is open on its date (on time before overdue, then the earliest due). ``uncontactable``
  marks that time point missed once it has at least ``uncontactable_after`` attempts (default 3)
  including this one; ``no_answer``, ``declined`` and ``reached`` are counted attempts (a
  follow-up is done only when its administration is recorded).
- Only events dated on or before the as-of date are used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .errors import ScheduleError
from .schedule import Schedule, TimePoint
from .store.fields import FOLLOWUP_RESULTS

if TYPE_CHECKING:  # pragma: no cover
    from .store import Enrolment, ReleaseDate

STATUSES = ("overdue", "due", "upcoming", "missed", "done", "closed")
"""A scheduled time point's status, in the order ``recoverycap due`` lists them."""

RESULTS = FOLLOWUP_RESULTS
"""Follow-up attempt results (the stored activity's results)."""

CLOSING = ("recalled", "transferred", "deceased")
"""Results that close the remaining time points (``deceased``: all; the others: release-anchored)."""

CLOSED_STATUSES = ("withdrawn", "deceased")
"""Participant statuses that close every time point still open (upcoming, due or overdue)."""


# -- what is known about one participant --------------------------------------------------------
@attrs.frozen
class EnrolmentSpan:
    """An enrolment's dates: its start anchors ``enrolment_start``, its end ``enrolment_end``."""

    programme: str
    started: dt.date
    ended: dt.date | None = None


@attrs.frozen
class Anchors:
    """The events one participant's schedule hangs off.

    Attributes:
        enrolments: Every enrolment (each gives its own enrolment-anchored time points, such as
            intake and programme end, where the time point applies to its programme).
        release: The current release date (the latest recorded), or None.
        release_reason: Why it was last set or moved (parole, hdc, transfer, recall...), if known.
        release_moves: How many times the release date has been recorded before the current one.
    """

    enrolments: tuple[EnrolmentSpan, ...] = ()
    release: dt.date | None = None
    release_reason: str = ""
    release_moves: int = 0


@attrs.frozen
class Administered:
    """An administration of the participant, as far as the schedule cares."""

    timepoint: str
    on: dt.date
    status: str = "complete"


@attrs.frozen
class Attempt:
    """One follow-up attempt (an activity of kind ``followup_attempt``)."""

    on: dt.date
    result: str
    mode: str | None = None
    timepoint: str | None = None


@attrs.frozen
class DueItem:
    """One scheduled time point of one participant, and its status as of a date.

    Attributes:
        participant: The participant's code.
        timepoint: The time point id.
        label: Plain words for the time point.
        anchor: The anchor event (see :data:`ANCHORS`).
        anchor_date: The date of that event (for release: the current release date).
        due: ``anchor_date + offset_days``.
        window_start: First day it is on time.
        window_end: Last day it is on time.
        late_until: Last day it is overdue (collectable, recorded late); missed after.
        status: One of :data:`STATUSES`.
        why: The reason for the status in plain words.
        as_of: The date the status is for.
        attempts: Follow-up attempts counted towards it.
        last_attempt: The date of the latest of those attempts.
        last_result: Its result.
        done_on: The date of the administration that counts, if done.
        programme: The enrolment's programme, for enrolment-anchored time points.
        site: The participant's site, when known.
        notes: Things worth knowing that do not change the status (an administration started
            but not finished, one outside the window, uncontactable logged too soon); they are
            also at the end of ``why``.
    """

    participant: str
    timepoint: str
    label: str
    anchor: str
    anchor_date: dt.date
    due: dt.date
    window_start: dt.date
    window_end: dt.date
    late_until: dt.date
    status: str
    why: str
    as_of: dt.date
    attempts: int = 0
    last_attempt: dt.date | None = None
    last_result: str | None = None
    done_on: dt.date | None = None
    programme: str | None = None
    site: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def days_late(self) -> int:
        """Days since the window closed (0 while it is open or not yet open)."""
        return max(0, (self.as_of - self.window_end).days)

    @property
    def days_past_due(self) -> int:
        """Days since the due date (0 on or before it)."""
        return max(0, (self.as_of - self.due).days)

    @property
    def days_to_due(self) -> int:
        """Days until the due date (negative once past it)."""
        return (self.due - self.as_of).days

    @property
    def open(self) -> bool:
        """Whether something can still be done about it (due or overdue)."""
        return self.status in ("due", "overdue")


@attrs.frozen
class Unscheduled:
    """A participant whose anchor for some time points is not recorded."""

    participant: str
    anchor: str
    timepoints: tuple[str, ...]
    site: str | None = None

    @property
    def message(self) -> str:
        what = {
            "release": "no release date",
            "enrolment_start": "no enrolment",
            "enrolment_end": "no ended enrolment",
        }[self.anchor]
        return f"{self.participant}: {what} recorded, so {', '.join(self.timepoints)} cannot be scheduled"


@attrs.frozen
class _Slot:
    """One time point of one participant, with its dates worked out once."""

    tp: TimePoint
    anchor_date: dt.date
    programme: str | None
    cycle_start: dt.date
    due: dt.date
    window_start: dt.date
    window_end: dt.date
    late_until: dt.date

    @classmethod
    def make(cls, tp: TimePoint, anchor_date: dt.date, programme: str | None, lead: int) -> _Slot:
        due = anchor_date + dt.timedelta(days=tp.offset_days)
        end = due + dt.timedelta(days=tp.window_days)
        return cls(
            tp,
            anchor_date,
            programme,
            anchor_date + dt.timedelta(days=lead),
            due,
            due - dt.timedelta(days=tp.window_days),
            end,
            end + dt.timedelta(days=tp.late_days),
        )


def _slots(schedule: Schedule, anchors: Anchors) -> list[_Slot]:
    slots: list[_Slot] = []
    for tp in schedule:
        dates: list[tuple[dt.date, str | None]] = []
        if tp.anchor == "enrolment_start":
            dates = [
                (e.started, e.programme) for e in anchors.enrolments if tp.applies_to(e.programme)
            ]
        elif tp.anchor == "enrolment_end":
            dates = [
                (e.ended, e.programme)
                for e in anchors.enrolments
                if e.ended is not None and tp.applies_to(e.programme)
            ]
        elif anchors.release is not None:
            dates = [(anchors.release, None)]
        lead = schedule.lead_days(tp.anchor)
        slots += [_Slot.make(tp, d, prog, lead) for d, prog in dates]
    return slots


def _fmt(day: dt.date) -> str:
    return day.isoformat()


def plural(n: int, word: str) -> str:
    """``1 day``, ``2 days``, ``0 attempts``: a count with its noun."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def _days(n: int) -> str:
    return plural(n, "day")


def compute_due(
    participant: str,
    schedule: Schedule,
    anchors: Anchors,
    administrations: Iterable[Administered] = (),
    attempts: Iterable[Attempt] = (),
    as_of: dt.date | None = None,
    site: str | None = None,
    status: str | None = None,
) -> list[DueItem]:
    """Every scheduled time point of one participant and its status as of ``as_of``.

    The rules are in the module docstring. Time points whose anchor is not recorded (no release
    date, an enrolment still running) are left out; :func:`unscheduled` names them.

    Args:
        participant: The participant's code (copied into each item).
        schedule: The time points.
        anchors: The enrolments and current release date.
        administrations: The participant's administrations (any status).
        attempts: The participant's follow-up attempts.
        as_of: The date to report for (default: today). Events after it are ignored.
        site: Copied into each item.
        status: The participant's status; ``withdrawn`` or ``deceased`` (:data:`CLOSED_STATUSES`)
            closes every time point still open, with that reason.

    Returns:
        One :class:`DueItem` per time point and anchor occurrence, in schedule order.

    Raises:
        ScheduleError: If an attempt's result is not one of :data:`RESULTS`.
    """
    as_of = as_of or dt.date.today()
    admins = [a for a in administrations if a.on <= as_of]
    tries = sorted((a for a in attempts if a.on <= as_of), key=lambda a: a.on)
    for a in tries:
        if a.result not in RESULTS:
            raise ScheduleError(
                f"{participant}: follow-up result {a.result!r} is not one of {', '.join(RESULTS)}"
            )
    slots = _slots(schedule, anchors)

    done = _done(slots, admins)

    assigned: dict[int, list[Attempt]] = {i: [] for i in range(len(slots))}
    for att in tries:
        index = _assign(att, slots, done)
        if index is not None:
            assigned[index].append(att)

    items = []
    for i, slot in enumerate(slots):
        item = _item(participant, site, slot, done.get(i), assigned[i], tries, admins, as_of)
        if status in CLOSED_STATUSES and item.status in ("upcoming", "due", "overdue"):
            item = attrs.evolve(
                item, status="closed", why=f"closed: the participant's status is {status}"
            )
        items.append(item)
    return items


def attempt_timepoint(
    schedule: Schedule, anchors: Anchors, administrations: Iterable[Administered], on: dt.date
) -> str | None:
    """The time point an attempt on ``on`` with no time point named would count towards: one not
    yet done whose window is open that day (on time before overdue, then the earliest due)."""
    slots = _slots(schedule, anchors)
    done = _done(slots, [a for a in administrations if a.on <= on])
    index = _assign(Attempt(on, "reached"), slots, done)
    return slots[index].tp.id if index is not None else None


def _done(slots: Sequence[_Slot], admins: Sequence[Administered]) -> dict[int, Administered]:
    """The administration that counts for each slot: the earliest complete one with the slot's
    time point dated from its window's start to the end of its late period."""
    done: dict[int, Administered] = {}
    for i, slot in enumerate(slots):
        counted = [
            a
            for a in admins
            if a.status == "complete"
            and a.timepoint == slot.tp.id
            and slot.window_start <= a.on <= slot.late_until
        ]
        if counted:
            done[i] = min(counted, key=lambda a: a.on)
    return done


def _assign(att: Attempt, slots: Sequence[_Slot], done: Mapping[int, Administered]) -> int | None:
    """The slot an attempt counts towards (see the module docstring), or None."""
    best: int | None = None
    for i, slot in enumerate(slots):
        if not slot.cycle_start <= att.on <= slot.late_until:
            continue
        if att.timepoint is not None:
            if slot.tp.id != att.timepoint:
                continue
        else:
            finished = i in done and done[i].on <= att.on
            if att.on < slot.window_start or finished:
                continue
        if best is None or _preference(slot, att.on) < _preference(slots[best], att.on):
            best = i
    return best


def _preference(slot: _Slot, day: dt.date) -> tuple[int, dt.date]:
    """On time beats late; then the earliest due."""
    return (0 if slot.window_start <= day <= slot.window_end else 1, slot.due)


def _uncontactable_on(slot: _Slot, attempts: Sequence[Attempt]) -> tuple[dt.date, int] | None:
    """The date an ``uncontactable`` result marked the slot missed, and the attempts by then."""
    for n, att in enumerate(attempts, 1):
        if att.result == "uncontactable" and n >= slot.tp.uncontactable_after:
            return att.on, n
    return None


def _closing(slot: _Slot, tries: Sequence[Attempt]) -> Attempt | None:
    """The earliest closing outcome that applies to the slot (before it was missed), or None."""
    for att in tries:
        if att.result not in CLOSING:
            continue
        if att.result != "deceased" and (slot.tp.anchor != "release" or att.on < slot.cycle_start):
            continue
        return att
    return None


def _item(
    participant: str,
    site: str | None,
    slot: _Slot,
    done: Administered | None,
    attempts: Sequence[Attempt],
    tries: Sequence[Attempt],
    admins: Sequence[Administered],
    as_of: dt.date,
) -> DueItem:
    tp = slot.tp
    base: dict[str, Any] = {
        "participant": participant,
        "timepoint": tp.id,
        "label": tp.title,
        "anchor": tp.anchor,
        "anchor_date": slot.anchor_date,
        "due": slot.due,
        "window_start": slot.window_start,
        "window_end": slot.window_end,
        "late_until": slot.late_until,
        "as_of": as_of,
        "attempts": len(attempts),
        "last_attempt": attempts[-1].on if attempts else None,
        "last_result": attempts[-1].result if attempts else None,
        "programme": slot.programme,
        "site": site,
    }
    if done is not None:
        late = (done.on - slot.window_end).days
        why = f"completed on {_fmt(done.on)}"
        if late > 0:
            why += f", {_days(late)} after the window closed (late)"
        return DueItem(status="done", why=why, done_on=done.on, **base)

    unreachable = _uncontactable_on(slot, attempts)
    closing = _closing(slot, tries)
    if closing is not None:
        missed_before = closing.on > slot.late_until or (
            unreachable is not None and unreachable[0] <= closing.on
        )
        if not missed_before:
            return DueItem(
                status="closed", why=f"closed: {closing.result} (logged {_fmt(closing.on)})", **base
            )
    if unreachable is not None:
        when, n = unreachable
        return DueItem(
            status="missed",
            why=f"missed: uncontactable after {plural(n, 'attempt')} (last on {_fmt(when)})",
            **base,
        )

    if as_of < slot.window_start:
        status = "upcoming"
        why = f"window opens in {_days((slot.window_start - as_of).days)} ({_fmt(slot.window_start)} to {_fmt(slot.window_end)})"
    elif as_of <= slot.window_end:
        status = "due"
        to_due = (slot.due - as_of).days
        if to_due > 0:
            why = f"due in {_days(to_due)}"
        elif to_due == 0:
            why = "due today"
        else:
            why = f"{_days(-to_due)} past the due date"
        why += f"; window closes {_fmt(slot.window_end)}"
    elif as_of <= slot.late_until:
        status = "overdue"
        why = (
            f"window closed {_fmt(slot.window_end)} ({_days((as_of - slot.window_end).days)} ago); "
            f"still collectable, recorded as late, until {_fmt(slot.late_until)}"
        )
    else:
        status = "missed"
        why = f"missed: nothing recorded by {_fmt(slot.late_until)} (window {_fmt(slot.window_start)} to {_fmt(slot.window_end)})"
    notes = _notes(slot, attempts, admins)
    if notes:
        why += "; " + "; ".join(notes)
    return DueItem(status=status, why=why, notes=tuple(notes), **base)


def _notes(slot: _Slot, attempts: Sequence[Attempt], admins: Sequence[Administered]) -> list[str]:
    notes = []
    for a in admins:
        if a.timepoint != slot.tp.id:
            continue
        if a.status == "in_progress" and a.on >= slot.cycle_start:
            notes.append(f"started {_fmt(a.on)}, not finished: resume it")
        elif a.status == "complete" and not slot.window_start <= a.on <= slot.late_until:
            notes.append(
                f"the {slot.tp.id} administration of {_fmt(a.on)} is outside this window and does not count"
            )
    notes = list(dict.fromkeys(notes))  # one note per date, not one per instrument
    pending = [a for a in attempts if a.result == "uncontactable"]
    if pending:
        needed = plural(slot.tp.uncontactable_after, "attempt")
        notes.append(
            f"uncontactable logged after {len(attempts)} of the {needed} needed before it is "
            "marked missed"
        )
    return notes


def unscheduled(
    participant: str, schedule: Schedule, anchors: Anchors, site: str | None = None
) -> list[Unscheduled]:
    """The anchors a participant lacks that some time points need (release date, enrolment)."""
    out = []
    need: dict[str, list[str]] = {}
    for tp in schedule:
        need.setdefault(tp.anchor, []).append(tp.id)
    if "enrolment_start" in need and not anchors.enrolments:
        out.append(
            Unscheduled(participant, "enrolment_start", tuple(need["enrolment_start"]), site)
        )
    if "release" in need and anchors.release is None:
        out.append(Unscheduled(participant, "release", tuple(need["release"]), site))
    return out


def anchors_from(
    enrolments: Iterable[Enrolment], release_history: Sequence[ReleaseDate]
) -> Anchors:
    """Anchors from store records: enrolments (started, ended, programme) and the release history
    (oldest first; the last entry is the current release date)."""
    spans = [EnrolmentSpan(e.programme or "", e.started, e.ended) for e in enrolments]
    release = reason = None
    if release_history:
        current = release_history[-1]
        release, reason = current.release_date, current.reason
    return Anchors(
        tuple(sorted(spans, key=lambda s: s.started)),
        release,
        str(reason or ""),
        max(0, len(release_history) - 1),
    )
