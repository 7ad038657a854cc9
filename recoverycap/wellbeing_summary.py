"""Team wellbeing results that cannot single anyone out.

``recoverycap wellbeing summary`` shows the team's latest checks (mean, median and % high per
scale) only for groups of at least ``min_group`` workers (the configuration's, never below
:data:`recoverycap.privacy.MIN_GROUP`). "High" is as in :mod:`recoverycap.wellbeing`.

Secondary suppression (:func:`recoverycap.privacy.secondary_suppression`): every group a summary
can show (the whole team, each site, each role, each role within a site) is planned together, from
all workers, whatever slice was asked for; wherever a shown total minus the shown groups under it
would leave fewer than ``min_group`` workers, the smallest shown group under it is hidden too (and
a hidden total gets a hidden group under it), repeated until nothing small can be worked out by
subtraction. So two summaries (say ``--site A`` and the whole team) cannot be subtracted to reveal
a small site. No summary holds a worker's code or a row per person.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .config import did_you_mean
from .instrument import Instrument, Scale
from .privacy import MIN_GROUP, Cell, secondary_suppression, threshold
from .scoring import format_score
from .wellbeing import DECIMALS, WORKER_BATTERY, WellbeingError, high_rule, is_high

GROUPINGS = ("site", "role")
"""What a team summary can be split by."""

ALL = "all workers"
NO_SITE = "(no site)"
NO_ROLE = "(no role)"


@attrs.frozen
class GroupStat:
    """One group's result for one scale; ``suppressed`` says why nothing is shown ("" if shown).

    Attributes:
        group: The group's label (e.g. ``all workers``, a site, a role).
        n: Workers with a score (None when suppressed).
        mean: Mean score.
        median: Median score.
        pct_high: Percentage of the group at or above the scale's "high" level.
        suppressed: ``""``, ``"small"`` or ``"secondary"``.
    """

    group: str
    n: int | None = None
    mean: float | None = None
    median: float | None = None
    pct_high: float | None = None
    suppressed: str = ""


@attrs.frozen
class ScaleSummary:
    """A scale's team results by group."""

    instrument: Instrument
    scale: Scale
    groups: tuple[GroupStat, ...]


@attrs.frozen
class TeamSummary:
    """Team wellbeing results, safe to show: groups of at least ``min_group`` workers only.

    Attributes:
        scope: What the summary covers (all sites, or one site).
        by: ``None``, ``"site"`` or ``"role"``.
        min_group: The smallest group shown.
        scales: One entry per scale of the worker battery.
        since: Only checks on or after this date were used, if set.
    """

    scope: str
    by: str | None
    min_group: int
    scales: tuple[ScaleSummary, ...]
    since: dt.date | None = None

    @property
    def suppressed(self) -> dict[str, int]:
        """How many group results were held back, by reason."""
        out = {"small": 0, "secondary": 0}
        for s in self.scales:
            for g in s.groups:
                if g.suppressed:
                    out[g.suppressed] += 1
        return out

    def render(self) -> str:
        """The summary as text: a table per instrument and the notes on what was held back."""
        k = self.min_group
        head = f"Team wellbeing: {self.scope}"
        head += f", split by {self.by}" if self.by else ""
        head += f"; each worker's latest check{' since ' + self.since.isoformat() if self.since else ''}."
        out = [
            head,
            f"Only groups of at least {k} workers are shown; no one's own result is shown here.",
        ]
        current: Instrument | None = None
        width = max([len(g.group) for sc in self.scales for g in sc.groups] + [len("group")])
        for summary in self.scales:
            if summary.instrument is not current:
                current = summary.instrument
                out.append("")
                out.append(f"{current.name} ({current.label})")
                out.append(
                    f"    {'group':<{width}}  {'n':>3}  {'mean':>6}  {'median':>6}  {'% high':>7}"
                )
            scale = summary.scale
            out.append(f"  {scale.name} (high: {high_rule(scale)})")
            for g in summary.groups:
                if g.suppressed:
                    why = (
                        f"not shown: fewer than {k} workers"
                        if g.suppressed == "small"
                        else "not shown (see the note below)"
                    )
                    out.append(f"    {g.group:<{width}}  {'*':>3}  {why}")
                else:
                    out.append(
                        f"    {g.group:<{width}}  {g.n:>3}  {format_score(g.mean or 0, DECIMALS):>6}  "
                        f"{format_score(g.median or 0, DECIMALS):>6}  "
                        f"{format_score(g.pct_high or 0, DECIMALS) + '%':>7}"
                    )
            if not summary.groups:
                out.append("    (no checks recorded)")
        counts = self.suppressed
        if counts["small"] or counts["secondary"]:
            out.append("")
        if counts["small"]:
            out.append(
                f"* Groups of fewer than {k} workers are not shown, so that no one can be identified."
            )
        if counts["secondary"]:
            out.append(
                "* Some larger groups are not shown either: with the total and the other groups, they would "
                f"let a group of fewer than {k} be worked out by subtraction."
            )
        return "\n".join(out)


@attrs.frozen
class WorkerScores:
    """One worker's latest scores, with only what grouping needs (no code).

    Attributes:
        site: The worker's site.
        role: The worker's role.
        scores: ``{(instrument id, scale id): score}`` for the scales scored.
    """

    site: str
    role: str
    scores: Mapping[tuple[str, str], float]


def summarise(
    workers: Sequence[WorkerScores],
    instruments: Sequence[Instrument],
    *,
    site: str | None = None,
    by: str | None = None,
    min_group: int = MIN_GROUP,
    since: dt.date | None = None,
) -> TeamSummary:
    """Team results per scale, with small groups and their complements held back.

    Args:
        workers: Every worker's latest scores (all sites: suppression is planned over all of them
            so that summaries of different slices cannot be subtracted).
        instruments: The worker battery's instruments.
        site: Only this site.
        by: ``None``, ``"site"`` or ``"role"``.
        min_group: The smallest group shown; raised to :data:`MIN_GROUP` if lower.
        since: Recorded in the summary's heading.

    Raises:
        WellbeingError: ``by`` is not one of :data:`GROUPINGS`.
    """
    if by is not None and by not in GROUPINGS:
        raise WellbeingError(f"a summary can be split by {' or '.join(GROUPINGS)}; got {by!r}")
    k = threshold(min_group)
    scales: list[ScaleSummary] = []
    for inst in instruments:
        for scale in inst.scales:
            if not scale.report:
                continue
            key = (inst.id, scale.id)
            scored = [w for w in workers if key in w.scores]
            counts: dict[tuple[str, str], int] = {}
            for w in scored:
                counts[(w.site, w.role)] = counts.get((w.site, w.role), 0) + 1
            primary, secondary = secondary_suppression(counts, k)
            scales.append(
                ScaleSummary(
                    inst, scale, tuple(_groups(scored, key, scale, site, by, primary, secondary))
                )
            )
    scope = f"site {site}" if site else "all sites"
    return TeamSummary(scope, by, k, tuple(scales), since)


def _groups(
    scored: Sequence[WorkerScores],
    key: tuple[str, str],
    scale: Scale,
    site: str | None,
    by: str | None,
    primary: set[Cell],
    secondary: set[Cell],
) -> list[GroupStat]:
    wanted: list[tuple[str, Cell, list[WorkerScores]]] = []
    if site is None:
        wanted.append((ALL, ("all",), list(scored)))
        if by == "site":
            for s in sorted({w.site for w in scored}):
                wanted.append((s, ("site", s), [w for w in scored if w.site == s]))
        elif by == "role":
            for r in sorted({w.role for w in scored}):
                wanted.append((r, ("role", r), [w for w in scored if w.role == r]))
    else:
        here = [w for w in scored if w.site == site]
        wanted.append((f"{site}: all", ("site", site), here))
        if by == "role":
            for r in sorted({w.role for w in here}):
                wanted.append((r, ("cell", site, r), [w for w in here if w.role == r]))
    out = []
    for label, cell, members in wanted:
        if not members:
            continue
        if cell in primary:
            out.append(GroupStat(label, suppressed="small"))
        elif cell in secondary:
            out.append(GroupStat(label, suppressed="secondary"))
        else:
            values = [w.scores[key] for w in members]
            high = sum(1 for v in values if is_high(scale, v))
            out.append(
                GroupStat(
                    label,
                    len(values),
                    statistics.fmean(values),
                    statistics.median(values),
                    100.0 * high / len(values),
                )
            )
    return out


def latest_scores(
    store: Any, instruments: Sequence[Instrument], since: dt.date | None = None
) -> list[WorkerScores]:
    """Every active worker's latest complete check of each instrument, with its stored scores
    (computed by the store from the stored answers and the version given).

    Workers marked ``left`` are not included: a team summary describes the team as it is.
    """
    from .schedule import parse_date

    wanted = {inst.id for inst in instruments}
    workers = store.workers(status="active")
    latest: dict[str, dict[str, Any]] = {w.code: {} for w in workers}
    # one query for every worker's checks, oldest first, so the last kept is the latest
    for adm in store.administrations(subject_type="worker", status="complete"):
        if adm.subject not in latest or adm.instrument not in wanted:
            continue
        day = parse_date(adm.administered_at, "administered_at")
        if since is not None and (day is None or day < since):
            continue
        mine = latest[adm.subject]
        if (
            adm.instrument not in mine
            or adm.administered_at >= mine[adm.instrument].administered_at
        ):
            mine[adm.instrument] = adm
    out = []
    for worker in workers:
        scores: dict[tuple[str, str], float] = {}
        for iid, adm in latest[worker.code].items():
            for s in store.scores(adm.id).scales:
                if s.score is not None:
                    scores[(iid, s.scale)] = s.score
        if scores:
            out.append(WorkerScores(worker.site or NO_SITE, worker.role or NO_ROLE, scores))
    return out


def team_summary(
    store: Any,
    library: Any,
    *,
    site: str | None = None,
    by: str | None = None,
    min_group: int = MIN_GROUP,
    since: dt.date | None = None,
) -> TeamSummary:
    """The team summary from a store (see :func:`summarise`).

    Raises:
        WellbeingError: ``site`` is given and no peer worker is registered at it (a misspelt site
            would otherwise read as a site with no checks); the message names the sites there
            are and the closest.
    """
    if site is not None:
        require_worker_site(store, site)
    instruments = library.resolve(battery=WORKER_BATTERY)
    return summarise(
        latest_scores(store, instruments, since),
        instruments,
        site=site,
        by=by,
        min_group=min_group,
        since=since,
    )


def require_worker_site(store: Any, site: str) -> str:
    """``site``, if at least one peer worker (current or former) is registered at it.

    Raises:
        WellbeingError: no worker is registered at ``site``; names the sites workers are at.
    """
    sites = sorted({w.site for w in store.workers() if w.site})
    if site in sites:
        return site
    raise WellbeingError(
        f"no peer worker is registered at site {site!r}, so there is nothing to summarise"
        + (did_you_mean(site, sites) or ".")
        + (f" Sites with workers: {', '.join(sites)}." if sites else " No worker has a site yet.")
    )
