"""``recoverycap demo``: build a synthetic organisation and show the main jobs on it.

The demo is the real commands run on a database of invented people: each step prints the command
it runs, so a new user sees what to type for their own data. It never touches the organisation's
own database (it writes only in its own folder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from .context import AppContext

DEMO_DB = "demo.db"
MARKER = ".recoverycap-demo"


def _steps(out: Path, as_of: str) -> list[tuple[str, list[str]]]:
    return [
        ("The instruments available, with their licences", ["instruments", "list"]),
        ("One participant's record (pseudonymous code only)", ["participant", "show", "NM-0001"]),
        (
            "Change in recovery capital over the in-cell programme",
            [
                "analyse",
                "change",
                "--instrument",
                "barc10",
                "--from",
                "intake",
                "--to",
                "programme_end",
            ],
        ),
        (
            "Depression (PHQ-9) by programme",
            [
                "analyse",
                "change",
                "--instrument",
                "phq9",
                "--from",
                "intake",
                "--to",
                "programme_end",
                "--by",
                "programme",
            ],
        ),
        (
            "Who was followed up after release, and why not",
            ["analyse", "attrition", "--instrument", "barc10", "--as-of", as_of],
        ),
        ("Follow-ups due, overdue and coming up", ["due", "--as-of", as_of]),
        (
            "Peer-worker wellbeing, team level only (groups of 5 or more)",
            ["wellbeing", "summary", "--by", "site"],
        ),
        (
            "An analysis-ready export: one row per person per time point",
            ["export", "scores", "--wide", "-o", str(out / "scores-wide.csv")],
        ),
        (
            "A Jacobson plot of reliable change",
            [
                "analyse",
                "plot",
                "jacobson",
                "--instrument",
                "barc10",
                "--from",
                "intake",
                "--to",
                "programme_end",
                "-o",
                str(out / "jacobson-barc10.png"),
            ],
        ),
    ]


@click.command("demo")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("recoverycap-demo"),
    show_default=True,
    help="Folder for the demo database, export and plot (rebuilt on each run).",
)
@click.option(
    "--seed",
    type=int,
    default=2026,
    show_default=True,
    help="Random seed: the same seed builds the same organisation.",
)
@click.option("--participants", type=click.IntRange(20, 5000), default=160, show_default=True)
@click.option("--build-only", is_flag=True, help="Build the database and stop.")
@click.pass_context
def demo(ctx: click.Context, out: Path, seed: int, participants: int, build_only: bool) -> None:
    """Build a synthetic organisation in an embedded database and run the main jobs on it.

    Everything is invented: 160 people in a prison's in-cell programmes and through the gate,
    14 peer workers, a year and a half of questionnaires, follow-ups and wellbeing checks. Each
    step prints the command it runs; point the same commands at your own database with --db.
    """
    from recoverycap import demo as demo_data
    from recoverycap.paths import open_private, private_dir
    from recoverycap.store import Store

    from . import main

    app: AppContext = ctx.obj
    if out.exists():
        if not (out / MARKER).exists():
            raise click.ClickException(
                f"{out} exists and was not made by 'recoverycap demo'; choose another --out"
            )
        shutil.rmtree(out)
    private_dir(out)
    with open_private(out / MARKER) as fh:
        fh.write("made by recoverycap demo; safe to delete\n")
    db = out / DEMO_DB
    click.echo(f"Building a synthetic organisation in {db} (seed {seed}); nothing in it is real.")
    with Store.open(db, library=app.library, actor="demo") as store:
        summary = demo_data.build(
            store, seed=seed, participants=participants, progress=lambda m: click.echo(f"  - {m}")
        )
    click.echo(
        f"Built: {summary.participants} participants, {summary.workers} peer workers, "
        f"{summary.enrolments} enrolments, {summary.activities} activities, "
        f"{summary.administrations} questionnaires ({summary.answers:,} answers), as of {summary.as_of}."
    )
    if build_only:
        return
    base = ["--db", str(db)] + [
        a for d in app.instruments_dirs for a in ("--instruments-dir", str(d))
    ]
    for n, (title, args) in enumerate(_steps(out, summary.as_of.isoformat()), 1):
        click.echo("")
        click.secho(f"[{n}] {title}", bold=True)
        click.secho("$ recoverycap " + " ".join(_quote(a) for a in args), fg="cyan")
        try:
            main.main(
                base + args,
                prog_name="recoverycap",
                standalone_mode=False,
                obj=AppContext(input=app.input, output=app.output),
            )
        except click.ClickException as exc:
            exc.show()
    click.echo("")
    click.echo(f"Done. The demo database, export and plot are in {out}/ (readable by you only).")
    click.echo(
        f"Try: recoverycap --db {db} analyse change --instrument who5 --from intake --to programme_end --table people --format csv"
    )


def _quote(arg: str) -> str:
    return f"'{arg}'" if any(c in arg for c in " *?$") else arg


COMMANDS = [demo]
