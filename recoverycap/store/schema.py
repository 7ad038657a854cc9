"""The database schema, as SQL, one frozen script per schema version.

Design rules, for the whole product (see docs/architecture.md):

- Every record has a stable unique id, ``id``: a uuid4 as 32 hex digits, made on the computer
  that recorded it, so databases from several laptops can later be merged without clashes.
  Natural keys (a participant's code; an administration's subject, instrument, time point and
  date; an answer's administration and item) are unique too, so merges and re-imports can match.
- Timestamps (``*_at``) are ISO 8601 in UTC with microseconds; calendar dates (release date,
  enrolment start, activity date) are ``YYYY-MM-DD``. Both sort correctly as text.
- Closed lists fixed by the mission (statuses, outcomes, reasons, modes) are CHECK constraints, so
  no tool can store a value recoverycap would not; open lists (time points, programmes, activity
  kinds, participant status) are checked in :mod:`recoverycap.store.fields`.
- ``answers.value`` has no declared type, so SQLite keeps what it is given: a code stays an
  integer, a number a real, free text text. An answer has a value or a missing reason, never both.
- ``audit_log`` is append-only: triggers refuse UPDATE and DELETE on it.
- ``import_id`` links a record to the import that created it (``imports``).

Never edit a released script: add a step to :data:`recoverycap.store.migrations.MIGRATIONS`.
"""

from __future__ import annotations

V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('participants', 'enrolments', 'activities', 'responses')),
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE COLLATE NOCASE,
    site TEXT,
    cohort TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    import_id TEXT REFERENCES imports(id)
);
CREATE INDEX participants_site ON participants(site, cohort);

CREATE TABLE release_dates (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    participant_id TEXT NOT NULL REFERENCES participants(id),
    release_date TEXT,
    reason TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    import_id TEXT REFERENCES imports(id)
);
CREATE INDEX release_dates_participant ON release_dates(participant_id, recorded_at, seq);

CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE COLLATE NOCASE,
    site TEXT,
    role TEXT,
    started TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE enrolments (
    id TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants(id),
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT NOT NULL DEFAULT 'ongoing'
        CHECK (outcome IN ('completed', 'not_completed', 'ongoing')),
    reason TEXT CHECK (reason IS NULL OR reason IN
        ('released', 'transferred', 'withdrew', 'removed', 'health', 'regime_disruption', 'other')),
    substance_outcome TEXT CHECK (substance_outcome IS NULL OR substance_outcome IN
        ('abstinent', 'ost_reduced', 'unchanged', 'increased')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    import_id TEXT REFERENCES imports(id),
    UNIQUE (participant_id, programme_id, started),
    CHECK (ended IS NULL OR ended >= started),
    CHECK (reason IS NULL OR outcome = 'not_completed')
);
CREATE INDEX enrolments_programme ON enrolments(programme_id, started);

CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    participant_id TEXT REFERENCES participants(id),
    programme_id TEXT REFERENCES programmes(id),
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    result TEXT,
    mode TEXT,
    timepoint TEXT,
    notes TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    import_id TEXT REFERENCES imports(id),
    import_key TEXT UNIQUE
);
CREATE INDEX activities_participant ON activities(participant_id, date);
CREATE INDEX activities_kind ON activities(kind, date);

CREATE TABLE administrations (
    id TEXT PRIMARY KEY,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('participant', 'worker')),
    participant_id TEXT REFERENCES participants(id),
    worker_id TEXT REFERENCES workers(id),
    instrument TEXT NOT NULL,
    version TEXT NOT NULL,
    timepoint TEXT NOT NULL,
    administered_at TEXT NOT NULL,
    administered_by TEXT,
    mode TEXT CHECK (mode IS NULL OR mode IN ('self', 'read_aloud', 'paper')),
    status TEXT NOT NULL DEFAULT 'in_progress'
        CHECK (status IN ('in_progress', 'complete', 'abandoned')),
    session TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    completed_at TEXT,
    abandoned_reason TEXT,
    import_id TEXT REFERENCES imports(id),
    CHECK ((subject_type = 'participant' AND participant_id IS NOT NULL AND worker_id IS NULL)
        OR (subject_type = 'worker' AND worker_id IS NOT NULL AND participant_id IS NULL))
);
CREATE INDEX administrations_participant ON administrations(participant_id, instrument, timepoint);
CREATE INDEX administrations_worker ON administrations(worker_id);
CREATE INDEX administrations_status ON administrations(status);
CREATE UNIQUE INDEX administrations_natural ON administrations(
    subject_type, coalesce(participant_id, worker_id), instrument, timepoint, administered_at
) WHERE status != 'abandoned';

CREATE TABLE answers (
    administration_id TEXT NOT NULL REFERENCES administrations(id),
    item TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    value,
    missing_reason TEXT CHECK (missing_reason IS NULL OR missing_reason IN
        ('declined', 'dont_know', 'not_applicable', 'not_asked')),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (administration_id, item),
    CHECK ((value IS NULL) != (missing_reason IS NULL))
) WITHOUT ROWID;

CREATE TABLE scores (
    administration_id TEXT NOT NULL REFERENCES administrations(id),
    scale TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    raw REAL,
    score REAL,
    band TEXT,
    answered INTEGER NOT NULL,
    n_items INTEGER NOT NULL,
    prorated INTEGER NOT NULL CHECK (prorated IN (0, 1)),
    computed_at TEXT NOT NULL,
    PRIMARY KEY (administration_id, scale)
) WITHOUT ROWID;

CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    administration_id TEXT NOT NULL REFERENCES administrations(id),
    alert TEXT NOT NULL,
    kind TEXT NOT NULL,
    item TEXT,
    scale TEXT,
    value REAL,
    message TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    UNIQUE (administration_id, alert)
);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL
        CHECK (action IN ('insert', 'update', 'correct', 'delete', 'import', 'migrate', 'restore')),
    table_name TEXT NOT NULL,
    record_id TEXT,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    reason TEXT
);
CREATE INDEX audit_log_record ON audit_log(table_name, record_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is refused');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is refused');
END;
"""
"""Schema version 1: the first schema, for the whole mission."""

DATA_TABLES = (
    "imports",
    "participants",
    "release_dates",
    "workers",
    "programmes",
    "enrolments",
    "activities",
    "administrations",
    "answers",
    "scores",
    "alerts",
    "audit_log",
)
"""Every table holding records (all but ``meta``), parents before children."""


def statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (trigger bodies stay whole)."""
    import sqlite3

    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out
