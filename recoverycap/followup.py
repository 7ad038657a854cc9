"""Follow-ups against a store: the due list for every participant, and logging an attempt.

:func:`due_list` reads participants, enrolments, administrations and follow-up attempts (one
query per kind of record) and applies the rules of :mod:`recoverycap.due`; :func:`log_followup`
records an attempt as an activity of kind ``followup_attempt``, with the time point it was for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from .due import (
    CLOSING,
    RESULTS,
    STATUSES,
    Administered,
    Anchors,
    Attempt,
    DueItem,
    Unscheduled,
    anchors_from,
    attempt_timepoint,
    compute_due,
    unscheduled,
)
from .errors import ScheduleError
from .schedule import Schedule, parse_date

if TYPE_CHECKING:  # pragma: no cover
    from .store import Activity, Administration, Enrolment


@attrs.frozen
class DueList:
    """What is scheduled for a set of participants as of a date."""

    as_of: dt.date
    items: tuple[DueItem, ...]
    unscheduled: tuple[Unscheduled, ...] = ()

    def __iter__(self) -> Iterator[DueItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def with_status(self, *statuses: str) -> list[DueItem]:
        """Items with any of ``statuses``, most urgent first (most days late, then earliest due)."""
        chosen = [i for i in self.items if i.status in statuses]
        return sorted(chosen, key=lambda i: (-i.days_late, i.due, i.participant, i.timepoint))

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.items if i.status == s) for s in STATUSES}


def due_list(
    store: Any,
    as_of: dt.date | None = None,
    site: str | None = None,
    schedule: Schedule | None = None,
    participants: Iterable[str] | None = None,
) -> DueList:
    """What is due, overdue, missed, done and closed for every participant (or one site).

    Args:
        store: An open :class:`recoverycap.store.Store`.
        as_of: The date to report for (default: today).
        site: Only participants at this site.
        schedule: The schedule (default: the store's configuration, else the default schedule).
        participants: Only these participant codes.

    Returns:
        A :class:`DueList`.
    """
    as_of = as_of or dt.date.today()
    if schedule is None:
        schedule = Schedule.for_config(getattr(store, "config", None))
    wanted = set(participants) if participants is not None else None
    people = [p for p in store.participants(site=site) if wanted is None or p.code in wanted]
    codes = {p.code for p in people}
    # one query per kind of record, not per participant
    enrolments: dict[str, list[Enrolment]] = {}
    for e in store.enrolments(site=site):
        enrolments.setdefault(e.participant, []).append(e)
    admins: dict[str, list[Administered]] = {}
    for a in store.administrations(subject_type="participant"):
        if a.subject in codes:
            admins.setdefault(a.subject, []).append(_administered(a))
    attempts: dict[str | None, list[Attempt]] = {}
    for act in store.activities(kind="followup_attempt", site=site):
        attempts.setdefault(act.participant, []).append(_attempt(act))
    items: list[DueItem] = []
    missing: list[Unscheduled] = []
    for person in people:
        code = person.code
        anchors = attrs.evolve(
            anchors_from(enrolments.get(code, []), []), release=person.release_date
        )
        items += compute_due(
            code,
            schedule,
            anchors,
            admins.get(code, []),
            attempts.get(code, []),
            as_of,
            person.site,
            person.status,
        )
        missing += unscheduled(code, schedule, anchors, person.site)
    return DueList(as_of, tuple(items), tuple(missing))


def _administered(record: Administration) -> Administered:
    """An administration record as the schedule sees it (``administered_at`` is NOT NULL)."""
    on = parse_date(record.administered_at, "administered_at") or dt.date.min
    return Administered(record.timepoint, on, record.status or "complete")


def _attempt(record: Activity) -> Attempt:
    """A follow-up activity as the schedule sees it."""
    return Attempt(record.date, str(record.result), record.mode, record.timepoint or None)


def participant_events(store: Any, code: str) -> tuple[Anchors, list[Administered], list[Attempt]]:
    """One participant's anchors, administrations and follow-up attempts, read from a store."""
    anchors = anchors_from(store.enrolments(participant=code), list(store.release_history(code)))
    admins = [_administered(a) for a in store.administrations(subject=code)]
    attempts = [_attempt(a) for a in store.activities(participant=code, kind="followup_attempt")]
    return anchors, admins, attempts


# -- logging a follow-up attempt ------------------------------------------------------------------
MODE_ALIASES = {"visit": "in_person"}
"""Words accepted for a contact mode and the stored mode they mean."""


@attrs.frozen
class FollowupLogged:
    """A follow-up attempt that was recorded, and what it changed.

    Attributes:
        participant: The participant's code.
        result: The result logged.
        on: Its date.
        timepoint: The time point it counts towards, or None if none was open.
        items: The participant's time points as of ``on``, after logging it.
        activity: The stored activity record.
    """

    participant: str
    result: str
    on: dt.date
    timepoint: str | None
    items: tuple[DueItem, ...]
    activity: Any = None

    def item(self, timepoint: str) -> DueItem | None:
        found = [i for i in self.items if i.timepoint == timepoint]
        return found[-1] if found else None

    def message(self) -> str:
        """What was logged and what it changed, in plain words."""
        what = (
            f"for {self.timepoint}" if self.timepoint else "(no time point was open on that date)"
        )
        out = [
            f"Logged a follow-up attempt for {self.participant} on {self.on.isoformat()}: {self.result} {what}."
        ]
        if self.result in CLOSING:
            closed = [i.timepoint for i in self.items if i.status == "closed"]
            if closed:
                out.append(f"Closed ({self.result}): {', '.join(closed)}.")
            else:
                out.append("No open time points were left to close.")
        elif self.timepoint:
            item = self.item(self.timepoint)
            if item is not None:
                plural = "attempt" if item.attempts == 1 else "attempts"
                word = {"due": "still due", "overdue": "still overdue", "upcoming": "upcoming"}.get(
                    item.status
                )
                now = f"{word} ({item.why})" if word else item.why
                out.append(f"{item.timepoint}: {item.attempts} {plural} so far; {now}.")
        return "\n".join(out)


def log_followup(
    store: Any,
    participant: str,
    result: str,
    *,
    on: dt.date | None = None,
    mode: str | None = None,
    timepoint: str | None = None,
    notes: str | None = None,
    by: str | None = None,
    schedule: Schedule | None = None,
) -> FollowupLogged:
    """Record a follow-up attempt (an activity of kind ``followup_attempt``).

    When no time point is named, the one open on that date is recorded with it (on time before
    overdue, then the earliest due; see the module docstring), so the stored attempt says which
    follow-up it was for.

    Args:
        store: An open store.
        participant: The participant's code.
        result: One of :data:`RESULTS`.
        on: The date of the attempt (default: today); not in the future.
        mode: How it was made (the store's contact modes; ``visit`` means ``in_person``).
        timepoint: The time point it was for; must be in the schedule.
        notes: Free-text notes (never names).
        by: The worker's code.
        schedule: The schedule (default: the default schedule).

    Raises:
        ScheduleError: An unknown result or time point, or a date in the future.
        NotFound: No participant with that code.
    """
    schedule = schedule or Schedule.default()
    on = on or dt.date.today()
    if result not in RESULTS:
        raise ScheduleError(f"follow-up result {result!r} is not one of {', '.join(RESULTS)}")
    if on > dt.date.today():
        raise ScheduleError(
            f"the date {on.isoformat()} is in the future; log an attempt once it has been made"
        )
    if timepoint is not None:
        schedule.get(timepoint)
    if mode is not None:
        mode = MODE_ALIASES.get(mode, mode)
    person = store.participant(participant)  # NotFound, saying how to register them, if unknown
    participant = person.code
    if timepoint is None:
        anchors, admins, _ = participant_events(store, participant)
        timepoint = attempt_timepoint(schedule, anchors, admins, on)
    activity = store.add_activity(
        participant,
        "followup_attempt",
        on,
        result=result,
        mode=mode,
        notes=notes,
        by=by,
        timepoint=timepoint,
    )
    anchors, admins, attempts = participant_events(store, participant)
    items = compute_due(
        participant,
        schedule,
        anchors,
        admins,
        attempts,
        on,
        person.site,
        person.status,
    )
    return FollowupLogged(participant, result, on, timepoint, tuple(items), activity)
