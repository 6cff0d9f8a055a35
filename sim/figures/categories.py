"""Figures split by category: time to connection, waits, withdrawals.

A category is drawn in its own colour; where scenarios share a panel they are named on the
axis (one row each, the reference on top), so no legend is needed and names stay readable
with many scenarios. Figures grow with the number of scenarios instead of squeezing them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.figures.numbers import group_thousands
from sim.figures.palette import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    new_figure,
    outside_legend,
    scenario_style,
)
from sim.inputs.applicants import CATEGORIES
from sim.runs.curve_intervals import (
    DIFFERENCE_COLUMNS,
    connection_band,
    connection_difference,
    replication_curves,
)
from sim.runs.incidence import incidence_by_group

__all__ = ["present_categories", "time_to_connection_figure", "wait_figure",
           "withdrawals_figure"]

ROW_INCHES = 0.3
"""Height of one scenario's row in the panels that give each scenario a row."""

HATCH = {"hatchcolor": "#00000099", "hatch_linewidth": 0.7}
"""Scenario hatches drawn thin and half dark, so medians and error bars stay visible."""


def present_categories(applicants: Mapping[str, pd.DataFrame]) -> list[str]:
    """Categories with at least one applicant in some scenario, in framework order."""
    seen = {str(c) for a in applicants.values() for c in a["category"].unique()}
    return [c for c in CATEGORIES if c in seen]


def time_to_connection_figure(
    applicants: Mapping[str, pd.DataFrame], starts: Mapping[str, dt.date] | None = None,
    references: Mapping[str, str] | None = None,
) -> Figure:
    """Cumulative share connected (solid) and withdrawn (dashed) against years since request.

    Withdrawal is a competing outcome and applicants still waiting at the end are censored
    (Aalen-Johansen estimator, replications pooled), so no wait is counted as over too early.
    With each scenario's start date, a waiting list enters at the wait it had then. A lightly
    shaded band around each share connected is its 95% confidence interval across
    replications (:func:`sim.runs.curve_intervals.connection_band`), up to the longest wait
    every replication follows; a panel of one replication has none and says so.
    ``references`` maps a scenario to the one it is paired with: its share connected is drawn
    thicker where their paired difference's 95% interval leaves out zero, the reference named
    in the legend (in the panel's title, where there are several). A category with
    applicants whose curve is known at no wait (:data:`NOT_DRAWN`) is not drawn: its panel
    says so, and its legend entry too where no panel draws it.
    """
    count = len(applicants)
    columns = math.ceil(count / math.ceil(count / 3))
    rows = math.ceil(count / columns)
    fig = new_figure(3.6 * columns + 0.8, 2.9 * rows + 1.0)
    grid = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    axes = grid.ravel()
    categories = present_categories(applicants)
    starts = starts or {}
    banded = thickened = False
    drawn: set[str] = set()
    each = {label: replication_curves(table, starts.get(label))
            for label, table in applicants.items()}
    named = set((references or {}).values())
    for ax, (label, table) in zip(axes, applicants.items(), strict=False):
        curves = incidence_by_group(table, starts.get(label))
        asked = {str(c) for c in table["category"].unique()}
        unknown = [c for c in categories
                   if c in asked and not (curves["category"] == c).any()]
        bands = connection_band(each[label])
        reference = (references or {}).get(label)
        differs = pd.DataFrame(columns=["category", *DIFFERENCE_COLUMNS]) \
            if reference is None else connection_difference(each[label], each[reference])
        for category in categories:
            curve = curves[curves["category"] == category]
            if curve.empty:  # no applicants here, or a curve known at no wait (unknown)
                continue
            drawn.add(category)
            colour = CATEGORY_COLOURS[category]
            band = bands[bands["category"] == category]
            if not band.empty:
                ax.fill_between(band["time_years"], band["ci_low"], band["ci_high"],
                                step="post", color=colour, alpha=BAND_ALPHA, linewidth=0)
                banded = True
            x = np.concatenate(([0.0], curve["time_years"].to_numpy()))
            for column, dashes in (("cif_connected", "-"), ("cif_withdrawn", "--")):
                y = np.concatenate(([0.0], curve[column].to_numpy()))
                ax.step(x, y, where="post", color=colour, linestyle=dashes)
            connected = np.concatenate(([0.0], curve["cif_connected"].to_numpy()))
            for lo, hi in _spans_apart(differs[differs["category"] == category]):
                inside = (x > lo) & (x < hi)
                ax.step(np.concatenate(([lo], x[inside], [hi])),
                        np.concatenate((_step_at(x, connected, [lo]), connected[inside],
                                        _step_at(x, connected, [hi]))),
                        where="post", color=colour, linewidth=THICK_WIDTH,
                        solid_capstyle="butt")
                thickened = True
        # With several references the legend says "its reference": the panel names it.
        ax.set(title=label if reference is None or len(named) < 2
               else f"{label}\nagainst {reference}", ylim=(0, 1))
        ax.grid(alpha=0.3)
        if table.empty:  # a run too short for anyone: the panel says so, not a bare axis
            ax.text(0.5, 0.5, "no applicants", transform=ax.transAxes, ha="center",
                    va="center", color="#444444")
        elif table["replication"].nunique() < 2:  # said, so no band is not read as certainty
            ax.text(0.03, 0.96, "one replication: no interval", transform=ax.transAxes,
                    ha="left", va="top", fontsize="small", color="#444444")
        above = len(ax.texts)  # beneath the note on one replication, if there is one
        for row, category in enumerate(unknown):  # said, so no line is not read as none
            ax.text(0.03, 0.96 - 0.24 * row - 0.08 * above, NOT_DRAWN.format(
                category=CATEGORY_LABELS[category]), transform=ax.transAxes, ha="left",
                va="top", fontsize="small", color=CATEGORY_COLOURS[category])
    for ax in axes[count:]:
        ax.set_visible(False)
    for ax in axes[max(count - columns, 0):count]:  # the lowest panel of each column
        ax.set_xlabel("Years since request")
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in grid[:, 0]:
        ax.set_ylabel("Cumulative share\nof applicants")  # on one line, longer than a panel
    handles: list[Artist] = [Line2D([], [], color=CATEGORY_COLOURS[c], label=CATEGORY_LABELS[c]
                                    + ("" if c in drawn else NOT_DRAWN_ANYWHERE))
                             for c in categories]
    handles += [Line2D([], [], color="black", linestyle="-", label="connected"),
                Line2D([], [], color="black", linestyle="--", label="withdrawn")]
    if banded:
        handles.append(Patch(color="black", alpha=BAND_ALPHA, linewidth=0,
                             label="95% confidence interval of connected"))
    if thickened:
        against = next(iter(named)) if len(named) == 1 else "its reference"
        handles.append(Line2D([], [], color="black", linewidth=THICK_WIDTH,
                              label=f"differs from {against}"))
    outside_legend(fig, handles, "Category (colour) and outcome (line)", below=True)
    return fig


NOT_DRAWN = ("{category}: not drawn, known at no wait\n(all at risk at its first wait ended "
             "there\nbefore waiting-list applicants entered)")
"""A panel's note on a category with applicants whose pooled curve is known at no wait: the
applicants at risk at its first wait all ended there before a waiting-list applicant entered,
so the estimate stops before that wait (:attr:`sim.runs.incidence.IncidenceCurve.known_until`)
and has nothing to draw."""

NOT_DRAWN_ANYWHERE = " (not drawn)"
"""Added to a category's legend entry where no panel draws its curve, each saying why."""

BAND_ALPHA = 0.18
"""Opacity of a category's confidence band: light, so that bands of several categories that
overlap still show each line and the grid through them."""

THICK_WIDTH = 2.8
"""Width of a share connected where it differs from the paired reference's (others: 1.5)."""


def _spans_apart(difference: pd.DataFrame) -> list[tuple[float, float]]:
    """The spans of years since request in which a paired difference's band leaves out 0.

    Each point of the grid stands for the years up to the next one (to itself, the last).
    """
    times = difference["time_years"].to_numpy(dtype=float)
    apart = ((difference["band_low"] > 0) | (difference["band_high"] < 0)).to_numpy()
    ends = np.append(times[1:], times[-1:])
    edges = np.flatnonzero(np.diff(np.concatenate(([0], apart.astype(int), [0]))))
    return [(float(times[first]), float(ends[last - 1]))
            for first, last in zip(edges[::2], edges[1::2], strict=True)]


def _step_at(x: np.ndarray, y: np.ndarray, at: list[float]) -> np.ndarray:
    """A step function (``y[i]`` from ``x[i]`` on) at the points ``at``."""
    return y[np.maximum(np.searchsorted(x, at, side="right") - 1, 0)]


def wait_figure(applicants: Mapping[str, pd.DataFrame]) -> Figure:
    """Wait of connected applicants: a horizontal box per scenario, a panel per category.

    A scenario in which nobody of a category was connected says "none connected" in its row.
    """
    categories = present_categories(applicants)
    labels = list(applicants)
    fig, axes = _panels(len(categories), len(labels), columns=min(len(categories), 2),
                        width=4.6, sharex=True)
    connected = [table[table["outcome"].astype(str) == "connected"]
                 for table in applicants.values()]
    of_category = [table["category"].astype(str).to_numpy() for table in connected]
    for ax, category in zip(axes, categories, strict=False):
        waits = [table["wait_years"].to_numpy(dtype=float)[codes == category]
                 for table, codes in zip(connected, of_category, strict=True)]
        boxes = ax.boxplot(waits, positions=np.arange(len(labels)), orientation="horizontal",
                           patch_artist=True, widths=0.6,
                           medianprops={"color": "black", "linewidth": 2.2},
                           flierprops={"markersize": 2.5, "alpha": 0.5})
        for i, box in enumerate(boxes["boxes"]):
            box.set(facecolor=CATEGORY_COLOURS[category], alpha=0.65, edgecolor="#222222",
                    hatch=scenario_style(i).hatch, **HATCH)
        for i, values in enumerate(waits):
            if not len(values):  # said, so an empty row is not read as a wait of zero
                ax.text(0.02, i, "none connected", transform=ax.get_yaxis_transform(),
                        va="center", fontsize="small", color="#444444")
        ax.set_title(CATEGORY_LABELS[category])
        ax.grid(axis="x", alpha=0.3)
    _scenario_axis(axes, labels, "Wait of connected applicants (years)")
    return fig


def withdrawals_figure(summaries: Mapping[str, pd.DataFrame],
                       reference: str | None = None) -> Figure:
    """Applicants withdrawn (top row) and jobs lost (bottom row) per category and scenario.

    One panel per category and key figure, each on its own scale so small categories stay
    readable; bars are means with 95% intervals of every applicant of each scenario. A dotted
    line marks the mean of ``reference`` (one of the labels), when every scenario is compared
    with that one: a line at a scenario most are not compared with would read as their
    baseline.
    """
    present = [c for c in CATEGORIES if any(
        _interval(s, c, "applicants")[0] > 0 for s in summaries.values())]
    labels = list(summaries)
    marked = labels.index(reference) if reference in labels else None
    metrics = (("withdrawn", "Applicants withdrawn (count)"),
               ("jobs_withdrawn", "Jobs lost to withdrawal (jobs)"))
    fig, axes = _panels(2 * len(present), len(labels), columns=len(present), width=2.7)
    for row, (metric, unit) in enumerate(metrics):
        for ax, category in zip(axes[row * len(present):], present, strict=False):
            values = np.array([_interval(s, category, metric) for s in summaries.values()])
            jobless = metric == "jobs_withdrawn" and not _brings_jobs(summaries, category)
            _bars(ax, values, category, marked, NO_JOBS if jobless else None)
            ax.set_title(CATEGORY_LABELS[category] if row == 0 else "")
            ax.set_xlabel(unit)
    _scenario_axis(axes, labels, None)
    return fig


NO_JOBS = "its applicants state no jobs"
"""What a panel of jobs lost says where the category's applicants bring none (battery storage
sites in the bundled scenarios): 'none in any scenario' read as nobody withdrawing."""


def _brings_jobs(summaries: Mapping[str, pd.DataFrame], category: str) -> bool:
    """Whether the applicants of a category bring jobs in some scenario (connected or not)."""
    return any(_interval(s, category, metric)[0] > 0 for s in summaries.values()
               for metric in ("jobs_connected", "jobs_withdrawn", "jobs_waiting"))


def _bars(ax: Axes, values: np.ndarray, category: str, reference: int | None,
          empty: str | None = None) -> None:
    """A bar per scenario (rows of mean, low, high) with its interval.

    ``reference`` is the row whose mean a dotted line marks, if any; ``empty`` what a panel
    of zeros says, if not 'none' (in any scenario).
    """
    mean = values[:, 0]
    error = np.nan_to_num(np.abs(values[:, 1:].T - mean))
    bars = ax.barh(np.arange(len(values)), mean, 0.7, xerr=error, capsize=2.5,
                   color=CATEGORY_COLOURS[category], alpha=0.75, edgecolor="#222222",
                   linewidth=0.6, error_kw={"elinewidth": 1.2})
    for i, bar in enumerate(bars):
        bar.set(hatch=scenario_style(i).hatch, **HATCH)
    ax.grid(axis="x", alpha=0.3)
    if not np.nanmax(np.abs(mean), initial=0.0) > 0:
        ax.text(0.5, 0.5, empty or ("none" if len(values) == 1 else "none in any scenario"),
                transform=ax.transAxes, ha="center", va="center", color="#444444", wrap=True)
        ax.set(xlim=(0.0, 1.0), xticks=[])  # the bars of zero width on the axis, not mid-panel
        return
    if reference is not None and not np.isnan(mean[reference]):
        ax.axvline(mean[reference], color="black", linestyle=":", linewidth=1.0)
    ax.set_xlim(left=0.0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    group_thousands(ax.xaxis)


def _panels(
    count: int, scenarios: int, columns: int, width: float, sharex: bool = False
) -> tuple[Figure, list[Axes]]:
    """``count`` panels in rows of ``columns``, each tall enough for a row per scenario."""
    columns = max(columns, 1)
    rows = max(math.ceil(count / columns), 1)
    height = max(ROW_INCHES * scenarios + 0.9, 1.9)
    fig = new_figure(width * columns + 1.9, height * rows + 0.4)
    grid = fig.subplots(rows, columns, sharey=True, sharex=sharex, squeeze=False)
    axes = list(grid.ravel())
    for ax in axes[max(count, 1):]:
        ax.set_visible(False)
    if not count:  # no category has anyone: one panel says so (a run too short for anyone)
        axes[0].text(0.5, 0.5, "no applicants in any scenario", transform=axes[0].transAxes,
                     ha="center", va="center", color="#444444")
        axes[0].set_xticks([])
    return fig, axes[:max(count, 1)]


def _scenario_axis(axes: list[Axes], labels: list[str], xlabel: str | None) -> None:
    """Name the scenarios on the shared y axis, reference on top; label the lowest x axes.

    The axis is titled "Scenario" only with several: a single run's one row is named by its
    tick alone, as an axis of one entry titled "Scenario" reads as a choice that was not made.
    """
    shown = [ax for ax in axes if ax.get_visible()]
    shown[0].set_yticks(np.arange(len(labels)), labels)
    shown[0].set_ylim(len(labels) - 0.5, -0.5)
    for ax in shown:
        ax.tick_params(axis="y", length=0)
        if len(labels) > 1 and _spec(ax).is_first_col():
            ax.set_ylabel("Scenario")
        if xlabel is not None and not _has_panel_below(ax, shown):
            ax.set_xlabel(xlabel)
            ax.xaxis.set_tick_params(labelbottom=True)


def _has_panel_below(ax: Axes, shown: list[Axes]) -> bool:
    spec = _spec(ax)
    return any(_spec(o).colspan == spec.colspan
               and _spec(o).rowspan.start > spec.rowspan.start for o in shown)


def _spec(ax: Axes) -> SubplotSpec:
    """Where a panel sits in the figure's grid (every panel here is laid out on one)."""
    spec = ax.get_subplotspec()
    assert spec is not None
    return spec


def _interval(summary: pd.DataFrame, group: str, metric: str) -> tuple[float, float, float]:
    """Mean and 95% interval of a key figure; NaN when the summary lacks it."""
    row = summary[(summary["group"] == group) & (summary["metric"] == metric)]
    if row.empty:
        return math.nan, math.nan, math.nan
    mean, low, high = (float(row[c].iloc[0]) for c in ("estimate", "ci_low", "ci_high"))
    return mean, low, high
