"""Key figures of one replication, per category and overall. Pure functions over tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.inputs.applicants import CATEGORIES
from sim.runs.records import OUTCOMES

__all__ = ["ALL", "HEADLINE_METRICS", "METRICS", "Metric", "replication_metrics"]

ALL = "all"
"""The group name of figures over every applicant."""


@dataclass(frozen=True)
class Metric:
    """A key figure: its unit, what it counts, and the plain label shown to readers."""

    unit: str
    description: str
    label: str
    """Plain words with the unit, for tables and figures, e.g. 'Mean wait, connected (years)'."""


WITHIN_YEARS = (1, 2, 5)

METRICS: dict[str, Metric] = {
    "applicants": Metric("count", "applicants who asked for a connection", "Applicants"),
    "connected": Metric("count", "applicants connected by the end", "Connected by the end"),
    "withdrawn": Metric("count", "applicants who gave up and withdrew", "Withdrew"),
    "waiting": Metric("count", "applicants still waiting at the end", "Still waiting at the end"),
    "wait_mean_years": Metric(
        "years", "mean wait of those connected, request to connection",
        "Mean wait of those connected (years)",
    ),
    "wait_median_years": Metric(
        "years", "median wait of those connected",
        "Median wait of those connected (years)",
    ),
    "wait_p90_years": Metric(
        "years", "90th percentile of the wait of those connected",
        "90th percentile wait of those connected (years)",
    ),
    **{
        f"connected_within_{n}y": Metric(
            "share",
            f"share connected within {n} year{'s' if n > 1 else ''} of the request, among "
            f"applicants who asked at least {n} year{'s' if n > 1 else ''} before the end",
            f"Connected within {n} year{'s' if n > 1 else ''} (%)",
        )
        for n in WITHIN_YEARS
    },
    "jobs_connected": Metric("jobs", "jobs of the applicants connected", "Jobs connected"),
    "jobs_withdrawn": Metric("jobs", "jobs lost to withdrawal", "Jobs lost to withdrawal"),
    "jobs_waiting": Metric(
        "jobs", "jobs still waiting at the end",
        "Jobs still waiting at the end",
    ),
    "job_years_waiting": Metric(
        "job-years", "jobs times years waited, to connection, withdrawal or the end",
        "Job-years waited",
    ),
    "mw_connected": Metric(
        "MW", "grid MW connected (requested, after on-site generation)",
        "MW connected",
    ),
    "mw_withdrawn": Metric("MW", "grid MW withdrawn", "MW withdrawn"),
    "mw_waiting": Metric("MW", "grid MW still waiting at the end", "MW still waiting at the end"),
    "idle_mw_years": Metric(
        "MW-years", "capacity left free while an applicant of the group waited in its area",
        "MW-years left idle while someone waited",
    ),
}
"""Every key figure of ``summary.csv``, in the order it is reported."""

HEADLINE_METRICS: tuple[str, ...] = (
    "wait_median_years", "connected_within_2y", "withdrawn", "jobs_waiting", "job_years_waiting",
)
"""The key figures a reader sees first: the terminal summary, the report's answers and the
differences figure lead with these."""


def replication_metrics(
    applicants: pd.DataFrame,
    request_time: np.ndarray,
    horizon_years: float,
    idle_by_category: dict[str, float],
    idle_overall: float,
) -> pd.DataFrame:
    """Key figures of one replication as tidy rows: ``group``, ``metric``, ``value``.

    ``applicants`` holds one replication's rows of ``applicants.csv``; ``request_time`` is
    their request time in years since the start, in the same order.
    """
    outcome = _codes(applicants["outcome"], OUTCOMES)
    columns = {
        "wait": applicants["wait_years"].to_numpy(dtype=float),
        "jobs": applicants["jobs"].to_numpy(dtype=float),
        "mw": applicants["requested_mw"].to_numpy(dtype=float),
        **{name: outcome == k for k, name in enumerate(OUTCOMES)},
        "request_time": np.asarray(request_time, dtype=float),
    }
    rows = []
    for group, group_columns in _by_category(_codes(applicants["category"], CATEGORIES),
                                             columns):
        idle = idle_overall if group == ALL else idle_by_category.get(group, 0.0)
        values = _figures(group_columns, horizon_years, idle)
        rows.extend((group, metric, values[metric]) for metric in METRICS)
    return pd.DataFrame(rows, columns=["group", "metric", "value"])


def _by_category(
    category: np.ndarray, columns: dict[str, np.ndarray]
) -> Iterator[tuple[str, dict[str, np.ndarray]]]:
    """Each category's rows of ``columns`` (by ``category``'s codes), then every row as ALL.

    Speed: one stable sort by category puts each category's rows together in their own
    order, so a group is a slice of the sorted columns instead of a boolean mask applied to
    every column. The rows, and so every sum over them, are the same either way.
    """
    order = np.argsort(category, kind="stable")
    starts = np.searchsorted(category[order], np.arange(len(CATEGORIES) + 1)).tolist()
    by_category = {name: column[order] for name, column in columns.items()}
    for code, group in enumerate(CATEGORIES):
        rows = slice(starts[code], starts[code + 1])
        yield group, {name: column[rows] for name, column in by_category.items()}
    yield ALL, columns


def _codes(column: pd.Series, categories: tuple[str, ...]) -> np.ndarray:
    """Each value's position in ``categories`` (-1 if absent), cheaply for a categorical column."""
    return pd.Categorical(column, categories=categories).codes


def _figures(c: dict[str, np.ndarray], horizon_years: float, idle: float) -> dict[str, float]:
    """Every key figure of one group of applicants, from its columns ``c``.

    Speed: rows are counted with ``count_nonzero``, many times faster than summing booleans
    and exact all the same.
    """
    connected, withdrawn, waiting = c["connected"], c["withdrawn"], c["waiting"]
    figures = {
        "applicants": float(len(connected)),
        "connected": float(np.count_nonzero(connected)),
        "withdrawn": float(np.count_nonzero(withdrawn)),
        "waiting": float(np.count_nonzero(waiting)),
        **_wait_figures(c["wait"][connected]),
        "jobs_connected": float(c["jobs"][connected].sum()),
        "jobs_withdrawn": float(c["jobs"][withdrawn].sum()),
        "jobs_waiting": float(c["jobs"][waiting].sum()),
        "job_years_waiting": float((c["jobs"] * c["wait"]).sum()),
        "mw_connected": float(c["mw"][connected].sum()),
        "mw_withdrawn": float(c["mw"][withdrawn].sum()),
        "mw_waiting": float(c["mw"][waiting].sum()),
        "idle_mw_years": float(idle),
    }
    for years in WITHIN_YEARS:
        # Only applicants observed for the full window count, so the end does not censor.
        observed = c["request_time"] <= horizon_years - years
        within = connected & (c["wait"] <= years) & observed
        count = np.count_nonzero(observed)
        figures[f"connected_within_{years}y"] = (
            np.count_nonzero(within) / count if count else np.nan
        )
    return figures


def _wait_figures(waits: np.ndarray) -> dict[str, float]:
    """Mean, median and 90th percentile of the waits of those connected (NaN if none).

    ``waits`` must be the caller's own copy. Speed: the median and the percentile may reorder
    it in place (``overwrite_input``), which spares copying it twice; they depend only on the
    sorted values, so the result is the same. The mean, whose rounding depends on the order,
    is taken first.
    """
    if not len(waits):
        return dict.fromkeys(("wait_mean_years", "wait_median_years", "wait_p90_years"), np.nan)
    mean = float(waits.mean())
    return {
        "wait_mean_years": mean,
        "wait_median_years": float(np.median(waits, overwrite_input=True)),
        "wait_p90_years": float(np.quantile(waits, 0.9, overwrite_input=True)),
    }
