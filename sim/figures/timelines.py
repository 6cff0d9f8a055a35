"""Figures over calendar time: queue length by category, MW and jobs connected.

Each scenario is one line (median across replications) with a shaded 90% band, drawn in its
own colour, line style and markers, with the legend beside the axes so it covers no data. The
queue has a panel per category, so a policy that moves one category ahead shows as lines
parting in that category's panel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from sim.figures.numbers import group_thousands
from sim.figures.palette import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    new_figure,
    outside_legend,
    scenario_handle,
    scenario_style,
)
from sim.inputs.applicants import CATEGORIES
from sim.runs.metrics import ALL

__all__ = ["BAND", "area_queue_figure", "connected_figure", "queue_figure"]

BAND = (0.05, 0.95)
"""Quantiles across replications that bound the shaded 90% bands."""

FAINTEST_BAND = 0.1
"""Opacity below which a band no longer fades as scenarios are added: at 0.03 (ten
scenarios) a band apart from the others was hardly darker than white paper."""

MARK_EVERY = 0.09
"""Distance between a line's markers, as a share of the axes diagonal."""


def queue_figure(timeseries: Mapping[str, pd.DataFrame]) -> Figure:
    """Applicants waiting over time, a panel per category (and all together), a line per scenario.

    Median and 90% band across replications; each panel on its own scale, so a small
    category stays readable. Categories nobody ever waits in are named in a note instead.
    """
    columns = [f"queue_{c}" for c in CATEGORIES]
    totals = {label: _area_totals(table, [c for c in table.columns if c.startswith("queue_")])
              for label, table in timeseries.items()}
    waited = [c for c, column in zip(CATEGORIES, columns, strict=True)
              if any(column in t and (t[column] > 0).any() for t in totals.values())]
    groups = [ALL, *waited]
    fig, axes = _queue_panels(len(groups))
    for ax, group in zip(axes, groups, strict=False):
        column = "queue_total" if group == ALL else f"queue_{group}"
        for i, table in enumerate(totals.values()):
            wide = table[column].unstack("replication")
            _band(ax, wide.index.to_numpy(), wide, i, len(totals))
        ax.set_title(CATEGORY_LABELS[group], color=CATEGORY_COLOURS[group])
        ax.set_ylim(bottom=0)
    absent = [CATEGORY_LABELS[c] for c in CATEGORIES if c not in waited]
    if absent:
        fig.supxlabel(f"Nobody waits in: {', '.join(absent)}", fontsize="medium",
                      color="#444444")
    handles = [scenario_handle(i, label) for i, label in enumerate(timeseries)]
    outside_legend(fig, handles, "Scenario\n(median, 90% band)")
    return fig


def area_queue_figure(timeseries: pd.DataFrame, label: str) -> Figure:
    """Applicants waiting in each grid area over time: a panel per area, one run (``label``).

    Median and 90% band across replications, each panel on its own scale, as
    :func:`queue_figure`'s panels per category; the areas sum to its "All applicants".
    Areas nobody ever waits in are named in a note instead.
    """
    table = timeseries[timeseries["area"].astype(str) != "upstream"]
    names = table["area"].astype(str)
    waited = table.groupby(names.to_numpy(), sort=False)["queue_total"].max() > 0
    areas = [area for area in dict.fromkeys(names) if waited[area]] or list(waited.index[:1])
    fig, axes = _queue_panels(len(areas))
    for ax, area in zip(axes, areas, strict=False):
        mine = table[table["area"].astype(str) == area]
        wide = mine.pivot(index="date", columns="replication", values="queue_total")
        _band(ax, wide.index.to_numpy(), wide, 0, 1)
        ax.set_title(area)
        ax.set_ylim(bottom=0)
    absent = [area for area in waited.index if area not in areas]
    if absent:
        fig.supxlabel(f"Nobody waits in: {', '.join(absent)}", fontsize="medium",
                      color="#444444")
    outside_legend(fig, [scenario_handle(0, label)], "Scenario\n(median, 90% band)")
    return fig


def _queue_panels(count: int) -> tuple[Figure, list[Axes]]:
    """``count`` panels of applicants waiting over time, three to a row, dates beneath.

    Each on its own scale (the caller starts it at zero once drawn); the panels beyond
    ``count`` are hidden, and the lowest panel of each column shows the dates.
    """
    width = min(count, 3)
    rows = math.ceil(count / width)
    fig = new_figure(3.7 * width + 2.4, 2.7 * rows + 0.9)
    axes = list(np.atleast_1d(fig.subplots(rows, width, sharex=True, squeeze=False)).ravel())
    for ax in axes[count:]:
        ax.set_visible(False)
    for i, ax in enumerate(axes[:count]):
        ax.grid(alpha=0.3)
        group_thousands(ax.yaxis)
        _dates(ax)
        if ax.get_subplotspec().is_first_col():
            ax.set_ylabel("Applicants waiting (count)")
        if i + width >= count:  # no panel below: this one shows the dates
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel("Date")
    return fig, axes[:count]


def _area_totals(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` summed over the areas (not the upstream row), by date and replication."""
    areas = table[table["area"].astype(str) != "upstream"]
    return areas.groupby(["date", "replication"])[columns].sum()


def _dates(ax: Axes) -> None:
    """Short date labels that never overlap."""
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def connected_figure(
    applicants: Mapping[str, pd.DataFrame], timeseries: Mapping[str, pd.DataFrame]
) -> Figure:
    """Firm MW held and jobs connected over time: median and 90% band across replications.

    The MW are the grid's own count at each snapshot (``connected_mw``, summed over the
    areas), so they never exceed the grid: MW taken back by a mechanism and connected to
    someone else count once, part of a request counts as the part, a non-firm right not at
    all. The jobs are those of everyone connected by each date, first connections included.
    """
    fig, axes = _pair(len(applicants))
    for i, (label, table) in enumerate(applicants.items()):
        held = _area_totals(timeseries[label], ["connected_mw"])["connected_mw"]
        wide = held.unstack("replication")
        dates = wide.index.to_numpy()
        _band(axes[0], dates, wide, i, len(applicants))
        connected = table[table["outcome"].astype(str) == "connected"]
        jobs = pd.DataFrame(
            {r: _cumulative_at(connected[connected["replication"] == r], "jobs", dates)
             for r in wide.columns}, index=dates)
        _band(axes[1], dates, jobs, i, len(applicants))
    axes[0].set(ylabel="Firm grid capacity held (MW)", title="MW connected (firm)")
    axes[1].set(ylabel="Jobs connected, cumulative (jobs)", title="Jobs connected")
    _finish(fig, axes, list(applicants))
    return fig


def _pair(count: int) -> tuple[Figure, list[Axes]]:
    """Two panels side by side, with room on the right for a legend of ``count`` scenarios."""
    fig = new_figure(11.0 if count > 14 else 10.0, 4.2)
    return fig, list(fig.subplots(1, 2))


def _band(ax: Axes, x: np.ndarray, values: pd.DataFrame, i: int, count: int) -> None:
    """Median across replications (columns of ``values``) with a shaded 90% band.

    Bands grow fainter as scenarios are added, so overlapping bands stay apart, down to
    :data:`FAINTEST_BAND`, so that each still shows; lines are drawn above every band.
    """
    look = scenario_style(i)
    low, high = values.quantile(BAND[0], axis=1), values.quantile(BAND[1], axis=1)
    ax.fill_between(x, low, high, color=look.colour, linewidth=0,
                    alpha=max(0.3 / max(count, 2), FAINTEST_BAND))
    start = MARK_EVERY * (i % 6) / 6  # markers of lines drawn on top of each other interleave
    ax.plot(x, values.median(axis=1), **look.line(), markersize=4, linewidth=1.4,
            markevery=(start, MARK_EVERY))


def _finish(fig: Figure, axes: list[Axes], labels: list[str]) -> None:
    for ax in axes:
        ax.set_xlabel("Date")
        ax.grid(alpha=0.3)
        group_thousands(ax.yaxis)
        _dates(ax)
    handles = [scenario_handle(i, label) for i, label in enumerate(labels)]
    outside_legend(fig, handles, "Scenario\n(median, 90% band)")


def _cumulative_at(rows: pd.DataFrame, column: str, dates: np.ndarray) -> np.ndarray:
    """Sum of ``column`` over the rows connected on or before each date."""
    order = np.argsort(rows["connect_date"].to_numpy())
    when = rows["connect_date"].to_numpy()[order].astype(dates.dtype)
    totals = np.concatenate(([0.0], np.cumsum(rows[column].to_numpy(dtype=float)[order])))
    return totals[np.searchsorted(when, dates, side="right")]
