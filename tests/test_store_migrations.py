"""Schema versions: a database of the first schema opens with this code; upgrades back up first,
run in one transaction and roll back on failure; a database from a newer recoverycap is refused."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from recoverycap import Library
from recoverycap.errors import SchemaVersionError
from recoverycap.store import MIGRATIONS, SCHEMA_VERSION, Store
from recoverycap.store.db import connect
from recoverycap.store.migrations import Migration, upgrade

pytest_plugins = ["store_fixtures"]

NEXT = SCHEMA_VERSION + 1
"""The version of a made-up next step, for the tests of upgrading itself."""

# The first schema (version 1) exactly as released, frozen here so that an edit to
# recoverycap/store/schema.py.V1 (which must never change once released) fails these tests.
FROZEN_V1 = """
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


def build_v1(path: Path) -> None:
    """A version-1 database made by hand (no recoverycap code), with a little data in it."""
    conn = sqlite3.connect(path)
    conn.executescript(FROZEN_V1)
    conn.executescript(
        """
        INSERT INTO meta VALUES ('schema_version', '1'), ('database_id', '0123456789abcdef0123456789abcdef');
        INSERT INTO programmes (id, code, name, created_at, created_by)
            VALUES ('4a0f2c8e3b5d4e6f8a9b0c1d2e3f4a5b', 'ttg', 'Through The Gate', '2025-01-01T00:00:00.000000+00:00', 'hand');
        INSERT INTO participants (id, code, site, status, created_at, created_by)
            VALUES ('5b1e3d9f4c6e4f708b1c2d3e4f5a6b7c', 'ALT-0001', 'HMP A', 'active', '2025-01-01T00:00:00.000000+00:00', 'hand');
        INSERT INTO release_dates (id, participant_id, release_date, reason, recorded_at, recorded_by)
            VALUES ('6c2f4e0a5d7f4a819c2d3e4f5a6b7c8d', '5b1e3d9f4c6e4f708b1c2d3e4f5a6b7c', '2025-06-01', 'hand', '2025-01-01T00:00:00.000000+00:00', 'hand');
        INSERT INTO administrations (id, subject_type, participant_id, instrument, version, timepoint, administered_at,
            mode, status, recorded_at, recorded_by)
            VALUES ('7d3a5f1b6e8a4b92ad3e4f5a6b7c8d9e', 'participant', '5b1e3d9f4c6e4f708b1c2d3e4f5a6b7c', 'tiny', '1',
                    'intake', '2025-01-02', 'paper', 'in_progress', '2025-01-02T00:00:00.000000+00:00', 'hand');
        INSERT INTO answers (administration_id, item, id, value, missing_reason, answered_at)
            VALUES ('7d3a5f1b6e8a4b92ad3e4f5a6b7c8d9e', 'a1', '8e4b6a2c7f9b4ca3be4f5a6b7c8d9e0f', 2, NULL, '2025-01-02T00:00:00.000000+00:00'),
                   ('7d3a5f1b6e8a4b92ad3e4f5a6b7c8d9e', 'a2', '9f5c7b3d8a0c4db4cf5a6b7c8d9e0f1a', NULL, 'declined', '2025-01-02T00:00:00.000000+00:00');
        """
    )
    conn.commit()
    conn.close()


def schema_of(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return sorted(
        (name, " ".join(sql.split()))
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_first_schema_database_opens_with_the_current_code(tmp_path: Path, lib: Library) -> None:
    """A version-1 database built by hand opens; its records read back; an unfinished administration
    resumes and completes; its schema matches a new database's after any upgrade."""
    path = tmp_path / "old.db"
    build_v1(path)
    with Store.open(path, library=lib, actor="tester") as store:
        assert store.schema_version == SCHEMA_VERSION
        person = store.participant("ALT-0001")
        assert (person.site, str(person.release_date)) == ("HMP A", "2025-06-01")
        [adm] = store.in_progress("ALT-0001")
        assert store.answers(adm.id)["a1"] == 2
        store.record_answer(adm.id, "a3", 4)
        sheet = store.complete_administration(adm.id)
        assert sheet["strain"].answered == 2  # a1 and a3 (a2 was declined)
        upgraded = schema_of(store.conn)
    with Store.open(tmp_path / "new.db", library=lib) as fresh:
        assert upgraded == schema_of(fresh.conn)


def test_the_frozen_first_schema_is_the_released_one() -> None:
    """schema.V1 has not been edited since release (add a migration step instead)."""
    from recoverycap.store.schema import V1

    assert " ".join(V1.split()) == " ".join(FROZEN_V1.split())
    assert MIGRATIONS[0].version == 1 and MIGRATIONS[0].sql == V1


def test_an_upgrade_backs_up_first_then_upgrades_in_one_transaction(
    tmp_path: Path, lib: Library
) -> None:
    """Opening an older database copies it to <name>.v<old>.bak (0600, checked) and applies the
    later steps, recording the new version and an audit entry."""
    path = tmp_path / "old.db"
    build_v1(path)
    step2 = Migration(
        NEXT,
        "participants get a preferred contact mode",
        "ALTER TABLE participants ADD COLUMN contact TEXT;",
    )
    conn = connect(path)
    found, now, backup = upgrade(conn, path, "tester", steps=(*MIGRATIONS, step2))
    assert (found, now) == (1, NEXT)
    assert backup == tmp_path / "old.db.v1.bak"
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
        NEXT
    )
    assert "contact" in [r[1] for r in conn.execute("PRAGMA table_info(participants)")]
    entry = conn.execute(
        "SELECT action, old_value, new_value FROM audit_log WHERE action = 'migrate'"
    ).fetchall()
    assert entry == [("migrate", "1", str(NEXT))]
    conn.close()
    old = sqlite3.connect(backup)
    assert old.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
    assert old.execute("SELECT code FROM participants").fetchall() == [("ALT-0001",)]
    assert "contact" not in [r[1] for r in old.execute("PRAGMA table_info(participants)")]
    old.close()
    # a second upgrade from the same version never overwrites the first backup
    build_v1(tmp_path / "again.db")
    (tmp_path / "again.db.v1.bak").write_text("an earlier backup")
    conn = connect(tmp_path / "again.db")
    _, _, second = upgrade(conn, tmp_path / "again.db", "tester", steps=(*MIGRATIONS, step2))
    conn.close()
    assert second != tmp_path / "again.db.v1.bak" and second is not None and second.exists()
    assert (tmp_path / "again.db.v1.bak").read_text() == "an earlier backup"


def test_a_failing_step_changes_nothing(tmp_path: Path) -> None:
    """A step that fails rolls back every step; the version stays; the message names the step."""
    path = tmp_path / "old.db"
    build_v1(path)
    bad = Migration(
        NEXT,
        "a broken step",
        "ALTER TABLE participants ADD COLUMN contact TEXT;\nCREATE TABLE participants (x TEXT);",
    )
    conn = connect(path)
    with pytest.raises(
        SchemaVersionError,
        match=f"schema version {NEXT} \\(a broken step\\) failed.*Nothing was changed",
    ):
        upgrade(conn, path, "tester", steps=(*MIGRATIONS, bad))
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
    assert "contact" not in [r[1] for r in conn.execute("PRAGMA table_info(participants)")]
    assert not conn.in_transaction
    conn.close()


def test_a_newer_database_is_refused_untouched(tmp_path: Path, lib: Library) -> None:
    """A database written by a newer recoverycap is refused with a clear message, byte for byte
    unchanged."""
    path = tmp_path / "future.db"
    build_v1(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(
        SchemaVersionError, match="written by a newer recoverycap \\(schema version 99"
    ):
        Store.open(path, library=lib)
    assert digest(path) == before


def test_programs_opening_a_new_database_at_once_create_it_once(tmp_path: Path) -> None:
    """Three programs opening the same new file at the same moment: one schema, seeded once."""
    path = tmp_path / "shared.db"
    code = "import sys; from recoverycap.store import Store; Store.open(sys.argv[1]).close()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM programmes").fetchone()[0] == 3
    assert (
        conn.execute("SELECT count(*) FROM audit_log WHERE action = 'migrate'").fetchone()[0] == 1
    )
    conn.close()


def test_upgrade_logs_alerts_stored_without_an_audit_entry(tmp_path: Path, lib: Library) -> None:
    """Schema 2: an alert that recoverycap 0.1.0 stored without an audit entry is logged on the
    upgrade, once, in the name of whoever gave the questionnaire, at the moment it was raised;
    an alert that was logged already is not logged again."""
    path = tmp_path / "old.db"
    build_v1(path)
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        UPDATE administrations SET administered_by = 'PW-03';
        INSERT INTO alerts (id, administration_id, alert, kind, item, value, message, raised_at)
            VALUES ('0a1b2c3d4e5f40718293a4b5c6d7e8f9', '7d3a5f1b6e8a4b92ad3e4f5a6b7c8d9e', 'a1_always',
                    'safeguarding', 'a1', 1, 'Tell the duty manager.', '2025-01-02T00:00:01.000000+00:00'),
                   ('1b2c3d4e5f6a40718293a4b5c6d7e8f9', '7d3a5f1b6e8a4b92ad3e4f5a6b7c8d9e', 'logged',
                    'safeguarding', 'a2', 2, 'Logged already.', '2025-01-02T00:00:02.000000+00:00');
        INSERT INTO audit_log (id, at, actor, action, table_name, record_id)
            VALUES ('f0e1d2c3b4a5469788796a5b4c3d2e1f', '2025-01-02T00:00:02.000000+00:00', 'PW-03', 'insert',
                    'alerts', '1b2c3d4e5f6a40718293a4b5c6d7e8f9');
        """
    )
    conn.commit()
    conn.close()
    for _ in range(2):  # opening again (already upgraded) adds nothing
        with Store.open(path, library=lib, actor="manager") as store:
            entries = store.audit_log(table="alerts")
    assert [e.record_id for e in entries] == [
        "1b2c3d4e5f6a40718293a4b5c6d7e8f9",
        "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
    ]
    added = entries[1]
    assert (added.actor, added.at, added.action) == (
        "PW-03",
        "2025-01-02T00:00:01.000000+00:00",
        "insert",
    )
    assert added.new_value["alert"] == "a1_always" and added.new_value["value"] == 1
    assert "upgrade to schema version 2" in (added.reason or "")
