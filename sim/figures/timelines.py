"""Figures over calendar time: queue length and queued MW, MW and jobs connected.

Each scenario is one line (median across replications) with a shaded 90% band, drawn in its
own colour, line style and markers, with the legend beside the axes so it covers no data.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.figures.palette import new_figure, outside_legend, scenario_handle, scenario_style

__all__ = ["BAND", "connected_figure", "queue_figure"]

BAND = (0.05, 0.95)
"""Quantiles across replications that bound the shaded 90% bands."""

MARK_EVERY = 0.09
"""Distance between a line's markers, as a share of the axes diagonal."""


def queue_figure(timeseries: Mapping[str, pd.DataFrame]) -> Figure:
    """Queue length and queued MW over time: median and 90% band across replications."""
    fig, axes = _pair(len(timeseries))
    for i, table in enumerate(timeseries.values()):
        areas = table[table["area"].astype(str) != "upstream"]
        totals = areas.groupby(["date", "replication"])[["queue_total", "queued_mw_total"]].sum()
        for ax, column in zip(axes, ("queue_total", "queued_mw_total"), strict=True):
            wide = totals[column].unstack("replication")
            _band(ax, wide.index.to_numpy(), wide, i, len(timeseries))
    axes[0].set(ylabel="Applicants waiting (count)", title="Queue length")
    axes[1].set(ylabel="Grid capacity requested by those waiting (MW)", title="Queued MW")
    _finish(fig, axes, list(timeseries))
    return fig


def connected_figure(
    applicants: Mapping[str, pd.DataFrame], timeseries: Mapping[str, pd.DataFrame]
) -> Figure:
    """Cumulative MW and jobs connected over time: median and 90% band across replications."""
    fig, axes = _pair(len(applicants))
    for i, (label, table) in enumerate(applicants.items()):
        dates = np.sort(timeseries[label]["date"].unique())
        replications = np.sort(timeseries[label]["replication"].unique())
        connected = table[table["outcome"].astype(str) == "connected"]
        for ax, column in zip(axes, ("requested_mw", "jobs"), strict=True):
            wide = pd.DataFrame(
                {r: _cumulative_at(connected[connected["replication"] == r], column, dates)
                 for r in replications}, index=dates)
            _band(ax, dates, wide, i, len(applicants))
    axes[0].set(ylabel="Grid capacity connected, cumulative (MW)", title="MW connected")
    axes[1].set(ylabel="Jobs connected, cumulative (jobs)", title="Jobs connected")
    _finish(fig, axes, list(applicants))
    return fig


def _pair(count: int) -> tuple[Figure, list[Axes]]:
    """Two panels side by side, with room on the right for a legend of ``count`` scenarios."""
    fig = new_figure(11.0 if count > 14 else 10.0, 4.2)
    return fig, list(fig.subplots(1, 2))


def _band(ax: Axes, x: np.ndarray, values: pd.DataFrame, i: int, count: int) -> None:
    """Median across replications (columns of ``values``) with a shaded 90% band.

    Bands grow fainter as scenarios are added, so overlapping bands do not hide the lines.
    """
    look = scenario_style(i)
    low, high = values.quantile(BAND[0], axis=1), values.quantile(BAND[1], axis=1)
    ax.fill_between(x, low, high, color=look.colour, alpha=0.3 / max(count, 2), linewidth=0)
    start = MARK_EVERY * (i % 6) / 6  # markers of lines drawn on top of each other interleave
    ax.plot(x, values.median(axis=1), **look.line(), markersize=4, linewidth=1.4,
            markevery=(start, MARK_EVERY))


def _finish(fig: Figure, axes: list[Axes], labels: list[str]) -> None:
    for ax in axes:
        ax.set_xlabel("Date")
        ax.grid(alpha=0.3)
    handles = [scenario_handle(i, label) for i, label in enumerate(labels)]
    outside_legend(fig, handles, "Scenario\n(median, 90% band)")


def _cumulative_at(rows: pd.DataFrame, column: str, dates: np.ndarray) -> np.ndarray:
    """Sum of ``column`` over the rows connected on or before each date."""
    order = np.argsort(rows["connect_date"].to_numpy())
    when = rows["connect_date"].to_numpy()[order].astype(dates.dtype)
    totals = np.concatenate(([0.0], np.cumsum(rows[column].to_numpy(dtype=float)[order])))
    return totals[np.searchsorted(when, dates, side="right")]
