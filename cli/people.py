"""``recoverycap participant|worker|programme|enrol|activity|alerts``: the people and what happens
to them.

Participants and peer workers are known only by pseudonymous codes (e.g. ALT-0042): the library
refuses anything that looks like a name or a prison number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from recoverycap.store.fields import (
    ACTIVITY_KINDS,
    CONTACT_MODES,
    NONCOMPLETION_REASONS,
    PARTICIPANT_STATUSES,
    SUBSTANCE_OUTCOMES,
)

from ._store import open_store
from ._text import table_lines
from .context import AppContext

if TYPE_CHECKING:  # pragma: no cover
    from recoverycap.store import StoredAlert


def _table(rows: Sequence[Sequence[object]]) -> None:
    click.echo("\n".join(table_lines(rows)))


def _when(stamp: str | None) -> str:
    return "" if not stamp else stamp[:16].replace("T", " ")


# -- participants ---------------------------------------------------------------------------------
@click.group("participant")
def participant() -> None:
    """Register participants, list them, show one, record release dates."""


@participant.command("add")
@click.argument("code")
@click.option("--site", help="Site (prison or community team).")
@click.option("--cohort", help="Cohort.")
@click.option("--release-date", help="Release date (YYYY-MM-DD).")
@click.option(
    "--status", type=click.Choice(PARTICIPANT_STATUSES), default="active", show_default=True
)
@click.pass_obj
def participant_add(
    app: AppContext,
    code: str,
    site: str | None,
    cohort: str | None,
    release_date: str | None,
    status: str,
) -> None:
    """Register a participant by pseudonymous CODE (letters, digits, '-' and '_', e.g. ALT-0042).

    Never use a name or a prison number.
    """
    with open_store(app) as store:
        p = store.add_participant(
            code, site=site, cohort=cohort, release_date=release_date, status=status
        )
    click.echo(
        f"Registered {p.code}"
        + (f" at {p.site}" if p.site else "")
        + (f", release date {p.release_date}" if p.release_date else "")
    )


@participant.command("list")
@click.option("--site", help="Only this site.")
@click.option("--cohort", help="Only this cohort.")
@click.option("--status", type=click.Choice(PARTICIPANT_STATUSES), help="Only this status.")
@click.pass_obj
def participant_list(
    app: AppContext, site: str | None, cohort: str | None, status: str | None
) -> None:
    """List participants with their site, cohort, status and current release date."""
    with open_store(app, create=False) as store:
        people = store.participants(site=site, cohort=cohort, status=status)
    if not people:
        click.echo("No participants.")
        return
    _table(
        [("code", "site", "cohort", "status", "release date")]
        + [(p.code, p.site, p.cohort, p.status, p.release_date) for p in people]
    )


@participant.command("show")
@click.argument("code")
@click.pass_obj
def participant_show(app: AppContext, code: str) -> None:
    """Show a participant: details, release-date history, enrolments, activities,
    administrations and alerts (acknowledged or not)."""
    with open_store(app, create=False) as store:
        p = store.participant(code)
        history = store.release_history(p.code)
        enrolments = store.enrolments(participant=p.code)
        activities = store.activities(participant=p.code)
        administrations = store.administrations(subject=p.code)
        alerts = store.alerts(participant=p.code)
    click.echo(
        f"{p.code}: site {p.site or '-'}, cohort {p.cohort or '-'}, status {p.status}; registered {_when(p.created_at)} by {p.created_by}"
    )
    click.echo(f"Release date: {p.release_date or 'not recorded'}")
    if history:
        click.echo("Release-date history (oldest first):")
        for h in history:
            click.echo(
                f"  {h.release_date or 'cleared'}  recorded {_when(h.recorded_at)} by {h.recorded_by}"
                + (f": {h.reason}" if h.reason else "")
            )
    if enrolments:
        click.echo("Enrolments:")
        for e in enrolments:
            end = f"to {e.ended} {e.outcome}" if e.ended else "ongoing"
            extra = ", ".join(x for x in (e.reason, e.substance_outcome) if x)
            click.echo(
                f"  {e.programme}: from {e.started} {end}" + (f" ({extra})" if extra else "")
            )
    if activities:
        click.echo("Activities:")
        for a in activities:
            click.echo(
                f"  {a.date} {a.kind}"
                + "".join(f" {x}" for x in (a.result, a.mode, a.timepoint) if x)
            )
    if administrations:
        click.echo("Administrations:")
        for adm in administrations:
            click.echo(
                f"  {adm.administered_at[:10]} {adm.timepoint} {adm.instrument} {adm.status} ({adm.id})"
            )
    if alerts:
        click.echo("Alerts:")
        for a in alerts:
            state = (
                f"acknowledged {_when(a.acknowledged_at)} by {a.acknowledged_by}"
                if a.acknowledged_at
                else "NOT ACKNOWLEDGED"
            )
            click.echo(
                f"  {_when(a.raised_at)} {a.instrument} {_alert_source(a)}: {a.message} "
                f"[{state}] ({a.id[:ALERT_ID_SHOWN]})"
            )


@participant.command("release")
@click.argument("code")
@click.argument("date")
@click.option(
    "--reason", default="", help="Why it was set or moved (e.g. 'HDC granted', 'recalled')."
)
@click.pass_obj
def participant_release(app: AppContext, code: str, date: str, reason: str) -> None:
    """Record or move CODE's release DATE (YYYY-MM-DD); earlier dates stay in the history."""
    with open_store(app, create=False) as store:
        before = store.participant(code).release_date
        entry = store.set_release_date(code, date, reason)
    if before == entry.release_date and before is not None:
        click.echo(f"{entry.participant}'s release date is already {before}; nothing changed")
    elif before is None:
        click.echo(f"Recorded {entry.participant}'s release date: {entry.release_date}")
    else:
        click.echo(
            f"Moved {entry.participant}'s release date from {before} to {entry.release_date}"
        )


@participant.command("update")
@click.argument("code")
@click.option("--site", help="New site.")
@click.option("--cohort", help="New cohort.")
@click.option("--status", type=click.Choice(PARTICIPANT_STATUSES), help="New status.")
@click.option("--reason", default="", help="Why (kept in the audit log).")
@click.pass_obj
def participant_update(
    app: AppContext,
    code: str,
    site: str | None,
    cohort: str | None,
    status: str | None,
    reason: str,
) -> None:
    """Change a participant's site, cohort or status (each change is logged)."""
    with open_store(app, create=False) as store:
        p = store.update_participant(code, site=site, cohort=cohort, status=status, reason=reason)
    click.echo(f"{p.code}: site {p.site or '-'}, cohort {p.cohort or '-'}, status {p.status}")


# -- workers --------------------------------------------------------------------------------------
@click.group("worker")
def worker() -> None:
    """Register and list peer workers."""


@worker.command("add")
@click.argument("code")
@click.option("--site", help="Site.")
@click.option("--role", help="Role (e.g. peer mentor, team lead).")
@click.option("--started", help="Start date (YYYY-MM-DD).")
@click.pass_obj
def worker_add(
    app: AppContext, code: str, site: str | None, role: str | None, started: str | None
) -> None:
    """Register a peer worker by pseudonymous CODE (e.g. PW-07)."""
    with open_store(app) as store:
        w = store.add_worker(code, site=site, role=role, started=started)
    click.echo(f"Registered peer worker {w.code}" + (f" at {w.site}" if w.site else ""))


@worker.command("list")
@click.option("--site", help="Only this site.")
@click.pass_obj
def worker_list(app: AppContext, site: str | None) -> None:
    """List peer workers."""
    with open_store(app, create=False) as store:
        workers = store.workers(site=site)
    if not workers:
        click.echo("No peer workers.")
        return
    _table(
        [("code", "site", "role", "started", "status")]
        + [(w.code, w.site, w.role, w.started, w.status) for w in workers]
    )


# -- programmes -----------------------------------------------------------------------------------
@click.group("programme")
def programme() -> None:
    """List programmes and add the organisation's own."""


@programme.command("list")
@click.pass_obj
def programme_list(app: AppContext) -> None:
    """List programmes (the defaults are twelve_step, behaviour_change and ttg)."""
    with open_store(app, create=False) as store:
        rows = store.programmes()
    _table([("code", "name")] + [(g.code, g.name) for g in rows])


@programme.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--description", default="", help="A sentence about the programme.")
@click.pass_obj
def programme_add(app: AppContext, code: str, name: str, description: str) -> None:
    """Add a programme: CODE (lowercase letters, digits, '_') and NAME."""
    with open_store(app) as store:
        g = store.add_programme(code, name, description)
    click.echo(f"Added programme {g.code}: {g.name}")


# -- enrolments -----------------------------------------------------------------------------------
@click.group("enrol")
def enrol() -> None:
    """Enrol participants in programmes and record how enrolments end."""


@enrol.command("start")
@click.argument("code")
@click.argument("programme_code", metavar="PROGRAMME")
@click.option("--date", "started", required=True, help="Start date (YYYY-MM-DD).")
@click.pass_obj
def enrol_start(app: AppContext, code: str, programme_code: str, started: str) -> None:
    """Enrol participant CODE in PROGRAMME from --date."""
    with open_store(app) as store:
        e = store.enrol(code, programme_code, started)
    click.echo(f"Enrolled {e.participant} in {e.programme} from {e.started}")


@enrol.command("end")
@click.argument("code")
@click.argument("programme_code", metavar="PROGRAMME")
@click.option("--date", "ended", required=True, help="End date (YYYY-MM-DD).")
@click.option("--outcome", required=True, type=click.Choice(("completed", "not_completed")))
@click.option(
    "--reason",
    type=click.Choice(NONCOMPLETION_REASONS),
    help="Reason for non-completion (required with --outcome not_completed).",
)
@click.option(
    "--substance-outcome",
    type=click.Choice((*SUBSTANCE_OUTCOMES, "none")),
    help="End-of-programme substance outcome.",
)
@click.pass_obj
def enrol_end(
    app: AppContext,
    code: str,
    programme_code: str,
    ended: str,
    outcome: str,
    reason: str | None,
    substance_outcome: str | None,
) -> None:
    """End CODE's ongoing enrolment in PROGRAMME."""
    with open_store(app) as store:
        e = store.end_enrolment(code, programme_code, ended, outcome, reason, substance_outcome)
    click.echo(
        f"{e.participant}'s {e.programme} enrolment ended {e.ended}: {e.outcome}"
        + (f" ({e.reason})" if e.reason else "")
    )


@enrol.command("list")
@click.option("--participant", "code", help="Only this participant.")
@click.option("--programme", "programme_code", help="Only this programme.")
@click.pass_obj
def enrol_list(app: AppContext, code: str | None, programme_code: str | None) -> None:
    """List enrolments."""
    with open_store(app, create=False) as store:
        rows = store.enrolments(participant=code, programme=programme_code)
    if not rows:
        click.echo("No enrolments.")
        return
    _table(
        [("participant", "programme", "started", "ended", "outcome", "reason", "substance")]
        + [
            (
                e.participant,
                e.programme,
                e.started,
                e.ended,
                e.outcome,
                e.reason,
                e.substance_outcome,
            )
            for e in rows
        ]
    )


# -- activities -----------------------------------------------------------------------------------
@click.group("activity")
def activity() -> None:
    """Record and list activities: gate pick-ups, recovery packs, one-to-ones, follow-up attempts."""


@activity.command("add")
@click.argument("code")
@click.argument("kind", type=click.Choice(ACTIVITY_KINDS))
@click.option("--date", required=True, help="Date (YYYY-MM-DD); not in the future.")
@click.option(
    "--result",
    help="gate_pickup: successful|unsuccessful; followup_attempt: reached, no_answer, declined, recalled, transferred, deceased, uncontactable.",
)
@click.option("--mode", type=click.Choice(CONTACT_MODES), help="How contact was made.")
@click.option("--programme", "programme_code", help="The programme it belongs to.")
@click.option(
    "--timepoint", help="The time point a follow-up attempt was for (e.g. post_release_4w)."
)
@click.option(
    "--notes", help="Short notes (never names or prison numbers: text like A1234BC is refused)."
)
@click.pass_obj
def activity_add(
    app: AppContext,
    code: str,
    kind: str,
    date: str,
    result: str | None,
    mode: str | None,
    programme_code: str | None,
    timepoint: str | None,
    notes: str | None,
) -> None:
    """Record an activity of KIND for participant CODE."""
    with open_store(app) as store:
        a = store.add_activity(
            code,
            kind,
            date,
            result=result,
            mode=mode,
            programme=programme_code,
            notes=notes,
            timepoint=timepoint,
        )
    click.echo(
        f"Recorded {a.kind} for {a.participant} on {a.date}" + (f": {a.result}" if a.result else "")
    )


@activity.command("list")
@click.option("--participant", "code", help="Only this participant.")
@click.option("--kind", type=click.Choice(ACTIVITY_KINDS), help="Only this kind.")
@click.pass_obj
def activity_list(app: AppContext, code: str | None, kind: str | None) -> None:
    """List activities, oldest first."""
    with open_store(app, create=False) as store:
        rows = store.activities(participant=code, kind=kind)
    if not rows:
        click.echo("No activities.")
        return
    _table(
        [("date", "participant", "activity", "result", "mode", "programme", "timepoint")]
        + [
            (a.date, a.participant, a.kind, a.result, a.mode, a.programme, a.timepoint)
            for a in rows
        ]
    )


# -- alerts ---------------------------------------------------------------------------------------
ALERT_ID_SHOWN = 8
"""Characters of an alert's id shown in lists (``alerts ack`` takes them, or the whole id)."""


def _alert_source(a: StoredAlert) -> str:
    """The item (or scale) and the value that raised an alert, e.g. ``q9 = 2``."""
    value = "" if a.value is None else f" = {a.value:g}"
    return f"{a.item or a.scale or '-'}{value}"


@click.group("alerts")
def alerts() -> None:
    """List safeguarding and other alerts raised by answers, and acknowledge them."""


@alerts.command("list")
@click.option("--all", "show_all", is_flag=True, help="Acknowledged alerts too.")
@click.option("--participant", "code", metavar="CODE", help="Only this participant's alerts.")
@click.pass_obj
def alerts_list(app: AppContext, show_all: bool, code: str | None) -> None:
    """List alerts nobody has acknowledged yet (with --all, every alert), oldest first: when,
    whose, instrument, item and value, and what to do."""
    with open_store(app, create=False) as store:
        rows = store.alerts(unacknowledged=not show_all, participant=code)
    if not rows:
        click.echo("No alerts." if show_all else "No unacknowledged alerts.")
        return
    heading: tuple[str, ...] = ("id", "raised", "participant", "instrument", "item", "value")
    heading += ("acknowledged", "message") if show_all else ("message",)
    lines = []
    for a in rows:
        who = a.subject if a.subject_type == "participant" else f"{a.subject} (worker)"
        line: tuple[object, ...] = (
            a.id[:ALERT_ID_SHOWN],
            _when(a.raised_at),
            who,
            a.instrument,
            a.item or a.scale,
            None if a.value is None else f"{a.value:g}",
        )
        if show_all:
            acknowledged = _when(a.acknowledged_at) + f" by {a.acknowledged_by}"
            line += (acknowledged if a.acknowledged_at else "no",)
        lines.append((*line, a.message))
    _table([heading, *lines])


@alerts.command("ack")
@click.argument("alert_id")
@click.option("--by", "by", required=True, metavar="CODE", help="Your code (e.g. PW-03).")
@click.option("--note", help="What was done (kept in the audit log; never names).")
@click.pass_obj
def alerts_ack(app: AppContext, alert_id: str, by: str, note: str | None) -> None:
    """Acknowledge alert ALERT_ID (its id, or the first 8 characters 'alerts list' shows):
    record who acted on it, and what was done, in the audit log."""
    with open_store(app, create=False) as store:
        before = store.alert(alert_id)
        a = store.acknowledge_alert(before.id, by, note=note)
    if before.acknowledged_at is not None:
        click.echo(
            f"Alert {a.id[:ALERT_ID_SHOWN]} was already acknowledged {_when(a.acknowledged_at)} "
            f"by {a.acknowledged_by}; nothing changed"
        )
        return
    click.echo(
        f"Acknowledged alert {a.id[:ALERT_ID_SHOWN]} ({a.subject}, {a.instrument} "
        f"{_alert_source(a)}) by {a.acknowledged_by}"
    )


COMMANDS = [participant, worker, programme, enrol, activity, alerts]
