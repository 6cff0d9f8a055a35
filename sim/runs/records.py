"""The output tables' columns, defined once, and how one replication fills them."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from sim.engine.model import SNAPSHOT_FIELDS, Trajectory
from sim.inputs.applicants import CATEGORIES, ApplicantTable, Labels
from sim.inputs.scenario import DAY_ROUNDING, DAYS_PER_YEAR

__all__ = [
    "APPLICANT_COLUMNS",
    "CATEGORY_DTYPE",
    "OUTCOMES",
    "OUTCOME_DTYPE",
    "TIMESERIES_COLUMNS",
    "applicant_records",
    "dated_years",
    "timeseries_records",
    "to_dates",
]

OUTCOMES = ("connected", "withdrawn", "waiting")
"""Every applicant ends the run with exactly one of these."""

CATEGORY_DTYPE = pd.CategoricalDtype(list(CATEGORIES))
"""The type of the category columns, made once: from the names it is checked again each time.

Speed: checking them for every column of every replication cost as much as simulating a small
world."""

OUTCOME_DTYPE = pd.CategoricalDtype(list(OUTCOMES))
"""The type of the outcome column, made once as :data:`CATEGORY_DTYPE`."""

APPLICANT_COLUMNS = (
    "replication", "applicant_id", "name", "source", "stream", "category",
    "priority_requested", "area", "request_date", "demand_mw", "requested_mw", "self_supply",
    "jobs", "outcome", "connect_date", "withdraw_date", "release_date", "wait_years", "homes",
    "final_category", "existing_mw", "connected_mw", "waiting_mw", "full_connect_date",
    "non_firm_date", "non_firm_right", "non_firm_mw", "non_firm_hours_share",
    "non_firm_mw_share", "non_firm_end_date", "moved_to_firm", "kept_firm_place", "efficiency",
)
"""Columns of ``applicants.csv``: one row per applicant per replication.

``connect_date`` and ``wait_years`` are those of the first connection, partial or whole;
``full_connect_date`` is when the whole request was connected, ``connected_mw`` the MW it
held last, at the end or when its connection ended (its request, or less if only part of it
was connected or a mechanism took some back), ``waiting_mw`` the MW it still waited for in
the firm queue at the end of the run (its whole request without any connection, the rest of
one connected in part, 0 once connected in full, withdrawn or out of the firm queue).
``connected_mw`` and ``full_connect_date`` are firm; a non-firm right counts as a first
connection. ``non_firm_date`` is when the applicant got a non-firm right (of
``non_firm_mw``, of the kind ``non_firm_right``) and ``non_firm_end_date`` when it ended
(empty: held to the end); ``moved_to_firm`` whether it ended by a firm connection;
``kept_firm_place`` whether it kept its place in the firm queue while it held the right
(False where it gave the place up or held no right): one that kept it and was not moved to
firm by the end is still in line, one that gave it up is not;
``non_firm_hours_share`` and ``non_firm_mw_share`` the share of the hours of a year and of
its MW it could use, averaged over the time it held the right (empty where it held none).
``efficiency`` is the applicant's efficiency score, by which a category ranked by efficiency
serves it (empty where it has none; the table holds that as ``-inf``, below every score).
"""

TIMESERIES_COLUMNS = (
    "replication", "date", *SNAPSHOT_FIELDS[:2], "capacity_mw", "connected_mw", "free_mw",
    "queue_total", "queued_mw_total", *SNAPSHOT_FIELDS[5:],
)
"""Columns of ``timeseries.csv``: one row per replication, snapshot time and area."""


def _whole_days(years: np.ndarray) -> np.ndarray:
    """The days since the start on which simulation times fall, as floats (NaN stays NaN)."""
    days: np.ndarray = np.multiply(years, DAYS_PER_YEAR, dtype=float)
    days += DAY_ROUNDING  # in place: a new array per step cost as much as the arithmetic
    np.floor(days, out=days)
    return days


def dated_years(years: np.ndarray) -> np.ndarray:
    """Simulation times as ``applicants.csv`` dates them: the start of their day, in years.

    The key figures count request times this way, so that a figure worked out again from
    ``applicants.csv`` (for part of the applicants, in a comparison) is the run's own.
    """
    days = _whole_days(years)
    days /= DAYS_PER_YEAR
    return days


def to_dates(start: dt.date, years: np.ndarray) -> np.ndarray:
    """Calendar dates of simulation times (to the day, in seconds); NaT where the time is NaN.

    Speed: in seconds (datetime64[s]) because pandas holds no coarser unit: dates in days
    were converted again on the way into a DataFrame, which cost more than working them out.
    NaN days cast to NaT, so no mask is needed. The whole days are turned into seconds as
    floats (exact: whole numbers far below 2**53) and the start added in place, a quarter of
    the cost of adding whole days to a date in seconds, which numpy converts one by one.
    """
    days = _whole_days(years)
    days *= 24 * 60 * 60
    dates: np.ndarray = days.astype("timedelta64[s]").view("datetime64[s]")
    dates += np.datetime64(start, "s") - np.datetime64(0, "s")
    return dates


def applicant_records(
    replication: int,
    table: ApplicantTable,
    trajectory: Trajectory,
    start: dt.date,
    horizon_years: float,
) -> pd.DataFrame:
    """One tidy row per applicant: who they are and what happened to them."""
    connected = ~np.isnan(trajectory.connect_time)
    withdrawn = ~np.isnan(trajectory.withdraw_time)
    # Speed: each column is made in one array, filled in place; an array of intermediate
    # results per step cost as much as the steps.
    outcome = np.full(len(table), OUTCOMES.index("waiting"), dtype=np.int8)
    outcome[withdrawn] = OUTCOMES.index("withdrawn")
    outcome[connected] = OUTCOMES.index("connected")
    # The wait lasts to the connection, the withdrawal or the end.
    wait_years = np.where(withdrawn, trajectory.withdraw_time, horizon_years)
    np.copyto(wait_years, trajectory.connect_time, where=connected)
    wait_years -= table.request_time
    connect_date = to_dates(start, trajectory.connect_time)
    # Speed: the columns are new arrays or the table's, which nothing changes afterwards;
    # sharing them (copy=False) spares pandas copying each numeric column into 2D blocks.
    return pd.DataFrame({
        "replication": np.full(len(table), replication, dtype=np.int64),
        "applicant_id": table.applicant_id,
        "name": _text(table.labels["name"]),
        "source": _text(table.labels["source"]),
        "stream": _text(table.labels["stream"]),
        "category": pd.Categorical.from_codes(table.category_code, dtype=CATEGORY_DTYPE),
        "priority_requested": table.priority_requested,
        "area": _text(table.labels["area"]),
        "request_date": to_dates(start, table.request_time),
        "demand_mw": table.demand_mw,
        "requested_mw": table.requested_mw,
        "self_supply": table.self_supply,
        "jobs": table.jobs,
        "outcome": pd.Categorical.from_codes(outcome, dtype=OUTCOME_DTYPE),
        "connect_date": connect_date,
        "withdraw_date": to_dates(start, trajectory.withdraw_time),
        "release_date": to_dates(start, trajectory.release_time),
        "wait_years": wait_years,
        "homes": table.homes,
        "final_category": pd.Categorical.from_codes(trajectory.final_category,
                                                    dtype=CATEGORY_DTYPE),
        "existing_mw": table.existing_mw,
        "connected_mw": trajectory.connected_mw,
        "waiting_mw": trajectory.waiting_mw if trajectory.waiting_mw is not None
        else np.where(outcome == OUTCOMES.index("waiting"), table.requested_mw, 0.0),
        "full_connect_date": connect_date if trajectory.full_connect_time is
        trajectory.connect_time else to_dates(start, trajectory.full_connect_time),
        **_non_firm_columns(trajectory, start, len(table)),
        "efficiency": _scores(table.efficiency),
    }, columns=list(APPLICANT_COLUMNS), copy=False)


def _scores(efficiency: np.ndarray) -> np.ndarray:
    """Efficiency scores as ``applicants.csv`` writes them: NaN (empty) where there is none.

    The table holds no score as ``-inf`` so that it sorts after every score; written so, it
    would read as a score.
    """
    return np.where(np.isfinite(efficiency), efficiency, np.nan)


def _non_firm_columns(trajectory: Trajectory, start: dt.date, size: int) -> dict[str, object]:
    """The columns of non-firm rights: empty (NaT, NaN, "", False) where nobody held one."""
    outcome = trajectory.non_firm
    if outcome is None:
        nothing = np.full(size, np.nan)
        never = to_dates(start, nothing)
        return {"non_firm_date": never, "non_firm_right": _text(Labels.repeat("", size)),
                "non_firm_mw": nothing, "non_firm_hours_share": nothing,
                "non_firm_mw_share": nothing, "non_firm_end_date": never,
                "moved_to_firm": np.zeros(size, dtype=bool),
                "kept_firm_place": np.zeros(size, dtype=bool)}
    right = Labels(np.where(outcome.right >= 0, outcome.right + 1, 0).astype(np.int32),
                   ("", *outcome.rights))
    return {"non_firm_date": to_dates(start, outcome.time), "non_firm_right": _text(right),
            "non_firm_mw": outcome.mw, "non_firm_hours_share": outcome.hours_share,
            "non_firm_mw_share": outcome.mw_share,
            "non_firm_end_date": to_dates(start, outcome.end), "moved_to_firm": outcome.moved,
            "kept_firm_place": outcome.kept}


def _text(labels: Labels) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A text column for a DataFrame, the same as pandas makes of an object array of it.

    Speed: pandas turns an object array into its Arrow-backed text dtype one string at a time
    (about 10 ms per column of a hundred thousand rows); turning only the distinct values and
    taking them by code is ten times faster. pandas infers the dtype from the values, as it
    would from the whole column; a column of no rows stays an object array, as it would.
    """
    if not len(labels):
        return labels.decode()
    return _distinct_text(labels.values).take(labels.codes)


@functools.lru_cache(maxsize=32)
def _distinct_text(values: tuple[str, ...]) -> pd.api.extensions.ExtensionArray:
    """The distinct values of a text column as pandas holds them, once for all replications.

    Speed: the same few values, turned again for every column of every replication, took
    0.7 ms of a small world's replication. Only ever taken from, never changed.
    """
    return pd.Series(np.array(values, dtype=object)).array


def timeseries_records(replication: int, trajectory: Trajectory, start: dt.date) -> pd.DataFrame:
    """One row per snapshot and area, with queue totals next to the per-category columns.

    Speed: the frame is built once from its columns, in their order; built from the rows and
    then added to, selected from and reordered, it took 3 ms a replication, more than a
    small world's whole simulation. Each field's type is pandas' reading of its values, as
    from rows (a field whose values are all whole numbers is of integers).
    """
    fields = dict(zip(SNAPSHOT_FIELDS, zip(*trajectory.snapshots, strict=True), strict=True))
    counts = np.array([fields[f"queue_{c}"] for c in CATEGORIES])
    queued = np.array([fields[f"queued_mw_{c}"] for c in CATEGORIES], dtype=float)
    columns = {
        **fields,
        "replication": np.full(len(trajectory.snapshots), replication),
        "date": to_dates(start, np.array(fields["time_years"], dtype=float)),
        "queue_total": counts.sum(axis=0),
        "queued_mw_total": queued.sum(axis=0),
    }
    return pd.DataFrame({name: columns[name] for name in TIMESERIES_COLUMNS})
