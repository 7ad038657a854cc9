"""``recoverycap wellbeing check WORKER`` and ``recoverycap wellbeing summary``.

The check asks the worker battery with the same prompts as ``recoverycap administer``
(:mod:`recoverycap.cli.administer`): every answer saved as it is given, going back, skipping with a
reason, a review before each questionnaire is completed, Ctrl-C then carry on. It then shows the
worker their own result (:mod:`recoverycap.wellbeing`). The summary shows team results for groups
of at least five workers only (:mod:`recoverycap.wellbeing_summary`). Nothing heavy is imported.
"""

from __future__ import annotations

import datetime as dt
import shutil
from typing import TYPE_CHECKING

import click

from ._store import open_store
from .administer import offer_to_carry_on, require_terminal, resume_command, run_questions
from .context import AppContext

if TYPE_CHECKING:  # pragma: no cover
    from recoverycap.administer import SurveySession


@click.group("wellbeing")
def wellbeing() -> None:
    """Peer-worker wellbeing: a private check (CBI and ProQOL 5) and team summaries."""


@wellbeing.command("check")
@click.argument("worker")
@click.pass_context
def check(ctx: click.Context, worker: str) -> None:
    """Give WORKER their wellbeing check, then show them their own result.

    The Copenhagen Burnout Inventory and the ProQOL 5, one question at a time, with the same keys
    as 'recoverycap administer'. Every answer is saved as it is given: Ctrl-C stops, and the same
    command carries on later. The result is shown on this screen to the worker alone; team results
    are only ever shown for groups of at least five workers.
    """
    from recoverycap.wellbeing import personal_result, require_worker, resume_check, start_check

    app: AppContext = ctx.obj
    require_terminal(app, "wellbeing check")
    substitutions = app.config.substitutions  # a configuration error stops it before the store
    store = open_store(app)
    session: SurveySession | None = None
    try:
        code = str(require_worker(store, worker).code)
        session = resume_check(store, app.library, code, substitutions=substitutions)
        heading = f"{code} has an unfinished wellbeing check"
        if session is not None and not offer_to_carry_on(app, session, heading, "check"):
            session = None
        if session is None:
            session = start_check(store, app.library, code, substitutions=substitutions)
            click.echo(
                f"Wellbeing check for {code}. Your answers are stored under your worker code; your own "
                "result is shown only here, at the end, and team results only for groups of five or more."
            )
        run_questions(app, session)  # without administer's summary: the result is private
        click.echo("")
        result = personal_result(code, session.scale_results(), dt.date.today())
        click.echo(result.text(width=shutil.get_terminal_size().columns - 1))
    except (KeyboardInterrupt, EOFError):
        click.echo("")
        if session is None or session.done:
            click.echo("Stopped. Nothing was in progress, so nothing is lost.")
        else:
            click.echo("Stopped. Every answer given so far is saved; nothing is lost.")
            again = resume_command(app, ["wellbeing", "check", worker])
            click.echo(f"To carry on where you left off, run:  {again}")
        ctx.exit(130)
    finally:
        store.close()


@wellbeing.command("summary")
@click.option("--site", help="Only workers at this site.")
@click.option(
    "--by", type=click.Choice(["site", "role"]), help="Split the results by site or by role."
)
@click.option("--since", metavar="DATE", help="Only checks on or after this date (YYYY-MM-DD).")
@click.pass_obj
def summary(app: AppContext, site: str | None, by: str | None, since: str | None) -> None:
    """Team wellbeing: mean, median and % high per scale, for groups of five or more only.

    Each active worker's latest check counts once. Groups of fewer than five workers (or the
    configured min_group, if larger) are not shown, and neither is any group whose result, taken
    from a total, would reveal a smaller one. No worker's code or own result is ever shown.
    """
    from recoverycap.schedule import parse_date
    from recoverycap.wellbeing_summary import team_summary

    day = parse_date(since, "--since", time_ok=False)
    if site is not None:
        app.config.check_site(site)
    with open_store(app, create=False) as store:
        result = team_summary(
            store,
            app.library,
            site=site,
            by=None if by == "site" and site else by,
            min_group=app.config.min_group,
            since=day,
        )
    click.echo(result.render())


COMMANDS = [wellbeing]
