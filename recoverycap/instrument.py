"""The instrument model: frozen attrs classes built from a TOML instrument file.

An instrument file describes one version of one questionnaire: who wrote it and under what licence,
its wording (or, where the licence forbids bundling, only its scoring), its response scales, items,
scales with their scoring rules and bands, safeguarding alerts and the psychometrics that reliable
change needs. The file format is documented in ``docs/instrument-format.md``.

The classes are not tied to TOML: ``Instrument.from_dict`` takes any mapping, ``from_path`` reads a
file. Parsing collects every problem it finds (see :mod:`recoverycap.lint`) and raises
:class:`~recoverycap.errors.InstrumentError` listing them all.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .errors import InstrumentError, Problem, WordingNotAvailable

ITEM_KINDS = ("choice", "integer", "number", "yesno", "text")
"""Item types: choice from a response scale; whole number in a range; real number in a range;
yes/no (stored 1/0); free text (stored, never scored)."""

METHODS = ("sum", "mean")
DIRECTIONS = ("better", "worse")
ALERT_OPS = (">", ">=", "<", "<=", "==", "!=")
MISSING_REASONS = ("declined", "dont_know", "not_applicable", "not_asked")
"""Why an answer is missing. A missing answer is never scored as 0."""

YESNO_OPTIONS = ((0, "No"), (1, "Yes"))


@attrs.frozen
class Option:
    """One response option: the stored code and the label shown."""

    code: int
    label: str


@attrs.frozen
class ResponseScale:
    """A set of response options shared by items (e.g. the CBI's frequency scale)."""

    id: str
    options: tuple[Option, ...]

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options)

    def label(self, code: int) -> str:
        for o in self.options:
            if o.code == code:
                return o.label
        raise KeyError(code)


@attrs.frozen
class Item:
    """One question.

    Attributes:
        id: Item id, also the column name in wide files.
        text: The wording, or ``""`` where the licence forbids bundling it.
        kind: One of :data:`ITEM_KINDS`.
        scale: The response scale id for ``choice`` items.
        min: Smallest allowed value for ``integer``/``number`` items (codes for others).
        max: Largest allowed value.
        required: Whether the item must be answered (a skip still needs a reason).
        reverse: Reverse-keyed: a code x scores as (min + max - x) of its scale.
        section: Optional heading the item belongs to.
        unit: Optional unit for numeric items.
    """

    id: str
    text: str
    kind: str
    scale: str | None = None
    min: float | None = None
    max: float | None = None
    required: bool = True
    reverse: bool = False
    section: str = ""
    unit: str = ""

    @property
    def scored(self) -> bool:
        return self.kind != "text"


@attrs.frozen
class Band:
    """A labelled range of scores, inclusive at both ends.

    Where two bands touch (one's ``max`` is the next one's ``min``) the shared boundary belongs to
    the higher band, so "50 or more is high" is written ``min = 50`` on the high band.
    """

    min: float
    max: float
    label: str
    description: str = ""


@attrs.frozen
class Reliability:
    """A published reliability coefficient used for reliable change."""

    kind: str
    value: float
    source: str


@attrs.frozen
class Norm:
    """A published normative mean and SD."""

    mean: float | None
    sd: float
    source: str
    population: str = ""


@attrs.frozen
class Scale:
    """A score computed from items.

    Scoring, in this order, for each item in ``items``:

    1. the stored code; a missing answer stays missing (never 0);
    2. reverse-keyed items: ``min + max - code`` of the item's range;
    3. ``recode``: a map from code to value (e.g. the CBI's 100/75/50/25/0);

    then, over the items answered (``answered``), if ``answered < min_answered`` the score is
    missing. Otherwise ``raw`` is the sum or the mean of the values; a sum with missing items is
    prorated (``mean * n_items``) only when ``prorate`` is true. ``score`` is ``raw * factor``, or
    ``lookup[raw]`` where a lookup table is given. ``round`` (decimal places) rounds the score
    half up, as the manuals that prorate do.
    """

    id: str
    name: str
    items: tuple[str, ...]
    method: str = "sum"
    factor: float = 1.0
    recode: Mapping[int, float] | None = None
    recode_name: str = ""
    lookup: Mapping[int, float] | None = None
    lookup_name: str = ""
    min_answered: int = 0
    prorate: bool = False
    round: int | None = None
    bands: tuple[Band, ...] = ()
    higher_is: str = "better"
    cutoff: float | None = None
    cutoff_source: str = ""
    description: str = ""
    reliability: Reliability | None = None
    norm: Norm | None = None
    mcid: float | None = None
    mcid_source: str = ""
    report: bool = True

    def band_for(self, score: float | None) -> str | None:
        """The label of the band ``score`` falls in, or None."""
        if score is None or (isinstance(score, float) and math.isnan(score)):
            return None
        chosen = None
        for band in self.bands:
            if band.min <= score <= band.max:
                chosen = band.label  # later (higher) bands win on a shared boundary
        return chosen


@attrs.frozen
class Alert:
    """A condition raised to the worker as soon as the answer is given.

    Exactly one of ``item`` or ``scale`` is set. The condition is ``value <op> threshold`` on the
    stored item code (not reversed) or on the scale score.
    """

    id: str
    op: str
    threshold: float
    message: str
    item: str | None = None
    scale: str | None = None
    kind: str = "safeguarding"

    def triggered(self, value: float | None) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return _compare(value, self.op, self.threshold)


def _compare(value: float, op: str, threshold: float) -> bool:
    if op == ">":
        return value > threshold
    if op == ">=":
        return value >= threshold
    if op == "<":
        return value < threshold
    if op == "<=":
        return value <= threshold
    if op == "==":
        return value == threshold
    return value != threshold


@attrs.frozen
class Substitution:
    """A word the licence lets an organisation replace, e.g. ProQOL's ``[helper]``."""

    key: str
    token: str
    default: str
    description: str = ""


@attrs.frozen
class Instrument:
    """One version of one questionnaire, as described by its instrument file."""

    id: str
    name: str
    version: str
    short_name: str
    measures: str
    language: str
    citations: tuple[str, ...]
    licence: str
    copyright: str
    wording_source: str
    text_bundled: bool
    instructions: str
    recall_period: str
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    response_scales: Mapping[str, ResponseScale] = attrs.field(factory=dict)
    alerts: tuple[Alert, ...] = ()
    substitutions: tuple[Substitution, ...] = ()
    validated: bool = True
    minutes: float | None = None
    wording_checked: str = ""
    notice: str = ""
    notes: str = ""
    allow_skip: bool = True
    audience: str = "participant"
    path: str = ""

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_path(cls, path: str | Path) -> Instrument:
        """Read and check an instrument file; raise InstrumentError listing every problem."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InstrumentError(
                f"{path}: no such file", [Problem(str(path), "", "file not found")]
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InstrumentError(
                f"{path}: not valid TOML", [Problem(str(path), "", f"not valid TOML: {exc}")]
            ) from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> Instrument:
        """Build an instrument from parsed TOML; raise InstrumentError listing every problem."""
        from .lint import build_instrument

        instrument, problems = build_instrument(data, source)
        if problems or instrument is None:
            raise InstrumentError(f"{source}: {len(problems)} problem(s)", problems)
        return instrument

    # -- lookups -----------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """``id@version``, how stored records name the instrument version."""
        return f"{self.id}@{self.version}"

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def credit(self) -> str:
        """The line shown to the person answering: ``[source] notice``, else the copyright line."""
        return self.notice or self.copyright

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"{self.id} has no item {item_id!r}")

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        known = ", ".join(s.id for s in self.scales)
        raise KeyError(f"{self.id} has no scale {scale_id!r}; its scales are: {known}")

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def options(self, item: Item) -> tuple[Option, ...]:
        """The response options of a choice or yes/no item (empty for other kinds)."""
        if item.kind == "yesno":
            return tuple(Option(c, lbl) for c, lbl in YESNO_OPTIONS)
        if item.kind == "choice" and item.scale is not None:
            return self.response_scales[item.scale].options
        return ()

    def value_range(self, item: Item) -> tuple[float, float]:
        """Smallest and largest allowed stored value of a scored item."""
        opts = self.options(item)
        if opts:
            codes = [o.code for o in opts]
            return float(min(codes)), float(max(codes))
        assert item.min is not None and item.max is not None  # guaranteed by the linter
        return float(item.min), float(item.max)

    def scale_range(self, scale: Scale) -> tuple[float, float]:
        """The smallest and largest score the scale can take with every item answered."""
        lows, highs = [], []
        for item_id in scale.items:
            item = self.item(item_id)
            lo, hi = self.value_range(item)
            if item.kind in ("choice", "yesno"):
                codes = [o.code for o in self.options(item)]
                vals = [_item_value(c, lo, hi, item.reverse, scale.recode) for c in codes]
            else:
                vals = [_item_value(v, lo, hi, item.reverse, scale.recode) for v in (lo, hi)]
            lows.append(min(vals))
            highs.append(max(vals))
        if scale.method == "mean":
            raw_lo, raw_hi = min(lows), max(highs)
        else:
            raw_lo, raw_hi = math.fsum(lows), math.fsum(highs)
        if scale.lookup:
            vals = list(scale.lookup.values())
            return min(vals), max(vals)
        a, b = raw_lo * scale.factor, raw_hi * scale.factor
        return (min(a, b), max(a, b))

    # -- wording -----------------------------------------------------------------------------
    @property
    def has_wording(self) -> bool:
        return all(i.text for i in self.items)

    def require_wording(self) -> None:
        """Raise WordingNotAvailable with instructions if any item has no text."""
        if self.has_wording:
            return
        if any(i.text for i in self.items):
            missing = [i.id for i in self.items if not i.text]
            raise WordingNotAvailable(
                f"{self.label} ({self.id}): the local wording file has no text yet for "
                f"{', '.join(missing)}. Copy the wording exactly from your licensed copy; "
                f"'recoverycap instruments check <folder>' lists what is missing."
            )
        raise WordingNotAvailable(
            f"{self.label} ({self.id}) is scored here but its wording is licensed and not bundled "
            f"with recoverycap. Put the licensed wording in a file named '{self.id}.text.toml' in "
            f"a folder passed with --instruments-dir (or RECOVERYCAP_INSTRUMENTS). "
            f"'recoverycap instruments overlay {self.id}' prints a template to fill in."
        )

    def with_overlay(self, overlay: Mapping[str, Any], source: str = "") -> Instrument:
        """A copy with locally supplied wording (``[items] id = "text"``, ``instructions``)."""
        texts = dict(overlay.get("items", {}))
        unknown = sorted(set(texts) - set(self.item_ids))
        if unknown:
            raise InstrumentError(
                f"{source or 'overlay'}: unknown items",
                [Problem(source or "overlay", u, f"{self.id} has no item {u!r}") for u in unknown],
            )
        items = tuple(
            attrs.evolve(i, text=str(texts[i.id])) if i.id in texts else i for i in self.items
        )
        changes: dict[str, Any] = {"items": items}
        if "instructions" in overlay:
            changes["instructions"] = str(overlay["instructions"])
        return attrs.evolve(self, **changes)

    def text(self, text: str, substitutions: Mapping[str, str] | None = None) -> str:
        """``text`` with the licence-permitted substitutions applied (defaults where unset)."""
        for sub in self.substitutions:
            word = (substitutions or {}).get(sub.key, sub.default)
            text = text.replace(sub.token, word)
        return text


def _item_value(
    code: float, lo: float, hi: float, reverse: bool, recode: Mapping[int, float] | None
) -> float:
    """The scored value of one stored code (reverse key, then recode)."""
    if reverse:
        code = lo + hi - code
    if recode is not None:
        return float(recode[int(code)])
    return float(code)


def load_overlay(path: str | Path) -> dict[str, Any]:
    """Read a local wording overlay file (``<id>.text.toml``)."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)
