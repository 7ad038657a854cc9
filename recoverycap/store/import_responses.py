"""Importing responses, long or wide: rows are checked cell by cell (each distinct cell once),
grouped into administrations as they stream past, and written in chunks, with scores, in the
import's transaction. See :mod:`recoverycap.store.imports` for the file layouts and rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import InvalidRecord, InvalidResponse, RecoveryCapError
from ..instrument import MISSING_REASONS, Instrument
from ..scoring import Answer, Missing
from . import audit
from .administrations import (
    ALERT_INSERT,
    ANSWER_INSERT,
    SCORE_UPSERT,
    BulkScorer,
    alert_audit_row,
    alert_rows,
    check_answer,
    same_answer,
    score_rows,
    stored_value,
)
from .base import in_clause
from .fields import MODES, IdPool, check_code, check_id, check_when, now
from .import_base import COLUMNS, LOOKUP_BATCH, Importer

CHUNK_ROWS = 20_000
"""Answers written at a time (a chunk ends only between administrations)."""


_Key = tuple[
    str, str, str, str, str
]  # upper-cased code, instrument@version, time point, when, code
_Answer = tuple[_Key, int, Instrument, str, Answer, "str | None"]


class _Bad:
    """A cell value found to be invalid (cached like a good one): the column and the message."""

    __slots__ = ("column", "message")

    def __init__(self, column: str, message: str):
        self.column = column
        self.message = message


class ResponsesImporter(Importer):
    """Long or wide responses, streamed: rows are grouped into administrations as they come.

    Cell values repeat (a few codes, time points, dates and answer codes), so each distinct raw
    cell is checked once and the result cached (bounded; free text is never cached).
    """

    kind = "responses"
    CACHE_MAX = 200_000

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.instruments: dict[str, Instrument | str] = {}
        self.codes: dict[str, tuple[str, str] | _Bad] = {}
        self.timepoints: dict[str, str | _Bad] = {}
        self.whens: dict[str, str | _Bad] = {}
        self.modes: dict[str, str | _Bad | None] = {}
        self.values: dict[
            tuple[str, str, str, str], tuple[Instrument, str, Answer, str] | _Bad
        ] = {}
        self.item_ids: dict[str, tuple[str, ...]] = {}
        self.scorers: dict[str, BulkScorer] = {}
        self.wide_items: list[tuple[str, int | None, int | None, str]] = []

    def aliases(self) -> None:
        """A wide file written by ``export --wide`` names the participant ``subject`` and the date
        ``<instrument>_administered_at``: accept those too."""
        inst = self.instrument
        if inst is None:
            return
        for column, alias in (
            ("participant", "subject"),
            ("administered_at", f"{inst.id}_administered_at"),
            ("mode", f"{inst.id}_mode"),
        ):
            if column not in self.index and alias in self.index:
                self.index[column] = self.index[alias]

    # header for a wide file: which column holds which item (and its missing reason)
    def plan_wide(self) -> None:
        inst = self.instrument
        assert inst is not None
        used = set(COLUMNS["responses_wide"][0]) | set(COLUMNS["responses_wide"][1])
        used |= {
            self.header[self.index[c]]
            for c in ("participant", "administered_at", "mode")
            if c in self.index
        }
        if "subject_type" in self.index:
            used.add("subject_type")
        for item in inst.item_ids:
            value = self.index.get(f"{inst.id}_{item}", self.index.get(item))
            missing = self.index.get(f"{inst.id}_{item}_missing", self.index.get(f"{item}_missing"))
            if value is not None or missing is not None:
                column = self.header[value if value is not None else missing]  # type: ignore[index]
                self.wide_items.append((item, value, missing, column))
                used.update(self.header[i] for i in (value, missing) if i is not None)
        if not self.wide_items:
            self.problem(
                1,
                "header",
                f"no column is named after an item of {inst.id}; expected columns such as "
                f"{', '.join(inst.item_ids[:3])} or {inst.id}_{inst.item_ids[0]}; got {', '.join(self.header)}",
            )
        self.ignored = tuple(c for c in self.header if c not in used)

    # -- checking a cell the first time it is seen ------------------------------------------------
    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any) -> Any:
        if len(cache) >= ResponsesImporter.CACHE_MAX:
            cache.clear()
        cache[key] = value
        return value

    def _code(self, raw: str) -> tuple[str, str] | _Bad:
        try:
            code = check_code(raw)
            found: tuple[str, str] | _Bad = (code, code.upper())
        except InvalidRecord as exc:
            found = _Bad("participant", exc.problems[0].message)
        return self._remember(self.codes, raw, found)

    def _timepoint(self, raw: str) -> str | _Bad:
        try:
            found: str | _Bad = check_id(raw.strip(), "timepoint")
        except InvalidRecord:
            found = _Bad(
                "timepoint",
                f"{raw.strip()!r} is not a time point: use lowercase letters, digits and '_' (e.g. intake, post_release_4w)",
            )
        return self._remember(self.timepoints, raw, found)

    def _when(self, raw: str) -> str | _Bad:
        try:
            found: str | _Bad = check_when(raw.strip())
        except InvalidRecord as exc:
            found = _Bad("administered_at", exc.problems[0].message)
        return self._remember(self.whens, raw, found)

    def _mode(self, raw: str) -> str | _Bad | None:
        text = raw.strip()
        found: str | _Bad | None = text or None
        if text and text not in MODES:
            found = _Bad("mode", f"{text!r} is not one of {', '.join(MODES)}")
        return self._remember(self.modes, raw, found)

    def _instrument(self, ref: str) -> Instrument | str:
        found = self.instruments.get(ref)
        if found is None:
            try:
                found = (
                    self.store._resolve_instrument(ref)
                    if ref
                    else "an instrument id is required (e.g. barc10)"
                )
            except RecoveryCapError as exc:
                found = str(exc)
            self.instruments[ref] = found
        return found

    def _scorer(self, inst: Instrument) -> BulkScorer:
        found = self.scorers.get(inst.key)
        if found is None:
            found = self.scorers[inst.key] = BulkScorer(inst)
        return found

    def _items(self, inst: Instrument) -> tuple[str, ...]:
        found = self.item_ids.get(inst.key)
        if found is None:
            found = self.item_ids[inst.key] = inst.item_ids
        return found

    def _answer(
        self, ref: str | Instrument, item: str, value: str, reason: str, column: str = "value"
    ) -> tuple[Instrument, str, Answer, str] | _Bad:
        """The instrument, item and answer a cell (or value and reason cells) hold, or what is wrong."""
        inst = self._instrument(ref.strip()) if isinstance(ref, str) else ref
        item_id = item.strip()
        if isinstance(inst, str):
            return _Bad("instrument", inst)
        if item_id not in self._items(inst):
            return _Bad(
                "item",
                f"{inst.id} has no item {item_id!r}; its items are {', '.join(inst.item_ids)}",
            )
        text, why = value.strip(), reason.strip()
        found: tuple[Instrument, str, Answer, str] | _Bad
        if why:
            if text:
                found = _Bad(
                    column,
                    f"give a value or a missing reason, not both (value {text!r}, missing_reason {why!r})",
                )
            elif why.lower() in MISSING_REASONS:
                found = (inst, item_id, Missing(why.lower()), inst.key)
            else:
                found = _Bad(
                    "missing_reason", f"{why!r} is not one of {', '.join(MISSING_REASONS)}"
                )
        else:
            try:
                found = (inst, item_id, check_answer(inst, item_id, value), inst.key)
            except InvalidResponse as exc:
                found = _Bad(column, exc.problems[0].message)
        if (
            isinstance(found, _Bad)
            or isinstance(found[2], Missing)
            or inst.item(item_id).kind != "text"
        ):
            key = (ref if isinstance(ref, str) else ref.key, item, value, reason)
            self._remember(self.values, key, found)
        return found

    # -- rows to answers --------------------------------------------------------------------------
    def answers_of(self, rows: Iterable[tuple[int, list[str]]]) -> Iterator[_Answer]:
        """``(administration key, row, instrument, item, answer, mode)`` for every valid answer;
        problems are noted as they are found."""
        index, width = self.index, len(self.header)
        ip, it, ia = index["participant"], index["timepoint"], index["administered_at"]
        imode = index.get("mode")
        i_type = index.get("subject_type")
        codes, timepoints, whens, modes, values = (
            self.codes,
            self.timepoints,
            self.whens,
            self.modes,
            self.values,
        )
        wide = self.instrument is not None
        if self.instrument is not None:
            wide_inst, wide_key = self.instrument, self.instrument.key
        else:
            ii, iq = index["instrument"], index["item"]
            iv, im = index.get("value"), index.get("missing_reason")
        for n, cells in rows:
            self.rows += 1
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            if wide:
                if not any(
                    (v is not None and cells[v].strip()) or (m is not None and cells[m].strip())
                    for _, v, m, _ in self.wide_items
                ):
                    self.skipped += 1  # this person was not given the instrument at this time point
                    continue
                if i_type is not None and cells[i_type].strip() not in ("", "participant"):
                    self.problem(
                        n,
                        "subject_type",
                        f"only participants' responses can be imported; got {cells[i_type].strip()!r}",
                    )
                    continue
            raw = cells[ip]
            code = codes.get(raw) or self._code(raw)
            raw = cells[it]
            tp = timepoints.get(raw) or self._timepoint(raw)
            raw = cells[ia]
            when = whens.get(raw) or self._when(raw)
            mode: str | _Bad | None = None
            if imode is not None:
                raw = cells[imode]
                mode = modes[raw] if raw in modes else self._mode(raw)
            bad = (
                code.__class__ is _Bad
                or tp.__class__ is _Bad
                or when.__class__ is _Bad
                or mode.__class__ is _Bad
            )
            if bad:
                for b in (code, tp, when, mode):
                    if isinstance(b, _Bad):
                        self.problem(n, b.column, b.message)
            if wide:
                found = []
                for item, v, m, column in self.wide_items:
                    value = cells[v] if v is not None else ""
                    reason = cells[m] if m is not None else ""
                    got = values.get((wide_key, item, value, reason)) or self._answer(
                        wide_inst, item, value, reason, column
                    )
                    if isinstance(got, _Bad):
                        self.problem(n, got.column, got.message)
                    else:
                        found.append(got)
            else:
                key4 = (
                    cells[ii],
                    cells[iq],
                    cells[iv] if iv is not None else "",
                    cells[im] if im is not None else "",
                )
                got = values.get(key4) or self._answer(*key4)
                if isinstance(got, _Bad):
                    self.problem(n, got.column, got.message)
                    continue
                found = [got]
            if bad or not found:
                continue
            assert (
                isinstance(code, tuple)
                and isinstance(tp, str)
                and isinstance(when, str)
                and not isinstance(mode, _Bad)
            )
            key = (code[1], found[0][3], tp, when, code[0])
            for inst, item, answer, _ in found:
                yield key, n, inst, item, answer, mode

    def run(
        self, rows: Iterable[tuple[int, list[str]]], progress: Callable[[int], None] | None
    ) -> None:
        chunk: list[_Answer] = []
        last: _Key | None = None
        for answer in self.answers_of(rows):
            # a chunk ends only between administrations, so a sorted file's groups stay whole
            key = answer[0]
            if key != last:
                if len(chunk) >= CHUNK_ROWS:
                    self.write_chunk(chunk)
                    chunk = []
                    if progress:
                        progress(self.rows)
                last = key
            chunk.append(answer)
        if chunk:
            self.write_chunk(chunk)
        if progress:
            progress(self.rows)

    def write_chunk(self, chunk: list[_Answer]) -> None:
        groups: dict[_Key, list[_Answer]] = {}
        for entry in chunk:
            group = groups.get(entry[0])
            if group is None:
                groups[entry[0]] = [entry]
            else:
                group.append(entry)
        ids = self.participant_ids(key[4] for key in groups)
        existing = self._existing(ids.values())
        adm_rows: list[tuple[Any, ...]] = []
        answer_rows: list[tuple[Any, ...]] = []
        score_params: list[tuple[Any, ...]] = []
        alert_params: list[tuple[tuple[Any, ...], str]] = []
        audit_rows: list[tuple[Any, ...]] = []
        stamp = now()
        by, import_id, reason = self.by, self.import_id, self.reason
        dumps = json.dumps
        new_id = IdPool().next
        for key, entries in groups.items():
            code, timepoint, when = key[4], key[2], key[3]
            pid = ids.get(key[0])
            first = entries[0][1]
            if pid is None:
                self.problem(
                    first,
                    "participant",
                    f"{code} is not registered; import the participants first "
                    f"(recoverycap import participants FILE) or add it (recoverycap participant add {code})",
                )
                continue
            inst = entries[0][2]
            given: dict[str, tuple[Answer, int]] = {}
            mode = None
            for _key, n, _inst, item, answer, row_mode in entries:
                if item in given:
                    self.problem(
                        n,
                        "item",
                        f"{inst.id} item {item!r} for {code} at {timepoint} ({when}) is given twice (rows {given[item][1]} and {n})",
                    )
                    continue
                given[item] = (answer, n)
                mode = mode or row_mode
            natural = (pid, inst.id, inst.version, timepoint, when)
            found = existing.get(natural)
            if found is None:
                adm_id = new_id()
                answers: dict[str, Answer] = {}
                for item in self._items(inst):
                    pair = given.get(item)
                    answer = pair[0] if pair is not None else NOT_ASKED
                    answers[item] = answer
                    if answer.__class__ is Missing:
                        answer_rows.append((adm_id, item, new_id(), None, answer.reason, stamp))
                    else:
                        answer_rows.append((adm_id, item, new_id(), answer, None, stamp))
                sheet = self._scorer(inst).sheet(answers)
                adm_rows.append(
                    (
                        adm_id,
                        pid,
                        inst.id,
                        inst.version,
                        timepoint,
                        when,
                        mode,
                        stamp,
                        by,
                        stamp,
                        import_id,
                    )
                )
                score_params.extend(score_rows(adm_id, sheet, stamp))
                if sheet.alerts:
                    alert_params.extend(
                        (params, f"{reason} row {first}")
                        for params in alert_rows(adm_id, sheet.alerts, stamp)
                    )
                summary = {
                    "subject": code,
                    "instrument": inst.id,
                    "version": inst.version,
                    "timepoint": timepoint,
                    "administered_at": when,
                    "mode": mode,
                    "answers": len(given),
                }
                audit_rows.append(
                    (
                        new_id(),
                        stamp,
                        by,
                        "insert",
                        "administrations",
                        adm_id,
                        None,
                        None,
                        dumps(summary, ensure_ascii=False, sort_keys=True),
                        f"{reason} row {first}",
                    )
                )
                existing[natural] = {"id": adm_id, "status": "complete", "import_id": import_id}
                self.created += 1
                self.answers += len(answers)
            elif found["status"] != "complete":
                self.problem(
                    first,
                    "administered_at",
                    f"{code} has {inst.id} at {timepoint} ({when}) {found['status'].replace('_', ' ')} "
                    "in the database; complete or abandon it before importing it",
                )
            else:
                self._update(found, inst, given, code, timepoint, when)
        if self.writing:
            if adm_rows:
                self.conn.executemany(
                    "INSERT INTO administrations (id, subject_type, participant_id, instrument, version, timepoint, "
                    "administered_at, mode, status, recorded_at, recorded_by, completed_at, import_id) "
                    "VALUES (?, 'participant', ?, ?, ?, ?, ?, ?, 'complete', ?, ?, ?, ?)",
                    adm_rows,
                )
            self.conn.executemany(ANSWER_INSERT, answer_rows)
            self.conn.executemany(SCORE_UPSERT, score_params)
            for params, why in alert_params:  # rare: one at a time, each logged once stored
                if self.conn.execute(ALERT_INSERT, params).rowcount:
                    audit_rows.append(alert_audit_row(params, by, why))
            self.conn.executemany(audit.INSERT_SQL, audit_rows)

    def _update(
        self,
        found: dict[str, Any],
        inst: Instrument,
        given: dict[str, tuple[Answer, int]],
        code: str,
        timepoint: str,
        when: str,
    ) -> None:
        """Rows for an administration stored already: the rest of one begun earlier in this file,
        or a re-import (identical: nothing to do; changed: corrected, logged and rescored)."""
        adm_id = found["id"]
        ours = found["import_id"] == self.import_id
        stored = self.store._answers_for([adm_id])[adm_id] if (self.writing or not ours) else {}
        changed = False
        for item, (answer, n) in given.items():
            old = stored.get(item)
            if ours:  # the rest of an administration begun earlier in this file
                if not self.writing:
                    continue
                if not (isinstance(old, Missing) and old.reason == "not_asked"):
                    self.problem(
                        n,
                        "item",
                        f"{inst.id} item {item!r} for {code} at {timepoint} ({when}) is given twice in the file",
                    )
                    continue
                if same_answer(old, answer):
                    continue
            elif same_answer(old, answer):
                continue
            if self.writing:
                value, missing = stored_value(answer)
                row = self.conn.execute(
                    "UPDATE answers SET value = ?, missing_reason = ?, answered_at = ? WHERE administration_id = ? AND item = ? RETURNING id",
                    (value, missing, now(), adm_id, item),
                ).fetchone()
                if not ours:
                    self.store._audit(
                        "correct",
                        "answers",
                        row[0],
                        item,
                        old,
                        answer,
                        f"{self.reason} row {n}",
                        self.by,
                    )
            changed = True
        if not changed:
            if not ours:
                self.unchanged += 1
            return
        if self.writing:
            self.store._rescore(adm_id, inst, self.reason, self.by)
        if not ours:
            self.updated += 1

    def _existing(
        self, pids: Iterable[str]
    ) -> dict[tuple[str, str, str, str, str], dict[str, Any]]:
        out: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
        wanted = list(dict.fromkeys(pids))
        for start in range(0, len(wanted), LOOKUP_BATCH):
            clause, params = in_clause(wanted[start : start + LOOKUP_BATCH])
            for row in self.conn.execute(
                "SELECT id, participant_id, instrument, version, timepoint, administered_at, status, import_id "
                f"FROM administrations WHERE participant_id IN {clause} AND status != 'abandoned'",
                params,
            ):
                out[(row[1], row[2], row[3], row[4], row[5])] = {
                    "id": row[0],
                    "status": row[6],
                    "import_id": row[7],
                }
        return out


NOT_ASKED = Missing("not_asked")
