"""Exports: responses, scores, enrolments and activities to CSV or XLSX, analysis-ready.

- **Long** (default): one row per answer (responses), per administration and scale (scores), per
  enrolment or per activity.
- **Wide** (responses and scores): one row per person per time point; stable, safe column names
  ``<instrument>_<item>`` / ``<instrument>_<scale>`` (e.g. ``barc10_q1``, ``barc10_total``), and
  a missing answer's reason in its own column ``<instrument>_<item>_missing`` rather than a blank.
  When a person has more than one completed administration of an instrument at a time point, the
  latest is used and the report says how often that happened.

Privacy by default: responses and scores exports hold participants' data only. Peer workers' own
wellbeing answers and scores (stored under their worker codes) are exported only when asked for
with ``subject_type="worker"`` (or None for both), and the report then carries a warning that
worker-level data identifies individuals and must not leave the organisation.

Files are written to a temporary file created 0600 beside the target and put in place when
complete, so a failed export never leaves half a file; an existing file is never replaced unless
``overwrite=True``. The format is ``csv`` or ``xlsx``, from the file's extension or given; any
other extension (e.g. ``.json``) is refused rather than silently written as CSV. Rows are
streamed from the database to the file (XLSX in openpyxl's write-only mode), so memory stays
flat. The export's filters are those of :func:`recoverycap.store.frames.filter_sql`.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import RecoveryCapError, StoreError
from ..paths import open_private
from .base import date_range, in_clause
from .fields import DEFAULT_TIMEPOINTS, SUBJECT_TYPES, one_of
from .files import put_in_place, refuse_existing
from .frames import ANSWER_COLUMNS, SCORE_COLUMNS, answers_sql, scores_sql

if TYPE_CHECKING:  # pragma: no cover
    from .base import StoreBase

KINDS = ("responses", "scores", "enrolments", "activities")
FORMATS = ("csv", "xlsx")
EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}
WORKER_WARNING = (
    "this file holds peer workers' own wellbeing answers or scores under their worker codes: "
    "worker-level data identifies individuals and must not leave the organisation"
)
XLSX_MAX_ROWS = 1_048_576
PROGRESS_EVERY = 50_000
WIDE_ID_COLUMNS = ("subject_type", "subject", "site", "cohort", "timepoint")
ENROLMENT_COLUMNS = (
    "enrolment_id",
    "participant",
    "site",
    "cohort",
    "programme",
    "started",
    "ended",
    "outcome",
    "reason",
    "substance_outcome",
)
ACTIVITY_COLUMNS = (
    "activity_id",
    "participant",
    "site",
    "cohort",
    "programme",
    "activity",
    "date",
    "result",
    "mode",
    "timepoint",
    "notes",
)
_UNSAFE = re.compile(r"[^a-z0-9_]+")
TIMEPOINT_ORDER = (
    "CASE a.timepoint "
    + " ".join(f"WHEN '{tp}' THEN {n}" for n, tp in enumerate(DEFAULT_TIMEPOINTS))
    + f" ELSE {len(DEFAULT_TIMEPOINTS)} END, a.timepoint"
)
"""Wide rows: the default time points in schedule order, then others alphabetically."""


@attrs.frozen
class ExportReport:
    """What an export wrote.

    Attributes:
        path: The file written.
        kind: ``responses``, ``scores``, ``enrolments`` or ``activities``.
        format: ``csv`` or ``xlsx``.
        wide: Whether it is one row per person per time point.
        rows: Data rows written (not counting the header).
        columns: The column names.
        duplicates: Wide only: person-time points with more than one administration of an
            instrument (the latest was used).
        notes: Anything the person exporting should know.
        subject_type: Whose responses or scores it holds: ``participant``, ``worker`` or None
            (both); None for enrolments and activities (participants' records).
        warnings: What the person exporting must act on (worker-level data in the file).
    """

    path: Path
    kind: str
    format: str
    wide: bool
    rows: int
    columns: tuple[str, ...]
    duplicates: int = 0
    notes: tuple[str, ...] = ()
    subject_type: str | None = None
    warnings: tuple[str, ...] = ()


def safe_name(*parts: str) -> str:
    """A column name of lowercase letters, digits and ``_`` (``barc10``, ``q1`` -> ``barc10_q1``)."""
    return "_".join(_UNSAFE.sub("_", p.lower()).strip("_") for p in parts if p)


def _cell(value: Any) -> Any:
    return "" if value is None else value


# -- writers ------------------------------------------------------------------------------------------
class _Writer:
    """Writes rows to a temporary 0600 file, renamed to the target by :meth:`finish`."""

    def __init__(self, path: Path, fmt: str, sheet: str):
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        self.format = fmt
        self.rows = -1  # the header is not a data row
        self.replaced = 0
        self.handle = open_private(
            self.tmp,
            "wb" if fmt == "xlsx" else "w",
            **({} if fmt == "xlsx" else {"newline": "", "encoding": "utf-8"}),
        )
        if fmt == "xlsx":
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet(sheet)
        else:
            self.csv = csv.writer(self.handle)

    def write(self, row: Sequence[Any]) -> None:
        self.rows += 1
        if self.format == "xlsx":
            if self.rows + 1 > XLSX_MAX_ROWS:
                raise StoreError(
                    f"the export has more than {XLSX_MAX_ROWS - 1:,} rows, more than an XLSX sheet holds; "
                    "use --format csv (or --wide, or filters)"
                )
            self.sheet.append([self._xlsx(v) for v in row])
        else:
            self.csv.writerow([_cell(v) for v in row])

    def _xlsx(self, value: Any) -> Any:
        if isinstance(value, str):
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            cleaned, n = ILLEGAL_CHARACTERS_RE.subn("\ufffd", value)
            self.replaced += n
            return cleaned
        return value

    def finish(self, overwrite: bool) -> None:
        if self.format == "xlsx":
            self.book.save(self.handle)
        self.handle.close()
        put_in_place(self.tmp, self.path, "export", overwrite)
        os.chmod(self.path, 0o600)

    def abort(self) -> None:
        try:
            if self.format == "xlsx":  # finish openpyxl's row stream and remove its temporary file
                with contextlib.suppress(Exception):
                    self.sheet.close()
                with contextlib.suppress(Exception):
                    self.sheet._writer.cleanup()
            self.handle.close()
        finally:
            if self.tmp.exists():
                self.tmp.unlink()


# -- long ---------------------------------------------------------------------------------------------
def _long_rows(
    store: StoreBase, kind: str, status: str, filters: dict[str, Any]
) -> tuple[tuple[str, ...], Iterator[Sequence[Any]]]:
    if kind == "scores":
        sql, params = scores_sql(status, **filters)
        cursor = store.conn.execute(sql, params)
        return SCORE_COLUMNS, ((*row[:-1], bool(row[-1])) for row in cursor)
    if kind == "responses":
        sql, params = answers_sql(status, **filters)
        cursor = store.conn.execute(sql, params)
        return ANSWER_COLUMNS, _in_item_order(store, cursor)
    if kind == "enrolments":
        return ENROLMENT_COLUMNS, store.conn.execute(*_enrolments_sql(filters))
    return ACTIVITY_COLUMNS, store.conn.execute(*_activities_sql(filters))


def _item_ranks(
    store: StoreBase, instrument: str, version: str, cache: dict[tuple[str, str], dict[str, int]]
) -> dict[str, int]:
    key = (instrument, version)
    if key not in cache:
        try:
            cache[key] = {
                item: n for n, item in enumerate(store._instrument(instrument, version).item_ids)
            }
        except RecoveryCapError:
            cache[key] = {}
    return cache[key]


def _in_item_order(store: StoreBase, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Answer rows (ordered by administration) with each administration's items in the
    instrument's order."""
    cache: dict[tuple[str, str], dict[str, int]] = {}
    group: list[Sequence[Any]] = []
    for row in rows:
        if group and row[0] != group[0][0]:
            yield from _sort_group(store, group, cache)
            group = []
        group.append(row)
    if group:
        yield from _sort_group(store, group, cache)


def _sort_group(
    store: StoreBase, group: list[Sequence[Any]], cache: dict[tuple[str, str], dict[str, int]]
) -> list[Sequence[Any]]:
    ranks = _item_ranks(store, group[0][5], group[0][6], cache)
    return sorted(group, key=lambda r: (ranks.get(r[10], len(ranks)), r[10]))


def _people_filters(filters: dict[str, Any], date_column: str) -> tuple[list[str], list[Any]]:
    allowed = {"site", "cohort", "programme", "subject", "date_from", "date_to"}
    unknown = sorted(set(filters) - allowed)
    if unknown:
        raise TypeError(
            f"unknown filter(s) {', '.join(unknown)}; filters are: {', '.join(sorted(allowed))}"
        )
    where, params = [], []
    for column, name in (
        ("p.site", "site"),
        ("p.cohort", "cohort"),
        ("g.code", "programme"),
        ("p.code", "subject"),
    ):
        value = filters.get(name)
        if value is not None:
            clause, values = in_clause(value)
            where.append(f"{column} IN {clause}")
            params.extend(values)
    dates, days = date_range(date_column, filters.get("date_from"), filters.get("date_to"))
    return where + dates, params + days


def _enrolments_sql(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    where, params = _people_filters(filters, "e.started")
    sql = (
        "SELECT e.id, p.code, p.site, p.cohort, g.code, e.started, e.ended, e.outcome, e.reason, e.substance_outcome "
        "FROM enrolments e JOIN participants p ON p.id = e.participant_id JOIN programmes g ON g.id = e.programme_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY p.code, e.started, g.code"
    )
    return sql, params


def _activities_sql(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    where, params = _people_filters(filters, "a.date")
    sql = (
        "SELECT a.id, p.code, p.site, p.cohort, g.code, a.kind, a.date, a.result, a.mode, a.timepoint, a.notes "
        "FROM activities a LEFT JOIN participants p ON p.id = a.participant_id "
        "LEFT JOIN programmes g ON g.id = a.programme_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.date, p.code, a.kind, a.recorded_at"
    )
    return sql, params


# -- wide ---------------------------------------------------------------------------------------------
def _instruments_present(
    store: StoreBase, status: str, filters: dict[str, Any]
) -> list[tuple[str, list[str]]]:
    """Each instrument in the export with the names (items or scales) it contributes, in order."""
    from .frames import SUBJECT_JOIN, _where, filter_sql

    where, params = filter_sql(**filters)
    where.insert(0, "a.status = ?")
    params.insert(0, status)
    pairs = store.conn.execute(
        f"SELECT DISTINCT a.instrument, a.version {SUBJECT_JOIN}{_where(where)} ORDER BY a.instrument, a.version",
        params,
    ).fetchall()
    return [
        (iid, [v for _i, v in pairs if _i == iid]) for iid in dict.fromkeys(i for i, _ in pairs)
    ]


def _names_for(store: StoreBase, kind: str, instrument: str, versions: list[str]) -> list[str]:
    names: list[str] = []
    for version in reversed(versions):  # the latest version's order first
        try:
            inst = store._instrument(instrument, version)
            found = list(inst.item_ids) if kind == "responses" else [s.id for s in inst.scales]
        except RecoveryCapError:
            table, column = ("answers", "item") if kind == "responses" else ("scores", "scale")
            found = sorted(
                r[0]
                for r in store.conn.execute(
                    f"SELECT DISTINCT x.{column} FROM {table} x JOIN administrations a ON a.id = x.administration_id "
                    "WHERE a.instrument = ? AND a.version = ?",
                    (instrument, version),
                )
            )
        names += [n for n in found if n not in names]
    return names


def _wide(
    store: StoreBase,
    kind: str,
    status: str,
    filters: dict[str, Any],
    writer: _Writer,
    progress: Callable[[int], None] | None,
) -> tuple[tuple[str, ...], int]:
    present = [
        (iid, _names_for(store, kind, iid, versions))
        for iid, versions in _instruments_present(store, status, filters)
    ]
    columns: list[str] = list(WIDE_ID_COLUMNS)
    slots: dict[tuple[str, str], int] = {}
    meta: dict[str, int] = {}
    for iid, names in present:
        meta[iid] = len(columns)
        columns += [
            safe_name(iid, "version"),
            safe_name(iid, "administered_at"),
            safe_name(iid, "mode"),
        ]
        for name in names:
            slots[(iid, name)] = len(columns)
            if kind == "responses":
                columns += [safe_name(iid, name), safe_name(iid, name, "missing")]
            else:
                columns += [
                    safe_name(iid, name),
                    safe_name(iid, name, "band"),
                    safe_name(iid, name, "answered"),
                ]
    writer.write(columns)
    if kind == "responses":
        sql, params = answers_sql(status, **filters)
    else:
        sql, params = scores_sql(status, **filters)
    sql = (
        sql.rsplit(" ORDER BY ", 1)[0]
        + f" ORDER BY a.subject_type, subject, {TIMEPOINT_ORDER}, a.instrument, a.administered_at, a.id"
    )
    row: list[Any] | None = None
    key: tuple[Any, ...] | None = None
    seen: dict[str, str] = {}
    duplicates = 0
    for record in store.conn.execute(sql, params):
        adm_id, subject_type, subject, site, cohort, iid, version, timepoint, when, mode = record[
            :10
        ]
        if (subject_type, subject, timepoint) != key:
            if row is not None:
                writer.write(row)
                if progress and writer.rows % PROGRESS_EVERY == 0:
                    progress(writer.rows)
            key = (subject_type, subject, timepoint)
            row = [subject_type, subject, site, cohort, timepoint] + [None] * (
                len(columns) - len(WIDE_ID_COLUMNS)
            )
            seen = {}
        assert row is not None
        if seen.get(iid) != adm_id:
            if (
                iid in seen
            ):  # a later administration of the same instrument: it replaces the earlier
                duplicates += 1
                start = meta[iid]
                following = [meta[i] for i in meta if meta[i] > start]
                end = min(following) if following else len(columns)
                row[start:end] = [None] * (end - start)
            seen[iid] = adm_id
            row[meta[iid] : meta[iid] + 3] = [version, when, mode]
        name = record[10]
        slot = slots.get((iid, name))
        if slot is None:
            continue
        if kind == "responses":
            value, missing = record[11], record[12]
            row[slot : slot + 2] = [None if missing is not None else value, missing]
        else:
            score, band, answered = record[12], record[13], record[14]
            row[slot : slot + 3] = [score, band, answered]
    if row is not None:
        writer.write(row)
    return tuple(columns), duplicates


def export_format(path: Path, format: str | None = None) -> str:
    """The format to write ``path`` in: ``format`` if given, else from the file's extension.

    Raises:
        StoreError: the format is not csv or xlsx; no format is given and the extension is not
            ``.csv`` or ``.xlsx`` (e.g. ``.json``); or the extension says the other format.
    """
    named = EXTENSIONS.get(path.suffix.lower())
    if format is None:
        if named is None:
            ext = (
                f"its extension {path.suffix!r} is"
                if path.suffix
                else "it has no extension, so it is"
            )
            raise StoreError(
                f"cannot tell which format to write {path.name} in: {ext} not .csv or .xlsx; "
                "name the file .csv or .xlsx, or give the format (--format csv or --format xlsx)"
            )
        return named
    fmt = format.lower()
    if fmt not in FORMATS:
        raise StoreError(f"format {format!r} is not one of {', '.join(FORMATS)}")
    if named is not None and named != fmt:
        raise StoreError(
            f"{path.name} is named {path.suffix} but the format asked for is {fmt}; "
            f"name it .{fmt} or leave out the format"
        )
    return fmt


def export(
    store: StoreBase,
    kind: str,
    path: str | os.PathLike[str],
    wide: bool = False,
    format: str | None = None,
    progress: Callable[[int], None] | None = None,
    status: str = "complete",
    subject_type: str | None = "participant",
    overwrite: bool = False,
    **filters: Any,
) -> ExportReport:
    """Export one kind of record to a CSV or XLSX file (created 0600, streamed).

    Args:
        store: The store.
        kind: ``responses``, ``scores``, ``enrolments`` or ``activities``.
        path: The file to write; ``.csv`` or ``.xlsx`` unless ``format`` is given.
        wide: One row per person per time point (responses and scores only).
        format: ``csv`` or ``xlsx`` (default: from the file's extension).
        progress: Called with the rows written so far, now and then.
        status: Administrations to include (responses and scores): ``complete`` by default.
        subject_type: Responses and scores: ``participant`` (default), ``worker`` (peer
            workers' own wellbeing answers or scores, under their codes: the report then
            carries :data:`WORKER_WARNING`), or None (both, with the warning). Enrolments and
            activities are participants' records only.
        overwrite: Replace ``path`` if it exists (only once the export is complete). By default
            an existing file is refused.
        **filters: For responses and scores, as :meth:`Store.scores_frame`; for enrolments and
            activities: ``site``, ``cohort``, ``programme``, ``subject``, ``date_from``,
            ``date_to``.

    Returns:
        An :class:`ExportReport`.

    Raises:
        StoreError: an unknown kind or format, a file name whose extension is not .csv or
            .xlsx with no format given, a file that exists already (without ``overwrite``),
            ``wide`` for enrolments or activities, worker data asked of enrolments or
            activities, or more rows than an XLSX sheet holds (nothing is written).
    """
    path = Path(path)
    if kind not in KINDS:
        raise StoreError(f"cannot export {kind!r}; choose one of {', '.join(KINDS)}")
    fmt = export_format(path, format)
    if wide and kind not in ("responses", "scores"):
        raise StoreError(
            f"--wide is for responses and scores (one row per person per time point); {kind} are exported one row per record"
        )
    if "subject_type" in filters:  # also accepted among the filters, as scores_frame takes it
        subject_type = filters.pop("subject_type")
    if subject_type is not None:
        subject_type = one_of("subject_type", subject_type, SUBJECT_TYPES)
    warnings: tuple[str, ...] = ()
    if kind in ("responses", "scores"):
        filters["subject_type"] = subject_type
        if subject_type != "participant":
            warnings = (WORKER_WARNING,)
    elif subject_type == "worker":
        raise StoreError(
            f"{kind} are participants' records; worker data (subject_type worker) is only in "
            "responses and scores"
        )
    if not path.parent.is_dir():
        raise StoreError(f"the folder {path.parent} does not exist")
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give a file name for the export")
    refuse_existing(path, "export", overwrite)
    writer = _Writer(path, fmt, kind)
    duplicates = 0
    try:
        if wide:
            columns, duplicates = _wide(store, kind, status, filters, writer, progress)
        else:
            columns, rows = _long_rows(store, kind, status, filters)
            writer.write(columns)
            for row in rows:
                writer.write(row)
                if progress and writer.rows % PROGRESS_EVERY == 0:
                    progress(writer.rows)
        writer.finish(overwrite)
    except BaseException:
        writer.abort()
        raise
    if progress:
        progress(writer.rows)
    notes = []
    if duplicates:
        notes.append(
            f"{duplicates} time point(s) had more than one administration of the same instrument; the latest was used"
        )
    if writer.replaced:
        notes.append(
            f"{writer.replaced} control character(s) that XLSX cannot hold were replaced with \ufffd"
        )
    return ExportReport(
        path,
        kind,
        fmt,
        wide,
        writer.rows,
        tuple(columns),
        duplicates,
        tuple(notes),
        subject_type if kind in ("responses", "scores") else None,
        warnings,
    )
