"""Programmes (a configurable list) and participants' enrolments in them.

A new database holds the paper's three programmes: ``twelve_step`` (12-step in-cell programme),
``behaviour_change`` (behavioural change programme) and ``ttg`` (Through The Gate); an
organisation adds its own with :meth:`ProgrammesMixin.add_programme`. An enrolment runs from
``started`` to ``ended`` with an outcome, a reason for non-completion and an end-of-programme
substance outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import InvalidRecord, NotFound, Problem
from .base import StoreBase
from .fields import (
    check_code,
    check_date,
    check_enrolment,
    check_id,
    check_substance_outcome,
    check_text,
    date_text,
    invalid,
    new_id,
    now,
)
from .models import Enrolment, Programme

ENROLMENT_SQL = (
    "SELECT e.*, p.code AS participant, g.code AS programme FROM enrolments e "
    "JOIN participants p ON p.id = e.participant_id JOIN programmes g ON g.id = e.programme_id"
)


class ProgrammesMixin(StoreBase):
    """Programmes and enrolments."""

    # -- programmes -------------------------------------------------------------------------------
    def programmes(self, active_only: bool = False) -> list[Programme]:
        """The programmes, ordered by code."""
        sql = (
            "SELECT * FROM programmes"
            + (" WHERE active = 1" if active_only else "")
            + " ORDER BY code"
        )
        return [Programme.from_row(r) for r in self._rows(sql)]

    def programme(self, code: str) -> Programme:
        """The programme with this code.

        Raises:
            NotFound: naming the programmes there are.
        """
        pid = self._programme_id(code)
        return Programme.from_row(self._rows("SELECT * FROM programmes WHERE id = ?", (pid,))[0])

    def add_programme(
        self, code: str, name: str, description: str = "", by: str | None = None
    ) -> Programme:
        """Add a programme (code: lowercase letters, digits and ``_``)."""
        code = check_id(code, "programme")
        name_text = check_text(name, "name", required=True)
        with self.transaction():
            if self.conn.execute("SELECT 1 FROM programmes WHERE code = ?", (code,)).fetchone():
                raise InvalidRecord(
                    f"programme {code!r} exists already",
                    [Problem("", "programme", f"{code!r} exists already")],
                )
            pid = new_id()
            self.db.table("programmes").insert(
                {
                    "id": pid,
                    "code": code,
                    "name": name_text,
                    "description": description or "",
                    "active": 1,
                    "created_at": now(),
                    "created_by": by or self.actor,
                }
            )
            self._audit("insert", "programmes", pid, new={"code": code, "name": name_text}, by=by)
        return self.programme(code)

    # -- enrolments -------------------------------------------------------------------------------
    def enrol(
        self,
        participant: str,
        programme: str,
        started: dt.date | str,
        ended: dt.date | str | None = None,
        outcome: str = "ongoing",
        reason: str | None = None,
        substance_outcome: str | None = None,
        by: str | None = None,
    ) -> Enrolment:
        """Enrol a participant in a programme (or record a past enrolment with its outcome).

        Args:
            participant: The participant's code.
            programme: The programme's code (e.g. ``ttg``).
            started: Start date.
            ended: End date, for a past enrolment.
            outcome: ``ongoing`` (default), ``completed`` or ``not_completed``.
            reason: Reason for non-completion (only with ``not_completed``).
            substance_outcome: ``abstinent``, ``ost_reduced``, ``unchanged``, ``increased`` or
                None.
            by: Who is recording it.

        Raises:
            NotFound: no such participant or programme.
            InvalidRecord: a value is not allowed, or the participant already has an ongoing
                enrolment in this programme, or one that started the same day.
        """
        start = check_date(started, "started")
        assert start is not None
        end = check_date(ended, "ended", required=False)
        outcome, reason = check_enrolment(start, end, outcome, reason)
        substance = check_substance_outcome(substance_outcome)
        pid = self._participant_id(participant)
        gid = self._programme_id(programme)
        with self.transaction():
            clash = self._one(
                "SELECT started, outcome FROM enrolments WHERE participant_id = ? AND programme_id = ? "
                "AND (started = ? OR (outcome = 'ongoing' AND ? = 'ongoing'))",
                (pid, gid, start.isoformat(), outcome),
            )
            if clash is not None:
                what = "an ongoing" if clash["outcome"] == "ongoing" else "an"
                raise InvalidRecord(
                    "enrolment exists already",
                    [
                        Problem(
                            "",
                            "programme",
                            f"{participant} already has {what} {programme} enrolment started "
                            f"{clash['started']}; end it with 'recoverycap enrol end' first",
                        )
                    ],
                )
            eid = self._insert_enrolment(
                pid, gid, start, end, outcome, reason, substance, by or self.actor
            )
        return self._enrolment(eid)

    def _insert_enrolment(
        self,
        pid: str,
        gid: str,
        start: dt.date,
        end: dt.date | None,
        outcome: str,
        reason: str | None,
        substance: str | None,
        by: str,
        import_id: str | None = None,
    ) -> str:
        eid = new_id()
        record = {
            "started": start.isoformat(),
            "ended": date_text(end),
            "outcome": outcome,
            "reason": reason,
            "substance_outcome": substance,
        }
        self.db.table("enrolments").insert(
            {
                "id": eid,
                "participant_id": pid,
                "programme_id": gid,
                **record,
                "created_at": now(),
                "created_by": by,
                "import_id": import_id,
            }
        )
        self._audit(
            "insert",
            "enrolments",
            eid,
            new={"participant_id": pid, "programme_id": gid, **record},
            by=by,
        )
        return eid

    def end_enrolment(
        self,
        participant: str,
        programme: str,
        ended: dt.date | str,
        outcome: str,
        reason: str | None = None,
        substance_outcome: str | None = None,
        by: str | None = None,
    ) -> Enrolment:
        """End a participant's ongoing enrolment in a programme.

        Args:
            participant: The participant's code.
            programme: The programme's code.
            ended: End date (not before the start).
            outcome: ``completed`` or ``not_completed``.
            reason: Reason for non-completion (``released``, ``transferred``, ``withdrew``,
                ``removed``, ``health``, ``regime_disruption``, ``other``).
            substance_outcome: End-of-programme substance outcome, or None.
            by: Who is recording it.

        Raises:
            NotFound: no such participant or programme, or no ongoing enrolment.
            InvalidRecord: a value is not allowed.
        """
        pid = self._participant_id(participant)
        gid = self._programme_id(programme)
        row = self._one(
            "SELECT id FROM enrolments WHERE participant_id = ? AND programme_id = ? AND outcome = 'ongoing' "
            "ORDER BY started DESC LIMIT 1",
            (pid, gid),
        )
        if row is None:
            raise NotFound(f"{participant} has no ongoing {programme} enrolment to end")
        current = self._enrolment(row["id"])
        end = check_date(ended, "ended")
        if outcome == "ongoing":
            raise invalid("outcome", "to end an enrolment give completed or not_completed")
        outcome, reason = check_enrolment(current.started, end, outcome, reason)
        changes = {
            "ended": end,
            "outcome": outcome,
            "reason": reason,
            "substance_outcome": check_substance_outcome(substance_outcome),
        }
        with self.transaction():
            self._update_enrolment(current, changes, "", by or self.actor)
        return self._enrolment(current.id)

    def _update_enrolment(
        self, current: Enrolment, changes: dict[str, Any], reason: str, by: str
    ) -> int:
        changed = 0
        for field, value in changes.items():
            old = getattr(current, field)
            if old == value:
                continue
            stored = value.isoformat() if isinstance(value, dt.date) else value
            self.conn.execute(
                f"UPDATE enrolments SET {field} = ? WHERE id = ?", (stored, current.id)
            )
            self._audit(
                "update",
                "enrolments",
                current.id,
                field,
                old=old,
                new=stored,
                reason=reason or None,
                by=by,
            )
            changed += 1
        return changed

    def _enrolment(self, eid: str) -> Enrolment:
        row = self._one(ENROLMENT_SQL + " WHERE e.id = ?", (eid,))
        assert row is not None
        return Enrolment.from_row(row)

    def enrolments(
        self,
        participant: str | None = None,
        programme: str | None = None,
        outcome: str | None = None,
        site: str | None = None,
    ) -> list[Enrolment]:
        """Enrolments ordered by participant and start date, optionally filtered."""
        where, params = [], []
        if participant is not None:
            where.append("p.code = ?")
            params.append(check_code(participant))
        if programme is not None:
            where.append("g.code = ?")
            params.append(programme)
        if outcome is not None:
            where.append("e.outcome = ?")
            params.append(outcome)
        if site is not None:
            where.append("p.site = ?")
            params.append(site)
        sql = (
            ENROLMENT_SQL
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY p.code, e.started, g.code"
        )
        return [Enrolment.from_row(r) for r in self._rows(sql, params)]
