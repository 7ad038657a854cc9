"""``recoverycap score``: stateless batch scoring of a wide CSV file."""

from __future__ import annotations

from pathlib import Path

import click

from .context import AppContext


@click.command("score")
@click.argument("instrument")
@click.argument("input_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
@click.option("--quiet", is_flag=True, help="No progress messages.")
@click.pass_obj
def score(
    app: AppContext, instrument: str, input_csv: Path, output: Path | None, quiet: bool
) -> None:
    """Score INPUT_CSV (one row per administration, one column per item) with INSTRUMENT.

    INSTRUMENT is an id (e.g. barc10) or a path to an instrument file. Other columns pass through
    unchanged; each scale adds its score, band and number of items answered. Empty cells are
    missing (never 0); a missing-reason word (declined, dont_know, not_applicable, not_asked) is
    missing with that reason. Any invalid value stops the run and nothing is written.
    """
    from recoverycap.batch import score_csv

    inst = app.library.get(instrument)
    show = output is not None and not quiet

    def progress(rows: int) -> None:
        if show:
            click.echo(f"  scored {rows:,} row{'' if rows == 1 else 's'}", err=True)

    def note(text: str) -> None:
        click.echo(f"Note: {text}", err=True)

    rows = score_csv(inst, input_csv, output, progress=progress, note=note)
    if output is not None:
        click.echo(
            f"Scored {rows:,} row(s) of {input_csv.name} with {inst.label}; wrote {output}",
            err=True,
        )


COMMANDS = [score]
