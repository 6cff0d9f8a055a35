"""A compact text table of the key figures, for the end of ``gridqueue run``."""

from __future__ import annotations

import math

from sim.runs.results import Results

__all__ = ["format_summary"]

SHOWN = (
    "applicants", "connected", "withdrawn", "waiting", "wait_mean_years", "wait_p90_years",
    "connected_within_2y", "jobs_connected", "jobs_withdrawn", "mw_connected", "mw_waiting",
)


def format_summary(results: Results) -> str:
    """Key figures by category: the mean with its 95% interval in brackets."""
    summary = results.summary
    groups = [g for g in summary["group"].unique()
              if summary[(summary["group"] == g) & (summary["metric"] == "applicants")]["mean"]
              .iloc[0] > 0]
    cells = {(row.group, row.metric): _cell(row.mean, row.ci_low, row.ci_high)
             for row in summary.itertuples()}
    width = max(len(m) for m in SHOWN)
    column = max([len(g) for g in groups] + [len(c) for c in cells.values()])
    lines = [f"{'':{width}}  " + "  ".join(f"{g:>{column}}" for g in groups)]
    for metric in SHOWN:
        lines.append(f"{metric:{width}}  " + "  ".join(
            f"{cells.get((g, metric), ''):>{column}}" for g in groups))
    return "\n".join(lines)


def _cell(mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "-"
    if math.isnan(low):
        return _fmt(mean)
    return f"{_fmt(mean)} [{_fmt(low)}-{_fmt(high)}]"


def _fmt(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
