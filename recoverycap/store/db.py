"""The :class:`Store`: one SQLite file holding everything recorded, and one object to reach it.

Opening a database (:meth:`Store.open`):

- the file (and its ``-wal`` and ``-shm`` companions) is created readable and writable by its
  owner only (0600) before SQLite opens it; an existing file is tightened to 0600;
- ``journal_mode = WAL`` (readers never block the writer, and a crash never corrupts it),
  ``busy_timeout = 30000`` (a second program waits up to 30 s for the write lock instead of
  failing), ``foreign_keys = ON``;
- ``synchronous = FULL``: every commit is on disk before it returns, so an answer that was saved
  survives a power cut or a laptop whose battery dies, not only a crash of recoverycap. In WAL
  mode ``NORMAL`` would survive a crash of the program but could lose the last answers on power
  loss; the cost of ``FULL`` is one fsync per answer, milliseconds at the pace people answer, and
  one per bulk import (which is one transaction);
- an older schema is backed up and upgraded; a newer one is refused
  (:mod:`recoverycap.store.migrations`);
- with ``create=False`` (commands that only read) a file that does not exist, or is empty, is
  refused instead of being created, so a mistyped path is not mistaken for an empty database.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..errors import SchemaVersionError, StoreError
from ..paths import touch_private
from ..registry import Library
from .activities import ActivitiesMixin
from .administrations import AdministrationsMixin
from .audit import AuditMixin
from .backup import BackupReport, RestoreReport, backup_connection, restore, table_counts
from .migrations import SCHEMA_VERSION, newer_message, read_version, upgrade
from .participants import ParticipantsMixin
from .programmes import ProgrammesMixin
from .workers import WorkersMixin

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .exports import ExportReport
    from .imports import ImportReport

BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 32_000


def _prepare_files(path: Path) -> None:
    if path.is_dir():
        raise StoreError(
            f"{path} is a folder; give a database file name (e.g. {path / 'recoverycap.db'})"
        )
    if not path.parent.is_dir():
        raise StoreError(f"the folder {path.parent} does not exist; create it first")
    touch_private(path)
    for suffix in ("-wal", "-shm"):
        touch_private(f"{path}{suffix}")


def connect(
    path: str | os.PathLike[str], check: Callable[[sqlite3.Connection], None] | None = None
) -> sqlite3.Connection:
    """Open (creating if needed, 0600) a SQLite file with the store's settings.

    Args:
        path: The file, or ``:memory:``.
        check: Called with the connection before anything about the file is changed (before
            the switch to WAL); it may raise to refuse the file.

    Raises:
        StoreError: the path is a folder, its folder does not exist, or it is not a SQLite
            database.
    """
    name = str(path)
    if name != ":memory:":
        _prepare_files(Path(name))
    conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if check is not None:
            check(conn)
        if name != ":memory:":
            _journal_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"{name} is not a SQLite database ({exc}); give another file with --db"
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _journal_wal(conn: sqlite3.Connection) -> None:
    # Switching a new file to WAL needs a moment of exclusive access; a second program opening
    # the same new file at the same instant can see "database is locked" here, so retry.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Store(
    ParticipantsMixin,
    WorkersMixin,
    ProgrammesMixin,
    ActivitiesMixin,
    AdministrationsMixin,
    AuditMixin,
):
    """Everything recorded, in one SQLite file: the library's one object for storage.

    Open with :meth:`Store.open`; use as a context manager or call :meth:`close`.

    Attributes:
        conn: The ``sqlite3`` connection (autocommit mode; writes go through
            :meth:`transaction`).
        path: The database file, or ``:memory:``.
        actor: Who is using it, written to the audit log when a method is not given ``by``.
    """

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        library: Library | None = None,
        actor: str = "unknown",
        create: bool = True,
    ) -> Store:
        """Open (or create) a database.

        Args:
            path: The database file, or ``":memory:"``.
            library: The instrument library to score with (default: the bundled library plus
                ``RECOVERYCAP_INSTRUMENTS``).
            actor: Who is using it (a worker code or login name), for the audit log.
            create: Create the database if the file does not exist (or is empty). False for
                anything that only reads: a missing file is then refused, and nothing is
                created.

        Raises:
            StoreError: the file cannot be used (see :func:`connect`), or ``create`` is false
                and there is no database at ``path``.
            SchemaVersionError: written by a newer recoverycap, not a recoverycap database, or
                an upgrade failed (nothing changed; the backup is kept).
        """
        name = str(path)
        missing = StoreError(
            f"no database at {name}; check --db (or RECOVERYCAP_DB), or run 'recoverycap info'"
        )
        if not create and name != ":memory:" and not Path(name).exists():
            raise missing

        def refuse_newer(conn: sqlite3.Connection) -> None:
            found = read_version(conn, name)
            if found > SCHEMA_VERSION:
                raise SchemaVersionError(newer_message(name, found, SCHEMA_VERSION))
            if found == 0 and not create and name != ":memory:":
                raise missing

        conn = connect(path, check=refuse_newer)
        try:
            upgrade(conn, None if str(path) == ":memory:" else Path(path), actor)
        except BaseException:
            conn.close()
            raise
        return cls(conn, str(path), library, actor)

    def close(self) -> None:
        """Close the database (a no-op if closed already)."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path}>"

    # -- about the database -----------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    @property
    def database_id(self) -> str:
        """This database's own id (made when it was created; for merging databases later)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()
        return str(row[0])

    def counts(self) -> dict[str, int]:
        """Rows in every table."""
        return table_counts(self.conn)

    # -- frames -----------------------------------------------------------------------------------
    def scores_frame(self, **filters: Any) -> pd.DataFrame:
        """Scores in long form: one row per completed administration and scale.

        Columns: ``administration_id, subject_type, subject, site, cohort, instrument, version,
        timepoint, administered_at, mode, scale, raw, score, band, answered, n_items, prorated``.

        Participants' scores only, unless ``subject_type="worker"`` (peer workers' own
        wellbeing scores, each under the worker's code: individual results that must not leave
        the organisation) or ``subject_type=None`` (both) is given.

        Args:
            **filters: ``instrument``, ``timepoint`` (one or a list), ``site``, ``cohort``,
                ``programme`` (participants ever enrolled in it), ``subject_type``
                (``participant`` by default, ``worker``, or None for both), ``subject``,
                ``date_from``, ``date_to`` (administration dates, inclusive).
        """
        from .frames import scores_frame

        return scores_frame(self, **filters)

    def answers_frame(self, **filters: Any) -> pd.DataFrame:
        """Answers in long form: one row per administration and item, with ``value`` and
        ``missing_reason`` (completed administrations; ``status=`` to choose others). Filters as
        :meth:`scores_frame`: participants' answers only unless ``subject_type`` says
        otherwise."""
        from .frames import answers_frame

        return answers_frame(self, **filters)

    # -- imports, exports, backups ----------------------------------------------------------------
    def import_csv(
        self,
        kind: str,
        path: str | os.PathLike[str],
        instrument: str | None = None,
        dry_run: bool = False,
        by: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import a CSV file of ``participants``, ``enrolments``, ``activities`` or ``responses``.

        All or nothing: every row is checked, and any problem raises ImportProblems listing them
        all (file, row, column, allowed, given) with nothing written. Importing the same file
        twice changes nothing. See :mod:`recoverycap.store.imports` for the columns.
        """
        from .imports import import_csv

        return import_csv(
            self, kind, path, instrument=instrument, dry_run=dry_run, by=by, progress=progress
        )

    def export(
        self,
        kind: str,
        path: str | os.PathLike[str],
        wide: bool = False,
        format: str | None = None,
        progress: Callable[[int], None] | None = None,
        subject_type: str | None = "participant",
        overwrite: bool = False,
        **filters: Any,
    ) -> ExportReport:
        """Export ``responses``, ``scores``, ``enrolments`` or ``activities`` to CSV or XLSX
        (created 0600, streamed). Participants' responses and scores only unless
        ``subject_type`` is ``worker`` (or None, both); an existing file is refused unless
        ``overwrite``. See :func:`recoverycap.store.exports.export`."""
        from .exports import export

        return export(
            self,
            kind,
            path,
            wide=wide,
            format=format,
            progress=progress,
            subject_type=subject_type,
            overwrite=overwrite,
            **filters,
        )

    def backup(
        self,
        path: str | os.PathLike[str],
        progress: Callable[[int, int], None] | None = None,
        overwrite: bool = False,
    ) -> BackupReport:
        """A checked copy of the database at ``path`` (0600), made while it stays in use.

        Args:
            path: The backup file.
            progress: Called with the pages copied and the total, now and then.
            overwrite: Replace ``path`` if it exists; by default an existing file is refused.

        Raises:
            BackupError: the copy failed or did not check out, or ``path`` exists (without
                ``overwrite``); nothing is left at ``path``.
        """
        return backup_connection(self.conn, Path(path), progress, overwrite)

    @staticmethod
    def restore(
        backup: str | os.PathLike[str], target: str | os.PathLike[str], actor: str = "unknown"
    ) -> RestoreReport:
        """Replace the database ``target`` with a checked copy of ``backup``, keeping the old one
        aside. Close every Store on ``target`` first. See :func:`recoverycap.store.backup.restore`."""
        return restore(Path(backup), Path(target), actor)


__all__ = ["SCHEMA_VERSION", "Store", "connect"]
