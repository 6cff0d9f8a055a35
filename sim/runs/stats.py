"""Statistics across replications: estimates with confidence intervals inside their bounds.

A plain Student-t interval of a share near 0 or of a short wait can reach below zero, which no
replication could show. Each key figure is therefore summarised with an interval that keeps
to the figure's bounds (:attr:`sim.runs.metrics.Metric.bounds`): a t interval on the log or logit
scale around the mean, or order statistics around the median. Plain t intervals remain for
unbounded quantities such as differences between scenarios (:mod:`sim.analysis.differences`).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from sim.runs.metrics import METRICS, Metric, incomplete_figures

__all__ = [
    "CI_METHODS", "CONFIDENCE", "FULL_FIRM_COLUMNS", "PROJECT_COLUMNS", "PROJECT_DTYPES",
    "SUMMARY_COLUMNS", "WAITING_LIST_MARK", "bounded_interval", "connection_quantiles",
    "log_interval", "logit_interval", "mean_interval", "median_interval", "median_interval_needs",
    "named_applicants", "shown_names", "summarise", "summarise_projects", "t_quantile",
]

CONFIDENCE = 0.95
"""Confidence level of every interval gridqueue reports."""


def mean_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of independent replications.

    NaN values (e.g. a mean wait in a replication where nobody connected) are left out; with
    fewer than two values the interval is NaN.
    """
    mean, half = _mean_and_half_width(_known(values), confidence)
    return mean, mean - half, mean + half


def log_interval(
    values: np.ndarray, lower: float = 0.0, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Mean and a t interval on the log scale of ``mean - lower``: never below ``lower``.

    The delta method: ``log(m - lower) ± t * s / (sqrt(n) * (m - lower))``, taken back.
    Close to the plain t interval when the spread is small against the mean, skewed upwards
    when it is not. If the mean sits on the bound, every value does and the interval is the
    bound itself. NaN values are left out; fewer than two values give a NaN interval.
    """
    values = _known(values)
    mean, half = _mean_and_half_width(values, confidence)
    if np.isnan(half) or half == 0 or mean <= lower:
        return mean, *_clipped(mean - half, mean + half, lower, np.inf)
    spread = half / (mean - lower)
    ends = lower + (mean - lower) * np.exp(np.array([-spread, spread]))
    # Taking the log and back may move the mean's own end by a rounding error.
    return mean, min(float(ends[0]), mean), max(float(ends[1]), mean)


def logit_interval(
    values: np.ndarray, bounds: tuple[float, float] = (0.0, 1.0),
    confidence: float = CONFIDENCE,
) -> tuple[float, float, float]:
    """Mean and a t interval on the logit scale of where the mean lies between ``bounds``.

    With ``p = (m - low) / (high - low)``, the delta method gives ``logit(p) ± t * s /
    (sqrt(n) * (high - low) * p * (1 - p))``, taken back: always inside the bounds, and
    the bound itself if every value is on it. NaN values are left out; fewer than two values
    give a NaN interval.
    """
    values = _known(values)
    mean, half = _mean_and_half_width(values, confidence)
    low, high = bounds
    width = high - low
    share = (mean - low) / width
    if np.isnan(half) or half == 0 or not 0 < share < 1:
        return mean, *_clipped(mean - half, mean + half, low, high)
    centre, spread = special.logit(share), half / (width * share * (1 - share))
    ends = low + width * special.expit(np.array([centre - spread, centre + spread]))
    # Taking the logit and back may move the mean's own end by a rounding error.
    return mean, min(float(ends[0]), mean), max(float(ends[1]), mean)


def _clipped(start: float, end: float, low: float, high: float) -> tuple[float, float]:
    """An interval's ends kept within ``[low, high]``.

    A mean on a bound means every value is on it, up to rounding: values one unit in the last
    place apart still leave a standard deviation of about 1e-16, and the plain interval
    around the bound would step over it by as much.
    """
    return float(np.clip(start, low, high)), float(np.clip(end, low, high))


def median_interval(
    values: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Median and the distribution-free order-statistic interval of the median.

    Values may be ``inf`` (e.g. a share not reached in that replication): they sort last, so
    the median and the interval's ends read ``inf`` when enough replications have it. The
    interval is ``[x_(k), x_(n+1-k)]`` of the sorted values, with the largest ``k`` for which
    the number of values below the true median (binomial, n and 1/2) leaves at least the
    confidence between them. Below six values no such pair exists for 95% and the interval
    is NaN. NaN values are left out.
    """
    values = np.sort(_known(values))
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan
    median = float(np.median(values))
    k = _order_statistic_rank(n, confidence)
    if k == 0:
        return median, np.nan, np.nan
    return median, float(values[k - 1]), float(values[n - k])


def median_interval_needs(confidence: float = CONFIDENCE) -> int:
    """The fewest replications that give a median an interval at ``confidence`` (6 at 95%)."""
    n = 1
    while _order_statistic_rank(n, confidence) == 0:
        n += 1
    return n


@functools.lru_cache(maxsize=1024)
def _order_statistic_rank(n: int, confidence: float) -> int:
    """The largest k with P(k <= B <= n - k) >= confidence for B ~ Binomial(n, 1/2); 0 if none.

    ``P(k <= B <= n - k) = 1 - 2 P(B <= k - 1)``, so k is one more than the largest j with
    ``P(B <= j) <= (1 - confidence) / 2``.
    """
    tail = (1 - confidence) / 2
    below = special.bdtr(np.arange(n // 2 + 1), n, 0.5)
    return int(np.count_nonzero(below <= tail))


def bounded_interval(
    values: np.ndarray, metric: Metric, confidence: float = CONFIDENCE
) -> tuple[float, float, float, str]:
    """A key figure's estimate across replications, an interval inside its bounds, the method.

    The median with order statistics for figures summarised by their median; otherwise the
    mean with a t interval on the logit scale (bounded both sides), the log scale (bounded
    below) or a plain t interval (unbounded).
    """
    method = _ci_method(metric)
    if method == "order statistics":
        return (*median_interval(values, confidence), method)
    if method == "logit t":
        return (*logit_interval(values, metric.bounds, confidence), method)
    if method == "log t":
        return (*log_interval(values, metric.bounds[0], confidence), method)
    return (*mean_interval(values, confidence), method)


CI_METHODS = ("order statistics", "logit t", "log t", "t")
"""Interval methods of ``summary.csv``'s ``ci_method`` column, see :func:`bounded_interval`."""


def _ci_method(metric: Metric) -> str:
    """Which of :data:`CI_METHODS` keeps the figure's interval inside its bounds."""
    low, high = metric.bounds
    if metric.estimator == "median":
        return "order statistics"
    if np.isfinite(low) and np.isfinite(high):
        return "logit t"
    if np.isfinite(low):
        return "log t"
    return "t"


def _known(values: np.ndarray) -> np.ndarray:
    """The values as floats, NaN left out."""
    values = np.asarray(values, dtype=float)
    known: np.ndarray = values[~np.isnan(values)]
    return known


def _mean_and_half_width(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Mean and Student-t half width of values without NaN (NaN where undefined)."""
    if len(values) == 0:
        return np.nan, np.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, np.nan
    return mean, t_quantile(confidence, len(values) - 1) * float(
        values.std(ddof=1) / np.sqrt(len(values)))


@functools.lru_cache(maxsize=1024)
def t_quantile(confidence: float, dof: float) -> float:
    """The Student-t quantile of a two-sided interval with ``dof`` degrees of freedom.

    ``scipy.special.stdtrit`` is what ``scipy.stats.t.ppf`` computes, to the bit; importing
    ``scipy.stats`` instead took 0.7 s and left some 27,000 more objects for every full
    garbage collection to walk. Cached: a summary asks for the same quantile for each of its
    hundred-odd figures.
    """
    return float(special.stdtrit(dof, (1 + confidence) / 2))


SUMMARY_COLUMNS = (
    "group", "metric", "unit", "estimator", "estimate", "ci_low", "ci_high", "ci_method",
    "mean", "std", "replications",
)
"""Columns of ``summary.csv``. ``estimate`` is the figure across replications (``estimator``:
their mean, or their median where a replication may not reach the figure), ``ci_low`` and
``ci_high`` its interval by ``ci_method``; ``mean`` and ``std`` are the plain mean and
standard deviation over the replications that had a value (``inf`` and NaN where one did not
reach the figure)."""


FULL_FIRM_COLUMNS = ("full_connected_share", "full_connect_date_p10", "full_connect_date_p50",
                     "full_connect_date_p90")
"""The columns of ``projects.csv`` on a full firm connection, which earlier folders lack."""

PROJECT_COLUMNS = (
    "project", "request_date", "replications", "connected_share", "withdrawn_share",
    "connect_date_mean", "connect_date_p10", "connect_date_p50", "connect_date_p90",
    "wait_mean_years", "wait_ci_low", "wait_ci_high", *FULL_FIRM_COLUMNS, "source",
    "first_in_part_share",
)
"""Columns of ``projects.csv``: when each named project connects, across replications. The
``connect_date`` columns are of its first connection, which may be a part of the request or a
non-firm right; the ``full_connect`` ones of a full firm connection of the whole request.
``source`` says where the name comes from: ``project`` (the scenario's ``projects``) or
``waiting_list`` (a named row of a waiting-list CSV); earlier folders lack it and hold only
projects. ``first_in_part_share`` is the share of replications whose first connection came
before the whole request was connected firm (a part of it, or a non-firm right): where it is
above 0, the mean wait is not that of a full firm connection, which the quantiles of the two
kinds of connection cannot always tell (with few connected, they are all empty). Columns
added later go last, so the columns before them keep their places."""

WAITING_LIST_MARK = " (waiting list)"
"""Follows the name of a waiting-list CSV's row wherever named projects are said."""


def named_applicants(applicants: pd.DataFrame) -> pd.Series:
    """Which applicants are followed by name: the projects, and waiting-list rows with a name.

    A waiting-list CSV's row without a name has the name "", as has each applicant of a
    drawn list: none is a request a planner asks after by name.
    """
    source = applicants["source"].astype(str)
    return (source == "project") | ((source == "waiting_list")
                                    & (applicants["name"].astype(str) != ""))


def shown_names(named: pd.DataFrame) -> pd.Series:
    """The names of :func:`named_applicants`' rows as said: a waiting-list row's marked."""
    marks = np.where(named["source"].astype(str) == "waiting_list", WAITING_LIST_MARK, "")
    return named["name"].astype(str) + marks


def summarise(per_replication: pd.DataFrame) -> pd.DataFrame:
    """Summarise tidy per-replication figures (``replication, group, metric, value``).

    One row per group and metric: the columns of :data:`SUMMARY_COLUMNS`. A figure that
    needs every replication (:attr:`Metric.every_replication`) and lacks a value in one gets
    no estimate or interval; ``mean``, ``std`` and ``replications`` still tell those that had
    one.
    """
    incomplete = incomplete_figures(per_replication)
    rows = []
    for (group, metric), values in per_replication.groupby(["group", "metric"], sort=False)[
        "value"
    ]:
        figure = METRICS[metric]  # type: ignore[index]  # a group key: a metric's name
        known = _known(values.to_numpy(dtype=float))
        estimate, low, high, method = bounded_interval(known, figure)
        if (group, metric) in incomplete:
            estimate = low = high = np.nan
        mean = float(known.mean()) if len(known) else np.nan
        with np.errstate(invalid="ignore"):
            std = float(known.std(ddof=1)) if len(known) > 1 else np.nan
        rows.append((group, metric, figure.unit, figure.estimator, estimate, low, high, method,
                     mean, std, len(known)))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def summarise_projects(applicants: pd.DataFrame, replications: int) -> pd.DataFrame:
    """When each named project gets connected, across replications.

    One row per project: how often it was connected by the end, and how often it withdrew;
    the 10th, 50th and 90th percentile of its connection date over every replication
    (:func:`connection_quantiles`: empty where that many were not connected by the end); the
    mean date where every replication connected it (else empty, as a mean over the others
    would be early); and over the replications in which it connected, its mean wait, with a
    log-scale t interval (a wait is never negative). A first connection may be a part of the
    request or a non-firm right; the share of replications and the percentiles of a full firm
    connection of the whole request follow, over every replication too.
    """
    named = named_applicants(applicants)
    if not named.any():  # speed: a table of no rows, without taking none of every column
        return _no_projects().copy()
    projects = applicants[named]
    rows = []
    # By source too: a waiting-list row named as a project is another request.
    for (name, source), rows_of_project in projects.groupby(
            [projects["name"].astype(str), projects["source"].astype(str)], sort=False):
        connected = rows_of_project[rows_of_project["outcome"] == "connected"]
        withdrawn = (rows_of_project["outcome"] == "withdrawn").sum()
        dates = connected["connect_date"].dropna().astype("datetime64[ns]")
        mean, low, high = log_interval(connected["wait_years"].to_numpy())
        p10, p50, p90 = connection_quantiles(dates, replications, (0.1, 0.5, 0.9))
        full = (connected["full_connect_date"] if "full_connect_date" in connected
                else connected["connect_date"]).dropna().astype("datetime64[ns]")
        f10, f50, f90 = connection_quantiles(full, replications, (0.1, 0.5, 0.9))
        in_part = (connected["full_connect_date"] != connected["connect_date"]
                   if "full_connect_date" in connected else pd.Series(False, connected.index))
        rows.append({
            "project": name,
            "request_date": rows_of_project["request_date"].iloc[0],
            "replications": replications,
            "connected_share": len(connected) / replications,
            "withdrawn_share": withdrawn / replications,
            # Over every replication or not at all: the mean of those that connected it
            # alone describes only the futures in which the project was lucky, and is early.
            "connect_date_mean": dates.mean() if len(dates) == replications else pd.NaT,
            "connect_date_p10": p10,
            "connect_date_p50": p50,
            "connect_date_p90": p90,
            "wait_mean_years": mean,
            "wait_ci_low": low,
            "wait_ci_high": high,
            "full_connected_share": len(full) / replications,
            "full_connect_date_p10": f10,
            "full_connect_date_p50": f50,
            "full_connect_date_p90": f90,
            "source": source,
            "first_in_part_share": int(in_part.sum()) / replications,
        })
    return _project_table(rows)


def _project_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The projects table of ``rows``, dates to the day; typed alike when it has none."""
    columns = list(PROJECT_COLUMNS)
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column.startswith(("connect_date", "request_date", "full_connect_date")):
            # Days, in seconds as the applicants' dates: pandas holds no coarser unit.
            frame[column] = pd.to_datetime(frame[column]).dt.floor("D").astype("datetime64[s]")
    return frame if rows else frame.astype(PROJECT_DTYPES)


@functools.cache
def _no_projects() -> pd.DataFrame:
    """The projects table of a run without named applicants, made once per process.

    Speed: typing its empty columns took 3 ms a run, and selecting no rows of the applicants
    table 7 ms more, on the peer workload (160,000 applicants): 2% of its run.
    """
    return _project_table([])


PROJECT_DTYPES = {"project": "str", "replications": "int64", "connected_share": "float64",
                         "withdrawn_share": "float64", "wait_mean_years": "float64",
                         "wait_ci_low": "float64", "wait_ci_high": "float64",
                         "full_connected_share": "float64", "source": "str",
                         "first_in_part_share": "float64"}
"""The dtypes of the projects table's columns other than dates, also when it has no rows."""


def connection_quantiles(
    dates: pd.Series, replications: int, quantiles: tuple[float, ...]
) -> list[pd.Timestamp]:
    """Quantiles of a project's connection date over all ``replications``.

    ``dates`` are those of the replications that connected it; the others count as later
    than any of them (not by the end of the run), so a quantile that falls among them is
    NaT. Linear interpolation between order statistics, as pandas' own quantile: with every
    replication connected, the two agree. Counting every replication keeps a date from
    describing only the futures in which the project was lucky.
    """
    known = np.sort(dates.to_numpy(dtype="datetime64[ns]").astype(np.int64))
    out: list[pd.Timestamp] = []
    for q in quantiles:
        position = (replications - 1) * q
        below, above = int(np.floor(position)), int(np.ceil(position))
        if above >= len(known):
            out.append(pd.NaT)  # type: ignore[arg-type]  # pandas' missing Timestamp
            continue
        value = known[below] + (position - below) * (known[above] - known[below])
        out.append(pd.Timestamp(int(round(value))))
    return out
