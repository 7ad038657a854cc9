"""A synthetic organisation, built in an embedded database, for the demo and the examples.

Nothing here is real: participant codes, dates and answers are generated from a seed, so the same
seed always builds the same organisation. The data go in the way an organisation's would: CSV
files imported through :meth:`recoverycap.store.Store.import_csv` (participants, enrolments,
activities, responses), and peer workers' wellbeing checks answered one answer at a time through
the administration API, as ``recoverycap wellbeing check`` does.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from .instrument import Instrument
from .registry import Library
from .wellbeing import check_timepoint

SITES = ("HMP Northmoor", "Northmoor community hub")
PARTICIPANT_INSTRUMENTS = ("barc10", "who5", "phq9", "gad7")
WORKER_INSTRUMENTS = ("cbi", "proqol5")
DEMO_TODAY = dt.date(2026, 11, 27)
FIRST_INTAKE = dt.date(2025, 4, 7)


@attrs.frozen
class DemoSummary:
    """What :func:`build` put in the database."""

    participants: int
    workers: int
    enrolments: int
    activities: int
    administrations: int
    answers: int
    as_of: dt.date


def _clip(value: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, math.floor(value + 0.5)))


@attrs.define
class _Person:
    code: str
    site: str
    cohort: str
    intake: dt.date
    programme: str
    level: float  # latent recovery/wellbeing at intake (standard units)
    gain: float  # change by programme end
    completed: bool
    reason: str | None
    release: dt.date | None
    release_moves: list[tuple[dt.date, str]]
    substance_outcome: str | None


def _people(rng: random.Random, n: int, as_of: dt.date) -> list[_Person]:
    people = []
    span = (as_of - dt.timedelta(days=60) - FIRST_INTAKE).days
    for i in range(1, n + 1):
        intake = FIRST_INTAKE + dt.timedelta(days=rng.randrange(span))
        quarter = (intake.month - 1) // 3 + 1
        programme = rng.choices(["twelve_step", "behaviour_change"], [0.55, 0.45])[0]
        completed = rng.random() < 0.84
        reason = None
        if not completed:
            reason = rng.choices(
                ["released", "transferred", "withdrew", "removed", "health", "regime_disruption"],
                [0.4, 0.25, 0.15, 0.05, 0.05, 0.10],
            )[0]
        release = None
        moves: list[tuple[dt.date, str]] = []
        if rng.random() < 0.7:
            release = intake + dt.timedelta(days=rng.randrange(30, 260))
            if rng.random() < 0.25:  # the release date moves: parole or home detention curfew
                moved = release - dt.timedelta(days=rng.randrange(7, 45))
                moves.append((moved, rng.choice(["parole granted", "home detention curfew"])))
        substance = None
        if programme == "behaviour_change" and completed:
            substance = rng.choices(
                ["abstinent", "ost_reduced", "unchanged", "increased"], [0.12, 0.34, 0.46, 0.08]
            )[0]
        people.append(
            _Person(
                code=f"NM-{i:04d}",
                site=SITES[0],
                cohort=f"{intake.year}Q{quarter}",
                intake=intake,
                programme=programme,
                level=rng.gauss(0, 1),
                gain=rng.gauss(0.55, 0.55),
                completed=completed,
                reason=reason,
                release=release,
                release_moves=moves,
                substance_outcome=substance,
            )
        )
    return people


def _answers(
    rng: random.Random, instrument: Instrument, level: float, missing_rate: float = 0.03
) -> dict[str, Any]:
    """Synthetic answers: a person's level shifts every item, with item noise."""
    out: dict[str, Any] = {}
    for item in instrument.items:
        if not item.scored:
            continue
        codes = sorted(o.code for o in instrument.options(item))
        lo, hi = codes[0], codes[-1]
        mid = (lo + hi) / 2
        spread = (hi - lo) / 4
        # wellbeing-type scales rise with the level; symptom scales fall
        sign = (
            -1
            if instrument.scales
            and all(s.higher_is == "worse" for s in instrument.scales if item.id in s.items)
            else 1
        )
        if item.reverse:
            sign = -sign
        value = _clip(mid + sign * level * spread + rng.gauss(0, spread * 0.8), lo, hi)
        if any(a.item == item.id for a in instrument.alerts):
            value = lo if rng.random() > 0.03 else value  # thoughts of self-harm: rare
        if rng.random() < missing_rate:
            out[item.id] = rng.choice(["declined", "dont_know"])
        else:
            out[item.id] = value
    return out


def _write_csv(path: Path, header: list[str], rows: Iterator[list[Any]] | list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build(
    store: Any,
    seed: int = 2026,
    participants: int = 160,
    workers: int = 14,
    as_of: dt.date = DEMO_TODAY,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill an empty store with a synthetic organisation.

    Args:
        store: An open :class:`recoverycap.store.Store` (empty).
        seed: Random seed; the same seed builds the same organisation.
        participants: How many people enter a programme in prison.
        workers: How many peer workers complete wellbeing checks.
        as_of: The demo's "today": nothing is dated after it.
        progress: Called with a short message as each step starts.

    Returns:
        Counts of what was written.
    """
    say = progress or (lambda message: None)
    rng = random.Random(seed)
    library: Library = store.library
    people = _people(rng, participants, as_of)
    instruments = {i: library.get(i) for i in PARTICIPANT_INSTRUMENTS}
    with tempfile.TemporaryDirectory(prefix="recoverycap-demo-") as tmp:
        folder = Path(tmp)
        say(f"registering {len(people)} participants (pseudonymous codes only)")
        _write_csv(
            folder / "participants.csv",
            ["participant", "site", "cohort", "release_date"],
            [
                [p.code, p.site, p.cohort, p.release.isoformat() if p.release else ""]
                for p in people
            ],
        )
        store.import_csv("participants", folder / "participants.csv", by="demo")
        for p in people:
            for moved, why in p.release_moves:
                if moved <= as_of + dt.timedelta(days=120):
                    store.set_release_date(p.code, moved, reason=why, by="demo")
                    p.release = moved

        say("recording enrolments, recovery packs, gate pick-ups and follow-up attempts")
        enrol_rows, activity_rows = [], []
        for p in people:
            end = p.intake + dt.timedelta(days=21)
            if end > as_of:
                enrol_rows.append(
                    [p.code, p.programme, p.intake.isoformat(), "", "ongoing", "", ""]
                )
            else:
                outcome = "completed" if p.completed else "not_completed"
                ended = end if p.completed else p.intake + dt.timedelta(days=rng.randrange(3, 20))
                enrol_rows.append(
                    [
                        p.code,
                        p.programme,
                        p.intake.isoformat(),
                        ended.isoformat(),
                        outcome,
                        p.reason or "",
                        p.substance_outcome or "",
                    ]
                )
            activity_rows.append(
                [p.code, p.programme, "recovery_pack", p.intake.isoformat(), "delivered"]
            )
            if p.release and p.release <= as_of and rng.random() < 0.65:
                enrol_rows.append(
                    [
                        p.code,
                        "ttg",
                        (p.release - dt.timedelta(days=14)).isoformat(),
                        "",
                        "ongoing",
                        "",
                        "",
                    ]
                )
                result = "successful" if rng.random() < 0.8 else "unsuccessful"
                activity_rows.append([p.code, "ttg", "gate_pickup", p.release.isoformat(), result])
        _write_csv(
            folder / "enrolments.csv",
            [
                "participant",
                "programme",
                "started",
                "ended",
                "outcome",
                "reason",
                "substance_outcome",
            ],
            enrol_rows,
        )
        store.import_csv("enrolments", folder / "enrolments.csv", by="demo")
        _write_csv(
            folder / "activities.csv",
            ["participant", "programme", "activity", "date", "result"],
            activity_rows,
        )
        store.import_csv("activities", folder / "activities.csv", by="demo")

        say("answering questionnaires at intake, programme end and after release")
        response_rows: list[list[Any]] = []
        followups: list[tuple[str, dt.date, str, str]] = []
        for p in people:
            points: list[tuple[str, dt.date, float]] = [("intake", p.intake, p.level)]
            end = p.intake + dt.timedelta(days=21)
            if p.completed and end <= as_of:
                points.append(("programme_end", end, p.level + p.gain))
            if p.release:
                for tp, weeks in (("post_release_4w", 4), ("post_release_12w", 12)):
                    due = p.release + dt.timedelta(weeks=weeks)
                    if due + dt.timedelta(days=14) > as_of:
                        continue
                    outcome = rng.choices(
                        ["reached", "no_answer", "recalled", "declined"], [0.62, 0.22, 0.1, 0.06]
                    )[0]
                    when = due + dt.timedelta(days=rng.randrange(-10, 11))
                    followups.append((p.code, when, outcome, tp))
                    if outcome == "recalled":
                        break
                    if outcome == "reached":
                        points.append(
                            (
                                tp,
                                when,
                                p.level
                                + p.gain * (1.1 if p.completed else 0.4)
                                + rng.gauss(0, 0.3),
                            )
                        )
            for tp, when, level in points:
                stamp = dt.datetime.combine(when, dt.time(10, rng.randrange(60))).isoformat()
                for iid, inst in instruments.items():
                    for item, value in _answers(rng, inst, level).items():
                        missing = value if isinstance(value, str) else ""
                        response_rows.append(
                            [p.code, tp, iid, item, "" if missing else value, missing, stamp]
                        )
        _write_csv(
            folder / "responses.csv",
            [
                "participant",
                "timepoint",
                "instrument",
                "item",
                "value",
                "missing_reason",
                "administered_at",
            ],
            response_rows,
        )
        store.import_csv("responses", folder / "responses.csv", by="demo")
        for code, when, outcome, tp in followups:
            store.add_activity(
                code,
                "followup_attempt",
                when,
                result=outcome,
                mode="phone",
                timepoint=tp,
                by="demo",
            )

    say(f"peer workers: {workers} wellbeing checks a quarter (CBI and ProQOL 5)")
    worker_insts = [library.get(i) for i in WORKER_INSTRUMENTS]
    for w in range(1, workers + 1):
        code = f"PW-{w:02d}"
        site = SITES[0] if w <= workers * 0.7 else SITES[1]
        store.add_worker(
            code,
            site=site,
            role=rng.choice(["peer recovery worker", "peer mentor"]),
            started=dt.date(2024, 9, 1),
            by="demo",
        )
        strain = rng.gauss(0, 1)
        with store.transaction():  # one commit per worker: the demo is bulk work
            _worker_checks(store, rng, code, strain, worker_insts)
    counts = store.counts()
    return DemoSummary(
        participants=len(people),
        workers=workers,
        enrolments=counts.get("enrolments", 0),
        activities=counts.get("activities", 0),
        administrations=counts.get("administrations", 0),
        answers=counts.get("answers", 0),
        as_of=as_of,
    )


def _worker_checks(
    store: Any, rng: random.Random, code: str, strain: float, instruments: list[Instrument]
) -> None:
    """Three quarterly checks for one worker, answered one answer at a time."""
    for quarter_start in (dt.date(2026, 4, 15), dt.date(2026, 7, 15), dt.date(2026, 10, 15)):
        strain += rng.gauss(0.1, 0.3)
        for inst in instruments:
            adm = store.start_administration(
                code,
                inst,
                check_timepoint(quarter_start),
                subject_type="worker",
                administered_at=quarter_start,
                by=code,
            )
            for item, value in _answers(rng, inst, -strain, missing_rate=0.01).items():
                store.record_answer(adm.id, item, value)
            store.complete_administration(adm.id)
