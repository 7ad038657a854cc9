"""Tidy long DataFrames of scores and answers for analysis (pandas is imported here only).

:func:`scores_frame` has one row per completed administration and scale, with the columns in
:data:`SCORE_COLUMNS`; :func:`answers_frame` one row per administration and item. Both take the
same filters (:func:`filter_sql`), which exports use too.

Privacy by default: both frames hold participants' data only unless ``subject_type="worker"``
(a peer worker's own wellbeing answers and scores, under their code) or ``subject_type=None``
(both) is asked for. Team wellbeing results go through :mod:`recoverycap.privacy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import RecoveryCapError
from .base import date_range, in_clause
from .fields import ADMINISTRATION_STATUSES, SUBJECT_TYPES, one_of

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .base import StoreBase

ID_COLUMNS = (
    "administration_id",
    "subject_type",
    "subject",
    "site",
    "cohort",
    "instrument",
    "version",
    "timepoint",
    "administered_at",
)
"""Columns that say whose administration a row belongs to, shared by the long frames."""
SCORE_COLUMNS = (
    *ID_COLUMNS,
    "mode",
    "scale",
    "raw",
    "score",
    "band",
    "answered",
    "n_items",
    "prorated",
)
ANSWER_COLUMNS = (*ID_COLUMNS, "mode", "item", "value", "missing_reason")
FILTERS = (
    "instrument",
    "timepoint",
    "site",
    "cohort",
    "programme",
    "subject_type",
    "subject",
    "date_from",
    "date_to",
)

SUBJECT_JOIN = (
    "FROM administrations a LEFT JOIN participants p ON p.id = a.participant_id "
    "LEFT JOIN workers w ON w.id = a.worker_id"
)
ADMIN_COLUMNS = (
    "a.id AS administration_id, a.subject_type, coalesce(p.code, w.code) AS subject, "
    "coalesce(p.site, w.site) AS site, p.cohort AS cohort, a.instrument, a.version, a.timepoint, "
    "a.administered_at, a.mode"
)


def filter_sql(**filters: Any) -> tuple[list[str], list[Any]]:
    """WHERE conditions (on ``a`` administrations, ``p`` participants, ``w`` workers) and their
    parameters for the filters the frames and exports take.

    Args:
        instrument: Instrument id(s).
        timepoint: Time point(s).
        site: Site(s) of the participant (or worker).
        cohort: Cohort(s).
        programme: Programme code(s): participants ever enrolled in one of them.
        subject_type: ``participant`` or ``worker`` (None: both; the frames and exports choose
            ``participant`` unless told otherwise).
        subject: Participant (or worker) code(s).
        date_from: Administered on or after this date.
        date_to: Administered on or before this date.

    Raises:
        TypeError: an unknown filter name.
    """
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise TypeError(
            f"unknown filter(s) {', '.join(unknown)}; filters are: {', '.join(FILTERS)}"
        )
    where: list[str] = []
    params: list[Any] = []

    def add(column: str, value: Any) -> None:
        if value is None:
            return
        clause, values = in_clause(value)
        where.append(f"{column} IN {clause}")
        params.extend(values)

    add("a.instrument", filters.get("instrument"))
    add("a.timepoint", filters.get("timepoint"))
    add("coalesce(p.site, w.site)", filters.get("site"))
    add("p.cohort", filters.get("cohort"))
    add("coalesce(p.code, w.code)", filters.get("subject"))
    if filters.get("subject_type") is not None:
        add("a.subject_type", one_of("subject_type", filters["subject_type"], SUBJECT_TYPES))
    if filters.get("programme") is not None:
        clause, values = in_clause(filters["programme"])
        where.append(
            "a.participant_id IN (SELECT e.participant_id FROM enrolments e JOIN programmes g "
            f"ON g.id = e.programme_id WHERE g.code IN {clause})"
        )
        params.extend(values)
    dates, days = date_range(
        "substr(a.administered_at, 1, 10)", filters.get("date_from"), filters.get("date_to")
    )
    return where + dates, params + days


def _where(conditions: list[str]) -> str:
    return (" WHERE " + " AND ".join(conditions)) if conditions else ""


def scores_sql(status: str = "complete", **filters: Any) -> tuple[str, list[Any]]:
    where, params = filter_sql(**filters)
    where.insert(0, "a.status = ?")
    params.insert(0, one_of("status", status, ADMINISTRATION_STATUSES))
    sql = (
        f"SELECT {ADMIN_COLUMNS}, s.scale, s.raw, s.score, s.band, s.answered, s.n_items, s.prorated "
        f"{SUBJECT_JOIN} JOIN scores s ON s.administration_id = a.id{_where(where)} "
        "ORDER BY a.subject_type, subject, a.administered_at, a.instrument, a.id, s.scale"
    )
    return sql, params


def answers_sql(status: str = "complete", **filters: Any) -> tuple[str, list[Any]]:
    where, params = filter_sql(**filters)
    where.insert(0, "a.status = ?")
    params.insert(0, one_of("status", status, ADMINISTRATION_STATUSES))
    sql = (
        f"SELECT {ADMIN_COLUMNS}, x.item, x.value, x.missing_reason "
        f"{SUBJECT_JOIN} JOIN answers x ON x.administration_id = a.id{_where(where)} "
        "ORDER BY a.subject_type, subject, a.administered_at, a.instrument, a.id"
    )
    return sql, params


def _times(series: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_datetime(series, format="ISO8601", utc=True)


def scores_frame(
    store: StoreBase,
    status: str = "complete",
    subject_type: str | None = "participant",
    **filters: Any,
) -> pd.DataFrame:
    """Scores in long form; see :meth:`recoverycap.store.Store.scores_frame`. Participants'
    only unless ``subject_type`` says ``worker`` (or None: both)."""
    import pandas as pd

    sql, params = scores_sql(status, subject_type=subject_type, **filters)
    frame = pd.read_sql_query(sql, store.conn, params=params)
    frame = frame.reindex(columns=list(SCORE_COLUMNS))
    frame["administered_at"] = _times(frame["administered_at"])
    for column in ("raw", "score"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in ("answered", "n_items"):
        frame[column] = frame[column].astype("int64")
    frame["prorated"] = frame["prorated"].astype(bool)
    for column in (
        "administration_id",
        "subject_type",
        "subject",
        "site",
        "cohort",
        "instrument",
        "version",
        "timepoint",
        "mode",
        "scale",
        "band",
    ):
        frame[column] = frame[column].astype(object)
    return frame


def answers_frame(
    store: StoreBase,
    status: str = "complete",
    subject_type: str | None = "participant",
    **filters: Any,
) -> pd.DataFrame:
    """Answers in long form, in each instrument's item order; ``value`` keeps each answer's type
    (codes as integers, numbers as floats, text as text) and is None when ``missing_reason`` is
    given. Participants' only unless ``subject_type`` says ``worker`` (or None: both)."""
    import pandas as pd

    sql, params = answers_sql(status, subject_type=subject_type, **filters)
    cursor = store.conn.execute(sql, params)
    rows = cursor.fetchall()
    # dtype=object keeps each answer's own type (a column of codes with gaps would become floats)
    frame = pd.DataFrame(rows, columns=[d[0] for d in cursor.description], dtype=object)
    frame = frame.reindex(columns=list(ANSWER_COLUMNS))
    if len(frame):
        ranks: dict[tuple[str, str], dict[str, int]] = {}
        for key in set(zip(frame["instrument"], frame["version"], strict=True)):
            try:
                ranks[key] = {i: n for n, i in enumerate(store._instrument(*key).item_ids)}
            except RecoveryCapError:
                ranks[key] = {}
        frame["_rank"] = [
            ranks[(i, v)].get(item, len(ranks[(i, v)]))
            for i, v, item in zip(frame["instrument"], frame["version"], frame["item"], strict=True)
        ]
        frame["_order"] = range(len(frame))
        first = frame.groupby("administration_id", sort=False)["_order"].transform("min")
        frame = frame.assign(_first=first).sort_values(["_first", "_rank", "item"], kind="stable")
        frame = frame.drop(columns=["_rank", "_order", "_first"]).reset_index(drop=True)
    frame["administered_at"] = _times(frame["administered_at"])
    frame["value"] = frame["value"].astype(object).where(frame["missing_reason"].isna(), None)
    return frame
