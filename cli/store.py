"""``recoverycap import|export|backup|restore|audit``: data in and out of the database.

Each command opens the store, calls one library method and reports; the library raises clear
errors (every problem in an import file, with its row and column) that the CLI shows as they are.
Progress goes to standard error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recoverycap.paths import private_dir

from ._store import current_actor, open_store
from .context import AppContext

if TYPE_CHECKING:  # pragma: no cover
    from recoverycap.store import AuditEntry

IMPORT_KINDS = ("participants", "enrolments", "activities", "responses")
EXPORT_KINDS = ("responses", "scores", "enrolments", "activities")
SUBJECT_CHOICES = ("participant", "worker", "all")
RECORD_ID = re.compile(r"^[0-9a-f]{32}$")
WHAT = {
    "answers": "answer",
    "scores": "score",
    "alerts": "alert",
    "administrations": "answers and scores",
}


def _progress(quiet: bool, verb: str):  # type: ignore[no-untyped-def]
    if quiet:
        return None

    def show(rows: int) -> None:
        click.echo(f"  {verb} {rows:,} row{'' if rows == 1 else 's'}", err=True)

    return show


@click.command("import")
@click.argument("kind", type=click.Choice(IMPORT_KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--instrument",
    help="For a wide responses file (one column per item): the instrument id (or id@version).",
)
@click.option(
    "--dry-run", is_flag=True, help="Check every row and count what would change; write nothing."
)
@click.option("--quiet", is_flag=True, help="No progress messages.")
@click.pass_obj
def import_(
    app: AppContext, kind: str, file: Path, instrument: str | None, dry_run: bool, quiet: bool
) -> None:
    """Import a CSV FILE of participants, enrolments, activities or responses.

    \b
    Columns (first row), dates as YYYY-MM-DD:
      participants  participant[,site,cohort,release_date,status]
      enrolments    participant,programme,started[,ended,outcome,reason,substance_outcome]
      activities    participant,activity,date[,programme,result,mode,timepoint,notes]
      responses     participant,timepoint,instrument,item,value,missing_reason,administered_at
                    or, with --instrument ID, participant,timepoint,administered_at and one
                    column per item (q1 or barc10_q1; reasons in q1_missing)

    All or nothing: any invalid row stops the import with every problem listed (row, column,
    what is allowed, what was given) and nothing is written. Importing the same file again
    changes nothing. Enrolments and activities register participant codes not yet known.
    """
    with open_store(app) as store:
        report = store.import_csv(
            kind, file, instrument=instrument, dry_run=dry_run, progress=_progress(quiet, "read")
        )
    if report.ignored_columns:
        click.echo(f"Ignored columns: {', '.join(report.ignored_columns)}", err=True)
    click.echo(report.summary())


@click.command("export")
@click.argument("kind", type=click.Choice(EXPORT_KINDS))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (.csv or .xlsx, or give --format).",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option(
    "--subject-type",
    type=click.Choice(SUBJECT_CHOICES),
    default="participant",
    show_default=True,
    help="Responses and scores of participants, of peer workers (their own wellbeing checks, "
    "under their codes: individual data that must not leave the organisation), or all.",
)
@click.option(
    "--wide", is_flag=True, help="One row per person per time point (responses and scores)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "xlsx")),
    help="File format (default: from the file name, else csv).",
)
@click.option("--instrument", multiple=True, help="Only this instrument (repeatable).")
@click.option("--timepoint", multiple=True, help="Only this time point (repeatable).")
@click.option("--site", multiple=True, help="Only participants at this site (repeatable).")
@click.option("--cohort", multiple=True, help="Only this cohort (repeatable).")
@click.option(
    "--programme", multiple=True, help="Only participants enrolled in this programme (repeatable)."
)
@click.option("--from", "date_from", help="Only on or after this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Only on or before this date (YYYY-MM-DD).")
@click.option("--quiet", is_flag=True, help="No progress messages.")
@click.pass_obj
def export(
    app: AppContext,
    kind: str,
    output: Path,
    force: bool,
    subject_type: str,
    wide: bool,
    fmt: str | None,
    instrument: tuple[str, ...],
    timepoint: tuple[str, ...],
    site: tuple[str, ...],
    cohort: tuple[str, ...],
    programme: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    quiet: bool,
) -> None:
    """Export responses, scores, enrolments or activities, analysis-ready.

    Long by default (one row per answer, score, enrolment or activity); --wide gives one row per
    person per time point with columns such as barc10_q1, barc10_q1_missing (why an answer is
    missing) and barc10_total. The file is created readable by you only; an existing file is
    replaced only with --force. Responses and scores are participants' only, unless
    --subject-type worker (or all) asks for peer workers' own wellbeing results.
    """
    filters: dict[str, object] = {
        "site": site or None,
        "cohort": cohort or None,
        "programme": programme or None,
        "date_from": date_from,
        "date_to": date_to,
    }
    if kind in ("responses", "scores"):
        filters.update(instrument=instrument or None, timepoint=timepoint or None)
    elif instrument or timepoint:
        raise click.UsageError(
            f"--instrument and --timepoint are for responses and scores, not {kind}"
        )
    filters = {k: v for k, v in filters.items() if v is not None}
    if subject_type != "participant" and kind not in ("responses", "scores"):
        raise click.UsageError(
            f"--subject-type is for responses and scores; {kind} are participants' records"
        )
    with open_store(app, create=False) as store:
        report = store.export(
            kind,
            output,
            wide=wide,
            format=fmt,
            progress=_progress(quiet, "wrote"),
            subject_type=None if subject_type == "all" else subject_type,
            overwrite=force,
            **filters,
        )
    for warning in report.warnings:
        click.echo(f"Warning: {warning}.", err=True)
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    shape = "wide" if report.wide else "long"
    click.echo(f"Wrote {report.rows:,} rows ({kind}, {shape}, {report.format}) to {report.path}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.pass_obj
def backup(app: AppContext, file: Path, force: bool) -> None:
    """Copy the database to FILE while it stays in use, then check the copy.

    The copy is made with SQLite's online backup, is readable by you only, and is checked
    (integrity check, and every table holding as many rows as the database did). An existing
    FILE is replaced only with --force.
    """
    with open_store(app, create=False) as store:
        report = store.backup(file, overwrite=force)
    click.echo(
        f"Backed up {report.rows:,} rows to {report.path} ({report.size:,} bytes); checked: integrity ok, row counts equal"
    )


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def restore(app: AppContext, backup_file: Path, yes: bool) -> None:
    """Replace the database with BACKUP_FILE, after checking it.

    The current database is kept aside first (as a checked copy named
    <database>.before-restore.<time>). Close every other recoverycap using the database first.
    """
    from recoverycap.store import Store

    target = app.db_path
    private_dir(target.parent)
    if not yes:
        click.confirm(
            f"Replace {target} with {backup_file}? The current database will be kept aside",
            abort=True,
        )
    report = Store.restore(backup_file, target, actor=current_actor())
    if report.kept:
        click.echo(f"Kept the replaced database as {report.kept}")
    click.echo(
        f"Restored {sum(report.counts.values()):,} rows from {report.source} into {report.target}; checked: integrity ok, row counts equal"
    )


@click.command("audit")
@click.option("--table", help="Only changes to this table (e.g. answers, participants).")
@click.option(
    "--record",
    "record_id",
    help="Only changes to this record id (the internal id shown in the log, not a code).",
)
@click.option(
    "--participant",
    metavar="CODE",
    help="Only changes to this participant's records (details, release dates, enrolments, "
    "activities, questionnaires, answers, scores, alerts).",
)
@click.option(
    "--worker",
    metavar="CODE",
    help="Only changes to this peer worker's records (details, own wellbeing checks); "
    "--actor chooses changes a worker made.",
)
@click.option("--actor", help="Only changes made by this person.")
@click.option(
    "--action",
    type=click.Choice(("insert", "update", "correct", "delete", "import", "migrate", "restore")),
)
@click.option("--since", help="Only changes on or after this date (YYYY-MM-DD).")
@click.option(
    "--limit",
    type=int,
    default=50,
    show_default=True,
    help="Show at most this many (newest first); 0 for all.",
)
@click.option(
    "--show-worker-values",
    is_flag=True,
    help="Show the values of peer workers' own answers and scores (hidden by default).",
)
@click.pass_obj
def audit(
    app: AppContext,
    table: str | None,
    record_id: str | None,
    participant: str | None,
    worker: str | None,
    actor: str | None,
    action: str | None,
    since: str | None,
    limit: int,
    show_worker_values: bool,
) -> None:
    """Show the audit log: who changed what, when, from what to what, and why (newest first).

    The values of peer workers' own answers and scores (their wellbeing checks) are hidden
    unless --show-worker-values is given: the log keeps them, but a colleague browsing it does
    not read them.
    """
    with open_store(app, create=False) as store:
        entries = store.audit_log(
            table=table,
            record_id=record_id,
            participant=participant,
            worker=worker,
            actor=actor,
            action=action,
            since=since,
            limit=limit or None,
            newest_first=True,
        )
    if not entries:
        hint = ""
        if record_id is not None and not RECORD_ID.match(record_id):
            hint = (
                f" --record takes a record's internal id (32 hex digits); for everything about "
                f"a person use --participant {record_id} (or --worker {record_id})."
            )
        click.echo("No entries." + hint)
        return
    hidden = 0
    for e in entries:
        where = (
            e.table
            + (f" {e.record_id}" if e.record_id else "")
            + (f" {e.field}" if e.field else "")
        )
        change = ""
        if e.values_of in ("worker", "unknown") and not show_worker_values:
            change = f": {_hidden(e)}"
            hidden += 1
        elif e.old_value is not None or e.new_value is not None:
            change = (
                f": {_show(e.old_value)} -> {_show(e.new_value)}"
                if e.old_value is not None
                else f": {_show(e.new_value)}"
            )
        why = f" ({e.reason})" if e.reason else ""
        click.echo(f"{e.at[:19].replace('T', ' ')}  {e.actor}  {e.action} {where}{change}{why}")
    if hidden:
        click.echo(
            f"{hidden} value(s) of peer workers' own answers and scores hidden; "
            "--show-worker-values shows them.",
            err=True,
        )


def _hidden(entry: AuditEntry) -> str:
    """What is shown instead of the values of a peer worker's own answer or score."""
    what = WHAT.get(entry.table, "value")
    if entry.values_of == "worker":
        return f"(worker's {what}: hidden)"
    return f"({what} of a deleted questionnaire whose subject is not recorded: hidden)"


def _show(value: object) -> str:
    from recoverycap.scoring import Missing

    if isinstance(value, Missing):
        return f"missing ({value.reason})"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


COMMANDS = [import_, export, backup, restore, audit]
