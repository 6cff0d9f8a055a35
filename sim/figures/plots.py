"""The comparison figures: one function per figure, each returning a matplotlib Figure.

Pure functions over the result tables, keyed by scenario label (the first is the reference).
Nothing is saved or shown, so callers can restyle a figure before writing it. Colours and
styles come from :mod:`sim.figures.palette`, so a category looks the same in every figure. Figures
over calendar time are in :mod:`sim.figures.timelines`, those split by category in
:mod:`sim.figures.categories`; this module gathers them and adds the differences and projects.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.dates import ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.figures.categories import time_to_connection_figure, wait_figure, withdrawals_figure
from sim.figures.palette import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    new_figure,
    outside_legend,
    scenario_handle,
    scenario_style,
)
from sim.figures.timelines import connected_figure, queue_figure
from sim.inputs.applicants import CATEGORIES
from sim.runs.metrics import ALL, METRICS

__all__ = [
    "FOREST_METRICS",
    "connected_figure",
    "differences_figure",
    "projects_figure",
    "queue_figure",
    "time_to_connection_figure",
    "wait_figure",
    "withdrawals_figure",
]

FOREST_METRICS = ("wait_mean_years", "connected_within_2y", "withdrawn", "jobs_withdrawn")
"""Key figures shown in the forest plot of differences against the reference."""


def differences_figure(table: pd.DataFrame, metrics: tuple[str, ...] = FOREST_METRICS) -> Figure:
    """Forest plot: each scenario's difference from the reference with its 95% interval.

    ``table`` is a comparison table
    (:func:`sim.analysis.differences.comparison_table`). A block of rows
    per category, headed by its name; filled markers are paired intervals (common random
    numbers), hollow ones unpaired (Welch).
    """
    sizes = table[table["metric"] == "applicants"].groupby("group")["mean"].max()
    rows = table[table["metric"].isin(metrics) & table["paired"].notna()
                 & table["group"].map(sizes).gt(0) & table["difference_ci_low"].notna()]
    order = list(dict.fromkeys(table["scenario"]))  # the reference first, as in every figure
    scenarios = list(dict.fromkeys(rows["scenario"]))
    groups = [g for g in (*CATEGORIES, ALL) if g in set(rows["group"])]
    block = len(scenarios) + 1.5  # a header row and a gap per category
    headers = {g: -gi * block for gi, g in enumerate(groups)}
    positions = {(g, s): headers[g] - 1 - si for g in groups for si, s in enumerate(scenarios)}
    fig = new_figure(2.6 * len(metrics) + 2.4, 0.24 * block * len(groups) + 2.0)
    axes = np.atleast_1d(fig.subplots(1, len(metrics), sharey=True))
    for ax, metric in zip(axes, metrics, strict=True):
        for row in rows[rows["metric"] == metric].itertuples():
            colour = CATEGORY_COLOURS[row.group]
            ax.errorbar(row.difference, positions[(row.group, row.scenario)],
                        xerr=[[row.difference - row.difference_ci_low],
                              [row.difference_ci_high - row.difference]],
                        fmt=scenario_style(order.index(row.scenario)).marker, color=colour,
                        capsize=2.5, markersize=5.5,
                        markerfacecolor=colour if row.paired else "white")
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set(title=metric, xlabel=f"Difference ({METRICS[metric].unit})")
        ax.grid(axis="x", alpha=0.3)
    ticks = {**{y: CATEGORY_LABELS[g] for g, y in headers.items()},
             **{y: s for (_, s), y in positions.items()}}
    axes[0].set_yticks(list(ticks), list(ticks.values()))
    axes[0].set_ylim(min(ticks) - 0.7, 0.7)
    for label, group in zip(axes[0].get_yticklabels()[:len(groups)], groups, strict=True):
        label.set(fontweight="bold", color=CATEGORY_COLOURS[group])
    fig.suptitle(f"Difference from {table['reference'].iloc[0]} (mean, 95% CI)")
    handles = [scenario_handle(order.index(s), s, line=False, colour="black")
               for s in scenarios]
    handles += [Line2D([], [], color="black", marker="o", linestyle="", label="paired"),
                Line2D([], [], color="black", marker="o", markerfacecolor="white",
                       linestyle="", label="unpaired (Welch)")]
    outside_legend(fig, handles, "Scenario (marker)", below=True)
    return fig


def projects_figure(applicants: Mapping[str, pd.DataFrame]) -> Figure:
    """When each named project gets connected, across replications.

    One dot per replication that connected it, the median as a bar and the request date as a
    tick, so the wait shows as the distance between them.
    """
    projects = {label: a[a["source"].astype(str) == "project"] for label, a in applicants.items()}
    names = list(dict.fromkeys(n for p in projects.values() for n in p["name"].astype(str)))
    rows = [(name, si, label, mine) for name in names
            for si, (label, table) in enumerate(projects.items())
            if not (mine := table[table["name"].astype(str) == name]).empty]
    if not rows:
        raise ValueError("no scenario names a project")
    fig = new_figure(9.5, 0.5 * len(rows) + 0.4 * len(names) + 1.9)
    ax = fig.subplots()
    ticks, tick_labels = [], []
    for i, (name, si, label, mine) in enumerate(rows):
        y = -(i + names.index(name))  # a blank row between projects
        colour = CATEGORY_COLOURS[str(mine["category"].iloc[0])]
        dates = mine.loc[mine["outcome"].astype(str) == "connected", "connect_date"]
        ax.plot(dates, np.full(len(dates), y), linestyle="", alpha=0.7, color=colour,
                marker=scenario_style(si).marker, markersize=8, zorder=3)
        if len(dates):
            ax.plot([dates.median()] * 2, [y - 0.35, y + 0.35], color="black", zorder=2)
        ax.plot(mine["request_date"].iloc[:1], [y], linestyle="", marker="|", markersize=14,
                color="black")
        ticks.append(y)
        tick_labels.append(f"{name}\n{label}: {len(dates)}/{len(mine)} connected")
    ax.set_yticks(ticks, tick_labels)
    ax.set_ylim(min(ticks) - 0.7, max(ticks) + 0.7)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set(xlabel="Date: request (|), connection in each replication (markers), median (bar)",
           title="When named projects get connected")
    ax.grid(axis="x", alpha=0.3)
    return fig
