"""Build an :class:`~recoverycap.instrument.Instrument` from parsed TOML, collecting every problem.

The linter and the loader are one piece of code: a file that loads is a file that lints clean.
Each problem names the file, the item or scale id, what is wrong and what is allowed.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import Problem
from .instrument import (
    ALERT_OPS,
    DIRECTIONS,
    ITEM_KINDS,
    METHODS,
    Alert,
    Band,
    Instrument,
    Item,
    Norm,
    Option,
    Reliability,
    ResponseScale,
    Scale,
    Substitution,
)

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
FORMAT_VERSION = 1

TOP_KEYS = {
    "format",
    "instrument",
    "source",
    "response_scales",
    "items",
    "recodes",
    "lookups",
    "scales",
    "alerts",
    "substitutions",
}
INSTRUMENT_KEYS = {
    "id",
    "name",
    "short_name",
    "version",
    "measures",
    "language",
    "minutes",
    "validated",
    "instructions",
    "recall_period",
    "allow_skip",
    "notes",
    "audience",
}
SOURCE_KEYS = {
    "citations",
    "licence",
    "copyright",
    "wording_source",
    "wording_checked",
    "notice",
    "text_bundled",
}
ITEM_KEYS = {"id", "text", "kind", "scale", "min", "max", "required", "reverse", "section", "unit"}
SCALE_KEYS = {
    "id",
    "name",
    "items",
    "method",
    "factor",
    "recode",
    "lookup",
    "min_answered",
    "prorate",
    "round",
    "bands",
    "higher_is",
    "cutoff",
    "cutoff_source",
    "description",
    "reliability",
    "norm",
    "mcid",
    "mcid_source",
    "report",
}
BAND_KEYS = {"min", "max", "label", "description"}
ALERT_KEYS = {"id", "item", "scale", "op", "value", "message", "kind"}
SUB_KEYS = {"token", "default", "description"}


class _Collector:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.source, field, message))

    def unknown_keys(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                self.add(where, f"unknown key {key!r}; allowed keys: {', '.join(sorted(allowed))}")

    def entries(
        self, raw: list[Any] | None, what: str, allowed: set[str]
    ) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Each table of a list (``[[items]]``, ``[[scales]]``) with a usable id, as
        ``(where, id, table)``; records what is wrong with the others and every id's problems
        (not a table, unknown keys, no id, a malformed or duplicate id)."""
        seen: set[str] = set()
        for n, body in enumerate(raw or (), 1):
            if not isinstance(body, dict):
                self.add(f"{what} {n}", "must be a table")
                continue
            eid = body.get("id")
            where = f"{what} {eid!r}" if isinstance(eid, str) else f"{what} {n}"
            self.unknown_keys(body, allowed, where)
            eid = self.get(body, "id", str, where)
            if eid is None:
                continue
            if not ID_RE.match(eid):
                self.add(
                    where, "id must be lowercase letters, digits and '_', starting with a letter"
                )
            if eid in seen:
                self.add(where, f"duplicate {what} id")
            seen.add(eid)
            yield where, eid, body

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        where: str,
        default: Any = ...,
    ) -> Any:
        if key not in table:
            if default is ...:
                self.add(where, f"missing required key {key!r}")
                return None
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if not ok:
            names = "a number" if kinds == NUM else " or ".join(_type_name(k) for k in kinds)
            self.add(where, f"{key!r} must be {names}, got {value!r}")
            return None if default is ... else default
        return value


def _type_name(kind: type) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(kind, kind.__name__)


NUM = (int, float)


def lint_file(path: str | Path) -> list[Problem]:
    """Every problem with an instrument file (an empty list when it is clean)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [Problem(str(path), "", "file not found")]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [Problem(str(path), "", f"not valid TOML: {exc}")]
    _, problems = build_instrument(data, str(path))
    return problems


def build_instrument(
    data: Mapping[str, Any], source: str
) -> tuple[Instrument | None, list[Problem]]:
    """Build an instrument, returning it (or None) with every problem found."""
    c = _Collector(source)
    c.unknown_keys(data, TOP_KEYS, "file")
    fmt = c.get(data, "format", int, "file", FORMAT_VERSION)
    if fmt is not None and fmt != FORMAT_VERSION:
        c.add("file", f"format must be {FORMAT_VERSION}, got {fmt!r}")
    meta = c.get(data, "instrument", dict, "file", {}) or {}
    src = c.get(data, "source", dict, "file", {}) or {}
    c.unknown_keys(meta, INSTRUMENT_KEYS, "[instrument]")
    c.unknown_keys(src, SOURCE_KEYS, "[source]")

    iid = c.get(meta, "id", str, "[instrument]")
    if iid is not None and not ID_RE.match(iid):
        c.add(
            "[instrument]",
            f"id must be lowercase letters, digits and '_', starting with a letter; got {iid!r}",
        )
    name = c.get(meta, "name", str, "[instrument]")
    version = c.get(meta, "version", str, "[instrument]")
    audience = c.get(meta, "audience", str, "[instrument]", "participant")
    if audience not in ("participant", "worker"):
        c.add("[instrument]", f"audience must be 'participant' or 'worker', got {audience!r}")
    minutes = c.get(meta, "minutes", NUM, "[instrument]", None)

    citations = c.get(src, "citations", list, "[source]")
    if citations is not None and (
        not citations or not all(isinstance(x, str) and x.strip() for x in citations)
    ):
        c.add("[source]", "citations must be a non-empty list of non-empty texts")
    licence = c.get(src, "licence", str, "[source]")
    copyright_ = c.get(src, "copyright", str, "[source]")
    wording_source = c.get(src, "wording_source", str, "[source]")
    if wording_source is not None and not wording_source.strip():
        c.add("[source]", "wording_source must say where the wording was copied from")
    bundled = c.get(src, "text_bundled", bool, "[source]")

    response_scales = _response_scales(c, data)
    items = _items(c, data, response_scales, bundled)
    item_map = {i.id: i for i in items}
    recodes = _number_maps(c, data, "recodes")
    lookups = _number_maps(c, data, "lookups")
    substitutions = _substitutions(c, data)

    instructions = c.get(meta, "instructions", str, "[instrument]", "")
    draft = Instrument(
        id=iid or "?",
        name=name or "?",
        version=version or "?",
        short_name=c.get(meta, "short_name", str, "[instrument]", ""),
        measures=c.get(meta, "measures", str, "[instrument]", ""),
        language=c.get(meta, "language", str, "[instrument]", "en"),
        citations=tuple(citations or ()),
        licence=licence or "",
        copyright=copyright_ or "",
        wording_source=wording_source or "",
        text_bundled=bool(bundled),
        instructions=instructions,
        recall_period=c.get(meta, "recall_period", str, "[instrument]", ""),
        items=tuple(items),
        scales=(),
        response_scales=response_scales,
        alerts=(),
        substitutions=tuple(substitutions),
        validated=c.get(meta, "validated", bool, "[instrument]", True),
        minutes=float(minutes) if minutes is not None else None,
        wording_checked=c.get(src, "wording_checked", str, "[source]", ""),
        notice=c.get(src, "notice", str, "[source]", ""),
        notes=c.get(meta, "notes", str, "[instrument]", ""),
        allow_skip=c.get(meta, "allow_skip", bool, "[instrument]", True),
        audience=audience,
        path=source,
    )
    scales = _scales(c, data, draft, item_map, recodes, lookups)
    draft = _evolve(draft, scales=tuple(scales))
    alerts = _alerts(c, data, draft, item_map)
    _check_substitutions(c, draft, substitutions)
    if c.problems:
        return None, c.problems
    return _evolve(draft, alerts=tuple(alerts)), []


def _evolve(inst: Instrument, **changes: Any) -> Instrument:
    import attrs

    return attrs.evolve(inst, **changes)


def _response_scales(c: _Collector, data: Mapping[str, Any]) -> dict[str, ResponseScale]:
    out: dict[str, ResponseScale] = {}
    table = c.get(data, "response_scales", dict, "file", {}) or {}
    for sid, body in table.items():
        where = f"response scale {sid!r}"
        if not ID_RE.match(sid):
            c.add(where, "id must be lowercase letters, digits and '_'")
        if not isinstance(body, dict):
            c.add(where, "must be a table with 'options'")
            continue
        c.unknown_keys(body, {"options"}, where)
        opts = c.get(body, "options", list, where)
        if not opts:
            if opts is not None:
                c.add(where, "options must not be empty")
            continue
        options = []
        for n, opt in enumerate(opts, 1):
            if not isinstance(opt, dict) or set(opt) != {"code", "label"}:
                c.add(
                    where,
                    f"option {n} must be {{ code = <whole number>, label = <text> }}, got {opt!r}",
                )
                continue
            code, label = opt["code"], opt["label"]
            if not isinstance(code, int) or isinstance(code, bool):
                c.add(where, f"option {n}: code must be a whole number, got {code!r}")
                continue
            if not isinstance(label, str) or not label.strip():
                c.add(where, f"option {n}: label must be non-empty text, got {label!r}")
                continue
            options.append(Option(code, label))
        codes = [o.code for o in options]
        if len(set(codes)) != len(codes):
            c.add(
                where,
                f"duplicate option codes: {sorted(x for x in set(codes) if codes.count(x) > 1)}",
            )
        labels = [o.label for o in options]
        if len(set(labels)) != len(labels):
            c.add(where, "duplicate option labels")
        out[sid] = ResponseScale(sid, tuple(options))
    return out


def _items(
    c: _Collector,
    data: Mapping[str, Any],
    scales: Mapping[str, ResponseScale],
    bundled: bool | None,
) -> list[Item]:
    raw = c.get(data, "items", list, "file")
    if raw is not None and not raw:
        c.add("file", "an instrument needs at least one item")
    items: list[Item] = []
    for where, iid, body in c.entries(raw, "item", ITEM_KEYS):
        scale = c.get(body, "scale", str, where, None)
        kind = c.get(body, "kind", str, where, "choice")
        if kind not in ITEM_KINDS:
            c.add(where, f"kind must be one of {', '.join(ITEM_KINDS)}; got {kind!r}")
            continue
        text = c.get(body, "text", str, where, "")
        if bundled and not text.strip():
            c.add(where, "text is empty but [source] text_bundled = true")
        if bundled is False and text.strip():
            c.add(
                where,
                "text_bundled = false, so the licensed wording must not be in this file; supply it in a local overlay",
            )
        lo = c.get(body, "min", NUM, where, None)
        hi = c.get(body, "max", NUM, where, None)
        reverse = c.get(body, "reverse", bool, where, False)
        if kind == "choice":
            if scale is None:
                c.add(where, "a choice item needs 'scale' (the id of a response scale)")
            elif scale not in scales:
                c.add(
                    where,
                    f"unknown response scale {scale!r}; defined: {', '.join(sorted(scales)) or 'none'}",
                )
            if lo is not None or hi is not None:
                c.add(
                    where,
                    "min and max belong to integer and number items; a choice item takes its codes from its scale",
                )
        elif scale is not None:
            c.add(where, f"'scale' is only for choice items, not {kind}")
        if kind in ("integer", "number"):
            if lo is None or hi is None:
                c.add(where, f"an {kind} item needs min and max")
            elif lo >= hi:
                c.add(where, f"min ({lo}) must be less than max ({hi})")
            if kind == "integer" and any(
                isinstance(v, float) and not float(v).is_integer()
                for v in (lo, hi)
                if v is not None
            ):
                c.add(where, "an integer item needs whole-number min and max")
        elif (lo is not None or hi is not None) and kind != "choice":
            c.add(where, f"min and max are not used by {kind} items")
        if kind == "text" and reverse:
            c.add(where, "a free-text item cannot be reverse-keyed (it is never scored)")
        items.append(
            Item(
                id=iid,
                text=text,
                kind=kind,
                scale=scale,
                min=float(lo) if lo is not None else None,
                max=float(hi) if hi is not None else None,
                required=c.get(body, "required", bool, where, True),
                reverse=reverse,
                section=c.get(body, "section", str, where, ""),
                unit=c.get(body, "unit", str, where, ""),
            )
        )
    return items


def _number_maps(c: _Collector, data: Mapping[str, Any], key: str) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    table = c.get(data, key, dict, "file", {}) or {}
    for name, body in table.items():
        where = f"{key[:-1]} {name!r}"
        if not isinstance(body, dict) or not body:
            c.add(where, "must be a non-empty table of whole-number code = value")
            continue
        mapping: dict[int, float] = {}
        for k, v in body.items():
            try:
                code = int(k)
            except ValueError:
                c.add(where, f'key {k!r} must be a whole number in quotes, e.g. "1" = 100')
                continue
            if not isinstance(v, NUM) or isinstance(v, bool):
                c.add(where, f"value for {k!r} must be a number, got {v!r}")
                continue
            mapping[code] = float(v)
        out[name] = mapping
    return out


def _substitutions(c: _Collector, data: Mapping[str, Any]) -> list[Substitution]:
    out = []
    table = c.get(data, "substitutions", dict, "file", {}) or {}
    for key, body in table.items():
        where = f"substitution {key!r}"
        if not isinstance(body, dict):
            c.add(where, "must be a table with token and default")
            continue
        c.unknown_keys(body, SUB_KEYS, where)
        token = c.get(body, "token", str, where)
        default = c.get(body, "default", str, where)
        if token is None or default is None:
            continue
        if not token:
            c.add(where, "token must not be empty")
        out.append(Substitution(key, token, default, c.get(body, "description", str, where, "")))
    return out


def _check_substitutions(c: _Collector, inst: Instrument, subs: list[Substitution]) -> None:
    if not inst.text_bundled:
        return
    corpus = inst.instructions + "\n" + "\n".join(i.text for i in inst.items)
    for sub in subs:
        if sub.token and sub.token not in corpus:
            c.add(
                f"substitution {sub.key!r}",
                f"token {sub.token!r} appears in no item text or instructions",
            )


def _scales(
    c: _Collector,
    data: Mapping[str, Any],
    inst: Instrument,
    items: Mapping[str, Item],
    recodes: Mapping[str, dict[int, float]],
    lookups: Mapping[str, dict[int, float]],
) -> list[Scale]:
    raw = c.get(data, "scales", list, "file", [])
    out: list[Scale] = []
    for where, sid, body in c.entries(raw, "scale", SCALE_KEYS):
        member_ids = body.get("items")
        if member_ids == "all":
            member_ids = [i for i, it in items.items() if it.scored]
        if (
            not isinstance(member_ids, list)
            or not member_ids
            or not all(isinstance(x, str) for x in member_ids)
        ):
            c.add(where, 'items must be a non-empty list of item ids (or "all")')
            continue
        ok = True
        for mid in member_ids:
            if mid not in items:
                c.add(where, f"unknown item {mid!r}")
                ok = False
            elif not items[mid].scored:
                c.add(where, f"item {mid!r} is free text and cannot be scored")
                ok = False
            elif (
                items[mid].kind in ("integer", "number")
                and (items[mid].min is None or items[mid].max is None)
            ) or (items[mid].kind == "choice" and items[mid].scale not in inst.response_scales):
                ok = False  # already reported on the item
        dupes = sorted({m for m in member_ids if member_ids.count(m) > 1})
        if dupes:
            c.add(where, f"items listed twice: {', '.join(dupes)}")
            ok = False
        method = c.get(body, "method", str, where, "sum")
        if method not in METHODS:
            c.add(where, f"method must be one of {', '.join(METHODS)}; got {method!r}")
            ok = False
        n_items = len(member_ids)
        min_answered = c.get(body, "min_answered", int, where, n_items)
        if min_answered is not None and not 1 <= min_answered <= n_items:
            c.add(
                where,
                f"min_answered must be between 1 and {n_items} (the number of items); got {min_answered}",
            )
            ok = False
        prorate = c.get(body, "prorate", bool, where, False)
        if method == "sum" and min_answered is not None and min_answered < n_items and not prorate:
            c.add(
                where,
                f"a sum that allows missing items (min_answered = {min_answered} < {n_items}) must set prorate = true; a missing answer is never scored as 0",
            )
            ok = False
        if method == "mean" and prorate:
            c.add(where, "prorate applies to sums; a mean already uses the items answered")
        factor = c.get(body, "factor", NUM, where, 1.0)
        rnd = c.get(body, "round", int, where, None)
        if rnd is not None and not 0 <= rnd <= 6:
            c.add(where, f"round must be 0 to 6 decimal places; got {rnd}")
        recode_name = c.get(body, "recode", str, where, "")
        recode = None
        if recode_name:
            if recode_name not in recodes:
                c.add(
                    where,
                    f"unknown recode {recode_name!r}; defined: {', '.join(sorted(recodes)) or 'none'}",
                )
                ok = False
            else:
                recode = recodes[recode_name]
                for mid in member_ids:
                    item = items.get(mid)
                    if item is None:
                        continue
                    if item.kind == "choice" and item.scale not in inst.response_scales:
                        continue  # already reported on the item
                    if item.kind not in ("choice", "yesno"):
                        c.add(
                            where,
                            f"recode {recode_name!r} applies to coded items; {mid!r} is {item.kind}",
                        )
                        ok = False
                        continue
                    missing = [o.code for o in inst.options(item) if o.code not in recode]
                    if missing:
                        c.add(
                            where,
                            f"recode {recode_name!r} has no value for code(s) {missing} of item {mid!r}",
                        )
                        ok = False
        lookup_name = c.get(body, "lookup", str, where, "")
        lookup = None
        if lookup_name:
            if lookup_name not in lookups:
                c.add(
                    where,
                    f"unknown lookup {lookup_name!r}; defined: {', '.join(sorted(lookups)) or 'none'}",
                )
                ok = False
            else:
                lookup = lookups[lookup_name]
            if prorate or method != "sum":
                c.add(
                    where,
                    'a lookup table converts a complete raw sum: use method = "sum" without prorating',
                )
                ok = False
        higher_is = c.get(body, "higher_is", str, where, "better")
        if higher_is not in DIRECTIONS:
            c.add(where, f"higher_is must be 'better' or 'worse'; got {higher_is!r}")
        bands_raw = c.get(body, "bands", list, where, [])
        bands = []
        for bn, b in enumerate(bands_raw or (), 1):
            if not isinstance(b, dict):
                c.add(where, f"band {bn} must be a table {{ min, max, label }}")
                continue
            c.unknown_keys(b, BAND_KEYS, f"{where} band {bn}")
            lo, hi = (
                c.get(b, "min", NUM, f"{where} band {bn}"),
                c.get(b, "max", NUM, f"{where} band {bn}"),
            )
            label = c.get(b, "label", str, f"{where} band {bn}")
            if lo is None or hi is None or label is None:
                continue
            if lo > hi:
                c.add(where, f"band {label!r}: min {lo} is greater than max {hi}")
            bands.append(Band(float(lo), float(hi), label, c.get(b, "description", str, where, "")))
        reliability = None
        rel = c.get(body, "reliability", dict, where, None)
        if rel is not None:
            c.unknown_keys(rel, {"kind", "value", "source"}, f"{where} reliability")
            kind, value = (
                c.get(rel, "kind", str, f"{where} reliability"),
                c.get(rel, "value", NUM, f"{where} reliability"),
            )
            rsrc = c.get(rel, "source", str, f"{where} reliability")
            if value is not None and not 0 < value < 1:
                c.add(where, f"reliability must be between 0 and 1 (exclusive); got {value}")
            if kind and value is not None and rsrc:
                reliability = Reliability(kind, float(value), rsrc)
        norm = None
        nm = c.get(body, "norm", dict, where, None)
        if nm is not None:
            c.unknown_keys(nm, {"mean", "sd", "source", "population"}, f"{where} norm")
            sd = c.get(nm, "sd", NUM, f"{where} norm")
            nsrc = c.get(nm, "source", str, f"{where} norm")
            mean = c.get(nm, "mean", NUM, f"{where} norm", None)
            if sd is not None and sd <= 0:
                c.add(where, f"norm sd must be positive; got {sd}")
            if sd is not None and nsrc:
                norm = Norm(
                    float(mean) if mean is not None else None,
                    float(sd),
                    nsrc,
                    c.get(nm, "population", str, f"{where} norm", ""),
                )
        cutoff = c.get(body, "cutoff", NUM, where, None)
        mcid = c.get(body, "mcid", NUM, where, None)
        scale = Scale(
            id=sid,
            name=c.get(body, "name", str, where, sid),
            items=tuple(member_ids),
            method=method if method in METHODS else "sum",
            factor=float(factor if factor is not None else 1.0),
            recode=recode,
            recode_name=recode_name,
            lookup=lookup,
            lookup_name=lookup_name,
            min_answered=min_answered or n_items,
            prorate=bool(prorate),
            round=rnd,
            bands=tuple(sorted(bands, key=lambda b: (b.min, b.max))),
            higher_is=higher_is,
            cutoff=float(cutoff) if cutoff is not None else None,
            cutoff_source=c.get(body, "cutoff_source", str, where, ""),
            description=c.get(body, "description", str, where, ""),
            reliability=reliability,
            norm=norm,
            mcid=float(mcid) if mcid is not None else None,
            mcid_source=c.get(body, "mcid_source", str, where, ""),
            report=c.get(body, "report", bool, where, True),
        )
        if ok:
            _check_scale_numbers(c, where, inst, scale, items)
        out.append(scale)
    return out


def _item_values(inst: Instrument, item: Item, scale: Scale) -> list[float] | None:
    """Every value an item can contribute to a scale, or None when it is not a finite set."""
    lo, hi = inst.value_range(item)
    if item.kind in ("choice", "yesno"):
        codes: list[float] = [float(o.code) for o in inst.options(item)]
    elif item.kind == "integer":
        if hi - lo > 10_000:
            return None
        codes = [float(v) for v in range(int(lo), int(hi) + 1)]
    else:
        return None
    vals = []
    for code in codes:
        v = lo + hi - code if item.reverse else code
        vals.append(float(scale.recode[int(v)]) if scale.recode is not None else v)
    return vals


def _achievable_sums(value_sets: list[list[float]], limit: int = 200_000) -> set[float] | None:
    sums = {0.0}
    for vals in value_sets:
        sums = {s + v for s in sums for v in set(vals)}
        if len(sums) > limit:
            return None
    return sums


def _check_scale_numbers(
    c: _Collector, where: str, inst: Instrument, scale: Scale, items: Mapping[str, Item]
) -> None:
    lo, hi = inst.scale_range(scale)
    value_sets = [_item_values(inst, items[i], scale) for i in scale.items]
    integer_valued = (
        scale.lookup is None
        and scale.method == "sum"
        and float(scale.factor).is_integer()
        and all(vs is not None and all(float(v).is_integer() for v in vs) for vs in value_sets)
        and (not scale.prorate or scale.round == 0)
    )
    if scale.lookup is not None:
        if any(vs is None for vs in value_sets):
            c.add(where, "a lookup table needs items with a finite set of whole-number values")
        else:
            sums = _achievable_sums([vs for vs in value_sets if vs is not None])
            if sums is not None:
                uncovered = sorted(
                    int(s) for s in sums if not float(s).is_integer() or int(s) not in scale.lookup
                )
                if uncovered:
                    c.add(
                        where,
                        f"lookup {scale.lookup_name!r} does not cover every possible raw score: missing {uncovered[:20]}",
                    )
                extra = sorted(k for k in scale.lookup if float(k) not in sums)
                if extra:
                    c.add(
                        where,
                        f"lookup {scale.lookup_name!r} has raw scores that cannot occur: {extra[:20]}",
                    )
    if scale.cutoff is not None and not lo <= scale.cutoff <= hi:
        c.add(where, f"cutoff {scale.cutoff} is outside the score range {lo:g}–{hi:g}")
    if not scale.bands:
        return
    bands = scale.bands
    if not math.isclose(bands[0].min, lo) or not math.isclose(bands[-1].max, hi):
        c.add(
            where,
            f"bands must cover the score range {lo:g}–{hi:g}; they cover {bands[0].min:g}–{bands[-1].max:g}",
        )
    for prev, nxt in itertools.pairwise(bands):
        if nxt.min < prev.max:
            c.add(
                where,
                f"bands {prev.label!r} ({prev.min:g}–{prev.max:g}) and {nxt.label!r} ({nxt.min:g}–{nxt.max:g}) overlap",
            )
        elif nxt.min == prev.max:
            continue  # touching: the boundary belongs to the higher band
        elif integer_valued and nxt.min == prev.max + 1:
            continue
        else:
            allowed = f"{prev.max:g}" + (f" or {prev.max + 1:g}" if integer_valued else "")
            c.add(
                where,
                f"gap between bands {prev.label!r} (max {prev.max:g}) and {nxt.label!r} (min {nxt.min:g}): the next band must start at {allowed}",
            )


def _alerts(
    c: _Collector, data: Mapping[str, Any], inst: Instrument, items: Mapping[str, Item]
) -> list[Alert]:
    raw = c.get(data, "alerts", list, "file", [])
    out: list[Alert] = []
    scale_ids = {s.id for s in inst.scales}
    for n, body in enumerate(raw or (), 1):
        if not isinstance(body, dict):
            c.add(f"alert {n}", "must be a table")
            continue
        where = f"alert {body.get('id', n)!r}"
        c.unknown_keys(body, ALERT_KEYS, where)
        aid = c.get(body, "id", str, where)
        op = c.get(body, "op", str, where)
        value = c.get(body, "value", NUM, where)
        message = c.get(body, "message", str, where)
        item = c.get(body, "item", str, where, None)
        scale = c.get(body, "scale", str, where, None)
        if (item is None) == (scale is None):
            c.add(where, "give exactly one of 'item' or 'scale'")
        if item is not None and item not in items:
            c.add(where, f"unknown item {item!r}")
        if item is not None and item in items and not items[item].scored:
            c.add(where, f"item {item!r} is free text; alerts need a coded or numeric item")
        if scale is not None and scale not in scale_ids:
            c.add(where, f"unknown scale {scale!r}")
        if op is not None and op not in ALERT_OPS:
            c.add(where, f"op must be one of {' '.join(ALERT_OPS)}; got {op!r}")
        if message is not None and not message.strip():
            c.add(where, "message must say what the worker should do")
        if None in (aid, op, value, message):
            continue
        out.append(
            Alert(
                aid,
                op,
                float(value),
                message,
                item,
                scale,
                c.get(body, "kind", str, where, "safeguarding"),
            )
        )
    return out
