"""The comparison figures: one function per figure, each returning a matplotlib Figure.

Pure functions over the result tables, keyed by scenario label (the first is the reference).
Nothing is saved or shown, so callers can restyle a figure before writing it. Colours and
styles come from :mod:`sim.figures.palette`, so a category looks the same in every figure. Figures
over calendar time are in :mod:`sim.figures.timelines`, those split by category in
:mod:`sim.figures.categories`; this module gathers them and adds the differences and projects.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.dates import ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from sim.figures.categories import time_to_connection_figure, wait_figure, withdrawals_figure
from sim.figures.numbers import NOT_REACHED, QUARTER_SIGN, group_thousands
from sim.figures.palette import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    new_figure,
    outside_legend,
    scenario_style,
)
from sim.figures.timelines import connected_figure, queue_figure
from sim.inputs.applicants import CATEGORIES
from sim.runs.metrics import (
    ALL,
    COMPARED,
    CONNECT_SHARES,
    HEADLINE_METRICS,
    IN_BOTH,
    METRICS,
    QUARTER_FOR_HALF,
    SHORTER_WINDOW,
)
from sim.runs.stats import connection_quantiles, named_applicants, shown_names

__all__ = [
    "UNCLEAR",
    "connected_figure",
    "differences_figure",
    "projects_figure",
    "queue_figure",
    "time_to_connection_figure",
    "wait_figure",
    "withdrawals_figure",
]

UNCLEAR = "#c4c4c4"
"""Colour of a difference whose interval includes zero: lighter than any category's."""


PANELS_PER_ROW = 4
"""The differences figure's panels per row: more side by side shrink in a page's width."""


def differences_figure(
    table: pd.DataFrame, metrics: tuple[str, ...] = HEADLINE_METRICS
) -> Figure:
    """Forest plot: each question's difference, variant minus reference, with its 95% interval.

    ``table`` is a comparison table
    (:func:`sim.analysis.differences.comparison_table`). A panel per
    key figure, titled with its label; a block of rows per category, headed by its name, a row
    per compared pair. Each variant keeps its scenario's marker; filled markers are paired
    intervals (common random numbers), hollow ones unpaired (Welch); an interval that includes
    zero is grey; the legend shows them in the markers drawn. A row without a difference says
    why ("none connected" when nobody was).
    """
    # Categories are compared like with like; a stream or project set apart has no category.
    table = table[table["population"].isin(COMPARED)]
    compared = table[table["question"].fillna("") != ""]
    sizes = table[table["metric"] == "applicants"].groupby("group")["mean"].max()
    groups = [g for g in (*CATEGORIES, ALL) if sizes.get(g, 0) > 0]
    if not groups:  # no scenario has applicants in a group both sides of a question have
        fig = new_figure(6.0, 2.2)
        ax = fig.subplots()
        ax.text(0.5, 0.5, "no applicants to compare: no category has any in both scenarios "
                "of a question", ha="center", va="center", color="#444444", wrap=True)
        ax.set_axis_off()
        fig.suptitle("Difference, variant minus reference (mean, 95% CI)")
        return fig
    pairs = list(dict.fromkeys(zip(compared["scenario"], compared["reference"], strict=True)))
    order = list(dict.fromkeys(table["scenario"]))  # each scenario keeps its marker
    block = len(pairs) + 1.5  # a header row and a gap per category
    headers = {g: -gi * block for gi, g in enumerate(groups)}
    positions = {(g, p): headers[g] - 1 - pi for g in groups for pi, p in enumerate(pairs)}
    own = table.drop_duplicates(["scenario", "group", "metric"]).set_index(
        ["scenario", "group", "metric"])["estimate"]  # a scenario's rows repeat per question
    # Rows of at most four panels: eight side by side shrank to unreadable text in the report.
    columns = min(len(metrics), PANELS_PER_ROW)
    rows_of_panels = math.ceil(len(metrics) / columns)
    fig = new_figure(2.9 * columns + 3.2,
                     (0.24 * block * len(groups) + 1.6) * rows_of_panels + 0.6)
    grid = np.atleast_2d(fig.subplots(rows_of_panels, columns, sharey=True, squeeze=False))
    axes = grid.ravel()[:len(metrics)]
    for unused in grid.ravel()[len(metrics):]:
        unused.set_axis_off()
    rows = compared.set_index(["scenario", "reference", "group", "metric"])
    counted = compared[compared["metric"] == "applicants"]
    in_both = counted["population"] == IN_BOTH
    nobody = set(zip(counted.loc[in_both & (counted["mean"] == 0), "scenario"],
                     counted.loc[in_both & (counted["mean"] == 0), "reference"],
                     counted.loc[in_both & (counted["mean"] == 0), "group"], strict=True))
    partly = set(zip(counted.loc[in_both, "scenario"], counted.loc[in_both, "reference"],
                     strict=True))  # pairs that count only the applicants both have
    drawn: dict[str, str] = {}  # each variant drawn, with its marker
    for ax, metric in zip(axes, metrics, strict=True):
        scale = 100.0 if METRICS[metric].unit == "share" else 1.0
        marks_used = False
        for group in groups:
            for pair in pairs:
                key = (*pair, group, metric)
                if key not in rows.index:
                    continue
                row, mark = _shown_row(rows, key, own)
                y = positions[(group, pair)]
                if mark:
                    marks_used = True
                    ax.annotate(mark, (row["difference_ci_high"] * scale, y),
                                xytext=(4, 0), textcoords="offset points", va="center",
                                fontsize="small", color="#444444")
                if np.isnan(row["difference"]):
                    why = NONE_IN_BOTH if (*pair, group) in nobody \
                        else _why_no_difference(own, pair, group, metric)
                    ax.text(0, y, why, ha="center", va="center", fontsize="small",
                            color="#444444")
                    continue
                value, low, high = (row[c] * scale for c in
                                    ("difference", "difference_ci_low", "difference_ci_high"))
                clear = low > 0 or high < 0
                colour = CATEGORY_COLOURS[group] if clear else UNCLEAR
                error = None if np.isnan(low) else [[value - low], [high - value]]
                marker = scenario_style(order.index(pair[0])).marker
                drawn.setdefault(pair[0], marker)
                ax.errorbar(value, y, xerr=error, fmt=marker,
                            color=colour, capsize=2.5, markersize=5.5,
                            markerfacecolor=colour if row["paired"] else "white")
        ax.axvline(0.0, color="black", linewidth=0.8)
        if marks_used:
            ax.margins(x=0.12)  # room for the marks right of the intervals
        unit = "percentage points" if scale == 100.0 else METRICS[metric].unit
        # Wrapped by hand: matplotlib's wrap=True wraps at the figure's edge, not the panel's,
        # and the long labels of neighbouring panels ran into each other.
        title = METRICS[metric].label + (STAND_IN_TITLES.get(metric, "") if marks_used else "")
        ax.set_title(textwrap.fill(title, 28), fontsize="medium")
        ax.set_xlabel(f"Difference ({unit})")
        ax.grid(axis="x", alpha=0.3)
        # A few ticks, thousands separated: '-7500-5000-2500' ran together in a quarter width.
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        group_thousands(ax.xaxis)
    ticks = {**{y: CATEGORY_LABELS[g] for g, y in headers.items()},
             **{y: f"{v} vs {r}" + (IN_BOTH_MARK if (v, r) in partly else "")
                for (_, (v, r)), y in positions.items()}}
    if ALL in headers and partly:  # not everyone, in the pairs that set some apart
        ticks[headers[ALL]] = (IN_BOTH_HEADING if partly == set(pairs)
                               else f"{CATEGORY_LABELS[ALL]} (of both, where marked)")
    axes[0].set_yticks(list(ticks), list(ticks.values()))
    axes[0].set_ylim(min(ticks) - 0.7, 0.7)
    for first in grid[:, 0]:  # each row's first panel names the rows
        first.tick_params(labelleft=True)
        for label, group in zip(first.get_yticklabels()[:len(groups)], groups, strict=True):
            label.set(fontweight="bold", color=CATEGORY_COLOURS[group])
    fig.suptitle("Difference, variant minus reference (mean, 95% CI)")
    handles, labels = _marker_legend(drawn or {v: scenario_style(order.index(v)).marker
                                               for v, _ in pairs})
    outside_legend(fig, handles, "Marker", below=True, labels=labels)
    return fig


def _marker_legend(markers: Mapping[str, str]) -> tuple[list[Any], list[str]]:
    """The differences figure's legend, in the markers drawn: each variant's, if several.

    A variant keeps its scenario's marker in every figure, so the legend shows those markers,
    not a circle none of them has: filled for paired, hollow for unpaired, grey where the
    interval includes zero, each with every marker drawn side by side; and which marker is
    which variant, where there are several.
    """
    shapes = list(dict.fromkeys(markers.values()))

    def entry(colour: str, face: str | None = None) -> tuple[Line2D, ...]:
        return tuple(Line2D([], [], color=colour, marker=shape, linestyle="",
                            markerfacecolor=face or colour) for shape in shapes)

    handles: list[Any] = []
    labels: list[str] = []
    if len(shapes) > 1:
        for name, shape in markers.items():
            handles.append(Line2D([], [], color="black", marker=shape, linestyle=""))
            labels.append(name)
    handles += [entry("black"), entry("black", "white"), entry(UNCLEAR)]
    labels += ["paired", "unpaired (Welch)", "interval includes zero"]
    return handles, labels


def projects_figure(applicants: Mapping[str, pd.DataFrame]) -> Figure:
    """When each named project gets connected, or withdraws, across replications.

    A waiting-list CSV's named row is drawn as a project, its name marked "(waiting list)".

    One marker per replication that connected it and a cross per replication in which it
    withdrew, the median connection over every replication as a bar (none if half of them
    never connected it) and the request date as a tick, so the wait shows as the distance
    between them. The label counts the replications in which the project connected, withdrew
    (with their median date) and still waited at the end, so a project that never connects
    is not one with nothing to show; the axis spans every date drawn.
    """
    projects = {label: a[named_applicants(a)] for label, a in applicants.items()}
    shown = {label: shown_names(p) for label, p in projects.items()}  # a row's "(waiting list)"
    names = list(dict.fromkeys(n for s in shown.values() for n in s))
    rows = [(name, si, label, mine) for name in names
            for si, (label, table) in enumerate(projects.items())
            if not (mine := table[shown[label] == name]).empty]
    if not rows:
        raise ValueError("no scenario names a project")
    fig = new_figure(9.5, 0.5 * len(rows) + 0.4 * len(names) + 1.9)
    ax = fig.subplots()
    ticks, tick_labels = [], []
    withdrawals = in_parts = False
    for i, (name, si, label, mine) in enumerate(rows):
        y = -(i + names.index(name))  # a blank row between projects
        colour = CATEGORY_COLOURS[str(mine["category"].iloc[0])]
        outcome = mine["outcome"].astype(str)
        dates = mine.loc[outcome == "connected", "connect_date"]
        ax.plot(dates, np.full(len(dates), y), linestyle="", alpha=0.7, color=colour,
                marker=scenario_style(si).marker, markersize=8, zorder=3)
        withdrew = mine.loc[outcome == "withdrawn", "withdraw_date"]
        if len(withdrew):
            withdrawals = True
            ax.plot(withdrew, np.full(len(withdrew), y), linestyle="", alpha=0.7,
                    color=colour, marker=WITHDRAWN_MARKER, markersize=9, zorder=3)
        median = connection_quantiles(dates, len(mine), (0.5,))[0]
        if not pd.isna(median):
            ax.plot([median, median], [y - 0.35, y + 0.35],  # type: ignore[arg-type]  # dates
                    color="black", zorder=2)
        full = _full_firm_dates(mine.loc[outcome == "connected"])
        if full is not None:  # some first connection was a part or a non-firm right
            in_parts = True
            ax.plot(full, np.full(len(full), y), linestyle="", alpha=0.7, color=colour,
                    marker=scenario_style(si).marker, markersize=8, markerfacecolor="none",
                    zorder=3)
            full_median = connection_quantiles(full, len(mine), (0.5,))[0]
            if not pd.isna(full_median):
                ax.plot([full_median, full_median], [y - 0.35, y + 0.35],  # type: ignore[arg-type]
                        color="black", linestyle="--", zorder=2)
        ax.plot(mine["request_date"].iloc[:1], [y], linestyle="", marker="|", markersize=14,
                color="black")
        ticks.append(y)
        tick_labels.append(f"{name}\n{label}: " + _project_counts(
            len(mine), len(dates), withdrew, int((outcome == "waiting").sum()))
            + ("" if full is None else f", {len(full)}/{len(mine)} in full, firm"))
    ax.set_yticks(ticks, tick_labels)
    ax.set_ylim(min(ticks) - 0.7, max(ticks) + 0.7)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(ax.xaxis.get_major_locator()))
    each = ("connection (markers) and withdrawal (×) in each replication,\n" if withdrawals
            else "connection in each replication (markers), ")
    whole = (";\nhollow: full firm connection where the first was a part or non-firm "
             "(dashed: median)" if in_parts else "")
    ax.set(xlabel=f"Date: request (|), {each}median connection (bar){whole}",
           title="When named projects get connected"
                 + (" or withdraw" if withdrawals else ""))
    ax.grid(axis="x", alpha=0.3)
    return fig


def _full_firm_dates(connected: pd.DataFrame) -> pd.Series | None:
    """A project's full firm connection dates, where some first connection was not one.

    A first connection in part (partial offers) or by a non-firm right is not the project's
    whole request, firm: its markers alone would show a campus holding a right from the day
    it asked as connected then. None where every first connection was whole and firm.
    """
    if "full_connect_date" not in connected:
        return None
    full = connected["full_connect_date"]
    first = connected["connect_date"]
    if (full.isna() == first.isna()).all() and (full.dropna() == first.dropna()).all():
        return None
    return full.dropna()


WITHDRAWN_MARKER = "x"
"""How the projects figure draws a withdrawal: a thin cross, unlike any scenario's marker."""


def _project_counts(runs: int, connected: int, withdrew: pd.Series, waiting: int) -> str:
    """'0/30 connected', then 'withdrew in 30 (median 2032-05-31)': a project's label.

    The replications in which it withdrew, with their median date, and those in which it
    still waited at the end of the run are said, on a line of their own, only where there
    are any.
    """
    more = []
    if len(withdrew):
        more.append(f"withdrew in {len(withdrew)} "
                    f"(median {pd.Timestamp(withdrew.median()).date().isoformat()})")
    if waiting:
        more.append(f"waiting at the end in {waiting}")
    return "\n".join(filter(None, [f"{connected}/{runs} connected", ", ".join(more)]))


STAND_INS = {**{ten: (stand_in, "to end") for ten, stand_in in SHORTER_WINDOW.items()},
             **{half: (quarter, QUARTER_SIGN) for half, quarter in QUARTER_FOR_HALF.items()}}
"""The figure shown, marked, where a pair has no difference in another (as the answers and
tables do): the shorter window's mean, or the time to a quarter connected for a median."""

STAND_IN_TITLES = {
    **{ten: " (to end: years without a connection to the end of the run, as in the answers)"
       for ten in SHORTER_WINDOW},
    **{half: f" ({QUARTER_SIGN}: a quarter, where fewer than half are connected, as in the "
             "tables)" for half in QUARTER_FOR_HALF},
}
"""What a panel's title adds when some of its rows show their stand-in."""


def _shown_row(
    rows: pd.DataFrame, key: tuple[str, str, str, str], own: pd.Series
) -> tuple[pd.Series, str]:
    """The row a pair's figure shows, and the mark of a stand-in figure ('' if none).

    Where a mean wait within ten years has no difference but its stand-in does, the
    answers give its stand-in (:data:`SHORTER_WINDOW`), and so does the figure, marked. Where a
    median is not reached in a scenario of the pair at all, the tables give the time to a
    quarter connected, and so does the figure.
    """
    row: pd.Series = rows.loc[key]  # type: ignore[index]  # a row of a four-level index
    stand_in = STAND_INS.get(key[-1])
    if stand_in is None or not np.isnan(row["difference"]):
        return row, ""
    other, mark = stand_in
    if key[-1] not in SHORTER_WINDOW and not any(
            np.isinf(own.get((s, key[2], key[-1]), np.nan)) for s in key[:2]):
        return row, ""  # reached in most replications: the tables show the median too
    if (*key[:-1], other) not in rows.index:  # a results folder written before it existed
        return row, ""
    shown: pd.Series = rows.loc[(*key[:-1], other)]  # type: ignore[index]  # as above
    return (shown, mark) if np.isfinite(shown["difference"]) else (row, "")


NONE_IN_BOTH = "none in both"
"""Said in a pair's row of a category none of the applicants both scenarios have holds."""

IN_BOTH_MARK = " (of both)"
"""Marks a pair whose rows count only the applicants both scenarios have (some set apart)."""

IN_BOTH_HEADING = "All applicants of both scenarios"
"""The heading of the overall rows when every pair counts only the applicants both have."""


def _why_no_difference(own: pd.Series, pair: tuple[str, str], group: str, metric: str) -> str:
    """Why a pair has no difference in a figure: nobody connected, never reached, or neither."""
    if any(own.get((s, group, "connected")) == 0 for s in pair):
        return "none connected"
    if any(np.isinf(own.get((s, group, metric), np.nan)) for s in pair):
        return NOT_REACHED
    if metric in CONNECT_SHARES:  # reached in most replications, not in all
        return f"{NOT_REACHED} in some replications"
    return "no value"
