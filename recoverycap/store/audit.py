"""The append-only audit log: who changed what, when, from what to what, and why.

Every insert, correction and deletion the store makes writes an entry in the same transaction as
the change, so the log and the data cannot disagree. Values are JSON, so a code (``3``), text
(``"3"``) and a missing answer (``{"missing_reason": "declined"}``) stay distinct. The database
itself refuses UPDATE and DELETE on ``audit_log`` (triggers); see :mod:`recoverycap.store.schema`.

What is logged:

- ``insert``: a record created; ``new_value`` holds its fields (for an imported administration, a
  summary; its answers are in ``answers`` and any later change to them is logged).
- ``update``: a field changed in the ordinary course (an answer changed before the administration
  was completed, an enrolment ended, a status set); ``old_value`` and ``new_value``.
- ``correct``: a correction of completed data, with the reason given; scores recomputed after a
  correction are logged as ``update`` entries on ``scores``.
- ``delete``: a record removed, with its old fields.
- ``import``: one entry per import (file, checksum, counts); ``migrate``: a schema upgrade;
  ``restore``: a database restored from a backup.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

import attrs

from ..scoring import Missing
from .fields import check_when, new_id, now

ACTIONS = ("insert", "update", "correct", "delete", "import", "migrate", "restore")

INSERT_SQL = (
    "INSERT INTO audit_log (id, at, actor, action, table_name, record_id, field, old_value, new_value, reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def encode(value: Any) -> str | None:
    """A value as JSON text for the log (None stays NULL: there was no value)."""
    if value is None:
        return None
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True)


def _plain(value: Any) -> Any:
    if isinstance(value, Missing):
        return {"missing_reason": value.reason}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def decode(text: str | None) -> Any:
    """The value :func:`encode` wrote (a missing answer comes back as ``Missing``)."""
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict) and set(value) == {"missing_reason"}:
        return Missing(value["missing_reason"])
    return value


def entry_row(
    actor: str,
    action: str,
    table: str,
    record_id: str | None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    reason: str | None = None,
    at: str | None = None,
) -> tuple[Any, ...]:
    """The parameters of one audit entry, for ``INSERT_SQL`` (or ``executemany``)."""
    return (
        new_id(),
        at or now(),
        actor,
        action,
        table,
        record_id,
        field,
        encode(old),
        encode(new),
        reason,
    )


def write(conn: sqlite3.Connection, *args: Any, **kwargs: Any) -> None:
    """Append one entry (see :func:`entry_row` for the arguments)."""
    conn.execute(INSERT_SQL, entry_row(*args, **kwargs))


@attrs.frozen
class AuditEntry:
    """One entry of the audit log.

    Attributes:
        id: The entry's id.
        at: When (UTC, ISO 8601).
        actor: Who made the change (a worker code or the login name given to the store).
        action: One of :data:`ACTIONS`.
        table: The table changed.
        record_id: The id of the record changed (None for an import or migration summary).
        field: The field changed, or None for a whole record.
        old_value: The value before (decoded JSON), or None.
        new_value: The value after (decoded JSON), or None.
        reason: The reason given, or None.
    """

    id: str
    at: str
    actor: str
    action: str
    table: str
    record_id: str | None
    field: str | None
    old_value: Any
    new_value: Any
    reason: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> AuditEntry:
        return cls(
            id=row["id"],
            at=row["at"],
            actor=row["actor"],
            action=row["action"],
            table=row["table_name"],
            record_id=row["record_id"],
            field=row["field"],
            old_value=decode(row["old_value"]),
            new_value=decode(row["new_value"]),
            reason=row["reason"],
        )


class AuditMixin:
    """Reading the audit log (writing happens inside each change)."""

    conn: sqlite3.Connection

    def audit_log(
        self,
        table: str | None = None,
        record_id: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        since: str | dt.date | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditEntry]:
        """Entries of the audit log, oldest first (or newest first), optionally filtered.

        Args:
            table: Only changes to this table.
            record_id: Only changes to this record.
            actor: Only changes made by this person.
            action: Only this action (``insert``, ``correct``, ...).
            since: Only entries at or after this date or ISO timestamp.
            limit: At most this many entries.
            newest_first: Newest entries first.
        """
        where, params = [], []
        for column, value in (
            ("table_name", table),
            ("record_id", record_id),
            ("actor", actor),
            ("action", action),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("at >= ?")
            params.append(check_when(since, "since"))
        sql = "SELECT * FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [AuditEntry.from_row(dict(zip(names, row, strict=True))) for row in cursor]

    def history(self, table: str, record_id: str) -> list[AuditEntry]:
        """Every logged change to one record, oldest first."""
        return self.audit_log(table=table, record_id=record_id)
