"""Storage: everything recorded, in one SQLite file, through one object, :class:`Store`.

``Store.open(path)`` opens (or creates, 0600; ``create=False`` refuses a missing file) a
database; its methods register participants and
workers, record release dates, enrolments and activities, run administrations answer by answer,
read scores as DataFrames, import and export files and make checked backups. Module by concept:

- :mod:`~recoverycap.store.db`: the Store and how the database is opened;
- :mod:`~recoverycap.store.schema`, :mod:`~recoverycap.store.migrations`: tables and upgrades;
- :mod:`~recoverycap.store.fields`: the allowed values of every field;
- :mod:`~recoverycap.store.models`: the records returned;
- :mod:`~recoverycap.store.participants`, :mod:`~recoverycap.store.workers`,
  :mod:`~recoverycap.store.programmes`, :mod:`~recoverycap.store.activities`,
  :mod:`~recoverycap.store.administrations`: the records;
- :mod:`~recoverycap.store.audit`: the append-only audit log;
- :mod:`~recoverycap.store.frames`, :mod:`~recoverycap.store.imports` (with
  :mod:`~recoverycap.store.import_base` and :mod:`~recoverycap.store.import_responses`),
  :mod:`~recoverycap.store.exports`, :mod:`~recoverycap.store.backup` (with
  :mod:`~recoverycap.store.files`: never replacing a file unless asked): data in and out.

Importing this package loads nothing until a name is used, and never pandas (frames and
exports import it when called).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - the names below load on first use
    from .audit import AuditEntry
    from .backup import BackupReport, RestoreReport, restore
    from .db import Store, connect
    from .exports import ExportReport
    from .fields import (
        ACTIVITY_KINDS,
        ACTIVITY_RESULTS,
        CONTACT_MODES,
        DEFAULT_PROGRAMMES,
        DEFAULT_TIMEPOINTS,
        FOLLOWUP_RESULTS,
        MODES,
        NONCOMPLETION_REASONS,
        OUTCOMES,
        PARTICIPANT_STATUSES,
        SUBSTANCE_OUTCOMES,
    )
    from .imports import ImportReport
    from .migrations import MIGRATIONS, SCHEMA_VERSION
    from .models import (
        Activity,
        Administration,
        Enrolment,
        Participant,
        Programme,
        ReleaseDate,
        StoredAlert,
        Worker,
    )

_WHERE = {
    "AuditEntry": "audit",
    "BackupReport": "backup",
    "RestoreReport": "backup",
    "restore": "backup",
    "Store": "db",
    "connect": "db",
    "ExportReport": "exports",
    "ImportReport": "imports",
    "MIGRATIONS": "migrations",
    "SCHEMA_VERSION": "migrations",
    **dict.fromkeys(
        (
            "ACTIVITY_KINDS",
            "ACTIVITY_RESULTS",
            "CONTACT_MODES",
            "DEFAULT_PROGRAMMES",
            "DEFAULT_TIMEPOINTS",
            "FOLLOWUP_RESULTS",
            "MODES",
            "NONCOMPLETION_REASONS",
            "OUTCOMES",
            "PARTICIPANT_STATUSES",
            "SUBSTANCE_OUTCOMES",
        ),
        "fields",
    ),
    **dict.fromkeys(
        (
            "Activity",
            "Administration",
            "Enrolment",
            "Participant",
            "Programme",
            "ReleaseDate",
            "StoredAlert",
            "Worker",
        ),
        "models",
    ),
}


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that reading the allowed values (recoverycap.store.fields) for the
    # command line's choices does not load the whole store.
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'recoverycap.store' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ACTIVITY_KINDS",
    "ACTIVITY_RESULTS",
    "CONTACT_MODES",
    "DEFAULT_PROGRAMMES",
    "DEFAULT_TIMEPOINTS",
    "FOLLOWUP_RESULTS",
    "MIGRATIONS",
    "MODES",
    "NONCOMPLETION_REASONS",
    "OUTCOMES",
    "PARTICIPANT_STATUSES",
    "SCHEMA_VERSION",
    "SUBSTANCE_OUTCOMES",
    "Activity",
    "Administration",
    "AuditEntry",
    "BackupReport",
    "Enrolment",
    "ExportReport",
    "ImportReport",
    "Participant",
    "Programme",
    "ReleaseDate",
    "RestoreReport",
    "Store",
    "StoredAlert",
    "Worker",
    "connect",
    "restore",
]
