"""The append-only audit log: who changed what, when, from what to what, and why.

Every insert, correction and deletion the store makes writes an entry in the same transaction as
the change, so the log and the data cannot disagree. Values are JSON, so a code (``3``), text
(``"3"``) and a missing answer (``{"missing_reason": "declined"}``) stay distinct. The database
itself refuses UPDATE and DELETE on ``audit_log`` (triggers); see :mod:`recoverycap.store.schema`.

What is logged:

- ``insert``: a record created; ``new_value`` holds its fields (for an imported administration, a
  summary; its answers are in ``answers`` and any later change to them is logged). Every alert
  stored gets one, whichever way it was raised (an answer, completion, a correction, an import),
  in the name of whoever was giving the questionnaire, dated when it was raised.
- ``update``: a field changed in the ordinary course (an answer changed before the administration
  was completed, an enrolment ended, a status set); ``old_value`` and ``new_value``.
- ``correct``: a correction of completed data, with the reason given; scores recomputed after a
  correction are logged as ``update`` entries on ``scores``.
- ``delete``: a record removed, with its old fields.
- ``import``: one entry per import (file, checksum, counts); ``migrate``: a schema upgrade;
  ``restore``: a database restored from a backup.

Reading it (:meth:`AuditMixin.audit_log`): entries can be chosen by table, record, actor, action,
date, or by person (``participant=`` or ``worker=``: every entry about one of their records).
Each entry says whose answer or score values it holds (:attr:`AuditEntry.values_of`), so that a
peer worker's own wellbeing answers can be kept off the screen of someone browsing the log
(``recoverycap audit`` hides them unless asked) while the log itself stays complete.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import NotFound
from ..scoring import Missing
from .fields import check_when, new_id, now

ACTIONS = ("insert", "update", "correct", "delete", "import", "migrate", "restore")
VALUE_TABLES = ("answers", "scores", "alerts")
"""Tables whose entries hold an answer's or a score's value (an alert holds the value that
raised it)."""
UNKNOWN = "unknown"
""":attr:`AuditEntry.values_of` of values whose administration was deleted without a trace of
whose it was (deleted by recoverycap 0.1.0, which did not log the ids it deleted)."""
LOOKUP_BATCH = 500

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
        values_of: Whose answer or score values the entry holds: ``participant`` or ``worker``
            (the subject of the administration the answer, score or alert belongs to; for a
            deleted administration, its subject), :data:`UNKNOWN` (the administration was
            deleted and whose it was cannot be traced), or None (no answer or score values).
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
    values_of: str | None = None

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

    @property
    def holds_values(self) -> bool:
        """Whether the entry holds an answer's or a score's value (an answer, a score, the
        value that raised an alert, or a deleted administration's answers and scores)."""
        if self.old_value is None and self.new_value is None:
            return False
        if self.table in VALUE_TABLES:
            return not (self.table == "alerts" and self.field == "acknowledged_by")
        return self.table == "administrations" and self.action == "delete"

    @property
    def administration_id(self) -> str | None:
        """The administration the entry is about, when the entry itself says so (an alert's
        entry, or an administration's)."""
        if self.table == "administrations":
            return self.record_id
        if self.table == "alerts" and isinstance(self.new_value, dict):
            value = self.new_value.get("administration_id")
            return value if isinstance(value, str) else None
        return None


def _deleted_administrations(conn: sqlite3.Connection) -> list[tuple[str, dict[str, Any]]]:
    """The deleted administrations the log knows of: their id and their old fields (with
    ``record_ids`` of their answers, scores and alerts, when recorded)."""
    out = []
    for record_id, old in conn.execute(
        "SELECT record_id, old_value FROM audit_log WHERE table_name = 'administrations' "
        "AND action = 'delete' ORDER BY seq"
    ):
        value = decode(old)
        if record_id and isinstance(value, dict):
            out.append((record_id, value))
    return out


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[n : n + LOOKUP_BATCH] for n in range(0, len(ids), LOOKUP_BATCH)]


def _subjects(conn: sqlite3.Connection, entries: list[AuditEntry]) -> list[AuditEntry]:
    """The entries with :attr:`AuditEntry.values_of` filled in."""
    wanted = [e for e in entries if e.holds_values]
    if not wanted:
        return entries
    found: dict[tuple[str, str], str] = {}  # (table, record id) -> subject type
    by_table: dict[str, set[str]] = {}
    for e in wanted:
        if e.record_id:
            by_table.setdefault(e.table, set()).add(e.record_id)
        if e.administration_id:
            by_table.setdefault("administrations", set()).add(e.administration_id)
    for table, ids in by_table.items():
        if table == "administrations":
            sql = "SELECT id, subject_type FROM administrations WHERE id IN "
        else:
            sql = (
                f"SELECT x.id, a.subject_type FROM {table} x "
                "JOIN administrations a ON a.id = x.administration_id WHERE x.id IN "
            )
        for chunk in _chunks(sorted(ids)):
            for record_id, subject_type in conn.execute(
                sql + "(" + ", ".join("?" * len(chunk)) + ")", chunk
            ):
                found[(table, record_id)] = subject_type
    untraced = [
        e
        for e in wanted
        if (e.table, e.record_id) not in found
        and ("administrations", e.administration_id) not in found
    ]
    if untraced:  # records since deleted: the deletions' entries say whose they were
        for adm_id, old in _deleted_administrations(conn):
            subject_type = old.get("subject_type")
            if subject_type not in ("participant", "worker"):
                continue
            found[("administrations", adm_id)] = subject_type
            for table, ids in (old.get("record_ids") or {}).items():
                for record_id in ids:
                    found[(table, record_id)] = subject_type
    out = []
    for e in entries:
        if e.holds_values:
            whose = found.get((e.table, e.record_id or "")) or found.get(
                ("administrations", e.administration_id or "")
            )
            e = attrs.evolve(e, values_of=whose or UNKNOWN)
        out.append(e)
    return out


PARTICIPANT_RECORDS = (
    "SELECT id FROM participants WHERE id = :id "
    "UNION ALL SELECT id FROM release_dates WHERE participant_id = :id "
    "UNION ALL SELECT id FROM enrolments WHERE participant_id = :id "
    "UNION ALL SELECT id FROM activities WHERE participant_id = :id "
    "UNION ALL SELECT id FROM administrations WHERE participant_id = :id "
    + " ".join(
        f"UNION ALL SELECT x.id FROM {table} x JOIN administrations a "
        "ON a.id = x.administration_id WHERE a.participant_id = :id"
        for table in VALUE_TABLES
    )
)
"""The ids of every record of one participant (``:id``)."""
WORKER_RECORDS = (
    "SELECT id FROM workers WHERE id = :id "
    "UNION ALL SELECT id FROM administrations WHERE worker_id = :id "
    + " ".join(
        f"UNION ALL SELECT x.id FROM {table} x JOIN administrations a "
        "ON a.id = x.administration_id WHERE a.worker_id = :id"
        for table in VALUE_TABLES
    )
)
"""The ids of every record of one peer worker (``:id``)."""


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
        participant: str | None = None,
        worker: str | None = None,
    ) -> list[AuditEntry]:
        """Entries of the audit log, oldest first (or newest first), optionally filtered.

        Every entry is returned whole; :attr:`AuditEntry.values_of` says whose answer or score
        values it holds, for a reader that must not show a worker's own answers.

        Args:
            table: Only changes to this table.
            record_id: Only changes to this record (its internal id).
            actor: Only changes made by this person.
            action: Only this action (``insert``, ``correct``, ...).
            since: Only entries at or after this date or ISO timestamp.
            limit: At most this many entries.
            newest_first: Newest entries first.
            participant: Only entries about this participant's records (a code): the participant,
                their release dates, enrolments, activities, administrations, answers, scores and
                alerts, including administrations since deleted.
            worker: Only entries about this peer worker's records (a code): the worker, their own
                administrations (wellbeing checks), answers, scores and alerts. Changes a worker
                made are chosen with ``actor``.

        Raises:
            NotFound: no participant (or worker) has the code given.
            InvalidRecord: ``since`` is not a date.
        """
        where, params = [], []
        for kind, code in (("participant", participant), ("worker", worker)):
            if code is not None:
                clause, values = self._person_records(kind, code)
                where.append(clause)
                params.extend(values)
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
        entries = [AuditEntry.from_row(dict(zip(names, row, strict=True))) for row in cursor]
        return _subjects(self.conn, entries)

    def _person_records(self, kind: str, code: str) -> tuple[str, list[Any]]:
        """A WHERE condition on ``record_id`` choosing the entries about one person's records
        (``kind``: ``participant`` or ``worker``), and its parameters."""
        table = "participants" if kind == "participant" else "workers"
        row = self.conn.execute(f"SELECT id, code FROM {table} WHERE code = ?", (code,)).fetchone()
        if row is None:
            who = "participant" if kind == "participant" else "peer worker"
            raise NotFound(
                f"no {who} with code {code!r}; 'recoverycap {kind} list' shows the codes"
            )
        person_id, stored_code = row
        deleted: list[str] = []
        for adm_id, old in _deleted_administrations(self.conn):
            if (
                old.get("subject_type") == kind
                and str(old.get("subject", "")).upper() == str(stored_code).upper()
            ):
                deleted.append(adm_id)
                for ids in (old.get("record_ids") or {}).values():
                    deleted.extend(ids)
        records = PARTICIPANT_RECORDS if kind == "participant" else WORKER_RECORDS
        sql = records.replace(":id", "?")
        n = sql.count("?")
        return (
            f"(record_id IN ({sql}) OR record_id IN (SELECT value FROM json_each(?)))",
            [person_id] * n + [json.dumps(deleted)],
        )

    def history(self, table: str, record_id: str) -> list[AuditEntry]:
        """Every logged change to one record, oldest first."""
        return self.audit_log(table=table, record_id=record_id)
