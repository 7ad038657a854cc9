"""What every part of the store shares: the connection, transactions, the audit writer, the
instrument lookup and the sqlite-utils wrapper.

Transactions: the connection is in autocommit mode (``isolation_level=None``), so nothing is
written except inside :meth:`StoreBase.transaction`, which starts ``BEGIN IMMEDIATE`` (taking the
write lock at once, so two programs writing at the same time wait for each other, up to the busy
timeout, instead of failing with "database is locked" when a read turns into a write). Nested
calls use savepoints.

sqlite-utils: ``sqlite_utils.db`` imports pandas and numpy when they are installed, which costs
most of a second. Surveys must start at once, so the survey path (administrations, answers,
participant lookup) uses plain ``sqlite3``, and :attr:`StoreBase.db` loads sqlite-utils on first
use with pandas and numpy hidden while it is imported (it then simply does not map numpy or pandas
types, which the store never passes it).
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from ..instrument import Instrument
from ..registry import Library
from . import audit
from .fields import check_date

if TYPE_CHECKING:  # pragma: no cover
    import sqlite_utils


def load_sqlite_utils() -> Any:
    """Import sqlite_utils without letting it import pandas and numpy (if not loaded already)."""
    if "sqlite_utils" in sys.modules:
        return sys.modules["sqlite_utils"]
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes "import name" raise ImportError
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return sqlite_utils


class StoreBase:
    """The connection and shared helpers; :class:`recoverycap.store.Store` adds the rest."""

    def __init__(self, conn: sqlite3.Connection, path: str, library: Library | None, actor: str):
        self.conn = conn
        self.path = path
        self._library = library
        self.actor = actor
        self._db: sqlite_utils.Database | None = None
        self._instruments: dict[tuple[str, str], Instrument] = {}
        self._savepoints = 0

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def library(self) -> Library:
        """The instrument library used to find instrument versions (bundled one by default)."""
        if self._library is None:
            self._library = Library()
        return self._library

    @property
    def db(self) -> sqlite_utils.Database:
        """A ``sqlite_utils.Database`` on the same connection (loaded on first use)."""
        if self._db is None:
            module = load_sqlite_utils()
            self._db = module.Database(self.conn, execute_plugins=False)
        return self._db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: ``BEGIN IMMEDIATE`` ... ``COMMIT`` (a savepoint when nested).

        Everything written inside is committed together, or rolled back if an exception leaves
        the block.
        """
        conn = self.conn
        if conn.in_transaction:
            self._savepoints += 1
            name = f"sp_{self._savepoints}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            else:
                conn.execute(f"RELEASE {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _audit(
        self,
        action: str,
        table: str,
        record_id: str | None,
        field: str | None = None,
        old: Any = None,
        new: Any = None,
        reason: str | None = None,
        by: str | None = None,
    ) -> None:
        audit.write(self.conn, by or self.actor, action, table, record_id, field, old, new, reason)

    def _rows(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def _one(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _instrument(self, instrument_id: str, version: str) -> Instrument:
        """An instrument version: one given to this store earlier, else from the library."""
        key = (instrument_id, version)
        if key not in self._instruments:
            self._instruments[key] = self.library.get(instrument_id, version)
        return self._instruments[key]

    def _resolve_instrument(self, instrument: str | Instrument) -> Instrument:
        """An Instrument object, an id (latest version), or ``id@version``."""
        if isinstance(instrument, Instrument):
            self._instruments.setdefault((instrument.id, instrument.version), instrument)
            return instrument
        inst = self.library.get(instrument)
        self._instruments.setdefault((inst.id, inst.version), inst)
        return inst

    def _participant_id(self, code: str) -> str:
        row = self.conn.execute("SELECT id FROM participants WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise NotFound(
                f"no participant with code {code!r}; register them with 'recoverycap participant add {code}'"
            )
        return str(row[0])

    def _worker_id(self, code: str) -> str:
        row = self.conn.execute("SELECT id FROM workers WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise NotFound(
                f"no peer worker with code {code!r}; register them with 'recoverycap worker add {code}'"
            )
        return str(row[0])

    def _programme_id(self, code: str) -> str:
        row = self.conn.execute("SELECT id FROM programmes WHERE code = ?", (code,)).fetchone()
        if row is None:
            known = [r[0] for r in self.conn.execute("SELECT code FROM programmes ORDER BY code")]
            raise NotFound(f"no programme {code!r}; programmes: {', '.join(known) or 'none'}")
        return str(row[0])


def in_clause(values: Any) -> tuple[str, list[Any]]:
    """``(?, ?, ?)`` and the values, for ``column IN ...``; a single value (e.g. one code) counts
    as a list of one."""
    items = (
        list(values) if isinstance(values, Iterable) and not isinstance(values, str) else [values]
    )
    return "(" + ", ".join("?" * len(items)) + ")", items


def date_range(
    column: str, date_from: Any = None, date_to: Any = None
) -> tuple[list[str], list[str]]:
    """WHERE conditions and parameters keeping ``column`` (``YYYY-MM-DD`` text) between two dates,
    both inclusive; either may be None.

    Raises:
        InvalidRecord: a date is not ``YYYY-MM-DD``, naming ``date_from`` or ``date_to``.
    """
    where: list[str] = []
    params: list[str] = []
    for name, op, value in (("date_from", ">=", date_from), ("date_to", "<=", date_to)):
        day = None if value is None else check_date(value, name)
        if day is not None:
            where.append(f"{column} {op} ?")
            params.append(day.isoformat())
    return where, params
