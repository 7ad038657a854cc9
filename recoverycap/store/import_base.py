"""The machinery every importer shares: the columns each kind of file has, the header check,
cells, problems (every one, with file, row and column), participant lookups and counts.

See :mod:`recoverycap.store.imports` for the rules and :func:`~recoverycap.store.imports.import_csv`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import Problem, RecoveryCapError
from ..instrument import Instrument
from .base import in_clause

if TYPE_CHECKING:  # pragma: no cover
    from .db import Store

MAX_PROBLEMS = 1000
LOOKUP_BATCH = 500

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "participants": (("participant",), ("site", "cohort", "release_date", "status")),
    "enrolments": (
        ("participant", "programme", "started"),
        ("ended", "outcome", "reason", "substance_outcome"),
    ),
    "activities": (
        ("participant", "activity", "date"),
        ("programme", "result", "mode", "timepoint", "notes"),
    ),
    "responses": (
        ("participant", "timepoint", "instrument", "item", "administered_at"),
        ("value", "missing_reason", "mode"),
    ),
    "responses_wide": (("participant", "timepoint", "administered_at"), ("mode",)),
}
"""Required and optional columns of each kind of file."""


class Importer:
    """Shared machinery: the header, cells, problems, participant lookups and counts."""

    kind = ""

    def __init__(
        self,
        store: Store,
        name: str,
        header: list[str],
        by: str,
        instrument: Instrument | None = None,
    ):
        self.store = store
        self.conn = store.conn
        self.name = name
        self.header = header
        self.by = by
        self.instrument = instrument
        self.problems: list[Problem] = []
        self.n_problems = 0
        self.import_id = ""
        self.rows = self.created = self.updated = self.unchanged = self.registered = (
            self.answers
        ) = self.skipped = 0
        self.ignored: tuple[str, ...] = ()
        self.index: dict[str, int] = {}
        self.reason = f"imported from {name}"

    # -- problems ---------------------------------------------------------------------------------
    def problem(self, row: int, column: str, message: str) -> None:
        self.n_problems += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(f"{self.name} row {row}", column, message))

    def invalid(self, row: int, exc: RecoveryCapError) -> None:
        for p in getattr(exc, "problems", ()) or [Problem("", "", str(exc))]:
            self.problem(row, p.field, p.message)

    @property
    def writing(self) -> bool:
        """Rows are written only while no problem has been found (all is rolled back anyway)."""
        return self.n_problems == 0

    # -- header -----------------------------------------------------------------------------------
    def check_header(self, layout: str) -> None:
        required, optional = COLUMNS[layout]
        seen: set[str] = set()
        for position, column in enumerate(self.header):
            if column in seen:
                self.problem(1, column, f"the column {column!r} appears twice")
            seen.add(column)
            self.index.setdefault(column, position)
        self.aliases()
        missing = [c for c in required if c not in self.index]
        if missing:
            self.problem(
                1,
                ", ".join(missing),
                f"required column(s) missing; a {self.kind} file needs "
                f"{', '.join(required)} (optional: {', '.join(optional)}); its columns are: {', '.join(self.header)}",
            )
        if layout != "responses_wide":
            unknown = [c for c in self.header if c not in required and c not in optional]
            if unknown:
                self.problem(
                    1,
                    ", ".join(unknown),
                    f"unknown column(s); a {self.kind} file has "
                    f"{', '.join(required)} and optionally {', '.join(optional)}",
                )

    def aliases(self) -> None:
        """Let other column names stand for required ones (a hook for wide responses)."""

    def cell(self, cells: list[str], column: str) -> str:
        position = self.index.get(column)
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()

    # -- participants -----------------------------------------------------------------------------
    def participant_ids(self, codes: Iterable[str]) -> dict[str, str]:
        """Registered participants among ``codes``: upper-cased code to id."""
        out: dict[str, str] = {}
        wanted = list(dict.fromkeys(codes))
        for start in range(0, len(wanted), LOOKUP_BATCH):
            clause, params = in_clause(wanted[start : start + LOOKUP_BATCH])
            for pid, code in self.conn.execute(
                f"SELECT id, code FROM participants WHERE code IN {clause}", params
            ):
                out[code.upper()] = pid
        return out

    def register(self, code: str, row: int, ids: dict[str, str]) -> str | None:
        """Register a participant named by an enrolment or activity (returns its id)."""
        if code.upper() in ids:
            return ids[code.upper()]
        if not self.writing:
            return None
        pid = self.store._insert_participant(
            code,
            {"site": None, "cohort": None, "status": "active"},
            None,
            self.by,
            reason=f"registered by import of {self.kind} from {self.name} row {row}",
            import_id=self.import_id,
        )
        ids[code.upper()] = pid
        self.registered += 1
        return pid

    def programme_ids(self) -> dict[str, str]:
        return {code: pid for pid, code in self.conn.execute("SELECT id, code FROM programmes")}

    def run(
        self, rows: Iterable[tuple[int, list[str]]], progress: Callable[[int], None] | None
    ) -> None:
        raise NotImplementedError


def chunked(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
