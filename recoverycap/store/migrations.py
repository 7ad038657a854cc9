"""Schema versions and upgrading an older database.

:data:`MIGRATIONS` is the list of steps, one per schema version; step 1 creates the first schema
(:data:`recoverycap.store.schema.V1`); step 2 changes no table but logs the alerts that
recoverycap 0.1.0 stored without an audit entry. Opening a database written by an older recoverycap:

1. copies it with SQLite's online backup to ``<name>.v<old>.bak`` (0600; never overwriting an
   earlier backup), and checks the copy;
2. applies every later step in one ``BEGIN IMMEDIATE`` transaction, re-reading the version once
   the write lock is held (so two programs opening it at once upgrade it once), records the new
   version in ``meta`` and an audit entry, and commits; a failing step rolls everything back.

A database written by a newer recoverycap is refused with a message saying so, before anything
is touched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from ..errors import SchemaVersionError
from . import audit
from .fields import DEFAULT_PROGRAMMES, new_id, now
from .schema import V1, statements


@attrs.frozen
class Migration:
    """One schema step.

    Attributes:
        version: The schema version this step produces.
        description: What it changes, in a sentence.
        sql: The DDL (and data changes) of the step.
        after: A function run after the SQL, in the same transaction, with the connection and
            the actor (e.g. to fill a new column).
    """

    version: int
    description: str
    sql: str
    after: Callable[[sqlite3.Connection, str], None] | None = None


def _seed_v1(conn: sqlite3.Connection, actor: str) -> None:
    """A new database's identity and the default programmes."""
    from .. import __version__

    stamp = now()
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [
            ("database_id", new_id()),
            ("created_at", stamp),
            ("created_with", f"recoverycap {__version__}"),
        ],
    )
    for code, name in DEFAULT_PROGRAMMES:
        pid = new_id()
        conn.execute(
            "INSERT INTO programmes (id, code, name, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
            (pid, code, name, stamp, actor),
        )
        audit.write(
            conn, actor, "insert", "programmes", pid, new={"code": code, "name": name}, at=stamp
        )


def _log_unlogged_alerts(conn: sqlite3.Connection, actor: str) -> None:
    """Give every stored alert without an audit entry its entry.

    Schema version 1 databases written by recoverycap 0.1.0 stored the alerts raised as an
    answer was saved, or when an administration was completed or imported, without logging them.
    Each gets the entry it would have had: who was administering (the administration's
    ``administered_by``, else whoever recorded it) at the moment it was raised, with a reason
    saying it was added on the upgrade.
    """
    from .administrations import alert_audit_row

    rows = conn.execute(
        "SELECT x.id, x.administration_id, x.alert, x.kind, x.item, x.scale, x.value, x.message, "
        "x.raised_at, coalesce(a.administered_by, a.recorded_by) "
        "FROM alerts x JOIN administrations a ON a.id = x.administration_id "
        "WHERE NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.table_name = 'alerts' "
        "AND l.record_id = x.id AND l.action = 'insert') ORDER BY x.raised_at, x.id"
    ).fetchall()
    conn.executemany(
        audit.INSERT_SQL,
        [
            alert_audit_row(
                tuple(row[:9]),
                row[9] or actor,
                "logged on the upgrade to schema version 2 (recoverycap 0.1.0 stored this alert "
                "without an audit entry)",
            )
            for row in rows
        ],
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "The first schema: participants, release dates, workers, programmes, enrolments, "
        "activities, administrations, answers, scores, alerts and the audit log.",
        V1,
        _seed_v1,
    ),
    Migration(
        2,
        "Every stored alert has an audit entry (alerts stored without one are logged).",
        "",
        _log_unlogged_alerts,
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
"""The schema version this recoverycap writes."""


def read_version(conn: sqlite3.Connection, name: str = "the database") -> int:
    """The schema version of an open database: 0 if it is empty.

    Raises:
        SchemaVersionError: the database has tables but is not a recoverycap database.
    """
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return 0
    if "meta" not in tables:
        raise SchemaVersionError(
            f"{name} is a SQLite database but not a recoverycap database (it has no 'meta' table; "
            f"its tables are: {', '.join(sorted(tables))}). Give another file with --db."
        )
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise SchemaVersionError(
            f"{name} has no schema version in its 'meta' table; it was not written by recoverycap"
        )
    try:
        return int(row[0])
    except ValueError:
        raise SchemaVersionError(f"{name} has an unreadable schema version {row[0]!r}") from None


def newer_message(name: str, found: int, supported: int) -> str:
    return (
        f"{name} was written by a newer recoverycap (schema version {found}; this recoverycap reads "
        f"schema versions up to {supported}). Upgrade recoverycap (pip install -U recoverycap) to open "
        "it; nothing was changed."
    )


def backup_name(path: str | Path, version: int) -> Path:
    """``<name>.v<version>.bak`` beside the database, or a dated name if that exists already."""
    path = Path(path)
    candidate = path.with_name(f"{path.name}.v{version}.bak")
    if not candidate.exists():
        return candidate
    stamp = now()[:19].replace("-", "").replace(":", "")
    n = 0
    while True:
        candidate = path.with_name(f"{path.name}.v{version}.{stamp}{'-' + str(n) if n else ''}.bak")
        if not candidate.exists():
            return candidate
        n += 1


def upgrade(
    conn: sqlite3.Connection,
    path: str | Path | None,
    actor: str,
    steps: Sequence[Migration] = MIGRATIONS,
) -> tuple[int, int, Path | None]:
    """Bring an open database up to the newest schema in ``steps``.

    Args:
        conn: An open connection in autocommit mode (``isolation_level=None``).
        path: The database file (None or ``:memory:`` for an in-memory database: no backup).
        actor: Who is opening it (for the audit entry).
        steps: The migration steps (default :data:`MIGRATIONS`).

    Returns:
        The version found, the version now, and the backup made (or None).

    Raises:
        SchemaVersionError: the database is newer than ``steps`` know, is not a recoverycap
            database, or a step failed (everything rolled back; the backup is kept).
    """
    target = steps[-1].version
    name = str(path) if path else "the database"
    found = read_version(conn, name)
    if found > target:
        raise SchemaVersionError(newer_message(name, found, target))
    if found == target:
        return found, found, None
    backup_path = None
    if found > 0 and path is not None and str(path) != ":memory:":
        from .backup import backup_connection

        backup_path = backup_name(path, found)
        backup_connection(conn, backup_path)
    conn.execute("BEGIN IMMEDIATE")
    step: Migration | None = None
    try:
        current = read_version(conn, name)  # another program may have upgraded it meanwhile
        if current > target:
            raise SchemaVersionError(newer_message(name, current, target))
        for step in steps:
            if step.version <= current:
                continue
            for statement in statements(step.sql):
                conn.execute(statement)
            if step.after is not None:
                step.after(conn, actor)
        step = None
        if current < target:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(target),),
            )
            conn.execute(f"PRAGMA user_version = {int(target)}")
            audit.write(
                conn,
                actor,
                "migrate",
                "meta",
                None,
                field="schema_version",
                old=current or None,
                new=target,
                reason="new database" if current == 0 else f"upgraded; backup at {backup_path}",
            )
        conn.execute("COMMIT")
    except BaseException as exc:
        conn.execute("ROLLBACK")
        if isinstance(exc, SchemaVersionError) or step is None:
            raise
        kept = f"; the backup {backup_path} is kept" if backup_path else ""
        raise SchemaVersionError(
            f"upgrading {name} to schema version {step.version} ({step.description}) failed: {exc}. "
            f"Nothing was changed{kept}."
        ) from exc
    return found, target, backup_path
