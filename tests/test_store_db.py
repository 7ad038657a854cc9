"""Opening the store: files owner-only, SQLite settings, the schema, refusing what it cannot use."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from recoverycap import Library
from recoverycap.errors import SchemaVersionError, StoreError
from recoverycap.store import SCHEMA_VERSION, Store
from recoverycap.store.schema import DATA_TABLES

pytest_plugins = ["store_fixtures"]

UTC_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$")


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_database_and_its_wal_files_are_owner_only(db_path: Path, lib: Library) -> None:
    """The database and its -wal and -shm files are created 0600, whatever the umask."""
    old = os.umask(0o022)
    try:
        with Store.open(db_path, library=lib) as store:
            store.add_participant("ALT-0001")
            for suffix in ("", "-wal", "-shm"):
                assert mode(f"{db_path}{suffix}") == 0o600, suffix
    finally:
        os.umask(old)


def test_existing_database_is_tightened_to_owner_only(db_path: Path, lib: Library) -> None:
    """A database left readable by others is made 0600 when opened."""
    Store.open(db_path, library=lib).close()
    os.chmod(db_path, 0o644)
    Store.open(db_path, library=lib).close()
    assert mode(db_path) == 0o600


def test_settings(file_store: Store) -> None:
    """WAL, foreign keys on, a 30 s busy timeout and synchronous=FULL (2)."""
    conn = file_store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_schema_tables_version_and_seeded_programmes(mem_store: Store) -> None:
    """Every table exists, the schema version is recorded, the three default programmes are there."""
    tables = {
        r[0] for r in mem_store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert set(DATA_TABLES) | {"meta"} <= tables
    assert mem_store.schema_version == SCHEMA_VERSION
    assert mem_store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [p.code for p in mem_store.programmes()] == ["behaviour_change", "ttg", "twelve_step"]
    assert uuid.UUID(hex=mem_store.database_id).version == 4


def test_every_record_has_a_uuid4_id_and_utc_timestamps(mem_store: Store) -> None:
    """Ids are uuid4 hex (32 digits); *_at timestamps are ISO 8601 in UTC."""
    p = mem_store.add_participant("ALT-0001", release_date="2025-01-02")
    adm = mem_store.start_administration("ALT-0001", "tiny", "intake")
    mem_store.record_answer(adm.id, "a1", 2)
    mem_store.complete_administration(adm.id)
    for table in DATA_TABLES:
        if table == "imports":
            continue
        for (record_id,) in mem_store.conn.execute(f"SELECT id FROM {table}"):
            parsed = uuid.UUID(hex=record_id)
            assert parsed.hex == record_id and parsed.version == 4, (table, record_id)
    assert UTC_STAMP.match(p.created_at)
    assert UTC_STAMP.match(adm.administered_at)
    for (stamp,) in mem_store.conn.execute("SELECT at FROM audit_log"):
        assert UTC_STAMP.match(stamp)


def test_foreign_keys_are_enforced(mem_store: Store) -> None:
    """An answer for an administration that does not exist is refused by the database."""
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), mem_store.transaction():
        mem_store.conn.execute(
            "INSERT INTO answers (administration_id, item, id, value, answered_at) VALUES ('nope', 'a1', 'x', 1, 'now')"
        )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "INSERT INTO administrations (id, subject_type, participant_id, instrument, version, timepoint, administered_at, "
            "mode, recorded_at, recorded_by) VALUES ('a', 'participant', 'p', 'tiny', '1', 'intake', 'x', 'telepathy', 'x', 'x')",
            "CHECK",
        ),
        (
            "INSERT INTO answers (administration_id, item, id, value, missing_reason, answered_at) "
            "VALUES ('a', 'a1', 'x', 1, 'declined', 'now')",
            "CHECK",
        ),
        (
            "INSERT INTO enrolments (id, participant_id, programme_id, started, outcome, created_at, created_by) "
            "VALUES ('e', 'p', 'g', '2025-01-01', 'dropped', 'x', 'x')",
            "CHECK",
        ),
    ],
)
def test_closed_lists_are_checked_by_the_database(mem_store: Store, sql: str, message: str) -> None:
    """Values outside the mission's closed lists cannot be stored even with raw SQL."""
    mem_store.conn.execute("PRAGMA foreign_keys = OFF")
    with pytest.raises(sqlite3.IntegrityError, match=message):
        mem_store.conn.execute(sql)


def test_a_folder_or_missing_folder_is_a_clear_error(tmp_path: Path, lib: Library) -> None:
    """A folder, or a file in a folder that does not exist, is refused with a message."""
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path, library=lib)
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "nope" / "x.db", library=lib)


def test_not_a_database_is_refused(tmp_path: Path, lib: Library) -> None:
    """A file that is not SQLite is refused, and left as it was."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database, just some text that is long enough" * 20)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store.open(path, library=lib)
    assert path.read_bytes() == before


def test_another_sqlite_database_is_refused(tmp_path: Path, lib: Library) -> None:
    """A SQLite file recoverycap did not write is refused, naming its tables."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaVersionError, match="not a recoverycap database.*recipes"):
        Store.open(path, library=lib)


def test_the_survey_path_imports_no_pandas_numpy_or_sqlite_utils(
    db_path: Path, lib: Library
) -> None:
    """Opening the store, finding a participant and giving a questionnaire load no pandas, numpy
    or sqlite_utils (sqlite_utils imports pandas when it is installed)."""
    with Store.open(db_path, library=lib) as store:
        store.add_participant("ALT-0001")
    code = (
        "import sys\n"
        "from recoverycap.store import Store\n"
        "from recoverycap import Library\n"
        f"s = Store.open({str(db_path)!r}, library=Library([{str(Path(__file__).parent / 'data')!r}], include_env=False))\n"
        "s.participant('ALT-0001')\n"
        "a = s.start_administration('ALT-0001', 'tiny', 'intake')\n"
        "s.record_answer(a.id, 'a1', 3)\n"
        "s.in_progress('ALT-0001'); s.answers(a.id)\n"
        "s.complete_administration(a.id)\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'sqlite_utils') if m in sys.modules))\n"
        "s.add_participant('ALT-0002')\n"
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "[]"]


def test_sqlite_utils_is_available_on_the_same_connection(mem_store: Store) -> None:
    """``store.db`` is a sqlite_utils Database over the store's own connection."""
    mem_store.add_participant("ALT-0001")
    assert mem_store.db.conn is mem_store.conn
    assert mem_store.db["participants"].count == 1


def test_opening_without_create_refuses_a_missing_database_and_creates_nothing(
    tmp_path: Path, lib: Library
) -> None:
    """create=False (commands that only read): a path with no database is an error naming it,
    and no file (or -wal/-shm companion) is left behind; an empty file is refused the same way."""
    missing = tmp_path / "typo.db"
    with pytest.raises(StoreError, match=f"no database at {re.escape(str(missing))}; check --db"):
        Store.open(missing, library=lib, create=False)
    assert list(tmp_path.iterdir()) == []
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreError, match="no database at"):
        Store.open(empty, library=lib, create=False)
    assert empty.stat().st_size == 0


def test_opening_without_create_reads_an_existing_database(db_path: Path, lib: Library) -> None:
    with Store.open(db_path, library=lib) as store:
        store.add_participant("ALT-1")
    with Store.open(db_path, library=lib, create=False) as store:
        assert [p.code for p in store.participants()] == ["ALT-1"]
