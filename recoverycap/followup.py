"""Follow-ups against a store: the due list for every participant, and logging an attempt.

:func:`due_list` reads participants, enrolments, administrations and follow-up attempts (one
query per kind of record) and applies the rules of :mod:`recoverycap.due`; :func:`log_followup`
records an attempt as an activity of kind ``followup_attempt``, with the time point it was for.

A closing result also says what it did: ``recalled`` (back in custody after a release) closes the
open post-release time points of the current release and is refused when no release on or before
its date is recorded (nobody can be recalled before they are released); ``recalled``,
``transferred`` and ``deceased`` set the participant's status where a matching one exists
(:data:`STATUS_AFTER`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .config import did_you_mean
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

    Raises:
        ScheduleError: ``site`` is given and no participant is registered at it, or the
            schedule names a programme the database does not have.
    """
    as_of = as_of or dt.date.today()
    if schedule is None:
        schedule = Schedule.for_config(getattr(store, "config", None))
    check_schedule_programmes(store, schedule)
    if site is not None:
        require_participant_site(store, site)
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


def require_participant_site(store: Any, site: str) -> str:
    """``site``, if at least one participant is registered at it.

    Raises:
        ScheduleError: nobody is registered at ``site`` (a misspelt site would otherwise read as
            "nothing is due"); names the sites there are and the closest.
    """
    sites = sorted({p.site for p in store.participants() if p.site})
    if site in sites:
        return site
    raise ScheduleError(
        f"no participant is registered at site {site!r}"
        + (did_you_mean(site, sites) or ".")
        + (
            f" Sites with participants: {', '.join(sites)}."
            if sites
            else " No participant has a site yet."
        )
    )


def check_schedule_programmes(store: Any, schedule: Schedule) -> None:
    """Every programme a schedule's time points name is one the database has.

    A misspelt programme in a ``[[schedule]]`` entry would otherwise quietly give nobody that
    time point.

    Raises:
        ScheduleError: naming each unknown programme, the programmes there are and the closest.
    """
    named = schedule.programmes
    if not named:
        return
    known = [p.code for p in store.programmes()]
    unknown = [p for p in named if p not in known]
    if unknown:
        hints = "".join(did_you_mean(p, known) for p in unknown)
        raise ScheduleError(
            f"{schedule.source or 'the schedule'}: programmes = [...] names "
            f"{', '.join(repr(p) for p in unknown)}, not a programme in the database{hints} "
            f"Programmes: {', '.join(known) or 'none'}. Correct the schedule, or add the "
            "programme with 'recoverycap programme add'."
        )


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

STATUS_AFTER: dict[str, tuple[str, tuple[str, ...], str]] = {
    "recalled": ("active", ("released",), "back in custody after the recall"),
    "transferred": ("transferred", ("active", "released"), ""),
    "deceased": ("deceased", ("active", "released", "transferred", "withdrawn", "inactive"), ""),
}
"""For each closing result: the participant status it sets, the statuses it replaces and why
(said when it is not plain from the status).

There is no "recalled" or "in custody" status; a recall returns a ``released`` participant to
``active`` (in custody, as when registered). Other statuses (``withdrawn``, ``inactive`` ...) are
left as they are: a recall says nothing about them."""


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
        closed: The time points this attempt closed (a closing result).
        why_none_closed: For a closing result that closed nothing, why not.
        status_before: The participant's status before.
        status_after: The participant's status after (changed by a closing result, see
            :data:`STATUS_AFTER`).
        status_note: Why the status changed or was left as it is ("" when nothing applies).
    """

    participant: str
    result: str
    on: dt.date
    timepoint: str | None
    items: tuple[DueItem, ...]
    activity: Any = None
    closed: tuple[str, ...] = ()
    why_none_closed: str = ""
    status_before: str = ""
    status_after: str = ""
    status_note: str = ""

    def item(self, timepoint: str) -> DueItem | None:
        found = [i for i in self.items if i.timepoint == timepoint]
        return found[-1] if found else None

    @property
    def status_changed(self) -> bool:
        return self.status_before != self.status_after

    def message(self) -> str:
        """What was logged and what it changed, in plain words."""
        what = (
            f"for {self.timepoint}" if self.timepoint else "(no time point was open on that date)"
        )
        out = [
            f"Logged a follow-up attempt for {self.participant} on {self.on.isoformat()}: {self.result} {what}."
        ]
        if self.result in CLOSING:
            if self.closed:
                out.append(f"Closed ({self.result}): {', '.join(self.closed)}.")
            else:
                out.append(f"Nothing was closed: {self.why_none_closed}.")
        elif self.timepoint:
            item = self.item(self.timepoint)
            if item is not None:
                plural = "attempt" if item.attempts == 1 else "attempts"
                word = {"due": "still due", "overdue": "still overdue", "upcoming": "upcoming"}.get(
                    item.status
                )
                now = f"{word} ({item.why})" if word else item.why
                out.append(f"{item.timepoint}: {item.attempts} {plural} so far; {now}.")
        if self.status_changed:
            why = f" ({self.status_note})" if self.status_note else ""
            out.append(f"Status changed from {self.status_before} to {self.status_after}{why}.")
        elif self.status_note:
            out.append(self.status_note + ".")
        return "\n".join(out)


def check_recall(code: str, on: dt.date, release_history: Sequence[Any]) -> None:
    """A recall needs a release on or before its date (a recall brings someone back into custody
    after release on licence).

    Args:
        code: The participant's code.
        on: The date of the recall.
        release_history: The participant's release dates, oldest first (the last is current).

    Raises:
        ScheduleError: no recorded release date is on or before ``on``; says how to record one.
    """
    dates = [r.release_date for r in release_history if r.release_date is not None]
    if any(d <= on for d in dates):
        return
    current = release_history[-1].release_date if release_history else None
    known = (
        f"the current release date is {current.isoformat()}"
        if current is not None
        else "no release date is recorded"
    )
    raise ScheduleError(
        f"{code} cannot be recalled on {on.isoformat()}: a recall brings someone back into custody "
        f"after a release, and {known}. If they were released on an earlier date, record it "
        f"first (recoverycap participant release {code} YYYY-MM-DD), then log the recall. "
        "Nothing was logged."
    )


def status_after(result: str, status: str, anchors: Anchors, on: dt.date) -> tuple[str, str]:
    """The participant's status after a follow-up result, and why (see :data:`STATUS_AFTER`).

    A recall changes the status only when it follows the current release (one logged for an
    earlier release leaves the current status alone).

    Returns:
        ``(new status, note)``; the note is "" when the result has nothing to do with status.
    """
    if result not in STATUS_AFTER:
        return status, ""
    new, replaces, why = STATUS_AFTER[result]
    if result == "recalled" and (anchors.release is None or on < anchors.release):
        return status, f"Status stays {status}: the recall is before the current release date"
    if status == new:
        return status, f"Status stays {status}"
    if status not in replaces:
        return status, (
            f"Status left as {status} (a {result} result does not replace it); change it with "
            "'recoverycap participant update' if it is wrong"
        )
    return new, why


def _why_none_closed(result: str, anchors: Anchors, schedule: Schedule, on: dt.date) -> str:
    if result == "deceased":
        return "every time point was already done, missed or closed"
    if anchors.release is None:
        return "no release date is recorded, so there are no post-release time points to close"
    opens = anchors.release + dt.timedelta(days=schedule.lead_days("release"))
    if on < opens:
        return (
            f"the time points of the release on {anchors.release.isoformat()} open on "
            f"{opens.isoformat()}, after this {result}, so they stay scheduled"
        )
    return (
        f"every time point of the release on {anchors.release.isoformat()} was already done, "
        "missed or closed"
    )


def _slot_key(item: DueItem) -> tuple[str, str | None, dt.date]:
    return (item.timepoint, item.programme, item.anchor_date)


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
    follow-up it was for. A closing result closes what it applies to (:mod:`recoverycap.due`)
    and sets the participant's status where :data:`STATUS_AFTER` says so, in the same
    transaction as the attempt; the result says what was closed and what happened to the status.

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
        ScheduleError: An unknown result or time point, a date in the future, or a recall with
            no release on or before its date. Nothing is written.
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
    if result == "recalled":
        check_recall(participant, on, store.release_history(participant))
    anchors, admins, attempts = participant_events(store, participant)
    if timepoint is None:
        timepoint = attempt_timepoint(schedule, anchors, admins, on)
    before = compute_due(
        participant, schedule, anchors, admins, attempts, on, person.site, person.status
    )
    new_status, status_note = status_after(result, person.status, anchors, on)
    with store.transaction():  # the attempt and the status it sets, together
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
        if new_status != person.status:
            store.update_participant(
                participant,
                status=new_status,
                reason=f"follow-up result {result} on {on.isoformat()}",
                by=by,
            )
    anchors, admins, attempts = participant_events(store, participant)
    items = compute_due(
        participant, schedule, anchors, admins, attempts, on, person.site, new_status
    )
    was_closed = {_slot_key(i) for i in before if i.status == "closed"}
    closed = tuple(
        dict.fromkeys(
            i.timepoint for i in items if i.status == "closed" and _slot_key(i) not in was_closed
        )
    )
    why_none = (
        _why_none_closed(result, anchors, schedule, on) if result in CLOSING and not closed else ""
    )
    return FollowupLogged(
        participant,
        result,
        on,
        timepoint,
        tuple(items),
        activity,
        closed=closed,
        why_none_closed=why_none,
        status_before=person.status,
        status_after=new_status,
        status_note=status_note,
    )
