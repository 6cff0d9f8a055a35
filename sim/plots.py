"""The comparison figures: one function per figure, each returning a matplotlib Figure.

Pure functions over the result tables, keyed by scenario label (the first is the reference).
Nothing is saved or shown, so callers can restyle a figure before writing it. Colours and
styles come from :mod:`sim.palette`, so a category looks the same in every figure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.applicants import CATEGORIES
from sim.incidence import incidence_by_group
from sim.metrics import ALL, METRICS
from sim.palette import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    HATCHES,
    LINESTYLES,
    MARKERS,
    SCENARIO_COLOURS,
    style,
)

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

BAND = (0.05, 0.95)
"""Quantiles across replications that bound the shaded 90% bands."""


def _present(applicants: Mapping[str, pd.DataFrame]) -> list[str]:
    """Categories with at least one applicant in some scenario, in framework order."""
    seen = set().union(*(set(a["category"].astype(str)) for a in applicants.values()))
    return [c for c in CATEGORIES if c in seen]


def _figure(rows: int, columns: int, width: float = 4.2, height: float = 3.2) -> Figure:
    return Figure(figsize=(width * columns + 0.8, height * rows + 0.9), layout="constrained")


def _band(ax: Axes, x: np.ndarray, values: pd.DataFrame, i: int, label: str) -> None:
    """Median across replications (columns of ``values``) with a shaded 90% band."""
    colour, linestyle = style(i, SCENARIO_COLOURS), style(i, LINESTYLES)
    low, high = values.quantile(BAND[0], axis=1), values.quantile(BAND[1], axis=1)
    ax.fill_between(x, low, high, color=colour, alpha=0.15, linewidth=0)
    ax.plot(x, values.median(axis=1), color=colour, linestyle=linestyle, label=label)


def queue_figure(timeseries: Mapping[str, pd.DataFrame]) -> Figure:
    """Queue length and queued MW over time: median and 90% band across replications."""
    fig = _figure(1, 2)
    axes = fig.subplots(1, 2)
    for i, (label, table) in enumerate(timeseries.items()):
        areas = table[table["area"].astype(str) != "upstream"]
        totals = areas.groupby(["date", "replication"])[["queue_total", "queued_mw_total"]].sum()
        for ax, column in zip(axes, ("queue_total", "queued_mw_total"), strict=True):
            wide = totals[column].unstack("replication")
            _band(ax, wide.index.to_numpy(), wide, i, label)
    axes[0].set(ylabel="Applicants waiting (count)", title="Queue length")
    axes[1].set(ylabel="Grid capacity requested by those waiting (MW)", title="Queued MW")
    for ax in axes:
        ax.set_xlabel("Date")
        ax.grid(alpha=0.3)
    axes[0].legend(title="Median, 90% band", fontsize="small")
    return fig


def time_to_connection_figure(
    applicants: Mapping[str, pd.DataFrame], starts: Mapping[str, dt.date] | None = None
) -> Figure:
    """Cumulative share connected (solid) and withdrawn (dashed) against years since request.

    Withdrawal is a competing outcome and applicants still waiting at the end are censored
    (Aalen-Johansen estimator, replications pooled), so no wait is counted as over too early.
    With each scenario's start date, a waiting list enters at the wait it had then.
    """
    count = len(applicants)
    columns = math.ceil(count / math.ceil(count / 3))
    rows = math.ceil(count / columns)
    fig = _figure(rows, columns, width=3.8)
    grid = np.atleast_1d(fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False))
    axes = grid.ravel()
    categories = _present(applicants)
    for ax, (label, table) in zip(axes, applicants.items(), strict=False):
        curves = incidence_by_group(table, (starts or {}).get(label))
        for category in categories:
            curve = curves[curves["category"] == category]
            if curve.empty:
                continue
            x = np.concatenate(([0.0], curve["time_years"].to_numpy()))
            for column, dashes in (("cif_connected", "-"), ("cif_withdrawn", "--")):
                y = np.concatenate(([0.0], curve[column].to_numpy()))
                ax.step(x, y, where="post", color=CATEGORY_COLOURS[category], linestyle=dashes)
        ax.set(title=label, ylim=(0, 1))
        ax.grid(alpha=0.3)
    for ax in axes[count:]:
        ax.set_visible(False)
    for ax in axes[max(count - columns, 0):count]:  # the lowest panel of each column
        ax.set_xlabel("Years since request")
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in grid[:, 0]:
        ax.set_ylabel("Cumulative share of applicants")
    handles = [Line2D([], [], color=CATEGORY_COLOURS[c], label=CATEGORY_LABELS[c])
               for c in categories]
    handles += [Line2D([], [], color="black", linestyle="-", label="connected"),
                Line2D([], [], color="black", linestyle="--", label="withdrawn")]
    axes[0].legend(handles=handles, fontsize="small", loc="upper left")
    return fig


def wait_figure(applicants: Mapping[str, pd.DataFrame]) -> Figure:
    """Wait of connected applicants, one box per scenario in a panel per category."""
    categories = _present(applicants)
    fig = _figure(1, max(len(categories), 1), width=2.2 + 0.6 * len(applicants))
    axes = np.atleast_1d(fig.subplots(1, max(len(categories), 1), sharey=True))
    labels = list(applicants)
    for ax, category in zip(axes, categories, strict=False):
        waits = []
        for table in applicants.values():
            mine = table[(table["category"].astype(str) == category)
                         & (table["outcome"].astype(str) == "connected")]
            waits.append(mine["wait_years"].to_numpy(dtype=float))
        boxes = ax.boxplot(waits, tick_labels=labels, patch_artist=True, widths=0.6,
                           medianprops={"color": "black"}, flierprops={"markersize": 3})
        for i, box in enumerate(boxes["boxes"]):
            box.set(facecolor=CATEGORY_COLOURS[category], alpha=0.6,
                    hatch=style(i, HATCHES))
        ax.set(title=CATEGORY_LABELS[category], xlabel="Scenario")
        ax.tick_params(axis="x", labelrotation=30)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("Wait of connected applicants (years)")
    return fig


def connected_figure(
    applicants: Mapping[str, pd.DataFrame], timeseries: Mapping[str, pd.DataFrame]
) -> Figure:
    """Cumulative MW and jobs connected over time: median and 90% band across replications."""
    fig = _figure(1, 2)
    axes = fig.subplots(1, 2)
    for i, (label, table) in enumerate(applicants.items()):
        dates = np.sort(timeseries[label]["date"].unique())
        replications = np.sort(timeseries[label]["replication"].unique())
        connected = table[table["outcome"].astype(str) == "connected"]
        for ax, column in zip(axes, ("requested_mw", "jobs"), strict=True):
            wide = pd.DataFrame(
                {r: _cumulative_at(connected[connected["replication"] == r], column, dates)
                 for r in replications}, index=dates)
            _band(ax, dates, wide, i, label)
    axes[0].set(ylabel="Grid capacity connected, cumulative (MW)", title="MW connected")
    axes[1].set(ylabel="Jobs connected, cumulative (jobs)", title="Jobs connected")
    for ax in axes:
        ax.set_xlabel("Date")
        ax.grid(alpha=0.3)
    axes[0].legend(title="Median, 90% band", fontsize="small")
    return fig


def _cumulative_at(rows: pd.DataFrame, column: str, dates: np.ndarray) -> np.ndarray:
    """Sum of ``column`` over the rows connected on or before each date."""
    order = np.argsort(rows["connect_date"].to_numpy())
    when = rows["connect_date"].to_numpy()[order].astype(dates.dtype)
    totals = np.concatenate(([0.0], np.cumsum(rows[column].to_numpy(dtype=float)[order])))
    return totals[np.searchsorted(when, dates, side="right")]


def withdrawals_figure(summaries: Mapping[str, pd.DataFrame]) -> Figure:
    """Applicants withdrawn and jobs lost per category and scenario, with 95% intervals."""
    fig = _figure(1, 2, width=5.0)
    axes = fig.subplots(1, 2)
    present = [c for c in CATEGORIES if any(
        _value(s, c, "applicants") > 0 for s in summaries.values())]
    width = 0.8 / len(summaries)
    x = np.arange(len(present))
    for ax, metric in zip(axes, ("withdrawn", "jobs_withdrawn"), strict=True):
        for i, (label, summary) in enumerate(summaries.items()):
            rows = summary[summary["metric"] == metric].set_index("group").reindex(present)
            mean = rows["mean"].to_numpy(dtype=float)
            error = np.abs(rows[["ci_low", "ci_high"]].to_numpy(dtype=float).T - mean)
            ax.bar(x + (i - (len(summaries) - 1) / 2) * width, mean, width,
                   yerr=np.nan_to_num(error), capsize=3, label=label,
                   color=[CATEGORY_COLOURS[c] for c in present], alpha=0.75,
                   hatch=style(i, HATCHES), edgecolor="black", linewidth=0.6)
        ax.set_xticks(x, [CATEGORY_LABELS[c] for c in present], rotation=20)
        ax.set_xlabel("Category")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set(ylabel="Applicants withdrawn (count)", title="Withdrawals")
    axes[1].set(ylabel="Jobs lost to withdrawal (jobs)", title="Jobs lost")
    handles = [_hatch_handle(i, label) for i, label in enumerate(summaries)]
    axes[0].legend(handles=handles, title="Scenario (mean, 95% CI)", fontsize="small")
    return fig


def _value(summary: pd.DataFrame, group: str, metric: str) -> float:
    row = summary[(summary["group"] == group) & (summary["metric"] == metric)]
    return float(row["mean"].iloc[0]) if len(row) else 0.0


def _hatch_handle(i: int, label: str) -> Patch:
    return Patch(facecolor="white", edgecolor="black", hatch=style(i, HATCHES), label=label)


def differences_figure(table: pd.DataFrame, metrics: tuple[str, ...] = FOREST_METRICS) -> Figure:
    """Forest plot: each scenario's difference from the reference with its 95% interval.

    ``table`` is a comparison table (:func:`sim.differences.comparison_table`). Filled markers
    are paired intervals (common random numbers), hollow ones unpaired (Welch).
    """
    sizes = table[table["metric"] == "applicants"].groupby("group")["mean"].max()
    rows = table[table["metric"].isin(metrics) & table["paired"].notna()
                 & table["group"].map(sizes).gt(0) & table["difference_ci_low"].notna()]
    scenarios = list(dict.fromkeys(rows["scenario"]))
    groups = [g for g in (*CATEGORIES, ALL) if g in set(rows["group"])]
    fig = _figure(1, len(metrics), width=3.4, height=0.35 * len(groups) * len(scenarios) + 1.2)
    axes = np.atleast_1d(fig.subplots(1, len(metrics), sharey=True))
    positions = {(g, s): -(gi * (len(scenarios) + 1) + si)
                 for gi, g in enumerate(groups) for si, s in enumerate(scenarios)}
    for ax, metric in zip(axes, metrics, strict=True):
        for row in rows[rows["metric"] == metric].itertuples():
            y, colour = positions[(row.group, row.scenario)], CATEGORY_COLOURS[row.group]
            si = scenarios.index(row.scenario)
            ax.errorbar(row.difference, y, xerr=[[row.difference - row.difference_ci_low],
                                                  [row.difference_ci_high - row.difference]],
                        fmt=style(si, MARKERS), color=colour, capsize=3,
                        markerfacecolor=colour if row.paired else "white")
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set(title=metric, xlabel=f"Difference ({METRICS[metric].unit})")
        ax.grid(axis="x", alpha=0.3)
    reference = table["reference"].iloc[0]
    axes[0].set_yticks(list(positions.values()),
                       [f"{CATEGORY_LABELS[g]}: {s}" for g, s in positions])
    fig.suptitle(f"Difference from {reference} (mean, 95% CI)")
    handles = [Line2D([], [], color="black", marker=style(i, MARKERS), linestyle="",
                      label=s) for i, s in enumerate(scenarios)]
    handles += [Line2D([], [], color="black", marker="o", linestyle="", label="paired"),
                Line2D([], [], color="black", marker="o", markerfacecolor="white",
                       linestyle="", label="unpaired (Welch)")]
    axes[-1].legend(handles=handles, fontsize="small", loc="best")
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
    fig = _figure(1, 1, width=8.5, height=0.5 * len(rows) + 0.4 * len(names) + 1.0)
    ax = fig.subplots()
    ticks, tick_labels = [], []
    for i, (name, si, label, mine) in enumerate(rows):
        y = -(i + names.index(name))  # a blank row between projects
        colour = CATEGORY_COLOURS[str(mine["category"].iloc[0])]
        dates = mine.loc[mine["outcome"].astype(str) == "connected", "connect_date"]
        ax.plot(dates, np.full(len(dates), y), linestyle="", alpha=0.6, color=colour,
                marker=style(si, MARKERS))
        if len(dates):
            ax.plot([dates.median()] * 2, [y - 0.35, y + 0.35], color="black")
        ax.plot(mine["request_date"].iloc[:1], [y], linestyle="", marker="|", markersize=14,
                color="black")
        ticks.append(y)
        tick_labels.append(f"{name}\n{label}: {len(dates)}/{len(mine)} connected")
    ax.set_yticks(ticks, tick_labels)
    ax.set_ylim(min(ticks) - 0.7, max(ticks) + 0.7)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set(xlabel="Date: request (|), connection in each replication (dots), median (bar)",
           title="When named projects get connected")
    ax.grid(axis="x", alpha=0.3)
    return fig
