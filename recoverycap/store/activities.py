"""Activities: dated events, with a participant where there is one.

``gate_pickup`` (result ``successful`` or ``unsuccessful``), ``recovery_pack`` (``delivered``),
``one_to_one`` (no result) and ``followup_attempt`` (result ``reached``, ``no_answer``,
``declined``, ``recalled``, ``transferred``, ``deceased`` or ``uncontactable``, and a contact
mode). Follow-up outcomes are data for analysis and reports, never blanks.
"""

from __future__ import annotations

import datetime as dt

from .base import StoreBase, date_range
from .fields import (
    check_activity,
    check_code,
    check_date,
    check_id,
    check_not_future,
    check_notes,
    new_id,
    now,
)
from .models import Activity

ACTIVITY_SQL = (
    "SELECT a.*, p.code AS participant, g.code AS programme FROM activities a "
    "LEFT JOIN participants p ON p.id = a.participant_id LEFT JOIN programmes g ON g.id = a.programme_id"
)


class ActivitiesMixin(StoreBase):
    """Recording and listing activities."""

    def add_activity(
        self,
        participant: str | None,
        kind: str,
        date: dt.date | str,
        result: str | None = None,
        mode: str | None = None,
        programme: str | None = None,
        notes: str | None = None,
        by: str | None = None,
        timepoint: str | None = None,
    ) -> Activity:
        """Record an activity.

        Args:
            participant: The participant's code, or None for an activity with no participant.
            kind: ``gate_pickup``, ``recovery_pack``, ``one_to_one`` or ``followup_attempt``.
            date: The date (``YYYY-MM-DD``); not after today (record what has happened).
            result: The result the kind allows (required for gate pick-ups and follow-ups).
            mode: How contact was made (``phone``, ``in_person``, ...), optional.
            programme: The programme's code, optional.
            notes: Short notes, optional (at most 1,000 characters; never names, and never
                a prison number: text shaped like A1234BC is refused).
            by: Who is recording it.
            timepoint: The time point a follow-up attempt was for (e.g. ``post_release_4w``).

        Raises:
            NotFound: no such participant or programme.
            InvalidRecord: a value is not allowed, the date is in the future, or the notes
                hold something shaped like a prison number.
        """
        kind, result, mode = check_activity(kind, result, mode)
        day = check_date(date, "date")
        assert day is not None
        check_not_future(day, "date", "an activity")
        notes = check_notes(notes)
        tp = check_id(timepoint, "timepoint") if timepoint else None
        pid = self._participant_id(check_code(participant)) if participant else None
        gid = self._programme_id(programme) if programme else None
        with self.transaction():
            aid = self._insert_activity(
                pid, gid, kind, day, result, mode, tp, notes, by or self.actor
            )
        return self._activity(aid)

    def _insert_activity(
        self,
        pid: str | None,
        gid: str | None,
        kind: str,
        day: dt.date,
        result: str | None,
        mode: str | None,
        timepoint: str | None,
        notes: str | None,
        by: str,
        import_id: str | None = None,
        import_key: str | None = None,
    ) -> str:
        aid = new_id()
        record = {
            "participant_id": pid,
            "programme_id": gid,
            "kind": kind,
            "date": day.isoformat(),
            "result": result,
            "mode": mode,
            "timepoint": timepoint,
            "notes": notes,
        }
        self.db.table("activities").insert(
            {
                "id": aid,
                **record,
                "recorded_at": now(),
                "recorded_by": by,
                "import_id": import_id,
                "import_key": import_key,
            }
        )
        self._audit("insert", "activities", aid, new=record, by=by)
        return aid

    def _activity(self, aid: str) -> Activity:
        row = self._one(ACTIVITY_SQL + " WHERE a.id = ?", (aid,))
        assert row is not None
        return Activity.from_row(row)

    def activities(
        self,
        participant: str | None = None,
        kind: str | None = None,
        programme: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        site: str | None = None,
    ) -> list[Activity]:
        """Activities ordered by date, optionally filtered (dates inclusive)."""
        where, params = [], []
        for column, value in (
            ("p.code", participant),
            ("a.kind", kind),
            ("g.code", programme),
            ("p.site", site),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        dates, days = date_range("a.date", date_from, date_to)
        where += dates
        params += days
        sql = (
            ACTIVITY_SQL
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY a.date, a.recorded_at"
        )
        return [Activity.from_row(r) for r in self._rows(sql, params)]
