"""Backups made with the online backup API and checked; restores that check before replacing."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from recoverycap import Library
from recoverycap.errors import BackupError
from recoverycap.store import Store

pytest_plugins = ["store_fixtures"]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def busy(file_store: Store) -> Store:
    for i in range(20):
        file_store.add_participant(f"ALT-{i}")
    adm = file_store.start_administration("ALT-1", "tiny", "intake")
    file_store.record_answer(adm.id, "a1", 3)
    return file_store


def test_backup_is_owner_only_complete_and_checked(busy: Store, tmp_path: Path) -> None:
    report = busy.backup(tmp_path / "backup.db")
    assert mode(report.path) == 0o600
    assert report.counts == busy.counts()
    conn = sqlite3.connect(report.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert conn.execute("SELECT count(*) FROM participants").fetchone()[0] == 20
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == [
        "backup.db"
    ]


def test_backup_while_another_program_writes(
    busy: Store, db_path: Path, lib: Library, tmp_path: Path
) -> None:
    """A backup taken while someone else is writing holds a consistent moment: its own counts
    check out, whatever the writer did meanwhile."""
    stop = threading.Event()

    def write() -> None:
        with Store.open(db_path, library=lib) as other:
            n = 0
            while not stop.is_set():
                other.add_participant(f"W-{n}")
                n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        reports = [busy.backup(tmp_path / f"b{i}.db") for i in range(3)]
    finally:
        stop.set()
        writer.join()
    for report in reports:
        conn = sqlite3.connect(report.path)
        assert (
            conn.execute("SELECT count(*) FROM participants").fetchone()[0]
            == report.counts["participants"]
        )
        conn.close()


def test_backup_to_a_missing_folder_fails_cleanly(busy: Store, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        busy.backup(tmp_path / "nope" / "b.db")


def test_restore_keeps_the_current_database_aside(
    busy: Store, db_path: Path, lib: Library, tmp_path: Path
) -> None:
    """Restoring puts back exactly the backup's rows, keeps the replaced database as a checked
    copy, and logs the restore."""
    report = busy.backup(tmp_path / "backup.db")
    busy.add_participant("LATER-1")
    later = busy.counts()
    busy.close()
    restored = Store.restore(report.path, db_path, actor="tester")
    assert restored.kept is not None and mode(restored.kept) == 0o600
    with sqlite3.connect(restored.kept) as kept:
        assert (
            kept.execute("SELECT count(*) FROM participants").fetchone()[0] == later["participants"]
        )
    with Store.open(db_path, library=lib) as store:
        assert [p.code for p in store.participants() if p.code.startswith("LATER")] == []
        counts = store.counts()
        assert counts["audit_log"] == report.counts["audit_log"] + 1
        assert {k: v for k, v in counts.items() if k != "audit_log"} == {
            k: v for k, v in report.counts.items() if k != "audit_log"
        }
        [entry] = store.audit_log(action="restore")
        assert entry.reason == f"restored from {report.path}"
    assert mode(db_path) == 0o600


def test_restore_into_a_new_file(busy: Store, tmp_path: Path, lib: Library) -> None:
    report = busy.backup(tmp_path / "backup.db")
    target = tmp_path / "elsewhere.db"
    result = Store.restore(report.path, target)
    assert result.kept is None and mode(target) == 0o600
    with Store.open(target, library=lib) as store:
        assert len(store.participants()) == 20


def test_a_damaged_backup_is_refused_and_the_database_untouched(
    busy: Store, db_path: Path, tmp_path: Path
) -> None:
    report = busy.backup(tmp_path / "backup.db")
    data = bytearray(report.path.read_bytes())
    data[4096 * 3 : 4096 * 3 + 200] = b"\xff" * 200  # scribble over a page
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    busy.close()
    before = db_path.read_bytes()
    with pytest.raises(BackupError):
        Store.restore(damaged, db_path)
    assert db_path.read_bytes() == before
    not_db = tmp_path / "notes.txt"
    not_db.write_text("hello " * 1000)
    with pytest.raises(BackupError, match="not a readable SQLite database|cannot be opened"):
        Store.restore(not_db, db_path)
    assert db_path.read_bytes() == before


def test_an_existing_file_is_not_replaced_unless_asked(busy: Store, tmp_path: Path) -> None:
    """A backup over an existing file is refused naming it (the file is untouched and no partial
    file is left); overwrite=True replaces it with a checked copy."""
    target = tmp_path / "backup.db"
    target.write_text("last week's backup")
    with pytest.raises(BackupError, match=f"{target} exists already, so the backup was not"):
        busy.backup(target)
    assert target.read_text() == "last week's backup"
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["backup.db"]
    report = busy.backup(target, overwrite=True)
    assert report.counts == busy.counts() and mode(target) == 0o600


def test_restores_in_the_same_second_keep_both_replaced_databases(
    busy: Store, db_path: Path, tmp_path: Path
) -> None:
    """The database kept aside by a restore is never replaced by the next restore's."""
    report = busy.backup(tmp_path / "backup.db")
    busy.close()
    first = Store.restore(report.path, db_path)
    second = Store.restore(report.path, db_path)
    assert first.kept is not None and second.kept is not None
    assert first.kept != second.kept and first.kept.exists() and second.kept.exists()
