"""Importing CSV files: participants, enrolments, activities and responses.

Columns (names as in the first row, any order; cells are trimmed; dates are ISO 8601):

- ``participants``: ``participant`` (the code), and optionally ``site``, ``cohort``,
  ``release_date``, ``status``.
- ``enrolments``: ``participant``, ``programme``, ``started``, and optionally ``ended``,
  ``outcome`` (default ``ongoing``), ``reason`` (required when the outcome is
  ``not_completed``), ``substance_outcome``.
- ``activities``: ``participant`` (may be blank), ``activity`` (the kind), ``date`` (not after
  today), and optionally ``programme``, ``result``, ``mode``, ``timepoint``, ``notes`` (nothing
  shaped like a prison number).
- ``responses``, long: ``participant``, ``timepoint``, ``instrument`` (``id`` or ``id@version``),
  ``item``, ``value``, ``missing_reason``, ``administered_at``, and optionally ``mode``;
  one row per answer.
- ``responses``, wide (``instrument=`` given): ``participant``, ``timepoint``,
  ``administered_at``, optionally ``mode``, and one column per item named ``q1`` or
  ``barc10_q1``, with its missing reason in ``q1_missing`` / ``barc10_q1_missing`` if wanted (the
  layout ``export --wide`` writes). Other columns are ignored and listed in the report.

Rules:

- **All or nothing.** Every row is checked; any problem raises
  :class:`~recoverycap.errors.ImportProblems` listing every one (file, row, column, what is
  allowed, what was given) and nothing is written. ``dry_run`` checks and counts, then writes
  nothing.
- **Idempotent.** Records are matched on natural keys: participants by code; enrolments by
  participant, programme and start date; responses by participant, instrument, time point and
  ``administered_at`` (then item); activities by a key made from their fields and how many
  identical rows came before in the file. Importing the same file again changes nothing; a file
  with changed values updates the stored records, each change logged with its old value and the
  file and row it came from (corrected answers are rescored).
- Enrolments and activities for a participant code not yet registered register it. Responses
  need registered participants (a typo in a code should not create a person).
- Imported responses are complete administrations: items not in the file are stored as missing
  (``not_asked``) and scores are computed with the instrument version named (default: latest).
- One transaction, holding the write lock throughout; rows are read and written in chunks, so
  memory stays flat however long the file is. A progress callback gets the rows done.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import ImportProblems, InvalidRecord, Problem
from ..instrument import Instrument
from . import audit
from .base import in_clause
from .fields import (
    PARTICIPANT_STATUSES,
    check_activity,
    check_code,
    check_date,
    check_enrolment,
    check_id,
    check_not_future,
    check_notes,
    check_substance_outcome,
    check_text,
    new_id,
    now,
    one_of,
)
from .import_base import COLUMNS, LOOKUP_BATCH, Importer, chunked
from .import_responses import ResponsesImporter
from .models import Enrolment, Participant

if TYPE_CHECKING:  # pragma: no cover
    from .db import Store

KINDS = ("participants", "enrolments", "activities", "responses")


@attrs.frozen
class ImportReport:
    """What an import did (or, with ``dry_run``, would do).

    Attributes:
        kind: ``participants``, ``enrolments``, ``activities`` or ``responses``.
        file: The file's name.
        rows: Data rows read (blank rows are skipped).
        created: Records created (participants, enrolments, activities or administrations).
        updated: Existing records changed (each change is in the audit log).
        unchanged: Rows matching what was stored already.
        registered: Participants registered because an enrolment or activity named them.
        answers: Answers written (responses only).
        skipped: Rows of a wide responses file with no answer for the instrument at all (the
            person was not given it at that time point).
        dry_run: True if nothing was written.
        ignored_columns: Columns of a wide responses file that were not used.
        import_id: The id of the import's record (None for a dry run).
    """

    kind: str
    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    registered: int = 0
    answers: int = 0
    skipped: int = 0
    dry_run: bool = False
    ignored_columns: tuple[str, ...] = ()
    import_id: str | None = None

    def summary(self) -> str:
        """One line for people, e.g. ``responses.csv: 1,000 rows; 100 created, ...``."""
        what = {
            "participants": "participants",
            "enrolments": "enrolments",
            "activities": "activities",
            "responses": "administrations",
        }[self.kind]
        parts = [
            f"{self.created:,} {what} created",
            f"{self.updated:,} updated",
            f"{self.unchanged:,} unchanged",
        ]
        if self.registered:
            parts.append(f"{self.registered:,} participants registered")
        if self.kind == "responses":
            parts.append(f"{self.answers:,} answers written")
        if self.skipped:
            parts.append(f"{self.skipped:,} rows with no answers skipped")
        head = "checked (dry run, nothing written)" if self.dry_run else "imported"
        return f"{self.file}: {self.rows:,} rows {head}; " + ", ".join(parts)


class _Rollback(Exception):
    """Leave the import's transaction without committing."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- participants -------------------------------------------------------------------------------------
class ParticipantsImporter(Importer):
    kind = "participants"

    def run(
        self, rows: Iterable[tuple[int, list[str]]], progress: Callable[[int], None] | None
    ) -> None:
        seen: dict[str, int] = {}
        for chunk in chunked(rows, 2000):
            parsed = []
            for n, cells in chunk:
                self.rows += 1
                try:
                    code = check_code(self.cell(cells, "participant"))
                    values = {
                        "site": check_text(self.cell(cells, "site"), "site"),
                        "cohort": check_text(self.cell(cells, "cohort"), "cohort"),
                        "status": one_of("status", self.cell(cells, "status"), PARTICIPANT_STATUSES)
                        if self.cell(cells, "status")
                        else None,
                    }
                    release = check_date(
                        self.cell(cells, "release_date"), "release_date", required=False
                    )
                except InvalidRecord as exc:
                    self.invalid(n, exc)
                    continue
                if code.upper() in seen:
                    self.problem(
                        n,
                        "participant",
                        f"{code} appears twice in the file (rows {seen[code.upper()]} and {n})",
                    )
                    continue
                seen[code.upper()] = n
                parsed.append((n, code, values, release))
            existing = self._existing([p[1] for p in parsed])
            for n, code, values, release in parsed:
                current = existing.get(code.upper())
                if current is None:
                    if self.writing:
                        values["status"] = values["status"] or "active"
                        self.store._insert_participant(
                            code, values, release, self.by, f"{self.reason} row {n}", self.import_id
                        )
                    self.created += 1
                    continue
                changes = {k: v for k, v in values.items() if v is not None}
                reason = f"{self.reason} row {n}"
                changed = (
                    self.store._update_participant(current, changes, reason, self.by)
                    if self.writing
                    else 0
                )
                if release is not None and release != current.release_date:
                    if self.writing:
                        self.store._insert_release(
                            current.id, release, reason, self.by, self.import_id
                        )
                    changed += 1
                if changed:
                    self.updated += 1
                else:
                    self.unchanged += 1
            if progress:
                progress(self.rows)

    def _existing(self, codes: list[str]) -> dict[str, Participant]:
        from .participants import PARTICIPANT_SQL

        out: dict[str, Participant] = {}
        for start in range(0, len(codes), LOOKUP_BATCH):
            clause, params = in_clause(codes[start : start + LOOKUP_BATCH])
            for row in self.store._rows(PARTICIPANT_SQL + f" WHERE p.code IN {clause}", params):
                out[row["code"].upper()] = Participant.from_row(row)
        return out


# -- enrolments ---------------------------------------------------------------------------------------
class EnrolmentsImporter(Importer):
    kind = "enrolments"

    def run(
        self, rows: Iterable[tuple[int, list[str]]], progress: Callable[[int], None] | None
    ) -> None:
        from .programmes import ENROLMENT_SQL

        programmes = self.programme_ids()
        seen: dict[tuple[str, str, str], int] = {}
        for chunk in chunked(rows, 2000):
            parsed = []
            for n, cells in chunk:
                self.rows += 1
                try:
                    code = check_code(self.cell(cells, "participant"))
                    programme = self.cell(cells, "programme")
                    if programme not in programmes:
                        raise InvalidRecord(
                            "programme",
                            [
                                Problem(
                                    "",
                                    "programme",
                                    f"{programme!r} is not one of {', '.join(sorted(programmes))}",
                                )
                            ],
                        )
                    started = check_date(self.cell(cells, "started"), "started")
                    assert started is not None
                    ended = check_date(self.cell(cells, "ended"), "ended", required=False)
                    outcome = self.cell(cells, "outcome") or ("ongoing" if ended is None else "")
                    outcome, reason = check_enrolment(
                        started, ended, outcome, self.cell(cells, "reason") or None
                    )
                    substance = check_substance_outcome(self.cell(cells, "substance_outcome"))
                except InvalidRecord as exc:
                    self.invalid(n, exc)
                    continue
                key = (code.upper(), programme, started.isoformat())
                if key in seen:
                    self.problem(
                        n,
                        "started",
                        f"{code} {programme} starting {started} appears twice in the file (rows {seen[key]} and {n})",
                    )
                    continue
                seen[key] = n
                parsed.append((n, code, programme, started, ended, outcome, reason, substance))
            ids = self.participant_ids(p[1] for p in parsed)
            for n, code, programme, started, ended, outcome, reason, substance in parsed:
                pid = self.register(code, n, ids)
                if pid is None:
                    self.created += 1
                    continue
                gid = programmes[programme]
                row = self.store._one(
                    ENROLMENT_SQL
                    + " WHERE e.participant_id = ? AND e.programme_id = ? AND e.started = ?",
                    (pid, gid, started.isoformat()),
                )
                if row is None:
                    clash = self.store._one(
                        "SELECT started FROM enrolments WHERE participant_id = ? AND programme_id = ? AND outcome = 'ongoing'",
                        (pid, gid),
                    )
                    if clash is not None and outcome == "ongoing":
                        self.problem(
                            n,
                            "started",
                            f"{code} already has an ongoing {programme} enrolment started {clash['started']}",
                        )
                        continue
                    if self.writing:
                        self.store._insert_enrolment(
                            pid,
                            gid,
                            started,
                            ended,
                            outcome,
                            reason,
                            substance,
                            self.by,
                            self.import_id,
                        )
                    self.created += 1
                    continue
                current = Enrolment.from_row(row)
                changes = {
                    "ended": ended,
                    "outcome": outcome,
                    "reason": reason,
                    "substance_outcome": substance,
                }
                changed = (
                    self.store._update_enrolment(
                        current, changes, f"{self.reason} row {n}", self.by
                    )
                    if self.writing
                    else 0
                )
                if changed or (
                    not self.writing and any(getattr(current, k) != v for k, v in changes.items())
                ):
                    self.updated += 1
                else:
                    self.unchanged += 1
            if progress:
                progress(self.rows)


# -- activities ---------------------------------------------------------------------------------------
class ActivitiesImporter(Importer):
    kind = "activities"

    def run(
        self, rows: Iterable[tuple[int, list[str]]], progress: Callable[[int], None] | None
    ) -> None:
        programmes = self.programme_ids()
        occurrences: Counter[bytes] = Counter()
        for chunk in chunked(rows, 2000):
            parsed = []
            for n, cells in chunk:
                self.rows += 1
                try:
                    raw_code = self.cell(cells, "participant")
                    code = check_code(raw_code) if raw_code else None
                    programme = self.cell(cells, "programme") or None
                    if programme is not None and programme not in programmes:
                        raise InvalidRecord(
                            "programme",
                            [
                                Problem(
                                    "",
                                    "programme",
                                    f"{programme!r} is not one of {', '.join(sorted(programmes))}",
                                )
                            ],
                        )
                    kind, result, mode = check_activity(
                        self.cell(cells, "activity"),
                        self.cell(cells, "result") or None,
                        self.cell(cells, "mode") or None,
                    )
                    day = check_date(self.cell(cells, "date"), "date")
                    assert day is not None
                    check_not_future(day, "date", "an activity")
                    timepoint = (
                        check_id(self.cell(cells, "timepoint"), "timepoint")
                        if self.cell(cells, "timepoint")
                        else None
                    )
                    notes = check_notes(self.cell(cells, "notes"))
                except InvalidRecord as exc:
                    self.invalid(n, exc)
                    continue
                fields = (
                    code.upper() if code else "",
                    programme or "",
                    kind,
                    day.isoformat(),
                    result or "",
                    mode or "",
                    timepoint or "",
                    notes or "",
                )
                base = hashlib.sha256("\x1f".join(fields).encode("utf-8")).digest()
                occurrences[base] += 1
                key = hashlib.sha256(base + str(occurrences[base]).encode()).hexdigest()
                parsed.append((n, code, programme, kind, day, result, mode, timepoint, notes, key))
            ids = self.participant_ids(p[1] for p in parsed if p[1])
            known = self._known_keys([p[-1] for p in parsed])
            for n, code, programme, kind, day, result, mode, timepoint, notes, key in parsed:
                if key in known:
                    self.unchanged += 1
                    continue
                pid = self.register(code, n, ids) if code else None
                if self.writing:
                    self.store._insert_activity(
                        pid,
                        programmes[programme] if programme else None,
                        kind,
                        day,
                        result,
                        mode,
                        timepoint,
                        notes,
                        self.by,
                        import_id=self.import_id,
                        import_key=key,
                    )
                self.created += 1
            if progress:
                progress(self.rows)

    def _known_keys(self, keys: list[str]) -> set[str]:
        out: set[str] = set()
        for start in range(0, len(keys), LOOKUP_BATCH):
            clause, params = in_clause(keys[start : start + LOOKUP_BATCH])
            out.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT import_key FROM activities WHERE import_key IN {clause}", params
                )
            )
        return out


IMPORTERS: dict[str, type[Importer]] = {
    "participants": ParticipantsImporter,
    "enrolments": EnrolmentsImporter,
    "activities": ActivitiesImporter,
    "responses": ResponsesImporter,
}


def _records(reader: Any, width: int, importer: Importer) -> Iterator[tuple[int, list[str]]]:
    """Data rows with their row number (the header is row 1); blank rows skipped."""
    n = 1
    for cells in reader:
        n += 1
        if not cells or (not cells[0] and not "".join(cells).strip()):
            continue
        if len(cells) > width and "".join(cells[width:]).strip():
            importer.problem(
                n, "", f"the row has {len(cells)} cells but the header has {width} columns"
            )
            continue
        yield n, cells


def import_csv(
    store: Store,
    kind: str,
    path: str | os.PathLike[str],
    instrument: str | Instrument | None = None,
    dry_run: bool = False,
    by: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a CSV file into the store, all or nothing (see the module documentation).

    Args:
        store: The store.
        kind: ``participants``, ``enrolments``, ``activities`` or ``responses``.
        path: The CSV file (UTF-8, with or without a byte-order mark).
        instrument: For a wide responses file: the instrument (id or ``id@version``).
        dry_run: Check everything and count what would change; write nothing.
        by: Who is importing (default: the store's actor).
        progress: Called with the number of rows read so far, after each chunk.

    Returns:
        An :class:`ImportReport`.

    Raises:
        ImportProblems: listing every problem (file, row, column, allowed, given); nothing was
            written.
        FileNotFoundError: the file does not exist.
    """
    path = Path(path)
    name = path.name
    if kind not in KINDS:
        raise ImportProblems(
            f"cannot import {kind!r}",
            [Problem(name, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")],
        )
    if instrument is not None and kind != "responses":
        raise ImportProblems(
            f"{name}: --instrument is only for responses",
            [Problem(name, "instrument", "only a wide responses file takes an instrument")],
        )
    who = by or store.actor
    inst = store._resolve_instrument(instrument) if instrument is not None else None
    digest = file_sha256(path)
    importer = IMPORTERS[kind](store, name, [], who, inst)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise ImportProblems(
                    f"{name} is empty",
                    [
                        Problem(
                            name, "header", "the file is empty; the first row must name the columns"
                        )
                    ],
                )
            importer.header = [h.strip() for h in header]
            layout = "responses_wide" if (kind == "responses" and inst is not None) else kind
            importer.check_header(layout)
            if isinstance(importer, ResponsesImporter) and inst is not None:
                importer.plan_wide()
            if importer.n_problems:
                raise ImportProblems(
                    f"{name}: the header has {importer.n_problems} problem(s); nothing was imported",
                    importer.problems,
                )
            records = _records(reader, len(importer.header), importer)
            try:
                with store.transaction():
                    importer.import_id = new_id()
                    store.conn.execute(
                        "INSERT INTO imports (id, kind, file, sha256, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?)",
                        (importer.import_id, kind, name, digest, now(), who),
                    )
                    importer.run(records, progress)
                    if importer.n_problems or dry_run or not (importer.created or importer.updated):
                        raise _Rollback  # problems, a dry run, or nothing new: write nothing
                    store.conn.execute(
                        "UPDATE imports SET rows = ?, created = ?, updated = ?, unchanged = ? WHERE id = ?",
                        (
                            importer.rows,
                            importer.created,
                            importer.updated,
                            importer.unchanged,
                            importer.import_id,
                        ),
                    )
                    audit.write(
                        store.conn,
                        who,
                        "import",
                        kind,
                        importer.import_id,
                        new={
                            "file": name,
                            "sha256": digest,
                            "rows": importer.rows,
                            "created": importer.created,
                            "updated": importer.updated,
                            "unchanged": importer.unchanged,
                            "registered": importer.registered,
                            "answers": importer.answers,
                        },
                        reason=f"import of {name}",
                    )
            except _Rollback:
                pass
    except UnicodeDecodeError as exc:
        raise ImportProblems(
            f"{name} is not UTF-8 text",
            [
                Problem(
                    name,
                    "",
                    f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as 'CSV UTF-8'",
                )
            ],
        ) from None
    except csv.Error as exc:
        raise ImportProblems(
            f"{name} is not a readable CSV file",
            [Problem(name, "", f"not a readable CSV file: {exc}")],
        ) from None
    if importer.n_problems:
        more = (
            f" (the first {len(importer.problems)} are listed)"
            if importer.n_problems > len(importer.problems)
            else ""
        )
        raise ImportProblems(
            f"{name}: {importer.n_problems} problem(s){more}; nothing was imported",
            importer.problems,
        )
    return ImportReport(
        kind=kind,
        file=name,
        rows=importer.rows,
        created=importer.created,
        updated=importer.updated,
        unchanged=importer.unchanged,
        registered=importer.registered,
        answers=importer.answers,
        skipped=importer.skipped,
        dry_run=dry_run,
        ignored_columns=importer.ignored,
        import_id=importer.import_id
        if not dry_run and (importer.created or importer.updated)
        else None,
    )


__all__ = ["COLUMNS", "KINDS", "ImportReport", "import_csv"]
