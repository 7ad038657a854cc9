"""``recoverycap administer`` (one question at a time) and ``recoverycap enter`` (paper forms).

A thin layer of questionary prompts over :mod:`recoverycap.administer`, which does the work:
every answer is saved by the library as it is given, so Ctrl-C, a closed terminal or a crash
loses nothing and the next ``administer`` offers to carry on.

questionary (and with it prompt_toolkit) is imported inside the commands, so ``recoverycap --help``
and the other commands do not pay for it; nothing here imports pandas or other analysis libraries.
Every prompt gets the prompt_toolkit input and output from :meth:`AppContext.prompt_kwargs`, so
tests can drive it with a pipe.
"""

from __future__ import annotations

import datetime as dt
import shlex
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from recoverycap.administer import timepoint_phrase
from recoverycap.errors import InvalidResponse

from ._store import open_store
from .context import AppContext

if TYPE_CHECKING:  # pragma: no cover
    from recoverycap.administer import Question, SurveySession
    from recoverycap.instrument import Instrument, Item
    from recoverycap.scoring import AlertHit
    from recoverycap.store import Store

WIDTH = 72
BACK = "<"
GO_BACK = object()
"""What a paper-form prompt returns when '<' was typed (never a valid answer)."""
CHOOSE_HINT = "(number keys or ↑/↓, then Enter)"


# -- shared helpers ------------------------------------------------------------------------------
def _require_participant(store: Store, code: str) -> None:
    store.participant(code)  # NotFound says how to register them


def require_terminal(app: AppContext, command: str) -> None:
    """Refuse to start an interactive command without a terminal, before anything is created.

    Without one (standard input redirected from a file, or the command run from a script),
    prompt_toolkit cannot read keys: the first question would stop at once, leaving an unfinished
    survey behind. Tests inject a prompt_toolkit input through :class:`AppContext`, which counts
    as a terminal.

    Raises:
        click.ClickException: saying the command needs a terminal and what to use instead.
    """
    if app.input is not None:
        return
    missing = [
        name
        for name, stream in (("input", sys.stdin), ("output", sys.stdout))
        if not (hasattr(stream, "isatty") and stream.isatty())
    ]
    if not missing:
        return
    raise click.ClickException(
        f"'recoverycap {command}' needs a terminal: it asks one question at a time and reads the "
        f"keys pressed, but standard {' and '.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} not a terminal (redirected, piped or run from a "
        "script). Nothing was recorded. Run it in a terminal window."
        + (
            ""
            if command.startswith("enter")
            else " Answers already collected on paper are typed in with 'recoverycap enter' "
            "(also in a terminal)."
        )
        + " Answers in a CSV file are loaded with 'recoverycap import responses FILE'."
    )


def _wrap(text: str, indent: str = "") -> str:
    return "\n".join(
        textwrap.fill(p, WIDTH, initial_indent=indent, subsequent_indent=indent)
        if p.strip()
        else ""
        for p in text.splitlines() or [""]
    )


def alert_box(
    hit: AlertHit, instruction: str, recorded: bool = True, paper_date: dt.date | None = None
) -> str:
    """A safeguarding alert as a framed box: the instrument's message, then what to do.

    For a paper form (``paper_date``), the message says the answer is on a form of that date and
    to follow up now, not "before the session ends"
    (:func:`recoverycap.administer.paper_alert_message`).
    """
    from recoverycap.administer import paper_alert_message

    title = f" {hit.kind.upper()} ALERT "
    inner = WIDTH - 4
    message = hit.message if paper_date is None else paper_alert_message(hit.message, paper_date)
    lines: list[str] = []
    lines += textwrap.wrap(message, inner) or [""]
    lines.append("")
    lines += textwrap.wrap("What to do: " + instruction, inner)
    lines.append("")
    lines.append(
        "This alert has been recorded."
        if recorded
        else "It will be recorded when the form is saved."
    )
    top = "╔" + title.center(WIDTH - 2, "═") + "╗"
    body = ["║ " + line.ljust(inner) + " ║" for line in lines]
    bottom = "╚" + "═" * (WIDTH - 2) + "╝"
    return "\n".join([top, *body, bottom])


def _show_alerts(
    app: AppContext,
    hits: list[AlertHit],
    recorded: bool = True,
    paper_date: dt.date | None = None,
) -> None:
    import questionary

    for hit in hits:
        click.echo("")
        click.secho(
            alert_box(hit, app.config.safeguarding_instruction, recorded, paper_date),
            fg="red",
            bold=True,
        )
        # Only Enter goes on, so a number key typed for the next answer cannot dismiss it.
        questionary.select(
            "Press Enter when you have read this",
            choices=["I have read this and will act on it"],
            instruction=" ",
            **app.prompt_kwargs(),
        ).unsafe_ask()


def _reason_choice(app: AppContext, reasons: tuple[str, ...], back_label: str) -> str | None:
    """Ask why a question is skipped; None means go back to the question."""
    import questionary
    from questionary import Choice

    from recoverycap.administer import REASON_LABELS

    choices = [
        Choice(f"{REASON_LABELS[r]} ({r})", r, shortcut_key=str(n))
        for n, r in enumerate(reasons, start=1)
    ]
    choices.append(Choice(back_label, "", shortcut_key="b"))
    picked = questionary.select(
        "Why is it skipped?",
        choices=choices,
        use_shortcuts=True,
        use_jk_keys=False,
        instruction=CHOOSE_HINT,
        **app.prompt_kwargs(),
    ).unsafe_ask()
    return picked or None


def _shortcut_keys(item: Item, codes: list[int]) -> list[str | bool]:
    """Number keys for the options: the response code itself when every code is one digit (so
    the key matches the paper form), else the option's position; y/n for yes/no items."""
    if item.kind == "yesno":
        return ["y" if c == 1 else "n" for c in codes]
    if all(0 <= c <= 9 for c in codes) and len(set(codes)) == len(codes):
        return [str(c) for c in codes]
    return [str(n) if n <= 9 else True for n in range(1, len(codes) + 1)]


def resume_command(app: AppContext, args: Sequence[str]) -> str:
    """The command that carries on, with the global options this run was given (the database,
    instrument folders and configuration file, unless they are the defaults), quoted for a
    shell."""
    from recoverycap.paths import default_config_path, default_db_path

    parts = ["recoverycap"]
    if app.db_path != default_db_path():
        parts += ["--db", str(app.db_path)]
    for d in app.instruments_dirs:
        parts += ["--instruments-dir", str(d)]
    if app.config_path != default_config_path():
        parts += ["--config", str(app.config_path)]
    return shlex.join([*parts, *args])


def _resume_args(code: str, worker: str | None) -> list[str]:
    return ["administer", code] + (["--worker", worker] if worker else [])


def _current(answer: Any, described: str) -> str:
    """What a question already has, for the line above it: "skipped (declined)", "4 Often"."""
    from recoverycap.scoring import Missing

    if isinstance(answer, Missing):
        return f"skipped ({answer.reason})"
    return described


def ask_text(
    app: AppContext, message: str, default: str, problem: Callable[[str], str | None]
) -> str:
    """A text prompt whose answer is checked after Enter.

    A refused answer is explained on the line just above the prompt (where the eye is, not in
    prompt_toolkit's toolbar at the bottom of the window), and the prompt is asked again with
    the answer still typed in, ready to correct.
    """
    import questionary

    while True:
        text: str = questionary.text(message, default=default, **app.prompt_kwargs()).unsafe_ask()
        why = problem(text)
        if why is None:
            return text
        click.secho(f"  Not accepted: {why}", fg="red", bold=True)
        default = text


# -- administer ----------------------------------------------------------------------------------
@click.command("administer")
@click.argument("participant")
@click.option(
    "-t",
    "--timepoint",
    help="The time point, e.g. intake, programme_end, release, post_release_4w (one of the "
    "schedule's; an organisation adds its own with [[schedule]] in its configuration).",
)
@click.option(
    "-b", "--battery", help="A battery of instruments (see 'recoverycap instruments list')."
)
@click.option(
    "-i",
    "--instrument",
    "instrument_ids",
    multiple=True,
    help="An instrument id (repeatable, asked in the order given).",
)
@click.option(
    "--mode",
    type=click.Choice(["self", "read_aloud"]),
    default="self",
    show_default=True,
    help="self: the person answers on screen; read_aloud: the worker reads each question and its answers aloud.",
)
@click.option("-w", "--worker", help="The code of the peer worker giving the survey.")
@click.pass_context
def administer(
    ctx: click.Context,
    participant: str,
    timepoint: str | None,
    battery: str | None,
    instrument_ids: tuple[str, ...],
    mode: str,
    worker: str | None,
) -> None:
    """Give questionnaires to PARTICIPANT, one question at a time.

    Number keys (or arrow keys and Enter) choose an answer; every answer is saved as it is
    given. Ctrl-C stops and keeps everything: run the same command again to carry on where
    you left off. Safeguarding alerts (e.g. PHQ-9 item 9) are shown at once and recorded.

    \b
    Examples:
      recoverycap administer ALT-0042 --timepoint intake --battery intake
      recoverycap administer ALT-0042 -t release -i barc10 -i who5 --mode read_aloud -w PW-03
    """
    from recoverycap.administer import SurveySession
    from recoverycap.schedule import check_known_timepoint

    app: AppContext = ctx.obj
    if battery and instrument_ids:
        raise click.UsageError("give either --battery or --instrument, not both")
    require_terminal(app, "administer")
    substitutions = app.config.substitutions  # a configuration error stops it before the store
    if timepoint:
        check_known_timepoint(timepoint, app.config)
    store = open_store(app)
    session: SurveySession | None = None
    try:
        _require_participant(store, participant)
        session = _offer_resume(app, store, participant, worker, substitutions)
        if session is None:
            if not timepoint:
                raise click.UsageError(
                    "give the time point with --timepoint (e.g. --timepoint intake)"
                )
            if not battery and not instrument_ids:
                raise click.UsageError("name a --battery or at least one --instrument")
            instruments = app.library.resolve(battery=battery, instruments=instrument_ids)
            session = SurveySession.start(
                store,
                participant,
                timepoint,
                instruments,
                mode=mode,
                by=worker,
                substitutions=substitutions,
            )
        _run(app, session, participant)
    except (KeyboardInterrupt, EOFError):
        click.echo("")
        if session is not None and session.done:
            click.echo("Stopped. The survey was already finished and saved.")
        elif session is None and not SurveySession.unfinished(store, participant):
            click.echo("Stopped before any question was asked; nothing was recorded.")
        else:
            click.echo("Stopped. Every answer given so far is saved; nothing is lost.")
            again = resume_command(app, _resume_args(participant, worker))
            click.echo(f"To carry on where you left off, run:  {again}")
        ctx.exit(130)
    finally:
        store.close()


def _offer_resume(
    app: AppContext, store: Store, participant: str, worker: str | None, substitutions: Any
) -> SurveySession | None:
    from recoverycap.administer import SurveySession

    session = SurveySession.resume(
        store, app.library, participant, by=worker, substitutions=substitutions
    )
    if session is None:
        return None
    keep = offer_to_carry_on(app, session, f"{participant} has an unfinished survey", "survey")
    return session if keep else None


def offer_to_carry_on(app: AppContext, session: SurveySession, heading: str, what: str) -> bool:
    """Ask whether to carry on an unfinished session; False if it was abandoned to start again.

    Raises click's Exit(0) when the worker chooses neither (the session is left as it is).
    """
    import questionary

    click.echo(f"{heading} {session.describe()}.")
    kw = app.prompt_kwargs()
    if questionary.confirm(
        "Carry on where you left off? (nothing given so far is lost)", default=True, **kw
    ).unsafe_ask():
        click.echo("Carrying on.")
        return True
    if questionary.confirm(
        f"Abandon the unfinished {what}? (its answers stay in the database, marked abandoned)",
        default=False,
        **kw,
    ).unsafe_ask():
        session.abandon(f"abandoned by the worker instead of resuming the {what}")
        click.echo(f"Abandoned the unfinished {what}.")
        return False
    click.echo(f"Left the unfinished {what} as it is; nothing was changed.")
    raise click.exceptions.Exit(0)


def run_questions(app: AppContext, session: SurveySession) -> None:
    """Ask every remaining question of a session, introducing each instrument and reviewing it
    before it is completed. Each answer is saved by the session as it is given."""
    introduced: set[str] = set()
    while not session.done:
        adm = session.current_administration
        if adm is not None and adm not in introduced:
            _introduce(app, session)
            introduced.add(adm)
        question = session.current
        if question is None:
            _review(app, session)
            continue
        _ask(app, session, question)


def _run(app: AppContext, session: SurveySession, participant: str) -> None:
    run_questions(app, session)
    lines = session.summary_lines()
    click.echo("")
    click.echo(
        f"Finished: {participant} {timepoint_phrase(session.timepoint)}. Every answer is saved."
    )
    if lines:
        click.echo("Results:")
        for line in lines:
            click.echo(_wrap(line, "  "))


def _introduce(app: AppContext, session: SurveySession) -> None:
    inst = session.current_instrument
    assert inst is not None
    n = session.instruments.index(inst) + 1
    total = len(session.instruments)
    click.echo("")
    head = f" {inst.label}: {inst.name} " if inst.short_name else f" {inst.name} "
    if total > 1:
        head += f"(instrument {n} of {total}) "
    click.secho(head.center(WIDTH, "─"), bold=True)
    if inst.instructions:
        click.echo(_wrap(inst.text(inst.instructions, session.substitutions)))
    if inst.recall_period and inst.recall_period.lower() not in inst.instructions.lower():
        click.echo(_wrap(f"Time frame: {inst.recall_period}"))
    if inst.credit:
        click.echo(_wrap(inst.credit))
    if session.mode == "read_aloud":
        click.echo("Read each question and all its answers aloud, then choose the answer given.")


def _ask(app: AppContext, session: SurveySession, q: Question) -> None:
    click.echo("")
    click.secho(q.progress, dim=True)
    if q.item.section:
        click.echo(_wrap(q.item.section))
    click.secho(_wrap(q.text), bold=True)
    if q.answer is not None:
        click.echo(f"  currently: {_current(q.answer, q.describe())}")
    if q.options:
        action, value = _ask_choice(app, q)
    else:
        action, value = _ask_typed(app, q)
    if action == "back":
        if not session.back():
            click.echo(
                "This is the first question of this questionnaire; there is no going back from here."
            )
        return
    if action == "skip":
        reason = _reason_choice(app, q.skip_reasons, "← Back to the question")
        if reason is None:
            return
        session.skip(reason)
        click.echo(f"  Skipped ({reason}).")
        return
    try:
        hits = session.answer(value)
    except InvalidResponse as exc:  # the prompts validate first; this is a last safeguard
        click.echo(f"  {'; '.join(p.message for p in exc.problems)}")
        return
    if hits:
        _show_alerts(app, hits)


def _ask_choice(app: AppContext, q: Question) -> tuple[str, Any]:
    import questionary
    from questionary import Choice

    codes = [o.code for o in q.options]
    keys = _shortcut_keys(q.item, codes)
    choices = [
        Choice(o.label, ("code", o.code), shortcut_key=k)
        for o, k in zip(q.options, keys, strict=True)
    ]
    if q.skip_reasons:
        choices.append(Choice("Skip this question…", ("skip", None), shortcut_key="s"))
    if q.can_go_back:
        choices.append(Choice("← Back", ("back", None), shortcut_key="b"))
    default = ("code", q.answer) if isinstance(q.answer, int) and q.answer in codes else None
    picked = questionary.select(
        "Answer",
        choices=choices,
        default=default,
        use_shortcuts=True,
        use_jk_keys=False,
        instruction=CHOOSE_HINT,
        **app.prompt_kwargs(),
    ).unsafe_ask()
    return picked[0], picked[1]


def _ask_typed(app: AppContext, q: Question) -> tuple[str, Any]:

    hints = [q.allowed]
    if q.can_go_back:
        hints.append(f"'{BACK}' goes back")
    hints.append("leave empty to skip")

    def problem(text: str) -> str | None:
        if text.strip() in ("", BACK) or q.item.kind == "text":
            return None
        try:
            q.check(text)
        except InvalidResponse as exc:
            return "; ".join(p.message for p in exc.problems) + " ('<' goes back; empty skips)"
        return None

    default = (
        ""
        if q.answer is None or not isinstance(q.answer, int | float | str)
        else (str(q.answer) if isinstance(q.answer, str) else f"{q.answer:g}")
    )
    text = ask_text(app, f"Answer ({'; '.join(hints)}):", default, problem)
    if text.strip() == BACK:
        return "back", None
    if text.strip() == "":
        return "skip", None
    return "answer", text


def _review(app: AppContext, session: SurveySession) -> None:
    import questionary
    from questionary import Choice

    inst = session.current_instrument
    assert inst is not None
    rows = session.review()
    click.echo("")
    click.secho(f"Review: {inst.label}", bold=True)
    for row in rows:
        click.echo(f"  {row.number:>2}. {_short(row.text, 46):<46}  {row.shown}")
    choices = [Choice(f"Finish {inst.label}: the answers are right", ("finish", None))]
    choices += [
        Choice(
            f"Change {row.number}: {_short(row.text, 40)} ({row.shown})", ("change", row.item_id)
        )
        for row in rows
    ]
    choices.append(Choice("← Back to the last question", ("back", None)))
    picked = questionary.select(
        "Finish, or choose an answer to change",
        choices=choices,
        use_shortcuts=False,
        use_jk_keys=False,
        instruction="(↑/↓ and Enter)",
        **app.prompt_kwargs(),
    ).unsafe_ask()
    action, item_id = picked
    if action == "change":
        session.go_to(item_id)
    elif action == "back":
        session.back()
    else:
        sheet = session.finish()
        click.echo(f"Saved {inst.label}.")
        scale_hits = [h for h in sheet.alerts if h.scale is not None]
        if scale_hits:
            _show_alerts(app, scale_hits)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- enter (paper forms) -------------------------------------------------------------------------
@click.command("enter")
@click.argument("participant")
@click.option(
    "-t",
    "--timepoint",
    required=True,
    help="The time point the form was completed at, e.g. intake.",
)
@click.option(
    "-i", "--instrument", "instrument_id", required=True, help="The instrument id, e.g. barc10."
)
@click.option(
    "-d",
    "--date",
    "date",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date on the form (YYYY-MM-DD).",
)
@click.option("-w", "--worker", help="The code of the peer worker who gave the form.")
@click.pass_context
def enter(
    ctx: click.Context,
    participant: str,
    timepoint: str,
    instrument_id: str,
    date: dt.datetime,
    worker: str | None,
) -> None:
    """Type in a completed paper form for PARTICIPANT, one code per item.

    Type each response code as it is on the form and press Enter. Leave it empty for a missing
    answer (you are asked why), or type '<' to go back. A review follows; nothing is saved until
    you choose Save.
    """
    from recoverycap.administer import enter_paper_form, paper_alert_message
    from recoverycap.schedule import check_known_timepoint

    app: AppContext = ctx.obj
    day = date.date()
    if day > dt.date.today():
        raise click.BadParameter(
            f"{day.isoformat()} is in the future; give the date on the form", param_hint="--date"
        )
    require_terminal(app, "enter")
    check_known_timepoint(timepoint, app.config)
    inst = app.library.get(instrument_id)
    store = open_store(app)
    try:
        _require_participant(store, participant)
        if inst.audience != "participant":
            raise click.ClickException(
                f"{inst.label} ({inst.id}) is for a {inst.audience}, not a participant"
            )
        click.echo(
            f"Entering a paper {inst.label} for {participant} {timepoint_phrase(timepoint)}, dated {day.isoformat()}."
        )
        click.echo(
            f"Type each code and press Enter; empty = missing; '{BACK}' = back. Ctrl-C stops without saving."
        )
        answers = _type_in(app, inst, day)
        if answers is None:
            click.echo("Cancelled: nothing was saved.")
            return
        entry = enter_paper_form(
            store, participant, inst, timepoint, answers, day.isoformat(), by=worker
        )
    except (KeyboardInterrupt, EOFError):
        click.echo("")
        click.echo(
            "Stopped: nothing was saved. The paper form is still your record; enter it again."
        )
        ctx.exit(130)
    finally:
        store.close()
    click.echo(
        f"Saved the paper {inst.label} for {participant} {timepoint_phrase(timepoint)} (administration {entry.administration_id})."
    )
    for hit in entry.alerts:
        click.echo(_wrap(f"Alert recorded: {paper_alert_message(hit.message, day)}", "  "))
    if entry.results:
        click.echo("Results:")
        for result in entry.results:
            click.echo(_wrap(result.sentence(), "  "))


def _type_in(app: AppContext, inst: Instrument, day: dt.date) -> dict[str, Any] | None:
    """Ask every item's code; then the review. Returns the answers, or None if cancelled."""
    from recoverycap.scoring import Missing, item_alerts

    answers: dict[str, Any] = {}
    items = list(inst.items)
    pos = 0
    while True:
        while pos < len(items):
            item = items[pos]
            step = _type_one(app, inst, item, pos, len(items), answers.get(item.id))
            if step is GO_BACK:
                pos = max(0, pos - 1)
                continue
            if isinstance(step, Missing) or step != answers.get(item.id):
                answers[item.id] = step
                hits = item_alerts(inst, item.id, step)
                if hits:
                    _show_alerts(app, hits, recorded=False, paper_date=day)
            pos += 1
        action = _paper_review(app, inst, answers)
        if action == "save":
            return answers
        if action == "cancel":
            return None
        pos = inst.item_ids.index(action)
        answers_before = answers.get(action)
        step = _type_one(app, inst, items[pos], pos, len(items), answers_before)
        if step is not GO_BACK:
            answers[action] = step
            hits = item_alerts(inst, action, step)
            if hits and step != answers_before:
                _show_alerts(app, hits, recorded=False, paper_date=day)
        pos = len(items)


def _codes_hint(inst: Instrument, item: Item) -> str:
    opts = inst.options(item)
    if item.kind == "yesno":
        return "1 yes, 0 no"
    if opts:
        codes = [o.code for o in opts]
        if codes == list(range(min(codes), max(codes) + 1)):
            return f"{min(codes)}–{max(codes)}"
        return "/".join(str(c) for c in codes)
    if item.kind == "text":
        return "text"
    lo, hi = inst.value_range(item)
    return f"{lo:g}–{hi:g}"


def _type_one(
    app: AppContext, inst: Instrument, item: Item, pos: int, total: int, current: Any
) -> Any:
    """One item of a paper form: the coerced answer, a Missing, or GO_BACK."""
    from recoverycap.administer import describe_answer
    from recoverycap.scoring import Missing, coerce_answer

    def problem(text: str) -> str | None:
        if text.strip() in ("", BACK):
            return None
        try:
            coerce_answer(inst, item, text)
        except InvalidResponse as exc:
            return "; ".join(p.message for p in exc.problems) + f" ('{BACK}' goes back)"
        return None

    label = _short(item.text, 50) if item.text else "(wording not bundled)"
    default = (
        ""
        if current is None or isinstance(current, Missing)
        else (current if isinstance(current, str) else f"{current:g}")
    )
    if current is not None:
        click.echo(f"  currently: {_current(current, describe_answer(inst, item, current))}")
    while True:
        text = ask_text(
            app,
            f"{pos + 1:>2}/{total} {item.id} [{_codes_hint(inst, item)}] {label}",
            default,
            problem,
        )
        if text.strip() == BACK:
            return GO_BACK
        if text.strip():
            return coerce_answer(inst, item, text)
        from recoverycap.instrument import MISSING_REASONS

        reason = _reason_choice(app, tuple(MISSING_REASONS), "← Back: type a code instead")
        if reason is not None:
            return Missing(reason)


def _paper_review(app: AppContext, inst: Instrument, answers: dict[str, Any]) -> str:
    import questionary
    from questionary import Choice

    from recoverycap.administer import describe_answer

    click.echo("")
    click.secho(f"Review: paper {inst.label}", bold=True)
    codes = []
    for n, item in enumerate(inst.items, start=1):
        shown = describe_answer(inst, item, answers.get(item.id))
        click.echo(f"  {n:>2}. {item.id:<8} {shown}")
        codes.append(Choice(f"Change {n}: {item.id} ({shown})", item.id))
    choices = [
        Choice("Save: the codes match the form", "save"),
        *codes,
        Choice("Cancel without saving", "cancel"),
    ]
    picked: str = questionary.select(
        "Save, or choose a code to change",
        choices=choices,
        use_shortcuts=False,
        use_jk_keys=False,
        instruction="(↑/↓ and Enter)",
        **app.prompt_kwargs(),
    ).unsafe_ask()
    return picked


COMMANDS = [administer, enter]
