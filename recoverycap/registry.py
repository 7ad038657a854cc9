"""Finding instruments and batteries: the bundled library plus the organisation's own folders.

Instrument files are ``*.toml`` files; local wording overlays are ``<id>.text.toml`` files in any
of the same folders (never committed: they hold licensed wording); batteries are
``batteries/*.toml``. Extra folders come from ``--instruments-dir`` and ``RECOVERYCAP_INSTRUMENTS``
(separated by the platform's path separator). A file in an extra folder with the same id and
version as a bundled one replaces it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from .errors import InstrumentError, Problem, UnknownBattery, UnknownInstrument
from .instrument import Instrument, load_overlay
from .lint import ID_RE

ENV_VAR = "RECOVERYCAP_INSTRUMENTS"
OVERLAY_SUFFIX = ".text.toml"


def bundled_dir() -> Path:
    """The folder of instrument files shipped inside the package."""
    return Path(str(resources.files("recoverycap.instruments")))


def env_dirs() -> list[Path]:
    value = os.environ.get(ENV_VAR, "")
    return [Path(p) for p in value.split(os.pathsep) if p]


def instrument_files(folder: Path) -> Iterator[Path]:
    """Instrument files in one folder (not overlays, not batteries)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.toml")):
        if not path.name.endswith(OVERLAY_SUFFIX):
            yield path


@attrs.frozen
class Battery:
    """A named set of instruments given together at a time point."""

    id: str
    name: str
    instruments: tuple[str, ...]
    description: str = ""
    timepoints: tuple[str, ...] = ()
    audience: str = "participant"

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> Battery:
        body = data.get("battery", data)
        problems = []
        allowed = {"id", "name", "instruments", "description", "timepoints", "audience"}
        for key in body:
            if key not in allowed:
                problems.append(
                    Problem(
                        source,
                        "battery",
                        f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}",
                    )
                )
        bid = body.get("id")
        if not isinstance(bid, str) or not ID_RE.match(bid):
            problems.append(
                Problem(source, "id", f"must be lowercase letters, digits and '_'; got {bid!r}")
            )
        inst = body.get("instruments")
        if not isinstance(inst, list) or not inst or not all(isinstance(i, str) for i in inst):
            problems.append(
                Problem(
                    source,
                    "instruments",
                    f"must be a non-empty list of instrument ids; got {inst!r}",
                )
            )
        if problems:
            raise InstrumentError(f"{source}: {len(problems)} problem(s)", problems)
        return cls(
            id=bid,
            name=str(body.get("name", bid)),
            instruments=tuple(inst),
            description=str(body.get("description", "")),
            timepoints=tuple(body.get("timepoints", ())),
            audience=str(body.get("audience", "participant")),
        )


class Library:
    """Every instrument and battery available, keyed by id (and by id and version).

    Args:
        extra_dirs: Folders of the organisation's own instrument files and overlays, searched
            after the bundled library (later folders win).
        include_env: Also read folders named in ``RECOVERYCAP_INSTRUMENTS``.
    """

    def __init__(self, extra_dirs: Iterable[str | Path] = (), include_env: bool = True):
        self.dirs: list[Path] = [bundled_dir()]
        self.dirs += [Path(d) for d in extra_dirs]
        if include_env:
            self.dirs += env_dirs()
        self._by_key: dict[tuple[str, str], Instrument] = {}
        self._latest: dict[str, Instrument] = {}
        self._batteries: dict[str, Battery] = {}
        self._loaded = False

    # loading is lazy: administering one instrument parses only what it must
    def _load(self) -> None:
        if self._loaded:
            return
        problems: list[Problem] = []
        for folder in self.dirs:
            if folder != self.dirs[0] and not folder.is_dir():
                problems.append(Problem(str(folder), "", "instrument folder not found"))
                continue
            for path in instrument_files(folder):
                try:
                    inst = Instrument.from_path(path)
                except InstrumentError as exc:
                    problems.extend(exc.problems)
                    continue
                self._by_key[(inst.id, inst.version)] = inst
            for path in (
                sorted((folder / "batteries").glob("*.toml"))
                if (folder / "batteries").is_dir()
                else ()
            ):
                try:
                    battery = Battery.from_dict(tomllib.loads(path.read_text("utf-8")), str(path))
                except tomllib.TOMLDecodeError as exc:
                    problems.append(Problem(str(path), "", f"not valid TOML: {exc}"))
                    continue
                except InstrumentError as exc:
                    problems.extend(exc.problems)
                    continue
                self._batteries[battery.id] = battery
        if problems:
            raise InstrumentError(f"{len(problems)} problem(s) in instrument files", problems)
        for (iid, _), inst in sorted(self._by_key.items(), key=lambda kv: _version_key(kv[0][1])):
            self._latest[iid] = inst
        self._apply_overlays()
        self._loaded = True

    def _apply_overlays(self) -> None:
        for folder in self.dirs:
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob(f"*{OVERLAY_SUFFIX}")):
                iid = path.name[: -len(OVERLAY_SUFFIX)]
                overlay = load_overlay(path)
                version = str(overlay.get("version", ""))
                for key, inst in list(self._by_key.items()):
                    if key[0] == iid and (not version or key[1] == version):
                        new = inst.with_overlay(overlay, str(path))
                        self._by_key[key] = new
                        if self._latest.get(iid) is inst:
                            self._latest[iid] = new

    def ids(self) -> list[str]:
        self._load()
        return sorted(self._latest)

    def __iter__(self) -> Iterator[Instrument]:
        self._load()
        return iter(self._latest[i] for i in sorted(self._latest))

    def get(self, ref: str, version: str | None = None) -> Instrument:
        """An instrument by id (latest version), ``id@version``, or a path to a file.

        Before the whole library is loaded, only the files that declare this id are parsed, so
        administering one instrument does not lint every file.
        """
        if ref.endswith(".toml") or os.sep in ref or "/" in ref:
            return Instrument.from_path(ref)
        if "@" in ref and version is None:
            ref, version = ref.split("@", 1)
        if not self._loaded:
            found = self._get_one(ref, version)
            if found is not None:
                return found
        self._load()
        if version is not None:
            try:
                return self._by_key[(ref, version)]
            except KeyError:
                versions = sorted(v for i, v in self._by_key if i == ref)
                if not versions:
                    raise UnknownInstrument(ref, self._latest) from None
                raise UnknownInstrument(
                    f"{ref}@{version} (versions held: {', '.join(versions)})", self._latest
                ) from None
        try:
            return self._latest[ref]
        except KeyError:
            raise UnknownInstrument(ref, self._latest) from None

    def _get_one(self, ref: str, version: str | None) -> Instrument | None:
        """Parse only the files whose [instrument] id is ``ref``; None to fall back to a full load."""
        candidates: list[Instrument] = []
        for folder in self.dirs:
            if not folder.is_dir():
                return None  # let the full load report the missing folder
            for path in instrument_files(folder):
                try:
                    declared = _declared_id(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError):
                    return None
                if declared is None:
                    return None  # unusual layout: the full load decides
                if declared == ref:
                    candidates.append(Instrument.from_path(path))
        if version is not None:
            candidates = [c for c in candidates if c.version == version]
        if not candidates:
            return None
        chosen = max(enumerate(candidates), key=lambda ic: (_version_key(ic[1].version), ic[0]))[1]
        for folder in self.dirs:
            overlay = folder / f"{ref}{OVERLAY_SUFFIX}"
            if overlay.is_file():
                data = load_overlay(overlay)
                if not data.get("version") or str(data["version"]) == chosen.version:
                    chosen = chosen.with_overlay(data, str(overlay))
        return chosen

    def batteries(self) -> list[Battery]:
        self._load()
        return [self._batteries[b] for b in sorted(self._batteries)]

    def battery(self, battery_id: str) -> Battery:
        self._load()
        try:
            return self._batteries[battery_id]
        except KeyError:
            raise UnknownBattery(battery_id, self._batteries) from None

    def resolve(
        self, battery: str | None = None, instruments: Sequence[str] = ()
    ) -> list[Instrument]:
        """The instruments of a battery, or the ones named."""
        ids = list(self.battery(battery).instruments) if battery else list(instruments)
        return [self.get(i) for i in ids]


_INSTRUMENT_TABLE = re.compile(
    r"^\[instrument\][^\[]*?^id\s*=\s*\"([^\"]*)\"", re.MULTILINE | re.DOTALL
)


def _declared_id(text: str) -> str | None:
    """The id in a file's [instrument] table, found without parsing the whole file."""
    match = _INSTRUMENT_TABLE.search(text)
    return match.group(1) if match else None


def _version_key(version: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for part in version.replace("-", ".").split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(parts)


def overlay_template(instrument: Instrument) -> str:
    """A TOML template for supplying an instrument's licensed wording locally."""
    lines = [
        f"# Local wording for {instrument.label} ({instrument.id}) version {instrument.version}.",
        "# Copy the wording exactly from your licensed copy. Keep this file out of version control.",
        f'version = "{instrument.version}"',
        'instructions = ""',
        "",
        "[items]",
    ]
    lines += [f'{item.id} = ""' for item in instrument.items]
    return "\n".join(lines) + "\n"


def check_path(path: Path, library: Library) -> tuple[str, list[Problem]]:
    """Check one file the way ``recoverycap instruments check`` does.

    Returns what the file is (``instrument``, ``overlay``, ``battery`` or ``skipped``) and every
    problem found. Overlays are checked against their instrument (unknown or empty items);
    batteries against the library (unknown instruments).
    """
    from .lint import lint_file

    name = str(path)
    if path.suffix != ".toml":
        return "skipped", []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "instrument", [Problem(name, "", "file not found")]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return "instrument", [Problem(name, "", f"not valid TOML: {exc}")]
    if path.name.endswith(OVERLAY_SUFFIX):
        iid = path.name[: -len(OVERLAY_SUFFIX)]
        try:
            inst = library.get(iid, str(data["version"]) if data.get("version") else None)
        except UnknownInstrument as exc:
            return "overlay", [Problem(name, "", f"overlay for an unknown instrument: {exc}")]
        problems: list[Problem] = []
        texts = data.get("items", {})
        if not isinstance(texts, dict):
            return "overlay", [Problem(name, "[items]", 'must be a table of item id = "wording"')]
        for key in sorted(set(texts) - set(inst.item_ids)):
            problems.append(Problem(name, key, f"{inst.id} has no item {key!r}"))
        for item_id in inst.item_ids:
            text = texts.get(item_id, "")
            if not isinstance(text, str) or not text.strip():
                problems.append(
                    Problem(
                        name, item_id, "no wording yet: copy it exactly from your licensed copy"
                    )
                )
        return "overlay", problems
    if path.parent.name == "batteries":
        try:
            battery = Battery.from_dict(data, name)
        except InstrumentError as exc:
            return "battery", list(exc.problems)
        known = set(library.ids())
        return "battery", [
            Problem(
                name, "instruments", f"unknown instrument {i!r}; known: {', '.join(sorted(known))}"
            )
            for i in battery.instruments
            if i not in known
        ]
    return "instrument", lint_file(path)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to check: folders stand for their ``*.toml`` files and ``batteries/*.toml``."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(path.glob("*.toml")) + sorted((path / "batteries").glob("*.toml"))
        else:
            out.append(path)
    return out
