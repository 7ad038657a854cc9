"""``recoverycap due``, ``recoverycap followup`` and ``recoverycap config show|path``.

A thin layer over :mod:`recoverycap.followup` and :mod:`recoverycap.schedule`: open the store, call one library function, print
a table. Nothing heavy is imported.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from recoverycap.due import plural
from recoverycap.store.fields import CONTACT_MODES, FOLLOWUP_RESULTS

from ._store import open_store
from ._text import table_lines
from .context import AppContext

HORIZON_DAYS = 28
"""Without --all: upcoming time points whose window opens within this many days, and time points
missed within this many days, are listed."""

SECTIONS = (
    ("overdue", "OVERDUE: the window has closed; still collectable, recorded as late"),
    ("due", "DUE NOW: inside the window"),
    ("upcoming", "UPCOMING"),
    ("missed", "MISSED"),
    ("closed", "CLOSED by a follow-up outcome"),
    ("done", "DONE"),
)


# -- due -----------------------------------------------------------------------------------------
@click.command("due")
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Report as of this date (YYYY-MM-DD; default: today)."
)
@click.option("--site", help="Only participants at this site.")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Every time point: all upcoming, missed, closed and done ones too.",
)
@click.pass_obj
def due(app: AppContext, as_of: str | None, site: str | None, show_all: bool) -> None:
    """List follow-ups that are overdue, due now and coming up.

    Time points hang off enrolment start, programme end and the current release date (see
    'recoverycap config show' for the schedule). A time point is due from 14 days before to 14 days
    after its date, then overdue for 14 days (still collectable, recorded as late), then missed.
    Without --all, upcoming and missed time points within 28 days are listed.
    """
    from recoverycap.followup import due_list
    from recoverycap.schedule import Schedule, parse_date

    day = parse_date(as_of, "--as-of", time_ok=False) or dt.date.today()
    if site is not None:
        app.config.check_site(site)
    schedule = Schedule.for_config(app.config)
    with open_store(app, create=False) as store:
        result = due_list(store, day, site=site, schedule=schedule)
    click.echo(render_due(result, show_all, site))


def render_due(result: Any, show_all: bool = False, site: str | None = None) -> str:
    """The due list as text, grouped overdue / due now / upcoming (and, with ``show_all``, the
    rest)."""
    as_of: dt.date = result.as_of
    horizon = as_of + dt.timedelta(days=HORIZON_DAYS)
    since = as_of - dt.timedelta(days=HORIZON_DAYS)
    groups: dict[str, list[Any]] = {}
    for status, _ in SECTIONS:
        items = result.with_status(status)
        if status == "upcoming":
            items = sorted(items, key=lambda i: (i.window_start, i.participant))
            if not show_all:
                items = [i for i in items if i.window_start <= horizon]
        elif status == "missed" and not show_all:
            items = [
                i
                for i in items
                if i.late_until >= since or (i.last_attempt and i.last_attempt >= since)
            ]
        elif status in ("closed", "done") and not show_all:
            items = []
        groups[status] = items
    where = f" at {site}" if site else ""
    counts = ", ".join(
        f"{len(groups[s])} {label}"
        for s, label in (("overdue", "overdue"), ("due", "due now"), ("upcoming", "upcoming"))
    )
    head = f"Follow-ups{where} as of {as_of.isoformat()}: {counts}"
    if not show_all:
        head += f" (upcoming: windows opening by {horizon.isoformat()})"
    out = [head]
    for status, title in SECTIONS:
        items = groups[status]
        if not items:
            continue
        if status == "missed" and not show_all:
            title += f" in the last {HORIZON_DAYS} days"
        out.append("")
        out.append(f"{title} ({len(items)})")
        out += _table(status, items)
    if not any(groups[s] for s, _ in SECTIONS):
        out.append("Nothing is due, overdue or coming up.")
    if result.unscheduled:
        out.append("")
        if show_all:
            out.append("Not scheduled (an anchor date is missing):")
            out += [f"  {u.message}" for u in result.unscheduled]
        else:
            n = len({u.participant for u in result.unscheduled})
            out.append(
                f"{n} participant(s) have time points that cannot be scheduled yet (no release date or no enrolment): 'recoverycap due --all' lists them."
            )
    return "\n".join(out)


def _anchor(item: Any) -> str:
    if item.anchor == "release":
        return f"release {item.anchor_date.isoformat()}"
    what = "start" if item.anchor == "enrolment_start" else "end"
    return f"{item.programme or 'enrolment'} {what} {item.anchor_date.isoformat()}"


def _attempts(item: Any) -> str:
    if not item.attempts:
        return "0"
    return f"{item.attempts} (last {item.last_attempt.isoformat()} {item.last_result})"


def _when(status: str, item: Any) -> str:
    if status in ("overdue", "missed"):
        return (
            f"{plural(item.days_past_due, 'day')} after the due date; "
            f"window closed {plural(item.days_late, 'day')} ago"
        )
    if status == "due":
        d = item.days_to_due
        when = (
            "due today"
            if d == 0
            else (f"in {plural(d, 'day')}" if d > 0 else f"{plural(-d, 'day')} past due")
        )
        return f"{when}, closes {item.window_end.isoformat()}"
    if status == "upcoming":
        return f"opens {item.window_start.isoformat()}"
    if status == "done" and item.done_on is not None:
        return f"done {item.done_on.isoformat()}"
    return ""


def _table(status: str, items: list[Any]) -> list[str]:
    last = "notes" if status in ("due", "upcoming") else "why"
    rows = [("participant", "time point", "due", "when", "hangs off", "attempts", last)]
    for i in items:
        text = "; ".join(i.notes) if last == "notes" else i.why
        rows.append(
            (
                i.participant,
                i.timepoint,
                i.due.isoformat(),
                _when(status, i),
                _anchor(i),
                _attempts(i),
                text,
            )
        )
    return table_lines(rows, indent="  ")


# -- followup ------------------------------------------------------------------------------------
def _mode_choices() -> list[str]:
    from recoverycap.followup import MODE_ALIASES

    return list(CONTACT_MODES) + sorted(MODE_ALIASES)


@click.command("followup")
@click.argument("participant")
@click.option(
    "-r", "--result", required=True, type=click.Choice(FOLLOWUP_RESULTS), help="What happened."
)
@click.option(
    "-m",
    "--mode",
    type=click.Choice(_mode_choices()),
    help="How the attempt was made (visit = in person).",
)
@click.option(
    "-t", "--timepoint", help="The time point it was for (default: the one open on that date)."
)
@click.option("-d", "--date", "date", metavar="DATE", help="When (YYYY-MM-DD; default: today).")
@click.option("-n", "--notes", help="Notes (never names or prison numbers).")
@click.option("-w", "--worker", help="The code of the peer worker who made the attempt.")
@click.pass_obj
def followup(
    app: AppContext,
    participant: str,
    result: str,
    mode: str | None,
    timepoint: str | None,
    date: str | None,
    notes: str | None,
    worker: str | None,
) -> None:
    """Log a follow-up attempt for PARTICIPANT and its result.

    \b
    reached, no_answer, declined   counted attempts; the time point stays open
    uncontactable                  marks the time point missed once it has had 3 attempts
    recalled                       back in custody: closes the current release's open
                                   post-release time points; status released -> active;
                                   refused if no release on or before --date is recorded
    transferred                    closes them too; status -> transferred
    deceased                       closes every remaining time point; status -> deceased

    \b
    Examples:
      recoverycap followup ALT-0042 --result no_answer --mode phone
      recoverycap followup ALT-0042 -r recalled --date 2025-04-02 -n "recalled on licence"
    """
    from recoverycap.followup import log_followup
    from recoverycap.schedule import Schedule, parse_date

    day = parse_date(date, "--date", time_ok=False) or dt.date.today()
    schedule = Schedule.for_config(app.config)
    with open_store(app) as store:
        logged = log_followup(
            store,
            participant,
            result,
            on=day,
            mode=mode,
            timepoint=timepoint,
            notes=notes,
            by=worker,
            schedule=schedule,
        )
    click.echo(logged.message())


# -- config --------------------------------------------------------------------------------------
@click.group("config")
def config() -> None:
    """Show the organisation's configuration and where it is read from."""


@config.command("show")
@click.pass_obj
def config_show(app: AppContext) -> None:
    """Show the configuration in effect, with the follow-up schedule, and check it."""
    from recoverycap.config import render
    from recoverycap.schedule import Schedule

    cfg = app.config
    schedule = Schedule.for_config(cfg)
    click.echo(render(cfg))
    if not app.config_path.exists():
        click.echo("(that file does not exist yet: the defaults above are in use)")
    click.echo("")
    origin = "from the configuration's [[schedule]]" if cfg.schedule else "the default"
    click.echo(f"follow-up schedule ({origin}):")
    click.echo(render_schedule(schedule))


def render_schedule(schedule: Any) -> str:
    """The schedule as a table: time point, anchor, due, window, late period, attempts."""
    rows = [
        (
            "time point",
            "hangs off",
            "due",
            "on time",
            "then overdue",
            "uncontactable after",
            "programmes",
        )
    ]
    for tp in schedule:
        anchor = {
            "enrolment_start": "enrolment start",
            "enrolment_end": "enrolment end",
            "release": "release date",
        }[tp.anchor]
        offset = (
            "on the day"
            if tp.offset_days == 0
            else ("+" if tp.offset_days > 0 else "-") + plural(abs(tp.offset_days), "day")
        )
        rows.append(
            (
                tp.id,
                anchor,
                offset,
                f"±{plural(tp.window_days, 'day')}",
                plural(tp.late_days, "day"),
                plural(tp.uncontactable_after, "attempt"),
                ", ".join(tp.programmes) or ("" if tp.anchor == "release" else "all"),
            )
        )
    return "\n".join(table_lines(rows, indent="  "))


@config.command("path")
@click.pass_obj
def config_path(app: AppContext) -> None:
    """Print the configuration file's path (set with --config or RECOVERYCAP_CONFIG)."""
    from recoverycap.config import is_default_location

    path = app.config_path
    if path.exists():
        note = ""
    elif is_default_location(path):
        note = "  (not created yet: defaults in use)"
    else:
        note = "  (does not exist: commands that read the configuration refuse to run until it is created or the path corrected)"
    click.echo(f"{path}{note}")


COMMANDS = [due, followup, config]
