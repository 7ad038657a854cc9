"""Participants and their release-date history.

A participant is known only by the organisation's pseudonymous code (checked by
:func:`~recoverycap.store.fields.check_code`). Release dates move (parole, home detention curfew,
transfer, recall), so every release date recorded is kept with its reason, who and when; the
current release date is the latest one recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import InvalidRecord, NotFound, Problem
from .base import StoreBase
from .fields import (
    PARTICIPANT_STATUSES,
    check_code,
    check_date,
    check_text,
    date_text,
    new_id,
    now,
    one_of,
)
from .models import Participant, ReleaseDate

CURRENT_RELEASE = (
    "(SELECT r.release_date FROM release_dates r WHERE r.participant_id = p.id "
    "ORDER BY r.recorded_at DESC, r.seq DESC LIMIT 1)"
)
PARTICIPANT_SQL = (
    "SELECT p.id, p.code, p.site, p.cohort, p.status, p.created_at, p.created_by, "
    f"{CURRENT_RELEASE} AS release_date FROM participants p"
)


class ParticipantsMixin(StoreBase):
    """Registering participants, finding them, and recording release dates."""

    def add_participant(
        self,
        code: str,
        site: str | None = None,
        cohort: str | None = None,
        release_date: dt.date | str | None = None,
        status: str = "active",
        by: str | None = None,
    ) -> Participant:
        """Register a participant.

        Args:
            code: The pseudonymous code (letters, digits, ``-``, ``_``; at most 32), e.g. ALT-0042.
            site: Site, optional.
            cohort: Cohort, optional.
            release_date: Release date (``YYYY-MM-DD``), optional; starts the release history.
            status: One of :data:`~recoverycap.store.fields.PARTICIPANT_STATUSES`.
            by: Who is registering them (default: the store's actor).

        Raises:
            InvalidRecord: a value is not allowed (e.g. a name instead of a code), or the code is
                registered already.
        """
        code = check_code(code)
        values = {
            "site": check_text(site, "site"),
            "cohort": check_text(cohort, "cohort"),
            "status": one_of("status", status, PARTICIPANT_STATUSES),
        }
        release = check_date(release_date, "release_date", required=False)
        with self.transaction():
            existing = self.conn.execute(
                "SELECT code FROM participants WHERE code = ?", (code,)
            ).fetchone()
            if existing is not None:
                raise InvalidRecord(
                    f"participant {code!r} is registered already",
                    [
                        Problem(
                            "",
                            "participant",
                            f"{existing[0]!r} is registered already; use 'recoverycap participant show {existing[0]}'",
                        )
                    ],
                )
            self._insert_participant(code, values, release, by or self.actor, reason="registered")
        return self.participant(code)

    def _insert_participant(
        self,
        code: str,
        values: dict[str, Any],
        release: dt.date | None,
        by: str,
        reason: str = "",
        import_id: str | None = None,
    ) -> str:
        pid = new_id()
        stamp = now()
        record = {
            "id": pid,
            "code": code,
            **values,
            "created_at": stamp,
            "created_by": by,
            "import_id": import_id,
        }
        self.db.table("participants").insert(record)
        self._audit(
            "insert",
            "participants",
            pid,
            new={"code": code, **values},
            by=by,
            reason=reason or None,
        )
        if release is not None:
            self._insert_release(pid, release, reason or "registered", by, import_id)
        return pid

    def _insert_release(
        self, pid: str, release: dt.date | None, reason: str, by: str, import_id: str | None = None
    ) -> str:
        rid = new_id()
        self.conn.execute(
            "INSERT INTO release_dates (id, participant_id, release_date, reason, recorded_at, recorded_by, import_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rid, pid, date_text(release), reason, now(), by, import_id),
        )
        self._audit(
            "insert",
            "release_dates",
            rid,
            "release_date",
            new=date_text(release),
            reason=reason,
            by=by,
        )
        return rid

    def participant(self, code: str) -> Participant:
        """The participant with this code (matched ignoring case).

        Raises:
            NotFound: no participant has this code.
        """
        row = self._one(PARTICIPANT_SQL + " WHERE p.code = ?", (code,))
        if row is None:
            raise NotFound(
                f"no participant with code {code!r}; register them with 'recoverycap participant add {code}'"
            )
        return Participant.from_row(row)

    def participants(
        self, site: str | None = None, cohort: str | None = None, status: str | None = None
    ) -> list[Participant]:
        """Participants, ordered by code, optionally at one site, in one cohort or with one status."""
        where, params = [], []
        for column, value in (("site", site), ("cohort", cohort), ("status", status)):
            if value is not None:
                where.append(f"p.{column} = ?")
                params.append(value)
        sql = (
            PARTICIPANT_SQL
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY p.code"
        )
        return [Participant.from_row(r) for r in self._rows(sql, params)]

    def update_participant(
        self,
        code: str,
        *,
        site: str | None = None,
        cohort: str | None = None,
        status: str | None = None,
        reason: str = "",
        by: str | None = None,
    ) -> Participant:
        """Change a participant's site, cohort or status (only the ones given); each change is
        logged with its old and new value and the reason."""
        current = self.participant(code)
        changes: dict[str, Any] = {}
        if site is not None:
            changes["site"] = check_text(site, "site")
        if cohort is not None:
            changes["cohort"] = check_text(cohort, "cohort")
        if status is not None:
            changes["status"] = one_of("status", status, PARTICIPANT_STATUSES)
        with self.transaction():
            self._update_participant(current, changes, reason, by or self.actor)
        return self.participant(code)

    def _update_participant(
        self, current: Participant, changes: dict[str, Any], reason: str, by: str
    ) -> int:
        changed = 0
        for field, value in changes.items():
            old = getattr(current, field)
            if old == value:
                continue
            self.conn.execute(
                f"UPDATE participants SET {field} = ? WHERE id = ?", (value, current.id)
            )
            self._audit(
                "update",
                "participants",
                current.id,
                field,
                old=old,
                new=value,
                reason=reason or None,
                by=by,
            )
            changed += 1
        return changed

    def set_release_date(
        self, code: str, date: dt.date | str | None, reason: str = "", by: str | None = None
    ) -> ReleaseDate:
        """Record a participant's release date, or move it; the old one stays in the history.

        Args:
            code: The participant's code.
            date: The new release date (``YYYY-MM-DD``), or None if it is no longer known.
            reason: Why it was set or moved (e.g. ``HDC granted``, ``recalled``).
            by: Who is recording it.

        Returns:
            The new history entry (or the current one, if the date is unchanged).
        """
        release = check_date(date, "release_date", required=False)
        reason = check_text(reason, "reason", max_len=500) or ""
        person = self.participant(code)
        with self.transaction():
            history = self.release_history(code)
            if history and history[-1].release_date == release:
                return history[-1]
            if not history and release is None:
                raise InvalidRecord(
                    "no release date given",
                    [Problem("", "release_date", f"{code} has no release date to clear")],
                )
            self._insert_release(person.id, release, reason, by or self.actor)
        return self.release_history(code)[-1]

    def release_history(self, code: str) -> list[ReleaseDate]:
        """Every release date recorded for a participant, oldest first (the last is current)."""
        pid = self._participant_id(code)
        rows = self._rows(
            "SELECT r.*, p.code AS participant FROM release_dates r JOIN participants p ON p.id = r.participant_id "
            "WHERE r.participant_id = ? ORDER BY r.recorded_at, r.seq",
            (pid,),
        )
        return [ReleaseDate.from_row(r) for r in rows]
