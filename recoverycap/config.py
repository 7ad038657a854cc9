"""The organisation's configuration: one TOML file, shown by ``recoverycap config show``.

Everything has a default, so recoverycap works before anyone writes a configuration file::

    [organisation]
    name = "The Well"
    sites = ["HMP Altcourse", "Barrow hub"]

    [safeguarding]
    instruction = "Stop the survey. Tell the duty manager now and follow the safeguarding procedure."

    [wording]            # licence-permitted substitutions, by substitution key
    client = "prisoners"
    helper = "peer worker"

    [privacy]
    min_group = 5        # smallest group any aggregate is shown for (never below 5)

    [[schedule]]         # replaces the default schedule when present (see recoverycap.schedule)
    timepoint = "post_release_4w"
    anchor = "release"
    offset_days = 28
    window_days = 14

A configuration file named explicitly (``--config`` or ``RECOVERYCAP_CONFIG``) must exist: a
mistyped path would otherwise run silently with the defaults (a smaller ``min_group``, the
generic safeguarding instruction). Only the default location (:func:`default_location`) may be
absent. When ``sites`` are listed, a site given to a command is checked against them
(:meth:`Config.check_site`).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .errors import ConfigError, Problem
from .paths import config_dir

DEFAULT_SAFEGUARDING = (
    "Stop and check the person is safe now. Tell your line manager or the duty safeguarding lead "
    "straight away and follow your organisation's safeguarding procedure. Do not leave the person "
    "alone if they are at immediate risk."
)
MIN_GROUP_FLOOR = 5
KNOWN = {
    "organisation": {"name", "sites"},
    "safeguarding": {"instruction"},
    "wording": None,  # any substitution key
    "privacy": {"min_group"},
    "schedule": None,  # validated by recoverycap.schedule
    "programmes": None,
}


@attrs.frozen
class Config:
    """The organisation's settings (all optional)."""

    organisation: str = "recoverycap"
    sites: tuple[str, ...] = ()
    safeguarding_instruction: str = DEFAULT_SAFEGUARDING
    substitutions: Mapping[str, str] = attrs.field(factory=dict)
    min_group: int = MIN_GROUP_FLOOR
    schedule: tuple[Mapping[str, Any], ...] = ()
    programmes: tuple[Mapping[str, Any], ...] = ()
    path: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<config>") -> Config:
        """Build and check a configuration; raise ConfigError listing every problem."""
        problems: list[Problem] = []
        for key in data:
            if key not in KNOWN:
                problems.append(
                    Problem(source, key, f"unknown section; allowed: {', '.join(sorted(KNOWN))}")
                )
        for section, allowed in KNOWN.items():
            body = data.get(section)
            if body is None or allowed is None or not isinstance(body, dict):
                continue
            for key in body:
                if key not in allowed:
                    problems.append(
                        Problem(
                            source,
                            f"[{section}]",
                            f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}",
                        )
                    )
        org = data.get("organisation", {})
        name = org.get("name", "recoverycap")
        sites = org.get("sites", [])
        if not isinstance(name, str) or not name.strip():
            problems.append(
                Problem(source, "[organisation] name", f"must be non-empty text; got {name!r}")
            )
        if not isinstance(sites, list) or not all(isinstance(s, str) and s.strip() for s in sites):
            problems.append(
                Problem(
                    source, "[organisation] sites", f"must be a list of site names; got {sites!r}"
                )
            )
        instruction = data.get("safeguarding", {}).get("instruction", DEFAULT_SAFEGUARDING)
        if not isinstance(instruction, str) or not instruction.strip():
            problems.append(
                Problem(source, "[safeguarding] instruction", "must say what the worker should do")
            )
        wording = data.get("wording", {})
        if not isinstance(wording, dict) or not all(
            isinstance(v, str) and v.strip() for v in wording.values()
        ):
            problems.append(
                Problem(
                    source,
                    "[wording]",
                    'each substitution must be non-empty text, e.g. client = "prisoners"',
                )
            )
            wording = {}
        min_group = data.get("privacy", {}).get("min_group", MIN_GROUP_FLOOR)
        if (
            not isinstance(min_group, int)
            or isinstance(min_group, bool)
            or min_group < MIN_GROUP_FLOOR
        ):
            problems.append(
                Problem(
                    source,
                    "[privacy] min_group",
                    f"must be a whole number of at least {MIN_GROUP_FLOOR}; got {min_group!r}",
                )
            )
        schedule = data.get("schedule", [])
        if not isinstance(schedule, list) or not all(isinstance(s, dict) for s in schedule):
            problems.append(
                Problem(source, "[[schedule]]", "must be a list of tables ([[schedule]] entries)")
            )
            schedule = []
        programmes = data.get("programmes", [])
        if not isinstance(programmes, list) or not all(isinstance(s, dict) for s in programmes):
            problems.append(
                Problem(
                    source,
                    "[[programmes]]",
                    "must be a list of tables ([[programmes]] with id and name)",
                )
            )
            programmes = []
        if problems:
            raise ConfigError(
                f"{source}: {len(problems)} problem(s) in the configuration", problems
            )
        return cls(
            organisation=name,
            sites=tuple(sites),
            safeguarding_instruction=instruction,
            substitutions=dict(wording),
            min_group=min_group,
            schedule=tuple(schedule),
            programmes=tuple(programmes),
            path=source,
        )

    def check_site(self, site: str) -> str:
        """A site given to a command, checked against the configured ``[organisation] sites``.

        Any site is accepted when no sites are configured (the records then say which exist).

        Returns:
            The site, as given.

        Raises:
            ConfigError: sites are configured and ``site`` is not one of them; the message lists
                them and suggests the closest.
        """
        if not self.sites or site in self.sites:
            return site
        where = self.path or "the configuration"
        raise ConfigError(
            f"no site {site!r} in the configuration's [organisation] sites"
            + did_you_mean(site, self.sites),
            [
                Problem(
                    where,
                    "[organisation] sites",
                    f"the sites are: {', '.join(self.sites)}; got {site!r}",
                )
            ],
        )


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` for the closest of ``choices`` (ignoring case), else ``""``."""
    options = list(dict.fromkeys(choices))
    by_lower = {c.lower(): c for c in options}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return f"; did you mean {by_lower[close[0]]!r}?" if close else ""


def default_location() -> Path:
    """The configuration file read when none is named: ``config.toml`` in the user's
    configuration folder. It is the only one that may be absent (the defaults then apply)."""
    return config_dir() / "config.toml"


def is_default_location(path: str | Path) -> bool:
    """Whether ``path`` is the default location (so it may be absent)."""
    return Path(path).expanduser().absolute() == default_location().absolute()


def load_config(path: str | Path | None, *, must_exist: bool | None = None) -> Config:
    """Read the configuration file, or the defaults if there is none at the default location.

    Args:
        path: The file; None means no file (the defaults).
        must_exist: Refuse a missing file. By default only :func:`default_location` may be
            missing: a path named with ``--config`` or ``RECOVERYCAP_CONFIG`` must exist, so a
            mistyped path is not silently replaced by the defaults.

    Raises:
        ConfigError: the file is missing (where it must exist), not valid TOML, or not valid.
    """
    if path is None:
        return Config()
    path = Path(path)
    if not path.exists():
        if must_exist is None:
            must_exist = not is_default_location(path)
        if must_exist:
            raise ConfigError(
                f"configuration file not found: {path}",
                [
                    Problem(
                        str(path),
                        "",
                        "a configuration file named with --config or RECOVERYCAP_CONFIG must "
                        "exist, so that a mistyped path is not run with the defaults; correct "
                        "the path or create the file, or leave both unset to use "
                        f"{default_location()} (the defaults apply while that one is absent)",
                    )
                ],
            )
        return Config(path=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML", [Problem(str(path), "", str(exc))]) from None
    return Config.from_dict(data, str(path))


def render(config: Config) -> str:
    """The configuration in effect, as ``recoverycap config show`` prints it."""
    lines = [
        f"configuration file: {config.path or '(none: defaults)'}",
        f"organisation:       {config.organisation}",
        f"sites:              {', '.join(config.sites) or '(none listed)'}",
        f"smallest group shown in aggregates: {config.min_group}",
        "safeguarding instruction:",
        f"  {config.safeguarding_instruction}",
        "wording substitutions: "
        + (
            ", ".join(f"{k} = {v!r}" for k, v in sorted(config.substitutions.items()))
            or "(defaults)"
        ),
    ]
    if config.schedule:
        lines.append(f"schedule: {len(config.schedule)} custom time point(s)")
    return "\n".join(lines)
