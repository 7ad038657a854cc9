"""Peer workers: a pseudonymous code, site, role and start date.

Workers fill in their own wellbeing checks (CBI, ProQOL 5), so they can be the subject of an
administration, and their code is what ``administered_by`` holds.
"""

from __future__ import annotations

import datetime as dt

from ..errors import InvalidRecord, NotFound, Problem
from .base import StoreBase
from .fields import (
    WORKER_STATUSES,
    check_code,
    check_date,
    check_text,
    date_text,
    new_id,
    now,
    one_of,
)
from .models import Worker


class WorkersMixin(StoreBase):
    """Registering and finding peer workers."""

    def add_worker(
        self,
        code: str,
        site: str | None = None,
        role: str | None = None,
        started: dt.date | str | None = None,
        by: str | None = None,
    ) -> Worker:
        """Register a peer worker by pseudonymous code.

        Raises:
            InvalidRecord: a value is not allowed, or the code is registered already.
        """
        code = check_code(code, "worker")
        record = {
            "site": check_text(site, "site"),
            "role": check_text(role, "role"),
            "started": date_text(check_date(started, "started", required=False)),
        }
        by = by or self.actor
        with self.transaction():
            existing = self.conn.execute(
                "SELECT code FROM workers WHERE code = ?", (code,)
            ).fetchone()
            if existing is not None:
                raise InvalidRecord(
                    f"worker {code!r} is registered already",
                    [Problem("", "worker", f"{existing[0]!r} is registered already")],
                )
            wid = new_id()
            self.db.table("workers").insert(
                {
                    "id": wid,
                    "code": code,
                    **record,
                    "status": "active",
                    "created_at": now(),
                    "created_by": by,
                }
            )
            self._audit("insert", "workers", wid, new={"code": code, **record}, by=by)
        return self.worker(code)

    def worker(self, code: str) -> Worker:
        """The peer worker with this code (matched ignoring case).

        Raises:
            NotFound: no worker has this code.
        """
        row = self._one("SELECT * FROM workers WHERE code = ?", (code,))
        if row is None:
            raise NotFound(
                f"no peer worker with code {code!r}; register them with 'recoverycap worker add {code}'"
            )
        return Worker.from_row(row)

    def workers(self, site: str | None = None, status: str | None = None) -> list[Worker]:
        """Peer workers, ordered by code, optionally at one site or with one status."""
        where, params = [], []
        if site is not None:
            where.append("site = ?")
            params.append(site)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        sql = (
            "SELECT * FROM workers"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY code"
        )
        return [Worker.from_row(r) for r in self._rows(sql, params)]

    def set_worker_status(
        self, code: str, status: str, reason: str = "", by: str | None = None
    ) -> Worker:
        """Mark a worker ``active`` or ``left``; the change is logged."""
        status = one_of("status", status, WORKER_STATUSES)
        current = self.worker(code)
        if current.status != status:
            with self.transaction():
                self.conn.execute(
                    "UPDATE workers SET status = ? WHERE id = ?", (status, current.id)
                )
                self._audit(
                    "update",
                    "workers",
                    current.id,
                    "status",
                    current.status,
                    status,
                    reason or None,
                    by,
                )
        return self.worker(code)
