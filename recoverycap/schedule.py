"""The follow-up schedule as data: time points anchored to events.

A :class:`Schedule` is a list of :class:`TimePoint` s read from ``recoverycap/data/schedule.toml``
(or from the organisation's ``[[schedule]]`` entries, which replace it; ``recoverycap config
show`` prints the one in effect). Each time point is due ``offset_days`` after its anchor: the
start or end of an enrolment, or the participant's *current* release date (the latest recorded;
release dates move with parole, HDC, transfer and recall, and the post-release time points move
with them). An enrolment-anchored time point may name the ``programmes`` it applies to (the default
schedule's intake and programme end are for the in-custody programmes, not Through The Gate, which
starts around release and is followed by the release-anchored time points). Schedules are checked
like instrument files: every problem is reported at once, naming the file, the entry, the key, what
is allowed and what was given.

The time points a questionnaire may be recorded at are :func:`known_timepoints`: the schedule's,
the paper's six (:data:`recoverycap.store.fields.DEFAULT_TIMEPOINTS`) and the quarterly worker
checks (``check_2025_q2``); :func:`check_known_timepoint` refuses any other with the list and a
suggestion. An organisation adds a time point of its own with a ``[[schedule]]`` entry.

What is due as of a date is worked out in :mod:`recoverycap.due` (pure rules) and read from a
store by :mod:`recoverycap.followup` (``due_list``, ``log_followup``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from .config import did_you_mean
from .errors import Problem, ScheduleError, ScheduleFileError
from .store.fields import DEFAULT_TIMEPOINTS, iso_date

ANCHORS = ("enrolment_start", "enrolment_end", "release")
"""Events a time point can hang off."""
ENROLMENT_ANCHORS = ("enrolment_start", "enrolment_end")
"""The anchors a time point may limit to some ``programmes``."""
CHECK_TIMEPOINT_RE = re.compile(r"^check_\d{4}_q[1-4]$")
"""Peer-worker wellbeing checks are recorded at their calendar quarter, e.g. ``check_2025_q2``
(:func:`recoverycap.wellbeing.check_timepoint`)."""

DEFAULT_WINDOW_DAYS = 14
DEFAULT_LATE_DAYS = 14
DEFAULT_UNCONTACTABLE_AFTER = 3
TIMEPOINT_KEYS = (
    "timepoint",
    "anchor",
    "offset_days",
    "window_days",
    "late_days",
    "uncontactable_after",
    "label",
    "description",
    "programmes",
)
FORMAT_VERSION = 1


def _id_ok(value: object) -> bool:
    from .lint import ID_RE

    return isinstance(value, str) and bool(ID_RE.match(value))


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@attrs.frozen
class TimePoint:
    """One scheduled time point.

    Attributes:
        id: The time point id recorded with each administration (e.g. ``post_release_4w``).
        anchor: One of :data:`ANCHORS`.
        offset_days: Days after the anchor it is due (negative: before).
        window_days: It is on time from ``due - window_days`` to ``due + window_days``.
        late_days: Days after the window closes during which it is overdue, then missed.
        uncontactable_after: Attempts needed before ``uncontactable`` marks it missed.
        label: Plain words for tables.
        description: Optional notes.
        programmes: For an enrolment-anchored time point, the programmes whose enrolments it
            applies to (empty: every programme).
    """

    id: str
    anchor: str
    offset_days: int = 0
    window_days: int = DEFAULT_WINDOW_DAYS
    late_days: int = DEFAULT_LATE_DAYS
    uncontactable_after: int = DEFAULT_UNCONTACTABLE_AFTER
    label: str = ""
    description: str = ""
    programmes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.label or self.id.replace("_", " ")

    def applies_to(self, programme: str | None) -> bool:
        """Whether an enrolment in ``programme`` gets this time point."""
        return not self.programmes or programme in self.programmes

    def as_toml(self) -> str:
        """This time point as a ``[[schedule]]`` entry for a configuration file."""
        lines = [
            "[[schedule]]",
            f'timepoint = "{self.id}"',
            f'anchor = "{self.anchor}"',
            f"offset_days = {self.offset_days}",
            f"window_days = {self.window_days}",
            f"late_days = {self.late_days}",
            f"uncontactable_after = {self.uncontactable_after}",
        ]
        if self.programmes:
            lines.append(f"programmes = [{', '.join(_toml_str(p) for p in self.programmes)}]")
        if self.label:
            lines.append(f"label = {_toml_str(self.label)}")
        if self.description:
            lines.append(f"description = {_toml_str(self.description)}")
        return "\n".join(lines)


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@attrs.frozen
class Schedule:
    """The time points an organisation collects, in order.

    Attributes:
        timepoints: The time points.
        source: Where the schedule came from (a file, or the configuration).
    """

    timepoints: tuple[TimePoint, ...]
    source: str = ""

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any] | Sequence[Mapping[str, Any]], source: str = "<schedule>"
    ) -> Schedule:
        """Build and check a schedule from a schedule file's table or a list of entries.

        Args:
            data: ``{"format": 1, "timepoints": [...]}`` as in ``schedule.toml``, or the list of
                entries itself (the configuration's ``[[schedule]]``).
            source: Named in error messages.

        Raises:
            ScheduleFileError: Listing every problem (entry, key, what is allowed, what was given).
        """
        problems: list[Problem] = []
        if isinstance(data, Mapping):
            for key in data:
                if key not in ("format", "timepoints"):
                    problems.append(
                        Problem(source, key, "unknown key; allowed: format, timepoints")
                    )
            fmt = data.get("format", FORMAT_VERSION)
            if fmt != FORMAT_VERSION:
                problems.append(Problem(source, "format", f"must be {FORMAT_VERSION}; got {fmt!r}"))
            entries: Any = data.get("timepoints", [])
        else:
            entries = data
        if (
            not isinstance(entries, Sequence)
            or isinstance(entries, str)
            or not all(isinstance(e, Mapping) for e in entries)
        ):
            problems.append(
                Problem(
                    source,
                    "timepoints",
                    "must be a list of tables ([[timepoints]] or [[schedule]] entries)",
                )
            )
            entries = []
        if not entries and not problems:
            problems.append(
                Problem(source, "timepoints", "the schedule has no time points; give at least one")
            )
        timepoints: list[TimePoint] = []
        seen: set[str] = set()
        for n, entry in enumerate(entries, 1):
            tid = entry.get("timepoint")
            if isinstance(tid, str) and tid in seen:
                problems.append(
                    Problem(
                        f"{source} entry {n} ({tid})",
                        "timepoint",
                        f"{tid!r} is listed twice; give each time point once",
                    )
                )
            if isinstance(tid, str):
                seen.add(tid)
            tp = _timepoint(entry, f"{source} entry {n}", problems)
            if tp is not None:
                timepoints.append(tp)
        if problems:
            raise ScheduleFileError(
                f"{source}: {len(problems)} problem(s) in the schedule", problems
            )
        return cls(tuple(timepoints), source)

    @classmethod
    def from_path(cls, path: str | Path) -> Schedule:
        """Read and check a schedule file (TOML, like ``recoverycap/data/schedule.toml``)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ScheduleFileError(
                f"{path}: not valid TOML", [Problem(str(path), "", str(exc))]
            ) from None
        return cls.from_dict(data, str(path))

    @classmethod
    def default(cls) -> Schedule:
        """The schedule shipped with recoverycap (``recoverycap/data/schedule.toml``)."""
        ref = resources.files("recoverycap").joinpath("data/schedule.toml")
        return cls.from_dict(
            tomllib.loads(ref.read_text(encoding="utf-8")),
            "recoverycap/data/schedule.toml (default)",
        )

    @classmethod
    def for_config(cls, config: Any) -> Schedule:
        """The configuration's ``[[schedule]]`` entries if it has any (they replace the default),
        else the default schedule."""
        entries = getattr(config, "schedule", ())
        if not entries:
            return cls.default()
        where = getattr(config, "path", "") or "<config>"
        return cls.from_dict(list(entries), f"{where} [[schedule]]")

    def __iter__(self) -> Iterator[TimePoint]:
        return iter(self.timepoints)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(tp.id for tp in self.timepoints)

    def get(self, timepoint: str) -> TimePoint:
        """A time point by id; ScheduleError naming the known ones if there is none."""
        for tp in self.timepoints:
            if tp.id == timepoint:
                return tp
        raise ScheduleError(
            f"no time point {timepoint!r} in the schedule; known: {', '.join(self.ids)}"
            + did_you_mean(timepoint, self.ids)
        )

    @property
    def programmes(self) -> tuple[str, ...]:
        """Every programme id the time points name, in order of first mention."""
        return tuple(dict.fromkeys(p for tp in self.timepoints for p in tp.programmes))

    def lead_days(self, anchor: str) -> int:
        """How many days before (negative) or after the anchor its first window opens."""
        starts = [tp.offset_days - tp.window_days for tp in self.timepoints if tp.anchor == anchor]
        return min(starts) if starts else 0

    def as_toml(self) -> str:
        """The schedule as ``[[schedule]]`` entries to paste into a configuration file."""
        return "\n\n".join(tp.as_toml() for tp in self.timepoints) + "\n"


def _timepoint(entry: Mapping[str, Any], where: str, problems: list[Problem]) -> TimePoint | None:
    before = len(problems)
    tid = entry.get("timepoint")
    if tid is not None and not isinstance(tid, str):
        tid = repr(tid)
    where = f"{where} ({tid})" if tid else where
    for key in entry:
        if key not in TIMEPOINT_KEYS:
            problems.append(
                Problem(where, key, f"unknown key; allowed: {', '.join(TIMEPOINT_KEYS)}")
            )
    if not _id_ok(entry.get("timepoint")):
        problems.append(
            Problem(
                where,
                "timepoint",
                f"must be lowercase letters, digits and '_' starting with a letter (e.g. post_release_4w); got {entry.get('timepoint')!r}",
            )
        )
    anchor = entry.get("anchor")
    if anchor not in ANCHORS:
        problems.append(
            Problem(where, "anchor", f"must be one of {', '.join(ANCHORS)}; got {anchor!r}")
        )
    values: dict[str, int] = {}
    for key, default, low in (
        ("offset_days", 0, None),
        ("window_days", DEFAULT_WINDOW_DAYS, 0),
        ("late_days", DEFAULT_LATE_DAYS, 0),
        ("uncontactable_after", DEFAULT_UNCONTACTABLE_AFTER, 1),
    ):
        value = entry.get(key, default)
        if not _whole(value) or (low is not None and value < low):
            need = (
                "a whole number of days"
                if key != "uncontactable_after"
                else "a whole number of attempts"
            )
            need += "" if low is None else f" of at least {low}"
            problems.append(Problem(where, key, f"must be {need}; got {value!r}"))
            continue
        values[key] = value
    for key in ("label", "description"):
        if key in entry and not isinstance(entry[key], str):
            problems.append(Problem(where, key, f"must be text; got {entry[key]!r}"))
    programmes = _programmes(entry, anchor, where, problems)
    if len(problems) > before:
        return None
    return TimePoint(
        id=str(entry["timepoint"]),
        anchor=str(anchor),
        label=str(entry.get("label", "")),
        description=str(entry.get("description", "")),
        programmes=programmes,
        **values,
    )


def _programmes(
    entry: Mapping[str, Any], anchor: Any, where: str, problems: list[Problem]
) -> tuple[str, ...]:
    """The ``programmes`` key: a non-empty list of programme ids, each once, only on an
    enrolment-anchored time point. (Whether each id is a programme the database knows is
    checked where the database is read: :func:`recoverycap.followup.due_list`.)"""
    if "programmes" not in entry:
        return ()
    value = entry["programmes"]
    if not isinstance(value, list) or not value or not all(_id_ok(p) for p in value):
        problems.append(
            Problem(
                where,
                "programmes",
                "must be a non-empty list of programme ids (lowercase letters, digits and '_', "
                f'e.g. ["twelve_step", "behaviour_change"]); got {value!r}',
            )
        )
        return ()
    twice = sorted({p for p in value if value.count(p) > 1})
    if twice:
        problems.append(
            Problem(where, "programmes", f"{', '.join(twice)} listed twice; give each once")
        )
    if anchor in ANCHORS and anchor not in ENROLMENT_ANCHORS:
        problems.append(
            Problem(
                where,
                "programmes",
                f"only a time point anchored to an enrolment ({', '.join(ENROLMENT_ANCHORS)}) "
                f"can be limited to some programmes; this one hangs off {anchor!r}",
            )
        )
    return tuple(value)


# -- which time points exist ---------------------------------------------------------------------
def known_timepoints(config: Any = None, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The time points a questionnaire may be recorded at, in order.

    The schedule in effect (the configuration's ``[[schedule]]``, else the default), then the
    paper's six (:data:`~recoverycap.store.fields.DEFAULT_TIMEPOINTS`) and any ``extra`` ones
    (e.g. time points already present in imported data). Peer-worker checks are also known
    (``check_YYYY_qN``, matched by :data:`CHECK_TIMEPOINT_RE`, not listed here).

    Args:
        config: A :class:`recoverycap.config.Config` (or None: the default schedule).
        extra: More time points to accept.

    Raises:
        ScheduleFileError: the configuration's ``[[schedule]]`` has problems.
    """
    schedule = Schedule.for_config(config)
    return tuple(dict.fromkeys([*schedule.ids, *DEFAULT_TIMEPOINTS, *extra]))


def check_known_timepoint(timepoint: str, config: Any = None, extra: Iterable[str] = ()) -> str:
    """A time point, if it is one of :func:`known_timepoints` or a worker check's quarter.

    Args:
        timepoint: The time point given (e.g. by ``--timepoint``).
        config: The organisation's configuration (its ``[[schedule]]`` adds time points).
        extra: More time points to accept.

    Returns:
        The time point, unchanged.

    Raises:
        ScheduleError: an unknown time point; the message lists the known ones, suggests the
            closest and says how an organisation adds its own.
    """
    known = known_timepoints(config, extra)
    if timepoint in known or CHECK_TIMEPOINT_RE.match(timepoint):
        return timepoint
    hint = did_you_mean(timepoint, known) or "."
    raise ScheduleError(
        f"unknown time point {timepoint!r}{hint} "
        f"Known time points: {', '.join(known)} (and check_YYYY_qN for peer-worker checks). "
        "An organisation adds its own with a [[schedule]] entry in its configuration file "
        "(see 'recoverycap config show')."
    )


def parse_date(
    value: str | dt.date | dt.datetime | None, what: str = "date", *, time_ok: bool = True
) -> dt.date | None:
    """An ISO 8601 date (or, with ``time_ok``, the date part of a timestamp); None for None or
    blank; ScheduleError naming ``what`` if it is not a date.

    Command options pass ``time_ok=False``: a person gives a date as ``YYYY-MM-DD``. The parsing
    itself is :func:`recoverycap.store.fields.iso_date`.
    """
    try:
        return iso_date(value, time_ok=time_ok)
    except ValueError as exc:
        raise ScheduleError(f"{what}: {exc}") from None
