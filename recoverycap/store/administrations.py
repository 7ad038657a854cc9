"""Administrations: giving an instrument, one answer at a time, and scoring it.

The life of an administration: :meth:`~AdministrationsMixin.start_administration` (status
``in_progress``), :meth:`~AdministrationsMixin.record_answer` for each answer, each committed in
its own transaction as it is given (so a crash, Ctrl-C or a closed terminal loses nothing and
:meth:`~AdministrationsMixin.in_progress` finds it to resume), then
:meth:`~AdministrationsMixin.complete_administration` (every item not answered is stored as
missing, ``not_asked``; the scores are computed from the stored answers with the administration's
instrument version and stored) or :meth:`~AdministrationsMixin.abandon_administration`.

Nothing is overwritten silently: changing an answer already given, while in progress, is logged
(``update``); changing one after completion is a correction with a reason
(:meth:`~AdministrationsMixin.correct_answer`), logged (``correct``) and followed by rescoring.

This module is on the survey path: it uses plain ``sqlite3`` and imports nothing heavy.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRecord, InvalidResponse, NotFound, Problem, RecoveryCapError, StoreError
from ..instrument import Instrument, Scale
from ..scoring import (
    AlertHit,
    Answer,
    Missing,
    ScaleScore,
    ScoreSheet,
    coerce_answer,
    finish_scale,
    item_alerts,
    score,
)
from . import audit
from .base import StoreBase, in_clause
from .fields import (
    ADMINISTRATION_STATUSES,
    MODES,
    SUBJECT_TYPES,
    check_code,
    check_id,
    check_notes,
    check_text,
    check_when,
    new_id,
    now,
    one_of,
)
from .models import Administration, StoredAlert

ADMINISTRATION_SQL = (
    "SELECT a.*, coalesce(p.code, w.code) AS subject FROM administrations a "
    "LEFT JOIN participants p ON p.id = a.participant_id LEFT JOIN workers w ON w.id = a.worker_id"
)
ANSWER_INSERT = "INSERT INTO answers (administration_id, item, id, value, missing_reason, answered_at) VALUES (?, ?, ?, ?, ?, ?)"
SCORE_UPSERT = (
    "INSERT INTO scores (administration_id, scale, id, raw, score, band, answered, n_items, prorated, computed_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (administration_id, scale) DO UPDATE SET "
    "raw = excluded.raw, score = excluded.score, band = excluded.band, answered = excluded.answered, "
    "n_items = excluded.n_items, prorated = excluded.prorated, computed_at = excluded.computed_at"
)
ALERT_INSERT = (
    "INSERT INTO alerts (id, administration_id, alert, kind, item, scale, value, message, raised_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (administration_id, alert) DO NOTHING"
)
"""Store an alert (a no-op if the administration has it already: check ``rowcount``, and write
its audit entry, :func:`alert_audit_row`, only when a row was inserted)."""
ALERT_SQL = (
    "SELECT x.*, a.subject_type, coalesce(p.code, w.code) AS subject, a.instrument, a.timepoint "
    "FROM alerts x JOIN administrations a ON a.id = x.administration_id "
    "LEFT JOIN participants p ON p.id = a.participant_id LEFT JOIN workers w ON w.id = a.worker_id"
)
ALERT_ID_MIN = 6
"""The shortest start of an alert's id accepted in place of the whole id."""


def stored_value(answer: Answer) -> tuple[Any, str | None]:
    """``(value, missing_reason)`` as stored in ``answers``."""
    if isinstance(answer, Missing):
        return None, answer.reason
    return answer, None


def read_value(value: Any, missing_reason: str | None) -> Answer:
    """The answer a stored ``(value, missing_reason)`` pair holds."""
    if missing_reason is not None:
        return Missing(missing_reason)
    return value


def same_answer(a: Answer | None, b: Answer | None) -> bool:
    """Equal and of the same kind (the code 3 and the text "3" differ)."""
    return type(a) is type(b) and a == b


def check_answer(instrument: Instrument, item_id: str, value: Any, where: str = "") -> Answer:
    """An answer as it will be stored, or InvalidResponse naming the item, what is allowed and
    what was given."""
    try:
        item = instrument.item(item_id)
    except KeyError:
        raise InvalidResponse(
            f"{instrument.id} has no item {item_id!r}",
            [
                Problem(
                    where or instrument.id,
                    item_id,
                    f"{instrument.id} has no item {item_id!r}; its items are {', '.join(instrument.item_ids)}",
                )
            ],
        ) from None
    answer = coerce_answer(instrument, item, value)
    if isinstance(answer, str):
        try:
            answer.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidResponse(
                "invalid answer",
                [
                    Problem(
                        where or instrument.id,
                        item_id,
                        "the text contains characters that cannot be stored (not valid Unicode)",
                    )
                ],
            ) from None
    return answer


class BulkScorer:
    """Scores many administrations of one instrument fast (bulk imports).

    It performs exactly the arithmetic of :func:`recoverycap.scoring.score_scale` (reverse key,
    recode, accumulate in the scale's item order, then :func:`~recoverycap.scoring.finish_scale`),
    with the per-item lookups done once; a property test checks it against
    :func:`recoverycap.score` for every instrument in the library. Answers must already be
    checked (see :func:`check_answer`).
    """

    def __init__(self, instrument: Instrument):
        self.instrument = instrument
        self.plans: list[tuple[Scale, list[tuple[str, tuple[float, float] | None]]]] = []
        for scale in instrument.scales:
            steps = []
            for item_id in scale.items:
                item = instrument.item(item_id)
                steps.append((item_id, instrument.value_range(item) if item.reverse else None))
            self.plans.append((scale, steps))
        self.item_alerts = [a for a in instrument.alerts if a.item is not None]
        self.scale_alerts = [a for a in instrument.alerts if a.scale is not None]

    def sheet(self, answers: Mapping[str, Answer]) -> ScoreSheet:
        scales = []
        for scale, steps in self.plans:
            total = 0.0
            count = 0
            recode = scale.recode
            for item_id, reverse in steps:
                code = answers.get(item_id)
                if code is None or isinstance(code, Missing | str):
                    continue
                if reverse is not None:
                    code = reverse[0] + reverse[1] - code
                total += recode[int(code)] if recode is not None else float(code)
                count += 1
            raw, value, prorated = finish_scale(scale, total, count)
            scales.append(
                ScaleScore(
                    scale.id, raw, value, count, len(scale.items), prorated, scale.band_for(value)
                )
            )
        hits: list[AlertHit] = []
        if self.item_alerts:
            for item in self.instrument.items:
                answer = answers.get(item.id)
                if answer is not None:
                    hits.extend(item_alerts(self.instrument, item.id, answer))
        for alert in self.scale_alerts:
            got = next(s.score for s in scales if s.scale == alert.scale)
            if got is not None and alert.triggered(got):
                hits.append(AlertHit(alert.id, alert.kind, alert.message, got, scale=alert.scale))
        return ScoreSheet(self.instrument.id, self.instrument.version, tuple(scales), tuple(hits))


def score_rows(adm_id: str, sheet: ScoreSheet, stamp: str) -> list[tuple[Any, ...]]:
    """Parameters of ``SCORE_UPSERT`` for every scale of a sheet."""
    return [
        (
            adm_id,
            s.scale,
            new_id(),
            s.raw,
            s.score,
            s.band,
            s.answered,
            s.n_items,
            int(s.prorated),
            stamp,
        )
        for s in sheet.scales
    ]


def alert_rows(
    adm_id: str, hits: tuple[AlertHit, ...] | list[AlertHit], stamp: str
) -> list[tuple[Any, ...]]:
    """Parameters of ``ALERT_INSERT`` for alert hits."""
    return [
        (new_id(), adm_id, h.alert, h.kind, h.item, h.scale, h.value, h.message, stamp)
        for h in hits
    ]


def alert_audit_row(params: tuple[Any, ...], by: str, reason: str | None = None) -> tuple[Any, ...]:
    """The audit entry (parameters of :data:`recoverycap.store.audit.INSERT_SQL`) of an alert
    just stored with ``ALERT_INSERT`` and ``params`` (a row of :func:`alert_rows`): who was
    administering (``by``) and when it was raised, with the alert's fields and administration."""
    alert_id, adm_id, alert, kind, item, scale, value, message, raised_at = params
    return audit.entry_row(
        by,
        "insert",
        "alerts",
        alert_id,
        new={
            "administration_id": adm_id,
            "alert": alert,
            "kind": kind,
            "item": item,
            "scale": scale,
            "value": value,
            "message": message,
        },
        reason=reason,
        at=raised_at,
    )


class AdministrationsMixin(StoreBase):
    """Starting, answering, completing, correcting and reading administrations."""

    # -- starting and finding ---------------------------------------------------------------------
    def start_administration(
        self,
        subject: str,
        instrument: str | Instrument,
        timepoint: str,
        mode: str = "self",
        by: str | None = None,
        subject_type: str = "participant",
        administered_at: dt.date | dt.datetime | str | None = None,
        session: str | None = None,
    ) -> Administration:
        """Start giving an instrument to a participant (or worker); nothing is answered yet.

        Args:
            subject: The participant's (or worker's) code.
            instrument: An :class:`~recoverycap.Instrument`, an id (latest version) or
                ``id@version``.
            timepoint: The time point (lowercase id, e.g. ``intake``, ``post_release_4w``).
            mode: ``self``, ``read_aloud`` or ``paper``.
            by: Who is giving it (a worker code; default: the store's actor).
            subject_type: ``participant`` or ``worker``.
            administered_at: When it was given (default now); a date for a back-dated paper form.
            session: An id shared by administrations started together (e.g. a battery).

        Raises:
            NotFound: no such participant or worker.
            UnknownInstrument: no such instrument (version).
            InvalidRecord: a value is not allowed, or the same administration is recorded already.
        """
        inst = self._resolve_instrument(instrument)
        subject_type = one_of("subject_type", subject_type, SUBJECT_TYPES)
        code = check_code(subject, subject_type)
        sid = self._participant_id(code) if subject_type == "participant" else self._worker_id(code)
        tp = check_id(timepoint, "timepoint")
        mode = one_of("mode", mode, MODES)
        when = check_when(administered_at) if administered_at is not None else now()
        who = by or self.actor
        aid = new_id()
        record = {
            "subject_type": subject_type,
            "participant_id": sid if subject_type == "participant" else None,
            "worker_id": sid if subject_type == "worker" else None,
            "instrument": inst.id,
            "version": inst.version,
            "timepoint": tp,
            "administered_at": when,
            "administered_by": who,
            "mode": mode,
            "session": check_text(session, "session"),
        }
        columns = ["id", *record, "status", "recorded_at", "recorded_by"]
        values = [aid, *record.values(), "in_progress", now(), self.actor]
        try:
            with self.transaction():
                self.conn.execute(
                    f"INSERT INTO administrations ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    values,
                )
                self._audit(
                    "insert", "administrations", aid, new={"subject": code, **record}, by=who
                )
        except sqlite3.IntegrityError as exc:
            if "administrations" not in str(exc) and "UNIQUE" not in str(exc):
                raise
            raise InvalidRecord(
                "administration recorded already",
                [
                    Problem(
                        "",
                        "administered_at",
                        f"{code} already has {inst.id} at {tp} recorded for {when}",
                    )
                ],
            ) from None
        return self.administration(aid)

    def administration(self, adm_id: str) -> Administration:
        """One administration by id.

        Raises:
            NotFound: no administration has this id.
        """
        row = self._one(ADMINISTRATION_SQL + " WHERE a.id = ?", (str(adm_id),))
        if row is None:
            raise NotFound(f"no administration with id {adm_id!r}")
        return Administration.from_row(row)

    def administrations(
        self,
        subject: str | None = None,
        subject_type: str | None = None,
        instrument: str | None = None,
        timepoint: str | None = None,
        status: str | None = None,
    ) -> list[Administration]:
        """Administrations, oldest first, optionally filtered.

        Args:
            subject: A participant's (or worker's) code.
            subject_type: ``participant`` or ``worker``; when ``subject`` is given and this is
                not, ``participant``.
            instrument: An instrument id.
            timepoint: A time point.
            status: ``in_progress``, ``complete`` or ``abandoned``.
        """
        where, params = [], []
        if subject is not None:
            subject_type = subject_type or "participant"
            where.append("p.code = ?" if subject_type == "participant" else "w.code = ?")
            params.append(subject)
        if subject_type is not None:
            where.append("a.subject_type = ?")
            params.append(one_of("subject_type", subject_type, SUBJECT_TYPES))
        if instrument is not None:
            where.append("a.instrument = ?")
            params.append(instrument)
        if timepoint is not None:
            where.append("a.timepoint = ?")
            params.append(timepoint)
        if status is not None:
            where.append("a.status = ?")
            params.append(one_of("status", status, ADMINISTRATION_STATUSES))
        sql = ADMINISTRATION_SQL + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY a.administered_at, a.recorded_at"
        return [Administration.from_row(r) for r in self._rows(sql, params)]

    def in_progress(self, subject: str, subject_type: str = "participant") -> list[Administration]:
        """The subject's administrations still in progress (to resume), oldest first."""
        return self.administrations(
            subject=subject, subject_type=subject_type, status="in_progress"
        )

    # -- answers ----------------------------------------------------------------------------------
    def _open_administration(self, adm_id: str) -> tuple[Administration, Instrument]:
        adm = self.administration(adm_id)
        return adm, self._instrument(adm.instrument, adm.version)

    def _require_status(self, adm_id: str, wanted: tuple[str, ...], action: str) -> str:
        row = self.conn.execute(
            "SELECT status FROM administrations WHERE id = ?", (adm_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no administration with id {adm_id!r}")
        if row[0] not in wanted:
            hint = (
                "; use correct_answer (recoverycap correct) to change a completed one"
                if row[0] == "complete"
                else ""
            )
            raise StoreError(f"cannot {action}: administration {adm_id} is {row[0]}{hint}")
        return str(row[0])

    def record_answer(self, adm_id: str, item_id: str, value: Any, by: str | None = None) -> Answer:
        """Store one answer at once, in its own transaction.

        Args:
            adm_id: The administration (in progress).
            item_id: The item.
            value: A code, number or text, ``None``/``""`` (missing, not asked), a missing-reason
                word (``declined``, ``dont_know``, ``not_applicable``, ``not_asked``) or
                :class:`~recoverycap.Missing`.
            by: Who recorded it (for the audit log).

        Returns:
            The answer as stored. Alerts its value raises are recorded with it, each with its
            audit entry (see :func:`recoverycap.scoring.item_alerts` to show them).

        Raises:
            InvalidResponse: the value is not allowed; nothing is written.
            StoreError: the administration is not in progress.
        """
        adm, inst = self._open_administration(adm_id)
        answer = check_answer(inst, item_id, value)
        value_, reason = stored_value(answer)
        stamp = now()
        with self.transaction():
            self._require_status(adm.id, ("in_progress",), "record an answer")
            row = self.conn.execute(
                "SELECT id, value, missing_reason FROM answers WHERE administration_id = ? AND item = ?",
                (adm.id, item_id),
            ).fetchone()
            if row is None:
                answer_id = new_id()
                self.conn.execute(
                    ANSWER_INSERT, (adm.id, item_id, answer_id, value_, reason, stamp)
                )
                self._audit("insert", "answers", answer_id, item_id, new=answer, by=by)
            else:
                old = read_value(row[1], row[2])
                if not same_answer(old, answer):
                    self.conn.execute(
                        "UPDATE answers SET value = ?, missing_reason = ?, answered_at = ? WHERE administration_id = ? AND item = ?",
                        (value_, reason, stamp, adm.id, item_id),
                    )
                    self._audit(
                        "update",
                        "answers",
                        row[0],
                        item_id,
                        old=old,
                        new=answer,
                        reason="changed before the administration was completed",
                        by=by,
                    )
            hits = item_alerts(inst, item_id, answer)
            if hits:
                self._store_alerts(adm.id, hits, stamp, by)
        return answer

    def answers(self, adm_id: str) -> dict[str, Answer]:
        """The stored answers of an administration, item id to answer, in the instrument's order
        (items not yet answered are absent)."""
        adm = self.administration(adm_id)
        rows = self.conn.execute(
            "SELECT item, value, missing_reason FROM answers WHERE administration_id = ?", (adm.id,)
        ).fetchall()
        stored = {item: read_value(value, reason) for item, value, reason in rows}
        try:
            order = self._instrument(adm.instrument, adm.version).item_ids
        except RecoveryCapError:  # the instrument file is not available: keep the stored order
            return stored
        return {i: stored[i] for i in order if i in stored} | {
            i: v for i, v in stored.items() if i not in order
        }

    # -- completing, abandoning, correcting -------------------------------------------------------
    def complete_administration(self, adm_id: str, by: str | None = None) -> ScoreSheet:
        """Complete an administration: items never answered are stored as missing (``not_asked``),
        and the scores (and any alerts) are computed from the stored answers and stored.

        Raises:
            StoreError: the administration is not in progress.
        """
        adm, inst = self._open_administration(adm_id)
        stamp = now()
        who = by or self.actor
        with self.transaction():
            self._require_status(adm.id, ("in_progress",), "complete it")
            stored = self.answers(adm.id)
            for item_id in inst.item_ids:
                if item_id not in stored:
                    answer_id = new_id()
                    self.conn.execute(
                        ANSWER_INSERT, (adm.id, item_id, answer_id, None, "not_asked", stamp)
                    )
                    self._audit(
                        "insert",
                        "answers",
                        answer_id,
                        item_id,
                        new=Missing("not_asked"),
                        reason="not answered when the administration was completed",
                        by=who,
                    )
                    stored[item_id] = Missing("not_asked")
            sheet = score(inst, stored, where=f"administration {adm.id}")
            self.conn.executemany(SCORE_UPSERT, score_rows(adm.id, sheet, stamp))
            if sheet.alerts:
                self._store_alerts(adm.id, sheet.alerts, stamp, who)
            self.conn.execute(
                "UPDATE administrations SET status = 'complete', completed_at = ? WHERE id = ?",
                (stamp, adm.id),
            )
            self._audit(
                "update", "administrations", adm.id, "status", "in_progress", "complete", by=who
            )
        return sheet

    def abandon_administration(
        self, adm_id: str, reason: str, by: str | None = None
    ) -> Administration:
        """Stop an administration for good (its answers are kept; it is never scored).

        Raises:
            StoreError: the administration is not in progress.
        """
        why = check_text(reason, "reason", required=True, max_len=500)
        with self.transaction():
            self._require_status(str(adm_id), ("in_progress",), "abandon it")
            self.conn.execute(
                "UPDATE administrations SET status = 'abandoned', abandoned_reason = ? WHERE id = ?",
                (why, str(adm_id)),
            )
            self._audit(
                "update",
                "administrations",
                str(adm_id),
                "status",
                "in_progress",
                "abandoned",
                why,
                by,
            )
        return self.administration(adm_id)

    def correct_answer(
        self, adm_id: str, item: str, value: Any, reason: str, by: str | None = None
    ) -> ScoreSheet | None:
        """Correct an answer; the old value stays in the audit log with the reason.

        A completed administration is rescored at once (changed scores are logged too).

        Returns:
            The new score sheet for a completed administration, else None.

        Raises:
            InvalidResponse: the new value is not allowed; nothing is written.
            InvalidRecord: no reason was given.
            StoreError: the administration was abandoned.
        """
        why = check_text(reason, "reason", required=True, max_len=500)
        adm, inst = self._open_administration(adm_id)
        answer = check_answer(inst, item, value)
        value_, missing = stored_value(answer)
        who = by or self.actor
        stamp = now()
        with self.transaction():
            status = self._require_status(adm.id, ("in_progress", "complete"), "correct an answer")
            row = self.conn.execute(
                "SELECT id, value, missing_reason FROM answers WHERE administration_id = ? AND item = ?",
                (adm.id, item),
            ).fetchone()
            if row is None:
                answer_id = new_id()
                self.conn.execute(ANSWER_INSERT, (adm.id, item, answer_id, value_, missing, stamp))
                self._audit("correct", "answers", answer_id, item, None, answer, why, who)
            else:
                old = read_value(row[1], row[2])
                if same_answer(old, answer):
                    return self.scores(adm.id) if status == "complete" else None
                self.conn.execute(
                    "UPDATE answers SET value = ?, missing_reason = ?, answered_at = ? WHERE administration_id = ? AND item = ?",
                    (value_, missing, stamp, adm.id, item),
                )
                self._audit("correct", "answers", row[0], item, old, answer, why, who)
            if status != "complete":
                return None
            return self._rescore(adm.id, inst, why or "", who)

    def rescore(self, adm_id: str, reason: str = "rescored", by: str | None = None) -> ScoreSheet:
        """Recompute a completed administration's scores from its stored answers and its
        instrument version; changed scores are logged."""
        adm, inst = self._open_administration(adm_id)
        with self.transaction():
            self._require_status(adm.id, ("complete",), "rescore it")
            return self._rescore(adm.id, inst, reason, by or self.actor)

    def _rescore(self, adm_id: str, inst: Instrument, reason: str, by: str) -> ScoreSheet:
        before = {s.scale: s for s in self.scores(adm_id).scales}
        sheet = score(inst, self.answers(adm_id), where=f"administration {adm_id}")
        stamp = now()
        self.conn.executemany(SCORE_UPSERT, score_rows(adm_id, sheet, stamp))
        for new in sheet.scales:
            old = before.get(new.scale)
            if old != new:
                sid = self.conn.execute(
                    "SELECT id FROM scores WHERE administration_id = ? AND scale = ?",
                    (adm_id, new.scale),
                ).fetchone()[0]
                self._audit(
                    "update",
                    "scores",
                    sid,
                    new.scale,
                    _score_dict(old),
                    _score_dict(new),
                    reason,
                    by,
                )
        if sheet.alerts:
            self._store_alerts(adm_id, sheet.alerts, stamp, by, reason or None)
        return sheet

    def scores(self, adm_id: str) -> ScoreSheet:
        """The stored scores (and alerts) of an administration, as a ScoreSheet."""
        adm = self.administration(adm_id)
        rows = self._rows("SELECT * FROM scores WHERE administration_id = ?", (adm.id,))
        try:
            order = [s.id for s in self._instrument(adm.instrument, adm.version).scales]
        except RecoveryCapError:
            order = sorted(r["scale"] for r in rows)
        by_scale = {r["scale"]: r for r in rows}
        scales = tuple(
            ScaleScore(
                r["scale"],
                r["raw"],
                r["score"],
                r["answered"],
                r["n_items"],
                bool(r["prorated"]),
                r["band"],
            )
            for r in (by_scale[s] for s in order if s in by_scale)
        )
        hits = tuple(
            AlertHit(
                a.alert,
                a.kind,
                a.message,
                a.value if a.value is not None else float("nan"),
                a.item,
                a.scale,
            )
            for a in self.alerts(adm.id)
        )
        return ScoreSheet(adm.instrument, adm.version, scales, hits)

    # -- alerts -----------------------------------------------------------------------------------
    def _store_alerts(
        self,
        adm_id: str,
        hits: tuple[AlertHit, ...] | list[AlertHit],
        stamp: str,
        by: str | None,
        reason: str | None = None,
    ) -> int:
        """Store the alerts an administration does not have yet, each with its audit entry (who
        was administering and when); alerts stored already are left as they are. Call inside a
        transaction. Returns how many were new."""
        who = by or self.actor
        stored = 0
        for params in alert_rows(adm_id, hits, stamp):
            if self.conn.execute(ALERT_INSERT, params).rowcount:
                self.conn.execute(audit.INSERT_SQL, alert_audit_row(params, who, reason))
                stored += 1
        return stored

    def record_alert(self, adm_id: str, hit: AlertHit, by: str | None = None) -> StoredAlert:
        """Record an alert raised during an administration, with its audit entry (once: an alert
        the administration has already, e.g. stored with the answer that raised it by
        :meth:`record_answer`, is left as it is)."""
        adm = self.administration(adm_id)
        with self.transaction():
            self._store_alerts(adm.id, [hit], now(), by)
            row = self._one(
                ALERT_SQL + " WHERE x.administration_id = ? AND x.alert = ?", (adm.id, hit.alert)
            )
        if row is None:  # pragma: no cover - inserted or found just above
            raise StoreError(f"alert {hit.alert!r} of administration {adm.id} was not stored")
        return StoredAlert.from_row(row)

    def alerts(
        self,
        adm_id: str | None = None,
        unacknowledged: bool = False,
        participant: str | None = None,
        subject_type: str | None = None,
    ) -> list[StoredAlert]:
        """Alerts recorded, oldest first, with the subject, instrument and time point of the
        administration that raised them.

        Args:
            adm_id: Only this administration's.
            unacknowledged: Only those nobody has acknowledged yet.
            participant: Only this participant's (a code).
            subject_type: Only alerts of ``participant`` or ``worker`` administrations.

        Raises:
            NotFound: no participant has the code given.
        """
        where, params = [], []
        if adm_id is not None:
            where.append("x.administration_id = ?")
            params.append(str(adm_id))
        if participant is not None:
            where.append("a.participant_id = ?")
            params.append(self._participant_id(participant))
        if subject_type is not None:
            where.append("a.subject_type = ?")
            params.append(one_of("subject_type", subject_type, SUBJECT_TYPES))
        if unacknowledged:
            where.append("x.acknowledged_at IS NULL")
        sql = (
            ALERT_SQL
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY x.raised_at, x.id"
        )
        return [StoredAlert.from_row(r) for r in self._rows(sql, params)]

    def alert(self, alert_id: str) -> StoredAlert:
        """One alert by its id, or by the start of its id (at least six characters) if only one
        alert's id starts so.

        Raises:
            NotFound: no alert (or more than one) has an id starting so.
        """
        wanted = str(alert_id).strip().lower()
        rows = self._rows(ALERT_SQL + " WHERE x.id = ?", (wanted,))
        if not rows and len(wanted) >= ALERT_ID_MIN and wanted.isalnum():
            rows = self._rows(ALERT_SQL + " WHERE x.id LIKE ? LIMIT 2", (wanted + "%",))
        if not rows:
            raise NotFound(
                f"no alert with id {alert_id!r}; 'recoverycap alerts list --all' shows the ids"
            )
        if len(rows) > 1:
            raise NotFound(
                f"more than one alert's id starts with {alert_id!r}; give more of the id"
            )
        return StoredAlert.from_row(rows[0])

    def acknowledge_alert(self, alert_id: str, by: str, note: str | None = None) -> StoredAlert:
        """Record who acknowledged (acted on) an alert; the audit log keeps who, when and the
        note. Acknowledging an alert acknowledged already changes nothing (the alert returned
        says who did it first).

        Args:
            alert_id: The alert's id, or its first six or more characters.
            by: Who acknowledged it: a pseudonymous code such as a worker code.
            note: What was done, optional (kept in the audit log as the reason; never names or
                prison numbers).

        Raises:
            NotFound: no such alert.
            InvalidRecord: ``by`` is not a code, or the note holds a prison number.
        """
        who = check_code(by, "by")
        why = check_notes(note, "note")
        with self.transaction():
            found = self.alert(alert_id)
            if found.acknowledged_at is None:
                self.conn.execute(
                    "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                    (who, now(), found.id),
                )
                self._audit("update", "alerts", found.id, "acknowledged_by", None, who, why, by=who)
            return self.alert(found.id)

    # -- deleting ---------------------------------------------------------------------------------
    def delete_administration(self, adm_id: str, reason: str, by: str | None = None) -> None:
        """Delete an administration with its answers, scores and alerts. The audit log keeps what
        was deleted (fields, answers and scores, and the ids of the answer, score and alert
        records, so their earlier entries can still be traced to the subject), who deleted it,
        when and why."""
        why = check_text(reason, "reason", required=True, max_len=500)
        adm = self.administration(adm_id)
        with self.transaction():
            answers = {
                item: read_value(value, missing)
                for item, value, missing in self.conn.execute(
                    "SELECT item, value, missing_reason FROM answers WHERE administration_id = ?",
                    (adm.id,),
                )
            }
            scores = {
                r["scale"]: r["score"]
                for r in self._rows(
                    "SELECT scale, score FROM scores WHERE administration_id = ?", (adm.id,)
                )
            }
            record_ids = {
                table: [
                    r[0]
                    for r in self.conn.execute(
                        f"SELECT id FROM {table} WHERE administration_id = ? ORDER BY id", (adm.id,)
                    )
                ]
                for table in ("answers", "scores", "alerts")
            }
            old = {
                **_admin_dict(adm),
                "answers": answers,
                "scores": scores,
                "record_ids": record_ids,
            }
            for table in ("alerts", "scores", "answers"):
                self.conn.execute(f"DELETE FROM {table} WHERE administration_id = ?", (adm.id,))
            self.conn.execute("DELETE FROM administrations WHERE id = ?", (adm.id,))
            self._audit("delete", "administrations", adm.id, None, old, None, why, by)

    def _answers_for(self, adm_ids: list[str]) -> dict[str, dict[str, Answer]]:
        """Stored answers of several administrations (for imports)."""
        out: dict[str, dict[str, Answer]] = {a: {} for a in adm_ids}
        for start in range(0, len(adm_ids), 500):
            chunk = adm_ids[start : start + 500]
            clause, params = in_clause(chunk)
            for adm, item, value, missing in self.conn.execute(
                f"SELECT administration_id, item, value, missing_reason FROM answers WHERE administration_id IN {clause}",
                params,
            ):
                out[adm][item] = read_value(value, missing)
        return out


def _score_dict(s: ScaleScore | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "raw": s.raw,
        "score": s.score,
        "band": s.band,
        "answered": s.answered,
        "prorated": s.prorated,
    }


def _admin_dict(adm: Administration) -> dict[str, Any]:
    return {
        "subject_type": adm.subject_type,
        "subject": adm.subject,
        "instrument": adm.instrument,
        "version": adm.version,
        "timepoint": adm.timepoint,
        "administered_at": adm.administered_at,
        "mode": adm.mode,
        "status": adm.status,
    }
