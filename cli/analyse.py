"""``recoverycap analyse change|trajectory|reliability|attrition|plot``: outcome analysis.

Each command opens the store, reads a tidy frame, calls the library in
:mod:`recoverycap.analysis` and prints the result as a table, CSV or JSON (stable column names).
Warnings about degenerate data are shown as notes, not tracebacks. pandas, pingouin, statsmodels
and matplotlib are imported inside the commands only.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import click

from ._store import open_store
from .context import AppContext

FORMATS = ("table", "csv", "json")
BY = ("programme", "site", "cohort")


# -- reading from the store (each command opens it once) -------------------------------------


def load_scores(store: Any, by: str | None = None, **filters: Any) -> Any:
    """The participants' long scores frame (with a ``programme`` column when ``by`` is it)."""
    from recoverycap.analysis import add_programme

    filters = {k: v for k, v in filters.items() if v is not None}
    filters.setdefault("subject_type", "participant")
    frame = store.scores_frame(**filters)
    if by == "programme":
        frame = add_programme(frame, _enrolments_frame(store))
    return frame


def _enrolments_frame(store: Any) -> Any:
    import pandas as pd

    rows = [{"participant": e.participant, "programme": e.programme} for e in store.enrolments()]
    return pd.DataFrame(rows, columns=["participant", "programme"])


def load_answers(store: Any, **filters: Any) -> Any:
    """The long answers frame of completed administrations."""
    return store.answers_frame(**{k: v for k, v in filters.items() if v is not None})


def load_outcomes(store: Any, as_of: dt.date | None = None) -> Any:
    """Follow-up attempts (on or before ``as_of``) as a frame: participant, timepoint, result,
    date."""
    import pandas as pd

    rows = [
        {
            "participant": a.participant,
            "timepoint": a.timepoint,
            "result": a.result,
            "date": str(a.date),
        }
        for a in store.activities(kind="followup_attempt")
        if as_of is None or a.date is None or a.date <= as_of
    ]
    return pd.DataFrame(rows, columns=["participant", "timepoint", "result", "date"])


# -- output ------------------------------------------------------------------------------------


@contextmanager
def _notes() -> Iterator[None]:
    """Show RecoveryCapWarnings as plain notes on standard error, after the output."""
    from recoverycap.errors import RecoveryCapWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", RecoveryCapWarning)
        yield
    seen = set()
    for w in caught:
        message = str(w.message)
        if issubclass(w.category, RecoveryCapWarning) and message not in seen:
            seen.add(message)
            click.echo(f"note: {message}", err=True)


def _clean(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: Any) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _table_text(frame: Any, columns: list[str] | None = None) -> str:
    shown = frame[columns] if columns else frame
    if len(shown) == 0:
        return "  (no rows)"
    return shown.to_string(index=False, float_format=lambda x: f"{x:.4g}", na_rep="–")


def _emit(
    fmt: str,
    tables: dict[str, Any],
    csv_table: str,
    text: Callable[[], str],
    extra: dict[str, Any] | None = None,
) -> None:
    if fmt == "csv":
        click.echo(tables[csv_table].to_csv(index=False, na_rep=""), nl=False)
    elif fmt == "json":
        doc: dict[str, Any] = dict(extra or {})
        doc.update({name: _records(t) for name, t in tables.items()})
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(text())


def _table_option(
    *choices: str, help: str = "Which table to print as CSV."
) -> Callable[[Any], Any]:
    """``--table``: which of a command's tables to print as CSV (the first is the default)."""
    return click.option(
        "--table",
        "which",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


def _filters(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--cohort", help="Only this cohort.")(f)
    f = click.option("--site", help="Only this site.")(f)
    f = click.option("--programme", help="Only participants ever enrolled on this programme.")(f)
    f = click.option(
        "--by", type=click.Choice(BY), help="Also show results for each programme, site or cohort."
    )(f)
    f = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(f)
    return f


def _instrument(app: AppContext, instrument_id: str) -> Any:
    """The instrument, if it is one participants answer (outcome analysis is of participants;
    peer workers' questionnaires are summarised for teams only)."""
    from recoverycap.analysis import outcome_instrument

    return outcome_instrument(app.library.get(instrument_id))


def _require_scores(frame: Any, inst: Any, **filters: str | None) -> None:
    """A plain error when there is nothing to analyse, naming the instrument and the filters."""
    if len(frame):
        return
    given = ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in filters.items() if v is not None)
    raise click.ClickException(
        f"no participant has answered {inst.label} ({inst.id}) in this database"
        + (f" with {given}" if given else "")
        + ", so there is nothing to analyse"
    )


def _scale_id(inst: Any, scale: str | None) -> str:
    ids = [s.id for s in inst.scales]
    if scale:
        if scale not in ids:
            raise click.UsageError(
                f"{inst.label} has no scale {scale!r}; its scales are: {', '.join(ids)}"
            )
        return scale
    reported = [s for s in inst.scales if s.report]
    if len(reported) == 1:
        return str(reported[0].id)
    raise click.UsageError(
        f"{inst.label} has several scales ({', '.join(ids)}); choose one with --scale"
    )


@click.group("analyse")
def analyse() -> None:
    """Analyse outcomes: change, trajectories, reliability, drop-out and plots."""


# -- change ------------------------------------------------------------------------------------


@analyse.command("change")
@click.option("--instrument", "instrument_id", required=True, help="Instrument id, e.g. barc10.")
@click.option("--scale", help="Scale id (needed when the instrument has several).")
@click.option("--from", "before", required=True, help="The earlier time point, e.g. intake.")
@click.option("--to", "after", required=True, help="The later time point, e.g. release.")
@click.option(
    "--reliability",
    type=float,
    help="Reliability for reliable change (instead of the instrument file's).",
)
@click.option(
    "--sd", type=float, help="SD for reliable change (instead of the file's or the sample's)."
)
@click.option(
    "--sample", is_flag=True, help="Take the SD and Cronbach's α from the sample at --from."
)
@click.option(
    "--criterion",
    type=click.Choice(["auto", "cutoff", "a", "b", "c", "none"]),
    default="auto",
    show_default=True,
    help="Clinical cut-off: the published one, or Jacobson–Truax a, b or c.",
)
@_table_option(
    "change",
    "categories",
    "people",
    help="Which table to print as CSV (table format shows change and categories; 'people' adds one sentence per person).",
)
@_filters
@click.pass_obj
def change(
    app: AppContext,
    instrument_id: str,
    scale: str | None,
    before: str,
    after: str,
    reliability: float | None,
    sd: float | None,
    sample: bool,
    criterion: str,
    which: str,
    fmt: str,
    by: str | None,
    programme: str | None,
    site: str | None,
    cohort: str | None,
) -> None:
    """Change between two time points: paired tests, effect sizes and reliable change per person.

    Reliable change (Jacobson–Truax) uses the reliability and SD from the instrument file where
    it gives them, the sample's baseline SD where it does not, or the values you give; the output
    says which. Example: recoverycap analyse change --instrument barc10 --from intake --to release
    """
    from recoverycap.analysis import (
        CATEGORIES,
        change_table,
        check_timepoints,
        filter_scores,
        items_wide,
        reliable_change,
    )
    from recoverycap.errors import AnalysisError

    if sample and (reliability is not None or sd is not None):
        raise click.UsageError("use either --sample or --reliability/--sd, not both")
    inst = _instrument(app, instrument_id)
    scale_id = _scale_id(inst, scale)
    with open_store(app, create=False) as store:
        frame = load_scores(
            store, by=by, instrument=inst.id, programme=programme, site=site, cohort=cohort
        )
        _require_scores(frame, inst, programme=programme, site=site, cohort=cohort)
        # check against every time point the data hold, then cut to the two asked for
        check_timepoints(frame, {"--from": before, "--to": after})
        frame = filter_scores(frame, timepoint=[before, after])
        items = None
        if sample:
            items = items_wide(
                load_answers(
                    store,
                    instrument=inst.id,
                    timepoint=before,
                    programme=programme,
                    site=site,
                    cohort=cohort,
                ),
                inst.id,
            )
    label = _label(inst, scale_id)
    with _notes():
        table = change_table(
            frame, before=before, after=after, instrument=inst.id, scale=scale_id, by=by
        )
        try:
            rc = reliable_change(
                frame,
                before=before,
                after=after,
                instrument=inst,
                scale=scale_id,
                reliability=reliability,
                sd=sd,
                source="sample" if sample else "auto",
                items=items,
                criterion=criterion,
                by=by,
            )
            missing = ""
        except AnalysisError as exc:  # e.g. no published reliability: still show the change
            if which != "change":
                raise
            rc, missing = None, str(exc)

    def text() -> str:
        lines = [f"{label}: {before} to {after}", ""]
        for row in table.itertuples():
            head = "Everyone" if row.group == "all" else f"{by} {row.group}"
            lines.append(f"{head}: {_change_sentence(row, label)}")
        lines += ["", "Reliable change (Jacobson–Truax)"]
        if rc is None:
            lines.append(f"  Not computed: {missing}.")
            return "\n".join(lines)
        lines += ["  " + rc.inputs.describe(), *(f"  {n}" for n in rc.notes)]
        counts = rc.summary.pivot(index="group", columns="category", values="n")
        counts = counts.reindex(
            index=list(dict.fromkeys(rc.summary["group"])), columns=list(CATEGORIES)
        )
        lines += ["", _table_text(counts.reset_index())]
        if which == "people":
            lines += ["", *rc.people.loc[rc.people["group"] == "all", "sentence"].tolist()]
        else:
            lines += ["", "One sentence per person: add --table people."]
        return "\n".join(lines)

    extra: dict[str, Any] = {
        "instrument": inst.id,
        "scale": scale_id,
        "before": before,
        "after": after,
    }
    tables = {"change": table}
    if rc is None:
        extra.update(reliable_change_inputs=None, reliable_change_not_computed=missing, notes=[])
    else:
        extra.update(
            reliable_change_inputs={k: _clean(v) for k, v in attrs.asdict(rc.inputs).items()},
            notes=list(rc.notes),
        )
        tables.update(categories=rc.summary, people=rc.people)
    _emit(fmt, tables, which, text, extra)


def _label(inst: Any, scale_id: str) -> str:
    name = inst.scale(scale_id).name
    return f"{inst.label} {name[:1].lower() + name[1:]}"


def _change_sentence(row: Any, label: str) -> str:
    from recoverycap.analysis.change import CHANGE_COLUMNS, PairedChange

    return PairedChange(**{name: getattr(row, name) for name in CHANGE_COLUMNS}).describe(label)


# -- trajectory --------------------------------------------------------------------------------


@analyse.command("trajectory")
@click.option("--instrument", "instrument_id", required=True, help="Instrument id, e.g. barc10.")
@click.option("--scale", help="Scale id (needed when the instrument has several).")
@click.option(
    "--timepoints", help="Comma-separated time points, in order (default: all, schedule order)."
)
@click.option(
    "--time",
    "time_var",
    type=click.Choice(["weeks", "order"]),
    default="weeks",
    show_default=True,
    help="Growth-model time: weeks since each person's first score, or schedule position.",
)
@_table_option("summary", "tests", "pairwise", "growth")
@_filters
@click.pass_obj
def trajectory(
    app: AppContext,
    instrument_id: str,
    scale: str | None,
    timepoints: str | None,
    time_var: str,
    which: str,
    fmt: str,
    by: str | None,
    programme: str | None,
    site: str | None,
    cohort: str | None,
) -> None:
    """Three or more time points: means, rm-ANOVA, Friedman, pairwise tests and a growth model.

    The tests use people scored at every time point; the growth model keeps everyone with any
    score and explains in plain words when it had to simplify.
    """
    from recoverycap.analysis import (
        check_timepoints,
        filter_scores,
        growth_table,
        repeated_measures,
    )
    from recoverycap.analysis.repeated import timepoint_summary

    inst = _instrument(app, instrument_id)
    scale_id = _scale_id(inst, scale)
    order = [t.strip() for t in timepoints.split(",") if t.strip()] if timepoints else None
    with open_store(app, create=False) as store:
        frame = load_scores(
            store, by=by, instrument=inst.id, programme=programme, site=site, cohort=cohort
        )
    _require_scores(frame, inst, programme=programme, site=site, cohort=cohort)
    if order:
        check_timepoints(frame, order)  # against every time point the data hold
        frame = filter_scores(frame, timepoint=order)
    with _notes():
        summary = timepoint_summary(
            frame, timepoints=order, instrument=inst.id, scale=scale_id, by=by
        )
        rm = repeated_measures(frame, timepoints=order, instrument=inst.id, scale=scale_id, by=by)
        growth, models = growth_table(
            frame, time=time_var, instrument=inst.id, scale=scale_id, by=by
        )

    label = _label(inst, scale_id)

    def text() -> str:
        lines = [
            f"{label}: {' > '.join(rm.timepoints)}",
            "",
            "Scores at each time point (everyone scored there):",
            _table_text(summary),
            "",
            "Complete cases (scored at every time point):",
        ]
        lines.append(
            _table_text(
                rm.tests,
                [
                    "group",
                    "n_complete",
                    "n_excluded",
                    "F",
                    "df1",
                    "df2",
                    "p",
                    "eps_gg",
                    "p_gg",
                    "friedman_q",
                    "friedman_p",
                ],
            )
        )
        lines += [f"  {n}" for n in rm.notes]
        lines += [
            "",
            "Pairwise (Holm-corrected):",
            _table_text(
                rm.pairwise,
                [
                    "group",
                    "a",
                    "b",
                    "n",
                    "mean_change",
                    "p_t",
                    "p_t_holm",
                    "p_wilcoxon",
                    "p_wilcoxon_holm",
                ],
            ),
        ]
        lines += ["", "Growth model (everyone with any score):"]
        for m in models:
            prefix = "" if m.group == "all" else f"[{by} {m.group}] "
            lines += [prefix + line for line in m.describe(label).splitlines()]
        return "\n".join(lines)

    _emit(
        fmt,
        {"summary": summary, "tests": rm.tests, "pairwise": rm.pairwise, "growth": growth},
        which,
        text,
        {
            "instrument": inst.id,
            "scale": scale_id,
            "timepoints": list(rm.timepoints),
            "notes": list(rm.notes),
            "growth_notes": {m.group: list(m.notes) for m in models},
        },
    )


# -- reliability -------------------------------------------------------------------------------


@analyse.command("reliability")
@click.option("--instrument", "instrument_id", required=True, help="Instrument id, e.g. barc10.")
@click.option("--scale", help="Only this scale (default: every scale of two or more items).")
@click.option(
    "--timepoint", help="Only questionnaires at this time point (each person's first there)."
)
@click.option(
    "--all-administrations",
    "all_administrations",
    is_flag=True,
    help="Use every questionnaire, counting people who answered more than once more than once "
    "(default: one per person, their first).",
)
@click.option(
    "--listwise",
    is_flag=True,
    help="Use only complete answer sets (default: pairwise, as psych::alpha).",
)
@click.option(
    "--items", "show_items", is_flag=True, help="Print item-total statistics (CSV: the item table)."
)
@_filters
@click.pass_obj
def reliability(
    app: AppContext,
    instrument_id: str,
    scale: str | None,
    timepoint: str | None,
    all_administrations: bool,
    listwise: bool,
    show_items: bool,
    fmt: str,
    by: str | None,
    programme: str | None,
    site: str | None,
    cohort: str | None,
) -> None:
    """Cronbach's α with its 95% CI for each scale in the sample, and item-total correlations.

    Each person counts once: their first questionnaire (usually intake), or with --timepoint
    their first at that time point. --all-administrations uses every questionnaire instead,
    which treats repeat answers from the same people as if they came from different people.
    """
    from recoverycap.analysis import (
        add_programme,
        check_timepoints,
        filter_scores,
        first_administrations,
        items_wide,
    )
    from recoverycap.analysis.reliability import item_table, results_table, scale_reliabilities

    inst = _instrument(app, instrument_id)
    with open_store(app, create=False) as store:
        answers = load_answers(
            store,
            instrument=inst.id,
            programme=programme,
            site=site,
            cohort=cohort,
        )
        enrolments = _enrolments_frame(store) if by == "programme" else None
    _require_scores(answers, inst, programme=programme, site=site, cohort=cohort)
    items = items_wide(answers, inst.id)
    if timepoint is not None:
        check_timepoints(items, {"--timepoint": timepoint})  # against every one the data hold
        items = filter_scores(items, timepoint=timepoint)
    n_all = len(items)
    if not all_administrations:
        items = first_administrations(items)
    n_people = int(items["subject"].nunique()) if "subject" in items.columns else 0
    where = f" at {timepoint}" if timepoint else ""
    if all_administrations:
        used = (
            f"every questionnaire{where}: {n_all} from {n_people} people (people who answered "
            "more than once count more than once)"
        )
    else:
        used = f"one questionnaire per person, their first{where}: {n_people} people"
    if enrolments is not None:
        items = add_programme(items, enrolments)
    policy = "listwise" if listwise else "pairwise"
    with _notes():
        results = scale_reliabilities(
            items, inst, scales=[scale] if scale else None, nan_policy=policy, by=by
        )
    table, items_table = results_table(results), item_table(results)

    def text() -> str:
        lines = [
            f"{inst.label}: Cronbach's α ({policy} deletion, Feldt 95% CI)",
            f"Using {used}.",
            _table_text(table),
        ]
        if show_items:
            lines += [
                "",
                "Items (r_cor: corrected item-total r; r_drop: r with the rest of the scale):",
                _table_text(items_table),
            ]
        return "\n".join(lines)

    _emit(
        fmt,
        {"scales": table, "items": items_table},
        "items" if show_items else "scales",
        text,
        {
            "instrument": inst.id,
            "timepoint": timepoint,
            "administrations": "all" if all_administrations else "first per person",
            "used": used,
        },
    )


# -- attrition ---------------------------------------------------------------------------------


@analyse.command("attrition")
@click.option(
    "--instrument",
    "instrument_id",
    help="Count only this instrument's administrations (default: any).",
)
@click.option("--baseline", help="The baseline time point (default: the first).")
@click.option(
    "--compare-at",
    help="Compare baseline scores of those followed up and lost at this time point (default: the last).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Count as of this date (YYYY-MM-DD; default: today): who was due by then, and only "
    "questionnaires and follow-up outcomes up to it.",
)
@_table_option("followed", "reasons", "comparison")
@_filters
@click.pass_obj
def attrition_(
    app: AppContext,
    instrument_id: str | None,
    baseline: str | None,
    compare_at: str | None,
    as_of: str | None,
    which: str,
    fmt: str,
    by: str | None,
    programme: str | None,
    site: str | None,
    cohort: str | None,
) -> None:
    """Who was followed up at each time point, the recorded reasons for the others, and how
    those followed up compare at baseline with those lost.

    Only people whose window for a time point has closed by --as-of count as due there (the
    schedule, as in 'recoverycap due'): people not yet due, or with no date for it yet (no
    release date recorded), are counted separately and not as lost.
    """
    from recoverycap.analysis import attrition, due_frame
    from recoverycap.followup import due_list
    from recoverycap.schedule import Schedule, parse_date

    day = parse_date(as_of, "--as-of", time_ok=False) or dt.date.today()
    chosen = _instrument(app, instrument_id) if instrument_id else None
    inst = chosen.id if chosen is not None else None
    schedule = Schedule.for_config(app.config)
    with open_store(app, create=False) as store:
        frame = load_scores(
            store,
            by=by,
            instrument=inst,
            programme=programme,
            site=site,
            cohort=cohort,
            date_to=day.isoformat(),
        )
        if chosen is not None:
            _require_scores(
                frame, chosen, programme=programme, site=site, cohort=cohort, as_of=as_of
            )
        outcomes = load_outcomes(store, as_of=day)
        eligible = due_frame(due_list(store, day, schedule=schedule))
    with _notes():
        result = attrition(
            frame,
            baseline=baseline,
            outcomes=outcomes,
            compare_at=compare_at,
            by=by,
            eligible=eligible,
        )

    def text() -> str:
        lines = [
            f"Followed up (baseline: {result.baseline}; due as of {day.isoformat()})",
            _table_text(result.followed),
            "",
            "Why people due were not followed up (what closed the time point, else the last "
            "recorded outcome)",
            _table_text(result.reasons),
        ]
        if result.compare_at:
            lines += [
                "",
                f"Baseline scores: followed up at {result.compare_at} against lost",
                _table_text(
                    result.comparison,
                    [
                        "instrument",
                        "scale",
                        "n_followed",
                        "mean_followed",
                        "n_lost",
                        "mean_lost",
                        "difference",
                        "p_t",
                        "p_mannwhitney",
                        "hedges_g",
                    ],
                ),
            ]
        lines += [f"  {n}" for n in result.notes]
        return "\n".join(lines)

    _emit(
        fmt,
        {"followed": result.followed, "reasons": result.reasons, "comparison": result.comparison},
        which,
        text,
        {
            "baseline": result.baseline,
            "compare_at": result.compare_at,
            "as_of": day.isoformat(),
            "notes": list(result.notes),
        },
    )


# -- plot --------------------------------------------------------------------------------------


@analyse.command("plot")
@click.argument("kind", type=click.Choice(["profile", "trajectory", "jacobson"]))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write: .png or .svg.",
)
@click.option("--instrument", "instrument_id", required=True, help="Instrument id, e.g. barc10.")
@click.option("--scale", help="Scale id.")
@click.option("--participant", help="The participant (profile).")
@click.option("--from", "before", help="The earlier time point (jacobson).")
@click.option("--to", "after", help="The later time point (jacobson).")
@click.option(
    "--reliability", type=float, help="Reliability for the reliable-change band (jacobson)."
)
@click.option("--sd", type=float, help="SD for the reliable-change band (jacobson).")
@click.option(
    "--by", type=click.Choice(BY), help="One line per programme, site or cohort (trajectory)."
)
@click.option("--programme", help="Only participants ever enrolled on this programme.")
@click.option("--site", help="Only this site.")
@click.option("--cohort", help="Only this cohort.")
@click.pass_obj
def plot(
    app: AppContext,
    kind: str,
    output: Path,
    instrument_id: str,
    scale: str | None,
    participant: str | None,
    before: str | None,
    after: str | None,
    reliability: float | None,
    sd: float | None,
    by: str | None,
    programme: str | None,
    site: str | None,
    cohort: str | None,
) -> None:
    """Draw a plot as PNG or SVG: KIND is profile (one participant over time), trajectory
    (mean and 95% CI at each time point) or jacobson (baseline against follow-up with the
    reliable-change band)."""
    from recoverycap.analysis import plot_jacobson, plot_profile, plot_trajectories, reliable_change

    if output.suffix.lower() not in (".png", ".svg"):
        raise click.UsageError(f"--output must end in .png or .svg; got {output.name}")
    inst = _instrument(app, instrument_id)
    if kind == "profile" and not participant:
        raise click.UsageError("a profile needs --participant CODE")
    if kind == "jacobson" and not (before and after):
        raise click.UsageError("a Jacobson plot needs --from and --to")
    scale_id = scale if kind == "profile" else _scale_id(inst, scale)
    with open_store(app, create=False) as store, _notes():
        if kind == "profile":
            frame = load_scores(store, instrument=inst.id, subject=participant)
            path = plot_profile(frame, str(participant), output, instrument=inst, scale=scale_id)
        elif kind == "trajectory":
            frame = load_scores(
                store, by=by, instrument=inst.id, programme=programme, site=site, cohort=cohort
            )
            _require_scores(frame, inst, programme=programme, site=site, cohort=cohort)
            path = plot_trajectories(frame, output, instrument=inst, scale=scale_id, by=by)
        else:
            frame = load_scores(
                store, instrument=inst.id, programme=programme, site=site, cohort=cohort
            )
            _require_scores(frame, inst, programme=programme, site=site, cohort=cohort)
            rc = reliable_change(
                frame,
                before=before,
                after=after,
                instrument=inst,
                scale=scale_id,
                reliability=reliability,
                sd=sd,
            )
            path = plot_jacobson(rc, output)
    click.echo(f"Wrote {path}")


COMMANDS = [analyse]
