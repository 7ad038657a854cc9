"""Backups with SQLite's online backup API, checked before they are trusted.

A backup is written to a temporary file beside the target (created 0600), checked, then put
into place, so a failed backup never leaves a half-written file under the name asked for; an
existing file is never replaced unless asked to (``overwrite=True``). The
check: ``PRAGMA integrity_check`` says ``ok`` and every table has exactly as many rows as the
database had when the copy was taken (the counts and the copy come from one read transaction).

A restore checks the backup first, keeps the current database aside (itself as a checked
backup, ``<name>.before-restore.<time>``), copies the backup in, checks the result against the
backup, and logs the restore in the audit log.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import attrs

from ..errors import BackupError, SchemaVersionError
from ..paths import touch_private
from . import audit
from .fields import now
from .files import put_in_place, refuse_existing
from .migrations import SCHEMA_VERSION, newer_message, read_version


@attrs.frozen
class BackupReport:
    """A checked backup.

    Attributes:
        path: The backup file.
        counts: Rows per table in the backup (equal to the database's when it was taken).
        schema_version: The backup's schema version.
        size: The file's size in bytes.
    """

    path: Path
    counts: dict[str, int]
    schema_version: int
    size: int

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@attrs.frozen
class RestoreReport:
    """A checked restore.

    Attributes:
        source: The backup restored from.
        target: The database restored.
        kept: Where the database that was replaced was kept (None if there was none).
        counts: Rows per table now in the target (equal to the backup's).
        schema_version: The restored database's schema version (an older one is upgraded the
            next time it is opened).
    """

    source: Path
    target: Path
    kept: Path | None
    counts: dict[str, int]
    schema_version: int


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in every table of an open database (SQLite's own tables left out)."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _read_only(path: Path) -> sqlite3.Connection:
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=30)


def check_file(
    path: str | Path, expected: dict[str, int] | None = None
) -> tuple[dict[str, int], int]:
    """Check a database file: integrity, a recoverycap schema this version reads, row counts.

    Args:
        path: The file.
        expected: Row counts it must have, if known.

    Returns:
        Its row counts and schema version.

    Raises:
        BackupError: naming what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened: {exc}") from None
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise BackupError(f"{path} failed SQLite's integrity check: {'; '.join(result[:5])}")
        version = read_version(conn, str(path))
        if version == 0:
            raise BackupError(f"{path} is an empty database, not a recoverycap backup")
        if version > SCHEMA_VERSION:
            raise BackupError(newer_message(str(path), version, SCHEMA_VERSION))
        counts = table_counts(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    except SchemaVersionError as exc:
        raise BackupError(str(exc)) from None
    finally:
        conn.close()
    if expected is not None and counts != expected:
        diffs = [
            f"{t}: {expected.get(t, 0)} expected, {counts.get(t, 0)} found"
            for t in sorted(set(expected) | set(counts))
            if expected.get(t) != counts.get(t)
        ]
        raise BackupError(f"{path} does not hold every row: {'; '.join(diffs)}")
    return counts, version


def backup_connection(
    conn: sqlite3.Connection,
    dest: str | Path,
    progress: Callable[[int, int], None] | None = None,
    overwrite: bool = False,
) -> BackupReport:
    """Copy an open database to ``dest`` (created 0600) with the online backup API, then check it.

    Other programs may go on writing while the copy is made: the copy and the row counts it is
    checked against come from one read transaction, so they describe the same moment.

    Args:
        conn: The open database.
        dest: The backup file to write.
        progress: Called with the pages copied and the total, now and then.
        overwrite: Replace ``dest`` if it exists (only once the copy has been checked). By
            default an existing file is refused.

    Raises:
        BackupError: the copy could not be made or failed its check, or ``dest`` exists (without
            ``overwrite``); ``dest`` is untouched.
    """
    dest = Path(dest)
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder; give a file name for the backup")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} does not exist; create the folder first")
    refuse_existing(dest, "backup", overwrite, BackupError)
    tmp = _partial(dest)
    _remove(tmp)
    touch_private(tmp)
    try:
        target = sqlite3.connect(tmp, isolation_level=None)
        try:
            opened = conn.in_transaction
            if not opened:
                conn.execute("BEGIN")
            try:
                counts = table_counts(conn)
                conn.backup(
                    target,
                    progress=(lambda _s, left, total: progress(total - left, total))
                    if progress
                    else None,
                )
            finally:
                if not opened:
                    conn.execute("COMMIT")
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        counts_found, version = check_file(tmp, counts)
        put_in_place(tmp, dest, "backup", overwrite, BackupError)
        os.chmod(dest, 0o600)
    except sqlite3.Error as exc:
        raise BackupError(
            f"backing up to {dest} failed: {exc}; nothing was written there"
        ) from None
    finally:
        _remove(tmp)
    return BackupReport(dest, counts_found, version, dest.stat().st_size)


def _kept_name(target: Path) -> Path:
    """``<target>.before-restore.<time>``, numbered if a restore in the same second made one."""
    stamp = now()[:19].replace("-", "").replace(":", "")
    kept = target.with_name(f"{target.name}.before-restore.{stamp}")
    n = 1
    while kept.exists():
        kept = target.with_name(f"{target.name}.before-restore.{stamp}-{n}")
        n += 1
    return kept


def restore(backup: str | Path, target: str | Path, actor: str = "unknown") -> RestoreReport:
    """Replace the database ``target`` with a checked copy of ``backup``.

    Steps: check the backup (integrity, schema, counts); if ``target`` exists, keep it aside as a
    checked backup ``<target>.before-restore.<time>``; copy the backup in with the online backup
    API; check the target holds exactly the backup's rows; log the restore in its audit log.

    Raises:
        BackupError: the backup fails its check, or the target is in use by another program
            (close it and try again); the target is then unchanged.
    """
    backup, target = Path(backup), Path(target)
    if backup.resolve() == target.resolve():
        raise BackupError(f"{backup} is the database itself; give a backup file")
    counts, version = check_file(backup)
    kept: Path | None = None
    source = _read_only(backup)
    try:
        if target.exists():
            live = sqlite3.connect(target, isolation_level=None, timeout=30)
            try:
                kept = _kept_name(target)
                backup_connection(live, kept)
                try:
                    live.execute("PRAGMA journal_mode = DELETE")
                except sqlite3.OperationalError as exc:
                    raise BackupError(
                        f"{target} is in use by another program ({exc}); close every recoverycap "
                        f"using it and try again. It is unchanged (a copy is at {kept})."
                    ) from None
                source.backup(live)
            finally:
                live.close()
        else:
            if not target.parent.is_dir():
                raise BackupError(f"{target.parent} does not exist; create the folder first")
            tmp = _partial(target)
            _remove(tmp)
            touch_private(tmp)
            try:
                fresh = sqlite3.connect(tmp, isolation_level=None)
                try:
                    source.backup(fresh)
                    fresh.execute("PRAGMA journal_mode = DELETE")
                finally:
                    fresh.close()
                os.replace(tmp, target)
            finally:
                _remove(tmp)
        os.chmod(target, 0o600)
    except sqlite3.Error as exc:
        raise BackupError(f"restoring {target} from {backup} failed: {exc}") from None
    finally:
        source.close()
    restored, _ = check_file(target, counts)
    conn = sqlite3.connect(target, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        audit.write(
            conn,
            actor,
            "restore",
            "meta",
            None,
            new={
                "from": str(backup),
                "kept": str(kept) if kept else None,
                "rows": sum(counts.values()),
            },
            reason=f"restored from {backup}",
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return RestoreReport(backup, target, kept, restored, version)
