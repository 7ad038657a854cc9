"""The ``recoverycap`` command line: a thin click layer over the library.

Each command opens what it needs, calls one library function and turns library errors into a
message with a hint (no tracebacks for user mistakes). Heavy libraries are imported inside the
commands that need them, never at the top of a module here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from recoverycap.errors import RecoveryCapError

from .context import AppContext


class Group(click.Group):
    """A click group that shows RecoveryCapError as a plain message and exits 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecoveryCapError as exc:
            raise click.ClickException(str(exc)) from None
        except FileNotFoundError as exc:
            raise click.ClickException(f"file not found: {exc.filename}") from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="RECOVERYCAP_DB",
    help="The database file (default: recoverycap.db in your data folder; see 'recoverycap info').",
)
@click.option(
    "--instruments-dir",
    "instruments_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of extra instrument files and local wording overlays (repeatable; also "
    "RECOVERYCAP_INSTRUMENTS, separated by '" + os.pathsep + "').",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="RECOVERYCAP_CONFIG",
    help="The organisation's configuration file (TOML).",
)
@click.version_option(package_name="recoverycap")
@click.pass_context
def main(
    ctx: click.Context,
    db: Path | None,
    instruments_dirs: tuple[Path, ...],
    config_path: Path | None,
) -> None:
    """recoverycap: questionnaires, follow-ups and outcomes for peer-led recovery work.

    Participants are known only by pseudonymous codes (e.g. ALT-0042): never enter names or
    prison numbers.
    """
    if isinstance(ctx.obj, AppContext):
        ctx.obj.configure(db, instruments_dirs, config_path)
    else:
        ctx.obj = AppContext(db, instruments_dirs, config_path)


from . import instruments as _instruments  # noqa: E402
from . import score as _score  # noqa: E402

for _module in (_instruments, _score):
    for _command in _module.COMMANDS:
        main.add_command(_command)

_OPTIONAL = ("store", "people", "administer", "schedule", "wellbeing", "analyse", "demo")
for _name in _OPTIONAL:
    try:
        _mod = __import__(f"{__name__}.{_name}", fromlist=["COMMANDS"])
    except ModuleNotFoundError as _exc:  # a command group not yet built
        if _exc.name != f"{__name__}.{_name}":
            raise
        continue
    for _command in _mod.COMMANDS:
        main.add_command(_command)


def run() -> None:  # pragma: no cover - console entry point alias
    main(prog_name=os.path.basename(sys.argv[0]) or "recoverycap")
