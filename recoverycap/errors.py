"""Every exception recoverycap raises on purpose.

Each error names the thing, what is allowed and what was received, so the CLI can show it to a
person as it is. Specific errors also subclass the matching builtin, as attrs does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs


class RecoveryCapError(Exception):
    """Base class for every error recoverycap raises on purpose."""


@attrs.frozen
class Problem:
    """One problem found in a file, a row or an answer.

    Attributes:
        where: The file, row or instrument the problem is in, e.g. ``responses.csv row 12``.
        field: The column, item or scale id, or ``""``.
        message: What is wrong and what is allowed.
    """

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.field) if p]
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class ProblemsError(RecoveryCapError, ValueError):
    """Raised when validation finds one or more problems; carries all of them."""

    def __init__(self, summary: str, problems: Iterable[Problem]):
        self.problems: Sequence[Problem] = tuple(problems)
        self.summary = summary
        lines = [summary] + [f"  - {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            lines.append(f"  ... and {len(self.problems) - 200} more")
        super().__init__("\n".join(lines))


class InstrumentError(ProblemsError):
    """An instrument file is not valid (the linter's problems)."""


class UnknownInstrument(RecoveryCapError, KeyError):
    """No instrument has the requested id."""

    def __init__(self, wanted: str, known: Iterable[str]):
        self.wanted = wanted
        self.known = sorted(known)
        super().__init__(wanted)

    def __str__(self) -> str:
        known = ", ".join(self.known) or "none"
        return f"no instrument with id {self.wanted!r}; known instruments: {known}"


class UnknownBattery(UnknownInstrument):
    """No battery has the requested id."""

    def __str__(self) -> str:
        known = ", ".join(self.known) or "none"
        return f"no battery with id {self.wanted!r}; known batteries: {known}"


class InvalidResponse(ProblemsError):
    """One or more answers are not allowed by the instrument."""


class WordingNotAvailable(RecoveryCapError, LookupError):
    """A licensed instrument's wording has not been supplied locally."""


class StoreError(RecoveryCapError):
    """The database refused an operation or is not what recoverycap expects."""


class NotFound(StoreError, LookupError):
    """A participant, worker, administration or other record does not exist."""


class ImportProblems(ProblemsError):
    """An import file has invalid rows; nothing was written."""


class ConfigError(ProblemsError):
    """The configuration file is not valid."""


class ScheduleError(RecoveryCapError, ValueError):
    """A schedule definition or schedule query is not valid."""


class SuppressedError(RecoveryCapError):
    """A result would describe a group too small to report without identifying someone."""


class AnalysisError(RecoveryCapError, ValueError):
    """An analysis was asked for something the data or arguments cannot give (a missing column,
    an unknown time point, no reliability to use for reliable change)."""


class RecoveryCapWarning(UserWarning):
    """Degenerate but legal data (one time point, fewer than three pairs, zero variance) or a
    model that needed a simpler fallback: the result holds NaN or a note instead of a crash."""


class InvalidRecord(ProblemsError):
    """A participant, worker, enrolment, activity or other record has a value that is not
    allowed (e.g. a participant code with a space in it); nothing was written."""


class SchemaVersionError(StoreError):
    """The database's schema cannot be used by this recoverycap (written by a newer version, not
    a recoverycap database, or a migration step failed and was rolled back)."""


class BackupError(StoreError):
    """A backup or restore could not be made or failed its check; the original is untouched."""


class SessionError(RecoveryCapError, ValueError):
    """A survey session was asked to do something it cannot do now (e.g. finish with items
    unanswered) or was set up with instruments that cannot be given to this subject."""


class ScheduleFileError(ProblemsError, ScheduleError):
    """A schedule definition has problems; carries every one of them."""


class WellbeingError(RecoveryCapError, ValueError):
    """A wellbeing check or summary was asked for something it cannot do."""
