"""``recoverycap instruments list|show|check|overlay`` and ``recoverycap info``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from recoverycap.instrument import Instrument
from recoverycap.registry import bundled_dir, overlay_template

from ._text import table_lines
from .context import AppContext


@click.group("instruments")
def instruments() -> None:
    """List, show and check instrument files."""


@instruments.command("list")
@click.pass_obj
def list_(app: AppContext) -> None:
    """List the instruments available, with their licence and whether wording is bundled."""
    rows = [("id", "version", "name", "items", "wording")]
    for inst in app.library:
        wording = (
            "bundled"
            if inst.text_bundled
            else ("local" if inst.has_wording else "MISSING: supply locally")
        )
        rows.append(
            (
                inst.id,
                inst.version,
                inst.label + (" (not a validated scale)" if not inst.validated else ""),
                str(len(inst.items)),
                wording,
            )
        )
    click.echo("\n".join(table_lines(rows)))
    batteries = app.library.batteries()
    if batteries:
        click.echo("\nBatteries:")
        for b in batteries:
            click.echo(f"  {b.id}: {b.name} ({', '.join(b.instruments)})")


@instruments.command("show")
@click.argument("instrument")
@click.pass_obj
def show(app: AppContext, instrument: str) -> None:
    """Show an instrument: licence, citation, items, scales and scoring."""
    inst = app.library.get(instrument)
    click.echo(describe(inst))


def describe(inst: Instrument) -> str:
    """A plain-text description of an instrument, as ``instruments show`` prints it."""
    out = [
        f"{inst.label}: {inst.name}",
        f"  id {inst.id}, version {inst.version}, language {inst.language}",
    ]
    if inst.measures:
        out.append(f"  Measures: {inst.measures}")
    if not inst.validated:
        out.append("  Not a validated scale: a structured record written for recoverycap.")
    out.append(f"  Licence: {_indent(inst.licence)}")
    out.append(f"  Copyright: {_indent(inst.copyright) or '(none stated)'}")
    for c in inst.citations:
        out.append(f"  Citation: {c}")
    out.append(
        f"  Wording: {'bundled' if inst.text_bundled else 'not bundled (licensed; supply it locally)'}; source: {inst.wording_source}"
    )
    if inst.credit:
        out.append(f"  Shown when administering: {inst.credit}")
    if inst.wording_checked:
        out.append(f"  Wording checked: {inst.wording_checked}")
    if inst.notes:
        out.append(f"  Notes: {inst.notes}")
    if inst.recall_period:
        out.append(f"  Recall period: {inst.recall_period}")
    if inst.instructions:
        out.append(f"  Instructions: {inst.instructions}")
    for sub in inst.substitutions:
        out.append(
            f"  Substitution: {sub.token} -> configurable (default {sub.default!r}) {sub.description}".rstrip()
        )
    out.append("")
    out.append("Items:")
    for item in inst.items:
        flags = []
        if item.reverse:
            flags.append("reversed")
        if not item.required:
            flags.append("optional")
        opts = inst.options(item)
        kind = item.kind if not opts else ("yes/no" if item.kind == "yesno" else item.scale)
        if item.kind in ("integer", "number"):
            kind = f"{item.kind} {item.min:g}–{item.max:g}{(' ' + item.unit) if item.unit else ''}"
        text = item.text or "(wording not bundled)"
        out.append(f"  {item.id:<10} {text}  [{kind}{', ' + ', '.join(flags) if flags else ''}]")
    for sid, scale in inst.response_scales.items():
        out.append(
            f"  response scale {sid}: " + "; ".join(f"{o.code} {o.label}" for o in scale.options)
        )
    out.append("")
    out.append("Scales:")
    for scale in inst.scales:
        lo, hi = inst.scale_range(scale)
        how = scale.method
        if scale.recode_name:
            how += f" of recoded items ({scale.recode_name})"
        if scale.factor != 1:
            how += f" × {scale.factor:g}"
        if scale.lookup_name:
            how += f", converted by table {scale.lookup_name}"
        if scale.prorate:
            how += f", prorated when at least {scale.min_answered} of {len(scale.items)} answered"
        elif scale.min_answered < len(scale.items):
            how += f", needs at least {scale.min_answered} of {len(scale.items)} answered"
        out.append(f"  {scale.id}: {scale.name}, range {lo:g}–{hi:g}, higher is {scale.higher_is}")
        out.append(f"    items: {', '.join(scale.items)}")
        out.append(f"    scoring: {how}")
        if scale.description:
            out.append(f"    {scale.description}")
        for band in scale.bands:
            out.append(f"    band {band.min:g}–{band.max:g}: {band.label}")
        if scale.cutoff is not None:
            out.append(f"    cut-off {scale.cutoff:g} ({scale.cutoff_source})")
        if scale.mcid is not None:
            out.append(
                f"    a change of {scale.mcid:g} or more is meaningful ({scale.mcid_source or 'see the citation'})"
            )
        if scale.reliability:
            r = scale.reliability
            out.append(f"    reliability: {r.kind} {r.value} ({r.source})")
        if scale.norm:
            n = scale.norm
            mean = f"mean {n.mean:g}, " if n.mean is not None else ""
            out.append(f"    norm: {mean}SD {n.sd:g} ({n.source})")
    for alert in inst.alerts:
        target = f"item {alert.item}" if alert.item else f"scale {alert.scale}"
        out.append(
            f"  Alert ({alert.kind}): {target} {alert.op} {alert.threshold:g}: {alert.message}"
        )
    return "\n".join(out)


def _indent(text: str) -> str:
    return text.strip().replace("\n", "\n    ")


@instruments.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def check(app: AppContext, files: tuple[Path, ...]) -> None:
    """Check instrument files, local wording overlays and batteries; report every problem.

    A folder stands for its *.toml files and batteries/. Exits 1 if there is any problem.
    """
    from recoverycap.registry import check_path, expand_paths

    total = 0
    for path in expand_paths(files):
        kind, problems = check_path(path, app.library)
        if kind == "skipped":
            if path.name != "__init__.py":
                click.echo(f"{path}: skipped (not a .toml file)")
            continue
        total += len(problems)
        for p in problems:
            click.echo(str(p))
        if not problems:
            click.echo(f"{path}: ok ({kind})")
    if total:
        click.echo(f"{total} problem(s) found", err=True)
        sys.exit(1)


@instruments.command("overlay")
@click.argument("instrument")
@click.pass_obj
def overlay(app: AppContext, instrument: str) -> None:
    """Print a template for supplying an instrument's licensed wording locally."""
    click.echo(overlay_template(app.library.get(instrument)), nl=False)


def _config_state(path: Path) -> str:
    from recoverycap.config import is_default_location

    if path.exists():
        return ""
    if is_default_location(path):
        return " (not created; defaults in use)"
    return " (does not exist: commands that read the configuration will refuse)"


@click.command("info")
@click.pass_obj
def info(app: AppContext) -> None:
    """Show where recoverycap keeps the database, configuration and instruments."""
    import recoverycap

    click.echo(f"recoverycap {recoverycap.__version__}")
    click.echo(f"database:     {app.db_path}{'' if app.db_path.exists() else ' (not created yet)'}")
    click.echo(f"config:       {app.config_path}{_config_state(app.config_path)}")
    click.echo(f"instruments:  {bundled_dir()} (bundled)")
    for d in app.library.dirs[1:]:
        click.echo(f"              {d}")


COMMANDS = [instruments, info]
