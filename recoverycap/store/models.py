"""The records the store returns: frozen attrs classes, each built from a table row by
``from_row`` so the classes are not tied to the table layout.

Ids are 32-hex-digit uuid4 strings. Calendar dates are :class:`datetime.date`; timestamps are
ISO 8601 text in UTC; ``administered_at`` is ``YYYY-MM-DD`` when only the date is known (a paper
form) and a UTC timestamp otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from .fields import parse_stored_date


@attrs.frozen
class Participant:
    """A participant, known only by a pseudonymous code.

    Attributes:
        id: Stable unique id.
        code: The organisation's pseudonymous code, e.g. ``ALT-0042``.
        site: Site (prison or community team), or None.
        cohort: Cohort, or None.
        status: One of :data:`~recoverycap.store.fields.PARTICIPANT_STATUSES`.
        release_date: The current release date (the latest recorded), or None.
        created_at: When the participant was registered (UTC).
        created_by: Who registered them.
    """

    id: str
    code: str
    site: str | None
    cohort: str | None
    status: str
    release_date: dt.date | None
    created_at: str
    created_by: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Participant:
        return cls(
            id=row["id"],
            code=row["code"],
            site=row["site"],
            cohort=row["cohort"],
            status=row["status"],
            release_date=parse_stored_date(row.get("release_date")),
            created_at=row["created_at"],
            created_by=row["created_by"],
        )


@attrs.frozen
class ReleaseDate:
    """One entry of a participant's release-date history.

    Attributes:
        id: Stable unique id.
        participant: The participant's code.
        release_date: The release date recorded (None: no longer known).
        reason: Why it was recorded or moved (e.g. ``HDC granted``).
        recorded_at: When (UTC).
        recorded_by: Who recorded it.
    """

    id: str
    participant: str
    release_date: dt.date | None
    reason: str
    recorded_at: str
    recorded_by: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ReleaseDate:
        return cls(
            id=row["id"],
            participant=row["participant"],
            release_date=parse_stored_date(row["release_date"]),
            reason=row["reason"],
            recorded_at=row["recorded_at"],
            recorded_by=row["recorded_by"],
        )


@attrs.frozen
class Worker:
    """A peer worker, known only by a pseudonymous code."""

    id: str
    code: str
    site: str | None
    role: str | None
    started: dt.date | None
    status: str
    created_at: str
    created_by: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Worker:
        return cls(
            id=row["id"],
            code=row["code"],
            site=row["site"],
            role=row["role"],
            started=parse_stored_date(row["started"]),
            status=row["status"],
            created_at=row["created_at"],
            created_by=row["created_by"],
        )


@attrs.frozen
class Programme:
    """A programme participants are enrolled in (e.g. ``ttg``, Through The Gate)."""

    id: str
    code: str
    name: str
    description: str
    active: bool

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Programme:
        return cls(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            description=row["description"],
            active=bool(row["active"]),
        )


@attrs.frozen
class Enrolment:
    """A participant's enrolment in a programme.

    Attributes:
        id: Stable unique id.
        participant: The participant's code.
        programme: The programme's code.
        started: Start date.
        ended: End date, or None while ongoing.
        outcome: ``completed``, ``not_completed`` or ``ongoing``.
        reason: Reason for non-completion, or None.
        substance_outcome: End-of-programme substance outcome, or None if none was recorded.
    """

    id: str
    participant: str
    programme: str
    started: dt.date
    ended: dt.date | None
    outcome: str
    reason: str | None
    substance_outcome: str | None
    created_at: str
    created_by: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Enrolment:
        started = parse_stored_date(row["started"])
        assert started is not None  # NOT NULL in the schema
        return cls(
            id=row["id"],
            participant=row["participant"],
            programme=row["programme"],
            started=started,
            ended=parse_stored_date(row["ended"]),
            outcome=row["outcome"],
            reason=row["reason"],
            substance_outcome=row["substance_outcome"],
            created_at=row["created_at"],
            created_by=row["created_by"],
        )


@attrs.frozen
class Activity:
    """A dated event: a gate pick-up, a recovery pack, a one-to-one, a follow-up attempt.

    Attributes:
        id: Stable unique id.
        participant: The participant's code, or None.
        kind: One of :data:`~recoverycap.store.fields.ACTIVITY_KINDS`.
        date: The date.
        result: The result (see :data:`~recoverycap.store.fields.ACTIVITY_RESULTS`), or None.
        mode: How contact was made (follow-ups, one-to-ones), or None.
        programme: The programme's code, or None.
        timepoint: The time point a follow-up attempt was for, or None.
        notes: Free-text notes (never names), or None.
    """

    id: str
    participant: str | None
    kind: str
    date: dt.date
    result: str | None
    mode: str | None
    programme: str | None
    timepoint: str | None
    notes: str | None
    recorded_at: str
    recorded_by: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Activity:
        date = parse_stored_date(row["date"])
        assert date is not None  # NOT NULL in the schema
        return cls(
            id=row["id"],
            participant=row["participant"],
            kind=row["kind"],
            date=date,
            result=row["result"],
            mode=row["mode"],
            programme=row["programme"],
            timepoint=row["timepoint"],
            notes=row["notes"],
            recorded_at=row["recorded_at"],
            recorded_by=row["recorded_by"],
        )


@attrs.frozen
class Administration:
    """One instrument given to one subject at one time point.

    Attributes:
        id: Stable unique id.
        subject_type: ``participant`` or ``worker``.
        subject: The subject's code.
        instrument: Instrument id.
        version: Instrument version (scores are computed with this version).
        timepoint: Time point, e.g. ``intake``.
        administered_at: When it was given: ``YYYY-MM-DD`` (paper) or a UTC timestamp.
        administered_by: Who gave it.
        mode: ``self``, ``read_aloud``, ``paper``, or None (imported, not known).
        status: ``in_progress``, ``complete`` or ``abandoned``.
        session: Id shared by the administrations started together (a battery), or None.
        recorded_at: When it was recorded (UTC).
        completed_at: When it was completed, or None.
        abandoned_reason: Why it was abandoned, or None.
    """

    id: str
    subject_type: str
    subject: str
    instrument: str
    version: str
    timepoint: str
    administered_at: str
    administered_by: str | None
    mode: str | None
    status: str
    session: str | None
    recorded_at: str
    completed_at: str | None
    abandoned_reason: str | None

    @property
    def key(self) -> str:
        """``instrument@version``."""
        return f"{self.instrument}@{self.version}"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Administration:
        return cls(
            id=row["id"],
            subject_type=row["subject_type"],
            subject=row["subject"],
            instrument=row["instrument"],
            version=row["version"],
            timepoint=row["timepoint"],
            administered_at=row["administered_at"],
            administered_by=row["administered_by"],
            mode=row["mode"],
            status=row["status"],
            session=row["session"],
            recorded_at=row["recorded_at"],
            completed_at=row["completed_at"],
            abandoned_reason=row["abandoned_reason"],
        )


@attrs.frozen
class StoredAlert:
    """An alert raised during an administration, and who acknowledged it.

    Attributes:
        id: Stable unique id.
        administration_id: The administration that raised it.
        alert: The alert's id in the instrument file (e.g. ``self_harm``).
        kind: The alert's kind (e.g. ``safeguarding``).
        item: The item whose answer raised it, or None (a scale alert).
        scale: The scale whose score raised it, or None (an item alert).
        value: The answer or score that raised it.
        message: What to do, from the instrument file.
        raised_at: When it was raised (UTC).
        acknowledged_by: Who acknowledged it, or None.
        acknowledged_at: When (UTC), or None.
        subject_type: ``participant`` or ``worker`` (None when read without its administration).
        subject: The participant's (or worker's) code, or None.
        instrument: The instrument's id, or None.
        timepoint: The time point, or None.
    """

    id: str
    administration_id: str
    alert: str
    kind: str
    item: str | None
    scale: str | None
    value: float | None
    message: str
    raised_at: str
    acknowledged_by: str | None
    acknowledged_at: str | None
    subject_type: str | None = None
    subject: str | None = None
    instrument: str | None = None
    timepoint: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StoredAlert:
        values: dict[str, Any] = {
            f.name: row[f.name] if f.default is attrs.NOTHING else row.get(f.name)
            for f in attrs.fields(cls)
        }
        return cls(**values)
