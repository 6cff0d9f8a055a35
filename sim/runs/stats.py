"""Statistics across replications: means with Student-t confidence intervals."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import special

from sim.runs.metrics import METRICS

__all__ = ["CONFIDENCE", "mean_interval", "summarise", "summarise_projects", "t_quantile"]

CONFIDENCE = 0.95
"""Confidence level of every interval gridqueue reports."""


def mean_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of independent replications.

    NaN values (e.g. a mean wait in a replication where nobody connected) are left out; with
    fewer than two values the interval is NaN.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, np.nan, np.nan
    half = t_quantile(confidence, len(values) - 1) * float(
        values.std(ddof=1) / np.sqrt(len(values))
    )
    return mean, mean - half, mean + half


@functools.lru_cache(maxsize=1024)
def t_quantile(confidence: float, dof: float) -> float:
    """The Student-t quantile of a two-sided interval with ``dof`` degrees of freedom.

    ``scipy.special.stdtrit`` is what ``scipy.stats.t.ppf`` computes, to the bit; importing
    ``scipy.stats`` instead took 0.7 s and left some 27,000 more objects for every full
    garbage collection to walk. Cached: a summary asks for the same quantile for each of its
    hundred-odd figures.
    """
    return float(special.stdtrit(dof, (1 + confidence) / 2))


def summarise(per_replication: pd.DataFrame) -> pd.DataFrame:
    """Summarise tidy per-replication figures (``replication, group, metric, value``).

    One row per group and metric with mean, interval, standard deviation and the number of
    replications that had a value.
    """
    rows = []
    for (group, metric), values in per_replication.groupby(["group", "metric"], sort=False)[
        "value"
    ]:
        data = values.to_numpy(dtype=float)
        mean, low, high = mean_interval(data)
        known = data[~np.isnan(data)]
        std = float(known.std(ddof=1)) if len(known) > 1 else np.nan
        rows.append((group, metric, METRICS[metric].unit, mean, low, high, std, len(known)))
    return pd.DataFrame(
        rows,
        columns=["group", "metric", "unit", "mean", "ci_low", "ci_high", "std", "replications"],
    )


def summarise_projects(applicants: pd.DataFrame, replications: int) -> pd.DataFrame:
    """When each named project gets connected, across replications.

    One row per project: how often it was connected by the end, the mean and the 10th, 50th
    and 90th percentile of its connection date over the replications in which it connected,
    and its mean wait with a confidence interval.
    """
    projects = applicants[applicants["source"] == "project"]
    rows = []
    for name, rows_of_project in projects.groupby("name", sort=False):
        connected = rows_of_project[rows_of_project["outcome"] == "connected"]
        dates = connected["connect_date"].dropna().astype("datetime64[ns]")
        mean, low, high = mean_interval(connected["wait_years"].to_numpy())
        quantiles = dates.quantile([0.1, 0.5, 0.9]) if len(dates) else pd.Series([pd.NaT] * 3)
        rows.append({
            "project": name,
            "request_date": rows_of_project["request_date"].iloc[0],
            "replications": replications,
            "connected_share": len(connected) / replications,
            "connect_date_mean": dates.mean() if len(dates) else pd.NaT,
            "connect_date_p10": quantiles.iloc[0],
            "connect_date_p50": quantiles.iloc[1],
            "connect_date_p90": quantiles.iloc[2],
            "wait_mean_years": mean,
            "wait_ci_low": low,
            "wait_ci_high": high,
        })
    columns = ["project", "request_date", "replications", "connected_share",
               "connect_date_mean", "connect_date_p10", "connect_date_p50", "connect_date_p90",
               "wait_mean_years", "wait_ci_low", "wait_ci_high"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column.startswith(("connect_date", "request_date")):
            frame[column] = pd.to_datetime(frame[column]).dt.floor("D")
    return frame
