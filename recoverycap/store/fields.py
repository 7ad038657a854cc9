"""The allowed values of every stored field, and checking a value before it is written.

Each ``check_*`` function returns the value as it is stored (a code as given, a date as a
:class:`datetime.date`, a timestamp as UTC ISO 8601 text) or raises
:class:`~recoverycap.errors.InvalidRecord` naming the field, what is allowed and what was given.
Importers call the same functions, so a CSV cell and a Python argument are held to one rule.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from typing import Any

from ..errors import InvalidRecord, Problem

SUBJECT_TYPES = ("participant", "worker")
MODES = ("self", "read_aloud", "paper")
"""How an administration was given: completed by the person, read aloud by a worker, or entered
from a completed paper form."""
ADMINISTRATION_STATUSES = ("in_progress", "complete", "abandoned")
PARTICIPANT_STATUSES = ("active", "released", "transferred", "withdrawn", "deceased", "inactive")
WORKER_STATUSES = ("active", "left")
OUTCOMES = ("completed", "not_completed", "ongoing")
NONCOMPLETION_REASONS = (
    "released",
    "transferred",
    "withdrew",
    "removed",
    "health",
    "regime_disruption",
    "other",
)
SUBSTANCE_OUTCOMES = ("abstinent", "ost_reduced", "unchanged", "increased")
"""End-of-programme substance outcomes; ``none`` (or empty) means none was recorded."""
FOLLOWUP_RESULTS = (
    "reached",
    "no_answer",
    "declined",
    "recalled",
    "transferred",
    "deceased",
    "uncontactable",
)
ACTIVITY_RESULTS: dict[str, tuple[str, ...]] = {
    "gate_pickup": ("successful", "unsuccessful"),
    "recovery_pack": ("delivered",),
    "one_to_one": (),
    "followup_attempt": FOLLOWUP_RESULTS,
}
"""Activity kinds and the results each allows (an empty tuple: no result)."""
ACTIVITY_KINDS = tuple(ACTIVITY_RESULTS)
RESULT_REQUIRED = ("gate_pickup", "followup_attempt")
CONTACT_MODES = ("phone", "in_person", "video", "text", "letter", "email", "other")
"""How a follow-up attempt or a one-to-one was made."""
DEFAULT_PROGRAMMES = (
    ("twelve_step", "12-step in-cell programme"),
    ("behaviour_change", "Behavioural change programme"),
    ("ttg", "Through The Gate"),
)
DEFAULT_TIMEPOINTS = (
    "intake",
    "programme_end",
    "release",
    "post_release_4w",
    "post_release_12w",
    "post_release_26w",
)
"""The paper's time points; an organisation may use others (lowercase ids)."""

CODE_MAX = 32
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
PRISON_NUMBER_RE = re.compile(r"^[A-Za-z][0-9]{4}[A-Za-z]{2}$")
"""The shape of a prison (NOMIS) number, e.g. A1234BC: refused as a participant code."""
PRISON_NUMBER_IN_TEXT_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][0-9]{4}[A-Za-z]{2}(?![A-Za-z0-9])")
"""The same shape standing alone inside free text (notes): refused there too."""
NOTES_MAX = 1000
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TEXT_MAX = 200


def new_id() -> str:
    """A new stable unique record id: a random (version 4) UUID as 32 hex digits.

    The same as ``uuid.uuid4().hex``, made without building a UUID object (imports make millions).
    """
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


class IdPool:
    """Many new ids quickly (bulk imports): the same random (version 4) UUIDs as :func:`new_id`,
    cut from one read of randomness per 4,096 ids."""

    BATCH = 4096

    def __init__(self) -> None:
        self._hex = ""
        self._at = 0

    def next(self) -> str:
        at = self._at
        if at >= len(self._hex):
            self._hex, at = os.urandom(16 * self.BATCH).hex(), 0
        h = self._hex
        self._at = at + 32
        # version nibble 4; variant bits 10 (one of 8, 9, a, b)
        return (
            h[at : at + 12]
            + "4"
            + h[at + 13 : at + 16]
            + _VARIANT[h[at + 16]]
            + h[at + 17 : at + 32]
        )


def now() -> str:
    """The current time in UTC as ISO 8601 with microseconds, e.g. 2025-03-31T09:15:02.123456+00:00."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def invalid(field: str, message: str, where: str = "") -> InvalidRecord:
    return InvalidRecord(f"invalid {field}", [Problem(where, field, message)])


def one_of(field: str, value: Any, allowed: Sequence[str], where: str = "") -> str:
    """``value`` if it is one of ``allowed``, else InvalidRecord listing them."""
    if isinstance(value, str) and value in allowed:
        return value
    raise invalid(field, f"{value!r} is not one of {', '.join(allowed)}", where)


def check_code(value: Any, field: str = "participant", where: str = "") -> str:
    """A pseudonymous code: letters, digits, ``-`` and ``_``, at most 32 characters.

    Names (anything with a space) and prison numbers (A1234BC) are refused with a reminder that
    only pseudonymous codes may be stored.
    """
    if not isinstance(value, str) or not value.strip():
        raise invalid(
            field,
            f"a code is required (letters, digits, '-' and '_', e.g. ALT-0042); got {value!r}",
            where,
        )
    code = value.strip()
    if any(ch.isspace() for ch in code):
        raise invalid(
            field,
            f"{code!r} has a space in it and looks like a name; use the organisation's "
            "pseudonymous code (letters, digits, '-' and '_', e.g. ALT-0042), never a name",
            where,
        )
    if len(code) > CODE_MAX:
        raise invalid(
            field, f"{code!r} is {len(code)} characters long; at most {CODE_MAX} are allowed", where
        )
    if not CODE_RE.match(code):
        raise invalid(
            field,
            f"{code!r} is not a code: use letters, digits, '-' and '_' (e.g. ALT-0042)",
            where,
        )
    if PRISON_NUMBER_RE.match(code):
        raise invalid(
            field,
            f"{code!r} looks like a prison number; use the organisation's pseudonymous code "
            "(e.g. ALT-0042): prison numbers must never be stored",
            where,
        )
    return code


def check_id(value: Any, field: str, where: str = "") -> str:
    """A lowercase id (time points, programmes): lowercase letters, digits and ``_``."""
    if isinstance(value, str) and ID_RE.match(value.strip()) and len(value.strip()) <= 64:
        return value.strip()
    raise invalid(
        field,
        f"{value!r} is not an id: use lowercase letters, digits and '_' (e.g. post_release_4w)",
        where,
    )


def check_text(
    value: Any, field: str, where: str = "", required: bool = False, max_len: int = TEXT_MAX
) -> str | None:
    """Optional short free text (site, cohort, role, reason); empty becomes None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise invalid(field, "a value is required", where)
        return None
    if not isinstance(value, str):
        raise invalid(field, f"must be text; got {value!r}", where)
    text = value.strip()
    if len(text) > max_len:
        raise invalid(
            field, f"is {len(text)} characters long; at most {max_len} are allowed", where
        )
    check_encodable(text, field, where)
    return text


def check_notes(value: Any, field: str = "notes", where: str = "") -> str | None:
    """Optional free-text notes (at most :data:`NOTES_MAX` characters); empty becomes None.

    Notes are read by everyone who reads the records, so anything in them shaped like a prison
    (NOMIS) number (one letter, four digits, two letters, e.g. A1234BC), the same shape
    :func:`check_code` refuses as a code, is refused with the reason.
    """
    text = check_text(value, field, where, max_len=NOTES_MAX)
    if text is not None:
        found = PRISON_NUMBER_IN_TEXT_RE.search(text)
        if found is not None:
            raise invalid(
                field,
                f"{found.group()!r} (character {found.start() + 1}) looks like a prison number "
                "(one letter, four digits, two letters, e.g. A1234BC); prison numbers and names "
                "must never be stored: refer to people by their pseudonymous code (e.g. ALT-0042)",
                where,
            )
    return text


def check_encodable(text: str, field: str, where: str = "") -> str:
    """Refuse text that cannot be stored as UTF-8 (lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(
            field, "contains characters that cannot be stored (not valid Unicode text)", where
        ) from None
    return text


DATE_HINT = "give it as YYYY-MM-DD, e.g. 2025-03-31"


def iso_date(value: Any, *, time_ok: bool = False) -> dt.date | None:
    """A calendar date from a ``date`` or ISO 8601 text ``YYYY-MM-DD``; None for None or blank.

    The one date parser: :func:`check_date` (stored fields and import cells),
    :func:`recoverycap.schedule.parse_date` (schedule rules and command options) and the analysis
    date filters all call it, and add the field's name and their error class.

    Args:
        value: A ``date``, or text.
        time_ok: Also take a ``datetime``, or the text of a timestamp (``YYYY-MM-DDTHH:MM...``,
            as ``administered_at`` is stored), as its date part.

    Raises:
        ValueError: saying what was given and what is allowed.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        if time_ok:
            return value.date()
        raise ValueError(f"give a date without a time (YYYY-MM-DD); got {value.isoformat()}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if time_ok and len(text) > 10 and text[10] in "T ":
            text = text[:10]
        if DATE_RE.match(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
    raise ValueError(f"{value!r} is not a date; {DATE_HINT}")


def check_date(value: Any, field: str, where: str = "", required: bool = True) -> dt.date | None:
    """A calendar date: a ``date`` or ISO 8601 text ``YYYY-MM-DD`` (see :func:`iso_date`)."""
    try:
        day = iso_date(value)
    except ValueError as exc:
        raise invalid(field, str(exc), where) from None
    if day is None and required:
        raise invalid(field, "a date is required (YYYY-MM-DD, e.g. 2025-03-31)", where)
    return day


def check_not_future(
    day: dt.date, field: str, what: str, where: str = "", today: dt.date | None = None
) -> dt.date:
    """``day`` if it is not after today (this computer's date), else InvalidRecord in the words
    follow-ups use: "the date 2030-01-01 is in the future; record ... once it has happened".

    Args:
        day: The date.
        field: The field's name, for the message.
        what: What is being recorded, e.g. ``an activity``.
        where: The file and row, if any.
        today: Today (default: this computer's date).
    """
    if day > (today or dt.date.today()):
        raise invalid(
            field,
            f"the date {day.isoformat()} is in the future; record {what} once it has happened",
            where,
        )
    return day


def check_when(value: Any, field: str = "administered_at", where: str = "") -> str:
    """When something happened, as stored: ``YYYY-MM-DD`` for a date, else UTC ISO 8601.

    A date-time with an offset (or ``Z``) is converted to UTC; one without an offset is taken as
    local time on this computer and converted to UTC.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value.isoformat()
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if DATE_RE.match(text):
            return check_date(text, field, where).isoformat()  # type: ignore[union-attr]
        if len(text) < 16 or text[10] not in "T ":
            raise invalid(
                field,
                f"{value!r} is not an ISO 8601 date or date-time (e.g. 2025-03-31 or 2025-03-31T14:05:00+01:00)",
                where,
            )
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise invalid(
                field,
                f"{value!r} is not an ISO 8601 date or date-time (e.g. 2025-03-31 or 2025-03-31T14:05:00+01:00)",
                where,
            ) from None
    else:
        raise invalid(field, f"a date or date-time is required (ISO 8601); got {value!r}", where)
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def date_text(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_stored_date(value: Any) -> dt.date | None:
    """A stored ``YYYY-MM-DD`` as a date (None stays None)."""
    return dt.date.fromisoformat(value) if value else None


def check_substance_outcome(value: Any, where: str = "") -> str | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    return one_of(
        "substance_outcome",
        value.strip() if isinstance(value, str) else value,
        (*SUBSTANCE_OUTCOMES, "none"),
        where,
    )


def check_enrolment(
    started: dt.date, ended: dt.date | None, outcome: Any, reason: Any, where: str = ""
) -> tuple[str, str | None]:
    """The outcome and reason of an enrolment, checked together with its dates.

    A reason is required when, and only when, the outcome is ``not_completed`` (the reasons
    people leave a programme are part of its evaluation, so a blank one is refused).
    """
    outcome = one_of("outcome", outcome, OUTCOMES, where)
    if reason is not None and not (isinstance(reason, str) and not reason.strip()):
        reason = one_of(
            "reason",
            reason.strip() if isinstance(reason, str) else reason,
            NONCOMPLETION_REASONS,
            where,
        )
        if outcome != "not_completed":
            raise invalid(
                "reason",
                f"a reason for non-completion is only given when the outcome is not_completed; the outcome is {outcome}",
                where,
            )
    else:
        reason = None
        if outcome == "not_completed":
            raise invalid(
                "reason",
                "an enrolment that was not completed needs a reason for non-completion: one of "
                f"{', '.join(NONCOMPLETION_REASONS)}",
                where,
            )
    if ended is not None and ended < started:
        raise invalid(
            "ended", f"{ended.isoformat()} is before the start, {started.isoformat()}", where
        )
    if outcome != "ongoing" and ended is None:
        raise invalid(
            "ended", f"an enrolment with outcome {outcome} needs the date it ended", where
        )
    if outcome == "ongoing" and ended is not None:
        raise invalid(
            "outcome",
            f"the enrolment ended on {ended.isoformat()}, so its outcome cannot be ongoing; give completed or not_completed",
            where,
        )
    return outcome, reason


def check_activity(
    kind: Any, result: Any, mode: Any, where: str = ""
) -> tuple[str, str | None, str | None]:
    """The kind, result and mode of an activity, checked together."""
    kind = one_of("activity", kind, ACTIVITY_KINDS, where)
    allowed = ACTIVITY_RESULTS[kind]
    if result is None or (isinstance(result, str) and not result.strip()):
        if kind in RESULT_REQUIRED:
            raise invalid("result", f"a {kind} needs a result: one of {', '.join(allowed)}", where)
        result = allowed[0] if len(allowed) == 1 else None
    elif not allowed:
        raise invalid("result", f"a {kind} has no result; got {result!r}", where)
    else:
        result = one_of(
            "result", result.strip() if isinstance(result, str) else result, allowed, where
        )
    if mode is None or (isinstance(mode, str) and not mode.strip()):
        mode = None
    else:
        mode = one_of("mode", mode.strip() if isinstance(mode, str) else mode, CONTACT_MODES, where)
    return kind, result, mode
